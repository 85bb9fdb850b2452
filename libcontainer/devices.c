/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "safepath.h"
#include "util.h"

static const struct ward_device default_devices[] = {
    {.path = (char *)"/dev/null", .type = 'c', .major = 1, .minor = 3},
    {.path = (char *)"/dev/zero", .type = 'c', .major = 1, .minor = 5},
    {.path = (char *)"/dev/full", .type = 'c', .major = 1, .minor = 7},
    {.path = (char *)"/dev/random", .type = 'c', .major = 1, .minor = 8},
    {.path = (char *)"/dev/urandom", .type = 'c', .major = 1, .minor = 9},
    {.path = (char *)"/dev/tty", .type = 'c', .major = 5, .minor = 0},
};

static const struct {
	const char *target, *path;
} dev_links[] = {
    {"/proc/self/fd", "/dev/fd"},	{"/proc/self/fd/0", "/dev/stdin"}, {"/proc/self/fd/1", "/dev/stdout"},
    {"/proc/self/fd/2", "/dev/stderr"}, {"pts/ptmx", "/dev/ptmx"},
};

static const char *kind_of(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFLNK:
		return "a symbolic link";
	case S_IFIFO:
		return "a fifo";
	case S_IFSOCK:
		return "a socket";
	case S_IFCHR:
		return "the character device";
	case S_IFBLK:
		return "the block device";
	}
	return "an unknown kind of file";
}

int ward_dev_check_host_node(const struct stat *st, const struct ward_device *d, struct ward_error **e)
{
	mode_t want = d->type == 'b' ? S_IFBLK : S_IFCHR;
	const char *what = want == S_IFBLK ? "block device" : "character device";

	if (d->type == 'p')
		return ward_err(e, EINVAL, "a fifo is made, never bound from the host");
	if ((st->st_mode & S_IFMT) == want && major(st->st_rdev) == d->major &&
	    minor(st->st_rdev) == d->minor)
		return 0;
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return ward_err(e, EINVAL, "host %s is %s %u:%u, not the %s %lld:%lld", d->path,
				kind_of(st->st_mode), major(st->st_rdev), minor(st->st_rdev), what,
				(long long)d->major, (long long)d->minor);
	return ward_err(e, EINVAL, "host %s is %s, not the %s %lld:%lld", d->path, kind_of(st->st_mode), what,
			(long long)d->major, (long long)d->minor);
}

/* A bound node is the host's inode: uid, gid and fileMode can only be what it
 * has (applying them would change the host's node), anything else is refused. */
static int check_bound_owner(const struct stat *st, const struct ward_device *d, struct ward_error **e)
{
	static const char why[] = "is the host's node, bound where mknod is not allowed";

	if (d->has_uid && st->st_uid != d->uid)
		return ward_err(e, EINVAL, "uid %u cannot be applied: %s %s (its owner is %u)", d->uid,
				d->path, why, (unsigned)st->st_uid);
	if (d->has_gid && st->st_gid != d->gid)
		return ward_err(e, EINVAL, "gid %u cannot be applied: %s %s (its group is %u)", d->gid,
				d->path, why, (unsigned)st->st_gid);
	if (d->has_mode && (st->st_mode & 07777) != (d->mode & 07777))
		return ward_err(e, EINVAL, "fileMode 0%o cannot be applied: %s %s (its mode is 0%o)",
				d->mode & 07777, d->path, why, (unsigned)(st->st_mode & 07777));
	return 0;
}

/* In a user namespace (or wherever mknod is refused) the host's node at the
 * same path is bound onto an empty file. That path is the config's: the opened
 * tree must be the very device the entry names (a final symlink is followed:
 * the node it reaches is what is checked and bound). The bind is nosuid,noexec,
 * and read-only: the device reads and writes as ever, but its inode, the host's,
 * cannot be chmod'ed or chown'ed from inside. */
static int bind_host_device(const struct ward_device *d, int parent, const char *name, struct ward_error **e)
{
	struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC};
	_cleanup_close_ int fd = -1, tfd = -1;
	struct stat st;

	tfd = open_tree(AT_FDCWD, d->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tfd < 0)
		return ward_err_sys(e, "bind the host's %s", d->path);
	if (fstat(tfd, &st) < 0)
		return ward_err_sys(e, "stat the host's %s", d->path);
	if (ward_dev_check_host_node(&st, d, e) < 0 || check_bound_owner(&st, d, e) < 0)
		return -1;
	if (mount_setattr(tfd, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
		return ward_err_sys(e, "make the host's %s ro,nosuid,noexec", d->path);
	fd = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return ward_err_sys(e, "create %s", d->path);
	close(fd);
	fd = openat(parent, name, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return ward_err_sys(e, "open %s", d->path);
	if (move_mount(tfd, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ward_err_sys(e, "bind the host's %s", d->path);
	return 0;
}

static int make_device(struct ward_rootfs *r, const struct ward_device *d, struct ward_error **e)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int parent = -1;
	const char *name;
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	mode_t perm = d->has_mode ? d->mode & 07777 : 0666;

	parent = safe_parent(r->rootfd, d->path, true, &buf, &name, e);
	if (parent < 0)
		return -1;
	/* whatever the image has there (a symlink to a host path...) goes first */
	if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
		return ward_err_sys(e, "replace %s", d->path);
	/* a fifo needs no privilege: always made */
	if ((r->in_userns && d->type != 'p') ||
	    mknodat(parent, name, type | perm, makedev(d->major, d->minor)) < 0) {
		if (d->type == 'p' || (!r->in_userns && errno != EPERM))
			return ward_err_sys(e, "mknod %s", d->path);
		/* the host's node: never chowned (its owner was checked) */
		return bind_host_device(d, parent, name, e);
	}
	if (fchmodat(parent, name, perm, 0) < 0)
		return ward_err_sys(e, "chmod %s", d->path);
	if ((d->has_uid || d->has_gid) && fchownat(parent, name, d->has_uid ? d->uid : (uid_t)-1,
						   d->has_gid ? d->gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0)
		return ward_err_sys(e, "chown %s", d->path);
	return 0;
}

static int make_link(struct ward_rootfs *r, const char *target, const char *path, struct ward_error **e)
{
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int parent = -1;
	const char *name;

	parent = safe_parent(r->rootfd, path, true, &buf, &name, e);
	if (parent < 0)
		return -1;
	if (symlinkat(target, parent, name) < 0 && errno != EEXIST)
		return ward_err_sys(e, "symlink %s -> %s", path, target);
	return 0;
}

static int mount_fs(struct ward_rootfs *r, const char *type, const char *path, const char *data,
		    uint64_t attrs, struct ward_error **e)
{
	_cleanup_close_ int tfd = -1, destfd = -1;

	tfd = ward_fs_new(type, type, data, attrs, e);
	if (tfd < 0)
		return ward_err_prefix(e, "mount %s on %s", type, path);
	destfd = safe_mount_target(r->rootfd, path, true, e);
	if (destfd < 0)
		return -1;
	if (move_mount(tfd, "", destfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ward_err_sys(e, "mount %s on %s", type, path);
	return 0;
}

int ward_dev_setup(const struct ward_spec *s, struct ward_rootfs *r, bool mount_pts, bool mount_shm,
		   struct ward_error **e)
{
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
		bool overridden = false;

		for (size_t j = 0; j < s->linux_.n_devices; j++)
			if (strcmp(s->linux_.devices[j].path, default_devices[i].path) == 0)
				overridden = true;
		if (!overridden && make_device(r, &default_devices[i], e) < 0)
			return -1;
	}
	for (size_t j = 0; j < s->linux_.n_devices; j++)
		if (make_device(r, &s->linux_.devices[j], e) < 0)
			return ward_err_prefix(e, "linux.devices[%zu]", j);
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (make_link(r, dev_links[i].target, dev_links[i].path, e) < 0)
			return -1;
	/* gid 5 (tty) exists only where the container's gids map it */
	if (mount_pts && mount_fs(r, "devpts", "/dev/pts",
				  r->in_userns ? "newinstance,ptmxmode=0666,mode=0620"
					       : "newinstance,ptmxmode=0666,mode=0620,gid=5",
				  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, e) < 0)
		return -1;
	if (mount_shm && mount_fs(r, "tmpfs", "/dev/shm", "mode=1777,size=65536k",
				  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, e) < 0)
		return -1;
	return 0;
}
