// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The routed tables (state/endpoints.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "state/endpoints.h"
#include "routed.skel.h"

void rt_tables_of(struct rt_tables *t, const struct routed *obj)
{
	*t = (struct rt_tables){
		.eps_fd = bpf_map__fd(obj->maps.rt_endpoints),
		.eps_overflow_fd = bpf_map__fd(obj->maps.rt_endpoints_overflow),
		.addrs_fd = bpf_map__fd(obj->maps.rt_addrs),
		.addrs_overflow_fd = bpf_map__fd(obj->maps.rt_addrs_overflow),
		.stats_fd = bpf_map__fd(obj->maps.rt_stats),
		.devs_fd = bpf_map__fd(obj->maps.rt_devs),
		.ncpus = libbpf_num_possible_cpus(),
	};
}

void rt_addr_v4(struct rt_addr *a, __u32 addr)
{
	memset(a, 0, sizeof(*a));
	a->w[2] = htonl(0xffff);
	a->w[3] = addr;
}

static int err_of(int ret)
{
	return ret ? -errno : 0;
}

/* Into its slot, or into the hash with the slot marked RT_SLOT_SPILL. */
static int addr_put(const struct rt_tables *t, const struct rt_addr *a, __u32 ifindex)
{
	__u32 k = rt_addr_slot(a);
	struct rt_addr_slot s;

	if (bpf_map_lookup_elem(t->addrs_fd, &k, &s))
		return -errno;
	/* The same address again (re-added, or moved): its slot is rewritten. */
	if (s.ifindex && memcmp(&s.addr, a, sizeof(*a))) {
		if (bpf_map_update_elem(t->addrs_overflow_fd, a, &ifindex, BPF_ANY))
			return -errno;
		s.flags |= RT_SLOT_SPILL;
		return err_of(bpf_map_update_elem(t->addrs_fd, &k, &s, BPF_ANY));
	}
	s.addr = *a;
	s.ifindex = ifindex;
	return err_of(bpf_map_update_elem(t->addrs_fd, &k, &s, BPF_ANY));
}

static int ep_put(const struct rt_tables *t, const struct rt_endpoint *ep)
{
	__u32 k = ep->ifindex % RT_EP_SLOTS;
	struct rt_endpoint cur;

	if (bpf_map_lookup_elem(t->eps_fd, &k, &cur))
		return -errno;
	if (cur.ifindex && cur.ifindex != ep->ifindex)
		return err_of(bpf_map_update_elem(t->eps_overflow_fd, &ep->ifindex, ep,
						  BPF_ANY));
	return err_of(bpf_map_update_elem(t->eps_fd, &k, ep, BPF_ANY));
}

int rt_endpoint_add(const struct rt_tables *t, const struct rt_endpoint *ep, __u32 dev)
{
	struct rt_ep_stats *zero = calloc(t->ncpus, sizeof(*zero));
	__u32 idx = ep->stats_idx;
	struct rt_addr a;
	int err;

	if (!zero)
		return -ENOMEM;
	err = err_of(bpf_map_update_elem(t->stats_fd, &idx, zero, BPF_ANY));
	free(zero);
	if (!err)
		err = ep_put(t, ep);
	if (!err)
		err = err_of(bpf_map_update_elem(t->devs_fd, &ep->ifindex, &dev, BPF_ANY));
	if (!err && (ep->flags & RT_EP_IPV4)) {
		rt_addr_v4(&a, ep->ipv4);
		err = addr_put(t, &a, ep->ifindex);
	}
	if (!err && (ep->flags & RT_EP_IPV6)) {
		memcpy(a.w, ep->ipv6, sizeof(a.w));
		err = addr_put(t, &a, ep->ifindex);
	}
	return err;
}
