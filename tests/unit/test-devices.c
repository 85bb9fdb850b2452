/* SPDX-License-Identifier: Apache-2.0 */
/* Devices: the rules the device cgroup programs are compiled from
 * (cgroup_devices.c), written one rule a segment and compared whole.
 * JSON is written with ' for " to keep it readable; parse_sq() swaps them. */
#include "config.h"
#include "cgroup_devices.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
	test_rules();
	return tap_done();
}
