/* SPDX-License-Identifier: Apache-2.0 */
/* `ward check`: is this host ready to run ward, and how hardened is it. Each
 * item is probed with a harmless call or read (never a change to the host):
 * "fail" means ward cannot confine a container here, "warn" that a feature or
 * a hardening setting is missing. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "cgroup.h"
#include "json.h"
#include "util.h"
#include "ward.h"

enum verdict { V_OK, V_WARN, V_FAIL };

struct item {
	const char *name;
	enum verdict verdict;
	char *detail;
	char *fix; /* NULL when there is nothing to do */
};

struct list {
	struct item *v;
	size_t n, cap;
};

static void add(struct list *l, const char *name, enum verdict v, char *detail, char *fix)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = (struct item){.name = name, .verdict = v, .detail = detail, .fix = fix};
}

static const char *verdict_name(enum verdict v)
{
	return v == V_OK ? "ok" : v == V_WARN ? "warn" : "fail";
}

/* A /proc/sys value as a number; -1 with errno when it cannot be read. */
static long read_sysctl(const char *key)
{
	_cleanup_free_ char *path = xasprintf("/proc/sys/%s", key), *buf = NULL;
	struct ward_error *e = NULL;
	int64_t v;
	size_t len;

	for (char *p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	if (read_file_at(AT_FDCWD, path, 4096, &buf, &len, &e) < 0) {
		errno = e ? e->code : EIO;
		ward_error_free(e);
		return -1;
	}
	buf[strcspn(buf, "\n")] = '\0';
	if (parse_i64(buf, &v) < 0 || v < 0 || v > 1L << 30) {
		errno = EINVAL;
		return -1;
	}
	return (long)v;
}

static bool has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return true;
	return false;
}

static void check_cgroup(struct list *l)
{
	static const char *const needed[] = {"cpu", "memory", "pids"};
	struct ward_error *e = NULL;
	const char *mnt = ward_cgroup_mount(&e);
	_cleanup_free_ char *path = NULL, *ctl = NULL, *missing = xstrdup("");
	bool hybrid;
	size_t len;

	ward_error_free(e);
	e = NULL;
	if (!mnt) {
		add(l, "cgroup v2", V_FAIL,
		    xstrdup("no cgroup2 hierarchy at /sys/fs/cgroup or /sys/fs/cgroup/unified"),
		    xstrdup(
			"boot with systemd.unified_cgroup_hierarchy=1, or mount cgroup2 on /sys/fs/cgroup"));
		add(l, "cgroup controllers", V_FAIL, xstrdup("none: no cgroup v2 hierarchy"),
		    xstrdup("boot with systemd.unified_cgroup_hierarchy=1 or cgroup_no_v1=all"));
		return;
	}
	hybrid = strcmp(mnt, "/sys/fs/cgroup") != 0;
	add(l, "cgroup v2", V_OK,
	    hybrid ? xasprintf("hybrid: v2 at %s, v1 controllers at /sys/fs/cgroup", mnt)
		   : xasprintf("unified hierarchy at %s", mnt),
	    NULL);
	path = xasprintf("%s/cgroup.controllers", mnt);
	if (read_file_at(AT_FDCWD, path, 4096, &ctl, &len, &e) < 0) {
		add(l, "cgroup controllers", V_WARN, xstrdup(e->msg), NULL);
		ward_error_free(e);
		return;
	}
	ctl[strcspn(ctl, "\n")] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(needed); i++)
		if (!has_word(ctl, needed[i])) {
			char *t = xasprintf("%s%s%s", missing, *missing ? " " : "", needed[i]);

			free(missing);
			missing = t;
		}
	if (!*missing) {
		add(l, "cgroup controllers", V_OK, xasprintf("%s", ctl), NULL);
		return;
	}
	add(l, "cgroup controllers", V_WARN,
	    xasprintf("available: %s; missing: %s (limits on these are refused, the default pids limit is "
		      "skipped)",
		      *ctl ? ctl : "none", missing),
	    xstrdup(hybrid ? "boot with systemd.unified_cgroup_hierarchy=1 or cgroup_no_v1=all"
			   : "use a kernel with the cpu, memory and pids controllers (CONFIG_CGROUP_SCHED, "
			     "CONFIG_MEMCG, CONFIG_CGROUP_PIDS)"));
}

static void check_userns(struct list *l)
{
	long max = read_sysctl("user.max_user_namespaces");
	long clone = read_sysctl("kernel.unprivileged_userns_clone");
	const char *unpriv = clone == 0 ? "; unprivileged users cannot create them "
					  "(kernel.unprivileged_userns_clone=0): rootless ward needs them"
					: "";

	if (max < 0 && errno == ENOENT)
		add(l, "user namespaces", V_WARN, xstrdup("not built into this kernel (CONFIG_USER_NS)"),
		    xstrdup("use a kernel with CONFIG_USER_NS=y"));
	else if (max <= 0)
		add(l, "user namespaces", V_WARN,
		    xstrdup("disabled (user.max_user_namespaces=0): configs with a user namespace fail"),
		    xstrdup("sysctl -w user.max_user_namespaces=15000 (and persist it in /etc/sysctl.d/)"));
	else
		add(l, "user namespaces", V_OK, xasprintf("user.max_user_namespaces=%ld%s", max, unpriv),
		    NULL);
}

static void check_seccomp(struct list *l)
{
	static const struct {
		uint32_t action;
		const char *name;
	} actions[] = {{SECCOMP_RET_KILL_PROCESS, "kill_process"},
		       {SECCOMP_RET_LOG, "log"},
		       {SECCOMP_RET_USER_NOTIF, "user_notif"}};
	int mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
	_cleanup_free_ char *have = xstrdup(""), *lack = xstrdup("");
	enum verdict v = V_OK;

	if (mode < 0) {
		add(l, "seccomp", V_FAIL,
		    xasprintf("prctl(PR_GET_SECCOMP): %s: no seccomp in this kernel", ward_errno_name(errno)),
		    xstrdup("use a kernel with CONFIG_SECCOMP=y and CONFIG_SECCOMP_FILTER=y"));
		return;
	}
	/* A NULL filter program fails before anything is installed: EFAULT (or
	 * EACCES without privileges) means filter mode exists, EINVAL that it does not. */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, NULL) < 0 && errno == EINVAL) {
		add(l, "seccomp", V_FAIL, xstrdup("no filter mode (CONFIG_SECCOMP_FILTER)"),
		    xstrdup("use a kernel with CONFIG_SECCOMP_FILTER=y"));
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++) {
		uint32_t a = actions[i].action;
		bool ok = syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &a) == 0;
		char **s = ok ? &have : &lack;
		char *t = xasprintf("%s%s%s", *s, **s ? " " : "", actions[i].name);

		free(*s);
		*s = t;
		if (!ok && actions[i].action == SECCOMP_RET_KILL_PROCESS)
			v = V_WARN;
	}
	add(l, "seccomp", v,
	    xasprintf("filter mode%s; actions: %s%s%s",
		      mode == 2 ? " (this process is already filtered)" : "", *have ? have : "none probed",
		      *lack ? "; unavailable: " : "", lack),
	    v == V_OK ? NULL : xstrdup("use a kernel >= 4.14 (SECCOMP_RET_KILL_PROCESS)"));
}

static void check_landlock(struct list *l)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	if (abi >= 1)
		add(l, "landlock", V_OK, xasprintf("ABI version %ld", abi), NULL);
	else if (errno == EOPNOTSUPP)
		add(l, "landlock", V_WARN, xstrdup("built but not enabled"),
		    xstrdup("add landlock to the kernel's lsm= boot parameter"));
	else
		add(l, "landlock", V_WARN, xasprintf("unavailable (%s)", ward_errno_name(errno)),
		    xstrdup("use a kernel >= 5.13 with CONFIG_SECURITY_LANDLOCK=y"));
}

/* pidfd_open, clone3 and openat2: each probed with a call that cannot change anything. */
static void check_syscalls(struct list *l)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_MAGICLINKS};
	long fd;

	fd = syscall(SYS_pidfd_open, getpid(), 0);
	if (fd >= 0) {
		close((int)fd);
		add(l, "pidfd_open", V_OK, xstrdup("available"), NULL);
	} else {
		add(l, "pidfd_open", V_FAIL,
		    xasprintf("%s: signals could reach a recycled pid", ward_errno_name(errno)),
		    xstrdup("use a kernel >= 5.3"));
	}
	/* A size below the first version is refused before anything is read. */
	if (syscall(SYS_clone3, NULL, 0) < 0 && errno == EINVAL)
		add(l, "clone3", V_OK, xstrdup("available"), NULL);
	else
		add(l, "clone3", V_WARN, xasprintf("%s: no CLONE_INTO_CGROUP", ward_errno_name(errno)),
		    xstrdup("use a kernel >= 5.7"));
	fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
	if (fd >= 0) {
		close((int)fd);
		add(l, "openat2", V_OK, xstrdup("available (RESOLVE_IN_ROOT)"), NULL);
	} else {
		add(l, "openat2", V_FAIL,
		    xasprintf("%s: rootfs paths cannot be resolved safely", ward_errno_name(errno)),
		    xstrdup("use a kernel >= 5.6"));
	}
}

static void check_sysctls(struct list *l)
{
	static const struct {
		const char *key;
		long want;
		const char *why;
	} s[] = {
	    {"kernel.kptr_restrict", 1, "kernel addresses in /proc are hidden"},
	    {"kernel.dmesg_restrict", 1, "only privileged users read the kernel log"},
	    {"kernel.unprivileged_bpf_disabled", 1, "unprivileged BPF, a recurring exploit path, is off"},
	    {"kernel.yama.ptrace_scope", 1, "processes trace only their descendants"},
	    {"fs.protected_symlinks", 1, "symlinks in sticky directories are not followed across owners"},
	    {"fs.protected_hardlinks", 1, "hard links to others' files are refused"},
	    {"fs.protected_fifos", 1, "FIFOs in sticky directories are not opened across owners"},
	    {"fs.protected_regular", 1, "regular files in sticky directories are not opened across owners"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(s); i++) {
		long v = read_sysctl(s[i].key);

		if (v >= s[i].want)
			add(l, s[i].key, V_OK, xasprintf("%ld: %s", v, s[i].why), NULL);
		else if (v < 0 && errno == ENOENT && strstr(s[i].key, "yama"))
			add(l, s[i].key, V_WARN,
			    xstrdup("Yama is not enabled: a process can trace any other of its user"),
			    xstrdup("enable Yama (CONFIG_SECURITY_YAMA, lsm= boot parameter)"));
		else if (v < 0)
			add(l, s[i].key, V_WARN, xasprintf("not available (%s)", ward_errno_name(errno)),
			    xstrdup("use a kernel that has it"));
		else
			add(l, s[i].key, V_WARN,
			    xasprintf("%ld, want >= %ld so that %s", v, s[i].want, s[i].why),
			    xasprintf("sysctl -w %s=%ld (and persist it in /etc/sysctl.d/)", s[i].key,
				      s[i].want));
	}
}

static void render_table(FILE *out, const struct list *l, bool ready)
{
	size_t w = strlen("ITEM"), fails = 0, warns = 0;

	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i].name) > w)
			w = strlen(l->v[i].name);
	fprintf(out, "%-7s  %-*s  %s\n", "VERDICT", (int)w, "ITEM", "DETAIL");
	for (size_t i = 0; i < l->n; i++) {
		const struct item *it = &l->v[i];

		fails += it->verdict == V_FAIL;
		warns += it->verdict == V_WARN;
		fprintf(out, "%-7s  %-*s  %s\n", verdict_name(it->verdict), (int)w, it->name, it->detail);
		if (it->fix)
			fprintf(out, "    fix: %s\n", it->fix);
	}
	fprintf(out, "ready: %s (%zu failed, %zu warnings)\n", ready ? "yes" : "no", fails, warns);
}

static char *render_json(const struct list *l, bool ready)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char *out = NULL;

	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	json_gen_str(g, "ready");
	yajl_gen_bool(g, ready);
	json_gen_str(g, "checks");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < l->n; i++) {
		yajl_gen_map_open(g);
		json_gen_str(g, "name");
		json_gen_str(g, l->v[i].name);
		json_gen_str(g, "verdict");
		json_gen_str(g, verdict_name(l->v[i].verdict));
		json_gen_str(g, "detail");
		json_gen_str(g, l->v[i].detail);
		json_gen_str(g, "fix");
		json_gen_str(g, l->v[i].fix);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	out = json_gen_text(g, true);
	yajl_gen_free(g);
	return out;
}

int ward_check(bool json, char **report, bool *ready, struct ward_error **e)
{
	struct list l = {0};
	char *buf = NULL;
	size_t size = 0;
	FILE *out;

	*report = NULL;
	*ready = true;
	check_cgroup(&l);
	check_userns(&l);
	check_seccomp(&l);
	check_landlock(&l);
	check_syscalls(&l);
	check_sysctls(&l);
	for (size_t i = 0; i < l.n; i++)
		*ready = *ready && l.v[i].verdict != V_FAIL;
	if (json) {
		buf = render_json(&l, *ready);
	} else if ((out = open_memstream(&buf, &size))) {
		render_table(out, &l, *ready);
		if (fclose(out) != 0) {
			free(buf);
			buf = NULL;
		}
	}
	for (size_t i = 0; i < l.n; i++) {
		free(l.v[i].detail);
		free(l.v[i].fix);
	}
	free(l.v);
	if (!buf)
		return ward_err_errno(e, ENOMEM, "check: render the report");
	*report = buf;
	return 0;
}
