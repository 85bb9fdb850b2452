/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "container.h"
#include "hooks.h"
#include "policy.h"
#include "util.h"

struct ward_ctx *ward_ctx_new(const char *root)
{
	struct ward_ctx *ctx = xmalloc0(sizeof *ctx);

	ctx->root = xstrdup(root && *root ? root : "/run/ward");
	ctx->rootfd = ctx->cachefd = -1;
	ctx->policy = WARD_POLICY_BASELINE;
	ctx->host.level = -1;
	return ctx;
}

void ward_ctx_free(struct ward_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->rootfd >= 0)
		close(ctx->rootfd);
	if (ctx->cachefd >= 0)
		close(ctx->cachefd);
	ward_host_policy_free(&ctx->host);
	free(ctx->root);
	free(ctx);
}

void ward_ctx_set_logger(struct ward_ctx *ctx, ward_log_fn fn, void *userdata)
{
	ctx->log = fn;
	ctx->log_ud = userdata;
}

void ward_ctx_set_debug(struct ward_ctx *ctx, bool debug)
{
	ctx->debug = debug;
}

void ward_ctx_set_cgroups(struct ward_ctx *ctx, bool enabled)
{
	ctx->no_cgroups = !enabled;
}

void ward_ctx_set_systemd_cgroup(struct ward_ctx *ctx, bool on)
{
	ctx->systemd_cgroup = on;
}

void ward_log(struct ward_ctx *ctx, enum ward_log_level level, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (!ctx || !ctx->log || (level == WARD_LOG_DEBUG && !ctx->debug))
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) >= 0) {
		ctx->log(ctx->log_ud, level, msg);
		free(msg);
	}
	va_end(ap);
}

int ward_ctx_set_policy(struct ward_ctx *ctx, const char *level, struct ward_error **e)
{
	int l = ward_policy_parse(level);

	if (l < 0)
		return ward_err(e, EINVAL,
				"unknown policy level \"%s\" (expected oci, baseline or restricted)", level);
	ctx->policy = l;
	ctx->policy_set = true;
	return 0;
}

/* ---- the host policy file ---- */

static void strv_push(char ***v, const char *s)
{
	size_t n = strv_len(*v);

	*v = xrealloc(*v, (n + 2) * sizeof **v);
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

/* "c 10:200", "b 7:*" */
static int parse_allow_dev(const char *v, struct ward_allow_dev *d)
{
	char type, minor[24];
	unsigned long long major;
	int used = 0;

	if (sscanf(v, "%c %llu:%23[0-9*]%n", &type, &major, minor, &used) != 3 || v[used] != '\0' ||
	    (type != 'c' && type != 'b') || major > UINT32_MAX)
		return -1;
	d->type = type;
	d->major = (int64_t)major;
	if (strcmp(minor, "*") == 0) {
		d->minor = -1;
		return 0;
	}
	if (strchr(minor, '*') || parse_i64(minor, &d->minor) < 0 || d->minor > UINT32_MAX)
		return -1;
	return 0;
}

/* One "key = value" line; -1 with a message naming what is expected. */
static int parse_policy_line(struct ward_host_policy *hp, const char *key, const char *val, const char **want)
{
	if (strcmp(key, "level") == 0) {
		*want = "\"level = oci|baseline|restricted\"";
		return (hp->level = ward_policy_parse(val)) < 0 ? -1 : 0;
	}
	if (strcmp(key, "allow-device") == 0) {
		struct ward_allow_dev d;

		*want = "\"allow-device = c|b MAJOR:MINOR\" (MINOR may be *)";
		if (parse_allow_dev(val, &d) < 0)
			return -1;
		hp->devices = xrealloc(hp->devices, (hp->n_devices + 1) * sizeof *hp->devices);
		hp->devices[hp->n_devices++] = d;
		return 0;
	}
	if (strcmp(key, "allow-sysctl") == 0) {
		*want = "\"allow-sysctl = NAME\"";
		if (strpbrk(val, " \t"))
			return -1;
		strv_push(&hp->sysctls, val);
		return 0;
	}
	if (strcmp(key, "allow-hook") == 0 || strcmp(key, "allow-listener") == 0) {
		*want =
		    key[6] == 'h' ? "\"allow-hook = /ABSOLUTE/PATH\"" : "\"allow-listener = /ABSOLUTE/PATH\"";
		if (val[0] != '/')
			return -1;
		strv_push(key[6] == 'h' ? &hp->hooks : &hp->listeners, val);
		return 0;
	}
	*want = NULL; /* an unknown key */
	return -1;
}

/* A line with its key and value cut out of it (trimmed, in place). */
static bool split_line(char *line, char **key, char **val)
{
	char *eq = strchr(line, '='), *end;

	*key = line + strspn(line, " \t");
	if (!eq)
		return false;
	for (end = eq; end > *key && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	*end = '\0';
	*val = eq + 1 + strspn(eq + 1, " \t");
	for (end = *val + strlen(*val); end > *val && strchr(" \t\r", end[-1]); end--)
		end[-1] = '\0';
	return **key && **val;
}

int ward_host_policy_parse(const char *text, const char *file, struct ward_host_policy *hp,
			   struct ward_error **e)
{
	_cleanup_free_ char *copy = xstrdup(text ? text : "");
	char *save = NULL;

	memset(hp, 0, sizeof *hp);
	hp->level = -1;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		_cleanup_free_ char *orig = xstrdup(line);
		const char *want = NULL;
		char *key, *val;

		if (line[strspn(line, " \t\r")] == '#' || line[strspn(line, " \t\r")] == '\0')
			continue;
		if (!split_line(line, &key, &val)) {
			ward_host_policy_free(hp);
			return ward_err(e, EINVAL, "policy file %s: expected \"key = value\", got \"%s\"",
					file, orig);
		}
		if (parse_policy_line(hp, key, val, &want) < 0) {
			ward_host_policy_free(hp);
			if (!want)
				return ward_err(e, EINVAL,
						"policy file %s: unknown key \"%s\" (level, allow-device, "
						"allow-sysctl, allow-hook or allow-listener) in \"%s\"",
						file, key, orig);
			return ward_err(e, EINVAL, "policy file %s: expected %s, got \"%s\"", file, want,
					orig);
		}
	}
	return 0;
}

void ward_host_policy_free(struct ward_host_policy *hp)
{
	free(hp->devices);
	strv_free(hp->sysctls);
	strv_free(hp->hooks);
	strv_free(hp->listeners);
	memset(hp, 0, sizeof *hp);
	hp->level = -1;
}

const char *ward_ctx_policy_file(void)
{
	const char *env = getenv("WARD_POLICY_FILE");

	return env && *env ? env : WARD_POLICY_FILE;
}

/* Read once, whether or not --policy set the level: the allowlists apply at any level. */
static int read_host_file(struct ward_ctx *ctx, struct ward_error **e)
{
	const char *path = ward_ctx_policy_file();
	_cleanup_free_ char *text = NULL;
	struct ward_error *err = NULL;

	if (ctx->host_read)
		return 0;
	if (read_file_at(AT_FDCWD, path, 65536, &text, NULL, &err) < 0) {
		int code = err->code;

		ward_error_free(err);
		if (code != ENOENT)
			return ward_err_errno(e, code, "policy file %s", path);
	}
	if (ward_host_policy_parse(text, path, &ctx->host, e) < 0)
		return -1;
	ctx->host_read = true;
	return 0;
}

int ward_ctx_host_policy(struct ward_ctx *ctx, int *level, struct ward_error **e)
{
	if (read_host_file(ctx, e) < 0)
		return -1;
	*level = !ctx->policy_set && ctx->host.level >= 0 ? ctx->host.level : (int)ctx->policy;
	return 0;
}

int ward_ctx_host_allow(struct ward_ctx *ctx, const struct ward_host_policy **hp, struct ward_error **e)
{
	if (read_host_file(ctx, e) < 0)
		return -1;
	*hp = &ctx->host;
	return 0;
}

int ward_ctx_host_facts(struct ward_ctx *ctx, const struct ward_spec *s, const char *bundle,
			struct ward_host_facts **out, struct ward_error **e)
{
	_cleanup_free_ char *dir = xstrdup(ward_ctx_policy_file());
	const struct ward_host_policy *hp;
	char *slash = strrchr(dir, '/');
	const char *extra[3] = {ctx->root, NULL, NULL};

	if (ward_ctx_host_allow(ctx, &hp, e) < 0)
		return -1;
	if (slash && slash != dir) {
		*slash = '\0';
		extra[1] = dir;
	}
	return ward_host_facts_gather(s, bundle, extra, hp, out, e);
}

void ward_hooks_run_warn(struct ward_ctx *ctx, const struct ward_spec *s, enum ward_hook_kind k,
			 const char *state_json)
{
	for (size_t i = 0; i < s->n_hooks[k]; i++) {
		struct ward_error *err = NULL;

		if (ward_hook_run(&s->hooks[k][i], state_json, &err) < 0) {
			ward_log(ctx, WARD_LOG_WARN, "%s hook #%zu (%s): %s", ward_hook_kind_name(k), i,
				 s->hooks[k][i].path, err->msg);
			ward_error_free(err);
		}
	}
}

int ward_ctx_rootfd(struct ward_ctx *ctx, bool create, struct ward_error **e)
{
	if (ctx->rootfd < 0)
		ctx->rootfd = ward_state_root_open(ctx->root, create, e);
	return ctx->rootfd;
}

int ward_ctx_cache_dirfd(struct ward_ctx *ctx)
{
	int rootfd;
	struct stat st;

	if (ctx->cachefd >= 0)
		return ctx->cachefd;
	rootfd = ward_ctx_rootfd(ctx, true, NULL);
	if (rootfd < 0)
		return -1;
	/* not a valid container id (leading dot), so never taken for a container */
	if (mkdirat(rootfd, ".cache", 0700) < 0 && errno != EEXIST)
		return -1;
	ctx->cachefd = openat(rootfd, ".cache", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ctx->cachefd >= 0 &&
	    (fstat(ctx->cachefd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 077))) {
		close(ctx->cachefd); /* not ours alone: a filter read from it could be anyone's */
		ctx->cachefd = -1;
	}
	return ctx->cachefd;
}

const char *ward_version(void)
{
	return PACKAGE_VERSION;
}
