/* SPDX-License-Identifier: Apache-2.0 */
/* libward: the public C API of the ward container runtime. The `ward` CLI is a
 * thin layer over these calls. No function prints or exits; each fallible one
 * returns -1 and sets *e (free it with ward_error_free). */
#ifndef WARD_H
#define WARD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ward_log_level { WARD_LOG_ERROR, WARD_LOG_WARN, WARD_LOG_INFO, WARD_LOG_DEBUG };
typedef void (*ward_log_fn)(void *userdata, enum ward_log_level level, const char *msg);

struct ward_ctx;

/* root: the state directory (NULL: /run/ward). */
struct ward_ctx *ward_ctx_new(const char *root);
void ward_ctx_free(struct ward_ctx *ctx);
/* Where warnings and debug messages go (default: dropped). */
void ward_ctx_set_logger(struct ward_ctx *ctx, ward_log_fn fn, void *userdata);
void ward_ctx_set_debug(struct ward_ctx *ctx, bool debug);
/* --systemd-cgroup: cgroupsPath is "slice:prefix:name". */
void ward_ctx_set_systemd_cgroup(struct ward_ctx *ctx, bool on);
/* crun's --cgroup-manager=disabled: containers get no cgroup of their own (they
 * stay in the caller's). A config that asks for a resource limit is refused
 * (nothing could enforce it); its device rules are skipped with a warning, and
 * pause, ps, events and update have nothing to act on. */
void ward_ctx_set_cgroups(struct ward_ctx *ctx, bool enabled);

/* The host's policy level (security.md §2):
 *  - "baseline" (the default): absent security fields get the hardened defaults
 *    (no_new_privs, the default seccomp profile, masked and read-only kernel
 *    paths); explicit risky settings are honoured and logged as warnings;
 *  - "restricted": as baseline, and a config with any risky setting is refused
 *    before anything is created, the error listing each violation, one a line;
 *  - "oci": absent fields get the runtime-spec's own defaults, as runc and crun.
 *    Engines that serialize configs with Go's omitempty cannot write
 *    noNewPrivileges:false, an empty maskedPaths (--privileged) or a missing
 *    seccomp (unconfined) other than by leaving the field out; their host
 *    configuration selects this.
 * Without this call the level comes from the host file (SYSCONFDIR/ward/policy,
 * or $WARD_POLICY_FILE: "level = LEVEL" and # comments), else baseline. A
 * container's "run.ward.policy" annotation can raise it, never lower it. */
int ward_ctx_set_policy(struct ward_ctx *ctx, const char *level, struct ward_error **e);

struct ward_create_opts {
	const char *bundle;	    /* NULL: the current directory */
	const char *config;	    /* NULL: <bundle>/config.json */
	const char *pid_file;	    /* NULL: none */
	const char *console_socket; /* NULL: none */
	bool no_pivot;
	bool no_new_keyring;
	unsigned preserve_fds; /* fds 3 .. 3+N-1 are passed to the container */
	bool detach;	       /* run only: do not wait for the container */
};

int ward_create(struct ward_ctx *ctx, const char *id, const struct ward_create_opts *o,
		struct ward_error **e);
int ward_start(struct ward_ctx *ctx, const char *id, struct ward_error **e);
/* create + start. In the foreground (!o->detach) waits for the container's init,
 * forwarding signals and (with a terminal and no console socket) proxying the
 * tty, deletes the container, and sets *status to its exit status (128+signal
 * when killed by a signal). Detached, *status is 0. */
int ward_run(struct ward_ctx *ctx, const char *id, const struct ward_create_opts *o, int *status,
	     struct ward_error **e);
/* runc's state JSON (malloc'd). */
int ward_state(struct ward_ctx *ctx, const char *id, char **json, struct ward_error **e);
/* Signal the init (all: every process of the container's cgroup). */
int ward_kill(struct ward_ctx *ctx, const char *id, int sig, bool all, struct ward_error **e);
/* Remove a stopped (or created) container; force kills a running one first. */
int ward_delete(struct ward_ctx *ctx, const char *id, bool force, struct ward_error **e);

/* Freeze every process of the container (cgroup.freeze), waiting until the
 * kernel reports the cgroup frozen; status "paused". resume thaws it. */
int ward_pause(struct ward_ctx *ctx, const char *id, struct ward_error **e);
int ward_resume(struct ward_ctx *ctx, const char *id, struct ward_error **e);
/* The host pids of the container's processes (its cgroup's), malloc'd. */
int ward_ps(struct ward_ctx *ctx, const char *id, pid_t **pids, size_t *n, struct ward_error **e);

/* New resource limits for a live container: resources_json is an OCI
 * linux.resources object, merged into what the container has (absent or null
 * members stay as they are; devices are not changed) and validated like a
 * config before anything is written. */
int ward_update(struct ward_ctx *ctx, const char *id, const char *resources_json, struct ward_error **e);

/* runc's event stream: fn gets each event as one line of JSON (no newline),
 * {"type":"stats","id":ID,"data":{cpu,memory,pids,blkio,hugetlb...}} every
 * interval_ms (default 5000), {"type":"oom","id":ID} as OOM kills happen. It
 * ends when the container's init exits or fn returns non-zero. stats_only: one
 * stats event, then return. */
struct ward_events_opts {
	unsigned interval_ms;
	bool stats_only;
};
typedef int (*ward_event_fn)(void *userdata, const char *json);
int ward_events(struct ward_ctx *ctx, const char *id, const struct ward_events_opts *o, ward_event_fn fn,
		void *userdata, struct ward_error **e);

struct ward_list_entry {
	char *id;
	pid_t pid;
	char *status;
	char *bundle;
	char *rootfs;
	char *created;
	char *owner;
};
int ward_list(struct ward_ctx *ctx, struct ward_list_entry **entries, size_t *n, struct ward_error **e);
void ward_list_free(struct ward_list_entry *entries, size_t n);

struct ward_exec_opts {
	const char *process_file; /* an OCI process JSON; else args (+ the container's process settings) */
	char *const *args;	  /* NULL-terminated */
	bool detach;
	const char *pid_file;
	const char *console_socket;
	bool tty;
	const char *cwd;
	char *const *env; /* NULL-terminated "K=V", added to / overriding the container's */
	bool has_user;	  /* uid replaces the container's */
	bool has_gid;	  /* gid too; else the container's gid stays */
	uint32_t uid, gid;
	unsigned preserve_fds;
};
/* Run a process in a running container: joins all its namespaces and its cgroup.
 * In the foreground sets *status like ward_run. */
int ward_exec(struct ward_ctx *ctx, const char *id, const struct ward_exec_opts *o, int *status,
	      struct ward_error **e);

/* The hardened config.json that `ward spec` writes (malloc'd). */
char *ward_spec_json(bool rootless);
/* The OCI features document for this build (malloc'd). */
char *ward_features_json(void);

/* `ward audit` (security.md §5): the findings and the exposure score (0.0 to
 * 10.0) of a config: a bundle directory's config.json, or a config file.
 * level: what absent fields get, 0 "oci" or 1 "baseline" (ward_ctx_set_policy).
 * *report (malloc'd): an aligned table, or with json one line of
 * {"score","rating","level","findings":[{"id","severity","path","message",
 * "why","fix","restricted"}]}. *over: the score is above fail_above. */
int ward_audit(const char *bundle_or_config, int level, bool json, double fail_above, char **report,
	       bool *over, struct ward_error **e);
/* The same on ctx's host: the host objects the config names (bind sources,
 * root.path, namespace paths, device nodes, hooks, the seccomp listener) that
 * exist here are judged as opened, by identity, with the host policy file's
 * allowlists and ctx's state root; the report lists each object as "checked on
 * this host" or "string only" (JSON: "host_objects":[{"path","value",
 * "checked","canonical"|"error"}]). ward_audit uses a default context. */
int ward_audit_ctx(struct ward_ctx *ctx, const char *bundle_or_config, int level, bool json,
		   double fail_above, char **report, bool *over, struct ward_error **e);
/* `ward check`: the host's readiness and hardening (cgroup v2 and controllers,
 * user namespaces, seccomp, landlock, pidfd_open/clone3/openat2, sysctls), each
 * ok, warn or fail, with a fix. *report (malloc'd): a table, or with json
 * {"ready":bool,"checks":[{"name","verdict","detail","fix"}]}. *ready: nothing
 * failed (warnings allowed). */
int ward_check(bool json, char **report, bool *ready, struct ward_error **e);
/* Library version "X.Y.Z". */
const char *ward_version(void);

#ifdef __cplusplus
}
#endif
#endif
