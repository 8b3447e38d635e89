// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The routed part of a snapshot: endpoints and uplinks with their counters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "state/liveness.h"
#include "observe/snapshot.h"

bool snapshot_rt_reason_drops(int r)
{
	switch (r) {
#define RT_REASON_DROPS(name, code, label, drop) case code: return drop;
	RT_REASONS(RT_REASON_DROPS)
#undef RT_REASON_DROPS
	}
	return false;
}

static void sum_reasons(const __u64 *reasons, __u64 *drops, __u64 *handovers)
{
	int r;

	for (r = 0; r < RT_REASON_SLOTS; r++) {
		if (snapshot_rt_reason_drops(r))
			*drops += reasons[r];
		else
			*handovers += reasons[r];
	}
}

static bool endpoint_up(const struct rt_store *rt, bool deep, const struct rt_record *rec)
{
	struct veth_info now;
	__u32 dev;

	if (rec->state != RT_REC_LIVE || (rec->flags & RT_REC_BROKEN))
		return false;
	/* The kernel deletes the device entry when the device goes. */
	if (bpf_map_lookup_elem(rt->t.devs_fd, &rec->ep.ifindex, &dev))
		return false;
	return !deep || liveness_dev(&rec->dev, &now) != DEV_GONE;
}

static int read_endpoints(const struct rt_store *rt, bool deep, struct snapshot *snap)
{
	struct rt_record_entry *list;
	struct endpoint_snapshot *es;
	int n, i;

	n = rt_record_list(rt, &list);
	if (n < 0)
		return n;
	snap->endpoints = calloc(n ? n : 1, sizeof(*snap->endpoints));
	if (!snap->endpoints) {
		free(list);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		/* Half-done records are rolled back by the next change: not shown. */
		if (list[i].rec.state != RT_REC_LIVE)
			continue;
		es = &snap->endpoints[snap->n_endpoints++];
		es->key = list[i].key;
		es->rec = list[i].rec;
		es->up = endpoint_up(rt, deep, &es->rec);
		rt_ep_stats_sum(rt, es->rec.ep.stats_idx, &es->sum);
		sum_reasons(es->sum.reasons, &es->drops, &es->handovers);
	}
	free(list);
	return 0;
}

static int read_uplinks(const struct rt_store *rt, struct snapshot *snap)
{
	struct uplink_snapshot *us;
	struct rt_uplink *list;
	__u64 drops = 0;
	int n, i;

	n = rt_uplink_list(rt, &list);
	if (n < 0)
		return n;
	snap->uplinks = calloc(n ? n : 1, sizeof(*snap->uplinks));
	if (!snap->uplinks) {
		free(list);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (list[i].state != RT_REC_LIVE)
			continue;
		us = &snap->uplinks[snap->n_uplinks++];
		us->up = list[i];
		rt_uplink_stats_sum(rt, us->up.stats_idx, &us->sum);
		sum_reasons(us->sum.reasons, &drops, &us->handovers);
	}
	free(list);
	return 0;
}

int snapshot_take_routed(const struct store *st, bool deep, struct snapshot *snap)
{
	int err;

	/* Opened with the store: an exporter without privileges cannot open pins later. */
	if (!st->rt_open)
		return 0;
	err = read_endpoints(&st->rt, deep, snap);
	if (!err)
		err = read_uplinks(&st->rt, snap);
	return err;
}
