/* SPDX-License-Identifier: Apache-2.0 */
/* Policy: what a config leaves out gets the hardened default (security.md §1),
 * and settings that cannot work together are refused before anything is made. */
#ifndef WARD_POLICY_H
#define WARD_POLICY_H

#include "container.h"
#include "error.h"
#include "spec.h"

/* The default masked and read-only paths (NULL-terminated). */
extern const char *const ward_default_masked_paths[];
extern const char *const ward_default_readonly_paths[];

/* The defaults and checks of one process (the container's, or an exec's). */
void ward_policy_process(struct ward_ctx *ctx, struct ward_process *p);
struct ward_seccomp;
/* The filter process p gets: the config's linux.seccomp compiled, none for an
 * explicit null, and for an absent one the built-in default profile (baseline) or
 * none (oci). *out is NULL when there is no filter. */
int ward_policy_seccomp(struct ward_ctx *ctx, const struct ward_spec *s, const struct ward_process *p,
			struct ward_seccomp **out, struct ward_error **e);
/* Fill the defaults into s and check it can be run as a container. */
int ward_policy_apply(struct ward_ctx *ctx, struct ward_spec *s, struct ward_error **e);

#endif
