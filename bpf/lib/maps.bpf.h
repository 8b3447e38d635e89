/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Every map the pairpath datapath uses, declared in one place. */
#ifndef __PAIRPATH_MAPS_BPF_H
#define __PAIRPATH_MAPS_BPF_H

#include "pairpath.h"

/*
 * ifindex % PP_PORT_SLOTS -> the port owning that slot (see pairpath.h).
 * Mappable, so that user space rewrites a port's far side with one
 * aligned store while frames are read.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PP_PORT_SLOTS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct pp_port);
} ports SEC(".maps");

/* ifindex -> a port whose slot in "ports" another port owns. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct pp_port);
} ports_overflow SEC(".maps");

/*
 * The counters of every port, per CPU, at its stats_idx: one map, so
 * that its one lookup is inlined (two maps behind one call site are not).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PP_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct pp_port_stats);
} port_stats SEC(".maps");

/*
 * ifindex of a port -> the far host-side veth its frames go to. A
 * devmap entry holds the device itself: the kernel deletes it when the
 * device is unregistered or leaves the netns (dev_map_notification() on
 * NETDEV_UNREGISTER), so a frame can never follow a stale ifindex to a
 * device that took the number later. Keyed by a hash of ifindex & mask,
 * like the port slots.
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, PP_MAX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} peer_devs SEC(".maps");

/* Pair name -> what attach recorded. Only user space reads it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_MAX_PAIRS);
	__type(key, struct pp_pair_key);
	__type(value, struct pp_pair);
} pairs SEC(".maps");

/* Layout version and program identity of the pinned state. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pp_meta);
} meta SEC(".maps");

#endif /* __PAIRPATH_MAPS_BPF_H */
