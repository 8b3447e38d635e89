// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "state/ports.h"

union pp_peer ports_peer_of(const struct pp_dev *dev)
{
	union pp_peer peer = { .mtu = dev->peer_mtu };

	memcpy(peer.mac, dev->peer_mac, sizeof(peer.mac));
	return peer;
}

/* The mapped array: the slots, rounded up to whole pages. */
static size_t slots_bytes(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = PP_PORT_SLOTS * sizeof(struct pp_port);

	return (len + page - 1) / page * page;
}

int ports_map(struct ports *pt)
{
	void *p;

	p = mmap(NULL, slots_bytes(), PROT_READ | PROT_WRITE, MAP_SHARED, pt->slots_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	pt->slots = p;
	return 0;
}

void ports_unmap(struct ports *pt)
{
	if (pt->slots)
		munmap(pt->slots, slots_bytes());
	pt->slots = NULL;
}

/*
 * Where the port of ifindex is: *slot and 1 if it owns its slot, 0 if
 * it is in the overflow hash, -ENOENT if it is nowhere.
 */
static int find(const struct ports *pt, __u32 ifindex, __u32 *slot, struct pp_port *config)
{
	*slot = ifindex % PP_PORT_SLOTS;
	if (!bpf_map_lookup_elem(pt->slots_fd, slot, config) && config->ifindex == ifindex)
		return 1;
	if (!bpf_map_lookup_elem(pt->overflow_fd, &ifindex, config))
		return 0;
	return -ENOENT;
}

/*
 * A free index in "port_stats" for a port whose slot is slot: the slot
 * itself unless another port holds it (ports outnumber no index). Only
 * a writer allocates, and it holds the pin root's lock.
 */
static int alloc_stats_idx(const struct ports *pt, __u32 slot, __u32 *idx)
{
	unsigned char used[PP_MAX_PORTS] = {};
	__u32 key, next, i, *prev = NULL;
	struct pp_port port;

	if (!pt->slots)
		return -EPERM;
	for (i = 0; i < PP_PORT_SLOTS; i++)
		if (pt->slots[i].ifindex)
			used[pt->slots[i].stats_idx % PP_MAX_PORTS] = 1;
	while (!bpf_map_get_next_key(pt->overflow_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(pt->overflow_fd, &key, &port))
			used[port.stats_idx % PP_MAX_PORTS] = 1;
	}
	*idx = slot % PP_MAX_PORTS;
	for (i = 0; i < PP_MAX_PORTS && used[*idx]; i++)
		*idx = (*idx + 1) % PP_MAX_PORTS;
	return used[*idx] ? -ENOSPC : 0;
}

/* Zero the counters at idx, on every CPU: a port starts from nothing. */
static int zero_stats(const struct ports *pt, __u32 idx)
{
	struct pp_port_stats *percpu = calloc(pt->ncpus, sizeof(*percpu));
	int err;

	if (!percpu)
		return -ENOMEM;
	err = bpf_map_update_elem(pt->stats_fd, &idx, percpu, BPF_ANY) ? -errno : 0;
	free(percpu);
	return err;
}

static void remove_at(const struct ports *pt, bool in_slot, __u32 slot, __u32 ifindex)
{
	struct pp_port none = {};

	bpf_map_delete_elem(pt->peers_fd, &ifindex);
	/* An array slot cannot be deleted: zeroing frees it. */
	if (in_slot)
		bpf_map_update_elem(pt->slots_fd, &slot, &none, BPF_ANY);
	else
		bpf_map_delete_elem(pt->overflow_fd, &ifindex);
}

/*
 * No frame reads a port while it is added or removed: hooks are
 * attached only after their ports exist, and detached before.
 */
int ports_add(const struct ports *pt, const struct pp_port *config, __u32 peer_dev)
{
	__u32 ifindex = config->ifindex, slot;
	struct pp_port found, port;
	bool in_slot;
	int err;

	if (!ifindex || !peer_dev)
		return -EINVAL;
	if (find(pt, ifindex, &slot, &found) >= 0)
		return -EEXIST;
	port = *config;
	err = alloc_stats_idx(pt, slot, &port.stats_idx);
	if (!err)
		err = zero_stats(pt, port.stats_idx);
	if (err)
		return err;
	/* A free slot has no owner; the datapath reads it only after a tag match. */
	in_slot = !bpf_map_lookup_elem(pt->slots_fd, &slot, &found) && !found.ifindex;
	if (in_slot)
		err = bpf_map_update_elem(pt->slots_fd, &slot, &port, BPF_ANY);
	else
		err = bpf_map_update_elem(pt->overflow_fd, &ifindex, &port, BPF_NOEXIST);
	/* The device is looked up by ifindex in the netns of this process. */
	if (!err)
		err = bpf_map_update_elem(pt->peers_fd, &ifindex, &peer_dev, BPF_NOEXIST);
	if (err) {
		err = -errno;
		remove_at(pt, in_slot, slot, ifindex);
	}
	return err;
}

int ports_read(const struct ports *pt, __u32 ifindex, struct port_view *view)
{
	struct pp_port_stats *percpu;
	int cpu, r, where, err;
	__u32 slot;

	memset(view, 0, sizeof(*view));
	where = find(pt, ifindex, &slot, &view->config);
	if (where < 0)
		return where;
	percpu = calloc(pt->ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	err = bpf_map_lookup_elem(pt->stats_fd, &view->config.stats_idx, percpu);
	/* Counters a removal took away meanwhile read as zeros. */
	for (cpu = 0; !err && cpu < pt->ncpus; cpu++) {
		view->sum.packets += percpu[cpu].packets;
		view->sum.bytes += percpu[cpu].bytes;
		view->sum.marked_host += percpu[cpu].marked_host;
		for (r = 0; r < PP_DROP_REASON_SLOTS; r++)
			view->sum.drops[r] += percpu[cpu].drops[r];
	}
	free(percpu);
	if (bpf_map_lookup_elem(pt->peers_fd, &ifindex, &view->peer_dev))
		view->peer_dev = 0;
	return 0;
}

int ports_set_peer(const struct ports *pt, __u32 ifindex, __u32 pair_id, union pp_peer peer)
{
	struct pp_port config;
	__u32 slot;
	int where;

	where = find(pt, ifindex, &slot, &config);
	if (where < 0 || config.pair_id != pair_id)
		return -ENOENT;
	if (!where) {
		/* A hash update swaps in a whole new element under RCU. */
		config.peer = peer;
		return bpf_map_update_elem(pt->overflow_fd, &ifindex, &config, BPF_EXIST) ?
		       -errno : 0;
	}
	if (!pt->slots)
		return -EPERM;
	/* The datapath loads the word once: it sees the old far side or the new. */
	__atomic_store_n(&pt->slots[slot].peer.word, peer.word, __ATOMIC_RELEASE);
	return 0;
}

int ports_retire(const struct ports *pt, __u32 ifindex, __u32 pair_id)
{
	struct pp_port config;
	__u32 slot;

	if (find(pt, ifindex, &slot, &config) < 0 || config.pair_id != pair_id)
		return -ENOENT;
	if (bpf_map_delete_elem(pt->peers_fd, &ifindex) && errno != ENOENT)
		return -errno;
	return 0;
}

int ports_set_dev(const struct ports *pt, __u32 ifindex, __u32 pair_id, __u32 peer_dev)
{
	struct pp_port config;
	__u32 slot;

	if (find(pt, ifindex, &slot, &config) < 0 || config.pair_id != pair_id)
		return -ENOENT;
	return bpf_map_update_elem(pt->peers_fd, &ifindex, &peer_dev, BPF_ANY) ? -errno : 0;
}

void ports_del(const struct ports *pt, __u32 ifindex, __u32 pair_id)
{
	struct pp_port config;
	__u32 slot;
	int where;

	where = find(pt, ifindex, &slot, &config);
	if (where >= 0 && config.pair_id == pair_id)
		remove_at(pt, where, slot, ifindex);
}
