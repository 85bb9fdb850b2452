/* SPDX-License-Identifier: Apache-2.0 */
/* The device cgroup of cgroup v2: linux.resources.devices compiled into a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the container's cgroup.
 * Default deny; then the config's rules (the last matching rule wins, as the
 * runtime-spec says); then what the container needs whatever the rules say:
 * ward's default devices (null, zero, full, random, urandom, tty, ptmx and the
 * devpts ptys) and every node of linux.devices. Works on a hybrid host's
 * unified hierarchy too. */
#ifndef WARD_CGROUP_DEVICES_H
#define WARD_CGROUP_DEVICES_H

#include "error.h"
#include "spec.h"

/* Compile and attach the program to the cgroup directory cgroup_fd. */
int ward_cgroup_devices(int cgroup_fd, const struct ward_spec *s, struct ward_error **e);

#endif
