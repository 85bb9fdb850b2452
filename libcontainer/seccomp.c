/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI linux.seccomp object -> a classic BPF program, through libseccomp.
 *
 * libseccomp only builds the program here: it is exported to memory and loaded
 * later with seccomp(2) by ward itself, so that the caller chooses the moment
 * (after everything ward still has to do in the container) and the flags. The
 * built-in default profile is compiled once per (profile, capabilities,
 * architecture, libseccomp) and kept in a small cache file. */
#include "config.h"
#include "ward_seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "caps.h"
#include "util.h"

/* Newer than some installed kernel headers; the values are kernel ABI. */
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#define ROOT_PATH     "linux.seccomp"
#define REQUIRES_CAPS "ward.requiresCaps"
#define UNLESS_CAPS   "ward.unlessCaps"
#define MAX_ERRNO_RET 4095  /* the kernel clamps SECCOMP_RET_ERRNO data to MAX_ERRNO */
#define MAX_TRACE_RET 65535 /* SECCOMP_RET_DATA, handed to the tracer as is */
#define MAX_ARG_INDEX 5
/* The flags a compiled program may carry (NEW_LISTENER and TSYNC_ESRCH are
 * added by install, never stored). */
#define KNOWN_FLAGS                                                                                          \
	(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |              \
	 SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

static const struct {
	const char *name;
	uint32_t action;
	int max_ret;	      /* highest errnoRet it takes; -1: none */
	unsigned int min_api; /* seccomp_api_get() level where the kernel has it */
} actions[] = {
    /* SCMP_ACT_KILL is the historical name of KILL_THREAD */
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, -1, 1},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, -1, 1},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, -1, 3},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, -1, 1},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), MAX_ERRNO_RET, 1},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), MAX_TRACE_RET, 1},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, -1, 1},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, -1, 3},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, -1, 5},
};

static const struct {
	const char *name;
	uint32_t token;
} arches[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_LOONGARCH64 /* libseccomp >= 2.6 */
    {"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#endif
#ifdef SCMP_ARCH_M68K
    {"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#endif
#ifdef SCMP_ARCH_SH
    {"SCMP_ARCH_SH", SCMP_ARCH_SH},
    {"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#endif
};

static const struct {
	const char *name;
	unsigned int flag;
} flag_names[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

static const struct {
	const char *name;
	enum scmp_compare op;
} ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

/* ---- Compile state, JSON path and errors ---- */

struct sc {
	struct ward_error **e;
	ward_seccomp_warn_fn warn;
	void *ud;
	bool strict;
	uint64_t eff;
	scmp_filter_ctx f;
	uint32_t def_action;
	bool notify;
	size_t len;	/* strlen(path) */
	char path[256]; /* JSON path of the node being read; truncated if longer */
};

/* Input strings end up in messages: keep them on one line. */
static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

__attribute__((format(printf, 2, 3))) static size_t push(struct sc *c, const char *fmt, ...)
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
	one_line(c->path + old);
	return old;
}

static void pop(struct sc *c, size_t old)
{
	c->len = old;
	c->path[old] = '\0';
}

/* "path: message"; with code != 0 also ": ENAME" (a libseccomp or system error). */
__attribute__((format(printf, 3, 0))) static int vfail(struct sc *c, int code, const char *fmt, va_list ap)
{
	char *msg = NULL;
	int r;

	if (vasprintf(&msg, fmt, ap) < 0)
		return ward_err(c->e, ENOMEM, "%s: out of memory", c->path);
	one_line(msg);
	if (code)
		r = ward_err_errno(c->e, code, "%s: %s", c->path, msg);
	else
		r = ward_err(c->e, EINVAL, "%s: %s", c->path, msg);
	free(msg);
	return r;
}

__attribute__((format(printf, 2, 3))) static int fail(struct sc *c, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(c, 0, fmt, ap);
	va_end(ap);
	return r;
}

__attribute__((format(printf, 3, 4))) static int fail_code(struct sc *c, int code, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(c, code, fmt, ap);
	va_end(ap);
	return r;
}

/* ---- JSON readers ---- */

/* obj[key] with null read as absent (Go writers emit null for unset fields). A
 * key given twice is refused: parsers disagree on which copy wins, so a checker
 * upstream and ward could otherwise read different filters. */
static int lookup(struct sc *c, yajl_val obj, const char *key, yajl_val *out)
{
	*out = NULL;
	for (size_t i = 0; i < obj->u.object.len; i++) {
		if (strcmp(obj->u.object.keys[i], key) != 0)
			continue;
		if (*out) {
			push(c, ".%s", key);
			return fail(c, "duplicate key");
		}
		*out = obj->u.object.values[i];
	}
	if (*out && YAJL_IS_NULL(*out))
		*out = NULL;
	return 0;
}

static int want_array(struct sc *c, yajl_val v, const char *what)
{
	return YAJL_IS_ARRAY(v) ? 0 : fail(c, "expected an array of %s", what);
}

/* An unsigned integer of at most max. yajl only fills in integers that fit a
 * long long, so the raw text is parsed to get the whole uint64 range. */
static int read_u64(struct sc *c, yajl_val v, uint64_t max, uint64_t *out)
{
	uint64_t n;

	if (!YAJL_IS_NUMBER(v) || parse_u64(v->u.number.r, &n) < 0)
		return fail(c, "expected an unsigned integer");
	if (n > max)
		return fail(c, "%" PRIu64 " is out of range [0, %" PRIu64 "]", n, max);
	*out = n;
	return 0;
}

/* obj[akey] (required) and obj[ekey] -> a libseccomp action; dflt: the
 * filter's default action. */
static int read_action(struct sc *c, yajl_val obj, const char *akey, const char *ekey, bool dflt,
		       uint32_t *out)
{
	yajl_val a, er;
	uint64_t ret = EPERM; /* the OCI default for ERRNO and TRACE */
	size_t m, i;

	if (lookup(c, obj, akey, &a) < 0 || lookup(c, obj, ekey, &er) < 0)
		return -1;
	m = push(c, ".%s", akey);
	if (!a)
		return fail(c, "required");
	if (!YAJL_IS_STRING(a))
		return fail(c, "expected a string");
	for (i = 0; i < ARRAY_SIZE(actions); i++)
		if (strcmp(actions[i].name, a->u.string) == 0)
			break;
	if (i == ARRAY_SIZE(actions))
		return fail(c, "unknown action \"%.64s\"", a->u.string);
	/* every syscall ward makes between install and execve would wait on a
	 * listener that nobody can have received yet */
	if (dflt && actions[i].action == SCMP_ACT_NOTIFY)
		return fail(c, "SCMP_ACT_NOTIFY cannot be the default action");
	/* said here, at the action, rather than as EINVAL from the rule later */
	if (seccomp_api_get() < actions[i].min_api)
		return fail(c, "%s is not supported by this kernel (libseccomp API level %u)",
			    actions[i].name, seccomp_api_get());
	pop(c, m);
	if (er) {
		push(c, ".%s", ekey);
		/* the spec has the runtime fail rather than drop the value */
		if (actions[i].max_ret < 0)
			return fail(c, "%s takes no errno", actions[i].name);
		if (read_u64(c, er, (uint64_t)actions[i].max_ret, &ret) < 0)
			return -1;
		pop(c, m);
	}
	*out = actions[i].max_ret < 0 ? actions[i].action : actions[i].action | (uint32_t)ret;
	if (*out == SCMP_ACT_NOTIFY)
		c->notify = true;
	return 0;
}

/* ---- Filter-wide settings ---- */

static bool runnable_here(uint32_t token)
{
	uint32_t native = seccomp_arch_native();

	if (token == native)
		return true;
	switch (native) {
	case SCMP_ARCH_X86_64:
		return token == SCMP_ARCH_X86 || token == SCMP_ARCH_X32;
	case SCMP_ARCH_AARCH64:
		return token == SCMP_ARCH_ARM;
	case SCMP_ARCH_PPC64:
		return token == SCMP_ARCH_PPC;
	case SCMP_ARCH_PPC64LE:
		return token == SCMP_ARCH_PPC;
	case SCMP_ARCH_S390X:
		return token == SCMP_ARCH_S390;
	case SCMP_ARCH_MIPS64:
		return token == SCMP_ARCH_MIPS || token == SCMP_ARCH_MIPS64N32;
	case SCMP_ARCH_MIPSEL64:
		return token == SCMP_ARCH_MIPSEL || token == SCMP_ARCH_MIPSEL64N32;
	default:
		return true; /* unknown pairing: keep it, correctness first */
	}
}

static int add_arches(struct sc *c, yajl_val v)
{
	size_t m = push(c, ".architectures");

	if (want_array(c, v, "architecture names") < 0)
		return -1;
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val n = v->u.array.values[i];
		size_t k, mi = push(c, "[%zu]", i);
		int r;

		if (!YAJL_IS_STRING(n))
			return fail(c, "expected a string");
		for (k = 0; k < ARRAY_SIZE(arches); k++)
			if (strcmp(arches[k].name, n->u.string) == 0)
				break;
		if (k == ARRAY_SIZE(arches))
			return fail(c, "unknown architecture \"%.64s\"", n->u.string);
		/* An ABI this machine cannot run never reaches the filter: the kernel
		 * reports only the native one and its compat ABIs. Leaving the others
		 * out changes no verdict and keeps the program small, and the kernel
		 * emulates the whole program per syscall number when installing it
		 * (its action cache): aarch64 + arm made the default profile's
		 * x86_64 filter 1978 instructions instead of ~900 (~1 ms a run). */
		if (!runnable_here(arches[k].token)) {
			pop(c, mi);
			continue;
		}
		/* the native architecture is in every new filter already */
		r = seccomp_arch_add(c->f, arches[k].token);
		if (r < 0 && r != -EEXIST)
			return fail_code(c, -r, "cannot add architecture %s", arches[k].name);
		pop(c, mi);
	}
	pop(c, m);
	return 0;
}

/* Whether this kernel takes SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19+). The
 * flag checks come before the filter is copied in, so a NULL filter answers
 * EFAULT when the flags are known and EINVAL when they are not; nothing gets
 * installed either way. */
static bool kernel_has_wait_killable(void)
{
	static int known = -1;
	int v = __atomic_load_n(&known, __ATOMIC_RELAXED);

	if (v < 0) {
		int saved = errno;
		long r =
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, NULL);

		v = r < 0 && errno == EFAULT;
		errno = saved;
		__atomic_store_n(&known, v, __ATOMIC_RELAXED);
	}
	return v;
}

static int read_flags(struct sc *c, yajl_val v, unsigned int *out)
{
	size_t m = push(c, ".flags");

	if (want_array(c, v, "flag names") < 0)
		return -1;
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val n = v->u.array.values[i];
		size_t k, mi = push(c, "[%zu]", i);

		if (!YAJL_IS_STRING(n))
			return fail(c, "expected a string");
		for (k = 0; k < ARRAY_SIZE(flag_names); k++)
			if (strcmp(flag_names[k].name, n->u.string) == 0)
				break;
		if (k == ARRAY_SIZE(flag_names))
			return fail(c, "unknown flag \"%.64s\"", n->u.string);
		/* an optional refinement: dropped, not refused, where the kernel predates it */
		if (flag_names[k].flag != SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ||
		    kernel_has_wait_killable())
			*out |= flag_names[k].flag;
		pop(c, mi);
	}
	pop(c, m);
	return 0;
}

static int read_listener(struct sc *c, yajl_val root, struct ward_seccomp *s)
{
	yajl_val p, md;
	size_t m = c->len;

	if (lookup(c, root, "listenerPath", &p) < 0 || lookup(c, root, "listenerMetadata", &md) < 0)
		return -1;
	if (p) {
		push(c, ".listenerPath");
		if (!YAJL_IS_STRING(p) || !*p->u.string)
			return fail(c, "expected a non-empty string");
		s->listener_path = xstrdup(p->u.string);
		pop(c, m);
	}
	if (md) {
		push(c, ".listenerMetadata");
		if (!YAJL_IS_STRING(md))
			return fail(c, "expected a string");
		/* the spec forbids it: metadata for an agent that is never contacted */
		if (!p)
			return fail(c, "set without listenerPath");
		s->listener_metadata = xstrdup(md->u.string);
		pop(c, m);
	}
	return 0;
}

/* ---- Rules ---- */

static int read_arg(struct sc *c, yajl_val v, struct scmp_arg_cmp *out)
{
	yajl_val idx, val, val2, op;
	uint64_t n;
	size_t k, m;

	if (!YAJL_IS_OBJECT(v))
		return fail(c, "expected an object");
	if (lookup(c, v, "index", &idx) < 0 || lookup(c, v, "value", &val) < 0 ||
	    lookup(c, v, "valueTwo", &val2) < 0 || lookup(c, v, "op", &op) < 0)
		return -1;
	if (!idx || !val || !op)
		return fail(c, "\"%s\" is required", !idx ? "index" : !val ? "value" : "op");
	m = push(c, ".index");
	if (read_u64(c, idx, MAX_ARG_INDEX, &n) < 0)
		return -1;
	out->arg = (unsigned int)n;
	pop(c, m);
	push(c, ".value");
	if (read_u64(c, val, UINT64_MAX, &out->datum_a) < 0)
		return -1;
	pop(c, m);
	/* MASKED_EQ reads value as the mask and valueTwo as what the masked
	 * argument must equal, the order libseccomp takes them in */
	out->datum_b = 0;
	push(c, ".valueTwo");
	if (val2 && read_u64(c, val2, UINT64_MAX, &out->datum_b) < 0)
		return -1;
	pop(c, m);
	push(c, ".op");
	if (!YAJL_IS_STRING(op))
		return fail(c, "expected a string");
	for (k = 0; k < ARRAY_SIZE(ops); k++)
		if (strcmp(ops[k].name, op->u.string) == 0)
			break;
	if (k == ARRAY_SIZE(ops))
		return fail(c, "unknown operator \"%.64s\"", op->u.string);
	out->op = ops[k].op;
	pop(c, m);
	return 0;
}

/* rule.args -> *cmp (n entries, caller frees); *split: some index is compared
 * more than once. libseccomp refuses two comparisons of one argument in a rule,
 * so such a list is read as OCI engines read it, one rule per comparison (OR);
 * otherwise all comparisons make a single rule (AND). */
static int read_args(struct sc *c, yajl_val v, struct scmp_arg_cmp **cmp, size_t *n, bool *split)
{
	unsigned int seen = 0;
	size_t m = push(c, ".args");

	*cmp = NULL;
	*n = 0;
	*split = false;
	if (!v)
		goto done;
	if (want_array(c, v, "objects") < 0)
		return -1;
	*n = v->u.array.len;
	*cmp = xmalloc0((*n ? *n : 1) * sizeof **cmp);
	for (size_t i = 0; i < *n; i++) {
		size_t mi = push(c, "[%zu]", i);

		if (read_arg(c, v->u.array.values[i], &(*cmp)[i]) < 0)
			return -1;
		if (seen & (1u << (*cmp)[i].arg))
			*split = true;
		seen |= 1u << (*cmp)[i].arg;
		pop(c, mi);
	}
done:
	pop(c, m);
	return 0;
}

/* The ward extensions on a rule: "ward.requiresCaps" (compiled in only when
 * every listed capability is in c->eff) and "ward.unlessCaps" (only when none
 * is: the EPERM half of "denied unless CAP_X"). The names are checked even when
 * the answer is already known. */
static int read_caps_key(struct sc *c, yajl_val rule, const char *key, bool require, bool *ok)
{
	yajl_val v;
	size_t m;

	if (lookup(c, rule, key, &v) < 0)
		return -1;
	if (!v)
		return 0;
	m = push(c, ".%s", key);
	if (want_array(c, v, "capability names") < 0)
		return -1;
	for (size_t i = 0; i < v->u.array.len; i++) {
		yajl_val n = v->u.array.values[i];
		size_t mi = push(c, "[%zu]", i);
		int cap;
		bool has;

		if (!YAJL_IS_STRING(n))
			return fail(c, "expected a string");
		cap = ward_cap_from_name(n->u.string);
		if (cap < 0)
			return fail(c, "unknown capability \"%.64s\"", n->u.string);
		has = c->eff & (UINT64_C(1) << cap);
		if (has != require)
			*ok = false;
		pop(c, mi);
	}
	pop(c, m);
	return 0;
}

static int read_required_caps(struct sc *c, yajl_val rule, bool *ok)
{
	*ok = true;
	if (read_caps_key(c, rule, REQUIRES_CAPS, true, ok) < 0)
		return -1;
	return read_caps_key(c, rule, UNLESS_CAPS, false, ok);
}

static int add_one(struct sc *c, uint32_t act, int nr, const char *name, const struct scmp_arg_cmp *cmp,
		   size_t n, bool split)
{
	int r = 0;

	if (!split)
		r = seccomp_rule_add_array(c->f, act, nr, (unsigned int)n, cmp);
	for (size_t k = 0; split && k < n && r == 0; k++)
		r = seccomp_rule_add_array(c->f, act, nr, 1, &cmp[k]);
	/* identical comparisons, or arguments that one architecture cannot see
	 * (socket() through socketcall on x86 is filtered on the call number only) */
	if (r == -EEXIST)
		return fail(c,
			    "\"%.64s\" conflicts with an earlier rule: another action for arguments "
			    "libseccomp cannot tell apart",
			    name);
	if (r < 0)
		return fail_code(c, -r, "cannot add a rule for \"%.64s\"", name);
	return 0;
}

/* names[] of one rule: resolved (an unknown name is reported even when the rule
 * is skipped, so a typo shows whatever the capabilities), added unless skip. */
static int add_names(struct sc *c, yajl_val names, uint32_t act, const struct scmp_arg_cmp *cmp, size_t n,
		     bool split, bool skip)
{
	size_t m = push(c, ".names");

	if (!YAJL_IS_ARRAY(names) || names->u.array.len == 0)
		return fail(c, "expected a non-empty array of syscall names");
	for (size_t j = 0; j < names->u.array.len; j++) {
		yajl_val nv = names->u.array.values[j];
		size_t mj = push(c, "[%zu]", j);
		int nr;

		if (!YAJL_IS_STRING(nv))
			return fail(c, "expected a string");
		nr = seccomp_syscall_resolve_name(nv->u.string);
		if (nr == __NR_SCMP_ERROR) {
			if (c->strict)
				return fail(c, "unknown syscall \"%.64s\"", nv->u.string);
			if (c->warn) {
				_cleanup_free_ char *msg =
				    xasprintf("%s: unknown syscall \"%.64s\" ignored", c->path, nv->u.string);

				one_line(msg);
				c->warn(c->ud, msg);
			}
		} else if (!skip && add_one(c, act, nr, nv->u.string, cmp, n, split) < 0) {
			return -1;
		}
		pop(c, mj);
	}
	pop(c, m);
	return 0;
}

static int add_rule(struct sc *c, yajl_val rule)
{
	_cleanup_free_ struct scmp_arg_cmp *cmp = NULL;
	yajl_val names, args;
	uint32_t act;
	size_t n;
	bool split, caps_ok;

	if (!YAJL_IS_OBJECT(rule))
		return fail(c, "expected an object");
	if (lookup(c, rule, "names", &names) < 0 || lookup(c, rule, "args", &args) < 0)
		return -1;
	if (!names)
		return fail(c, "\"names\" is required");
	if (read_action(c, rule, "action", "errnoRet", false, &act) < 0 ||
	    read_args(c, args, &cmp, &n, &split) < 0 || read_required_caps(c, rule, &caps_ok) < 0)
		return -1;
	/* libseccomp refuses a rule that repeats the default action, and it would
	 * change nothing anyway */
	return add_names(c, names, act, cmp, n, split, !caps_ok || act == c->def_action);
}

static int add_rules(struct sc *c, yajl_val v)
{
	size_t m = push(c, ".syscalls");

	if (want_array(c, v, "objects") < 0)
		return -1;
	for (size_t i = 0; i < v->u.array.len; i++) {
		size_t mi = push(c, "[%zu]", i);

		if (add_rule(c, v->u.array.values[i]) < 0)
			return -1;
		pop(c, mi);
	}
	pop(c, m);
	return 0;
}

/* ---- Output ---- */

/* libseccomp 2.5 exports only to a file descriptor: a memfd, read back. */
static int export_bpf(struct sc *c, struct ward_seccomp *s)
{
	_cleanup_close_ int fd = memfd_create("ward-seccomp", MFD_CLOEXEC);
	struct stat st;
	size_t size, got = 0;
	int r;

	if (fd < 0)
		return fail_code(c, errno, "memfd_create");
	r = seccomp_export_bpf(c->f, fd);
	if (r < 0)
		return fail_code(c, -r, "cannot export the BPF program");
	if (fstat(fd, &st) < 0)
		return fail_code(c, errno, "fstat the exported BPF program");
	size = (size_t)st.st_size;
	if (size == 0 || size % sizeof(struct sock_filter))
		return fail(c, "libseccomp exported a program of %zu bytes", size);
	/* checked here, where the error can still name the profile */
	if (size / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return fail(c, "the filter has %zu instructions, more than the kernel's %d",
			    size / sizeof(struct sock_filter), BPF_MAXINSNS);
	s->bpf = xmalloc0(size);
	while (got < size) {
		ssize_t n = pread(fd, (char *)s->bpf + got, size - got, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail_code(c, n < 0 ? errno : EIO, "read back the BPF program");
		got += (size_t)n;
	}
	s->len = size / sizeof(struct sock_filter);
	return 0;
}

static int compile_into(struct sc *c, yajl_val root, struct ward_seccomp *s)
{
	yajl_val v;
	int r;

	if (!root || !YAJL_IS_OBJECT(root))
		return fail(c, "expected an object");
	if (read_action(c, root, "defaultAction", "defaultErrnoRet", true, &c->def_action) < 0)
		return -1;
	c->f = seccomp_init(c->def_action);
	if (!c->f)
		return fail(c, "libseccomp refused the default action");
	/* We export the program and load it ourselves (no_new_privs is ward's
	 * call), so NNP only matters should seccomp_load ever be used on it.
	 * Binary-tree optimisation keeps a large allow-list at O(log n) compares
	 * for the syscalls the kernel's action cache does not short-cut. */
	if ((r = seccomp_attr_set(c->f, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
	    (r = seccomp_attr_set(c->f, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
		return fail_code(c, -r, "cannot set libseccomp attributes");
	/* An architecture the profile does not list kills the whole process, not
	 * one thread of it. libseccomp only takes that where it can see the
	 * kernel support it (4.14+); KILL_THREAD, its default, stays otherwise. */
	seccomp_attr_set(c->f, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (lookup(c, root, "architectures", &v) < 0 || (v && add_arches(c, v) < 0))
		return -1;
	if (lookup(c, root, "flags", &v) < 0 || (v && read_flags(c, v, &s->flags) < 0))
		return -1;
	if (read_listener(c, root, s) < 0)
		return -1;
	if (lookup(c, root, "syscalls", &v) < 0 || (v && add_rules(c, v) < 0))
		return -1;
	s->notify = c->notify;
	return export_bpf(c, s);
}

int ward_seccomp_compile(const void *node, uint64_t eff, bool strict, ward_seccomp_warn_fn warn, void *ud,
			 struct ward_seccomp **out, struct ward_error **e)
{
	struct sc c = {.e = e, .warn = warn, .ud = ud, .strict = strict, .eff = eff};
	struct ward_seccomp *s = xmalloc0(sizeof *s);
	int r;

	*out = NULL;
	push(&c, "%s", ROOT_PATH);
	/* yajl's accessors are not const-correct; the tree is only read */
	r = compile_into(&c, (yajl_val)(uintptr_t)node, s);
	if (c.f)
		seccomp_release(c.f);
	if (r < 0) {
		ward_seccomp_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

/* ---- Install ---- */

int ward_seccomp_install(const struct ward_seccomp *s, int *notify_fd, struct ward_error **e)
{
	struct sock_fprog prog;
	unsigned long flags;
	long r;

	if (notify_fd)
		*notify_fd = -1;
	if (!s || !s->bpf || s->len == 0 || s->len > BPF_MAXINSNS)
		return ward_err(e, EINVAL, "install seccomp filter: no program");
	/* a listener nobody holds would leave the notified syscalls to ENOSYS */
	if (s->notify && !notify_fd)
		return ward_err(e, EINVAL, "install seccomp filter: SCMP_ACT_NOTIFY needs a listener fd");
	prog.len = (unsigned short)s->len;
	prog.filter = s->bpf;
	flags = s->flags & KNOWN_FLAGS;
	if (s->notify) {
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* TSYNC reports failure as a thread id, which would be ambiguous
		 * with the listener fd: the kernel requires ESRCH mode then */
		if (flags & SECCOMP_FILTER_FLAG_TSYNC)
			flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	} else {
		flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV; /* only valid with a listener */
	}
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0 && errno == EINVAL && (flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)) {
		/* a cached program may carry the flag onto an older kernel */
		flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	}
	if (r < 0 && errno == EACCES)
		return ward_err_sys(e, "install seccomp filter (no_new_privs is not set)");
	if (r < 0)
		return ward_err_sys(e, "install seccomp filter");
	if (!s->notify && r > 0) /* TSYNC: nothing was installed */
		return ward_err(e, ESRCH, "install seccomp filter: thread %ld cannot be synchronized", r);
	if (s->notify)
		*notify_fd = (int)r;
	return 0;
}

void ward_seccomp_free(struct ward_seccomp *s)
{
	if (!s)
		return;
	free(s->bpf);
	free(s->listener_path);
	free(s->listener_metadata);
	free(s);
}

/* ---- The built-in profile ---- */

#ifdef WARD_HAVE_DEFAULT_PROFILE
/* generated at build time from seccomp-profiles/default.json; declares
 * static const char ward_default_profile_json[] */
#include "default_profile.h"
#else
/* FALLBACK, used only by builds that do not generate default_profile.h (the
 * unit test build): a small allow-list that is enough to compile and cache,
 * NOT the profile containers get. */
static const char ward_default_profile_json[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
    " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_AARCH64\", \"SCMP_ARCH_ARM\"],"
    " \"syscalls\": ["
    "  {\"names\": [\"read\", \"write\", \"readv\", \"writev\", \"pread64\", \"pwrite64\", \"open\","
    "   \"openat\", \"close\", \"fstat\", \"newfstatat\", \"statx\", \"lseek\", \"ioctl\", \"fcntl\","
    "   \"dup\", \"dup2\", \"dup3\", \"pipe\", \"pipe2\", \"access\", \"faccessat\", \"faccessat2\","
    "   \"getcwd\", \"chdir\", \"getdents64\", \"mmap\", \"mprotect\", \"munmap\", \"brk\", \"madvise\","
    "   \"rt_sigaction\", \"rt_sigprocmask\", \"rt_sigreturn\", \"sigaltstack\", \"getpid\", \"getppid\","
    "   \"gettid\", \"getuid\", \"geteuid\", \"getgid\", \"getegid\", \"uname\", \"futex\", \"nanosleep\","
    "   \"clock_gettime\", \"clock_nanosleep\", \"set_tid_address\", \"set_robust_list\", \"rseq\","
    "   \"prlimit64\", \"arch_prctl\", \"getrandom\", \"execve\", \"wait4\", \"clone\", \"clone3\","
    "   \"kill\", \"tgkill\", \"sched_yield\", \"poll\", \"ppoll\", \"exit\", \"exit_group\"],"
    "   \"action\": \"SCMP_ACT_ALLOW\"},"
    "  {\"names\": [\"sethostname\", \"setdomainname\"], \"action\": \"SCMP_ACT_ALLOW\","
    "   \"ward.requiresCaps\": [\"CAP_SYS_ADMIN\"]},"
    "  {\"names\": [\"add_key\", \"request_key\", \"keyctl\"], \"action\": \"SCMP_ACT_ERRNO\"}"
    " ]}";
#endif

const char *ward_seccomp_default_profile(void)
{
	return ward_default_profile_json;
}

/* ---- Cache of the compiled default profile ---- */

/* Bump when the compiler's output for the same input changes (new attributes,
 * new rule semantics), so old cache files stop matching. */
#define CACHE_FORMAT 2 /* 2: only the ABIs the machine can run are compiled in */
#define CACHE_MAGIC  "WSC1"

struct cache_hdr {
	char magic[4];
	uint32_t flags;
	uint32_t notify;
	uint32_t count;
	uint64_t key; /* the file name's hash again: a copied or renamed file does not match */
	uint64_t sum; /* FNV-1a of the instructions: a damaged file does not load */
};
_Static_assert(sizeof(struct cache_hdr) == 32, "cache header layout");
_Static_assert(sizeof(struct cache_hdr) % sizeof(struct sock_filter) == 0, "cache file alignment");

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME  UINT64_C(0x100000001b3)

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

static uint64_t fnv1a_u64(uint64_t h, uint64_t v)
{
	unsigned char le[8];

	for (int i = 0; i < 8; i++)
		le[i] = (unsigned char)(v >> (8 * i));
	return fnv1a(h, le, sizeof le);
}

static uint64_t fnv1a_str(uint64_t h, const char *s)
{
	size_t n = strlen(s);

	return fnv1a(fnv1a_u64(h, n), s, n); /* length first: no two inputs share a byte stream */
}

/* Everything that decides the compiled program. The kernel is in it too, by
 * release and build: what libseccomp accepts (KILL_PROCESS, LOG, NOTIFY) and
 * the WAIT_KILLABLE_RECV probe follow the running kernel, and a state root
 * outside /run survives a reboot into another one. uname costs one syscall,
 * where asking libseccomp for its API level would cost nine. */
static uint64_t cache_key(const char *text, uint64_t eff)
{
	const struct scmp_version *v = seccomp_version();
	struct utsname u;
	uint64_t h = FNV_OFFSET;

	h = fnv1a_str(h, text);
	h = fnv1a_u64(h, eff);
	h = fnv1a_u64(h, seccomp_arch_native());
	h = fnv1a_u64(h, v ? ((uint64_t)v->major << 32 | (uint64_t)v->minor << 16 | v->micro) : 0);
	if (uname(&u) == 0) {
		h = fnv1a_str(h, u.release);
		h = fnv1a_str(h, u.version);
	}
	h = fnv1a_u64(h, CACHE_FORMAT);
	return h;
}

/* 1 and *out when dirfd/name holds a sound program for key; 0 otherwise, for
 * whatever reason (absent, symlink, foreign owner, writable by others, short,
 * damaged): the caller then compiles and rewrites it. */
static int cache_load(int dirfd, const char *name, uint64_t key, struct ward_seccomp **out)
{
	const size_t max = sizeof(struct cache_hdr) + BPF_MAXINSNS * sizeof(struct sock_filter);
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct cache_hdr h;
	struct ward_seccomp *s;
	struct stat st;
	size_t len, n;

	/* O_NONBLOCK: a FIFO planted here must not hang us before fstat says so */
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0)
		return 0;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) ||
	    (size_t)st.st_size < sizeof h || (size_t)st.st_size > max)
		return 0;
	if (read_fd_all(fd, name, max, &buf, &len, NULL) < 0 || len < sizeof h + sizeof(struct sock_filter) ||
	    (len - sizeof h) % sizeof(struct sock_filter))
		return 0;
	memcpy(&h, buf, sizeof h);
	n = (len - sizeof h) / sizeof(struct sock_filter);
	if (memcmp(h.magic, CACHE_MAGIC, 4) != 0 || h.key != key || h.count != n ||
	    (h.flags & ~KNOWN_FLAGS) || h.notify > 1 ||
	    fnv1a(FNV_OFFSET, buf + sizeof h, len - sizeof h) != h.sum)
		return 0;
	s = xmalloc0(sizeof *s);
	s->bpf = xmalloc0(len - sizeof h);
	memcpy(s->bpf, buf + sizeof h, len - sizeof h);
	s->len = n;
	s->flags = h.flags;
	s->notify = h.notify;
	*out = s;
	return 1;
}

/* Best effort: a cache that cannot be written (read-only state root, full disk)
 * only costs the next run a compile. */
static void cache_store(int dirfd, const char *name, uint64_t key, const struct ward_seccomp *s)
{
	size_t plen = s->len * sizeof(struct sock_filter);
	_cleanup_free_ char *buf = xmalloc0(sizeof(struct cache_hdr) + plen);
	struct ward_error *ignored = NULL;
	struct cache_hdr h = {.flags = s->flags, .notify = s->notify, .count = (uint32_t)s->len, .key = key};

	memcpy(h.magic, CACHE_MAGIC, 4);
	h.sum = fnv1a(FNV_OFFSET, s->bpf, plen);
	memcpy(buf, &h, sizeof h);
	memcpy(buf + sizeof h, s->bpf, plen);
	if (write_file_atomic(dirfd, name, buf, sizeof h + plen, 0600, &ignored) < 0)
		ward_error_free(ignored);
}

int ward_seccomp_default(int cache_dirfd, uint64_t eff, struct ward_seccomp **out, struct ward_error **e)
{
	const char *text = ward_seccomp_default_profile();
	uint64_t key = cache_key(text, eff);
	char name[32], errbuf[256] = "";
	struct ward_seccomp *s = NULL;
	yajl_val tree;
	int r;

	*out = NULL;
	snprintf(name, sizeof name, "default-%016" PRIx64 ".bpf", key);
	if (cache_dirfd >= 0 && cache_load(cache_dirfd, name, key, out) == 1)
		return 0;
	tree = yajl_tree_parse(text, errbuf, sizeof errbuf);
	if (!tree) {
		one_line(errbuf);
		return ward_err(e, EINVAL, "built-in seccomp profile: %s", errbuf);
	}
	/* not strict: the profile names syscalls of every architecture it covers */
	r = ward_seccomp_compile(tree, eff, false, NULL, NULL, &s, e);
	yajl_tree_free(tree);
	if (r < 0)
		return ward_err_prefix(e, "built-in seccomp profile");
	/* the header has no room for listener settings; a profile with them is
	 * simply compiled every time */
	if (cache_dirfd >= 0 && !s->listener_path && !s->listener_metadata)
		cache_store(cache_dirfd, name, key, s);
	*out = s;
	return 0;
}
