/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "devices.h"
#include "safepath.h"
#include "util.h"

enum {
	O_SET,
	O_CLR,
	O_RSET,
	O_RCLR,
	O_ATIME,
	O_RATIME,
	O_PROP,
	O_RPROP,
	O_BIND,
	O_RBIND,
	O_IGNORE,
	O_DATAFLAG
};

static const struct mnt_opt {
	const char *name;
	int kind;
	uint64_t val;
} mnt_opts[] = {
    {"defaults", O_IGNORE, 0},
    {"ro", O_SET, MOUNT_ATTR_RDONLY},
    {"rw", O_CLR, MOUNT_ATTR_RDONLY},
    {"nosuid", O_SET, MOUNT_ATTR_NOSUID},
    {"suid", O_CLR, MOUNT_ATTR_NOSUID},
    {"nodev", O_SET, MOUNT_ATTR_NODEV},
    {"dev", O_CLR, MOUNT_ATTR_NODEV},
    {"noexec", O_SET, MOUNT_ATTR_NOEXEC},
    {"exec", O_CLR, MOUNT_ATTR_NOEXEC},
    {"nodiratime", O_SET, MOUNT_ATTR_NODIRATIME},
    {"diratime", O_CLR, MOUNT_ATTR_NODIRATIME},
    {"nosymfollow", O_SET, MOUNT_ATTR_NOSYMFOLLOW},
    {"symfollow", O_CLR, MOUNT_ATTR_NOSYMFOLLOW},
    {"noatime", O_ATIME, MOUNT_ATTR_NOATIME},
    {"relatime", O_ATIME, MOUNT_ATTR_RELATIME},
    {"strictatime", O_ATIME, MOUNT_ATTR_STRICTATIME},
    {"rro", O_RSET, MOUNT_ATTR_RDONLY},
    {"rrw", O_RCLR, MOUNT_ATTR_RDONLY},
    {"rnosuid", O_RSET, MOUNT_ATTR_NOSUID},
    {"rsuid", O_RCLR, MOUNT_ATTR_NOSUID},
    {"rnodev", O_RSET, MOUNT_ATTR_NODEV},
    {"rdev", O_RCLR, MOUNT_ATTR_NODEV},
    {"rnoexec", O_RSET, MOUNT_ATTR_NOEXEC},
    {"rexec", O_RCLR, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", O_RSET, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", O_RCLR, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", O_RSET, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", O_RCLR, MOUNT_ATTR_NOSYMFOLLOW},
    {"rnoatime", O_RATIME, MOUNT_ATTR_NOATIME},
    {"rrelatime", O_RATIME, MOUNT_ATTR_RELATIME},
    {"rstrictatime", O_RATIME, MOUNT_ATTR_STRICTATIME},
    {"private", O_PROP, MS_PRIVATE},
    {"rprivate", O_RPROP, MS_PRIVATE},
    {"shared", O_PROP, MS_SHARED},
    {"rshared", O_RPROP, MS_SHARED},
    {"slave", O_PROP, MS_SLAVE},
    {"rslave", O_RPROP, MS_SLAVE},
    {"unbindable", O_PROP, MS_UNBINDABLE},
    {"runbindable", O_RPROP, MS_UNBINDABLE},
    {"bind", O_BIND, 0},
    {"rbind", O_RBIND, 0},
    /* superblock flags: handed to the filesystem as fsconfig flags */
    {"sync", O_DATAFLAG, 0},
    {"dirsync", O_DATAFLAG, 0},
    {"mand", O_DATAFLAG, 0},
    {"lazytime", O_DATAFLAG, 0},
    /* the defaults of a new mount, or runc/crun extensions with no v2 meaning */
    {"async", O_IGNORE, 0},
    {"atime", O_IGNORE, 0},
    {"norelatime", O_IGNORE, 0},
    {"nostrictatime", O_IGNORE, 0},
    {"nomand", O_IGNORE, 0},
    {"nolazytime", O_IGNORE, 0},
    {"remount", O_IGNORE, 0},
    {"tmpcopyup", O_IGNORE, 0},
};

static void data_append(struct ward_mnt_opts *o, const char *opt)
{
	char *n = o->data ? xasprintf("%s,%s", o->data, opt) : xstrdup(opt);

	free(o->data);
	o->data = n;
}

int ward_mnt_opts_parse(char *const *options, struct ward_mnt_opts *o, struct ward_error **e)
{
	memset(o, 0, sizeof *o);
	for (size_t i = 0; options && options[i]; i++) {
		const struct mnt_opt *m = NULL;

		for (size_t j = 0; j < ARRAY_SIZE(mnt_opts); j++)
			if (strcmp(options[i], mnt_opts[j].name) == 0)
				m = &mnt_opts[j];
		if (!m) {
			if (strcmp(options[i], "idmap") == 0 || strcmp(options[i], "ridmap") == 0)
				return ward_err(e, EOPNOTSUPP, "mount option \"%s\" is not supported yet",
						options[i]);
			data_append(o, options[i]);
			continue;
		}
		switch (m->kind) {
		case O_SET:
			o->attr_set |= m->val, o->attr_clr &= ~m->val;
			break;
		case O_CLR:
			o->attr_clr |= m->val, o->attr_set &= ~m->val;
			break;
		case O_RSET:
			o->rattr_set |= m->val, o->rattr_clr &= ~m->val;
			break;
		case O_RCLR:
			o->rattr_clr |= m->val, o->rattr_set &= ~m->val;
			break;
		case O_ATIME:
			o->attr_set = (o->attr_set & ~MOUNT_ATTR__ATIME) | m->val;
			o->attr_clr |= MOUNT_ATTR__ATIME;
			break;
		case O_RATIME:
			o->rattr_set = (o->rattr_set & ~MOUNT_ATTR__ATIME) | m->val;
			o->rattr_clr |= MOUNT_ATTR__ATIME;
			break;
		case O_PROP:
		case O_RPROP:
			o->propagation = m->val;
			o->rec_propagation = m->kind == O_RPROP;
			break;
		case O_BIND:
		case O_RBIND:
			o->bind = true;
			o->recursive = m->kind == O_RBIND;
			break;
		case O_DATAFLAG:
			data_append(o, options[i]);
			break;
		default:
			break;
		}
	}
	return 0;
}

void ward_mnt_opts_free(struct ward_mnt_opts *o)
{
	free(o->data);
	o->data = NULL;
}

/* The kernel explains fsconfig failures in the context's message log. */
static void fs_log(int fsfd, char *buf, size_t len)
{
	ssize_t n = read(fsfd, buf, len - 1);

	buf[0] = '\0';
	if (n > 2) {
		buf[n] = '\0';
		if (buf[n - 1] == '\n')
			buf[n - 1] = '\0';
		memmove(buf, buf + 2, (size_t)n - 1); /* drop the "e " prefix */
	}
}

static int fs_config_data(int fsfd, const char *type, const char *data, struct ward_error **e)
{
	_cleanup_free_ char *copy = data ? xstrdup(data) : NULL;
	char *save = NULL, log[256];

	for (char *opt = copy ? strtok_r(copy, ",", &save) : NULL; opt; opt = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(opt, '=');
		int r;

		if (eq) {
			*eq = '\0';
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
		} else {
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
		}
		if (r < 0) {
			int err = errno;

			fs_log(fsfd, log, sizeof log);
			return ward_err_errno(e, err, "%s option \"%s%s%s\"%s%s", type, opt, eq ? "=" : "",
					      eq ? eq + 1 : "", log[0] ? ": " : "", log);
		}
	}
	return 0;
}

/* A new filesystem instance as a detached mount (fsopen + fsmount); a procfs
 * for the pid namespace pidns_fd when it is not -1. */
static int fs_new(const char *type, const char *source, const char *data, uint64_t attrs, int pidns_fd,
		  struct ward_error **e)
{
	_cleanup_close_ int fsfd = fsopen(type, FSOPEN_CLOEXEC);
	char log[256];
	int mfd;

	if (fsfd < 0)
		return ward_err_sys(e, "filesystem type %s", type);
	if (source && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return ward_err_sys(e, "%s source %s", type, source);
	/* a process outside the pid namespace mounts its procfs (the kernel's
	 * pidns option, Linux 6.17) */
	if (pidns_fd >= 0 && fsconfig(fsfd, FSCONFIG_SET_FD, "pidns", NULL, pidns_fd) < 0)
		return ward_err_sys(e, "proc for a joined pid namespace (this kernel's procfs has no "
				       "pidns option: a container that joins a pid namespace and mounts proc "
				       "needs Linux 6.17 or later)");
	if (fs_config_data(fsfd, type, data, e) < 0)
		return -1;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		int err = errno;

		fs_log(fsfd, log, sizeof log);
		return ward_err_errno(e, err, "create %s filesystem%s%s", type, log[0] ? ": " : "", log);
	}
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned)attrs);
	if (mfd < 0)
		return ward_err_sys(e, "mount %s filesystem", type);
	return mfd;
}

int ward_fs_new(const char *type, const char *source, const char *data, uint64_t attrs, struct ward_error **e)
{
	return fs_new(type, source, data, attrs, -1, e);
}

static int set_attrs(int tfd, const struct ward_mnt_opts *o, bool fresh, struct ward_error **e)
{
	struct mount_attr a = {0};

	if (o->rattr_set || o->rattr_clr) {
		a.attr_set = o->rattr_set;
		a.attr_clr = o->rattr_clr;
		if (mount_setattr(tfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) < 0)
			return ward_err_sys(e, "set recursive mount options");
	}
	memset(&a, 0, sizeof a);
	if (!fresh) { /* binds: the top mount's own options */
		a.attr_set = o->attr_set;
		a.attr_clr = o->attr_clr;
	}
	if (o->propagation && !o->rec_propagation)
		a.propagation = o->propagation;
	if ((a.attr_set || a.attr_clr || a.propagation) &&
	    mount_setattr(tfd, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
		return ward_err_sys(e, "set mount options");
	if (o->propagation && o->rec_propagation) {
		memset(&a, 0, sizeof a);
		a.propagation = o->propagation;
		if (mount_setattr(tfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) < 0)
			return ward_err_sys(e, "set mount propagation");
	}
	return 0;
}

static int attach(int tfd, int destfd, struct ward_error **e)
{
	if (move_mount(tfd, "", destfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return ward_err_sys(e, "attach mount");
	return 0;
}

static bool is_bind(const struct ward_mount *m, const struct ward_mnt_opts *o)
{
	return o->bind || (m->type && strcmp(m->type, "bind") == 0);
}

static bool is_cgroup(const struct ward_mount *m)
{
	return m->type && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0);
}

void ward_rootfs_set_cgroup(struct ward_rootfs *r, const char *cgroup)
{
	r->cgroup = cgroup;
}

/* The detached mount for one linux.mounts entry. */
static int mount_source(const struct ward_mount *m, const struct ward_mnt_opts *o, const char *bundle,
			const struct ward_rootfs *r, struct ward_error **e)
{
	const char *type = m->type;
	int tfd;

	if (!is_bind(m, o) && is_cgroup(m) && r->cgroup) {
		tfd = open_tree(AT_FDCWD, r->cgroup, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (tfd < 0)
			return ward_err_sys(e, "bind the container's cgroup %s", r->cgroup);
		return tfd;
	}
	if (is_bind(m, o)) {
		_cleanup_free_ char *src = NULL;

		if (!m->source)
			return ward_err(e, EINVAL, "bind mount without a source");
		src = m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
		tfd = open_tree(AT_FDCWD, src,
				OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->recursive ? AT_RECURSIVE : 0));
		if (tfd < 0)
			return ward_err_sys(e, "bind source %s", src);
		/* what the policy judged is what is bound (hostobj.c pinned it): a
		 * path swapped since (a symlink, a rename) is refused */
		if (m->src_pin != WARD_SRC_UNPINNED) {
			struct stat st;

			if (fstat(tfd, &st) < 0 || m->src_pin != WARD_SRC_PINNED || st.st_dev != m->src_dev ||
			    st.st_ino != m->src_ino) {
				close(tfd);
				return ward_err(e, EPERM, "bind source %s changed since it was checked", src);
			}
		}
		return tfd;
	}
	if (!type)
		return ward_err(e, EINVAL, "no type (and no bind option)");
	if (strcmp(type, "cgroup") == 0) /* ward is cgroup v2 only: engines still write "cgroup" */
		type = "cgroup2";
	return fs_new(type, m->source, o->data, o->attr_set,
		      strcmp(type, "proc") == 0 ? r->proc_pidns_fd : -1, e);
}

static int mount_one(const struct ward_mount *m, const char *bundle, struct ward_rootfs *r,
		     struct ward_error **e)
{
	struct ward_mnt_opts o;
	_cleanup_close_ int tfd = -1, destfd = -1;
	struct stat st;
	int ret = -1;

	if (ward_mnt_opts_parse(m->options, &o, e) < 0)
		return -1;
	/* the container's cgroup is read-only to it unless the config says "rw":
	 * a writable one lets it change its own limits where delegation allows */
	if (is_cgroup(m) && !is_bind(m, &o) && !((o.attr_set | o.attr_clr) & MOUNT_ATTR_RDONLY))
		o.attr_set |= MOUNT_ATTR_RDONLY;
	tfd = mount_source(m, &o, bundle, r, e);
	if (tfd < 0)
		goto out;
	if (fstat(tfd, &st) < 0) {
		ward_err_sys(e, "stat mount source");
		goto out;
	}
	if (set_attrs(tfd, &o, !is_bind(m, &o) && !(is_cgroup(m) && r->cgroup), e) < 0)
		goto out;
	destfd = safe_mount_target(r->rootfd, m->destination, S_ISDIR(st.st_mode), e);
	if (destfd < 0 || attach(tfd, destfd, e) < 0)
		goto out;
	ret = 0;
out:
	ward_mnt_opts_free(&o);
	return ret;
}

int ward_rootfs_prepare(const struct ward_spec *s, const char *rootfs, bool in_userns, struct ward_rootfs *r,
			struct ward_error **e)
{
	const char *prop = s->linux_.rootfs_propagation;
	unsigned long flags = MS_REC | MS_SLAVE;
	struct stat st;

	r->rootfd = r->devnullfd = r->proc_pidns_fd = -1;
	r->cgroup = NULL;
	r->in_userns = in_userns;
	/* Nothing done in the container may reach the host: the host's mounts
	 * propagate in (slave) but none propagate out. */
	if (prop && (strcmp(prop, "private") == 0 || strcmp(prop, "rprivate") == 0))
		flags = MS_REC | MS_PRIVATE;
	if (mount(NULL, "/", NULL, flags, NULL) < 0)
		return ward_err_sys(e, "make / %s", flags & MS_PRIVATE ? "rprivate" : "rslave");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return ward_err_sys(e, "bind the rootfs %s", rootfs);
	r->rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->rootfd < 0)
		return ward_err_sys(e, "open the rootfs %s", rootfs);
	/* the directory the policy judged (hostobj.c pinned it), not one swapped in since */
	if (ward_pin_verify(&s->root_pin, r->rootfd, "root.path: the rootfs", e) < 0)
		return -1;
	r->devnullfd = open("/dev/null", O_PATH | O_CLOEXEC);
	if (r->devnullfd < 0 || fstat(r->devnullfd, &st) < 0)
		return ward_err_sys(e, "open the host's /dev/null");
	if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return ward_err(e, EINVAL, "the host's /dev/null is not the null device (char 1:3)");
	return 0;
}

static bool config_mounts(const struct ward_spec *s, const char *dest, bool *bind)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const char *d = s->mounts[i].destination;
		struct ward_mnt_opts o;

		while (d[0] == '/' && d[1] == '/')
			d++;
		if (strcmp(d, dest) != 0)
			continue;
		if (bind && ward_mnt_opts_parse(s->mounts[i].options, &o, NULL) == 0) {
			*bind = is_bind(&s->mounts[i], &o);
			ward_mnt_opts_free(&o);
		}
		return true;
	}
	return false;
}

int ward_rootfs_mount_all(const struct ward_spec *s, const char *bundle, struct ward_rootfs *r,
			  struct ward_error **e)
{
	bool dev_bind = false, dev_mounted = config_mounts(s, "/dev", &dev_bind);

	r->dev_setup = !dev_bind;
	/* Without a /dev in the config ward gives the container a fresh tmpfs
	 * rather than writing device nodes into the image. */
	if (!dev_mounted) {
		struct ward_mount m = {.destination = (char *)"/dev",
				       .type = (char *)"tmpfs",
				       .source = (char *)"tmpfs",
				       .options =
					   (char *[]){(char *)"nosuid", (char *)"strictatime",
						      (char *)"mode=755", (char *)"size=65536k", NULL}};

		if (mount_one(&m, bundle, r, e) < 0)
			return ward_err_prefix(e, "mount tmpfs on /dev");
	}
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct ward_mount *m = &s->mounts[i];

		if (mount_one(m, bundle, r, e) < 0)
			return ward_err_prefix(e, "mounts[%zu]: mount %s on %s", i,
					       m->source ? m->source : (m->type ? m->type : "none"),
					       m->destination);
		if (r->dev_setup && strcmp(m->destination, "/dev") == 0 &&
		    ward_dev_setup(s, r, !config_mounts(s, "/dev/pts", NULL),
				   !config_mounts(s, "/dev/shm", NULL), e) < 0)
			return -1;
	}
	if (r->dev_setup && !dev_mounted &&
	    ward_dev_setup(s, r, !config_mounts(s, "/dev/pts", NULL), !config_mounts(s, "/dev/shm", NULL),
			   e) < 0)
		return -1;
	return 0;
}

int ward_rootfs_console(struct ward_rootfs *r, int peer, struct ward_error **e)
{
	_cleanup_close_ int destfd = -1, tfd = -1;

	destfd = safe_mount_target(r->rootfd, "/dev/console", false, e);
	if (destfd < 0)
		return ward_err_prefix(e, "create /dev/console");
	tfd = open_tree(peer, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tfd < 0)
		return ward_err_sys(e, "bind the terminal onto /dev/console");
	if (attach(tfd, destfd, e) < 0)
		return ward_err_prefix(e, "bind the terminal onto /dev/console");
	return 0;
}

static int mask_one(struct ward_rootfs *r, const char *path, struct ward_error **e)
{
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC};
	_cleanup_close_ int fd = -1, tfd = -1;
	struct ward_error *err = NULL;
	struct stat st;

	fd = safe_open(r->rootfd, path, O_PATH, 0, &err);
	if (fd < 0) {
		int code = err->code;

		if (code == ENOENT) {
			ward_error_free(err);
			return 0;
		}
		*e = err;
		return -1;
	}
	if (fstat(fd, &st) < 0)
		return ward_err_sys(e, "stat %s", path);
	if (S_ISDIR(st.st_mode))
		tfd = ward_fs_new(
		    "tmpfs", "tmpfs", "size=0,mode=0555",
		    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, e);
	else /* the null device opened and checked at the start, not /dev/null of the image */
		tfd = open_tree(r->devnullfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tfd < 0)
		return ward_err_sys(e, "mask %s", path);
	/* the bind is the host's /dev/null itself: read-only, so that no one in the
	 * container can chmod, chown or touch it (reads and writes of the device
	 * still work) */
	if (!S_ISDIR(st.st_mode) && mount_setattr(tfd, "", AT_EMPTY_PATH, &ro, sizeof ro) < 0)
		return ward_err_sys(e, "mask %s", path);
	if (attach(tfd, fd, e) < 0)
		return ward_err_prefix(e, "mask %s", path);
	return 0;
}

static int readonly_one(struct ward_rootfs *r, const char *path, struct ward_error **e)
{
	struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					   MOUNT_ATTR_NOEXEC};
	_cleanup_close_ int fd = -1, tfd = -1;
	struct ward_error *err = NULL;

	fd = safe_open(r->rootfd, path, O_PATH, 0, &err);
	if (fd < 0) {
		if (err->code == ENOENT) {
			ward_error_free(err);
			return 0;
		}
		*e = err;
		return -1;
	}
	tfd = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	if (tfd < 0)
		return ward_err_sys(e, "make %s read-only", path);
	if (mount_setattr(tfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) < 0)
		return ward_err_sys(e, "make %s read-only", path);
	if (attach(tfd, fd, e) < 0)
		return ward_err_prefix(e, "make %s read-only", path);
	return 0;
}

int ward_rootfs_mask(const struct ward_spec *s, struct ward_rootfs *r, struct ward_error **e)
{
	for (char **p = s->linux_.masked_paths; p && *p; p++)
		if (mask_one(r, *p, e) < 0)
			return ward_err_prefix(e, "linux.maskedPaths");
	for (char **p = s->linux_.readonly_paths; p && *p; p++)
		if (readonly_one(r, *p, e) < 0)
			return ward_err_prefix(e, "linux.readonlyPaths");
	return 0;
}

static int do_pivot(int rootfd, bool no_pivot, struct ward_error **e)
{
	if (fchdir(rootfd) < 0)
		return ward_err_sys(e, "enter the rootfs");
	if (no_pivot) {
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
			return ward_err_sys(e, "move the rootfs to /");
		if (chroot(".") < 0)
			return ward_err_sys(e, "chroot into the rootfs");
	} else {
		/* pivot_root(".", ".") stacks the old root under the new one; detach it */
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			return ward_err_sys(e, "pivot_root");
		if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			return ward_err_sys(e, "make the old root rslave");
		if (umount2(".", MNT_DETACH) < 0)
			return ward_err_sys(e, "detach the old root");
	}
	if (chdir("/") < 0)
		return ward_err_sys(e, "chdir /");
	return 0;
}

int ward_rootfs_pivot(const struct ward_spec *s, struct ward_rootfs *r, bool no_pivot, struct ward_error **e)
{
	const char *prop = s->linux_.rootfs_propagation;
	int ret = do_pivot(r->rootfd, no_pivot, e);

	ward_rootfs_close(r);
	if (ret < 0)
		return -1;
	if (s->root_readonly) {
		struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};

		if (mount_setattr(AT_FDCWD, "/", 0, &a, sizeof a) < 0)
			return ward_err_sys(e, "make the root read-only");
	}
	if (prop && strstr(prop, "shared")) {
		unsigned long f = MS_SHARED | (prop[0] == 'r' ? MS_REC : 0);

		if (mount(NULL, "/", NULL, f, NULL) < 0)
			return ward_err_sys(e, "linux.rootfsPropagation: make / %s", prop);
	} else if (prop && strstr(prop, "unbindable")) {
		if (mount(NULL, "/", NULL, MS_UNBINDABLE | (prop[0] == 'r' ? MS_REC : 0), NULL) < 0)
			return ward_err_sys(e, "linux.rootfsPropagation: make / %s", prop);
	}
	return 0;
}

void ward_rootfs_close(struct ward_rootfs *r)
{
	if (r->rootfd >= 0)
		close(r->rootfd);
	if (r->devnullfd >= 0)
		close(r->devnullfd);
	r->rootfd = r->devnullfd = -1;
}

const char *ward_mnt_opt_name(size_t i)
{
	return i < ARRAY_SIZE(mnt_opts) ? mnt_opts[i].name : NULL;
}
