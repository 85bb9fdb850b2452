/* SPDX-License-Identifier: Apache-2.0 */
/* `ward features`: the OCI features document, stating only what this build does. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "caps.h"
#include "mounts.h"
#include "spec.h"
#include "json.h"
#include "util.h"
#include "ward.h"

static void flag_obj(yajl_gen g, const char *key, bool enabled)
{
	json_gen_str(g, key);
	yajl_gen_map_open(g);
	json_gen_str(g, "enabled");
	yajl_gen_bool(g, enabled);
	yajl_gen_map_close(g);
}

static void str_array(yajl_gen g, const char *key, const char *const *v)
{
	json_gen_str(g, key);
	yajl_gen_array_open(g);
	for (; *v; v++)
		json_gen_str(g, *v);
	yajl_gen_array_close(g);
}

static void gen_seccomp(yajl_gen g)
{
	static const char *const actions[] = {"SCMP_ACT_ALLOW",	      "SCMP_ACT_ERRNO",
					      "SCMP_ACT_KILL",	      "SCMP_ACT_KILL_PROCESS",
					      "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
					      "SCMP_ACT_NOTIFY",      "SCMP_ACT_TRACE",
					      "SCMP_ACT_TRAP",	      NULL};
	static const char *const ops[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",	      "SCMP_CMP_LE",
					  "SCMP_CMP_LT", "SCMP_CMP_NE", "SCMP_CMP_MASKED_EQ", NULL};
	static const char *const archs[] = {"SCMP_ARCH_X86_64",	 "SCMP_ARCH_X86", "SCMP_ARCH_X32",
					    "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL};
	static const char *const flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
					    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
					    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};

	json_gen_str(g, "seccomp");
	yajl_gen_map_open(g);
	json_gen_str(g, "enabled");
	yajl_gen_bool(g, 1);
	str_array(g, "actions", actions);
	str_array(g, "operators", ops);
	str_array(g, "archs", archs);
	str_array(g, "knownFlags", flags);
	str_array(g, "supportedFlags", flags);
	yajl_gen_map_close(g);
}

static void gen_linux(yajl_gen g)
{
	static const char *const ns[] = {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"};

	json_gen_str(g, "linux");
	yajl_gen_map_open(g);
	json_gen_str(g, "namespaces");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
		json_gen_str(g, ns[i]);
	yajl_gen_array_close(g);
	json_gen_str(g, "capabilities");
	yajl_gen_array_open(g);
	for (int c = 0; c <= ward_cap_last(); c++)
		if (ward_cap_name(c))
			json_gen_str(g, ward_cap_name(c));
	yajl_gen_array_close(g);
	json_gen_str(g, "cgroup");
	yajl_gen_map_open(g);
	json_gen_str(g, "v1");
	yajl_gen_bool(g, 0);
	json_gen_str(g, "v2");
	yajl_gen_bool(g, 1);
	json_gen_str(g, "systemd");
	yajl_gen_bool(g, 0);
	json_gen_str(g, "systemdUser");
	yajl_gen_bool(g, 0);
	json_gen_str(g, "rdma");
	yajl_gen_bool(g, 1);
	yajl_gen_map_close(g);
	gen_seccomp(g);
	flag_obj(g, "apparmor", false);
	flag_obj(g, "selinux", false);
	flag_obj(g, "intelRdt", false);
	json_gen_str(g, "mountExtensions");
	yajl_gen_map_open(g);
	flag_obj(g, "idmap", false);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
}

char *ward_features_json(void)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char *out;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "    ");
	yajl_gen_map_open(g);
	json_gen_str(g, "ociVersionMin");
	json_gen_str(g, "1.0.0");
	json_gen_str(g, "ociVersionMax");
	json_gen_str(g, WARD_SPEC_VERSION);
	json_gen_str(g, "hooks");
	yajl_gen_array_open(g);
	for (int k = 0; k < WARD_HOOK_KINDS; k++)
		json_gen_str(g, ward_hook_kind_name((enum ward_hook_kind)k));
	yajl_gen_array_close(g);
	json_gen_str(g, "mountOptions");
	yajl_gen_array_open(g);
	for (size_t i = 0; ward_mnt_opt_name(i); i++)
		json_gen_str(g, ward_mnt_opt_name(i));
	yajl_gen_array_close(g);
	gen_linux(g);
	json_gen_str(g, "annotations");
	yajl_gen_map_open(g);
	json_gen_str(g, "run.ward.version");
	json_gen_str(g, PACKAGE_VERSION);
	json_gen_str(g, "run.ward.commit");
	json_gen_str(g, WARD_COMMIT);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	out = json_gen_text(g, true);
	yajl_gen_free(g);
	return out;
}

char *ward_spec_json(bool rootless)
{
	return ward_spec_generate(rootless, getuid(), getgid());
}
