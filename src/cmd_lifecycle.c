/* SPDX-License-Identifier: Apache-2.0 */
/* create, start, run, kill, delete: the commands engines drive a container with. */
#include "config.h"

#include <signal.h>

#include "cli.h"

#define C(f) offsetof(struct create_opts, f)
/* The flags create and run share, as in runc (plus crun's --config/-f). */
/* clang-format off */
#define CREATE_FLAGS                                                                                           \
	FLAG("bundle", 'b', FLAG_STRING, C(bundle), "DIR",                                                     \
	     "path to the root of the bundle directory (default: the current directory)"),                     \
	FLAG("config", 'f', FLAG_STRING, C(config), "FILE",                                                    \
	     "the configuration file (default: config.json in the bundle)"),                                   \
	FLAG("console-socket", 0, FLAG_STRING, C(console_socket), "SOCKET",                                    \
	     "AF_UNIX socket that receives the master end of the container's pseudoterminal"),                 \
	FLAG("pid-file", 0, FLAG_STRING, C(pid_file), "FILE", "write the process id of the init to FILE"),     \
	FLAG("no-pivot", 0, FLAG_BOOL, C(no_pivot), NULL,                                                      \
	     "do not use pivot_root to jail the process (for a rootfs on a ramdisk)"),                         \
	FLAG("no-new-keyring", 0, FLAG_BOOL, C(no_new_keyring), NULL,                                          \
	     "do not create a new session keyring: inherit the caller's"),                                     \
	FLAG("preserve-fds", 0, FLAG_UINT, C(preserve_fds), "N",                                               \
	     "pass N more file descriptors (3 to 3+N-1) to the container")
/* clang-format on */

const struct flag_def create_flags[] = {CREATE_FLAGS, {0}};
const struct flag_def run_flags[] = {
    CREATE_FLAGS,
    FLAG("detach", 'd', FLAG_BOOL, C(detach), NULL, "detach from the container's process"),
    {0},
};
const struct flag_def kill_flags[] = {
    FLAG("all", 'a', FLAG_BOOL, offsetof(struct kill_opts, all), NULL,
	 "send the signal to all processes inside the container"),
    {0},
};
const struct flag_def delete_flags[] = {
    FLAG("force", 'f', FLAG_BOOL, offsetof(struct delete_opts, force), NULL,
	 "delete the container even if it is still running (kills it with SIGKILL)"),
    {0},
};

static struct ward_create_opts library_opts(const struct create_opts *o)
{
	return (struct ward_create_opts){
	    .bundle = o->bundle,
	    .config = o->config,
	    .pid_file = o->pid_file,
	    .console_socket = o->console_socket,
	    .no_pivot = o->no_pivot,
	    .no_new_keyring = o->no_new_keyring,
	    .preserve_fds = o->preserve_fds,
	    .detach = o->detach,
	};
}

int cmd_create(struct cli *cli, void *opts, int argc, char **argv)
{
	struct ward_create_opts o = library_opts(opts);
	struct ward_ctx *ctx = cli_ctx(cli);
	struct ward_error *e = NULL;

	(void)argc;
	if (!ctx)
		return 1;
	if (ward_create(ctx, argv[0], &o, &e) < 0)
		return cli_fail(e);
	return 0;
}

int cmd_start(struct cli *cli, void *opts, int argc, char **argv)
{
	struct ward_ctx *ctx = cli_ctx(cli);
	struct ward_error *e = NULL;

	(void)opts;
	(void)argc;
	if (!ctx)
		return 1;
	if (ward_start(ctx, argv[0], &e) < 0)
		return cli_fail(e);
	return 0;
}

/* In the foreground the exit status is the container's, so that `ward run`
 * can stand in for the program it runs (shell scripts, systemd units). */
int cmd_run(struct cli *cli, void *opts, int argc, char **argv)
{
	struct ward_create_opts o = library_opts(opts);
	struct ward_ctx *ctx = cli_ctx(cli);
	struct ward_error *e = NULL;
	int status = 0;

	(void)argc;
	if (!ctx)
		return 1;
	if (ward_run(ctx, argv[0], &o, &status, &e) < 0)
		return cli_fail(e);
	return status;
}

int cmd_kill(struct cli *cli, void *opts, int argc, char **argv)
{
	const struct kill_opts *k = opts;
	struct ward_error *e = NULL;
	struct ward_ctx *ctx;
	int sig = SIGTERM;

	/* The signal is checked before the container is looked up, so a typo is
	 * reported as such and not as whatever state the container is in. */
	if (argc > 1 && parse_signal(argv[1], &sig, &e) < 0)
		return cli_fail(e);
	ctx = cli_ctx(cli);
	if (!ctx)
		return 1;
	if (ward_kill(ctx, argv[0], sig, k->all, &e) < 0)
		return cli_fail(e);
	return 0;
}

int cmd_delete(struct cli *cli, void *opts, int argc, char **argv)
{
	const struct delete_opts *d = opts;
	struct ward_ctx *ctx = cli_ctx(cli);
	struct ward_error *e = NULL;

	(void)argc;
	if (!ctx)
		return 1;
	if (ward_delete(ctx, argv[0], d->force, &e) < 0)
		return cli_fail(e);
	return 0;
}
