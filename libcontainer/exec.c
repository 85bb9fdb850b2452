/* SPDX-License-Identifier: Apache-2.0 */
/* ward exec: a new process in a running container. One clone3 into the
 * container's cgroup makes a helper in our own pid namespace, where no
 * container can see it: it closes every fd of ours, joins every namespace of
 * the init through its pidfd (the pid namespace for its children), applies the
 * process settings with the same code as the init, and execs the exec stub.
 * Only then is the process the container sees forked, by the stub, as our
 * child (CLONE_PARENT): it is never the host's ward binary, holds no host fd
 * and is in every namespace from its first instruction (security.md §0). The
 * same path starts startContainer hooks (ward_exec_hooks). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "cgroup.h"
#include "container.h"
#include "execstub_proto.h"
#include "hooks.h"
#include "launch.h"
#include "policy.h"
#include "process.h"
#include "terminal.h"
#include "util.h"
#include "ward_seccomp.h"

struct exec_job {
	struct ward_spec *spec;	 /* the container's config: its process is the template */
	struct ward_spec *pspec; /* from --process, if given */
	struct ward_process *p;	 /* what runs */
	const char *path;	 /* a hook's executable (no PATH search), or NULL */
	unsigned long nsflags;	 /* namespaces to join (the init's that differ from ours) */
	int pidfd, cgroup_fd, console_fd, sync_fd;
	int stdio[3]; /* the process's stdin, stdout, stderr; -1: ours */
	unsigned preserve_fds;
	pid_t helper; /* the child that joins and execs the stub */
	pid_t pid;    /* the process in the container (the stub's fork) */
	int childfd;  /* its pidfd */
	struct ward_seccomp *seccomp;
	int level;
	char *state; /* the container's state JSON, for a seccomp listener */
};

/* Parse --process FILE with the config parser, as the "process" member of a config. */
static int load_process(const char *file, struct ward_spec **out, struct ward_error **e)
{
	_cleanup_free_ char *text = NULL, *wrapped = NULL;
	size_t len;

	if (read_file_at(AT_FDCWD, file, WARD_SPEC_MAX_BYTES, &text, &len, e) < 0)
		return -1;
	wrapped = xasprintf("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"/\"},\"process\":%s}", text);
	if (ward_spec_parse(wrapped, strlen(wrapped), file, out, e) < 0)
		return -1;
	if (!(*out)->process.args || !(*out)->process.args[0])
		return ward_err(e, EINVAL, "%s: args: required", file);
	return 0;
}

static char **env_merge(char **base, char *const *add)
{
	size_t nb = strv_len(base), na = strv_len(add), n = 0;
	char **r = xmalloc0((nb + na + 1) * sizeof *r);

	for (size_t i = 0; i < nb; i++) {
		size_t klen = strcspn(base[i], "=");
		bool overridden = false;

		for (size_t j = 0; j < na; j++)
			if (strncmp(add[j], base[i], klen) == 0 && add[j][klen] == '=')
				overridden = true;
		if (!overridden)
			r[n++] = xstrdup(base[i]);
	}
	for (size_t j = 0; j < na; j++)
		r[n++] = xstrdup(add[j]);
	return r;
}

static char **strv_dup(char *const *v)
{
	size_t n = strv_len(v);
	char **r = xmalloc0((n + 1) * sizeof *r);

	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

/* --process replaces the whole process; otherwise args/env/cwd/user/tty adjust
 * the container's own process settings. */
static int build_process(struct ward_ctx *ctx, struct exec_job *j, const struct ward_exec_opts *o,
			 struct ward_error **e)
{
	struct ward_process *p;
	char **env;

	if (o->process_file) {
		if (load_process(o->process_file, &j->pspec, e) < 0)
			return -1;
		j->p = &j->pspec->process;
	} else {
		if (!o->args || !o->args[0])
			return ward_err(e, EINVAL, "exec: a command (or --process) is required");
		j->p = &j->spec->process;
		strv_free(j->p->args);
		j->p->args = strv_dup(o->args);
		j->p->terminal = o->tty;
	}
	p = j->p;
	if (ward_policy_level(ctx, j->spec, &j->level, e) < 0)
		return -1;
	ward_policy_process(ctx, j->level, p);
	env = env_merge(p->env, o->env);
	strv_free(p->env);
	p->env = env;
	if (o->cwd) {
		free(p->cwd);
		p->cwd = xstrdup(o->cwd);
	}
	if (o->has_user) {
		if (o->uid > WARD_ID_MAX || (o->has_gid && o->gid > WARD_ID_MAX))
			return ward_err(e, EINVAL, "exec --user: %s %u is out of range (0 to %u)",
					o->uid > WARD_ID_MAX ? "uid" : "gid",
					o->uid > WARD_ID_MAX ? o->uid : o->gid, WARD_ID_MAX);
		p->user.uid = o->uid;
		if (o->has_gid)
			p->user.gid = o->gid;
		p->user.n_additional_gids = 0;
	}
	if (p->cwd && p->cwd[0] != '/')
		return ward_err(e, EINVAL, "exec: cwd \"%s\" must be absolute", p->cwd);
	return 0;
}

static unsigned long ns_to_join(pid_t pid)
{
	static const enum ward_ns_type types[] = {WARD_NS_USER, WARD_NS_MOUNT,	WARD_NS_NET, WARD_NS_IPC,
						  WARD_NS_UTS,	WARD_NS_CGROUP, WARD_NS_PID, WARD_NS_TIME};
	unsigned long flags = 0;

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		char a[64], b[64];
		struct stat sa, sb;

		snprintf(a, sizeof a, "/proc/%d/ns/%s", (int)pid, ward_ns_proc_name(types[i]));
		snprintf(b, sizeof b, "/proc/self/ns/%s", ward_ns_proc_name(types[i]));
		if (stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
		    (sa.st_ino != sb.st_ino || sa.st_dev != sb.st_dev))
			flags |= (unsigned long)ward_ns_clone_flag(types[i]);
	}
	return flags;
}

/* The helper's first steps: only the sync socket, the console socket, the
 * init's pidfd and the process's stdio stay; then every namespace. */
static int exec_child_enter(struct exec_job *j, struct ward_error **e)
{
	int *const fds[] = {&j->sync_fd, &j->console_fd, &j->pidfd, &j->stdio[0], &j->stdio[1], &j->stdio[2]};

	if (ward_fds_settle((int)(3 + j->preserve_fds), fds, ARRAY_SIZE(fds)) < 0)
		return ward_err_sys(e, "close the runtime's fds");
	for (int i = 0; i < 3; i++) {
		if (j->stdio[i] < 0)
			continue;
		if (dup2(j->stdio[i], i) < 0)
			return ward_err_sys(e, "stdio fd %d", i);
	}
	for (int i = 0; i < 3; i++)
		if (j->stdio[i] >= 0 && j->stdio[i] != j->stdio[(i + 1) % 3] &&
		    j->stdio[i] != j->stdio[(i + 2) % 3])
			close(j->stdio[i]);
	/* all at once, the user namespace first; the pid namespace is our
	 * children's, the time namespace ours at once (setns) */
	if (j->nsflags && setns(j->pidfd, (int)j->nsflags) < 0)
		return ward_err_sys(e, "join the container's namespaces");
	close(j->pidfd);
	j->pidfd = -1;
	return 0;
}

static int exec_child_setup(struct exec_job *j, struct ward_exec_plan *plan, struct ward_error **e)
{
	const struct ward_process *p = j->p;
	const struct ward_seccomp *sc = j->seccomp;

	if (exec_child_enter(j, e) < 0)
		return -1;
	if (p->terminal) {
		_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		int master = -1, peer = -1;

		if (ward_pty_open(root, p->console_height, p->console_width, &master, &peer, e) < 0)
			return ward_err_prefix(e, "exec: terminal");
		if (ward_send_fd(j->console_fd, master, "/dev/console", e) < 0)
			return -1;
		close(master);
		for (int i = 0; i <= 2; i++)
			if (dup2(peer, i) < 0)
				return ward_err_sys(e, "make the pty stdio fd %d", i);
		if (peer > 2)
			close(peer);
	}
	if (ward_process_limits(p, e) < 0 || ward_process_cwd(p, e) < 0 ||
	    ward_process_seccomp_early(p, &sc, e) < 0)
		return -1;
	if (!sc)
		j->seccomp = NULL; /* installed (this is the child's copy of the job) */
	if (ward_process_credentials(p, p->no_new_privileges != 0, e) < 0)
		return -1;
	return j->path ? ward_process_plan_path(p, j->path, plan, e) : ward_process_plan(p, plan, e);
}

__attribute__((noreturn)) static void exec_child(struct exec_job *j)
{
	struct ward_error *err = NULL;
	struct ward_exec_plan plan = {0};
	struct ward_stub stub = {0};

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0); /* never expose ward's /proc/PID/exe */
	if (exec_child_setup(j, &plan, &err) < 0 || ward_child_ready(j->sync_fd, j->seccomp, &err) < 0)
		ward_child_fail(j->sync_fd, err);
	/* the stub forks the process the container sees, in its own session (and
	 * terminal), which waits for our GO and reports a failed execve */
	ward_stub_add(&stub, WARD_STUB_FORK, j->sync_fd);
	ward_stub_add(&stub, WARD_STUB_SETSID, -1);
	if (j->p->terminal)
		ward_stub_add(&stub, WARD_STUB_CTTY, -1);
	ward_stub_add(&stub, WARD_STUB_GO, j->sync_fd);
	ward_stub_add(&stub, WARD_STUB_REPORT, j->sync_fd);
	ward_process_exec(j->p, &plan, j->preserve_fds, j->seccomp, &stub, &err);
	ward_child_fail(j->sync_fd, err);
}

static int exec_clone(struct exec_job *j, struct ward_error **e)
{
	int sv[2], dumpable;
	bool move;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return ward_err_sys(e, "create the sync socket");
	dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); /* see ward_launch_clone */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	j->helper = ward_clone(0, j->cgroup_fd, NULL, &move);
	if (j->helper != 0 && dumpable > 0)
		prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
	if (j->helper == 0) {
		close(sv[0]);
		j->sync_fd = sv[1];
		/* born outside the cgroup: nothing, least of all a fork, before the
		 * parent has moved us */
		char *payload = NULL;

		if (move && ward_sync_recv(j->sync_fd, NULL, &payload) != WARD_SYNC_GO)
			_exit(1);
		free(payload);
		exec_child(j);
	}
	close(sv[1]);
	j->sync_fd = sv[0];
	if (j->helper < 0)
		return ward_err_sys(e, "clone3 the exec process");
	/* born outside the cgroup (old kernel): moved before it joins anything */
	if (move && ward_cgroup_enter(j->cgroup_fd, "of the container", j->helper, e) < 0)
		return -1;
	if (move && ward_sync_send(j->sync_fd, WARD_SYNC_GO, 0, NULL) < 0)
		return ward_err_sys(e, "signal the exec process");
	return 0;
}

static int exec_commit(struct exec_job *j, const char *pid_file, struct ward_error **e)
{
	_cleanup_close_ int lfd = -1;
	char *payload = NULL;
	int code = 0, t = ward_sync_recv(j->sync_fd, &code, &payload);

	if (t == WARD_SYNC_ERROR) {
		ward_err(e, code, "%s", payload ? payload : "exec failed");
		free(payload);
		return -1;
	}
	free(payload);
	if (t != WARD_SYNC_READY)
		return ward_err(e, ECHILD, "the exec process died during setup");
	if (ward_take_seccomp_fd(j->sync_fd, code, &lfd, e) < 0)
		return -1;
	if (ward_stub_take_pid(j->sync_fd, j->helper, &j->pid, &j->childfd, e) < 0)
		return ward_err_prefix(e, "exec");
	j->helper = 0; /* reaped */
	if (lfd >= 0 && ward_seccomp_send_listener(j->seccomp, lfd, j->pid, j->state, e) < 0)
		return -1;
	if (pid_file && write_pid_file(pid_file, j->pid, e) < 0)
		return -1;
	return ward_stub_finish(j->sync_fd, -1, j->p->args[0], e) < 0 ? ward_err_prefix(e, "exec") : 0;
}

static int exec_console(struct exec_job *j, const struct ward_exec_opts *o, int *sock, struct ward_error **e)
{
	int sv[2];

	*sock = -1;
	if (!j->p->terminal)
		return 0;
	if (o->console_socket) {
		j->console_fd = ward_console_connect(o->console_socket, e);
		return j->console_fd < 0 ? -1 : 0;
	}
	if (o->detach)
		return ward_err(e, EINVAL, "exec: a terminal with --detach needs a --console-socket");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return ward_err_sys(e, "create the console socket");
	*sock = sv[0];
	j->console_fd = sv[1];
	return 0;
}

/* The job for a container open as h: its config, the process, its filter, and
 * what the helper joins. */
static int exec_job_setup(struct ward_ctx *ctx, struct ward_handle *h, struct exec_job *j,
			  struct ward_error **e)
{
	if (h->status == WARD_STATUS_STOPPED || h->status == WARD_STATUS_PAUSED)
		return ward_err(e, EINVAL, "cannot exec in a %s container", ward_status_name(h->status));
	if (ward_policy_seccomp(ctx, j->spec, j->p, j->level, &j->seccomp, e) < 0)
		return -1;
	j->state = ward_state_json(h->st, h->status, false);
	j->pidfd = ward_handle_pidfd(h, e);
	if (j->pidfd < 0)
		return -1;
	j->nsflags = ns_to_join(h->st->pid);
	if (h->st->cgroup) {
		j->cgroup_fd = open(h->st->cgroup, O_DIRECTORY | O_CLOEXEC);
		if (j->cgroup_fd < 0)
			return ward_err_sys(e, "open cgroup %s", h->st->cgroup);
	}
	return 0;
}

static int exec_prepare(struct ward_ctx *ctx, const char *id, const struct ward_exec_opts *o,
			struct exec_job *j, int *sock, struct ward_error **e)
{
	struct ward_handle h;
	int r = -1;

	if (ward_handle_open(ctx, id, LOCK_SH, &h, e) < 0)
		return -1;
	if (ward_handle_spec(&h, &j->spec, e) < 0 || build_process(ctx, j, o, e) < 0 ||
	    exec_console(j, o, sock, e) < 0 || exec_job_setup(ctx, &h, j, e) < 0)
		goto out;
	j->preserve_fds = o->preserve_fds;
	r = 0;
out:
	ward_handle_close(&h);
	return r;
}

static void exec_job_init(struct exec_job *j)
{
	memset(j, 0, sizeof *j);
	j->pidfd = j->cgroup_fd = j->console_fd = j->sync_fd = j->childfd = -1;
	j->stdio[0] = j->stdio[1] = j->stdio[2] = -1;
}

/* A job that failed on the way: its processes are killed and reaped. */
static void exec_job_abort(struct exec_job *j)
{
	if (j->pid > 0) {
		if (j->childfd >= 0)
			ward_pidfd_send_signal(j->childfd, SIGKILL);
		ward_wait_status(j->pid);
		j->pid = 0;
	}
	if (j->helper > 0) {
		kill(j->helper, SIGKILL);
		ward_wait_status(j->helper);
		j->helper = 0;
	}
}

static void exec_job_free(struct exec_job *j)
{
	int *fds[] = {&j->pidfd, &j->cgroup_fd, &j->console_fd, &j->sync_fd, &j->childfd};

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	ward_spec_free(j->spec);
	ward_spec_free(j->pspec);
	ward_seccomp_free(j->seccomp);
	free(j->state);
}

int ward_exec(struct ward_ctx *ctx, const char *id, const struct ward_exec_opts *o, int *status,
	      struct ward_error **e)
{
	struct exec_job j;
	int sock = -1, master = -1, r = -1;

	*status = 0;
	exec_job_init(&j);
	if (exec_prepare(ctx, id, o, &j, &sock, e) < 0 || exec_clone(&j, e) < 0 ||
	    exec_commit(&j, o->pid_file, e) < 0) {
		exec_job_abort(&j);
		goto out;
	}
	r = 0;
	if (o->detach)
		goto out;
	if (sock >= 0 && ward_recv_fd(sock, &master, NULL) < 0)
		master = -1;
	if (master >= 0) {
		struct ward_error *ignored = NULL;

		if (ward_tty_proxy(master, j.childfd, &ignored) < 0) {
			ward_log(ctx, WARD_LOG_WARN, "terminal: %s", ignored->msg);
			ward_error_free(ignored);
		}
		*status = ward_wait_status(j.pid);
	} else {
		*status = ward_forward_and_wait(j.pid, j.childfd);
	}
out:
	if (master >= 0)
		close(master);
	if (sock >= 0)
		close(sock);
	exec_job_free(&j);
	return r;
}

struct hook_exec {
	struct ward_ctx *ctx;
	struct ward_handle *h;
	const struct ward_spec *spec;
	int level;
};

/* ward_hook_spawn_fn: the hook as a process of the container. */
static pid_t spawn_hook(void *ud, const struct ward_hook *hook, int in_fd, int out_fd, struct ward_error **e)
{
	struct hook_exec *he = ud;
	struct exec_job j;
	pid_t pid = -1;
	char *argv0[] = {hook->path, NULL};

	exec_job_init(&j);
	j.p = xmalloc0(sizeof *j.p);
	*j.p = he->spec->process; /* shallow: only args, env and terminal differ */
	j.p->args = hook->args && hook->args[0] ? hook->args : argv0;
	j.p->env = hook->env;
	j.p->terminal = false;
	ward_policy_process(he->ctx, he->level, j.p);
	j.path = hook->path;
	j.level = he->level;
	j.stdio[0] = in_fd;
	j.stdio[1] = j.stdio[2] = out_fd;
	/* exec_job_setup reads the filter for this process from the config */
	j.spec = (struct ward_spec *)he->spec;
	if (exec_job_setup(he->ctx, he->h, &j, e) < 0 || exec_clone(&j, e) < 0 ||
	    exec_commit(&j, NULL, e) < 0) {
		exec_job_abort(&j);
	} else {
		pid = j.pid;
		j.pid = 0;
	}
	j.spec = NULL; /* the caller's */
	free(j.p);
	exec_job_free(&j);
	return pid;
}

int ward_exec_hooks(struct ward_ctx *ctx, struct ward_handle *h, const struct ward_spec *s,
		    enum ward_hook_kind k, const char *state_json, struct ward_error **e)
{
	struct hook_exec he = {.ctx = ctx, .h = h, .spec = s};

	if (ward_policy_level(ctx, s, &he.level, e) < 0)
		return -1;
	return ward_hooks_run_spawn(s, k, state_json, spawn_hook, &he, e);
}
