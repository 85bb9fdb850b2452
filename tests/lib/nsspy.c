/* SPDX-License-Identifier: Apache-2.0 */
/* tests/lib/nsspy.c: watches a container's pid namespace for runtime processes
 * that show something of the host, run inside a container.
 *
 *   nsspy ROOTDEV ROOTINO EXEDEV EXEINO MNTNS NETNS MARKER STOPFILE
 *
 * ROOTDEV/ROOTINO: st_dev and st_ino of the host's "/"; EXEDEV/EXEINO: those of
 * the runtime binary; MNTNS, NETNS: the host's namespaces as readlink shows
 * them ("mnt:[4026531841]"); MARKER: a string found only in the host's
 * mountinfo (a mount point the test made). Prints "SCANNING", then scans every
 * other process of its pid namespace as fast as it can until STOPFILE exists
 * (or 60 s), and prints one line per finding (once per kind and pid):
 *   HIT exe PID          /proc/PID/exe is the runtime binary
 *   HIT root|cwd PID     /proc/PID/root or cwd leads (by "..") to the host's /
 *   HIT fd PID N         /proc/PID/fd/N is a directory that leads to the host's /
 *   HIT mntns|netns PID  the process is in the host's mount or network namespace
 *   HIT mountinfo PID    /proc/PID/mountinfo lists the host's mounts
 * then "DONE pids=N" (how many processes it examined). It never writes
 * anything but its output. Exit status: 0 nothing found, 1 something found, 2
 * usage. Built statically (gcc -static) for a busybox rootfs. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEEN 65536

static unsigned long long root_dev, root_ino, exe_dev, exe_ino;
static const char *mntns, *netns, *marker;
static unsigned char seen[MAX_SEEN];   /* pids examined at least once */
static unsigned short found[MAX_SEEN]; /* bits: kinds already reported */
static int hits;

enum { K_EXE = 1, K_ROOT = 2, K_CWD = 4, K_FD = 8, K_MNTNS = 16, K_NETNS = 32, K_MOUNTINFO = 64 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(int pid, int kind, const char *name, int n)
{
	if (found[pid] & kind)
		return;
	found[pid] |= (unsigned short)kind;
	hits++;
	if (n >= 0)
		printf("HIT %s %d %d\n", name, pid, n);
	else
		printf("HIT %s %d\n", name, pid);
	fflush(stdout);
}

/* Whether the directory fd leads, by "..", to the host's root. Our own root
 * stops a ".." walk only when it is an ancestor: a directory outside it walks up
 * to the real root. Takes ownership of fd. */
static int leads_to_host_root(int fd)
{
	for (int i = 0; i < 256 && fd >= 0; i++) {
		struct stat st;
		int up;

		if (fstat(fd, &st) < 0)
			break;
		if ((unsigned long long)st.st_dev == root_dev && (unsigned long long)st.st_ino == root_ino) {
			close(fd);
			return 1;
		}
		up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = up;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

static void check_link(int pid, const char *what, int kind)
{
	char path[64];
	int fd;

	snprintf(path, sizeof path, "/proc/%d/%s", pid, what);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && leads_to_host_root(fd))
		report(pid, kind, what, -1);
}

static void check_ns(int pid, const char *type, const char *host, int kind)
{
	char path[64], target[128];
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%d/ns/%s", pid, type);
	n = readlink(path, target, sizeof target - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	if (strcmp(target, host) == 0)
		report(pid, kind, strcmp(type, "mnt") == 0 ? "mntns" : "netns", -1);
}

static void check_fds(int pid)
{
	char path[64];
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof path, "/proc/%d/fd", pid);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		char fdpath[352];
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(fdpath, sizeof fdpath, "%s/%s", path, de->d_name);
		fd = open(fdpath, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && leads_to_host_root(fd))
			report(pid, K_FD, "fd", atoi(de->d_name));
	}
	if (d)
		closedir(d);
}

static void check_exe(int pid)
{
	char path[64];
	struct stat st;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && (unsigned long long)st.st_dev == exe_dev &&
	    (unsigned long long)st.st_ino == exe_ino)
		report(pid, K_EXE, "exe", -1);
	close(fd);
}

static void check_mountinfo(int pid)
{
	char path[64], buf[65536];
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/mountinfo", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (strstr(buf, marker))
		report(pid, K_MOUNTINFO, "mountinfo", -1);
}

static void examine(int pid)
{
	if (pid <= 0 || pid >= MAX_SEEN)
		return;
	seen[pid] = 1;
	check_exe(pid);
	check_link(pid, "root", K_ROOT);
	check_link(pid, "cwd", K_CWD);
	check_ns(pid, "mnt", mntns, K_MNTNS);
	check_ns(pid, "net", netns, K_NETNS);
	check_mountinfo(pid);
	check_fds(pid);
}

int main(int argc, char **argv)
{
	double end;
	int self = getpid(), examined = 0;

	if (argc != 9) {
		fprintf(stderr, "usage: %s ROOTDEV ROOTINO EXEDEV EXEINO MNTNS NETNS MARKER STOPFILE\n",
			argv[0]);
		return 2;
	}
	root_dev = strtoull(argv[1], NULL, 10);
	root_ino = strtoull(argv[2], NULL, 10);
	exe_dev = strtoull(argv[3], NULL, 10);
	exe_ino = strtoull(argv[4], NULL, 10);
	mntns = argv[5];
	netns = argv[6];
	marker = argv[7];
	end = now() + 60;
	printf("SCANNING\n");
	fflush(stdout);
	while (access(argv[8], F_OK) != 0 && now() < end) {
		DIR *d = opendir("/proc");
		struct dirent *de;

		while (d && (de = readdir(d))) {
			int pid = atoi(de->d_name);

			/* pid 1 is the container's init (examined once: a created
			 * container's init is what ward left waiting for start) */
			if (pid <= 0 || pid == self || (pid == 1 && seen[1]))
				continue;
			if (pid < MAX_SEEN && !seen[pid])
				examined++;
			examine(pid);
		}
		if (d)
			closedir(d);
	}
	printf("DONE pids=%d\n", examined);
	return hits ? 1 : 0;
}
