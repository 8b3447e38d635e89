// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "metrics.h"
#include "control/pair.h"
#include "observe/snapshot.h"

const char *const pp_drop_labels[PP_DROP_REASON_SLOTS] = {
#define PP_DROP_LABEL(name, code, label) [code] = label,
	PP_DROP_REASONS(PP_DROP_LABEL)
#undef PP_DROP_LABEL
};

const char *const pp_dir_labels[PP_DIR_MAX] = {
	[PP_DIR_A_TO_B] = PP_DIRECTION_A_TO_B,
	[PP_DIR_B_TO_A] = PP_DIRECTION_B_TO_A,
};

int snapshot_take(const struct store *st, struct snapshot *snap)
{
	struct store_pair *list = NULL;
	struct ports pt = {};
	struct timespec ts;
	int n, i, d, r;

	memset(snap, 0, sizeof(*snap));
	n = st ? store_list_pairs(st, &list) : 0;
	if (n < 0)
		return n;
	snap->kdrops_enabled = st && st->kdrops_on;
	snap->pairs = calloc(n ? n : 1, sizeof(*snap->pairs));
	if (!snap->pairs) {
		free(list);
		return -ENOMEM;
	}
	if (st)
		pt = store_ports(st);
	for (i = 0; i < n; i++) {
		struct pair_snapshot *ps = &snap->pairs[snap->n];

		/* Half-done records are rolled back by the next change: not shown. */
		if (list[i].pair.state != PP_PAIR_ATTACHED)
			continue;
		ps->key = list[i].key;
		ps->pair = list[i].pair;
		ps->up = pair_is_up(st, ps->key.name, &ps->pair);
		for (d = 0; d < PP_DIR_MAX; d++) {
			struct dir_snapshot *ds = &ps->dir[d];

			/* A pair being detached meanwhile reads as zeros. */
			ports_read(&pt, ps->pair.dev[d].ifindex, &ds->sum);
			for (r = 0; r < PP_DROP_REASON_SLOTS; r++)
				ds->drops += ds->sum.drops[r];
		}
		ps->nkdrops = kdrop_read(st, ps->pair.pair_id, &ps->kdrops);
		if (ps->nkdrops < 0)
			ps->nkdrops = 0;
		for (r = 0; r < ps->nkdrops; r++)
			ps->dir[ps->kdrops[r].dir & 1].kernel_drops += ps->kdrops[r].count;
		snap->n++;
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
	memset(snap, 0, sizeof(*snap));
}
