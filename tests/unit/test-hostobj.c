/* SPDX-License-Identifier: Apache-2.0 */
/* The host policy file's parser (ctx.c), sensitive host trees by their string,
 * and the facts hostobj.c gathers from objects opened on this host: symlinks
 * and bind-mount aliases of sensitive trees, subtrees, sockets, hard links,
 * namespaces (the runtime's own or not, a joined user namespace's maps), hook
 * binaries by identity, the listener by the host's string. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostobj.h"
#include "spec.h"
#include "tap.h"
#include "util.h"

static void test_parse(void)
{
	struct ward_host_policy hp;
	struct ward_error *e = NULL;
	static const struct {
		const char *text, *want;
	} bad[] = {
	    {"colour = blue\n", "unknown key \"colour\""},
	    {"level = lax\n", "expected \"level = oci|baseline|restricted\", got \"level = lax\""},
	    {"allow-device = x 1:2\n", "allow-device = c|b MAJOR:MINOR"},
	    {"allow-device = c 1\n", "got \"allow-device = c 1\""},
	    {"allow-device = c 1:2x\n", "allow-device"},
	    {"allow-device = c *:1\n", "allow-device"},
	    {"allow-hook = bin/sh\n", "allow-hook = /ABSOLUTE/PATH"},
	    {"allow-listener = sock\n", "allow-listener = /ABSOLUTE/PATH"},
	    {"allow-sysctl = net.a b\n", "allow-sysctl = NAME"},
	    {"level\n", "expected \"key = value\", got \"level\""},
	    {"allow-hook =\n", "got \"allow-hook =\""},
	};

	ok(ward_host_policy_parse("# host\n\n  level = restricted  \n"
				  "allow-device = c 10:200\nallow-device=b 7:*\n"
				  "\tallow-sysctl = net.core.somaxconn\n"
				  "allow-hook = /usr/bin/dockerd\nallow-listener = /run/agent.sock\r\n",
				  "/etc/ward/policy", &hp, &e) == 0,
	   "parse: every key, comments, blank lines, spaces");
	is_int(hp.level, 2, "parse: level restricted");
	ok(hp.n_devices == 2 && hp.devices[0].type == 'c' && hp.devices[0].major == 10 &&
	       hp.devices[0].minor == 200 && hp.devices[1].type == 'b' && hp.devices[1].major == 7 &&
	       hp.devices[1].minor == -1,
	   "parse: allow-device c 10:200 and b 7:*");
	ok(hp.sysctls && strcmp(hp.sysctls[0], "net.core.somaxconn") == 0 && !hp.sysctls[1],
	   "parse: allow-sysctl");
	ok(hp.hooks && strcmp(hp.hooks[0], "/usr/bin/dockerd") == 0, "parse: allow-hook");
	ok(hp.listeners && strcmp(hp.listeners[0], "/run/agent.sock") == 0,
	   "parse: allow-listener (CR trimmed)");
	ward_host_policy_free(&hp);
	ok(ward_host_policy_parse(NULL, "/p", &hp, &e) == 0 && hp.level == -1 && !hp.n_devices,
	   "parse: no file is no level and nothing allowed");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		e = NULL;
		if (!ok(ward_host_policy_parse(bad[i].text, "/etc/ward/policy", &hp, &e) == -1 && e &&
			    e->code == EINVAL && strstr(e->msg, "policy file /etc/ward/policy: ") &&
			    strstr(e->msg, bad[i].want),
			"parse: refused, with the line: %.*s", (int)strcspn(bad[i].text, "\n"),
			bad[i].text) &&
		    e)
			printf("#   %s\n", e->msg);
		ward_error_free(e);
	}
}

static void test_strings(void)
{
	static const char *const extra[] = {"/run/ward", "/usr/local/etc/ward", NULL};
	static const struct {
		const char *path;
		int rel;
		const char *tree;
	} cases[] = {
	    {"/", WARD_TREE_IS, "/"},
	    {"/etc", WARD_TREE_IS, "/etc"},
	    {"/etc/cron.d", WARD_TREE_UNDER, "/etc"},
	    {"/var/spool/cron", WARD_TREE_UNDER, "/var/spool"},
	    {"/var", WARD_TREE_CONTAINS, "/var/lib"},
	    {"/lib/modules", WARD_TREE_UNDER, "/lib"},
	    {"/usr", WARD_TREE_IS, "/usr"},
	    {"/tmp/x", WARD_TREE_NONE, NULL},
	    {"/srv/etc", WARD_TREE_NONE, NULL},
	    {"/etcetera", WARD_TREE_NONE, NULL},
	    {"/home", WARD_TREE_IS, "/home"},
	    {"/home/alice", WARD_TREE_UNDER, "/home"},
	    {"/home/alice/.ssh", WARD_TREE_UNDER, "/home"},
	    {"/home/alice/.config/x", WARD_TREE_UNDER, "/home"},
	    {"/home/alice/project", WARD_TREE_NONE, NULL},
	    {"/run/ward/c1", WARD_TREE_UNDER, "/run"},
	    {"/usr/local/etc/ward/policy", WARD_TREE_UNDER, "/usr"},
	};
	const char *tree;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rel = ward_sensitive_path(cases[i].path, NULL, &tree);

		ok(rel == cases[i].rel && (cases[i].tree ? tree && strcmp(tree, cases[i].tree) == 0 : !tree),
		   "strings: %s %s %s", cases[i].path,
		   cases[i].rel == WARD_TREE_IS		? "is"
		   : cases[i].rel == WARD_TREE_UNDER	? "is under"
		   : cases[i].rel == WARD_TREE_CONTAINS ? "contains"
							: "is none of the trees",
		   cases[i].tree ? cases[i].tree : "");
	}
	ok(ward_sensitive_path("/srv/state", (const char *const[]){"/srv/state/ward", NULL}, &tree) ==
		   WARD_TREE_CONTAINS &&
	       strcmp(tree, "/srv/state/ward") == 0,
	   "strings: an extra tree (the state root) counts");
	(void)extra;
}

/* ---- on this host ---- */

static char T[] = "/tmp/ward-test-hostobj-XXXXXX";

static char *tpath(const char *name)
{
	return xasprintf("%s/%s", T, name);
}

static void make_socket(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	if (fd >= 0) {
		if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
			printf("#   bind %s: %s\n", path, strerror(errno));
		close(fd);
	}
}

/* A config (single quotes for double) with T for the temporary directory. */
static struct ward_spec *spec_of(const char *sq)
{
	char *j = xstrdup(sq), *out = xstrdup("");
	struct ward_spec *s = NULL;
	struct ward_error *e = NULL;

	for (char *p = j; *p; p++) {
		char *t;

		if (*p == '\'')
			*p = '"';
		if (*p == '@') { /* @ stands for T */
			t = xasprintf("%s%s", out, T);
		} else {
			t = xasprintf("%s%c", out, *p);
		}
		free(out);
		out = t;
	}
	if (ward_spec_parse(out, strlen(out), "config.json", &s, &e) < 0) {
		printf("#   parse: %s\n", e->msg);
		ward_error_free(e);
	}
	free(j);
	free(out);
	return s;
}

static bool rel_is(const struct ward_hostobj *o, int rel, const char *tree)
{
	if (!o->checked || o->rel != rel ||
	    (tree ? !o->tree || strcmp(o->tree, tree) != 0 : o->tree != NULL)) {
		printf("#   %s: checked %d rel %d tree %s (err %d)\n", o->value ? o->value : "?", o->checked,
		       o->rel, o->tree ? o->tree : "-", o->err);
		return false;
	}
	return true;
}

static void test_gather_paths(void)
{
	_cleanup_free_ char *state = tpath("state"), *sub = tpath("bundle/sub"), *hl = tpath("file"),
			    *hl2 = tpath("file2"), *sock = tpath("sock"), *rootfs = tpath("bundle/rootfs"),
			    *bundle = tpath("bundle"), *elink = tpath("etclink"),
			    *sh = realpath("/bin/sh", NULL);
	const char *extra[] = {state, NULL};
	char *hooks[] = {sh, NULL}, *listeners[] = {sock, NULL};
	struct ward_host_policy hp = {.level = -1, .hooks = hooks, .listeners = listeners};
	struct ward_host_facts *f = NULL;
	struct ward_error *e = NULL;
	struct ward_spec *s;
	struct stat st;

	mkdir(state, 0700);
	mkdir(bundle, 0755);
	mkdir(sub, 0755);
	mkdir(rootfs, 0755);
	close(open(hl, O_CREAT | O_WRONLY, 0644));
	link(hl, hl2);
	symlink("/etc", elink);
	make_socket(sock);
	s = spec_of("{'ociVersion':'1.2.0','root':{'path':'rootfs'},'process':{'args':['sh'],'cwd':'/'},"
		    "'mounts':[{'destination':'/a','type':'bind','source':'@/etclink'},"
		    "{'destination':'/b','type':'bind','source':'/usr/share'},"
		    "{'destination':'/c','type':'bind','source':'sub'},"
		    "{'destination':'/d','type':'bind','source':'/'},"
		    "{'destination':'/e','type':'bind','source':'/var'},"
		    "{'destination':'/f','type':'bind','source':'@/sock'},"
		    "{'destination':'/g','type':'bind','source':'@/file'},"
		    "{'destination':'/h','type':'bind','source':'@/nonexistent'},"
		    "{'destination':'/i','type':'bind','source':'@/state'},"
		    "{'destination':'/j','type':'bind','source':'@'},"
		    "{'destination':'/k','type':'tmpfs','source':'/etc'},"
		    "{'destination':'/l','type':'bind','source':'/proc/self/root'},"
		    "{'destination':'/m','type':'bind','source':'/etc/passwd'}],"
		    "'hooks':{'prestart':[{'path':'/bin/sh'},{'path':'/bin/true'}]},"
		    "'linux':{'namespaces':[{'type':'mount'},{'type':'network','path':'/proc/self/ns/net'}],"
		    "'devices':[{'path':'/dev/null','type':'c','major':1,'minor':3}],"
		    "'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','listenerPath':'@/sock'}}}");
	if (!ok(s && ward_host_facts_gather(s, bundle, extra, &hp, &f, &e) == 0,
		"gather: the facts of a config"))
		return;
	ok(rel_is(&f->root, WARD_TREE_NONE, NULL) && f->root.type == S_IFDIR &&
	       strcmp(f->root.value, rootfs) == 0,
	   "gather: the rootfs, relative to the bundle, is no sensitive tree");
	ok(rel_is(&f->mounts[0], WARD_TREE_IS, "/etc") && strcmp(f->mounts[0].canon, "/etc") == 0,
	   "gather: a symlink to /etc is /etc (canonical /etc)");
	ok(rel_is(&f->mounts[1], WARD_TREE_UNDER, "/usr"), "gather: /usr/share is under /usr");
	ok(rel_is(&f->mounts[2], WARD_TREE_NONE, NULL) && strcmp(f->mounts[2].value, sub) == 0,
	   "gather: a relative source is in the bundle");
	ok(rel_is(&f->mounts[3], WARD_TREE_IS, "/"), "gather: / is /");
	ok(rel_is(&f->mounts[4], WARD_TREE_CONTAINS, "/var/lib") ||
	       rel_is(&f->mounts[4], WARD_TREE_CONTAINS, "/var/spool"),
	   "gather: /var contains /var/lib");
	ok(f->mounts[5].checked && f->mounts[5].type == S_IFSOCK, "gather: a unix socket is a socket");
	ok(f->mounts[6].checked && f->mounts[6].type == S_IFREG && f->mounts[6].nlink == 2,
	   "gather: a file's hard links are counted");
	ok(f->mounts[7].named && !f->mounts[7].checked && f->mounts[7].err == ENOENT,
	   "gather: a missing source is named, not checked, ENOENT");
	ok(rel_is(&f->mounts[8], WARD_TREE_IS, state), "gather: the state root is a sensitive tree");
	ok(rel_is(&f->mounts[9], WARD_TREE_CONTAINS, state), "gather: a directory holding it contains it");
	ok(!f->mounts[10].named, "gather: a tmpfs's source is no host object");
	ok(rel_is(&f->mounts[11], WARD_TREE_IS, "/"), "gather: /proc/self/root is the host's /");
	ok(rel_is(&f->mounts[12], WARD_TREE_UNDER, "/etc"), "gather: /etc/passwd is under /etc");
	ok(f->ns[WARD_NS_NET].checked && f->ns[WARD_NS_NET].host_ns,
	   "gather: /proc/self/ns/net is the runtime's own");
	ok(f->devices[0].checked && f->devices[0].type == S_IFCHR && f->devices[0].rdev == makedev(1, 3),
	   "gather: the host's node of a device");
	ok(f->hooks[WARD_HOOK_PRESTART][0].allowed && !f->hooks[WARD_HOOK_PRESTART][1].allowed,
	   "gather: a hook is allowed by the identity of its binary (/bin/sh is %s)", sh ? sh : "?");
	ok(f->listener.checked && f->listener.type == S_IFSOCK && f->listener.allowed,
	   "gather: the listener allowed by its exact path");
	ward_host_facts_pin(f, s);
	ok(s->mounts[0].src_pin == WARD_SRC_PINNED && stat("/etc", &st) == 0 &&
	       s->mounts[0].src_dev == st.st_dev && s->mounts[0].src_ino == st.st_ino,
	   "pin: a bind source's identity is recorded for the init");
	ok(s->mounts[7].src_pin == WARD_SRC_ABSENT && s->mounts[10].src_pin == WARD_SRC_UNPINNED,
	   "pin: a missing source is pinned absent; a tmpfs not at all");
	ward_host_facts_free(f);
	ward_spec_free(s);
}

/* A child in new namespaces (flags), with maps written by us when it has a new
 * user namespace; it waits until killed. */
static pid_t ns_child(int flags, const char *map)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (unshare(flags) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &c, 1) != 1) {
		close(p[0]);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return -1;
	}
	close(p[0]);
	if (map) {
		char path[64];
		struct ward_error *e = NULL;

		snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
		write_file_at(AT_FDCWD, path, map, &e);
		snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
		write_file_at(AT_FDCWD, path, map, &e);
		ward_error_free(e);
	}
	return pid;
}

static void stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static bool gather_ns(const char *type, pid_t pid, struct ward_host_facts **f)
{
	char *j =
	    xasprintf("{'ociVersion':'1.2.0','root':{'path':'r'},'process':{'args':['sh'],'cwd':'/'},"
		      "'linux':{'namespaces':[{'type':'mount'},{'type':'%s','path':'/proc/%d/ns/%s'}]}}",
		      type, (int)pid, strcmp(type, "network") == 0 ? "net" : type);
	struct ward_spec *s = spec_of(j);
	struct ward_error *e = NULL;
	bool r = s && ward_host_facts_gather(s, "/", NULL, NULL, f, &e) == 0;

	ward_spec_free(s);
	free(j);
	ward_error_free(e);
	return r;
}

static void test_gather_ns(void)
{
	struct ward_host_facts *f = NULL;
	pid_t pid;

	if (geteuid() != 0) {
		ok(1, "# SKIP namespaces of other processes need root");
		return;
	}
	pid = ns_child(CLONE_NEWNET, NULL);
	ok(pid > 0 && gather_ns("network", pid, &f) && f->ns[WARD_NS_NET].checked &&
	       !f->ns[WARD_NS_NET].host_ns,
	   "gather: a network namespace of its own is not the host's");
	ward_host_facts_free(f);
	f = NULL;
	stop(pid);
	pid = ns_child(0, NULL);
	ok(pid > 0 && gather_ns("network", pid, &f) && f->ns[WARD_NS_NET].host_ns,
	   "gather: another host process's network namespace is the host's");
	ward_host_facts_free(f);
	f = NULL;
	stop(pid);
	pid = ns_child(CLONE_NEWUSER, "0 100000 65536\n");
	ok(pid > 0 && gather_ns("user", pid, &f) && !f->ns[WARD_NS_USER].host_ns &&
	       !f->ns[WARD_NS_USER].maps_host_root,
	   "gather: a joined user namespace mapping 0 to 100000 leaves host 0 out");
	ward_host_facts_free(f);
	f = NULL;
	stop(pid);
	pid = ns_child(CLONE_NEWUSER, "0 0 65536\n");
	ok(pid > 0 && gather_ns("user", pid, &f) && f->ns[WARD_NS_USER].maps_host_root,
	   "gather: a joined user namespace mapping 0 to 0 holds host root");
	ward_host_facts_free(f);
	f = NULL;
	stop(pid);
	{ /* a fifo named as a namespace: not opened for reading (that would block) */
		_cleanup_free_ char *fifo = tpath("nsfifo");
		char *j =
		    xasprintf("{'ociVersion':'1.2.0','root':{'path':'r'},'process':{'args':['sh'],'cwd':'/'},"
			      "'linux':{'namespaces':[{'type':'mount'},{'type':'user','path':'%s'}]}}",
			      fifo);
		struct ward_spec *s;

		mkfifo(fifo, 0600);
		s = spec_of(j);
		ok(s && ward_host_facts_gather(s, "/", NULL, NULL, &f, NULL) == 0 &&
		       f->ns[WARD_NS_USER].checked && f->ns[WARD_NS_USER].type == S_IFIFO &&
		       f->ns[WARD_NS_USER].fs_magic != 0x6e736673 && f->ns[WARD_NS_USER].maps_host_root,
		   "gather: a fifo as a namespace path does not block, and is no namespace");
		ward_host_facts_free(f);
		f = NULL;
		ward_spec_free(s);
		free(j);
	}
	pid = ns_child(CLONE_NEWUSER, NULL);
	ok(pid > 0 && gather_ns("user", pid, &f) && f->ns[WARD_NS_USER].maps_host_root,
	   "gather: a joined user namespace without maps cannot be shown to leave host 0 out");
	ward_host_facts_free(f);
	stop(pid);
}

/* In a private mount namespace: a bind mount of /etc/default (a subtree of
 * /etc) at T/alias is under /etc by its location in the filesystem. */
static void test_gather_alias(void)
{
	_cleanup_free_ char *alias = tpath("alias");
	int status = -1;
	pid_t pid;

	if (geteuid() != 0) {
		ok(1, "# SKIP bind mounts need root");
		return;
	}
	mkdir(alias, 0755);
	pid = fork();
	if (pid == 0) {
		struct ward_host_facts *f = NULL;
		struct ward_spec *s;

		int r;

		if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("/etc/default", alias, "none", MS_BIND, NULL) < 0)
			_exit(2);
		s = spec_of("{'ociVersion':'1.2.0','root':{'path':'r'},'process':{'args':['sh'],'cwd':'/'},"
			    "'mounts':[{'destination':'/a','type':'bind','source':'@/alias'}]}");
		if (!s || ward_host_facts_gather(s, "/", NULL, NULL, &f, NULL) < 0)
			_exit(3);
		r = f->mounts[0].rel == WARD_TREE_UNDER && strcmp(f->mounts[0].tree, "/etc") == 0 ? 0 : 1;
		if (r)
			printf("#   alias: checked %d rel %d tree %s canon %s\n", f->mounts[0].checked,
			       f->mounts[0].rel, f->mounts[0].tree ? f->mounts[0].tree : "-",
			       f->mounts[0].canon ? f->mounts[0].canon : "-");
		fflush(stdout);
		ward_host_facts_free(f);
		ward_spec_free(s);
		free(alias);
		_exit(r);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "gather: a bind-mount alias of /etc/default is under /etc (status %d)", status);
	rmdir(alias);
}

int main(void)
{
	test_parse();
	test_strings();
	if (!mkdtemp(T)) {
		ok(0, "mkdtemp");
		return tap_done();
	}
	test_gather_paths();
	test_gather_ns();
	test_gather_alias();
	{
		char *cmd = xasprintf("rm -rf '%s'", T);

		if (system(cmd) != 0)
			printf("#   could not remove %s\n", T);
		free(cmd);
	}
	return tap_done();
}
