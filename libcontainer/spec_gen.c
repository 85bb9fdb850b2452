/* SPDX-License-Identifier: Apache-2.0 */
/* `ward spec`: a starting config.json that is locked down by default (no
 * capabilities, no_new_privs, read-only root and /sys, masked /proc files), so
 * users opt in to privileges rather than having to know which ones to remove. */
#include "config.h"
#include "spec.h"

#include <string.h>
#include <yajl/yajl_gen.h>

#include "policy.h"
#include "json.h"
#include "util.h"

static void key_str(yajl_gen g, const char *k, const char *v)
{
	json_gen_str(g, k);
	json_gen_str(g, v);
}

static void key_int(yajl_gen g, const char *k, long long v)
{
	json_gen_str(g, k);
	yajl_gen_integer(g, v);
}

static void key_bool(yajl_gen g, const char *k, bool v)
{
	json_gen_str(g, k);
	yajl_gen_bool(g, v);
}

/* k: [v...] for a NULL-terminated list. */
static void key_strv(yajl_gen g, const char *k, const char *const *v)
{
	json_gen_str(g, k);
	yajl_gen_array_open(g);
	for (; *v; v++)
		json_gen_str(g, *v);
	yajl_gen_array_close(g);
}

static void gen_process(yajl_gen g, bool rootless)
{
	static const char *const args[] = {"sh", NULL};
	static const char *const env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
					  "TERM=xterm", NULL};
	static const char *const none[] = {NULL};
	static const char *const sets[] = {"bounding", "effective", "inheritable", "permitted", "ambient"};
	/* Rootless maps only the caller's one uid (to 0), so 65534 does not exist in the
	 * user namespace; run as its root instead, which is the unprivileged caller
	 * outside it and holds no capabilities since every set below is empty. */
	uint32_t id = rootless ? 0 : 65534;

	json_gen_str(g, "process");
	yajl_gen_map_open(g);
	key_bool(g, "terminal", false);
	json_gen_str(g, "user");
	yajl_gen_map_open(g);
	key_int(g, "uid", id);
	key_int(g, "gid", id);
	yajl_gen_map_close(g);
	key_strv(g, "args", args);
	key_strv(g, "env", env);
	key_str(g, "cwd", "/");
	/* All five sets present and empty: absent sets would let policy apply defaults. */
	json_gen_str(g, "capabilities");
	yajl_gen_map_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		key_strv(g, sets[i], none);
	yajl_gen_map_close(g);
	json_gen_str(g, "rlimits");
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	key_str(g, "type", "RLIMIT_NOFILE");
	key_int(g, "hard", 1024);
	key_int(g, "soft", 1024);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
	key_bool(g, "noNewPrivileges", true);
	yajl_gen_map_close(g);
}

static void gen_mounts(yajl_gen g, bool rootless)
{
	static const char *const proc_o[] = {NULL};
	static const char *const dev_o[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
	static const char *const pts_o[] = {"nosuid",	 "noexec", "newinstance", "ptmxmode=0666",
					    "mode=0620", "gid=5",  NULL};
	/* gid 5 (tty) is not mapped in a rootless user namespace: devpts would refuse it. */
	static const char *const pts_rootless_o[] = {"nosuid",	      "noexec",	   "newinstance",
						     "ptmxmode=0666", "mode=0620", NULL};
	static const char *const shm_o[] = {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL};
	static const char *const mq_o[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const sys_o[] = {"nosuid", "noexec", "nodev", "ro", NULL};
	static const char *const sys_rootless_o[] = {"rbind", "nosuid", "noexec", "nodev", "ro", NULL};
	static const char *const cg_o[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
	const struct {
		const char *dest, *type, *source;
		const char *const *options;
	} mounts[] = {
	    {"/proc", "proc", "proc", proc_o},
	    {"/dev", "tmpfs", "tmpfs", dev_o},
	    {"/dev/pts", "devpts", "devpts", rootless ? pts_rootless_o : pts_o},
	    {"/dev/shm", "tmpfs", "shm", shm_o},
	    {"/dev/mqueue", "mqueue", "mqueue", mq_o},
	    /* sysfs can only be mounted in a user namespace that owns the network
	     * namespace; without privileges, bind the host's /sys read-only instead. */
	    {"/sys", rootless ? "bind" : "sysfs", rootless ? "/sys" : "sysfs",
	     rootless ? sys_rootless_o : sys_o},
	    {"/sys/fs/cgroup", "cgroup2", "cgroup", cg_o},
	};

	json_gen_str(g, "mounts");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(mounts); i++) {
		yajl_gen_map_open(g);
		key_str(g, "destination", mounts[i].dest);
		key_str(g, "type", mounts[i].type);
		key_str(g, "source", mounts[i].source);
		if (mounts[i].options[0])
			key_strv(g, "options", mounts[i].options);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

static void gen_idmap(yajl_gen g, const char *key, uint32_t host_id)
{
	json_gen_str(g, key);
	yajl_gen_array_open(g);
	yajl_gen_map_open(g);
	key_int(g, "containerID", 0);
	key_int(g, "hostID", host_id);
	key_int(g, "size", 1);
	yajl_gen_map_close(g);
	yajl_gen_array_close(g);
}

static void gen_linux(yajl_gen g, bool rootless, uint32_t uid, uint32_t gid)
{
	static const char *const ns[] = {"pid", "network", "ipc", "uts", "mount", "cgroup"};
	/* the same lists a config without them gets (policy.c) */
	const char *const *masked = ward_default_masked_paths, *const *readonly = ward_default_readonly_paths;

	json_gen_str(g, "linux");
	yajl_gen_map_open(g);
	json_gen_str(g, "namespaces");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < ARRAY_SIZE(ns) + rootless; i++) {
		yajl_gen_map_open(g);
		key_str(g, "type", i < ARRAY_SIZE(ns) ? ns[i] : "user");
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	if (rootless) {
		gen_idmap(g, "uidMappings", uid);
		gen_idmap(g, "gidMappings", gid);
	}
	key_strv(g, "maskedPaths", masked);
	key_strv(g, "readonlyPaths", readonly);
	yajl_gen_map_close(g);
}

/* yajl's beautifier prints an empty array over three lines; write "[]". Only a
 * structural '[' can be followed by a raw newline (strings escape theirs). */
static void collapse_empty_arrays(char *s)
{
	char *w = s;

	for (const char *r = s; *r;) {
		size_t ws = r[0] == '[' && r[1] == '\n' ? strspn(r + 1, "\n\t ") : 0;

		if (ws && r[1 + ws] == ']') {
			*w++ = '[';
			*w++ = ']';
			r += ws + 2;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

char *ward_spec_generate(bool rootless, uint32_t uid, uint32_t gid)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char *out = NULL;

	if (!g)
		return NULL;
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "\t");
	yajl_gen_map_open(g);
	key_str(g, "ociVersion", "1.2.0");
	gen_process(g, rootless);
	json_gen_str(g, "root");
	yajl_gen_map_open(g);
	key_str(g, "path", "rootfs");
	key_bool(g, "readonly", true);
	yajl_gen_map_close(g);
	key_str(g, "hostname", "ward");
	gen_mounts(g, rootless);
	gen_linux(g, rootless, uid, gid);
	yajl_gen_map_close(g);
	/* Generation only fails on misuse (unbalanced maps), which get_buf reports. */
	out = json_gen_text(g, true);
	if (out)
		collapse_empty_arrays(out);
	yajl_gen_free(g);
	return out;
}
