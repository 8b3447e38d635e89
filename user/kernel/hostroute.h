/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the host needs to reach an endpoint through the stack: a route to
 * its /32 or /128 through its host-side veth, with its MTU, and a
 * permanent neighbour entry with its MAC, so that the host never asks
 * the container and no timer of the neighbour cache is in the way.
 * Routes are made with protocol RT_ROUTE_PROTO, and only a route with it
 * is ever removed: one someone else made is never ours.
 */
#ifndef __PAIRPATH_KERNEL_HOSTROUTE_H
#define __PAIRPATH_KERNEL_HOSTROUTE_H

#include <stdbool.h>
#include <linux/types.h>

/* rtm_protocol of pairpath's routes (rt_protos: 'pairpath'; unused by iproute2's list). */
#define RT_ROUTE_PROTO	112

/* One address of an endpoint: family AF_INET (4 bytes) or AF_INET6 (16). */
struct host_addr {
	int family;
	__u8 bytes[16];
};

/*
 * Add the route and the neighbour; -EEXIST if a route to the address
 * exists already (whoever made it: it is not replaced), other negative
 * errnos after saying why. On failure nothing of it is left.
 */
int hostroute_add(int ifindex, const struct host_addr *a, __u32 mtu, const __u8 mac[6]);
/* The same route and neighbour with a new MTU or MAC, replacing ours. */
int hostroute_update(int ifindex, const struct host_addr *a, __u32 mtu, const __u8 mac[6]);
/*
 * Remove what hostroute_add() made: the route only if it is ours
 * (protocol, /32 or /128, device), and the neighbour entry of the
 * address on the device, whoever wrote it: the device is the
 * endpoint's. Either gone already is not an error.
 */
int hostroute_del(int ifindex, const struct host_addr *a, const __u8 mac[6]);
/* "10.0.0.1", "fd00::1". */
void host_addr_str(const struct host_addr *a, char *buf, size_t len);

#endif /* __PAIRPATH_KERNEL_HOSTROUTE_H */
