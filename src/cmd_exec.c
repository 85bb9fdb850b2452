/* SPDX-License-Identifier: Apache-2.0 */
/* exec: a new process in a running container. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "util.h"

#define X(f) offsetof(struct exec_opts, f)
const struct flag_def exec_flags[] = {
    FLAG("console-socket", 0, FLAG_STRING, X(console_socket), "SOCKET",
	 "AF_UNIX socket that receives the master end of the process's pseudoterminal"),
    FLAG("cwd", 0, FLAG_STRING, X(cwd), "DIR", "current working directory in the container"),
    FLAG("env", 'e', FLAG_LIST, X(env), "KEY=VALUE", "set an environment variable (repeatable)"),
    FLAG("tty", 't', FLAG_BOOL, X(tty), NULL, "allocate a pseudo-TTY"),
    FLAG("user", 'u', FLAG_STRING, X(user), "UID[:GID]", "the user (and group) ids to run as"),
    FLAG("process", 'p', FLAG_STRING, X(process), "FILE",
	 "path to an OCI process.json, instead of a command"),
    FLAG("detach", 'd', FLAG_BOOL, X(detach), NULL, "detach from the process"),
    FLAG("pid-file", 0, FLAG_STRING, X(pid_file), "FILE", "write the process id to FILE"),
    FLAG("preserve-fds", 0, FLAG_UINT, X(preserve_fds), "N",
	 "pass N more file descriptors (3 to 3+N-1) to the process"),
    {0},
};

/* A uid or gid as the config parser takes them: 0 to 2^31-1, as runc. Above that
 * is 4294967295, (uid_t)-1, which setresuid reads as "unchanged" (still root). */
static int parse_id(const char *user, const char *what, const char *s, uint32_t *id)
{
	uint64_t v;

	if (parse_u64(s, &v) < 0) {
		if (errno != ERANGE) /* ERANGE: digits, beyond 64 bits */
			return cli_failf("invalid --user \"%s\": expected UID[:GID] as numbers", user);
		v = UINT64_MAX;
	}
	if (v > INT32_MAX)
		return cli_failf("invalid --user \"%s\": %s %s is out of range (0 to %d)", user, what, s,
				 INT32_MAX);
	*id = (uint32_t)v;
	return 0;
}

/* runc's --user: numeric UID[:GID]; names would need the container's
 * /etc/passwd, which only the library can read safely. */
static int parse_user(const char *s, struct ward_exec_opts *o)
{
	const char *colon = strchr(s, ':');
	_cleanup_free_ char *uid = xstrndup(s, colon ? (size_t)(colon - s) : strlen(s));

	/* without a GID the container's own gid stays, as with runc */
	if (parse_id(s, "uid", uid, &o->uid) != 0 || (colon && parse_id(s, "gid", colon + 1, &o->gid) != 0))
		return 1;
	o->has_user = true;
	o->has_gid = colon != NULL;
	return 0;
}

static int check_env(char *const *env)
{
	for (; env && *env; env++) {
		const char *eq = strchr(*env, '=');

		if (!eq || eq == *env)
			return cli_failf("invalid --env \"%s\": expected KEY=VALUE", *env);
	}
	return 0;
}

int cmd_exec(struct cli *cli, void *opts, int argc, char **argv)
{
	const struct exec_opts *x = opts;
	struct ward_exec_opts o = {
	    .process_file = x->process,
	    .detach = x->detach,
	    .pid_file = x->pid_file,
	    .console_socket = x->console_socket,
	    .tty = x->tty,
	    .cwd = x->cwd,
	    .env = x->env,
	    .preserve_fds = x->preserve_fds,
	};
	struct ward_error *e = NULL;
	struct ward_ctx *ctx;
	char **args = argv + 1;
	int status = 0;

	/* `exec ID -- cmd` is a common habit (kubectl, docker): the "--" is not
	 * part of the command. */
	if (argc > 1 && strcmp(args[0], "--") == 0)
		args++;
	if (!x->process && !args[0])
		return cli_usage_error(cli,
				       "no command given: pass it after the container ID, or --process FILE");
	if (x->process && args[0])
		log_write(WARD_LOG_WARN, "--process is given: ignoring the command arguments");
	o.args = x->process || !args[0] ? NULL : args;
	if ((x->user && parse_user(x->user, &o) != 0) || check_env(x->env) != 0)
		return 1;
	ctx = cli_ctx(cli);
	if (!ctx)
		return 1;
	if (ward_exec(ctx, argv[0], &o, &status, &e) < 0)
		return cli_fail(e);
	return status;
}
