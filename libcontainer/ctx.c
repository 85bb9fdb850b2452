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

/* The host file: "#" comments and "level = oci|baseline|restricted". */
int ward_ctx_host_policy(struct ward_ctx *ctx, int *level, struct ward_error **e)
{
	const char *path = getenv("WARD_POLICY_FILE") ? getenv("WARD_POLICY_FILE") : WARD_POLICY_FILE;
	_cleanup_free_ char *text = NULL;
	struct ward_error *err = NULL;
	char *save = NULL;

	if (!ctx->policy_set) {
		ctx->policy_set = true;
		if (read_file_at(AT_FDCWD, path, 65536, &text, NULL, &err) < 0) {
			int code = err->code;

			ward_error_free(err);
			if (code != ENOENT)
				return ward_err_errno(e, code, "policy file %s", path);
		}
		for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			char key[32], val[32];
			int l;

			if (line[strspn(line, " \t")] == '#' || line[strspn(line, " \t")] == '\0')
				continue;
			if (sscanf(line, " %31[a-z] = %31s", key, val) != 2 || strcmp(key, "level") != 0 ||
			    (l = ward_policy_parse(val)) < 0)
				return ward_err(e, EINVAL,
						"policy file %s: expected \"level = "
						"oci|baseline|restricted\", got \"%s\"",
						path, line);
			ctx->policy = l;
		}
	}
	*level = ctx->policy;
	return 0;
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
