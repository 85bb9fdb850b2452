/* SPDX-License-Identifier: Apache-2.0 */
/* state, list, spec, features: commands that report or generate documents. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "util.h"

static const char *const list_formats[] = {"table", "json", NULL};

const struct flag_def list_flags[] = {
    FLAG("format", 'f', FLAG_STRING, offsetof(struct list_opts, format), "FORMAT",
	 "the output format: table or json (default: table)", .choices = list_formats),
    FLAG("quiet", 'q', FLAG_BOOL, offsetof(struct list_opts, quiet), NULL, "display only the container IDs"),
    {0},
};
const struct flag_def spec_flags[] = {
    FLAG("bundle", 'b', FLAG_STRING, offsetof(struct spec_opts, bundle), "DIR",
	 "write config.json into DIR (default: the current directory)"),
    FLAG("rootless", 0, FLAG_BOOL, offsetof(struct spec_opts, rootless), NULL,
	 "generate a configuration for a rootless container"),
    {0},
};

/* Print a document the library produced, newline-terminated like runc's. */
static void put_document(const char *doc)
{
	size_t len = strlen(doc);

	fputs(doc, stdout);
	if (len == 0 || doc[len - 1] != '\n')
		fputc('\n', stdout);
}

int cmd_state(struct cli *cli, void *opts, int argc, char **argv)
{
	struct ward_ctx *ctx = cli_ctx(cli);
	struct ward_error *e = NULL;
	_cleanup_free_ char *json = NULL;

	(void)opts;
	(void)argc;
	if (!ctx)
		return 1;
	if (ward_state(ctx, argv[0], &json, &e) < 0)
		return cli_fail(e);
	put_document(json);
	return 0;
}

/* runc's table comes from Go's text/tabwriter with a minimum cell width of 12
 * and a padding of 3; the last column is not padded. */
static void list_table(const struct ward_list_entry *l, size_t n)
{
	enum { MIN_WIDTH = 12, PADDING = 3, PADDED = 5 };
	static const char *const head[] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
	int w[PADDED];
	char pid[24];

	for (int c = 0; c < PADDED; c++)
		w[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < n; i++) {
		const char *cells[PADDED] = {l[i].id, pid, l[i].status, l[i].bundle, l[i].created};

		snprintf(pid, sizeof pid, "%d", (int)l[i].pid);
		for (int c = 0; c < PADDED; c++) {
			int len = (int)strlen(cells[c] ? cells[c] : "");

			w[c] = len > w[c] ? len : w[c];
		}
	}
	for (int c = 0; c < PADDED; c++)
		w[c] = w[c] + PADDING < MIN_WIDTH ? MIN_WIDTH : w[c] + PADDING;
	printf("%-*s%-*s%-*s%-*s%-*s%s\n", w[0], head[0], w[1], head[1], w[2], head[2], w[3], head[3], w[4],
	       head[4], head[5]);
	for (size_t i = 0; i < n; i++) {
		snprintf(pid, sizeof pid, "%d", (int)l[i].pid);
		printf("%-*s%-*s%-*s%-*s%-*s%s\n", w[0], l[i].id ? l[i].id : "", w[1], pid, w[2],
		       l[i].status ? l[i].status : "", w[3], l[i].bundle ? l[i].bundle : "", w[4],
		       l[i].created ? l[i].created : "", l[i].owner ? l[i].owner : "");
	}
}

static void json_field(const char *sep, const char *key, const char *value)
{
	printf("%s\"%s\":", sep, key);
	json_put_string(stdout, value);
}

/* One line, like runc's encoder. runc prints `null` for no containers; `[]`
 * is printed instead: it is what a consumer iterating the array expects, and
 * engines do not parse `list`. */
static void list_json(const struct ward_list_entry *l, size_t n)
{
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		json_field(i ? ",{" : "{", "id", l[i].id);
		printf(",\"pid\":%d", (int)l[i].pid);
		json_field(",", "status", l[i].status);
		json_field(",", "bundle", l[i].bundle);
		json_field(",", "rootfs", l[i].rootfs);
		json_field(",", "created", l[i].created);
		json_field(",", "owner", l[i].owner);
		putchar('}');
	}
	puts("]");
}

int cmd_list(struct cli *cli, void *opts, int argc, char **argv)
{
	const struct list_opts *lo = opts;
	struct ward_ctx *ctx = cli_ctx(cli);
	struct ward_error *e = NULL;
	struct ward_list_entry *l = NULL;
	size_t n = 0;

	(void)argc;
	(void)argv;
	if (!ctx)
		return 1;
	if (ward_list(ctx, &l, &n, &e) < 0)
		return cli_fail(e);
	if (lo->quiet) {
		for (size_t i = 0; i < n; i++)
			puts(l[i].id ? l[i].id : "");
	} else if (lo->format && strcmp(lo->format, "json") == 0) {
		list_json(l, n);
	} else {
		list_table(l, n);
	}
	ward_list_free(l, n);
	return 0;
}

/* O_EXCL makes the refusal to overwrite race-free, and (with O_CREAT) refuses
 * a config.json symlink, dangling or not, instead of writing through it. */
int cmd_spec(struct cli *cli, void *opts, int argc, char **argv)
{
	const struct spec_opts *so = opts;
	_cleanup_close_ int dfd = -1, fd = -1;
	_cleanup_free_ char *json = NULL;

	(void)cli;
	(void)argc;
	(void)argv;
	if (so->bundle) {
		dfd = open(so->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return cli_failf("open bundle %s: %s", so->bundle, ward_errno_name(errno));
	}
	json = ward_spec_json(so->rootless);
	if (!json)
		return cli_failf("generate the configuration: %s", ward_errno_name(ENOMEM));
	fd = openat(so->bundle ? dfd : AT_FDCWD, "config.json",
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0666);
	if (fd < 0 && errno == EEXIST)
		return cli_failf("File config.json exists. Remove it first");
	if (fd < 0)
		return cli_failf("create config.json: %s", ward_errno_name(errno));
	if (write_all(fd, json, strlen(json)) < 0 || fsync(fd) < 0) {
		int err = errno;

		unlinkat(so->bundle ? dfd : AT_FDCWD, "config.json", 0);
		return cli_failf("write config.json: %s", ward_errno_name(err));
	}
	return 0;
}

int cmd_features(struct cli *cli, void *opts, int argc, char **argv)
{
	_cleanup_free_ char *json = ward_features_json();

	(void)cli;
	(void)opts;
	(void)argc;
	(void)argv;
	if (!json)
		return cli_failf("generate the features document: %s", ward_errno_name(ENOMEM));
	put_document(json);
	return 0;
}
