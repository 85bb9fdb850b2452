/* SPDX-License-Identifier: Apache-2.0 */
/* The state store (in a temp root) and cgroup placement (on the host's real v2
 * hierarchy, skipped when there is none or we are not root). */
#include "config.h"
#include "cgroup.h"
#include "state.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

static char tmp[] = "/tmp/ward-test-state.XXXXXX";

static char *tpath(const char *rel)
{
	return xasprintf("%s/%s", tmp, rel);
}

static size_t count_entries(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

static void clear(struct ward_error **e)
{
	ward_error_free(*e);
	*e = NULL;
}

/* A child that sleeps until killed; SIGUSR1 makes it write a byte to fd. */
static int usr1_fd = -1;
static void on_usr1(int sig)
{
	(void)!write(usr1_fd, "u", 1);
}

static pid_t spawn_sleeper(int notify_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		usr1_fd = notify_fd;
		signal(SIGUSR1, on_usr1);
		for (;;)
			pause();
	}
	return pid;
}

static void test_root(void)
{
	struct ward_error *e = NULL;
	char *p = tpath("a/b/root"), *l = tpath("link"), *w = tpath("ww"), *f = tpath("file"),
	     *o = tpath("loose");
	char *slash = tpath("link/");
	struct stat st;
	int fd;

	fd = ward_state_root_open(p, true, &e);
	ok(fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700,
	   "root_open creates the root (and parents) 0700");
	close(fd);
	fd = ward_state_root_open(p, false, &e);
	ok(fd >= 0 && e == NULL, "root_open without create opens it");
	close(fd);
	symlink(p, l);
	fd = ward_state_root_open(l, true, &e);
	ok(fd < 0 && e && e->code == ELOOP, "a symlinked root is refused");
	like(e ? e->msg : NULL, "is a symlink", "  saying why");
	clear(&e);
	fd = ward_state_root_open(slash, true, &e);
	ok(fd < 0 && e && e->code == ELOOP, "  also when named with a trailing slash");
	clear(&e);
	mkdir(w, 0777);
	chmod(w, 0777);
	fd = ward_state_root_open(w, true, &e);
	ok(fd < 0 && e && e->code == EPERM, "a world-writable root is refused");
	like(e ? e->msg : NULL, "writable by others", "  saying why");
	clear(&e);
	mkdir(o, 0755);
	fd = ward_state_root_open(o, true, &e);
	ok(fd >= 0 && stat(o, &st) == 0 && (st.st_mode & 07777) == 0700,
	   "a readable root of ours is tightened to 0700");
	close(fd);
	close(open(f, O_CREAT | O_WRONLY, 0600));
	fd = ward_state_root_open(f, false, &e);
	ok(fd < 0 && e && e->code == ENOTDIR, "a root that is a file is refused");
	clear(&e);
	free(p);
	free(l);
	free(w);
	free(f);
	free(o);
	free(slash);
}

static void fill(struct ward_state *st, const char *id)
{
	static struct ward_kv ann[] = {{"org.example/b", "2"}, {"a", "x\"y\\z/é"}};

	memset(st, 0, sizeof *st);
	st->id = (char *)id;
	st->pid = 4242;
	st->start_time = 123456789012ULL;
	st->bundle = (char *)"/bundles/x";
	st->rootfs = (char *)"/bundles/x/rootfs";
	st->created = (char *)"2026-11-29T04:40:42.123456789Z";
	st->owner = (char *)"";
	st->annotations = ann;
	st->n_annotations = 2;
	st->cgroup = (char *)"/sys/fs/cgroup/unified/ward/x";
	st->has_tty = true;
	st->oci_version = (char *)"1.2.0";
}

static void test_roundtrip(int rootfd)
{
	struct ward_error *e = NULL;
	struct ward_state in, *out = NULL;
	struct stat sb;
	int dirfd = -1, dirfd2 = -1;

	ok(ward_state_reserve(rootfd, "c1", &dirfd, &e) == 0 && dirfd >= 0, "reserve c1");
	ok(fstat(dirfd, &sb) == 0 && (sb.st_mode & 07777) == 0700, "  its directory is 0700");
	fill(&in, "c1");
	ok(ward_state_save(dirfd, &in, &e) == 0, "save");
	ok(fstatat(dirfd, "state.json", &sb, 0) == 0 && (sb.st_mode & 07777) == 0600, "  state.json is 0600");
	ok(count_entries(dirfd) == 1, "  and no temp file is left");
	ok(ward_state_load(dirfd, "c1", &out, &e) == 0 && out, "load");
	if (out) {
		ok(strcmp(out->id, "c1") == 0 && out->pid == 4242 && out->start_time == 123456789012ULL,
		   "  id, pid, start_time round-trip");
		ok(strcmp(out->bundle, in.bundle) == 0 && strcmp(out->rootfs, in.rootfs) == 0 &&
		       strcmp(out->created, in.created) == 0 && strcmp(out->owner, "") == 0,
		   "  bundle, rootfs, created, owner round-trip");
		ok(out->n_annotations == 2 && strcmp(out->annotations[0].key, "org.example/b") == 0 &&
		       strcmp(out->annotations[1].value, "x\"y\\z/é") == 0,
		   "  annotations round-trip in order, escapes intact");
		ok(out->cgroup && strcmp(out->cgroup, in.cgroup) == 0 && out->has_tty &&
		       strcmp(out->oci_version, "1.2.0") == 0,
		   "  cgroup, has_tty, oci_version round-trip");
	}
	ward_state_free(out);
	out = NULL;
	in.cgroup = NULL;
	in.has_tty = false;
	in.n_annotations = 0;
	ward_state_save(dirfd, &in, &e);
	ok(ward_state_load(dirfd, "c1", &out, &e) == 0 && out->cgroup == NULL && !out->has_tty &&
	       out->n_annotations == 0,
	   "null cgroup, false has_tty, no annotations round-trip");
	ward_state_free(out);
	out = NULL;
	ok(ward_state_load(dirfd, "c2", &out, &e) < 0 && e && e->code == EINVAL,
	   "a state naming another id is refused");
	clear(&e);

	ok(ward_state_reserve(rootfd, "c1", &dirfd2, &e) < 0 && e && e->code == EEXIST,
	   "duplicate reserve refused");
	is_str(e ? e->msg : NULL, "container with id exists: c1", "  with runc's message");
	clear(&e);
	ok(ward_state_reserve(rootfd, "../x", &dirfd2, &e) < 0, "reserve of an invalid id refused");
	is_str(e ? e->msg : NULL, "invalid container id \"../x\"", "  with the id in the message");
	clear(&e);
	ok(ward_state_open(rootfd, "nope", 0, &dirfd2, &e) < 0 && e && e->code == ENOENT,
	   "open of a missing id");
	is_str(e ? e->msg : NULL, "container \"nope\" does not exist", "  says does not exist");
	clear(&e);
	ok(ward_state_open(rootfd, "c1", LOCK_SH | LOCK_NB, &dirfd2, &e) < 0 && e && e->code == EAGAIN,
	   "open with a lock while reserve holds it is busy");
	clear(&e);
	close(dirfd);
	ok(ward_state_open(rootfd, "c1", LOCK_SH, &dirfd2, &e) == 0, "open with a shared lock after release");
	close(dirfd2);
}

static void test_corrupt(int rootfd)
{
	struct ward_error *e = NULL;
	struct ward_state *out = NULL;
	int dirfd = -1;

	ward_state_reserve(rootfd, "bad", &dirfd, &e);
	write_file_atomic(dirfd, "state.json", "{\"version\":1,", 13, 0600, &e);
	ok(ward_state_load(dirfd, "bad", &out, &e) < 0 && e && e->code == EINVAL,
	   "truncated state.json refused");
	like(e ? e->msg : NULL, "is corrupt", "  as corrupt");
	clear(&e);
	unlinkat(dirfd, "state.json", 0);
	symlinkat("/etc/passwd", dirfd, "state.json");
	ok(ward_state_load(dirfd, "bad", &out, &e) < 0 && e && e->code == ELOOP,
	   "symlinked state.json refused");
	clear(&e);
	close(dirfd);
	ok(ward_state_remove(rootfd, "bad", &e) == 0 &&
	       faccessat(rootfd, "bad", F_OK, AT_SYMLINK_NOFOLLOW) < 0,
	   "remove unlinks the symlink and the directory");
	ok(access("/etc/passwd", F_OK) == 0, "  without touching its target");
}

static void test_leftover(int rootfd)
{
	struct ward_error *e = NULL;
	int dirfd = -1, fd, ready[2], go[2];
	pid_t child;
	char c;

	mkdirat(rootfd, "left", 0700);
	fd = openat(rootfd, "left", O_RDONLY | O_DIRECTORY);
	close(openat(fd, ".state.json.tmp", O_CREAT | O_WRONLY, 0600));
	close(openat(fd, "config.json", O_CREAT | O_WRONLY, 0600));
	close(fd);
	ok(ward_state_reserve(rootfd, "left", &dirfd, &e) == 0,
	   "a leftover without state.json and lock is reclaimed");
	ok(dirfd >= 0 && count_entries(dirfd) == 0, "  and emptied");
	close(dirfd);
	dirfd = -1;

	mkdirat(rootfd, "held", 0700);
	if (pipe(ready) < 0 || pipe(go) < 0)
		exit(99);
	child = fork();
	if (child == 0) {
		int hfd = openat(rootfd, "held", O_RDONLY | O_DIRECTORY);

		flock(hfd, LOCK_EX);
		(void)!write(ready[1], "r", 1);
		(void)!read(go[0], &c, 1);
		_exit(0);
	}
	(void)!read(ready[0], &c, 1);
	ok(ward_state_reserve(rootfd, "held", &dirfd, &e) < 0 && e && e->code == EEXIST,
	   "a directory whose lock is held by another process is refused");
	clear(&e);
	(void)!write(go[1], "g", 1);
	waitpid(child, NULL, 0);
	ok(ward_state_reserve(rootfd, "held", &dirfd, &e) == 0, "  and reclaimed once the holder is gone");
	close(dirfd);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}

static void test_status(int rootfd)
{
	struct ward_error *e = NULL;
	struct ward_state st;
	int dirfd = -1;
	pid_t child;

	fill(&st, "s1");
	st.cgroup = NULL;
	ward_state_reserve(rootfd, "s1", &dirfd, &e);
	child = spawn_sleeper(-1);
	st.pid = child;
	st.start_time = proc_start_time(child);
	is_str(ward_status_name(ward_state_status(dirfd, &st)), "running", "a live child is running");
	mkfifoat(dirfd, "exec.fifo", 0600);
	is_str(ward_status_name(ward_state_status(dirfd, &st)), "created", "exec.fifo present: created");
	unlinkat(dirfd, "exec.fifo", 0);
	st.start_time++;
	is_str(ward_status_name(ward_state_status(dirfd, &st)), "stopped",
	       "a reused pid (other start time) is stopped");
	st.start_time--;
	kill(child, SIGKILL);
	for (int i = 0; i < 5000 && proc_state(child) != 'Z'; i++)
		usleep(1000);
	is_str(ward_status_name(ward_state_status(dirfd, &st)), "stopped", "a zombie is stopped");
	waitpid(child, NULL, 0);
	is_str(ward_status_name(ward_state_status(dirfd, &st)), "stopped", "a reaped pid is stopped");
	st.pid = 0;
	is_str(ward_status_name(ward_state_status(dirfd, &st)), "stopped", "pid 0 is stopped");
	close(dirfd);
	ward_state_remove(rootfd, "s1", &e);
}

static void test_json(void)
{
	struct ward_state st;
	char *j, *a, *b;
	const char *keys[] = {"\"ociVersion\"", "\"id\"",      "\"pid\"",	  "\"status\"", "\"bundle\"",
			      "\"rootfs\"",	"\"created\"", "\"annotations\"", "\"owner\""};
	const char *prev = NULL;
	bool order = true;

	fill(&st, "j1");
	j = ward_state_json(&st, WARD_STATUS_RUNNING, true);
	for (size_t i = 0; j && i < ARRAY_SIZE(keys); i++) {
		const char *p = strstr(j, keys[i]);

		order = order && p && (!prev || p > prev);
		prev = p;
	}
	ok(order, "state JSON has runc's fields in runc's order");
	like(j, "\"pid\": 4242,", "  pid of a running container");
	like(j, "\"status\": \"running\"", "  status");
	like(j, "\n  \"id\": \"j1\",\n", "  pretty-printed with two-space indent");
	ok(j && !strstr(j, "start_time") && !strstr(j, "cgroup"), "  internal fields are not shown");
	free(j);
	st.n_annotations = 0;
	j = ward_state_json(&st, WARD_STATUS_STOPPED, false);
	ok(j && !strchr(j, '\n') && strstr(j, "{\"ociVersion\":\"1.2.0\",\"id\":\"j1\",\"pid\":0,"),
	   "compact form (for hooks) is one line");
	free(j);
	j = ward_state_json(&st, WARD_STATUS_STOPPED, true);
	a = xasprintf(
	    "{\n  \"ociVersion\": \"1.2.0\",\n  \"id\": \"j1\",\n  \"pid\": 0,\n  \"status\": \"stopped\",\n"
	    "  \"bundle\": \"/bundles/x\",\n  \"rootfs\": \"/bundles/x/rootfs\",\n"
	    "  \"created\": \"%s\",\n  \"owner\": \"\"\n}",
	    st.created);
	is_str(j, a, "stopped: pid 0, no annotations key, exact layout");
	b = j ? strchr(j, '\0') : NULL;
	ok(b && b > j && b[-1] == '}', "  no trailing newline (runc prints none)");
	free(a);
	free(j);
}

static void test_remove_list(int rootfd)
{
	struct ward_error *e = NULL;
	const char *make[] = {"c3", "c2", "a-first"};
	struct ward_state st;
	char **ids = NULL, *outside = tpath("outside");
	int dirfd = -1, fd;
	struct stat sb;

	for (size_t i = 0; i < ARRAY_SIZE(make); i++) {
		fill(&st, make[i]);
		ward_state_reserve(rootfd, make[i], &dirfd, &e);
		ward_state_save(dirfd, &st, &e);
		close(dirfd);
	}
	mkdirat(rootfd, "zz-leftover", 0700);
	close(openat(rootfd, "stray-file", O_CREAT | O_WRONLY, 0600));
	ok(ward_state_list(rootfd, &ids, &e) == 0 && ids, "list");
	ok(ids && strv_len(ids) == 4 && strcmp(ids[0], "a-first") == 0 && strcmp(ids[1], "c1") == 0 &&
	       strcmp(ids[2], "c2") == 0 && strcmp(ids[3], "c3") == 0,
	   "  sorted, skipping leftovers (no state.json) and a stray file");
	strv_free(ids);
	ids = NULL;

	close(open(outside, O_CREAT | O_WRONLY, 0600));
	fd = openat(rootfd, "c2", O_RDONLY | O_DIRECTORY);
	mkfifoat(fd, "exec.fifo", 0600);
	symlinkat(outside, fd, "evil");
	close(openat(fd, ".config.json.tmp", O_CREAT | O_WRONLY, 0600));
	close(fd);
	ok(ward_state_remove(rootfd, "c2", &e) == 0, "remove c2");
	ok(fstatat(rootfd, "c2", &sb, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT, "  leaves nothing");
	ok(stat(outside, &sb) == 0, "  and a symlink in it was not followed");
	ok(ward_state_remove(rootfd, "c2", &e) == 0, "removing a missing container is fine");

	fd = openat(rootfd, "c3", O_RDONLY | O_DIRECTORY);
	mkdirat(fd, "sub", 0700);
	close(openat(fd, "sub/keep", O_CREAT | O_WRONLY, 0600));
	close(fd);
	ok(ward_state_remove(rootfd, "c3", &e) < 0 && e && e->code == ENOTEMPTY,
	   "an unexpected non-empty subdirectory is not recursed into");
	like(e ? e->msg : NULL, "sub", "  and is named");
	clear(&e);
	ok(fstatat(rootfd, "c3/sub/keep", &sb, AT_SYMLINK_NOFOLLOW) == 0, "  its content is kept");
	ok(fstatat(rootfd, "c3/state.json", &sb, AT_SYMLINK_NOFOLLOW) == 0,
	   "  and so is state.json, so that delete can be retried");
	ok(ward_state_list(rootfd, &ids, &e) == 0 && strv_len(ids) == 3 && strcmp(ids[2], "c3") == 0,
	   "list after removals");
	strv_free(ids);
	free(outside);
}

/* Print a skipped test so the count stays the same. */
static void skip(int n, const char *why)
{
	while (n-- > 0)
		ok(1, "# SKIP %s", why);
}

static bool write_knob(const char *dir, const char *knob, const char *value)
{
	char *p = xasprintf("%s/%s", dir, knob);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	bool good = fd >= 0 && write(fd, value, strlen(value)) == (ssize_t)strlen(value);

	if (fd >= 0)
		close(fd);
	free(p);
	return good;
}

static void test_cgroup_paths(void)
{
	struct ward_error *e = NULL;
	char *p;

	p = ward_cgroup_path("/cg", NULL, "c1", &e);
	is_str(p, "/cg/ward/c1", "cgroup path without cgroupsPath");
	free(p);
	p = ward_cgroup_path("/cg", "/abs//x/./y/", "c1", &e);
	is_str(p, "/cg/abs/x/y", "absolute cgroupsPath, normalized");
	free(p);
	p = ward_cgroup_path("/cg", "rel/x", "c1", &e);
	is_str(p, "/cg/ward/rel/x", "relative cgroupsPath goes under the default parent");
	free(p);
	p = ward_cgroup_path("/cg", "/a/../../b", "c1", &e);
	ok(!p && e && e->code == EINVAL, "cgroupsPath with \"..\" is refused");
	like(e ? e->msg : NULL, "\"..\"", "  saying why");
	clear(&e);
	p = ward_cgroup_path("/cg", "/", "c1", &e);
	ok(!p && e, "cgroupsPath \"/\" (the hierarchy root) is refused");
	clear(&e);

	/* --systemd-cgroup's slice:prefix:name, as systemd would place the unit */
	static const char *const sd[][2] = {
	    {"system.slice:docker:abc", "/system.slice/docker-abc.scope"},
	    {"machine.slice:libpod:abc", "/machine.slice/libpod-abc.scope"},
	    {"kubepods-burstable-pod1.slice:cri-containerd:abc",
	     "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/"
	     "cri-containerd-abc.scope"},
	    {":ward:abc", "/ward-abc.scope"},
	    {"-.slice:ward:abc", "/ward-abc.scope"},
	    {"system.slice::abc", "/system.slice/abc"},
	    {"user.slice:x:sub.slice", "/user.slice/sub.slice"},
	    {"custom:p:n", "/custom/p-n.scope"},
	};
	for (size_t i = 0; i < sizeof sd / sizeof sd[0]; i++) {
		p = ward_cgroup_systemd_path(sd[i][0], &e);
		is_str(p, sd[i][1], "systemd cgroupsPath %s", sd[i][0]);
		free(p);
		clear(&e);
	}
	static const char *const bad[] = {"a:b",	  "a:b:c:d",   "a/b.slice:p:n", "a--b.slice:p:n",
					  "a-.slice:p:n", "s.slice:p:"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p = ward_cgroup_systemd_path(bad[i], &e);
		ok(!p && e && e->code == EINVAL, "systemd cgroupsPath %s is refused", bad[i]);
		free(p);
		clear(&e);
	}
}

#define CGROUP_TESTS 15

static void test_cgroup(void)
{
	struct ward_error *e = NULL;
	const char *mount = ward_cgroup_mount(&e);
	char *parent, *path, *sub, c = 0;
	pid_t *pids = NULL, child;
	size_t n = 0;
	int fd, status = 0, note[2];
	enum ward_cgroup_origin origin;
	struct ward_state st;
	struct stat sb;

	if (!mount || geteuid() != 0) {
		skip(CGROUP_TESTS, mount ? "not root" : "no cgroup v2 hierarchy");
		clear(&e);
		return;
	}
	parent = xasprintf("%s/ward-unit-%d", mount, (int)getpid());
	path = xasprintf("%s/c", parent);
	sub = xasprintf("%s/sub", path);
	fd = ward_cgroup_create(path, &origin, &e);
	ok(fd >= 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && origin == WARD_CGROUP_CREATED,
	   "create %s", path);
	if (pipe(note) < 0)
		exit(99);
	child = spawn_sleeper(note[1]);
	ok(ward_cgroup_enter(fd, path, child, &e) == 0, "enter moves the child in");
	close(fd);
	ok(ward_cgroup_pids(path, &pids, &n, &e) == 0 && n == 1 && pids[0] == child, "pids lists it");
	free(pids);
	fd = ward_cgroup_create(path, &origin, &e);
	ok(fd < 0 && e && e->code == EBUSY, "create of a populated cgroup is refused");
	like(e ? e->msg : NULL, "is already in use", "  saying it is in use");
	clear(&e);
	ok(ward_cgroup_signal(path, SIGUSR1, &e) == 0 && read(note[0], &c, 1) == 1 && c == 'u',
	   "signal reaches the process in it");
	ok(!ward_cgroup_frozen(path), "not frozen");
	write_knob(path, "cgroup.freeze", "1");
	ok(ward_cgroup_frozen(path), "frozen after cgroup.freeze=1");
	fill(&st, "cg");
	st.pid = child;
	st.start_time = proc_start_time(child);
	st.cgroup = path;
	is_str(ward_status_name(ward_state_status(AT_FDCWD, &st)), "paused",
	       "status of a frozen container: paused");
	write_knob(path, "cgroup.freeze", "0");
	mkdir(sub, 0755);
	ok(ward_cgroup_destroy(path, WARD_CGROUP_CREATED, &e) == 0, "destroy");
	ok(stat(path, &sb) < 0 && errno == ENOENT, "  the cgroup (and its child cgroup) are gone");
	ok(waitpid(child, &status, 0) == child && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	   "  the process was killed");
	ok(ward_cgroup_destroy(path, WARD_CGROUP_CREATED, &e) == 0, "destroying a missing cgroup is fine");
	ok(ward_cgroup_kill(path, WARD_CGROUP_CREATED, &e) < 0 && e && e->code == ENOENT,
	   "kill of a missing cgroup is ENOENT");
	like(e ? e->msg : NULL, path, "  naming it");
	clear(&e);
	rmdir(parent);
	close(note[0]);
	close(note[1]);
	free(parent);
	free(path);
	free(sub);
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	struct ward_error *e = NULL;
	char *root;
	int rootfd;

	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 99;
	}
	umask(022);
	test_root();
	root = tpath("state");
	rootfd = ward_state_root_open(root, true, &e);
	if (rootfd < 0) {
		printf("Bail out! %s\n", e->msg);
		return 99;
	}
	test_roundtrip(rootfd);
	test_corrupt(rootfd);
	test_leftover(rootfd);
	test_status(rootfd);
	test_json();
	test_remove_list(rootfd);
	test_cgroup_paths();
	test_cgroup();
	close(rootfd);
	free(root);
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
