/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to findings.c and findings_host.c: the collector both fill, and the
 * helpers they share. */
#ifndef WARD_FINDINGS_PRIV_H
#define WARD_FINDINGS_PRIV_H

#include <stdbool.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "findings.h"
#include "hostobj.h"

/* CIS Docker Benchmark numbers are those of v1.5.0; Pod Security controls the
 * names on the Kubernetes "Pod Security Standards" page. */
#define CIS "CIS Docker v1.5.0 "
#define PSS "Pod Security "

struct collector {
	const struct ward_spec *s;
	int level;
	const struct ward_host_facts *facts; /* NULL: judge by the strings alone */
	bool userns;			     /* a user namespace of its own, whose maps leave host id 0 out */
	bool userns_maps_root;		     /* one is listed, but its maps hold host id 0 */
	bool host_root;			     /* the process is uid 0 without such a user namespace */
	struct ward_finding *v;
	size_t n, cap;
};

/* A new finding; the caller fills path, message and fix. Its weight is the
 * check's maximum unless the caller lowers it. */
struct ward_finding *ward_finding_add(struct collector *c, const char *id, int severity, bool restricted,
				      const char *why);

/* Lexically clean an absolute path ("/var//run/./a/../docker.sock" ->
 * "/run/docker.sock": /var/run is /run); NULL for relative paths. */
char *ward_clean_path(const char *p);
/* The index of the namespace of type name in linux.namespaces. */
size_t ward_ns_index(const struct ward_spec *s, const char *name);
/* Whether path names the host's namespace by its string (/proc/1/ns/..., /proc/self/ns/...). */
bool ward_host_ns_path(const char *path);

/* The checks of findings_host.c: user namespace maps first (they decide
 * c->userns), then the rest. */
void ward_findings_userns(struct collector *c);
void ward_findings_host(struct collector *c);

static inline yajl_val fobj_get(yajl_val obj, const char *key)
{
	if (!obj || !YAJL_IS_OBJECT(obj))
		return NULL;
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

static inline yajl_val fobj_path(yajl_val v, const char *const *keys)
{
	for (; v && *keys; keys++)
		v = fobj_get(v, *keys);
	return v;
}

static inline size_t farr_len(yajl_val a)
{
	return a && YAJL_IS_ARRAY(a) ? a->u.array.len : 0;
}

static inline const char *fnode_str(yajl_val v)
{
	return v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

#endif
