/* SPDX-License-Identifier: Apache-2.0 */
/* `ward audit`: a config's findings (findings.c), its exposure score, and the
 * report as an aligned table or JSON. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <yajl/yajl_gen.h>

#include "findings.h"
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

static void render_table(FILE *out, const struct ward_finding *f, size_t n, double score)
{
	size_t wpath = strlen("PATH");

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
	fprintf(out, "exposure score: %.1f/10 (%s)\n", score, ward_score_rating(score));
}

static void gen_kv(yajl_gen g, const char *k, const char *v)
{
	json_gen_str(g, k);
	json_gen_str(g, v);
}

static char *render_json(const struct ward_finding *f, size_t n, double score, int level)
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
	yajl_gen_map_close(g);
	out = json_gen_text(g, true);
	yajl_gen_free(g);
	return out;
}

/* A bundle directory means its config.json; anything but a regular file is
 * refused (reading a FIFO would block). */
static int load(const char *target, struct ward_spec **s, struct ward_error **e)
{
	_cleanup_free_ char *path = NULL;
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
	if (!S_ISREG(st.st_mode))
		return ward_err(e, EINVAL, "%s: not a regular file", path);
	return ward_spec_load(AT_FDCWD, path, s, e);
}

int ward_audit(const char *bundle_or_config, int level, bool json, double fail_above, char **report,
	       bool *over, struct ward_error **e)
{
	struct ward_spec *s = NULL;
	struct ward_finding *f = NULL;
	char *buf = NULL;
	size_t n = 0, size = 0;
	double score;
	FILE *out;

	*report = NULL;
	*over = false;
	if (!bundle_or_config || !*bundle_or_config || level < 0 || level > 2)
		return ward_err(e, EINVAL, "audit: invalid arguments");
	if (load(bundle_or_config, &s, e) < 0)
		return -1;
	if (ward_findings_collect(s, level, &f, &n) < 0) {
		ward_spec_free(s);
		return ward_err_sys(e, "audit %s", bundle_or_config);
	}
	ward_spec_free(s);
	score = ward_findings_score(f, n);
	if (json) {
		buf = render_json(f, n, score, level);
	} else if ((out = open_memstream(&buf, &size))) {
		render_table(out, f, n, score);
		if (fclose(out) != 0) {
			free(buf);
			buf = NULL;
		}
	}
	ward_findings_free(f, n);
	if (!buf)
		return ward_err_errno(e, ENOMEM, "audit: render the report");
	*report = buf;
	*over = score > fail_above;
	return 0;
}
