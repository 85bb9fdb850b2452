/* SPDX-License-Identifier: Apache-2.0 */
/* ward: global options, dispatch to the command handlers, exit status. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "util.h"

static const char *const log_formats[] = {"text", "json", NULL};
static const char *const cgroup_managers[] = {"cgroupfs", "systemd", "disabled", NULL};
static const char *const rootless_values[] = {"true", "false", "auto", NULL};
static const char *const policy_levels[] = {"baseline", "oci", "restricted", NULL};

#define G(f) offsetof(struct cli_globals, f)
static const struct flag_def global_flags[] = {
    FLAG("root", 0, FLAG_STRING, G(root), "DIR",
	 "directory for the containers' state, on a tmpfs (default: /run/ward)"),
    FLAG("log", 0, FLAG_STRING, G(log_path), "FILE", "append log messages to FILE (default: stderr)"),
    FLAG("log-format", 0, FLAG_STRING, G(log_format), "FORMAT",
	 "the log format: text or json (default: text)", .choices = log_formats),
    FLAG("debug", 0, FLAG_BOOL, G(debug), NULL, "enable debug logging"),
    FLAG("systemd-cgroup", 0, FLAG_BOOL, G(systemd_cgroup), NULL,
	 "cgroupsPath is systemd's \"slice:prefix:name\", placed where systemd would put the unit"),
    FLAG("cgroup-manager", 0, FLAG_STRING, G(cgroup_manager), "MANAGER",
	 "cgroupfs, systemd (as --systemd-cgroup) or disabled", .choices = cgroup_managers),
    FLAG("rootless", 0, FLAG_OPTIONAL, G(rootless), "VALUE",
	 "accepted for runc compatibility (true, false or auto), no effect yet", .choices = rootless_values,
	 .implicit = "true"),
    FLAG("policy", 0, FLAG_STRING, G(policy), "LEVEL",
	 "baseline (hardened defaults; default), restricted (refuse risky configs) or oci (spec defaults)",
	 .choices = policy_levels),
    FLAG("criu", 0, FLAG_STRING, G(criu), "PATH", "accepted for runc compatibility, ignored"),
    FLAG("version", 'v', FLAG_BOOL, G(version), NULL, "print the version"),
    {0},
};

#define ID "<container-id>"
/* clang-format off */
static const struct cli_command commands[] = {
	{.name = "audit", .args = "<bundle>|<config.json>", .min_args = 1, .max_args = 1, .run = cmd_audit,
	 .flags = audit_flags, .opts_size = sizeof(struct audit_opts),
	 .summary = "report a config's security findings and exposure score",
	 .description = "Each finding has an id, a severity, the JSON path, the CIS Docker or Pod Security\n"
			"control it relates to and the fix; the exposure score goes from 0.0 to 10.0.\n"
			"The global --policy decides what absent fields get (default: baseline).\n"
			"Exit status: 0, or 1 when the score is above --fail-above or on an error."},
	{.name = "check", .args = "", .run = cmd_check,
	 .flags = check_flags, .opts_size = sizeof(struct check_opts),
	 .summary = "check that this host can run containers safely",
	 .description = "cgroup v2, user namespaces, seccomp, landlock, pidfd_open/clone3/openat2 and\n"
			"hardening sysctls, each ok, warn or fail with a fix.\n"
			"Exit status: 0 when nothing failed (warnings allowed), else 1."},
	{.name = "create", .args = ID, .min_args = 1, .max_args = 1, .run = cmd_create,
	 .flags = create_flags, .opts_size = sizeof(struct create_opts),
	 .summary = "create a container",
	 .description = "Create a container from a bundle: a directory with config.json and a root filesystem.\n"
			"The container's process waits for `ward start`."},
	{.name = "delete", .args = ID, .min_args = 1, .max_args = 1, .run = cmd_delete,
	 .flags = delete_flags, .opts_size = sizeof(struct delete_opts),
	 .summary = "delete the resources held by a stopped container"},
	{.name = "events", .args = ID, .min_args = 1, .max_args = 1, .run = cmd_events,
	 .flags = events_flags, .opts_size = sizeof(struct events_opts),
	 .summary = "display container events: resource statistics and OOM kills",
	 .description = "One JSON object per line, as runc: {\"type\":\"stats\",\"id\":ID,\"data\":{...}} every\n"
			"--interval, and {\"type\":\"oom\",\"id\":ID} as OOM kills happen, until the container's\n"
			"init exits. --stats prints the statistics once."},
	{.name = "exec", .args = ID " <command> [args...]  |  -p process.json " ID,
	 .min_args = 1, .max_args = -1, .stop_after = 1, .run = cmd_exec,
	 .flags = exec_flags, .opts_size = sizeof(struct exec_opts),
	 .summary = "execute a new process inside a running container",
	 .description = "Options go before the container ID: everything after it is the command."},
	{.name = "features", .args = "", .run = cmd_features,
	 .summary = "show the enabled features"},
	{.name = "kill", .args = ID " [signal]", .min_args = 1, .max_args = 2, .run = cmd_kill,
	 .flags = kill_flags, .opts_size = sizeof(struct kill_opts),
	 .summary = "send a signal (default: SIGTERM) to the container's init process",
	 .description = "The signal is a name, with or without SIG (KILL, SIGKILL), or a number."},
	{.name = "list", .args = "", .run = cmd_list,
	 .flags = list_flags, .opts_size = sizeof(struct list_opts),
	 .summary = "list the containers in the state root"},
	{.name = "pause", .args = ID, .min_args = 1, .max_args = 1, .run = cmd_pause,
	 .summary = "freeze every process of a container (cgroup v2 freezer)"},
	{.name = "ps", .args = ID " [-- ps-args]", .min_args = 1, .max_args = -1, .stop_after = 1, .run = cmd_ps,
	 .flags = ps_flags, .opts_size = sizeof(struct ps_opts),
	 .summary = "list the processes of a container",
	 .description = "table: ps's output (ps-args, default -ef) for the container's processes; json: their pids."},
	{.name = "resume", .args = ID, .min_args = 1, .max_args = 1, .run = cmd_resume,
	 .summary = "thaw a paused container"},
	{.name = "run", .args = ID, .min_args = 1, .max_args = 1, .run = cmd_run,
	 .flags = run_flags, .opts_size = sizeof(struct create_opts),
	 .summary = "create and start a container",
	 .description = "In the foreground ward exits with the container's exit status."},
	{.name = "spec", .args = "", .run = cmd_spec,
	 .flags = spec_flags, .opts_size = sizeof(struct spec_opts),
	 .summary = "create a new config.json"},
	{.name = "start", .args = ID, .min_args = 1, .max_args = 1, .run = cmd_start,
	 .summary = "start the user's process in a created container"},
	{.name = "state", .args = ID, .min_args = 1, .max_args = 1, .run = cmd_state,
	 .summary = "output the state of a container as JSON"},
	{.name = "update", .args = ID, .min_args = 1, .max_args = 1, .run = cmd_update,
	 .flags = update_flags, .opts_size = sizeof(struct update_opts),
	 .summary = "update a container's resource limits",
	 .description = "Either --resources FILE (\"-\": standard input), an OCI linux.resources object,\n"
			"or the flags. What is not given stays as it is; the result is validated like a\n"
			"config before anything is written. Sizes take k, m, g, t, p suffixes (powers of 1024)."},
};
/* clang-format on */

static void print_usage(FILE *f)
{
	fputs("Usage: ward [global options] <command> [command options] [arguments...]\n\n"
	      "ward is an OCI container runtime with runc's command line.\n\nCommands:\n",
	      f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s%s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-10s%s\n\nGlobal options:\n", "help", "show this help, or the help of a command");
	flags_print_help(f, global_flags);
	fputs("\nRun 'ward <command> --help' for the options of a command.\n", f);
}

static void print_command_usage(FILE *f, const struct cli_command *c)
{
	fprintf(f, "ward %s - %s\n\nUsage: ward %s%s%s%s\n", c->name, c->summary, c->name,
		c->flags ? " [options]" : "", *c->args ? " " : "", c->args);
	if (c->description)
		fprintf(f, "\n%s\n", c->description);
	fputs("\nOptions:\n", f);
	flags_print_help(f, c->flags);
}

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int cli_fail(struct ward_error *e)
{
	log_report_error(e ? e->msg : NULL);
	ward_error_free(e);
	return 1;
}

__attribute__((format(printf, 1, 0))) static void report_v(const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	log_report_error(msg);
	free(msg);
}

int cli_failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_v(fmt, ap);
	va_end(ap);
	return 1;
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_v(fmt, ap);
	va_end(ap);
	if (cli && cli->cmd)
		fprintf(stderr, "Run 'ward %s --help' for usage.\n", cli->cmd->name);
	else
		fputs("Run 'ward --help' for usage.\n", stderr);
	return 1;
}

/* runc's default: a root-owned tmpfs directory, or the user's runtime
 * directory when not running as root. Relative paths are made absolute here
 * because the library may change directory (into the bundle) before using it. */
static const char *state_root(struct cli *cli)
{
	const char *root = cli->g.root, *xdg = getenv("XDG_RUNTIME_DIR");
	char cwd[4096];

	if (!root && geteuid() != 0 && xdg && *xdg)
		return cli->root_buf = xasprintf("%s/ward", xdg);
	if (!root || root[0] == '/' || !getcwd(cwd, sizeof cwd))
		return root;
	return cli->root_buf = xasprintf("%s/%s", cwd, root);
}

struct ward_ctx *cli_ctx(struct cli *cli)
{
	const struct cli_globals *g = &cli->g;
	bool systemd = g->systemd_cgroup;
	const char *root;

	if (cli->ctx)
		return cli->ctx;
	root = state_root(cli);
	cli->ctx = ward_ctx_new(root);
	if (!cli->ctx) {
		cli_failf("cannot create the runtime context for %s", root ? root : "/run/ward");
		return NULL;
	}
	ward_ctx_set_logger(cli->ctx, log_library, NULL);
	ward_ctx_set_debug(cli->ctx, g->debug);
	/* crun's --cgroup-manager, when given, decides over --systemd-cgroup. */
	if (g->cgroup_manager)
		systemd = strcmp(g->cgroup_manager, "systemd") == 0;
	ward_ctx_set_systemd_cgroup(cli->ctx, systemd);
	if (g->cgroup_manager && strcmp(g->cgroup_manager, "disabled") == 0)
		ward_ctx_set_cgroups(cli->ctx, false);
	if (g->policy) {
		struct ward_error *e = NULL;

		if (ward_ctx_set_policy(cli->ctx, g->policy, &e) < 0) {
			cli_failf("%s", e->msg);
			ward_error_free(e);
			ward_ctx_free(cli->ctx);
			cli->ctx = NULL;
			return NULL;
		}
	}
	return cli->ctx;
}

static int run_command(struct cli *cli, const struct cli_command *c, int argc, char **argv)
{
	struct ward_error *e = NULL;
	void *opts = xmalloc0(c->opts_size ? c->opts_size : 1);
	int n, r;

	cli->cmd = c;
	r = flags_parse(c->flags, opts, argc, argv, c->stop_after, &n, &e);
	if (r < 0) {
		r = cli_usage_error(cli, "%s", e->msg);
		ward_error_free(e);
	} else if (r == FLAGS_HELP) {
		print_command_usage(stdout, c);
		r = 0;
	} else if (n < c->min_args || (c->max_args >= 0 && n > c->max_args)) {
		r = cli_usage_error(cli, "\"%s\" requires %s %d argument(s)", c->name,
				    c->min_args == c->max_args ? "exactly"
				    : n < c->min_args	       ? "a minimum of"
							       : "a maximum of",
				    n < c->min_args ? c->min_args : c->max_args);
	} else {
		log_printf(WARD_LOG_DEBUG, "ward %s: %s", PACKAGE_VERSION, c->name);
		r = c->run(cli, opts, n, argv);
	}
	flags_free(c->flags, opts);
	free(opts);
	return r;
}

/* `ward help [command]`, runc's help command. */
static int help(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *c;

	/* `ward help --help` and `ward help -h` are the general help */
	if (argc > 0 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0))
		argc = 0;
	c = argc > 0 ? find_command(argv[0]) : NULL;
	if (argc > 0 && !c)
		return cli_usage_error(cli, "unknown command \"%s\"", argv[0]);
	if (c)
		print_command_usage(stdout, c);
	else
		print_usage(stdout);
	return 0;
}

static int dispatch(struct cli *cli, int argc, char **argv)
{
	const struct cli_command *c;
	struct ward_error *e = NULL;

	if (argc == 0) {
		print_usage(stderr);
		return 1;
	}
	if (strcmp(argv[0], "help") == 0 || strcmp(argv[0], "h") == 0)
		return help(cli, argc - 1, argv + 1);
	c = find_command(argv[0]);
	if (!c)
		return cli_usage_error(cli, "unknown command \"%s\"", argv[0]);
	if (log_open(cli->g.log_path, cli->g.log_format, cli->g.debug, &e) < 0)
		return cli_fail(e);
	return run_command(cli, c, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	struct cli cli = {.g = {.log_format = "text", .rootless = "auto"}};
	struct ward_error *e = NULL;
	int n, r;

	if (argc < 1) /* exec'd with an empty argv: there is no argv[1] to parse */
		return 1;
	r = flags_parse(global_flags, &cli.g, argc - 1, argv + 1, 1, &n, &e);
	if (r < 0) {
		r = cli_usage_error(&cli, "%s", e->msg);
		ward_error_free(e);
	} else if (r == FLAGS_HELP) {
		print_usage(stdout);
		r = 0;
	} else if (cli.g.version) {
		printf("ward version %s\ncommit: %s\nspec: %s\n", PACKAGE_VERSION, WARD_COMMIT,
		       WARD_SPEC_VERSION);
		r = 0;
	} else {
		r = dispatch(&cli, n, argv + 1);
	}
	if (cli.ctx)
		ward_ctx_free(cli.ctx);
	free(cli.root_buf);
	/* Output that did not reach its reader (a full disk, a closed pipe) is a
	 * failure; a container's own exit status is kept, it means more. */
	if ((fflush(stdout) != 0 || ferror(stdout)) && r == 0)
		r = cli_failf("write to standard output: %s", ward_errno_name(errno ? errno : EIO));
	log_close();
	return r;
}
