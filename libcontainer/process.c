/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "caps.h"
#include "execstub.h"
#include "ward_seccomp.h"
#include "safepath.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int ward_process_limits(const struct ward_process *p, struct ward_error **e)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct ward_rlimit *r = &p->rlimits[i];
		struct rlimit cur, want = {.rlim_cur = r->soft, .rlim_max = r->hard};

		if (getrlimit(r->resource, &cur) < 0)
			return ward_err_sys(e, "process.rlimits: get %s", r->type);
		if (r->hard != RLIM_INFINITY && cur.rlim_max != RLIM_INFINITY && r->hard > cur.rlim_max &&
		    prlimit(0, r->resource, &want, NULL) < 0)
			return ward_err(
			    e, EPERM,
			    "process.rlimits: %s hard limit %llu is above the host's hard limit %llu "
			    "(raising it needs CAP_SYS_RESOURCE): lower it to at most %llu",
			    r->type, (unsigned long long)r->hard, (unsigned long long)cur.rlim_max,
			    (unsigned long long)cur.rlim_max);
		if (setrlimit(r->resource, &want) < 0)
			return ward_err_sys(e, "process.rlimits: set %s to %llu/%llu", r->type,
					    (unsigned long long)r->soft, (unsigned long long)r->hard);
	}
	umask(p->user.has_umask ? (mode_t)p->user.umask : 022);
	return 0;
}

int ward_process_cwd(const struct ward_process *p, struct ward_error **e)
{
	const char *cwd = p->cwd ? p->cwd : "/";
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -1;
	struct ward_error *err = NULL;

	if (root < 0)
		return ward_err_sys(e, "open /");
	/* resolved inside the root: a cwd can never name a host directory */
	fd = safe_open(root, cwd, O_PATH | O_DIRECTORY, 0, &err);
	if (fd < 0 && err->code == ENOENT) {
		ward_error_free(err);
		err = NULL;
		fd = safe_mkdir_p(root, cwd, 0755, &err);
	}
	if (fd < 0) {
		*e = err;
		return ward_err_prefix(e, "process.cwd");
	}
	if (fchdir(fd) < 0)
		return ward_err_sys(e, "process.cwd: chdir %s", cwd);
	return 0;
}

static int cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

/* What the kernel says the process now is, against what was asked: real, effective,
 * saved and filesystem ids, and exactly the listed supplementary groups (a set*id
 * call can succeed without doing what was meant: (uid_t)-1 means "unchanged"). */
static int verify_credentials(const struct ward_user *u, const gid_t *want, struct ward_error **e)
{
	uid_t r, ef, sv, fs;
	gid_t rg, eg, sg, fsg, have[256], sorted[256];
	int n;

	if (getresuid(&r, &ef, &sv) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return ward_err_sys(e, "process.user: read back the process's ids");
	fs = (uid_t)setfsuid((uid_t)-1); /* an invalid id: changes nothing, returns the current one */
	fsg = (gid_t)setfsgid((gid_t)-1);
	if (r != u->uid || ef != u->uid || sv != u->uid || fs != u->uid)
		return ward_err(
		    e, EPERM,
		    "process.user.uid: the process has uid %u (real), %u (effective), %u (saved), "
		    "%u (filesystem) after setting %u",
		    r, ef, sv, fs, u->uid);
	if (rg != u->gid || eg != u->gid || sg != u->gid || fsg != u->gid)
		return ward_err(
		    e, EPERM,
		    "process.user.gid: the process has gid %u (real), %u (effective), %u (saved), "
		    "%u (filesystem) after setting %u",
		    rg, eg, sg, fsg, u->gid);
	n = getgroups(ARRAY_SIZE(have), have);
	if (n < 0 && errno == EINVAL)
		return ward_err(
		    e, EPERM,
		    "process.user.additionalGids: the process has more than %zu supplementary groups, "
		    "not the %zu listed",
		    ARRAY_SIZE(have), u->n_additional_gids);
	if (n < 0)
		return ward_err_sys(e, "process.user.additionalGids: read back the supplementary groups");
	if ((size_t)n != u->n_additional_gids)
		return ward_err(
		    e, EPERM,
		    "process.user.additionalGids: the process has %d supplementary groups, not the %zu "
		    "listed",
		    n, u->n_additional_gids);
	memcpy(sorted, want, (size_t)n * sizeof *want);
	qsort(sorted, (size_t)n, sizeof *sorted, cmp_gid);
	qsort(have, (size_t)n, sizeof *have, cmp_gid);
	if (memcmp(sorted, have, (size_t)n * sizeof *have) != 0)
		return ward_err(e, EPERM,
				"process.user.additionalGids: the process's supplementary groups "
				"differ from the listed ones");
	return 0;
}

int ward_process_credentials(const struct ward_process *p, bool nnp, struct ward_error **e)
{
	const struct ward_user *u = &p->user;
	gid_t groups[256];

	if (u->n_additional_gids > ARRAY_SIZE(groups))
		return ward_err(e, E2BIG, "process.user.additionalGids: more than %zu groups",
				ARRAY_SIZE(groups));
	for (size_t i = 0; i < u->n_additional_gids; i++)
		groups[i] = u->additional_gids[i];
	if (ward_caps_drop_bounding(&p->caps, e) < 0)
		return ward_err_prefix(e, "process.capabilities.bounding");
	/* never keep the caller's supplementary groups */
	if (setgroups(u->n_additional_gids, groups) < 0 && !(errno == EPERM && u->n_additional_gids == 0))
		return ward_err_sys(e, "process.user.additionalGids: setgroups");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return ward_err_sys(e, "process.user.gid: setgid %u", u->gid);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return ward_err_sys(e, "keep capabilities across setuid");
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return ward_err_sys(e, "process.user.uid: setuid %u", u->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return ward_err_sys(e, "clear keep-capabilities");
	if (verify_credentials(u, groups, e) < 0)
		return -1;
	if (ward_caps_apply(&p->caps, e) < 0)
		return ward_err_prefix(e, "process.capabilities");
	if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return ward_err_sys(e, "process.noNewPrivileges: set no_new_privs");
	return 0;
}

int ward_process_seccomp_early(const struct ward_process *p, const struct ward_seccomp **sc,
			       struct ward_error **e)
{
	if (!*sc || (*sc)->notify || p->no_new_privileges != 0)
		return 0;
	if (ward_seccomp_install(*sc, NULL, e) < 0)
		return ward_err_prefix(e, "linux.seccomp");
	*sc = NULL;
	return 0;
}

static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

/* The lookup of a path the image controls: from our root (the container's, after
 * pivot_root or setns) or cwd, never through a magic link such as
 * /proc/self/fd/N, which could lead to a file of the host. */
static int open_in_root(const char *path, int flags)
{
	struct open_how how = {.flags = (unsigned long long)(flags | O_CLOEXEC),
			       .resolve = RESOLVE_NO_MAGICLINKS};

	return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
}

static bool executable(const char *path, int *err)
{
	_cleanup_close_ int fd = open_in_root(path, O_PATH);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		*err = errno == ELOOP ? EACCES : errno;
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = S_ISDIR(st.st_mode) ? EISDIR : EACCES;
		return false;
	}
	if (faccessat(fd, "", X_OK, AT_EMPTY_PATH) < 0) {
		*err = errno;
		return false;
	}
	return true;
}

/* HOME from the container's /etc/passwd, resolved in the root by safepath (no
 * magic links) and never a FIFO or a device, or "/" as runc does. */
static char *home_of(uid_t uid)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct ward_error *err = NULL;
	struct stat st;
	char *save = NULL;

	if (root >= 0)
		fd = safe_open(root, "/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY, 0, &err);
	ward_error_free(err);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    read_fd_all(fd, "/etc/passwd", 1 << 20, &buf, NULL, NULL) < 0)
		return xstrdup("/");
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[7] = {0}, *s = line;
		int n = 0;

		while (n < 7 && s) {
			f[n++] = s;
			s = strchr(s, ':');
			if (s)
				*s++ = '\0';
		}
		if (n == 7 && f[2][0] && strtoul(f[2], NULL, 10) == uid && f[5][0] == '/')
			return xstrdup(f[5]);
	}
	return xstrdup("/");
}

/* The stub in a memfd nobody can change: a container process that reaches it
 * through /proc/PID/exe finds a sealed copy of a few hundred harmless bytes. */
static int load_stub(struct ward_error **e)
{
	int fd = memfd_create("ward-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return ward_err_sys(e, "memfd_create for the exec stub");
	if (write_all(fd, ward_execstub, sizeof ward_execstub) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0) {
		ward_err_sys(e, "seal the exec stub");
		close(fd);
		return -1;
	}
	return fd;
}

static char *find_on_path(const struct ward_process *p, struct ward_error **e)
{
	const char *arg0 = p->args[0], *path = env_get(p->env, "PATH");
	_cleanup_free_ char *dirs = NULL;
	char *save = NULL;
	int err = ENOENT;

	if (strchr(arg0, '/')) {
		if (!executable(arg0, &err))
			return ward_err_errno(e, err, "exec \"%s\"", arg0), NULL;
		return xstrdup(arg0);
	}
	dirs = xstrdup(path ? path : DEFAULT_PATH);
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *cand = xasprintf("%s/%s", *d ? d : ".", arg0);
		int why;

		if (executable(cand, &why))
			return TAKE_PTR(cand);
		if (why != ENOENT && why != ENOTDIR)
			err = why;
	}
	ward_err(e, err, "exec: \"%s\": executable file not found in $PATH", arg0);
	return NULL;
}

static int plan_finish(const struct ward_process *p, struct ward_exec_plan *plan, struct ward_error **e)
{
	size_t n = strv_len(p->env);

	plan->stubfd = load_stub(e);
	if (plan->stubfd < 0)
		return -1;
	/* [stub steps, path, args...]: ward_process_exec fills in the steps */
	plan->argv = xmalloc0((strv_len(p->args) + 3) * sizeof(char *));
	plan->argv[1] = plan->path;
	for (size_t i = 0; p->args[i]; i++)
		plan->argv[i + 2] = p->args[i];
	plan->envp = xmalloc0((n + 2) * sizeof(char *));
	for (size_t i = 0; i < n; i++)
		plan->envp[i] = xstrdup(p->env[i]);
	if (!env_get(p->env, "HOME")) {
		_cleanup_free_ char *home = home_of(getuid());

		plan->envp[n] = xasprintf("HOME=%s", home);
	}
	return 0;
}

int ward_process_plan(const struct ward_process *p, struct ward_exec_plan *plan, struct ward_error **e)
{
	memset(plan, 0, sizeof *plan);
	plan->stubfd = -1;
	plan->path = find_on_path(p, e);
	return plan->path ? plan_finish(p, plan, e) : -1;
}

int ward_process_plan_path(const struct ward_process *p, const char *path, struct ward_exec_plan *plan,
			   struct ward_error **e)
{
	int err = 0;

	memset(plan, 0, sizeof *plan);
	plan->stubfd = -1;
	if (path[0] != '/')
		return ward_err(e, EINVAL, "\"%s\" is not an absolute path", path);
	if (!executable(path, &err))
		return ward_err_errno(e, err, "exec \"%s\"", path);
	plan->path = xstrdup(path);
	return plan_finish(p, plan, e);
}

void ward_stub_add(struct ward_stub *s, char op, int fd)
{
	size_t len = strlen(s->ops);
	bool kept = false;

	if (fd < 0)
		snprintf(s->ops + len, sizeof s->ops - len, "%c", op);
	else
		snprintf(s->ops + len, sizeof s->ops - len, "%c%d", op, fd);
	for (size_t i = 0; fd >= 0 && i < s->n_keep; i++)
		kept |= s->keep[i] == fd;
	if (fd >= 0 && !kept && s->n_keep < ARRAY_SIZE(s->keep))
		s->keep[s->n_keep++] = fd;
}

void ward_exec_plan_free(struct ward_exec_plan *plan)
{
	free(plan->path);
	strv_free(plan->envp);
	free(plan->argv); /* its strings are process.args' and path */
	if (plan->stubfd >= 0)
		close(plan->stubfd);
	memset(plan, 0, sizeof *plan);
	plan->stubfd = -1;
}

int ward_process_exec(const struct ward_process *p, struct ward_exec_plan *plan, unsigned preserve_fds,
		      const struct ward_seccomp *sc, const struct ward_stub *stub, struct ward_error **e)
{
	sigset_t none;
	int stubfd = plan->stubfd;

	/* the stub's fd must not sit among the fds handed to the program */
	if (stubfd < (int)(3 + preserve_fds))
		stubfd = fcntl(stubfd, F_DUPFD_CLOEXEC, (int)(3 + preserve_fds));
	for (unsigned fd = 3; fd < 3 + preserve_fds; fd++) {
		int fl = fcntl((int)fd, F_GETFD);

		if (fl >= 0)
			fcntl((int)fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	/* nothing of ward's (namespace fds, the cgroup...) may reach the stub or the
	 * program; the stub's own fds (sync socket, exec.fifo) it closes itself */
	if (syscall(SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = (int)(3 + preserve_fds); fd < 1024; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	for (size_t i = 0; i < stub->n_keep; i++)
		if (fcntl(stub->keep[i], F_SETFD, 0) < 0)
			return ward_err_sys(e, "keep fd %d for the exec stub", stub->keep[i]);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	plan->argv[0] = (char *)stub->ops;
	/* after this only execve: a profile cannot trap ward itself */
	if (sc && !sc->notify && ward_seccomp_install(sc, NULL, e) < 0)
		return ward_err_prefix(e, "linux.seccomp");
	/* through the stub: see execstub.c (CVE-2019-5736) */
	syscall(SYS_execveat, stubfd, "", plan->argv, plan->envp, AT_EMPTY_PATH);
	return ward_err_sys(e, "exec the exec stub for %s", plan->path);
}
