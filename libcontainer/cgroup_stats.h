/* SPDX-License-Identifier: Apache-2.0 */
/* A container's cgroup v2 statistics in runc's event JSON ("data" of a
 * {"type":"stats"} event: cpu, cpuset, memory, pids, blkio, hugetlb), read from
 * the files the kernel keeps (cpu.stat, memory.current/.max/.stat/.events,
 * pids.*, io.stat, hugetlb.*). A file the hierarchy lacks (a controller that is
 * not enabled, or a hybrid host) leaves its fields out or zero, as runc does. */
#ifndef WARD_CGROUP_STATS_H
#define WARD_CGROUP_STATS_H

#include <stdint.h>
#include <yajl/yajl_gen.h>

#include "error.h"

/* Generate the data object into g from the cgroup directory dirfd. */
int ward_cgroup_stats_gen(int dirfd, yajl_gen g, struct ward_error **e);
/* The oom_kill counter of memory.events (0 when there is none). */
uint64_t ward_cgroup_oom_kills(int dirfd);

#endif
