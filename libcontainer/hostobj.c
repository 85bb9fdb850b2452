/* SPDX-License-Identifier: Apache-2.0 */
/* The host objects a config names, opened and identified (hostobj.h).
 *
 * Where an object sits relative to the sensitive host trees is decided on the
 * opened object, by identity, three ways:
 *  - IS: its (st_dev, st_ino) is a tree's (a symlink, a /proc/PID/root path or
 *    a bind-mount alias of /etc is /etc);
 *  - UNDER: walking up ".." from it (crossing mounts: what matters is where the
 *    kernel shows it) reaches a tree; and when it sits on a bind mount of a
 *    subtree (mountinfo's root is not "/"), its location in that filesystem is
 *    under a tree's location in the same filesystem (a bind of /etc/cron.d
 *    mounted on /tmp/x is under /etc);
 *  - CONTAINS: walking up from a tree reaches the object.
 * The kernel's path of the object (readlink of /proc/self/fd/N) is used where
 * identity cannot decide: the homes under /home (a home and its dot-files are
 * sensitive, a project directory in a home is not), and trees ward could not
 * open (EACCES when not root).
 *
 * The rootfs has one exception: an overlay filesystem mounted at the rootfs
 * path under /var/lib or /run (where Docker, Podman and containerd mount their
 * containers' root filesystems) is a filesystem of its own, not host data in
 * those trees. */
#define _GNU_SOURCE
#include "config.h"
#include "hostobj.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <yajl/yajl_tree.h>

#include "util.h"

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif
#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif
#define MAX_WALK 256 /* directory levels walked up at most */

const char *const ward_sensitive_trees[] = {
    "/",     "/bin", "/boot", "/dev", "/etc", "/lib",	  "/lib32",   "/lib64",	    "/libx32", "/proc",
    "/root", "/run", "/sbin", "/sys", "/usr", "/var/lib", "/var/run", "/var/spool", "/home",   NULL};

/* ---- by the string ---- */

static bool path_under(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return p[0] == '/' && p[1] != '\0';
	return strncmp(p, dir, n) == 0 && p[n] == '/';
}

/* /home: the directory itself and each home in it are sensitive (a home holds
 * .ssh, .bashrc...), and so are the dot-files of a home; a project directory
 * in a home is not. */
static int home_rel(const char *p)
{
	const char *rest, *slash;

	if (strcmp(p, "/home") == 0)
		return WARD_TREE_IS;
	if (!path_under(p, "/home"))
		return path_under("/home", p) ? WARD_TREE_CONTAINS : WARD_TREE_NONE;
	rest = p + strlen("/home/");
	slash = strchr(rest, '/');
	return !slash || slash[1] == '.' ? WARD_TREE_UNDER : WARD_TREE_NONE;
}

static int tree_rel_str(const char *p, const char *tree)
{
	if (strcmp(tree, "/home") == 0)
		return home_rel(p);
	if (strcmp(p, tree) == 0)
		return WARD_TREE_IS;
	if (strcmp(tree, "/") == 0) /* everything is under /: only / itself counts */
		return WARD_TREE_NONE;
	if (path_under(p, tree))
		return WARD_TREE_UNDER;
	return path_under(tree, p) ? WARD_TREE_CONTAINS : WARD_TREE_NONE;
}

int ward_sensitive_path(const char *p, const char *const *extra, const char **tree)
{
	int best = WARD_TREE_NONE;

	*tree = NULL;
	for (int pass = 0; pass < 2; pass++)
		for (const char *const *t = pass ? extra : ward_sensitive_trees; t && *t; t++) {
			int r = tree_rel_str(p, *t);

			/* IS before UNDER before CONTAINS */
			if (r != WARD_TREE_NONE && (best == WARD_TREE_NONE || r < best)) {
				best = r;
				*tree = *t;
			}
		}
	return best;
}

/* ---- identities ---- */

struct ident {
	uint64_t dev, ino, mnt;
};

static int ident_of(int fd, struct ident *id)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_MNT_ID, &sx) < 0)
		return -1;
	id->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	id->ino = sx.stx_ino;
	id->mnt = (sx.stx_mask & STATX_MNT_ID) ? sx.stx_mnt_id : 0;
	return 0;
}

/* The identities of dir fd's ancestors through "..", crossing mounts, up to /
 * (not fd's own). *n of them in a malloc'd array. */
static struct ident *ancestors(int fd, size_t *n)
{
	_cleanup_close_ int cur = openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct ident *v = NULL, d, p;

	*n = 0;
	if (cur < 0 || ident_of(cur, &d) < 0)
		return NULL;
	for (int depth = 0; depth < MAX_WALK; depth++) {
		int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (up < 0)
			break;
		if (ident_of(up, &p) < 0 || (p.dev == d.dev && p.ino == d.ino)) {
			close(up);
			break;
		}
		close(cur);
		cur = up;
		d = p;
		v = xrealloc(v, (*n + 1) * sizeof *v);
		v[(*n)++] = p;
	}
	return v;
}

static char *fd_path(int fd)
{
	char link[64], buf[4096];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof buf - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

/* mountinfo's escapes (\040 for a space...) decoded in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

struct tree {
	const char *name;
	bool ok; /* opened */
	int err;
	struct ident id;
	struct ident *up; /* its ancestors */
	size_t n_up;
};

struct gather {
	struct tree *t;
	size_t n;
	const char *const *extra;
	char *mountinfo; /* read on first use */
	bool mountinfo_read;
};

/* The root and mount point of mount mnt (malloc'd), from /proc/self/mountinfo. */
static bool mount_of(struct gather *g, uint64_t mnt, char **root, char **mp)
{
	if (!g->mountinfo_read) {
		g->mountinfo_read = true;
		if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", 16u << 20, &g->mountinfo, NULL, NULL) < 0)
			g->mountinfo = NULL;
	}
	for (const char *line = mnt ? g->mountinfo : NULL; line && *line;) {
		const char *nl = strchr(line, '\n');
		char r[4096], m[4096];
		unsigned long long id;

		/* "36 35 98:0 /mnt1 /mnt2 rw,noatime ...": sscanf stops at each field's blank */
		if (sscanf(line, "%llu %*u %*u:%*u %4095s %4095s", &id, r, m) == 3 && id == mnt) {
			unescape(r);
			unescape(m);
			*root = xstrdup(r);
			*mp = xstrdup(m);
			return true;
		}
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

/* Where canon (on mount mnt) lies in its filesystem: the mount's root joined
 * with its path below the mount point. NULL when unknown. */
static char *fs_location(struct gather *g, uint64_t mnt, const char *canon, bool *bind_of_subtree)
{
	_cleanup_free_ char *root = NULL, *mp = NULL;
	const char *rel;

	*bind_of_subtree = false;
	if (!canon || canon[0] != '/' || !mount_of(g, mnt, &root, &mp))
		return NULL;
	if (strcmp(mp, "/") == 0)
		rel = canon;
	else if (strncmp(canon, mp, strlen(mp)) == 0 && (canon[strlen(mp)] == '/' || !canon[strlen(mp)]))
		rel = canon + strlen(mp);
	else
		return NULL;
	*bind_of_subtree = strcmp(root, "/") != 0;
	if (strcmp(root, "/") == 0)
		return xstrdup(*rel ? rel : "/");
	return xasprintf("%s%s", root, rel);
}

static void trees_open(struct gather *g)
{
	size_t n = 0;

	for (int pass = 0; pass < 2; pass++)
		for (const char *const *t = pass ? g->extra : ward_sensitive_trees; t && *t; t++)
			n++;
	g->t = xmalloc0((n ? n : 1) * sizeof *g->t);
	for (int pass = 0; pass < 2; pass++)
		for (const char *const *t = pass ? g->extra : ward_sensitive_trees; t && *t; t++) {
			struct tree *tr = &g->t[g->n++];
			_cleanup_close_ int fd = open(*t, O_PATH | O_DIRECTORY | O_CLOEXEC);

			tr->name = *t;
			if (fd < 0 || ident_of(fd, &tr->id) < 0) {
				tr->err = errno;
				continue;
			}
			tr->ok = true;
			tr->up = ancestors(fd, &tr->n_up);
		}
}

static void trees_free(struct gather *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->t[i].up);
	free(g->t);
	free(g->mountinfo);
}

static void set_rel(struct ward_hostobj *o, int rel, const char *tree)
{
	if (rel == WARD_TREE_NONE || (o->rel != WARD_TREE_NONE && o->rel <= rel))
		return;
	o->rel = rel;
	free(o->tree);
	o->tree = xstrdup(tree);
}

static bool same(const struct ident *a, uint64_t dev, uint64_t ino)
{
	return a->dev == dev && a->ino == ino;
}

/* The rootfs exception (see the top): an overlay mounted right there, under
 * one of the trees engines keep their containers' root filesystems in. */
static bool engine_rootfs(int fd, const struct ident *id, const char *canon)
{
	_cleanup_close_ int up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct ident p;
	struct statfs sfs;

	if (!canon || !(path_under(canon, "/var/lib") || path_under(canon, "/run")))
		return false;
	return fstatfs(fd, &sfs) == 0 && sfs.f_type == OVERLAYFS_SUPER_MAGIC && up >= 0 &&
	       ident_of(up, &p) == 0 && p.mnt != id->mnt;
}

/* UNDER by the kernel's path of a bind of a subtree: its location in the
 * filesystem against the trees' locations on the same device. */
static void rel_by_location(struct gather *g, struct ward_hostobj *o, const struct ident *id)
{
	bool sub = false;
	_cleanup_free_ char *loc = fs_location(g, id->mnt, o->canon, &sub);

	if (!loc || !sub)
		return;
	for (size_t i = 0; i < g->n; i++) {
		const struct tree *t = &g->t[i];
		_cleanup_free_ char *tcanon = NULL, *tloc = NULL, *xlated = NULL;
		_cleanup_close_ int fd = -1;
		bool tsub;
		int r;

		if (!t->ok || t->id.dev != id->dev)
			continue;
		fd = open(t->name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		tcanon = fd >= 0 ? fd_path(fd) : NULL;
		tloc = fs_location(g, t->id.mnt, tcanon, &tsub);
		if (!tloc || strcmp(t->name, "/") == 0)
			continue;
		/* loc as the tree's own path would show it: /etc + (loc - its location) */
		if (strcmp(tloc, "/") == 0)
			r = tree_rel_str(xlated = xasprintf("%s%s", t->name, strcmp(loc, "/") ? loc : ""),
					 t->name);
		else if (strcmp(loc, tloc) == 0 || path_under(loc, tloc))
			r = tree_rel_str(xlated = xasprintf("%s%s", t->name, loc + strlen(tloc)), t->name);
		else
			continue;
		if (r == WARD_TREE_IS || r == WARD_TREE_UNDER)
			set_rel(o, r, t->name);
	}
}

/* Fill o->rel and o->tree for the opened object fd (see the top). */
static void judge_trees(struct gather *g, struct ward_hostobj *o, int fd, bool rootfs)
{
	struct ident id;
	_cleanup_close_ int dir = -1;
	_cleanup_free_ struct ident *up = NULL;
	size_t n_up = 0;
	const char *stree;
	int srel;

	if (ident_of(fd, &id) < 0)
		return;
	for (size_t i = 0; i < g->n; i++)
		if (g->t[i].ok && same(&g->t[i].id, id.dev, id.ino))
			set_rel(o, WARD_TREE_IS, g->t[i].name);
	/* UNDER: its ancestors (a file's start at its directory) */
	if (o->type == S_IFDIR) {
		up = ancestors(fd, &n_up);
	} else if (o->canon && o->canon[0] == '/') {
		_cleanup_free_ char *parent = xstrdup(o->canon);

		*strrchr(parent, '/') = '\0';
		dir = open(parent[0] ? parent : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dir >= 0) {
			struct ident d;

			up = ancestors(dir, &n_up);
			if (ident_of(dir, &d) == 0) { /* the directory itself counts */
				up = xrealloc(up, (n_up + 1) * sizeof *up);
				up[n_up++] = d;
			}
		}
	}
	if (!(rootfs && o->type == S_IFDIR && engine_rootfs(fd, &id, o->canon)))
		for (size_t k = 0; k < n_up; k++)
			for (size_t i = 0; i < g->n; i++)
				if (g->t[i].ok && strcmp(g->t[i].name, "/") != 0 &&
				    same(&g->t[i].id, up[k].dev, up[k].ino))
					set_rel(o, WARD_TREE_UNDER, g->t[i].name);
	rel_by_location(g, o, &id);
	/* CONTAINS: a tree's ancestors hold the object */
	for (size_t i = 0; o->type == S_IFDIR && i < g->n; i++)
		for (size_t k = 0; g->t[i].ok && k < g->t[i].n_up; k++)
			if (same(&g->t[i].up[k], id.dev, id.ino))
				set_rel(o, WARD_TREE_CONTAINS, g->t[i].name);
	/* the homes, and trees that could not be opened, by the kernel's path */
	if (!o->canon || o->canon[0] != '/')
		return;
	srel = ward_sensitive_path(o->canon, g->extra, &stree);
	for (size_t i = 0; srel != WARD_TREE_NONE && i < g->n; i++)
		if (strcmp(g->t[i].name, stree) == 0 &&
		    (strcmp(stree, "/home") == 0 || (!g->t[i].ok && g->t[i].err != ENOENT)))
			set_rel(o, srel, stree);
}

/* Open path (O_PATH, following symlinks as open_tree and execve do) and
 * record what it is. Returns the fd, or -1 (o->err set). */
static int identify(struct ward_hostobj *o, const char *path, int flags)
{
	struct statfs sfs;
	struct stat st;
	int fd;

	o->named = true;
	o->value = xstrdup(path);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		o->err = errno;
		if (fd >= 0)
			close(fd);
		return -1;
	}
	o->checked = true;
	o->type = st.st_mode & S_IFMT;
	o->dev = st.st_dev;
	o->ino = st.st_ino;
	o->rdev = st.st_rdev;
	o->nlink = st.st_nlink;
	o->fs_magic = fstatfs(fd, &sfs) == 0 ? (uint64_t)sfs.f_type : 0;
	o->canon = fd_path(fd);
	return fd;
}

static void identify_path(struct gather *g, struct ward_hostobj *o, const char *path, bool rootfs)
{
	_cleanup_close_ int fd = identify(o, path, O_PATH);

	if (fd >= 0)
		judge_trees(g, o, fd, rootfs);
}

/* ---- namespaces ---- */

static bool same_file(const struct ward_hostobj *o, const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_dev == o->dev && st.st_ino == o->ino;
}

/* Whether a range of the map text (as /proc/PID/uid_map shows it to us)
 * covers host id 0; an unreadable map counts as one that does. */
static bool map_has_root(const char *text)
{
	const char *p = text;
	unsigned long long in, out, count;
	int used, lines = 0;

	if (!text)
		return true;
	while (sscanf(p, " %llu %llu %llu%n", &in, &out, &count, &used) == 3) {
		if (out == 0 && count > 0)
			return true;
		p += used;
		lines++;
	}
	return lines == 0;
}

/* A joined user namespace's maps, seen from ours: a child joins it and we read
 * its /proc/PID/uid_map and gid_map. */
static bool userns_maps_root(int nsfd)
{
	int ready[2] = {-1, -1}, hold[2] = {-1, -1};
	bool root = true;
	pid_t pid;
	char c;

	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0)
		goto out;
	pid = fork();
	if (pid == 0) { /* only async-signal-safe calls: we may be a thread of an embedder */
		close(ready[0]);
		close(hold[1]);
		if (setns(nsfd, CLONE_NEWUSER) == 0 && write(ready[1], "1", 1) == 1)
			while (read(hold[0], &c, 1) < 0 && errno == EINTR)
				;
		_exit(0);
	}
	close(ready[1]);
	ready[1] = -1;
	if (pid > 0 && read(ready[0], &c, 1) == 1) {
		_cleanup_free_ char *uid = NULL, *gid = NULL;
		char path[64];

		snprintf(path, sizeof path, "/proc/%d/uid_map", (int)pid);
		read_file_at(AT_FDCWD, path, 65536, &uid, NULL, NULL);
		snprintf(path, sizeof path, "/proc/%d/gid_map", (int)pid);
		read_file_at(AT_FDCWD, path, 65536, &gid, NULL, NULL);
		root = map_has_root(uid) || map_has_root(gid);
	}
	close(hold[1]);
	hold[1] = -1;
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
out:
	for (int i = 0; i < 2; i++) {
		if (ready[i] >= 0)
			close(ready[i]);
		if (hold[i] >= 0)
			close(hold[i]);
	}
	return root;
}

static void identify_ns(struct ward_hostobj *o, enum ward_ns_type t, const char *path)
{
	/* O_PATH: a fifo named by the config must not block us */
	_cleanup_close_ int fd = identify(o, path, O_PATH);
	char own[64], init[64];

	if (fd < 0)
		return;
	snprintf(own, sizeof own, "/proc/self/ns/%s", ward_ns_proc_name(t));
	snprintf(init, sizeof init, "/proc/1/ns/%s", ward_ns_proc_name(t));
	o->host_ns = same_file(o, own) || same_file(o, init);
	if (t == WARD_NS_USER && !o->host_ns) {
		char self[64];
		_cleanup_close_ int nsfd = -1;

		/* setns needs a real open: reopen the object checked, if it is one */
		snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
		if (o->fs_magic == NSFS_MAGIC)
			nsfd = open(self, O_RDONLY | O_CLOEXEC);
		o->maps_host_root = nsfd < 0 || userns_maps_root(nsfd);
	}
}

/* ---- hooks, the listener ---- */

static void identify_hook(struct ward_hostobj *o, const char *path, const struct ward_host_policy *hp)
{
	_cleanup_close_ int fd = identify(o, path, O_PATH);

	for (char **a = hp->hooks; fd >= 0 && o->type == S_IFREG && a && *a; a++)
		if (same_file(o, *a))
			o->allowed = true;
}

static const char *listener_path(const struct ward_spec *s)
{
	yajl_val sc = (yajl_val)s->linux_.seccomp, v = NULL;

	for (size_t i = 0; sc && YAJL_IS_OBJECT(sc) && i < sc->u.object.len; i++)
		if (strcmp(sc->u.object.keys[i], "listenerPath") == 0)
			v = sc->u.object.values[i];
	return v && YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

static void identify_listener(struct ward_hostobj *o, const char *path, const struct ward_host_policy *hp)
{
	_cleanup_close_ int fd = identify(o, path, O_PATH);

	/* ward connects to the path later: only the host's own string is trusted */
	for (char **a = hp->listeners; fd >= 0 && o->type == S_IFSOCK && a && *a; a++)
		if (strcmp(*a, path) == 0)
			o->allowed = true;
}

/* ---- the config's objects ---- */

static bool mount_is_bind(const struct ward_mount *m)
{
	if (m->type && strcmp(m->type, "bind") == 0)
		return true;
	for (char **o = m->options; o && *o; o++)
		if (strcmp(*o, "bind") == 0 || strcmp(*o, "rbind") == 0)
			return true;
	return false;
}

static char *in_bundle(const char *bundle, const char *p)
{
	return p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", bundle, p);
}

int ward_host_facts_gather(const struct ward_spec *s, const char *bundle, const char *const *extra_trees,
			   const struct ward_host_policy *hp, struct ward_host_facts **out,
			   struct ward_error **e)
{
	static const struct ward_host_policy none = {.level = -1};
	struct ward_host_facts *f = xmalloc0(sizeof *f);
	struct gather g = {.extra = extra_trees};
	const char *lp;

	if (!s || !bundle) {
		free(f);
		return ward_err(e, EINVAL, "host objects: invalid arguments");
	}
	lp = listener_path(s);
	f->policy = hp ? hp : &none;
	trees_open(&g);
	if (s->root_path) {
		_cleanup_free_ char *root = in_bundle(bundle, s->root_path);

		identify_path(&g, &f->root, root, true);
	}
	f->n_mounts = s->n_mounts;
	f->mounts = xmalloc0((s->n_mounts ? s->n_mounts : 1) * sizeof *f->mounts);
	for (size_t i = 0; i < s->n_mounts; i++)
		if (mount_is_bind(&s->mounts[i]) && s->mounts[i].source) {
			_cleanup_free_ char *src = in_bundle(bundle, s->mounts[i].source);

			identify_path(&g, &f->mounts[i], src, false);
		}
	for (int t = 0; t < WARD_NS_COUNT; t++)
		if (s->linux_.ns[t].present && s->linux_.ns[t].path)
			identify_ns(&f->ns[t], (enum ward_ns_type)t, s->linux_.ns[t].path);
	f->n_devices = s->linux_.n_devices;
	f->devices = xmalloc0((f->n_devices ? f->n_devices : 1) * sizeof *f->devices);
	for (size_t i = 0; i < f->n_devices; i++)
		if (s->linux_.devices[i].type != 'p') {
			int fd = identify(&f->devices[i], s->linux_.devices[i].path, O_PATH);

			if (fd >= 0)
				close(fd);
		}
	for (int k = 0; k < WARD_HOOK_KINDS; k++) {
		f->n_hooks[k] = s->n_hooks[k];
		f->hooks[k] = xmalloc0((s->n_hooks[k] ? s->n_hooks[k] : 1) * sizeof *f->hooks[k]);
		for (size_t i = 0; i < s->n_hooks[k]; i++)
			if (s->hooks[k][i].path)
				identify_hook(&f->hooks[k][i], s->hooks[k][i].path, f->policy);
	}
	if (lp)
		identify_listener(&f->listener, lp, f->policy);
	trees_free(&g);
	*out = f;
	return 0;
}

static void obj_free(struct ward_hostobj *o)
{
	free(o->value);
	free(o->canon);
	free(o->tree);
}

void ward_host_facts_free(struct ward_host_facts *f)
{
	if (!f)
		return;
	obj_free(&f->root);
	for (size_t i = 0; i < f->n_mounts; i++)
		obj_free(&f->mounts[i]);
	free(f->mounts);
	for (int t = 0; t < WARD_NS_COUNT; t++)
		obj_free(&f->ns[t]);
	for (size_t i = 0; i < f->n_devices; i++)
		obj_free(&f->devices[i]);
	free(f->devices);
	for (int k = 0; k < WARD_HOOK_KINDS; k++) {
		for (size_t i = 0; i < f->n_hooks[k]; i++)
			obj_free(&f->hooks[k][i]);
		free(f->hooks[k]);
	}
	obj_free(&f->listener);
	free(f);
}

static void pin(struct ward_pin *p, const struct ward_hostobj *o)
{
	if (!o->named)
		return;
	p->state = o->checked ? WARD_SRC_PINNED : WARD_SRC_ABSENT;
	p->dev = o->dev;
	p->ino = o->ino;
}

int ward_pin_verify(const struct ward_pin *p, int fd, const char *what, struct ward_error **e)
{
	struct stat st;

	if (p->state == WARD_SRC_UNPINNED)
		return 0;
	if (p->state != WARD_SRC_PINNED || fstat(fd, &st) < 0 || st.st_dev != p->dev || st.st_ino != p->ino)
		return ward_err(e, EPERM, "%s changed since it was checked", what);
	return 0;
}

void ward_host_facts_pin(const struct ward_host_facts *f, struct ward_spec *s)
{
	if (!f)
		return;
	pin(&s->root_pin, &f->root);
	for (int t = 0; t < WARD_NS_COUNT; t++)
		pin(&s->linux_.ns[t].pin, &f->ns[t]);
	/* startContainer hooks are paths in the container, not the host's */
	for (int k = 0; k < WARD_HOOK_KINDS; k++)
		for (size_t i = 0; k != WARD_HOOK_START_CONTAINER && i < s->n_hooks[k] && i < f->n_hooks[k];
		     i++)
			pin(&s->hooks[k][i].pin, &f->hooks[k][i]);
	for (size_t i = 0; f && i < s->n_mounts && i < f->n_mounts; i++) {
		const struct ward_hostobj *o = &f->mounts[i];
		struct ward_mount *m = &s->mounts[i];

		if (!o->named)
			continue;
		m->src_pin = o->checked ? WARD_SRC_PINNED : WARD_SRC_ABSENT;
		m->src_dev = o->dev;
		m->src_ino = o->ino;
	}
}
