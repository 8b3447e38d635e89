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
 * Add the endpoint ep with zeroed counters, its host-side veth being the
 * device dev of the current netns, and then its addresses (the order
 * routed.h asks for); negative errno on failure. Nothing rolls back yet:
 * a later caller (endpoint add) owns that.
 */
int rt_endpoint_add(const struct rt_tables *t, const struct rt_endpoint *ep, __u32 dev);

#endif /* __PAIRPATH_STATE_ENDPOINTS_H */
