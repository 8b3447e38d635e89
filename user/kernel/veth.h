/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __PAIRPATH_KERNEL_VETH_H
#define __PAIRPATH_KERNEL_VETH_H

#include <stdbool.h>
#include <linux/types.h>
#include "pairpath.h"

/* A host-side veth and what redirect_peer needs of the container end. */
struct veth_info {
	int ifindex;
	char ifname[PP_IFNAME_LEN];
	__u8 mac[6];		/* the host-side veth's own */
	int peer_ifindex;
	int peer_netnsid;	/* IFLA_LINK_NETNSID: reused lowest-first */
	__u64 peer_netns_cookie;	/* the peer's netns itself; 0 if not found */
	char peer_ifname[PP_IFNAME_LEN];
	__u8 peer_mac[6];
	__u32 peer_mtu;
};

/*
 * Look a host-side veth up by name in the current netns and read its
 * peer's MAC and MTU through netlink from the peer's own netns. Prints
 * why a device cannot be used; returns 0 or a negative errno.
 */
int veth_lookup(const char *name, struct veth_info *info);
/* The same by ifindex, saying nothing: for checks of a device that may have gone. */
int veth_lookup_index(int ifindex, struct veth_info *info);

/* Does ifindex still name a device called ifname in this netns? */
bool veth_present(int ifindex, const char *ifname);

#endif /* __PAIRPATH_KERNEL_VETH_H */
