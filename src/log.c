/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* One log per process: the CLI runs one command and exits. */
static struct {
	int fd;
	bool json;
	bool debug;
	bool is_stderr; /* the destination is our stderr: never print an error twice */
} lg = {.fd = STDERR_FILENO, .is_stderr = true};

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int log_open(const char *path, const char *format, bool debug, struct ward_error **e)
{
	int fd;

	lg.json = format && strcmp(format, "json") == 0;
	lg.debug = debug;
	if (!path || !*path) /* runc treats an empty --log as the default, stderr */
		return 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0)
		return ward_err_sys(e, "open log file %s", path);
	lg.fd = fd;
	/* --log /dev/stderr (runc's documented default) is still stderr. */
	lg.is_stderr = same_file(fd, STDERR_FILENO);
	return 0;
}

void log_close(void)
{
	if (lg.fd != STDERR_FILENO)
		close(lg.fd);
	lg.fd = STDERR_FILENO;
	lg.is_stderr = true;
}

/* Length of the valid UTF-8 sequence at s, 0 when it is not one (overlong
 * forms, surrogates and code points above U+10FFFF are invalid). */
static size_t utf8_len(const unsigned char *s)
{
	unsigned cp, min;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1fu;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0fu;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07u;
		min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) { /* stops at the NUL: it is not a continuation byte */
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void json_put_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', f);
	while (*p) {
		size_t n;

		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(f, "\\u%04x", *p);
				break;
			}
			n = utf8_len(p);
			if (n == 0) {
				fputs("\\ufffd", f);
				break;
			}
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		p++;
	}
	fputc('"', f);
}

static const char *level_name(enum ward_log_level level)
{
	switch (level) {
	case WARD_LOG_ERROR:
		return "error";
	case WARD_LOG_WARN:
		return "warning";
	case WARD_LOG_INFO:
		return "info";
	case WARD_LOG_DEBUG:
		return "debug";
	}
	return "info";
}

void log_write(enum ward_log_level level, const char *msg)
{
	char ts[32] = "1970-01-01T00:00:00Z", *buf = NULL;
	size_t len = 0;
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	if (level == WARD_LOG_DEBUG && !lg.debug)
		return;
	/* RFC 3339 in UTC, like logrus with TZ=UTC: seconds are what runc prints. */
	if (gmtime_r(&now, &tm))
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	/* logrus marshals a map, so its keys come sorted: level, msg, time. */
	if (lg.json) {
		fprintf(f, "{\"level\":\"%s\",\"msg\":", level_name(level));
		json_put_string(f, msg);
		fprintf(f, ",\"time\":\"%s\"}\n", ts);
	} else {
		fprintf(f, "time=\"%s\" level=%s msg=", ts, level_name(level));
		json_put_string(f, msg);
		fputc('\n', f);
	}
	if (fclose(f) == 0)
		(void)write_all(lg.fd, buf, len); /* nowhere left to report a failure */
	free(buf);
}

void log_printf(enum ward_log_level level, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg)
		log_write(level, msg);
	free(msg);
}

void log_library(void *userdata, enum ward_log_level level, const char *msg)
{
	(void)userdata;
	log_write(level, msg);
}

void log_report_error(const char *msg)
{
	char *line;

	if (!msg || !*msg)
		msg = "unknown error";
	line = xasprintf("ward: %s\n", msg);
	/* One line per failure; the only messages with line breaks are lists the
	 * first line introduces (the restricted policy's violations, one a line). */
	for (char *p = line; p[1]; p++)
		if (*p == '\r')
			*p = ' ';
	(void)write_all(STDERR_FILENO, line, strlen(line));
	free(line);
	if (!lg.is_stderr)
		log_write(WARD_LOG_ERROR, msg);
}
