/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v2 only. The hierarchy is /sys/fs/cgroup when it is a cgroup2 mount,
 * else a hybrid host's /sys/fs/cgroup/unified. cgroupsPath: absolute paths are
 * taken from the hierarchy root; relative ones and an absent path go under the
 * default parent WARD_CGROUP_PARENT ("/ward/<id>" when absent). */
#ifndef WARD_CGROUP_H
#define WARD_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

#define WARD_CGROUP_PARENT "/ward"

/* The mount point of the v2 hierarchy (static string), or NULL with an error. */
const char *ward_cgroup_mount(struct ward_error **e);
/* The absolute host path of the container's cgroup dir (malloc'd). A path with
 * ".." components is refused. */
char *ward_cgroup_path(const char *mount, const char *cgroups_path, const char *id, struct ward_error **e);
/* A systemd cgroupsPath "slice:prefix:name" (--systemd-cgroup) as the path
 * systemd itself would give the unit, for cgroupfs: the slice expanded as
 * systemd nests slices ("a-b.slice" is /a.slice/a-b.slice; "" and "-.slice" are
 * the root; a name without ".slice" is used as it is), then
 * "prefix-name.scope" ("name" alone without a prefix; a name ending in ".slice"
 * is a slice itself). malloc'd, or NULL with an error. */
char *ward_cgroup_systemd_path(const char *spec, struct ward_error **e);
/* How ward came by a container's cgroup; the container's state records it, so
 * that delete and the reclaim of a killed create undo exactly what ward did. */
enum ward_cgroup_origin {
	WARD_CGROUP_PENDING, /* not known yet: nothing there is ward's to undo */
	WARD_CGROUP_CREATED, /* ward made the directory */
	WARD_CGROUP_ADOPTED, /* an empty leaf that existed before: not ward's */
};

/* mkdir -p the cgroup. One that exists already is taken only when it is an
 * empty leaf of the v2 hierarchy: no process (cgroup.procs) and none below
 * ("populated 0" in cgroup.events), no child cgroups; else EBUSY, and nothing
 * was made. *origin says which. Returns an O_DIRECTORY fd for
 * CLONE_INTO_CGROUP, flock()ed until it is closed (a concurrent create does
 * not take the same cgroup). */
int ward_cgroup_create(const char *path, enum ward_cgroup_origin *origin, struct ward_error **e);
/* Kill every process in it and below it: a cgroup ward created with its
 * cgroup.kill; an adopted one (or on kernels without cgroup.kill) with SIGKILL
 * to each pid of its cgroup.procs and cgroup.kill of its child cgroups, round
 * after round until "populated 0" (~1 s at most), since a cgroup once killed
 * through cgroup.kill has every later CLONE_INTO_CGROUP child killed by the
 * kernel. Nothing for WARD_CGROUP_PENDING. */
int ward_cgroup_kill(const char *path, enum ward_cgroup_origin origin, struct ward_error **e);
/* Signal every process in it (for kill --all with a signal other than KILL). */
int ward_cgroup_signal(const char *path, int sig, struct ward_error **e);
/* Undo what ward did with the cgroup: kill every process in it (and below),
 * remove every cgroup below it at any depth (those the container made), then
 * the cgroup itself when ward created it; an adopted one stays, empty.
 * Retries while processes exit, for ~1 s after the last progress. Nothing for
 * WARD_CGROUP_PENDING, nor for a cgroup that does not exist. */
int ward_cgroup_destroy(const char *path, enum ward_cgroup_origin origin, struct ward_error **e);
/* The pids in cgroup.procs. */
int ward_cgroup_pids(const char *path, pid_t **pids, size_t *n, struct ward_error **e);
/* Freeze (or thaw) it with cgroup.freeze and wait, at most timeout_ms, until
 * cgroup.events says "frozen 1" (or 0). A freeze that does not complete in
 * time is undone. */
int ward_cgroup_freeze(const char *path, bool freeze, int timeout_ms, struct ward_error **e);
/* Whether cgroup.freeze reads 1. */
bool ward_cgroup_frozen(const char *path);
/* Move pid into the cgroup open as dirfd (its cgroup.procs), for kernels
 * without CLONE_INTO_CGROUP; path names the cgroup in errors. */
int ward_cgroup_enter(int dirfd, const char *path, pid_t pid, struct ward_error **e);

#endif
