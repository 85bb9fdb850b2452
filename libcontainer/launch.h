/* SPDX-License-Identifier: Apache-2.0 */
/* The process model: one clone3(CLONE_NEW* | CLONE_INTO_CGROUP | CLONE_PIDFD)
 * whose child sets the container up and execs the exec stub (execstub.c), which
 * becomes the user's program by execve — no re-exec of ward. Parent and child
 * talk over a SOCK_SEQPACKET pair:
 *
 *   parent                          child
 *   clone3 ----------------------->  waits for GO
 *   id maps, oom_score_adj, GO --->  namespaces, mounts, sysctl
 *   prestart+createRuntime <------  HOOKS
 *   GO(state JSON) --------------->  createContainer hooks, masks, tty, pivot,
 *                                    cwd, credentials, executable lookup
 *                          <------  READY; execs the stub, which waits for GO
 *   save state, pid file, GO ----->  the stub closes the socket and blocks
 *   done (EOF) <------------------    on exec.fifo until `start`
 *
 * The child is ward, with host fds and the host's root, until it execs the stub:
 * no process of a container may see it then (security.md §0). In a new pid
 * namespace it is alone. When the config joins an existing pid namespace, the
 * child is set up outside it ("outside") and the stub forks the container's
 * init into it, already pivoted, credentialed and holding no host fd: PID
 * (the init's pid) comes between READY and GO.
 *
 * Any failure in the child comes back as ERROR (errno + message) and the child
 * exits; the parent kills it if it dies on the way, so nothing is left behind;
 * the stub exits at EOF instead of GO. */
#ifndef WARD_LAUNCH_H
#define WARD_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "namespaces.h"
#include "spec.h"

enum ward_sync { WARD_SYNC_GO = 1, WARD_SYNC_HOOKS, WARD_SYNC_READY, WARD_SYNC_ERROR = 5, WARD_SYNC_PID };

struct ward_launch {
	/* inputs */
	const struct ward_spec *spec;
	const char *bundle;	 /* absolute */
	const char *rootfs;	 /* absolute */
	int cgroup_fd;		 /* -1: none */
	const char *cgroup_path; /* its host path */
	int console_fd;		 /* connected console socket, or -1 */
	int fifo_fd;		 /* exec.fifo opened for reading (with a writer held); -1 = no wait */
	int fifo_keep_fd;	 /* the writer that keeps it from reading EOF */
	unsigned preserve_fds;
	bool outside; /* the pid namespace is joined: set up outside it, forked in by the stub */
	bool no_pivot, no_new_keyring;
	struct ward_nsfds ns;
	const struct ward_seccomp *seccomp; /* compiled by the parent; NULL: none */
	/* the parent's own fds (the locked state directory...) that the child must
	 * close at once: a flock lives as long as any copy of its fd */
	int parent_fds[4];
	/* outputs */
	pid_t pid;
	int pidfd;
	int sync_fd;
	int seccomp_fd; /* the notify listener the init sent with READY, or -1 */
};

void ward_launch_init(struct ward_launch *l);
/* clone3 into cgroup_fd (when >= 0) with a pidfd (when pidfd is not NULL). On a
 * kernel without CLONE_INTO_CGROUP or without clone3 (or a seccomp filter that
 * hides it) it falls back to clone3 or clone(2) without the cgroup, and sets
 * *move (in the child too): the caller must then move the child into the cgroup
 * before the child may go on. */
pid_t ward_clone(unsigned long flags, int cgroup_fd, int *pidfd, bool *move);
/* clone3 the container's init and let it set up its namespaces. */
int ward_launch_clone(struct ward_launch *l, struct ward_error **e);
/* The next message from the child: WARD_SYNC_HOOKS or _READY; the child's own
 * error (or its death) as -1. After READY, pid and pidfd name the container's
 * init (when outside, the process the stub forked). */
int ward_launch_wait(struct ward_launch *l, struct ward_error **e);
/* Let the child go on, with an optional payload (the state JSON for its hooks). */
int ward_launch_go(struct ward_launch *l, const char *payload, struct ward_error **e);
/* After READY and the state saved: GO to the stub, and wait until it has let go
 * of the sync socket (it then waits for start on exec.fifo). */
int ward_launch_commit(struct ward_launch *l, struct ward_error **e);
/* Kill the child (if any) and reap it; close everything. */
void ward_launch_abort(struct ward_launch *l);
/* Close the parent's ends once the child is on its own. */
void ward_launch_release(struct ward_launch *l);

/* The sync protocol, shared with exec. */
int ward_sync_send(int fd, enum ward_sync type, int code, const char *payload);
/* Receive one message: returns its type, or -1 (errno set; 0-byte peer close = EPIPE).
 * *payload is malloc'd (may be NULL). */
int ward_sync_recv(int fd, int *code, char **payload);
/* The exec stub's fork (step P): its PID message, the pid checked to be a child
 * of ours (CLONE_PARENT), a pidfd for it, and the stub's parent (helper, our
 * child) reaped. */
int ward_stub_take_pid(int sync_fd, pid_t helper, pid_t *pid, int *pidfd, struct ward_error **e);
/* GO to the stub; then EOF on sync_fd is success (the stub closed it, or its
 * execve did), an ERROR message its failure ("<what>: <errno>"). alive: pidfd of
 * a process that must still be alive then (-1: no check). */
int ward_stub_finish(int sync_fd, int alive, const char *what, struct ward_error **e);

/* Send a ward_error from a child and _exit(1). */
__attribute__((noreturn)) void ward_child_fail(int sync_fd, struct ward_error *err);

/* For a filter with SCMP_ACT_NOTIFY: install it now (before READY: the listener
 * must reach its agent) and send the listener fd over sync_fd after a READY with
 * code 1. Without notify, just READY. */
int ward_child_ready(int sync_fd, const struct ward_seccomp *sc, struct ward_error **e);
/* Parent side: after READY with code 1, take the listener fd. */
int ward_take_seccomp_fd(int sync_fd, int code, int *fd, struct ward_error **e);
/* Send a notify listener to linux.seccomp.listenerPath with the container
 * process state (runtime-spec "containerProcessState"). */
int ward_seccomp_send_listener(const struct ward_seccomp *sc, int fd, pid_t pid, const char *state_json,
			       struct ward_error **e);

int ward_pidfd_open(pid_t pid);
int ward_pidfd_send_signal(int pidfd, int sig);

#endif
