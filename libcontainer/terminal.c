/* SPDX-License-Identifier: Apache-2.0 */
/* Terminals: console socket, fd passing, pty creation inside the container's
 * devpts, and the foreground proxy between our stdio and a pty master. */
#include "config.h"
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "safepath.h"
#include "util.h"

#define PTMX_MAJOR 5 /* TTYAUX_MAJOR */
#define PTMX_MINOR 2

int ward_console_connect(const char *path, struct ward_error **e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -1;
	size_t len = strlen(path);

	if (len == 0)
		return ward_err(e, EINVAL, "console socket: empty path");
	if (len >= sizeof sa.sun_path)
		return ward_err(e, ENAMETOOLONG, "console socket %s: path longer than %zu bytes", path,
				sizeof sa.sun_path - 1);
	memcpy(sa.sun_path, path, len);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ward_err_sys(e, "console socket %s: socket", path);
	/* An interrupted AF_UNIX connect leaves the socket unconnected (nothing
	 * continues in the background, unlike TCP), so retrying is correct. */
	while (connect(fd, (struct sockaddr *)&sa,
		       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1)) < 0) {
		if (errno != EINTR)
			return ward_err_sys(e, "connect to console socket %s", path);
	}
	return TAKE_FD(fd);
}

int ward_send_fd(int sock, int fd, const char *name, struct ward_error **e)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	/* A stream message needs at least one byte of payload to carry the fd. */
	const char *payload = name && *name ? name : "";
	size_t len = *payload ? strlen(payload) : 1, sent;
	struct iovec iov = {.iov_base = (void *)payload, .iov_len = len};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
	struct cmsghdr *c;
	ssize_t n;

	memset(&ctl, 0, sizeof ctl);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ward_err_sys(e, "send fd %s over socket", *payload ? payload : "(unnamed)");
	/* The fd went with the first byte; a short send only leaves payload. */
	for (sent = (size_t)n; sent < len; sent += (size_t)n) {
		do
			n = send(sock, payload + sent, len - sent, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return ward_err_sys(e, "send fd %s over socket", payload);
	}
	return 0;
}

/* Close every fd an SCM_RIGHTS message brought except the first, which is
 * returned (-1 if none); *extra counts the others. */
static int take_fds(struct msghdr *msg, int *extra)
{
	int got = -1;

	*extra = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
			if (got < 0) {
				got = fd;
			} else {
				close(fd);
				(*extra)++;
			}
		}
	}
	return got;
}

int ward_recv_fd(int sock, int *fd, struct ward_error **e)
{
	char data[4096];
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))]; /* room to see (and close) a few too many */
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = data, .iov_len = sizeof data};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
	_cleanup_close_ int got = -1;
	ssize_t n;
	int extra;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ward_err_sys(e, "receive fd over socket");
	got = take_fds(&msg, &extra);
	if (msg.msg_flags & MSG_CTRUNC)
		return ward_err(e, EMSGSIZE, "receive fd over socket: control data truncated");
	if (extra)
		return ward_err(e, EBADMSG, "receive fd over socket: %d fds in one message, expected one",
				extra + 1);
	if (got < 0 && n == 0)
		return ward_err(e, ECONNRESET, "receive fd over socket: peer closed the socket");
	if (got < 0)
		return ward_err(e, EBADMSG, "receive fd over socket: message carries no fd");
	*fd = TAKE_FD(got);
	return 0;
}

/* The devpts ptmx, tried as dev/pts/ptmx (the container's own devpts instance)
 * then as dev/ptmx; *used names the one that opened. */
static int open_ptmx(int rootfd, const char **used, struct ward_error **e)
{
	struct ward_error *e1 = NULL, *e2 = NULL;
	int fd;

	*used = "dev/pts/ptmx";
	fd = safe_open(rootfd, *used, O_RDWR | O_NOCTTY, 0, &e1);
	if (fd >= 0)
		return fd;
	*used = "dev/ptmx";
	fd = safe_open(rootfd, *used, O_RDWR | O_NOCTTY, 0, &e2);
	if (fd < 0)
		ward_err(e, e1 ? e1->code : 0, "open a pty: %s; fallback: %s", e1 ? e1->msg : "?",
			 e2 ? e2->msg : "?");
	ward_error_free(e1);
	ward_error_free(e2);
	return fd;
}

int ward_pty_open(int rootfd, uint32_t rows, uint32_t cols, int *master, int *peer, struct ward_error **e)
{
	_cleanup_close_ int m = -1, p = -1;
	const char *name;
	struct stat st;
	int unlock = 0;

	if (rows > 0xffff || cols > 0xffff)
		return ward_err(e, EINVAL, "console size %ux%u: out of range", rows, cols);
	m = open_ptmx(rootfd, &name, e);
	if (m < 0)
		return -1;
	/* Anything else at that path (a FIFO, the host's tty, a regular file) in a
	 * hostile image must not be handed to the process as its terminal. */
	if (fstat(m, &st) < 0)
		return ward_err_sys(e, "stat %s", name);
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != PTMX_MAJOR || minor(st.st_rdev) != PTMX_MINOR)
		return ward_err(e, ENOTTY, "%s: not the devpts ptmx (char %d:%d)", name, PTMX_MAJOR,
				PTMX_MINOR);
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		return ward_err_sys(e, "unlock pty from %s", name);
	/* TIOCGPTPEER opens the peer relative to the master's devpts instance, so
	 * no /dev/pts/N path (which the image could redirect) is looked up. */
	p = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p < 0)
		return ward_err_sys(e, "open pty peer from %s", name);
	if (rows || cols) {
		struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};

		if (ioctl(m, TIOCSWINSZ, &ws) < 0)
			return ward_err_sys(e, "set pty window size %ux%u", rows, cols);
	}
	*master = TAKE_FD(m);
	*peer = TAKE_FD(p);
	return 0;
}

int ward_pty_make_controlling(int peer, struct ward_error **e)
{
	if (ioctl(peer, TIOCSCTTY, 0) < 0)
		return ward_err_sys(e, "make the pty the controlling terminal");
	for (int i = 0; i <= 2; i++) {
		/* dup2(fd, fd) would keep a close-on-exec flag; clear it instead. */
		if (peer == i ? fcntl(i, F_SETFD, 0) < 0 : dup2(peer, i) < 0)
			return ward_err_sys(e, "make the pty stdio fd %d", i);
	}
	return 0;
}

struct proxy {
	int master, pidfd, sigfd;
	bool tty;	  /* stdin is a terminal (raw mode, window size) */
	bool in_open;	  /* still reading stdin */
	bool master_open; /* master not yet at EIO/EOF */
	bool out_open;	  /* stdout still takes data */
	char in[4096];	  /* read from stdin, not yet written to master */
	size_t in_len, in_off;
};

static void copy_winsize(struct proxy *p)
{
	struct winsize ws;

	/* a terminal that does not know its size (0x0, as under script(1)) must
	 * not override process.consoleSize */
	if (p->tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		ioctl(p->master, TIOCSWINSZ, &ws);
}

/* SIGPIPE (from writing to a closed stdout) is only read to consume it;
 * SIGWINCH propagates our window size. */
static void proxy_signals(struct proxy *p)
{
	struct signalfd_siginfo si;
	bool winch = false;

	while (read(p->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
		winch |= si.ssi_signo == SIGWINCH;
	if (winch)
		copy_winsize(p);
}

static void proxy_stdin(struct proxy *p)
{
	ssize_t n = read(STDIN_FILENO, p->in, sizeof p->in);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	/* EOF, or an error such as EIO from a hung-up terminal: stop reading
	 * stdin but keep serving the process's output until it exits. */
	if (n <= 0) {
		p->in_open = false;
		return;
	}
	p->in_len = (size_t)n;
	p->in_off = 0;
}

static int proxy_to_master(struct proxy *p, struct ward_error **e)
{
	while (p->in_off < p->in_len) {
		ssize_t n = write(p->master, p->in + p->in_off, p->in_len - p->in_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0 && errno == EIO) { /* no peer left: input has nowhere to go */
			p->in_open = false;
			break;
		}
		if (n < 0)
			return ward_err_sys(e, "proxy pty: write to master");
		p->in_off += (size_t)n;
	}
	p->in_len = p->in_off = 0;
	return 0;
}

/* Copy master to stdout until it would block. EIO means every peer fd is
 * closed and the buffered output was read (the kernel flushes pending pty
 * input before it reports EIO or EAGAIN). */
static int proxy_from_master(struct proxy *p, struct ward_error **e)
{
	char buf[16384];

	while (p->master_open) {
		ssize_t n = read(p->master, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n == 0 || (n < 0 && errno == EIO)) {
			p->master_open = false;
			break;
		}
		if (n < 0)
			return ward_err_sys(e, "proxy pty: read from master");
		/* A closed stdout (ward run | head) must not stall the process:
		 * keep reading the master, drop what nobody reads. */
		if (p->out_open && write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			p->out_open = false;
	}
	return 0;
}

static int proxy_loop(struct proxy *p, struct ward_error **e)
{
	for (;;) {
		bool pending = p->in_off < p->in_len;
		struct pollfd f[4] = {
		    {.fd = p->pidfd, .events = POLLIN},
		    {.fd = p->sigfd, .events = POLLIN},
		    {.fd = p->master_open ? p->master : -1, .events = POLLIN | (pending ? POLLOUT : 0)},
		    {.fd = p->in_open && p->master_open && !pending ? STDIN_FILENO : -1, .events = POLLIN},
		};

		if (p->pidfd < 0 && !p->master_open)
			return 0; /* no process to wait for: the pty hanging up ends it */
		if (poll(f, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			return ward_err_sys(e, "proxy pty: poll");
		}
		if ((f[0].revents | f[2].revents) & POLLNVAL)
			return ward_err(e, EBADF, "proxy pty: invalid %s fd",
					f[0].revents & POLLNVAL ? "pid" : "master");
		if (f[1].revents)
			proxy_signals(p);
		if (f[3].revents & POLLNVAL)
			p->in_open = false;
		else if (f[3].revents)
			proxy_stdin(p);
		if (((f[2].revents & POLLOUT) || p->in_len) && proxy_to_master(p, e) < 0)
			return -1;
		if ((f[2].revents & (POLLIN | POLLHUP | POLLERR)) && proxy_from_master(p, e) < 0)
			return -1;
		if (f[0].revents) /* exited: take what it wrote before it went */
			return proxy_from_master(p, e);
	}
}

/* pidfd < 0 (no pidfd_open, e.g. under valgrind) proxies until the pty hangs
 * up, i.e. until every peer fd is closed. */
int ward_tty_proxy(int master, int pidfd, struct ward_error **e)
{
	struct proxy *p = xmalloc0(sizeof *p);
	struct termios saved, raw;
	sigset_t mask, old;
	int flags, r = -1;

	*p = (struct proxy){
	    .master = master, .pidfd = pidfd, .in_open = true, .master_open = true, .out_open = true};
	flags = fcntl(master, F_GETFL);
	if (flags < 0) {
		ward_err_sys(e, "proxy pty: master fd %d", master);
		goto out;
	}
	p->tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	/* Signals come through a signalfd while blocked, so the loop needs no
	 * handlers; the caller's mask is restored on return. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	sigaddset(&mask, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &mask, &old);
	p->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (p->sigfd < 0) {
		ward_err_sys(e, "proxy pty: signalfd");
		goto restore_mask;
	}
	/* Non-blocking master: a process not reading its input must not stop us
	 * from copying its output (and the drain at exit must not wait). */
	if (fcntl(master, F_SETFL, flags | O_NONBLOCK) < 0) {
		ward_err_sys(e, "proxy pty: master fd %d", master);
		goto close_sigfd;
	}
	if (p->tty) {
		raw = saved;
		cfmakeraw(&raw);
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0) {
			ward_err_sys(e, "proxy pty: set stdin raw");
			goto restore_flags;
		}
		copy_winsize(p);
	}
	r = proxy_loop(p, e);
	if (p->tty)
		while (tcsetattr(STDIN_FILENO, TCSADRAIN, &saved) < 0 && errno == EINTR)
			;
restore_flags:
	fcntl(master, F_SETFL, flags);
close_sigfd:
	proxy_signals(p); /* consume a SIGPIPE raised since the last poll */
	close(p->sigfd);
restore_mask:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
out:
	free(p);
	return r;
}
