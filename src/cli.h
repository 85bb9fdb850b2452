/* SPDX-License-Identifier: Apache-2.0 */
/* What main.c (global options, dispatch) shares with the command handlers in
 * cmd_*.c. The CLI is thin: parse flags, call libward (ward.h), print. */
#ifndef WARD_CLI_H
#define WARD_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "flags.h"
#include "ward.h"

/* Global options, given before the command. */
struct cli_globals {
	const char *root;	/* NULL: /run/ward ($XDG_RUNTIME_DIR/ward when not root) */
	const char *log_path;	/* NULL: stderr */
	const char *log_format; /* "text" or "json" */
	bool debug;
	bool systemd_cgroup;
	const char *cgroup_manager; /* crun's: cgroupfs|systemd|disabled, NULL: not given */
	const char *rootless;	    /* true|false|auto */
	const char *policy;	    /* baseline|oci, NULL: the library's default */
	const char *criu;	    /* accepted for runc compatibility, unused */
	bool version;
};

struct cli {
	struct cli_globals g;
	const struct cli_command *cmd; /* the running command */
	struct ward_ctx *ctx;	       /* created on first use by cli_ctx() */
	char *root_buf;		       /* owns a computed state root */
};

/* A handler gets its parsed options and its positional arguments (argv[argc]
 * is NULL) and returns the exit status. */
typedef int (*cli_handler)(struct cli *cli, void *opts, int argc, char **argv);

struct cli_command {
	const char *name;
	const char *args;	 /* the positional part of the synopsis */
	const char *summary;	 /* one line, for `ward --help` */
	const char *description; /* NULL or a paragraph for `ward CMD --help` */
	const struct flag_def *flags;
	size_t opts_size;
	int min_args, max_args; /* max_args < 0: no limit */
	int stop_after;		/* options end after this many positionals (0: never) */
	cli_handler run;
};

/* Each command's options; all-zero is runc's default for every one of them. */
struct create_opts { /* create and run */
	const char *bundle, *config, *pid_file, *console_socket;
	bool no_pivot, no_new_keyring, detach;
	unsigned preserve_fds;
};
struct kill_opts {
	bool all;
};
struct delete_opts {
	bool force;
};
struct exec_opts {
	const char *process, *pid_file, *console_socket, *cwd, *user;
	char **env;
	bool detach, tty;
	unsigned preserve_fds;
};
struct ps_opts {
	const char *format; /* NULL: table */
};
struct update_opts {
	const char *resources; /* FILE or "-" */
	const char *blkio_weight, *cpu_period, *cpu_quota, *cpu_share, *cpu_rt_period, *cpu_rt_runtime;
	const char *cpuset_cpus, *cpuset_mems, *memory, *memory_reservation, *memory_swap, *pids_limit;
	const char *kernel_memory, *kernel_memory_tcp, *l3_cache_schema, *mem_bw_schema;
};
struct events_opts {
	const char *interval; /* a Go duration, NULL: 5s */
	bool stats;
};
struct list_opts {
	const char *format; /* NULL: table */
	bool quiet;
};
struct spec_opts {
	const char *bundle;
	bool rootless;
};
struct audit_opts {
	bool json;
	const char *fail_above; /* NULL: never fail on the score */
};
struct check_opts {
	bool json;
};

/* cmd_lifecycle.c */
extern const struct flag_def create_flags[], run_flags[], kill_flags[], delete_flags[];
int cmd_create(struct cli *cli, void *opts, int argc, char **argv);
int cmd_start(struct cli *cli, void *opts, int argc, char **argv);
extern const struct flag_def ps_flags[], update_flags[], events_flags[];
int cmd_update(struct cli *cli, void *opts, int argc, char **argv);
int cmd_events(struct cli *cli, void *opts, int argc, char **argv);
int cmd_pause(struct cli *cli, void *opts, int argc, char **argv);
int cmd_resume(struct cli *cli, void *opts, int argc, char **argv);
int cmd_ps(struct cli *cli, void *opts, int argc, char **argv);
int cmd_run(struct cli *cli, void *opts, int argc, char **argv);
int cmd_kill(struct cli *cli, void *opts, int argc, char **argv);
int cmd_delete(struct cli *cli, void *opts, int argc, char **argv);
/* cmd_exec.c */
extern const struct flag_def exec_flags[];
int cmd_exec(struct cli *cli, void *opts, int argc, char **argv);
/* cmd_info.c */
extern const struct flag_def list_flags[], spec_flags[];
int cmd_state(struct cli *cli, void *opts, int argc, char **argv);
int cmd_list(struct cli *cli, void *opts, int argc, char **argv);
int cmd_spec(struct cli *cli, void *opts, int argc, char **argv);
int cmd_features(struct cli *cli, void *opts, int argc, char **argv);
/* cmd_audit.c */
extern const struct flag_def audit_flags[], check_flags[];
int cmd_audit(struct cli *cli, void *opts, int argc, char **argv);
int cmd_check(struct cli *cli, void *opts, int argc, char **argv);

/* main.c */
/* The library context configured from the global options; NULL (reported)
 * when it cannot be created. */
struct ward_ctx *cli_ctx(struct cli *cli);
/* Report a failed command (see log_report_error), free e; returns 1. */
int cli_fail(struct ward_error *e);
int cli_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same for a misuse of the command line, followed by a hint where the usage is. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
