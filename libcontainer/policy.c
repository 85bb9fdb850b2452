/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "policy.h"

#include <errno.h>
#include <string.h>

#include "caps.h"
#include "findings.h"
#include "sysctl.h"
#include "ward_seccomp.h"
#include "util.h"

const char *const ward_default_masked_paths[] = {"/proc/acpi",
						 "/proc/asound",
						 "/proc/interrupts",
						 "/proc/kcore",
						 "/proc/keys",
						 "/proc/latency_stats",
						 "/proc/timer_list",
						 "/proc/timer_stats",
						 "/proc/sched_debug",
						 "/proc/scsi",
						 "/sys/firmware",
						 "/sys/devices/virtual/powercap",
						 NULL};
const char *const ward_default_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};

static char **strv_copy(const char *const *v)
{
	size_t n = 0;
	char **r;

	while (v[n])
		n++;
	r = xmalloc0((n + 1) * sizeof *r);
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

static void apply_defaults(struct ward_spec *s)
{
	struct ward_linux *l = &s->linux_;

	if (!l->has_masked_paths) {
		strv_free(l->masked_paths);
		l->masked_paths = strv_copy(ward_default_masked_paths);
	}
	if (!l->has_readonly_paths) {
		strv_free(l->readonly_paths);
		l->readonly_paths = strv_copy(ward_default_readonly_paths);
	}
}

/* Every name is checked after its translation to a path under /proc/sys
 * (sysctl.c): the path decides the namespace, so no name reaches the host's
 * settings through "//" (".."). */
static int check_sysctl(const struct ward_linux *l, struct ward_error **e)
{
	for (size_t i = 0; i < l->n_sysctl; i++) {
		_cleanup_free_ char *path = ward_sysctl_path(l->sysctl[i].key, e);
		int ns;

		if (!path)
			return -1;
		ns = ward_sysctl_namespace(path);
		if (ns < 0)
			return ward_err(e, EINVAL,
					"linux.sysctl.%s: not namespaced: setting it would change the host",
					l->sysctl[i].key);
		if (!l->ns[ns].present)
			return ward_err(e, EINVAL,
					"linux.sysctl.%s: needs a %s namespace in linux.namespaces",
					l->sysctl[i].key, ward_ns_name((enum ward_ns_type)ns));
	}
	return 0;
}

/* The kernel only raises an ambient capability that is permitted and
 * inheritable; runc's own `spec` lists ambient ones without inheritable, so
 * those are dropped with a warning rather than refused. */
static void check_caps(struct ward_ctx *ctx, struct ward_caps *c)
{
	uint64_t amb = c->set[WARD_CAP_AMBIENT];
	uint64_t bad = amb & ~(c->set[WARD_CAP_PERMITTED] & c->set[WARD_CAP_INHERITABLE]);

	for (int cap = 0; bad && cap < 64; cap++)
		if (bad & (1ULL << cap))
			ward_log(ctx, WARD_LOG_WARN,
				 "process.capabilities.ambient: %s ignored: it is not both permitted and "
				 "inheritable",
				 ward_cap_name(cap) ? ward_cap_name(cap) : "?");
	c->set[WARD_CAP_AMBIENT] &= ~bad;
}

static int check_linux(struct ward_ctx *ctx, const struct ward_spec *s, struct ward_error **e)
{
	const struct ward_linux *l = &s->linux_;

	if (!l->ns[WARD_NS_MOUNT].present)
		return ward_err(e, EINVAL, "linux.namespaces: a mount namespace is required");
	/* a joined uts namespace is the config's explicit choice to set its name */
	if ((s->hostname || s->domainname) && !l->ns[WARD_NS_UTS].present)
		return ward_err(e, EINVAL, "%s: setting it needs a uts namespace in linux.namespaces",
				s->hostname ? "hostname" : "domainname");
	if (l->ns[WARD_NS_USER].present && !l->ns[WARD_NS_USER].path &&
	    (l->n_uid_mappings == 0 || l->n_gid_mappings == 0))
		return ward_err(e, EINVAL,
				"linux.uidMappings and linux.gidMappings are required with a new user "
				"namespace");
	if ((l->time_boottime.present || l->time_monotonic.present) &&
	    !(l->ns[WARD_NS_TIME].present && !l->ns[WARD_NS_TIME].path))
		return ward_err(e, EINVAL,
				"linux.timeOffsets: needs a new time namespace in linux.namespaces");
	if (l->mount_label)
		ward_log(ctx, WARD_LOG_WARN, "linux.mountLabel ignored: no LSM is active");
	return check_sysctl(l, e);
}

void ward_policy_process(struct ward_ctx *ctx, int level, struct ward_process *p)
{
	/* absent capabilities already mean five empty sets */
	if (p->no_new_privileges < 0)
		p->no_new_privileges = level >= WARD_POLICY_BASELINE;
	if (p->apparmor_profile)
		ward_log(ctx, WARD_LOG_WARN, "process.apparmorProfile ignored: AppArmor is not supported");
	if (p->selinux_label)
		ward_log(ctx, WARD_LOG_WARN, "process.selinuxLabel ignored: SELinux is not supported");
	check_caps(ctx, &p->caps);
}

static void seccomp_warn(void *ud, const char *msg)
{
	ward_log(ud, WARD_LOG_WARN, "%s", msg);
}

int ward_policy_seccomp(struct ward_ctx *ctx, const struct ward_spec *s, const struct ward_process *p,
			int level, struct ward_seccomp **out, struct ward_error **e)
{
	uint64_t eff = p->caps.set[WARD_CAP_EFFECTIVE];

	*out = NULL;
	if (s->linux_.has_seccomp && !s->linux_.seccomp)
		return 0; /* explicit null: the config's own choice (restricted refused it) */
	if (s->linux_.seccomp)
		return ward_seccomp_compile(s->linux_.seccomp, eff, level >= WARD_POLICY_RESTRICTED,
					    seccomp_warn, ctx, out, e);
	if (level < WARD_POLICY_BASELINE)
		return 0;
#ifdef WARD_HAVE_DEFAULT_PROFILE
	return ward_seccomp_default(ward_ctx_cache_dirfd(ctx), eff, out, e);
#else
	return 0; /* built without seccomp-profiles/default.json: no default filter */
#endif
}

const char *ward_policy_name(int level)
{
	return level <= WARD_POLICY_OCI ? "oci" : level == WARD_POLICY_BASELINE ? "baseline" : "restricted";
}

int ward_policy_parse(const char *name)
{
	if (strcmp(name, "oci") == 0)
		return WARD_POLICY_OCI;
	if (strcmp(name, "baseline") == 0)
		return WARD_POLICY_BASELINE;
	if (strcmp(name, "restricted") == 0)
		return WARD_POLICY_RESTRICTED;
	return -1;
}

int ward_policy_level(struct ward_ctx *ctx, const struct ward_spec *s, int *level, struct ward_error **e)
{
	int host, want;

	if (ward_ctx_host_policy(ctx, &host, e) < 0)
		return -1;
	*level = host;
	for (size_t i = 0; i < s->n_annotations; i++) {
		if (strcmp(s->annotations[i].key, WARD_POLICY_ANNOTATION) != 0)
			continue;
		want = ward_policy_parse(s->annotations[i].value);
		if (want < 0)
			return ward_err(
			    e, EINVAL,
			    "annotations.%s: unknown policy level \"%s\" (oci, baseline or restricted)",
			    WARD_POLICY_ANNOTATION, s->annotations[i].value);
		/* a container may ask for more than the host gives, never for less */
		if (want > host)
			*level = want;
		else if (want < host)
			ward_log(ctx, WARD_LOG_WARN,
				 "annotations.%s: \"%s\" cannot loosen the host's policy \"%s\": ignored",
				 WARD_POLICY_ANNOTATION, s->annotations[i].value, ward_policy_name(host));
	}
	return 0;
}

/* restricted refuses a config with any violation of security.md §2, listing
 * them all; below that, each honoured risky setting is logged. */
static int judge(struct ward_ctx *ctx, const struct ward_spec *s, int level,
		 const struct ward_host_facts *facts, struct ward_error **e)
{
	struct ward_finding *f = NULL;
	size_t n = 0, bad = 0;
	char *msg = NULL;
	int r = 0;

	if (ward_findings_collect_facts(
		s, level >= WARD_POLICY_BASELINE ? WARD_FINDINGS_BASELINE : WARD_FINDINGS_OCI, facts, &f,
		&n) < 0)
		return ward_err_sys(e, "evaluate the config against the policy");
	for (size_t i = 0; i < n; i++) {
		if (!f[i].restricted)
			continue;
		if (level < WARD_POLICY_RESTRICTED) {
			ward_log(ctx, WARD_LOG_WARN, "risky setting honoured: %s: %s", f[i].path,
				 f[i].message);
			continue;
		}
		char *line =
		    xasprintf("%s\n  %s: %s (fix: %s)", msg ? msg : "", f[i].path, f[i].message, f[i].fix);

		free(msg);
		msg = line;
		bad++;
	}
	if (bad)
		r = ward_err(e, EPERM, "refused by the restricted policy (%zu violation%s):%s", bad,
			     bad == 1 ? "" : "s", msg);
	free(msg);
	ward_findings_free(f, n);
	return r;
}

int ward_policy_apply(struct ward_ctx *ctx, struct ward_spec *s, int *level, struct ward_error **e)
{
	if (!s->process.present || !s->process.args || !s->process.args[0])
		return ward_err(e, EINVAL, "process.args: required to run a container");
	if (ward_policy_level(ctx, s, level, e) < 0)
		return -1;
	ward_policy_process(ctx, *level, &s->process);
	if (check_linux(ctx, s, e) < 0)
		return -1;
	if (*level >= WARD_POLICY_BASELINE)
		apply_defaults(s);
	return 0;
}

int ward_policy_judge(struct ward_ctx *ctx, const struct ward_spec *s, int level,
		      const struct ward_host_facts *facts, struct ward_error **e)
{
	/* below restricted, the risky settings are logged once the container
	 * exists (ward_policy_log_risky): a failed create says one thing */
	return level >= WARD_POLICY_RESTRICTED ? judge(ctx, s, level, facts, e) : 0;
}

void ward_policy_log_risky(struct ward_ctx *ctx, const struct ward_spec *s, int level,
			   const struct ward_host_facts *facts)
{
	if (level < WARD_POLICY_RESTRICTED)
		judge(ctx, s, level, facts, NULL);
}
