/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cgroup_stats.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "util.h"

/* uint64 as a JSON number: yajl_gen_integer stops at LLONG_MAX, and runc
 * reports an unlimited memory.max as 2^64-1 */
static void gen_u64(yajl_gen g, const char *key, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof buf, "%" PRIu64, v);

	json_gen_str(g, key);
	yajl_gen_number(g, buf, (size_t)n);
}

/* Go's omitempty: runc leaves zero values of these fields out */
static void gen_u64_nz(yajl_gen g, const char *key, uint64_t v)
{
	if (v)
		gen_u64(g, key, v);
}

/* A file of the cgroup (malloc'd), or NULL when the hierarchy lacks it. */
static char *cg_read(int dirfd, const char *name)
{
	char *s = NULL;

	if (read_file_at(dirfd, name, 1 << 20, &s, NULL, NULL) < 0)
		return NULL;
	return s;
}

/* The value of the "key value" line of a flat-keyed file. */
static bool kv(const char *text, const char *key, uint64_t *v)
{
	size_t n = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ' ') {
			*v = strtoull(p + n + 1, NULL, 10);
			return true;
		}
	return false;
}

/* A single-value file: a number, or "max" as UINT64_MAX. */
static bool value(int dirfd, const char *name, uint64_t *v)
{
	_cleanup_free_ char *s = cg_read(dirfd, name);

	if (!s)
		return false;
	*v = strncmp(s, "max", 3) == 0 ? UINT64_MAX : strtoull(s, NULL, 10);
	return true;
}

static void gen_cpu(int dirfd, yajl_gen g)
{
	_cleanup_free_ char *st = cg_read(dirfd, "cpu.stat");
	uint64_t usage = 0, user = 0, sys = 0, periods = 0, throttled = 0, throttled_us = 0;

	if (st) {
		kv(st, "usage_usec", &usage);
		kv(st, "user_usec", &user);
		kv(st, "system_usec", &sys);
		kv(st, "nr_periods", &periods);
		kv(st, "nr_throttled", &throttled);
		kv(st, "throttled_usec", &throttled_us);
	}
	json_gen_str(g, "cpu");
	yajl_gen_map_open(g);
	json_gen_str(g, "usage");
	yajl_gen_map_open(g); /* nanoseconds, as runc */
	gen_u64_nz(g, "total", usage * 1000);
	gen_u64(g, "kernel", sys * 1000);
	gen_u64(g, "user", user * 1000);
	yajl_gen_map_close(g);
	json_gen_str(g, "throttling");
	yajl_gen_map_open(g);
	gen_u64_nz(g, "periods", periods);
	gen_u64_nz(g, "throttledPeriods", throttled);
	gen_u64_nz(g, "throttledTime", throttled_us * 1000);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

/* "0-2,5" as [0,1,2,5] */
static void gen_list(yajl_gen g, const char *key, const char *list)
{
	const char *p = list;

	if (!list || !*list || *list == '\n')
		return;
	json_gen_str(g, key);
	yajl_gen_array_open(g);
	while (*p && *p != '\n') {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (end == p)
			break;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		for (unsigned long i = a; i <= b && i - a < 65536; i++)
			yajl_gen_integer(g, (long long)i);
		p = *end == ',' ? end + 1 : end;
	}
	yajl_gen_array_close(g);
}

static void gen_cpuset(int dirfd, yajl_gen g)
{
	_cleanup_free_ char *cpus = cg_read(dirfd, "cpuset.cpus.effective");
	_cleanup_free_ char *mems = cg_read(dirfd, "cpuset.mems.effective");

	json_gen_str(g, "cpuset");
	yajl_gen_map_open(g);
	gen_list(g, "cpus", cpus);
	gen_list(g, "mems", mems);
	yajl_gen_map_close(g);
}

static void gen_entry(yajl_gen g, const char *key, uint64_t limit, uint64_t usage, uint64_t max,
		      uint64_t failcnt)
{
	json_gen_str(g, key);
	yajl_gen_map_open(g);
	gen_u64(g, "limit", limit);
	gen_u64_nz(g, "usage", usage);
	gen_u64_nz(g, "max", max);
	gen_u64(g, "failcnt", failcnt);
	yajl_gen_map_close(g);
}

/* memory.stat's pairs as "raw", "file" as "cache" */
static void gen_memory_stat(int dirfd, yajl_gen g)
{
	_cleanup_free_ char *st = cg_read(dirfd, "memory.stat");
	uint64_t cache = 0;

	if (!st)
		return;
	if (kv(st, "file", &cache))
		gen_u64_nz(g, "cache", cache);
	json_gen_str(g, "raw");
	yajl_gen_map_open(g);
	for (char *line = st, *next; line && *line; line = next) {
		char *sp = strchr(line, ' ');

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!sp)
			continue;
		*sp = '\0';
		gen_u64(g, line, strtoull(sp + 1, NULL, 10));
	}
	yajl_gen_map_close(g);
}

static void gen_memory(int dirfd, yajl_gen g)
{
	_cleanup_free_ char *events = cg_read(dirfd, "memory.events");
	uint64_t cur = 0, max = UINT64_MAX, peak = 0, fails = 0, scur = 0, smax = UINT64_MAX;

	json_gen_str(g, "memory");
	yajl_gen_map_open(g);
	if (value(dirfd, "memory.current", &cur)) {
		value(dirfd, "memory.max", &max);
		value(dirfd, "memory.peak", &peak);
		if (events)
			kv(events, "max", &fails);
		gen_memory_stat(dirfd, g);
		gen_entry(g, "usage", max, cur, peak, fails);
		/* v1 (and so runc's events) count swap as memory + swap */
		if (value(dirfd, "memory.swap.current", &scur)) {
			value(dirfd, "memory.swap.max", &smax);
			if (smax != UINT64_MAX && max != UINT64_MAX)
				smax += max;
			gen_entry(g, "swap", smax, scur + cur, 0, 0);
		}
	}
	yajl_gen_map_close(g);
}

static void gen_pids(int dirfd, yajl_gen g)
{
	uint64_t cur = 0, max = 0;

	value(dirfd, "pids.current", &cur);
	value(dirfd, "pids.max", &max);
	json_gen_str(g, "pids");
	yajl_gen_map_open(g);
	gen_u64_nz(g, "current", cur);
	gen_u64_nz(g, "limit", max == UINT64_MAX ? 0 : max);
	yajl_gen_map_close(g);
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ..." per device */
static void gen_io_entries(yajl_gen g, const char *key, const char *st, const char *rkey, const char *wkey)
{
	bool opened = false;

	for (const char *line = st; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		unsigned maj, min;
		const char *ops[2][2] = {{"Read", rkey}, {"Write", wkey}};

		if (sscanf(line, "%u:%u", &maj, &min) != 2)
			continue;
		if (!opened) {
			json_gen_str(g, key);
			yajl_gen_array_open(g);
			opened = true;
		}
		for (size_t i = 0; i < 2; i++) {
			const char *f = strstr(line, ops[i][1]), *eol = strchr(line, '\n');

			if (!f || (eol && f > eol))
				continue;
			yajl_gen_map_open(g);
			gen_u64(g, "major", maj);
			gen_u64(g, "minor", min);
			json_gen_str(g, "op");
			json_gen_str(g, ops[i][0]);
			gen_u64(g, "value", strtoull(f + strlen(ops[i][1]), NULL, 10));
			yajl_gen_map_close(g);
		}
	}
	if (opened)
		yajl_gen_array_close(g);
}

static void gen_blkio(int dirfd, yajl_gen g)
{
	_cleanup_free_ char *st = cg_read(dirfd, "io.stat");

	json_gen_str(g, "blkio");
	yajl_gen_map_open(g);
	if (st) {
		gen_io_entries(g, "ioServiceBytesRecursive", st, " rbytes=", " wbytes=");
		gen_io_entries(g, "ioServicedRecursive", st, " rios=", " wios=");
	}
	yajl_gen_map_close(g);
}

/* one entry per page size: hugetlb.<size>.current and the "max" count of its events */
static void gen_hugetlb(int dirfd, yajl_gen g)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	json_gen_str(g, "hugetlb");
	yajl_gen_map_open(g);
	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		uint64_t usage = 0, fails = 0;

		if (strncmp(de->d_name, "hugetlb.", 8) != 0 || n < 17 ||
		    strcmp(de->d_name + n - 8, ".current") != 0 || strstr(de->d_name, ".rsvd."))
			continue;
		{
			_cleanup_free_ char *size = xstrndup(de->d_name + 8, n - 16);
			_cleanup_free_ char *ev = xasprintf("hugetlb.%s.events", size);
			_cleanup_free_ char *events = cg_read(dirfd, ev);

			value(dirfd, de->d_name, &usage);
			if (events)
				kv(events, "max", &fails);
			json_gen_str(g, size);
			yajl_gen_map_open(g);
			gen_u64_nz(g, "usage", usage);
			gen_u64(g, "failcnt", fails);
			yajl_gen_map_close(g);
		}
	}
	if (d)
		closedir(d);
	else if (fd >= 0)
		close(fd);
	yajl_gen_map_close(g);
}

int ward_cgroup_stats_gen(int dirfd, yajl_gen g, struct ward_error **e)
{
	if (yajl_gen_map_open(g) != yajl_gen_status_ok)
		return ward_err(e, EINVAL, "cgroup statistics: JSON generator error");
	gen_cpu(dirfd, g);
	gen_cpuset(dirfd, g);
	gen_memory(dirfd, g);
	gen_pids(dirfd, g);
	gen_blkio(dirfd, g);
	gen_hugetlb(dirfd, g);
	json_gen_str(g, "intel_rdt");
	yajl_gen_map_open(g);
	yajl_gen_map_close(g);
	json_gen_str(g, "network_interfaces");
	yajl_gen_null(g);
	if (yajl_gen_map_close(g) != yajl_gen_status_ok)
		return ward_err(e, EINVAL, "cgroup statistics: JSON generator error");
	return 0;
}

uint64_t ward_cgroup_oom_kills(int dirfd)
{
	_cleanup_free_ char *events = cg_read(dirfd, "memory.events");
	uint64_t n = 0;

	if (events)
		kv(events, "oom_kill", &n);
	return n;
}
