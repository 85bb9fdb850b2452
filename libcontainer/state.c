/* SPDX-License-Identifier: Apache-2.0 */
/* The state store. Layout: <root>/<id>/state.json (ward's own format, below),
 * config.json, exec.fifo. The root is 0700 and owned by us, so only the same
 * user can race with us in it; even so nothing in it is ever opened through a
 * symlink, since a container's files are read by privileged commands. */
#include "config.h"
#include "state.h"
#include "cgroup.h"
#include "safepath.h"
#include "json.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#define STATE_FILE	   "state.json"
#define STATE_FORMAT	   1 /* "version" in state.json; bump on incompatible changes */
#define STATE_MAX_BYTES	   (WARD_SPEC_MAX_BYTES + (1u << 20)) /* annotations come from the config */
#define STATE_PARSE_ERRBUF 256

const char *ward_status_name(enum ward_status s)
{
	switch (s) {
	case WARD_STATUS_CREATING:
		return "creating";
	case WARD_STATUS_CREATED:
		return "created";
	case WARD_STATUS_RUNNING:
		return "running";
	case WARD_STATUS_PAUSED:
		return "paused";
	case WARD_STATUS_STOPPED:
		return "stopped";
	}
	return "unknown";
}

/* Which error to report for a state root that is not a plain directory. */
static int root_type_err(const char *root, struct ward_error **e)
{
	int code = errno;
	struct stat st;

	if (lstat(root, &st) == 0 && S_ISLNK(st.st_mode))
		return ward_err(e, ELOOP, "state root %s is a symlink; refusing to use it", root);
	if (lstat(root, &st) == 0 && !S_ISDIR(st.st_mode))
		return ward_err(e, ENOTDIR, "state root %s is not a directory", root);
	return ward_err_errno(e, code, "open state root %s", root);
}

/* mkdir -p for the parents of the root (0755, as mkdir -p) and the root itself
 * (0700). The parents are the administrator's choice and may be symlinks. */
static int mkdir_root(const char *root, struct ward_error **e)
{
	_cleanup_free_ char *buf = xstrdup(root);

	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return ward_err_sys(e, "create state root %s: mkdir %s", root, buf);
		*p = '/';
	}
	if (mkdir(root, 0700) < 0 && errno != EEXIST)
		return ward_err_sys(e, "create state root %s", root);
	return 0;
}

int ward_state_root_open(const char *root_arg, bool create, struct ward_error **e)
{
	_cleanup_free_ char *root = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;
	size_t n;

	if (!root_arg || !*root_arg)
		return ward_err(e, EINVAL, "state root is empty");
	/* "/run/ward/" would follow a symlink despite O_NOFOLLOW. */
	root = xstrdup(root_arg);
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		root[--n] = '\0';
	if (create && mkdir_root(root, e) < 0)
		return -1;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return root_type_err(root, e);
	/* The checks are made on the fd, so a swap after open cannot fool them. */
	if (fstat(fd, &st) < 0)
		return ward_err_sys(e, "stat state root %s", root);
	if (st.st_uid != geteuid())
		return ward_err(e, EPERM,
				"state root %s is owned by uid %u, not by uid %u; refusing to use it", root,
				(unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return ward_err(e, EPERM,
				"state root %s is writable by others (mode %04o); refusing to use it", root,
				(unsigned)(st.st_mode & 07777));
	/* Readable by others is not dangerous to us but leaks container details;
	 * tighten it, as the root is ours. */
	if ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700) < 0)
		return ward_err_sys(e, "chmod state root %s to 0700", root);
	return TAKE_FD(fd);
}

static int open_container_dir(int rootfd, const char *id)
{
	return openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static int lock_fd(int fd, int op)
{
	int r;

	do
		r = flock(fd, op);
	while (r < 0 && errno == EINTR);
	return r;
}

/* Remove the entries of a container directory. Files, fifos and symlinks are
 * unlinked (unlinkat never follows a symlink); a subdirectory is not expected,
 * so it is only removed when empty and never descended into. state.json goes
 * last: if anything else cannot be removed the container still exists, and
 * delete can be retried. */
static int clear_dir(int dirfd, const char *id, struct ward_error **e)
{
	_cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (fd < 0)
		return ward_err_sys(e, "open state directory of container \"%s\"", id);
	d = fdopendir(fd);
	if (!d)
		return ward_err_sys(e, "open state directory of container \"%s\"", id);
	fd = -1; /* owned by d now */
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				r = ward_err_sys(e, "read state directory of container \"%s\"", id);
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, STATE_FILE) == 0)
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno == EISDIR && (unlinkat(dirfd, de->d_name, AT_REMOVEDIR) == 0 || errno == ENOENT))
			continue;
		r = ward_err_sys(e, "remove %s in state directory of container \"%s\"", de->d_name, id);
		break;
	}
	closedir(d);
	if (r == 0 && unlinkat(dirfd, STATE_FILE, 0) < 0 && errno != ENOENT)
		r = ward_err_sys(e, "remove state of container \"%s\"", id);
	return r;
}

static const char *const origin_names[] = {
    [WARD_CGROUP_PENDING] = "pending", [WARD_CGROUP_CREATED] = "created", [WARD_CGROUP_ADOPTED] = "adopted"};

int ward_state_record_cgroup(int dirfd, const char *path, enum ward_cgroup_origin origin,
			     struct ward_error **e)
{
	_cleanup_free_ char *text = xasprintf("%s\n%s\n", path, origin_names[origin]);

	return write_file_atomic(dirfd, WARD_STATE_CGROUP_FILE, text, strlen(text), 0600, e);
}

/* The record: only ever a directory below the cgroup2 mount, never "..", and
 * a known origin: it is our file, but the check costs nothing. */
static int parse_record(char *text, const char *id, enum ward_cgroup_origin *origin, struct ward_error **e)
{
	const char *mount = ward_cgroup_mount(NULL);
	char *nl = strchr(text, '\n');
	size_t n = mount ? strlen(mount) : 0;
	bool known = !nl; /* an older ward's record, the path alone: it made the cgroup */

	*origin = WARD_CGROUP_CREATED;
	if (nl) {
		*nl++ = '\0';
		nl[strcspn(nl, "\n")] = '\0';
		for (size_t i = 0; i < ARRAY_SIZE(origin_names); i++)
			if (strcmp(nl, origin_names[i]) == 0) {
				*origin = (enum ward_cgroup_origin)i;
				known = true;
			}
	}
	if (!known || !mount || strncmp(text, mount, n) != 0 || text[n] != '/' || strstr(text, "/.."))
		return ward_err(e, EINVAL, "state of container \"%s\": bad cgroup record", id);
	return 0;
}

int ward_state_cgroup(int dirfd, const char *id, const char *fallback, char **path,
		      enum ward_cgroup_origin *origin, struct ward_error **e)
{
	_cleanup_close_ int fd = openat(dirfd, WARD_STATE_CGROUP_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *text = NULL;

	*path = NULL;
	*origin = WARD_CGROUP_CREATED;
	if (fd < 0 && errno == ENOENT) {
		*path = fallback ? xstrdup(fallback) : NULL;
		return 0;
	}
	if (fd < 0)
		return ward_err_sys(e, "state of container \"%s\": read the cgroup record", id);
	if (read_fd_all(fd, WARD_STATE_CGROUP_FILE, 4096, &text, NULL, e) < 0)
		return ward_err_prefix(e, "state of container \"%s\"", id);
	if (parse_record(text, id, origin, e) < 0)
		return -1;
	if (fallback && strcmp(fallback, text) != 0)
		return ward_err(e, EINVAL, "state of container \"%s\": the cgroup record names %s, not %s",
				id, text, fallback);
	*path = TAKE_PTR(text);
	return 0;
}

int ward_state_destroy_cgroup(int dirfd, const char *id, const char *fallback, struct ward_error **e)
{
	_cleanup_free_ char *path = NULL;
	enum ward_cgroup_origin origin;

	if (ward_state_cgroup(dirfd, id, fallback, &path, &origin, e) < 0)
		return -1;
	return path ? ward_cgroup_destroy(path, origin, e) : 0;
}

int ward_state_reap_leftover(int rootfd, const char *id, struct ward_error **e)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (!valid_container_id(id))
		return 0;
	fd = open_container_dir(rootfd, id);
	if (fd < 0 || lock_fd(fd, LOCK_EX | LOCK_NB) < 0 ||
	    fstatat(fd, STATE_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (ward_state_destroy_cgroup(fd, id, NULL, e) < 0 || ward_state_remove(rootfd, id, e) < 0)
		return -1;
	return 1;
}

int ward_state_reserve(int rootfd, const char *id, int *dirfd, struct ward_error **e)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (!valid_container_id(id))
		return ward_err(e, EINVAL, "invalid container id \"%s\"", id ? id : "");
	if (mkdirat(rootfd, id, 0700) < 0 && errno != EEXIST)
		return ward_err_sys(e, "create state directory of container \"%s\"", id);
	fd = open_container_dir(rootfd, id);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return ward_err(e, EEXIST, "container with id exists: %s", id);
		return ward_err_sys(e, "open state directory of container \"%s\"", id);
	}
	/* Whether we just made it or found it, the lock decides who owns it: a
	 * concurrent create of the same ID holds it until state.json is written. */
	if (lock_fd(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return ward_err(e, EEXIST, "container with id exists: %s", id);
		return ward_err_sys(e, "lock state directory of container \"%s\"", id);
	}
	/* Checked under the lock: the previous holder may have just finished. */
	if (fstatat(fd, STATE_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return ward_err(e, EEXIST, "container with id exists: %s", id);
	if (errno != ENOENT)
		return ward_err_sys(e, "stat state of container \"%s\"", id);
	/* No state.json and nobody holds the lock: the leftover of a create that
	 * was killed. Reuse it, empty. */
	if (ward_state_destroy_cgroup(fd, id, NULL, e) < 0 || clear_dir(fd, id, e) < 0)
		return -1;
	*dirfd = TAKE_FD(fd);
	return 0;
}

int ward_state_open(int rootfd, const char *id, int lock_op, int *dirfd, struct ward_error **e)
{
	_cleanup_close_ int fd = -1;

	if (!valid_container_id(id))
		return ward_err(e, EINVAL, "invalid container id \"%s\"", id ? id : "");
	fd = open_container_dir(rootfd, id);
	if (fd < 0 && errno == ENOENT)
		return ward_err(e, ENOENT, "container \"%s\" does not exist", id);
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return ward_err(e, ENOTDIR,
				"state of container \"%s\" is not a directory; refusing to use it", id);
	if (fd < 0)
		return ward_err_sys(e, "open state directory of container \"%s\"", id);
	if (lock_op && lock_fd(fd, lock_op) < 0) {
		if (errno == EWOULDBLOCK)
			return ward_err(e, EAGAIN,
					"container \"%s\" is busy (locked by another ward process)", id);
		return ward_err_sys(e, "lock state directory of container \"%s\"", id);
	}
	*dirfd = TAKE_FD(fd);
	return 0;
}

/* yajl_gen helpers; a generator error can only be invalid UTF-8 in a string. */
static bool gen_str(yajl_gen g, const char *s)
{
	return json_gen_str(g, s ? s : "") == yajl_gen_status_ok;
}

static bool gen_kv_str(yajl_gen g, const char *key, const char *value)
{
	return gen_str(g, key) && gen_str(g, value);
}

static bool gen_kv_int(yajl_gen g, const char *key, long long value)
{
	return gen_str(g, key) && yajl_gen_integer(g, value) == yajl_gen_status_ok;
}

static bool gen_annotations(yajl_gen g, const struct ward_state *st)
{
	bool good = gen_str(g, "annotations") && yajl_gen_map_open(g) == yajl_gen_status_ok;

	for (size_t i = 0; good && i < st->n_annotations; i++)
		good = gen_kv_str(g, st->annotations[i].key, st->annotations[i].value);
	return good && yajl_gen_map_close(g) == yajl_gen_status_ok;
}

/* Copy the generated text out (without yajl's trailing newline in beautify mode). */
static char *gen_take(yajl_gen g)
{

	return json_gen_text(g, false);
}

static yajl_gen gen_new(bool pretty)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g)
		abort(); /* out of memory, as the x* allocators */
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	if (pretty) {
		yajl_gen_config(g, yajl_gen_beautify, 1);
		yajl_gen_config(g, yajl_gen_indent_string, "  ");
	}
	return g;
}

int ward_state_save(int dirfd, const struct ward_state *st, struct ward_error **e)
{
	yajl_gen g = gen_new(false);
	_cleanup_free_ char *text = NULL;
	bool good;
	int r;

	good = yajl_gen_map_open(g) == yajl_gen_status_ok && gen_kv_int(g, "version", STATE_FORMAT) &&
	       gen_kv_str(g, "id", st->id) && gen_kv_int(g, "pid", st->pid) &&
	       gen_kv_int(g, "start_time", (long long)st->start_time) &&
	       gen_kv_str(g, "bundle", st->bundle) && gen_kv_str(g, "rootfs", st->rootfs) &&
	       gen_kv_str(g, "created", st->created) && gen_kv_str(g, "owner", st->owner) &&
	       gen_annotations(g, st) && gen_str(g, "cgroup") &&
	       (st->cgroup ? gen_str(g, st->cgroup) : yajl_gen_null(g) == yajl_gen_status_ok) &&
	       gen_str(g, "has_tty") && yajl_gen_bool(g, st->has_tty) == yajl_gen_status_ok &&
	       gen_kv_str(g, "oci_version", st->oci_version) && yajl_gen_map_close(g) == yajl_gen_status_ok;
	if (good)
		text = gen_take(g);
	yajl_gen_free(g);
	if (!text)
		return ward_err(e, EINVAL,
				"save state of container \"%s\": a path or annotation is not valid UTF-8",
				st->id);
	r = write_file_atomic(dirfd, STATE_FILE, text, strlen(text), 0600, e);
	if (r < 0)
		ward_err_prefix(e, "save state of container \"%s\"", st->id);
	return r;
}

static yajl_val obj_get(yajl_val obj, const char *key)
{
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

/* All shape errors read "state of container "x" is corrupt: "key" is ...". */
static int corrupt(struct ward_error **e, const char *id, const char *key, const char *what)
{
	return ward_err(e, EINVAL, "state of container \"%s\" is corrupt: \"%s\" %s", id, key, what);
}

/* Read a required string member into *out (malloc'd). */
static int load_str(yajl_val obj, const char *key, char **out, const char *id, struct ward_error **e)
{
	yajl_val v = obj_get(obj, key);

	if (!YAJL_IS_STRING(v))
		return corrupt(e, id, key, "is missing or not a string");
	*out = xstrdup(YAJL_GET_STRING(v));
	return 0;
}

static int load_int(yajl_val obj, const char *key, long long max, long long *out, const char *id,
		    struct ward_error **e)
{
	yajl_val v = obj_get(obj, key);

	if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0 || YAJL_GET_INTEGER(v) > max)
		return corrupt(e, id, key, "is missing or out of range");
	*out = YAJL_GET_INTEGER(v);
	return 0;
}

static int load_annotations(yajl_val obj, struct ward_state *st, struct ward_error **e)
{
	yajl_val v = obj_get(obj, "annotations");
	size_t n;

	if (!v)
		return 0;
	if (!YAJL_IS_OBJECT(v))
		return corrupt(e, st->id, "annotations", "is not an object");
	n = v->u.object.len;
	st->annotations = xmalloc0(n * sizeof *st->annotations);
	for (size_t i = 0; i < n; i++) {
		if (!YAJL_IS_STRING(v->u.object.values[i]))
			return corrupt(e, st->id, v->u.object.keys[i], "(an annotation) is not a string");
		st->annotations[i].key = xstrdup(v->u.object.keys[i]);
		st->annotations[i].value = xstrdup(YAJL_GET_STRING(v->u.object.values[i]));
		st->n_annotations = i + 1;
	}
	return 0;
}

static int load_fields(yajl_val root, struct ward_state *st, struct ward_error **e)
{
	const char *id = st->id;
	long long version, pid, start;
	yajl_val cg, tty;
	_cleanup_free_ char *file_id = NULL;

	if (!YAJL_IS_OBJECT(root))
		return ward_err(e, EINVAL, "state of container \"%s\" is corrupt: not a JSON object", id);
	if (load_int(root, "version", LLONG_MAX, &version, id, e) < 0)
		return -1;
	if (version != STATE_FORMAT)
		return ward_err(e, EINVAL, "state of container \"%s\" has format %lld; this ward reads %d",
				id, version, STATE_FORMAT);
	if (load_str(root, "id", &file_id, id, e) < 0)
		return -1;
	/* A state.json copied from another container's directory is not ours. */
	if (strcmp(file_id, id) != 0)
		return corrupt(e, id, "id", "names another container");
	if (load_int(root, "pid", INT_MAX, &pid, id, e) < 0 ||
	    load_int(root, "start_time", LLONG_MAX, &start, id, e) < 0 ||
	    load_str(root, "bundle", &st->bundle, id, e) < 0 ||
	    load_str(root, "rootfs", &st->rootfs, id, e) < 0 ||
	    load_str(root, "created", &st->created, id, e) < 0 ||
	    load_str(root, "owner", &st->owner, id, e) < 0 ||
	    load_str(root, "oci_version", &st->oci_version, id, e) < 0 || load_annotations(root, st, e) < 0)
		return -1;
	st->pid = (pid_t)pid;
	st->start_time = (uint64_t)start;
	cg = obj_get(root, "cgroup");
	if (cg && !YAJL_IS_NULL(cg) && !YAJL_IS_STRING(cg))
		return corrupt(e, id, "cgroup", "is not a string");
	if (YAJL_IS_STRING(cg))
		st->cgroup = xstrdup(YAJL_GET_STRING(cg));
	tty = obj_get(root, "has_tty");
	if (tty && !YAJL_IS_TRUE(tty) && !YAJL_IS_FALSE(tty))
		return corrupt(e, id, "has_tty", "is not a boolean");
	st->has_tty = YAJL_IS_TRUE(tty);
	return 0;
}

/* Read state.json without following a symlink and only if it is a regular file. */
static int read_state_file(int dirfd, const char *id, char **text, struct ward_error **e)
{
	_cleanup_close_ int fd = openat(dirfd, STATE_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (fd < 0 && errno == ENOENT)
		return ward_err(e, ENOENT, "container \"%s\" does not exist", id);
	if (fd < 0)
		return ward_err_sys(e, "open state of container \"%s\"", id);
	if (fstat(fd, &st) < 0)
		return ward_err_sys(e, "stat state of container \"%s\"", id);
	if (!S_ISREG(st.st_mode))
		return ward_err(e, EINVAL, "state of container \"%s\" is not a regular file", id);
	if (read_fd_all(fd, STATE_FILE, STATE_MAX_BYTES, text, NULL, e) < 0)
		return ward_err_prefix(e, "read state of container \"%s\"", id);
	return 0;
}

int ward_state_load(int dirfd, const char *id, struct ward_state **out, struct ward_error **e)
{
	_cleanup_free_ char *text = NULL;
	char errbuf[STATE_PARSE_ERRBUF] = "";
	struct ward_state *st;
	yajl_val root;
	int r;

	if (read_state_file(dirfd, id, &text, e) < 0)
		return -1;
	root = yajl_tree_parse(text, errbuf, sizeof errbuf);
	if (!root) {
		errbuf[strcspn(errbuf, "\n")] = '\0'; /* yajl's message spans lines */
		return ward_err(e, EINVAL, "state of container \"%s\" is corrupt: %s", id,
				*errbuf ? errbuf : "invalid JSON");
	}
	st = xmalloc0(sizeof *st);
	st->id = xstrdup(id);
	r = load_fields(root, st, e);
	yajl_tree_free(root);
	if (r < 0) {
		ward_state_free(st);
		return -1;
	}
	*out = st;
	return 0;
}

void ward_state_free(struct ward_state *st)
{
	if (!st)
		return;
	free(st->id);
	free(st->bundle);
	free(st->rootfs);
	free(st->created);
	free(st->owner);
	for (size_t i = 0; i < st->n_annotations; i++) {
		free(st->annotations[i].key);
		free(st->annotations[i].value);
	}
	free(st->annotations);
	free(st->cgroup);
	free(st->oci_version);
	free(st);
}

enum ward_status ward_state_status(int dirfd, const struct ward_state *st)
{
	struct stat sb;
	uint64_t start;
	char ps;

	if (st->pid <= 0)
		return WARD_STATUS_STOPPED;
	/* A different start time means the pid now belongs to another process. */
	start = proc_start_time(st->pid);
	if (start == 0 || start != st->start_time)
		return WARD_STATUS_STOPPED;
	ps = proc_state(st->pid);
	if (ps == 0 || ps == 'Z' || ps == 'X')
		return WARD_STATUS_STOPPED;
	if (fstatat(dirfd, "exec.fifo", &sb, AT_SYMLINK_NOFOLLOW) == 0)
		return WARD_STATUS_CREATED;
	if (st->cgroup && ward_cgroup_frozen(st->cgroup))
		return WARD_STATUS_PAUSED;
	return WARD_STATUS_RUNNING;
}

char *ward_state_json(const struct ward_state *st, enum ward_status status, bool pretty)
{
	yajl_gen g = gen_new(pretty);
	pid_t pid = status == WARD_STATUS_STOPPED ? 0 : st->pid;
	char *text = NULL;
	bool good;

	/* runc's field order; "annotations" (omitted when empty) precedes "owner". */
	good = yajl_gen_map_open(g) == yajl_gen_status_ok && gen_kv_str(g, "ociVersion", st->oci_version) &&
	       gen_kv_str(g, "id", st->id) && gen_kv_int(g, "pid", pid) &&
	       gen_kv_str(g, "status", ward_status_name(status)) && gen_kv_str(g, "bundle", st->bundle) &&
	       gen_kv_str(g, "rootfs", st->rootfs) && gen_kv_str(g, "created", st->created) &&
	       (st->n_annotations == 0 || gen_annotations(g, st)) && gen_kv_str(g, "owner", st->owner) &&
	       yajl_gen_map_close(g) == yajl_gen_status_ok;
	if (good)
		text = gen_take(g);
	yajl_gen_free(g);
	return text;
}

int ward_state_remove(int rootfd, const char *id, struct ward_error **e)
{
	_cleanup_close_ int fd = -1;

	if (!valid_container_id(id))
		return ward_err(e, EINVAL, "invalid container id \"%s\"", id ? id : "");
	fd = open_container_dir(rootfd, id);
	if (fd < 0 && errno == ENOENT)
		return 0; /* already gone: removal is idempotent */
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return ward_err(e, ENOTDIR,
				"state of container \"%s\" is not a directory; refusing to remove it", id);
	if (fd < 0)
		return ward_err_sys(e, "open state directory of container \"%s\"", id);
	if (clear_dir(fd, id, e) < 0)
		return -1;
	if (unlinkat(rootfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return ward_err_sys(e, "remove state directory of container \"%s\"", id);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether name in the root is a container: a real directory holding a regular
 * state.json. */
static bool is_container(int rootfd, const char *name)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (!valid_container_id(name))
		return false;
	fd = open_container_dir(rootfd, name);
	return fd >= 0 && fstatat(fd, STATE_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

int ward_state_list(int rootfd, char ***ids, struct ward_error **e)
{
	/* A fresh open file description: readdir on a dup of rootfd would move
	 * the caller's offset. */
	int fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t n = 0, cap = 16;
	char **v;
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return ward_err_sys(e, "open state root");
	d = fdopendir(fd);
	if (!d) {
		ward_err_sys(e, "open state root");
		close(fd);
		return -1;
	}
	v = xmalloc0(cap * sizeof *v);
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (!is_container(rootfd, de->d_name))
			continue;
		if (n + 1 >= cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[n++] = xstrdup(de->d_name);
		v[n] = NULL;
	}
	if (errno) {
		ward_err_sys(e, "read state root");
		closedir(d);
		strv_free(v);
		return -1;
	}
	closedir(d);
	qsort(v, n, sizeof *v, cmp_str);
	*ids = v;
	return 0;
}
