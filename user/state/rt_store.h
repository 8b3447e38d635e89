/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Routed mode's pinned state, in the netns directory of the store beside
 * the pairs' (state/pins.h names every pin): the routed programs, the
 * tables of state/endpoints.h, the endpoint journal (rt_records) and the
 * uplinks. Loaded and pinned by the first endpoint or uplink; a netns
 * without them has no routed state, which readers show as none.
 */
#ifndef __PAIRPATH_STATE_RT_STORE_H
#define __PAIRPATH_STATE_RT_STORE_H

#include <stdbool.h>
#include "routed.h"
#include "state/endpoints.h"

struct store;

struct rt_store {
	struct rt_tables t;
	int records_fd;		/* "rt_records" */
	int uplinks_fd;		/* "rt_uplinks" */
	int uplinks_overflow_fd;	/* "rt_uplinks_overflow" */
	int uplink_stats_fd;	/* "rt_uplink_stats" */
	int prog_fd;		/* "rt_prog"; -1 for readers */
	int uplink_prog_fd;	/* "rt_uplink_prog"; -1 for readers */
};

struct rt_record_entry {
	struct rt_record_key key;
	struct rt_record rec;
};

enum rt_open_flags {
	RT_CREATE = 1 << 0,	/* load and pin what is missing (needs STORE_LOCK) */
	RT_RDONLY = 1 << 1,	/* maps read-only, no programs */
};

/*
 * Open the routed state of st's directory; without RT_CREATE, -ENOENT
 * when there is none (said nothing). Every pinned map is checked
 * against this build's layout first.
 */
int rt_store_open(struct store *st, struct rt_store *rt, unsigned int flags);
void rt_store_close(struct rt_store *rt);
/* Every fd -1: a store's routed part before it is opened. */
void rt_store_init(struct rt_store *rt);

void rt_record_key(const char *name, struct rt_record_key *key);
/* 0, or -ENOENT. */
int rt_record_get(const struct rt_store *rt, const char *name, struct rt_record *rec);
/* flags: BPF_NOEXIST or BPF_EXIST. Says why it failed. */
int rt_record_put(const struct rt_store *rt, const struct rt_record_key *key,
		  const struct rt_record *rec, __u64 flags);
int rt_record_delete(const struct rt_store *rt, const struct rt_record_key *key);
/* Every record sorted by name; free() the array. The count or -errno. */
int rt_record_list(const struct rt_store *rt, struct rt_record_entry **out);

/* The uplink table (state/uplinks.c). */
/* Every uplink sorted by device name; free() the array. The count or -errno. */
int rt_uplink_list(const struct rt_store *rt, struct rt_uplink **out);
/* The uplink of the device ifindex: 0, or -ENOENT. */
int rt_uplink_get(const struct rt_store *rt, __u32 ifindex, struct rt_uplink *up);
/* Is the device ifindex an uplink? */
bool rt_uplink_of(const struct rt_store *rt, __u32 ifindex);
/* Write up whole, into its slot or the hash; its flags are the table's. */
int rt_uplink_put(const struct rt_store *rt, const struct rt_uplink *up);
/* Remove the uplink of ifindex; 0 if there was none. */
int rt_uplink_delete(const struct rt_store *rt, __u32 ifindex);

/* The counters of one endpoint or uplink, summed over CPUs. */
int rt_ep_stats_sum(const struct rt_store *rt, __u32 stats_idx, struct rt_ep_stats *sum);
int rt_uplink_stats_sum(const struct rt_store *rt, __u32 stats_idx,
			struct rt_uplink_stats *sum);

#endif /* __PAIRPATH_STATE_RT_STORE_H */
