/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v2 placement: find the hierarchy, create and remove a container's
 * cgroup, move, list and signal its processes. Resource limits live elsewhere.
 * Paths here are host paths in cgroupfs, which has no symlinks, so plain path
 * syscalls are fine; what needs care is signalling: a pid read from
 * cgroup.procs may be recycled before it is signalled. */
#include "config.h"
#include "cgroup.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CGROUP_ROOT	      "/sys/fs/cgroup"
#define CGROUP_HYBRID	      "/sys/fs/cgroup/unified"
#define CGROUP_PROCS_MAX      (4u << 20) /* ~500k pids */
#define CGROUP_WAIT_MS	      1000	 /* how long destroy waits without progress */
#define CGROUP_DESTROY_MAX_MS 30000	 /* and at most, however much it removes */
#define CGROUP_STEP_MS	      10

static bool is_cgroup2(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

const char *ward_cgroup_mount(struct ward_error **e)
{
	if (is_cgroup2(CGROUP_ROOT))
		return CGROUP_ROOT;
	if (is_cgroup2(CGROUP_HYBRID))
		return CGROUP_HYBRID;
	ward_err(
	    e, ENOENT,
	    "no cgroup v2 hierarchy found (mount cgroup2 or boot with systemd.unified_cgroup_hierarchy=1)");
	return NULL;
}

/* Append the components of p to out ("/a/b"), dropping empty and "."
 * components and refusing "..", which would climb out of the hierarchy or the
 * default parent. */
static int normalize(const char *p, char **out, struct ward_error **e)
{
	_cleanup_free_ char *buf = xstrdup(p);
	char *res = xstrdup(""), *save = NULL;

	for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		char *n;

		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			free(res);
			return ward_err(e, EINVAL, "cgroupsPath \"%s\" has a \"..\" component", p);
		}
		n = xasprintf("%s/%s", res, c);
		free(res);
		res = n;
	}
	if (!*res) {
		free(res);
		return ward_err(e, EINVAL, "cgroupsPath \"%s\" names the root of the hierarchy", p);
	}
	*out = res;
	return 0;
}

char *ward_cgroup_path(const char *mount, const char *cgroups_path, const char *id, struct ward_error **e)
{
	_cleanup_free_ char *norm = NULL;
	char *path;

	if (!mount && !(mount = ward_cgroup_mount(e)))
		return NULL;
	if (!cgroups_path || !*cgroups_path) {
		if (!valid_container_id(id)) {
			ward_err(e, EINVAL, "invalid container id \"%s\"", id ? id : "");
			return NULL;
		}
		return xasprintf("%s%s/%s", mount, WARD_CGROUP_PARENT, id);
	}
	if (normalize(cgroups_path, &norm, e) < 0)
		return NULL;
	if (cgroups_path[0] == '/')
		path = xasprintf("%s%s", mount, norm);
	else
		path = xasprintf("%s%s%s", mount, WARD_CGROUP_PARENT, norm);
	if (strlen(path) >= PATH_MAX) {
		ward_err(e, ENAMETOOLONG, "cgroupsPath \"%s\" is too long", cgroups_path);
		free(path);
		return NULL;
	}
	return path;
}

static bool has_pids(const char *procs)
{
	return procs[strspn(procs, " \n")] != '\0';
}

static bool ends_with_slice(const char *s)
{
	size_t n = strlen(s);

	return n > 6 && strcmp(s + n - 6, ".slice") == 0;
}

/* The directories of a systemd slice: "a-b.slice" is "/a.slice/a-b.slice" (every
 * dash opens a parent), the root slice ("" or "-.slice") is "", a name that is
 * not a slice stands for itself. NULL for a malformed slice name. */
static char *slice_dirs(const char *slice)
{
	size_t n = strlen(slice);
	_cleanup_free_ char *out = xstrdup("");

	if (!n || strcmp(slice, "-.slice") == 0)
		return TAKE_PTR(out);
	if (!ends_with_slice(slice))
		return xasprintf("/%s", slice);
	for (size_t i = 0; i < n - 6; i++) {
		char *t;

		if (slice[i] != '-')
			continue;
		if (i == 0 || slice[i - 1] == '-' || i == n - 7)
			return NULL;
		t = xasprintf("%s/%.*s.slice", out, (int)i, slice);
		free(out);
		out = t;
	}
	return xasprintf("%s/%s", out, slice);
}

char *ward_cgroup_systemd_path(const char *spec, struct ward_error **e)
{
	const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *name;
	_cleanup_free_ char *slice = NULL, *dirs = NULL;

	if (!c2 || strchr(c2 + 1, ':') || strchr(spec, '/'))
		return ward_err(e, EINVAL,
				"cgroupsPath \"%s\": expected \"slice:prefix:name\" with --systemd-cgroup",
				spec),
		       NULL;
	name = c2 + 1;
	if (!*name)
		return ward_err(e, EINVAL, "cgroupsPath \"%s\": the unit name is empty", spec), NULL;
	slice = xstrndup(spec, (size_t)(c1 - spec));
	if (!(dirs = slice_dirs(slice)))
		return ward_err(e, EINVAL, "cgroupsPath \"%s\": bad slice name \"%s\"", spec, slice), NULL;
	if (ends_with_slice(name) || c2 == c1 + 1) /* a slice itself, or no prefix */
		return xasprintf("%s/%s", dirs, name);
	return xasprintf("%s/%.*s-%s.scope", dirs, (int)(c2 - c1 - 1), c1 + 1, name);
}

/* The cgroup open as fd is a directory of the v2 hierarchy (the one at mount),
 * whatever its path said: the check is made on the opened object. */
static int check_cgroup2(int fd, const char *path, struct ward_error **e)
{
	const char *mount = ward_cgroup_mount(e);
	struct statfs sf;
	struct stat st, root;

	if (!mount)
		return -1;
	if (fstatfs(fd, &sf) < 0 || fstat(fd, &st) < 0 || stat(mount, &root) < 0)
		return ward_err_sys(e, "cgroup %s", path);
	if (sf.f_type != CGROUP2_SUPER_MAGIC || !S_ISDIR(st.st_mode) || st.st_dev != root.st_dev)
		return ward_err(e, EINVAL, "%s is not a cgroup of the cgroup v2 hierarchy at %s", path,
				mount);
	return 0;
}

/* The name of a child cgroup of the directory fd, or 0 when it has none
 * (cgroupfs has no directories other than cgroups). */
static int first_child(int fd, char name[static NAME_MAX + 1])
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	int r = 0;

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_DIR ||
		    (de->d_type == DT_UNKNOWN && fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		     S_ISDIR(st.st_mode))) {
			snprintf(name, NAME_MAX + 1, "%s", de->d_name);
			r = 1;
			break;
		}
	}
	closedir(d);
	return r;
}

/* "populated 1" of cgroup.events: a process anywhere below the cgroup. */
static int populated(int fd, const char *path, struct ward_error **e)
{
	_cleanup_free_ char *events = NULL;

	if (read_file_at(fd, "cgroup.events", 4096, &events, NULL, e) < 0)
		return ward_err_prefix(e, "cgroup %s", path);
	return strstr(events, "populated 1") != NULL;
}

#define NOT_OURS "; a container goes only into a new cgroup or an existing empty leaf"

/* A cgroup that existed before ward is used only when nothing can be in it but
 * the container: every process in it (cgroup.kill at delete, the device
 * program, the limits) and every cgroup below it would be the container's. */
static int check_empty_leaf(int fd, const char *path, struct ward_error **e)
{
	_cleanup_free_ char *procs = NULL, *type = NULL, *frozen = NULL;
	char child[NAME_MAX + 1];
	int r;

	if (read_file_at(fd, "cgroup.procs", CGROUP_PROCS_MAX, &procs, NULL, e) < 0)
		return ward_err_prefix(e, "cgroup %s", path);
	/* Sharing a cgroup with another container would let one's limits, kill
	 * and destroy act on the other. */
	if (has_pids(procs))
		return ward_err(e, EBUSY, "cgroup %s is already in use: it has processes (pid %.*s)" NOT_OURS,
				path, (int)strcspn(procs + strspn(procs, " \n"), "\n"),
				procs + strspn(procs, " \n"));
	r = first_child(fd, child);
	if (r < 0)
		return ward_err_sys(e, "read cgroup %s", path);
	if (r > 0)
		return ward_err(e, EBUSY, "cgroup %s has child cgroups (%s)" NOT_OURS, path, child);
	r = populated(fd, path, e);
	if (r < 0)
		return -1;
	if (r > 0)
		return ward_err(e, EBUSY, "cgroup %s has processes below it" NOT_OURS, path);
	if (read_file_at(fd, "cgroup.type", 64, &type, NULL, e) < 0 ||
	    read_file_at(fd, "cgroup.freeze", 64, &frozen, NULL, e) < 0)
		return ward_err_prefix(e, "cgroup %s", path);
	if (strcmp(type, "domain\n") != 0) /* a threaded one cannot hold a process of its own */
		return ward_err(e, EINVAL, "cgroup %s is of type %.*s, not domain" NOT_OURS, path,
				(int)strcspn(type, "\n"), type);
	if (frozen[0] != '0') /* the init would be born frozen */
		return ward_err(e, EBUSY, "cgroup %s is frozen (cgroup.freeze)" NOT_OURS, path);
	return 0;
}

/* mkdir -p for the parents of path (ward's own, such as /ward, or the host's). */
static int mkdir_parents(const char *path, struct ward_error **e)
{
	_cleanup_free_ char *buf = xstrdup(path);
	char *last = strrchr(buf, '/');
	struct stat st;

	for (char *p = buf + 1; p <= last; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
			int code = errno;

			/* EACCES or EROFS on a level that exists (above the
			 * hierarchy) is not a failure. */
			if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
				return ward_err_errno(e, code, "mkdir %s", buf);
		}
		*p = '/';
	}
	return 0;
}

int ward_cgroup_create(const char *path, enum ward_cgroup_origin *origin, struct ward_error **e)
{
	_cleanup_close_ int fd = -1;
	bool made;

	*origin = WARD_CGROUP_PENDING;
	if (path[0] != '/' || !strrchr(path + 1, '/'))
		return ward_err(e, EINVAL, "cgroup path \"%s\" is not below a hierarchy", path);
	if (mkdir_parents(path, e) < 0)
		return -1;
	made = mkdir(path, 0755) == 0;
	if (!made && errno != EEXIST)
		return ward_err_sys(e, "mkdir %s", path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ward_err_sys(e, "open %s", path);
		goto undo;
	}
	/* Held until the init is in it (the fd is closed after the clone): a
	 * concurrent create that finds it does not take it too. */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		/* not undone: the other create may use it */
		if (!made && check_empty_leaf(fd, path, e) < 0)
			return -1;
		return ward_err(e, EBUSY, "cgroup %s is being set up for another container" NOT_OURS, path);
	}
	if (check_cgroup2(fd, path, e) < 0 || (!made && check_empty_leaf(fd, path, e) < 0))
		goto undo;
	*origin = made ? WARD_CGROUP_CREATED : WARD_CGROUP_ADOPTED;
	return TAKE_FD(fd);
undo:
	if (made)
		rmdir(path);
	return -1;
}

int ward_cgroup_pids(const char *path, pid_t **pids, size_t *n, struct ward_error **e)
{
	_cleanup_free_ char *file = xasprintf("%s/cgroup.procs", path);
	_cleanup_free_ char *text = NULL;
	pid_t *v = NULL;
	size_t count = 0;
	char *save = NULL;

	if (read_file_at(AT_FDCWD, file, CGROUP_PROCS_MAX, &text, NULL, e) < 0)
		return -1;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		int64_t pid;

		if (parse_i64(l, &pid) < 0 || pid <= 0 || pid > INT_MAX) {
			free(v);
			return ward_err(e, EINVAL, "%s: unexpected line \"%s\"", file, l);
		}
		v = xrealloc(v, (count + 1) * sizeof *v);
		v[count++] = (pid_t)pid;
	}
	*pids = v;
	*n = count;
	return 0;
}

/* Whether pid is a member of the cgroup whose path relative to the hierarchy
 * is rel ("/ward/x"), by its "0::" line in /proc/PID/cgroup. */
static bool pid_in_cgroup(pid_t pid, const char *rel)
{
	char file[64];
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;

	snprintf(file, sizeof file, "/proc/%d/cgroup", (int)pid);
	if (read_file_at(AT_FDCWD, file, 1u << 16, &text, NULL, NULL) < 0)
		return false;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "0::", 3) == 0)
			return strcmp(line + 3, rel) == 0;
	return false;
}

/* Signal one pid read from cgroup.procs without ever signalling a recycled
 * one: pin the process with a pidfd, then check that the pinned process is in
 * the cgroup. If the pid was recycled before pidfd_open the check fails; if
 * after, the pidfd still names the old (dead) process and the signal is a
 * no-op. Returns 0 when signalled or gone, -1 with errno otherwise. */
static int signal_pid(pid_t pid, const char *rel, int sig)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (pidfd < 0 && errno == ESRCH)
		return 0;
	if (pidfd < 0 && errno != ENOSYS)
		return -1;
	if (rel && !pid_in_cgroup(pid, rel))
		return 0;
	/* Kernels before 5.3 have no pidfd; the membership check just made is
	 * the best available there. */
	if ((pidfd < 0 ? kill(pid, sig) : (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0)) < 0 &&
	    errno != ESRCH)
		return -1;
	return 0;
}

/* The path of a cgroup relative to the hierarchy root, as /proc/PID/cgroup
 * shows it; NULL when path is not under the hierarchy (then the membership
 * check cannot be made). */
static const char *relative_path(const char *path)
{
	const char *mount = ward_cgroup_mount(NULL);
	size_t n = mount ? strlen(mount) : 0;

	if (!mount || strncmp(path, mount, n) != 0 || path[n] != '/')
		return NULL;
	return path + n;
}

/* Signal every process in the cgroup once; *left is how many were listed. */
static int signal_all(const char *path, int sig, size_t *left, struct ward_error **e)
{
	_cleanup_free_ pid_t *pids = NULL;
	const char *rel = relative_path(path);
	size_t n = 0;

	if (ward_cgroup_pids(path, &pids, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (signal_pid(pids[i], rel, sig) < 0)
			return ward_err_sys(e, "signal %d to pid %d in cgroup %s", sig, (int)pids[i], path);
	if (left)
		*left = n;
	return 0;
}

int ward_cgroup_signal(const char *path, int sig, struct ward_error **e)
{
	return signal_all(path, sig, NULL, e);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait up to one step for the cgroup open as fd to empty: cgroup.events signals
 * POLLPRI when "populated" changes, so the wait usually ends early. */
static void wait_step(int fd)
{
	_cleanup_close_ int efd = openat(fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	char buf[256];
	ssize_t n;
	struct pollfd pfd = {.fd = efd, .events = POLLPRI};

	n = efd >= 0 ? read(efd, buf, sizeof buf - 1) : -1;
	if (n <= 0) {
		sleep_ms(CGROUP_STEP_MS);
		return;
	}
	buf[n] = '\0';
	/* Already empty and still EBUSY: the kernel is tearing down, or a child
	 * cgroup is left; nothing to poll for. */
	if (strstr(buf, "populated 0")) {
		sleep_ms(CGROUP_STEP_MS);
		return;
	}
	poll(&pfd, 1, CGROUP_STEP_MS);
}

/* Write cgroup.kill of the cgroup open as fd: 1 when done, 0 when the kernel
 * has none (before 5.14), -1 with errno. */
static int write_kill(int fd)
{
	_cleanup_close_ int kfd = openat(fd, "cgroup.kill", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);

	if (kfd < 0)
		return errno == ENOENT ? 0 : -1;
	return write_all(kfd, "1", 1) < 0 ? -1 : 1;
}

/* One round of killing the child cgroups of fd: each with its cgroup.kill, or
 * without one, SIGKILL to each of its processes. */
static int kill_children(int fd, const char *path, struct ward_error **e)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return ward_err_sys(e, "read cgroup %s", path);
	}
	while (r == 0 && (de = readdir(d))) {
		_cleanup_close_ int c = -1;
		_cleanup_free_ char *cpath = NULL;
		int k;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		c = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (c < 0)
			continue; /* removed meanwhile */
		cpath = xasprintf("%s/%s", path, de->d_name);
		k = write_kill(c);
		if (k < 0)
			r = ward_err_sys(e, "kill cgroup %s", cpath);
		else if (k == 0)
			r = signal_all(cpath, SIGKILL, NULL, e);
	}
	closedir(d);
	return r;
}

/* SIGKILL every process below the cgroup open as fd, round after round (a
 * fork racing with the reading of cgroup.procs is caught by the next one),
 * until cgroup.events says "populated 0". */
static int kill_rounds(int fd, const char *path, struct ward_error **e)
{
	long long deadline = now_ms() + CGROUP_WAIT_MS;

	for (;;) {
		int r;

		if (kill_children(fd, path, e) < 0 || signal_all(path, SIGKILL, NULL, e) < 0 ||
		    (r = populated(fd, path, e)) < 0)
			return -1;
		if (r == 0)
			return 0;
		if (now_ms() >= deadline)
			return ward_err(e, EBUSY, "kill cgroup %s: processes are left after %d ms", path,
					CGROUP_WAIT_MS);
		wait_step(fd);
	}
}

int ward_cgroup_kill(const char *path, enum ward_cgroup_origin origin, struct ward_error **e)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (origin == WARD_CGROUP_PENDING)
		return 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return ward_err_sys(e, "kill cgroup %s", path);
	if (check_cgroup2(fd, path, e) < 0)
		return -1;
	/* cgroup.kill (5.14) kills the whole subtree atomically, forks included.
	 * But once it is written, the kernel (6.18 at least) SIGKILLs every child
	 * later cloned into that cgroup from another one (CLONE_INTO_CGROUP): fine
	 * for a cgroup ward removes next, not for one it leaves to its owner. */
	if (origin == WARD_CGROUP_CREATED) {
		r = write_kill(fd);
		if (r < 0)
			return ward_err_sys(e, "write %s/cgroup.kill", path);
		if (r > 0)
			return 0;
	}
	return kill_rounds(fd, path, e);
}

/* One pass of removing the cgroups below a cgroup. */
struct sweep {
	size_t removed; /* cgroups removed */
	ino_t *busy;	/* cgroups that could not be removed yet (processes exiting) */
	size_t n_busy;
	long long deadline; /* a pass ends there, whatever is left */
};

static bool is_busy(const struct sweep *s, ino_t ino)
{
	for (size_t i = 0; i < s->n_busy; i++)
		if (s->busy[i] == ino)
			return true;
	return false;
}

static void add_busy(struct sweep *s, ino_t ino)
{
	s->busy = xrealloc(s->busy, (s->n_busy + 1) * sizeof *s->busy);
	s->busy[s->n_busy++] = ino;
}

/* rmdir every child cgroup of fd that can go. Returns 1 with *child open on the
 * first one that cannot because it has child cgroups of its own (to go down
 * into), 0 when the rest are gone or busy, -1 on error (errno). */
static int sweep_dir(int fd, struct sweep *s, int *child)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	int r = 0;

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	while (r == 0 && (de = readdir(d))) {
		char name[NAME_MAX + 1];
		int c;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    is_busy(s, de->d_ino))
			continue;
		if (unlinkat(fd, de->d_name, AT_REMOVEDIR) == 0) {
			s->removed++;
			continue;
		}
		if (errno == ENOENT)
			continue;
		if (errno != EBUSY && errno != ENOTEMPTY) {
			r = -1;
			break;
		}
		c = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (c < 0) {
			r = errno == ENOENT ? 0 : -1;
			continue;
		}
		r = first_child(c, name);
		if (r > 0) {
			*child = c;
			break;
		}
		close(c);
		if (r == 0) /* no child cgroups: processes still exiting */
			add_busy(s, de->d_ino);
	}
	if (r < 0) {
		int code = errno;

		closedir(d);
		errno = code;
		return -1;
	}
	closedir(d);
	return r;
}

/* Remove every cgroup below the one open as top, deepest first, at any depth
 * with three fds: down into a child that rmdir refuses for having children,
 * back up through "..", which in cgroupfs is always the parent (a cgroup can
 * only be renamed within its parent). A directory left with busy cgroups below
 * it is busy too for the rest of the pass. 0 when none is left, -1 with errno
 * (EBUSY: some are left, to try again once their processes are gone). */
static int sweep(int top, struct sweep *s)
{
	int fd = openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), code = 0;
	size_t depth = 0;

	if (fd < 0)
		return -1;
	for (;;) {
		char name[NAME_MAX + 1];
		int child = -1, r = sweep_dir(fd, s, &child), up;
		struct stat st;

		if (r < 0 || now_ms() >= s->deadline) {
			code = r < 0 ? errno : EBUSY;
			if (child >= 0)
				close(child);
			break;
		}
		if (r > 0) {
			close(fd);
			fd = child;
			depth++;
			continue;
		}
		if (depth == 0) {
			code = s->n_busy ? EBUSY : 0;
			break;
		}
		/* done here: the parent removes this directory next, unless
		 * something below it is still busy */
		if (first_child(fd, name) != 0 && fstat(fd, &st) == 0)
			add_busy(s, st.st_ino);
		up = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		code = errno;
		close(fd);
		fd = up;
		depth--;
		if (fd < 0)
			break;
		code = 0;
	}
	if (fd >= 0)
		close(fd);
	errno = code;
	return code ? -1 : 0;
}

/* The last step of a destroy, once nothing is left below the cgroup open as
 * fd: rmdir it when ward created it; an adopted one is left as it was found,
 * empty and not frozen (a paused container's). 0, or an errno value. */
static int finish(int fd, const char *path, enum ward_cgroup_origin origin)
{
	_cleanup_free_ char *base = xstrdup(strrchr(path, '/') + 1);
	int parent, code = 0;

	if (origin == WARD_CGROUP_ADOPTED) {
		struct ward_error *err = NULL;

		if (populated(fd, path, NULL) != 0)
			return EBUSY;
		if (write_file_at(fd, "cgroup.freeze", "0", &err) < 0) {
			code = err->code;
			ward_error_free(err);
		}
		return code;
	}
	parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0)
		return errno;
	if (unlinkat(parent, base, AT_REMOVEDIR) < 0 && errno != ENOENT)
		code = errno;
	close(parent);
	return code;
}

/* Remove the cgroups below the cgroup open as fd (path), then finish it.
 * Passes go on while they remove something, and end CGROUP_WAIT_MS after the
 * last progress (CGROUP_DESTROY_MAX_MS at most). */
static int destroy_at(int fd, const char *path, enum ward_cgroup_origin origin, struct ward_error **e)
{
	long long start = now_ms(), idle = start + CGROUP_WAIT_MS;
	struct sweep s = {0};
	int code;

	for (;;) {
		s.removed = 0;
		s.n_busy = 0;
		s.deadline = start + CGROUP_DESTROY_MAX_MS;
		code = sweep(fd, &s) < 0 ? errno : finish(fd, path, origin);
		if (code == 0 || code == ENOENT) /* ENOENT: removed meanwhile */
			break;
		if (code != EBUSY && code != ENOTEMPTY)
			break;
		if (s.removed)
			idle = now_ms() + CGROUP_WAIT_MS;
		if (now_ms() >= idle || now_ms() >= start + CGROUP_DESTROY_MAX_MS)
			break;
		wait_step(fd);
	}
	free(s.busy);
	if (code == 0 || code == ENOENT)
		return 0;
	if (code != EBUSY && code != ENOTEMPTY)
		return ward_err_errno(e, code, "remove cgroup %s", path);
	return ward_err(e, EBUSY, "remove cgroup %s: processes or cgroups are left after %lld ms", path,
			now_ms() - start);
}

int ward_cgroup_destroy(const char *path, enum ward_cgroup_origin origin, struct ward_error **e)
{
	_cleanup_close_ int fd = -1;
	struct ward_error *kerr = NULL;

	if (origin == WARD_CGROUP_PENDING) /* nothing of it is ward's */
		return 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return ward_err_sys(e, "open cgroup %s", path);
	if (check_cgroup2(fd, path, e) < 0)
		return -1;
	/* first the processes, all of them, below it too: nothing can make new
	 * cgroups while the rest is removed */
	if (ward_cgroup_kill(path, origin, &kerr) < 0) {
		if (kerr->code == ENOENT) { /* removed meanwhile */
			ward_error_free(kerr);
			return 0;
		}
		if (e && !*e)
			*e = kerr; /* hand the kill error up as ours */
		else
			ward_error_free(kerr);
		return -1;
	}
	return destroy_at(fd, path, origin, e);
}

bool ward_cgroup_frozen(const char *path)
{
	_cleanup_free_ char *file = xasprintf("%s/cgroup.freeze", path);
	_cleanup_free_ char *text = NULL;

	if (read_file_at(AT_FDCWD, file, 64, &text, NULL, NULL) < 0)
		return false;
	return text[0] == '1';
}

int ward_cgroup_enter(int dirfd, const char *path, pid_t pid, struct ward_error **e)
{
	_cleanup_close_ int fd = openat(dirfd, "cgroup.procs", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	char buf[32];

	if (fd < 0)
		return ward_err_sys(e, "move pid %d into cgroup %s: open cgroup.procs", (int)pid, path);
	snprintf(buf, sizeof buf, "%d", (int)pid);
	if (write_all(fd, buf, strlen(buf)) < 0)
		return ward_err_sys(e, "move pid %d into cgroup %s", (int)pid, path);
	return 0;
}

/* "frozen 0|1" of cgroup.events, or -1 when it cannot be read. */
static int events_frozen(int fd)
{
	char buf[512], *p;
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "frozen ");
	return p ? p[7] == '1' : -1;
}

int ward_cgroup_freeze(const char *path, bool freeze, int timeout_ms, struct ward_error **e)
{
	_cleanup_free_ char *ctl = xasprintf("%s/cgroup.freeze", path),
			    *ev = xasprintf("%s/cgroup.events", path);
	_cleanup_close_ int fd = open(ev, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct ward_error *err = NULL;

	if (fd < 0)
		return ward_err_sys(e, "open %s", ev);
	if (write_file_at(AT_FDCWD, ctl, freeze ? "1" : "0", &err) < 0) {
		*e = err;
		return -1;
	}
	/* the kernel notifies a change of cgroup.events with POLLPRI */
	for (int waited = 0;;) {
		struct pollfd p = {.fd = fd, .events = POLLPRI};
		int st = events_frozen(fd);

		if (st == (int)freeze)
			return 0;
		if (waited >= timeout_ms)
			break;
		if (poll(&p, 1, 50) < 0 && errno != EINTR)
			return ward_err_sys(e, "poll %s", ev);
		waited += 50;
	}
	if (freeze) /* do not leave it half frozen */
		write_file_at(AT_FDCWD, ctl, "0", NULL);
	return ward_err(e, ETIMEDOUT, "%s: not %s after %d ms", path, freeze ? "frozen" : "thawed",
			timeout_ms);
}
