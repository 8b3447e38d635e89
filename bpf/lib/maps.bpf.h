/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Every map the pairpath datapath uses, declared in one place. */
#ifndef __PAIRPATH_MAPS_BPF_H
#define __PAIRPATH_MAPS_BPF_H

#include "pairpath.h"

/* ifindex % PP_PORT_SLOTS -> the port owning that slot (see pairpath.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PP_PORT_SLOTS);
	__type(key, __u32);
	__type(value, struct pp_port);
} ports SEC(".maps");

/* ifindex -> a port whose slot in "ports" another port owns. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, PP_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct pp_port);
} ports_overflow SEC(".maps");

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
