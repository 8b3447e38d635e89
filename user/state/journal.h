/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The pair journal: one record a pair in the "pairs" map, written before
 * anything else of the pair is made and marked attached last, so that a
 * pairpath killed half-way leaves a record the next one rolls back.
 */
#ifndef __PAIRPATH_STATE_JOURNAL_H
#define __PAIRPATH_STATE_JOURNAL_H

#include <stdbool.h>
#include "kernel/veth.h"
#include "state/store.h"

struct journal_entry {
	struct pp_pair_key key;
	struct pp_pair pair;
};

void journal_key(const char *name, struct pp_pair_key *key);
/* The record of name: 0, or -ENOENT. */
int journal_get(const struct store *st, const char *name, struct pp_pair *pair);
/* flags: BPF_NOEXIST for a new record, BPF_EXIST to change one. Says why it failed. */
int journal_put(struct store *st, const struct pp_pair_key *key, const struct pp_pair *pair,
		__u64 flags);
int journal_delete(struct store *st, const struct pp_pair_key *key);
/* Every record sorted by name; free() the array. Returns the count or -errno. */
int journal_list(const struct store *st, struct journal_entry **out);
/* The next pair id, from the counter in the meta map (0 is never used). */
int journal_next_id(struct store *st, __u32 *id);

/* Record what was read of a host-side veth and its container end (not its hooks). */
void journal_fill_dev(struct pp_dev *dev, const struct veth_info *v);

/* "tcx", "tc": the name of an enum pp_mode. */
const char *journal_mode_name(int mode);

#endif /* __PAIRPATH_STATE_JOURNAL_H */
