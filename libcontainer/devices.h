/* SPDX-License-Identifier: Apache-2.0 */
/* The container's /dev: the default devices and linux.devices (mknod, or a bind
 * of the host's node when mknod is not allowed, as in a user namespace), the
 * standard symlinks, and devpts and /dev/shm when the config has none. */
#ifndef WARD_DEVICES_H
#define WARD_DEVICES_H

#include <stdbool.h>

#include "error.h"
#include "mounts.h"
#include "spec.h"

int ward_dev_setup(const struct ward_spec *s, struct ward_rootfs *r, bool mount_pts, bool mount_shm,
		   struct ward_error **e);

#endif
