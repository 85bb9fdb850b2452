/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup_stats: runc's stats JSON from the files of a cgroup v2 directory, here
 * a fake one of plain files, so every conversion is checked exactly (units,
 * "max", memory+swap, io.stat's two ops, hugetlb's sizes, omitted zeros). */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cgroup_stats.h"
#include "json.h"
#include "tap.h"

static char dir[] = "/tmp/ward-test-stats.XXXXXX";

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* The stats of dir, parsed back (the caller frees), or NULL. */
static yajl_val stats(void)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	yajl_gen g = yajl_gen_alloc(NULL);
	struct ward_error *e = NULL;
	char *text = NULL;
	yajl_val v = NULL;

	if (fd >= 0 && ward_cgroup_stats_gen(fd, g, &e) == 0 && (text = json_gen_text(g, false)))
		v = yajl_tree_parse(text, NULL, 0);
	free(text);
	yajl_gen_free(g);
	ward_error_free(e);
	if (fd >= 0)
		close(fd);
	return v;
}

/* The number at a path of keys (NULL-terminated) as text, or NULL. */
static const char *num(yajl_val v, const char **path)
{
	yajl_val n = yajl_tree_get(v, path, yajl_t_number);

	return n ? YAJL_GET_NUMBER(n) : NULL;
}

#define P(...) ((const char *[]){__VA_ARGS__, NULL})

static void test_empty(void)
{
	yajl_val v = stats();

	ok(v != NULL, "an empty cgroup dir gives valid JSON");
	is_str(num(v, P("cpu", "usage", "kernel")), "0", "  cpu.usage.kernel 0 (not omitted, as runc)");
	ok(!num(v, P("cpu", "usage", "total")), "  cpu.usage.total omitted when zero");
	ok(yajl_tree_get(v, P("memory", "usage"), yajl_t_any) == NULL,
	   "  no memory controller: no memory.usage");
	ok(yajl_tree_get(v, P("network_interfaces"), yajl_t_null) != NULL, "  network_interfaces null");
	yajl_tree_free(v);
}

static void test_full(void)
{
	yajl_val v, a;

	put("cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 3\n"
			"throttled_usec 42\n");
	put("cpuset.cpus.effective", "0-2,5\n");
	put("cpuset.mems.effective", "0\n");
	put("memory.current", "1048576\n");
	put("memory.max", "max\n");
	put("memory.peak", "2097152\n");
	put("memory.events", "low 0\nhigh 0\nmax 4\noom 2\noom_kill 1\n");
	put("memory.stat", "anon 4096\nfile 8192\n");
	put("memory.swap.current", "4096\n");
	put("memory.swap.max", "max\n");
	put("pids.current", "3\n");
	put("pids.max", "max\n");
	put("io.stat",
	    "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n254:0 rbytes=5 wbytes=0 rios=1 "
	    "wios=0 dbytes=0 dios=0\n");
	put("hugetlb.2MB.current", "4194304\n");
	put("hugetlb.2MB.events", "max 1\n");
	put("hugetlb.2MB.rsvd.current", "0\n");
	v = stats();
	ok(v != NULL, "a full cgroup dir gives valid JSON");
	is_str(num(v, P("cpu", "usage", "total")), "1500000", "  cpu.usage.total in ns");
	is_str(num(v, P("cpu", "usage", "user")), "1000000", "  cpu.usage.user in ns");
	is_str(num(v, P("cpu", "usage", "kernel")), "500000", "  cpu.usage.kernel in ns");
	is_str(num(v, P("cpu", "throttling", "periods")), "7", "  throttling.periods");
	is_str(num(v, P("cpu", "throttling", "throttledPeriods")), "3", "  throttling.throttledPeriods");
	is_str(num(v, P("cpu", "throttling", "throttledTime")), "42000", "  throttling.throttledTime in ns");
	a = yajl_tree_get(v, P("cpuset", "cpus"), yajl_t_array);
	ok(a && a->u.array.len == 4 && YAJL_GET_INTEGER(a->u.array.values[3]) == 5,
	   "  cpuset.cpus 0-2,5 listed");
	is_str(num(v, P("memory", "usage", "usage")), "1048576", "  memory.usage.usage");
	is_str(num(v, P("memory", "usage", "limit")), "18446744073709551615", "  memory.max max as 2^64-1");
	is_str(num(v, P("memory", "usage", "max")), "2097152", "  memory.usage.max from memory.peak");
	is_str(num(v, P("memory", "usage", "failcnt")), "4", "  failcnt from memory.events max");
	is_str(num(v, P("memory", "swap", "usage")), "1052672", "  swap usage is memory + swap, as runc");
	is_str(num(v, P("memory", "cache")), "8192", "  cache from memory.stat file");
	is_str(num(v, P("memory", "raw", "anon")), "4096", "  raw carries memory.stat");
	is_str(num(v, P("pids", "current")), "3", "  pids.current");
	ok(!num(v, P("pids", "limit")), "  pids.limit omitted when max");
	a = yajl_tree_get(v, P("blkio", "ioServiceBytesRecursive"), yajl_t_array);
	ok(a && a->u.array.len == 4, "  io.stat: read and write bytes per device");
	if (a && a->u.array.len == 4) {
		is_str(YAJL_GET_STRING(yajl_tree_get(a->u.array.values[1], P("op"), yajl_t_string)), "Write",
		       "  second entry is the write");
		is_str(num(a->u.array.values[1], P("value")), "200", "  of 200 bytes");
		is_str(num(a->u.array.values[2], P("major")), "254", "  the second device's major");
	}
	is_str(num(v, P("hugetlb", "2MB", "usage")), "4194304", "  hugetlb 2MB usage");
	is_str(num(v, P("hugetlb", "2MB", "failcnt")), "1", "  hugetlb 2MB failcnt from its events");
	ok(yajl_tree_get(v, P("hugetlb", "2MB.rsvd"), yajl_t_any) == NULL, "  rsvd files are not page sizes");
	yajl_tree_free(v);
	{
		int fd = open(dir, O_RDONLY | O_DIRECTORY);

		is_int(ward_cgroup_oom_kills(fd), 1, "oom_kill count from memory.events");
		close(fd);
	}
	put("memory.max", "33554432\n");
	put("memory.swap.max", "0\n");
	v = stats();
	is_str(num(v, P("memory", "swap", "limit")), "33554432",
	       "swap limit is memory.max + memory.swap.max");
	yajl_tree_free(v);
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(dir))
		return 1;
	test_empty();
	test_full();
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		ok(0, "clean up %s", dir);
	return tap_done();
}
