/* SPDX-License-Identifier: Apache-2.0 */
/* OCI hooks: each hook runs by fork + execve(path, args, env) with the container
 * state JSON on its stdin; its stdout and stderr are captured (bounded) and quoted
 * in the error when it fails. A hook fails when it cannot be executed, exits
 * non-zero, is killed by a signal or outlives its timeout (then it is SIGKILLed). */
#ifndef WARD_HOOKS_H
#define WARD_HOOKS_H

#include "error.h"
#include "spec.h"

#include <sys/types.h>

int ward_hook_run(const struct ward_hook *h, const char *state_json, struct ward_error **e);
/* How a hook's process starts: by default fork + execve on the host; a spawner
 * starts it elsewhere (in the container) with in_fd as its stdin and out_fd as
 * its stdout and stderr, and returns the pid of a child of ours in its own
 * process group, or -1. */
typedef pid_t (*ward_hook_spawn_fn)(void *ud, const struct ward_hook *h, int in_fd, int out_fd,
				    struct ward_error **e);
/* Run every hook of kind k in order; stops at the first failure with
 * "<kind> hook #<n> (<path>): exit status 3: <captured output>". */
int ward_hooks_run(const struct ward_spec *s, enum ward_hook_kind k, const char *state_json,
		   struct ward_error **e);
/* The same with a spawner (NULL: fork + execve). */
int ward_hooks_run_spawn(const struct ward_spec *s, enum ward_hook_kind k, const char *state_json,
			 ward_hook_spawn_fn spawn, void *ud, struct ward_error **e);

#endif
