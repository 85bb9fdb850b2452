/* SPDX-License-Identifier: Apache-2.0 */
/* The commands that act on a container's cgroup: pause, resume, ps, update,
 * events. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "cli.h"
#include "json.h"
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

#define U(f) offsetof(struct update_opts, f)
const struct flag_def update_flags[] = {
    FLAG("resources", 'r', FLAG_STRING, U(resources), "FILE",
	 "an OCI linux.resources JSON object (\"-\": standard input); not with the other flags"),
    FLAG("blkio-weight", 0, FLAG_STRING, U(blkio_weight), "N", "block I/O weight, 10..1000"),
    FLAG("cpu-period", 0, FLAG_STRING, U(cpu_period), "N", "CPU CFS period in microseconds"),
    FLAG("cpu-quota", 0, FLAG_STRING, U(cpu_quota), "N", "CPU CFS quota in microseconds per period"),
    FLAG("cpu-share", 0, FLAG_STRING, U(cpu_share), "N", "CPU shares (relative weight, 2..262144)"),
    FLAG("cpu-rt-period", 0, FLAG_STRING, U(cpu_rt_period), "N",
	 "realtime period (refused: cgroup v2 has none)"),
    FLAG("cpu-rt-runtime", 0, FLAG_STRING, U(cpu_rt_runtime), "N",
	 "realtime runtime (refused: cgroup v2 has none)"),
    FLAG("cpuset-cpus", 0, FLAG_STRING, U(cpuset_cpus), "LIST", "CPUs to use (0-3, 0,1)"),
    FLAG("cpuset-mems", 0, FLAG_STRING, U(cpuset_mems), "LIST", "memory nodes to use (0-3, 0,1)"),
    FLAG("memory", 0, FLAG_STRING, U(memory), "SIZE", "memory limit (-1: unlimited)"),
    FLAG("memory-reservation", 0, FLAG_STRING, U(memory_reservation), "SIZE", "memory soft limit"),
    FLAG("memory-swap", 0, FLAG_STRING, U(memory_swap), "SIZE", "memory plus swap limit (-1: unlimited)"),
    FLAG("pids-limit", 0, FLAG_STRING, U(pids_limit), "N", "maximum number of processes (-1: unlimited)"),
    FLAG("kernel-memory", 0, FLAG_STRING, U(kernel_memory), "SIZE",
	 "kernel memory limit (refused: cgroup v2 has none)"),
    FLAG("kernel-memory-tcp", 0, FLAG_STRING, U(kernel_memory_tcp), "SIZE",
	 "kernel TCP memory limit (refused: cgroup v2 has none)"),
    FLAG("l3-cache-schema", 0, FLAG_STRING, U(l3_cache_schema), "SCHEMA",
	 "Intel RDT L3 cache schema (refused: not supported)"),
    FLAG("mem-bw-schema", 0, FLAG_STRING, U(mem_bw_schema), "SCHEMA",
	 "Intel RDT memory bandwidth schema (refused: not supported)"),
    {0},
};

/* A size as Docker's units.RAMInBytes takes it: a decimal with an optional
 * k, m, g, t or p suffix (powers of 1024, "b"/"ib" allowed), or -1. */
static int parse_size(const char *flag, const char *s, long long *out)
{
	static const char units[] = "kmgtp";
	char *end;
	double v;
	const char *u;

	if (strcmp(s, "-1") == 0) {
		*out = -1;
		return 0;
	}
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || v < 0 || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		goto bad;
	if (*end == ' ')
		end++;
	if (*end && (u = strchr(units, tolower((unsigned char)*end)))) {
		for (long i = 0; i <= u - units; i++)
			v *= 1024;
		end++;
		if (tolower((unsigned char)*end) == 'i')
			end++;
	}
	if (tolower((unsigned char)*end) == 'b')
		end++;
	if (*end || v > 9.2e18)
		goto bad;
	*out = (long long)v;
	return 0;
bad:
	return cli_failf("invalid value \"%s\" for flag --%s: expected a size such as 512m or -1", s, flag);
}

static int parse_int(const char *flag, const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	if (end == s || *end || errno)
		return cli_failf("invalid value \"%s\" for flag --%s: expected an integer", s, flag);
	return 0;
}

struct update_field {
	const char *flag, *group, *key;
	size_t off;
	enum { F_INT, F_SIZE, F_STR } kind;
};

static const struct update_field update_fields[] = {
    {"memory", "memory", "limit", U(memory), F_SIZE},
    {"memory-reservation", "memory", "reservation", U(memory_reservation), F_SIZE},
    {"memory-swap", "memory", "swap", U(memory_swap), F_SIZE},
    {"kernel-memory", "memory", "kernel", U(kernel_memory), F_SIZE},
    {"kernel-memory-tcp", "memory", "kernelTCP", U(kernel_memory_tcp), F_SIZE},
    {"cpu-share", "cpu", "shares", U(cpu_share), F_INT},
    {"cpu-quota", "cpu", "quota", U(cpu_quota), F_INT},
    {"cpu-period", "cpu", "period", U(cpu_period), F_INT},
    {"cpu-rt-runtime", "cpu", "realtimeRuntime", U(cpu_rt_runtime), F_INT},
    {"cpu-rt-period", "cpu", "realtimePeriod", U(cpu_rt_period), F_INT},
    {"cpuset-cpus", "cpu", "cpus", U(cpuset_cpus), F_STR},
    {"cpuset-mems", "cpu", "mems", U(cpuset_mems), F_STR},
    {"pids-limit", "pids", "limit", U(pids_limit), F_INT},
    {"blkio-weight", "blockIO", "weight", U(blkio_weight), F_INT},
};

/* The flags as a linux.resources object (malloc'd), or NULL after printing why. */
static char *flags_resources(const struct update_opts *o)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const char *open_group = NULL;
	char *text = NULL;

	yajl_gen_map_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(update_fields); i++) {
		const struct update_field *f = &update_fields[i];
		const char *v = *(const char *const *)((const char *)o + f->off);
		long long n = 0;

		if (!v)
			continue;
		if ((f->kind == F_SIZE && parse_size(f->flag, v, &n)) ||
		    (f->kind == F_INT && parse_int(f->flag, v, &n)))
			goto out;
		if (!open_group || strcmp(open_group, f->group) != 0) {
			if (open_group)
				yajl_gen_map_close(g);
			json_gen_str(g, f->group);
			yajl_gen_map_open(g);
			open_group = f->group;
		}
		json_gen_str(g, f->key);
		if (f->kind == F_STR)
			json_gen_str(g, v);
		else
			yajl_gen_integer(g, n);
	}
	if (open_group)
		yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	text = json_gen_text(g, false);
out:
	yajl_gen_free(g);
	return text;
}

static bool any_flag(const struct update_opts *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(update_fields); i++)
		if (*(const char *const *)((const char *)o + update_fields[i].off))
			return true;
	return false;
}

int cmd_update(struct cli *cli, void *opts, int argc, char **argv)
{
	const struct update_opts *o = opts;
	struct ward_ctx *ctx = cli_ctx(cli);
	struct ward_error *e = NULL;
	_cleanup_free_ char *json = NULL;

	(void)argc;
	if (!ctx)
		return 1;
	if (o->l3_cache_schema || o->mem_bw_schema)
		return cli_failf("--%s: Intel RDT is not supported by ward",
				 o->l3_cache_schema ? "l3-cache-schema" : "mem-bw-schema");
	if (o->resources && any_flag(o))
		return cli_failf("--resources cannot be combined with the other update flags");
	if (o->resources) {
		bool in = strcmp(o->resources, "-") == 0;

		if ((in ? read_fd_all(0, "standard input", 1 << 20, &json, NULL, &e)
			: read_file_at(AT_FDCWD, o->resources, 1 << 20, &json, NULL, &e)) < 0) {
			ward_err_prefix(&e, "--resources %s", in ? "(standard input)" : o->resources);
			return cli_fail(e);
		}
	} else if (!any_flag(o)) {
		return cli_failf("update: nothing to update (give --resources or a limit flag)");
	} else if (!(json = flags_resources(o))) {
		return 1;
	}
	return ward_update(ctx, argv[0], json, &e) < 0 ? cli_fail(e) : 0;
}

#define EV(f) offsetof(struct events_opts, f)
const struct flag_def events_flags[] = {
    FLAG("interval", 0, FLAG_STRING, EV(interval), "DURATION", "time between statistics (default 5s)"),
    FLAG("stats", 0, FLAG_BOOL, EV(stats), NULL, "print the statistics once and exit"),
    {0},
};

/* A Go duration ("5s", "1m30s", "250ms", "1.5h") in milliseconds, at least 1. */
static int parse_duration(const char *s, unsigned *ms)
{
	static const struct {
		const char *unit;
		double ms;
	} units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"µs", 1e-3}, {"ms", 1},
		     {"s", 1e3},   {"m", 6e4},	 {"h", 3.6e6}};
	const char *p = s;
	double total = 0;

	while (*p) {
		char *end;
		double v = strtod(p, &end);
		size_t i;

		if (end == p || *p == '-' || *p == '+')
			goto bad;
		for (i = 0; i < ARRAY_SIZE(units); i++) {
			size_t n = strlen(units[i].unit);

			/* "m" must not take the m of "ms" */
			if (strncmp(end, units[i].unit, n) == 0 &&
			    !(n == 1 && end[0] == 'm' && end[1] == 's'))
				break;
		}
		if (i == ARRAY_SIZE(units))
			goto bad;
		total += v * units[i].ms;
		p = end + strlen(units[i].unit);
	}
	if (total < 1 || total > 86400000.0 * 365)
		goto bad;
	*ms = (unsigned)total;
	return 0;
bad:
	return cli_failf("invalid value \"%s\" for flag --interval: expected a duration such as 5s or 500ms",
			 s);
}

static int print_event(void *ud, const char *json)
{
	int *gone = ud;

	/* a reader that went away (`ward events ID | head -1`) ends the stream:
	 * the normal end of a stream, not an error */
	if (printf("%s\n", json) < 0 || fflush(stdout) != 0) {
		*gone = errno == EPIPE;
		return 1;
	}
	return 0;
}

int cmd_events(struct cli *cli, void *opts, int argc, char **argv)
{
	const struct events_opts *o = opts;
	struct ward_ctx *ctx = cli_ctx(cli);
	struct ward_error *e = NULL;
	struct ward_events_opts eo = {.interval_ms = 5000, .stats_only = o->stats};
	int gone = 0;

	(void)argc;
	if (!ctx)
		return 1;
	if (o->interval && parse_duration(o->interval, &eo.interval_ms))
		return 1;
	signal(SIGPIPE, SIG_IGN);
	if (ward_events(ctx, argv[0], &eo, print_event, &gone, &e) < 0)
		return cli_fail(e);
	if (gone) {
		__fpurge(stdout);
		clearerr(stdout);
	}
	return 0;
}
