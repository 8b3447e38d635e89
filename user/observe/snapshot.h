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

struct snapshot {
	char dir[PATH_MAX];	/* the pin directory read; "" when nothing is pinned */
	struct pair_snapshot *pairs;	/* attached pairs, by name */
	int n;
	bool kdrops_enabled;
	__u64 kdrops_untracked;	/* kernel drops kdrops had no room for */
	double taken_at;	/* CLOCK_MONOTONIC seconds, right after the reads */
};

/*
 * st may be NULL (nothing pinned): an empty snapshot. deep: judge each
 * pair's devices by their identity (state/liveness.h), as a command
 * does; the exporter, without privileges, takes the cheap answer, which
 * the agent keeps true by marking broken pairs within moments.
 */
int snapshot_take(const struct store *st, bool deep, struct snapshot *snap);
void snapshot_free(struct snapshot *snap);
/*
 * Ask each pair's hooks which program they run: two more requests a
 * pair, so only for the commands that show it.
 */
void snapshot_programs(const struct store *st, struct snapshot *snap);

#endif /* __PAIRPATH_OBSERVE_SNAPSHOT_H */
