/* SPDX-License-Identifier: Apache-2.0 */
/* Security findings of a config (security.md §2 and §5): what a parsed
 * config.json grants that a hardened container would not, each with a stable
 * id, a severity, the JSON path of the setting, why it matters (the CIS Docker
 * Benchmark or Kubernetes Pod Security control), the fix, and whether the
 * restricted policy level refuses it. Collecting is pure: no I/O, no policy
 * applied to the spec; what the host says about the objects a config names
 * comes in as facts gathered by hostobj.c. findings.c judges the process and
 * the kernel paths, findings_host.c the host objects; audit.c scores and
 * renders the findings. */
#ifndef WARD_FINDINGS_H
#define WARD_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

enum ward_severity {
	WARD_SEV_INFO = 1,
	WARD_SEV_LOW,
	WARD_SEV_MEDIUM,
	WARD_SEV_HIGH,
	WARD_SEV_CRITICAL,
};

/* The level whose defaults fill what a config leaves out (ward.h). */
enum { WARD_FINDINGS_OCI = 0, WARD_FINDINGS_BASELINE = 1 };

struct ward_finding {
	const char *id;	 /* stable: "W102" */
	int severity;	 /* enum ward_severity */
	char *path;	 /* JSON path: "process.capabilities.bounding[3]" */
	char *message;	 /* one line: what */
	const char *why; /* the CIS Docker / Pod Security control */
	char *fix;	 /* one line: the JSON change */
	bool restricted; /* violates the restricted level of security.md §2 */
	double weight;	 /* contribution to the exposure score */
	bool escape;	 /* hands the container the host: the score is 10 */
};

/* One check: findings with its id are capped at max in the score. Checks of
 * one group are alternatives (one config can trip only one of them: no seccomp
 * vs. a seccomp that allows by default), so a group counts once, at the
 * largest max of its members. */
struct ward_check_def {
	const char *id;
	unsigned group;
	double max;
	const char *title;
};
extern const struct ward_check_def ward_check_defs[];
extern const size_t ward_n_check_defs;

struct ward_host_facts;
/* The findings of s, most severe first. level: WARD_FINDINGS_OCI or
 * WARD_FINDINGS_BASELINE (or above): under baseline an absent
 * noNewPrivileges, seccomp, maskedPaths or readonlyPaths is no finding because
 * ward fills the hardened default. facts (hostobj.h): what the host says about
 * the objects s names, and the host's allowlists; NULL, or an object it could
 * not open, leaves the judge the strings alone (paths cleaned and matched as
 * subtrees; a joined namespace other than /proc/1 or /proc/self's "may be the
 * host's"). Restricted refuses every finding with restricted set, so an
 * object that cannot be checked is refused there. Returns 0, or -1 with errno
 * EINVAL for bad arguments. *out is malloc'd (NULL when *n is 0). */
int ward_findings_collect_facts(const struct ward_spec *s, int level, const struct ward_host_facts *facts,
				struct ward_finding **out, size_t *n);
/* The same without facts. */
int ward_findings_collect(const struct ward_spec *s, int level, struct ward_finding **out, size_t *n);
void ward_findings_free(struct ward_finding *f, size_t n);

/* "info", "low", "medium", "high", "critical" (static); "?" when out of range. */
const char *ward_severity_name(int severity);

/* audit.c: the exposure score, 0.0 to 10.0 rounded to one decimal. */
double ward_findings_score(const struct ward_finding *f, size_t n);
/* The rating of a score: "minimal", "low", "medium", "high", "critical". */
const char *ward_score_rating(double score);

#endif
