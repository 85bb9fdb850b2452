/* SPDX-License-Identifier: Apache-2.0 */
/* hugepage N: map N anonymous 2 MiB huge pages and touch each, printing
 * "touched I" after each. Over a hugetlb cgroup limit the kernel refuses the
 * fault with SIGBUS: the tests read how far it got and the exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_2M (2UL << 20)

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1;
	char *p =
	    mmap(NULL, n * HUGE_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap MAP_HUGETLB");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	for (unsigned long i = 0; i < n; i++) {
		p[i * HUGE_2M] = 1;
		printf("touched %lu\n", i + 1);
	}
	return 0;
}
