/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "cgroup_devices.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "json.h"
#include "util.h"

#define ACC_ALL	  (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)
#define MAX_RULES 1024

/* What the container needs whatever its rules say (the nodes ward makes). */
static const struct ward_dev_rule always[] = {
    {true, BPF_DEVCG_DEV_CHAR, 1, 3, ACC_ALL},	  /* null */
    {true, BPF_DEVCG_DEV_CHAR, 1, 5, ACC_ALL},	  /* zero */
    {true, BPF_DEVCG_DEV_CHAR, 1, 7, ACC_ALL},	  /* full */
    {true, BPF_DEVCG_DEV_CHAR, 1, 8, ACC_ALL},	  /* random */
    {true, BPF_DEVCG_DEV_CHAR, 1, 9, ACC_ALL},	  /* urandom */
    {true, BPF_DEVCG_DEV_CHAR, 5, 0, ACC_ALL},	  /* tty */
    {true, BPF_DEVCG_DEV_CHAR, 5, 2, ACC_ALL},	  /* ptmx */
    {true, BPF_DEVCG_DEV_CHAR, 136, -1, ACC_ALL}, /* the devpts ptys */
};

struct rules {
	struct ward_dev_rule *v;
	size_t n;
};

static void add(struct rules *r, struct ward_dev_rule d)
{
	r->v = xrealloc(r->v, (r->n + 1) * sizeof *r->v);
	r->v[r->n++] = d;
}

static int read_number(yajl_val v, size_t i, const char *key, int64_t *out, struct ward_error **e)
{
	*out = -1; /* absent: any */
	if (!v)
		return 0;
	if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < -1 || YAJL_GET_INTEGER(v) > UINT32_MAX)
		return ward_err(e, EINVAL,
				"linux.resources.devices[%zu].%s: expected an integer from -1 to 4294967295",
				i, key);
	*out = YAJL_GET_INTEGER(v);
	return 0;
}

static int read_rule(yajl_val o, size_t i, struct ward_dev_rule *d, struct ward_error **e)
{
	yajl_val allow = json_member(o, "allow"), type = json_member(o, "type"),
		 access = json_member(o, "access");

	if (!YAJL_IS_OBJECT(o))
		return ward_err(e, EINVAL, "linux.resources.devices[%zu]: expected an object", i);
	if (!allow || !(YAJL_IS_TRUE(allow) || YAJL_IS_FALSE(allow)))
		return ward_err(e, EINVAL, "linux.resources.devices[%zu].allow: required, true or false", i);
	d->allow = YAJL_IS_TRUE(allow);
	d->type = 0;
	if (type) {
		const char *t = YAJL_GET_STRING(type);

		if (!t || (strcmp(t, "a") && strcmp(t, "c") && strcmp(t, "b")))
			return ward_err(e, EINVAL,
					"linux.resources.devices[%zu].type: expected \"a\", \"c\" or \"b\"",
					i);
		d->type = t[0] == 'c' ? BPF_DEVCG_DEV_CHAR : t[0] == 'b' ? BPF_DEVCG_DEV_BLOCK : 0;
	}
	if (read_number(json_member(o, "major"), i, "major", &d->major, e) < 0 ||
	    read_number(json_member(o, "minor"), i, "minor", &d->minor, e) < 0)
		return -1;
	d->access = access ? 0 : ACC_ALL;
	for (const char *a = access ? YAJL_GET_STRING(access) : ""; a && *a; a++) {
		unsigned bit = *a == 'r'   ? BPF_DEVCG_ACC_READ
			       : *a == 'w' ? BPF_DEVCG_ACC_WRITE
			       : *a == 'm' ? BPF_DEVCG_ACC_MKNOD
					   : 0;

		if (!bit)
			return ward_err(
			    e, EINVAL, "linux.resources.devices[%zu].access: expected letters of \"rwm\"", i);
		d->access |= bit;
	}
	if (access && !YAJL_GET_STRING(access))
		return ward_err(e, EINVAL, "linux.resources.devices[%zu].access: expected a string", i);
	return 0;
}

/* The config's rules in order, then what must always be allowed; for setup,
 * last, mknod (nothing more) of each node of linux.devices. */
static int collect(const struct ward_spec *s, bool setup, struct rules *r, struct ward_error **e)
{
	yajl_val list = json_member((yajl_val)s->linux_.resources, "devices");

	if (list && !YAJL_IS_ARRAY(list))
		return ward_err(e, EINVAL, "linux.resources.devices: expected an array");
	if (list && list->u.array.len > MAX_RULES)
		return ward_err(e, E2BIG, "linux.resources.devices: more than %d rules", MAX_RULES);
	for (size_t i = 0; list && i < list->u.array.len; i++) {
		struct ward_dev_rule d = {0};

		if (read_rule(list->u.array.values[i], i, &d, e) < 0)
			return -1;
		add(r, d);
	}
	for (size_t i = 0; i < ARRAY_SIZE(always); i++)
		add(r, always[i]);
	for (size_t i = 0; setup && i < s->linux_.n_devices; i++) {
		const struct ward_device *dev = &s->linux_.devices[i];

		if (dev->type == 'p')
			continue; /* a FIFO is no device */
		add(r,
		    (struct ward_dev_rule){true, dev->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR,
					   dev->major, dev->minor, BPF_DEVCG_ACC_MKNOD});
	}
	return 0;
}

int ward_cgroup_device_rules(const struct ward_spec *s, bool setup, struct ward_dev_rule **rules, size_t *n,
			     struct ward_error **e)
{
	struct rules r = {0};

	if (collect(s, setup, &r, e) < 0) {
		free(r.v);
		return -1;
	}
	*rules = r.v;
	*n = r.n;
	return 0;
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/* The program: load type, access, major, minor from struct bpf_cgroup_dev_ctx
 * into r3..r6, then one block per rule from the last to the first (the last
 * matching rule wins), each falling through to the next on a mismatch. */
static struct bpf_insn *compile(const struct rules *r, size_t *count)
{
	struct bpf_insn *p = xmalloc0((5 + r->n * 8 + 2) * sizeof *p);
	size_t n = 0;

	p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, 2, 1, offsetof(struct bpf_cgroup_dev_ctx, access_type), 0);
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0);
	p[n++] = insn(BPF_ALU64 | BPF_AND | BPF_K, 3, 0, 0, 0xffff); /* r3: type */
	p[n++] = insn(BPF_ALU64 | BPF_RSH | BPF_K, 2, 0, 0, 16);     /* r2: access */
	p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, 5, 1, offsetof(struct bpf_cgroup_dev_ctx, major), 0);
	p[n++] = insn(BPF_LDX | BPF_MEM | BPF_W, 6, 1, offsetof(struct bpf_cgroup_dev_ctx, minor), 0);
	for (size_t k = r->n; k-- > 0;) {
		const struct ward_dev_rule *d = &r->v[k];
		size_t start = n, len;

		if (d->type)
			p[n++] = insn(BPF_JMP32 | BPF_JNE | BPF_K, 3, 0, 0, d->type);
		if (d->access != ACC_ALL) { /* skip unless every requested access is in the rule's */
			p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, 7, 2, 0, 0);
			p[n++] = insn(BPF_ALU64 | BPF_AND | BPF_K, 7, 0, 0, (int32_t)(~d->access & ACC_ALL));
			p[n++] = insn(BPF_JMP32 | BPF_JNE | BPF_K, 7, 0, 0, 0);
		}
		if (d->major >= 0)
			p[n++] = insn(BPF_JMP32 | BPF_JNE | BPF_K, 5, 0, 0, (int32_t)(uint32_t)d->major);
		if (d->minor >= 0)
			p[n++] = insn(BPF_JMP32 | BPF_JNE | BPF_K, 6, 0, 0, (int32_t)(uint32_t)d->minor);
		p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, d->allow);
		p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		len = n - start;
		for (size_t i = start; i < n; i++) /* every jump of the block leaves it */
			if (BPF_CLASS(p[i].code) == BPF_JMP32)
				p[i].off = (int16_t)(len - (i - start) - 1);
		/* a rule that matches everything decides alone: what would follow
		 * is unreachable (and the verifier refuses unreachable code) */
		if (len == 2) {
			*count = n;
			return p;
		}
	}
	p[n++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0); /* default: deny */
	p[n++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	*count = n;
	return p;
}

static int load(const struct bpf_insn *p, size_t n, struct ward_error **e)
{
	static char log[4096];
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)p;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t) "Apache-2.0";
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
	if (fd >= 0 || errno != EINVAL)
		return fd < 0 ? ward_err_sys(e, "load the device cgroup program") : fd;
	/* again, with the verifier's explanation */
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof log;
	a.log_level = 1;
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
	if (fd < 0) {
		log[strcspn(log, "\n")] = '\0';
		return ward_err_errno(e, EINVAL, "load the device cgroup program (%s)", log);
	}
	return fd;
}

static int attach(int cgroup_fd, const struct ward_spec *s, bool setup, struct ward_error **e)
{
	struct rules r = {0};
	struct bpf_insn *p = NULL;
	size_t n;
	union bpf_attr a;
	int fd = -1, ret = -1;

	if (ward_cgroup_device_rules(s, setup, &r.v, &r.n, e) < 0)
		goto out;
	p = compile(&r, &n);
	fd = load(p, n, e);
	if (fd < 0)
		goto out;
	memset(&a, 0, sizeof a);
	a.target_fd = (uint32_t)cgroup_fd;
	a.attach_bpf_fd = (uint32_t)fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof a) < 0) {
		ward_err_sys(e, "attach the device cgroup program");
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(p);
	free(r.v);
	return ret;
}

int ward_cgroup_devices_setup(int cgroup_fd, const struct ward_spec *s, struct ward_error **e)
{
	return attach(cgroup_fd, s, true, e);
}

int ward_cgroup_devices(int cgroup_fd, const struct ward_spec *s, struct ward_error **e)
{
	return attach(cgroup_fd, s, false, e);
}
