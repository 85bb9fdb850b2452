/* SPDX-License-Identifier: Apache-2.0 */
/* The container's /dev: the default devices and linux.devices (mknod, or a bind
 * of the host's node when mknod is not allowed, as in a user namespace: the
 * host's node must be the device the entry names, the bind is ro,nosuid,noexec),
 * the standard symlinks, and devpts and /dev/shm when the config has none. */
#ifndef WARD_DEVICES_H
#define WARD_DEVICES_H

#include <stdbool.h>
#include <sys/stat.h>

#include "error.h"
#include "mounts.h"
#include "spec.h"

int ward_dev_setup(const struct ward_spec *s, struct ward_rootfs *r, bool mount_pts, bool mount_shm,
		   struct ward_error **e);
/* st (of the opened host object) is the device d names: its type ('c' and 'u':
 * character, 'b': block) and its major and minor. Else -1 and an error such as
 * "host /tmp/x is a regular file, not the character device 1:3". */
int ward_dev_check_host_node(const struct stat *st, const struct ward_device *d, struct ward_error **e);

#endif
