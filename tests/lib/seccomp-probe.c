/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp-probe: tries the syscalls ward's default seccomp profile denies (and a
 * few it allows) and prints "<what> ok" or "<what> <ERRNO>" for each, so that a
 * test can assert the filter's answers from inside a container. Built statically
 * by tests/integration/seccomp.bats. Every call is harmless when it succeeds. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif

static void report(const char *what, long r)
{
	printf("%s %s\n", what, r >= 0 ? "ok" : strerrorname_np(errno));
}

int main(void)
{
	struct clone_args ca = {.exit_signal = 0};
	long r;

	report("add_key", syscall(SYS_add_key, "user", "ward-probe", "x", 1, -3 /* session */));
	report("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
	report("io_uring_setup", syscall(SYS_io_uring_setup, 1, NULL));
	report("userfaultfd", syscall(SYS_userfaultfd, 0));
	report("unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER));
	report("mount", mount("none", "/nonexistent-probe", "tmpfs", 0, NULL));
	report("personality(ADDR_NO_RANDOMIZE)", personality(ADDR_NO_RANDOMIZE) == -1 ? -1 : 0);
	r = personality(PER_LINUX);
	report("personality(PER_LINUX)", r == -1 ? -1 : 0);
	report("socket(AF_ALG)", socket(AF_ALG, SOCK_SEQPACKET, 0));
	report("socket(AF_VSOCK)", socket(AF_VSOCK, SOCK_STREAM, 0));
	report("socket(AF_INET)", socket(AF_INET, SOCK_DGRAM, 0));
	report("ptrace", ptrace(PTRACE_PEEKUSER, getppid(), NULL, NULL) == -1 && errno ? -1 : 0);
	/* clone3 with an invalid size: the filter's ENOSYS comes before the kernel's EINVAL */
	report("clone3", syscall(SYS_clone3, &ca, 1));
	report("getpid", getpid());
	return 0;
}
