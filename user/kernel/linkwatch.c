// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "kernel/linkwatch.h"
#include "lib/testhook.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* Room for a burst: a resync is the price of every overflow. */
#define LINKWATCH_RCVBUF	(8 << 20)
#define LINKWATCH_BUF		(64 << 10)

int linkwatch_open(struct linkwatch *lw)
{
	static const int groups[] = { RTNLGRP_LINK, RTNLGRP_NSID };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, size = testhook_rcvbuf(LINKWATCH_RCVBUF), err;
	size_t i;

	memset(lw, 0, sizeof(*lw));
	lw->fd = -1;
	lw->buf = malloc(LINKWATCH_BUF);
	if (!lw->buf)
		return -ENOMEM;
	lw->len = LINKWATCH_BUF;
	lw->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (lw->fd < 0)
		goto fail;
	if (bind(lw->fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (setsockopt(lw->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i],
			       sizeof(groups[i])))
			goto fail;
	/* EPERM without CAP_NET_BROADCAST: then only this netns would be heard. */
	if (setsockopt(lw->fd, SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, &one, sizeof(one)))
		goto fail;
	/* SO_RCVBUFFORCE passes rmem_max (CAP_NET_ADMIN); SO_RCVBUF is capped by it. */
	if (setsockopt(lw->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(lw->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return 0;
fail:
	err = -errno;
	linkwatch_close(lw);
	return err;
}

void linkwatch_close(struct linkwatch *lw)
{
	if (lw->fd >= 0)
		close(lw->fd);
	free(lw->buf);
	memset(lw, 0, sizeof(*lw));
	lw->fd = -1;
}

/*
 * The nsid of the netns an event came from arrives only as a control
 * message, which libnl's nl_recv() drops: so recvmsg() here, and libnl
 * for the messages themselves.
 */
static int event_netnsid(struct msghdr *msg)
{
	struct cmsghdr *c;
	int nsid;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
		if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_LISTEN_ALL_NSID &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&nsid, CMSG_DATA(c), sizeof(nsid));
			return nsid;
		}
	return LINKWATCH_HERE;
}

static void parse(struct nlmsghdr *nlh, int len, int netnsid,
		  void (*fn)(const struct link_event *ev, void *arg), void *arg)
{
	struct nlattr *tb[NETNSA_MAX + 1];
	struct link_event ev;

	for (; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
		memset(&ev, 0, sizeof(ev));
		ev.type = nlh->nlmsg_type;
		ev.netnsid = netnsid;
		switch (nlh->nlmsg_type) {
		case RTM_NEWLINK:
		case RTM_DELLINK:
			if (nlmsg_datalen(nlh) < (int)sizeof(struct ifinfomsg))
				continue;
			ev.ifindex = ((struct ifinfomsg *)nlmsg_data(nlh))->ifi_index;
			break;
		case RTM_NEWNSID:
		case RTM_DELNSID:
			if (nlmsg_parse(nlh, sizeof(struct rtgenmsg), tb, NETNSA_MAX, NULL) ||
			    !tb[NETNSA_NSID])
				continue;
			ev.nsid = nla_get_s32(tb[NETNSA_NSID]);
			break;
		default:
			continue;
		}
		fn(&ev, arg);
	}
}

int linkwatch_read(struct linkwatch *lw, void (*fn)(const struct link_event *ev, void *arg),
		   void *arg)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = lw->buf, .iov_len = lw->len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	bool lost = false;
	ssize_t n;

	for (;;) {
		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		n = recvmsg(lw->fd, &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			lost = true;
			continue;
		}
		if (n < 0)
			return errno == EAGAIN ? (lost ? -ENOBUFS : 0) : -errno;
		/* A message larger than the buffer is cut: assume it said anything. */
		if (msg.msg_flags & MSG_TRUNC)
			lost = true;
		parse((struct nlmsghdr *)lw->buf, n, event_netnsid(&msg), fn, arg);
	}
}
