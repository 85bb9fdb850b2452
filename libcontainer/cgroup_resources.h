/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources as cgroup v2 files. plan is pure (the config's values turned
 * into writes, each with its controller and JSON path, or a clear refusal of
 * what v2 cannot do); apply enables the controllers down from the hierarchy's
 * root and writes the files, refusing a limit whose controller the host does
 * not give the v2 hierarchy (a hybrid host) rather than ignoring it. */
#ifndef WARD_CGROUP_RESOURCES_H
#define WARD_CGROUP_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "spec.h"

#define WARD_DEFAULT_PIDS_MAX 4096 /* security.md §1: absent linux.resources.pids */

struct ward_cg_write {
	char *file;		/* "memory.max" */
	char *value;		/* "1048576" */
	char *path;		/* "linux.resources.memory.limit" */
	const char *controller; /* "memory"; NULL for cgroup.* files */
	bool by_default;	/* added by ward (the default pids limit), not asked for */
	/* The same setting for another file, in that file's units, or NULL: a block
	 * I/O weight is read by iocost from io.weight and by BFQ from io.bfq.weight
	 * (which exists only while BFQ is loaded). Apply writes each of the two the
	 * host has, and needs one of them to take it. */
	char *alt_file;
	char *alt_value;
};

struct ward_cg_plan {
	struct ward_cg_write *w;
	size_t n;
};

/* The writes for s->linux_.resources; with_defaults adds the default pids limit
 * when the config has none. */
int ward_cgroup_plan(const struct ward_spec *s, bool with_defaults, struct ward_cg_plan *p,
		     struct ward_error **e);
/* The same for a linux.resources object (a yajl_val; NULL: no resources), as
 * `update` reads it; error paths still start "linux.resources". */
int ward_cgroup_plan_resources(const void *resources, bool with_defaults, struct ward_cg_plan *p,
			       struct ward_error **e);
void ward_cgroup_plan_free(struct ward_cg_plan *p);
/* Apply the plan to the cgroup dir path (below mount). Writes marked by_default
 * whose controller is missing are dropped and reported through *skipped (a
 * malloc'd, comma-separated list of controllers, or NULL). An error names the
 * write's JSON path. */
int ward_cgroup_apply(const char *mount, const char *path, const struct ward_cg_plan *p, char **skipped,
		      struct ward_error **e);

#endif
