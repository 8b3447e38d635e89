/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The routed tables as user space writes them (see routed.h): endpoints
 * in a direct-mapped array with a hash for those whose slot is taken,
 * addresses the same way with the slot marked when one spills, the
 * counters per CPU, the host-side veth as a device entry.
 */
#ifndef __PAIRPATH_STATE_ENDPOINTS_H
#define __PAIRPATH_STATE_ENDPOINTS_H

#include <linux/types.h>
#include "routed.h"

struct rt_tables {
	int eps_fd;		/* "rt_endpoints" */
	int eps_overflow_fd;	/* "rt_endpoints_overflow" */
	int addrs_fd;		/* "rt_addrs" */
	int addrs_overflow_fd;	/* "rt_addrs_overflow" */
	int stats_fd;		/* "rt_stats" */
	int devs_fd;		/* "rt_devs" */
	int ncpus;
};

struct routed;

/* The tables of a loaded routed object (its skeleton). */
void rt_tables_of(struct rt_tables *t, const struct routed *obj);
/* ::ffff:a.b.c.d for the IPv4 address addr (network order). */
void rt_addr_v4(struct rt_addr *a, __u32 addr);
/*
 * Write the endpoint ep with zeroed counters, its host-side veth being
 * the device dev of the current netns; its addresses are not yet
 * published (routed.h: the endpoint first, then its addresses).
 */
int rt_endpoint_put(const struct rt_tables *t, const struct rt_endpoint *ep, __u32 dev);
/* Rewrite the entry of an endpoint that is there, its counters kept. */
int rt_endpoint_update(const struct rt_tables *t, const struct rt_endpoint *ep);
/* Make ep's addresses find it: from now on other endpoints deliver to it. */
int rt_addrs_publish(const struct rt_tables *t, const struct rt_endpoint *ep);
/* Both of the above; negative errno on failure, with nothing rolled back. */
int rt_endpoint_add(const struct rt_tables *t, const struct rt_endpoint *ep, __u32 dev);
/* The ifindex of the endpoint that owns address a, or 0. */
__u32 rt_addr_owner(const struct rt_tables *t, const struct rt_addr *a);
/* Remove ep's addresses, those it still owns: nothing is delivered to it after. */
int rt_addrs_withdraw(const struct rt_tables *t, const struct rt_endpoint *ep);
/* The endpoint of the host-side veth ifindex: 0, or -ENOENT. */
int rt_endpoint_lookup(const struct rt_tables *t, __u32 ifindex, struct rt_endpoint *ep);
/* Remove the endpoint entry and its device entry, if they are still ep's. */
int rt_endpoint_remove(const struct rt_tables *t, const struct rt_endpoint *ep);

#endif /* __PAIRPATH_STATE_ENDPOINTS_H */
