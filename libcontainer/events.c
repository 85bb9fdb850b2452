/* SPDX-License-Identifier: Apache-2.0 */
/* ward events: runc's event stream for a container. A {"type":"stats"} event
 * every interval (or once with stats_only), and a {"type":"oom"} event for each
 * OOM kill in the container's cgroup as it happens: the kernel signals a change
 * of memory.events to inotify, so nothing polls the file. The stream ends when
 * the container's init exits (after a last look at memory.events: an OOM-killed
 * init is counted before it is gone). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cgroup_stats.h"
#include "container.h"
#include "json.h"
#include "util.h"

struct stream {
	const char *id;
	int cgfd, pidfd, inofd;
	uint64_t ooms;
	ward_event_fn fn;
	void *ud;
};

/* {"type":TYPE,"id":ID[,"data":stats]} on one line, given to the caller's fn;
 * its non-zero return ends the stream. */
static int emit(struct stream *s, const char *type, bool stats, int *stop, struct ward_error **e)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	_cleanup_free_ char *text = NULL;
	int r = 0;

	yajl_gen_map_open(g);
	json_gen_str(g, "type");
	json_gen_str(g, type);
	json_gen_str(g, "id");
	json_gen_str(g, s->id);
	if (stats) {
		json_gen_str(g, "data");
		r = ward_cgroup_stats_gen(s->cgfd, g, e);
	}
	yajl_gen_map_close(g);
	if (r == 0 && !(text = json_gen_text(g, false)))
		r = ward_err(e, EINVAL, "event of container %s: JSON generator error", s->id);
	yajl_gen_free(g);
	if (r == 0)
		*stop = s->fn(s->ud, text);
	return r;
}

/* One oom event per OOM kill counted since the last look. */
static int check_oom(struct stream *s, int *stop, struct ward_error **e)
{
	uint64_t n = ward_cgroup_oom_kills(s->cgfd);

	for (; s->ooms < n && !*stop; s->ooms++)
		if (emit(s, "oom", false, stop, e) < 0)
			return -1;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int stream_loop(struct stream *s, unsigned interval_ms, struct ward_error **e)
{
	int64_t next = now_ms() + interval_ms;
	int stop = 0;

	s->ooms = ward_cgroup_oom_kills(s->cgfd);
	while (!stop) {
		struct pollfd p[2] = {{.fd = s->pidfd, .events = POLLIN}, {.fd = s->inofd, .events = POLLIN}};
		int64_t wait = next - now_ms();
		int r = poll(p, s->inofd >= 0 ? 2 : 1, wait < 0 ? 0 : (int)wait);

		if (r < 0 && errno != EINTR)
			return ward_err_sys(e, "events of container %s: poll", s->id);
		if (r > 0 && (p[1].revents & POLLIN)) {
			char buf[4096];

			while (read(s->inofd, buf, sizeof buf) > 0)
				;
			if (check_oom(s, &stop, e) < 0)
				return -1;
		}
		if (r > 0 && p[0].revents) /* the init exited: the last OOMs, then the end */
			return check_oom(s, &stop, e);
		if (!stop && now_ms() >= next) {
			if (emit(s, "stats", true, &stop, e) < 0)
				return -1;
			next += interval_ms;
		}
	}
	return 0;
}

int ward_events(struct ward_ctx *ctx, const char *id, const struct ward_events_opts *o, ward_event_fn fn,
		void *ud, struct ward_error **e)
{
	struct ward_handle h;
	struct stream s = {.id = id, .cgfd = -1, .pidfd = -1, .inofd = -1, .fn = fn, .ud = ud};
	int r = -1, stop = 0;

	if (ward_handle_open(ctx, id, LOCK_SH, &h, e) < 0)
		return -1;
	if (h.status == WARD_STATUS_STOPPED)
		ward_err(e, ESRCH, "container %s is not running", id);
	else if (!h.st->cgroup)
		ward_err(e, EOPNOTSUPP, "container %s has no cgroup", id);
	else if ((s.cgfd = open(h.st->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		ward_err_sys(e, "open cgroup %s", h.st->cgroup);
	else if ((s.pidfd = ward_handle_pidfd(&h, e)) >= 0)
		r = 0;
	if (r == 0 && !o->stats_only) {
		_cleanup_free_ char *file = xasprintf("%s/memory.events", h.st->cgroup);

		/* no memory controller, no OOM events: the stats go on alone */
		s.inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (s.inofd >= 0 && inotify_add_watch(s.inofd, file, IN_MODIFY) < 0) {
			close(s.inofd);
			s.inofd = -1;
		}
	}
	/* the stream must not hold the lock: delete and update go on meanwhile */
	ward_handle_close(&h);
	if (r == 0)
		r = o->stats_only ? emit(&s, "stats", true, &stop, e)
				  : stream_loop(&s, o->interval_ms ? o->interval_ms : 5000, e);
	if (s.inofd >= 0)
		close(s.inofd);
	if (s.pidfd >= 0)
		close(s.pidfd);
	if (s.cgfd >= 0)
		close(s.cgfd);
	return r;
}
