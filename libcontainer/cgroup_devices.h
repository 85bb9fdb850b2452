/* SPDX-License-Identifier: Apache-2.0 */
/* The device cgroup of cgroup v2: linux.resources.devices compiled into a
 * BPF_PROG_TYPE_CGROUP_DEVICE program attached to the container's cgroup.
 * Default deny; then the config's rules (the last matching rule wins, as the
 * runtime-spec says); then what the container needs whatever the rules say:
 * ward's default devices (null, zero, full, random, urandom, tty, ptmx and the
 * devpts ptys). Nothing else: linux.devices makes nodes, it grants no access
 * (Docker's --device X:X:r sends the node and an "r" rule).
 * Two programs: the init is born under the setup program, which also lets it
 * mknod the nodes of linux.devices (nothing more) while it makes /dev; the
 * container's program (the rules alone) is attached next to it once /dev is
 * made, before anything of the config runs. Every program of a cgroup must
 * allow an access, so from then on only the rules count. Works on a hybrid
 * host's unified hierarchy too. */
#ifndef WARD_CGROUP_DEVICES_H
#define WARD_CGROUP_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "spec.h"

/* One rule of the program. */
struct ward_dev_rule {
	bool allow;
	int type;	      /* BPF_DEVCG_DEV_CHAR, _BLOCK, or 0 for all */
	int64_t major, minor; /* -1: any */
	unsigned access;      /* BPF_DEVCG_ACC_* */
};

/* The rules a program is compiled from, in order (the last match wins):
 * linux.resources.devices, then ward's default devices, then for the setup
 * program "m" of each node of linux.devices. *rules is freed by the caller. */
int ward_cgroup_device_rules(const struct ward_spec *s, bool setup, struct ward_dev_rule **rules, size_t *n,
			     struct ward_error **e);

/* Compile and attach the setup program to the cgroup directory cgroup_fd
 * (before the init is born into it). */
int ward_cgroup_devices_setup(int cgroup_fd, const struct ward_spec *s, struct ward_error **e);
/* Compile and attach the container's program (once /dev is made). */
int ward_cgroup_devices(int cgroup_fd, const struct ward_spec *s, struct ward_error **e);

#endif
