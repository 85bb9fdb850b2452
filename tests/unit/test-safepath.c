/* SPDX-License-Identifier: Apache-2.0 */
/* safepath against a hostile image: every symlink below tries to lead outside the
 * fake rootfs, and every test checks both the result inside the root and that the
 * host side was not touched. */
#include "config.h"
#include "safepath.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tap.h"

static char tmp[] = "/tmp/ward-test-safepath.XXXXXX";
static char root[256], host[256], hostfile[256];

static void xsymlink(const char *target, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof p, "%s/%s", root, rel);
	if (symlink(target, p) < 0) {
		perror(p);
		exit(99);
	}
}

static void xwrite(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(data, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

static void xmkdir(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof p, "%s/%s", root, rel);
	if (mkdir(p, 0755) < 0) {
		perror(p);
		exit(99);
	}
}

/* The inode of root/rel (not following a last symlink), 0 if missing. */
static ino_t ino_in_root(const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof p, "%s/%s", root, rel);
	return lstat(p, &st) == 0 ? st.st_ino : 0;
}

static ino_t fd_ino(int fd)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 ? st.st_ino : 0;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void setup(void)
{
	char p[PATH_MAX];

	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		exit(99);
	}
	snprintf(root, sizeof root, "%s/root", tmp);
	snprintf(host, sizeof host, "%s/host", tmp);
	snprintf(hostfile, sizeof hostfile, "%s/host/file", tmp);
	if (mkdir(root, 0755) < 0 || mkdir(host, 0755) < 0) {
		perror("mkdir");
		exit(99);
	}
	xwrite(hostfile, "host");
	xmkdir("etc");
	xmkdir("dev");
	xmkdir("usr");
	xmkdir("usr/lib");
	snprintf(p, sizeof p, "%s/etc/passwd", root);
	xwrite(p, "image");
	snprintf(p, sizeof p, "%s/file", root);
	xwrite(p, "plain");
	xsymlink("/", "proc");
	xsymlink(host, "hostdev");			   /* absolute host path */
	xsymlink("/etc/passwd", "etc/abs");		   /* absolute in-image path */
	xsymlink("../../../..", "up");			   /* climbs above the root */
	xsymlink(hostfile, "dev/null");			   /* a host file */
	xsymlink("../run/resolv.conf", "etc/resolv.conf"); /* dangling, relative */
	xsymlink("/nonexistent/target", "dangling");	   /* dangling, absolute */
	xsymlink("loop", "loop");
	xsymlink("/usr/lib", "lib"); /* a merged-/usr image */
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

static void test_open(int rootfd)
{
	struct ward_error *e = NULL;
	char buf[64] = "", expect[PATH_MAX + 64];
	ssize_t n;
	int fd;

	fd = safe_open(rootfd, "/etc/abs", O_RDONLY, 0, &e);
	n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	ok(n == 5 && strncmp(buf, "image", 5) == 0, "absolute in-image symlink reads the image's file");
	ok(fd_ino(fd) == ino_in_root("etc/passwd"), "  and its inode is the one inside the root");
	ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "returned fds are O_CLOEXEC");
	close(fd);

	fd = safe_open(rootfd, "proc", O_PATH | O_DIRECTORY, 0, &e);
	ok(fd_ino(fd) == ino_in_root(""), "\"proc -> /\" resolves to the root itself");
	close(fd);
	fd = safe_open(rootfd, "up", O_PATH | O_DIRECTORY, 0, &e);
	ok(fd_ino(fd) == ino_in_root(""), "\"up -> ../../../..\" stops at the root");
	close(fd);
	fd = safe_open(rootfd, "../../etc/passwd", O_PATH, 0, &e);
	ok(fd_ino(fd) == ino_in_root("etc/passwd"), "\"../../etc/passwd\" stays inside the root");
	close(fd);
	fd = safe_open(rootfd, "up/etc/../up/etc/passwd", O_PATH, 0, &e);
	ok(fd_ino(fd) == ino_in_root("etc/passwd"), "chained \"..\" through a symlink stays inside");
	close(fd);
	fd = safe_open(rootfd, "/", O_PATH | O_DIRECTORY, 0, &e);
	ok(fd_ino(fd) == ino_in_root(""), "\"/\" is the root");
	close(fd);
	fd = safe_open(rootfd, "", O_RDONLY | O_DIRECTORY, 0, &e);
	ok(fd_ino(fd) == ino_in_root(""), "\"\" is the root");
	close(fd);
	ok(e == NULL, "no error so far");

	errno = 0;
	fd = safe_open(rootfd, "hostdev/file", O_RDONLY, 0, &e);
	ok(fd < 0 && errno == ENOENT, "a symlink to a host directory is ENOENT inside the root");
	ok(e && e->code == ENOENT, "  error code ENOENT");
	ward_error_free(e);
	e = NULL;
	fd = safe_open(rootfd, "dev/null", O_RDONLY, 0, &e);
	ok(fd < 0 && errno == ENOENT, "\"dev/null -> host file\" does not open the host file");
	ward_error_free(e);
	e = NULL;
	fd = safe_open(rootfd, "dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644, &e);
	ok(fd < 0 && errno == ENOENT, "O_CREAT through \"dev/null\" cannot reach the host");
	ward_error_free(e);
	e = NULL;
	fd = safe_open(rootfd, "/dev/pts", O_PATH, 0, &e);
	snprintf(expect, sizeof expect, "open /dev/pts in %s: ENOENT", root);
	is_str(e ? e->msg : NULL, expect, "ENOENT message names the path and the root");
	ward_error_free(e);
	e = NULL;
	fd = safe_open(rootfd, "loop", O_PATH, 0, &e);
	ok(fd < 0 && errno == ELOOP, "a symlink loop is ELOOP");
	ward_error_free(e);
	e = NULL;
	n = readlink(hostfile, buf, sizeof buf);
	ok(n < 0 && errno == EINVAL, "the host file is still a plain file");
}

static void test_mkdir(int rootfd, const char *uniq)
{
	struct ward_error *e = NULL;
	char rel[PATH_MAX], hostpath[PATH_MAX];
	int fd;

	fd = safe_mkdir_p(rootfd, "/a/b/c", 0755, &e);
	ok(fd >= 0 && fd_ino(fd) == ino_in_root("a/b/c"), "safe_mkdir_p creates a/b/c and returns it");
	ok((fcntl(fd, F_GETFL) & O_PATH) != 0, "  as an O_PATH fd");
	close(fd);
	fd = safe_mkdir_p(rootfd, "a//b/./c/", 0755, &e);
	ok(fd_ino(fd) == ino_in_root("a/b/c"), "existing path with // and . is fine");
	close(fd);

	fd = safe_mkdir_p(rootfd, "lib/x/y", 0755, &e);
	ok(fd >= 0 && fd_ino(fd) == ino_in_root("usr/lib/x/y"),
	   "mkdir -p through \"lib -> /usr/lib\" creates in the image's /usr/lib");
	close(fd);

	snprintf(rel, sizeof rel, "up/%s/x", uniq);
	snprintf(hostpath, sizeof hostpath, "/%s", uniq);
	fd = safe_mkdir_p(rootfd, rel, 0755, &e);
	ok(fd >= 0 && fd_ino(fd) != 0, "mkdir -p through \"up\" succeeds...");
	snprintf(rel, sizeof rel, "%s/x", uniq);
	ok(fd_ino(fd) == ino_in_root(rel), "  ...inside the root");
	ok(!exists(hostpath), "  and nothing was created at the host's /");
	close(fd);
	rmdir(hostpath); /* only if the test failed */

	snprintf(rel, sizeof rel, "proc/%s-p", uniq);
	snprintf(hostpath, sizeof hostpath, "/%s-p", uniq);
	fd = safe_mkdir_p(rootfd, rel, 0755, &e);
	snprintf(rel, sizeof rel, "%s-p", uniq);
	ok(fd >= 0 && fd_ino(fd) == ino_in_root(rel) && !exists(hostpath),
	   "mkdir -p through \"proc -> /\" creates inside the root only");
	close(fd);
	rmdir(hostpath);

	errno = 0;
	fd = safe_mkdir_p(rootfd, "hostdev/pts", 0755, &e);
	ok(fd < 0 && errno == ENOENT,
	   "mkdir -p through a symlink to a host dir is refused (dangling in-root)");
	like(e ? e->msg : NULL, "dangling symlink", "  with a message saying why");
	ward_error_free(e);
	e = NULL;
	snprintf(hostpath, sizeof hostpath, "%s/pts", host);
	ok(!exists(hostpath), "  and the host dir has no pts");

	errno = 0;
	fd = safe_mkdir_p(rootfd, "file/sub", 0755, &e);
	ok(fd < 0 && errno == ENOTDIR && e && e->code == ENOTDIR, "mkdir -p through a file is ENOTDIR");
	ward_error_free(e);
	e = NULL;
}

static void test_mount_target(int rootfd)
{
	struct ward_error *e = NULL;
	char rel[PATH_MAX], buf[16] = "";
	const char *last = NULL;
	char *pbuf = NULL;
	struct stat st, before;
	int fd, hfd;

	lstat(hostfile, &before);
	fd = safe_mount_target(rootfd, "/dev/null", false, &e);
	snprintf(rel, sizeof rel, "%s/host/file", tmp + 1);
	ok(fd >= 0 && fd_ino(fd) == ino_in_root(rel),
	   "dangling dev/null is followed inside the root and created");
	ok(fd_ino(fd) != before.st_ino, "  it is not the host file");
	close(fd);
	hfd = open(hostfile, O_RDONLY);
	ok(hfd >= 0 && read(hfd, buf, sizeof buf) == 4 && fstat(hfd, &st) == 0 &&
	       st.st_ino == before.st_ino && st.st_mtim.tv_nsec == before.st_mtim.tv_nsec &&
	       st.st_mtim.tv_sec == before.st_mtim.tv_sec,
	   "  the host file is untouched");
	close(hfd);
	ok(lstat(strcat(strcpy(rel, root), "/dev/null"), &st) == 0 && S_ISLNK(st.st_mode),
	   "  the link itself is left alone");

	fd = safe_mount_target(rootfd, "etc/resolv.conf", false, &e);
	ok(fd >= 0 && fd_ino(fd) == ino_in_root("run/resolv.conf"),
	   "relative dangling symlink: target and its parent created in-root");
	ok(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0644,
	   "  as an empty 0644 file");
	close(fd);
	fd = safe_mount_target(rootfd, "dangling", true, &e);
	ok(fd >= 0 && fd_ino(fd) == ino_in_root("nonexistent/target"),
	   "absolute dangling symlink, dir target");
	ok(!exists("/nonexistent"), "  nothing at the host's /nonexistent");
	close(fd);
	fd = safe_mount_target(rootfd, "/new/dir/target", true, &e);
	ok(fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) &&
	       fd_ino(fd) == ino_in_root("new/dir/target"),
	   "missing dir target and parents are created");
	close(fd);
	fd = safe_mount_target(rootfd, "new/file", false, &e);
	ok(fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0,
	   "missing file target created");
	ok((fcntl(fd, F_GETFL) & O_PATH) != 0, "  returned as an O_PATH fd");
	close(fd);
	fd = safe_mount_target(rootfd, "etc/passwd", true, &e);
	ok(fd_ino(fd) == ino_in_root("etc/passwd"), "an existing target is returned as is");
	close(fd);
	ok(e == NULL, "no error so far");
	errno = 0;
	fd = safe_mount_target(rootfd, "loop", false, &e);
	ok(fd < 0 && errno == ELOOP, "a symlink loop target is ELOOP");
	ward_error_free(e);
	e = NULL;

	fd = safe_parent(rootfd, "/a/b/c", false, &pbuf, &last, &e);
	ok(fd_ino(fd) == ino_in_root("a/b") && last && strcmp(last, "c") == 0, "safe_parent splits a/b | c");
	close(fd);
	free(pbuf);
	pbuf = NULL;
	fd = safe_parent(rootfd, "top", false, &pbuf, &last, &e);
	ok(fd_ino(fd) == ino_in_root("") && strcmp(last, "top") == 0,
	   "safe_parent of a top-level name is the root");
	close(fd);
	free(pbuf);
	pbuf = NULL;
	errno = 0;
	fd = safe_parent(rootfd, "/", false, &pbuf, &last, &e);
	ok(fd < 0 && errno == EINVAL && pbuf == NULL, "safe_parent of \"/\" is EINVAL");
	ward_error_free(e);
}

/* Valgrind 3.19 (Debian 12) and kernels before 5.6 answer openat2 with ENOSYS; the
 * whole module depends on it, so there is nothing to test there. */
static bool have_openat2(void)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);

	if (fd < 0 && errno == ENOSYS)
		return false;
	if (fd >= 0)
		close(fd);
	return true;
}

int main(void)
{
	char uniq[64], pbuf[32], *desc;
	int rootfd;

	if (!have_openat2()) {
		printf("1..0 # SKIP openat2 is not available (old kernel, or a valgrind that does not know "
		       "it)\n");
		return 0;
	}
	umask(022);
	setup();
	snprintf(uniq, sizeof uniq, "ward-safepath-test-%d", (int)getpid());
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	test_open(rootfd);
	test_mkdir(rootfd, uniq);
	test_mount_target(rootfd);
	is_str(fd_path(7, pbuf), "/proc/self/fd/7", "fd_path");
	desc = fd_describe(rootfd);
	is_str(desc, root, "fd_describe names the directory");
	free(desc);
	close(rootfd);
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
