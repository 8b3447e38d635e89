/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The skb:kfree_skb tracer: kernel drops on a pair's path, by reason. */
#ifndef __PAIRPATH_STATE_KDROP_H
#define __PAIRPATH_STATE_KDROP_H

#include "state/store.h"

/* Load, attach and pin the tracer and its maps into st->dir. */
int kdrop_load_and_pin(struct store *st);
/* Detach and unpin the tracer's link; its maps and counts stay. */
int kdrop_stop(struct store *st);
/*
 * Open the tracer's pinned maps into st (both, or neither: -1); a pin
 * refused as not what it should be is its negative errno.
 */
int kdrop_open_maps(struct store *st, __u32 file_flags);

/* Record (or forget) a pair's host-side devices and its counts. */
int kdrop_add_pair(struct store *st, const struct pp_pair *pair);
void kdrop_del_pair(struct store *st, const struct pp_pair *pair);

struct kdrop_count {
	__u32 pair_id;
	__u32 reason;
	__u8 dir;
	__u64 count;
	char name[48];		/* the kernel's name of the reason */
};
/* Every pair's kernel drops, read once, sorted by pair, direction and reason. */
struct kdrop_table {
	struct kdrop_count *all;	/* names not filled in */
	int n;
};
int kdrop_read_all(const struct store *st, struct kdrop_table *t);
/* One pair's part of the table, with the reasons' names; free() them. */
int kdrop_table_pair(const struct kdrop_table *t, __u32 pair_id, struct kdrop_count **out);
void kdrop_table_free(struct kdrop_table *t);
/*
 * Drops the tracer saw on a pair's path but could not count by reason,
 * kdrops being full; -ENOENT where the tracer state has no such count.
 */
int kdrop_read_untracked(const struct store *st, __u64 *total);

#endif /* __PAIRPATH_STATE_KDROP_H */
