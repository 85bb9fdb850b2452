/* SPDX-License-Identifier: Apache-2.0 */
/* The findings about what a config takes from the host (findings.h): the user
 * namespace's maps, joined namespaces, devices and device rules, mounts (bind
 * sources, filesystem types, propagation), the rootfs, hooks that run on the
 * host, the seccomp listener and sysctls.
 *
 * The restricted level is an allowlist (security.md §0): a container may have
 * ward's default devices and what the host policy file allows, the filesystem
 * types proc, sysfs (read-only), tmpfs, devpts, mqueue and cgroup (read-only),
 * binds of directories and regular files outside the sensitive host trees, its
 * own namespaces or ones that are not the host's, a user namespace whose maps
 * leave host id 0 out, the safe sysctls, hooks and listeners the host allows.
 * Everything else is a finding with restricted set. With facts (hostobj.c) the
 * objects are judged as opened on this host; without them by their strings,
 * and what a string cannot settle is refused. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "findings_priv.h"
#include "util.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static const char why_userns[] = CIS "5.30 (the host's user namespaces are not shared)";
static const char why_devices[] = CIS "5.17 (host devices are not directly exposed to containers)";
static const char why_dirs[] =
    CIS "5.5 (sensitive host system directories are not mounted); " PSS "baseline: HostPath Volumes";
static const char why_socket[] = CIS "5.31 (the Docker socket is not mounted inside any containers)";
static const char why_kernel_rw[] =
    "ward security.md §2 (restricted: no writable kernel paths); " PSS "baseline: /proc Mount Type";
static const char why_fs[] =
    "ward security.md §2 (restricted: only proc, sysfs, tmpfs, devpts, mqueue, cgroup "
    "and binds); " PSS "baseline: HostPath Volumes";
static const char why_prop[] = CIS "5.19 (mount propagation mode is not set to shared)";
static const char why_hooks[] = "ward security.md §2 (restricted: no program of the config's runs on the "
				"host); " PSS "baseline: Privileged Containers";
static const char why_sysctl[] = PSS "baseline: Sysctls (only the safe set)";
static const char *const why_ns[] = {
    CIS "5.15 (the host's process namespace is not shared); " PSS "baseline: Host Namespaces",
    CIS "5.9 (the host's network namespace is not shared); " PSS "baseline: Host Namespaces",
    CIS "5.16 (the host's IPC namespace is not shared); " PSS "baseline: Host Namespaces",
    CIS "5.20 (the host's UTS namespace is not shared)",
    CIS "5.5 (sensitive host system directories are not mounted): the host's mount namespace has them all",
    "ward security.md §2 (restricted: no host namespace is shared)",
};

/* ---- helpers ---- */

static bool strv_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

/* The last of "ro"/"rw" in mount options wins; no option means rw. */
static bool opts_ro(char *const *o)
{
	bool ro = false;

	for (; o && *o; o++) {
		if (strcmp(*o, "ro") == 0)
			ro = true;
		else if (strcmp(*o, "rw") == 0)
			ro = false;
	}
	return ro;
}

static bool is_bind(const struct ward_mount *m)
{
	return (m->type && strcmp(m->type, "bind") == 0) || strv_has(m->options, "bind") ||
	       strv_has(m->options, "rbind");
}

static bool under(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(p, dir, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

/* The facts about o, when the host could be asked and it opened. */
static const struct ward_hostobj *opened(const struct collector *c, const struct ward_hostobj *o)
{
	return c->facts && o && o->checked ? o : NULL;
}

static const struct ward_hostobj *ns_fact(const struct collector *c, int t)
{
	return c->facts ? opened(c, &c->facts->ns[t]) : NULL;
}

static const char *rel_words(int rel)
{
	return rel == WARD_TREE_IS ? "is" : rel == WARD_TREE_UNDER ? "is in" : "contains";
}

/* ---- user namespace ---- */

static void maps_findings(struct collector *c, const char *key, const struct ward_idmap *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		struct ward_finding *f;

		if (m[i].host_id != 0 || m[i].size == 0)
			continue;
		f = ward_finding_add(c, "W117", WARD_SEV_HIGH, true, why_userns);
		f->path = xasprintf("linux.%s[%zu]", key, i);
		f->message =
		    xasprintf("maps container ids %u-%u to host ids from 0: host root's files and ids are "
			      "the container's",
			      m[i].container_id, m[i].container_id + (m[i].size - 1));
		f->fix =
		    xasprintf("map to host ids that leave 0 out in linux.%s[%zu] (e.g. {\"containerID\":0,"
			      "\"hostID\":100000,\"size\":65536})",
			      key, i);
	}
}

static bool maps_hold_root(const struct ward_idmap *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++)
		if (m[i].host_id == 0 && m[i].size > 0)
			return true;
	return false;
}

static void joined_userns_finding(struct collector *c, const char *msg, int severity, double weight)
{
	struct ward_finding *f = ward_finding_add(c, "W117", severity, true, why_userns);
	size_t i = ward_ns_index(c->s, "user");

	f->weight = weight;
	f->path = xasprintf("linux.namespaces[%zu].path", i);
	f->message = xasprintf("the user namespace joined (%s) %s", c->s->linux_.ns[WARD_NS_USER].path, msg);
	f->fix = xasprintf("remove \"path\" from linux.namespaces[%zu] and give linux.uidMappings and "
			   "gidMappings that leave host id 0 out",
			   i);
}

void ward_findings_userns(struct collector *c)
{
	const struct ward_linux *l = &c->s->linux_;
	const struct ward_namespace *u = &l->ns[WARD_NS_USER];
	const struct ward_hostobj *o = ns_fact(c, WARD_NS_USER);
	bool present = c->s->has_linux && u->present, host = false, unknown = false;
	struct ward_finding *f;

	if (present && u->path && o) {
		host = o->host_ns;
		c->userns_maps_root = !host && o->maps_host_root;
	} else if (present && u->path) {
		host = ward_host_ns_path(u->path);
		unknown = !host;
	} else if (present) {
		c->userns_maps_root = maps_hold_root(l->uid_mappings, l->n_uid_mappings) ||
				      maps_hold_root(l->gid_mappings, l->n_gid_mappings);
	}
	c->userns = present && !host && !c->userns_maps_root;
	c->host_root = c->s->process.user.uid == 0 && !c->userns;
	if (!present || host) {
		f = ward_finding_add(c, "W116", WARD_SEV_MEDIUM, false, why_userns);
		f->path = present ? xasprintf("linux.namespaces[%zu].path", ward_ns_index(c->s, "user"))
				  : xstrdup("linux.namespaces");
		f->message =
		    xstrdup(present ? "the user namespace joined is the host's: container root is host root"
				    : "no user namespace: uids in the container are the host's");
		f->fix = xstrdup("add {\"type\":\"user\"} to linux.namespaces with linux.uidMappings and "
				 "gidMappings");
	} else if (c->userns_maps_root && u->path) {
		joined_userns_finding(c,
				      o->fs_magic == NSFS_MAGIC ? "maps host id 0 (checked on this host)"
								: "is not a namespace (checked on this host)",
				      WARD_SEV_HIGH, 4);
	} else if (c->userns_maps_root) {
		maps_findings(c, "uidMappings", l->uid_mappings, l->n_uid_mappings);
		maps_findings(c, "gidMappings", l->gid_mappings, l->n_gid_mappings);
	} else if (unknown) {
		joined_userns_finding(c, "cannot be checked here: its maps may hold host id 0",
				      WARD_SEV_MEDIUM, 1);
	}
}

/* ---- namespaces ---- */

static void check_namespaces(struct collector *c)
{
	static const struct {
		const char *id;
		int severity;
		const char *gives;
	} ns[] = {
	    {"W110", WARD_SEV_HIGH, "the host's processes can be seen, signalled and traced"},
	    {"W111", WARD_SEV_HIGH, "the host's interfaces and local services are reachable"},
	    {"W112", WARD_SEV_MEDIUM, "the host's shared memory and message queues are reachable"},
	    {"W113", WARD_SEV_LOW, "the host's hostname can be changed"},
	    {"W114", WARD_SEV_CRITICAL, "every host mount is visible"},
	    {"W115", WARD_SEV_LOW, "the host's cgroup tree is visible"},
	};
	const struct ward_linux *l = &c->s->linux_;

	for (int t = WARD_NS_PID; t <= WARD_NS_CGROUP; t++) {
		const char *name = ward_ns_name((enum ward_ns_type)t);
		bool missing = !c->s->has_linux || !l->ns[t].present;
		const struct ward_hostobj *o = missing ? NULL : ns_fact(c, t);
		bool host = !missing && l->ns[t].path && (o ? o->host_ns : ward_host_ns_path(l->ns[t].path));
		bool maybe = !missing && l->ns[t].path && !o && !host;
		bool not_ns = o && o->fs_magic != NSFS_MAGIC;
		struct ward_finding *f;
		size_t i;

		if (!missing && !host && !maybe && !not_ns)
			continue;
		f = ward_finding_add(c, ns[t].id, maybe ? WARD_SEV_LOW : ns[t].severity, true, why_ns[t]);
		if (missing) {
			f->path = xstrdup("linux.namespaces");
			f->message =
			    xasprintf("no %s namespace: the host's is shared; %s", name, ns[t].gives);
			f->fix = xasprintf("add {\"type\":\"%s\"} to linux.namespaces", name);
			continue;
		}
		i = ward_ns_index(c->s, name);
		f->path = xasprintf("linux.namespaces[%zu].path", i);
		if (not_ns) {
			f->message = xasprintf("%s is not a namespace (checked on this host)", l->ns[t].path);
		} else if (maybe) {
			f->weight /= 2;
			f->message =
			    xasprintf("the %s namespace joins %s, which cannot be checked here: it may be "
				      "the host's",
				      name, l->ns[t].path);
		} else {
			f->message =
			    xasprintf("the %s namespace joins %s, the host's%s; %s", name, l->ns[t].path,
				      o ? " (the runtime's own, checked on this host)" : "", ns[t].gives);
		}
		f->fix =
		    xasprintf("remove \"path\" from linux.namespaces[%zu] (a new %s namespace)", i, name);
	}
}

/* ---- devices ---- */

/* ward's default devices (devices.c, cgroup_devices.c): what a container has without asking. */
static const struct ward_allow_dev default_devices[] = {
    {'c', 1, 3}, {'c', 1, 5}, {'c', 1, 7}, {'c', 1, 8}, {'c', 1, 9}, {'c', 5, 0}, {'c', 5, 2}, {'c', 136, -1},
};

/* type 'c' or 'b'; minor -1: every minor of major (allowed only as a whole). */
static bool dev_allowed(const struct collector *c, char type, int64_t major, int64_t minor)
{
	const struct ward_host_policy *hp = c->facts ? c->facts->policy : NULL;

	if (major < 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(default_devices) + (hp ? hp->n_devices : 0); i++) {
		const struct ward_allow_dev *d = i < ARRAY_SIZE(default_devices)
						     ? &default_devices[i]
						     : &hp->devices[i - ARRAY_SIZE(default_devices)];

		if (d->type == type && d->major == major && (d->minor == -1 || d->minor == minor))
			return true;
	}
	return false;
}

static bool kernel_memory(char type, int64_t major, int64_t minor)
{
	return type == 'c' && major == 1 && (minor == 1 || minor == 2 || minor == 4);
}

/* In a user namespace ward binds the host's node at the device's path: it must
 * be the device the config lists (devices.c checks it again when it binds). */
static bool host_node_differs(const struct collector *c, size_t i, const struct ward_device *d)
{
	const struct ward_hostobj *o =
	    c->facts && i < c->facts->n_devices ? opened(c, &c->facts->devices[i]) : NULL;
	char type = d->type == 'u' ? 'c' : d->type;

	if (!o || !c->s->linux_.ns[WARD_NS_USER].present)
		return false;
	return !((o->type == S_IFCHR && type == 'c') || (o->type == S_IFBLK && type == 'b')) ||
	       major(o->rdev) != (uint64_t)d->major || minor(o->rdev) != (uint64_t)d->minor;
}

static void check_device_nodes(struct collector *c)
{
	const struct ward_linux *l = &c->s->linux_;

	for (size_t i = 0; l->devices && i < l->n_devices; i++) {
		const struct ward_device *d = &l->devices[i];
		char type = d->type == 'u' ? 'c' : d->type;
		bool mem = kernel_memory(type, d->major, d->minor), differs = host_node_differs(c, i, d);
		struct ward_finding *f;

		if (type == 'p' || (dev_allowed(c, type, d->major, d->minor) && !differs))
			continue;
		f = ward_finding_add(c, "W121", type == 'b' || mem ? WARD_SEV_CRITICAL : WARD_SEV_HIGH, true,
				     why_devices);
		f->escape = type == 'b' || mem; /* the host's disks or memory, raw */
		f->path = xasprintf("linux.devices[%zu]", i);
		if (differs)
			f->message =
			    xasprintf("%s: the host's node there, bound in the user namespace, is not the %c "
				      "%lld:%lld the config lists",
				      d->path, d->type, (long long)d->major, (long long)d->minor);
		else
			f->message = xasprintf(
			    "%s (%c %lld:%lld) is not one of ward's default devices nor allowed by the host "
			    "policy%s",
			    d->path, d->type, (long long)d->major, (long long)d->minor,
			    mem		  ? ": the host's kernel memory"
			    : type == 'b' ? ": a block device, raw"
					  : "");
		f->fix = xasprintf("remove linux.devices[%zu], or allow it in the host policy file "
				   "(\"allow-device = %c %lld:%lld\")",
				   i, type, (long long)d->major, (long long)d->minor);
	}
}

/* A linux.resources.devices rule that covers every device: type "a", or no
 * type and no major/minor (the spec: unset means all). */
static bool rule_covers_all(yajl_val r)
{
	const char *type = fnode_str(fobj_get(r, "type"));
	yajl_val major = fobj_get(r, "major"), minor = fobj_get(r, "minor");

	if (type)
		return strcmp(type, "a") == 0;
	return (!major || YAJL_IS_NULL(major) || (YAJL_IS_INTEGER(major) && YAJL_GET_INTEGER(major) < 0)) &&
	       (!minor || YAJL_IS_NULL(minor) || (YAJL_IS_INTEGER(minor) && YAJL_GET_INTEGER(minor) < 0));
}

static int64_t rule_num(yajl_val r, const char *key)
{
	yajl_val v = fobj_get(r, key);

	return v && YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0 ? YAJL_GET_INTEGER(v) : -1;
}

static const char *num_or_star(int64_t v, char buf[24])
{
	if (v < 0)
		return "*";
	snprintf(buf, 24, "%lld", (long long)v);
	return buf;
}

/* Whether the rule opens devices (r or w; absent access is "rwm"). */
static bool rule_opens(yajl_val r)
{
	const char *a = fnode_str(fobj_get(r, "access"));

	return !a || strpbrk(a, "rw");
}

/* Rule j (a deny) covers what rule i allows. */
static bool denied_later(yajl_val a, size_t i)
{
	yajl_val r = a->u.array.values[i];
	const char *t = fnode_str(fobj_get(r, "type"));

	for (size_t j = i + 1; j < farr_len(a); j++) {
		yajl_val d = a->u.array.values[j];
		const char *dt = fnode_str(fobj_get(d, "type")), *da = fnode_str(fobj_get(d, "access"));
		int64_t dmaj = rule_num(d, "major"), dmin = rule_num(d, "minor");

		if (YAJL_IS_TRUE(fobj_get(d, "allow")) || (da && !(strchr(da, 'r') && strchr(da, 'w'))))
			continue;
		if ((rule_covers_all(d) || (dt && t && strcmp(dt, t) == 0)) &&
		    (dmaj < 0 || dmaj == rule_num(r, "major")) && (dmin < 0 || dmin == rule_num(r, "minor")))
			return true;
	}
	return false;
}

static void check_device_rules(struct collector *c)
{
	yajl_val a = fobj_get((yajl_val)c->s->linux_.resources, "devices");
	struct ward_finding *f;
	size_t last = 0;
	bool found = false;

	/* Rules apply in order: a later rule over all devices replaces earlier ones. */
	for (size_t i = 0; i < farr_len(a); i++)
		if (rule_covers_all(a->u.array.values[i])) {
			last = i;
			found = true;
		}
	if (found && YAJL_IS_TRUE(fobj_get(a->u.array.values[last], "allow"))) {
		f = ward_finding_add(c, "W120", WARD_SEV_CRITICAL, true, why_devices);
		f->path = xasprintf("linux.resources.devices[%zu]", last);
		f->message =
		    xstrdup("every device is allowed: host disks and kernel memory can be opened once a "
			    "node exists (mknod)");
		f->fix =
		    xasprintf("replace linux.resources.devices[%zu] by {\"allow\":false,\"access\":\"rwm\"} "
			      "and allow only the devices the workload needs",
			      last);
	}
	for (size_t i = found ? last + 1 : 0; i < farr_len(a); i++) {
		yajl_val r = a->u.array.values[i];
		const char *t = fnode_str(fobj_get(r, "type"));
		int64_t maj = rule_num(r, "major"), min = rule_num(r, "minor");
		char b1[24], b2[24];

		if (!YAJL_IS_TRUE(fobj_get(r, "allow")) || !rule_opens(r) || rule_covers_all(r) ||
		    (t && (t[0] == 'c' || t[0] == 'b') && !t[1] && dev_allowed(c, t[0], maj, min)) ||
		    denied_later(a, i))
			continue;
		f = ward_finding_add(c, "W122", WARD_SEV_HIGH, true, why_devices);
		f->weight = 3;
		f->path = xasprintf("linux.resources.devices[%zu]", i);
		f->message = xasprintf("allows %s %s:%s beyond ward's default devices and the host policy's",
				       t ? t : "a", num_or_star(maj, b1), num_or_star(min, b2));
		f->fix =
		    xasprintf("remove linux.resources.devices[%zu], or allow the device in the host policy "
			      "file (allow-device)",
			      i);
	}
}

/* ---- mounts ---- */

/* Engine and runtime sockets and their directories: any of them is the host.
 * /run itself holds them all. */
static bool engine_socket(const char *p)
{
	static const char *const dirs[] = {"/run/docker.sock", "/run/docker", "/run/containerd",
					   "/run/podman",      "/run/crio",   "/run/ward"};

	if (strcmp(p, "/run") == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (under(p, dirs[i]))
			return true;
	return false;
}

static void bind_special(struct collector *c, size_t i, const struct ward_mount *m,
			 const struct ward_hostobj *o, const char *src)
{
	bool sock = !o || o->type == S_IFSOCK, blk = o && o->type == S_IFBLK;
	struct ward_finding *f;

	if (sock) {
		f = ward_finding_add(c, "W131", WARD_SEV_CRITICAL, true, why_socket);
		f->escape = src && engine_socket(src);
		f->message = xasprintf("binds %s into %s: %s", m->source, m->destination,
				       o ? "a unix socket (checked on this host): a host service's API"
					 : "a container engine's API, which is root on the host");
	} else {
		f = ward_finding_add(c, "W132", blk ? WARD_SEV_CRITICAL : WARD_SEV_HIGH, true, why_devices);
		f->escape = blk;
		f->message = xasprintf("binds %s into %s: a %s (checked on this host); devices come only "
				       "through linux.devices",
				       m->source, m->destination,
				       blk		    ? "host block device, raw"
				       : o->type == S_IFCHR ? "host character device"
							    : "host fifo");
	}
	f->path = xasprintf("mounts[%zu].source", i);
	f->fix = xasprintf("remove mounts[%zu]", i);
}

static void check_bind(struct collector *c, size_t i, const struct ward_mount *m)
{
	const struct ward_hostobj *o =
	    c->facts && i < c->facts->n_mounts ? opened(c, &c->facts->mounts[i]) : NULL;
	_cleanup_free_ char *src = ward_clean_path(o ? o->canon : m->source);
	bool ro = opts_ro(m->options), links = false;
	const char *tree = NULL;
	struct ward_finding *f;
	int rel = WARD_TREE_NONE;

	if ((o && o->type != S_IFDIR && o->type != S_IFREG) || (!o && src && engine_socket(src))) {
		bind_special(c, i, m, o, src);
		return;
	}
	if (o) {
		rel = o->rel;
		tree = o->tree;
		links = rel == WARD_TREE_NONE && o->type == S_IFREG && o->nlink > 1;
	} else if (src) {
		rel = ward_sensitive_path(src, NULL, &tree);
	} else if (m->source && (strcmp(m->source, "..") == 0 || strncmp(m->source, "../", 3) == 0 ||
				 strstr(m->source, "/../") || strstr(m->source, "/.."))) {
		rel = WARD_TREE_UNDER; /* a relative path out of the bundle: anywhere on the host */
		tree = "/";
	}
	if (rel == WARD_TREE_NONE && !links)
		return;
	f = ward_finding_add(c, "W130",
			     !ro	 ? (tree && strcmp(tree, "/") == 0 && rel != WARD_TREE_UNDER
						? WARD_SEV_CRITICAL
						: WARD_SEV_HIGH)
			     : c->userns ? WARD_SEV_LOW
					 : WARD_SEV_MEDIUM,
			     true, why_dirs);
	f->weight = f->severity >= WARD_SEV_HIGH ? 5 : f->severity == WARD_SEV_MEDIUM ? 3 : 1;
	f->escape = (!ro && c->host_root) || (src && engine_socket(src));
	f->path = xasprintf("mounts[%zu].source", i);
	if (links)
		f->message =
		    xasprintf("binds %s into %s: a file with %lu hard links (checked on this host), whose "
			      "other names may be in a sensitive host tree",
			      m->source, m->destination, o->nlink);
	else
		f->message = xasprintf("binds %s, which %s the host's %s%s, into %s%s", m->source,
				       rel_words(rel), tree, o ? " (checked on this host)" : "",
				       m->destination, ro ? " (read-only)" : " read-write");
	f->fix = xasprintf("remove mounts[%zu], or bind a dedicated directory instead", i);
}

static bool fs_allowed(const char *t)
{
	static const char *const ok[] = {"proc", "sysfs", "tmpfs", "devpts", "mqueue", "cgroup", "cgroup2"};

	for (size_t i = 0; t && i < ARRAY_SIZE(ok); i++)
		if (strcmp(t, ok[i]) == 0)
			return true;
	return false;
}

static void check_fs(struct collector *c, size_t i, const struct ward_mount *m)
{
	const char *t = m->type ? m->type : "";
	struct ward_finding *f;

	if (!fs_allowed(m->type)) {
		f = ward_finding_add(c, "W144", WARD_SEV_CRITICAL, true, why_fs);
		/* the init mounts it with every capability: a host disk, read-write */
		f->escape = m->source && strncmp(m->source, "/dev/", 5) == 0;
		f->path = xasprintf(m->type ? "mounts[%zu].type" : "mounts[%zu]", i);
		f->message =
		    xasprintf("mounts a %s filesystem%s%s on %s: only proc, sysfs, tmpfs, devpts, mqueue and "
			      "cgroup are a container's own",
			      *t ? t : "(no type)", m->source ? " from " : "", m->source ? m->source : "",
			      m->destination);
		f->fix = xasprintf("remove mounts[%zu], or bind a directory prepared on the host", i);
	} else if ((strcmp(t, "sysfs") == 0 || strcmp(t, "cgroup") == 0 || strcmp(t, "cgroup2") == 0) &&
		   !opts_ro(m->options)) {
		f = ward_finding_add(c, "W143", WARD_SEV_MEDIUM, true, why_kernel_rw);
		f->path = xasprintf(m->options ? "mounts[%zu].options" : "mounts[%zu]", i);
		f->message = xasprintf("%s on %s is writable: kernel and cgroup knobs can be changed", t,
				       m->destination);
		f->fix = xasprintf(m->options ? "add \"ro\" to mounts[%zu].options"
					      : "add \"options\": [\"ro\"] to mounts[%zu]",
				   i);
	}
}

static void check_mounts(struct collector *c)
{
	for (size_t i = 0; c->s->mounts && i < c->s->n_mounts; i++) {
		const struct ward_mount *m = &c->s->mounts[i];

		if (is_bind(m))
			check_bind(c, i, m);
		else
			check_fs(c, i, m);
		for (size_t j = 0; m->options && m->options[j]; j++) {
			struct ward_finding *f;

			if (strcmp(m->options[j], "shared") != 0 && strcmp(m->options[j], "rshared") != 0)
				continue;
			f = ward_finding_add(c, "W151", WARD_SEV_LOW, true, why_prop);
			f->path = xasprintf("mounts[%zu].options[%zu]", i, j);
			f->message = xasprintf("%s is %s: mounts made in the container propagate to the host",
					       m->destination, m->options[j]);
			f->fix =
			    xasprintf("replace \"%s\" in mounts[%zu].options by \"rprivate\" or \"rslave\"",
				      m->options[j], i);
		}
	}
}

static void check_rootfs(struct collector *c)
{
	const struct ward_hostobj *o = c->facts ? opened(c, &c->facts->root) : NULL;
	_cleanup_free_ char *p = ward_clean_path(o ? o->canon : c->s->root_path);
	const char *tree = NULL;
	struct ward_finding *f;
	int rel = o ? o->rel : p ? ward_sensitive_path(p, NULL, &tree) : WARD_TREE_NONE;

	if (o)
		tree = o->tree;
	if (rel == WARD_TREE_NONE)
		return;
	f = ward_finding_add(c, "W133", rel == WARD_TREE_UNDER ? WARD_SEV_HIGH : WARD_SEV_CRITICAL, true,
			     why_dirs);
	f->escape = !c->s->root_readonly && c->host_root;
	f->path = xstrdup("root.path");
	f->message = xasprintf("the rootfs %s %s the host's %s%s: the container's / is host data%s",
			       c->s->root_path, rel_words(rel), tree, o ? " (checked on this host)" : "",
			       c->s->root_readonly ? " (read-only)" : ", writable");
	f->fix = xstrdup("use a root filesystem of the container's own (an image unpacked in the bundle)");
}

/* ---- hooks, the listener, sysctls ---- */

static void check_hooks(struct collector *c)
{
	/* startContainer hooks run in the container, as its process */
	static const enum ward_hook_kind on_host[] = {WARD_HOOK_PRESTART, WARD_HOOK_CREATE_RUNTIME,
						      WARD_HOOK_CREATE_CONTAINER, WARD_HOOK_POSTSTART,
						      WARD_HOOK_POSTSTOP};

	for (size_t k = 0; k < ARRAY_SIZE(on_host); k++) {
		enum ward_hook_kind kind = on_host[k];
		const char *name = ward_hook_kind_name(kind);

		for (size_t i = 0; i < c->s->n_hooks[kind]; i++) {
			const struct ward_hook *h = &c->s->hooks[kind][i];
			const struct ward_hostobj *o = c->facts && i < c->facts->n_hooks[kind]
							   ? opened(c, &c->facts->hooks[kind][i])
							   : NULL;
			struct ward_finding *f;

			if (o && o->allowed)
				continue;
			f = ward_finding_add(c, "W190", WARD_SEV_CRITICAL, true, why_hooks);
			f->escape = true;
			f->path = xasprintf("hooks.%s[%zu].path", name, i);
			f->message =
			    xasprintf("%s runs %s as root on the host%s, and the host policy does not allow "
				      "that binary%s",
				      name, h->path ? h->path : "?",
				      kind == WARD_HOOK_CREATE_CONTAINER ? " (in the container's namespaces, "
									   "before pivot_root)"
									 : "",
				      c->facts && !o ? " (it could not be checked here)" : "");
			f->fix =
			    xasprintf("remove hooks.%s[%zu], or allow its binary in the host policy file "
				      "(\"allow-hook = %s\")",
				      name, i,
				      o && o->canon ? o->canon
				      : h->path	    ? h->path
						    : "PATH");
		}
	}
}

static void check_listener(struct collector *c)
{
	const char *lp = fnode_str(fobj_get((yajl_val)c->s->linux_.seccomp, "listenerPath"));
	const struct ward_hostobj *o = c->facts ? opened(c, &c->facts->listener) : NULL;
	struct ward_finding *f;

	if (!lp || (o && o->allowed))
		return;
	f = ward_finding_add(c, "W191", WARD_SEV_HIGH, true, why_hooks);
	f->path = xstrdup("linux.seccomp.listenerPath");
	f->message =
	    xasprintf("ward connects to %s, a host socket the config names, and hands it the container's "
		      "seccomp notifications: whoever listens there decides the container's syscalls",
		      lp);
	f->fix =
	    xasprintf("remove linux.seccomp.listenerPath and the SCMP_ACT_NOTIFY rules, or allow it in the "
		      "host policy file (\"allow-listener = %s\")",
		      lp);
}

/* The Kubernetes "safe" sysctls: namespaced, and isolated from other pods. */
static const char *const safe_sysctls[] = {"kernel.shm_rmid_forced",
					   "net.ipv4.ip_local_port_range",
					   "net.ipv4.ip_unprivileged_port_start",
					   "net.ipv4.tcp_syncookies",
					   "net.ipv4.ping_group_range",
					   "net.ipv4.ip_local_reserved_ports",
					   "net.ipv4.tcp_keepalive_time",
					   "net.ipv4.tcp_fin_timeout",
					   "net.ipv4.tcp_keepalive_intvl",
					   "net.ipv4.tcp_keepalive_probes",
					   NULL};

static void check_sysctl(struct collector *c)
{
	const struct ward_linux *l = &c->s->linux_;
	const struct ward_host_policy *hp = c->facts ? c->facts->policy : NULL;

	for (size_t i = 0; l->sysctl && i < l->n_sysctl; i++) {
		const char *k = l->sysctl[i].key;
		struct ward_finding *f;

		if (strv_has((char *const *)safe_sysctls, k) || (hp && strv_has(hp->sysctls, k)))
			continue;
		f = ward_finding_add(c, "W181", WARD_SEV_MEDIUM, true, why_sysctl);
		f->weight = 1;
		f->path = xasprintf("linux.sysctl.%s", k);
		f->message =
		    xasprintf("sets %s, which is not one of the safe sysctls (Kubernetes' set) nor allowed "
			      "by the host policy",
			      k);
		f->fix = xasprintf("remove \"%s\" from linux.sysctl, or allow it in the host policy file "
				   "(\"allow-sysctl = %s\")",
				   k, k);
	}
}

void ward_findings_host(struct collector *c)
{
	check_namespaces(c);
	check_device_rules(c);
	check_device_nodes(c);
	check_mounts(c);
	check_rootfs(c);
	check_hooks(c);
	check_listener(c);
	check_sysctl(c);
}
