/* SPDX-License-Identifier: Apache-2.0 */
/* create, start and run. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "cgroup_devices.h"
#include "cgroup_resources.h"
#include "container.h"
#include "hooks.h"
#include "launch.h"
#include "policy.h"
#include "terminal.h"
#include "util.h"
#include "ward_seccomp.h"

struct create_job {
	struct ward_ctx *ctx;
	const char *id;
	const struct ward_create_opts *o;
	char bundle[PATH_MAX], rootfs[PATH_MAX];
	char *config_text;
	size_t config_len;
	struct ward_spec *spec;
	int rootfd, dirfd;
	char *cgroup;
	enum ward_cgroup_origin cgroup_origin; /* what delete may undo of it */
	char *created;
	struct ward_seccomp *seccomp;
	struct ward_cg_plan resources;
	int level;		       /* the policy level it runs under */
	struct ward_host_facts *facts; /* the host objects it names, as checked (hostobj.h) */
	struct ward_launch l;
};

static char *resolve(const char *path, char out[static PATH_MAX], const char *what, struct ward_error **e)
{
	if (!realpath(path, out)) {
		ward_err_sys(e, "%s %s", what, path);
		return NULL;
	}
	return out;
}

/* --cgroup-manager=disabled: a limit asked for cannot be had; ward's own
 * default (the pids limit) and the device rules go, said so. */
static int no_cgroup_check(struct create_job *j, struct ward_error **e)
{
	for (size_t i = 0; i < j->resources.n; i++)
		if (!j->resources.w[i].by_default)
			return ward_err(e, EOPNOTSUPP,
					"%s: the container has no cgroup (--cgroup-manager=disabled) to "
					"enforce it",
					j->resources.w[i].path);
	ward_log(j->ctx, WARD_LOG_WARN,
		 "--cgroup-manager=disabled: no cgroup, so no resource limits and no device "
		 "cgroup rules for container %s",
		 j->id);
	return 0;
}

static int load_config(struct create_job *j, struct ward_error **e)
{
	const struct ward_create_opts *o = j->o;
	const char *cfg = o->config ? o->config : "config.json";
	_cleanup_close_ int bfd = -1;
	_cleanup_free_ char *root = NULL;
	struct stat st;

	if (!resolve(o->bundle ? o->bundle : ".", j->bundle, "bundle", e))
		return -1;
	bfd = open(j->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return ward_err_sys(e, "bundle %s", j->bundle);
	/* --config is relative to the caller, config.json to the bundle */
	if (read_file_at(o->config ? AT_FDCWD : bfd, cfg, WARD_SPEC_MAX_BYTES, &j->config_text,
			 &j->config_len, e) < 0)
		return -1;
	if (ward_spec_parse(j->config_text, j->config_len, cfg, &j->spec, e) < 0)
		return -1;
	if (ward_policy_apply(j->ctx, j->spec, &j->level, e) < 0)
		return ward_err_prefix(e, "%s", cfg);
	/* judged on the opened objects; the init verifies the bind sources it opens are those */
	if (ward_ctx_host_facts(j->ctx, j->spec, j->bundle, &j->facts, e) < 0 ||
	    ward_policy_judge(j->ctx, j->spec, j->level, j->facts, e) < 0)
		return ward_err_prefix(e, "%s", cfg);
	ward_host_facts_pin(j->facts, j->spec);
	/* planned here, so a limit that cannot be had fails before anything exists */
	if (ward_cgroup_plan(j->spec, j->level >= WARD_POLICY_BASELINE, &j->resources, e) < 0)
		return ward_err_prefix(e, "%s", cfg);
	if (j->ctx->no_cgroups && no_cgroup_check(j, e) < 0)
		return ward_err_prefix(e, "%s", cfg);
	/* compiled here, so a bad profile is a create error and the init only installs */
	if (ward_policy_seccomp(j->ctx, j->spec, &j->spec->process, j->level, &j->seccomp, e) < 0)
		return ward_err_prefix(e, "%s", cfg);
	if (!j->spec->root_path)
		return ward_err(e, EINVAL, "%s: root.path: required", cfg);
	root = j->spec->root_path[0] == '/' ? xstrdup(j->spec->root_path)
					    : xasprintf("%s/%s", j->bundle, j->spec->root_path);
	if (!resolve(root, j->rootfs, "root.path: rootfs", e))
		return -1;
	if (stat(j->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
		return ward_err(e, ENOTDIR, "root.path: rootfs %s is not a directory", j->rootfs);
	return 0;
}

/* --systemd-cgroup "slice:prefix:name": the path systemd would give the unit,
 * made by ward itself (it does not ask systemd for a scope; README, engines). */
static int cgroups_path(struct create_job *j, char **out, struct ward_error **e)
{
	const char *p = j->spec->linux_.cgroups_path;

	*out = NULL;
	if (!j->ctx->systemd_cgroup || !p || !strchr(p, ':')) {
		*out = p ? xstrdup(p) : NULL;
		return 0;
	}
	*out = ward_cgroup_systemd_path(p, e);
	return *out ? 0 : ward_err_prefix(e, "linux.cgroupsPath");
}

static int setup_fifo(struct create_job *j, struct ward_error **e)
{
	struct ward_launch *l = &j->l;

	/* the init blocks reading exec.fifo; holding a writer ourselves keeps the
	 * read from seeing EOF, and `start` finds a reader only while it lives */
	if (mkfifoat(j->dirfd, "exec.fifo", 0600) < 0)
		return ward_err_sys(e, "create exec.fifo");
	l->fifo_fd = openat(j->dirfd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (l->fifo_fd < 0)
		return ward_err_sys(e, "open exec.fifo");
	l->fifo_keep_fd = openat(j->dirfd, "exec.fifo", O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (l->fifo_keep_fd < 0)
		return ward_err_sys(e, "open exec.fifo");
	return ward_ns_open_joins(j->spec, &l->ns, e);
}

static int setup_host(struct create_job *j, struct ward_error **e)
{
	struct ward_launch *l = &j->l;
	_cleanup_free_ char *cgp = NULL, *skipped = NULL;
	const char *mount;

	if (j->ctx->no_cgroups)
		return setup_fifo(j, e);
	if (cgroups_path(j, &cgp, e) < 0 || !(mount = ward_cgroup_mount(e)))
		return -1;
	j->cgroup = ward_cgroup_path(mount, cgp, j->id, e);
	/* recorded before it is made, and again with what ward made of it: a
	 * killed create's leftover is undone by exactly that much */
	if (!j->cgroup || ward_state_record_cgroup(j->dirfd, j->cgroup, WARD_CGROUP_PENDING, e) < 0)
		return -1;
	l->cgroup_fd = ward_cgroup_create(j->cgroup, &j->cgroup_origin, e);
	if (l->cgroup_fd < 0)
		return ward_err_prefix(e, "linux.cgroupsPath");
	if (ward_state_record_cgroup(j->dirfd, j->cgroup, j->cgroup_origin, e) < 0)
		return -1;
	if (ward_cgroup_apply(mount, j->cgroup, &j->resources, &skipped, e) < 0)
		return -1;
	if (skipped) /* security.md §1: the default pids limit, on a hybrid host */
		ward_log(j->ctx, WARD_LOG_WARN,
			 "default limits skipped: the %s controller%s not on this host's cgroup "
			 "v2 hierarchy",
			 skipped, strchr(skipped, ',') ? "s are" : " is");
	/* before the init is born into the cgroup: it never sees a device
	 * the program would refuse (but may make the linux.devices nodes) */
	if (ward_cgroup_devices_setup(l->cgroup_fd, j->spec, e) < 0)
		return -1;
	return setup_fifo(j, e);
}

static void fill_state(struct create_job *j, struct ward_state *st)
{
	memset(st, 0, sizeof *st);
	st->id = (char *)j->id;
	st->pid = j->l.pid;
	st->start_time = proc_start_time(j->l.pid);
	st->bundle = j->bundle;
	st->rootfs = j->rootfs;
	st->created = j->created;
	st->owner = (char *)"";
	st->annotations = j->spec->annotations;
	st->n_annotations = j->spec->n_annotations;
	st->cgroup = j->cgroup;
	st->has_tty = j->spec->process.terminal;
	st->oci_version = j->spec->oci_version;
}

static int on_hooks(struct create_job *j, struct ward_error **e)
{
	struct ward_state st;
	_cleanup_free_ char *json = NULL;

	/* /dev is made: from now on the device rules alone */
	if (j->l.cgroup_fd >= 0 && ward_cgroup_devices(j->l.cgroup_fd, j->spec, e) < 0)
		return -1;
	fill_state(j, &st);
	/* crun and the runtime-tools validation give these hooks "created" */
	json = ward_state_json(&st, WARD_STATUS_CREATED, false);
	if (ward_hooks_run(j->spec, WARD_HOOK_PRESTART, json, e) < 0 ||
	    ward_hooks_run(j->spec, WARD_HOOK_CREATE_RUNTIME, json, e) < 0)
		return -1;
	return ward_launch_go(&j->l, json, e);
}

static int on_ready(struct create_job *j, struct ward_error **e)
{
	struct ward_state st;
	_cleanup_free_ char *json = NULL;

	fill_state(j, &st);
	if (st.start_time == 0)
		return ward_err(e, ESRCH, "the container's init is gone");
	if (write_file_atomic(j->dirfd, "config.json", j->config_text, j->config_len, 0600, e) < 0 ||
	    ward_state_save(j->dirfd, &st, e) < 0)
		return -1;
	if (j->o->pid_file && write_pid_file(j->o->pid_file, j->l.pid, e) < 0)
		return -1;
	json = ward_state_json(&st, WARD_STATUS_CREATED, false);
	if (j->l.seccomp_fd >= 0 &&
	    ward_seccomp_send_listener(j->seccomp, j->l.seccomp_fd, j->l.pid, json, e) < 0)
		return -1;
	return ward_launch_commit(&j->l, e);
}

static int launch(struct create_job *j, struct ward_error **e)
{
	struct ward_launch *l = &j->l;

	l->spec = j->spec;
	l->bundle = j->bundle;
	l->rootfs = j->rootfs;
	l->preserve_fds = j->o->preserve_fds;
	l->seccomp = j->seccomp;
	l->no_pivot = j->o->no_pivot;
	l->no_new_keyring = j->o->no_new_keyring;
	l->cgroup_path = j->cgroup;
	l->parent_fds[0] = j->dirfd;
	l->parent_fds[1] = j->rootfd;
	if (ward_launch_clone(l, e) < 0)
		return -1;
	for (;;) {
		int t = ward_launch_wait(l, e);

		if (t < 0)
			return -1;
		if (t == WARD_SYNC_HOOKS && on_hooks(j, e) < 0)
			return -1;
		if (t == WARD_SYNC_READY)
			return on_ready(j, e);
	}
}

static void job_free(struct create_job *j)
{
	ward_host_facts_free(j->facts);
	ward_cgroup_plan_free(&j->resources);
	ward_seccomp_free(j->seccomp);
	ward_spec_free(j->spec);
	free(j->config_text);
	free(j->cgroup);
	free(j->created);
	if (j->dirfd >= 0)
		close(j->dirfd);
}

/* create with an already connected console socket (or -1), which it takes over;
 * on success the init is committed and blocked on exec.fifo, and pid and pidfd
 * (when asked) name it. */
static int do_create(struct ward_ctx *ctx, const char *id, const struct ward_create_opts *o, int console_fd,
		     pid_t *pid, int *pidfd, struct ward_error **e)
{
	struct create_job j = {.ctx = ctx, .id = id, .o = o, .rootfd = -1, .dirfd = -1};
	int ret = -1;

	ward_launch_init(&j.l);
	j.l.console_fd = console_fd;
	if (!valid_container_id(id)) {
		ward_err(e, EINVAL, "invalid container id \"%s\"", id ? id : "");
		goto out;
	}
	if (load_config(&j, e) < 0)
		goto out;
	if (j.spec->process.terminal && console_fd < 0) {
		ward_err(e, EINVAL, "process.terminal is true: a --console-socket is required");
		goto out;
	}
	j.created = rfc3339_now();
	j.rootfd = ward_ctx_rootfd(ctx, true, e);
	if (j.rootfd < 0 || ward_state_reserve(j.rootfd, id, &j.dirfd, e) < 0)
		goto out;
	if (setup_host(&j, e) < 0 || launch(&j, e) < 0) {
		struct ward_error *ignored = NULL;

		ward_launch_abort(&j.l);
		if (j.cgroup)
			ward_cgroup_destroy(j.cgroup, j.cgroup_origin, &ignored);
		ward_error_free(ignored);
		ignored = NULL;
		ward_state_remove(j.rootfd, id, &ignored);
		ward_error_free(ignored);
		goto out;
	}
	ward_policy_log_risky(ctx, j.spec, j.level, j.facts);
	if (pid)
		*pid = j.l.pid;
	if (pidfd)
		*pidfd = TAKE_FD(j.l.pidfd);
	if (j.l.pidfd >= 0)
		close(j.l.pidfd);
	ward_launch_release(&j.l);
	ret = 0;
out:
	ward_launch_release(&j.l);
	job_free(&j);
	return ret;
}

int ward_create(struct ward_ctx *ctx, const char *id, const struct ward_create_opts *o, struct ward_error **e)
{
	int console_fd = -1, r;

	if (o->console_socket) {
		console_fd = ward_console_connect(o->console_socket, e);
		if (console_fd < 0)
			return -1;
	}
	r = do_create(ctx, id, o, console_fd, NULL, NULL, e);
	return r;
}

/* startContainer hooks: in the container, as a process `ward exec` would start
 * (every namespace, the cgroup, the container's user, capabilities and seccomp
 * filter), after start is called and before the program runs. One that fails
 * stops the container. */
static int start_hooks(struct ward_ctx *ctx, struct ward_handle *h, struct ward_error **e)
{
	_cleanup_free_ char *json = NULL;
	struct ward_spec *s = NULL;
	int r;

	if (ward_handle_spec(h, &s, e) < 0)
		return -1;
	if (s->n_hooks[WARD_HOOK_START_CONTAINER] == 0) {
		ward_spec_free(s);
		return 0;
	}
	json = ward_state_json(h->st, WARD_STATUS_CREATED, false);
	r = ward_exec_hooks(ctx, h, s, WARD_HOOK_START_CONTAINER, json, e);
	if (r < 0) {
		int pidfd = ward_handle_pidfd(h, NULL);

		if (pidfd >= 0) {
			ward_pidfd_send_signal(pidfd, SIGKILL);
			close(pidfd);
		}
	}
	ward_spec_free(s);
	return r;
}

int ward_start(struct ward_ctx *ctx, const char *id, struct ward_error **e)
{
	struct ward_handle h;
	int fd;

	if (ward_handle_open(ctx, id, LOCK_EX, &h, e) < 0)
		return -1;
	if (h.status != WARD_STATUS_CREATED) {
		ward_err(e, EINVAL,
			 h.status == WARD_STATUS_STOPPED ? "cannot start a container that has stopped"
							 : "cannot start an already running container");
		goto fail;
	}
	if (start_hooks(ctx, &h, e) < 0)
		goto fail;
	fd = openat(h.dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENXIO)
			ward_err(e, ESRCH, "cannot start a container that has stopped");
		else
			ward_err_sys(e, "open exec.fifo of %s", id);
		goto fail;
	}
	if (write(fd, "0", 1) != 1) {
		ward_err_sys(e, "start container %s", id);
		close(fd);
		goto fail;
	}
	close(fd);
	unlinkat(h.dirfd, "exec.fifo", 0);
	h.status = WARD_STATUS_RUNNING;
	ward_handle_hooks(ctx, &h, WARD_HOOK_POSTSTART, WARD_STATUS_RUNNING);
	ward_handle_close(&h);
	return 0;
fail:
	ward_handle_close(&h);
	return -1;
}

/* Forward every signal we can take to the container's init until it exits. */
int ward_forward_and_wait(pid_t pid, int pidfd)
{
	static const int sync_sigs[] = {SIGCHLD, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS};
	struct pollfd p[2];
	sigset_t fwd, old;
	int sfd, status;

	sigfillset(&fwd);
	for (size_t i = 0; i < ARRAY_SIZE(sync_sigs); i++)
		sigdelset(&fwd, sync_sigs[i]);
	sigprocmask(SIG_BLOCK, &fwd, &old);
	sfd = signalfd(-1, &fwd, SFD_CLOEXEC);
	p[0] = (struct pollfd){.fd = pidfd, .events = POLLIN};
	p[1] = (struct pollfd){.fd = sfd, .events = POLLIN};
	for (;;) {
		struct signalfd_siginfo si;

		if (poll(p, sfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (sfd >= 0 && (p[1].revents & POLLIN) && read(sfd, &si, sizeof si) == sizeof si)
			ward_pidfd_send_signal(pidfd, (int)si.ssi_signo);
	}
	status = ward_wait_status(pid);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}

/* The pty master, if the init sent one over our private console socket. */
static int take_master(int sock)
{
	struct pollfd p = {.fd = sock, .events = POLLIN};
	int fd = -1;

	if (poll(&p, 1, 0) == 1 && ward_recv_fd(sock, &fd, NULL) == 0)
		return fd;
	return -1;
}

int ward_run(struct ward_ctx *ctx, const char *id, const struct ward_create_opts *o, int *status,
	     struct ward_error **e)
{
	struct ward_error *ignored = NULL;
	int sv[2] = {-1, -1}, console_fd = -1, master = -1, pidfd = -1;
	pid_t pid = 0;

	*status = 0;
	if (o->console_socket) {
		console_fd = ward_console_connect(o->console_socket, e);
		if (console_fd < 0)
			return -1;
	} else if (!o->detach) { /* a terminal, if the config has one, is ours to proxy */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return ward_err_sys(e, "create the console socket");
		console_fd = sv[1];
	}
	if (do_create(ctx, id, o, console_fd, &pid, &pidfd, e) < 0) {
		if (sv[0] >= 0)
			close(sv[0]);
		return -1;
	}
	if (sv[0] >= 0) {
		master = take_master(sv[0]);
		close(sv[0]);
	}
	if (ward_start(ctx, id, e) < 0) {
		ward_delete(ctx, id, true, &ignored);
		ward_error_free(ignored);
		goto fail;
	}
	if (!o->detach) {
		if (master >= 0 && ward_tty_proxy(master, pidfd, &ignored) < 0) {
			ward_log(ctx, WARD_LOG_WARN, "terminal: %s", ignored->msg);
			ward_error_free(ignored);
			ignored = NULL;
		}
		*status = master >= 0 ? ward_wait_status(pid) : ward_forward_and_wait(pid, pidfd);
		if (ward_delete(ctx, id, true, &ignored) < 0) {
			ward_log(ctx, WARD_LOG_WARN, "delete %s: %s", id, ignored->msg);
			ward_error_free(ignored);
		}
	}
	if (master >= 0)
		close(master);
	close(pidfd);
	return 0;
fail:
	if (master >= 0)
		close(master);
	if (pidfd >= 0)
		close(pidfd);
	return -1;
}
