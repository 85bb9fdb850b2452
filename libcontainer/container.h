/* SPDX-License-Identifier: Apache-2.0 */
/* Internal: the context behind the public API and helpers shared by the
 * lifecycle (container.c) and exec (exec.c). */
#ifndef WARD_CONTAINER_H
#define WARD_CONTAINER_H

#include <stdbool.h>

#include "hostobj.h"
#include "spec.h"
#include "state.h"
#include "ward.h"

struct ward_ctx {
	char *root;
	int rootfd; /* -1 until first used */
	ward_log_fn log;
	void *log_ud;
	bool debug;
	bool systemd_cgroup;
	bool no_cgroups; /* --cgroup-manager=disabled */
	enum ward_policy_level { WARD_POLICY_OCI, WARD_POLICY_BASELINE, WARD_POLICY_RESTRICTED } policy;
	bool policy_set; /* by ward_ctx_set_policy; else read from the host file */
	int cachefd;	 /* <root>/.cache, -1 until first used */
	bool host_read;	 /* the host policy file has been read into host */
	struct ward_host_policy host;
};

void ward_log(struct ward_ctx *ctx, enum ward_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The state root, opened (and with create, made) on first use. */
int ward_ctx_rootfd(struct ward_ctx *ctx, bool create, struct ward_error **e);
/* <root>/.cache (0700, made on first use) for compiled seccomp filters; -1 when
 * it cannot be had (the caller then works without a cache). */
int ward_ctx_cache_dirfd(struct ward_ctx *ctx);
/* The host's policy level: ward_ctx_set_policy's, else the host file's
 * (WARD_POLICY_FILE, "level = LEVEL"), else baseline. */
int ward_ctx_host_policy(struct ward_ctx *ctx, int *level, struct ward_error **e);
/* The host policy file's allowlists (read once, whatever --policy says). */
int ward_ctx_host_allow(struct ward_ctx *ctx, const struct ward_host_policy **hp, struct ward_error **e);
/* The host policy file's path: $WARD_POLICY_FILE, else the built-in one. */
const char *ward_ctx_policy_file(void);
/* The host objects s names, judged with the host's allowlists and with ward's
 * state root and the host policy file's directory as sensitive trees too. */
int ward_ctx_host_facts(struct ward_ctx *ctx, const struct ward_spec *s, const char *bundle,
			struct ward_host_facts **out, struct ward_error **e);

/* An opened container: its locked state directory and loaded state. */
struct ward_handle {
	int dirfd;
	struct ward_state *st;
	enum ward_status status;
};
int ward_handle_open(struct ward_ctx *ctx, const char *id, int lock_op, struct ward_handle *h,
		     struct ward_error **e);
void ward_handle_close(struct ward_handle *h);
/* The container's config as saved at create. */
int ward_handle_spec(struct ward_handle *h, struct ward_spec **s, struct ward_error **e);
/* Run the saved config's hooks of kind k (poststart, poststop) with the state
 * as status, warning about (and going past) each that fails. */
void ward_handle_hooks(struct ward_ctx *ctx, struct ward_handle *h, enum ward_hook_kind k,
		       enum ward_status status);
/* A pidfd for the container's init, checked against its start time (never a recycled pid). */
int ward_handle_pidfd(struct ward_handle *h, struct ward_error **e);
/* Wait up to timeout_ms for the process behind pidfd to exit; 0 when it has. */
int ward_pidfd_wait(int pidfd, int timeout_ms);
/* Wait for our child and turn its wait status into a shell-style exit code. */
int ward_wait_status(pid_t pid);
/* Run the hooks of kind k, warning about (and going past) each that fails: what
 * the spec asks for poststart and poststop. */
void ward_hooks_run_warn(struct ward_ctx *ctx, const struct ward_spec *s, enum ward_hook_kind k,
			 const char *state_json);
/* Run the hooks of kind k (startContainer) in the container open as h, as
 * processes `ward exec` would start (every namespace, the cgroup, the
 * container's user, capabilities and seccomp filter). */
int ward_exec_hooks(struct ward_ctx *ctx, struct ward_handle *h, const struct ward_spec *s,
		    enum ward_hook_kind k, const char *state_json, struct ward_error **e);
/* Forward every catchable signal to pidfd's process until it exits; its status. */
int ward_forward_and_wait(pid_t pid, int pidfd);

#endif
