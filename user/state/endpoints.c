// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The routed tables (state/endpoints.h). */
#include <errno.h>
#include <stdbool.h>
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
	if (bpf_map_update_elem(t->eps_fd, &k, ep, BPF_ANY))
		return -errno;
	/* Its slot came free since it spilled: no second copy stays behind. */
	if (bpf_map_delete_elem(t->eps_overflow_fd, &ep->ifindex) && errno != ENOENT)
		return -errno;
	return 0;
}

int rt_endpoint_update(const struct rt_tables *t, const struct rt_endpoint *ep)
{
	return ep_put(t, ep);
}

int rt_endpoint_put(const struct rt_tables *t, const struct rt_endpoint *ep, __u32 dev)
{
	struct rt_ep_stats *zero = calloc(t->ncpus, sizeof(*zero));
	__u32 idx = ep->stats_idx;
	int err;

	if (!zero)
		return -ENOMEM;
	err = err_of(bpf_map_update_elem(t->stats_fd, &idx, zero, BPF_ANY));
	free(zero);
	if (!err)
		err = ep_put(t, ep);
	if (!err)
		err = err_of(bpf_map_update_elem(t->devs_fd, &ep->ifindex, &dev, BPF_ANY));
	return err;
}

/* The addresses of ep in the order they are checked: IPv4, then IPv6. */
static int addrs_of(const struct rt_endpoint *ep, struct rt_addr a[2])
{
	int n = 0;

	if (ep->flags & RT_EP_IPV4)
		rt_addr_v4(&a[n++], ep->ipv4);
	if (ep->flags & RT_EP_IPV6)
		memcpy(a[n++].w, ep->ipv6, sizeof(a[0].w));
	return n;
}

int rt_addrs_publish(const struct rt_tables *t, const struct rt_endpoint *ep)
{
	struct rt_addr a[2];
	int i, n, err = 0;

	n = addrs_of(ep, a);
	for (i = 0; !err && i < n; i++)
		err = addr_put(t, &a[i], ep->ifindex);
	return err;
}

int rt_endpoint_add(const struct rt_tables *t, const struct rt_endpoint *ep, __u32 dev)
{
	int err = rt_endpoint_put(t, ep, dev);

	return err ? err : rt_addrs_publish(t, ep);
}

__u32 rt_addr_owner(const struct rt_tables *t, const struct rt_addr *a)
{
	__u32 k = rt_addr_slot(a), ifindex = 0;
	struct rt_addr_slot s;

	if (bpf_map_lookup_elem(t->addrs_fd, &k, &s))
		return 0;
	if (s.ifindex && !memcmp(&s.addr, a, sizeof(*a)))
		return s.ifindex;
	if (!(s.flags & RT_SLOT_SPILL) || bpf_map_lookup_elem(t->addrs_overflow_fd, a, &ifindex))
		return 0;
	return ifindex;
}

/*
 * An address leaves its slot with the spill mark kept: others of the
 * slot may still be in the hash. A slot is one 24-byte value, which a
 * frame may see half written: a stale half can only fail the compare,
 * and the frame is then handed to the host stack.
 */
static int addr_del(const struct rt_tables *t, const struct rt_addr *a, __u32 ifindex)
{
	__u32 k = rt_addr_slot(a), owner;
	struct rt_addr_slot s;

	if (bpf_map_lookup_elem(t->addrs_fd, &k, &s))
		return -errno;
	if (s.ifindex == ifindex && !memcmp(&s.addr, a, sizeof(*a))) {
		memset(&s.addr, 0, sizeof(s.addr));
		s.ifindex = 0;
		return err_of(bpf_map_update_elem(t->addrs_fd, &k, &s, BPF_ANY));
	}
	if (bpf_map_lookup_elem(t->addrs_overflow_fd, a, &owner) || owner != ifindex)
		return 0;
	if (bpf_map_delete_elem(t->addrs_overflow_fd, a) && errno != ENOENT)
		return -errno;
	return 0;
}

int rt_addrs_withdraw(const struct rt_tables *t, const struct rt_endpoint *ep)
{
	struct rt_addr a[2];
	int i, n, err, ret = 0;

	n = addrs_of(ep, a);
	for (i = 0; i < n; i++) {
		err = addr_del(t, &a[i], ep->ifindex);
		if (err && !ret)
			ret = err;
	}
	return ret;
}

int rt_endpoint_lookup(const struct rt_tables *t, __u32 ifindex, struct rt_endpoint *ep)
{
	__u32 k = ifindex % RT_EP_SLOTS;

	if (!bpf_map_lookup_elem(t->eps_fd, &k, ep) && ep->ifindex == ifindex)
		return 0;
	return bpf_map_lookup_elem(t->eps_overflow_fd, &ifindex, ep) ? -ENOENT : 0;
}

int rt_endpoint_remove(const struct rt_tables *t, const struct rt_endpoint *ep)
{
	__u32 k = ep->ifindex % RT_EP_SLOTS;
	struct rt_endpoint cur;
	bool ours = false;
	int err = 0;

	/* The slot and the hash each, where the entry is still this endpoint's. */
	if (!bpf_map_lookup_elem(t->eps_fd, &k, &cur) && cur.ifindex == ep->ifindex &&
	    cur.endpoint_id == ep->endpoint_id) {
		ours = true;
		memset(&cur, 0, sizeof(cur));
		if (bpf_map_update_elem(t->eps_fd, &k, &cur, BPF_ANY))
			err = -errno;
	}
	if (!bpf_map_lookup_elem(t->eps_overflow_fd, &ep->ifindex, &cur) &&
	    cur.endpoint_id == ep->endpoint_id) {
		ours = true;
		if (bpf_map_delete_elem(t->eps_overflow_fd, &ep->ifindex) && !err)
			err = -errno;
	}
	if (ours && bpf_map_delete_elem(t->devs_fd, &ep->ifindex) && errno != ENOENT && !err)
		err = -errno;
	return err;
}
