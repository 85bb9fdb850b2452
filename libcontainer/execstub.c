/* SPDX-License-Identifier: Apache-2.0 */
/* The exec stub: the program ward becomes before anything of a container can
 * see it, and the last one before the user's.
 *
 * A process that a container can see (its pid namespace) must never be the
 * host's ward binary: a process of the container that reaches it through
 * /proc/PID/exe, with CAP_SYS_PTRACE or by a "#!/proc/self/exe" program, could
 * open the host binary and overwrite it once ward exits (CVE-2019-5736). So ward
 * does its work where no container can see it, then execs this stub from a
 * sealed memfd; the stub forks the process the container sees (when it is a new
 * one), waits for ward's go-ahead and for `ward start`, and execs the program.
 * Whatever the program resolves, /proc/self/exe is then the sealed, unwritable
 * stub, never the host's ward.
 *
 * Freestanding: no libc, built with -static -nostdlib and embedded in ward as
 * bytes (execstub.h). argv: [ops, path, argv0, argv1, ...]; ops is a string of
 * one-letter steps, each followed by its fd number where it takes one, done in
 * order (execstub_proto.h):
 *   P<fd>  fork with CLONE_PARENT (the child is ward's, not the stub's); the
 *          parent sends the child's pid on fd and exits
 *   S      setsid
 *   T      make fd 0 (a terminal) the controlling terminal
 *   G<fd>  wait for ward's GO on fd; anything else (ward is gone) exits 1
 *   C<fd>  close fd
 *   X<fd>  report to fd: it gets FD_CLOEXEC, so ward reads EOF when the
 *          program's execve succeeded, and an ERROR message when a step failed
 *   F<fd>  wait for `ward start`: one byte from exec.fifo
 * then execve(path, &argv[2], envp). A failed step exits 127 ("ward: exec
 * failed" on stderr); only the final execve's failure is expected in practice. */
#include "execstub_proto.h"

#if defined(__x86_64__)
#define NR_READ	      0
#define NR_WRITE      1
#define NR_CLOSE      3
#define NR_IOCTL      16
#define NR_CLONE      56
#define NR_EXECVE     59
#define NR_FCNTL      72
#define NR_SETSID     112
#define NR_PRCTL      157
#define NR_EXIT_GROUP 231
static long sys3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}
__asm__(".text\n.global _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall stub_main\n\thlt\n");
#elif defined(__aarch64__)
#define NR_FCNTL      25
#define NR_IOCTL      29
#define NR_CLOSE      57
#define NR_READ	      63
#define NR_WRITE      64
#define NR_EXIT_GROUP 94
#define NR_SETSID     157
#define NR_PRCTL      167
#define NR_CLONE      220
#define NR_EXECVE     221
static long sys3(long n, long a, long b, long c)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}
__asm__(".text\n.global _start\n_start:\n\tmov x0, sp\n\tbl stub_main\n");
#else
#error "no exec stub for this architecture"
#endif

#define EINTR		4
#define F_SETFD		2
#define FD_CLOEXEC	1
#define PR_SET_DUMPABLE 4
#define TIOCSCTTY	0x540E
#define CLONE_PARENT	0x00008000
#define SIGCHLD		17

__attribute__((used, noreturn)) void stub_main(long *sp);

static void send_msg(long fd, int type, int code)
{
	int m[2] = {type, code};

	sys3(NR_WRITE, fd, (long)m, sizeof m);
}

__attribute__((noreturn)) static void quit(int status)
{
	for (;;)
		sys3(NR_EXIT_GROUP, status, 0, 0);
}

__attribute__((noreturn)) static void fail(long r, long report_fd)
{
	static const char msg[] = "ward: exec failed\n";

	if (report_fd >= 0)
		send_msg(report_fd, WARD_STUB_MSG_ERROR, (int)-r);
	sys3(NR_WRITE, 2, (long)msg, sizeof msg - 1);
	quit(127);
}

static long read_full(long fd, void *buf, long len)
{
	long n;

	do
		n = sys3(NR_READ, fd, (long)buf, len);
	while (n == -EINTR);
	return n;
}

static long number(const char **p)
{
	long n = 0;

	while (**p >= '0' && **p <= '9')
		n = n * 10 + (*(*p)++ - '0');
	return n;
}

void stub_main(long *sp)
{
	long argc = sp[0], r, report_fd = -1;
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	const char *op;

	if (argc < 3)
		fail(0, -1);
	/* no same-uid process of the container may trace the stub (a failure is
	 * harmless: the process is only the stub) */
	sys3(NR_PRCTL, PR_SET_DUMPABLE, 0, 0);
	for (op = argv[0]; *op;) {
		char c = *op++;
		long fd = number(&op);
		int m[2] = {0, 0};
		char b;

		switch (c) {
		case WARD_STUB_FORK:
			r = sys3(NR_CLONE, CLONE_PARENT | SIGCHLD, 0, 0);
			if (r < 0)
				fail(r, fd);
			if (r > 0) {
				send_msg(fd, WARD_STUB_MSG_PID, (int)r);
				quit(0);
			}
			break;
		case WARD_STUB_SETSID:
			sys3(NR_SETSID, 0, 0, 0);
			break;
		case WARD_STUB_CTTY:
			if ((r = sys3(NR_IOCTL, 0, TIOCSCTTY, 0)) < 0)
				fail(r, report_fd);
			break;
		case WARD_STUB_GO:
			if (read_full(fd, m, sizeof m) != sizeof m || m[0] != WARD_STUB_MSG_GO)
				quit(1);
			break;
		case WARD_STUB_CLOSE:
			sys3(NR_CLOSE, fd, 0, 0);
			break;
		case WARD_STUB_REPORT:
			report_fd = fd;
			sys3(NR_FCNTL, fd, F_SETFD, FD_CLOEXEC);
			break;
		case WARD_STUB_START:
			if (read_full(fd, &b, 1) != 1)
				quit(1);
			break;
		default:
			fail(0, report_fd);
		}
	}
	r = sys3(NR_EXECVE, (long)argv[1], (long)(argv + 2), (long)envp);
	fail(r, report_fd);
}
