/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Every map the routed datapath uses, declared in one place (routed.h). */
#ifndef __ROUTED_MAPS_BPF_H
#define __ROUTED_MAPS_BPF_H

#include "routed.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RT_EP_SLOTS);
	__type(key, __u32);
	__type(value, struct rt_endpoint);
} rt_endpoints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RT_MAX_ENDPOINTS);
	__type(key, __u32);
	__type(value, struct rt_endpoint);
} rt_endpoints_overflow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RT_ADDR_SLOTS);
	__type(key, __u32);
	__type(value, struct rt_addr_slot);
} rt_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RT_MAX_ADDRS);
	__type(key, struct rt_addr);
	__type(value, __u32);
} rt_addrs_overflow SEC(".maps");

/* One map for every endpoint's counters: its one lookup is inlined. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RT_MAX_ENDPOINTS);
	__type(key, __u32);
	__type(value, struct rt_ep_stats);
} rt_stats SEC(".maps");

/*
 * An endpoint's host-side veth as the kernel holds it: deleted by
 * dev_map_notification() when the device is unregistered or leaves the
 * netns, so a frame never follows a stale ifindex (as peer_devs).
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, RT_MAX_ENDPOINTS);
	__type(key, __u32);
	__type(value, __u32);
} rt_devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, RT_UPLINK_SLOTS);
	__type(key, __u32);
	__type(value, struct rt_uplink);
} rt_uplinks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RT_MAX_UPLINKS);
	__type(key, __u32);
	__type(value, struct rt_uplink);
} rt_uplinks_overflow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RT_MAX_UPLINKS);
	__type(key, __u32);
	__type(value, struct rt_uplink_stats);
} rt_uplink_stats SEC(".maps");

/* The endpoint journal: user space's alone, pinned with the tables. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RT_MAX_ENDPOINTS);
	__type(key, struct rt_record_key);
	__type(value, struct rt_record);
} rt_records SEC(".maps");

#endif /* __ROUTED_MAPS_BPF_H */
