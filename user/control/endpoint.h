/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Routed mode's endpoints and uplinks, each added and removed whole.
 *
 * endpoint add writes the record first (ADDING), then the endpoint's
 * table entry, its hook, the host's routes and neighbours, and its
 * addresses last, from which moment others deliver to it; then the
 * record is LIVE. del marks it DELETING and takes the parts away in
 * reverse. Every part is found from the record alone, so a pairpath
 * killed at any step leaves a record the next one rolls back. The
 * steps are kill points 31 to 36 (add) and 41 to 45 (del).
 */
#ifndef __PAIRPATH_CONTROL_ENDPOINT_H
#define __PAIRPATH_CONTROL_ENDPOINT_H

#include <stdbool.h>
#include "kernel/hostroute.h"
#include "kernel/veth.h"
#include "state/rt_store.h"
#include "state/store.h"

struct endpoint_spec {
	bool has_ipv4, has_ipv6, has_mac, fib;
	__u32 ipv4;		/* network order */
	__u32 ipv6[4];
	__u8 mac[6];
};

/* Each returns 0 or a negative errno after saying why; a failure leaves nothing. */
int endpoint_add(struct store *st, struct rt_store *rt, const char *name,
		 const struct veth_info *dev, const struct endpoint_spec *spec);
int endpoint_del(struct store *st, struct rt_store *rt, const char *name);
int endpoint_del_all(struct store *st, struct rt_store *rt);
/* Roll back endpoints an interrupted pairpath left half added or half removed. */
int endpoint_recover(struct store *st, struct rt_store *rt);
/* Remove the endpoints whose devices are gone or not the recorded ones. */
int endpoint_gc(struct store *st, struct rt_store *rt);
/* The name of the endpoint on the host-side veth ifindex, if there is one: 1, else 0. */
int endpoint_of_device(const struct rt_store *rt, __u32 ifindex, char *name, size_t len);

/*
 * Follow an endpoint's container end with a new MAC or MTU (now), or
 * break one whose device is gone: its addresses withdrawn, so that no
 * frame is delivered to it, the record kept for gc or del.
 */
int endpoint_follow(struct store *st, struct rt_store *rt, const char *name,
		    const struct veth_info *now);
int endpoint_break(struct store *st, struct rt_store *rt, const char *name, const char *why);
/* The name of an endpoint's link pin: eplink-NAME. */
void endpoint_link_name(const char *name, char *buf, size_t len);
/* The endpoint's addresses, those of the RT_REC_ROUTE* bits in routes. */
int endpoint_host_addrs(const struct rt_endpoint *ep, struct host_addr *a, __u32 routes);

int uplink_add(struct store *st, struct rt_store *rt, const char *ifname);
int uplink_del(struct store *st, struct rt_store *rt, const char *ifname);
int uplink_del_all(struct store *st, struct rt_store *rt);
/* Roll back uplinks left half added or removed; remove those whose device went. */
int uplink_recover(struct store *st, struct rt_store *rt);
int uplink_gc(struct store *st, struct rt_store *rt);

#endif /* __PAIRPATH_CONTROL_ENDPOINT_H */
