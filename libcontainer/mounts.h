/* SPDX-License-Identifier: Apache-2.0 */
/* The container's filesystem, built in its new mount namespace before pivot_root.
 * Every destination is resolved inside the rootfs by safepath and every mount is
 * attached to an fd with move_mount (fsopen/fsmount for filesystems, open_tree
 * for binds), so no path string taken from the image is ever handed to mount(2). */
#ifndef WARD_MOUNTS_H
#define WARD_MOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "spec.h"

/* Parsed mount options (OCI "options" strings). */
struct ward_mnt_opts {
	uint64_t attr_set, attr_clr;	       /* MOUNT_ATTR_* for the mount itself */
	uint64_t rattr_set, rattr_clr;	       /* recursive ones (rro, rnosuid, ...) */
	uint64_t propagation;		       /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE or 0 */
	bool rec_propagation, bind, recursive; /* rbind => bind + recursive */
	char *data;			       /* the remaining options, comma-joined */
};

int ward_mnt_opts_parse(char *const *options, struct ward_mnt_opts *o, struct ward_error **e);
void ward_mnt_opts_free(struct ward_mnt_opts *o);
/* The i-th mount option ward knows (for `ward features`); NULL past the end. */
const char *ward_mnt_opt_name(size_t i);

struct ward_rootfs {
	int rootfd;	    /* O_PATH fd of the rootfs mount */
	int devnullfd;	    /* the host's /dev/null, checked to be char 1:3 */
	const char *cgroup; /* host path of the container's cgroup directory, or NULL */
	bool in_userns;	    /* mknod is not possible: bind devices from the host */
	bool dev_setup;	    /* ward builds /dev (the config does not bind-mount it) */
	int proc_pidns_fd;  /* a pid namespace the proc mounts show (set up outside it), or -1 */
};

/* Make the mount tree private to the container, bind the rootfs onto itself and
 * open it. rootfs is the absolute host path. */
int ward_rootfs_prepare(const struct ward_spec *s, const char *rootfs, bool in_userns, struct ward_rootfs *r,
			struct ward_error **e);
/* A cgroup2 mount requested by the config is a bind of this directory (the
 * container's own cgroup, a trusted host path resolved in the container's
 * copy of the host's mounts: an fd of the parent's would be refused): what a cgroup namespace shows at its
 * root, without the host's hierarchy when there is none, and without the cost of a new cgroup2 superblock
 * (~10 ms). */
void ward_rootfs_set_cgroup(struct ward_rootfs *r, const char *cgroup);
/* linux.mounts in order, then /dev (devices, symlinks, pts, shm) when ward owns it. */
int ward_rootfs_mount_all(const struct ward_spec *s, const char *bundle, struct ward_rootfs *r,
			  struct ward_error **e);
/* Bind the terminal's peer onto /dev/console. */
int ward_rootfs_console(struct ward_rootfs *r, int peer, struct ward_error **e);
/* linux.maskedPaths and linux.readonlyPaths. */
int ward_rootfs_mask(const struct ward_spec *s, struct ward_rootfs *r, struct ward_error **e);
/* pivot_root into the rootfs (MS_MOVE + chroot with no_pivot), read-only root,
 * final propagation. Closes r's fds. */
int ward_rootfs_pivot(const struct ward_spec *s, struct ward_rootfs *r, bool no_pivot, struct ward_error **e);
void ward_rootfs_close(struct ward_rootfs *r);
/* A new filesystem instance as a detached mount fd (fsopen, fsconfig with the
 * comma-separated data, fsmount with MOUNT_ATTR_* attrs). */
int ward_fs_new(const char *type, const char *source, const char *data, uint64_t attrs,
		struct ward_error **e);

#endif
