/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

void *xmalloc0(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *xstrdup(const char *s)
{
	char *r = strdup(s ? s : "");

	if (!r)
		abort();
	return r;
}

char *xstrndup(const char *s, size_t n)
{
	char *r = strndup(s, n);

	if (!r)
		abort();
	return r;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *r;

	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		abort();
	va_end(ap);
	return r;
}

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int read_fd_all(int fd, const char *what, size_t max, char **out, size_t *len, struct ward_error **e)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc0(cap + 1);

	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap > max) {
				free(buf);
				return ward_err(e, EFBIG, "%s: larger than %zu bytes", what, max);
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return ward_err_sys(e, "read %s", what);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(buf);
		return ward_err(e, EFBIG, "%s: larger than %zu bytes", what, max);
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len, struct ward_error **e)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return ward_err_sys(e, "open %s", path);
	return read_fd_all(fd, path, max, out, len, e);
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int write_file_at(int dirfd, const char *path, const char *data, struct ward_error **e)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);

	if (fd < 0)
		return ward_err_sys(e, "open %s", path);
	if (write_all(fd, data, strlen(data)) < 0)
		return ward_err_sys(e, "write %s", path);
	return 0;
}

int write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		      struct ward_error **e)
{
	_cleanup_free_ char *tmp = xasprintf(".%s.tmp", name);
	_cleanup_close_ int fd = -1;

	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return ward_err_sys(e, "create %s", tmp);
	/* no fsync: the rename is what makes readers see all or nothing, and state
	 * under /run does not outlive a reboot anyway (fsync cost ~0.5 ms a file) */
	if (write_all(fd, data, len) < 0) {
		ward_err_sys(e, "write %s", tmp);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		ward_err_sys(e, "rename %s to %s", tmp, name);
		unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

int write_pid_file(const char *path, pid_t pid, struct ward_error **e)
{
	_cleanup_free_ char *d = xstrdup(path), *b = xstrdup(path);
	_cleanup_close_ int dfd = open(dirname(d), O_PATH | O_DIRECTORY | O_CLOEXEC);
	char buf[32];

	if (dfd < 0)
		return ward_err_sys(e, "pid file %s", path);
	snprintf(buf, sizeof buf, "%d", (int)pid);
	return write_file_atomic(dfd, basename(b), buf, strlen(buf), 0644, e) < 0
		   ? ward_err_prefix(e, "pid file")
		   : 0;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int ward_fds_settle(int min, int *const fds[], size_t n)
{
	int keep[16];
	size_t k = 0;

	if (n > ARRAY_SIZE(keep)) {
		errno = E2BIG;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		int fd = *fds[i];

		if (fd < 0)
			continue;
		if (fd < min) {
			int moved = fcntl(fd, F_DUPFD_CLOEXEC, min);

			if (moved < 0)
				return -1;
			/* ours, below min: the caller did not have that fd */
			close(fd);
			*fds[i] = fd = moved;
		}
		keep[k++] = fd;
	}
	qsort(keep, k, sizeof keep[0], cmp_int);
	for (size_t i = 0; i <= k; i++) {
		unsigned lo = (unsigned)(i == 0 ? min : keep[i - 1] + 1);
		unsigned hi = i == k ? ~0U : (unsigned)keep[i] - 1;

		if (lo <= hi && syscall(SYS_close_range, lo, hi, 0) < 0)
			for (unsigned fd = lo; fd <= hi && fd < 4096; fd++)
				close((int)fd);
	}
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

int parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	*out = v;
	return 0;
}

/* /proc/PID/stat: "pid (comm) S ppid ..."; comm may hold spaces and ')'. */
static int proc_stat_fields(pid_t pid, char *state, uint64_t *start)
{
	char path[64], buf[1024], *p;
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int field;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -1;
	p += 2; /* field 3: state */
	*state = *p;
	for (field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return -1;
	*start = strtoull(p, NULL, 10);
	return 0;
}

uint64_t proc_start_time(pid_t pid)
{
	char st;
	uint64_t start;

	if (pid <= 0 || proc_stat_fields(pid, &st, &start) < 0)
		return 0;
	return start;
}

char proc_state(pid_t pid)
{
	char st;
	uint64_t start;

	if (pid <= 0 || proc_stat_fields(pid, &st, &start) < 0)
		return 0;
	return st;
}

char *rfc3339_now(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%09ldZ", buf, ts.tv_nsec);
}

bool valid_container_id(const char *id)
{
	size_t n = 0;

	if (!id || !*id || id[0] == '.')
		return false;
	for (const char *p = id; *p; p++, n++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-' || c == '.'))
			return false;
	}
	return n <= 1024;
}
