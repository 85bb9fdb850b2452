/* SPDX-License-Identifier: Apache-2.0 */
/* The host objects a config names, opened and identified (security.md §0:
 * identity, not strings): bind sources, the rootfs, joined namespaces, the host
 * device nodes ward binds in a user namespace, hook binaries, the seccomp
 * listener socket. Each is opened once (O_PATH) and described by what its fd
 * says: file type, device and inode, the kernel's path for it, and where it sits
 * relative to the sensitive host trees. This module does the I/O; findings.c
 * and policy.c judge its facts and stay pure.
 *
 * It also holds the host policy file's allowlists (parsed by ctx.c), which the
 * judge reads with the facts. */
#ifndef WARD_HOSTOBJ_H
#define WARD_HOSTOBJ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* "allow-device = c 10:200" ("*" for any minor). */
struct ward_allow_dev {
	char type;	      /* 'c' or 'b' */
	int64_t major, minor; /* minor -1: any */
};

/* The host policy file: "level = ..." and the allowlists that widen what the
 * restricted level accepts. The string vectors are NULL-terminated (or NULL). */
struct ward_host_policy {
	int level; /* enum ward_policy_level, or -1 when the file names none */
	struct ward_allow_dev *devices;
	size_t n_devices;
	char **sysctls;	  /* allow-sysctl: exact names */
	char **hooks;	  /* allow-hook: binaries, compared by identity when checking */
	char **listeners; /* allow-listener: seccomp listener socket paths, exact */
};

/* Parse the text of the host policy file (file names it in errors): "#"
 * comments, blank lines, "key = value" with the keys level, allow-device,
 * allow-sysctl, allow-hook and allow-listener. An unknown key or a bad value is
 * refused with the line quoted. */
int ward_host_policy_parse(const char *text, const char *file, struct ward_host_policy *hp,
			   struct ward_error **e);
void ward_host_policy_free(struct ward_host_policy *hp);

/* Where an object sits relative to the sensitive host trees. */
enum ward_tree_rel { WARD_TREE_NONE, WARD_TREE_IS, WARD_TREE_UNDER, WARD_TREE_CONTAINS };

/* What the host says about one object a config names. */
struct ward_hostobj {
	bool named;   /* the config names it (else the rest is zero) */
	bool checked; /* opened on this host: the facts below are the opened object's */
	int err;      /* when !checked: errno of the open (ENOENT: not on this host) */
	char *value;  /* the path as ward opens it (a bind source made absolute) */
	mode_t type;  /* st_mode & S_IFMT */
	uint64_t dev, ino, rdev;
	unsigned long nlink;
	uint64_t fs_magic;   /* statfs f_type of its filesystem (NSFS_MAGIC for a namespace) */
	char *canon;	     /* the kernel's path of the opened object */
	int rel;	     /* enum ward_tree_rel */
	char *tree;	     /* the sensitive tree it is, is under or contains */
	bool host_ns;	     /* namespaces: ward's own (or pid 1's) namespace of that type */
	bool maps_host_root; /* joined user namespace: its maps hold host id 0 (or cannot be read) */
	bool allowed;	     /* hooks: an allow-hook binary; listener: an allow-listener path */
};

/* Everything the judge needs about a config's host objects. */
struct ward_host_facts {
	const struct ward_host_policy *policy; /* the host's allowlists (never NULL) */
	struct ward_hostobj root;	       /* root.path */
	struct ward_hostobj *mounts;	       /* [n_mounts]: bind sources */
	size_t n_mounts;
	struct ward_hostobj ns[WARD_NS_COUNT]; /* linux.namespaces[].path */
	struct ward_hostobj *devices;	       /* [n_devices]: the host node at linux.devices[].path */
	size_t n_devices;
	struct ward_hostobj *hooks[WARD_HOOK_KINDS]; /* [n_hooks[k]]: the binaries */
	size_t n_hooks[WARD_HOOK_KINDS];
	struct ward_hostobj listener; /* linux.seccomp.listenerPath */
};

/* Open and identify every host object s names. bundle: the absolute bundle
 * directory (relative bind sources and root.path are in it); extra_trees:
 * NULL-terminated paths that are sensitive on this host besides the built-in
 * list (ward's state root, the host policy file's directory); hp: the host's
 * allowlists (kept by pointer). An object that cannot be opened is recorded
 * as not checked, with its errno: the judge then has only its string. */
int ward_host_facts_gather(const struct ward_spec *s, const char *bundle, const char *const *extra_trees,
			   const struct ward_host_policy *hp, struct ward_host_facts **out,
			   struct ward_error **e);
void ward_host_facts_free(struct ward_host_facts *f);
/* Record in s's mounts the identity of each bind source as checked, for the
 * init to verify the tree it opens is that object (mounts.c). */
void ward_host_facts_pin(const struct ward_host_facts *f, struct ward_spec *s);

/* The built-in sensitive host trees (NULL-terminated). */
extern const char *const ward_sensitive_trees[];
/* Whether the cleaned absolute path p is, is under or contains a sensitive tree
 * by its string (extra: as above), with /home judged as its users' homes: /home
 * and a home directory itself, and the dot-files in it, but not a project
 * directory in a home. Returns enum ward_tree_rel; *tree names the tree. */
int ward_sensitive_path(const char *p, const char *const *extra, const char **tree);

#endif
