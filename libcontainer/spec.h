/* SPDX-License-Identifier: Apache-2.0 */
/* config.json (OCI runtime-spec 1.2) as typed structures. The parser checks types
 * and ranges and names the JSON path in every error; it does not apply defaults
 * (policy.c does) and does not touch the filesystem. Unknown keys are ignored. */
#ifndef WARD_SPEC_H
#define WARD_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define WARD_SPEC_MAX_BYTES (4u << 20) /* config.json larger than this is refused */
#define WARD_SPEC_MAX_DEPTH 64	       /* JSON nesting deeper than this is refused */
/* The largest uid or gid ward accepts anywhere (config, exec --user), as runc: to
 * setresuid, setresgid, chown and setgroups, (uid_t)-1 = 4294967295 means "leave
 * unchanged", so an id above this could leave a process as root. */
#define WARD_ID_MAX 2147483647u

struct ward_kv {
	char *key;
	char *value;
};

struct ward_user {
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
};

enum ward_cap_set {
	WARD_CAP_BOUNDING,
	WARD_CAP_EFFECTIVE,
	WARD_CAP_INHERITABLE,
	WARD_CAP_PERMITTED,
	WARD_CAP_AMBIENT
};
#define WARD_CAP_NSETS 5

struct ward_caps {
	bool present[WARD_CAP_NSETS]; /* the key was in the config */
	uint64_t set[WARD_CAP_NSETS]; /* bit N = capability number N */
};

struct ward_rlimit {
	char *type; /* "RLIMIT_NOFILE" */
	int resource;
	uint64_t soft, hard;
};

struct ward_process {
	bool present;
	bool terminal;
	bool has_console_size;
	uint32_t console_height, console_width;
	struct ward_user user;
	char **args; /* NULL-terminated */
	char **env;  /* NULL-terminated, "K=V" */
	char *cwd;
	bool has_caps; /* process.capabilities present */
	struct ward_caps caps;
	struct ward_rlimit *rlimits;
	size_t n_rlimits;
	int no_new_privileges; /* -1 absent, 0 false, 1 true */
	bool has_oom_score_adj;
	int oom_score_adj;
	char *apparmor_profile, *selinux_label; /* accepted, ignored with a warning */
};

enum ward_ns_type {
	WARD_NS_PID,
	WARD_NS_NET,
	WARD_NS_IPC,
	WARD_NS_UTS,
	WARD_NS_MOUNT,
	WARD_NS_CGROUP,
	WARD_NS_USER,
	WARD_NS_TIME,
	WARD_NS_COUNT
};

/* Not from the JSON: the identity of a host object a config names, as create
 * checked it (hostobj.c, ward_host_facts_pin), for the code that opens it later
 * to verify it opened that very object (security.md §0). */
struct ward_pin {
	int state; /* enum ward_src_pin */
	uint64_t dev, ino;
};

struct ward_namespace {
	bool present;	     /* listed in linux.namespaces */
	char *path;	     /* join this namespace; NULL = create a new one */
	struct ward_pin pin; /* of path */
};

struct ward_idmap {
	uint32_t container_id, host_id, size;
};

struct ward_mount {
	char *destination; /* absolute, inside the container */
	char *type;	   /* may be NULL (bind mounts) */
	char *source;	   /* may be NULL */
	char **options;	   /* NULL-terminated, as written */
	/* Not from the JSON: a bind source's identity as create checked it
	 * (hostobj.c, ward_host_facts_pin); the init refuses a tree that is
	 * another object (mounts.c). */
	int src_pin; /* enum ward_src_pin */
	uint64_t src_dev, src_ino;
};
enum ward_src_pin { WARD_SRC_UNPINNED, WARD_SRC_PINNED, WARD_SRC_ABSENT };

/* 0 when fd is the object p pinned (or p pins nothing); else -1 with EPERM:
 * "<what> changed since it was checked". */
int ward_pin_verify(const struct ward_pin *p, int fd, const char *what, struct ward_error **e);

struct ward_device {
	char *path; /* absolute, inside the container */
	char type;  /* 'c', 'b', 'u' or 'p' */
	int64_t major, minor;
	bool has_mode, has_uid, has_gid;
	uint32_t mode, uid, gid;
};

struct ward_hook {
	char *path;
	char **args;	     /* NULL-terminated, may be NULL */
	char **env;	     /* NULL-terminated, may be NULL */
	int timeout;	     /* seconds, 0 = none */
	struct ward_pin pin; /* of path, for the hooks that run on the host */
};

enum ward_hook_kind {
	WARD_HOOK_PRESTART,
	WARD_HOOK_CREATE_RUNTIME,
	WARD_HOOK_CREATE_CONTAINER,
	WARD_HOOK_START_CONTAINER,
	WARD_HOOK_POSTSTART,
	WARD_HOOK_POSTSTOP,
	WARD_HOOK_KINDS
};

struct ward_time_offset {
	bool present;
	int64_t secs;
	uint32_t nanosecs;
};

struct ward_linux {
	struct ward_namespace ns[WARD_NS_COUNT];
	struct ward_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct ward_time_offset time_boottime, time_monotonic;
	struct ward_device *devices;
	size_t n_devices;
	struct ward_kv *sysctl;
	size_t n_sysctl;
	bool has_masked_paths, has_readonly_paths; /* keys present (even if empty) */
	char **masked_paths, **readonly_paths;	   /* NULL-terminated */
	char *rootfs_propagation;		   /* NULL, "private", "rprivate", "slave", ... */
	char *mount_label;
	char *cgroups_path;
	/* Later issues read these subtrees directly (resources, seccomp); they are
	 * kept as pointers into the parsed tree (yajl_val), valid while the spec is. */
	const void *resources;
	const void *seccomp;
	bool has_seccomp; /* key present; seccomp == NULL then means an explicit null */
};

struct ward_spec {
	char *oci_version;
	char *root_path; /* as written; relative to the bundle */
	struct ward_pin root_pin;
	bool root_readonly;
	char *hostname, *domainname;
	struct ward_process process;
	struct ward_mount *mounts;
	size_t n_mounts;
	struct ward_hook *hooks[WARD_HOOK_KINDS];
	size_t n_hooks[WARD_HOOK_KINDS];
	struct ward_kv *annotations;
	size_t n_annotations;
	bool has_linux;
	struct ward_linux linux_;
	void *tree; /* the yajl_val tree everything above was read from */
};

/* Parse config.json text; file names the source in error messages
 * ("config.json: process.user.uid: expected a non-negative integer"). */
int ward_spec_parse(const char *json, size_t len, const char *file, struct ward_spec **out,
		    struct ward_error **e);
/* Read and parse dirfd/path (at most WARD_SPEC_MAX_BYTES). */
int ward_spec_load(int dirfd, const char *path, struct ward_spec **out, struct ward_error **e);
void ward_spec_free(struct ward_spec *s);

/* Namespace names as in the spec ("pid", "network", ...) and their CLONE_NEW* flags. */
const char *ward_ns_name(enum ward_ns_type t);
int ward_ns_clone_flag(enum ward_ns_type t);
/* The /proc/PID/ns/ file name of a namespace type ("pid", "net", "mnt", ...). */
const char *ward_ns_proc_name(enum ward_ns_type t);
/* Spec name of a hook kind ("prestart", "createRuntime", ...). */
const char *ward_hook_kind_name(enum ward_hook_kind k);

/* The hardened config.json that `ward spec` writes (malloc'd JSON text).
 * rootless: add a user namespace mapping uid/gid (the caller's ids) to 0. */
char *ward_spec_generate(bool rootless, uint32_t uid, uint32_t gid);

#endif
