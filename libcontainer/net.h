/* SPDX-License-Identifier: Apache-2.0 */
/* Network setup by rtnetlink (libmnl), no external tools. */
#ifndef WARD_NET_H
#define WARD_NET_H

#include "error.h"

/* Bring the loopback interface up in the calling process's network namespace. */
int ward_net_lo_up(struct ward_error **e);

#endif
