/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of hooks.c, terminal.c and net.c. Run as root: the pty tests
 * mount a devpts instance and the net tests unshare a network namespace (they
 * are skipped when that is not permitted). Forked helpers report back through
 * pipes and exit codes; only this process prints TAP. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"
#include "net.h"
#include "safepath.h"
#include "spec.h"
#include "tap.h"
#include "terminal.h"
#include "util.h"

#define STATE "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":42,\"bundle\":\"/b\"}"

static char tmp[] = "/tmp/ward-test-modules.XXXXXX";
static char *env_path[] = {(char *)"PATH=/usr/bin:/bin", NULL};

static void xpipe(int fd[2])
{
	if (pipe2(fd, O_CLOEXEC) < 0)
		abort();
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The content of a file in tmp ("" when missing), malloc'd. */
static char *slurp(const char *name)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", tmp, name);
	struct ward_error *e = NULL;
	char *s = NULL;

	if (read_file_at(AT_FDCWD, path, 8 << 20, &s, NULL, &e) < 0) {
		ward_error_free(e);
		return xstrdup("");
	}
	return s;
}

static int sh_hook(const char *script, char **env, int timeout, const char *state, struct ward_error **e)
{
	char *args[] = {(char *)"sh", (char *)"-c", (char *)script, NULL};
	struct ward_hook h = {.path = (char *)"/bin/sh", .args = args, .env = env, .timeout = timeout};

	return ward_hook_run(&h, state, e);
}

static void reset_error(struct ward_error **e)
{
	ward_error_free(*e);
	*e = NULL;
}

static void test_hook_stdin(void)
{
	struct ward_error *e = NULL;
	_cleanup_free_ char *script = xasprintf("cat > %s/state", tmp);
	_cleanup_free_ char *got = NULL, *big = NULL, *got_big = NULL;
	size_t n = 1 << 20;
	sigset_t pending;
	int r;

	r = sh_hook(script, env_path, 5, STATE, &e);
	ok(r == 0, "hook reading stdin succeeds%s%s", e ? ": " : "", e ? e->msg : "");
	reset_error(&e);
	got = slurp("state");
	is_str(got, STATE, "hook stdin is exactly the state JSON");

	/* Larger than a pipe buffer: exercises the non-blocking writer. */
	big = xmalloc0(n + 1);
	memset(big, 'x', n);
	big[0] = '{';
	r = sh_hook(script, env_path, 10, big, &e);
	ok(r == 0, "hook reading a 1 MiB state succeeds");
	reset_error(&e);
	got_big = slurp("state");
	ok(strcmp(got_big, big) == 0, "1 MiB state arrives intact");

	/* A hook that never reads stdin: EPIPE must neither fail nor kill us. */
	r = sh_hook("exit 0", env_path, 5, big, &e);
	ok(r == 0, "hook ignoring a 1 MiB stdin succeeds");
	reset_error(&e);
	sigpending(&pending);
	ok(!sigismember(&pending, SIGPIPE), "no SIGPIPE left pending");
}

static void test_hook_failures(void)
{
	struct ward_error *e = NULL;
	struct ward_hook missing = {.path = (char *)"/nonexistent/hook"};
	_cleanup_free_ char *noexec = xasprintf("%s/noexec", tmp);
	struct ward_hook h_noexec = {.path = noexec};
	long t0;
	int r;

	r = sh_hook("echo some output; echo 'bad thing' >&2; exit 3", env_path, 5, STATE, &e);
	ok(r == -1 && e, "hook exiting 3 fails");
	like(e ? e->msg : NULL, "hook /bin/sh: exit status 3", "error names the hook and the status");
	like(e ? e->msg : NULL, "bad thing", "error quotes the hook's stderr");
	ok(e && !strchr(e->msg, '\n') && e->msg[strlen(e->msg) - 1] != ' ',
	   "captured output squashed and trimmed");
	reset_error(&e);

	r = sh_hook("kill -9 $$", env_path, 5, STATE, &e);
	like(r < 0 && e ? e->msg : NULL, "killed by signal 9", "hook killed by a signal");
	reset_error(&e);

	t0 = now_ms();
	r = sh_hook("sleep 10", env_path, 1, STATE, &e);
	like(r < 0 && e ? e->msg : NULL, "timed out after 1 s", "slow hook times out");
	ok(now_ms() - t0 < 2500, "timeout takes ~1 s (%ld ms)", now_ms() - t0);
	is_int(e ? e->code : 0, ETIMEDOUT, "timeout error code is ETIMEDOUT");
	reset_error(&e);

	t0 = now_ms();
	r = ward_hook_run(&missing, STATE, &e);
	like(r < 0 && e ? e->msg : NULL, "hook /nonexistent/hook: cannot execute: ENOENT",
	     "missing hook fails");
	is_int(e ? e->code : 0, ENOENT, "missing hook error code is ENOENT");
	ok(now_ms() - t0 < 1000, "missing hook does not hang");
	reset_error(&e);

	close(open(noexec, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	r = ward_hook_run(&h_noexec, STATE, &e);
	like(r < 0 && e ? e->msg : NULL, "cannot execute: EACCES", "non-executable hook fails with EACCES");
	reset_error(&e);

	r = sh_hook("head -c 100000 /dev/zero | tr '\\0' x; exit 1", env_path, 5, STATE, &e);
	ok(r < 0 && e && strlen(e->msg) < 4096 + 100, "captured output is bounded");
	like(e ? e->msg : NULL, "x ...", "truncated output is marked");
	reset_error(&e);

	/* The background sleep keeps the capture pipe open after the hook exits. */
	t0 = now_ms();
	r = sh_hook("sleep 3 & exit 0", env_path, 5, STATE, &e);
	ok(r == 0, "hook leaving a daemon behind succeeds");
	ok(now_ms() - t0 < 1500, "and does not wait for the daemon (%ld ms)", now_ms() - t0);
	reset_error(&e);
}

/* In a child where pidfd_open fails with ENOSYS (seccomp), as in containers
 * with older seccomp profiles: the polling fallback must behave the same. */
static int no_pidfd_checks(void)
{
	struct ward_error *e = NULL;
	_cleanup_free_ char *script = xasprintf("cat > %s/state2", tmp);
	_cleanup_free_ char *got = NULL;
	int bits = 0, r;
	long t0;

	if (syscall(SYS_pidfd_open, getpid(), 0) >= 0 || errno != ENOSYS)
		return 64;
	if (sh_hook(script, env_path, 5, STATE, &e) != 0 || strcmp(got = slurp("state2"), STATE) != 0)
		bits |= 1;
	reset_error(&e);
	r = sh_hook("echo oops >&2; exit 3", env_path, 5, STATE, &e);
	if (r != -1 || !e || !strstr(e->msg, "exit status 3: oops"))
		bits |= 2;
	reset_error(&e);
	t0 = now_ms();
	r = sh_hook("sleep 10", env_path, 1, STATE, &e);
	if (r != -1 || !e || !strstr(e->msg, "timed out after 1 s") || now_ms() - t0 > 2500)
		bits |= 4;
	reset_error(&e);
	t0 = now_ms();
	if (sh_hook("sleep 3 & exit 0", env_path, 5, STATE, &e) != 0 || now_ms() - t0 > 1500)
		bits |= 8;
	reset_error(&e);
	return bits;
}

static void test_hook_no_pidfd(void)
{
	const char *what[] = {"stdin", "exit status", "timeout", "daemon"};
	pid_t pid;
	int st = 0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

		if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(pidfd_open), 0) < 0 ||
		    seccomp_load(ctx) < 0)
			_exit(128);
		seccomp_release(ctx);
		_exit(no_pidfd_checks());
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) >= 64) {
		for (int i = 0; i < 4; i++)
			ok(1, "# SKIP cannot filter pidfd_open (status %#x)", st);
		return;
	}
	for (int i = 0; i < 4; i++)
		ok(!(WEXITSTATUS(st) & (1 << i)), "without pidfd_open: %s", what[i]);
}

static void test_hook_env_args(void)
{
	struct ward_error *e = NULL;
	char *env[] = {(char *)"PATH=/usr/bin:/bin", (char *)"WARD_TEST_VAR=xyz", NULL};
	_cleanup_free_ char *s_env = xasprintf("env > %s/env", tmp);
	_cleanup_free_ char *s_args = xasprintf("printf '%%s|%%s|%%s' \"$0\" \"$1\" \"$#\" > %s/args", tmp);
	_cleanup_free_ char *script = xasprintf("%s/argv0.sh", tmp);
	_cleanup_free_ char *body = xasprintf("#!/bin/sh\necho \"$0 $#\" > %s/argv0\n", tmp);
	_cleanup_free_ char *want0 = xasprintf("%s 0\n", script);
	_cleanup_free_ char *got = NULL, *got_args = NULL, *got0 = NULL;
	char *args[] = {(char *)"sh", (char *)"-c", s_args, (char *)"zero", (char *)"one", NULL};
	struct ward_hook h_args = {.path = (char *)"/bin/sh", .args = args};
	struct ward_hook h_noargs = {.path = script};
	int fd;

	setenv("WARD_INHERITED", "leak", 1);
	ok(sh_hook(s_env, env, 5, STATE, &e) == 0, "env hook succeeds");
	reset_error(&e);
	got = slurp("env");
	like(got, "WARD_TEST_VAR=xyz\n", "hook sees its env");
	ok(!strstr(got, "WARD_INHERITED"), "hook does not inherit our environment");
	unsetenv("WARD_INHERITED");

	ok(ward_hook_run(&h_args, STATE, &e) == 0, "args hook succeeds");
	reset_error(&e);
	got_args = slurp("args");
	is_str(got_args, "zero|one|1", "args passed as argv");

	fd = open(script, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ok(fd >= 0 && write_all(fd, body, strlen(body)) == 0, "write argv0.sh");
	close(fd);
	ok(ward_hook_run(&h_noargs, STATE, &e) == 0, "hook without args succeeds");
	reset_error(&e);
	got0 = slurp("argv0");
	is_str(got0, want0, "hook without args gets argv {path}");
}

static void test_hook_process_state(void)
{
	struct ward_error *e = NULL;
	_cleanup_free_ char *s_sig =
	    xasprintf("exec grep -E '^Sig(Blk|Ign)' /proc/self/status > %s/sig", tmp);
	_cleanup_free_ char *got = NULL;
	_cleanup_free_ char *s_fd = NULL;
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_act;
	sigset_t block, old_mask;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int leak = fcntl(null, F_DUPFD, 20); /* deliberately without O_CLOEXEC */

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	sigaction(SIGUSR2, &ign, &old_act);
	ok(sh_hook(s_sig, env_path, 5, STATE, &e) == 0, "hook runs from a caller blocking signals");
	reset_error(&e);
	sigaction(SIGUSR2, &old_act, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	got = slurp("sig");
	like(got, "SigBlk:\t0000000000000000", "hook starts with an empty signal mask");
	like(got, "SigIgn:\t0000000000000000", "hook starts with no ignored signals");

	s_fd = xasprintf("for f in 3 %d; do [ -e /proc/$$/fd/$f ] && exit 1; done; exit 0", leak);
	ok(leak >= 20 && sh_hook(s_fd, env_path, 5, STATE, &e) == 0, "hook inherits only fds 0-2%s%s",
	   e ? ": " : "", e ? e->msg : "");
	reset_error(&e);
	close(leak);
	close(null);
}

static void test_hooks_order(void)
{
	struct ward_error *e = NULL;
	struct ward_spec s;
	struct ward_hook hooks[3];
	char *args[3][4];
	_cleanup_free_ char *s0 = xasprintf("echo a >> %s/order", tmp);
	_cleanup_free_ char *s1 = xasprintf("echo b >> %s/order", tmp);
	_cleanup_free_ char *s2 = xasprintf("echo c >> %s/order", tmp);
	_cleanup_free_ char *order = xasprintf("%s/order", tmp);
	char *scripts[] = {s0, s1, s2};
	_cleanup_free_ char *got = NULL, *got2 = NULL;

	memset(&s, 0, sizeof s);
	for (int i = 0; i < 3; i++) {
		args[i][0] = (char *)"sh";
		args[i][1] = (char *)"-c";
		args[i][2] = scripts[i];
		args[i][3] = NULL;
		hooks[i] = (struct ward_hook){.path = (char *)"/bin/sh", .args = args[i], .env = env_path};
	}
	s.hooks[WARD_HOOK_CREATE_RUNTIME] = hooks;
	s.n_hooks[WARD_HOOK_CREATE_RUNTIME] = 3;
	ok(ward_hooks_run(&s, WARD_HOOK_PRESTART, STATE, &e) == 0, "no hooks of a kind: nothing to do");
	ok(ward_hooks_run(&s, WARD_HOOK_CREATE_RUNTIME, STATE, &e) == 0, "three hooks succeed");
	reset_error(&e);
	got = slurp("order");
	is_str(got, "a\nb\nc\n", "hooks run in order");

	unlink(order);
	args[1][2] = (char *)"echo failing >&2; exit 1";
	ok(ward_hooks_run(&s, WARD_HOOK_CREATE_RUNTIME, STATE, &e) == -1, "a failing hook fails the run");
	is_str(e ? e->msg : NULL, "createRuntime hook #1 (/bin/sh): exit status 1: failing",
	       "error names kind, index and path");
	reset_error(&e);
	got2 = slurp("order");
	is_str(got2, "a\n", "hooks after the failing one do not run");
}

static void test_fd_passing(void)
{
	struct ward_error *e = NULL;
	_cleanup_free_ char *file = xasprintf("%s/passed", tmp);
	_cleanup_free_ char *longpath = NULL;
	_cleanup_free_ char *sockpath = xasprintf("%s/console.sock", tmp);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int sv[2], fd, got = -1, lsock, csock, asock;
	struct stat a, b;

	socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ok(ward_send_fd(sv[0], fd, "pty-master", &e) == 0, "send fd");
	ok(ward_recv_fd(sv[1], &got, &e) == 0, "receive fd");
	fstat(fd, &a);
	ok(got >= 0 && fstat(got, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev,
	   "received fd refers to the same inode");
	ok(got >= 0 && (fcntl(got, F_GETFD) & FD_CLOEXEC), "received fd is close-on-exec");
	close(got);
	ok(ward_send_fd(sv[0], fd, NULL, &e) == 0 && ward_recv_fd(sv[1], &got, &e) == 0,
	   "send and receive without a name");
	close(got);
	reset_error(&e);

	write_all(sv[0], "x", 1);
	ok(ward_recv_fd(sv[1], &got, &e) == -1, "message without an fd is rejected");
	like(e ? e->msg : NULL, "carries no fd", "and says so");
	reset_error(&e);
	close(sv[0]);
	ok(ward_recv_fd(sv[1], &got, &e) == -1 && e && e->code == ECONNRESET, "closed peer is an error");
	reset_error(&e);
	close(sv[1]);

	longpath = xmalloc0(200);
	memset(longpath, 'a', 199);
	longpath[0] = '/';
	ok(ward_console_connect(longpath, &e) == -1 && e && e->code == ENAMETOOLONG,
	   "long socket path refused");
	like(e ? e->msg : NULL, "longer than 107 bytes", "with a clear message");
	reset_error(&e);
	ok(ward_console_connect(sockpath, &e) == -1 && e && e->code == ENOENT,
	   "missing console socket fails");
	reset_error(&e);

	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	strcpy(sa.sun_path, sockpath);
	bind(lsock, (struct sockaddr *)&sa, sizeof sa);
	listen(lsock, 1);
	csock = ward_console_connect(sockpath, &e);
	ok(csock >= 0 && (fcntl(csock, F_GETFD) & FD_CLOEXEC), "connect to console socket (close-on-exec)");
	asock = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	ok(ward_send_fd(csock, fd, "m", &e) == 0 && ward_recv_fd(asock, &got, &e) == 0,
	   "fd passes over the console socket");
	reset_error(&e);
	close(got);
	close(asock);
	close(csock);
	close(lsock);
	close(fd);
}

/* A pty pair from the host's devpts, for the proxy tests. */
static int host_pty(int *master, int *peer)
{
	int unlock = 0;

	*master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0 || ioctl(*master, TIOCSPTLCK, &unlock) < 0)
		return -1;
	*peer = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	return *peer < 0 ? -1 : 0;
}

static void test_pty_open(void)
{
	struct ward_error *e = NULL;
	_cleanup_free_ char *root = xasprintf("%s/root", tmp);
	_cleanup_free_ char *pts = xasprintf("%s/root/dev/pts", tmp);
	_cleanup_free_ char *dev = xasprintf("%s/root/dev", tmp);
	_cleanup_free_ char *fake = xasprintf("%s/root/dev/ptmx", tmp);
	int rootfd, m = -1, p = -1, n = -1, st, mounted, probe;
	struct winsize ws = {0};
	struct stat sp, sd;
	char buf[64] = {0};
	pid_t pid;

	mkdir(root, 0755);
	mkdir(dev, 0755);
	mkdir(pts, 0755);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	ok(ward_pty_open(rootfd, 0, 0, &m, &p, &e) == -1 && e, "no devpts in the root: error");
	like(e ? e->msg : NULL, "open a pty", "error names the pty");
	reset_error(&e);
	ok(ward_pty_open(rootfd, 70000, 80, &m, &p, &e) == -1 && e && e->code == EINVAL,
	   "rows > 65535 refused");
	reset_error(&e);
	/* safe_open is openat2, which valgrind 3.19 does not know. */
	probe = safe_open(rootfd, "dev", O_PATH | O_DIRECTORY, 0, &e);
	if (probe < 0) {
		for (int i = 0; i < 10; i++)
			ok(1, "# SKIP safe_open: %s", e->msg);
		reset_error(&e);
		close(rootfd);
		return;
	}
	close(probe);
	close(open(fake, O_WRONLY | O_CREAT | O_CLOEXEC, 0666));
	ok(ward_pty_open(rootfd, 0, 0, &m, &p, &e) == -1, "dev/ptmx that is a regular file is refused");
	like(e ? e->msg : NULL, "not the devpts ptmx", "because it is not char 5:2");
	reset_error(&e);
	unlink(fake);

	mounted = mount("none", pts, "devpts", 0, "newinstance,ptmxmode=0666,mode=0620") == 0;
	if (!mounted) {
		for (int i = 0; i < 8; i++)
			ok(1, "# SKIP cannot mount devpts: %s", strerror(errno));
		close(rootfd);
		return;
	}
	ok(ward_pty_open(rootfd, 24, 80, &m, &p, &e) == 0, "open a pty in the root's devpts%s%s",
	   e ? ": " : "", e ? e->msg : "");
	reset_error(&e);
	ok(ioctl(p, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 24 && ws.ws_col == 80, "window size set (%ux%u)",
	   ws.ws_row, ws.ws_col);
	ok(ioctl(m, TIOCGPTN, &n) == 0 && n == 0, "pty 0 of the fresh devpts instance");
	ok(fstat(p, &sp) == 0 && stat(pts, &sd) == 0 && sp.st_dev == sd.st_dev,
	   "peer lives in the root's devpts");
	ok((fcntl(m, F_GETFD) & FD_CLOEXEC) && (fcntl(p, F_GETFD) & FD_CLOEXEC),
	   "master and peer are close-on-exec");
	ok(write(p, "ping\n", 5) == 5 && read(m, buf, sizeof buf - 1) > 0 && strstr(buf, "ping"),
	   "peer to master works");

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct ward_error *ce = NULL;

		if (setsid() < 0 || ward_pty_make_controlling(p, &ce) < 0)
			_exit(2);
		_exit(tcgetsid(0) == getpid() && isatty(1) && isatty(2) && fcntl(0, F_GETFD) == 0 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "pty becomes controlling terminal and stdio");
	close(m);
	close(p);
	ok(umount2(pts, MNT_DETACH) == 0, "umount devpts");
	close(rootfd);
}

/* Fork a proxy process (stdin from /dev/null or a pipe holding "abc\n", stdout
 * into a pipe whose content is returned) for a pty process that writes "hello"
 * or echoes the line it reads as "got:<line>". */
enum proxy_case { PROXY_HELLO, PROXY_HELLO_PEER_OPEN, PROXY_ECHO_INPUT };
static bool no_pidfd;

static char *run_proxy(enum proxy_case c, int *status)
{
	int out[2], in[2] = {-1, -1};
	pid_t t;
	char *s = NULL;
	struct ward_error *e = NULL;

	xpipe(out);
	if (c == PROXY_ECHO_INPUT) {
		xpipe(in);
		write_all(in[1], "abc\n", 4);
		close(in[1]);
	}
	fflush(stdout);
	t = fork();
	if (t == 0) {
		int m, p, pidfd, st;
		pid_t child;

		alarm(10);
		if (in[0] >= 0)
			dup2(in[0], 0);
		else
			dup2(open("/dev/null", O_RDONLY | O_CLOEXEC), 0);
		dup2(out[1], 1);
		if (host_pty(&m, &p) < 0)
			_exit(3);
		child = fork();
		if (child == 0) {
			char line[64] = {0};

			if (c == PROXY_ECHO_INPUT && read(p, line, sizeof line - 1) > 0) {
				line[strcspn(line, "\n")] = '\0';
				dprintf(p, "got:%s\n", line);
			} else {
				write_all(p, "hello\n", 6);
			}
			_exit(0);
		}
		if (c != PROXY_HELLO_PEER_OPEN)
			close(p);
		pidfd = no_pidfd ? -1 : (int)syscall(SYS_pidfd_open, child, 0);
		if (ward_tty_proxy(m, pidfd, &e) < 0)
			_exit(4);
		waitpid(child, &st, 0);
		close(m);
		if (pidfd >= 0)
			close(pidfd);
		_exit(0);
	}
	close(out[1]);
	if (in[0] >= 0)
		close(in[0]);
	if (read_fd_all(out[0], "proxy output", 1 << 20, &s, NULL, &e) < 0) {
		ward_error_free(e);
		s = xstrdup("");
	}
	close(out[0]);
	waitpid(t, status, 0);
	return s;
}

/* The proxy's tty side, in a process whose stdin is the peer of an outer pty
 * (its controlling terminal) driven by the test: the pty process behind the
 * proxy prints its window size each time it reads a line. */
static _Noreturn void tty_side(int outer_peer, int out_fd)
{
	struct ward_error *e = NULL;
	struct termios before, after;
	int m, p, pidfd, st;
	pid_t child;

	alarm(10);
	if (setsid() < 0 || ioctl(outer_peer, TIOCSCTTY, 0) < 0 || dup2(outer_peer, 0) < 0 ||
	    dup2(out_fd, 1) < 0 || tcgetattr(0, &before) < 0 || host_pty(&m, &p) < 0)
		_exit(3);
	child = fork();
	if (child == 0) {
		char line[64];
		struct winsize ws;

		for (int i = 0; i < 2 && read(p, line, sizeof line) > 0; i++)
			if (ioctl(p, TIOCGWINSZ, &ws) == 0)
				dprintf(p, "size:%ux%u\n", ws.ws_row, ws.ws_col);
		_exit(0);
	}
	close(p);
	pidfd = no_pidfd ? -1 : (int)syscall(SYS_pidfd_open, child, 0);
	if (ward_tty_proxy(m, pidfd, &e) < 0)
		_exit(4);
	waitpid(child, &st, 0);
	if (tcgetattr(0, &after) < 0 || after.c_lflag != before.c_lflag || after.c_iflag != before.c_iflag ||
	    after.c_oflag != before.c_oflag)
		_exit(5); /* terminal not restored */
	_exit(0);
}

/* Read fd into buf (appending) until it contains want or 5 s pass. */
static bool read_until(int fd, char *buf, size_t size, const char *want)
{
	long end = now_ms() + 5000;
	size_t len = strlen(buf);

	while (!strstr(buf, want) && now_ms() < end && len < size - 1) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&pf, 1, 100) <= 0)
			continue;
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	return strstr(buf, want) != NULL;
}

static void test_tty_proxy_raw(void)
{
	struct winsize ws = {.ws_row = 30, .ws_col = 100}, ws2 = {.ws_row = 40, .ws_col = 120};
	char buf[4096] = {0};
	struct termios t;
	bool raw = false;
	int om, op, out[2], st = 0;
	long end;
	pid_t pid;

	if (host_pty(&om, &op) < 0 || ioctl(om, TIOCSWINSZ, &ws) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		for (int i = 0; i < 5; i++)
			ok(1, "# SKIP no host pty");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		tty_side(op, out[1]);
	close(op);
	close(out[1]);
	/* Wait for raw mode so the first line is not typed in canonical mode. */
	for (end = now_ms() + 5000; !raw && now_ms() < end; usleep(10000))
		raw = tcgetattr(om, &t) == 0 && !(t.c_lflag & (ICANON | ECHO));
	ok(raw, "our terminal is in raw mode during the proxy");
	write_all(om, "go\r", 3);
	ok(read_until(out[0], buf, sizeof buf, "size:30x100"), "window size copied at start");
	ioctl(om, TIOCSWINSZ, &ws2); /* SIGWINCH to the proxy, our tty's foreground */
	write_all(om, "go\r", 3);
	ok(read_until(out[0], buf, sizeof buf, "size:40x120"), "window size copied on SIGWINCH");
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "proxy returns and restores the terminal (status %#x)", st);
	ok(tcgetattr(om, &t) == 0 && (t.c_lflag & ICANON), "terminal back in canonical mode");
	close(out[0]);
	close(om);
}

static void test_tty_proxy(void)
{
	_cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;
	int st, probe = (int)syscall(SYS_pidfd_open, getpid(), 0);

	/* valgrind 3.19 does not know pidfd_open: the proxy then runs with no
	 * pidfd and ends when the pty hangs up, which needs the peer closed. */
	no_pidfd = probe < 0;
	if (probe >= 0)
		close(probe);

	a = run_proxy(PROXY_HELLO, &st);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "proxy returns 0 when the process exits (status %#x)", st);
	like(a, "hello", "process output reaches our stdout");
	if (no_pidfd) {
		ok(1, "# SKIP no pidfd_open");
		ok(1, "# SKIP no pidfd_open");
	} else {
		b = run_proxy(PROXY_HELLO_PEER_OPEN, &st);
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		   "proxy returns even while the peer stays open (status %#x)", st);
		like(b, "hello", "and the output is drained");
	}
	c = run_proxy(PROXY_ECHO_INPUT, &st);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "proxy with stdin input returns 0 (status %#x)", st);
	like(c, "got:abc", "stdin reaches the process through the master");
}

struct net_result {
	int unshared, down_before, ret, up_after, udp;
	char msg[200];
};

static void net_child(int fd)
{
	struct net_result r = {0};
	struct ward_error *e = NULL;
	struct ifreq ifr = {0};
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	char buf[8] = {0};
	int s, u;

	r.unshared = unshare(CLONE_NEWNET) == 0;
	if (!r.unshared) { /* never touch the host's lo */
		write_all(fd, &r, sizeof r);
		_exit(0);
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); /* in the new namespace */
	strcpy(ifr.ifr_name, "lo");
	r.down_before = ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP);
	r.ret = ward_net_lo_up(&e);
	if (e)
		snprintf(r.msg, sizeof r.msg, "%s", e->msg);
	r.up_after = ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
	u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r.udp = bind(u, (struct sockaddr *)&sa, sizeof sa) == 0 &&
		getsockname(u, (struct sockaddr *)&sa, &len) == 0 &&
		sendto(u, "ping", 4, 0, (struct sockaddr *)&sa, sizeof sa) == 4 &&
		recv(u, buf, sizeof buf, MSG_DONTWAIT) == 4 && memcmp(buf, "ping", 4) == 0;
	write_all(fd, &r, sizeof r);
	_exit(0);
}

static void net_eperm_child(int fd)
{
	struct net_result r = {0};
	struct ward_error *e = NULL;

	r.unshared = unshare(CLONE_NEWUSER) == 0;
	r.ret = ward_net_lo_up(&e);
	if (e)
		snprintf(r.msg, sizeof r.msg, "%s", e->msg);
	write_all(fd, &r, sizeof r);
	_exit(0);
}

static int fork_result(void (*fn)(int), struct net_result *r)
{
	int pfd[2], st;
	pid_t pid;
	ssize_t n;

	memset(r, 0, sizeof *r);
	xpipe(pfd);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		fn(pfd[1]);
	close(pfd[1]);
	n = read(pfd[0], r, sizeof *r);
	close(pfd[0]);
	waitpid(pid, &st, 0);
	return n == (ssize_t)sizeof *r ? 0 : -1;
}

static void test_net(void)
{
	struct net_result r;

	if (fork_result(net_child, &r) == 0 && !r.unshared) {
		for (int i = 0; i < 5; i++)
			ok(1, "# SKIP cannot unshare a network namespace");
		return;
	}
	ok(r.unshared, "child in a new network namespace");
	ok(r.down_before, "lo starts down");
	ok(r.ret == 0, "ward_net_lo_up succeeds%s%s", r.msg[0] ? ": " : "", r.msg);
	ok(r.up_after, "lo is up");
	ok(r.udp, "UDP on 127.0.0.1 reaches itself");

	if (fork_result(net_eperm_child, &r) == 0 && r.unshared) {
		ok(r.ret == -1, "lo up without CAP_NET_ADMIN fails");
		is_str(r.msg, "bring up lo: EPERM", "error message");
	} else {
		ok(1, "# SKIP no user namespaces");
		ok(1, "# SKIP no user namespaces");
	}
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

int main(void)
{
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 99;
	}
	/* Mounts made below stay in a namespace of our own (and vanish with us). */
	if (unshare(CLONE_NEWNS) == 0)
		mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL);
	test_hook_stdin();
	test_hook_failures();
	test_hook_no_pidfd();
	test_hook_env_args();
	test_hook_process_state();
	test_hooks_order();
	test_fd_passing();
	test_pty_open();
	test_tty_proxy();
	test_tty_proxy_raw();
	test_net();
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	return tap_done();
}
