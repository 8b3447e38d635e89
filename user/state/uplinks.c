// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The uplink table (routed.h): a direct-mapped array tagged by ifindex,
 * a hash for an uplink whose slot is taken, the slot then marked
 * RT_SLOT_SPILL, as the address table does (state/endpoints.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "kernel/mapdump.h"
#include "state/rt_store.h"

static int err_of(int ret)
{
	return ret ? -errno : 0;
}

int rt_uplink_get(const struct rt_store *rt, __u32 ifindex, struct rt_uplink *up)
{
	__u32 k = ifindex % RT_UPLINK_SLOTS;

	if (!ifindex)
		return -ENOENT;
	if (!bpf_map_lookup_elem(rt->uplinks_fd, &k, up) && up->ifindex == ifindex)
		return 0;
	if (bpf_map_lookup_elem(rt->uplinks_overflow_fd, &ifindex, up))
		return -ENOENT;
	return 0;
}

bool rt_uplink_of(const struct rt_store *rt, __u32 ifindex)
{
	struct rt_uplink up;

	return !rt_uplink_get(rt, ifindex, &up);
}

/*
 * The hash entry is written before the slot is marked: a frame sees the
 * mark only once the entry it leads to is there.
 */
int rt_uplink_put(const struct rt_store *rt, const struct rt_uplink *up)
{
	__u32 k = up->ifindex % RT_UPLINK_SLOTS;
	struct rt_uplink cur, v = *up;

	if (bpf_map_lookup_elem(rt->uplinks_fd, &k, &cur))
		return -errno;
	if (cur.ifindex && cur.ifindex != up->ifindex) {
		v.flags = 0;
		if (bpf_map_update_elem(rt->uplinks_overflow_fd, &v.ifindex, &v, BPF_ANY))
			return -errno;
		if (cur.flags & RT_SLOT_SPILL)
			return 0;
		cur.flags |= RT_SLOT_SPILL;
		return err_of(bpf_map_update_elem(rt->uplinks_fd, &k, &cur, BPF_ANY));
	}
	v.flags = cur.flags;
	if (bpf_map_update_elem(rt->uplinks_fd, &k, &v, BPF_ANY))
		return -errno;
	/* Its slot came free since it spilled: no second copy stays behind. */
	if (bpf_map_delete_elem(rt->uplinks_overflow_fd, &v.ifindex) && errno != ENOENT)
		return -errno;
	return 0;
}

/* The slot keeps its spill mark: others of the slot may be in the hash. */
int rt_uplink_delete(const struct rt_store *rt, __u32 ifindex)
{
	__u32 k = ifindex % RT_UPLINK_SLOTS;
	struct rt_uplink cur;

	if (bpf_map_lookup_elem(rt->uplinks_fd, &k, &cur))
		return -errno;
	if (cur.ifindex == ifindex) {
		cur = (struct rt_uplink){ .flags = cur.flags };
		return err_of(bpf_map_update_elem(rt->uplinks_fd, &k, &cur, BPF_ANY));
	}
	if (bpf_map_delete_elem(rt->uplinks_overflow_fd, &ifindex) && errno != ENOENT)
		return -errno;
	return 0;
}

/* The records of the map fd with an owner appended to list at *n. */
static int collect(int fd, __u32 key_size, struct rt_uplink **list, int *n)
{
	struct rt_uplink *more, *v;
	struct map_dump d;
	int err, i;

	err = map_dump(fd, key_size, sizeof(struct rt_uplink), &d);
	more = err ? NULL : realloc(*list, (*n + d.n + 1) * sizeof(**list));
	if (!err && !more)
		err = -ENOMEM;
	for (i = 0; !err && i < d.n; i++) {
		v = (struct rt_uplink *)d.values + i;
		if (v->ifindex)
			more[(*n)++] = *v;
	}
	if (more)
		*list = more;
	map_dump_free(&d);
	return err;
}

static int by_ifname(const void *a, const void *b)
{
	return strcmp(((const struct rt_uplink *)a)->ifname, ((const struct rt_uplink *)b)->ifname);
}

int rt_uplink_list(const struct rt_store *rt, struct rt_uplink **out)
{
	struct rt_uplink *list = NULL;
	int n = 0, err;

	*out = NULL;
	err = collect(rt->uplinks_fd, sizeof(__u32), &list, &n);
	if (!err)
		err = collect(rt->uplinks_overflow_fd, sizeof(__u32), &list, &n);
	/* An empty list is NULL, as journal_list()'s. */
	if (err || !n) {
		free(list);
		return err;
	}
	qsort(list, n, sizeof(*list), by_ifname);
	*out = list;
	return n;
}
