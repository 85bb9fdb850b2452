/* SPDX-License-Identifier: Apache-2.0 */
/* The CLI's log: where the library's warnings and debug messages and the final
 * error of a failed command go. Formats follow runc's logrus output because
 * engines parse it: containerd's shim reports the msg of the last
 * {"level":"error",...} line of the --log file when a command fails. */
#ifndef WARD_LOG_H
#define WARD_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "ward.h"

/* Set the destination: path (appended to, created 0644, O_CLOEXEC so that no
 * container process inherits it) or stderr when path is NULL or empty.
 * format: "json" or anything else for text. Debug messages only when debug. */
int log_open(const char *path, const char *format, bool debug, struct ward_error **e);
void log_close(void);

/* One line to the log destination, written with a single write(2) so that
 * concurrent ward processes appending to the same file do not interleave. */
void log_write(enum ward_log_level level, const char *msg);
void log_printf(enum ward_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A ward_log_fn for ward_ctx_set_logger(). */
void log_library(void *userdata, enum ward_log_level level, const char *msg);

/* A failed command: "ward: msg" as one line on stderr and, when the log is not
 * stderr itself, msg verbatim at error level in the log. */
void log_report_error(const char *msg);

/* s as a JSON string literal (quotes included): control characters escaped,
 * invalid UTF-8 replaced by U+FFFD, so that strict parsers accept any input. */
void json_put_string(FILE *f, const char *s);

#endif
