/* SPDX-License-Identifier: Apache-2.0 */
/* Errors as values: every fallible library function returns -1 (or NULL) and fills
 * a struct ward_error that carries the errno and a message naming the object,
 * e.g. "mount /proc on /rootfs/proc: EPERM". The library never prints. */
#ifndef WARD_ERROR_H
#define WARD_ERROR_H

#include <stdarg.h>

struct ward_error {
	int code;  /* errno value, 0 when the error is not a system error */
	char *msg; /* one line, no trailing newline */
};

/* Set *e (if e != NULL and *e == NULL) to a new error; always returns -1. */
int ward_err(struct ward_error **e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, taking the code from errno and appending ": ENAME" to the message. */
int ward_err_sys(struct ward_error **e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same as ward_err_sys with an explicit errno value. */
int ward_err_errno(struct ward_error **e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ward_err_verrno(struct ward_error **e, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* Prefix the message of an existing error with context: "ctx: old". Returns -1. */
int ward_err_prefix(struct ward_error **e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ward_error_free(struct ward_error *e);
/* "EPERM" for EPERM; "errno 4242" for unknown values. Static storage. */
const char *ward_errno_name(int code);

#endif
