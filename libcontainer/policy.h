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

/* The annotation by which a container may tighten (never loosen) the policy. */
#define WARD_POLICY_ANNOTATION "run.ward.policy"

/* "oci", "baseline", "restricted" <-> enum ward_policy_level (-1: unknown). */
const char *ward_policy_name(int level);
int ward_policy_parse(const char *name);
/* The level for a container: the host's (--policy, else the host file), raised
 * by its run.ward.policy annotation if that asks for more. */
int ward_policy_level(struct ward_ctx *ctx, const struct ward_spec *s, int *level, struct ward_error **e);
/* The defaults and checks of one process (the container's, or an exec's). */
void ward_policy_process(struct ward_ctx *ctx, int level, struct ward_process *p);
struct ward_seccomp;
/* The filter process p gets: the config's linux.seccomp compiled, none for an
 * explicit null, and for an absent one the built-in default profile (baseline) or
 * none (oci). *out is NULL when there is no filter. */
int ward_policy_seccomp(struct ward_ctx *ctx, const struct ward_spec *s, const struct ward_process *p,
			int level, struct ward_seccomp **out, struct ward_error **e);
/* Log (warning) each risky setting a container was given, with its JSON path:
 * once, after its create succeeded. Only explicit settings count (the hardened
 * defaults ward_policy_apply fills are not findings at baseline). */
void ward_policy_log_risky(struct ward_ctx *ctx, const struct ward_spec *s, int level);
/* Decide the container's level, fill the defaults into s, check it can be run,
 * refuse it (restricted) or log its risky settings (below). */
int ward_policy_apply(struct ward_ctx *ctx, struct ward_spec *s, int *level, struct ward_error **e);

#endif
