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
struct ward_host_facts;
/* Log (warning) each risky setting a container was given, with its JSON path:
 * once, after its create succeeded. Only explicit settings count (the hardened
 * defaults ward_policy_apply fills are not findings at baseline). facts: what
 * hostobj.c found on this host for the objects s names (NULL: strings only). */
void ward_policy_log_risky(struct ward_ctx *ctx, const struct ward_spec *s, int level,
			   const struct ward_host_facts *facts);
/* Decide the container's level, fill the defaults into s, check it can be run.
 * It does not judge: the caller gathers the host facts, then calls
 * ward_policy_judge. */
int ward_policy_apply(struct ward_ctx *ctx, struct ward_spec *s, int *level, struct ward_error **e);
/* Under restricted, refuse s (EPERM) when it has anything the allowlist does
 * not grant, listing every violation with its JSON path and fix, one a line;
 * judged on the opened host objects in facts (from ward_ctx_host_facts), and by
 * the strings where facts is NULL or an object could not be opened. */
int ward_policy_judge(struct ward_ctx *ctx, const struct ward_spec *s, int level,
		      const struct ward_host_facts *facts, struct ward_error **e);

#endif
