/* SPDX-License-Identifier: Apache-2.0 */
/* config.json -> struct ward_spec. The text is parsed into a yajl tree, then walked
 * by small typed readers that keep the JSON path of the node being read in a
 * buffer, so every error can name it ("mounts[2].destination: expected a string").
 * Flat objects are described by field tables; only the irregular parts (enums,
 * cross-field checks, duplicates) have hand-written code. */
#include "config.h"
#include "spec.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <yajl/yajl_tree.h>

#include "caps.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* <linux/sched.h>; older libcs lack it */
#endif

static const char *const ns_names[WARD_NS_COUNT] = {"pid",   "network", "ipc",	"uts",
						    "mount", "cgroup",	"user", "time"};
static const char *const ns_proc_names[WARD_NS_COUNT] = {"pid", "net",	  "ipc",  "uts",
							 "mnt", "cgroup", "user", "time"};
static const int ns_flags[WARD_NS_COUNT] = {CLONE_NEWPID, CLONE_NEWNET,	   CLONE_NEWIPC,  CLONE_NEWUTS,
					    CLONE_NEWNS,  CLONE_NEWCGROUP, CLONE_NEWUSER, CLONE_NEWTIME};
static const char *const hook_names[WARD_HOOK_KINDS] = {"prestart",	  "createRuntime", "createContainer",
							"startContainer", "poststart",	   "poststop"};
static const char *const cap_set_names[WARD_CAP_NSETS] = {"bounding", "effective", "inheritable", "permitted",
							  "ambient"};
static const char *const propagations[] = {"private", "rprivate", "slave",	"rslave",
					   "shared",  "rshared",  "unbindable", "runbindable"};

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

const char *ward_ns_name(enum ward_ns_type t)
{
	return (unsigned)t < WARD_NS_COUNT ? ns_names[t] : NULL;
}

int ward_ns_clone_flag(enum ward_ns_type t)
{
	return (unsigned)t < WARD_NS_COUNT ? ns_flags[t] : 0;
}

const char *ward_ns_proc_name(enum ward_ns_type t)
{
	return (unsigned)t < WARD_NS_COUNT ? ns_proc_names[t] : NULL;
}

const char *ward_hook_kind_name(enum ward_hook_kind k)
{
	return (unsigned)k < WARD_HOOK_KINDS ? hook_names[k] : NULL;
}

static int find_name(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

/* ---- Path buffer and errors ---- */

struct ctx {
	const char *file;
	struct ward_error **e;
	size_t len;	/* strlen(path) */
	char path[512]; /* JSON path of the node being read; truncated if longer */
};

/* Append to the path; returns the old length for pop(). Control characters are
 * replaced so that keys taken from the input keep error messages on one line. */
__attribute__((format(printf, 2, 3))) static size_t push(struct ctx *c, const char *fmt, ...)
{
	size_t old = c->len, room = sizeof c->path - old;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + old, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	c->len = (size_t)n < room ? old + (size_t)n : sizeof c->path - 1;
	c->path[c->len] = '\0';
	for (char *p = c->path + old; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return old;
}

static size_t push_key(struct ctx *c, const char *key)
{
	return push(c, "%s%s", c->len ? "." : "", key);
}

static size_t push_idx(struct ctx *c, size_t i)
{
	return push(c, "[%zu]", i);
}

static void pop(struct ctx *c, size_t old)
{
	c->len = old;
	c->path[old] = '\0';
}

/* "file: path: message" (EINVAL). Callers bail out after an error, so paths pushed
 * on the way to it are never popped. */
__attribute__((format(printf, 2, 3))) static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	int r;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return ward_err(c->e, ENOMEM, "%s: out of memory", c->file);
	for (char *p = msg; *p; p++) /* values quoted from the input */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (c->len)
		r = ward_err(c->e, EINVAL, "%s: %s: %s", c->file, c->path, msg);
	else
		r = ward_err(c->e, EINVAL, "%s: %s", c->file, msg);
	free(msg);
	return r;
}

/* ---- Generic readers ---- */

/* obj[key], or NULL when absent. A key given twice is refused: JSON leaves its
 * meaning open, Go-based tools take the last copy and a plain lookup the first, so
 * a checker upstream and the runtime could read different configs. */
static int lookup_raw(struct ctx *c, yajl_val obj, const char *key, yajl_val *out)
{
	*out = NULL;
	for (size_t i = 0; i < obj->u.object.len; i++) {
		if (strcmp(obj->u.object.keys[i], key) != 0)
			continue;
		if (*out) {
			push_key(c, key);
			return fail(c, "duplicate key");
		}
		*out = obj->u.object.values[i];
	}
	return 0;
}

/* Same, with null read as absent: Go writers emit null for unset slices and maps. */
static int lookup(struct ctx *c, yajl_val obj, const char *key, yajl_val *out)
{
	if (lookup_raw(c, obj, key, out) < 0)
		return -1;
	if (*out && YAJL_IS_NULL(*out))
		*out = NULL;
	return 0;
}

static int want_object(struct ctx *c, yajl_val v)
{
	return YAJL_IS_OBJECT(v) ? 0 : fail(c, "expected an object");
}

/* A JSON number written as an integer (yajl only marks it so when it fits a long long). */
static bool integral(const char *s)
{
	if (*s == '-')
		s++;
	return *s && strspn(s, "0123456789") == strlen(s);
}

static int node_int(struct ctx *c, yajl_val v, long long lo, long long hi, long long *out)
{
	const char *what = lo >= 0 ? "a non-negative integer" : "an integer";
	long long n = 0;

	if (!YAJL_IS_INTEGER(v)) {
		if (YAJL_IS_NUMBER(v) && integral(v->u.number.r))
			return fail(c, "%.40s is out of range [%lld, %lld]", v->u.number.r, lo, hi);
		return fail(c, "expected %s", what);
	}
	n = YAJL_GET_INTEGER(v);
	if (n < 0 && lo >= 0)
		return fail(c, "expected %s", what);
	if (n < lo || n > hi)
		return fail(c, "%lld is out of range [%lld, %lld]", n, lo, hi);
	*out = n;
	return 0;
}

/* A uid or gid. A larger one is refused, not wrapped: 4294967295 is (uid_t)-1, which
 * setresuid and chown read as "leave unchanged" (the process would stay root). */
static int node_id(struct ctx *c, yajl_val v, uint32_t *out)
{
	long long n;

	if (!YAJL_IS_INTEGER(v)) {
		if (YAJL_IS_NUMBER(v) && integral(v->u.number.r))
			return fail(c, "%.40s is out of range (0 to %u)", v->u.number.r, WARD_ID_MAX);
		return fail(c, "expected a non-negative integer");
	}
	n = YAJL_GET_INTEGER(v);
	if (n < 0 || n > (long long)WARD_ID_MAX)
		return fail(c, "%lld is out of range (0 to %u)", n, WARD_ID_MAX);
	*out = (uint32_t)n;
	return 0;
}

/* A string borrowed from the tree; abs: it must be an absolute path. */
static int node_str(struct ctx *c, yajl_val v, bool abs, const char **out)
{
	if (!YAJL_IS_STRING(v))
		return fail(c, abs ? "expected an absolute path" : "expected a string");
	if (abs && v->u.string[0] != '/')
		return fail(c, "expected an absolute path, got \"%.100s\"", v->u.string);
	*out = v->u.string;
	return 0;
}

static int node_strv(struct ctx *c, yajl_val v, bool abs, char ***out)
{
	size_t n;
	char **sv;

	if (!YAJL_IS_ARRAY(v))
		return fail(c, abs ? "expected an array of absolute paths" : "expected an array of strings");
	n = v->u.array.len;
	/* Owned by *out from here on, so the caller frees what was read on error. */
	sv = *out = xmalloc0((n + 1) * sizeof *sv);
	for (size_t i = 0; i < n; i++) {
		size_t m = push_idx(c, i);
		const char *s = NULL;

		if (node_str(c, v->u.array.values[i], abs, &s) < 0)
			return -1;
		sv[i] = xstrdup(s);
		pop(c, m);
	}
	return 0;
}

enum ftype {
	T_NAME, /* const char *, borrowed from the tree */
	T_STR,	/* char *, copied */
	T_ABS,	/* char *, copied, absolute path */
	T_BOOL, /* bool */
	T_U32,	/* uint32_t */
	T_ID,	/* uint32_t, a uid or gid: 0 to WARD_ID_MAX */
	T_U64,	/* uint64_t, at most LLONG_MAX (yajl integers are long long) */
	T_I64,	/* int64_t */
	T_INT,	/* int */
	T_STRV, /* char **, NULL-terminated */
	T_ABSV, /* char **, NULL-terminated absolute paths */
};

struct field {
	const char *key;
	enum ftype type;
	bool required;
	size_t off;	    /* of the value in the destination struct */
	int flag;	    /* offset of a bool set when the key is present, or -1 */
	long long min, max; /* numeric range; both 0: the range of the type */
};

#define OPT(k, t, st, m)                                                                                     \
	{                                                                                                    \
		.key = (k), .type = (t), .off = offsetof(st, m), .flag = -1                                  \
	}
#define REQ(k, t, st, m)                                                                                     \
	{                                                                                                    \
		.key = (k), .type = (t), .required = true, .off = offsetof(st, m), .flag = -1                \
	}
#define HAS(k, t, st, m, f)                                                                                  \
	{                                                                                                    \
		.key = (k), .type = (t), .off = offsetof(st, m), .flag = (int)offsetof(st, f)                \
	}
#define RANGE(k, t, st, m, f, lo, hi)                                                                        \
	{                                                                                                    \
		.key = (k), .type = (t), .off = offsetof(st, m), .flag = (f), .min = (lo), .max = (hi)       \
	}

static void type_range(enum ftype t, long long *lo, long long *hi)
{
	switch (t) {
	case T_U32:
		*lo = 0, *hi = UINT32_MAX;
		break;
	case T_U64:
		*lo = 0, *hi = LLONG_MAX;
		break;
	case T_INT:
		*lo = INT_MIN, *hi = INT_MAX;
		break;
	default:
		*lo = LLONG_MIN, *hi = LLONG_MAX;
		break;
	}
}

static int read_node(struct ctx *c, yajl_val v, const struct field *f, void *dst)
{
	long long n = 0, lo = f->min, hi = f->max;
	const char *s = NULL;

	if (lo == 0 && hi == 0)
		type_range(f->type, &lo, &hi);
	switch (f->type) {
	case T_NAME:
	case T_STR:
	case T_ABS:
		if (node_str(c, v, f->type == T_ABS, &s) < 0)
			return -1;
		if (f->type == T_NAME)
			*(const char **)dst = s;
		else
			*(char **)dst = xstrdup(s);
		return 0;
	case T_BOOL:
		if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
			return fail(c, "expected true or false");
		*(bool *)dst = YAJL_IS_TRUE(v);
		return 0;
	case T_STRV:
	case T_ABSV:
		return node_strv(c, v, f->type == T_ABSV, (char ***)dst);
	case T_ID:
		return node_id(c, v, (uint32_t *)dst);
	default:
		break;
	}
	if (node_int(c, v, lo, hi, &n) < 0)
		return -1;
	if (f->type == T_U32)
		*(uint32_t *)dst = (uint32_t)n;
	else if (f->type == T_U64)
		*(uint64_t *)dst = (uint64_t)n;
	else if (f->type == T_I64)
		*(int64_t *)dst = n;
	else
		*(int *)dst = (int)n;
	return 0;
}

/* One field of obj into base: 1 when present, 0 when absent, -1 on error. */
static int parse_field(struct ctx *c, yajl_val obj, void *base, const struct field *f)
{
	yajl_val v;
	size_t m;

	if (lookup(c, obj, f->key, &v) < 0)
		return -1;
	m = push_key(c, f->key);
	if (!v && f->required)
		return fail(c, "required");
	if (!v) {
		pop(c, m);
		return 0;
	}
	if (read_node(c, v, f, (char *)base + f->off) < 0)
		return -1;
	if (f->flag >= 0)
		*(bool *)((char *)base + f->flag) = true;
	pop(c, m);
	return 1;
}

static int parse_fields(struct ctx *c, yajl_val obj, void *base, const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (parse_field(c, obj, base, &f[i]) < 0)
			return -1;
	return 0;
}

/* An optional field with the default range of its type; 1/0/-1 as parse_field. */
static int get(struct ctx *c, yajl_val obj, const char *key, enum ftype t, void *out)
{
	const struct field f = {.key = key, .type = t, .flag = -1};

	return parse_field(c, obj, out, &f);
}

/* Node readers called on array elements and nested objects, with the path at the node. */
typedef int (*node_fn)(struct ctx *c, yajl_val v, void *out, void *arg);

/* obj[key] must be an object when present; fn reads it. 1/0/-1 as parse_field. */
static int visit_object(struct ctx *c, yajl_val obj, const char *key, node_fn fn, void *out, void *arg)
{
	yajl_val v;
	size_t m;

	if (lookup(c, obj, key, &v) < 0)
		return -1;
	if (!v)
		return 0;
	m = push_key(c, key);
	if (want_object(c, v) < 0 || fn(c, v, out, arg) < 0)
		return -1;
	pop(c, m);
	return 1;
}

/* obj[key] must be an array when present; fn reads each element. With items,
 * *items becomes a zeroed array of *n elements of sz bytes and fn gets element i as
 * out; it is stored before the elements are read so the caller frees partial results. */
static int visit_array(struct ctx *c, yajl_val obj, const char *key, void *items, size_t sz, size_t *n,
		       node_fn fn, void *arg)
{
	yajl_val v;
	size_t m, len;
	char *base = NULL;

	if (lookup(c, obj, key, &v) < 0)
		return -1;
	if (!v)
		return 0;
	m = push_key(c, key);
	if (!YAJL_IS_ARRAY(v))
		return fail(c, "expected an array");
	len = v->u.array.len;
	if (items) {
		base = xmalloc0((len ? len : 1) * sz);
		*(void **)items = base;
		*n = len;
	}
	for (size_t i = 0; i < len; i++) {
		size_t mi = push_idx(c, i);

		if (fn(c, v->u.array.values[i], base ? base + i * sz : NULL, arg) < 0)
			return -1;
		pop(c, mi);
	}
	pop(c, m);
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An object of strings (annotations, sysctl) into *out (struct ward_kv **), *arg
 * (size_t) entries. Repeated keys are refused, found by sorting to stay O(n log n). */
static int parse_kv(struct ctx *c, yajl_val v, void *out, void *arg)
{
	size_t n = v->u.object.len;
	struct ward_kv *kv = *(struct ward_kv **)out = xmalloc0((n ? n : 1) * sizeof *kv);
	_cleanup_free_ const char **keys = xmalloc0((n ? n : 1) * sizeof *keys);

	*(size_t *)arg = n;
	for (size_t i = 0; i < n; i++) {
		size_t m = push_key(c, v->u.object.keys[i]);
		const char *s = NULL;

		if (node_str(c, v->u.object.values[i], false, &s) < 0)
			return -1;
		kv[i].key = xstrdup(v->u.object.keys[i]);
		kv[i].value = xstrdup(s);
		keys[i] = kv[i].key;
		pop(c, m);
	}
	qsort(keys, n, sizeof *keys, cmp_str);
	for (size_t i = 1; i < n; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0) {
			push_key(c, keys[i]);
			return fail(c, "duplicate key");
		}
	return 0;
}

/* ---- process ---- */

static int parse_gid(struct ctx *c, yajl_val v, void *out, void *arg)
{
	return node_id(c, v, out);
}

static int parse_user(struct ctx *c, yajl_val v, void *out, void *arg)
{
	static const struct field f[] = {
	    REQ("uid", T_ID, struct ward_user, uid),
	    REQ("gid", T_ID, struct ward_user, gid),
	    HAS("umask", T_U32, struct ward_user, umask, has_umask),
	};
	struct ward_user *u = out;

	if (parse_fields(c, v, u, f, ARRAY_SIZE(f)) < 0)
		return -1;
	if (visit_array(c, v, "additionalGids", &u->additional_gids, sizeof *u->additional_gids,
			&u->n_additional_gids, parse_gid, NULL) < 0)
		return -1;
	return 0;
}

static int parse_console(struct ctx *c, yajl_val v, void *out, void *arg)
{
	static const struct field f[] = {
	    REQ("height", T_U32, struct ward_process, console_height),
	    REQ("width", T_U32, struct ward_process, console_width),
	};
	struct ward_process *p = out;

	p->has_console_size = true;
	return parse_fields(c, v, p, f, ARRAY_SIZE(f));
}

static int parse_cap(struct ctx *c, yajl_val v, void *out, void *arg)
{
	const char *name = NULL;
	int cap;

	if (node_str(c, v, false, &name) < 0)
		return -1;
	cap = ward_cap_from_name(name);
	if (cap < 0 || cap > 63) /* the sets are 64-bit masks */
		return fail(c, "unknown capability \"%.100s\"", name);
	*(uint64_t *)arg |= UINT64_C(1) << cap;
	return 0;
}

static int parse_caps(struct ctx *c, yajl_val v, void *out, void *arg)
{
	struct ward_process *p = out;

	p->has_caps = true;
	for (int i = 0; i < WARD_CAP_NSETS; i++) {
		int r = visit_array(c, v, cap_set_names[i], NULL, 0, NULL, parse_cap, &p->caps.set[i]);

		if (r < 0)
			return -1;
		p->caps.present[i] = r > 0;
	}
	return 0;
}

static int parse_rlimit(struct ctx *c, yajl_val v, void *out, void *arg)
{
	static const struct field f[] = {
	    REQ("type", T_STR, struct ward_rlimit, type),
	    REQ("soft", T_U64, struct ward_rlimit, soft),
	    REQ("hard", T_U64, struct ward_rlimit, hard),
	};
	struct ward_rlimit *rl = out;
	uint64_t *seen = arg;
	size_t i;

	if (want_object(c, v) < 0 || parse_fields(c, v, rl, f, ARRAY_SIZE(f)) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(rlimit_names) && strcmp(rlimit_names[i].name, rl->type) != 0; i++)
		;
	if (i == ARRAY_SIZE(rlimit_names)) {
		push_key(c, "type");
		return fail(c, "unknown rlimit type \"%.100s\"", rl->type);
	}
	if (*seen & (UINT64_C(1) << i)) {
		push_key(c, "type");
		return fail(c, "rlimit \"%s\" listed twice", rl->type);
	}
	*seen |= UINT64_C(1) << i;
	rl->resource = rlimit_names[i].resource;
	if (rl->soft > rl->hard)
		return fail(c, "soft limit %" PRIu64 " exceeds hard limit %" PRIu64, rl->soft, rl->hard);
	return 0;
}

static int parse_process(struct ctx *c, yajl_val v, void *out, void *arg)
{
	static const struct field f[] = {
	    OPT("terminal", T_BOOL, struct ward_process, terminal),
	    REQ("cwd", T_ABS, struct ward_process, cwd),
	    REQ("args", T_STRV, struct ward_process, args),
	    OPT("env", T_STRV, struct ward_process, env),
	    OPT("apparmorProfile", T_STR, struct ward_process, apparmor_profile),
	    OPT("selinuxLabel", T_STR, struct ward_process, selinux_label),
	    RANGE("oomScoreAdj", T_INT, struct ward_process, oom_score_adj,
		  (int)offsetof(struct ward_process, has_oom_score_adj), -1000, 1000),
	};
	struct ward_process *p = out;
	uint64_t seen = 0;
	bool nnp = false;
	int r;

	p->present = true;
	if (parse_fields(c, v, p, f, ARRAY_SIZE(f)) < 0)
		return -1;
	if (!p->args[0]) {
		push_key(c, "args");
		return fail(c, "must not be empty");
	}
	for (size_t i = 0; p->env && p->env[i]; i++) {
		const char *eq = strchr(p->env[i], '=');

		if (!eq || eq == p->env[i]) {
			push_key(c, "env");
			push_idx(c, i);
			return fail(c, "expected \"KEY=value\", got \"%.100s\"", p->env[i]);
		}
	}
	r = get(c, v, "noNewPrivileges", T_BOOL, &nnp);
	if (r < 0)
		return -1;
	if (r > 0)
		p->no_new_privileges = nnp;
	if (visit_object(c, v, "consoleSize", parse_console, p, NULL) < 0 ||
	    visit_object(c, v, "user", parse_user, &p->user, NULL) < 0 ||
	    visit_object(c, v, "capabilities", parse_caps, p, NULL) < 0)
		return -1;
	if (visit_array(c, v, "rlimits", &p->rlimits, sizeof *p->rlimits, &p->n_rlimits, parse_rlimit,
			&seen) < 0)
		return -1;
	return 0;
}

/* ---- mounts, hooks ---- */

static int parse_mount(struct ctx *c, yajl_val v, void *out, void *arg)
{
	/* The spec once allowed relative destinations; like runc >= 1.1, they are
	 * refused rather than guessed at (relative to what: "/", the cwd?). */
	static const struct field f[] = {
	    REQ("destination", T_ABS, struct ward_mount, destination),
	    OPT("type", T_STR, struct ward_mount, type),
	    OPT("source", T_STR, struct ward_mount, source),
	    OPT("options", T_STRV, struct ward_mount, options),
	};

	if (want_object(c, v) < 0)
		return -1;
	return parse_fields(c, v, out, f, ARRAY_SIZE(f));
}

static int parse_hook(struct ctx *c, yajl_val v, void *out, void *arg)
{
	static const struct field f[] = {
	    REQ("path", T_ABS, struct ward_hook, path),
	    OPT("args", T_STRV, struct ward_hook, args),
	    OPT("env", T_STRV, struct ward_hook, env),
	};
	struct ward_hook *h = out;
	int64_t timeout;
	int r;

	if (want_object(c, v) < 0 || parse_fields(c, v, h, f, ARRAY_SIZE(f)) < 0)
		return -1;
	r = get(c, v, "timeout", T_I64, &timeout);
	if (r <= 0)
		return r;
	push_key(c, "timeout");
	/* The spec: "timeout ... MUST be greater than zero"; 0 is not "no timeout". */
	if (timeout <= 0)
		return fail(c, "must be greater than zero, got %" PRId64, timeout);
	if (timeout > INT_MAX)
		return fail(c, "%" PRId64 " is out of range [1, %d]", timeout, INT_MAX);
	h->timeout = (int)timeout;
	return 0;
}

static int parse_hooks(struct ctx *c, yajl_val v, void *out, void *arg)
{
	struct ward_spec *s = out;

	for (int k = 0; k < WARD_HOOK_KINDS; k++)
		if (visit_array(c, v, hook_names[k], &s->hooks[k], sizeof *s->hooks[k], &s->n_hooks[k],
				parse_hook, NULL) < 0)
			return -1;
	return 0;
}

/* ---- linux ---- */

static int parse_namespace(struct ctx *c, yajl_val v, void *out, void *arg)
{
	struct ward_linux *l = arg;
	const char *type = NULL;
	size_t m;
	int t;

	if (want_object(c, v) < 0)
		return -1;
	switch (get(c, v, "type", T_NAME, &type)) {
	case -1:
		return -1;
	case 0:
		push_key(c, "type");
		return fail(c, "required");
	}
	m = push_key(c, "type");
	t = find_name(ns_names, WARD_NS_COUNT, type);
	if (t < 0)
		return fail(c, "unknown namespace type \"%.100s\"", type);
	if (l->ns[t].present)
		return fail(c, "namespace \"%s\" listed twice", type);
	pop(c, m);
	l->ns[t].present = true;
	return get(c, v, "path", T_ABS, &l->ns[t].path) < 0 ? -1 : 0;
}

static int parse_idmap(struct ctx *c, yajl_val v, void *out, void *arg)
{
	static const struct field f[] = {
	    REQ("containerID", T_ID, struct ward_idmap, container_id),
	    REQ("hostID", T_ID, struct ward_idmap, host_id),
	    REQ("size", T_U32, struct ward_idmap, size),
	};
	struct ward_idmap *m = out;

	if (want_object(c, v) < 0 || parse_fields(c, v, m, f, ARRAY_SIZE(f)) < 0)
		return -1;
	/* The kernel refuses these with a bare EINVAL when the map is written; say why now.
	 * It wants id + size to fit in 32 bits: no range reaches 4294967295, (uid_t)-1. */
	if (m->size == 0) {
		push_key(c, "size");
		return fail(c, "must be greater than zero");
	}
	if ((uint64_t)m->container_id + m->size > UINT32_MAX)
		return fail(c, "containerID + size (%u + %u) exceeds %u", m->container_id, m->size,
			    UINT32_MAX);
	if ((uint64_t)m->host_id + m->size > UINT32_MAX)
		return fail(c, "hostID + size (%u + %u) exceeds %u", m->host_id, m->size, UINT32_MAX);
	return 0;
}

static int parse_offset(struct ctx *c, yajl_val v, void *out, void *arg)
{
	static const struct field f[] = {
	    OPT("secs", T_I64, struct ward_time_offset, secs),
	    RANGE("nanosecs", T_U32, struct ward_time_offset, nanosecs, -1, 0, 999999999),
	};
	struct ward_time_offset *o = out;

	o->present = true;
	return parse_fields(c, v, o, f, ARRAY_SIZE(f));
}

static int parse_time_offsets(struct ctx *c, yajl_val v, void *out, void *arg)
{
	struct ward_linux *l = out;

	/* Only these two clocks are virtualised by time namespaces; others are ignored
	 * like any unknown key. */
	if (visit_object(c, v, "boottime", parse_offset, &l->time_boottime, NULL) < 0)
		return -1;
	return visit_object(c, v, "monotonic", parse_offset, &l->time_monotonic, NULL) < 0 ? -1 : 0;
}

static int parse_device(struct ctx *c, yajl_val v, void *out, void *arg)
{
	static const struct field f[] = {
	    REQ("path", T_ABS, struct ward_device, path),
	    RANGE("major", T_I64, struct ward_device, major, -1, 0, LLONG_MAX),
	    RANGE("minor", T_I64, struct ward_device, minor, -1, 0, LLONG_MAX),
	    HAS("fileMode", T_U32, struct ward_device, mode, has_mode),
	    HAS("uid", T_ID, struct ward_device, uid, has_uid),
	    HAS("gid", T_ID, struct ward_device, gid, has_gid),
	};
	static const char *const numbers[] = {"major", "minor"};
	struct ward_device *d = out;
	const char *type = NULL;
	yajl_val n;

	if (want_object(c, v) < 0 || parse_fields(c, v, d, f, ARRAY_SIZE(f)) < 0)
		return -1;
	switch (get(c, v, "type", T_NAME, &type)) {
	case -1:
		return -1;
	case 0:
		push_key(c, "type");
		return fail(c, "required");
	}
	if (strlen(type) != 1 || !strchr("cbup", type[0])) {
		push_key(c, "type");
		return fail(c, "unknown device type \"%.100s\" (expected c, b, u or p)", type);
	}
	d->type = type[0];
	if (d->type == 'p') /* a FIFO has no device number */
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(numbers); i++) {
		if (lookup(c, v, numbers[i], &n) < 0)
			return -1;
		if (!n) {
			push_key(c, numbers[i]);
			return fail(c, "required for device type '%c'", d->type);
		}
	}
	return 0;
}

static int parse_linux(struct ctx *c, yajl_val v, void *out, void *arg)
{
	static const struct field f[] = {
	    HAS("maskedPaths", T_ABSV, struct ward_linux, masked_paths, has_masked_paths),
	    HAS("readonlyPaths", T_ABSV, struct ward_linux, readonly_paths, has_readonly_paths),
	    OPT("rootfsPropagation", T_STR, struct ward_linux, rootfs_propagation),
	    OPT("mountLabel", T_STR, struct ward_linux, mount_label),
	    OPT("cgroupsPath", T_STR, struct ward_linux, cgroups_path),
	};
	struct ward_spec *s = out;
	struct ward_linux *l = &s->linux_;
	yajl_val n;

	s->has_linux = true;
	if (parse_fields(c, v, l, f, ARRAY_SIZE(f)) < 0)
		return -1;
	if (l->rootfs_propagation &&
	    find_name(propagations, ARRAY_SIZE(propagations), l->rootfs_propagation) < 0) {
		push_key(c, "rootfsPropagation");
		return fail(c, "unknown propagation \"%.100s\"", l->rootfs_propagation);
	}
	if (visit_array(c, v, "namespaces", NULL, 0, NULL, parse_namespace, l) < 0 ||
	    visit_array(c, v, "uidMappings", &l->uid_mappings, sizeof *l->uid_mappings, &l->n_uid_mappings,
			parse_idmap, NULL) < 0 ||
	    visit_array(c, v, "gidMappings", &l->gid_mappings, sizeof *l->gid_mappings, &l->n_gid_mappings,
			parse_idmap, NULL) < 0 ||
	    visit_object(c, v, "timeOffsets", parse_time_offsets, l, NULL) < 0 ||
	    visit_array(c, v, "devices", &l->devices, sizeof *l->devices, &l->n_devices, parse_device, NULL) <
		0 ||
	    visit_object(c, v, "sysctl", parse_kv, &l->sysctl, &l->n_sysctl) < 0)
		return -1;
	/* resources and seccomp are read by cgroup.c and policy.c from the tree. */
	if (lookup(c, v, "resources", &n) < 0)
		return -1;
	if (n) {
		size_t m = push_key(c, "resources");

		if (want_object(c, n) < 0)
			return -1;
		l->resources = n;
		pop(c, m);
	}
	/* Unlike other keys, an explicit null seccomp is kept apart from an absent
	 * one: it asks for no filter at all, where absence lets policy pick a default. */
	if (lookup_raw(c, v, "seccomp", &n) < 0)
		return -1;
	if (n) {
		push_key(c, "seccomp");
		if (!YAJL_IS_NULL(n) && want_object(c, n) < 0)
			return -1;
		l->has_seccomp = true;
		l->seccomp = YAJL_IS_NULL(n) ? NULL : n;
	}
	return 0;
}

/* ---- top level ---- */

static int parse_top(struct ctx *c, yajl_val top, struct ward_spec *s)
{
	static const struct field f[] = {
	    REQ("ociVersion", T_STR, struct ward_spec, oci_version),
	    OPT("hostname", T_STR, struct ward_spec, hostname),
	    OPT("domainname", T_STR, struct ward_spec, domainname),
	};
	static const struct field root[] = {
	    REQ("path", T_STR, struct ward_spec, root_path),
	    OPT("readonly", T_BOOL, struct ward_spec, root_readonly),
	};
	yajl_val v;

	if (!YAJL_IS_OBJECT(top))
		return fail(c, "expected a JSON object at the top level");
	if (parse_fields(c, top, s, f, ARRAY_SIZE(f)) < 0)
		return -1;
	/* root is optional in the spec (for VM-based runtimes); a container runtime needs it. */
	if (lookup(c, top, "root", &v) < 0)
		return -1;
	push_key(c, "root");
	if (!v) {
		push_key(c, "path");
		return fail(c, "required");
	}
	if (want_object(c, v) < 0 || parse_fields(c, v, s, root, ARRAY_SIZE(root)) < 0)
		return -1;
	pop(c, 0);
	if (visit_object(c, top, "process", parse_process, &s->process, NULL) < 0 ||
	    visit_array(c, top, "mounts", &s->mounts, sizeof *s->mounts, &s->n_mounts, parse_mount, NULL) <
		0 ||
	    visit_object(c, top, "hooks", parse_hooks, s, NULL) < 0 ||
	    visit_object(c, top, "annotations", parse_kv, &s->annotations, &s->n_annotations) < 0 ||
	    visit_object(c, top, "linux", parse_linux, s, NULL) < 0)
		return -1;
	return 0;
}

/* One line: yajl's verbose messages quote the input over several lines. */
static char *squash(char *msg)
{
	char *w = msg;
	bool space = false;

	for (const char *r = msg; *r; r++) {
		if ((unsigned char)*r <= ' ' || *r == 0x7f) {
			space = w != msg;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = false;
		*w++ = *r;
	}
	*w = '\0';
	return msg;
}

/* Checks made on the raw text before yajl sees it. Nesting depth: yajl's tree is
 * freed recursively, so a few megabytes of '[' would overflow the stack. Comments
 * (which the yajl tree parser accepts) are refused: they are not JSON, and a quote
 * inside one would desynchronise this scan. \u0000 is refused because the tree
 * keeps NUL-terminated strings, so "/a\u0000/b" would silently become "/a". */
static int prescan(struct ctx *c, const char *p, size_t len)
{
	unsigned depth = 0;
	bool in_str = false;

	if (memchr(p, '\0', len))
		return fail(c, "invalid JSON: NUL byte in the input");
	for (size_t i = 0; i < len; i++) {
		if (in_str) {
			if (p[i] == '\\') {
				if (len - i > 5 && memcmp(p + i + 1, "u0000", 5) == 0)
					return fail(c, "invalid JSON: \\u0000 in a string is not supported");
				i++;
			} else if (p[i] == '"') {
				in_str = false;
			}
			continue;
		}
		switch (p[i]) {
		case '"':
			in_str = true;
			break;
		case '[':
		case '{':
			if (++depth > WARD_SPEC_MAX_DEPTH)
				return fail(c, "JSON nested deeper than %d levels", WARD_SPEC_MAX_DEPTH);
			break;
		case ']':
		case '}':
			if (depth)
				depth--;
			break;
		case '/':
			return fail(c, "invalid JSON: comments are not allowed");
		}
	}
	return 0;
}

int ward_spec_parse(const char *json, size_t len, const char *file, struct ward_spec **out,
		    struct ward_error **e)
{
	struct ctx c = {.file = file ? file : "config.json", .e = e};
	_cleanup_free_ char *buf = NULL;
	char err[512] = "";
	struct ward_spec *s;
	yajl_val tree;

	*out = NULL;
	if (len > WARD_SPEC_MAX_BYTES)
		return ward_err(e, EFBIG, "%s: larger than %u bytes", c.file, WARD_SPEC_MAX_BYTES);
	if (prescan(&c, json, len) < 0)
		return -1;
	buf = xmalloc0(len + 1); /* yajl_tree_parse wants a NUL-terminated string */
	if (len)
		memcpy(buf, json, len);
	tree = yajl_tree_parse(buf, err, sizeof err);
	if (!tree)
		return ward_err(e, EINVAL, "%s: invalid JSON: %s", c.file,
				*squash(err) ? err : "parse error");
	s = xmalloc0(sizeof *s);
	s->tree = tree;
	s->process.no_new_privileges = -1;
	if (parse_top(&c, tree, s) < 0) {
		ward_spec_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int ward_spec_load(int dirfd, const char *path, struct ward_spec **out, struct ward_error **e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	*out = NULL;
	if (read_file_at(dirfd, path, WARD_SPEC_MAX_BYTES, &buf, &len, e) < 0)
		return -1;
	return ward_spec_parse(buf, len, path, out, e);
}

static void free_kv(struct ward_kv *kv, size_t n)
{
	for (size_t i = 0; kv && i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

static void free_process(struct ward_process *p)
{
	free(p->user.additional_gids);
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	for (size_t i = 0; p->rlimits && i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
}

static void free_linux(struct ward_linux *l)
{
	for (int i = 0; i < WARD_NS_COUNT; i++)
		free(l->ns[i].path);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; l->devices && i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free_kv(l->sysctl, l->n_sysctl);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->rootfs_propagation);
	free(l->mount_label);
	free(l->cgroups_path);
}

void ward_spec_free(struct ward_spec *s)
{
	if (!s)
		return;
	free(s->oci_version);
	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	free_process(&s->process);
	for (size_t i = 0; s->mounts && i < s->n_mounts; i++) {
		free(s->mounts[i].destination);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		strv_free(s->mounts[i].options);
	}
	free(s->mounts);
	for (int k = 0; k < WARD_HOOK_KINDS; k++) {
		for (size_t i = 0; s->hooks[k] && i < s->n_hooks[k]; i++) {
			free(s->hooks[k][i].path);
			strv_free(s->hooks[k][i].args);
			strv_free(s->hooks[k][i].env);
		}
		free(s->hooks[k]);
	}
	free_kv(s->annotations, s->n_annotations);
	free_linux(&s->linux_);
	yajl_tree_free(s->tree);
	free(s);
}
