/* SPDX-License-Identifier: Apache-2.0 */
/* The last steps in the container before execve, shared by the container's init
 * and `ward exec`: rlimits, umask, cwd, user and groups, capabilities,
 * no_new_privs, the executable lookup, the environment and the final execve. */
#ifndef WARD_PROCESS_H
#define WARD_PROCESS_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"

struct ward_exec_plan {
	char *path;  /* the resolved executable */
	char **envp; /* process.env plus HOME when absent */
	char **argv; /* the exec stub's: its steps, path, then process.args */
	int stubfd;  /* the exec stub in a sealed memfd (see execstub.c) */
};

/* What the exec stub does before it execs the program (execstub_proto.h): its
 * steps, and the fds they name, which stay open across the stub's execve. */
struct ward_stub {
	char ops[64];
	int keep[6];
	size_t n_keep;
};

/* Append one step; fd < 0 for the steps that take none. */
void ward_stub_add(struct ward_stub *s, char op, int fd);

/* rlimits (never raising a hard limit above the host's), umask. */
int ward_process_limits(const struct ward_process *p, struct ward_error **e);
/* chdir to process.cwd inside the (already pivoted) root; a missing cwd is created. */
int ward_process_cwd(const struct ward_process *p, struct ward_error **e);
/* Drop the bounding set, switch groups/gid/uid keeping capabilities, then set
 * the capability sets and no_new_privs. nnp: 1 to set no_new_privs. */
int ward_process_credentials(const struct ward_process *p, bool nnp, struct ward_error **e);
/* Find args[0] on the PATH of process.env (as the container's user: after
 * ward_process_credentials), build the environment, and load the exec stub
 * into a sealed memfd. Every lookup refuses magic links (/proc/self/fd/N), and
 * HOME is read from the root's /etc/passwd by safepath: an image cannot point
 * ward at a file of the host. */
int ward_process_plan(const struct ward_process *p, struct ward_exec_plan *plan, struct ward_error **e);
/* The same for a given absolute path (a hook's), without the PATH search. */
int ward_process_plan_path(const struct ward_process *p, const char *path, struct ward_exec_plan *plan,
			   struct ward_error **e);
void ward_exec_plan_free(struct ward_exec_plan *plan);
struct ward_seccomp;
/* Without no_new_privs the kernel only lets a process holding CAP_SYS_ADMIN
 * install a filter: then it goes in now, before the credentials are dropped,
 * and *sc is set to NULL so that ward_process_exec does not install it twice. */
int ward_process_seccomp_early(const struct ward_process *p, const struct ward_seccomp **sc,
			       struct ward_error **e);
/* Close every fd above 2 + preserve_fds but the stub's (clearing CLOEXEC on the
 * preserved ones), reset signals, install the seccomp filter (unless NULL, or
 * already installed for a notify listener) as the very last thing, and execve
 * the stub, which does its steps and execs the program. The stub's fds must be
 * above 2 + preserve_fds (ward_fds_settle). Returns only on failure. */
int ward_process_exec(const struct ward_process *p, struct ward_exec_plan *plan, unsigned preserve_fds,
		      const struct ward_seccomp *sc, const struct ward_stub *stub, struct ward_error **e);

#endif
