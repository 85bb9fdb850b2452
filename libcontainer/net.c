/* SPDX-License-Identifier: Apache-2.0 */
/* Network setup by rtnetlink (libmnl): a new network namespace starts with lo
 * down, and bringing it up is one RTM_NEWLINK request, no `ip` binary needed. */
#include "config.h"
#include "net.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <time.h>

#include "util.h"

/* Read replies until the kernel's ack for seq: 0, or -1 with errno set (to
 * the error the kernel reported for the request, e.g. EPERM). */
static int wait_ack(struct mnl_socket *nl, unsigned seq, char *buf, size_t size)
{
	unsigned portid = mnl_socket_get_portid(nl);
	int r = MNL_CB_OK;

	do {
		ssize_t n = mnl_socket_recvfrom(nl, buf, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		r = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
	} while (r > 0); /* MNL_CB_OK: not the ack yet */
	return r < 0 ? -1 : 0;
}

int ward_net_lo_up(struct ward_error **e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	unsigned seq = (unsigned)time(NULL);
	/* The index of lo is 1 in every namespace today; looking it up (in the
	 * calling thread's namespace, by ioctl) does not depend on that. */
	unsigned idx = if_nametoindex("lo");
	int r = -1;

	if (idx == 0)
		return ward_err_sys(e, "bring up lo: find interface");
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof *ifm);
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)idx;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP; /* touch no other flag */

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return ward_err_sys(e, "bring up lo: open rtnetlink socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ward_err_sys(e, "bring up lo: bind rtnetlink socket");
		goto out;
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ward_err_sys(e, "bring up lo: send request");
		goto out;
	}
	if (wait_ack(nl, seq, buf, sizeof buf) < 0) {
		ward_err_sys(e, "bring up lo");
		goto out;
	}
	r = 0;
out:
	mnl_socket_close(nl);
	return r;
}
