/* SPDX-License-Identifier: Apache-2.0 */
/* linux.resources as cgroup v2 writes (cgroup_resources.c): the plan, built from
 * JSON and compared write by write, its refusals with their exact messages, and
 * apply against a fake hierarchy of plain files in a temp directory (the weight
 * written to io.weight and/or io.bfq.weight, whichever the host has).
 * JSON is written with ' for " to keep it readable; sq() swaps them. */
#include "config.h"
#include "cgroup_resources.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "tap.h"
#include "util.h"

static struct ward_cg_plan plan;
static struct ward_error *err;

static void reset(void)
{
	ward_cgroup_plan_free(&plan);
	ward_error_free(err);
	err = NULL;
}

static char *sq(const char *s)
{
	char *j = xstrdup(s);

	for (char *p = j; *p; p++)
		if (*p == '\'')
			*p = '"';
	return j;
}

/* Plan the linux.resources object given as JSON. The tree is freed before the
 * plan is looked at: the plan must own everything it holds. */
static int plan_json(const char *json, bool defaults)
{
	_cleanup_free_ char *j = sq(json);
	char ebuf[256] = "";
	yajl_val v;
	int r;

	reset();
	v = yajl_tree_parse(j, ebuf, sizeof ebuf);
	if (!v) {
		printf("# test JSON does not parse: %s: %s\n", json, ebuf);
		abort();
	}
	r = ward_cgroup_plan_resources(v, defaults, &plan, &err);
	yajl_tree_free(v);
	return r;
}

/* The plan, one write a segment: "FILE=VALUE [CONTROLLER] @PATH", then
 * " |ALT=VALUE" for an alternative file and " (default)" when by_default. */
static char *dump(void)
{
	char *out = xstrdup("");

	for (size_t i = 0; i < plan.n; i++) {
		const struct ward_cg_write *w = &plan.w[i];
		char *alt = w->alt_file ? xasprintf(" |%s=%s", w->alt_file, w->alt_value) : xstrdup("");
		char *n = xasprintf("%s%s%s=%s [%s] @%s%s%s", out, i ? "; " : "", w->file, w->value,
				    w->controller ? w->controller : "-", w->path, alt,
				    w->by_default ? " (default)" : "");

		free(alt);
		free(out);
		out = n;
	}
	return out;
}

static const char *emsg(void)
{
	return err ? err->msg : "(no error)";
}

/* Planned, and the writes are exactly want ("" for none). */
#define PLANS_D(json, defaults, want)                                                                        \
	do {                                                                                                 \
		int r_ = plan_json(json, defaults);                                                          \
		_cleanup_free_ char *d_ = dump();                                                            \
		if (!ok(r_ == 0, "planned: %s", json))                                                       \
			printf("#   %s\n", emsg());                                                          \
		is_str(d_, want, "  writes: %s", want);                                                      \
	} while (0)
#define PLANS(json, want) PLANS_D(json, false, want)

/* Refused with ecode and exactly the message want; nothing left in the plan. */
#define REFUSED(json, ecode, want)                                                                           \
	do {                                                                                                 \
		int r_ = plan_json(json, false);                                                             \
		ok(r_ == -1 && err && err->code == (ecode), "refused (%s): %s", #ecode, json);               \
		if (err && err->code != (ecode))                                                             \
			printf("#   code %d (%s)\n", err->code, ward_errno_name(err->code));                 \
		is_str(emsg(), want, "  message: %s", want);                                                 \
		ok(plan.n == 0 && plan.w == NULL, "  nothing planned");                                      \
	} while (0)

static void test_memory(void)
{
	PLANS("{'memory':{'limit':1048576}}", "memory.max=1048576 [memory] @linux.resources.memory.limit");
	PLANS("{'memory':{'limit':-1}}", "memory.max=max [memory] @linux.resources.memory.limit");
	PLANS("{'memory':{'reservation':524288}}",
	      "memory.low=524288 [memory] @linux.resources.memory.reservation");
	PLANS("{'memory':{'limit':1048576,'swap':3145728}}",
	      "memory.max=1048576 [memory] @linux.resources.memory.limit; "
	      "memory.swap.max=2097152 [memory] @linux.resources.memory.swap");
	PLANS("{'memory':{'limit':1048576,'swap':1048576}}",
	      "memory.max=1048576 [memory] @linux.resources.memory.limit; "
	      "memory.swap.max=0 [memory] @linux.resources.memory.swap");
	PLANS("{'memory':{'limit':1048576,'swap':-1}}",
	      "memory.max=1048576 [memory] @linux.resources.memory.limit; "
	      "memory.swap.max=max [memory] @linux.resources.memory.swap");
	PLANS("{'memory':{'swap':-1}}", "memory.swap.max=max [memory] @linux.resources.memory.swap");
	/* engines' zeros: nothing (memory.max 0 would kill the container at once) */
	PLANS("{'memory':{'limit':0,'reservation':0,'swap':0,'kernel':0,'kernelTCP':0,'swappiness':0,"
	      "'disableOOMKiller':false}}",
	      "");
	PLANS("{'memory':{'limit':1048576,'swap':0}}",
	      "memory.max=1048576 [memory] @linux.resources.memory.limit");
	PLANS("{'memory':{},'cpu':{},'pids':{},'blockIO':{},'rdma':{},'unified':{},'network':{},"
	      "'hugepageLimits':[]}",
	      "");
	PLANS("{'memory':null,'cpu':null,'blockIO':null,'rdma':null}", "");

	REFUSED("{'memory':{'limit':1048576,'swap':1048575}}", EINVAL,
		"linux.resources.memory.swap: 1048575 is below memory.limit 1048576 (OCI's swap is memory "
		"plus swap)");
	REFUSED("{'memory':{'swap':1048576}}", EINVAL,
		"linux.resources.memory.swap: a swap limit needs memory.limit too (OCI's swap is memory plus "
		"swap)");
	REFUSED("{'memory':{'limit':-1,'swap':1048576}}", EINVAL,
		"linux.resources.memory.swap: a swap limit needs memory.limit too (OCI's swap is memory plus "
		"swap)");
	REFUSED("{'memory':{'limit':'1g'}}", EINVAL, "linux.resources.memory.limit: expected an integer");
	REFUSED("{'memory':{'limit':1.5}}", EINVAL, "linux.resources.memory.limit: expected an integer");
	REFUSED("{'memory':{'reservation':true}}", EINVAL,
		"linux.resources.memory.reservation: expected an integer");
	REFUSED("{'memory':{'swap':'max'}}", EINVAL, "linux.resources.memory.swap: expected an integer");
	REFUSED("{'memory':{'kernel':1048576}}", EOPNOTSUPP,
		"linux.resources.memory.kernel: kernel memory limits do not exist in cgroup v2");
	REFUSED("{'memory':{'kernelTCP':1048576}}", EOPNOTSUPP,
		"linux.resources.memory.kernelTCP: kernel TCP memory limits do not exist in cgroup v2");
	REFUSED("{'memory':{'swappiness':60}}", EOPNOTSUPP,
		"linux.resources.memory.swappiness: per-cgroup swappiness does not exist in cgroup v2");
	REFUSED("{'cpu':{'quota':10000,'burst':20000}}", EINVAL,
		"linux.resources.cpu.burst: 20000 is above the quota (a burst may be at most the quota)");
	REFUSED("{'memory':{'disableOOMKiller':true}}", EOPNOTSUPP,
		"linux.resources.memory.disableOOMKiller: cgroup v2 cannot turn the OOM killer off");
}

static void test_cpu(void)
{
	/* shares to weight as runc and crun map them: 1 + ((shares - 2) * 9999) / 262142 */
	PLANS("{'cpu':{'shares':2}}", "cpu.weight=1 [cpu] @linux.resources.cpu.shares");
	PLANS("{'cpu':{'shares':1024}}", "cpu.weight=39 [cpu] @linux.resources.cpu.shares");
	PLANS("{'cpu':{'shares':262144}}", "cpu.weight=10000 [cpu] @linux.resources.cpu.shares");
	PLANS("{'cpu':{'shares':0}}", "");
	REFUSED("{'cpu':{'shares':1}}", EINVAL, "linux.resources.cpu.shares: 1 is outside 2..262144");
	REFUSED("{'cpu':{'shares':262145}}", EINVAL,
		"linux.resources.cpu.shares: 262145 is outside 2..262144");
	REFUSED("{'cpu':{'shares':-1024}}", EINVAL, "linux.resources.cpu.shares: -1024 is outside 2..262144");
	REFUSED("{'cpu':{'shares':'1024'}}", EINVAL, "linux.resources.cpu.shares: expected an integer");

	PLANS("{'cpu':{'quota':50000,'period':100000}}",
	      "cpu.max=50000 100000 [cpu] @linux.resources.cpu.quota");
	PLANS("{'cpu':{'quota':20000}}", "cpu.max=20000 100000 [cpu] @linux.resources.cpu.quota");
	PLANS("{'cpu':{'quota':-1}}", "cpu.max=max 100000 [cpu] @linux.resources.cpu.quota");
	PLANS("{'cpu':{'period':250000}}", "cpu.max=max 250000 [cpu] @linux.resources.cpu.quota");
	PLANS("{'cpu':{'quota':-1,'period':250000}}", "cpu.max=max 250000 [cpu] @linux.resources.cpu.quota");
	PLANS("{'cpu':{'quota':0,'period':0}}", "");
	REFUSED("{'cpu':{'period':-1}}", EINVAL, "linux.resources.cpu.period: -1 is negative");
	REFUSED("{'cpu':{'quota':'50%'}}", EINVAL, "linux.resources.cpu.quota: expected an integer");

	PLANS("{'cpu':{'burst':1000,'idle':1}}", "cpu.max.burst=1000 [cpu] @linux.resources.cpu.burst; "
						 "cpu.idle=1 [cpu] @linux.resources.cpu.idle");
	REFUSED("{'cpu':{'idle':'yes'}}", EINVAL, "linux.resources.cpu.idle: expected an integer");
	PLANS("{'cpu':{'cpus':'0-1','mems':'0'}}", "cpuset.cpus=0-1 [cpuset] @linux.resources.cpu.cpus; "
						   "cpuset.mems=0 [cpuset] @linux.resources.cpu.mems");
	PLANS("{'cpu':{'cpus':'','mems':''}}", "");
	REFUSED("{'cpu':{'cpus':3}}", EINVAL, "linux.resources.cpu.cpus: expected a string");
	REFUSED("{'cpu':{'mems':[0]}}", EINVAL, "linux.resources.cpu.mems: expected a string");

	PLANS("{'cpu':{'realtimeRuntime':0,'realtimePeriod':0}}", "");
	REFUSED("{'cpu':{'realtimeRuntime':950000}}", EOPNOTSUPP,
		"linux.resources.cpu.realtimeRuntime: realtime scheduling budgets do not exist in cgroup v2");
	REFUSED("{'cpu':{'realtimePeriod':1000000}}", EOPNOTSUPP,
		"linux.resources.cpu.realtimePeriod: realtime scheduling budgets do not exist in cgroup v2");
}

static void test_pids(void)
{
	PLANS("{'pids':{'limit':100}}", "pids.max=100 [pids] @linux.resources.pids.limit");
	PLANS("{'pids':{'limit':0}}", "pids.max=max [pids] @linux.resources.pids.limit");
	PLANS("{'pids':{'limit':-1}}", "pids.max=max [pids] @linux.resources.pids.limit");
	PLANS("{'pids':{}}", "");
	PLANS_D("{'pids':{}}", true, "pids.max=4096 [pids] @linux.resources.pids.limit (default)");
	PLANS_D("{'memory':{'limit':1048576}}", true,
		"memory.max=1048576 [memory] @linux.resources.memory.limit; "
		"pids.max=4096 [pids] @linux.resources.pids.limit (default)");
	PLANS_D("{'pids':{'limit':64}}", true, "pids.max=64 [pids] @linux.resources.pids.limit");
	REFUSED("{'pids':{'limit':'64'}}", EINVAL, "linux.resources.pids.limit: expected an integer");

	/* no linux.resources at all */
	reset();
	ok(ward_cgroup_plan_resources(NULL, false, &plan, &err) == 0 && plan.n == 0,
	   "no resources, no defaults: nothing planned");
	reset();
	if (ok(ward_cgroup_plan_resources(NULL, true, &plan, &err) == 0 && plan.n == 1,
	       "no resources, with defaults: one write"))
		ok(plan.w[0].by_default && strcmp(plan.w[0].file, "pids.max") == 0 &&
		       strcmp(plan.w[0].value, "4096") == 0,
		   "  the default pids limit, marked by_default");
}

static void test_hugetlb(void)
{
	PLANS("{'hugepageLimits':[{'pageSize':'2MB','limit':1073741824},{'pageSize':'1GB','limit':0}]}",
	      "hugetlb.2MB.max=1073741824 [hugetlb] @linux.resources.hugepageLimits[0]; "
	      "hugetlb.1GB.max=0 [hugetlb] @linux.resources.hugepageLimits[1]");
	REFUSED("{'hugepageLimits':[{'pageSize':'2MB','limit':1},{'pageSize':'../2MB','limit':1}]}", EINVAL,
		"linux.resources.hugepageLimits[1]: expected pageSize and limit");
	REFUSED("{'hugepageLimits':[{'pageSize':'2MB/x','limit':1}]}", EINVAL,
		"linux.resources.hugepageLimits[0]: expected pageSize and limit");
	REFUSED("{'hugepageLimits':[{'pageSize':'','limit':1}]}", EINVAL,
		"linux.resources.hugepageLimits[0]: expected pageSize and limit");
	/* the page size is a part of a file name: letters and digits only */
	REFUSED("{'hugepageLimits':[{'pageSize':'1GB.rsvd','limit':1}]}", EINVAL,
		"linux.resources.hugepageLimits[0]: expected pageSize and limit");
	REFUSED("{'hugepageLimits':[{'pageSize':'2MB\\n','limit':1}]}", EINVAL,
		"linux.resources.hugepageLimits[0]: expected pageSize and limit");
	REFUSED("{'hugepageLimits':[{'pageSize':'2MB'}]}", EINVAL,
		"linux.resources.hugepageLimits[0]: expected pageSize and limit");
	REFUSED("{'hugepageLimits':[{'limit':1}]}", EINVAL,
		"linux.resources.hugepageLimits[0]: expected pageSize and limit");
	REFUSED("{'hugepageLimits':[{'pageSize':'2MB','limit':'1'}]}", EINVAL,
		"linux.resources.hugepageLimits[0]: expected pageSize and limit");
	REFUSED("{'hugepageLimits':{'pageSize':'2MB','limit':1}}", EINVAL,
		"linux.resources.hugepageLimits: expected an array");
}

#define NOT_NAME(k) "linux.resources.unified." k ": not a file name of the container's cgroup"
#define NOT_ALLOWED(k)                                                                                       \
	"linux.resources.unified." k                                                                         \
	": not a resource file ward may write (only CONTROLLER.FILE for cpu, cpuset, memory, io, pids, "     \
	"hugetlb, rdma or misc, and cgroup.max.depth, cgroup.max.descendants)"

static void test_unified(void)
{
	PLANS("{'unified':{'memory.high':'50331648','cgroup.max.depth':'3','cgroup.max.descendants':'7'}}",
	      "memory.high=50331648 [memory] @linux.resources.unified.memory.high; "
	      "cgroup.max.depth=3 [-] @linux.resources.unified.cgroup.max.depth; "
	      "cgroup.max.descendants=7 [-] @linux.resources.unified.cgroup.max.descendants");
	/* every controller of the allowlist, with files of one and of several parts */
	PLANS("{'unified':{'cpu.max.burst':'1000','cpuset.cpus.partition':'member','io.bfq.weight':'100',"
	      "'pids.max':'9','hugetlb.2MB.rsvd.max':'0','rdma.max':'mlx5_0 hca_handle=1','misc.max':'x 1',"
	      "'memory.oom.group':'1'}}",
	      "cpu.max.burst=1000 [cpu] @linux.resources.unified.cpu.max.burst; "
	      "cpuset.cpus.partition=member [cpuset] @linux.resources.unified.cpuset.cpus.partition; "
	      "io.bfq.weight=100 [io] @linux.resources.unified.io.bfq.weight; "
	      "pids.max=9 [pids] @linux.resources.unified.pids.max; "
	      "hugetlb.2MB.rsvd.max=0 [hugetlb] @linux.resources.unified.hugetlb.2MB.rsvd.max; "
	      "rdma.max=mlx5_0 hca_handle=1 [rdma] @linux.resources.unified.rdma.max; "
	      "misc.max=x 1 [misc] @linux.resources.unified.misc.max; "
	      "memory.oom.group=1 [memory] @linux.resources.unified.memory.oom.group");
	/* the cgroup core's files act on processes and on the tree, not on a limit:
	 * cgroup.procs would move any host process into the container */
	REFUSED("{'unified':{'memory.high':'1','cgroup.procs':'1'}}", EINVAL, NOT_ALLOWED("cgroup.procs"));
	REFUSED("{'unified':{'cgroup.threads':'1'}}", EINVAL, NOT_ALLOWED("cgroup.threads"));
	REFUSED("{'unified':{'cgroup.kill':'1'}}", EINVAL, NOT_ALLOWED("cgroup.kill"));
	REFUSED("{'unified':{'cgroup.freeze':'0'}}", EINVAL, NOT_ALLOWED("cgroup.freeze"));
	REFUSED("{'unified':{'cgroup.type':'threaded'}}", EINVAL, NOT_ALLOWED("cgroup.type"));
	REFUSED("{'unified':{'cgroup.subtree_control':'+memory'}}", EINVAL,
		NOT_ALLOWED("cgroup.subtree_control"));
	REFUSED("{'unified':{'cgroup.pressure':'0'}}", EINVAL, NOT_ALLOWED("cgroup.pressure"));
	REFUSED("{'unified':{'cgroup.max.depthx':'1'}}", EINVAL, NOT_ALLOWED("cgroup.max.depthx"));
	REFUSED("{'unified':{'cgroup.max.depth.x':'1'}}", EINVAL, NOT_ALLOWED("cgroup.max.depth.x"));
	REFUSED("{'unified':{'cgroup.max':'1'}}", EINVAL, NOT_ALLOWED("cgroup.max"));
	/* controllers not on the list: v1 names, and prefixes of listed ones */
	REFUSED("{'unified':{'devices.allow':'a'}}", EINVAL, NOT_ALLOWED("devices.allow"));
	REFUSED("{'unified':{'freezer.state':'FROZEN'}}", EINVAL, NOT_ALLOWED("freezer.state"));
	REFUSED("{'unified':{'net_cls.classid':'1'}}", EINVAL, NOT_ALLOWED("net_cls.classid"));
	REFUSED("{'unified':{'cpux.max':'1'}}", EINVAL, NOT_ALLOWED("cpux.max"));
	REFUSED("{'unified':{'cpu_x.max':'1'}}", EINVAL, NOT_ALLOWED("cpu_x.max"));
	REFUSED("{'unified':{'cpuse.cpus':'1'}}", EINVAL, NOT_ALLOWED("cpuse.cpus"));
	REFUSED("{'unified':{'Memory.max':'1'}}", EINVAL, NOT_ALLOWED("Memory.max"));
	/* names that are not one file of the cgroup's directory */
	REFUSED("{'unified':{'../memory.max':'1'}}", EINVAL, NOT_NAME("../memory.max"));
	REFUSED("{'unified':{'memory/../cgroup.procs':'1'}}", EINVAL, NOT_NAME("memory/../cgroup.procs"));
	REFUSED("{'unified':{'memory/memory.max':'1'}}", EINVAL, NOT_NAME("memory/memory.max"));
	REFUSED("{'unified':{'memory.max/':'1'}}", EINVAL, NOT_NAME("memory.max/"));
	REFUSED("{'unified':{'memory..max':'1'}}", EINVAL, NOT_NAME("memory..max"));
	REFUSED("{'unified':{'memory.max.':'1'}}", EINVAL, NOT_NAME("memory.max."));
	REFUSED("{'unified':{'memory.':'1'}}", EINVAL, NOT_NAME("memory."));
	REFUSED("{'unified':{'memory':'1'}}", EINVAL, NOT_NAME("memory"));
	REFUSED("{'unified':{'nodot':'1'}}", EINVAL, NOT_NAME("nodot"));
	REFUSED("{'unified':{'.max':'1'}}", EINVAL, NOT_NAME(".max"));
	REFUSED("{'unified':{'':'1'}}", EINVAL, NOT_NAME(""));
	REFUSED("{'unified':{'memory.max x':'1'}}", EINVAL, NOT_NAME("memory.max x"));
	REFUSED("{'unified':{'memory.high':'1','x\\ny.max':'1'}}", EINVAL, NOT_NAME("x?y.max"));
	REFUSED("{'unified':{'memory.high':'1','memory.hi\\u00e9':'1'}}", EINVAL,
		NOT_NAME("memory.hi\xc3\xa9"));
	REFUSED("{'unified':{'memory.high':50331648}}", EINVAL,
		"linux.resources.unified.memory.high: expected a string");
	{
		/* a name longer than a file name can be */
		_cleanup_free_ char *json = xasprintf("{'unified':{'memory.%0300d':'1'}}", 0);
		_cleanup_free_ char *key = xasprintf("memory.%0300d", 0);
		_cleanup_free_ char *want = xasprintf(NOT_NAME("%s"), key);

		REFUSED(json, EINVAL, want);
	}
}

static void test_blkio_weight(void)
{
	/* iocost's io.weight gets the 10..1000 -> 1..10000 map runc and crun use
	 * (1 + (w - 10) * 9999 / 990), BFQ's io.bfq.weight the weight as it is */
	PLANS("{'blockIO':{'weight':10}}",
	      "io.weight=default 1 [io] @linux.resources.blockIO.weight |io.bfq.weight=10");
	PLANS("{'blockIO':{'weight':100}}",
	      "io.weight=default 910 [io] @linux.resources.blockIO.weight |io.bfq.weight=100");
	PLANS("{'blockIO':{'weight':500}}",
	      "io.weight=default 4950 [io] @linux.resources.blockIO.weight |io.bfq.weight=500");
	PLANS("{'blockIO':{'weight':1000}}",
	      "io.weight=default 10000 [io] @linux.resources.blockIO.weight |io.bfq.weight=1000");
	PLANS("{'blockIO':{'weight':0,'leafWeight':0,'weightDevice':[],'throttleReadBpsDevice':[],"
	      "'throttleWriteBpsDevice':[],'throttleReadIOPSDevice':[],'throttleWriteIOPSDevice':[]}}",
	      "");
	REFUSED("{'blockIO':{'weight':9}}", EINVAL, "linux.resources.blockIO.weight: 9 is outside 10..1000");
	REFUSED("{'blockIO':{'weight':1001}}", EINVAL,
		"linux.resources.blockIO.weight: 1001 is outside 0..1000");
	REFUSED("{'blockIO':{'weight':-10}}", EINVAL,
		"linux.resources.blockIO.weight: -10 is outside 0..1000");
	REFUSED("{'blockIO':{'weight':'100'}}", EINVAL,
		"linux.resources.blockIO.weight: expected an integer");
	REFUSED("{'blockIO':{'weight':100,'leafWeight':500}}", EOPNOTSUPP,
		"linux.resources.blockIO.leafWeight: leaf weights do not exist in cgroup v2");
	REFUSED("{'blockIO':5}", EINVAL, "linux.resources.blockIO: expected an object");

	PLANS(
	    "{'blockIO':{'weightDevice':[{'major':8,'minor':0,'weight':500},"
	    "{'major':259,'minor':3,'weight':10,'leafWeight':0},{'major':7,'minor':1}]}}",
	    "io.weight=8:0 4950 [io] @linux.resources.blockIO.weightDevice[0].weight |io.bfq.weight=8:0 500; "
	    "io.weight=259:3 1 [io] @linux.resources.blockIO.weightDevice[1].weight |io.bfq.weight=259:3 10");
	REFUSED("{'blockIO':{'weightDevice':[{'major':8,'minor':0,'weight':500,'leafWeight':300}]}}",
		EOPNOTSUPP,
		"linux.resources.blockIO.weightDevice[0].leafWeight: leaf weights do not exist in cgroup v2");
	REFUSED("{'blockIO':{'weightDevice':[{'major':8,'minor':0,'weight':500},{'major':8,'minor':16,"
		"'weight':9}]}}",
		EINVAL, "linux.resources.blockIO.weightDevice[1].weight: 9 is outside 10..1000");
	REFUSED("{'blockIO':{'weightDevice':[{'minor':0,'weight':500}]}}", EINVAL,
		"linux.resources.blockIO.weightDevice[0].major: missing (expected an integer)");
	REFUSED("{'blockIO':{'weightDevice':[{'major':8,'weight':500}]}}", EINVAL,
		"linux.resources.blockIO.weightDevice[0].minor: missing (expected an integer)");
	REFUSED("{'blockIO':{'weightDevice':[{'major':'8','minor':0,'weight':500}]}}", EINVAL,
		"linux.resources.blockIO.weightDevice[0].major: expected an integer");
	REFUSED("{'blockIO':{'weightDevice':[{'major':8,'minor':0,'weight':500.5}]}}", EINVAL,
		"linux.resources.blockIO.weightDevice[0].weight: expected an integer");
	REFUSED("{'blockIO':{'weightDevice':{'major':8,'minor':0,'weight':500}}}", EINVAL,
		"linux.resources.blockIO.weightDevice: expected an array");
	REFUSED("{'blockIO':{'weightDevice':[[8,0,500]]}}", EINVAL,
		"linux.resources.blockIO.weightDevice[0]: expected an object");
}

static void test_blkio_throttle(void)
{
	PLANS("{'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1048576}],"
	      "'throttleWriteBpsDevice':[{'major':8,'minor':0,'rate':2097152}],"
	      "'throttleReadIOPSDevice':[{'major':8,'minor':16,'rate':100}],"
	      "'throttleWriteIOPSDevice':[{'major':8,'minor':16,'rate':50}]}}",
	      "io.max=8:0 rbps=1048576 [io] @linux.resources.blockIO.throttleReadBpsDevice[0]; "
	      "io.max=8:0 wbps=2097152 [io] @linux.resources.blockIO.throttleWriteBpsDevice[0]; "
	      "io.max=8:16 riops=100 [io] @linux.resources.blockIO.throttleReadIOPSDevice[0]; "
	      "io.max=8:16 wiops=50 [io] @linux.resources.blockIO.throttleWriteIOPSDevice[0]");
	/* 0 lifts the limit (cgroup v1's meaning; io.max refuses 0 itself) */
	PLANS("{'blockIO':{'throttleReadBpsDevice':[{'major':7,'minor':0,'rate':0},"
	      "{'major':4095,'minor':1048575,'rate':9223372036854775807}]}}",
	      "io.max=7:0 rbps=max [io] @linux.resources.blockIO.throttleReadBpsDevice[0]; "
	      "io.max=4095:1048575 rbps=9223372036854775807 [io] "
	      "@linux.resources.blockIO.throttleReadBpsDevice[1]");
	REFUSED("{'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1},"
		"{'major':8,'minor':16,'rate':'1m'}]}}",
		EINVAL, "linux.resources.blockIO.throttleReadBpsDevice[1].rate: expected an integer");
	REFUSED("{'blockIO':{'throttleWriteBpsDevice':[{'major':8,'minor':0,'rate':-1}]}}", EINVAL,
		"linux.resources.blockIO.throttleWriteBpsDevice[0].rate: -1 is negative");
	REFUSED("{'blockIO':{'throttleReadIOPSDevice':[{'major':8,'minor':0}]}}", EINVAL,
		"linux.resources.blockIO.throttleReadIOPSDevice[0].rate: missing (expected an integer)");
	REFUSED("{'blockIO':{'throttleWriteIOPSDevice':[{'major':4096,'minor':0,'rate':10}]}}", EINVAL,
		"linux.resources.blockIO.throttleWriteIOPSDevice[0].major: 4096 is outside 0..4095");
	REFUSED("{'blockIO':{'throttleWriteIOPSDevice':[{'major':8,'minor':1048576,'rate':10}]}}", EINVAL,
		"linux.resources.blockIO.throttleWriteIOPSDevice[0].minor: 1048576 is outside 0..1048575");
	REFUSED("{'blockIO':{'throttleReadBpsDevice':[{'major':-8,'minor':0,'rate':10}]}}", EINVAL,
		"linux.resources.blockIO.throttleReadBpsDevice[0].major: -8 is outside 0..4095");
	REFUSED("{'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':1e3}]}}", EINVAL,
		"linux.resources.blockIO.throttleReadBpsDevice[0].rate: expected an integer");
	REFUSED("{'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0,"
		"'rate':18446744073709551615}]}}",
		EINVAL, "linux.resources.blockIO.throttleReadBpsDevice[0].rate: expected an integer");
	REFUSED("{'blockIO':{'throttleWriteBpsDevice':'8:0 1048576'}}", EINVAL,
		"linux.resources.blockIO.throttleWriteBpsDevice: expected an array");
	REFUSED("{'blockIO':{'throttleReadIOPSDevice':[null]}}", EINVAL,
		"linux.resources.blockIO.throttleReadIOPSDevice[0]: expected an object");
}

static void test_rdma(void)
{
	PLANS("{'rdma':{'mlx5_0':{'hcaHandles':3,'hcaObjects':1000},'mlx4_1':{'hcaObjects':0},"
	      "'hfi1_0':{'hcaHandles':2147483647},'rxe0':{},'siw0':null}}",
	      "rdma.max=mlx5_0 hca_handle=3 hca_object=1000 [rdma] @linux.resources.rdma.mlx5_0; "
	      "rdma.max=mlx4_1 hca_object=0 [rdma] @linux.resources.rdma.mlx4_1; "
	      "rdma.max=hfi1_0 hca_handle=2147483647 [rdma] @linux.resources.rdma.hfi1_0");
	REFUSED("{'rdma':{'mlx5 0':{'hcaHandles':3}}}", EINVAL,
		"linux.resources.rdma: \"mlx5 0\" is not an RDMA device name");
	REFUSED("{'rdma':{'../mlx5_0':{'hcaHandles':3}}}", EINVAL,
		"linux.resources.rdma: \"../mlx5_0\" is not an RDMA device name");
	REFUSED("{'rdma':{'mlx5_0\\nmlx5_1':{'hcaHandles':3}}}", EINVAL,
		"linux.resources.rdma: \"mlx5_0?mlx5_1\" is not an RDMA device name");
	REFUSED("{'rdma':{'':{'hcaHandles':3}}}", EINVAL,
		"linux.resources.rdma: \"\" is not an RDMA device name");
	REFUSED(
	    "{'rdma':{'d123456789012345678901234567890123456789012345678901234567890123':{}}}", EINVAL,
	    "linux.resources.rdma: \"d123456789012345678901234567890123456789012345678901234567890123\" is "
	    "not an RDMA device name");
	REFUSED("{'rdma':{'mlx5_0':{'hcaHandles':-1}}}", EINVAL,
		"linux.resources.rdma.mlx5_0.hcaHandles: -1 is outside 0..2147483647");
	REFUSED("{'rdma':{'mlx5_0':{'hcaHandles':1,'hcaObjects':2147483648}}}", EINVAL,
		"linux.resources.rdma.mlx5_0.hcaObjects: 2147483648 is outside 0..2147483647");
	REFUSED("{'rdma':{'mlx5_0':{'hcaHandles':'max'}}}", EINVAL,
		"linux.resources.rdma.mlx5_0.hcaHandles: expected an integer");
	REFUSED("{'rdma':{'mlx5_0':[3,1000]}}", EINVAL, "linux.resources.rdma.mlx5_0: expected an object");
	REFUSED("{'rdma':[{'mlx5_0':{}}]}", EINVAL, "linux.resources.rdma: expected an object");
}

static void test_network_and_order(void)
{
	PLANS("{'network':{'classID':0,'priorities':[]}}", "");
	REFUSED("{'network':{'classID':1048577}}", EOPNOTSUPP,
		"linux.resources.network: network classID/priorities are cgroup v1 only");
	REFUSED("{'network':{'priorities':[{'name':'eth0','priority':5}]}}", EOPNOTSUPP,
		"linux.resources.network: network classID/priorities are cgroup v1 only");
	/* the order of the writes: unified last, so that it has the last word */
	PLANS("{'unified':{'io.max':'8:0 rbps=max'},'rdma':{'mlx5_0':{'hcaHandles':1}},"
	      "'blockIO':{'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':4096}]},"
	      "'hugepageLimits':[{'pageSize':'2MB','limit':0}],'pids':{'limit':8},'cpu':{'shares':2},"
	      "'memory':{'limit':4096}}",
	      "memory.max=4096 [memory] @linux.resources.memory.limit; "
	      "cpu.weight=1 [cpu] @linux.resources.cpu.shares; "
	      "pids.max=8 [pids] @linux.resources.pids.limit; "
	      "hugetlb.2MB.max=0 [hugetlb] @linux.resources.hugepageLimits[0]; "
	      "io.max=8:0 rbps=4096 [io] @linux.resources.blockIO.throttleReadBpsDevice[0]; "
	      "rdma.max=mlx5_0 hca_handle=1 [rdma] @linux.resources.rdma.mlx5_0; "
	      "io.max=8:0 rbps=max [io] @linux.resources.unified.io.max");
	/* a refusal after some writes were planned leaves nothing behind */
	REFUSED("{'memory':{'limit':4096},'cpu':{'shares':2},'blockIO':{'weight':100},"
		"'rdma':{'mlx5_0':{'hcaHandles':-2}}}",
		EINVAL, "linux.resources.rdma.mlx5_0.hcaHandles: -2 is outside 0..2147483647");
}

/* --- apply, against plain files standing in for a cgroup v2 hierarchy ---------- */

static char tmp[] = "/tmp/ward-test-cgres.XXXXXX";

static char *tpath(const char *rel)
{
	return xasprintf("%s/%s", tmp, rel);
}

static void put(const char *rel, const char *text)
{
	_cleanup_free_ char *p = tpath(rel);
	FILE *f = fopen(p, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		printf("# cannot write %s\n", p);
		abort();
	}
}

static char *get(const char *rel)
{
	_cleanup_free_ char *p = tpath(rel);
	char *out = NULL;
	struct ward_error *e = NULL;

	if (read_file_at(AT_FDCWD, p, 4096, &out, NULL, &e) < 0) {
		ward_error_free(e);
		return xstrdup("(absent)");
	}
	return out;
}

static void mkd(const char *rel)
{
	_cleanup_free_ char *p = tpath(rel);

	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		printf("# cannot mkdir %s\n", p);
		abort();
	}
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* A fresh fake hierarchy: tmp/h is the mount (with controllers), tmp/h/a the
 * parent, tmp/h/a/c the container's cgroup with the files named in files. */
static void fake_hierarchy(const char *controllers, const char *const *files)
{
	_cleanup_free_ char *h = tpath("h");

	nftw(h, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	mkd("h");
	mkd("h/a");
	mkd("h/a/c");
	put("h/cgroup.controllers", controllers);
	put("h/cgroup.subtree_control", "");
	put("h/a/cgroup.subtree_control", "");
	for (size_t i = 0; files[i]; i++) {
		_cleanup_free_ char *rel = xasprintf("h/a/c/%s", files[i]);

		if (files[i][strlen(files[i]) - 1] == '/')
			mkd(rel); /* a directory: a file that refuses every write (EISDIR) */
		else
			put(rel, "");
	}
}

/* Plan json, apply it to the fake hierarchy; 0 or -1 (err set). */
static int apply_json(const char *json, bool defaults, char **skipped)
{
	_cleanup_free_ char *mount = tpath("h"), *path = tpath("h/a/c");

	*skipped = NULL;
	if (plan_json(json, defaults) < 0) {
		printf("#   plan failed: %s\n", emsg());
		return -1;
	}
	return ward_cgroup_apply(mount, path, &plan, skipped, &err);
}

#define FILE_IS(rel, want)                                                                                   \
	do {                                                                                                 \
		_cleanup_free_ char *got_ = get(rel);                                                        \
		is_str(got_, want, "  %s is \"%s\"", rel, want);                                             \
	} while (0)

static void test_apply_weight(void)
{
	static const char *const both[] = {"io.weight", "io.bfq.weight", "io.max", NULL},
				 *iocost[] = {"io.weight", "io.max", NULL}, *bfq[] = {"io.bfq.weight", NULL},
				 *none[] = {"io.max", NULL},
				 *bfq_refuses[] = {"io.weight", "io.bfq.weight/", NULL},
				 *both_refuse[] = {"io.weight/", "io.bfq.weight/", NULL};
	_cleanup_free_ char *skipped = NULL;
	const char *weight = "{'blockIO':{'weight':100}}";

	fake_hierarchy("cpu io memory pids\n", both);
	ok(apply_json(weight, false, &skipped) == 0, "apply: a weight where iocost and BFQ both are");
	FILE_IS("h/a/c/io.weight", "default 910");
	FILE_IS("h/a/c/io.bfq.weight", "100");
	FILE_IS("h/cgroup.subtree_control", "+io");
	FILE_IS("h/a/cgroup.subtree_control", "+io");
	ok(skipped == NULL, "  nothing skipped");

	fake_hierarchy("io\n", iocost);
	ok(apply_json(weight, false, &skipped) == 0, "apply: a weight with iocost only");
	FILE_IS("h/a/c/io.weight", "default 910");
	FILE_IS("h/a/c/io.bfq.weight", "(absent)");

	fake_hierarchy("io\n", bfq);
	ok(apply_json("{'blockIO':{'weightDevice':[{'major':8,'minor':0,'weight':500}]}}", false, &skipped) ==
	       0,
	   "apply: a device's weight with BFQ only");
	FILE_IS("h/a/c/io.bfq.weight", "8:0 500");
	FILE_IS("h/a/c/io.weight", "(absent)");

	fake_hierarchy("io\n", bfq_refuses);
	ok(apply_json("{'blockIO':{'weightDevice':[{'major':8,'minor':0,'weight':1000}]}}", false,
		      &skipped) == 0,
	   "apply: one scheduler refusing a device's weight is fine when the other takes it");
	FILE_IS("h/a/c/io.weight", "8:0 10000");

	fake_hierarchy("io\n", both_refuse);
	ok(apply_json(weight, false, &skipped) == -1 && err && err->code == EISDIR,
	   "apply: both refusing is an error (the first refusal)");
	like(emsg(), "linux.resources.blockIO.weight: open ", "  naming the JSON path");
	like(emsg(), "/h/a/c/io.weight: EISDIR", "  and the file");

	fake_hierarchy("io\n", none);
	ok(apply_json(weight, false, &skipped) == -1 && err && err->code == ENOENT,
	   "apply: a weight with neither io.weight nor io.bfq.weight is an error");
	like(emsg(), "linux.resources.blockIO.weight: the host has neither io.weight nor io.bfq.weight in ",
	     "  saying so");
}

static void test_apply_other(void)
{
	static const char *const files[] = {"io.max", "rdma.max", "memory.max", NULL}, *nofiles[] = {NULL};
	_cleanup_free_ char *skipped = NULL;

	fake_hierarchy("io memory rdma\n", files);
	ok(apply_json("{'blockIO':{'throttleWriteBpsDevice':[{'major':7,'minor':0,'rate':1048576}]},"
		      "'rdma':{'mlx5_0':{'hcaHandles':3}},'memory':{'limit':8388608}}",
		      false, &skipped) == 0,
	   "apply: io.max, rdma.max and memory.max");
	FILE_IS("h/a/c/io.max", "7:0 wbps=1048576");
	FILE_IS("h/a/c/rdma.max", "mlx5_0 hca_handle=3");
	FILE_IS("h/a/c/memory.max", "8388608");
	FILE_IS("h/cgroup.subtree_control", "+memory +io +rdma");

	fake_hierarchy("memory pids\n", files);
	ok(apply_json("{'blockIO':{'throttleReadBpsDevice':[{'major':7,'minor':0,'rate':1048576}]}}", false,
		      &skipped) == -1 &&
	       err && err->code == EOPNOTSUPP,
	   "apply: block I/O limits where the hierarchy has no io controller are refused");
	like(emsg(),
	     "linux.resources.blockIO.throttleReadBpsDevice[0]: the io controller is not on this host's "
	     "cgroup v2 hierarchy",
	     "  naming the JSON path and the controller");
	FILE_IS("h/a/c/io.max", "");
	ok(apply_json("{'rdma':{'mlx5_0':{'hcaObjects':5}}}", false, &skipped) == -1 && err &&
	       err->code == EOPNOTSUPP,
	   "apply: RDMA limits where the hierarchy has no rdma controller are refused");
	like(emsg(),
	     "linux.resources.rdma.mlx5_0: the rdma controller is not on this host's cgroup v2 hierarchy",
	     "  naming the JSON path and the controller");

	fake_hierarchy("io\n", nofiles);
	ok(apply_json("{'pids':{}}", true, &skipped) == 0, "apply: the default pids limit without pids");
	is_str(skipped, "pids", "  is skipped, and said so");
	free(skipped);
	skipped = NULL;
	ok(apply_json("{'blockIO':{'throttleReadBpsDevice':[{'major':7,'minor':0,'rate':4096}]}}", false,
		      &skipped) == -1 &&
	       err && err->code == ENOENT,
	   "apply: a write whose file is missing fails");
	like(emsg(), "linux.resources.blockIO.throttleReadBpsDevice[0]: open ", "  naming the JSON path");
}

int main(void)
{
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 99;
	}
	test_memory();
	test_cpu();
	test_pids();
	test_hugetlb();
	test_unified();
	test_blkio_weight();
	test_blkio_throttle();
	test_rdma();
	test_network_and_order();
	test_apply_weight();
	test_apply_other();
	reset();
	nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
