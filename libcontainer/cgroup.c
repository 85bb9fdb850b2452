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
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CGROUP_ROOT	      "/sys/fs/cgroup"
#define CGROUP_HYBRID	      "/sys/fs/cgroup/unified"
#define CGROUP_PROCS_MAX      (4u << 20) /* ~500k pids */
#define CGROUP_WAIT_MS	      1000	 /* how long destroy waits for the cgroup to empty */
#define CGROUP_STEP_MS	      10
#define CGROUP_MAX_TREE_DEPTH 64 /* child cgroups removed by destroy */

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

int ward_cgroup_create(const char *path, struct ward_error **e)
{
	_cleanup_free_ char *buf = xstrdup(path);
	_cleanup_free_ char *procs = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (path[0] != '/')
		return ward_err(e, EINVAL, "cgroup path \"%s\" is not absolute", path);
	/* One level at a time: the parents may not exist yet (/ward). */
	for (char *p = buf + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
			int code = errno;

			/* EACCES or EROFS on a level that exists (above the
			 * hierarchy) is not a failure. */
			if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
				return ward_err_errno(e, code, "mkdir %s", buf);
		}
		*p = c;
		if (!c)
			break;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ward_err_sys(e, "open %s", path);
	if (read_file_at(fd, "cgroup.procs", CGROUP_PROCS_MAX, &procs, NULL, e) < 0)
		return ward_err_prefix(e, "cgroup %s", path);
	/* Sharing a cgroup with another container would let one's limits, kill
	 * and destroy act on the other. */
	if (has_pids(procs))
		return ward_err(e, EBUSY, "cgroup %s is already in use", path);
	return TAKE_FD(fd);
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

int ward_cgroup_kill(const char *path, struct ward_error **e)
{
	_cleanup_free_ char *file = xasprintf("%s/cgroup.kill", path);
	_cleanup_close_ int fd = open(file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	long long deadline;
	struct stat st;

	/* cgroup.kill (5.14) kills the whole subtree atomically, forks included. */
	if (fd >= 0) {
		if (write_all(fd, "1", 1) < 0)
			return ward_err_sys(e, "write %s", file);
		return 0;
	}
	if (errno != ENOENT)
		return ward_err_sys(e, "open %s", file);
	if (stat(path, &st) < 0)
		return ward_err_sys(e, "kill cgroup %s", path);
	/* Older kernels: SIGKILL what is listed until nothing is; a fork racing
	 * with the reading of cgroup.procs is caught by the next round. */
	deadline = now_ms() + CGROUP_WAIT_MS;
	do {
		size_t left = 0;

		if (signal_all(path, SIGKILL, &left, e) < 0)
			return -1;
		if (left == 0)
			return 0;
		sleep_ms(CGROUP_STEP_MS);
	} while (now_ms() < deadline);
	return ward_err(e, EBUSY, "kill cgroup %s: processes are left after %d ms", path, CGROUP_WAIT_MS);
}

/* rmdir the cgroup and, first, any child cgroups the container made (a systemd
 * inside it does). Only directories are removed: cgroupfs has nothing else
 * that can be. Errors below the top are left for the top rmdir to report. */
static int rmdir_tree(const char *path, int depth)
{
	DIR *d = depth < CGROUP_MAX_TREE_DEPTH ? opendir(path) : NULL;
	struct dirent *de;

	while (d && (de = readdir(d))) {
		char *child;

		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		child = xasprintf("%s/%s", path, de->d_name);
		rmdir_tree(child, depth + 1);
		free(child);
	}
	if (d)
		closedir(d);
	return rmdir(path);
}

/* Wait up to one step for the cgroup to empty: cgroup.events signals POLLPRI
 * when "populated" changes, so the wait usually ends early. */
static void wait_step(const char *path)
{
	_cleanup_free_ char *file = xasprintf("%s/cgroup.events", path);
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	char buf[256];
	ssize_t n;
	struct pollfd pfd = {.fd = fd, .events = POLLPRI};

	n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
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

int ward_cgroup_destroy(const char *path, struct ward_error **e)
{
	struct ward_error *kerr = NULL;
	long long deadline;
	struct stat st;

	if (stat(path, &st) < 0 && errno == ENOENT)
		return 0;
	if (ward_cgroup_kill(path, &kerr) < 0) {
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
	deadline = now_ms() + CGROUP_WAIT_MS;
	for (;;) {
		if (rmdir_tree(path, 0) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return ward_err_sys(e, "rmdir %s", path);
		if (now_ms() >= deadline)
			return ward_err_sys(e, "rmdir %s", path);
		wait_step(path);
	}
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
