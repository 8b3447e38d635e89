// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "state/hooks.h"
#include "state/liveness.h"
#include "state/journal.h"
#include "observe/snapshot.h"

static void read_pair(const struct store *st, bool deep, const struct journal_entry *e,
		      struct pair_snapshot *ps)
{
	struct port_view port;
	int d, r;

	ps->key = e->key;
	ps->pair = e->pair;
	ps->up = deep ? liveness_pair_intact(st, ps->key.name, &ps->pair) :
		 liveness_pair_up(st, ps->key.name, &ps->pair);
	for (d = 0; d < PP_DIR_MAX; d++) {
		struct dir_snapshot *ds = &ps->dir[d];

		/* A pair being detached meanwhile reads as zeros. */
		if (!ports_read(&st->ports, ps->pair.dev[d].ifindex, &port))
			ds->sum = port.sum;
		for (r = 0; r < PP_DROP_REASON_SLOTS; r++)
			ds->drops += ds->sum.drops[r];
	}
}

/* The pair's part of the kernel drops read once for the whole snapshot. */
static void read_pair_kdrops(const struct kdrop_table *kt, struct pair_snapshot *ps)
{
	int r;

	ps->nkdrops = kdrop_table_pair(kt, ps->pair.pair_id, &ps->kdrops);
	if (ps->nkdrops < 0)
		ps->nkdrops = 0;
	for (r = 0; r < ps->nkdrops; r++)
		ps->dir[ps->kdrops[r].dir & 1].kernel_drops += ps->kdrops[r].count;
}

/* What is read once for every pair: the kernel drops, and those not counted. */
static void snapshot_read_kernel_wide(const struct store *st, struct kdrop_table *kt,
				      struct snapshot *snap)
{
	/* A failed read shows no kernel drops rather than no pairs. */
	if (kdrop_read_all(st, kt))
		kdrop_table_free(kt);
	kdrop_read_untracked(st, &snap->kdrops_untracked);
}

/* A pair attached before another build pinned its program stays on the old one. */
void snapshot_programs(const struct store *st, struct snapshot *snap)
{
	struct pair_snapshot *ps;
	__u32 pinned;
	int i, r;

	if (hooks_pinned_prog_id(st, &pinned))
		return;
	for (i = 0; i < snap->n; i++) {
		ps = &snap->pairs[i];
		r = ps->up ? hooks_program(st, ps->key.name, &ps->pair, pinned) : -ENOLINK;
		ps->program = r < 0 ? PAIR_PROG_UNKNOWN : r ? PAIR_PROG_CURRENT : PAIR_PROG_OLDER;
	}
}

int snapshot_take(const struct store *st, bool deep, struct snapshot *snap)
{
	struct journal_entry *list = NULL;
	struct kdrop_table kt = {};
	struct timespec ts;
	int n, i;

	memset(snap, 0, sizeof(*snap));
	n = st ? journal_list(st, &list) : 0;
	if (n < 0)
		return n;
	snap->pairs = calloc(n ? n : 1, sizeof(*snap->pairs));
	if (!snap->pairs) {
		free(list);
		return -ENOMEM;
	}
	if (st) {
		snprintf(snap->dir, sizeof(snap->dir), "%s", st->dir);
		snap->kdrops_enabled = st->kdrops_on;
		snapshot_read_kernel_wide(st, &kt, snap);
	}
	for (i = 0; i < n; i++) {
		/* Half-done records are rolled back by the next change: not shown. */
		if (list[i].pair.state != PP_PAIR_ATTACHED)
			continue;
		read_pair(st, deep, &list[i], &snap->pairs[snap->n]);
		read_pair_kdrops(&kt, &snap->pairs[snap->n++]);
	}
	kdrop_table_free(&kt);
	free(list);
	list = NULL;
	if (st) {
		int err = snapshot_take_routed(st, deep, snap);

		if (err) {
			snapshot_free(snap);
			return err;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snap->taken_at = ts.tv_sec + ts.tv_nsec / 1e9;
	free(list);
	return 0;
}

void snapshot_free(struct snapshot *snap)
{
	int i;

	for (i = 0; i < snap->n; i++)
		free(snap->pairs[i].kdrops);
	free(snap->pairs);
	free(snap->endpoints);
	free(snap->uplinks);
	memset(snap, 0, sizeof(*snap));
}
