/* SPDX-License-Identifier: Apache-2.0 */
/* ward update: new linux.resources for a live container. The update is merged
 * into the resources the container has (its config's, or those of its last
 * update, kept in the state dir as resources.json): objects merge member by
 * member, anything else is replaced, null means "unchanged" (Go engines send
 * null for what they do not set). The merged resources are planned exactly as
 * at create, so an update is validated like a config, and OCI's memory+swap
 * stays consistent with a limit that changes alone. devices are kept as they
 * are: engines resend the list with every update (as runc, which ignores it). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cgroup.h"
#include "cgroup_resources.h"
#include "container.h"
#include "json.h"
#include "util.h"

#define RESOURCES_FILE "resources.json"

static void gen_value(yajl_gen g, yajl_val v);

static void gen_value(yajl_gen g, yajl_val v)
{
	if (!v || YAJL_IS_NULL(v))
		yajl_gen_null(g);
	else if (YAJL_IS_STRING(v))
		json_gen_str(g, YAJL_GET_STRING(v));
	else if (YAJL_IS_NUMBER(v))
		yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
	else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
		yajl_gen_bool(g, YAJL_IS_TRUE(v));
	else if (YAJL_IS_ARRAY(v)) {
		yajl_gen_array_open(g);
		for (size_t i = 0; i < v->u.array.len; i++)
			gen_value(g, v->u.array.values[i]);
		yajl_gen_array_close(g);
	} else {
		yajl_gen_map_open(g);
		for (size_t i = 0; i < v->u.object.len; i++) {
			json_gen_str(g, v->u.object.keys[i]);
			gen_value(g, v->u.object.values[i]);
		}
		yajl_gen_map_close(g);
	}
}

/* base with upd merged in (both objects or NULL); skip names a member of upd
 * that is not taken. */
static void gen_merged(yajl_gen g, yajl_val base, yajl_val upd, const char *skip)
{
	yajl_gen_map_open(g);
	for (size_t i = 0; YAJL_IS_OBJECT(base) && i < base->u.object.len; i++) {
		const char *k = base->u.object.keys[i];
		yajl_val b = base->u.object.values[i],
			 u = (skip && !strcmp(k, skip)) ? NULL : json_member(upd, k);

		json_gen_str(g, k);
		if (u && YAJL_IS_OBJECT(u) && YAJL_IS_OBJECT(b))
			gen_merged(g, b, u, NULL);
		else
			gen_value(g, u ? u : b);
	}
	for (size_t i = 0; YAJL_IS_OBJECT(upd) && i < upd->u.object.len; i++) {
		const char *k = upd->u.object.keys[i];
		yajl_val u = upd->u.object.values[i];

		if (json_member(base, k) || (skip && !strcmp(k, skip)) || YAJL_IS_NULL(u))
			continue;
		json_gen_str(g, k);
		gen_value(g, u);
	}
	yajl_gen_map_close(g);
}

static yajl_val parse(const char *text, const char *what, struct ward_error **e)
{
	char err[256] = "";
	yajl_val v = yajl_tree_parse(text, err, sizeof err);

	if (!v) {
		err[strcspn(err, "\n")] = '\0';
		ward_err(e, EINVAL, "%s: invalid JSON: %s", what, err);
		return NULL;
	}
	if (!YAJL_IS_OBJECT(v)) {
		yajl_tree_free(v);
		ward_err(e, EINVAL, "%s: expected a JSON object (linux.resources)", what);
		return NULL;
	}
	return v;
}

/* The resources the container has now: its last update's (resources.json, a tree
 * in *own), else its config's (kept in *spec); NULL for none. */
static int current_resources(struct ward_handle *h, yajl_val *own, struct ward_spec **spec, yajl_val *base,
			     struct ward_error **e)
{
	_cleanup_free_ char *text = NULL;

	if (read_file_at(h->dirfd, RESOURCES_FILE, 1 << 20, &text, NULL, NULL) == 0) {
		*base = *own = parse(text, "state " RESOURCES_FILE, e);
		return *own ? 0 : -1;
	}
	if (ward_handle_spec(h, spec, e) < 0)
		return -1;
	*base = (yajl_val)(*spec)->linux_.resources;
	return 0;
}

/* memory.checkBeforeUpdate: a new limit below what the container uses now is refused. */
static int check_before_update(const char *cgroup, yajl_val merged, yajl_val upd, struct ward_error **e)
{
	yajl_val m = json_member(merged, "memory"), lim = json_member(json_member(upd, "memory"), "limit");
	_cleanup_free_ char *file = NULL, *cur = NULL;
	uint64_t usage;

	if (!YAJL_IS_TRUE(json_member(m, "checkBeforeUpdate")) || !lim || !YAJL_IS_INTEGER(lim) ||
	    YAJL_GET_INTEGER(lim) <= 0)
		return 0;
	file = xasprintf("%s/memory.current", cgroup);
	if (read_file_at(AT_FDCWD, file, 64, &cur, NULL, NULL) < 0 ||
	    parse_u64(strtok(cur, "\n"), &usage) < 0)
		return 0; /* no memory controller: the plan refuses the limit itself */
	if ((uint64_t)YAJL_GET_INTEGER(lim) < usage)
		return ward_err(e, EBUSY,
				"linux.resources.memory.limit: %lld is below the container's current memory "
				"usage %" PRIu64 " (memory.checkBeforeUpdate)",
				(long long)YAJL_GET_INTEGER(lim), usage);
	return 0;
}

static int update_locked(struct ward_handle *h, yajl_val upd, struct ward_error **e)
{
	yajl_val own = NULL, base = NULL, merged = NULL;
	struct ward_spec *spec = NULL;
	yajl_gen g = NULL;
	_cleanup_free_ char *text = NULL, *skipped = NULL;
	struct ward_cg_plan plan = {0};
	const char *mount;
	int r = -1;

	if (current_resources(h, &own, &spec, &base, e) < 0)
		goto out;
	g = yajl_gen_alloc(NULL);
	gen_merged(g, base, upd, "devices");
	if (!(text = json_gen_text(g, false))) {
		ward_err(e, EINVAL, "merge the resources: JSON generator error");
		goto out;
	}
	if (!(merged = parse(text, "merged resources", e)))
		goto out;
	if (check_before_update(h->st->cgroup, merged, upd, e) < 0 ||
	    ward_cgroup_plan_resources(merged, false, &plan, e) < 0)
		goto out;
	if (!(mount = ward_cgroup_mount(e)) ||
	    ward_cgroup_apply(mount, h->st->cgroup, &plan, &skipped, e) < 0)
		goto out;
	r = write_file_atomic(h->dirfd, RESOURCES_FILE, text, strlen(text), 0600, e);
out:
	ward_cgroup_plan_free(&plan);
	if (g)
		yajl_gen_free(g);
	yajl_tree_free(merged);
	yajl_tree_free(own);
	ward_spec_free(spec);
	return r;
}

int ward_update(struct ward_ctx *ctx, const char *id, const char *resources_json, struct ward_error **e)
{
	struct ward_handle h;
	yajl_val upd;
	int r = -1;

	if (!(upd = parse(resources_json ? resources_json : "", "update: resources", e)))
		return -1;
	if (ward_handle_open(ctx, id, LOCK_EX, &h, e) < 0) {
		yajl_tree_free(upd);
		return -1;
	}
	if (h.status == WARD_STATUS_STOPPED)
		ward_err(e, ESRCH, "container not running");
	else if (!h.st->cgroup)
		ward_err(e, EOPNOTSUPP, "container %s has no cgroup to update", id);
	else if (update_locked(&h, upd, e) == 0)
		r = 0;
	else
		ward_err_prefix(e, "update container %s", id);
	ward_handle_close(&h);
	yajl_tree_free(upd);
	return r;
}
