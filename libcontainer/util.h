/* SPDX-License-Identifier: Apache-2.0 */
#ifndef WARD_UTIL_H
#define WARD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"

/* Cleanup attributes: freed/closed when the variable leaves scope. */
static inline void ward_freep(void *p)
{
	free(*(void **)p);
}
static inline void ward_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_free_	__attribute__((cleanup(ward_freep)))
#define _cleanup_close_ __attribute__((cleanup(ward_closep)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Take ownership out of a cleanup variable. */
#define TAKE_PTR(p)                                                                                          \
	({                                                                                                   \
		__typeof__(p) _t = (p);                                                                      \
		(p) = NULL;                                                                                  \
		_t;                                                                                          \
	})
#define TAKE_FD(fd)                                                                                          \
	({                                                                                                   \
		int _t = (fd);                                                                               \
		(fd) = -1;                                                                                   \
		_t;                                                                                          \
	})

/* Checked allocation: these abort() on out-of-memory, as every allocation in
 * the runtime is small and bounded; they never return NULL. */
void *xmalloc0(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void strv_free(char **v); /* NULL-terminated string vector */
size_t strv_len(char *const *v);

/* Read a whole file (relative to dirfd, or AT_FDCWD) of at most max bytes; the
 * buffer is NUL-terminated. Files larger than max are refused with EFBIG. */
int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len, struct ward_error **e);
int read_fd_all(int fd, const char *what, size_t max, char **out, size_t *len, struct ward_error **e);
/* Write data to dirfd/name atomically for readers: temp file, then rename. */
int write_file_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		      struct ward_error **e);
/* Write the whole buffer to fd, retrying on EINTR and short writes. */
int write_all(int fd, const void *data, size_t len);
/* Write a short string to an existing file (for /proc and /sys knobs). */
int write_file_at(int dirfd, const char *path, const char *data, struct ward_error **e);

/* Write a pid file as engines read it: the decimal pid, atomically (temp file
 * and rename in its directory: a symlink at path is replaced, never followed). */
int write_pid_file(const char *path, pid_t pid, struct ward_error **e);

/* For a process about to join a container: every fd from min up is closed but
 * the ones *fds[i] name (a negative one is skipped); those below min are moved
 * up first (the fds below min are the caller's stdio and preserved fds, handed
 * to the program as they are). -1 with errno on failure. */
int ward_fds_settle(int min, int *const fds[], size_t n);

/* Parse an unsigned decimal (no sign, no junk); -1 with EINVAL/ERANGE on failure. */
int parse_u64(const char *s, uint64_t *out);
int parse_i64(const char *s, int64_t *out);

/* Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat),
 * used with the pid to identify a process across pid reuse. 0 when it is gone. */
uint64_t proc_start_time(pid_t pid);
/* The one-letter state of a process from /proc/PID/stat ('R', 'S', 'Z'...), 0 if gone. */
char proc_state(pid_t pid);

/* Current time in RFC 3339 with nanoseconds, UTC ("2026-11-29T04:40:42.123456789Z"). */
char *rfc3339_now(void);

/* A container ID: 1..1024 characters of [A-Za-z0-9_+.-], not starting with '.'. */
bool valid_container_id(const char *id);

#endif
