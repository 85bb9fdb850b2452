/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "container.h"
#include "util.h"

struct ward_ctx *ward_ctx_new(const char *root)
{
	struct ward_ctx *ctx = xmalloc0(sizeof *ctx);

	ctx->root = xstrdup(root && *root ? root : "/run/ward");
	ctx->rootfd = -1;
	return ctx;
}

void ward_ctx_free(struct ward_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->rootfd >= 0)
		close(ctx->rootfd);
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

int ward_ctx_rootfd(struct ward_ctx *ctx, bool create, struct ward_error **e)
{
	if (ctx->rootfd < 0)
		ctx->rootfd = ward_state_root_open(ctx->root, create, e);
	return ctx->rootfd;
}

const char *ward_version(void)
{
	return PACKAGE_VERSION;
}
