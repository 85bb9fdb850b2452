/* SPDX-License-Identifier: Apache-2.0 */
/* OCI hooks. A hook runs as fork + execve with the state JSON on a pipe as its
 * stdin and its stdout and stderr on one capture pipe. The parent multiplexes the
 * stdin writer, the capture reader and a pidfd in one poll loop, so that a hook
 * which neither reads its stdin nor exits cannot block us past its timeout, and a
 * hook that leaves a daemon holding the capture pipe open cannot block us at all:
 * the pidfd, not EOF on the pipe, tells us the hook is done. */
#include "config.h"
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define HOOK_OUTPUT_MAX 4096 /* bytes of hook output kept for the error message */
#define HOOK_POLL_MS	20   /* exit check interval when there is no pidfd */

struct hook_proc {
	const char *label; /* names the hook in messages */
	pid_t pid;
	int pidfd;
	int in_fd;  /* write end of the hook's stdin; -1 once all was written */
	int out_fd; /* read end of the hook's stdout+stderr; -1 at EOF */
	const char *in_data;
	size_t in_len, in_off;
	char out[HOOK_OUTPUT_MAX + 1];
	size_t out_len;
	bool out_truncated;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* In the forked child: only async-signal-safe calls until execve. Exec failure
 * is reported as an errno on err_wr (close-on-exec, so EOF means success). */
static _Noreturn void hook_child(const char *path, const struct ward_pin *pin, char *const argv[],
				 char *const envp[], int in_rd, int out_wr, int err_wr)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;
	int in, out, err, code;

	/* Ignored signals stay ignored across execve and a blocked mask is
	 * inherited; the hook must start from a clean slate whatever our caller
	 * (which may block everything) had set. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL); /* glibc-reserved RT signals fail: fine */
	/* Its own process group, so a timeout kills what it started too; and it
	 * must not outlive a runtime that was killed mid-create. */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);

	/* Lift all three fds above 2 first so no dup2 below clobbers another. */
	in = fcntl(in_rd, F_DUPFD, 3);
	out = fcntl(out_wr, F_DUPFD, 3);
	err = fcntl(err_wr, F_DUPFD_CLOEXEC, 3);
	if (err < 0)
		_exit(127);
	if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		goto fail;
	/* Keep the error pipe at fd 3 and close everything else the hook must not
	 * inherit (our fds without O_CLOEXEC, the pipe copies above). */
	if (err != 3 && dup3(err, 3, O_CLOEXEC) < 0)
		goto fail;
	err = 3;
	if (close_range(4, ~0U, 0) < 0)
		goto fail;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (pin->state != WARD_SRC_UNPINNED) {
		/* the binary the policy judged, never what the path names now: exec'd
		 * through its fd (left open: a script's interpreter reads /dev/fd/N) */
		int fd = open(path, O_PATH);
		struct stat st;

		if (fd < 0)
			goto fail;
		if (pin->state != WARD_SRC_PINNED || fstat(fd, &st) < 0 || st.st_dev != pin->dev ||
		    st.st_ino != pin->ino) {
			errno = ESTALE;
			goto fail;
		}
		syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
		goto fail;
	}
	execve(path, argv, envp);
fail:
	code = errno;
	if (write(err, &code, sizeof code) < 0) {
		/* nothing left to report it with */
	}
	_exit(127);
}

/* Read the child's exec result: 0 when execve succeeded, else its errno. */
static int read_exec_errno(int fd)
{
	int code = 0;
	ssize_t n;

	do
		n = read(fd, &code, sizeof code);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof code ? code : 0;
}

static int reap(pid_t pid, int *status)
{
	int r;

	while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR)
		;
	return r < 0 ? -1 : 0;
}

/* fork + execve on the host; 0 when the hook runs. */
static int hook_fork(struct hook_proc *p, const struct ward_hook *h, int in[2], int out[2],
		     struct ward_error **e)
{
	char *default_argv[] = {h->path, NULL}, *empty_env[] = {NULL};
	char *const *argv = h->args && h->args[0] ? h->args : default_argv;
	char *const *envp = h->env ? h->env : empty_env;
	int err[2] = {-1, -1}, status, code, r = -1;
	sigset_t all, old;

	if (pipe2(err, O_CLOEXEC) < 0) {
		ward_err_sys(e, "%s: create pipes", p->label);
		goto out;
	}
	/* Block every signal across fork so that no handler of our caller runs in
	 * the child before it has reset the dispositions. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	p->pid = fork();
	if (p->pid == 0)
		hook_child(h->path, &h->pin, argv, envp, in[0], out[1], err[1]);
	code = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (p->pid < 0) {
		ward_err_errno(e, code, "%s: fork", p->label);
		goto out;
	}
	close_fd(&err[1]);
	code = read_exec_errno(err[0]);
	if (code == ESTALE) {
		reap(p->pid, &status);
		ward_err(e, EPERM, "%s: %s changed since it was checked", p->label, h->path);
		goto out;
	}
	if (code) {
		reap(p->pid, &status);
		ward_err_errno(e, code, "%s: cannot execute", p->label);
		goto out;
	}
	r = 0;
out:
	close_fd(&err[0]);
	close_fd(&err[1]);
	return r;
}

static int hook_spawn(struct hook_proc *p, const struct ward_hook *h, ward_hook_spawn_fn spawn, void *ud,
		      struct ward_error **e)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, status, code, r = -1;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		ward_err_sys(e, "%s: create pipes", p->label);
		goto out;
	}
	if (spawn) {
		p->pid = spawn(ud, h, in[0], out[1], e);
		if (p->pid < 0) {
			ward_err_prefix(e, "%s", p->label);
			goto out;
		}
	} else if (hook_fork(p, h, in, out, e) < 0) {
		goto out;
	}
	close_fd(&in[0]);
	close_fd(&out[1]);
	/* Without pidfd_open (a seccomp filter that predates it, valgrind) the
	 * loop falls back to polling the child's state every HOOK_POLL_MS. */
	p->pidfd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	if (p->pidfd < 0 && errno != ENOSYS && errno != EPERM) {
		code = errno;
		kill(p->pid, SIGKILL);
		reap(p->pid, &status);
		ward_err_errno(e, code, "%s: pidfd_open", p->label);
		goto out;
	}
	/* Only our ends become non-blocking (O_NONBLOCK is per open file, and each
	 * pipe end is its own): the hook keeps ordinary blocking stdio. */
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	p->in_fd = TAKE_FD(in[1]);
	p->out_fd = TAKE_FD(out[0]);
	r = 0;
out:
	for (int i = 0; i < 2; i++) {
		close_fd(&in[i]);
		close_fd(&out[i]);
	}
	return r;
}

/* write() that cannot raise SIGPIPE in the process: SIGPIPE is blocked in this
 * thread for the write only, and one the write raised is consumed before the
 * mask is restored. Unlike ignoring SIGPIPE this is safe with other threads. */
static ssize_t write_nosigpipe(int fd, const void *buf, size_t len)
{
	sigset_t pipe_set, old, pending;
	bool was_pending;
	ssize_t n;
	int code;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	code = errno;
	if (n < 0 && code == EPIPE && !was_pending) {
		struct timespec zero = {0, 0};

		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = code;
	return n;
}

/* Feed the state to the hook's stdin as far as the pipe takes it. A hook may
 * exit without reading its stdin: EPIPE just ends the feeding. */
static int hook_feed(struct hook_proc *p, struct ward_error **e)
{
	while (p->in_off < p->in_len) {
		ssize_t n = write_nosigpipe(p->in_fd, p->in_data + p->in_off, p->in_len - p->in_off);

		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0 && errno == EPIPE)
			break;
		if (n < 0)
			return ward_err_sys(e, "%s: write state to stdin", p->label);
		p->in_off += (size_t)n;
	}
	close_fd(&p->in_fd); /* EOF tells the hook the state is complete */
	return 0;
}

/* Read what the hook wrote; keep the first HOOK_OUTPUT_MAX bytes, drop the rest
 * (still reading it, so the hook never blocks on a full pipe). */
static void hook_capture(struct hook_proc *p)
{
	char drop[4096];

	while (p->out_fd >= 0) {
		size_t room = HOOK_OUTPUT_MAX - p->out_len;
		char *dst = room ? p->out + p->out_len : drop;
		ssize_t n = read(p->out_fd, dst, room ? room : sizeof drop);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) { /* EOF, or an error no retry will fix */
			close_fd(&p->out_fd);
			return;
		}
		if (room)
			p->out_len += (size_t)n;
		else
			p->out_truncated = true;
	}
}

/* Whether the child has exited, leaving it to be reaped (WNOWAIT). */
static bool hook_exited(pid_t pid)
{
	siginfo_t si = {0};

	/* ECHILD: someone else reaped it (SIGCHLD ignored); reap() reports that. */
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno != EINTR;
	return si.si_pid == pid;
}

static long ms_until(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec + 999999) / 1000000;
}

/* Serve the hook's pipes until it exits or its timeout passes; reaps it either
 * way. Returns 0 with its wait status, 1 when it timed out (and was killed), -1
 * on failure. */
static int hook_wait(struct hook_proc *p, int timeout, int *status, struct ward_error **e)
{
	struct timespec deadline;
	bool exited = false;
	int r = -1;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;
	if (p->in_len == 0)
		close_fd(&p->in_fd);
	while (!exited) {
		struct pollfd f[3] = {
		    {.fd = p->pidfd, .events = POLLIN},
		    {.fd = p->out_fd, .events = POLLIN},
		    {.fd = p->in_fd, .events = POLLOUT},
		};
		long ms = timeout > 0 ? ms_until(&deadline) : -1;
		int n;

		if (timeout > 0 && ms <= 0) {
			r = 1;
			goto abort_hook;
		}
		if (p->pidfd < 0 && (timeout <= 0 || ms > HOOK_POLL_MS))
			ms = HOOK_POLL_MS;
		n = poll(f, 3, ms > 60000 ? 60000 : (int)ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ward_err_sys(e, "%s: poll", p->label);
			goto abort_hook;
		}
		if (f[2].revents && hook_feed(p, e) < 0)
			goto abort_hook;
		if (f[1].revents)
			hook_capture(p);
		exited = p->pidfd >= 0 ? f[0].revents != 0 : hook_exited(p->pid);
	}
	/* The hook is gone, but a daemon it started may hold the capture pipe
	 * open forever: take what is buffered now and stop there. */
	hook_capture(p);
	if (reap(p->pid, status) < 0)
		return ward_err_sys(e, "%s: wait for exit status", p->label);
	return 0;
abort_hook:
	/* not reaped yet, so neither the pid nor its group can have been reused */
	kill(-p->pid, SIGKILL);
	kill(p->pid, SIGKILL);
	reap(p->pid, status);
	hook_capture(p);
	return r;
}

/* Squash the captured output to one trimmed line: control characters and runs
 * of white space become one space. */
static const char *hook_output(struct hook_proc *p)
{
	size_t j = 0;

	for (size_t i = 0; i < p->out_len; i++) {
		unsigned char c = (unsigned char)p->out[i];

		if (c < 0x20 || c == 0x7f || c == ' ') {
			if (j > 0 && p->out[j - 1] != ' ')
				p->out[j++] = ' ';
		} else {
			p->out[j++] = (char)c;
		}
	}
	while (j > 0 && p->out[j - 1] == ' ')
		j--;
	p->out[j] = '\0';
	return p->out;
}

static int hook_run(const struct ward_hook *h, const char *state_json, const char *label,
		    ward_hook_spawn_fn spawn, void *ud, struct ward_error **e)
{
	struct hook_proc *p = xmalloc0(sizeof *p);
	const char *out, *sep, *more;
	int status = 0, w, r = -1;

	p->label = label;
	p->pidfd = p->in_fd = p->out_fd = -1;
	p->in_data = state_json ? state_json : "";
	p->in_len = strlen(p->in_data);
	if (!h || !h->path) {
		ward_err(e, EINVAL, "%s: no path", label);
		goto out;
	}
	if (hook_spawn(p, h, spawn, ud, e) < 0)
		goto out;
	w = hook_wait(p, h->timeout, &status, e);
	if (w < 0)
		goto out;
	out = hook_output(p);
	sep = *out ? ": " : "";
	more = p->out_truncated ? " ..." : "";
	if (w > 0)
		ward_err(e, ETIMEDOUT, "%s: timed out after %d s%s%s%s", label, h->timeout, sep, out, more);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		r = 0;
	else if (WIFEXITED(status))
		ward_err(e, 0, "%s: exit status %d%s%s%s", label, WEXITSTATUS(status), sep, out, more);
	else if (WIFSIGNALED(status))
		ward_err(e, 0, "%s: killed by signal %d%s%s%s", label, WTERMSIG(status), sep, out, more);
	else
		ward_err(e, 0, "%s: unexpected wait status %#x", label, (unsigned)status);
out:
	close_fd(&p->pidfd);
	close_fd(&p->in_fd);
	close_fd(&p->out_fd);
	free(p);
	return r;
}

int ward_hook_run(const struct ward_hook *h, const char *state_json, struct ward_error **e)
{
	_cleanup_free_ char *label = xasprintf("hook %s", h && h->path ? h->path : "(null)");

	return hook_run(h, state_json, label, NULL, NULL, e);
}

int ward_hooks_run(const struct ward_spec *s, enum ward_hook_kind k, const char *state_json,
		   struct ward_error **e)
{
	return ward_hooks_run_spawn(s, k, state_json, NULL, NULL, e);
}

int ward_hooks_run_spawn(const struct ward_spec *s, enum ward_hook_kind k, const char *state_json,
			 ward_hook_spawn_fn spawn, void *ud, struct ward_error **e)
{
	if ((unsigned)k >= WARD_HOOK_KINDS)
		return ward_err(e, EINVAL, "run hooks: unknown hook kind %d", (int)k);
	for (size_t i = 0; i < s->n_hooks[k]; i++) {
		const struct ward_hook *h = &s->hooks[k][i];
		_cleanup_free_ char *label =
		    xasprintf("%s hook #%zu (%s)", ward_hook_kind_name(k), i, h->path ? h->path : "(null)");

		if (hook_run(h, state_json, label, spawn, ud, e) < 0)
			return -1;
	}
	return 0;
}
