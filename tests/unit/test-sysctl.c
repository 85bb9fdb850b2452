/* SPDX-License-Identifier: Apache-2.0 */
/* sysctl.c: names to paths under /proc/sys (judged after translation), the
 * namespace of each, the policy's checks on them, the check of joined
 * namespaces by identity, and the writes (in forked children that unshare
 * their own namespaces: run as root, skipped where that is not permitted).
 * Only this process prints TAP; children report by exit status. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "policy.h"
#include "spec.h"
#include "sysctl.h"
#include "tap.h"
#include "util.h"
#include "ward.h"

/* ---- translation ---- */

static void path_is(const char *name, const char *want, const char *why_part)
{
	struct ward_error *e = NULL;
	char *p = ward_sysctl_path(name, &e);
	char shown[48];

	snprintf(shown, sizeof shown, "%s", name);
	for (char *c = shown; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	if (want) {
		is_str(p, want, "\"%s\" -> %s", shown, want);
		ok(!ward_sysctl_name_error(name), "\"%s\": no name error", shown);
	} else {
		ok(!p && e && e->code == EINVAL, "\"%s\" refused (EINVAL)", shown);
		like(e ? e->msg : NULL, why_part, "\"%s\": the error says why", shown);
		ok(e && strncmp(e->msg, "linux.sysctl.", 13) == 0 && !strchr(e->msg, '\n') &&
		       !strchr(e->msg, '\033'),
		   "\"%s\": one line naming linux.sysctl.<name>: %s", shown, e ? e->msg : "(none)");
		ok(ward_sysctl_name_error(name) != NULL, "\"%s\": ward_sysctl_name_error agrees", shown);
	}
	free(p);
	ward_error_free(e);
}

static void test_paths(void)
{
	char long_name[301];

	path_is("net.ipv4.ip_forward", "net/ipv4/ip_forward", NULL);
	path_is("net.ipv4.conf.eth0/1.forwarding", "net/ipv4/conf/eth0.1/forwarding", NULL);
	path_is("kernel.shm_rmid_forced", "kernel/shm_rmid_forced", NULL);
	path_is("fs.mqueue.msg_max", "fs/mqueue/msg_max", NULL);
	/* "//" is ".." once translated: the walks out of the namespaced subtree */
	path_is("net.//.kernel.core_pattern", NULL, "\"..\" component");
	path_is("fs.mqueue.//.", NULL, "\"..\" component");
	path_is("fs.mqueue.//.//.vm.stat_interval", NULL, "\"..\" component");
	path_is("net.ipv4.//.//.vm.stat_interval", NULL, "\"..\" component");
	path_is("net.ipv4./..", NULL, "component");
	path_is("net./.", NULL, "\".\" component");
	path_is("kernel./.", NULL, "\".\" component");
	path_is("net..ipv4", NULL, "empty component");
	path_is(".net", NULL, "empty component");
	path_is("net.", NULL, "empty component");
	path_is("", NULL, "empty name");
	path_is("net.ipv4.ip_forward\n", NULL, "control character");
	path_is("net.ipv4\033[2J.x", NULL, "control character");
	path_is("net.ipv4.\x7f", NULL, "control character");
	path_is("net.ipv4.\xc2\x9b"
		"2J",
		NULL, "control character");
	memset(long_name, 'a', sizeof long_name - 1);
	memcpy(long_name, "net.", 4);
	long_name[300] = '\0';
	path_is(long_name, NULL, "longer than 255");
	long_name[WARD_SYSCTL_NAME_MAX] = '\0';
	ok(ward_sysctl_name_error(long_name) == NULL, "a name of exactly 255 bytes is a name");
	/* the long name is cut in the message */
	long_name[WARD_SYSCTL_NAME_MAX] = 'a';
	{
		struct ward_error *e = NULL;

		ok(!ward_sysctl_path(long_name, &e) && e && strlen(e->msg) < 200,
		   "a 300-byte name is cut in the message (%zu bytes)", e ? strlen(e->msg) : 0);
		ward_error_free(e);
	}
	ok(ward_sysctl_path(NULL, NULL) == NULL, "NULL name refused (no error wanted)");
}

/* ---- the namespace of a path ---- */

static void ns_is(const char *name, int want)
{
	char *p = ward_sysctl_path(name, NULL);

	is_int(ward_sysctl_namespace(p), want, "namespace of %s", name);
	free(p);
}

static void test_namespaces(void)
{
	static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",	    "kernel.msgmni",
					  "kernel.sem",	   "kernel.shmall",	    "kernel.shmmax",
					  "kernel.shmmni", "kernel.shm_rmid_forced"};

	ns_is("net.ipv4.ip_forward", WARD_NS_NET);
	ns_is("net.ipv4.conf.eth0/1.forwarding", WARD_NS_NET);
	ns_is("fs.mqueue.msg_max", WARD_NS_IPC);
	for (size_t i = 0; i < ARRAY_SIZE(ipc); i++)
		ns_is(ipc[i], WARD_NS_IPC);
	ns_is("kernel.hostname", WARD_NS_UTS);
	ns_is("kernel.domainname", WARD_NS_UTS);
	ns_is("kernel.core_pattern", -1);
	ns_is("kernel.shm_rmid_forced2", -1);
	ns_is("vm.stat_interval", -1);
	ns_is("fs.mqueue", -1);
	ns_is("net", -1);
	ns_is("net/ipv4.ip_forward", -1); /* "net.ipv4/ip_forward": one component */
	ns_is("kernel/hostname", -1);
	/* on an untranslated walk the decision is "the host's", never "net" */
	is_int(ward_sysctl_namespace("net/../kernel/core_pattern"), -1, "net/../kernel/core_pattern: -1");
	is_int(ward_sysctl_namespace("fs/mqueue/../../vm/x"), -1, "fs/mqueue/../../vm/x: -1");
	is_int(ward_sysctl_namespace("net/./ipv4"), -1, "net/./ipv4: -1");
	is_int(ward_sysctl_namespace(NULL), -1, "NULL: -1");
}

/* ---- the policy's check, at every level ---- */

static int policy(const char *level, const char *ns, const char *sysctl, char **msg)
{
	char *j =
	    xasprintf("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
		      "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":1000,\"gid\":1000},"
		      "\"capabilities\":{}},"
		      "\"linux\":{\"namespaces\":[%s],\"sysctl\":{%s}}}",
		      ns, sysctl);
	struct ward_ctx *ctx = ward_ctx_new("/nonexistent");
	struct ward_spec *s = NULL;
	struct ward_error *e = NULL;
	int r = -1, lvl;

	*msg = NULL;
	if (ward_ctx_set_policy(ctx, level, &e) == 0 &&
	    ward_spec_parse(j, strlen(j), "config.json", &s, &e) == 0)
		r = ward_policy_apply(ctx, s, &lvl, &e);
	if (e)
		*msg = xstrdup(e->msg);
	ward_error_free(e);
	ward_spec_free(s);
	ward_ctx_free(ctx);
	free(j);
	return r;
}

#define ALL_NS                                                                                               \
	"{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":"         \
	"\"mount\"},"                                                                                        \
	"{\"type\":\"cgroup\"}"

static void test_policy(void)
{
	static const char *const levels[] = {"oci", "baseline", "restricted"};
	static const struct {
		const char *ns, *sysctl, *want; /* want: NULL = accepted, else part of the error */
	} cases[] = {
	    {ALL_NS,
	     "\"net.ipv4.ip_forward\":\"1\",\"kernel.shm_rmid_forced\":\"1\",\"kernel.domainname\":\"x\"",
	     NULL},
	    {ALL_NS, "\"net.//.kernel.core_pattern\":\"|/x\"",
	     "linux.sysctl.net.//.kernel.core_pattern: not a"},
	    {ALL_NS, "\"fs.mqueue.//.//.vm.stat_interval\":\"7\"",
	     "linux.sysctl.fs.mqueue.//.//.vm.stat_interval"},
	    {ALL_NS, "\"net.ipv4.//.//.vm.stat_interval\":\"7\"", "\"..\" component"},
	    {ALL_NS, "\"kernel.core_pattern\":\"|/x\"", "linux.sysctl.kernel.core_pattern: not namespaced"},
	    {ALL_NS, "\"net/ipv4.x\":\"1\"", "not namespaced"},
	    {"{\"type\":\"mount\"},{\"type\":\"ipc\"}", "\"net.ipv4.ip_forward\":\"1\"",
	     "linux.sysctl.net.ipv4.ip_forward: needs a network namespace"},
	    {"{\"type\":\"mount\"},{\"type\":\"network\"}", "\"kernel.shmmax\":\"1\"",
	     "needs a ipc namespace"},
	    {"{\"type\":\"mount\"},{\"type\":\"network\"}", "\"kernel.hostname\":\"x\"",
	     "needs a uts namespace"},
	};

	for (size_t l = 0; l < ARRAY_SIZE(levels); l++)
		for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
			char *msg = NULL;
			int r = policy(levels[l], cases[i].ns, cases[i].sysctl, &msg);

			if (!cases[i].want)
				ok(r == 0, "%s: namespaced sysctls accepted (%s)", levels[l], msg ? msg : "");
			else
				ok(r < 0 && msg && strstr(msg, cases[i].want) && !strchr(msg, '\n'),
				   "%s: %s refused in one line: %s", levels[l], cases[i].sysctl,
				   msg ? msg : "(none)");
			free(msg);
		}
}

/* ---- joined namespaces: by identity ---- */

static struct ward_spec *spec_with(const char *sysctl)
{
	char *j =
	    xasprintf("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"cwd\":\"/\","
		      "\"args\":[\"sh\"]},\"linux\":{\"namespaces\":[{\"type\":\"mount\"},"
		      "{\"type\":\"network\",\"path\":\"/some/where\"},{\"type\":\"ipc\",\"path\":\"/x\"},"
		      "{\"type\":\"uts\",\"path\":\"/y\"}],\"sysctl\":{%s}}}",
		      sysctl);
	struct ward_spec *s = NULL;

	if (ward_spec_parse(j, strlen(j), "config.json", &s, NULL) < 0)
		s = NULL;
	free(j);
	return s;
}

static int joined(const char *sysctl, const int fd[WARD_NS_COUNT], char **msg)
{
	struct ward_spec *s = spec_with(sysctl);
	struct ward_error *e = NULL;
	int r = s ? ward_sysctl_check_joined(s, fd, &e) : -2;

	*msg = e ? xstrdup(e->msg) : NULL;
	ward_error_free(e);
	ward_spec_free(s);
	return r;
}

/* A child in namespaces of its own (flags), waiting on a pipe; its pid. */
static pid_t ns_child(int flags, int *wfd)
{
	int p[2], ready[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0 || pipe(ready) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		close(ready[0]);
		c = unshare(flags) == 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || read(p[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[0]);
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1 || c != 'y') {
		close(ready[0]);
		close(p[1]);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return -1;
	}
	close(ready[0]);
	*wfd = p[1];
	return pid;
}

static void test_joined(void)
{
	int fd[WARD_NS_COUNT], wfd = -1, other_net, self_net, self_ipc, self_uts;
	char path[64], *msg = NULL;
	pid_t child;

	fflush(stdout);
	for (int t = 0; t < WARD_NS_COUNT; t++)
		fd[t] = -1;
	self_net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	self_ipc = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	self_uts = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	child = ns_child(CLONE_NEWNET, &wfd);
	if (child < 0 || self_net < 0) {
		printf("ok %d - # SKIP joined namespaces: cannot unshare a network namespace\n", ++tap_n);
		return;
	}
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)child);
	other_net = open(path, O_RDONLY | O_CLOEXEC);

	fd[WARD_NS_NET] = self_net;
	ok(joined("\"net.ipv4.ip_forward\":\"1\"", fd, &msg) < 0 && msg &&
	       strstr(msg,
		      "linux.sysctl.net.ipv4.ip_forward: the network namespace joined from /some/where is "
		      "the runtime's own"),
	   "net.* with the runtime's own network namespace joined: refused (%s)", msg ? msg : "");
	free(msg);
	ok(joined("\"kernel.shmmax\":\"1\",\"kernel.hostname\":\"x\"", fd, &msg) == 0,
	   "ipc and uts sysctls do not care about the network namespace (%s)", msg ? msg : "");
	free(msg);
	fd[WARD_NS_NET] = other_net;
	ok(other_net >= 0 && joined("\"net.ipv4.ip_forward\":\"1\"", fd, &msg) == 0,
	   "net.* with another network namespace joined: accepted (%s)", msg ? msg : "");
	free(msg);
	fd[WARD_NS_NET] = -1;
	fd[WARD_NS_IPC] = self_ipc;
	ok(joined("\"fs.mqueue.msg_max\":\"10\"", fd, &msg) < 0 && msg && strstr(msg, "ipc namespace"),
	   "fs.mqueue.* with the runtime's own ipc namespace: refused (%s)", msg ? msg : "");
	free(msg);
	ok(joined("\"kernel.shm_rmid_forced\":\"1\"", fd, &msg) < 0, "kernel.shm_rmid_forced: refused too");
	free(msg);
	fd[WARD_NS_IPC] = -1;
	fd[WARD_NS_UTS] = self_uts;
	ok(joined("\"kernel.domainname\":\"x\"", fd, &msg) < 0 && msg && strstr(msg, "uts namespace"),
	   "kernel.domainname with the runtime's own uts namespace: refused (%s)", msg ? msg : "");
	free(msg);
	/* a walk out is refused here too, whatever the fds */
	ok(joined("\"net.//.vm.stat_interval\":\"7\"", fd, &msg) < 0 && msg &&
	       strstr(msg, "not a sysctl name"),
	   "a malformed name: refused (%s)", msg ? msg : "");
	free(msg);

	close(wfd);
	waitpid(child, NULL, 0);
	close(other_net);
	close(self_net);
	close(self_ipc);
	close(self_uts);
}

/* ---- the writes ---- */

static int read_int(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

	if (fd >= 0)
		close(fd);
	return n > 0 ? atoi(buf) : -1;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_CREAT | O_TRUNC, 0600);
	int r = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;

	if (fd >= 0)
		close(fd);
	return r;
}

enum { APPLY_OK = 0, APPLY_FAILED = 10, APPLY_WRONG_VALUE, APPLY_DECOY_WRITTEN, APPLY_SETUP = 20 };

/* In a child: namespaces of its own (plus a user namespace with uid 0 mapped
 * when userns), the decoy file bound over the host's /proc/sys/net/ipv4/ip_forward
 * in its mount namespace unless NULL, then net.ipv4.ip_forward=1 applied. */
static int apply_child(bool userns, const char *decoy, struct ward_spec *s)
{
	char map[32];

	if (userns) {
		snprintf(map, sizeof map, "0 %d 1", (int)getuid());
		if (unshare(CLONE_NEWUSER) < 0 || write_str("/proc/self/setgroups", "deny") < 0 ||
		    write_str("/proc/self/uid_map", map) < 0 || write_str("/proc/self/gid_map", "0 0 1") < 0)
			return APPLY_SETUP + 1;
	}
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0 ||
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		return APPLY_SETUP + 2;
	if (decoy && mount(decoy, "/proc/sys/net/ipv4/ip_forward", "none", MS_BIND, NULL) < 0)
		return APPLY_SETUP + 3;
	if (ward_sysctl_apply(s, NULL) < 0)
		return APPLY_FAILED;
	if (decoy && umount2("/proc/sys/net/ipv4/ip_forward", MNT_DETACH) < 0)
		return APPLY_SETUP + 4;
	if (read_int("/proc/sys/net/ipv4/ip_forward") != 1)
		return APPLY_WRONG_VALUE;
	if (decoy && read_int(decoy) != 7)
		return APPLY_DECOY_WRITTEN;
	return APPLY_OK;
}

static int run_apply(bool userns, const char *decoy)
{
	struct ward_spec *s = spec_with("\"net.ipv4.ip_forward\":\"1\"");
	int status, r;
	pid_t pid;

	if (!s)
		return APPLY_SETUP;
	fflush(stdout); /* nothing of ours twice in the TAP output */
	pid = fork();
	if (pid == 0) {
		r = apply_child(userns, decoy, s);
		ward_spec_free(s);
		_exit(r);
	}
	ward_spec_free(s);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Valgrind 3.19 (Debian 12) answers fsopen and openat2 with ENOSYS. */
static bool have_openat2(void)
{
	struct open_how how = {.flags = O_PATH | O_CLOEXEC};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);

	if (fd >= 0)
		close(fd);
	return fd >= 0 || errno != ENOSYS;
}

static void test_apply(void)
{
	char decoy[] = "/tmp/ward-test-sysctl.XXXXXX";
	int fd = mkstemp(decoy), host = read_int("/proc/sys/net/ipv4/ip_forward"), r;

	if (fd < 0 || write(fd, "7\n", 2) != 2)
		abort();
	close(fd);
	if (!have_openat2()) {
		printf("ok %d - # SKIP apply: openat2 is not available (valgrind)\n", ++tap_n);
		unlink(decoy);
		return;
	}
	r = run_apply(false, decoy);
	if (r >= APPLY_SETUP) {
		printf("ok %d - # SKIP apply: cannot unshare or bind here (%d)\n", ++tap_n, r);
	} else {
		is_int(
		    r, APPLY_OK,
		    "apply: net.ipv4.ip_forward=1 in the child's network namespace, through a procfs of its "
		    "own (a file bound over the host's /proc/sys/... is neither written nor in the way)");
	}
	/* a user namespace without its own pid namespace cannot make a procfs:
	 * the host's /proc is used, and a mount under it is refused (EXDEV) */
	r = run_apply(true, NULL);
	if (r >= APPLY_SETUP) {
		printf("ok %d - # SKIP apply in a user namespace: cannot set it up (%d)\n", ++tap_n, r);
	} else {
		is_int(r, APPLY_OK,
		       "apply in a user namespace without a pid namespace: through the host's /proc");
		is_int(run_apply(true, decoy), APPLY_FAILED,
		       "the same with a file bound over the host's /proc/sys/...: refused (RESOLVE_NO_XDEV)");
	}
	is_int(read_int(decoy), 7, "the decoy file was never written");
	is_int(read_int("/proc/sys/net/ipv4/ip_forward"), host,
	       "the host's net.ipv4.ip_forward is unchanged");
	unlink(decoy);
}

int main(void)
{
	test_paths();
	test_namespaces();
	test_policy();
	if (geteuid() == 0) {
		test_joined();
		test_apply();
	} else {
		printf("ok %d - # SKIP joined and apply tests need root\n", ++tap_n);
	}
	return tap_done();
}
