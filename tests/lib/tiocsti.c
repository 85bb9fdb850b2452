/* SPDX-License-Identifier: Apache-2.0 */
/* tests/lib/tiocsti.c: terminal input injection, run inside a container.
 *
 *   tiocsti TEXT
 *
 * Pushes each byte of TEXT and a newline into the input queue of the terminal
 * on fd 0 with ioctl(TIOCSTI), as if typed. On the terminal of the caller's
 * session that text is read and run by whatever reads the terminal next (the
 * shell that started the container). Prints "injected" when every byte went
 * in, or "TIOCSTI: ERROR" at the first failure (exit status 1).
 *
 * Built statically (gcc -static) so that it runs in a busybox rootfs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

int main(int argc, char **argv)
{
	const char *p;

	if (argc != 2) {
		fprintf(stderr, "usage: %s TEXT\n", argv[0]);
		return 2;
	}
	for (p = argv[1];; p++) {
		char c = *p ? *p : '\n';

		if (ioctl(0, TIOCSTI, &c) < 0) {
			printf("TIOCSTI: %s\n", strerror(errno));
			return 1;
		}
		if (!*p)
			break;
	}
	printf("injected\n");
	return 0;
}
