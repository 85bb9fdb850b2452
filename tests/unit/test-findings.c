/* SPDX-License-Identifier: Apache-2.0 */
/* Security findings (findings.c), the exposure score and `ward audit` reports
 * (audit.c), and `ward check` (check.c). JSON is written with ' for " to keep
 * it readable; collect_sq() swaps them. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "caps.h"
#include "findings.h"
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
					"W110", "W111", "W112", "W113", "W114", "W115", "W120", "W130",
					"W131", "W141", "W142", "W143", "W150", "W180"};

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
	ok(!find("W112", NULL), "W112: another namespace's path is fine");
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
	ok(!find("W130", "mounts[1].source"), "W130: /etc/resolv.conf is fine");
	f = find("W130", "mounts[2].source");
	ok(f && f->severity == WARD_SEV_MEDIUM, "W130: /sys/kernel read-only: medium");
	ok(find("W131", "mounts[3].source") && find("W131", "mounts[4].source") &&
	       find("W131", "mounts[5].source"),
	   "W131: docker.sock (via /var//run), containerd.sock, ward's state root");
	ok(find("W131", NULL)->escape, "W131: an engine socket is an escape");
	ok(find("W151", "mounts[6].options[0]"), "W151: rshared bind at its option");
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
	    "  'maskedPaths':['/proc/asound','/proc/acpi','/proc/kcore','/proc/keys','/proc/timer_list',"
	    "    '/proc/sched_debug','/proc/scsi','/sys/firmware'],"
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
