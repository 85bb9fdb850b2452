/* SPDX-License-Identifier: Apache-2.0 */
/* The security findings of a parsed config (findings.h). Every check reads
 * only the spec and its yajl tree (for the JSON index of an array element, and
 * for linux.resources and linux.seccomp, which the parser keeps as nodes).
 *
 * References: CIS Docker Benchmark numbers are those of v1.5.0 (the same from
 * v1.2.0; v1.6.0 inserted "swarm mode" as 5.1 and shifted section 5 by one);
 * Pod Security controls are the names on the Kubernetes "Pod Security
 * Standards" page. */
#include "config.h"
#include "findings.h"
#include "findings_priv.h"

#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/resource.h>
#include <yajl/yajl_tree.h>

#include "caps.h"
#include "policy.h"
#include "sysctl.h"
#include "util.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* Every capability of kernels since 3.16 (CAP_AUDIT_READ = 37): holding all of
 * them is what --privileged grants, whatever the engine's kernel adds later. */
#define ALL_CAPS_MASK ((UINT64_C(1) << 38) - 1)
#define NBS_MASK      (UINT64_C(1) << CAP_NET_BIND_SERVICE)

enum {
	G_ROOT,
	G_USERNS,
	G_CAPS,
	G_INHERITABLE,
	G_AMBIENT,
	G_NNP,
	G_SECCOMP,
	G_NS_PID,
	G_NS_NET,
	G_NS_IPC,
	G_NS_UTS,
	G_NS_MNT,
	G_NS_CGROUP,
	G_DEVICES_ALL,
	G_DEVICE_NODES,
	G_BIND_DIRS,
	G_BIND_SOCKETS,
	G_MASKED,
	G_READONLY,
	G_KERNEL_RW,
	G_ROOTFS_PROP,
	G_MOUNT_PROP,
	G_ROOT_RO,
	G_NOFILE,
};

/* The score's table: the maxima of the groups add up to 100 points, so a
 * config's points / 10 is its score (audit.c). Weights follow how much of the
 * container's isolation a setting gives away: running as root on the host's
 * user namespace, capabilities and the syscall filter weigh most. */
const struct ward_check_def ward_check_defs[] = {
    {"W101", G_ROOT, 10, "process runs as root without a user namespace"},
    {"W102", G_CAPS, 22, "capability granted"},
    {"W103", G_INHERITABLE, 2, "inheritable capabilities"},
    {"W104", G_AMBIENT, 2, "ambient capabilities"},
    {"W105", G_CAPS, 22, "all capabilities (privileged-like)"},
    {"W106", G_NNP, 6, "no_new_privs off"},
    {"W107", G_SECCOMP, 10, "no seccomp filter"},
    {"W108", G_SECCOMP, 10, "seccomp allows by default"},
    {"W110", G_NS_PID, 4, "host pid namespace"},
    {"W111", G_NS_NET, 4, "host network namespace"},
    {"W112", G_NS_IPC, 2, "host ipc namespace"},
    {"W113", G_NS_UTS, 1, "host uts namespace"},
    {"W114", G_NS_MNT, 4, "host mount namespace"},
    {"W115", G_NS_CGROUP, 1, "host cgroup namespace"},
    {"W116", G_USERNS, 4, "no user namespace"},
    {"W117", G_USERNS, 4, "user namespace maps host id 0"},
    {"W120", G_DEVICES_ALL, 5, "all devices allowed"},
    {"W121", G_DEVICE_NODES, 2, "device outside the allowlist"},
    {"W122", G_DEVICES_ALL, 5, "device rule beyond the allowlist"},
    {"W130", G_BIND_DIRS, 5, "sensitive host tree bind-mounted"},
    {"W131", G_BIND_SOCKETS, 4, "host socket bind-mounted"},
    {"W132", G_DEVICE_NODES, 2, "host device node or fifo bind-mounted"},
    {"W133", G_BIND_DIRS, 5, "rootfs in a sensitive host tree"},
    {"W140", G_MASKED, 3, "default masked paths missing"},
    {"W141", G_READONLY, 3, "no read-only paths"},
    {"W142", G_READONLY, 3, "/proc/sys writable"},
    {"W143", G_KERNEL_RW, 2, "sysfs or cgroupfs writable"},
    {"W144", G_BIND_DIRS, 5, "filesystem type outside the allowlist"},
    {"W150", G_ROOTFS_PROP, 1, "shared rootfs propagation"},
    {"W151", G_MOUNT_PROP, 1, "shared mount propagation"},
    {"W160", G_ROOT_RO, 1.5, "root filesystem writable"},
    {"W170", G_NOFILE, 0.5, "no RLIMIT_NOFILE"},
    {"W180", G_KERNEL_RW, 2, "sysctl name that is no sysctl's"},
    {"W181", G_KERNEL_RW, 2, "sysctl outside the safe set"},
    {"W190", G_BIND_SOCKETS, 4, "hook runs on the host"},
    {"W191", G_BIND_SOCKETS, 4, "seccomp listener outside the allowlist"},
};
const size_t ward_n_check_defs = ARRAY_SIZE(ward_check_defs);

static const char why_root[] =
    CIS "4.1 (a user for the container has been created); " PSS "restricted: Running as Non-root";
static const char why_caps[] =
    CIS "5.3 (Linux kernel capabilities are restricted); " PSS "restricted: Capabilities";
static const char why_priv[] =
    CIS "5.4 (privileged containers are not used); " PSS "baseline: Privileged Containers";
static const char why_nnp[] =
    CIS "5.25 (the container is restricted from acquiring additional privileges); " PSS
	"restricted: Privilege Escalation";
static const char why_seccomp[] =
    CIS "5.21 (the default seccomp profile is not disabled); " PSS "restricted: Seccomp";
static const char why_proc[] = PSS "baseline: /proc Mount Type (the default masks /proc and /sys files)";
static const char why_kernel_rw[] =
    "ward security.md §2 (restricted: no writable kernel paths); " PSS "baseline: /proc Mount Type";
static const char why_prop[] = CIS "5.19 (mount propagation mode is not set to shared)";
static const char why_rootro[] = CIS "5.12 (the container's root filesystem is mounted as read only)";
static const char why_ulimit[] = CIS "5.18 (the default ulimit is overwritten at runtime if needed)";

/* ---- helpers ---- */

const char *ward_severity_name(int severity)
{
	static const char *const names[] = {"info", "low", "medium", "high", "critical"};

	return severity >= WARD_SEV_INFO && severity <= WARD_SEV_CRITICAL ? names[severity - 1] : "?";
}

static const struct ward_check_def *check_def(const char *id)
{
	for (size_t i = 0; i < ward_n_check_defs; i++)
		if (strcmp(ward_check_defs[i].id, id) == 0)
			return &ward_check_defs[i];
	return NULL;
}

/* A new finding; the caller fills path, message and fix. Its weight is the
 * check's maximum unless the caller lowers it. */
struct ward_finding *ward_finding_add(struct collector *c, const char *id, int severity, bool restricted,
				      const char *why)
{
	const struct ward_check_def *d = check_def(id);
	struct ward_finding *f;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->v = xrealloc(c->v, c->cap * sizeof *c->v);
	}
	f = &c->v[c->n++];
	*f = (struct ward_finding){
	    .id = id, .severity = severity, .why = why, .restricted = restricted, .weight = d ? d->max : 0};
	return f;
}

/* Lexically clean an absolute path ("/var//run/./a/../docker.sock" ->
 * "/var/run/docker.sock"); /var/run is the same as /run on every distribution
 * ward supports, so it is folded into /run. NULL for relative paths. */
char *ward_clean_path(const char *p)
{
	char *out, *w;

	if (!p || p[0] != '/')
		return NULL;
	w = out = xmalloc0(strlen(p) + 2);
	while (*p) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.')) {
			p += len;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (w > out && *--w != '/')
				;
			*w = '\0';
		} else {
			*w++ = '/';
			memcpy(w, p, len);
			w += len;
			*w = '\0';
		}
		p += len;
	}
	if (w == out)
		strcpy(out, "/");
	if (strncmp(out, "/var/run", 8) == 0 && (out[8] == '/' || out[8] == '\0'))
		memmove(out, out + 4, strlen(out + 4) + 1);
	return out;
}

bool ward_host_ns_path(const char *path)
{
	_cleanup_free_ char *p = ward_clean_path(path);

	return p && (strncmp(p, "/proc/1/ns/", 11) == 0 || strncmp(p, "/proc/self/ns/", 14) == 0 ||
		     strncmp(p, "/proc/thread-self/ns/", 21) == 0);
}

/* ---- process ---- */

static void check_user(struct collector *c)
{
	const struct ward_process *p = &c->s->process;
	struct ward_finding *f;

	if (p->user.uid != 0 || c->userns)
		return;
	f = ward_finding_add(c, "W101", WARD_SEV_HIGH, true, why_root);
	f->path = xstrdup("process.user.uid");
	f->message =
	    xstrdup(c->userns_maps_root
			? "the process runs as uid 0 in a user namespace whose maps hold host id 0: "
			  "host root's files are its own"
			: "the process runs as uid 0 in the host's user namespace: root on the host if "
			  "it gets out");
	f->fix =
	    xstrdup("set process.user.uid and gid to a non-zero id (e.g. 1000), or add {\"type\":\"user\"} "
		    "to linux.namespaces with linux.uidMappings and gidMappings that leave host id 0 out");
}

static const struct {
	int cap, severity;
	const char *what;
} cap_risks[] = {
    {CAP_SYS_ADMIN, WARD_SEV_CRITICAL, "mounts, namespaces and most of root's powers"},
    {CAP_SYS_MODULE, WARD_SEV_CRITICAL, "loads kernel modules: the host's kernel"},
    {CAP_SYS_RAWIO, WARD_SEV_CRITICAL, "raw I/O ports and device memory"},
    {CAP_DAC_READ_SEARCH, WARD_SEV_CRITICAL, "open_by_handle_at reads any host file (the 'shocker' escape)"},
    {CAP_SYS_PTRACE, WARD_SEV_HIGH, "traces and injects code into other processes"},
    {CAP_SYS_BOOT, WARD_SEV_HIGH, "reboots the host and loads new kernels"},
    {CAP_NET_ADMIN, WARD_SEV_HIGH, "reconfigures interfaces, routes and firewalls"},
    {CAP_BPF, WARD_SEV_HIGH, "loads BPF programs into the kernel"},
    {CAP_PERFMON, WARD_SEV_HIGH, "perf events observe the whole system"},
    {CAP_SYS_TIME, WARD_SEV_HIGH, "sets the host's clock"},
    {CAP_MAC_ADMIN, WARD_SEV_HIGH, "changes the LSM policy"},
    {CAP_MAC_OVERRIDE, WARD_SEV_HIGH, "overrides the LSM policy"},
    {CAP_NET_BIND_SERVICE, WARD_SEV_INFO, "binds ports below 1024 (allowed by restricted)"},
};

static int cap_severity(int cap, const char **what)
{
	for (size_t i = 0; i < ARRAY_SIZE(cap_risks); i++)
		if (cap_risks[i].cap == cap) {
			*what = cap_risks[i].what;
			return cap_risks[i].severity;
		}
	*what = "a part of root's privileges";
	return WARD_SEV_MEDIUM;
}

/* Points of one capability, whatever number of sets lists it. */
static double cap_points(int severity)
{
	switch (severity) {
	case WARD_SEV_CRITICAL:
		return 5;
	case WARD_SEV_HIGH:
		return 3;
	case WARD_SEV_MEDIUM:
		return 1;
	default:
		return 0.1;
	}
}

static const char *cap_label(int cap, const char *as_written)
{
	const char *n = ward_cap_name(cap);

	return n ? n : as_written;
}

/* "bounding, effective and permitted": the sets that hold cap. */
static char *sets_holding(const struct ward_caps *caps, int cap)
{
	static const char *const names[] = {"bounding", "effective", "inheritable", "permitted", "ambient"};
	const char *in[WARD_CAP_NSETS];
	size_t n = 0;
	char *s = xstrdup("");

	for (int i = 0; i < WARD_CAP_NSETS; i++)
		if (caps->set[i] & (UINT64_C(1) << cap))
			in[n++] = names[i];
	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%s%s", s, i == 0 ? "" : i + 1 == n ? " and " : ", ", in[i]);

		free(s);
		s = t;
	}
	return s;
}

/* One finding per capability listed in bounding, effective or permitted; its
 * points are shared by the sets that list it. */
static void check_cap_set(struct collector *c, const char *name)
{
	const struct ward_caps *caps = &c->s->process.caps;
	const char *const k[] = {"process", "capabilities", name, NULL};
	yajl_val a = fobj_path((yajl_val)c->s->tree, k);
	uint64_t seen = 0, bep = caps->set[WARD_CAP_BOUNDING] | caps->set[WARD_CAP_EFFECTIVE] |
				 caps->set[WARD_CAP_PERMITTED];

	for (size_t i = 0; i < farr_len(a); i++) {
		const char *str = fnode_str(a->u.array.values[i]), *what;
		int cap = ward_cap_from_name(str), sev, nsets = 0;
		_cleanup_free_ char *sets = NULL;
		struct ward_finding *f;

		if (cap < 0 || cap > 63 || (seen & (UINT64_C(1) << cap)) || !(bep & (UINT64_C(1) << cap)))
			continue;
		seen |= UINT64_C(1) << cap;
		sev = cap_severity(cap, &what);
		for (int s = WARD_CAP_BOUNDING; s <= WARD_CAP_PERMITTED; s++)
			nsets += s != WARD_CAP_INHERITABLE && (caps->set[s] & (UINT64_C(1) << cap));
		f = ward_finding_add(c, "W102", sev, cap != CAP_NET_BIND_SERVICE, why_caps);
		f->weight = cap_points(sev) / (nsets ? nsets : 1);
		f->path = xasprintf("process.capabilities.%s[%zu]", name, i);
		f->message = xasprintf("%s in the %s set: %s", cap_label(cap, str), name, what);
		sets = sets_holding(caps, cap);
		f->fix = xasprintf("remove \"%s\" from process.capabilities.%s", cap_label(cap, str), sets);
	}
}

/* Up to 4 names of the capabilities in mask, then "...". */
static char *cap_list(uint64_t mask)
{
	char *s = xstrdup("");
	int shown = 0;

	for (int cap = 0; cap < 64; cap++) {
		char *t;

		if (!(mask & (UINT64_C(1) << cap)))
			continue;
		if (shown++ == 4) {
			t = xasprintf("%s, ...", s);
		} else {
			const char *n = ward_cap_name(cap);

			t = n ? xasprintf("%s%s%s", s, *s ? ", " : "", n)
			      : xasprintf("%s%scapability %d", s, *s ? ", " : "", cap);
		}
		free(s);
		s = t;
		if (shown > 4)
			break;
	}
	return s;
}

static void check_caps(struct collector *c)
{
	const struct ward_caps *caps = &c->s->process.caps;
	uint64_t bep =
	    caps->set[WARD_CAP_BOUNDING] | caps->set[WARD_CAP_EFFECTIVE] | caps->set[WARD_CAP_PERMITTED];
	static const struct {
		enum ward_cap_set set;
		const char *id, *name, *effect;
	} extra[] = {
	    {WARD_CAP_INHERITABLE, "W103", "inheritable",
	     "programs with file capabilities gain them at execve (CVE-2022-29162)"},
	    {WARD_CAP_AMBIENT, "W104", "ambient",
	     "every program the process runs keeps them, even as non-root"},
	};

	if ((bep & ALL_CAPS_MASK) == ALL_CAPS_MASK) {
		struct ward_finding *f = ward_finding_add(c, "W105", WARD_SEV_CRITICAL, true, why_priv);

		f->escape = !c->userns;
		f->path = xstrdup("process.capabilities");
		f->message =
		    xstrdup(c->userns ? "every capability is granted: privileged-like, confined only by "
					"the user namespace"
				      : "every capability is granted without a user namespace: "
					"privileged-like, the container can take the host");
		f->fix =
		    xstrdup("list in process.capabilities only what the workload needs (start from [] in "
			    "every set)");
	} else {
		check_cap_set(c, "bounding");
		check_cap_set(c, "effective");
		check_cap_set(c, "permitted");
	}
	for (size_t i = 0; i < ARRAY_SIZE(extra); i++) {
		uint64_t m = caps->set[extra[i].set];
		_cleanup_free_ char *names = NULL;
		struct ward_finding *f;

		if (!m)
			continue;
		names = cap_list(m);
		f = ward_finding_add(c, extra[i].id, WARD_SEV_HIGH, (m & ~NBS_MASK) != 0, why_caps);
		f->path = xasprintf("process.capabilities.%s", extra[i].name);
		f->message = xasprintf("%s capabilities %s: %s", extra[i].name, names, extra[i].effect);
		f->fix = xasprintf("set process.capabilities.%s to []", extra[i].name);
	}
}

static void check_nnp(struct collector *c)
{
	int nnp = c->s->process.no_new_privileges;
	struct ward_finding *f;

	if (nnp == 1 || (nnp < 0 && c->level >= WARD_FINDINGS_BASELINE))
		return;
	f = ward_finding_add(c, "W106", WARD_SEV_HIGH, true, why_nnp);
	f->path = xstrdup("process.noNewPrivileges");
	f->message = xstrdup(nnp == 0 ? "noNewPrivileges is false: setuid and file-capability programs raise "
					"privileges"
				      : "noNewPrivileges is absent, so false under policy oci: setuid and "
					"file-capability programs raise privileges");
	f->fix = xstrdup("set process.noNewPrivileges to true");
}

static void check_rlimits(struct collector *c)
{
	const struct ward_process *p = &c->s->process;
	struct ward_finding *f;

	for (size_t i = 0; p->rlimits && i < p->n_rlimits; i++)
		if (p->rlimits[i].resource == RLIMIT_NOFILE)
			return;
	f = ward_finding_add(c, "W170", WARD_SEV_INFO, false, why_ulimit);
	f->path = xstrdup("process.rlimits");
	f->message = xstrdup("no RLIMIT_NOFILE: the container inherits the runtime's open-file limit");
	f->fix = xstrdup("add {\"type\":\"RLIMIT_NOFILE\",\"soft\":1024,\"hard\":1024} to process.rlimits");
}

/* ---- linux ---- */

static bool seccomp_allows_by_default(yajl_val sc, bool *filters_nothing)
{
	const char *const k[] = {"defaultAction", NULL};
	const char *const sys[] = {"syscalls", NULL};
	const char *act = fnode_str(fobj_path(sc, k));

	*filters_nothing = farr_len(fobj_path(sc, sys)) == 0;
	return act && (strcmp(act, "SCMP_ACT_ALLOW") == 0 || strcmp(act, "SCMP_ACT_LOG") == 0);
}

static void check_seccomp(struct collector *c)
{
	const struct ward_linux *l = &c->s->linux_;
	struct ward_finding *f;
	bool nothing;

	if ((l->has_seccomp && !l->seccomp) || (!l->has_seccomp && c->level < WARD_FINDINGS_BASELINE)) {
		f = ward_finding_add(c, "W107", WARD_SEV_HIGH, true, why_seccomp);
		f->path = xstrdup("linux.seccomp");
		f->message =
		    xstrdup(l->has_seccomp ? "linux.seccomp is null: every syscall reaches the kernel"
					   : "linux.seccomp is absent, so no filter under policy oci: every "
					     "syscall reaches the kernel");
		f->fix =
		    xstrdup(l->has_seccomp ? "remove \"seccomp\": null from linux (ward loads its default "
					     "profile), or give a profile"
					   : "add a linux.seccomp profile (e.g. ward's seccomp-profiles/"
					     "default.json), or run under --policy baseline");
		return;
	}
	if (!l->seccomp || !seccomp_allows_by_default((yajl_val)l->seccomp, &nothing))
		return;
	f = ward_finding_add(c, "W108", nothing ? WARD_SEV_HIGH : WARD_SEV_MEDIUM, true, why_seccomp);
	if (!nothing)
		f->weight = 6;
	f->path = xstrdup("linux.seccomp.defaultAction");
	f->message =
	    xstrdup(nothing ? "the seccomp profile allows every syscall: it filters nothing"
			    : "the seccomp profile allows syscalls it does not name: new and unlisted "
			      "dangerous syscalls pass");
	f->fix = xstrdup("set linux.seccomp.defaultAction to SCMP_ACT_ERRNO and list the allowed syscalls "
			 "(ward's default profile: SCMP_ACT_ERRNO with errnoRet ENOSYS)");
}

/* The index of the namespace of type name in linux.namespaces, for its path. */
size_t ward_ns_index(const struct ward_spec *s, const char *name)
{
	const char *const k[] = {"linux", "namespaces", NULL};
	const char *const t[] = {"type", NULL};
	yajl_val a = fobj_path((yajl_val)s->tree, k);

	for (size_t i = 0; i < farr_len(a); i++) {
		const char *type = fnode_str(fobj_path(a->u.array.values[i], t));

		if (type && strcmp(type, name) == 0)
			return i;
	}
	return 0;
}

static bool covers_proc_sys(char *const *v)
{
	for (; v && *v; v++) {
		_cleanup_free_ char *p = ward_clean_path(*v);

		if (p && (strcmp(p, "/proc/sys") == 0 || strcmp(p, "/proc") == 0 || strcmp(p, "/") == 0))
			return true;
	}
	return false;
}

/* ward's default masked paths that no entry of v masks (itself or a parent),
 * comma-separated; NULL when all are. */
static char *masked_missing(char *const *v, size_t *n)
{
	char *out = NULL;

	*n = 0;
	for (const char *const *d = ward_default_masked_paths; *d; d++) {
		bool covered = false;

		for (char *const *m = v; m && *m && !covered; m++) {
			_cleanup_free_ char *p = ward_clean_path(*m);
			size_t len = p ? strlen(p) : 0;

			covered = p && strncmp(*d, p, len) == 0 &&
				  ((*d)[len] == '\0' || (*d)[len] == '/' || strcmp(p, "/") == 0);
		}
		if (!covered) {
			char *t = xasprintf("%s%s%s", out ? out : "", out ? ", " : "", *d);

			free(out);
			out = t;
			(*n)++;
		}
	}
	return out;
}

static void check_masked(struct collector *c)
{
	const struct ward_linux *l = &c->s->linux_;
	bool oci = c->level < WARD_FINDINGS_BASELINE;
	bool empty = !l->masked_paths || !l->masked_paths[0];
	_cleanup_free_ char *missing = NULL;
	struct ward_finding *f;
	size_t n;

	if ((l->has_masked_paths && empty) || (!l->has_masked_paths && oci)) {
		f = ward_finding_add(c, "W140", WARD_SEV_MEDIUM, true, why_proc);
		f->path = xstrdup("linux.maskedPaths");
		f->message =
		    xstrdup(l->has_masked_paths ? "linux.maskedPaths is empty: /proc/kcore, /proc/keys, "
						  "/sys/firmware... are readable"
						: "linux.maskedPaths is absent, so nothing is masked under "
						  "policy oci: /proc/kcore, /proc/keys... are readable");
		f->fix =
		    xstrdup(l->has_masked_paths ? "remove linux.maskedPaths (ward masks its default list) or "
						  "list the paths `ward spec` masks"
						: "add linux.maskedPaths as `ward spec` writes it");
		return;
	}
	if (!l->has_masked_paths || !(missing = masked_missing(l->masked_paths, &n)))
		return;
	f = ward_finding_add(c, "W140", WARD_SEV_LOW, true, why_proc);
	f->weight = 0.3 * (double)n;
	f->path = xstrdup("linux.maskedPaths");
	f->message = xasprintf("linux.maskedPaths lacks ward's default%s %s: %s readable", n == 1 ? "" : "s",
			       missing, n == 1 ? "it is" : "they are");
	f->fix = xasprintf("add %s to linux.maskedPaths", missing);
}

static void check_paths(struct collector *c)
{
	const struct ward_linux *l = &c->s->linux_;
	bool oci = c->level < WARD_FINDINGS_BASELINE;
	bool ro_empty = !l->readonly_paths || !l->readonly_paths[0];
	struct ward_finding *f;

	check_masked(c);
	if ((l->has_readonly_paths && ro_empty) || (!l->has_readonly_paths && oci)) {
		f = ward_finding_add(c, "W141", WARD_SEV_MEDIUM, true, why_kernel_rw);
		f->path = xstrdup("linux.readonlyPaths");
		f->message =
		    xstrdup(l->has_readonly_paths ? "linux.readonlyPaths is empty: /proc/sys and "
						    "/proc/sysrq-trigger are writable"
						  : "linux.readonlyPaths is absent, so nothing is read-only "
						    "under policy oci: /proc/sys is writable");
		f->fix =
		    xstrdup(l->has_readonly_paths ? "remove linux.readonlyPaths (ward applies its default "
						    "list) or list the paths `ward spec` lists"
						  : "add linux.readonlyPaths as `ward spec` writes it");
	} else if (l->has_readonly_paths && !covers_proc_sys(l->readonly_paths)) {
		f = ward_finding_add(c, "W142", WARD_SEV_MEDIUM, true, why_kernel_rw);
		f->path = xstrdup("linux.readonlyPaths");
		f->message = xstrdup("linux.readonlyPaths lacks /proc/sys: host kernel settings that are not "
				     "namespaced are writable");
		f->fix = xstrdup("add \"/proc/sys\" to linux.readonlyPaths");
	}
}

static void check_root(struct collector *c)
{
	const struct ward_spec *s = c->s;
	const char *prop = s->linux_.rootfs_propagation;
	struct ward_finding *f;

	if (prop && (strcmp(prop, "shared") == 0 || strcmp(prop, "rshared") == 0)) {
		f = ward_finding_add(c, "W150", WARD_SEV_MEDIUM, true, why_prop);
		f->path = xstrdup("linux.rootfsPropagation");
		f->message =
		    xasprintf("rootfsPropagation is %s: mounts made in the container reach the host", prop);
		f->fix = xstrdup("set linux.rootfsPropagation to \"rprivate\" or \"rslave\", or remove it");
	}
	if (!s->root_readonly) {
		f = ward_finding_add(c, "W160", WARD_SEV_LOW, false, why_rootro);
		f->path = xstrdup("root.readonly");
		f->message =
		    xstrdup("the root filesystem is writable: a compromise can change the container's "
			    "programs");
		f->fix = xstrdup("set root.readonly to true and mount a tmpfs where the workload writes");
	}
}

/* A name that sysctl.c would refuse ("net.//.kernel.core_pattern" is
 * net/../kernel/core_pattern): it only aims at a setting of the host, and a
 * runtime translating it naively writes that setting, as ward 7d7cbfc did. */
static void check_sysctl_names(struct collector *c)
{
	const struct ward_linux *l = &c->s->linux_;

	for (size_t i = 0; l->sysctl && i < l->n_sysctl; i++) {
		const char *why = ward_sysctl_name_error(l->sysctl[i].key);
		struct ward_finding *f;

		if (!why)
			continue;
		f = ward_finding_add(c, "W180", WARD_SEV_CRITICAL, true, why_kernel_rw);
		f->escape = true;
		f->path = xasprintf("linux.sysctl.%s", l->sysctl[i].key);
		f->message = xasprintf("not a sysctl name: %s; a runtime translating it naively writes "
				       "outside its namespace's settings",
				       why);
		f->fix = xasprintf("remove linux.sysctl.%s (a name is its path under /proc/sys with '.' for "
				   "'/', and '/' for a '.' inside a component)",
				   l->sysctl[i].key);
	}
}

/* Most severe first; equal severities keep the order of the checks. */
static void sort_by_severity(struct ward_finding *v, size_t n)
{
	struct ward_finding *out;
	size_t k = 0;

	if (n < 2)
		return;
	out = xmalloc0(n * sizeof *out);
	for (int sev = WARD_SEV_CRITICAL; sev >= 0; sev--)
		for (size_t i = 0; i < n; i++)
			if (v[i].severity == sev || (sev == 0 && (v[i].severity < WARD_SEV_INFO ||
								  v[i].severity > WARD_SEV_CRITICAL)))
				out[k++] = v[i];
	memcpy(v, out, n * sizeof *v);
	free(out);
}

int ward_findings_collect_facts(const struct ward_spec *s, int level, const struct ward_host_facts *facts,
				struct ward_finding **out, size_t *n)
{
	struct collector c = {.s = s, .level = level, .facts = facts};

	if (!s || !out || !n || level < 0) {
		errno = EINVAL;
		return -1;
	}
	ward_findings_userns(&c);
	check_user(&c);
	check_caps(&c);
	check_nnp(&c);
	check_seccomp(&c);
	ward_findings_host(&c);
	check_paths(&c);
	check_root(&c);
	check_rlimits(&c);
	check_sysctl_names(&c);
	sort_by_severity(c.v, c.n);
	*out = c.v;
	*n = c.n;
	return 0;
}

int ward_findings_collect(const struct ward_spec *s, int level, struct ward_finding **out, size_t *n)
{
	return ward_findings_collect_facts(s, level, NULL, out, n);
}

void ward_findings_free(struct ward_finding *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++) {
		free(f[i].path);
		free(f[i].message);
		free(f[i].fix);
	}
	free(f);
}
