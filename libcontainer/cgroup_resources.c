/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cgroup_resources.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "json.h"
#include "util.h"

static void add(struct ward_cg_plan *p, const char *file, char *value, char *path, const char *controller)
{
	p->w = xrealloc(p->w, (p->n + 1) * sizeof *p->w);
	p->w[p->n++] = (struct ward_cg_write){xstrdup(file), value, path, controller, false};
}

/* An integer field, or absent (*set false). */
static int number(yajl_val obj, const char *key, const char *at, int64_t *v, bool *set, struct ward_error **e)
{
	yajl_val n = json_member(obj, key);

	*set = n != NULL;
	if (!n)
		return 0;
	if (!YAJL_IS_INTEGER(n))
		return ward_err(e, EINVAL, "%s.%s: expected an integer", at, key);
	*v = YAJL_GET_INTEGER(n);
	return 0;
}

static char *limit_str(int64_t v)
{
	return v < 0 ? xstrdup("max") : xasprintf("%" PRId64, v);
}

/* Refuse obj[key] when it asks for something: engines send empty objects
 * ("blockIO": {}) and zeros for what they do not set. */
static bool asks(yajl_val v)
{
	if (!v || YAJL_IS_NULL(v) || YAJL_IS_FALSE(v))
		return false;
	if (YAJL_IS_INTEGER(v))
		return YAJL_GET_INTEGER(v) != 0;
	if (YAJL_IS_OBJECT(v)) {
		for (size_t i = 0; i < v->u.object.len; i++)
			if (asks(v->u.object.values[i]))
				return true;
		return false;
	}
	if (YAJL_IS_ARRAY(v))
		return v->u.array.len > 0;
	return true;
}

static int refuse(yajl_val obj, const char *key, const char *at, const char *why, struct ward_error **e)
{
	if (asks(json_member(obj, key)))
		return ward_err(e, EOPNOTSUPP, "%s.%s: %s", at, key, why);
	return 0;
}

static int plan_memory(yajl_val m, struct ward_cg_plan *p, struct ward_error **e)
{
	const char *at = "linux.resources.memory";
	int64_t limit = 0, res = 0, swap = 0;
	bool has_limit, has_res, has_swap;

	if (number(m, "limit", at, &limit, &has_limit, e) < 0 ||
	    number(m, "reservation", at, &res, &has_res, e) < 0 ||
	    number(m, "swap", at, &swap, &has_swap, e) < 0)
		return -1;
	if (refuse(m, "kernel", at, "kernel memory limits do not exist in cgroup v2", e) < 0 ||
	    refuse(m, "kernelTCP", at, "kernel TCP memory limits do not exist in cgroup v2", e) < 0 ||
	    refuse(m, "swappiness", at, "per-cgroup swappiness does not exist in cgroup v2", e) < 0)
		return -1;
	if (has_limit)
		add(p, "memory.max", limit_str(limit), xasprintf("%s.limit", at), "memory");
	if (has_res)
		add(p, "memory.low", limit_str(res), xasprintf("%s.reservation", at), "memory");
	if (has_swap) {
		/* OCI's swap is memory + swap; v2's memory.swap.max is swap alone */
		if (swap >= 0 && (!has_limit || limit < 0))
			return ward_err(
			    e, EINVAL,
			    "%s.swap: a swap limit needs memory.limit too (OCI's swap is memory plus swap)",
			    at);
		if (swap >= 0 && swap < limit)
			return ward_err(e, EINVAL,
					"%s.swap: %" PRId64 " is below memory.limit %" PRId64
					" (OCI's swap is memory plus swap)",
					at, swap, limit);
		add(p, "memory.swap.max", swap < 0 ? xstrdup("max") : xasprintf("%" PRId64, swap - limit),
		    xasprintf("%s.swap", at), "memory");
	}
	return 0;
}

static int plan_cpu(yajl_val c, struct ward_cg_plan *p, struct ward_error **e)
{
	const char *at = "linux.resources.cpu";
	int64_t shares = 0, quota = 0, period = 0, burst = 0, idle = 0;
	bool s, q, pe, b, i;
	yajl_val cpus = json_member(c, "cpus"), mems = json_member(c, "mems");

	if (number(c, "shares", at, &shares, &s, e) < 0 || number(c, "quota", at, &quota, &q, e) < 0 ||
	    number(c, "period", at, &period, &pe, e) < 0 || number(c, "burst", at, &burst, &b, e) < 0 ||
	    number(c, "idle", at, &idle, &i, e) < 0)
		return -1;
	if (refuse(c, "realtimeRuntime", at, "realtime scheduling budgets do not exist in cgroup v2", e) <
		0 ||
	    refuse(c, "realtimePeriod", at, "realtime scheduling budgets do not exist in cgroup v2", e) < 0)
		return -1;
	if (s && shares != 0) { /* the mapping runc and crun use, so engines get the same weight */
		if (shares < 2 || shares > 262144)
			return ward_err(e, EINVAL, "%s.shares: %" PRId64 " is outside 2..262144", at, shares);
		add(p, "cpu.weight", xasprintf("%" PRId64, 1 + ((shares - 2) * 9999) / 262142),
		    xasprintf("%s.shares", at), "cpu");
	}
	if ((q && quota != 0) || (pe && period != 0))
		add(p, "cpu.max",
		    xasprintf("%s %" PRId64, q && quota > 0 ? "" : "max", pe && period ? period : 100000),
		    xasprintf("%s.quota", at), "cpu");
	if (q && quota > 0) { /* the quota number itself */
		free(p->w[p->n - 1].value);
		p->w[p->n - 1].value =
		    xasprintf("%" PRId64 " %" PRId64, quota, pe && period ? period : 100000);
	}
	if (b)
		add(p, "cpu.max.burst", xasprintf("%" PRId64, burst), xasprintf("%s.burst", at), "cpu");
	if (i)
		add(p, "cpu.idle", xasprintf("%" PRId64, idle), xasprintf("%s.idle", at), "cpu");
	if (cpus && YAJL_GET_STRING(cpus) && *YAJL_GET_STRING(cpus))
		add(p, "cpuset.cpus", xstrdup(YAJL_GET_STRING(cpus)), xasprintf("%s.cpus", at), "cpuset");
	if (mems && YAJL_GET_STRING(mems) && *YAJL_GET_STRING(mems))
		add(p, "cpuset.mems", xstrdup(YAJL_GET_STRING(mems)), xasprintf("%s.mems", at), "cpuset");
	return 0;
}

/* unified: "<controller>.<file>" written as given, in the container's own cgroup only. */
static int plan_unified(yajl_val u, struct ward_cg_plan *p, struct ward_error **e)
{
	for (size_t i = 0; YAJL_IS_OBJECT(u) && i < u->u.object.len; i++) {
		const char *k = u->u.object.keys[i], *dot = strchr(k, '.');
		yajl_val v = u->u.object.values[i];
		static char ctrl[32];

		if (!dot || dot == k || strchr(k, '/') || strstr(k, "..") || (size_t)(dot - k) >= sizeof ctrl)
			return ward_err(
			    e, EINVAL,
			    "linux.resources.unified.%s: not a file name of the container's cgroup", k);
		if (!YAJL_GET_STRING(v))
			return ward_err(e, EINVAL, "linux.resources.unified.%s: expected a string", k);
		add(p, k, xstrdup(YAJL_GET_STRING(v)), xasprintf("linux.resources.unified.%s", k), NULL);
		if (strncmp(k, "cgroup.", 7) != 0) { /* the controller: what precedes the first dot */
			char *c = xstrndup(k, (size_t)(dot - k));

			p->w[p->n - 1].controller = c; /* owned: freed with the plan (see free) */
		}
	}
	return 0;
}

int ward_cgroup_plan(const struct ward_spec *s, bool with_defaults, struct ward_cg_plan *p,
		     struct ward_error **e)
{
	return ward_cgroup_plan_resources(s->linux_.resources, with_defaults, p, e);
}

int ward_cgroup_plan_resources(const void *resources, bool with_defaults, struct ward_cg_plan *p,
			       struct ward_error **e)
{
	yajl_val r = (yajl_val)resources, n;
	int64_t pids = 0;
	bool has_pids = false;

	memset(p, 0, sizeof *p);
	if ((n = json_member(r, "memory")) && plan_memory(n, p, e) < 0)
		goto fail;
	if ((n = json_member(r, "cpu")) && plan_cpu(n, p, e) < 0)
		goto fail;
	if ((n = json_member(r, "pids")) &&
	    number(n, "limit", "linux.resources.pids", &pids, &has_pids, e) < 0)
		goto fail;
	if (has_pids)
		add(p, "pids.max", limit_str(pids > 0 ? pids : -1), xstrdup("linux.resources.pids.limit"),
		    "pids");
	else if (with_defaults) {
		add(p, "pids.max", xasprintf("%d", WARD_DEFAULT_PIDS_MAX),
		    xstrdup("linux.resources.pids.limit"), "pids");
		p->w[p->n - 1].by_default = true;
	}
	if ((n = json_member(r, "hugepageLimits")) && YAJL_IS_ARRAY(n))
		for (size_t i = 0; i < n->u.array.len; i++) {
			yajl_val h = n->u.array.values[i], lim = json_member(h, "limit");
			const char *size = YAJL_GET_STRING(json_member(h, "pageSize"));

			if (!size || strchr(size, '/') || strstr(size, "..") || !lim ||
			    !YAJL_IS_INTEGER(lim)) {
				ward_err(e, EINVAL,
					 "linux.resources.hugepageLimits[%zu]: expected pageSize and limit",
					 i);
				goto fail;
			}
			add(p, "", xasprintf("%lld", (long long)YAJL_GET_INTEGER(lim)),
			    xasprintf("linux.resources.hugepageLimits[%zu]", i), "hugetlb");
			free(p->w[p->n - 1].file);
			p->w[p->n - 1].file = xasprintf("hugetlb.%s.max", size);
		}
	if ((n = json_member(r, "unified")) && plan_unified(n, p, e) < 0)
		goto fail;
	/* not implemented yet: refused rather than ignored */
	if (refuse(r, "blockIO", "linux.resources",
		   "block I/O limits are not supported by this version of ward", e) < 0 ||
	    refuse(r, "rdma", "linux.resources", "RDMA limits are not supported by this version of ward", e) <
		0 ||
	    refuse(r, "network", "linux.resources", "network classID/priorities are cgroup v1 only", e) < 0)
		goto fail;
	return 0;
fail:
	ward_cgroup_plan_free(p);
	return -1;
}

void ward_cgroup_plan_free(struct ward_cg_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		/* unified's controllers are the only ones not static strings */
		if (p->w[i].controller && strncmp(p->w[i].path, "linux.resources.unified.", 24) == 0)
			free((char *)p->w[i].controller);
		free(p->w[i].file);
		free(p->w[i].value);
		free(p->w[i].path);
	}
	free(p->w);
	memset(p, 0, sizeof *p);
}

static bool listed(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == ',') &&
		    (p[n] == ' ' || p[n] == ',' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static void append_word(char **list, const char *word, const char *sep)
{
	char *n;

	if (*list && listed(*list, word))
		return;
	n = *list ? xasprintf("%s%s%s", *list, sep, word) : xstrdup(word);
	free(*list);
	*list = n;
}

/* The controllers to enable, checked against what the hierarchy has. */
static int needed_controllers(const char *mount, const struct ward_cg_plan *p, char **want, char **skipped,
			      struct ward_error **e)
{
	_cleanup_free_ char *root = NULL, *file = xasprintf("%s/cgroup.controllers", mount);

	if (read_file_at(AT_FDCWD, file, 4096, &root, NULL, e) < 0)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		const char *c = p->w[i].controller;

		if (!c)
			continue;
		if (listed(root, c)) {
			append_word(want, c, " ");
			continue;
		}
		if (p->w[i].by_default) {
			append_word(skipped, c, ", ");
			continue;
		}
		return ward_err(
		    e, EOPNOTSUPP,
		    "%s: the %s controller is not on this host's cgroup v2 hierarchy (%s): boot with "
		    "cgroup_no_v1=all or systemd.unified_cgroup_hierarchy=1 to enforce it",
		    p->w[i].path, c, mount);
	}
	return 0;
}

/* "+memory +pids" into cgroup.subtree_control of every ancestor of path. */
static int enable(const char *mount, const char *path, const char *want, struct ward_error **e)
{
	_cleanup_free_ char *line = NULL, *dir = xstrdup(mount);
	const char *rest = path + strlen(mount);
	char *save = NULL, *copy = xstrdup(rest), *comp;

	{
		char *w = xstrdup(want), *s2 = NULL;
		for (char *t = strtok_r(w, " ", &s2); t; t = strtok_r(NULL, " ", &s2)) {
			_cleanup_free_ char *plus = xasprintf("+%s", t);

			append_word(&line, plus, " ");
		}
		free(w);
	}
	comp = strtok_r(copy, "/", &save);
	while (comp) {
		char *next = strtok_r(NULL, "/", &save);
		_cleanup_free_ char *ctl = xasprintf("%s/cgroup.subtree_control", dir);
		struct ward_error *err = NULL;

		if (write_file_at(AT_FDCWD, ctl, line, &err) < 0) {
			*e = err;
			free(copy);
			return ward_err_prefix(e, "enable the %s controller%s", want,
					       strchr(want, ' ') ? "s" : "");
		}
		if (!next)
			break; /* the leaf itself delegates nothing */
		{
			char *d = xasprintf("%s/%s", dir, comp);
			free(dir);
			dir = d;
		}
		comp = next;
	}
	free(copy);
	return 0;
}

int ward_cgroup_apply(const char *mount, const char *path, const struct ward_cg_plan *p, char **skipped,
		      struct ward_error **e)
{
	_cleanup_free_ char *want = NULL;

	*skipped = NULL;
	if (p->n == 0)
		return 0;
	if (needed_controllers(mount, p, &want, skipped, e) < 0 || (want && enable(mount, path, want, e) < 0))
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		const struct ward_cg_write *w = &p->w[i];
		_cleanup_free_ char *file = xasprintf("%s/%s", path, w->file);
		struct ward_error *err = NULL;

		if (w->controller && *skipped && listed(*skipped, w->controller))
			continue;
		if (write_file_at(AT_FDCWD, file, w->value, &err) < 0) {
			*e = err;
			return ward_err_prefix(e, "%s", w->path);
		}
	}
	return 0;
}
