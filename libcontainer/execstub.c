/* SPDX-License-Identifier: Apache-2.0 */
/* The exec stub: the last program ward runs in a container before the user's.
 *
 * ward's container init (and an exec'd process) is the ward binary until its
 * final execve. If that execve resolved "/proc/self/exe" anywhere (args[0] the
 * magic link, a "#!/proc/self/exe" script, an ELF interpreter or a symlink in
 * the image pointing there), the kernel would run the host's ward binary inside
 * the container, where it could be opened and, once ward has exited, written
 * (CVE-2019-5736). So ward instead execs this stub from a sealed memfd, and the
 * stub execs the program: whatever the program resolves, /proc/self/exe is then
 * the sealed, unwritable stub.
 *
 * Freestanding: no libc, built with -static -nostdlib and embedded in ward as
 * bytes (execstub.h). argv: [path, argv0, argv1, ...]; it runs
 * execve(path, &argv[1], envp) and on failure exits 127. */

#if defined(__x86_64__)
#define NR_WRITE  1
#define NR_EXECVE 59
#define NR_EXIT	  60
static long sys3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}
__asm__(".text\n.global _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall stub_main\n\thlt\n");
#elif defined(__aarch64__)
#define NR_WRITE  64
#define NR_EXECVE 221
#define NR_EXIT	  93
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

__attribute__((used, noreturn)) void stub_main(long *sp);

void stub_main(long *sp)
{
	static const char msg[] = "ward: exec failed\n";
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;

	if (argc >= 2)
		sys3(NR_EXECVE, (long)argv[0], (long)(argv + 1), (long)envp);
	sys3(NR_WRITE, 2, (long)msg, sizeof msg - 1);
	for (;;)
		sys3(NR_EXIT, 127, 0, 0);
}
