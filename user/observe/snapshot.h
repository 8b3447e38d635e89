/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* One read of every pair and its counters, shared by all output formats. */
#ifndef __PAIRPATH_SNAPSHOT_H
#define __PAIRPATH_SNAPSHOT_H

#include <stdbool.h>
#include "state/kdrop.h"
#include "state/store.h"

struct dir_snapshot {
	struct pp_port sum;	/* counters summed over CPUs */
	__u64 drops;		/* all program drops */
	__u64 kernel_drops;
};

struct pair_snapshot {
	struct pp_pair_key key;
	struct pp_pair pair;
	bool up;
	struct dir_snapshot dir[PP_DIR_MAX];
	struct kdrop_count *kdrops;
	int nkdrops;
};

struct snapshot {
	struct pair_snapshot *pairs;
	int n;
	bool kdrops_enabled;
	double taken_at;	/* CLOCK_MONOTONIC seconds, right after the reads */
};

/* st may be NULL (nothing pinned): an empty snapshot. */
int snapshot_take(const struct store *st, struct snapshot *snap);
void snapshot_free(struct snapshot *snap);

extern const char *const pp_drop_labels[PP_DROP_REASON_SLOTS];
extern const char *const pp_dir_labels[PP_DIR_MAX];

#endif /* __PAIRPATH_SNAPSHOT_H */
