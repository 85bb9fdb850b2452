/* SPDX-License-Identifier: Apache-2.0 */
/* tests/lib/swapper.c: the rename race of CVE-2021-30465 / CVE-2019-19921,
 * run on the host against a bundle's rootfs.
 *
 *   swapper A B STOPFILE
 *
 * Exchanges the names A and B atomically (renameat2 RENAME_EXCHANGE) in a
 * tight loop until STOPFILE exists (or 30 s have passed), so that a path the
 * runtime resolves is a directory one moment and a symlink to a host directory
 * the next. Prints the number of exchanges; exit status 1 if an exchange failed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int main(int argc, char **argv)
{
	time_t end = time(NULL) + 30;
	long n = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: %s A B STOPFILE\n", argv[0]);
		return 2;
	}
	while (time(NULL) < end) {
		for (int i = 0; i < 1000; i++, n++)
			if (syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
				fprintf(stderr, "renameat2 %s %s: %s\n", argv[1], argv[2], strerror(errno));
				return 1;
			}
		if (access(argv[3], F_OK) == 0)
			break;
	}
	printf("%ld exchanges\n", n);
	return 0;
}
