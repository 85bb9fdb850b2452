/* SPDX-License-Identifier: Apache-2.0 */
/* Path resolution inside a container's rootfs. Every lookup goes through
 * openat2(RESOLVE_IN_ROOT), which makes the rootfd behave like a chroot for the
 * whole walk, symlinks and ".." included, so an image cannot point ward at a host
 * path however its links are arranged. Creation is done on the fd of an already
 * resolved parent with a single path component, so it cannot be redirected
 * either. */
#include "config.h"
#include "safepath.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RESOLVE_FLAGS (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
/* The kernel's own bound on symlinks followed during one lookup. */
#define MAX_SYMLINK_HOPS 40
/* openat2 returns EAGAIN when a rename or mount raced with a ".." step; the
 * lookup is safe to repeat, but not forever. */
#define MAX_EAGAIN_RETRIES 64

const char *fd_path(int fd, char buf[static 32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

char *fd_describe(int fd)
{
	char link[32], target[PATH_MAX];
	ssize_t n = readlink(fd_path(fd, link), target, sizeof target - 1);

	if (n < 0)
		return xasprintf("fd %d", fd);
	target[n] = '\0';
	return xstrdup(target);
}

/* "/dev/pts" and "dev/pts" name the same in-root path; openat2 wants it relative
 * so that it is not taken from the process root. */
static const char *strip_slashes(const char *path)
{
	while (*path == '/')
		path++;
	return path;
}

static int raw_openat2(int dirfd, const char *path, int flags, mode_t mode, unsigned long long resolve)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .resolve = resolve,
	};
	int fd, tries = 0;

	/* openat2 rejects a mode without O_CREAT/O_TMPFILE, unlike openat. */
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		how.mode = mode;
	do
		fd = (int)syscall(SYS_openat2, dirfd, *path ? path : ".", &how, sizeof how);
	while (fd < 0 && (errno == EINTR || errno == EAGAIN) && ++tries < MAX_EAGAIN_RETRIES);
	return fd;
}

/* Fill *e for a failed operation on an in-root path, keeping errno. */
static int path_err(struct ward_error **e, int rootfd, const char *op, const char *path)
{
	int code = errno;
	char *root = fd_describe(rootfd);

	if (code == ENOSYS)
		ward_err(e, code, "%s /%s in %s: openat2 is not available (Linux 5.6 or later is required)",
			 op, strip_slashes(path), root);
	else
		ward_err_errno(e, code, "%s /%s in %s", op, strip_slashes(path), root);
	free(root);
	errno = code;
	return -1;
}

int safe_open(int rootfd, const char *path, int flags, mode_t mode, struct ward_error **e)
{
	int fd = raw_openat2(rootfd, strip_slashes(path), flags, mode, RESOLVE_FLAGS);

	if (fd < 0)
		return path_err(e, rootfd, "open", path);
	return fd;
}

/* Resolve a prefix of the path in-root without filling an error: callers decide
 * whether ENOENT is a failure. */
static int lookup_dir(int rootfd, const char *path)
{
	return raw_openat2(rootfd, path, O_PATH | O_DIRECTORY, 0, RESOLVE_FLAGS);
}

int safe_mkdir_p(int rootfd, const char *path, mode_t mode, struct ward_error **e)
{
	_cleanup_free_ char *buf = xstrdup(strip_slashes(path));
	_cleanup_close_ int cur = lookup_dir(rootfd, "");
	char *p = buf;

	if (cur < 0)
		return path_err(e, rootfd, "open", "/");
	while (*p) {
		char *end = p + strcspn(p, "/"), save = *end;
		int next;

		if (end == p || (end - p == 1 && *p == '.')) { /* "//" or "/./" */
			p = save ? end + 1 : end;
			continue;
		}
		/* The whole prefix is resolved from the root each time: a symlink in
		 * an earlier component may point anywhere in the image ("/usr/lib"),
		 * and only a lookup from rootfd interprets it as chroot would. */
		*end = '\0';
		next = lookup_dir(rootfd, buf);
		if (next < 0 && errno == ENOENT) {
			/* mkdirat on the parent fd with one component: it never
			 * follows a symlink, and EEXIST (a racing mkdir) is fine. */
			if (mkdirat(cur, p, mode) < 0 && errno != EEXIST)
				return path_err(e, rootfd, "mkdir", buf);
			next = lookup_dir(rootfd, buf);
			if (next < 0 && errno == ENOENT) {
				/* It exists but does not resolve: a dangling symlink.
				 * mkdir -p refuses those too. */
				char *root = fd_describe(rootfd);

				ward_err(e, ENOENT, "mkdir /%s in %s: it is a dangling symlink", buf, root);
				free(root);
				errno = ENOENT;
				return -1;
			}
		}
		if (next < 0)
			return path_err(e, rootfd, "open", buf);
		close(cur);
		cur = next;
		*end = save;
		p = save ? end + 1 : end;
	}
	return TAKE_FD(cur);
}

int safe_parent(int rootfd, const char *path, bool mkdir, char **buf, const char **last,
		struct ward_error **e)
{
	char *copy = xstrdup(strip_slashes(path)), *slash;
	size_t n = strlen(copy);
	int fd;

	while (n > 0 && copy[n - 1] == '/')
		copy[--n] = '\0';
	slash = strrchr(copy, '/');
	*last = slash ? slash + 1 : copy;
	if (!**last || strcmp(*last, ".") == 0 || strcmp(*last, "..") == 0) {
		ward_err(e, EINVAL, "path \"%s\" has no last component to create", path);
		free(copy);
		errno = EINVAL;
		return -1;
	}
	if (slash)
		*slash = '\0';
	/* With no slash the parent is the root itself: "" opens rootfd. */
	if (mkdir)
		fd = safe_mkdir_p(rootfd, slash ? copy : "", 0755, e);
	else
		fd = safe_open(rootfd, slash ? copy : "", O_PATH | O_DIRECTORY, 0, e);
	if (fd < 0) {
		int code = errno;

		free(copy);
		errno = code;
		return -1;
	}
	*buf = copy;
	return fd;
}

/* Create the missing last component on the parent fd. Returns an O_PATH fd of
 * what was created, or -1 with errno (EEXIST: something is already there). */
static int create_last(int parentfd, const char *last, bool dir)
{
	_cleanup_close_ int fd = -1;
	struct stat made, seen;
	int pfd;

	if (dir) {
		if (mkdirat(parentfd, last, 0755) < 0)
			return -1;
		return openat(parentfd, last, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	/* O_EXCL never follows a symlink at the last component; O_NONBLOCK and
	 * O_NOCTTY only matter if something else appears there in a race. */
	fd = openat(parentfd, last,
		    O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (fstat(fd, &made) < 0)
		return -1;
	/* Hand back an O_PATH fd, and check it is the file just made (the name
	 * could have been replaced in between). */
	pfd = openat(parentfd, last, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return -1;
	if (fstat(pfd, &seen) < 0 || seen.st_ino != made.st_ino || seen.st_dev != made.st_dev) {
		close(pfd);
		errno = EAGAIN;
		return -1;
	}
	return pfd;
}

/* The last component exists but did not resolve: if it is a symlink, return the
 * in-root path it points to (relative targets are taken from its parent
 * directory, so "parent/target" resolved in-root is exactly what the kernel would
 * do in a chroot). NULL with errno otherwise. */
static char *follow_dangling(int parentfd, const char *parent, const char *last)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(parentfd, last, target, sizeof target - 1);

	if (n < 0)
		return NULL; /* EINVAL: not a symlink */
	target[n] = '\0';
	if (target[0] == '/' || !*parent)
		return xstrdup(target);
	return xasprintf("%s/%s", parent, target);
}

/* A dangling symlink at the destination ("/etc/resolv.conf ->
 * ../run/resolv.conf") is followed inside the root, as a chroot would, and its
 * target is created (with its parents); the link itself is left alone. This is
 * what images expect, and safe because every step is resolved in-root. */
int safe_mount_target(int rootfd, const char *path, bool dir, struct ward_error **e)
{
	_cleanup_free_ char *cur = xstrdup(path);

	for (int hops = 0; hops <= MAX_SYMLINK_HOPS; hops++) {
		_cleanup_free_ char *buf = NULL;
		_cleanup_close_ int parentfd = -1;
		const char *last;
		char *next;
		int fd = raw_openat2(rootfd, strip_slashes(cur), O_PATH, 0, RESOLVE_FLAGS);

		if (fd >= 0)
			return fd;
		if (errno != ENOENT)
			return path_err(e, rootfd, "open", cur);
		parentfd = safe_parent(rootfd, cur, true, &buf, &last, e);
		if (parentfd < 0)
			return -1;
		fd = create_last(parentfd, last, dir);
		if (fd >= 0)
			return fd;
		if (errno == EAGAIN)
			continue; /* raced with a rename: look again */
		if (errno != EEXIST)
			return path_err(e, rootfd, dir ? "mkdir" : "create", cur);
		next = follow_dangling(parentfd, last == buf ? "" : buf, last);
		if (!next) {
			if (errno == EINVAL)
				continue; /* not a symlink: created by someone else, look again */
			return path_err(e, rootfd, "readlink", cur);
		}
		free(cur);
		cur = next;
	}
	errno = ELOOP;
	return path_err(e, rootfd, "open", path);
}
