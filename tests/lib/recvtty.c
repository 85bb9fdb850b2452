/* SPDX-License-Identifier: Apache-2.0 */
/* recvtty SOCKET OUTFILE [INPUT]: a console-socket receiver for the tests, in the
 * manner of runc's recvtty. Listens on the AF_UNIX socket SOCKET (bound under a
 * temporary name and renamed once listening, so the socket's existence means it is
 * ready), accepts one connection, receives the pty master by SCM_RIGHTS, writes
 * INPUT to it, and copies everything the pty prints to OUTFILE until the last slave
 * is closed (EIO) or end of file. Exit status 0 on success. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int recv_fd(int conn)
{
	char name[256];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = name, .iov_len = sizeof(name)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0)
		die("recvmsg");
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
		fprintf(stderr, "recvtty: no file descriptor in the message\n");
		exit(1);
	}
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char tmp[sizeof(addr.sun_path)];
	char buf[4096];
	int sock, conn, master, out;
	ssize_t n;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: recvtty SOCKET OUTFILE [INPUT]\n");
		return 2;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]) >= (int)sizeof(tmp)) {
		fprintf(stderr, "recvtty: socket path too long\n");
		return 2;
	}
	strcpy(addr.sun_path, tmp);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		die("socket");
	unlink(tmp);
	if (bind(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die("bind");
	if (listen(sock, 1) < 0)
		die("listen");
	if (rename(tmp, argv[1]) < 0)
		die("rename");
	conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	master = recv_fd(conn);
	close(conn);
	close(sock);

	out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		die("open output");
	if (argc == 4 && write(master, argv[3], strlen(argv[3])) < 0)
		die("write input");
	for (;;) {
		n = read(master, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno == EIO))
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read pty");
		}
		if (write(out, buf, n) != n)
			die("write output");
	}
	return 0;
}
