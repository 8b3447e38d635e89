/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * One read of every pair, its state and its counters: the only part of
 * observation that asks the kernel. Every format renders a snapshot.
 */
#ifndef __PAIRPATH_OBSERVE_SNAPSHOT_H
#define __PAIRPATH_OBSERVE_SNAPSHOT_H

#include <limits.h>
#include <stdbool.h>
#include "state/kdrop.h"
#include "state/rt_store.h"
#include "state/store.h"

struct dir_snapshot {
	struct pp_port_stats sum;	/* counters summed over CPUs */
	__u64 drops;		/* all program drops */
	__u64 kernel_drops;
};

/* Which program a pair runs, against the pinned one (snapshot_programs). */
enum pair_program {
	PAIR_PROG_UNKNOWN = 0,	/* not asked, broken, or cannot be told */
	PAIR_PROG_CURRENT,
	PAIR_PROG_OLDER,
};

struct pair_snapshot {
	struct pp_pair_key key;
	struct pp_pair pair;
	bool up;		/* both devices there and both hooks attached */
	enum pair_program program;
	struct dir_snapshot dir[PP_DIR_MAX];
	struct kdrop_count *kdrops;
	int nkdrops;
};

/* Routed mode: an endpoint, its record and its counters. */
struct endpoint_snapshot {
	struct rt_record_key key;
	struct rt_record rec;
	bool up;		/* live, its device there (rt_devs has it) */
	struct rt_ep_stats sum;	/* summed over CPUs */
	__u64 drops;		/* of the reasons that drop */
	__u64 handovers;	/* of the reasons that hand over */
};

struct uplink_snapshot {
	struct rt_uplink up;
	struct rt_uplink_stats sum;
	__u64 handovers;
};

struct snapshot {
	char dir[PATH_MAX];	/* the pin directory read; "" when nothing is pinned */
	struct pair_snapshot *pairs;	/* attached pairs, by name */
	int n;
	bool kdrops_enabled;
	__u64 kdrops_untracked;	/* kernel drops kdrops had no room for */
	double taken_at;	/* CLOCK_MONOTONIC seconds, right after the reads */
	struct endpoint_snapshot *endpoints;	/* live endpoints, by name */
	int n_endpoints;
	struct uplink_snapshot *uplinks;	/* live uplinks, by device name */
	int n_uplinks;
};

/*
 * st may be NULL (nothing pinned): an empty snapshot. deep: judge each
 * pair's devices by their identity (state/liveness.h), as a command
 * does; the exporter, without privileges, takes the cheap answer, which
 * the agent keeps true by marking broken pairs within moments.
 */
int snapshot_take(const struct store *st, bool deep, struct snapshot *snap);
void snapshot_free(struct snapshot *snap);
/* The routed part (snapshot_routed.c), read by snapshot_take(). */
int snapshot_take_routed(const struct store *st, bool deep, struct snapshot *snap);
/* Does reason code r of routed.h drop the frame (else it is handed over)? */
bool snapshot_rt_reason_drops(int r);
/*
 * Ask each pair's hooks which program they run: two more requests a
 * pair, so only for the commands that show it.
 */
void snapshot_programs(const struct store *st, struct snapshot *snap);

#endif /* __PAIRPATH_OBSERVE_SNAPSHOT_H */
