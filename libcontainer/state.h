/* SPDX-License-Identifier: Apache-2.0 */
/* The state store: <root>/<id>/ (0700) holding state.json (0600, written
 * atomically), config.json (a private copy of the bundle's config, for delete and
 * poststop hooks), exec.fifo while the container is created but not started.
 * Every state change holds flock() on the container directory. Symlinks are never
 * followed inside the root. */
#ifndef WARD_STATE_H
#define WARD_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"
#include "spec.h"

enum ward_status {
	WARD_STATUS_CREATING,
	WARD_STATUS_CREATED,
	WARD_STATUS_RUNNING,
	WARD_STATUS_PAUSED,
	WARD_STATUS_STOPPED
};

struct ward_state {
	char *id;
	pid_t pid;	     /* host pid of the container's init */
	uint64_t start_time; /* /proc/PID/stat start time, to detect pid reuse */
	char *bundle;	     /* absolute */
	char *rootfs;	     /* absolute */
	char *created;	     /* RFC 3339 */
	char *owner;	     /* "" as runc */
	struct ward_kv *annotations;
	size_t n_annotations;
	char *cgroup;	   /* absolute host path of the container's cgroup dir, or NULL */
	bool has_tty;	   /* process.terminal */
	char *oci_version; /* from the config */
};

const char *ward_status_name(enum ward_status s);

/* Open (and with create, make: 0700, refusing a symlink or a directory that others
 * can write) the state root. Returns an O_DIRECTORY fd. */
int ward_state_root_open(const char *root, bool create, struct ward_error **e);
/* Reserve a new container ID: mkdir <id> 0700 and flock it exclusively. An ID that
 * exists is refused ("container with id X already exists"), unless it is the
 * leftover of a create that was killed (no state.json, lock free), which is
 * reclaimed. Returns the directory fd (locked) in *dirfd. */
int ward_state_reserve(int rootfd, const char *id, int *dirfd, struct ward_error **e);
/* Open an existing container's directory and flock it (LOCK_SH or LOCK_EX; 0 for
 * no lock). ENOENT gives "container X does not exist". */
/* The file in which create records the container's cgroup ("PATH\nORIGIN\n",
 * ORIGIN one of pending, created, adopted; a file of an older ward holds the
 * path alone, which it created or took as its own). */
#define WARD_STATE_CGROUP_FILE "cgroup.path"
/* Record the container's cgroup and how ward came by it: pending before it is
 * made, then created or adopted. */
int ward_state_record_cgroup(int dirfd, const char *path, enum ward_cgroup_origin origin,
			     struct ward_error **e);
/* The container's cgroup (*path, malloc'd; NULL for none) and how ward came by
 * it, as recorded. Without a record, fallback (the cgroup in state.json, or
 * NULL) is taken as created, as a ward before records did; with one, fallback
 * must name the same cgroup. */
int ward_state_cgroup(int dirfd, const char *id, const char *fallback, char **path,
		      enum ward_cgroup_origin *origin, struct ward_error **e);
/* Undo the container's cgroup as its record says (ward_cgroup_destroy with the
 * recorded origin). Without a record, fallback (the cgroup in state.json, or
 * NULL for none) is taken as created, as a ward before records did. */
int ward_state_destroy_cgroup(int dirfd, const char *id, const char *fallback, struct ward_error **e);
/* Remove the leftover of a killed create (no state.json, lock free) and undo
 * the cgroup it recorded. 1 when there was one, 0 when not, -1 on error. */
int ward_state_reap_leftover(int rootfd, const char *id, struct ward_error **e);
int ward_state_open(int rootfd, const char *id, int lock_op, int *dirfd, struct ward_error **e);
int ward_state_save(int dirfd, const struct ward_state *st, struct ward_error **e);
int ward_state_load(int dirfd, const char *id, struct ward_state **out, struct ward_error **e);
void ward_state_free(struct ward_state *st);
/* The status now: stopped when the pid is gone, a zombie or reused (start time
 * differs); created while exec.fifo exists; paused when the cgroup is frozen. */
enum ward_status ward_state_status(int dirfd, const struct ward_state *st);
/* runc's state JSON (ociVersion, id, pid, status, bundle, rootfs, created, owner,
 * annotations); pid is 0 when stopped. malloc'd. Pretty for `ward state`, one
 * line for hooks (as runc: shell hooks read their stdin line by line). */
char *ward_state_json(const struct ward_state *st, enum ward_status status, bool pretty);
/* Remove <root>/<id> and everything ward put in it. */
int ward_state_remove(int rootfd, const char *id, struct ward_error **e);
/* The IDs in the root (sorted), skipping leftovers without state.json. */
int ward_state_list(int rootfd, char ***ids, struct ward_error **e);

#endif
