/* SPDX-License-Identifier: Apache-2.0 */
/* Devices: the rules the device cgroup programs are compiled from
 * (cgroup_devices.c), written one rule a segment and compared whole, and the
 * check of a host object bound for a linux.devices entry (devices.c).
 * JSON is written with ' for " to keep it readable; parse_sq() swaps them. */
#include "config.h"
#include "cgroup_devices.h"
#include "devices.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "spec.h"
#include "tap.h"
#include "util.h"

static struct ward_spec *spec;
static struct ward_error *err;

/* ward's default devices, as the rules write them */
#define DEFAULTS                                                                                             \
	"allow c 1:3 rwm; allow c 1:5 rwm; allow c 1:7 rwm; allow c 1:8 rwm; allow c 1:9 rwm; "              \
	"allow c 5:0 rwm; allow c 5:2 rwm; allow c 136:* rwm"

static void reset(void)
{
	ward_spec_free(spec);
	spec = NULL;
	ward_error_free(err);
	err = NULL;
}

static const char *emsg(void)
{
	return err ? err->msg : "(no error)";
}

/* The smallest valid config with linux = {linux}. */
static int parse_linux(const char *linux_)
{
	char *j = xasprintf("{'ociVersion':'1.2.0','root':{'path':'rootfs'},'linux':{%s}}", linux_);
	int r;

	for (char *p = j; *p; p++)
		if (*p == '\'')
			*p = '"';
	reset();
	r = ward_spec_parse(j, strlen(j), "config.json", &spec, &err);
	free(j);
	return r;
}

static char *number(int64_t v)
{
	return v < 0 ? xstrdup("*") : xasprintf("%lld", (long long)v);
}

/* "allow|deny a|c|b MAJOR:MINOR ACCESS" a rule, "; " between them. */
static char *dump(const struct ward_dev_rule *v, size_t n)
{
	char *out = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *maj = number(v[i].major), *min = number(v[i].minor);
		char *s =
		    xasprintf("%s%s%s %c %s:%s %s%s%s", out, i ? "; " : "", v[i].allow ? "allow" : "deny",
			      v[i].type == BPF_DEVCG_DEV_CHAR	 ? 'c'
			      : v[i].type == BPF_DEVCG_DEV_BLOCK ? 'b'
								 : 'a',
			      maj, min, v[i].access & BPF_DEVCG_ACC_READ ? "r" : "",
			      v[i].access & BPF_DEVCG_ACC_WRITE ? "w" : "",
			      v[i].access & BPF_DEVCG_ACC_MKNOD ? "m" : "");

		free(out);
		out = s;
	}
	return out;
}

/* The rules of the container's program (setup false) or of the setup one are
 * exactly want. */
static void rules_are(const char *linux_, bool setup, const char *want)
{
	struct ward_dev_rule *v = NULL;
	size_t n = 0;
	_cleanup_free_ char *d = NULL;

	if (!ok(parse_linux(linux_) == 0, "parsed: %s", linux_)) {
		printf("#   %s\n", emsg());
		return;
	}
	if (!ok(ward_cgroup_device_rules(spec, setup, &v, &n, &err) == 0, "  %s rules",
		setup ? "setup" : "container"))
		printf("#   %s\n", emsg());
	d = dump(v, n);
	is_str(d, want, "  are: %s", want);
	free(v);
}

static void test_rules(void)
{
	rules_are("", false, DEFAULTS);
	rules_are("", true, DEFAULTS);
	/* finding 5: Docker's --device /dev/kmsg:/dev/kmsg:r; the node grants nothing */
	rules_are("'devices':[{'path':'/dev/kmsg','type':'c','major':1,'minor':11}],"
		  "'resources':{'devices':[{'allow':false,'access':'rwm'},"
		  "{'allow':true,'type':'c','major':1,'minor':11,'access':'r'}]}",
		  false, "deny a *:* rwm; allow c 1:11 r; " DEFAULTS);
	/* the setup program adds mknod of the node, nothing more */
	rules_are("'devices':[{'path':'/dev/kmsg','type':'c','major':1,'minor':11}],"
		  "'resources':{'devices':[{'allow':false,'access':'rwm'},"
		  "{'allow':true,'type':'c','major':1,'minor':11,'access':'r'}]}",
		  true, "deny a *:* rwm; allow c 1:11 r; " DEFAULTS "; allow c 1:11 m");
	/* no rules at all: the nodes get nothing either */
	rules_are("'devices':[{'path':'/dev/sdb','type':'b','major':8,'minor':16},"
		  "{'path':'/dev/ttyS9','type':'u','major':4,'minor':73},{'path':'/run/f','type':'p'}]",
		  false, DEFAULTS);
	rules_are("'devices':[{'path':'/dev/sdb','type':'b','major':8,'minor':16},"
		  "{'path':'/dev/ttyS9','type':'u','major':4,'minor':73},{'path':'/run/f','type':'p'}]",
		  true, DEFAULTS "; allow b 8:16 m; allow c 4:73 m");
	/* the config's rules in order, whatever they say */
	rules_are("'resources':{'devices':[{'allow':true,'type':'b','major':7,'access':'rwm'},"
		  "{'allow':false,'type':'b','major':7,'minor':3,'access':'m'}]}",
		  false, "allow b 7:* rwm; deny b 7:3 m; " DEFAULTS);
	reset();
}

static void node_is(mode_t mode, unsigned maj, unsigned min, char type, int64_t dmaj, int64_t dmin,
		    const char *want)
{
	struct stat st = {.st_mode = mode, .st_rdev = makedev(maj, min)};
	struct ward_device d = {.path = (char *)"/tmp/x", .type = type, .major = dmaj, .minor = dmin};
	int r;

	reset();
	r = ward_dev_check_host_node(&st, &d, &err);
	if (!want) {
		if (!ok(r == 0, "%c %lld:%lld: the host's node 0%o %u:%u is it", type, (long long)dmaj,
			(long long)dmin, mode, maj, min))
			printf("#   %s\n", emsg());
		return;
	}
	ok(r == -1 && err && err->code == EINVAL, "%c %lld:%lld: the host's 0%o %u:%u is refused (EINVAL)",
	   type, (long long)dmaj, (long long)dmin, mode, maj, min);
	is_str(emsg(), want, "  message: %s", want);
}

static void test_host_node(void)
{
	node_is(S_IFCHR | 0666, 1, 3, 'c', 1, 3, NULL);
	node_is(S_IFCHR | 0600, 4, 73, 'u', 4, 73, NULL);
	node_is(S_IFBLK | 0660, 8, 16, 'b', 8, 16, NULL);
	node_is(S_IFREG | 0600, 0, 0, 'c', 1, 3,
		"host /tmp/x is a regular file, not the character device 1:3");
	node_is(S_IFDIR | 0700, 0, 0, 'c', 1, 3, "host /tmp/x is a directory, not the character device 1:3");
	node_is(S_IFLNK | 0777, 0, 0, 'c', 1, 3,
		"host /tmp/x is a symbolic link, not the character device 1:3");
	node_is(S_IFIFO | 0600, 0, 0, 'b', 8, 0, "host /tmp/x is a fifo, not the block device 8:0");
	node_is(S_IFSOCK | 0600, 0, 0, 'c', 1, 3, "host /tmp/x is a socket, not the character device 1:3");
	node_is(S_IFCHR | 0666, 1, 5, 'c', 1, 3,
		"host /tmp/x is the character device 1:5, not the character device 1:3");
	node_is(S_IFCHR | 0666, 2, 3, 'c', 1, 3,
		"host /tmp/x is the character device 2:3, not the character device 1:3");
	node_is(S_IFBLK | 0660, 1, 3, 'c', 1, 3,
		"host /tmp/x is the block device 1:3, not the character device 1:3");
	node_is(S_IFCHR | 0660, 8, 0, 'b', 8, 0,
		"host /tmp/x is the character device 8:0, not the block device 8:0");
	node_is(S_IFIFO | 0600, 0, 0, 'p', 0, 0, "a fifo is made, never bound from the host");
	reset();
}

int main(void)
{
	test_rules();
	test_host_node();
	return tap_done();
}
