/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Link and nsid events of the current netns and of every netns that has
 * an nsid in it (NETLINK_LISTEN_ALL_NSID, which needs CAP_NET_BROADCAST):
 * a veth peer's netns always has one, as the kernel gives it one to
 * report IFLA_LINK_NETNSID.
 */
#ifndef __PAIRPATH_KERNEL_LINKWATCH_H
#define __PAIRPATH_KERNEL_LINKWATCH_H

#include <linux/types.h>
#include "pairpath.h"

#define LINKWATCH_HERE	(-1)	/* the event is of the listener's own netns */

struct link_event {
	int type;		/* RTM_NEWLINK, RTM_DELLINK, RTM_NEWNSID, RTM_DELNSID */
	int netnsid;		/* whose event: LINKWATCH_HERE, or the netns's nsid here */
	int ifindex;		/* link events: the device, in that netns */
	int nsid;		/* nsid events: the nsid given or taken */
};

struct linkwatch {
	int fd;
	char *buf;
	size_t len;
};

int linkwatch_open(struct linkwatch *lw);
void linkwatch_close(struct linkwatch *lw);
/*
 * Read every event pending (without waiting) and call fn for each.
 * Returns 0 when all were read, -ENOBUFS when the kernel dropped some
 * (the caller must assume anything changed), or another negative errno.
 */
int linkwatch_read(struct linkwatch *lw, void (*fn)(const struct link_event *ev, void *arg),
		   void *arg);

#endif /* __PAIRPATH_KERNEL_LINKWATCH_H */
