/* SPDX-License-Identifier: Apache-2.0 */
/* tests/lib/procexe.c: the CVE-2019-5736 probe, run inside a container.
 *
 *   procexe DEV INO STOPFILE
 *
 * Prints "SCANNING", then scans /proc/[0-9]+/exe as fast as it can, opening
 * each link with O_PATH as the original exploit did, until STOPFILE exists (or
 * 30 s have passed). DEV and INO are st_dev and st_ino of the host's runtime
 * binary in decimal (`stat -c '%d %i'` on the host).
 *
 * When an opened exe is that file, the container holds a handle on the host's
 * runtime binary: it prints "HIT pid=PID" and then checks whether the handle
 * can be reopened for writing through /proc/self/fd (retrying while the binary
 * is busy, ETXTBSY, for up to 5 s). It NEVER writes: a successful open is
 * closed at once and reported as "WRITABLE"; otherwise "write-open: ERROR".
 * Exit status: 0 nothing reached ("MISS scans=N"), 1 reached but not writable,
 * 3 writable, 2 usage or setup error.
 *
 * Built statically (gcc -static) so that it runs in a busybox rootfs. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reopen the O_PATH handle for writing, as the exploit would once the
 * runtime has exited; never write through it. */
static int try_write_open(int fd)
{
	char path[64];
	double end = now() + 5;

	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	for (;;) {
		int w = open(path, O_WRONLY | O_CLOEXEC);

		if (w >= 0) {
			close(w);
			printf("WRITABLE\n");
			return 3;
		}
		if (errno != ETXTBSY || now() > end) {
			printf("write-open: %s\n", strerror(errno));
			return 1;
		}
		usleep(1000);
	}
}

int main(int argc, char **argv)
{
	unsigned long long dev, ino;
	double end;
	long scans = 0;
	pid_t self = getpid();

	if (argc != 4) {
		fprintf(stderr, "usage: %s DEV INO STOPFILE\n", argv[0]);
		return 2;
	}
	dev = strtoull(argv[1], NULL, 10);
	ino = strtoull(argv[2], NULL, 10);
	end = now() + 30;
	printf("SCANNING\n");
	fflush(stdout);
	while (access(argv[3], F_OK) != 0 && now() < end) {
		DIR *d = opendir("/proc");
		struct dirent *de;

		if (!d) {
			perror("opendir /proc");
			return 2;
		}
		while ((de = readdir(d))) {
			char path[300];
			struct stat st;
			int fd, r;

			if (de->d_name[0] < '1' || de->d_name[0] > '9' || atoi(de->d_name) == self)
				continue;
			snprintf(path, sizeof path, "/proc/%s/exe", de->d_name);
			fd = open(path, O_PATH | O_CLOEXEC);
			if (fd < 0)
				continue;
			if (fstat(fd, &st) == 0 && (unsigned long long)st.st_dev == dev &&
			    (unsigned long long)st.st_ino == ino) {
				printf("HIT pid=%s\n", de->d_name);
				fflush(stdout);
				closedir(d);
				r = try_write_open(fd);
				close(fd);
				return r;
			}
			close(fd);
		}
		closedir(d);
		scans++;
	}
	printf("MISS scans=%ld\n", scans);
	return 0;
}
