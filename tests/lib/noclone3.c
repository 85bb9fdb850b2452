/* SPDX-License-Identifier: Apache-2.0 */
/* noclone3 PROGRAM [ARG...]: run PROGRAM with clone3 answering ENOSYS, as under
 * a kernel before 5.3 or an engine whose seccomp profile hides clone3. The test
 * suite runs ward under it to prove its clone(2) fallback, which also moves the
 * child into its cgroup by hand (the path of kernels without CLONE_INTO_CGROUP). */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	if (argc < 2) {
		fprintf(stderr, "usage: noclone3 PROGRAM [ARG...]\n");
		return 2;
	}
	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) < 0 ||
	    seccomp_load(ctx) < 0) {
		fprintf(stderr, "noclone3: cannot install the filter\n");
		return 2;
	}
	seccomp_release(ctx);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
