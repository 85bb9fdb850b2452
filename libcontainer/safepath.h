/* SPDX-License-Identifier: Apache-2.0 */
/* The only way ward resolves a path inside a container's rootfs: every lookup is
 * openat2(rootfd, path, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), so a symlink in
 * the image ("/proc -> /", "/dev/null -> /host/file") can never lead outside the
 * rootfs. Paths may be absolute ("/dev/pts") or relative; both are taken inside
 * rootfd. Errors keep errno (ENOENT lets callers skip missing masked paths). */
#ifndef WARD_SAFEPATH_H
#define WARD_SAFEPATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS; flags get O_CLOEXEC added.
 * Returns the fd or -1 ("open <path> in <rootname>: ENOENT"). */
int safe_open(int rootfd, const char *path, int flags, mode_t mode, struct ward_error **e);
/* mkdir -p inside the root, one component at a time through fds (never by a
 * concatenated string). Returns an O_PATH|O_DIRECTORY fd of the last directory. */
int safe_mkdir_p(int rootfd, const char *path, mode_t mode, struct ward_error **e);
/* Make sure a mount destination exists inside the root, creating missing parents
 * (0755) and the last component as a directory (dir) or an empty file (0644) when
 * it is missing. Returns an O_PATH fd of the destination. */
int safe_mount_target(int rootfd, const char *path, bool dir, struct ward_error **e);
/* Split "a/b/c" into the O_PATH fd of the parent ("a/b", created if mkdir) and the
 * last component (a pointer into a malloc'd copy returned in *buf). */
int safe_parent(int rootfd, const char *path, bool mkdir, char **buf, const char **last,
		struct ward_error **e);
/* "/proc/self/fd/N" for fd, in buf. */
const char *fd_path(int fd, char buf[static 32]);
/* The path an fd refers to, read from /proc/self/fd (for messages only). */
char *fd_describe(int fd);

#endif
