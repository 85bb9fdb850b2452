/* SPDX-License-Identifier: Apache-2.0 */
/* Namespaces: which to create (clone3 flags), which to join (setns on fds opened
 * and type-checked before the clone), user namespace id maps and time offsets. */
#ifndef WARD_NAMESPACES_H
#define WARD_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

struct ward_nsfds {
	int fd[WARD_NS_COUNT]; /* namespaces to join; -1 = not joined */
};

/* CLONE_NEW* flags of the namespaces the config asks to create. */
unsigned long ward_ns_new_flags(const struct ward_spec *s);
/* Open every linux.namespaces[].path, checking each is a namespace of the listed
 * type (NS_GET_NSTYPE), and refuse combinations ward cannot set up. */
int ward_ns_open_joins(const struct ward_spec *s, struct ward_nsfds *n, struct ward_error **e);
void ward_ns_close(struct ward_nsfds *n);
/* setns into the joined namespaces whose bit is in mask (1 << enum ward_ns_type),
 * the user namespace first. */
int ward_ns_join(const struct ward_nsfds *n, unsigned mask, struct ward_error **e);
/* Write uid_map and gid_map of pid (a child in a new user namespace). */
int ward_ns_write_idmaps(pid_t pid, const struct ward_spec *s, struct ward_error **e);
/* In a child that will execve into a new time namespace: unshare it and write
 * the offsets (the new namespace is entered at execve). */
int ward_ns_new_time(const struct ward_spec *s, struct ward_error **e);

#endif
