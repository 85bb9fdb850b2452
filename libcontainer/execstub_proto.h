/* SPDX-License-Identifier: Apache-2.0 */
/* What ward and its exec stub (execstub.c, freestanding) agree on: the steps of
 * the stub's first argument and the messages on the sync socket (the header of
 * launch.c's sync protocol: two int32, type and code). No includes: the stub is
 * built without libc. */
#ifndef WARD_EXECSTUB_PROTO_H
#define WARD_EXECSTUB_PROTO_H

#define WARD_STUB_FORK	 'P' /* P<fd>: fork (CLONE_PARENT), the parent sends PID and exits */
#define WARD_STUB_SETSID 'S' /* S: setsid */
#define WARD_STUB_CTTY	 'T' /* T: fd 0 becomes the controlling terminal */
#define WARD_STUB_GO	 'G' /* G<fd>: wait for GO */
#define WARD_STUB_CLOSE	 'C' /* C<fd>: close */
#define WARD_STUB_REPORT 'X' /* X<fd>: errors go to fd, which is closed by the execve */
#define WARD_STUB_START	 'F' /* F<fd>: wait for one byte (exec.fifo) */

/* message types: equal to enum ward_sync's (launch.h checks) */
#define WARD_STUB_MSG_GO    1
#define WARD_STUB_MSG_ERROR 5
#define WARD_STUB_MSG_PID   6

#endif
