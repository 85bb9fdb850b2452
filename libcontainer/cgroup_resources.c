/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cgroup_resources.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "json.h"
#include "util.h"

static void add(struct ward_cg_plan *p, const char *file, char *value, char *path, const char *controller)
{
	p->w = xrealloc(p->w, (p->n + 1) * sizeof *p->w);
	p->w[p->n++] = (struct ward_cg_write){
	    .file = xstrdup(file), .value = value, .path = path, .controller = controller};
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

/* An integer field within lo..hi, or absent. */
static int ranged(yajl_val obj, const char *key, const char *at, int64_t lo, int64_t hi, int64_t *v,
		  bool *set, struct ward_error **e)
{
	if (number(obj, key, at, v, set, e) < 0)
		return -1;
	if (*set && *v < 0 && lo == 0 && hi == INT64_MAX)
		return ward_err(e, EINVAL, "%s.%s: %" PRId64 " is negative", at, key, *v);
	if (*set && (*v < lo || *v > hi))
		return ward_err(e, EINVAL, "%s.%s: %" PRId64 " is outside %" PRId64 "..%" PRId64, at, key, *v,
				lo, hi);
	return 0;
}

/* A field that must be there, within lo..hi. */
static int required(yajl_val obj, const char *key, const char *at, int64_t lo, int64_t hi, int64_t *v,
		    struct ward_error **e)
{
	bool set;

	if (ranged(obj, key, at, lo, hi, v, &set, e) < 0)
		return -1;
	if (!set)
		return ward_err(e, EINVAL, "%s.%s: missing (expected an integer)", at, key);
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

/* obj[key] as a container of the given type, or NULL when absent. */
static int member_of(yajl_val obj, const char *key, const char *at, yajl_type type, yajl_val *out,
		     struct ward_error **e)
{
	*out = json_member(obj, key);
	if (*out && (*out)->type != type)
		return ward_err(e, EINVAL, "%s.%s: expected %s", at, key,
				type == yajl_t_array ? "an array" : "an object");
	return 0;
}

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* A name from the config as it can appear in a one-line message. */
static char *printable(const char *s)
{
	char *c = xstrdup(s);

	for (char *q = c; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
	return c;
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
	    refuse(m, "swappiness", at, "per-cgroup swappiness does not exist in cgroup v2", e) < 0 ||
	    refuse(m, "disableOOMKiller", at, "cgroup v2 cannot turn the OOM killer off", e) < 0)
		return -1;
	/* 0 is what engines write for a limit they do not set (runc writes nothing
	 * for it either): memory.max 0 would kill the container at its first page */
	has_limit = has_limit && limit != 0;
	has_res = has_res && res != 0;
	has_swap = has_swap && swap != 0;
	if (has_limit)
		add(p, "memory.max", limit_str(limit), xasprintf("%s.limit", at), "memory");
	if (has_res)
		add(p, "memory.low", limit_str(res), xasprintf("%s.reservation", at), "memory");
	if (has_swap) {
		/* OCI's swap is memory + swap; v2's memory.swap.max is swap alone */
		if (swap > 0 && (!has_limit || limit < 0))
			return ward_err(
			    e, EINVAL,
			    "%s.swap: a swap limit needs memory.limit too (OCI's swap is memory plus swap)",
			    at);
		if (swap > 0 && swap < limit)
			return ward_err(e, EINVAL,
					"%s.swap: %" PRId64 " is below memory.limit %" PRId64
					" (OCI's swap is memory plus swap)",
					at, swap, limit);
		add(p, "memory.swap.max", swap < 0 ? xstrdup("max") : xasprintf("%" PRId64, swap - limit),
		    xasprintf("%s.swap", at), "memory");
	}
	return 0;
}

/* cpus/mems: a string; empty is unset. */
static int plan_cpuset(yajl_val c, const char *key, const char *at, struct ward_cg_plan *p,
		       struct ward_error **e)
{
	yajl_val v = json_member(c, key);

	if (!v)
		return 0;
	if (!YAJL_IS_STRING(v))
		return ward_err(e, EINVAL, "%s.%s: expected a string", at, key);
	if (*YAJL_GET_STRING(v))
		add(p, strcmp(key, "cpus") == 0 ? "cpuset.cpus" : "cpuset.mems", xstrdup(YAJL_GET_STRING(v)),
		    xasprintf("%s.%s", at, key), "cpuset");
	return 0;
}

static int plan_cpu(yajl_val c, struct ward_cg_plan *p, struct ward_error **e)
{
	const char *at = "linux.resources.cpu";
	int64_t shares = 0, quota = 0, period = 0, burst = 0, idle = 0;
	bool s, q, pe, b, i;

	if (number(c, "shares", at, &shares, &s, e) < 0 || number(c, "quota", at, &quota, &q, e) < 0 ||
	    ranged(c, "period", at, 0, INT64_MAX, &period, &pe, e) < 0 ||
	    number(c, "burst", at, &burst, &b, e) < 0 || number(c, "idle", at, &idle, &i, e) < 0)
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
	/* the kernel takes at most the quota as burst (EINVAL otherwise) */
	if (b && (burst < 0 || (q && quota > 0 && burst > quota)))
		return ward_err(e, EINVAL, "%s.burst: %" PRId64 " is %s", at, burst,
				burst < 0 ? "negative"
					  : "above the quota (a burst may be at most the quota)");
	if (b)
		add(p, "cpu.max.burst", xasprintf("%" PRId64, burst), xasprintf("%s.burst", at), "cpu");
	if (i)
		add(p, "cpu.idle", xasprintf("%" PRId64, idle), xasprintf("%s.idle", at), "cpu");
	if (plan_cpuset(c, "cpus", at, p, e) < 0 || plan_cpuset(c, "mems", at, p, e) < 0)
		return -1;
	return 0;
}

static int plan_hugetlb(yajl_val n, struct ward_cg_plan *p, struct ward_error **e)
{
	if (!YAJL_IS_ARRAY(n))
		return ward_err(e, EINVAL, "linux.resources.hugepageLimits: expected an array");
	for (size_t i = 0; i < n->u.array.len; i++) {
		yajl_val h = n->u.array.values[i], lim = json_member(h, "limit");
		const char *size = YAJL_GET_STRING(json_member(h, "pageSize"));

		/* a part of a file name: "2MB", "1GB" (letters and digits only) */
		if (!size || !*size ||
		    size[strspn(size, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")] ||
		    !lim || !YAJL_IS_INTEGER(lim))
			return ward_err(
			    e, EINVAL, "linux.resources.hugepageLimits[%zu]: expected pageSize and limit", i);
		_cleanup_free_ char *file = xasprintf("hugetlb.%s.max", size);

		add(p, file, xasprintf("%lld", (long long)YAJL_GET_INTEGER(lim)),
		    xasprintf("linux.resources.hugepageLimits[%zu]", i), "hugetlb");
	}
	return 0;
}

/* The v2 controllers whose files a config may write through unified. */
static const char *const unified_controllers[] = {"cpu",  "cpuset",  "memory", "io",
						  "pids", "hugetlb", "rdma",   "misc"};

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-';
}

/* One file of the cgroup's own directory: two or more dot-separated parts of
 * letters, digits, '_' and '-', none empty (so no '/', no "..", nothing that
 * names another directory). */
static bool file_name(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || n > NAME_MAX || !strchr(k, '.'))
		return false;
	for (const char *c = k; *c; c++)
		if (*c == '.' ? c == k || c[1] == '.' || c[1] == '\0' : !name_char(*c))
			return false;
	return true;
}

/* A key a config may write: "<controller>.<file>" of a listed controller, or
 * one of the two limits of the cgroup core. Every other cgroup.* file acts on
 * processes (cgroup.procs, .threads, .kill, .freeze) or on the tree
 * (.subtree_control, .type), not on a limit. *controller: static, or NULL. */
static bool allowed_key(const char *k, const char **controller)
{
	size_t n = strcspn(k, ".");

	*controller = NULL;
	if (strcmp(k, "cgroup.max.depth") == 0 || strcmp(k, "cgroup.max.descendants") == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(unified_controllers); i++)
		if (strlen(unified_controllers[i]) == n && strncmp(k, unified_controllers[i], n) == 0) {
			*controller = unified_controllers[i];
			return true;
		}
	return false;
}

/* unified: a controller's file, written as given, in the container's own cgroup only. */
static int plan_unified(yajl_val u, struct ward_cg_plan *p, struct ward_error **e)
{
	if (YAJL_IS_NULL(u)) /* as absent: what Go engines send */
		return 0;
	if (!YAJL_IS_OBJECT(u))
		return ward_err(e, EINVAL, "linux.resources.unified: expected an object");
	for (size_t i = 0; i < u->u.object.len; i++) {
		const char *k = u->u.object.keys[i], *controller;
		yajl_val v = u->u.object.values[i];

		if (!file_name(k)) {
			_cleanup_free_ char *shown = printable(k);

			return ward_err(
			    e, EINVAL,
			    "linux.resources.unified.%s: not a file name of the container's cgroup", shown);
		}
		if (!allowed_key(k, &controller))
			return ward_err(
			    e, EINVAL,
			    "linux.resources.unified.%s: not a resource file ward may write (only "
			    "CONTROLLER.FILE for cpu, cpuset, memory, io, pids, hugetlb, rdma or "
			    "misc, and cgroup.max.depth, cgroup.max.descendants)",
			    k);
		if (!YAJL_GET_STRING(v))
			return ward_err(e, EINVAL, "linux.resources.unified.%s: expected a string", k);
		add(p, k, xstrdup(YAJL_GET_STRING(v)), xasprintf("linux.resources.unified.%s", k),
		    controller);
	}
	return 0;
}

/* OCI's block I/O weights are cgroup v1's (10..1000). BFQ's io.bfq.weight has the
 * same range and takes them as they are; iocost's io.weight is 1..10000, reached
 * by the linear map runc and crun use (10 -> 1, 1000 -> 10000), so that engines
 * get the same weights from ward. */
static int64_t io_weight(int64_t w)
{
	return 1 + (w - 10) * 9999 / 990;
}

static void add_weight(struct ward_cg_plan *p, const char *dev, int64_t w, char *path)
{
	add(p, "io.weight", xasprintf("%s %" PRId64, dev, io_weight(w)), path, "io");
	p->w[p->n - 1].alt_file = xstrdup("io.bfq.weight");
	/* BFQ before 5.4 takes a plain number only (no "default W", no devices) */
	p->w[p->n - 1].alt_value =
	    strcmp(dev, "default") == 0 ? xasprintf("%" PRId64, w) : xasprintf("%s %" PRId64, dev, w);
}

/* A device's major:minor, within what the kernel's dev_t holds (12 and 20 bits):
 * larger numbers would alias another device once the kernel packs them. */
static int device(yajl_val d, const char *at, char **dev, struct ward_error **e)
{
	int64_t major = 0, minor = 0;

	if (!YAJL_IS_OBJECT(d))
		return ward_err(e, EINVAL, "%s: expected an object", at);
	if (required(d, "major", at, 0, 4095, &major, e) < 0 ||
	    required(d, "minor", at, 0, 1048575, &minor, e) < 0)
		return -1;
	*dev = xasprintf("%" PRId64 ":%" PRId64, major, minor);
	return 0;
}

static int plan_weight_devices(yajl_val b, const char *at, struct ward_cg_plan *p, struct ward_error **e)
{
	yajl_val a;

	if (member_of(b, "weightDevice", at, yajl_t_array, &a, e) < 0)
		return -1;
	for (size_t i = 0; a && i < a->u.array.len; i++) {
		yajl_val d = a->u.array.values[i];
		_cleanup_free_ char *here = xasprintf("%s.weightDevice[%zu]", at, i), *dev = NULL;
		int64_t w = 0;
		bool set;

		if (device(d, here, &dev, e) < 0 || ranged(d, "weight", here, 0, 1000, &w, &set, e) < 0 ||
		    refuse(d, "leafWeight", here, "leaf weights do not exist in cgroup v2", e) < 0)
			return -1;
		if (w == 0) /* unset */
			continue;
		if (w < 10)
			return ward_err(e, EINVAL, "%s.weight: %" PRId64 " is outside 10..1000", here, w);
		add_weight(p, dev, w, xasprintf("%s.weight", here));
	}
	return 0;
}

/* throttle*Device[]: io.max lines, one key each (the kernel keeps the others). */
static int plan_throttle(yajl_val b, const char *at, const char *key, const char *io_key,
			 struct ward_cg_plan *p, struct ward_error **e)
{
	yajl_val a;

	if (member_of(b, key, at, yajl_t_array, &a, e) < 0)
		return -1;
	for (size_t i = 0; a && i < a->u.array.len; i++) {
		_cleanup_free_ char *here = xasprintf("%s.%s[%zu]", at, key, i), *dev = NULL;
		int64_t rate = 0;

		if (device(a->u.array.values[i], here, &dev, e) < 0 ||
		    required(a->u.array.values[i], "rate", here, 0, INT64_MAX, &rate, e) < 0)
			return -1;
		/* 0 lifts the limit, as in cgroup v1's blkio.throttle.* files that these
		 * fields come from (runc and crun pass it on, and the kernel refuses
		 * io.max's 0 with ERANGE) */
		add(p, "io.max",
		    rate ? xasprintf("%s %s=%" PRId64, dev, io_key, rate)
			 : xasprintf("%s %s=max", dev, io_key),
		    TAKE_PTR(here), "io");
	}
	return 0;
}

static int plan_blkio(yajl_val b, struct ward_cg_plan *p, struct ward_error **e)
{
	static const char *const throttles[][2] = {{"throttleReadBpsDevice", "rbps"},
						   {"throttleWriteBpsDevice", "wbps"},
						   {"throttleReadIOPSDevice", "riops"},
						   {"throttleWriteIOPSDevice", "wiops"}};
	const char *at = "linux.resources.blockIO";
	int64_t w = 0;
	bool set;

	if (!YAJL_IS_OBJECT(b))
		return ward_err(e, EINVAL, "%s: expected an object", at);
	if (ranged(b, "weight", at, 0, 1000, &w, &set, e) < 0 ||
	    refuse(b, "leafWeight", at, "leaf weights do not exist in cgroup v2", e) < 0)
		return -1;
	if (w != 0 && w < 10) /* 0: unset */
		return ward_err(e, EINVAL, "%s.weight: %" PRId64 " is outside 10..1000", at, w);
	if (w != 0)
		add_weight(p, "default", w, xasprintf("%s.weight", at));
	if (plan_weight_devices(b, at, p, e) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(throttles); i++)
		if (plan_throttle(b, at, throttles[i][0], throttles[i][1], p, e) < 0)
			return -1;
	return 0;
}

/* An rdma.max key: the kernel reads an int, "max" being INT32_MAX. */
static int hca(yajl_val d, const char *key, const char *at, const char *name, char **line,
	       struct ward_error **e)
{
	int64_t v = 0;
	bool set;

	if (ranged(d, key, at, 0, INT32_MAX, &v, &set, e) < 0)
		return -1;
	if (set) {
		char *l = xasprintf("%s %s=%" PRId64, *line, name, v);

		free(*line);
		*line = l;
	}
	return 0;
}

/* rdma: {"mlx5_0": {"hcaHandles": N, "hcaObjects": M}} -> rdma.max lines. */
static int plan_rdma(yajl_val r, struct ward_cg_plan *p, struct ward_error **e)
{
	if (!YAJL_IS_OBJECT(r))
		return ward_err(e, EINVAL, "linux.resources.rdma: expected an object");
	for (size_t i = 0; i < r->u.object.len; i++) {
		const char *name = r->u.object.keys[i];
		yajl_val d = r->u.object.values[i];
		_cleanup_free_ char *at = NULL, *line = NULL;

		/* the name starts an rdma.max line: nothing that would split it */
		if (!*name || strchr(name, ' ') || strchr(name, '/') || has_ctl(name) || strlen(name) >= 64) {
			_cleanup_free_ char *shown = printable(name);

			return ward_err(e, EINVAL, "linux.resources.rdma: \"%s\" is not an RDMA device name",
					shown);
		}
		at = xasprintf("linux.resources.rdma.%s", name);
		if (YAJL_IS_NULL(d))
			continue;
		if (!YAJL_IS_OBJECT(d))
			return ward_err(e, EINVAL, "%s: expected an object", at);
		line = xstrdup(name);
		if (hca(d, "hcaHandles", at, "hca_handle", &line, e) < 0 ||
		    hca(d, "hcaObjects", at, "hca_object", &line, e) < 0)
			return -1;
		if (strcmp(line, name) != 0) /* an empty object asks for nothing */
			add(p, "rdma.max", TAKE_PTR(line), TAKE_PTR(at), "rdma");
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
	if ((n = json_member(r, "hugepageLimits")) && plan_hugetlb(n, p, e) < 0)
		goto fail;
	if ((n = json_member(r, "blockIO")) && plan_blkio(n, p, e) < 0)
		goto fail;
	if ((n = json_member(r, "rdma")) && plan_rdma(n, p, e) < 0)
		goto fail;
	/* last: unified is how a config says what the fields above cannot */
	if ((n = json_member(r, "unified")) && plan_unified(n, p, e) < 0)
		goto fail;
	if (refuse(r, "network", "linux.resources", "network classID/priorities are cgroup v1 only", e) < 0)
		goto fail;
	return 0;
fail:
	ward_cgroup_plan_free(p);
	return -1;
}

void ward_cgroup_plan_free(struct ward_cg_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->w[i].file);
		free(p->w[i].value);
		free(p->w[i].path);
		free(p->w[i].alt_file);
		free(p->w[i].alt_value);
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

/* Write value to the file name of the cgroup open as dfd (path, for
 * messages): one component, never through a symlink. */
static int write_in(int dfd, const char *path, const char *name, const char *value, struct ward_error **e)
{
	_cleanup_close_ int fd = -1;

	if (!*name || strchr(name, '/') || name[0] == '.')
		return ward_err(e, EINVAL, "%s/%s: not a file of the cgroup", path, name);
	fd = openat(dfd, name, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return ward_err_sys(e, "open %s/%s", path, name);
	if (write_all(fd, value, strlen(value)) < 0)
		return ward_err_sys(e, "write %s/%s", path, name);
	return 0;
}

/* A write with an alternative (a block I/O weight): each of the two files the
 * host has gets its value, since each scheduler reads only its own. One may
 * refuse (a per-device weight for a device that scheduler does not run:
 * EOPNOTSUPP) when the other takes it; neither file there is an error too. */
static int write_alt(int dfd, const char *path, const struct ward_cg_write *w, struct ward_error **e)
{
	const char *files[] = {w->file, w->alt_file}, *values[] = {w->value, w->alt_value};
	struct ward_error *first = NULL;
	bool took = false;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		struct ward_error *err = NULL;

		if (faccessat(dfd, files[i], F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			continue;
		if (write_in(dfd, path, files[i], values[i], &err) == 0)
			took = true;
		else if (!first)
			first = err;
		else
			ward_error_free(err);
	}
	if (took) {
		ward_error_free(first);
		return 0;
	}
	if (!first)
		return ward_err(e, ENOENT, "%s: the host has neither %s nor %s in %s", w->path, w->file,
				w->alt_file, path);
	*e = first;
	if (first->code == EOPNOTSUPP) /* what the kernel says for a device it weighs with neither */
		return ward_err_prefix(e, "%s: neither BFQ nor iocost schedules this device", w->path);
	return ward_err_prefix(e, "%s", w->path);
}

/* Every write goes to a file of the cgroup directory itself, opened once. */
int ward_cgroup_apply(const char *mount, const char *path, const struct ward_cg_plan *p, char **skipped,
		      struct ward_error **e)
{
	_cleanup_free_ char *want = NULL;
	_cleanup_close_ int dfd = -1;

	*skipped = NULL;
	if (p->n == 0)
		return 0;
	if (needed_controllers(mount, p, &want, skipped, e) < 0 || (want && enable(mount, path, want, e) < 0))
		return -1;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return ward_err_sys(e, "open cgroup %s", path);
	for (size_t i = 0; i < p->n; i++) {
		const struct ward_cg_write *w = &p->w[i];

		if (w->controller && *skipped && listed(*skipped, w->controller))
			continue;
		if (w->alt_file ? write_alt(dfd, path, w, e) < 0
				: write_in(dfd, path, w->file, w->value, e) < 0)
			return w->alt_file ? -1 : ward_err_prefix(e, "%s", w->path);
	}
	return 0;
}
