/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ward_errno_name(int code)
{
	static __thread char buf[32];
	const char *n = code ? strerrorname_np(code) : NULL;

	if (n)
		return n;
	snprintf(buf, sizeof buf, "errno %d", code);
	return buf;
}

/* Returned when even the error cannot be allocated; never freed. */
static struct ward_error oom_error = {ENOMEM, (char *)"out of memory"};

static int set(struct ward_error **e, int code, char *msg)
{
	struct ward_error *n;

	if (!e || *e) { /* keep the first (innermost) error */
		free(msg);
		return -1;
	}
	n = calloc(1, sizeof *n);
	if (!n || !msg) {
		free(n);
		free(msg);
		*e = &oom_error;
		return -1;
	}
	n->code = code;
	n->msg = msg;
	*e = n;
	return -1;
}

int ward_err(struct ward_error **e, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	return set(e, code, msg);
}

int ward_err_verrno(struct ward_error **e, int code, const char *fmt, va_list ap)
{
	char *head = NULL, *msg = NULL;

	if (vasprintf(&head, fmt, ap) < 0)
		head = NULL;
	if (head && asprintf(&msg, "%s: %s", head, ward_errno_name(code)) < 0)
		msg = NULL;
	free(head);
	return set(e, code, msg);
}

int ward_err_errno(struct ward_error **e, int code, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ward_err_verrno(e, code, fmt, ap);
	va_end(ap);
	return r;
}

int ward_err_sys(struct ward_error **e, const char *fmt, ...)
{
	int code = errno;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ward_err_verrno(e, code, fmt, ap);
	va_end(ap);
	errno = code;
	return r;
}

int ward_err_prefix(struct ward_error **e, const char *fmt, ...)
{
	va_list ap;
	char *head = NULL, *msg = NULL;

	if (!e || !*e || (*e)->msg == NULL)
		return -1;
	va_start(ap, fmt);
	if (vasprintf(&head, fmt, ap) < 0)
		head = NULL;
	va_end(ap);
	if (head && *e != &oom_error && asprintf(&msg, "%s: %s", head, (*e)->msg) >= 0) {
		free((*e)->msg);
		(*e)->msg = msg;
	} else if (msg) {
		free(msg);
	}
	free(head);
	return -1;
}

void ward_error_free(struct ward_error *e)
{
	if (!e || e == &oom_error)
		return;
	free(e->msg);
	free(e);
}
