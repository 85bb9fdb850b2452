/* SPDX-License-Identifier: Apache-2.0 */
/* audit, check: the security report of a config and the readiness of the host. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

const struct flag_def audit_flags[] = {
    FLAG("json", 0, FLAG_BOOL, offsetof(struct audit_opts, json), NULL, "print the report as JSON"),
    FLAG("fail-above", 0, FLAG_STRING, offsetof(struct audit_opts, fail_above), "SCORE",
	 "exit with status 1 when the exposure score is above SCORE (0 to 10)"),
    {0},
};
const struct flag_def check_flags[] = {
    FLAG("json", 0, FLAG_BOOL, offsetof(struct check_opts, json), NULL, "print the report as JSON"),
    {0},
};

/* The global --policy: what the config's absent fields get (default baseline). */
static int audit_level(const struct cli *cli)
{
	const char *p = cli->g.policy;

	return p && strcmp(p, "oci") == 0 ? 0 : 1;
}

int cmd_audit(struct cli *cli, void *opts, int argc, char **argv)
{
	const struct audit_opts *ao = opts;
	struct ward_ctx *ctx;
	struct ward_error *e = NULL;
	_cleanup_free_ char *report = NULL;
	double limit = 10.0;
	bool over = false;

	(void)argc;
	if (ao->fail_above) {
		char *end = NULL;

		errno = 0;
		limit = strtod(ao->fail_above, &end);
		if (errno || end == ao->fail_above || *end || !isfinite(limit) || limit < 0 || limit > 10)
			return cli_usage_error(cli,
					       "invalid value \"%s\" for flag --fail-above: expected a score "
					       "from 0 to 10",
					       ao->fail_above);
	}
	ctx = cli_ctx(cli);
	if (!ctx)
		return 1;
	if (ward_audit_ctx(ctx, argv[0], audit_level(cli), ao->json, limit, &report, &over, &e) < 0)
		return cli_fail(e);
	fputs(report, stdout);
	if (over)
		return cli_failf("the exposure score of %s is above %s (--fail-above)", argv[0],
				 ao->fail_above);
	return 0;
}

int cmd_check(struct cli *cli, void *opts, int argc, char **argv)
{
	const struct check_opts *co = opts;
	struct ward_error *e = NULL;
	_cleanup_free_ char *report = NULL;
	bool ready = false;

	(void)cli;
	(void)argc;
	(void)argv;
	if (ward_check(co->json, &report, &ready, &e) < 0)
		return cli_fail(e);
	fputs(report, stdout);
	return ready ? 0 : 1;
}
