/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The veth pair of a CNI attachment, made through rtnetlink: the host
 * side in the current netns, the container side created straight in the
 * container's netns under its final name, and the container side's
 * addresses and routes (Calico style: /32 and /128 behind 169.254.1.1
 * and fe80::1). The process never leaves its own netns: the container's
 * is reached through a netlink socket opened by a helper thread that
 * entered it (a socket stays in the netns it was created in).
 */
#ifndef __PAIRPATH_KERNEL_VETHPAIR_H
#define __PAIRPATH_KERNEL_VETHPAIR_H

#include <stdbool.h>
#include <linux/types.h>

struct vethpair_addrs {
	bool has_ipv4, has_ipv6;
	__u8 ipv4[4];
	__u8 ipv6[16];
};

struct vethpair_side {
	int ifindex;
	__u8 mac[6];
	__u32 mtu;
};

/* Create host <-> ifname (in nsfd), mtu 0 the kernel's; -EEXIST if host exists. */
int vethpair_create(const char *host, int nsfd, const char *ifname, __u32 mtu,
		    struct vethpair_side *host_side);
/* Delete the host side (the peer goes with it); gone already is 0. */
int vethpair_delete(const char *host);
/* Up, addresses, gateway routes of ifname in nsfd; its index and MAC. */
int vethpair_configure(int nsfd, const char *ifname, const struct vethpair_addrs *a,
		       struct vethpair_side *ctr);
/*
 * Is ifname in nsfd up with exactly the addresses a (global scope) and
 * the gateway routes? 0, or a negative errno with why in buf.
 */
int vethpair_check(int nsfd, const char *ifname, const struct vethpair_addrs *a,
		   char *why, size_t len);

#endif /* __PAIRPATH_KERNEL_VETHPAIR_H */
