/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "execstub_proto.h"
#include "hooks.h"
#include "mounts.h"
#include "net.h"
#include "process.h"
#include "sysctl.h"
#include "terminal.h"
#include "util.h"
#include "ward_seccomp.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#define KEYCTL_JOIN_SESSION_KEYRING 1

struct sync_hdr {
	int32_t type;
	int32_t code;
};

_Static_assert(WARD_SYNC_GO == WARD_STUB_MSG_GO && WARD_SYNC_ERROR == WARD_STUB_MSG_ERROR &&
		   WARD_SYNC_PID == WARD_STUB_MSG_PID,
	       "the exec stub's messages are the sync protocol's");

int ward_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int ward_pidfd_send_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int ward_sync_send(int fd, enum ward_sync type, int code, const char *payload)
{
	struct sync_hdr h = {.type = type, .code = code};
	struct iovec iov[2] = {{&h, sizeof h}, {(void *)payload, payload ? strlen(payload) : 0}};
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = payload ? 2 : 1};
	ssize_t r;

	do
		r = sendmsg(fd, &m, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -1 : 0;
}

int ward_sync_recv(int fd, int *code, char **payload)
{
	struct sync_hdr h;
	ssize_t n;
	char *buf;

	*payload = NULL;
	do
		n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n < (ssize_t)sizeof h) {
		errno = EPIPE; /* the peer is gone */
		return -1;
	}
	buf = xmalloc0((size_t)n + 1);
	do
		n = recv(fd, buf, (size_t)n, 0);
	while (n < 0 && errno == EINTR);
	if (n < (ssize_t)sizeof h) {
		free(buf);
		errno = n < 0 ? errno : EPIPE;
		return -1;
	}
	memcpy(&h, buf, sizeof h);
	if (code)
		*code = h.code;
	if ((size_t)n > sizeof h) {
		memmove(buf, buf + sizeof h, (size_t)n - sizeof h);
		buf[(size_t)n - sizeof h] = '\0';
		*payload = buf;
	} else {
		free(buf);
	}
	return h.type;
}

void ward_child_fail(int sync_fd, struct ward_error *err)
{
	if (sync_fd >= 0)
		ward_sync_send(sync_fd, WARD_SYNC_ERROR, err ? err->code : 0,
			       err ? err->msg : "unknown error");
	_exit(1);
}

int ward_child_ready(int sync_fd, const struct ward_seccomp *sc, struct ward_error **e)
{
	int fd = -1;

	if (!sc || !sc->notify)
		return ward_sync_send(sync_fd, WARD_SYNC_READY, 0, NULL) < 0 ? ward_err_sys(e, "send READY")
									     : 0;
	if (ward_seccomp_install(sc, &fd, e) < 0)
		return ward_err_prefix(e, "linux.seccomp");
	if (ward_sync_send(sync_fd, WARD_SYNC_READY, 1, NULL) < 0 ||
	    ward_send_fd(sync_fd, fd, "seccomp", e) < 0) {
		close(fd);
		return ward_err(e, EPIPE, "send the seccomp listener to the runtime");
	}
	close(fd);
	return 0;
}

int ward_take_seccomp_fd(int sync_fd, int code, int *fd, struct ward_error **e)
{
	*fd = -1;
	if (code != 1)
		return 0;
	return ward_recv_fd(sync_fd, fd, e) < 0 ? ward_err_prefix(e, "receive the seccomp listener") : 0;
}

/* The listener's metadata is an opaque string to pass on, JSON-quoted. */
static char *json_quote(const char *s)
{
	char *out = xmalloc0(2 * strlen(s) + 3), *o = out;

	*o++ = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			*o++ = '\\';
		*o++ = (unsigned char)*s < 0x20 ? ' ' : *s;
	}
	*o = '"';
	return out;
}

int ward_seccomp_send_listener(const struct ward_seccomp *sc, int fd, pid_t pid, const char *state_json,
			       struct ward_error **e)
{
	_cleanup_free_ char *msg = NULL, *meta = NULL;
	int sock;

	if (!sc->listener_path)
		return ward_err(e, EINVAL, "linux.seccomp: SCMP_ACT_NOTIFY needs a listenerPath");
	meta = json_quote(sc->listener_metadata ? sc->listener_metadata : "");
	msg = xasprintf(
	    "{\"ociVersion\":\"%s\",\"fds\":[\"seccompFd\"],\"pid\":%d,\"metadata\":%s,\"state\":%s}",
	    WARD_SPEC_VERSION, (int)pid, meta, state_json);
	sock = ward_console_connect(sc->listener_path, e);
	if (sock < 0)
		return ward_err_prefix(e, "linux.seccomp.listenerPath");
	if (ward_send_fd(sock, fd, msg, e) < 0) {
		close(sock);
		return ward_err_prefix(e, "linux.seccomp.listenerPath %s", sc->listener_path);
	}
	close(sock);
	return 0;
}

void ward_launch_init(struct ward_launch *l)
{
	memset(l, 0, sizeof *l);
	l->cgroup_fd = l->console_fd = l->fifo_fd = l->fifo_keep_fd = -1;
	l->pidfd = l->sync_fd = l->seccomp_fd = -1;
	for (size_t i = 0; i < ARRAY_SIZE(l->parent_fds); i++)
		l->parent_fds[i] = -1;
	for (int t = 0; t < WARD_NS_COUNT; t++)
		l->ns.fd[t] = -1;
}

/* Wait for the parent's GO; its payload (if any) in *payload. */
static int child_wait_go(int fd, char **payload, struct ward_error **e)
{
	char *p = NULL;
	int t = ward_sync_recv(fd, NULL, &p);

	if (t != WARD_SYNC_GO) {
		free(p);
		return ward_err(e, EPIPE, "the runtime went away during create");
	}
	if (payload)
		*payload = p;
	else
		free(p);
	return 0;
}

static int child_namespaces(struct ward_launch *l, unsigned long newns, struct ward_error **e)
{
	const struct ward_spec *s = l->spec;

	if ((newns & CLONE_NEWUSER) && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return ward_err_sys(
		    e, "linux.uidMappings/gidMappings: become root (id 0) in the user namespace");
	/* a joined pid namespace applies to children only: joined after the
	 * rootfs is set up (child_enter_pidns) */
	if (ward_ns_join(&l->ns, ~(1u << WARD_NS_PID), e) < 0)
		return -1;
	if ((newns & CLONE_NEWTIME) && ward_ns_new_time(s, e) < 0)
		return -1;
	if (setsid() < 0)
		return ward_err_sys(e, "setsid");
	if (!l->no_new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 &&
	    errno != ENOSYS && errno != EPERM && errno != EACCES)
		return ward_err_sys(e, "create a session keyring");
	if ((newns & CLONE_NEWNET) && ward_net_lo_up(e) < 0)
		return -1;
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return ward_err_sys(e, "hostname: set %s", s->hostname);
	if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return ward_err_sys(e, "domainname: set %s", s->domainname);
	return 0;
}

static int child_terminal(struct ward_launch *l, struct ward_rootfs *r, int *peer, struct ward_error **e)
{
	const struct ward_process *p = &l->spec->process;
	_cleanup_close_ int master = -1;

	if (ward_pty_open(r->rootfd, p->console_height, p->console_width, &master, peer, e) < 0)
		return ward_err_prefix(e, "process.terminal");
	if (ward_rootfs_console(r, *peer, e) < 0)
		return -1;
	if (ward_send_fd(l->console_fd, master, "/dev/console", e) < 0)
		return ward_err_prefix(e, "send the terminal to the console socket");
	close(l->console_fd);
	l->console_fd = -1;
	return 0;
}

/* Outside the joined pid namespace until here: the stub's fork is born in it,
 * with the rootfs pivoted, no host fd and every other namespace joined. */
static int child_enter_pidns(struct ward_launch *l, struct ward_error **e)
{
	if (l->outside && setns(l->ns.fd[WARD_NS_PID], CLONE_NEWPID) < 0)
		return ward_err_sys(e, "join pid namespace %s", l->spec->linux_.ns[WARD_NS_PID].path);
	return 0;
}

/* The pty peer as stdio; the controlling terminal of the session the init
 * leads (outside: the stub's fork makes it its own, steps S and T). */
static int child_stdio_pty(struct ward_launch *l, int peer, struct ward_error **e)
{
	if (!l->outside)
		return ward_pty_make_controlling(peer, e);
	for (int i = 0; i <= 2; i++)
		if (peer == i ? fcntl(i, F_SETFD, 0) < 0 : dup2(peer, i) < 0)
			return ward_err_sys(e, "make the pty stdio fd %d", i);
	return 0;
}

/* Everything up to READY; returns the plan for execve. */
static int child_setup(struct ward_launch *l, struct ward_exec_plan *plan, struct ward_error **e)
{
	const struct ward_spec *s = l->spec;
	const struct ward_process *p = &s->process;
	unsigned long newns = ward_ns_new_flags(s);
	struct ward_rootfs r = {.rootfd = -1, .devnullfd = -1};
	_cleanup_free_ char *state = NULL;
	_cleanup_close_ int peer = -1;
	int ret = -1;

	if (child_wait_go(l->sync_fd, NULL, e) < 0 || child_namespaces(l, newns, e) < 0)
		return -1;
	umask(0); /* device and mount-point modes as the config says */
	if (ward_rootfs_prepare(s, l->rootfs, s->linux_.ns[WARD_NS_USER].present, &r, e) < 0)
		goto out;
	ward_rootfs_set_cgroup(&r, l->cgroup_path);
	/* outside the container's pid namespace, a procfs is made for it */
	r.proc_pidns_fd = l->outside ? l->ns.fd[WARD_NS_PID] : -1;
	if (ward_rootfs_mount_all(s, l->bundle, &r, e) < 0 || ward_sysctl_apply(s, e) < 0)
		goto out;
	if (ward_sync_send(l->sync_fd, WARD_SYNC_HOOKS, 0, NULL) < 0 ||
	    child_wait_go(l->sync_fd, &state, e) < 0)
		goto out;
	if (ward_hooks_run(s, WARD_HOOK_CREATE_CONTAINER, state, e) < 0)
		goto out;
	if (ward_rootfs_mask(s, &r, e) < 0)
		goto out;
	if (p->terminal && child_terminal(l, &r, &peer, e) < 0)
		goto out;
	if (ward_rootfs_pivot(s, &r, l->no_pivot, e) < 0)
		goto out;
	if (peer >= 0 && child_stdio_pty(l, peer, e) < 0)
		goto out;
	if (child_enter_pidns(l, e) < 0 || ward_process_limits(p, e) < 0 || ward_process_cwd(p, e) < 0 ||
	    ward_process_seccomp_early(p, &l->seccomp, e) < 0 ||
	    ward_process_credentials(p, p->no_new_privileges != 0, e) < 0 ||
	    ward_process_plan(p, plan, e) < 0)
		goto out;
	ret = 0;
out:
	ward_rootfs_close(&r);
	return ret;
}

/* Nothing of the runtime's may follow the child into the container but what it
 * needs: the parent's fds (state directory, cgroup, seccomp cache, log...)
 * are closed before anything else happens. */
static int child_settle_fds(struct ward_launch *l)
{
	int *const fds[] = {&l->sync_fd,  &l->console_fd, &l->fifo_fd,	&l->fifo_keep_fd,
			    &l->ns.fd[0], &l->ns.fd[1],	  &l->ns.fd[2], &l->ns.fd[3],
			    &l->ns.fd[4], &l->ns.fd[5],	  &l->ns.fd[6], &l->ns.fd[7]};

	_Static_assert(WARD_NS_COUNT == 8, "every namespace fd is kept");
	return ward_fds_settle((int)(3 + l->preserve_fds), fds, ARRAY_SIZE(fds));
}

/* The stub's steps: (outside: fork the init into the pid namespace, its own
 * session and terminal,) wait for GO, let go of the sync socket, wait for
 * start. */
static void child_stub_steps(const struct ward_launch *l, struct ward_stub *st)
{
	if (l->outside) {
		ward_stub_add(st, WARD_STUB_FORK, l->sync_fd);
		ward_stub_add(st, WARD_STUB_SETSID, -1);
		if (l->spec->process.terminal)
			ward_stub_add(st, WARD_STUB_CTTY, -1);
	}
	ward_stub_add(st, WARD_STUB_GO, l->sync_fd);
	ward_stub_add(st, WARD_STUB_CLOSE, l->sync_fd);
	if (l->fifo_fd >= 0) {
		ward_stub_add(st, WARD_STUB_START, l->fifo_fd);
		ward_stub_add(st, WARD_STUB_CLOSE, l->fifo_fd);
		ward_stub_add(st, WARD_STUB_CLOSE, l->fifo_keep_fd);
	}
}

__attribute__((noreturn)) static void child_main(struct ward_launch *l)
{
	struct ward_error *err = NULL;
	struct ward_exec_plan plan = {0};
	struct ward_stub stub = {0};

	/* die with the runtime until the stub waits for its GO (which then sees
	 * EOF instead); no one may ptrace or open /proc/PID/exe of this process
	 * while it is still ward */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0);
	if (child_settle_fds(l) < 0) {
		ward_err_sys(&err, "close the runtime's fds");
		ward_child_fail(l->sync_fd, err);
	}
	if (child_setup(l, &plan, &err) < 0 || ward_child_ready(l->sync_fd, l->seccomp, &err) < 0)
		ward_child_fail(l->sync_fd, err);
	/* blocking reads for the stub */
	if (l->fifo_fd >= 0 && fcntl(l->fifo_fd, F_SETFL, 0) < 0) {
		ward_err_sys(&err, "exec.fifo");
		ward_child_fail(l->sync_fd, err);
	}
	child_stub_steps(l, &stub);
	prctl(PR_SET_PDEATHSIG, 0);
	ward_process_exec(&l->spec->process, &plan, l->preserve_fds, l->seccomp, &stub, &err);
	ward_child_fail(l->sync_fd, err);
}

static pid_t clone3_with(unsigned long flags, int cgroup_fd, int *pidfd)
{
	struct clone_args ca = {.flags = flags, .exit_signal = SIGCHLD};

	if (pidfd) {
		ca.flags |= CLONE_PIDFD;
		ca.pidfd = (uint64_t)(uintptr_t)pidfd;
	}
	if (cgroup_fd >= 0) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgroup_fd;
	}
	return (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
}

pid_t ward_clone(unsigned long flags, int cgroup_fd, int *pidfd, bool *move)
{
	pid_t pid = clone3_with(flags, cgroup_fd, pidfd);

	*move = false;
	/* *move is set before each fallback clone, so that the child knows it too */
	/* a kernel before 5.7 knows clone3 but not CLONE_INTO_CGROUP */
	if (pid < 0 && cgroup_fd >= 0 && (errno == EINVAL || errno == E2BIG)) {
		*move = true;
		pid = clone3_with(flags, -1, pidfd);
	}
	/* no clone3 at all: a kernel before 5.3, or a seccomp filter that hides it
	 * (older engines' default profiles answer ENOSYS). clone(2) without a new
	 * stack behaves like fork; the arguments after parent_tid are 0 whatever the
	 * architecture's order. */
	if (pid < 0 && errno == ENOSYS) {
		*move = cgroup_fd >= 0;
		pid = (pid_t)syscall(SYS_clone, flags | (pidfd ? CLONE_PIDFD : 0) | SIGCHLD, NULL, pidfd,
				     NULL, NULL);
	}
	if (pid < 0)
		*move = false;
	return pid;
}

int ward_launch_clone(struct ward_launch *l, struct ward_error **e)
{
	const struct ward_spec *s = l->spec;
	unsigned long flags = ward_ns_new_flags(s) & ~(unsigned long)CLONE_NEWTIME;
	int sv[2], dumpable;
	bool move;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return ward_err_sys(e, "create the sync socket");
	/* A new pid namespace is entered at once: nobody else is in it, and
	 * nobody can join it before its init is the stub (ward exec waits for the
	 * state lock; a config joining it by path is refused while its init is
	 * ward, ward_ns_open_joins). A joined one already has processes: the init
	 * is set up outside it, and the stub forks it in. */
	l->outside = s->linux_.ns[WARD_NS_PID].present && s->linux_.ns[WARD_NS_PID].path;
	/* the child is non-dumpable from its first instruction (it sets that itself
	 * too, but a container process could race the prctl); ours comes back after */
	dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	pid = ward_clone(flags, l->cgroup_fd, &l->pidfd, &move);
	if (pid != 0 && dumpable > 0)
		prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
	if (pid == 0) {
		close(sv[0]);
		l->sync_fd = sv[1];
		child_main(l);
	}
	close(sv[1]);
	l->sync_fd = sv[0];
	if (pid < 0)
		return ward_err_sys(e, "clone3 the container's init");
	l->pid = pid;
	/* born outside its cgroup (old kernel): moved before it may do anything */
	if (move && ward_cgroup_enter(l->cgroup_fd, l->cgroup_path, pid, e) < 0)
		return -1;
	if ((flags & CLONE_NEWUSER) && ward_ns_write_idmaps(pid, s, e) < 0)
		return -1;
	if (s->process.has_oom_score_adj) {
		char path[64], val[16];

		snprintf(path, sizeof path, "/proc/%d/oom_score_adj", (int)pid);
		snprintf(val, sizeof val, "%d", s->process.oom_score_adj);
		if (write_file_at(AT_FDCWD, path, val, e) < 0)
			return ward_err_prefix(e, "process.oomScoreAdj");
	}
	return ward_launch_go(l, NULL, e);
}

int ward_launch_wait(struct ward_launch *l, struct ward_error **e)
{
	_cleanup_free_ char *payload = NULL;
	int code = 0, t = ward_sync_recv(l->sync_fd, &code, &payload);

	if (t == WARD_SYNC_ERROR)
		return ward_err(e, code, "%s", payload ? payload : "the container's init failed");
	if (t == WARD_SYNC_READY && ward_take_seccomp_fd(l->sync_fd, code, &l->seccomp_fd, e) < 0)
		return -1;
	if (t == WARD_SYNC_READY && l->outside) {
		pid_t init;
		int pidfd;

		/* the stub forked the init into the pid namespace and exited */
		if (ward_stub_take_pid(l->sync_fd, l->pid, &init, &pidfd, e) < 0)
			return ward_err_prefix(e, "start the container's init in its pid namespace");
		l->pid = init;
		if (l->pidfd >= 0)
			close(l->pidfd);
		l->pidfd = pidfd;
	}
	if (t < 0) {
		int status = 0;

		/* it died without a word: say how */
		if (l->pid > 0 && waitpid(l->pid, &status, 0) == l->pid) {
			l->pid = 0;
			if (WIFSIGNALED(status))
				return ward_err(e, ECHILD,
						"the container's init was killed by signal %d during "
						"create",
						WTERMSIG(status));
			return ward_err(e, ECHILD, "the container's init exited with status %d during create",
					WEXITSTATUS(status));
		}
		return ward_err_sys(e, "read from the container's init");
	}
	return t;
}

int ward_launch_go(struct ward_launch *l, const char *payload, struct ward_error **e)
{
	if (ward_sync_send(l->sync_fd, WARD_SYNC_GO, 0, payload) < 0)
		return ward_err_sys(e, "signal the container's init");
	return 0;
}

int ward_launch_commit(struct ward_launch *l, struct ward_error **e)
{
	return ward_stub_finish(l->sync_fd, l->pidfd, "the container's init", e);
}

int ward_stub_take_pid(int sync_fd, pid_t helper, pid_t *pid, int *pidfd, struct ward_error **e)
{
	_cleanup_free_ char *payload = NULL;
	siginfo_t si;
	int code = 0, t = ward_sync_recv(sync_fd, &code, &payload);

	*pid = 0;
	*pidfd = -1;
	while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
		;
	if (t == WARD_SYNC_ERROR && payload)
		return ward_err(e, code, "%s", payload);
	if (t == WARD_SYNC_ERROR)
		return ward_err_errno(e, code, "the exec stub's fork");
	if (t != WARD_SYNC_PID || code <= 0)
		return ward_err(e, ECHILD, "the exec stub died before it forked the process");
	*pidfd = ward_pidfd_open(code);
	/* a child of ours (the stub forks with CLONE_PARENT), never a pid that
	 * someone else wrote on the socket */
	if (*pidfd < 0 || (waitid((idtype_t)P_PIDFD, (id_t)*pidfd, &si, WEXITED | WNOHANG | WNOWAIT) < 0 &&
			   errno == ECHILD)) {
		if (*pidfd >= 0)
			close(*pidfd);
		*pidfd = -1;
		return ward_err(e, ECHILD, "the exec stub reported pid %d, which is not the runtime's child",
				code);
	}
	*pid = code;
	return 0;
}

int ward_stub_finish(int sync_fd, int alive, const char *what, struct ward_error **e)
{
	_cleanup_free_ char *payload = NULL;
	struct pollfd p = {.fd = alive, .events = POLLIN};
	int code = 0, t;

	if (ward_sync_send(sync_fd, WARD_SYNC_GO, 0, NULL) < 0)
		return ward_err_sys(e, "signal %s", what);
	t = ward_sync_recv(sync_fd, &code, &payload);
	if (t == WARD_SYNC_ERROR && payload)
		return ward_err(e, code, "%s: %s", what, payload);
	if (t == WARD_SYNC_ERROR)
		return ward_err_errno(e, code, "%s", what);
	if (t >= 0)
		return ward_err(e, EPROTO, "%s: unexpected message %d", what, t);
	if (errno != EPIPE && errno != ECONNRESET)
		return ward_err_sys(e, "read from %s", what);
	if (alive >= 0 && poll(&p, 1, 0) == 1)
		return ward_err(e, ECHILD, "%s died during create", what);
	return 0;
}

void ward_launch_release(struct ward_launch *l)
{
	int *fds[] = {&l->sync_fd,    &l->fifo_fd,   &l->fifo_keep_fd,
		      &l->console_fd, &l->cgroup_fd, &l->seccomp_fd};

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	ward_ns_close(&l->ns);
}

void ward_launch_abort(struct ward_launch *l)
{
	if (l->pid > 0) {
		if (l->pidfd >= 0)
			ward_pidfd_send_signal(l->pidfd, SIGKILL);
		else
			kill(l->pid, SIGKILL);
		while (waitpid(l->pid, NULL, 0) < 0 && errno == EINTR)
			;
		l->pid = 0;
	}
	if (l->pidfd >= 0)
		close(l->pidfd);
	l->pidfd = -1;
	ward_launch_release(l);
}
