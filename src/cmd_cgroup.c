/* SPDX-License-Identifier: Apache-2.0 */
/* The commands that act on a container's cgroup: pause, resume, ps. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

static const char *const ps_formats[] = {"table", "json", NULL};

const struct flag_def ps_flags[] = {
    FLAG("format", 'f', FLAG_STRING, offsetof(struct ps_opts, format), "FORMAT",
	 "table (ps's output for the container's processes) or json (an array of pids)",
	 .choices = ps_formats),
    {0},
};

int cmd_pause(struct cli *cli, void *opts, int argc, char **argv)
{
	struct ward_ctx *ctx = cli_ctx(cli);
	struct ward_error *e = NULL;

	(void)opts, (void)argc;
	if (!ctx)
		return 1;
	return ward_pause(ctx, argv[0], &e) < 0 ? cli_fail(e) : 0;
}

int cmd_resume(struct cli *cli, void *opts, int argc, char **argv)
{
	struct ward_ctx *ctx = cli_ctx(cli);
	struct ward_error *e = NULL;

	(void)opts, (void)argc;
	if (!ctx)
		return 1;
	return ward_resume(ctx, argv[0], &e) < 0 ? cli_fail(e) : 0;
}

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* As runc: run ps (ARGS, default -ef), keep its header and the lines whose PID
 * column is one of the container's processes. */
static int ps_table(char **args, int nargs, const pid_t *pids, size_t n)
{
	char **argv = xmalloc0(((size_t)nargs + 3) * sizeof *argv), *line = NULL;
	size_t cap = 0;
	int fds[2], col = -1, status;
	FILE *f;
	pid_t child;

	argv[0] = (char *)"ps";
	for (int i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	if (nargs == 0)
		argv[1] = (char *)"-ef";
	if (pipe(fds) < 0 || (child = fork()) < 0) {
		free(argv);
		return cli_failf("run ps: %s", strerror(errno));
	}
	if (child == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execvp("ps", argv);
		_exit(127);
	}
	free(argv);
	close(fds[1]);
	f = fdopen(fds[0], "r");
	for (bool header = true; f && getline(&line, &cap, f) > 0; header = false) {
		char *copy = xstrdup(line), *save = NULL, *tok = strtok_r(copy, " \t\n", &save);
		int i = 0;

		for (; tok && (header ? strcmp(tok, "PID") != 0 : i < col); i++)
			tok = strtok_r(NULL, " \t\n", &save);
		if (header) {
			col = tok ? i : -1;
			fputs(line, stdout);
		} else if (tok && has_pid(pids, n, strtol(tok, NULL, 10))) {
			fputs(line, stdout);
		}
		free(copy);
		if (col < 0)
			break;
	}
	free(line);
	if (f)
		fclose(f);
	waitpid(child, &status, 0);
	if (col < 0)
		return cli_failf("ps: its output has no PID column");
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : cli_failf("ps failed");
}

int cmd_ps(struct cli *cli, void *opts, int argc, char **argv)
{
	const struct ps_opts *o = opts;
	struct ward_ctx *ctx = cli_ctx(cli);
	struct ward_error *e = NULL;
	pid_t *pids = NULL;
	size_t n = 0;
	int r = 0;

	if (!ctx)
		return 1;
	if (ward_ps(ctx, argv[0], &pids, &n, &e) < 0)
		return cli_fail(e);
	if (o->format && strcmp(o->format, "json") == 0) {
		putchar('[');
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		puts("]");
	} else {
		/* runc's form: ps ID [-- ps-args] */
		int skip = argc > 1 && strcmp(argv[1], "--") == 0 ? 2 : 1;

		r = ps_table(argv + skip, argc - skip, pids, n);
	}
	free(pids);
	return r;
}
