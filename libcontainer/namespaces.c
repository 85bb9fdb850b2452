/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "sysctl.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

unsigned long ward_ns_new_flags(const struct ward_spec *s)
{
	unsigned long flags = 0;

	for (int t = 0; t < WARD_NS_COUNT; t++)
		if (s->linux_.ns[t].present && !s->linux_.ns[t].path)
			flags |= (unsigned long)ward_ns_clone_flag((enum ward_ns_type)t);
	return flags;
}

void ward_ns_close(struct ward_nsfds *n)
{
	for (int t = 0; t < WARD_NS_COUNT; t++) {
		if (n->fd[t] >= 0)
			close(n->fd[t]);
		n->fd[t] = -1;
	}
}

#ifndef NS_GET_PID_FROM_PIDNS
#define NS_GET_PID_FROM_PIDNS _IOR(NSIO, 0x6, int) /* Linux 6.9 */
#endif

/* Whether pid 1 of the pid namespace fd is this runtime's binary: a container
 * being created, whose init is still ward (with the host's root and fds). Kernels
 * without the ioctl cannot tell: false. */
static bool pidns_init_is_runtime(int fd)
{
	struct stat a, b;
	char path[64];
	int pid = ioctl(fd, NS_GET_PID_FROM_PIDNS, 1);

	if (pid <= 0)
		return false;
	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	return stat(path, &a) == 0 && stat("/proc/self/exe", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

static bool same_ns(int fd, const char *other)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(other, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* The namespace a path names: opened O_PATH first (a fifo or a device there
 * must not block us or be touched), checked to be nsfs and to be the object the
 * policy judged (its pin), then opened for setns through the fd. */
static int open_ns(const struct ward_namespace *ns, enum ward_ns_type t, struct ward_error **e)
{
	_cleanup_close_ int path_fd = open(ns->path, O_PATH | O_CLOEXEC);
	char self[32];
	struct statfs sfs;
	struct stat a, b;
	int fd;

	if (path_fd < 0)
		return ward_err_sys(e, "open %s namespace %s", ward_ns_name(t), ns->path);
	if (fstatfs(path_fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC)
		return ward_err(e, EINVAL, "%s is not a namespace", ns->path);
	if (ward_pin_verify(&ns->pin, path_fd, ns->path, e) < 0)
		return -1;
	snprintf(self, sizeof self, "/proc/self/fd/%d", path_fd);
	fd = open(self, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ward_err_sys(e, "open %s namespace %s", ward_ns_name(t), ns->path);
	if (fstat(fd, &a) < 0 || fstat(path_fd, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		close(fd);
		return ward_err(e, EPERM, "%s changed while it was opened", ns->path);
	}
	return fd;
}

int ward_ns_open_joins(const struct ward_spec *s, struct ward_nsfds *n, struct ward_error **e)
{
	const struct ward_namespace *ns = s->linux_.ns;
	bool join_other = false;

	for (int t = 0; t < WARD_NS_COUNT; t++)
		n->fd[t] = -1;
	for (int t = 0; t < WARD_NS_COUNT; t++) {
		int fd, type;

		if (!ns[t].present || !ns[t].path)
			continue;
		fd = open_ns(&ns[t], (enum ward_ns_type)t, e);
		if (fd < 0)
			goto fail;
		n->fd[t] = fd;
		type = ioctl(fd, NS_GET_NSTYPE);
		if (type < 0) {
			ward_err_sys(e, "%s is not a namespace", ns[t].path);
			goto fail;
		}
		if (type != ward_ns_clone_flag((enum ward_ns_type)t)) {
			ward_err(e, EINVAL, "%s is not a %s namespace", ns[t].path,
				 ward_ns_name((enum ward_ns_type)t));
			goto fail;
		}
		if (t != WARD_NS_USER)
			join_other = true;
		/* its init must not be seen by what we start in it (security.md §0) */
		if (t == WARD_NS_PID && pidns_init_is_runtime(fd)) {
			ward_err(
			    e, EBUSY,
			    "linux.namespaces: the pid namespace %s is a container's that is still being "
			    "created: retry once it is created",
			    ns[t].path);
			goto fail;
		}
		/* the rootfs is set up and pivoted into inside the joined namespace:
		 * in ward's own that would re-root every process of the host */
		if (t == WARD_NS_MOUNT && same_ns(fd, "/proc/self/ns/mnt")) {
			ward_err(
			    e, EPERM,
			    "linux.namespaces: %s is the runtime's own mount namespace: refusing to set up "
			    "a rootfs in it",
			    ns[t].path);
			goto fail;
		}
	}
	/* A new user namespace owns the namespaces created with it; joining a
	 * namespace owned by the host's user namespace from inside it is not
	 * possible, and doing it in the other order needs a second fork. */
	if (ns[WARD_NS_USER].present && !ns[WARD_NS_USER].path && join_other) {
		ward_err(e, EOPNOTSUPP,
			 "linux.namespaces: joining a namespace by path together with a new user namespace "
			 "is not supported yet");
		goto fail;
	}
	if (ns[WARD_NS_USER].path && (ward_ns_new_flags(s) & CLONE_NEWPID)) {
		ward_err(e, EOPNOTSUPP,
			 "linux.namespaces: a new pid namespace inside a joined user namespace is not "
			 "supported yet");
		goto fail;
	}
	/* a namespaced sysctl written in the runtime's own namespace is the host's */
	if (ward_sysctl_check_joined(s, n->fd, e) < 0)
		goto fail;
	return 0;
fail:
	ward_ns_close(n);
	return -1;
}

int ward_ns_join(const struct ward_nsfds *n, unsigned mask, struct ward_error **e)
{
	static const enum ward_ns_type order[] = {WARD_NS_USER, WARD_NS_MOUNT,	WARD_NS_NET, WARD_NS_IPC,
						  WARD_NS_UTS,	WARD_NS_CGROUP, WARD_NS_PID, WARD_NS_TIME};

	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		enum ward_ns_type t = order[i];

		if (n->fd[t] < 0 || !(mask & (1u << t)))
			continue;
		if (setns(n->fd[t], ward_ns_clone_flag(t)) < 0)
			return ward_err_sys(e, "join %s namespace", ward_ns_name(t));
	}
	return 0;
}

static int write_map(pid_t pid, const char *file, const struct ward_idmap *m, size_t n, struct ward_error **e)
{
	char path[64], buf[4096];
	size_t len = 0;
	_cleanup_close_ int fd = -1;

	for (size_t i = 0; i < n; i++) {
		int r = snprintf(buf + len, sizeof buf - len, "%u %u %u\n", m[i].container_id, m[i].host_id,
				 m[i].size);
		if (r < 0 || (size_t)r >= sizeof buf - len)
			return ward_err(e, E2BIG, "%s: too many id mappings", file);
		len += (size_t)r;
	}
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return ward_err_sys(e, "open %s", path);
	if (write(fd, buf, len) != (ssize_t)len)
		return ward_err_sys(e, "write %s", path);
	return 0;
}

int ward_ns_write_idmaps(pid_t pid, const struct ward_spec *s, struct ward_error **e)
{
	const struct ward_linux *l = &s->linux_;

	if (l->n_uid_mappings == 0 || l->n_gid_mappings == 0)
		return ward_err(e, EINVAL,
				"linux.uidMappings and linux.gidMappings are required with a new "
				"user namespace");
	if (write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings, e) < 0)
		return -1;
	return write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings, e);
}

int ward_ns_new_time(const struct ward_spec *s, struct ward_error **e)
{
	const struct ward_linux *l = &s->linux_;
	char buf[128];
	int len = 0;
	_cleanup_close_ int fd = -1;

	if (unshare(CLONE_NEWTIME) < 0)
		return ward_err_sys(e, "create time namespace");
	if (l->time_monotonic.present)
		len += snprintf(buf + len, sizeof buf - (size_t)len, "monotonic %lld %u\n",
				(long long)l->time_monotonic.secs, l->time_monotonic.nanosecs);
	if (l->time_boottime.present)
		len += snprintf(buf + len, sizeof buf - (size_t)len, "boottime %lld %u\n",
				(long long)l->time_boottime.secs, l->time_boottime.nanosecs);
	if (len == 0)
		return 0;
	fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return ward_err_sys(e, "open /proc/self/timens_offsets");
	/* one write per line: the kernel parses a single offset per write on some versions */
	for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		size_t n = (size_t)(nl - line + 1);

		if (write(fd, line, n) != (ssize_t)n)
			return ward_err_sys(e, "write linux.timeOffsets to /proc/self/timens_offsets");
	}
	return 0;
}
