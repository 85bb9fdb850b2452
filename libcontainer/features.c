/* SPDX-License-Identifier: Apache-2.0 */
/* `ward features`: the OCI features document, stating only what this build does. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "caps.h"
#include "mounts.h"
#include "spec.h"
#include "util.h"
#include "ward.h"

static void str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void flag_obj(yajl_gen g, const char *key, bool enabled)
{
	str(g, key);
	yajl_gen_map_open(g);
	str(g, "enabled");
	yajl_gen_bool(g, enabled);
	yajl_gen_map_close(g);
}

static void gen_linux(yajl_gen g)
{
	static const char *const ns[] = {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"};

	str(g, "linux");
	yajl_gen_map_open(g);
	str(g, "namespaces");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
		str(g, ns[i]);
	yajl_gen_array_close(g);
	str(g, "capabilities");
	yajl_gen_array_open(g);
	for (int c = 0; c <= ward_cap_last(); c++)
		if (ward_cap_name(c))
			str(g, ward_cap_name(c));
	yajl_gen_array_close(g);
	str(g, "cgroup");
	yajl_gen_map_open(g);
	str(g, "v1");
	yajl_gen_bool(g, 0);
	str(g, "v2");
	yajl_gen_bool(g, 1);
	str(g, "systemd");
	yajl_gen_bool(g, 0);
	str(g, "systemdUser");
	yajl_gen_bool(g, 0);
	str(g, "rdma");
	yajl_gen_bool(g, 0);
	yajl_gen_map_close(g);
	flag_obj(g, "seccomp", false); /* not enforced by this build yet */
	flag_obj(g, "apparmor", false);
	flag_obj(g, "selinux", false);
	flag_obj(g, "intelRdt", false);
	str(g, "mountExtensions");
	yajl_gen_map_open(g);
	flag_obj(g, "idmap", false);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

char *ward_features_json(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;
	char *out;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "    ");
	yajl_gen_map_open(g);
	str(g, "ociVersionMin");
	str(g, "1.0.0");
	str(g, "ociVersionMax");
	str(g, WARD_SPEC_VERSION);
	str(g, "hooks");
	yajl_gen_array_open(g);
	for (int k = 0; k < WARD_HOOK_KINDS; k++)
		str(g, ward_hook_kind_name((enum ward_hook_kind)k));
	yajl_gen_array_close(g);
	str(g, "mountOptions");
	yajl_gen_array_open(g);
	for (size_t i = 0; ward_mnt_opt_name(i); i++)
		str(g, ward_mnt_opt_name(i));
	yajl_gen_array_close(g);
	gen_linux(g);
	str(g, "annotations");
	yajl_gen_map_open(g);
	str(g, "run.ward.version");
	str(g, PACKAGE_VERSION);
	str(g, "run.ward.commit");
	str(g, WARD_COMMIT);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	yajl_gen_get_buf(g, &buf, &len);
	out = xstrndup((const char *)buf, len);
	yajl_gen_free(g);
	return out;
}

char *ward_spec_json(bool rootless)
{
	return ward_spec_generate(rootless, getuid(), getgid());
}
