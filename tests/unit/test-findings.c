/* SPDX-License-Identifier: Apache-2.0 */
/* Security findings (findings.c), the exposure score and `ward audit` reports
 * (audit.c), and `ward check` (check.c). JSON is written with ' for " to keep
 * it readable; collect_sq() swaps them. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "caps.h"
#include "findings.h"
#include "hostobj.h"
#include "spec.h"
#include "tap.h"
#include "util.h"
#include "ward.h"

static struct ward_finding *fs;
static size_t nfs;
static size_t checked_restricted, wrong_restricted, misordered;

/* The restricted level of security.md §2: which ids violate it. W102 to W104
 * do unless the capabilities are only NET_BIND_SERVICE. */
static bool restricted_id(const char *id)
{
	static const char *const r[] = {"W101", "W102", "W103", "W104", "W105", "W106", "W107", "W108",
					"W110", "W111", "W112", "W113", "W114", "W115", "W117", "W120",
					"W121", "W122", "W130", "W131", "W132", "W133", "W140", "W141",
					"W142", "W143", "W144", "W150", "W151", "W180", "W181", "W190",
					"W191"};

	for (size_t i = 0; i < ARRAY_SIZE(r); i++)
		if (strcmp(r[i], id) == 0)
			return true;
	return false;
}

/* The capabilities a W102-W104 message names (before its ':') are NET_BIND_SERVICE alone. */
static bool nbs_only(const struct ward_finding *f)
{
	const char *colon = strchr(f->message, ':'), *p = f->message;
	size_t caps = 0;

	while ((p = strstr(p, "CAP_")) && (!colon || p < colon)) {
		if (strncmp(p, "CAP_NET_BIND_SERVICE", 20) != 0)
			return false;
		caps++;
		p += 4;
	}
	return caps > 0;
}

/* Every collection is checked for the restricted flags and the ordering. */
static void audit_collection(void)
{
	for (size_t i = 0; i < nfs; i++) {
		bool want = restricted_id(fs[i].id) && !(strncmp(fs[i].id, "W10", 3) == 0 &&
							 strchr("234", fs[i].id[3]) && nbs_only(&fs[i]));

		checked_restricted++;
		if (fs[i].restricted != want) {
			wrong_restricted++;
			printf("#   %s %s: restricted=%d\n", fs[i].id, fs[i].path, fs[i].restricted);
		}
		if (i && fs[i].severity > fs[i - 1].severity)
			misordered++;
	}
}

static void reset(void)
{
	ward_findings_free(fs, nfs);
	fs = NULL;
	nfs = 0;
}

static int collect_json(const char *json, int level)
{
	struct ward_spec *s = NULL;
	struct ward_error *e = NULL;
	int r;

	reset();
	if (ward_spec_parse(json, strlen(json), "config.json", &s, &e) < 0) {
		printf("#   parse: %s\n", e->msg);
		ward_error_free(e);
		return -1;
	}
	r = ward_findings_collect(s, level, &fs, &nfs);
	ward_spec_free(s);
	audit_collection();
	return r;
}

static int collect_sq(const char *sq, int level)
{
	char *j = xstrdup(sq);
	int r;

	for (char *p = j; *p; p++)
		if (*p == '\'')
			*p = '"';
	r = collect_json(j, level);
	free(j);
	return r;
}

/* The smallest valid config plus extra members, under baseline. */
static int with(const char *extra)
{
	char *j = xasprintf("{'ociVersion':'1.2.0','root':{'path':'rootfs'}%s%s}", *extra ? "," : "", extra);
	int r = collect_sq(j, WARD_FINDINGS_BASELINE);

	free(j);
	return r;
}

static const struct ward_finding *find(const char *id, const char *path)
{
	for (size_t i = 0; i < nfs; i++)
		if (strcmp(fs[i].id, id) == 0 && (!path || strcmp(fs[i].path, path) == 0))
			return &fs[i];
	return NULL;
}

static size_t count(const char *id)
{
	size_t n = 0;

	for (size_t i = 0; i < nfs; i++)
		n += strcmp(fs[i].id, id) == 0;
	return n;
}

#define P(x) "'process':{'cwd':'/','args':['sh']" x "}"
#define L(x) "'linux':{" x "}"
#define HAS(extra, id, path)                                                                                 \
	do {                                                                                                 \
		with(extra);                                                                                 \
		ok(find(id, path), "%s at %s", id, path);                                                    \
	} while (0)

static void test_generated(void)
{
	char *j = ward_spec_generate(false, 0, 0);
	size_t unexpected = 0;

	ok(collect_json(j, WARD_FINDINGS_BASELINE) == 0, "ward spec config: collected");
	for (size_t i = 0; i < nfs; i++)
		if (strcmp(fs[i].id, "W116") != 0) {
			unexpected++;
			printf("#   unexpected %s %s\n", fs[i].id, fs[i].path);
		}
	is_int(unexpected, 0, "ward spec config: no finding but W116 (no user namespace)");
	ok(find("W116", "linux.namespaces"), "ward spec config: W116 for its missing user namespace");
	ok(ward_findings_score(fs, nfs) <= 1.0, "ward spec config scores <= 1.0 (%.1f)",
	   ward_findings_score(fs, nfs));
	free(j);

	j = ward_spec_generate(true, 1000, 1000);
	collect_json(j, WARD_FINDINGS_BASELINE);
	ok(!find("W116", NULL) && !find("W101", NULL),
	   "rootless ward spec: uid 0 in a user namespace is fine");
	ok(nfs == 1 && find("W130", "mounts[5].source") && fs[0].severity == WARD_SEV_LOW,
	   "rootless ward spec: only its read-only /sys bind, low in a user namespace");
	free(j);
}

static void test_process(void)
{
	const struct ward_finding *f;

	HAS(P(",'user':{'uid':0,'gid':0}"), "W101", "process.user.uid");
	HAS(P(""), "W101", "process.user.uid"); /* absent user: uid 0 */
	with(P(",'user':{'uid':1000,'gid':0}"));
	ok(!find("W101", NULL), "W101: not for uid 1000");

	with(P(",'capabilities':{'bounding':['CAP_CHOWN','CAP_SYS_ADMIN','CAP_SYS_ADMIN'],"
	       "'effective':['CAP_SYS_ADMIN'],'permitted':['CAP_NET_BIND_SERVICE']}"));
	f = find("W102", "process.capabilities.bounding[1]");
	ok(f && f->severity == WARD_SEV_CRITICAL, "W102: CAP_SYS_ADMIN critical at bounding[1]");
	is_str(f ? f->fix : NULL, "remove \"CAP_SYS_ADMIN\" from process.capabilities.bounding and effective",
	       "W102: the fix names the sets");
	ok(f && f->weight == 2.5, "W102: a capability's points are shared by the sets listing it");
	f = find("W102", "process.capabilities.bounding[0]");
	ok(f && f->severity == WARD_SEV_MEDIUM && f->restricted, "W102: CAP_CHOWN medium, restricted");
	f = find("W102", "process.capabilities.permitted[0]");
	ok(f && f->severity == WARD_SEV_INFO && !f->restricted, "W102: NET_BIND_SERVICE info, allowed");
	is_int(count("W102"), 4, "W102: a duplicate is reported once");

	with(P(",'capabilities':{'inheritable':['CAP_CHOWN'],'ambient':['CAP_NET_BIND_SERVICE']}"));
	f = find("W103", "process.capabilities.inheritable");
	ok(f && f->severity == WARD_SEV_HIGH && f->restricted, "W103: inheritable, high, restricted");
	f = find("W104", "process.capabilities.ambient");
	ok(f && !f->restricted, "W104: ambient NET_BIND_SERVICE alone is allowed by restricted");

	HAS(P(",'noNewPrivileges':false"), "W106", "process.noNewPrivileges");
	with(P(""));
	ok(!find("W106", NULL), "W106: absent under baseline: ward sets it");
	collect_sq("{'ociVersion':'1.2.0','root':{'path':'r'}," P("") "}", WARD_FINDINGS_OCI);
	ok(find("W106", "process.noNewPrivileges"), "W106: absent under oci is a finding");

	HAS(P(""), "W170", "process.rlimits");
	with(P(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':1}]"));
	ok(!find("W170", NULL), "W170: not with RLIMIT_NOFILE");
	HAS("", "W160", "root.readonly");
}

/* A capabilities object with every capability up to last in bounding,
 * effective and permitted. */
static char *all_caps(int last)
{
	char *list = xstrdup(""), *r;

	for (int c = 0; c <= last; c++) {
		char *t = xasprintf("%s%s'%s'", list, c ? "," : "", ward_cap_name(c));

		free(list);
		list = t;
	}
	r = xasprintf("'capabilities':{'bounding':[%s],'effective':[%s],'permitted':[%s]}", list, list, list);
	free(list);
	return r;
}

static void test_privileged(void)
{
	char *caps = all_caps(37), *j = xasprintf(P(",%s"), caps);
	char *u = xasprintf("%s," L("'namespaces':[{'type':'user'},{'type':'mount'}],"
				    "'uidMappings':[{'containerID':0,'hostID':1000,'size':1}],"
				    "'gidMappings':[{'containerID':0,'hostID':1000,'size':1}]"),
			    j);
	const struct ward_finding *f;

	with(j);
	f = find("W105", "process.capabilities");
	ok(f && f->severity == WARD_SEV_CRITICAL && f->escape,
	   "W105: all capabilities without userns: escape");
	is_int(count("W102"), 0, "W105: sums up the capabilities (no W102 each)");
	with(u);
	f = find("W105", NULL);
	ok(f && !f->escape, "W105: in a user namespace it is no escape");
	free(u);
	free(j);
	free(caps);
}

static void test_seccomp(void)
{
	const struct ward_finding *f;

	HAS(L("'seccomp':null"), "W107", "linux.seccomp");
	with(L(""));
	ok(!find("W107", NULL), "W107: absent under baseline: ward's profile");
	collect_sq("{'ociVersion':'1.2.0','root':{'path':'r'}," L("") "}", WARD_FINDINGS_OCI);
	ok(find("W107", "linux.seccomp"), "W107: absent under oci is a finding");
	with(L("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['mount'],"
	       "'action':'SCMP_ACT_ERRNO'}]}"));
	f = find("W108", "linux.seccomp.defaultAction");
	ok(f && f->severity == WARD_SEV_MEDIUM, "W108: default allow with rules: medium");
	with(L("'seccomp':{'defaultAction':'SCMP_ACT_LOG'}"));
	f = find("W108", "linux.seccomp.defaultAction");
	ok(f && f->severity == WARD_SEV_HIGH, "W108: default log, no rules: high");
	with(L("'seccomp':{'defaultAction':'SCMP_ACT_ERRNO'}"));
	ok(!find("W107", NULL) && !find("W108", NULL), "W107/W108: not for a default of ERRNO");
}

static void test_namespaces(void)
{
	static const char *const ids[] = {"W110", "W111", "W112", "W113", "W115"};
	const struct ward_finding *f;
	size_t missing = 0;

	with(L("'namespaces':[{'type':'mount'}]"));
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		missing += find(ids[i], "linux.namespaces") != NULL;
	is_int(missing, ARRAY_SIZE(ids), "W110-W113, W115: each missing namespace at linux.namespaces");
	ok(!find("W114", NULL), "W114: not with a mount namespace");
	HAS("", "W114", "linux.namespaces");
	with(L("'namespaces':[{'type':'mount'},{'type':'network','path':'/proc/1/ns/net'},"
	       "{'type':'pid','path':'/proc/self//ns/pid'},{'type':'ipc','path':'/run/ipc/x'}]"));
	ok(find("W111", "linux.namespaces[1].path"), "W111: joining /proc/1/ns/net is the host's");
	ok(find("W110", "linux.namespaces[2].path"), "W110: /proc/self//ns/pid is the host's");
	f = find("W112", "linux.namespaces[3].path");
	ok(f && f->restricted && f->severity == WARD_SEV_LOW && strstr(f->message, "may be the host's"),
	   "W112: another path, unchecked, may be the host's: low, but restricted refuses it");
	HAS("", "W116", "linux.namespaces");
	with(L("'namespaces':[{'type':'user','path':'/proc/1/ns/user'}]"));
	f = find("W116", "linux.namespaces[0].path");
	ok(f && find("W101", NULL), "W116: the host's user namespace joined; uid 0 is root (W101)");
}

static void test_devices_mounts(void)
{
	const struct ward_finding *f;

	HAS(L("'resources':{'devices':[{'allow':false,'access':'rwm'},{'allow':true,'access':'rwm'}]}"),
	    "W120", "linux.resources.devices[1]");
	HAS(L("'resources':{'devices':[{'allow':true,'type':'a','major':1}]}"), "W120",
	    "linux.resources.devices[0]");
	with(L("'resources':{'devices':[{'allow':true,'access':'rwm'},{'allow':false,'access':'rwm'},"
	       "{'allow':true,'type':'c','major':1,'minor':3,'access':'rwm'}]}"));
	ok(!find("W120", NULL), "W120: not when a later rule denies all");
	HAS(L("'devices':[{'path':'/dev/null','type':'c','major':1,'minor':3},"
	      "{'path':'/dev/sda','type':'b','major':8,'minor':0}]"),
	    "W121", "linux.devices[1]");
	is_int(count("W121"), 1, "W121: /dev/null is no finding");

	with("'mounts':[{'destination':'/h','type':'bind','source':'/proc/../etc/'},"
	     "{'destination':'/r','source':'/etc/resolv.conf','options':['rbind','ro']},"
	     "{'destination':'/k','source':'/sys/kernel','options':['bind','ro']},"
	     "{'destination':'/d','type':'bind','source':'/var//run/docker.sock'},"
	     "{'destination':'/c','type':'bind','source':'/run/containerd/containerd.sock'},"
	     "{'destination':'/w','type':'bind','source':'/run/ward'},"
	     "{'destination':'/x','type':'bind','source':'/srv/data','options':['rshared']},"
	     "{'destination':'/sys','type':'sysfs','source':'sysfs','options':['nosuid']},"
	     "{'destination':'/sys/fs/cgroup','type':'cgroup2','source':'cgroup','options':['ro']}]");
	f = find("W130", "mounts[0].source");
	ok(f && f->severity == WARD_SEV_HIGH, "W130: /proc/../etc/ is /etc, read-write: high");
	f = find("W130", "mounts[1].source");
	ok(f && f->severity == WARD_SEV_MEDIUM && strstr(f->message, "is in the host's /etc"),
	   "W130: /etc/resolv.conf is in /etc: a subtree counts");
	ok(!find("W130", "mounts[6].source"), "W130: /srv/data is fine");
	f = find("W130", "mounts[2].source");
	ok(f && f->severity == WARD_SEV_MEDIUM, "W130: /sys/kernel read-only: medium");
	ok(find("W131", "mounts[3].source") && find("W131", "mounts[4].source") &&
	       find("W131", "mounts[5].source"),
	   "W131: docker.sock (via /var//run), containerd.sock, ward's state root");
	ok(find("W131", NULL)->escape, "W131: an engine socket is an escape");
	ok(find("W151", "mounts[6].options[0]") && find("W151", "mounts[6].options[0]")->restricted,
	   "W151: rshared bind at its option, refused by restricted");
	ok(find("W143", "mounts[7].options") && !find("W143", "mounts[8].options"),
	   "W143: sysfs without ro; not the read-only cgroup2");

	HAS(L("'maskedPaths':[]"), "W140", "linux.maskedPaths");
	with(L(""));
	ok(!find("W140", NULL) && !find("W141", NULL), "W140/W141: absent under baseline: ward's lists");
	collect_sq("{'ociVersion':'1.2.0','root':{'path':'r'}}", WARD_FINDINGS_OCI);
	ok(find("W140", "linux.maskedPaths") && find("W141", "linux.readonlyPaths"),
	   "W140/W141: absent under oci are findings");
	HAS(L("'readonlyPaths':[]"), "W141", "linux.readonlyPaths");
	HAS(L("'readonlyPaths':['/proc/bus']"), "W142", "linux.readonlyPaths");
	with(L("'readonlyPaths':['/proc/sys/']"));
	ok(!find("W142", NULL), "W142: not with /proc/sys/");
	HAS(L("'rootfsPropagation':'rshared'"), "W150", "linux.rootfsPropagation");
}

static void test_sysctl_names(void)
{
	const struct ward_finding *f;

	with(
	    L("'namespaces':[{'type':'network'},{'type':'ipc'}],'sysctl':{'net.//.kernel.core_pattern':'|/x',"
	      "'fs.mqueue.//.//.vm.stat_interval':'7','net.ipv4.conf.eth0/1.forwarding':'1'}"));
	f = find("W180", "linux.sysctl.net.//.kernel.core_pattern");
	ok(f && f->severity == WARD_SEV_CRITICAL && f->restricted && f->escape,
	   "W180: net.//.kernel.core_pattern (net/../kernel/core_pattern): critical, restricted, an escape");
	like(f ? f->message : NULL, "\"..\" component", "W180: the message says why");
	like(f ? f->fix : NULL, "remove linux.sysctl.net.//.kernel.core_pattern", "W180: the fix");
	ok(find("W180", "linux.sysctl.fs.mqueue.//.//.vm.stat_interval"),
	   "W180: fs.mqueue.//.//. walks out too");
	is_int(count("W180"), 2, "W180: not for net.ipv4.conf.eth0/1.forwarding");
	ok(ward_findings_score(fs, nfs) == 10.0, "W180: the score is 10.0");
	with(L("'namespaces':[{'type':'network'}],'sysctl':{'net.ipv4.ip_forward':'1'}"));
	ok(!find("W180", NULL), "W180: not for net.ipv4.ip_forward");
}

/* ---- the judge with facts (what hostobj.c would find on a host) ---- */

static struct ward_host_policy test_hp = {.level = -1};

typedef void (*facts_fn)(const struct ward_spec *s, struct ward_host_facts *f);

static struct ward_host_facts *facts_new(const struct ward_spec *s)
{
	struct ward_host_facts *f = xmalloc0(sizeof *f);

	f->policy = &test_hp;
	f->n_mounts = s->n_mounts;
	f->mounts = xmalloc0((s->n_mounts + 1) * sizeof *f->mounts);
	f->n_devices = s->linux_.n_devices;
	f->devices = xmalloc0((f->n_devices + 1) * sizeof *f->devices);
	for (int k = 0; k < WARD_HOOK_KINDS; k++) {
		f->n_hooks[k] = s->n_hooks[k];
		f->hooks[k] = xmalloc0((s->n_hooks[k] + 1) * sizeof *f->hooks[k]);
	}
	return f;
}

static void obj_set(struct ward_hostobj *o, mode_t type, const char *canon, int rel, const char *tree)
{
	o->named = o->checked = true;
	o->type = type;
	o->value = xstrdup(canon);
	o->canon = xstrdup(canon);
	o->rel = rel;
	o->tree = tree ? xstrdup(tree) : NULL;
	o->nlink = 1;
}

/* with(extra), judged with the facts fn fills in. */
static int with_facts(const char *extra, facts_fn fn)
{
	char *j = xasprintf("{'ociVersion':'1.2.0','root':{'path':'rootfs'}%s%s}", *extra ? "," : "", extra);
	struct ward_spec *s = NULL;
	struct ward_error *e = NULL;
	struct ward_host_facts *f;
	int r;

	for (char *p = j; *p; p++)
		if (*p == '\'')
			*p = '"';
	reset();
	r = ward_spec_parse(j, strlen(j), "config.json", &s, &e);
	free(j);
	if (r < 0) {
		printf("#   parse: %s\n", e->msg);
		ward_error_free(e);
		return -1;
	}
	f = facts_new(s);
	if (fn)
		fn(s, f);
	r = ward_findings_collect_facts(s, WARD_FINDINGS_BASELINE, f, &fs, &nfs);
	ward_host_facts_free(f);
	ward_spec_free(s);
	audit_collection();
	return r;
}

static void f_bind_alias(const struct ward_spec *s, struct ward_host_facts *f)
{
	(void)s;
	obj_set(&f->mounts[0], S_IFDIR, "/etc", WARD_TREE_IS, "/etc");		     /* /tmp/link -> /etc */
	obj_set(&f->mounts[1], S_IFSOCK, "/tmp/x/agent.sock", WARD_TREE_NONE, NULL); /* any socket */
	obj_set(&f->mounts[2], S_IFBLK, "/dev/sda", WARD_TREE_UNDER, "/dev");
	obj_set(&f->mounts[3], S_IFDIR, "/srv/etc", WARD_TREE_NONE, NULL); /* named like /etc, is not */
	obj_set(&f->mounts[4], S_IFREG, "/tmp/shadow", WARD_TREE_NONE, NULL);
	f->mounts[4].nlink = 2; /* a hard link of a file elsewhere */
	obj_set(&f->mounts[5], S_IFIFO, "/tmp/fifo", WARD_TREE_NONE, NULL);
	f->mounts[6].named = true; /* /etc/cron.d: not found here, judged by its string */
	f->mounts[6].err = ENOENT;
}

static void test_facts_mounts(void)
{
	const struct ward_finding *f;

	with_facts("'mounts':[{'destination':'/a','type':'bind','source':'/tmp/link','options':['ro']},"
		   "{'destination':'/b','type':'bind','source':'/tmp/x/agent.sock'},"
		   "{'destination':'/c','type':'bind','source':'/tmp/disk'},"
		   "{'destination':'/d','type':'bind','source':'/etc-like'},"
		   "{'destination':'/e','type':'bind','source':'/tmp/shadow','options':['ro']},"
		   "{'destination':'/f','type':'bind','source':'/tmp/fifo'},"
		   "{'destination':'/g','type':'bind','source':'/etc/cron.d','options':['ro']}]",
		   f_bind_alias);
	f = find("W130", "mounts[0].source");
	ok(f && f->restricted && strstr(f->message, "which is the host's /etc (checked on this host)"),
	   "facts: a symlink to /etc is /etc");
	f = find("W131", "mounts[1].source");
	ok(f && f->restricted && f->severity == WARD_SEV_CRITICAL && !f->escape,
	   "facts: any unix socket is refused (an engine's is an escape)");
	f = find("W132", "mounts[2].source");
	ok(f && f->restricted && f->escape, "facts: a block device bound is refused, an escape");
	ok(!find("W130", "mounts[3].source"), "facts: the opened object decides, not the string");
	f = find("W130", "mounts[4].source");
	ok(f && f->restricted && strstr(f->message, "2 hard links"),
	   "facts: a file with other names is refused");
	ok(find("W132", "mounts[5].source") != NULL, "facts: a fifo bound is refused");
	f = find("W130", "mounts[6].source");
	ok(f && strstr(f->message, "is in the host's /etc") && !strstr(f->message, "checked"),
	   "facts: an object not found here is judged by its string, as a subtree");
	ok(ward_findings_score(fs, nfs) == 10.0, "facts: a host disk bound scores 10");

	with_facts(
	    "'mounts':[{'destination':'/m','type':'ext4','source':'/dev/vda'},"
	    "{'destination':'/o','type':'overlay','source':'overlay','options':['lowerdir=/etc']},"
	    "{'destination':'/t','type':'tmpfs','source':'tmpfs'},{'destination':'/q','type':'mqueue'},"
	    "{'destination':'/p','type':'proc'},{'destination':'/s','type':'sysfs','options':['ro']},"
	    "{'destination':'/n'}]",
	    NULL);
	f = find("W144", "mounts[0].type");
	ok(f && f->restricted && f->escape, "W144: ext4 from /dev/vda: refused, an escape");
	f = find("W144", "mounts[1].type");
	ok(f && f->restricted && !f->escape, "W144: overlay: refused");
	ok(find("W144", "mounts[6]") != NULL, "W144: no type and no bind: refused");
	is_int(count("W144"), 3, "W144: tmpfs, mqueue, proc and read-only sysfs are allowed");
	ok(ward_findings_score(fs, nfs) == 10.0, "W144: a host disk mounted scores 10");
}

static void f_ns(const struct ward_spec *s, struct ward_host_facts *f)
{
	(void)s;
	obj_set(&f->ns[WARD_NS_NET], S_IFREG, "net:[4026531833]", 0, NULL);
	f->ns[WARD_NS_NET].host_ns = true; /* /proc/2/task/2/ns/net: the runtime's own */
	obj_set(&f->ns[WARD_NS_IPC], S_IFREG, "ipc:[4026532001]", 0, NULL);
	obj_set(&f->ns[WARD_NS_UTS], S_IFIFO, "/tmp/fifo", 0, NULL); /* not a namespace at all */
	f->ns[WARD_NS_NET].fs_magic = f->ns[WARD_NS_IPC].fs_magic = 0x6e736673;
}

static void f_userns(const struct ward_spec *s, struct ward_host_facts *f)
{
	(void)s;
	obj_set(&f->ns[WARD_NS_USER], S_IFREG, "user:[4026532002]", 0, NULL);
	f->ns[WARD_NS_USER].fs_magic = 0x6e736673;
	f->ns[WARD_NS_USER].maps_host_root = true;
}

static void test_facts_namespaces(void)
{
	const struct ward_finding *f;

	with_facts(L("'namespaces':[{'type':'mount'},{'type':'network','path':'/proc/2/task/2/ns/net'},"
		     "{'type':'ipc','path':'/run/ipc/x'},{'type':'uts','path':'/tmp/fifo'}]"),
		   f_ns);
	f = find("W111", "linux.namespaces[1].path");
	ok(f && f->severity == WARD_SEV_HIGH && strstr(f->message, "checked on this host"),
	   "facts: a netns that is the runtime's own, by any path, is the host's");
	ok(!find("W112", NULL), "facts: a namespace that is not the host's is fine");
	f = find("W113", "linux.namespaces[3].path");
	ok(f && f->restricted && strstr(f->message, "is not a namespace"),
	   "facts: a path that is no namespace");

	with_facts(
	    P(",'user':{'uid':0,'gid':0}") "," L("'namespaces':[{'type':'mount'},{'type':'user'}],"
						 "'uidMappings':[{'containerID':0,'hostID':0,'size':65536}],"
						 "'gidMappings':[{'containerID':0,'hostID':100000,'size':1},"
						 "{'containerID':1,'hostID':0,'size':1}]"),
	    NULL);
	ok(find("W117", "linux.uidMappings[0]") && find("W117", "linux.gidMappings[1]") &&
	       !find("W117", "linux.gidMappings[0]"),
	   "W117: each mapping with host id 0, by index");
	ok(find("W101", "process.user.uid") && !find("W116", NULL),
	   "W117: uid 0 there is root on the host (W101), but a user namespace exists (no W116)");
	with_facts(P(",'user':{'uid':0,'gid':0}") "," L(
		       "'namespaces':[{'type':'mount'},{'type':'user'}],"
		       "'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
		       "'gidMappings':[{'containerID':0,'hostID':100000,'size':65536}]"),
		   NULL);
	ok(!find("W117", NULL) && !find("W101", NULL) && !find("W116", NULL), "W117: 0 -> 100000 is fine");
	with_facts(P(",'user':{'uid':0,'gid':0}") "," L("'namespaces':[{'type':'mount'},"
							"{'type':'user','path':'/proc/42/ns/user'}]"),
		   f_userns);
	ok(find("W117", "linux.namespaces[1].path") && find("W101", NULL),
	   "facts: a joined user namespace whose maps hold host 0");
	with_facts(P(",'user':{'uid':0,'gid':0}") "," L("'namespaces':[{'type':'mount'},"
							"{'type':'user','path':'/proc/42/ns/user'}]"),
		   NULL);
	f = find("W117", "linux.namespaces[1].path");
	ok(f && f->restricted && strstr(f->message, "cannot be checked here"),
	   "W117: a joined user namespace not found here: restricted refuses it");
}

static void f_devices(const struct ward_spec *s, struct ward_host_facts *f)
{
	(void)s;
	obj_set(&f->devices[0], S_IFBLK, "/dev/sda", WARD_TREE_UNDER, "/dev");
	f->devices[0].rdev = makedev(8, 0); /* the host's node at /dev/fuse-ish path, not the config's */
}

static void test_facts_devices(void)
{
	static struct ward_allow_dev allowed[] = {{'b', 7, -1}, {'c', 10, 200}};
	const struct ward_finding *f;

	with_facts(L("'devices':[{'path':'/dev/null','type':'c','major':1,'minor':3},"
		     "{'path':'/dev/loop0','type':'b','major':7,'minor':0},"
		     "{'path':'/dev/net/tun','type':'c','major':10,'minor':200},"
		     "{'path':'/dev/mem','type':'c','major':1,'minor':1},{'path':'/dev/p','type':'p'}]"),
		   NULL);
	ok(!find("W121", "linux.devices[0]") && !find("W121", "linux.devices[4]"),
	   "W121: ward's default devices and fifos are allowed");
	f = find("W121", "linux.devices[1]");
	ok(f && f->restricted && f->escape && f->severity == WARD_SEV_CRITICAL,
	   "W121: a block device: an escape");
	f = find("W121", "linux.devices[2]");
	ok(f && f->restricted && !f->escape && strstr(f->fix, "allow-device = c 10:200"),
	   "W121: a char device outside the allowlist, the fix names the host policy key");
	ok(find("W121", "linux.devices[3]")->escape, "W121: /dev/mem: an escape");
	test_hp.devices = allowed;
	test_hp.n_devices = ARRAY_SIZE(allowed);
	with_facts(
	    L("'devices':[{'path':'/dev/loop0','type':'b','major':7,'minor':0},"
	      "{'path':'/dev/net/tun','type':'c','major':10,'minor':200}],"
	      "'resources':{'devices':[{'allow':false,'access':'rwm'},"
	      "{'allow':true,'type':'b','major':7,'minor':0,'access':'rw'},"
	      "{'allow':true,'type':'b','major':8,'access':'rw'},"
	      "{'allow':true,'type':'c','access':'m'},{'allow':true,'type':'c','major':4,'minor':1}]}"),
	    NULL);
	ok(!find("W121", NULL), "W121: allow-device b 7:* and c 10:200 allow them");
	ok(!find("W122", "linux.resources.devices[1]") && !find("W122", "linux.resources.devices[3]"),
	   "W122: an allowed device, and mknod-only rules, are fine");
	ok(find("W122", "linux.resources.devices[2]") && find("W122", "linux.resources.devices[4]"),
	   "W122: a rule beyond the allowlist (b 8:*, c 4:1 rwm)");
	with_facts(L("'namespaces':[{'type':'mount'},{'type':'user'}],"
		     "'uidMappings':[{'containerID':0,'hostID':100000,'size':1}],"
		     "'gidMappings':[{'containerID':0,'hostID':100000,'size':1}],"
		     "'devices':[{'path':'/dev/sda','type':'b','major':7,'minor':0}],"
		     "'resources':{'devices':[{'allow':true,'type':'b','major':7,'minor':0,'access':'rw'},"
		     "{'allow':false,'type':'b','access':'rwm'}]}"),
		   f_devices);
	f = find("W121", "linux.devices[0]");
	ok(f && strstr(f->message, "is not the b 7:0"),
	   "W121: in a user namespace the host's node there must be the device listed");
	ok(!find("W122", NULL), "W122: a rule denied again later is fine");
	test_hp.devices = NULL;
	test_hp.n_devices = 0;
}

static void f_hooks(const struct ward_spec *s, struct ward_host_facts *f)
{
	(void)s;
	obj_set(&f->hooks[WARD_HOOK_PRESTART][0], S_IFREG, "/usr/bin/dockerd", 0, NULL);
	f->hooks[WARD_HOOK_PRESTART][0].allowed = true;
	obj_set(&f->hooks[WARD_HOOK_POSTSTOP][0], S_IFREG, "/usr/bin/dash", 0, NULL);
	obj_set(&f->listener, S_IFSOCK, "/run/agent.sock", 0, NULL);
	f->listener.allowed = true;
	obj_set(&f->root, S_IFDIR, "/var", WARD_TREE_CONTAINS, "/var/lib");
}

static void test_facts_host_code(void)
{
	static char *sysctls[] = {(char *)"net.core.somaxconn", NULL};
	const struct ward_finding *f;
	static const char hooks[] =
	    "'hooks':{'prestart':[{'path':'/proc/1234/exe'}],"
	    "'createContainer':[{'path':'/bin/sh','args':['sh','-c','touch /pwned']}],"
	    "'startContainer':[{'path':'/bin/true'}],'poststop':[{'path':'/bin/sh'}]},"
	    "'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','listenerPath':'/run/agent.sock',"
	    "'syscalls':[{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]},"
	    "'sysctl':{'net.ipv4.tcp_syncookies':'1','kernel.msgmax':'8192',"
	    "'net.core.somaxconn':'1024'}}";

	with_facts(hooks, NULL);
	f = find("W190", "hooks.createContainer[0].path");
	ok(f && f->restricted && f->escape && f->severity == WARD_SEV_CRITICAL,
	   "W190: a createContainer hook runs on the host: an escape");
	ok(find("W190", "hooks.prestart[0].path") && find("W190", "hooks.poststop[0].path") &&
	       !find("W190", "hooks.startContainer[0].path"),
	   "W190: prestart and poststop too; startContainer runs in the container");
	ok(find("W191", "linux.seccomp.listenerPath") != NULL, "W191: a listener the host does not allow");
	ok(find("W181", "linux.sysctl.kernel.msgmax") &&
	       find("W181", "linux.sysctl.net.core.somaxconn") &&
	       !find("W181", "linux.sysctl.net.ipv4.tcp_syncookies"),
	   "W180: sysctls outside the safe set");
	ok(find("W133", NULL) == NULL, "W133: a relative root.path is the bundle's");
	test_hp.sysctls = sysctls;
	with_facts(hooks, f_hooks);
	ok(!find("W190", "hooks.prestart[0].path") && find("W190", "hooks.poststop[0].path"),
	   "facts: an allow-hook binary is allowed (Docker's /proc/PID/exe), others not");
	ok(!find("W191", NULL), "facts: an allow-listener socket is allowed");
	ok(!find("W181", "linux.sysctl.net.core.somaxconn"), "W181: allow-sysctl allows a name");
	f = find("W133", "root.path");
	ok(f && f->restricted && strstr(f->message, "contains the host's /var/lib (checked on this host)"),
	   "W133: a rootfs that contains a sensitive tree");
	test_hp.sysctls = NULL;
	collect_sq("{'ociVersion':'1.2.0','root':{'path':'/'}}", WARD_FINDINGS_BASELINE);
	ok(find("W133", "root.path") && find("W133", "root.path")->escape,
	   "W133: root.path / writable as root, by its string: an escape");
	with(L("'maskedPaths':['/proc/kcore','/sys']"));
	f = find("W140", "linux.maskedPaths");
	ok(f && f->restricted && f->severity == WARD_SEV_LOW && strstr(f->message, "/proc/keys") &&
	       !strstr(f->message, "/sys/firmware"),
	   "W140: masked paths lacking ward's defaults (a parent masks them too)");
}

static const char docker_caps[] = "'CAP_CHOWN','CAP_DAC_OVERRIDE','CAP_FSETID','CAP_FOWNER','CAP_MKNOD',"
				  "'CAP_NET_RAW','CAP_SETGID','CAP_SETUID','CAP_SETFCAP','CAP_SETPCAP',"
				  "'CAP_NET_BIND_SERVICE','CAP_SYS_CHROOT','CAP_KILL','CAP_AUDIT_WRITE'";

/* Docker's default container: root, its 14 capabilities, its seccomp default
 * of ERRNO, its masked and read-only paths, writable root, no user namespace. */
static char *docker_config(const char *user, const char *caps)
{
	return xasprintf(
	    "{'ociVersion':'1.2.0','root':{'path':'rootfs','readonly':false},"
	    "'process':{'cwd':'/','args':['sh'],'user':%s,"
	    "  'capabilities':{'bounding':[%s],'effective':[%s],'permitted':[%s]}},"
	    "'mounts':[{'destination':'/"
	    "proc','type':'proc','source':'proc','options':['nosuid','noexec','nodev']},"
	    "  {'destination':'/dev','type':'tmpfs','source':'tmpfs','options':['nosuid','strictatime']},"
	    "  "
	    "{'destination':'/"
	    "sys','type':'sysfs','source':'sysfs','options':['nosuid','noexec','nodev','ro']},"
	    "  {'destination':'/sys/fs/cgroup','type':'cgroup','source':'cgroup','options':['ro','nosuid']}],"
	    "'linux':{'namespaces':[{'type':'mount'},{'type':'network'},{'type':'uts'},{'type':'pid'},"
	    "  {'type':'ipc'},{'type':'cgroup'}],"
	    "  'maskedPaths':['/proc/asound','/proc/acpi','/proc/kcore','/proc/keys','/proc/latency_stats',"
	    "    '/proc/timer_list','/proc/timer_stats','/proc/sched_debug','/proc/scsi','/sys/firmware',"
	    "    '/sys/devices/virtual/powercap'],"
	    "  'readonlyPaths':['/proc/bus','/proc/fs','/proc/irq','/proc/sys','/proc/sysrq-trigger'],"
	    "  'resources':{'devices':[{'allow':false,'access':'rwm'}]},"
	    "  'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read','write'],"
	    "    'action':'SCMP_ACT_ALLOW'}]}}}",
	    user, caps, caps, caps);
}

static double score_sq(const char *sq, int level)
{
	return collect_sq(sq, level) == 0 ? ward_findings_score(fs, nfs) : -1;
}

static void test_scores(void)
{
	char *docker = docker_config("{'uid':0,'gid':0}", docker_caps);
	char *dropped = docker_config("{'uid':1000,'gid':1000}", "");
	char *caps = all_caps(40);
	char *priv = xasprintf("{'ociVersion':'1.2.0','root':{'path':'rootfs'},"
			       "'process':{'cwd':'/','args':['sh'],'noNewPrivileges':false,%s},"
			       "'linux':{'namespaces':[{'type':'mount'},{'type':'pid'},{'type':'network'},"
			       "{'type':'ipc'},{'type':'uts'},{'type':'cgroup'}%s],%s"
			       "'seccomp':null,'maskedPaths':[],'readonlyPaths':[]}}",
			       caps, "", "");
	char *priv_userns =
	    xasprintf("{'ociVersion':'1.2.0','root':{'path':'rootfs'},"
		      "'process':{'cwd':'/','args':['sh'],'noNewPrivileges':false,%s},"
		      "'linux':{'namespaces':[{'type':'mount'},{'type':'pid'},{'type':'network'},"
		      "{'type':'ipc'},{'type':'uts'},{'type':'cgroup'}%s],%s"
		      "'seccomp':null,'maskedPaths':[],'readonlyPaths':[]}}",
		      caps, ",{'type':'user'}",
		      "'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
		      "'gidMappings':[{'containerID':0,'hostID':100000,'size':65536}],");
	static const char mixed[] =
	    "{'ociVersion':'1.2.0','root':{'path':'rootfs','readonly':true},"
	    "'process':{'cwd':'/','args':['sh'],'user':{'uid':1000,'gid':1000},'noNewPrivileges':false,"
	    "  'capabilities':{'bounding':['CAP_NET_ADMIN','CAP_NET_RAW'],'effective':['CAP_NET_ADMIN',"
	    "  'CAP_NET_RAW'],'permitted':['CAP_NET_ADMIN','CAP_NET_RAW']},"
	    "  'rlimits':[{'type':'RLIMIT_NOFILE','soft':1024,'hard':1024}]},"
	    "'mounts':[{'destination':'/host/etc','type':'bind','source':'/etc','options':['rbind','ro']}],"
	    "'linux':{'namespaces':[{'type':'mount'},{'type':'pid'},{'type':'ipc'},{'type':'uts'},"
	    "  {'type':'cgroup'}],'rootfsPropagation':'rslave',"
	    "  'seccomp':{'defaultAction':'SCMP_ACT_ERRNO'}}}";
	double d = score_sq(docker, WARD_FINDINGS_BASELINE), dd = score_sq(dropped, WARD_FINDINGS_BASELINE);
	double p, pu, m;

	ok(find("W101", NULL) == NULL && find("W102", NULL) == NULL, "cap-drop ALL, user 1000: no W101/W102");
	ok(d > dd + 1.5, "docker default (%.1f) scores clearly above cap-drop ALL + user 1000 (%.1f)", d, dd);
	p = score_sq(priv, WARD_FINDINGS_BASELINE);
	ok(p >= 8, "privileged-like scores >= 8 (%.1f)", p);
	pu = score_sq(priv_userns, WARD_FINDINGS_BASELINE);
	m = score_sq(mixed, WARD_FINDINGS_BASELINE);
	/* Pinned: a change of weights shows here. */
	ok(d == 2.9, "pinned: docker default scores 2.9 (%.1f)", d);
	ok(dd == 0.6, "pinned: docker --cap-drop ALL --user 1000 scores 0.6 (%.1f)", dd);
	ok(m == 2.1,
	   "pinned: uid 1000, NET_ADMIN+NET_RAW, host network, nnp false, /etc ro scores 2.1 (%.1f)", m);
	ok(pu == 4.6, "pinned: privileged-like in a user namespace scores 4.6 (%.1f)", pu);
	is_str(ward_score_rating(2.9), "medium", "rating of 2.9");
	is_str(ward_score_rating(0.4), "minimal", "rating of 0.4");
	ok(ward_findings_score(NULL, 0) == 0.0, "no findings score 0.0");
	free(docker);
	free(dropped);
	free(caps);
	free(priv);
	free(priv_userns);
}

static char *write_bundle(const char *dir, const char *sq)
{
	char *path = xasprintf("%s/config.json", dir), *j = xstrdup(sq);
	FILE *f;

	for (char *p = j; *p; p++)
		if (*p == '\'')
			*p = '"';
	f = fopen(path, "w");
	if (f) {
		fputs(j, f);
		fclose(f);
	}
	free(j);
	return path;
}

/* A JSON string's text, "" for anything else. */
static const char *jstr(yajl_val v)
{
	return v && YAJL_IS_STRING(v) ? v->u.string : "";
}

static void test_audit(void)
{
	char dir[] = "/tmp/ward-test-findings-XXXXXX", *config, *report = NULL;
	const char *kfind[] = {"findings", NULL}, *kscore[] = {"score", NULL}, *klevel[] = {"level", NULL};
	struct ward_error *e = NULL;
	bool over = true, socket = false;
	yajl_val tree, a;
	char err[256];

	if (!ok(mkdtemp(dir) != NULL, "audit: temporary bundle"))
		return;
	config = write_bundle(dir, "{'ociVersion':'1.2.0','root':{'path':'rootfs','readonly':true},"
				   "'process':{'cwd':'/','args':['sh'],'user':{'uid':1000,'gid':1000}},"
				   "'mounts':[{'destination':'/s','type':'bind','source':'/run/docker.sock'},"
				   "{'destination':'/e\\u001b[2J','type':'bind','source':'/etc'}]}");
	ok(ward_audit(dir, 1, true, 5.0, &report, &over, &e) == 0, "audit --json of a bundle directory");
	ok(over, "audit: 10.0 is over --fail-above 5");
	tree = report ? yajl_tree_parse(report, err, sizeof err) : NULL;
	ok(tree != NULL, "audit: the JSON report parses");
	ok(tree && YAJL_IS_DOUBLE(yajl_tree_get(tree, kscore, yajl_t_number)) &&
	       YAJL_GET_DOUBLE(yajl_tree_get(tree, kscore, yajl_t_number)) == 10.0,
	   "audit: score 10.0 (an engine socket)");
	is_str(tree ? jstr(yajl_tree_get(tree, klevel, yajl_t_string)) : NULL, "baseline",
	       "audit: level baseline");
	a = tree ? yajl_tree_get(tree, kfind, yajl_t_array) : NULL;
	for (size_t i = 0; a && i < a->u.array.len; i++) {
		const char *kid[] = {"id", NULL}, *kr[] = {"restricted", NULL};
		yajl_val id = yajl_tree_get(a->u.array.values[i], kid, yajl_t_string);

		if (strcmp(jstr(id), "W131") == 0)
			socket = YAJL_IS_TRUE(yajl_tree_get(a->u.array.values[i], kr, yajl_t_true));
	}
	ok(socket, "audit: the findings hold W131, restricted");
	yajl_tree_free(tree);
	free(report);
	report = NULL;

	ok(ward_audit(config, 1, false, 10.0, &report, &over, &e) == 0 && !over, "audit of a config file");
	like(report, "SEVERITY  ID    PATH", "audit: table header");
	like(report, "critical  W131  mounts[0].source", "audit: a row");
	like(report, "    fix: remove mounts[0]\n", "audit: fix line");
	like(report, "into /e?[2J read-write", "audit: control characters from the config are neutralised");
	like(report, "exposure score: 10.0/10 (critical)\n", "audit: score line");
	free(report);
	report = NULL;
	ok(ward_audit("/nonexistent/ward", 1, false, 10, &report, &over, &e) == -1 && e && e->code == ENOENT,
	   "audit: a missing bundle is an error");
	ward_error_free(e);
	unlink(config);
	rmdir(dir);
	free(config);
}

/* Valgrind answers ENOSYS to the syscalls it does not know (pidfd_open, clone3, openat2). */
static bool under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p && strstr(p, "vgpreload");
}

static void test_check(void)
{
	static const char *const names[] = {"cgroup v2",
					    "cgroup controllers",
					    "user namespaces",
					    "seccomp",
					    "landlock",
					    "pidfd_open",
					    "clone3",
					    "openat2",
					    "kernel.kptr_restrict",
					    "kernel.dmesg_restrict",
					    "kernel.unprivileged_bpf_disabled",
					    "kernel.yama.ptrace_scope",
					    "fs.protected_symlinks",
					    "fs.protected_hardlinks",
					    "fs.protected_fifos",
					    "fs.protected_regular"};
	const char *kc[] = {"checks", NULL}, *kn[] = {"name", NULL}, *kv[] = {"verdict", NULL};
	struct ward_error *e = NULL;
	char *report = NULL, err[256];
	size_t found = 0, syscalls_ok = 0;
	bool ready;
	yajl_val tree, a;

	ok(ward_check(true, &report, &ready, &e) == 0, "check --json runs");
	tree = report ? yajl_tree_parse(report, err, sizeof err) : NULL;
	a = tree ? yajl_tree_get(tree, kc, yajl_t_array) : NULL;
	ok(a != NULL, "check: the JSON report parses, with checks");
	for (size_t i = 0; a && i < a->u.array.len; i++) {
		yajl_val n = yajl_tree_get(a->u.array.values[i], kn, yajl_t_string);
		yajl_val v = yajl_tree_get(a->u.array.values[i], kv, yajl_t_string);

		for (size_t k = 0; k < ARRAY_SIZE(names); k++)
			found += strcmp(jstr(n), names[k]) == 0;
		if (strcmp(jstr(v), "ok") == 0 &&
		    (strcmp(jstr(n), "pidfd_open") == 0 || strcmp(jstr(n), "clone3") == 0 ||
		     strcmp(jstr(n), "openat2") == 0))
			syscalls_ok++;
	}
	is_int(found, ARRAY_SIZE(names), "check: an item for every area");
	if (under_valgrind())
		ok(1, "# SKIP valgrind does not emulate pidfd_open, clone3 and openat2");
	else
		is_int(syscalls_ok, 3, "check: pidfd_open, clone3 and openat2 are ok on this kernel");
	yajl_tree_free(tree);
	free(report);
	report = NULL;
	ok(ward_check(false, &report, &ready, &e) == 0, "check (table) runs");
	like(report, "VERDICT  ITEM", "check: table header");
	like(report, ready ? "ready: yes" : "ready: no", "check: the last line matches *ready");
	free(report);
}

int main(void)
{
	test_generated();
	test_process();
	test_privileged();
	test_seccomp();
	test_namespaces();
	test_devices_mounts();
	test_sysctl_names();
	test_facts_mounts();
	test_facts_namespaces();
	test_facts_devices();
	test_facts_host_code();
	test_scores();
	ok(checked_restricted > 50 && wrong_restricted == 0,
	   "restricted flags follow security.md §2 (%zu findings)", checked_restricted);
	is_int(misordered, 0, "findings come most severe first");
	reset();
	test_audit();
	test_check();
	ok(ward_findings_collect(NULL, 1, &fs, &nfs) == -1 && errno == EINVAL,
	   "collect: NULL spec is EINVAL");
	return tap_done();
}
