/* SPDX-License-Identifier: Apache-2.0 */
/* linux.sysctl: a name to its path under /proc/sys, the namespace it belongs
 * to, and the writes, done in the container's init through a procfs of its own.
 *
 * A name is components separated by '.'; a '/' in a name stands for a '.'
 * inside a component (runc's convention: "net.ipv4.conf.eth0/1.forwarding" is
 * net/ipv4/conf/eth0.1/forwarding). Names are judged after that translation:
 * "net.//.kernel.core_pattern" is net/../kernel/core_pattern, and refused. */
#ifndef WARD_SYSCTL_H
#define WARD_SYSCTL_H

#include "error.h"
#include "spec.h"

/* The longest name accepted, in bytes (the longest the kernel has is ~60). */
#define WARD_SYSCTL_NAME_MAX 255

/* The relative path under /proc/sys of a sysctl name ("net.ipv4.ip_forward" ->
 * "net/ipv4/ip_forward"), malloc'd; NULL (EINVAL, naming linux.sysctl.<name>)
 * for an empty or over-long name, a control character (C0, DEL, UTF-8 C1: a
 * valid name prints as it is), or an empty, "." or ".." component. */
char *ward_sysctl_path(const char *name, struct ward_error **e);
/* Why ward_sysctl_path refuses name (a static phrase), or NULL when it does not. */
const char *ward_sysctl_name_error(const char *name);
/* The namespace (enum ward_ns_type) a path of ward_sysctl_path belongs to:
 * WARD_NS_NET for net/..., WARD_NS_IPC for fs/mqueue/... and kernel/{msgmax,
 * msgmnb, msgmni, sem, shmall, shmmax, shmmni, shm_rmid_forced}, WARD_NS_UTS
 * for kernel/hostname and kernel/domainname; -1 for anything else (the host's),
 * including a path with an empty, "." or ".." component. */
int ward_sysctl_namespace(const char *path);
/* At create, with the linux.namespaces[].path fds open (nsfd[type], -1 when
 * not joined): refuse a sysctl whose namespace is joined and is the runtime's
 * own (compared by the nsfs inode of the opened fds, never by path). */
int ward_sysctl_check_joined(const struct ward_spec *s, const int nsfd[WARD_NS_COUNT], struct ward_error **e);
/* In the container's init, in its namespaces, before pivot_root: write every
 * linux.sysctl beneath /proc/sys of a new procfs instance (the host's /proc,
 * checked with fstatfs, where a new one cannot be made), with openat2
 * RESOLVE_BENEATH | NO_SYMLINKS | NO_MAGICLINKS | NO_XDEV. */
int ward_sysctl_apply(const struct ward_spec *s, struct ward_error **e);

#endif
