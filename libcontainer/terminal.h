/* SPDX-License-Identifier: Apache-2.0 */
/* Terminals: the pty is created inside the container (from its devpts), the
 * master is sent over the console socket with SCM_RIGHTS, as runc does; a
 * foreground `run` without a console socket receives it itself and proxies. */
#ifndef WARD_TERMINAL_H
#define WARD_TERMINAL_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* Connect to the console socket (an AF_UNIX stream socket path on the host). */
int ward_console_connect(const char *path, struct ward_error **e);
/* Send fd over a unix socket with SCM_RIGHTS; name goes as the message payload. */
int ward_send_fd(int sock, int fd, const char *name, struct ward_error **e);
/* Receive one fd sent by ward_send_fd. */
int ward_recv_fd(int sock, int *fd, struct ward_error **e);
/* Open a new pty from the devpts reachable as rootfd/dev/pts/ptmx (falling back to
 * rootfd/dev/ptmx), checked to be the devpts ptmx (char 5:2), unlocked; the peer
 * is opened with TIOCGPTPEER (no path lookup). Window size set when rows/cols != 0. */
int ward_pty_open(int rootfd, uint32_t rows, uint32_t cols, int *master, int *peer, struct ward_error **e);
/* Make the pty peer the calling process's controlling terminal and stdio
 * (setsid must have been called). */
int ward_pty_make_controlling(int peer, struct ward_error **e);
/* Proxy between our stdin/stdout and master until the process behind pidfd has
 * exited and master is drained; our tty (if stdin is one) is put in raw mode and
 * restored, and its window size is copied to master now and on SIGWINCH. */
int ward_tty_proxy(int master, int pidfd, struct ward_error **e);

#endif
