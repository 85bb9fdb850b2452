/* SPDX-License-Identifier: Apache-2.0 */
/* config.json parsing (spec.c) and the generated default config (spec_gen.c).
 * JSON is written with ' for " to keep it readable; parse_sq() swaps them. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "policy.h"
#include "spec.h"
#include "tap.h"
#include "util.h"

static struct ward_spec *spec;
static struct ward_error *err;

static void reset(void)
{
	ward_spec_free(spec);
	spec = NULL;
	ward_error_free(err);
	err = NULL;
}

static int parse_raw(const char *json, size_t len)
{
	reset();
	return ward_spec_parse(json, len, "config.json", &spec, &err);
}

static int parse_sq(const char *sq)
{
	char *j = xstrdup(sq);
	int r;

	for (char *p = j; *p; p++)
		if (*p == '\'')
			*p = '"';
	r = parse_raw(j, strlen(j));
	free(j);
	return r;
}

/* The smallest valid config plus extra members. */
static int parse_with(const char *extra)
{
	char *j = xasprintf("{'ociVersion':'1.2.0','root':{'path':'rootfs'}%s%s}", *extra ? "," : "", extra);
	int r = parse_sq(j);

	free(j);
	return r;
}

static const char *emsg(void)
{
	return err ? err->msg : "(no error)";
}

/* A process object with its required members, then x (starting with ','). */
#define P(x) "'process':{'cwd':'/','args':['sh']" x "}"
#define L(x) "'linux':{" x "}"

#define ACCEPTED(extra, name)                                                                                \
	do {                                                                                                 \
		if (!ok(parse_with(extra) == 0, "accepted: %s", name))                                       \
			printf("#   %s\n", emsg());                                                          \
	} while (0)
/* Refused with EINVAL and a message containing want (the JSON path, usually). */
#define REFUSED(extra, want)                                                                                 \
	do {                                                                                                 \
		int refused_ = parse_with(extra);                                                            \
		ok(refused_ == -1 && err && err->code == EINVAL, "refused: %s", want);                       \
		like(emsg(), want, "message: %s", want);                                                     \
	} while (0)

static const char full[] =
    "{"
    "'ociVersion':'1.2.0',"
    "'root':{'path':'rootfs','readonly':true,'extra':1},"
    "'hostname':'h1','domainname':'example.org',"
    "'annotations':{'a':'1','b':'two'},"
    "'process':{'terminal':true,'consoleSize':{'height':24,'width':80},"
    "  'user':{'uid':1000,'gid':1001,'umask':18,'additionalGids':[5,6,2147483647],'username':'x'},"
    "  'args':['sh','-c','true'],'env':['PATH=/bin','EMPTY='],'cwd':'/home',"
    "  'capabilities':{'bounding':['CAP_SYS_ADMIN','CAP_KILL'],'effective':['CAP_KILL'],"
    "                  'permitted':[],'inheritable':['cap_chown']},"
    "  'rlimits':[{'type':'RLIMIT_NOFILE','soft':1024,'hard':4096},"
    "             {'type':'RLIMIT_CORE','soft':0,'hard':9223372036854775807}],"
    "  'noNewPrivileges':false,'oomScoreAdj':-1000,'apparmorProfile':'ap','selinuxLabel':'sl',"
    "  'scheduler':{'policy':'SCHED_OTHER'}},"
    "'mounts':[{'destination':'/proc','type':'proc','source':'proc'},"
    "          {'destination':'/data','source':'/v','options':['rbind','ro'],'uidMappings':[]}],"
    "'hooks':{'prestart':[{'path':'/bin/a','args':['a','b'],'env':['X=1'],'timeout':5}],"
    "         'poststop':[{'path':'/bin/b'}],'createRuntime':[],'bogus':[1]},"
    "'linux':{'namespaces':[{'type':'pid'},{'type':'network','path':'/proc/1/ns/net'},{'type':'time'}],"
    "  'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
    "  'gidMappings':[{'containerID':0,'hostID':100000,'size':1},{'containerID':1,'hostID':5,'size':2}],"
    "  'timeOffsets':{'boottime':{'secs':-5,'nanosecs':999999999},'monotonic':{'secs':10}},"
    "  'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,'fileMode':438,'uid':0,'gid':7},"
    "             {'path':'/dev/fifo','type':'p'}],"
    "  'sysctl':{'net.ipv4.ip_forward':'1'},"
    "  'maskedPaths':['/proc/kcore','/proc/keys'],'readonlyPaths':[],"
    "  'rootfsPropagation':'rslave','mountLabel':'ml','cgroupsPath':'/ward/c1',"
    "  'resources':{'pids':{'limit':10}},'seccomp':{'defaultAction':'SCMP_ACT_ERRNO'},"
    "  'intelRdt':{'closID':'x'}},"
    "'unknownTop':{'x':[1,2,{'y':null}]}"
    "}";

static void test_full(void)
{
	const struct ward_process *p;
	const struct ward_linux *l;
	const char *rpath[] = {"pids", "limit", NULL}, *spath[] = {"defaultAction", NULL};
	yajl_val v;

	if (!ok(parse_sq(full) == 0, "full config parses")) {
		printf("#   %s\n", emsg());
		return;
	}
	p = &spec->process;
	l = &spec->linux_;
	is_str(spec->oci_version, "1.2.0", "ociVersion");
	is_str(spec->root_path, "rootfs", "root.path");
	ok(spec->root_readonly, "root.readonly");
	is_str(spec->hostname, "h1", "hostname");
	is_str(spec->domainname, "example.org", "domainname");
	is_int(spec->n_annotations, 2, "two annotations");
	is_str(spec->annotations[1].key, "b", "annotation key");
	is_str(spec->annotations[1].value, "two", "annotation value");

	ok(p->present && p->terminal, "process present, terminal");
	ok(p->has_console_size && p->console_height == 24 && p->console_width == 80, "consoleSize");
	is_int(p->user.uid, 1000, "uid");
	is_int(p->user.gid, 1001, "gid");
	ok(p->user.has_umask && p->user.umask == 18, "umask");
	is_int(p->user.n_additional_gids, 3, "additionalGids count");
	is_int(p->user.additional_gids[2], 2147483647, "additionalGids max value");
	is_int(strv_len(p->args), 3, "args count");
	is_str(p->args[2], "true", "args[2]");
	is_str(p->env[1], "EMPTY=", "env with empty value");
	is_str(p->cwd, "/home", "cwd");
	ok(p->has_caps, "capabilities present");
	ok(p->caps.set[WARD_CAP_BOUNDING] == ((1ull << CAP_SYS_ADMIN) | (1ull << CAP_KILL)), "bounding set");
	ok(p->caps.set[WARD_CAP_EFFECTIVE] == 1ull << CAP_KILL, "effective set");
	ok(p->caps.present[WARD_CAP_PERMITTED] && p->caps.set[WARD_CAP_PERMITTED] == 0,
	   "empty permitted present");
	ok(p->caps.set[WARD_CAP_INHERITABLE] == 1ull << CAP_CHOWN, "lower-case capability name");
	ok(!p->caps.present[WARD_CAP_AMBIENT], "absent ambient set");
	is_int(p->n_rlimits, 2, "rlimits count");
	ok(p->rlimits[0].resource == RLIMIT_NOFILE && p->rlimits[0].soft == 1024 &&
	       p->rlimits[0].hard == 4096,
	   "RLIMIT_NOFILE");
	is_str(p->rlimits[1].type, "RLIMIT_CORE", "rlimit type kept");
	ok(p->rlimits[1].hard == 9223372036854775807ull, "rlimit hard = LLONG_MAX");
	is_int(p->no_new_privileges, 0, "noNewPrivileges false");
	ok(p->has_oom_score_adj && p->oom_score_adj == -1000, "oomScoreAdj -1000");
	is_str(p->apparmor_profile, "ap", "apparmorProfile");
	is_str(p->selinux_label, "sl", "selinuxLabel");

	is_int(spec->n_mounts, 2, "mounts count");
	is_str(spec->mounts[0].type, "proc", "mounts[0].type");
	ok(spec->mounts[0].options == NULL, "mounts[0] without options");
	ok(spec->mounts[1].type == NULL, "mounts[1] without type");
	is_str(spec->mounts[1].options[1], "ro", "mounts[1].options[1]");

	is_int(spec->n_hooks[WARD_HOOK_PRESTART], 1, "one prestart hook");
	is_str(spec->hooks[WARD_HOOK_PRESTART][0].path, "/bin/a", "hook path");
	is_str(spec->hooks[WARD_HOOK_PRESTART][0].args[1], "b", "hook args");
	is_str(spec->hooks[WARD_HOOK_PRESTART][0].env[0], "X=1", "hook env");
	is_int(spec->hooks[WARD_HOOK_PRESTART][0].timeout, 5, "hook timeout");
	is_int(spec->hooks[WARD_HOOK_POSTSTOP][0].timeout, 0, "no timeout");
	is_int(spec->n_hooks[WARD_HOOK_CREATE_RUNTIME], 0, "empty createRuntime");
	is_int(spec->n_hooks[WARD_HOOK_POSTSTART], 0, "absent poststart");

	ok(spec->has_linux, "linux present");
	ok(l->ns[WARD_NS_PID].present && !l->ns[WARD_NS_PID].path, "pid namespace, new");
	is_str(l->ns[WARD_NS_NET].path, "/proc/1/ns/net", "network namespace path");
	ok(l->ns[WARD_NS_TIME].present && !l->ns[WARD_NS_USER].present, "time yes, user no");
	ok(l->n_uid_mappings == 1 && l->uid_mappings[0].host_id == 100000 && l->uid_mappings[0].size == 65536,
	   "uidMappings");
	ok(l->n_gid_mappings == 2 && l->gid_mappings[1].container_id == 1 && l->gid_mappings[1].host_id == 5,
	   "gidMappings");
	ok(l->time_boottime.present && l->time_boottime.secs == -5 && l->time_boottime.nanosecs == 999999999,
	   "boottime offset");
	ok(l->time_monotonic.present && l->time_monotonic.secs == 10 && l->time_monotonic.nanosecs == 0,
	   "monotonic offset");
	is_int(l->n_devices, 2, "devices count");
	ok(l->devices[0].type == 'c' && l->devices[0].major == 10 && l->devices[0].minor == 229,
	   "device c 10:229");
	ok(l->devices[0].has_mode && l->devices[0].mode == 438 && l->devices[0].has_gid &&
	       l->devices[0].gid == 7,
	   "device mode and gid");
	ok(l->devices[1].type == 'p' && !l->devices[1].has_mode && !l->devices[1].has_uid, "fifo device");
	ok(l->n_sysctl == 1 && strcmp(l->sysctl[0].key, "net.ipv4.ip_forward") == 0, "sysctl key");
	ok(l->has_masked_paths && strv_len(l->masked_paths) == 2, "maskedPaths");
	ok(l->has_readonly_paths && l->readonly_paths && !l->readonly_paths[0],
	   "empty readonlyPaths present");
	is_str(l->rootfs_propagation, "rslave", "rootfsPropagation");
	is_str(l->mount_label, "ml", "mountLabel");
	is_str(l->cgroups_path, "/ward/c1", "cgroupsPath");
	v = yajl_tree_get((yajl_val)l->resources, rpath, yajl_t_number);
	ok(v && YAJL_GET_INTEGER(v) == 10, "resources kept as a tree");
	v = yajl_tree_get((yajl_val)l->seccomp, spath, yajl_t_string);
	ok(l->has_seccomp && v && strcmp(v->u.string, "SCMP_ACT_ERRNO") == 0, "seccomp kept as a tree");
}

static void test_minimal(void)
{
	ok(parse_with("") == 0, "minimal config parses");
	ok(spec && !spec->process.present && spec->process.no_new_privileges == -1,
	   "no process, nnp absent (-1)");
	ok(spec && !spec->has_linux && !spec->linux_.has_seccomp && !spec->root_readonly,
	   "no linux, defaults off");
	ok(spec && spec->n_mounts == 0 && spec->mounts == NULL, "no mounts");
	ACCEPTED("'hostname':null,'linux':{'maskedPaths':null}", "null read as absent");
	ok(spec && !spec->hostname && spec->has_linux && !spec->linux_.has_masked_paths,
	   "null fields left unset");
	ACCEPTED(L("'seccomp':null"), "explicit null seccomp");
	ok(spec && spec->linux_.has_seccomp && spec->linux_.seccomp == NULL,
	   "null seccomp: has_seccomp, no tree");
	ACCEPTED(P(",'noNewPrivileges':true,'oomScoreAdj':1000"), "nnp true, oomScoreAdj 1000");
	ok(spec && spec->process.no_new_privileges == 1 && spec->process.oom_score_adj == 1000,
	   "values read");
	ACCEPTED(P(",'user':{'uid':2147483647,'gid':0}"), "uid 2147483647");
	ok(spec && spec->process.user.uid == 2147483647, "uid max value read");
	ACCEPTED(L("'devices':[{'path':'/dev/x','type':'u','major':0,'minor':0}]"), "device u 0:0");
}

static void test_errors_top_process(void)
{
	is_int(parse_with(P(",'user':{'uid':'0','gid':0}")), -1, "string uid refused");
	is_str(emsg(), "config.json: process.user.uid: expected a non-negative integer", "exact uid message");
	REFUSED(P(",'user':{'uid':-1,'gid':0}"), "process.user.uid: -1 is out of range (0 to 2147483647)");
	REFUSED(P(",'user':{'uid':1.5,'gid':0}"), "process.user.uid: expected a non-negative integer");
	REFUSED(P(",'user':{'uid':4294967296,'gid':0}"), "process.user.uid: 4294967296 is out of range");
	REFUSED(P(",'user':{'uid':0}"), "process.user.gid: required");
	REFUSED(P(",'user':{'uid':0,'gid':0,'umask':-1}"), "process.user.umask");
	REFUSED(P(",'user':{'uid':0,'gid':0,'additionalGids':[1,-2]}"), "process.user.additionalGids[1]");
	REFUSED(P(",'user':{'uid':1,'uid':2,'gid':0}"), "process.user.uid: duplicate key");

	is_int(parse_sq("{'root':{'path':'r'}}"), -1, "missing ociVersion refused");
	is_str(emsg(), "config.json: ociVersion: required", "ociVersion required");
	is_int(parse_sq("{'ociVersion':1,'root':{'path':'r'}}"), -1, "numeric ociVersion refused");
	like(emsg(), "ociVersion: expected a string", "ociVersion type");
	is_int(parse_sq("{'ociVersion':'1.2.0'}"), -1, "missing root refused");
	is_str(emsg(), "config.json: root.path: required", "root.path required");
	is_int(parse_sq("{'ociVersion':'1.2.0','root':{'readonly':true}}"), -1, "missing root.path refused");
	is_str(emsg(), "config.json: root.path: required", "root.path required (root present)");
	is_int(parse_sq("{'ociVersion':'1.2.0','root':{'path':'r','readonly':'yes'}}"), -1, "bad readonly");
	like(emsg(), "root.readonly: expected true or false", "root.readonly type");

	REFUSED("'process':{'cwd':'/'}", "process.args: required");
	REFUSED("'process':{'cwd':'/','args':[]}", "process.args: must not be empty");
	REFUSED("'process':{'cwd':'/','args':['a',1]}", "process.args[1]: expected a string");
	REFUSED("'process':{'args':['sh']}", "process.cwd: required");
	REFUSED("'process':{'cwd':'home','args':['sh']}", "process.cwd: expected an absolute path");
	REFUSED(P(",'env':['A=1','NOEQUALS']"), "process.env[1]: expected \"KEY=value\"");
	REFUSED(P(",'env':['=x']"), "process.env[0]");
	REFUSED(P(",'terminal':1"), "process.terminal: expected true or false");
	REFUSED(P(",'noNewPrivileges':'yes'"), "process.noNewPrivileges: expected true or false");
	REFUSED(P(",'oomScoreAdj':1001"), "process.oomScoreAdj: 1001 is out of range [-1000, 1000]");
	REFUSED(P(",'oomScoreAdj':-1001"), "process.oomScoreAdj");
	REFUSED(P(",'consoleSize':{'height':1}"), "process.consoleSize.width: required");

	parse_with(P(",'capabilities':{'bounding':['CAP_KILL','CAP_CHOWN','CAP_SETUID','CAP_FOO']}"));
	is_str(emsg(), "config.json: process.capabilities.bounding[3]: unknown capability \"CAP_FOO\"",
	       "exact capability message");
	REFUSED(P(",'capabilities':{'ambient':['KILL']}"),
		"process.capabilities.ambient[0]: unknown capability");
	REFUSED(P(",'capabilities':['CAP_KILL']"), "process.capabilities: expected an object");
	REFUSED(P(",'capabilities':{'effective':'CAP_KILL'}"),
		"process.capabilities.effective: expected an array");

	REFUSED(P(",'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]"),
		"process.rlimits[0].type: unknown rlimit type \"RLIMIT_FOO\"");
	REFUSED(P(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':1},{'type':'RLIMIT_NOFILE','soft':1,'"
		  "hard':1}]"),
		"process.rlimits[1].type: rlimit \"RLIMIT_NOFILE\" listed twice");
	REFUSED(P(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':2048,'hard':1024}]"),
		"process.rlimits[0]: soft limit 2048 exceeds hard limit 1024");
	REFUSED(P(",'rlimits':[{'type':'RLIMIT_CORE','soft':0,'hard':18446744073709551615}]"),
		"process.rlimits[0].hard: 18446744073709551615 is out of range");
	REFUSED(P(",'rlimits':[{'type':'RLIMIT_CORE','soft':-1,'hard':1}]"),
		"process.rlimits[0].soft: expected a non-negative integer");
	REFUSED(P(",'rlimits':[{'type':'RLIMIT_CORE','soft':1}]"), "process.rlimits[0].hard: required");
}

static void test_errors_mounts_hooks_linux(void)
{
	is_int(parse_with("'mounts':[{'destination':'/a'},{'destination':'/b'},{'destination':5}]"), -1,
	       "numeric mount destination");
	is_str(emsg(), "config.json: mounts[2].destination: expected an absolute path",
	       "exact mount message");
	REFUSED("'mounts':[{'destination':'tmp','type':'tmpfs'}]",
		"mounts[0].destination: expected an absolute path, got \"tmp\"");
	REFUSED("'mounts':[{'type':'tmpfs'}]", "mounts[0].destination: required");
	REFUSED("'mounts':[{'destination':'/a','options':'ro'}]", "mounts[0].options: expected an array");
	REFUSED("'mounts':{}", "mounts: expected an array");
	REFUSED("'mounts':['/a']", "mounts[0]: expected an object");

	REFUSED("'hooks':{'prestart':[{'path':'/bin/true','timeout':0}]}",
		"hooks.prestart[0].timeout: must be greater than zero");
	REFUSED("'hooks':{'poststop':[{'path':'/bin/true','timeout':-3}]}", "hooks.poststop[0].timeout");
	REFUSED("'hooks':{'poststart':[{'path':'bin/true'}]}",
		"hooks.poststart[0].path: expected an absolute path");
	REFUSED("'hooks':{'createContainer':[{'args':['x']}]}", "hooks.createContainer[0].path: required");
	REFUSED("'hooks':{'startContainer':{}}", "hooks.startContainer: expected an array");

	is_int(parse_with(L("'namespaces':[{'type':'pid'},{'type':'foo'}]")), -1,
	       "unknown namespace refused");
	is_str(emsg(), "config.json: linux.namespaces[1].type: unknown namespace type \"foo\"",
	       "exact namespace message");
	REFUSED(L("'namespaces':[{'type':'pid'},{'type':'pid'}]"),
		"linux.namespaces[1].type: namespace \"pid\" listed twice");
	REFUSED(L("'namespaces':[{'type':'net','path':'/x'}]"), "unknown namespace type \"net\"");
	REFUSED(L("'namespaces':[{'type':'user','path':'ns/user'}]"), "linux.namespaces[0].path");
	REFUSED(L("'namespaces':[{'path':'/x'}]"), "linux.namespaces[0].type: required");
	REFUSED(L("'uidMappings':[{'containerID':0,'size':1}]"), "linux.uidMappings[0].hostID: required");
	REFUSED(L("'gidMappings':[{'containerID':0,'hostID':0,'size':0}]"), "linux.gidMappings[0].size");
	REFUSED(L("'uidMappings':[{'containerID':4294967295,'hostID':0,'size':2}]"), "linux.uidMappings[0]");
	ACCEPTED(L("'timeOffsets':{'monotonic':{'nanosecs':999999999}}"), "nanosecs 999999999");
	REFUSED(L("'timeOffsets':{'boottime':{'secs':1,'nanosecs':1000000000}}"),
		"linux.timeOffsets.boottime.nanosecs: 1000000000 is out of range");
	REFUSED(L("'timeOffsets':{'boottime':{'secs':1.5}}"),
		"linux.timeOffsets.boottime.secs: expected an integer");
	REFUSED(L("'devices':[{'path':'/dev/x','type':'x','major':1,'minor':1}]"),
		"linux.devices[0].type: unknown device type \"x\"");
	REFUSED(L("'devices':[{'path':'/dev/x','type':'c','minor':1}]"), "linux.devices[0].major: required");
	REFUSED(L("'devices':[{'path':'/dev/x','type':'b','major':-1,'minor':1}]"),
		"linux.devices[0].major: expected a non-negative integer");
	REFUSED(L("'devices':[{'path':'dev/x','type':'c','major':1,'minor':1}]"), "linux.devices[0].path");
	REFUSED(L("'devices':[{'path':'/dev/x','major':1,'minor':1}]"), "linux.devices[0].type: required");
	REFUSED(L("'sysctl':{'net.ipv4.ip_forward':1}"),
		"linux.sysctl.net.ipv4.ip_forward: expected a string");
	REFUSED(L("'sysctl':{'a':'1','a':'2'}"), "linux.sysctl.a: duplicate key");
	REFUSED("'annotations':{'k':true}", "annotations.k: expected a string");
	REFUSED("'annotations':['k']", "annotations: expected an object");
	REFUSED(L("'maskedPaths':['proc/kcore']"), "linux.maskedPaths[0]: expected an absolute path");
	REFUSED(L("'readonlyPaths':'/proc'"), "linux.readonlyPaths: expected an array of absolute paths");
	REFUSED(L("'rootfsPropagation':'weird'"), "linux.rootfsPropagation: unknown propagation \"weird\"");
	REFUSED(L("'resources':'x'"), "linux.resources: expected an object");
	REFUSED(L("'seccomp':5"), "linux.seccomp: expected an object");
	REFUSED("'linux':[]", "linux: expected an object");

	/* Keys and values from the input cannot break the message onto two lines. */
	parse_sq("{'ociVersion':'1.2.0','root':{'path':'r'},'annotations':{'a\\nb':1}}");
	ok(err && !strchr(err->msg, '\n'), "control characters in keys are not copied to the message");
}

static void test_unknown_keys(void)
{
	ACCEPTED("'x-vendor':{'deep':[[[[1]]]]}," P(",'ioPriority':{'class':'IOPRIO_CLASS_IDLE'}") "," L(
		     "'intelRdt':{},'personality':{'domain':'LINUX'}"),
		 "unknown keys at several levels ignored");
	ACCEPTED("'mounts':[{'destination':'/a','uidMappings':[1]}]", "unknown mount key ignored");
}

/* Every uid and gid of a config: 0 to 2^31-1 as runc. 4294967295 is (uid_t)-1, which
 * setresuid, setresgid and chown take as "unchanged": the process would stay root. */
static uint32_t get_uid(void)
{
	return spec->process.user.uid;
}
static uint32_t get_gid(void)
{
	return spec->process.user.gid;
}
static uint32_t get_agid(void)
{
	return spec->process.user.additional_gids[1];
}
static uint32_t get_dev_uid(void)
{
	return spec->linux_.devices[0].has_uid ? spec->linux_.devices[0].uid : 1;
}
static uint32_t get_dev_gid(void)
{
	return spec->linux_.devices[0].has_gid ? spec->linux_.devices[0].gid : 1;
}
static uint32_t get_umap_cid(void)
{
	return spec->linux_.uid_mappings[0].container_id;
}
static uint32_t get_umap_hid(void)
{
	return spec->linux_.uid_mappings[0].host_id;
}
static uint32_t get_gmap_cid(void)
{
	return spec->linux_.gid_mappings[0].container_id;
}
static uint32_t get_gmap_hid(void)
{
	return spec->linux_.gid_mappings[0].host_id;
}

/* tmpl with its one '@' replaced by id (malloc'd). */
static char *with_id(const char *tmpl, const char *id)
{
	const char *at = strchr(tmpl, '@');

	return xasprintf("%.*s%s%s", (int)(at - tmpl), tmpl, id, at + 1);
}

static void test_id_ranges(void)
{
	static const struct {
		const char *config; /* @: the id */
		const char *path;
		uint32_t (*get)(void);
	} fields[] = {
	    {P(",'user':{'uid':@,'gid':0}"), "process.user.uid", get_uid},
	    {P(",'user':{'uid':0,'gid':@}"), "process.user.gid", get_gid},
	    {P(",'user':{'uid':0,'gid':0,'additionalGids':[5,@]}"), "process.user.additionalGids[1]",
	     get_agid},
	    {L("'devices':[{'path':'/dev/x','type':'c','major':1,'minor':3,'uid':@}]"),
	     "linux.devices[0].uid", get_dev_uid},
	    {L("'devices':[{'path':'/dev/x','type':'c','major':1,'minor':3,'gid':@}]"),
	     "linux.devices[0].gid", get_dev_gid},
	    {L("'uidMappings':[{'containerID':@,'hostID':0,'size':1}]"), "linux.uidMappings[0].containerID",
	     get_umap_cid},
	    {L("'uidMappings':[{'containerID':0,'hostID':@,'size':1}]"), "linux.uidMappings[0].hostID",
	     get_umap_hid},
	    {L("'gidMappings':[{'containerID':@,'hostID':0,'size':1}]"), "linux.gidMappings[0].containerID",
	     get_gmap_cid},
	    {L("'gidMappings':[{'containerID':0,'hostID':@,'size':1}]"), "linux.gidMappings[0].hostID",
	     get_gmap_hid},
	};
	static const char *const good[] = {"0", "2147483647"};
	static const char *const bad[] = {"2147483648", "4294967295", "-1", "4294967296",
					  "99999999999999999999"};

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(good); j++) {
			char *c = with_id(fields[i].config, good[j]);

			if (!ok(parse_with(c) == 0, "%s %s accepted", fields[i].path, good[j]))
				printf("#   %s\n", emsg());
			else
				is_int(fields[i].get(), strtol(good[j], NULL, 10), "%s %s read",
				       fields[i].path, good[j]);
			free(c);
		}
		for (size_t j = 0; j < ARRAY_SIZE(bad); j++) {
			char *c = with_id(fields[i].config, bad[j]);
			char *want = xasprintf("config.json: %s: %s is out of range (0 to 2147483647)",
					       fields[i].path, bad[j]);

			is_int(parse_with(c), -1, "%s %s refused", fields[i].path, bad[j]);
			is_str(emsg(), want, "%s %s: message", fields[i].path, bad[j]);
			free(want);
			free(c);
		}
	}
	REFUSED(P(",'user':{'uid':'0','gid':0}"), "process.user.uid: expected a non-negative integer");
	REFUSED(P(",'user':{'uid':0,'gid':0,'additionalGids':[2.5]}"),
		"process.user.additionalGids[0]: expected a non-negative integer");
}

/* A mapping covers [id, id + size): the kernel wants id + size to fit in 32 bits,
 * so no range reaches 4294967295. */
static void test_idmap_ranges(void)
{
	ACCEPTED(L("'uidMappings':[{'containerID':0,'hostID':0,'size':4294967295}]"),
		 "the whole range, 0 + 4294967295");
	ACCEPTED(L("'gidMappings':[{'containerID':2147483647,'hostID':2147483647,'size':2147483648}]"),
		 "2147483647 + 2147483648 = 4294967295: the last id is 4294967294");
	is_int(parse_with(L("'uidMappings':[{'containerID':2147483647,'hostID':0,'size':2147483649}]")), -1,
	       "containerID + size past 32 bits refused");
	is_str(emsg(),
	       "config.json: linux.uidMappings[0]: containerID + size (2147483647 + 2147483649) exceeds "
	       "4294967295",
	       "containerID overflow message");
	is_int(
	    parse_with(L("'gidMappings':[{'containerID':0,'hostID':0,'size':1},{'containerID':0,'hostID':1,"
			 "'size':4294967295}]")),
	    -1, "hostID + size past 32 bits refused");
	is_str(emsg(), "config.json: linux.gidMappings[1]: hostID + size (1 + 4294967295) exceeds 4294967295",
	       "hostID overflow message");
	REFUSED(L("'uidMappings':[{'containerID':1,'hostID':0,'size':4294967295}]"),
		"linux.uidMappings[0]: containerID + size");
	REFUSED(L("'uidMappings':[{'containerID':0,'hostID':0,'size':4294967296}]"),
		"linux.uidMappings[0].size: 4294967296 is out of range");
	REFUSED(L("'gidMappings':[{'containerID':0,'hostID':0,'size':0}]"),
		"linux.gidMappings[0].size: must be greater than zero");
	REFUSED(L("'gidMappings':[{'containerID':0,'hostID':0,'size':-1}]"),
		"linux.gidMappings[0].size: expected a non-negative integer");
}

/* ward spec --rootless maps the caller's ids: a caller above 2^31-1 gets a config
 * that the parser refuses by its path, never one that maps (uid_t)-1. */
static void test_generate_big_ids(void)
{
	char *json = ward_spec_generate(true, 3000000000u, 1000);

	is_int(parse_raw(json, strlen(json)), -1, "rootless spec of uid 3000000000 refused");
	is_str(emsg(),
	       "config.json: linux.uidMappings[0].hostID: 3000000000 is out of range (0 to 2147483647)",
	       "rootless spec of uid 3000000000: message");
	free(json);
}

static char *nest(const char *pre, int depth, const char *post)
{
	size_t n = strlen(pre) + strlen(post) + 2 * (size_t)depth + 1;
	char *s = xmalloc0(n), *w = s;

	w = stpcpy(w, pre);
	memset(w, '[', (size_t)depth);
	w += depth;
	memset(w, ']', (size_t)depth);
	w += depth;
	strcpy(w, post);
	return s;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_limits(void)
{
	size_t big = 5u << 20;
	char *s = xmalloc0(big + 1), *j;
	double t;

	memset(s, ' ', big);
	s[0] = '{';
	s[big - 1] = '}';
	is_int(parse_raw(s, big), -1, "5 MiB refused");
	ok(err && err->code == EFBIG, "with EFBIG");

	/* Most of 4 MiB of '[': the depth check must reject it before yajl builds a tree. */
	memset(s, '[', WARD_SPEC_MAX_BYTES);
	t = now();
	is_int(parse_raw(s, WARD_SPEC_MAX_BYTES), -1, "4 MiB of '[' refused");
	ok(now() - t < 1.0, "quickly");
	free(s);

	j = nest("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},\"x\":", 100, "}");
	is_int(parse_raw(j, strlen(j)), -1, "nesting 100 deep refused");
	is_str(emsg(), "config.json: JSON nested deeper than 64 levels", "depth message");
	free(j);
	j = nest("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},\"x\":", 30, "}");
	is_int(parse_raw(j, strlen(j)), 0, "nesting 30 deep accepted in an unknown key");
	free(j);
	/* The top-level object is level 1: 63 arrays under it reach exactly the limit. */
	j = nest("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},\"x\":", 63, "}");
	is_int(parse_raw(j, strlen(j)), 0, "nesting 64 deep accepted");
	free(j);
	j = nest("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},\"x\":", 64, "}");
	is_int(parse_raw(j, strlen(j)), -1, "nesting 65 deep refused");
	free(j);

	/* Brackets inside strings, including after an escaped quote, are not nesting. */
	j = nest("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},\"x\":\"\\\"", 200, "\"}");
	is_int(parse_raw(j, strlen(j)), 0, "brackets in strings do not count");
	free(j);
}

static void test_malformed(void)
{
	static const char nul[] = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"}}\0";
	static const char u0[] = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\\u0000x\"}}";

	is_int(parse_sq("{'ociVersion':'1.2.0',"), -1, "truncated JSON refused");
	like(emsg(), "config.json: invalid JSON: ", "invalid JSON message");
	ok(err && !strchr(err->msg, '\n'), "on one line");
	is_int(parse_sq("{'a':1,}"), -1, "trailing comma refused");
	ok(err && !strchr(err->msg, '\n') && strstr(err->msg, "invalid JSON"), "yajl message squashed");
	is_int(parse_sq("{} {}"), -1, "trailing garbage refused");
	is_int(parse_raw("", 0), -1, "empty input refused");
	like(emsg(), "invalid JSON", "empty input message");
	is_int(parse_sq("['ociVersion']"), -1, "top-level array refused");
	is_str(emsg(), "config.json: expected a JSON object at the top level", "top-level message");
	is_int(parse_sq("/* ' */ {'ociVersion':'1.2.0','root':{'path':'r'}}"), -1, "comments refused");
	like(emsg(), "comments are not allowed", "comment message");
	is_int(parse_raw(u0, strlen(u0)), -1, "\\u0000 refused");
	like(emsg(), "\\u0000", "\\u0000 message");
	is_int(parse_raw(nul, sizeof nul - 1), -1, "NUL byte refused");
	reset();
	is_int(ward_spec_parse("{}", 2, "bundle/config.json", &spec, &err), -1, "empty object refused");
	is_str(emsg(), "bundle/config.json: ociVersion: required", "file name as given");
}

static void test_load(void)
{
	char dir[] = "/tmp/test-spec.XXXXXX";
	int dfd, fd;
	const char *text = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},\"hostname\":\"x\"}";

	if (!ok(mkdtemp(dir) != NULL, "temp dir"))
		return;
	dfd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	fd = openat(dfd, "config.json", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ok(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "config written");
	close(fd);
	reset();
	is_int(ward_spec_load(dfd, "config.json", &spec, &err), 0, "load");
	is_str(spec ? spec->hostname : NULL, "x", "loaded hostname");
	reset();
	is_int(ward_spec_load(dfd, "missing.json", &spec, &err), -1, "missing file");
	ok(err && err->code == ENOENT && strstr(err->msg, "missing.json"), "ENOENT naming the file");
	reset();
	unlinkat(dfd, "config.json", 0);
	close(dfd);
	rmdir(dir);
}

static void test_names(void)
{
	is_str(ward_ns_name(WARD_NS_NET), "network", "ns name network");
	is_str(ward_ns_proc_name(WARD_NS_NET), "net", "proc name net");
	is_str(ward_ns_proc_name(WARD_NS_MOUNT), "mnt", "proc name mnt");
	is_int(ward_ns_clone_flag(WARD_NS_MOUNT), CLONE_NEWNS, "CLONE_NEWNS");
	is_int(ward_ns_clone_flag(WARD_NS_TIME), 0x80, "CLONE_NEWTIME");
	is_int(ward_ns_clone_flag(WARD_NS_USER), CLONE_NEWUSER, "CLONE_NEWUSER");
	ok(ward_ns_name(WARD_NS_COUNT) == NULL && ward_ns_clone_flag(WARD_NS_COUNT) == 0, "out of range ns");
	is_str(ward_hook_kind_name(WARD_HOOK_CREATE_RUNTIME), "createRuntime", "hook name");
	ok(ward_hook_kind_name(WARD_HOOK_KINDS) == NULL, "out of range hook kind");
}

static void test_generate(bool rootless)
{
	const char *mode = rootless ? "rootless" : "root";
	char *json = ward_spec_generate(rootless, 1000, 1001);
	const struct ward_process *p;
	const struct ward_linux *l;
	const struct ward_mount *sys = NULL, *pts = NULL;
	bool caps_empty = true, gid5 = false;

	if (!ok(json != NULL, "%s: generated", mode))
		return;
	ok(strstr(json, "\"ambient\": []") && json[strlen(json) - 1] == '\n', "%s: tidy text", mode);
	if (!ok(parse_raw(json, strlen(json)) == 0, "%s: generated config parses", mode)) {
		printf("#   %s\n", emsg());
		free(json);
		return;
	}
	free(json);
	p = &spec->process;
	l = &spec->linux_;
	is_str(spec->oci_version, "1.2.0", "%s: ociVersion", mode);
	is_int(p->user.uid, rootless ? 0 : 65534, "%s: uid", mode);
	is_int(p->user.gid, rootless ? 0 : 65534, "%s: gid", mode);
	for (int i = 0; i < WARD_CAP_NSETS; i++)
		caps_empty = caps_empty && p->caps.present[i] && p->caps.set[i] == 0;
	ok(p->has_caps && caps_empty, "%s: all five capability sets present and empty", mode);
	is_int(p->no_new_privileges, 1, "%s: noNewPrivileges", mode);
	ok(!p->terminal && strcmp(p->args[0], "sh") == 0 && strcmp(p->cwd, "/") == 0, "%s: sh in /", mode);
	ok(p->n_rlimits == 1 && p->rlimits[0].resource == RLIMIT_NOFILE && p->rlimits[0].hard == 1024,
	   "%s: NOFILE", mode);
	ok(spec->root_readonly && strcmp(spec->root_path, "rootfs") == 0, "%s: read-only rootfs", mode);
	is_str(spec->hostname, "ward", "%s: hostname", mode);
	is_int(l->ns[WARD_NS_USER].present, rootless, "%s: user namespace only when rootless", mode);
	ok(l->ns[WARD_NS_PID].present && l->ns[WARD_NS_NET].present && l->ns[WARD_NS_CGROUP].present &&
	       !l->ns[WARD_NS_TIME].present,
	   "%s: other namespaces", mode);
	is_int(l->n_uid_mappings, rootless, "%s: uid mapping only when rootless", mode);
	if (rootless)
		ok(l->uid_mappings[0].host_id == 1000 && l->gid_mappings[0].host_id == 1001 &&
		       l->uid_mappings[0].container_id == 0 && l->uid_mappings[0].size == 1,
		   "%s: caller mapped to 0", mode);
	is_int(strv_len(l->masked_paths), 12, "%s: masked paths", mode);
	{
		bool same = true;

		/* ward spec writes exactly the lists a config without them gets */
		for (size_t i = 0; ward_default_masked_paths[i] || l->masked_paths[i]; i++)
			same = same && ward_default_masked_paths[i] && l->masked_paths[i] &&
			       strcmp(ward_default_masked_paths[i], l->masked_paths[i]) == 0;
		for (size_t i = 0; ward_default_readonly_paths[i] || l->readonly_paths[i]; i++)
			same = same && ward_default_readonly_paths[i] && l->readonly_paths[i] &&
			       strcmp(ward_default_readonly_paths[i], l->readonly_paths[i]) == 0;
		ok(same, "%s: masked and read-only paths are policy's defaults", mode);
	}
	is_int(strv_len(l->readonly_paths), 5, "%s: read-only paths", mode);
	is_int(spec->n_mounts, 7, "%s: mounts", mode);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		if (strcmp(spec->mounts[i].destination, "/sys") == 0)
			sys = &spec->mounts[i];
		if (strcmp(spec->mounts[i].destination, "/dev/pts") == 0)
			pts = &spec->mounts[i];
	}
	for (size_t i = 0; pts && pts->options[i]; i++)
		gid5 = gid5 || strcmp(pts->options[i], "gid=5") == 0;
	is_int(gid5, !rootless, "%s: devpts gid=5 only with root", mode);
	is_str(sys ? sys->type : NULL, rootless ? "bind" : "sysfs", "%s: /sys type", mode);
	is_str(spec->mounts[6].type, "cgroup2", "%s: cgroup2", mode);
}

int main(void)
{
	test_full();
	test_minimal();
	test_errors_top_process();
	test_errors_mounts_hooks_linux();
	test_unknown_keys();
	test_id_ranges();
	test_idmap_ranges();
	test_generate_big_ids();
	test_limits();
	test_malformed();
	test_load();
	test_names();
	test_generate(false);
	test_generate(true);
	reset();
	return tap_done();
}
