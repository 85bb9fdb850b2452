/* SPDX-License-Identifier: Apache-2.0 */
/* `ward audit`: a config's findings (findings.c), its exposure score, and the
 * report as an aligned table or JSON. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_gen.h>

#include "container.h"
#include "findings.h"
#include "findings_priv.h"
#include "hostobj.h"
#include "spec.h"
#include "json.h"
#include "util.h"
#include "ward.h"

#define MAX_GROUPS 64

/* The exposure score, in the spirit of `systemd-analyze security`:
 *
 *	score = 10 * sum_g min(max_g, sum_{f in g} weight_f) / sum_g max_g
 *
 * rounded to one decimal, where g runs over the check groups of
 * ward_check_defs (a group is one check, or checks that exclude each other)
 * and max_g is the largest maximum of its checks. The maxima add up to 100
 * points, so the score is the points a config loses, divided by 10. A check
 * with many findings (one per capability, per mount) saturates at its maximum.
 * A finding marked escape (all capabilities without a user namespace, an
 * engine socket bind-mounted) hands the container the host: nothing else
 * matters then, and the score is 10.0. */
double ward_findings_score(const struct ward_finding *f, size_t n)
{
	double got[MAX_GROUPS] = {0}, max[MAX_GROUPS] = {0}, sum = 0, total = 0, x;

	for (size_t i = 0; i < ward_n_check_defs; i++) {
		const struct ward_check_def *d = &ward_check_defs[i];

		if (d->group < MAX_GROUPS && d->max > max[d->group])
			max[d->group] = d->max;
	}
	for (size_t i = 0; f && i < n; i++) {
		if (f[i].escape)
			return 10.0;
		for (size_t j = 0; j < ward_n_check_defs; j++)
			if (strcmp(ward_check_defs[j].id, f[i].id) == 0 &&
			    ward_check_defs[j].group < MAX_GROUPS)
				got[ward_check_defs[j].group] += f[i].weight > 0 ? f[i].weight : 0;
	}
	for (size_t g = 0; g < MAX_GROUPS; g++) {
		total += max[g];
		sum += got[g] < max[g] ? got[g] : max[g];
	}
	x = total > 0 ? 10.0 * sum / total : 0;
	return (double)(long)(x * 10.0 + 0.5) / 10.0;
}

const char *ward_score_rating(double score)
{
	if (score <= 1.0)
		return "minimal";
	if (score <= 2.5)
		return "low";
	if (score <= 5.0)
		return "medium";
	if (score <= 7.5)
		return "high";
	return "critical";
}

static const char *level_name(int level)
{
	static const char *const names[] = {"oci", "baseline", "restricted"};

	return level >= 0 && (size_t)level < ARRAY_SIZE(names) ? names[level] : "?";
}

/* s with control characters (C0, DEL and UTF-8-encoded C1, which terminals
 * take as escape sequences) replaced by '?': the config's strings reach a
 * terminal. Returns the number of characters written. */
static size_t put_clean(FILE *f, const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++, n++) {
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fputc('?', f);
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			fputc('?', f);
		} else {
			fputc(*p, f);
			if (*p >= 0x80) /* count characters, not continuation bytes */
				n -= (*p & 0xc0) == 0x80;
		}
	}
	return n;
}

static void pad(FILE *f, size_t have, size_t width)
{
	for (; have < width; have++)
		fputc(' ', f);
	fputc(' ', f);
	fputc(' ', f);
}

static void gen_kv(yajl_gen g, const char *k, const char *v)
{
	json_gen_str(g, k);
	json_gen_str(g, v);
}

/* Each host object the config names, with its JSON path. */
typedef void (*object_fn)(void *ud, const char *jpath, const struct ward_hostobj *o);

static void each_object(const struct ward_spec *s, const struct ward_host_facts *hf, object_fn fn, void *ud)
{
	char jpath[96];

	if (!hf)
		return;
	if (hf->root.named)
		fn(ud, "root.path", &hf->root);
	for (size_t i = 0; i < hf->n_mounts; i++)
		if (hf->mounts[i].named) {
			snprintf(jpath, sizeof jpath, "mounts[%zu].source", i);
			fn(ud, jpath, &hf->mounts[i]);
		}
	for (int t = 0; t < WARD_NS_COUNT; t++)
		if (hf->ns[t].named) {
			snprintf(jpath, sizeof jpath, "linux.namespaces[%zu].path",
				 ward_ns_index(s, ward_ns_name((enum ward_ns_type)t)));
			fn(ud, jpath, &hf->ns[t]);
		}
	for (size_t i = 0; i < hf->n_devices; i++)
		if (hf->devices[i].named) {
			snprintf(jpath, sizeof jpath, "linux.devices[%zu].path", i);
			fn(ud, jpath, &hf->devices[i]);
		}
	for (int k = 0; k < WARD_HOOK_KINDS; k++)
		for (size_t i = 0; i < hf->n_hooks[k]; i++)
			if (hf->hooks[k][i].named) {
				snprintf(jpath, sizeof jpath, "hooks.%s[%zu].path",
					 ward_hook_kind_name((enum ward_hook_kind)k), i);
				fn(ud, jpath, &hf->hooks[k][i]);
			}
	if (hf->listener.named)
		fn(ud, "linux.seccomp.listenerPath", &hf->listener);
}

static void count_object(void *ud, const char *jpath, const struct ward_hostobj *o)
{
	(void)jpath, (void)o;
	(*(size_t *)ud)++;
}

static void table_object(void *ud, const char *jpath, const struct ward_hostobj *o)
{
	FILE *out = ud;

	fputs(o->checked ? "  checked on this host  " : "  string only           ", out);
	put_clean(out, jpath);
	fputs("  ", out);
	put_clean(out, o->value);
	if (o->checked && o->canon && strcmp(o->canon, o->value) != 0) {
		fputs(" -> ", out);
		put_clean(out, o->canon);
	}
	if (!o->checked)
		fprintf(out, " (%s)", strerror(o->err));
	fputc('\n', out);
}

static void render_table(FILE *out, const struct ward_finding *f, size_t n, double score,
			 const struct ward_spec *s, const struct ward_host_facts *hf)
{
	size_t wpath = strlen("PATH"), objects = 0;

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(f[i].path ? f[i].path : "");

		if (len > wpath)
			wpath = len < 40 ? len : 40;
	}
	if (n == 0) {
		fputs("no findings\n", out);
	} else {
		fprintf(out, "%-8s  %-4s  %-*s  %s\n", "SEVERITY", "ID", (int)wpath, "PATH", "FINDING");
		for (size_t i = 0; i < n; i++) {
			fprintf(out, "%-8s  %-4s  ", ward_severity_name(f[i].severity), f[i].id);
			pad(out, put_clean(out, f[i].path), wpath);
			put_clean(out, f[i].message);
			fputs("\n    why: ", out);
			put_clean(out, f[i].why);
			fputs("\n    fix: ", out);
			put_clean(out, f[i].fix);
			fputc('\n', out);
		}
	}
	each_object(s, hf, count_object, &objects);
	if (objects) {
		fputs("host objects (checked on this host: judged as opened, by identity; string only: not "
		      "found here, judged by the path as written):\n",
		      out);
		each_object(s, hf, table_object, out);
	}
	fprintf(out, "exposure score: %.1f/10 (%s)\n", score, ward_score_rating(score));
}

static void json_object(void *ud, const char *jpath, const struct ward_hostobj *o)
{
	yajl_gen g = ud;

	yajl_gen_map_open(g);
	gen_kv(g, "path", jpath);
	gen_kv(g, "value", o->value);
	json_gen_str(g, "checked");
	yajl_gen_bool(g, o->checked);
	if (o->checked && o->canon)
		gen_kv(g, "canonical", o->canon);
	if (!o->checked)
		gen_kv(g, "error", strerror(o->err));
	yajl_gen_map_close(g);
}

static char *render_json(const struct ward_finding *f, size_t n, double score, int level,
			 const struct ward_spec *s, const struct ward_host_facts *hf)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char num[16], *out = NULL;

	if (!g)
		return NULL;
	snprintf(num, sizeof num, "%.1f", score);
	yajl_gen_map_open(g);
	json_gen_str(g, "score");
	yajl_gen_number(g, num, strlen(num));
	gen_kv(g, "rating", ward_score_rating(score));
	gen_kv(g, "level", level_name(level));
	json_gen_str(g, "findings");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_kv(g, "id", f[i].id);
		gen_kv(g, "severity", ward_severity_name(f[i].severity));
		gen_kv(g, "path", f[i].path);
		gen_kv(g, "message", f[i].message);
		gen_kv(g, "why", f[i].why);
		gen_kv(g, "fix", f[i].fix);
		json_gen_str(g, "restricted");
		yajl_gen_bool(g, f[i].restricted);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	json_gen_str(g, "host_objects");
	yajl_gen_array_open(g);
	each_object(s, hf, json_object, g);
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	out = json_gen_text(g, true);
	yajl_gen_free(g);
	return out;
}

/* A bundle directory means its config.json; anything but a regular file is
 * refused (reading a FIFO would block). */
static int load(const char *target, struct ward_spec **s, char **bundle, struct ward_error **e)
{
	_cleanup_free_ char *path = NULL;
	char abs[PATH_MAX];
	struct stat st;

	if (stat(target, &st) < 0)
		return ward_err_sys(e, "%s", target);
	if (S_ISDIR(st.st_mode)) {
		path = xasprintf("%s%sconfig.json", target, target[strlen(target) - 1] == '/' ? "" : "/");
		if (stat(path, &st) < 0)
			return ward_err_sys(e, "%s", path);
	} else {
		path = xstrdup(target);
	}
	/* relative bind sources and root.path are in the config's directory */
	if (realpath(path, abs)) {
		*bundle = xstrdup(dirname(abs));
	} else {
		*bundle = NULL;
	}
	if (!S_ISREG(st.st_mode))
		return ward_err(e, EINVAL, "%s: not a regular file", path);
	return ward_spec_load(AT_FDCWD, path, s, e);
}

int ward_audit_ctx(struct ward_ctx *ctx, const char *bundle_or_config, int level, bool json,
		   double fail_above, char **report, bool *over, struct ward_error **e)
{
	struct ward_spec *s = NULL;
	struct ward_host_facts *hf = NULL;
	struct ward_finding *f = NULL;
	_cleanup_free_ char *bundle = NULL;
	char *buf = NULL;
	size_t n = 0, size = 0;
	double score;
	FILE *out;
	int r = -1;

	*report = NULL;
	*over = false;
	if (!ctx || !bundle_or_config || !*bundle_or_config || level < 0 || level > 2)
		return ward_err(e, EINVAL, "audit: invalid arguments");
	if (load(bundle_or_config, &s, &bundle, e) < 0)
		return -1;
	/* the objects that exist on this host are judged as opened */
	if (bundle && ward_ctx_host_facts(ctx, s, bundle, &hf, e) < 0)
		goto out;
	if (ward_findings_collect_facts(s, level, hf, &f, &n) < 0) {
		ward_err_sys(e, "audit %s", bundle_or_config);
		goto out;
	}
	score = ward_findings_score(f, n);
	if (json) {
		buf = render_json(f, n, score, level, s, hf);
	} else if ((out = open_memstream(&buf, &size))) {
		render_table(out, f, n, score, s, hf);
		if (fclose(out) != 0) {
			free(buf);
			buf = NULL;
		}
	}
	if (!buf) {
		ward_err_errno(e, ENOMEM, "audit: render the report");
		goto out;
	}
	*report = buf;
	*over = score > fail_above;
	r = 0;
out:
	ward_findings_free(f, n);
	ward_host_facts_free(hf);
	ward_spec_free(s);
	return r;
}

int ward_audit(const char *bundle_or_config, int level, bool json, double fail_above, char **report,
	       bool *over, struct ward_error **e)
{
	struct ward_ctx *ctx = ward_ctx_new(NULL);
	int r = ward_audit_ctx(ctx, bundle_or_config, level, json, fail_above, report, over, e);

	ward_ctx_free(ctx);
	return r;
}
