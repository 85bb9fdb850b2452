/* SPDX-License-Identifier: Apache-2.0 */
/* Capabilities through libcap: the bounding set is dropped before the uid
 * change, the effective, permitted and inheritable sets are set after it, and
 * ambient capabilities are raised last. Inheritable and ambient stay empty unless
 * the config lists them. */
#ifndef WARD_CAPS_H
#define WARD_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "spec.h"

/* "CAP_SYS_ADMIN" (case-insensitive, "CAP_" prefix required) -> 21; -1 if unknown. */
int ward_cap_from_name(const char *name);
/* 21 -> "CAP_SYS_ADMIN" (static); NULL if unknown. */
const char *ward_cap_name(int cap);
/* The highest capability this kernel knows. */
int ward_cap_last(void);
/* Drop from the bounding set every capability not in c->set[BOUNDING]. */
int ward_caps_drop_bounding(const struct ward_caps *c, struct ward_error **e);
/* Set effective, permitted and inheritable; then raise the ambient ones. */
int ward_caps_apply(const struct ward_caps *c, struct ward_error **e);

#endif
