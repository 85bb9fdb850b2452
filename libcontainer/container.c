/* SPDX-License-Identifier: Apache-2.0 */
/* The lifecycle operations on an existing container: state, kill, delete, list.
 * (create, start and run are in create.c; exec in exec.c.) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "container.h"
#include "hooks.h"
#include "launch.h"
#include "policy.h"
#include "hostobj.h"
#include "util.h"

int ward_handle_open(struct ward_ctx *ctx, const char *id, int lock_op, struct ward_handle *h,
		     struct ward_error **e)
{
	int rootfd;

	h->dirfd = -1;
	h->st = NULL;
	if (!valid_container_id(id))
		return ward_err(e, EINVAL, "invalid container id \"%s\"", id ? id : "");
	rootfd = ward_ctx_rootfd(ctx, false, e);
	if (rootfd < 0) {
		if ((*e)->code == ENOENT) {
			ward_error_free(*e);
			*e = NULL;
			return ward_err(e, ENOENT, "container \"%s\" does not exist", id);
		}
		return -1;
	}
	if (ward_state_open(rootfd, id, lock_op, &h->dirfd, e) < 0)
		return -1;
	if (ward_state_load(h->dirfd, id, &h->st, e) < 0) {
		ward_handle_close(h);
		return -1;
	}
	h->status = ward_state_status(h->dirfd, h->st);
	return 0;
}

void ward_handle_close(struct ward_handle *h)
{
	if (h->dirfd >= 0)
		close(h->dirfd); /* drops the flock */
	ward_state_free(h->st);
	h->dirfd = -1;
	h->st = NULL;
}

int ward_handle_spec(struct ward_handle *h, struct ward_spec **s, struct ward_error **e)
{
	return ward_spec_load(h->dirfd, "config.json", s, e);
}

int ward_handle_pidfd(struct ward_handle *h, struct ward_error **e)
{
	int fd;

	if (h->st->pid <= 0)
		return ward_err(e, ESRCH, "container not running");
	fd = ward_pidfd_open(h->st->pid);
	if (fd < 0)
		return ward_err(e, ESRCH, "container not running");
	/* the pidfd pins the process: if the start time still matches now, it is
	 * the container's init and not a process that reused its pid */
	if (proc_start_time(h->st->pid) != h->st->start_time) {
		close(fd);
		return ward_err(e, ESRCH, "container not running");
	}
	return fd;
}

int ward_pidfd_wait(int pidfd, int timeout_ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -1;
}

int ward_wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 255;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int ward_state(struct ward_ctx *ctx, const char *id, char **json, struct ward_error **e)
{
	struct ward_handle h;

	if (ward_handle_open(ctx, id, LOCK_SH, &h, e) < 0)
		return -1;
	*json = ward_state_json(h.st, h.status, true);
	ward_handle_close(&h);
	return 0;
}

/* How ward came by the container's cgroup (a cgroup it did not make is killed
 * without its cgroup.kill: see ward_cgroup_kill). */
static int cgroup_origin(struct ward_handle *h, enum ward_cgroup_origin *origin, struct ward_error **e)
{
	_cleanup_free_ char *path = NULL;

	return ward_state_cgroup(h->dirfd, h->st->id, h->st->cgroup, &path, origin, e);
}

int ward_kill(struct ward_ctx *ctx, const char *id, int sig, bool all, struct ward_error **e)
{
	struct ward_handle h;
	enum ward_cgroup_origin origin;
	int pidfd, r = 0;

	if (ward_handle_open(ctx, id, LOCK_SH, &h, e) < 0)
		return -1;
	if (h.status == WARD_STATUS_STOPPED) {
		ward_handle_close(&h);
		return ward_err(e, ESRCH, "container not running");
	}
	if (all && h.st->cgroup) {
		if (sig != SIGKILL)
			r = ward_cgroup_signal(h.st->cgroup, sig, e);
		else if ((r = cgroup_origin(&h, &origin, e)) == 0)
			r = ward_cgroup_kill(h.st->cgroup, origin, e);
	} else {
		pidfd = ward_handle_pidfd(&h, e);
		if (pidfd < 0) {
			r = -1;
		} else {
			if (ward_pidfd_send_signal(pidfd, sig) < 0)
				r = errno == ESRCH ? ward_err(e, ESRCH, "container not running")
						   : ward_err_sys(e, "signal %d to container %s", sig, id);
			close(pidfd);
		}
	}
	ward_handle_close(&h);
	return r;
}

/* Kill whatever is left of the container and wait (bounded) until the init is gone. */
static int stop_all(struct ward_handle *h, struct ward_error **e)
{
	int pidfd = ward_handle_pidfd(h, NULL);
	enum ward_cgroup_origin origin;

	if (h->st->cgroup &&
	    (cgroup_origin(h, &origin, e) < 0 || ward_cgroup_kill(h->st->cgroup, origin, e) < 0)) {
		if (pidfd >= 0)
			close(pidfd);
		return -1;
	}
	if (pidfd < 0)
		return 0;
	ward_pidfd_send_signal(pidfd, SIGKILL);
	if (ward_pidfd_wait(pidfd, 10000) < 0) {
		close(pidfd);
		return ward_err(e, ETIMEDOUT, "container %s: init did not exit after SIGKILL", h->st->id);
	}
	close(pidfd);
	return 0;
}

/* Hooks that run on the host long after create judged them (poststart,
 * poststop): under restricted, judged again on the binaries as they are now, and
 * pinned so that what runs is what was judged. -1 (logged): run none. */
static int restricted_hooks(struct ward_ctx *ctx, struct ward_handle *h, struct ward_spec *s,
			    enum ward_hook_kind k)
{
	struct ward_host_facts *facts = NULL;
	struct ward_error *err = NULL;
	int level, r = 0;

	if (ward_policy_level(ctx, s, &level, &err) < 0 ||
	    (level >= WARD_POLICY_RESTRICTED &&
	     ward_ctx_host_facts(ctx, s, h->st->bundle, &facts, &err) < 0)) {
		ward_log(ctx, WARD_LOG_WARN, "%s hooks not run: %s", ward_hook_kind_name(k), err->msg);
		ward_error_free(err);
		return -1;
	}
	for (size_t i = 0; facts && i < s->n_hooks[k]; i++)
		if (i >= facts->n_hooks[k] || !facts->hooks[k][i].allowed) {
			ward_log(ctx, WARD_LOG_WARN,
				 "%s hooks not run: hook #%zu (%s) is not an allow-hook binary of the host "
				 "policy (restricted)",
				 ward_hook_kind_name(k), i, s->hooks[k][i].path);
			r = -1;
		}
	if (r == 0)
		ward_host_facts_pin(facts, s);
	ward_host_facts_free(facts);
	return r;
}

void ward_handle_hooks(struct ward_ctx *ctx, struct ward_handle *h, enum ward_hook_kind k,
		       enum ward_status status)
{
	struct ward_spec *s = NULL;
	struct ward_error *err = NULL;
	_cleanup_free_ char *json = NULL;

	if (ward_handle_spec(h, &s, &err) < 0) {
		ward_log(ctx, WARD_LOG_WARN, "%s hooks not run: %s", ward_hook_kind_name(k), err->msg);
		ward_error_free(err);
		return;
	}
	/* the spec: a failing poststart or poststop hook is a warning, the others still run */
	if (s->n_hooks[k] && restricted_hooks(ctx, h, s, k) == 0) {
		json = ward_state_json(h->st, status, false);
		ward_hooks_run_warn(ctx, s, k, json);
	}
	ward_spec_free(s);
}

int ward_delete(struct ward_ctx *ctx, const char *id, bool force, struct ward_error **e)
{
	struct ward_handle h;
	int rootfd;

	if (ward_handle_open(ctx, id, LOCK_EX, &h, e) < 0) {
		/* runc: delete --force of what does not exist succeeds; what a killed
		 * create left (a state dir without state, its cgroup) goes too */
		if (force && *e && (*e)->code == ENOENT) {
			ward_error_free(*e);
			*e = NULL;
			rootfd = ward_ctx_rootfd(ctx, false, NULL);
			return rootfd >= 0 && ward_state_reap_leftover(rootfd, id, e) < 0 ? -1 : 0;
		}
		return -1;
	}
	if ((h.status == WARD_STATUS_RUNNING || h.status == WARD_STATUS_PAUSED) && !force) {
		ward_err(e, EBUSY, "cannot delete container %s that is not stopped: %s", id,
			 ward_status_name(h.status));
		ward_handle_close(&h);
		return -1;
	}
	/* the cgroup as create recorded it: a cgroup ward did not make stays */
	if ((h.status != WARD_STATUS_STOPPED && stop_all(&h, e) < 0) ||
	    ward_state_destroy_cgroup(h.dirfd, id, h.st->cgroup, e) < 0) {
		ward_handle_close(&h);
		return -1;
	}
	ward_handle_hooks(ctx, &h, WARD_HOOK_POSTSTOP, WARD_STATUS_STOPPED);
	rootfd = ward_ctx_rootfd(ctx, false, e);
	if (rootfd < 0 || ward_state_remove(rootfd, id, e) < 0) {
		ward_handle_close(&h);
		return -1;
	}
	ward_handle_close(&h);
	return 0;
}

#define FREEZE_TIMEOUT_MS 5000

static int set_frozen(struct ward_ctx *ctx, const char *id, bool freeze, struct ward_error **e)
{
	struct ward_handle h;
	int r = -1;

	if (ward_handle_open(ctx, id, LOCK_EX, &h, e) < 0)
		return -1;
	if (h.status == WARD_STATUS_STOPPED)
		ward_err(e, ESRCH, "container not running");
	else if (!h.st->cgroup)
		ward_err(e, EOPNOTSUPP, "container %s has no cgroup to freeze", id);
	else if (freeze && h.status == WARD_STATUS_PAUSED)
		ward_err(e, EINVAL, "container %s is already paused", id);
	else if (!freeze && h.status != WARD_STATUS_PAUSED)
		ward_err(e, EINVAL, "container %s is not paused", id);
	else
		r = ward_cgroup_freeze(h.st->cgroup, freeze, FREEZE_TIMEOUT_MS, e);
	ward_handle_close(&h);
	return r;
}

int ward_pause(struct ward_ctx *ctx, const char *id, struct ward_error **e)
{
	return set_frozen(ctx, id, true, e);
}

int ward_resume(struct ward_ctx *ctx, const char *id, struct ward_error **e)
{
	return set_frozen(ctx, id, false, e);
}

int ward_ps(struct ward_ctx *ctx, const char *id, pid_t **pids, size_t *n, struct ward_error **e)
{
	struct ward_handle h;
	int r = 0;

	*pids = NULL;
	*n = 0;
	if (ward_handle_open(ctx, id, LOCK_SH, &h, e) < 0)
		return -1;
	if (!h.st->cgroup)
		r = ward_err(e, EOPNOTSUPP, "container %s has no cgroup (--cgroup-manager=disabled)", id);
	else if (h.status != WARD_STATUS_STOPPED)
		r = ward_cgroup_pids(h.st->cgroup, pids, n, e);
	ward_handle_close(&h);
	return r;
}

int ward_list(struct ward_ctx *ctx, struct ward_list_entry **entries, size_t *n, struct ward_error **e)
{
	struct ward_error *err = NULL;
	int rootfd = ward_ctx_rootfd(ctx, false, &err);
	char **ids = NULL;
	size_t count = 0;

	*entries = NULL;
	*n = 0;
	if (rootfd < 0) {
		if (err->code == ENOENT) { /* nothing was ever created here */
			ward_error_free(err);
			return 0;
		}
		*e = err;
		return -1;
	}
	if (ward_state_list(rootfd, &ids, e) < 0)
		return -1;
	*entries = xmalloc0((strv_len(ids) + 1) * sizeof **entries);
	for (size_t i = 0; ids[i]; i++) {
		struct ward_handle h;
		struct ward_list_entry *le = &(*entries)[count];

		if (ward_handle_open(ctx, ids[i], LOCK_SH, &h, &err) < 0) {
			ward_error_free(err); /* deleted meanwhile */
			err = NULL;
			continue;
		}
		le->id = xstrdup(h.st->id);
		le->pid = h.status == WARD_STATUS_STOPPED ? 0 : h.st->pid;
		le->status = xstrdup(ward_status_name(h.status));
		le->bundle = xstrdup(h.st->bundle);
		le->rootfs = xstrdup(h.st->rootfs);
		le->created = xstrdup(h.st->created);
		le->owner = xstrdup(h.st->owner ? h.st->owner : "");
		count++;
		ward_handle_close(&h);
	}
	strv_free(ids);
	*n = count;
	return 0;
}

void ward_list_free(struct ward_list_entry *entries, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(entries[i].id);
		free(entries[i].status);
		free(entries[i].bundle);
		free(entries[i].rootfs);
		free(entries[i].created);
		free(entries[i].owner);
	}
	free(entries);
}
