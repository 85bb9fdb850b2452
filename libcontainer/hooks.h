/* SPDX-License-Identifier: Apache-2.0 */
/* OCI hooks: each hook runs by fork + execve(path, args, env) with the container
 * state JSON on its stdin; its stdout and stderr are captured (bounded) and quoted
 * in the error when it fails. A hook fails when it cannot be executed, exits
 * non-zero, is killed by a signal or outlives its timeout (then it is SIGKILLed). */
#ifndef WARD_HOOKS_H
#define WARD_HOOKS_H

#include "error.h"
#include "spec.h"

int ward_hook_run(const struct ward_hook *h, const char *state_json, struct ward_error **e);
/* Run every hook of kind k in order; stops at the first failure with
 * "<kind> hook #<n> (<path>): exit status 3: <captured output>". */
int ward_hooks_run(const struct ward_spec *s, enum ward_hook_kind k, const char *state_json,
		   struct ward_error **e);

#endif
