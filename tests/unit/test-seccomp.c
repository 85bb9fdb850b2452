/* SPDX-License-Identifier: Apache-2.0 */
/* seccomp.c: profiles are compiled, then installed in forked children (after
 * PR_SET_NO_NEW_PRIVS) whose syscalls show what the filter does; the children
 * report through their exit status. Error cases check that the message names
 * the JSON path. The default-profile cache is checked in a temporary directory.
 *
 * Under valgrind the filters would also judge valgrind's own syscalls, and
 * valgrind does not model the notify ioctls, so those assertions are skipped. */
#include "config.h"
#include "ward_seccomp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "util.h"
#include "tap.h"

#define CAP_SYS_ADMIN_BIT (UINT64_C(1) << 21)
#define CAP_NET_ADMIN_BIT (UINT64_C(1) << 12)

static bool valgrind;

static bool under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p && strstr(p, "vgpreload");
}

/* ---- Helpers ---- */

static int compile_json(const char *json, uint64_t eff, bool strict, ward_seccomp_warn_fn warn, void *ud,
			struct ward_seccomp **s, struct ward_error **e)
{
	char err[256];
	yajl_val tree = yajl_tree_parse(json, err, sizeof err);
	int r;

	if (!tree) {
		printf("# bad test JSON: %s\n", err);
		abort();
	}
	r = ward_seccomp_compile(tree, eff, strict, warn, ud, s, e);
	yajl_tree_free(tree);
	return r;
}

/* Compile, expect success; NULL (and a failed assertion) otherwise. */
static struct ward_seccomp *must_compile(const char *json, uint64_t eff, const char *what)
{
	struct ward_seccomp *s = NULL;
	struct ward_error *e = NULL;

	if (!ok(compile_json(json, eff, false, NULL, NULL, &s, &e) == 0, "compiles: %s", what))
		printf("#   %s\n", e ? e->msg : "(no error)");
	ward_error_free(e);
	return s;
}

/* The compile error for json, or NULL when it compiles; the caller frees. */
static struct ward_error *compile_error(const char *json, bool strict)
{
	struct ward_seccomp *s = NULL;
	struct ward_error *e = NULL;

	if (compile_json(json, 0, strict, NULL, NULL, &s, &e) == 0)
		ward_seccomp_free(s);
	return e;
}

static void expect_error(const char *json, const char *msg, const char *what)
{
	struct ward_error *e = compile_error(json, false);

	ok(e && e->code == EINVAL && strcmp(e->msg, msg) == 0, "%s", what);
	if (e && strcmp(e->msg, msg) != 0)
		printf("#   got \"%s\"\n#   want \"%s\"\n", e->msg, msg);
	ward_error_free(e);
}

static _Noreturn void child_exit(int code)
{
	/* straight to the kernel: no atexit, no sanitizer epilogue under the filter */
	syscall(SYS_exit_group, code);
	_exit(code);
}

/* Run fn in a child that installs s first; returns the wait status. */
static int in_child(const struct ward_seccomp *s, int (*fn)(void *), void *arg)
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit no_core = {0, 0};
		struct ward_error *e = NULL;
		int fd = -1;

		setrlimit(RLIMIT_CORE, &no_core); /* SIGSYS would dump core */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || ward_seccomp_install(s, &fd, &e) < 0)
			child_exit(100);
		child_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return status;
}

static bool exited_with(int status, int code)
{
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

static int call_getppid(void *arg)
{
	(void)arg;
	return syscall(SYS_getppid) < 0 ? errno : 0;
}

static int call_getppid_then_getpid(void *arg)
{
	(void)arg;
	if (syscall(SYS_getpid) < 0)
		return 1;
	return syscall(SYS_getppid) < 0 ? errno : 0;
}

struct probe {
	long nr;
	long a[2][2]; /* two calls, two arguments each */
	int err;      /* the errno that means "denied" */
};

/* Bit i set: call i was denied with p->err. */
static int call_probe(void *arg)
{
	const struct probe *p = arg;
	int bits = 0;

	for (int i = 0; i < 2; i++)
		if (syscall(p->nr, p->a[i][0], p->a[i][1]) < 0 && errno == p->err)
			bits |= 1 << i;
	return bits;
}

/* ---- Behaviour of installed filters ---- */

static void test_errno(void)
{
	struct ward_seccomp *s;
	int st;

	s = must_compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"],"
			 " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42}]}",
			 0, "ERRNO rule with errnoRet 42");
	if (s) {
		ok(s->len > 0 && s->bpf && s->flags == 0 && !s->notify, "program, no flags, no notify");
		st = valgrind ? -1 : in_child(s, call_getppid, NULL);
		ok(valgrind || exited_with(st, 42), "%sdenied getppid fails with errnoRet 42 (status %#x)",
		   valgrind ? "# SKIP valgrind: " : "", st);
	}
	ward_seccomp_free(s);

	s = must_compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"],"
			 " \"action\": \"SCMP_ACT_ERRNO\"}]}",
			 0, "ERRNO rule without errnoRet");
	st = s && !valgrind ? in_child(s, call_getppid, NULL) : -1;
	ok(valgrind || exited_with(st, EPERM), "%serrnoRet defaults to EPERM",
	   valgrind ? "# SKIP valgrind: " : "");
	ward_seccomp_free(s);

	/* sigaltstack and gettid: ASan looks up the stack before a noreturn call */
	s = must_compile("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"syscalls\": ["
			 "{\"names\": [\"getpid\", \"exit_group\", \"exit\", \"sigaltstack\", \"gettid\"],"
			 " \"action\": \"SCMP_ACT_ALLOW\"}]}",
			 0, "default ERRNO ENOSYS with an allow-list");
	st = s && !valgrind ? in_child(s, call_getppid_then_getpid, NULL) : -1;
	ok(valgrind || exited_with(st, ENOSYS),
	   "%sunlisted syscall gets defaultErrnoRet ENOSYS, listed one runs (status %#x)",
	   valgrind ? "# SKIP valgrind: " : "", st);
	ward_seccomp_free(s);
}

static void test_kill(void)
{
	static const char *const actions[] = {"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP"};

	for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
		/* libseccomp refuses KILL_PROCESS where it cannot see the kernel has
		 * it: valgrind does not pass seccomp(2) through */
		if (i == 0 && seccomp_api_get() < 3) {
			ok(1, "# SKIP no KILL_PROCESS (libseccomp API level %u)", seccomp_api_get());
			ok(1, "# SKIP no KILL_PROCESS (libseccomp API level %u)", seccomp_api_get());
			continue;
		}
		_cleanup_free_ char *json =
		    xasprintf("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			      "{\"names\": [\"getppid\"], \"action\": \"%s\"}]}",
			      actions[i]);
		struct ward_seccomp *s = must_compile(json, 0, actions[i]);
		int st = s && !valgrind ? in_child(s, call_getppid, NULL) : -1;

		ok(valgrind || (st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS),
		   "%s%s: the child dies of SIGSYS (status %#x)", valgrind ? "# SKIP valgrind: " : "",
		   actions[i], st);
		ward_seccomp_free(s);
	}
}

static void test_operators(void)
{
	static const struct {
		const char *op;
		long value, value2;
		long deny, allow;
	} cases[] = {
	    {"SCMP_CMP_EQ", 5, 0, 5, 6},
	    {"SCMP_CMP_NE", 5, 0, 6, 5},
	    {"SCMP_CMP_LT", 5, 0, 4, 5},
	    {"SCMP_CMP_LE", 5, 0, 5, 6},
	    {"SCMP_CMP_GT", 5, 0, 6, 5},
	    {"SCMP_CMP_GE", 5, 0, 5, 4},
	    {"SCMP_CMP_MASKED_EQ", 0xf0, 0x50, 0x5a, 0x6a},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		/* sched_get_priority_max takes any int and has no side effect */
		_cleanup_free_ char *json =
		    xasprintf("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			      "{\"names\": [\"sched_get_priority_max\"], \"action\": \"SCMP_ACT_ERRNO\","
			      " \"errnoRet\": 42, \"args\": [{\"index\": 0, \"value\": %ld,"
			      " \"valueTwo\": %ld, \"op\": \"%s\"}]}]}",
			      cases[i].value, cases[i].value2, cases[i].op);
		struct ward_seccomp *s = must_compile(json, 0, cases[i].op);
		struct probe p = {SYS_sched_get_priority_max, {{cases[i].deny, 0}, {cases[i].allow, 0}}, 42};
		int st = s && !valgrind ? in_child(s, call_probe, &p) : -1;

		ok(valgrind || exited_with(st, 1), "%s%s %ld: %ld denied, %ld allowed (status %#x)",
		   valgrind ? "# SKIP valgrind: " : "", cases[i].op, cases[i].value, cases[i].deny,
		   cases[i].allow, st);
		ward_seccomp_free(s);
	}
}

/* Comparisons of different arguments must all hold (AND); several of the same
 * argument are alternatives (OR), one rule each. getpriority(7, x) is EINVAL
 * when allowed. */
static void test_and_or(void)
{
	struct ward_seccomp *s;
	struct probe p = {SYS_getpriority, {{7, 9}, {7, 8}}, 42};
	int st;

	s = must_compile(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getpriority\"],"
	    " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42, \"args\": ["
	    "{\"index\": 0, \"value\": 7, \"op\": \"SCMP_CMP_EQ\"},"
	    "{\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	    0, "args on two indexes");
	st = s && !valgrind ? in_child(s, call_probe, &p) : -1;
	ok(valgrind || exited_with(st, 1), "%sargs on different indexes: AND (status %#x)",
	   valgrind ? "# SKIP valgrind: " : "", st);
	ward_seccomp_free(s);

	s = must_compile(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getpriority\"],"
	    " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42, \"args\": ["
	    "{\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"},"
	    "{\"index\": 1, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	    0, "two args on one index");
	p.a[0][0] = p.a[1][0] = 0; /* PRIO_PROCESS, with who 9 and 8: both denied */
	st = s && !valgrind ? in_child(s, call_probe, &p) : -1;
	ok(valgrind || exited_with(st, 3), "%sargs on the same index: OR (status %#x)",
	   valgrind ? "# SKIP valgrind: " : "", st);
	ward_seccomp_free(s);
}

static void test_requires_caps(void)
{
	static const char with[] =
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"],"
	    " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42,"
	    " \"ward.requiresCaps\": [\"CAP_SYS_ADMIN\"]}]}";
	static const char two[] =
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"],"
	    " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42,"
	    " \"ward.requiresCaps\": [\"CAP_SYS_ADMIN\", \"cap_net_admin\"]}]}";
	static const char without[] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}";
	struct ward_seccomp *none = must_compile(with, 0, "requiresCaps, no capabilities");
	struct ward_seccomp *admin = must_compile(with, CAP_SYS_ADMIN_BIT, "requiresCaps, CAP_SYS_ADMIN");
	struct ward_seccomp *bare = must_compile(without, 0, "no rules");
	struct ward_seccomp *half = must_compile(two, CAP_SYS_ADMIN_BIT, "two caps required, one held");
	int st;

	ok(none && bare && none->len == bare->len && memcmp(none->bpf, bare->bpf, bare->len * 8) == 0,
	   "without the capability the rule is not compiled in");
	ok(half && bare && half->len == bare->len && memcmp(half->bpf, bare->bpf, bare->len * 8) == 0,
	   "with only some of the capabilities the rule is not compiled in");
	ok(admin && bare && admin->len != bare->len, "with the capability the rule is compiled in");
	st = admin && !valgrind ? in_child(admin, call_getppid, NULL) : -1;
	ok(valgrind || exited_with(st, 42), "%swith the capability the rule applies",
	   valgrind ? "# SKIP valgrind: " : "");
	st = none && !valgrind ? in_child(none, call_getppid, NULL) : -1;
	ok(valgrind || exited_with(st, 0), "%swithout it getppid runs", valgrind ? "# SKIP valgrind: " : "");
	ward_seccomp_free(none);
	ward_seccomp_free(admin);
	ward_seccomp_free(bare);
	ward_seccomp_free(half);
	expect_error(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"],"
	    " \"action\": \"SCMP_ACT_ERRNO\", \"ward.requiresCaps\": [\"CAP_SYS_ADMIN\", \"CAP_NOPE\"]}]}",
	    "linux.seccomp.syscalls[0].ward.requiresCaps[1]: unknown capability \"CAP_NOPE\"",
	    "unknown capability in requiresCaps names the path");
}

/* A rule with the default action changes nothing and is dropped (libseccomp
 * would refuse it). */
static void test_default_action_rule(void)
{
	struct ward_seccomp *a =
	    must_compile("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
			 " \"syscalls\": [{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\","
			 " \"errnoRet\": 38}, {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
			 0, "a rule repeating the default action");
	struct ward_seccomp *b =
	    must_compile("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
			 " \"syscalls\": [{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
			 0, "the same without it");

	ok(a && b && a->len == b->len && memcmp(a->bpf, b->bpf, a->len * 8) == 0,
	   "the rule repeating the default action is skipped");
	ward_seccomp_free(a);
	ward_seccomp_free(b);
}

static void collect(void *ud, const char *msg)
{
	char **last = ud;

	free(*last);
	*last = xstrdup(msg);
}

static void test_unknown_syscall(void)
{
	static const char json[] =
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\","
	    " \"no_such_syscall\"], \"action\": \"SCMP_ACT_ERRNO\"}]}";
	struct ward_seccomp *s = NULL;
	struct ward_error *e = NULL;
	char *warned = NULL;

	ok(compile_json(json, 0, false, collect, &warned, &s, &e) == 0,
	   "unknown syscall: compiles when not strict");
	is_str(warned, "linux.seccomp.syscalls[0].names[1]: unknown syscall \"no_such_syscall\" ignored",
	       "unknown syscall: warning names the path");
	ward_seccomp_free(s);
	ward_error_free(e);
	free(warned);
	s = NULL;
	e = NULL;
	ok(compile_json(json, 0, false, NULL, NULL, &s, &e) == 0, "unknown syscall without a callback");
	ward_seccomp_free(s);
	ward_error_free(e);
	e = compile_error(json, true);
	is_str(e ? e->msg : NULL, "linux.seccomp.syscalls[0].names[1]: unknown syscall \"no_such_syscall\"",
	       "unknown syscall in strict mode is an error naming the path");
	ward_error_free(e);
}

static void test_errors(void)
{
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"],"
		     " \"action\": \"SCMP_ACT_NOPE\"}]}",
		     "linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_NOPE\"", "bad action");
	expect_error(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getpid\"],"
	    " \"action\": \"SCMP_ACT_TRAP\"}, {\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\","
	    " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 1, \"value\": 1,"
	    " \"op\": \"SCMP_CMP_ROUGHLY\"}]}]}",
	    "linux.seccomp.syscalls[1].args[1].op: unknown operator \"SCMP_CMP_ROUGHLY\"", "bad op");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"],"
		     " \"action\": \"SCMP_ACT_ERRNO\","
		     " \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		     "linux.seccomp.syscalls[0].args[0].index: 6 is out of range [0, 5]", "bad index 6");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\","
		     " \"architectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_Z80\"]}",
		     "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_Z80\"",
		     "bad architecture");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_FAST\"]}",
		     "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FAST\"", "bad flag");
	expect_error("{\"syscalls\": []}", "linux.seccomp.defaultAction: required", "missing defaultAction");
	expect_error("{\"defaultAction\": \"SCMP_ACT_KILL\", \"defaultErrnoRet\": 1}",
		     "linux.seccomp.defaultErrnoRet: SCMP_ACT_KILL takes no errno",
		     "defaultErrnoRet with KILL");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"getppid\"],"
		     " \"action\": \"SCMP_ACT_ALLOW\", \"errnoRet\": 1}]}",
		     "linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_ALLOW takes no errno",
		     "errnoRet with ALLOW");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 4096}",
		     "linux.seccomp.defaultErrnoRet: 4096 is out of range [0, 4095]",
		     "errno above MAX_ERRNO");
	expect_error("{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}",
		     "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action",
		     "NOTIFY as default");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerMetadata\": \"x\"}",
		     "linux.seccomp.listenerMetadata: set without listenerPath", "listenerMetadata alone");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\","
		     " \"syscalls\": [{\"names\": [], \"action\": \"SCMP_ACT_TRAP\"}]}",
		     "linux.seccomp.syscalls[0].names: expected a non-empty array of syscall names",
		     "empty names");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultAction\": \"SCMP_ACT_LOG\"}",
		     "linux.seccomp.defaultAction: duplicate key", "duplicate key");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"],"
		     " \"action\": \"SCMP_ACT_ERRNO\","
		     " \"args\": [{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		     "linux.seccomp.syscalls[0].args[0].value: expected an unsigned integer",
		     "negative value");
	expect_error("[]", "linux.seccomp: expected an object", "not an object");
	expect_error(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
	    "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\","
	    " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},"
	    " {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_TRAP\","
	    " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
	    "linux.seccomp.syscalls[1].names[0]: \"socket\" conflicts with an earlier rule: another action"
	    " for arguments libseccomp cannot tell apart",
	    "conflicting rules name the second one");
}

static void test_settings(void)
{
	struct ward_seccomp *s, *native;

	s = must_compile(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"],"
	    " \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 18446744073709551615,"
	    " \"op\": \"SCMP_CMP_EQ\"}]}]}",
	    0, "uint64 max as an argument value");
	ward_seccomp_free(s);
	s = must_compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\","
			 " \"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],"
			 " \"listenerPath\": \"/run/agent.sock\", \"listenerMetadata\": \"meta\","
			 " \"syscalls\": null, \"architectures\": null}",
			 0, "flags and listener settings");
	ok(s &&
	       s->flags ==
		   (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW) &&
	       !s->notify,
	   "flags are kept for seccomp(2)");
	ok(s && s->listener_path && strcmp(s->listener_path, "/run/agent.sock") == 0 &&
	       s->listener_metadata && strcmp(s->listener_metadata, "meta") == 0,
	   "listenerPath and listenerMetadata are kept");
	ok(!s || valgrind || exited_with(in_child(s, call_getppid, NULL), 0),
	   "%sa TSYNC|LOG|SPEC_ALLOW filter installs", valgrind ? "# SKIP valgrind: " : "");
	ward_seccomp_free(s);

	native =
	    must_compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"],"
			 " \"action\": \"SCMP_ACT_ERRNO\"}]}",
			 0, "native architecture only");
	s = must_compile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\","
			 " \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\", \"SCMP_ARCH_AARCH64\"],"
			 " \"syscalls\": [{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
			 0, "four architectures, the native one among them");
	ok(s && native && s->len > native->len, "more architectures, a longer program (%zu > %zu)",
	   s ? s->len : 0, native ? native->len : 0);
	ward_seccomp_free(s);
	ward_seccomp_free(native);
}

/* ---- NOTIFY ---- */

static int send_fd(int sock, int fd)
{
	char c = 'x', cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {&c, 1};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {&c, 1};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) != 1 || !(cm = CMSG_FIRSTHDR(&mh)) ||
	    cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof fd);
	return fd;
}

/* The supervisor side: one notification, answered with val. 0 on success. */
static int answer_one(int listener, long nr, long long val)
{
	struct seccomp_notif_sizes sz;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int r = -1;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
		return -1;
	/* the kernel's structs may be larger than ours; it wants them zeroed */
	req = xmalloc0(sz.seccomp_notif > sizeof *req ? sz.seccomp_notif : sizeof *req);
	resp = xmalloc0(sz.seccomp_notif_resp > sizeof *resp ? sz.seccomp_notif_resp : sizeof *resp);
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) == 0 && req->data.nr == nr) {
		resp->id = req->id;
		resp->val = val;
		resp->error = 0;
		resp->flags = 0;
		r = ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
	}
	free(req);
	free(resp);
	return r;
}

static void test_notify(void)
{
	struct ward_seccomp *s;
	struct ward_error *e = NULL;
	int sv[2], st = -1, listener = -1, answered = -1;
	pid_t pid;

	static const char json[] =
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],"
	    " \"syscalls\": [{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}";
	unsigned int api = seccomp_api_get();

	/* as libseccomp sees a kernel without user notification */
	if (seccomp_api_set(2) == 0) {
		e = compile_error(json, false);
		is_str(e ? e->msg : NULL,
		       "linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY is not supported by this kernel "
		       "(libseccomp API level 2)",
		       "an action the kernel lacks is refused at its path");
		ward_error_free(e);
		e = NULL;
		seccomp_api_set(api);
	} else {
		ok(1, "# SKIP seccomp_api_set(2) refused");
	}
	{
		struct ward_seccomp empty = {0};
		int fd = 7;

		ok(ward_seccomp_install(&empty, &fd, &e) < 0 && e && e->code == EINVAL && fd == -1,
		   "install refuses an empty program");
		ward_error_free(e);
		e = NULL;
	}
	if (api < 5 || valgrind) {
		for (int i = 0; i < 6; i++)
			ok(1, "# SKIP no user notification here (libseccomp API level %u%s)", api,
			   valgrind ? ", valgrind" : "");
		return;
	}
	s = must_compile(json, 0, "NOTIFY rule");
	ok(s && s->notify, "a NOTIFY rule sets notify");
	ok(s && (s->flags & ~(unsigned int)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) == 0,
	   "flags: at most WAIT_KILLABLE_RECV, which this kernel %s (%#x)", s && s->flags ? "has" : "lacks",
	   s ? s->flags : 0);
	ok(s && ward_seccomp_install(s, NULL, &e) < 0 && e && e->code == EINVAL,
	   "install refuses a notify filter without a place for the listener");
	ward_error_free(e);
	e = NULL;
	if (!s || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		ok(0, "no program or socketpair");
		ward_seccomp_free(s);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int fd = -1;

		close(sv[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || ward_seccomp_install(s, &fd, &e) < 0 ||
		    fd < 0 || send_fd(sv[1], fd) < 0)
			child_exit(100);
		close(fd); /* the parent's copy is the one that answers */
		child_exit(syscall(SYS_getppid) == 4242 ? 0 : 1);
	}
	close(sv[1]);
	if (pid > 0) {
		listener = recv_fd(sv[0]);
		answered = listener >= 0 ? answer_one(listener, SYS_getppid, 4242) : -1;
		waitpid(pid, &st, 0);
	}
	ok(listener >= 0 && answered == 0,
	   "the supervisor got the listener fd and answered the notification");
	ok(exited_with(st, 0), "the child's getppid returned the supervisor's value (status %#x)", st);
	if (listener >= 0)
		close(listener);
	close(sv[0]);
	ward_seccomp_free(s);
}

/* ---- Default profile and its cache ---- */

static void test_default_profile(void)
{
	const char *text = ward_seccomp_default_profile();
	char err[256];
	yajl_val tree = text ? yajl_tree_parse(text, err, sizeof err) : NULL;
	struct ward_seccomp *s = NULL;
	struct ward_error *e = NULL;

	ok(tree && YAJL_IS_OBJECT(tree), "the built-in profile is a JSON object");
	ok(tree && ward_seccomp_compile(tree, 0, false, NULL, NULL, &s, &e) == 0 && s && s->len > 0,
	   "the built-in profile compiles");
	if (e)
		printf("#   %s\n", e->msg);
	ward_seccomp_free(s);
	ward_error_free(e);
	yajl_tree_free(tree);
}

/* The one "default-*.bpf" in dir (there must be exactly one), or "" */
static void cache_name(const char *dir, char *out, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	*out = '\0';
	while (d && (de = readdir(d)))
		if (strncmp(de->d_name, "default-", 8) == 0 && strlen(de->d_name) == 8 + 16 + 4 &&
		    strcmp(de->d_name + 24, ".bpf") == 0 && found++ == 0)
			snprintf(out, n, "%s", de->d_name);
	if (d)
		closedir(d);
	if (found != 1)
		*out = '\0';
}

static bool same_program(const struct ward_seccomp *a, const struct ward_seccomp *b)
{
	return a && b && a->len == b->len && a->flags == b->flags && a->notify == b->notify &&
	       memcmp(a->bpf, b->bpf, a->len * sizeof(struct sock_filter)) == 0;
}

static struct ward_seccomp *load_default(int dfd, uint64_t eff)
{
	struct ward_seccomp *s = NULL;
	struct ward_error *e = NULL;

	if (ward_seccomp_default(dfd, eff, &s, &e) < 0) {
		printf("# ward_seccomp_default: %s\n", e ? e->msg : "?");
		ward_error_free(e);
	}
	return s;
}

/* Same FNV-1a as the cache uses for its payload checksum. */
static uint64_t fnv(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * UINT64_C(0x100000001b3);
	return h;
}

static void test_cache(const char *tmp)
{
	int dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct ward_seccomp *ref = load_default(-1, 0), *s;
	struct stat st1, st2;
	char name[64];
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int fd;

	ok(ref != NULL, "default profile without a cache");
	s = load_default(dfd, 0);
	cache_name(tmp, name, sizeof name);
	ok(*name && fstatat(dfd, name, &st1, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st1.st_mode) &&
	       (st1.st_mode & 07777) == 0600 && (size_t)st1.st_size == 32 + (ref ? ref->len : 0) * 8,
	   "first call writes one 0600 cache file: %s", name);
	ok(same_program(s, ref), "the compiled program equals the uncached one");
	ward_seccomp_free(s);

	s = load_default(dfd, 0);
	ok(fstatat(dfd, name, &st2, 0) == 0 && st2.st_ino == st1.st_ino &&
	       st2.st_mtim.tv_sec == st1.st_mtim.tv_sec && st2.st_mtim.tv_nsec == st1.st_mtim.tv_nsec,
	   "second call leaves the cache file alone (same inode and mtime)");
	ok(same_program(s, ref), "the cached program is identical (memcmp)");
	ward_seccomp_free(s);

	/* other capabilities: another key, another file */
	{
		struct ward_seccomp *admin = load_default(-1, CAP_SYS_ADMIN_BIT);
		DIR *d;
		struct dirent *de;
		int files = 0;

		s = load_default(dfd, CAP_SYS_ADMIN_BIT);
		ok(s && !same_program(s, ref) && same_program(s, admin),
		   "other capabilities get another program, the same as uncached");
		d = opendir(tmp);
		while (d && (de = readdir(d)))
			if (de->d_name[0] != '.')
				files++;
		ok(files == 2, "and another cache file (%d files)", files);
		/* keep only the eff=0 file for the checks below */
		rewinddir(d);
		while (d && (de = readdir(d)))
			if (de->d_name[0] != '.' && strcmp(de->d_name, name) != 0)
				unlinkat(dfd, de->d_name, 0);
		if (d)
			closedir(d);
		ward_seccomp_free(s);
		ward_seccomp_free(admin);
	}

	/* truncated */
	fd = openat(dfd, name, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0) {
		ok(write(fd, "WSC", 3) == 3, "cache truncated to 3 bytes");
		close(fd);
	}
	s = load_default(dfd, 0);
	ok(same_program(s, ref) && fstatat(dfd, name, &st2, 0) == 0 && st2.st_size == st1.st_size,
	   "a truncated cache file is ignored and rewritten");
	ward_seccomp_free(s);

	/* wrong magic */
	fd = openat(dfd, name, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		ok(pwrite(fd, "X", 1, 0) == 1, "cache magic overwritten");
		close(fd);
	}
	fstatat(dfd, name, &st1, 0);
	s = load_default(dfd, 0);
	ok(same_program(s, ref) && fstatat(dfd, name, &st2, 0) == 0 && st2.st_ino != st1.st_ino,
	   "a cache file with a wrong magic is ignored and replaced");
	ward_seccomp_free(s);

	/* a damaged instruction fails the checksum */
	fd = openat(dfd, name, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		char b = 0;

		ok(pread(fd, &b, 1, 40) == 1 && (b ^= 0x10, pwrite(fd, &b, 1, 40)) == 1,
		   "one bit of the program flipped");
		close(fd);
	}
	fstatat(dfd, name, &st1, 0);
	s = load_default(dfd, 0);
	ok(same_program(s, ref) && fstatat(dfd, name, &st2, 0) == 0 && st2.st_ino != st1.st_ino,
	   "a damaged program is caught by the checksum and replaced");
	ward_seccomp_free(s);

	/* group-writable */
	fchmodat(dfd, name, 0620, 0);
	fstatat(dfd, name, &st1, 0);
	s = load_default(dfd, 0);
	ok(same_program(s, ref) && fstatat(dfd, name, &st2, 0) == 0 && st2.st_ino != st1.st_ino &&
	       (st2.st_mode & 07777) == 0600,
	   "a group-writable cache file is not trusted");
	ward_seccomp_free(s);

	/* a symlink to a well-formed file holding another program: not followed */
	if (read_file_at(dfd, name, 1 << 20, &buf, &len, NULL) == 0 && len > 32 + 8) {
		_cleanup_free_ char *after = NULL;
		size_t alen = 0;
		uint64_t sum;
		int tfd;

		buf[32 + 4] ^= 0x01; /* first instruction's k */
		sum = fnv(buf + 32, len - 32);
		memcpy(buf + 24, &sum, sizeof sum);
		tfd = openat(dfd, "planted", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		ok(tfd >= 0 && write(tfd, buf, len) == (ssize_t)len, "planted a valid-looking cache file");
		if (tfd >= 0)
			close(tfd);
		unlinkat(dfd, name, 0);
		ok(symlinkat("planted", dfd, name) == 0, "cache file replaced by a symlink to it");
		s = load_default(dfd, 0);
		ok(same_program(s, ref), "the symlink is not followed: the program is the compiled one");
		ok(fstatat(dfd, name, &st2, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st2.st_mode),
		   "the symlink is replaced by a regular cache file");
		ok(read_file_at(dfd, "planted", 1 << 20, &after, &alen, NULL) == 0 && alen == len &&
		       memcmp(after, buf, len) == 0,
		   "the symlink's target is left as it was");
		ward_seccomp_free(s);
		unlinkat(dfd, "planted", 0);
	}
	unlinkat(dfd, name, 0);
	ward_seccomp_free(ref);
	close(dfd);
}

int main(void)
{
	char tmp[] = "/tmp/ward-test-seccomp.XXXXXX";

	valgrind = under_valgrind();
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 99;
	}
	test_errno();
	test_kill();
	test_operators();
	test_and_or();
	test_requires_caps();
	test_default_action_rule();
	test_unknown_syscall();
	test_errors();
	test_settings();
	test_notify();
	test_default_profile();
	test_cache(tmp);
	rmdir(tmp);
	return tap_done();
}
