/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include "mounts.h"
#include "util.h"

#define RESOLVE_SYSCTL (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)

/* At most this many bytes of a name in a message, control characters (C0,
 * DEL, UTF-8-encoded C1) as '?': an error stays one line a terminal shows as is. */
#define SHOWN_MAX 64

static const char *shown(const char *name, char out[SHOWN_MAX + 4])
{
	const unsigned char *p = (const unsigned char *)name;
	size_t n = 0;

	for (; *p && n < SHOWN_MAX; p++) {
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			out[n++] = '?';
			p++;
		} else {
			out[n++] = *p < 0x20 || *p == 0x7f ? '?' : (char)*p;
		}
	}
	if (*p) { /* cut: not inside a UTF-8 sequence */
		while (n > 0 && ((unsigned char)out[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0 && (unsigned char)out[n - 1] >= 0xc0)
			n--;
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

/* Why a path under /proc/sys is no sysctl's, or NULL. */
static const char *path_error(const char *p)
{
	for (;;) {
		size_t n = strcspn(p, "/");

		if (n == 0)
			return "an empty component (a '.' at either end or two in a row)";
		if (n == 1 && p[0] == '.')
			return "a \".\" component (a '/' in a name is a '.' inside a component)";
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "a \"..\" component (a '/' in a name is a '.' inside a component, so \"//\" "
			       "is \"..\"): it would leave its directory of /proc/sys";
		if (!p[n])
			return NULL;
		p += n + 1;
	}
}

/* name as a path under /proc/sys into buf (WARD_SYSCTL_NAME_MAX + 1 bytes);
 * why it is refused, or NULL. */
static const char *translate(const char *name, char *buf)
{
	size_t len = strlen(name);

	if (len == 0)
		return "an empty name";
	if (len > WARD_SYSCTL_NAME_MAX)
		return "longer than 255 bytes";
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)name[i];

		if ((c && c < 0x20) || c == 0x7f ||
		    (c == 0xc2 && (unsigned char)name[i + 1] >= 0x80 && (unsigned char)name[i + 1] <= 0x9f))
			return "a control character";
		buf[i] = c == '.' ? '/' : c == '/' ? '.' : (char)c;
	}
	return path_error(buf);
}

const char *ward_sysctl_name_error(const char *name)
{
	char buf[WARD_SYSCTL_NAME_MAX + 1];

	return name ? translate(name, buf) : "no name";
}

char *ward_sysctl_path(const char *name, struct ward_error **e)
{
	char buf[WARD_SYSCTL_NAME_MAX + 1], show[SHOWN_MAX + 4];
	const char *why = name ? translate(name, buf) : "no name";

	if (why) {
		ward_err(e, EINVAL, "linux.sysctl.%s: not a sysctl name: %s", shown(name ? name : "", show),
			 why);
		return NULL;
	}
	return xstrdup(buf);
}

int ward_sysctl_namespace(const char *path)
{
	static const char *const ipc[] = {"msgmax", "msgmnb", "msgmni", "sem",
					  "shmall", "shmmax", "shmmni", "shm_rmid_forced"};

	if (!path || path_error(path))
		return -1;
	if (strncmp(path, "net/", 4) == 0)
		return WARD_NS_NET;
	if (strncmp(path, "fs/mqueue/", 10) == 0)
		return WARD_NS_IPC;
	if (strncmp(path, "kernel/", 7) != 0)
		return -1;
	path += 7;
	for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
		if (strcmp(path, ipc[i]) == 0)
			return WARD_NS_IPC;
	if (strcmp(path, "hostname") == 0 || strcmp(path, "domainname") == 0)
		return WARD_NS_UTS;
	return -1;
}

/* 1 when fd is the runtime's own namespace of type t, 0 when not. */
static int runtime_own_ns(int fd, enum ward_ns_type t, struct ward_error **e)
{
	_cleanup_free_ char *self = xasprintf("/proc/self/ns/%s", ward_ns_proc_name(t));
	_cleanup_close_ int sfd = open(self, O_RDONLY | O_CLOEXEC);
	struct stat a, b;

	if (sfd < 0 || fstat(sfd, &b) < 0 || fstat(fd, &a) < 0)
		return ward_err_sys(e, "open %s", self);
	if (ioctl(sfd, NS_GET_NSTYPE) != ward_ns_clone_flag(t))
		return ward_err(e, EINVAL, "%s is not a %s namespace", self, ward_ns_name(t));
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int ward_sysctl_check_joined(const struct ward_spec *s, const int nsfd[WARD_NS_COUNT], struct ward_error **e)
{
	const struct ward_linux *l = &s->linux_;
	int own[WARD_NS_COUNT];

	for (int t = 0; t < WARD_NS_COUNT; t++)
		own[t] = -1; /* not compared yet */
	for (size_t i = 0; i < l->n_sysctl; i++) {
		_cleanup_free_ char *path = ward_sysctl_path(l->sysctl[i].key, e);
		char show[SHOWN_MAX + 4];
		int t;

		if (!path)
			return -1;
		t = ward_sysctl_namespace(path);
		if (t < 0 || nsfd[t] < 0)
			continue;
		if (own[t] < 0 && (own[t] = runtime_own_ns(nsfd[t], (enum ward_ns_type)t, e)) < 0)
			return -1;
		if (own[t])
			return ward_err(
			    e, EPERM,
			    "linux.sysctl.%s: the %s namespace joined from %s is the runtime's own: "
			    "setting it would change the host",
			    shown(l->sysctl[i].key, show), ward_ns_name((enum ward_ns_type)t),
			    l->ns[t].path ? l->ns[t].path : "?");
	}
	return 0;
}

/* /proc/sys of a procfs instance of the init's own, as an O_PATH fd: nothing
 * mounted on the host's /proc, nor anything of the image, can be in its way.
 * A user namespace without its own pid namespace cannot make one (EPERM: the
 * pid namespace belongs to the host's user namespace), nor can a kernel without
 * fsopen (ENOSYS): there the host's /proc, whose sys must be on the same procfs
 * mount (RESOLVE_NO_XDEV) and pass fstatfs. */
static int proc_sys_open(struct ward_error **e)
{
	struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_SYSCTL};
	struct ward_error *err = NULL;
	_cleanup_close_ int procfd = -1;
	struct statfs sfs;
	int fd;

	procfd =
	    ward_fs_new("proc", "proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, &err);
	if (procfd < 0) {
		int code = err ? err->code : 0;

		if (code != EPERM && code != ENOSYS) {
			ward_err(e, code, "linux.sysctl: a procfs of the container's own: %s",
				 err ? err->msg : "?");
			ward_error_free(err);
			return -1;
		}
		ward_error_free(err);
		procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (procfd < 0)
			return ward_err_sys(e, "linux.sysctl: open /proc");
	}
	fd = (int)syscall(SYS_openat2, procfd, "sys", &how, sizeof how);
	if (fd < 0)
		return ward_err_sys(e, "linux.sysctl: open /proc/sys");
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
		close(fd);
		return ward_err(e, EINVAL,
				"linux.sysctl: /proc/sys is not on a procfs: refusing to write "
				"sysctls through it");
	}
	return fd;
}

static int write_one(int sysfd, const struct ward_kv *kv, struct ward_error **e)
{
	struct open_how how = {.flags = O_WRONLY | O_CLOEXEC | O_NOCTTY, .resolve = RESOLVE_SYSCTL};
	_cleanup_free_ char *path = ward_sysctl_path(kv->key, e);
	_cleanup_close_ int fd = -1;
	char show[SHOWN_MAX + 4];

	if (!path)
		return -1;
	fd = (int)syscall(SYS_openat2, sysfd, path, &how, sizeof how);
	if (fd < 0)
		return ward_err_sys(e, "linux.sysctl.%s: open", shown(kv->key, show));
	if (write_all(fd, kv->value, strlen(kv->value)) < 0)
		return ward_err_sys(e, "linux.sysctl.%s: write", shown(kv->key, show));
	return 0;
}

int ward_sysctl_apply(const struct ward_spec *s, struct ward_error **e)
{
	const struct ward_linux *l = &s->linux_;
	_cleanup_close_ int sysfd = -1;

	if (l->n_sysctl == 0)
		return 0;
	sysfd = proc_sys_open(e);
	if (sysfd < 0)
		return -1;
	for (size_t i = 0; i < l->n_sysctl; i++)
		if (write_one(sysfd, &l->sysctl[i], e) < 0)
			return -1;
	return 0;
}
