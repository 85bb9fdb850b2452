/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp-agent SOCKET STATEFILE: a seccomp notify agent for the tests. Listens
 * on the AF_UNIX socket SOCKET (bound under a temporary name and renamed when
 * listening, so its existence means ready), accepts one connection, receives the
 * listener fd and the runtime's containerProcessState JSON (written to STATEFILE),
 * then answers every notified syscall with EOPNOTSUPP until the container exits
 * (the listener then reports ENOENT / the fd hangs up) or 20 s pass. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "seccomp-agent: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char tmp[sizeof a.sun_path], buf[65536], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {buf, sizeof buf - 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	int s, c, fd = -1, answered = 0;
	ssize_t n;
	FILE *f;

	if (argc != 3)
		return 2;
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	snprintf(a.sun_path, sizeof a.sun_path, "%s", tmp);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1) < 0 || rename(tmp, argv[1]) < 0)
		die("listen");
	alarm(20);
	c = accept(s, NULL, NULL);
	if (c < 0)
		die("accept");
	n = recvmsg(c, &m, 0);
	if (n <= 0)
		die("recvmsg");
	buf[n] = '\0';
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(h), sizeof fd);
	f = fopen(argv[2], "w");
	if (!f || fprintf(f, "%s\n", buf) < 0 || fclose(f) < 0)
		die("write the state");
	if (fd < 0)
		die("no listener fd");
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, -1) < 0 || (p.revents & (POLLHUP | POLLERR)))
			break;
		memset(&req, 0, sizeof req);
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
			break;
		memset(&resp, 0, sizeof resp);
		resp.id = req.id;
		resp.error = -EOPNOTSUPP;
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0)
			answered++;
	}
	printf("answered %d\n", answered);
	return 0;
}
