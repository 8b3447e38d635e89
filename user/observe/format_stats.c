// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "observe/format.h"
#include "observe/json.h"
#include "observe/labels.h"
#include "observe/metrics_text.h"

/* Rates of one direction between two snapshots; the pair may be new. */
static void print_rates(FILE *out, const struct snapshot *snap, const struct snapshot *prev,
			const struct pair_snapshot *ps, int d)
{
	double dt = snap->taken_at - prev->taken_at;
	const struct dir_snapshot *was = NULL;
	int i;

	/* The same pair: a detach and attach in between starts it anew. */
	for (i = 0; i < prev->n; i++)
		if (!strcmp(prev->pairs[i].key.name, ps->key.name) &&
		    prev->pairs[i].pair.pair_id == ps->pair.pair_id &&
		    prev->pairs[i].pair.attached_at == ps->pair.attached_at)
			was = &prev->pairs[i].dir[d];
	/* Counters only go up; anything else is a pair that started over. */
	if (!was || dt <= 0 || ps->dir[d].sum.packets < was->sum.packets ||
	    ps->dir[d].sum.bytes < was->sum.bytes) {
		fprintf(out, " %12s %14s", "-", "-");
		return;
	}
	fprintf(out, " %12.0f %14.0f", (ps->dir[d].sum.packets - was->sum.packets) / dt,
		(ps->dir[d].sum.bytes - was->sum.bytes) * 8 / dt);
}

void format_stats_table(FILE *out, const struct snapshot *snap, const struct snapshot *prev)
{
	int i, d;

	if (prev)
		fprintf(out, "%-16s %-9s %12s %15s %10s %10s %12s %14s\n", "PAIR", "DIRECTION",
			"PACKETS", "BYTES", "DROPS", "KDROPS", "PACKETS/S", "BITS/S");
	else
		fprintf(out, "%-16s %-9s %12s %15s %10s %10s\n", "PAIR", "DIRECTION",
			"PACKETS", "BYTES", "DROPS", "KDROPS");
	for (i = 0; i < snap->n; i++) {
		const struct pair_snapshot *ps = &snap->pairs[i];

		for (d = 0; d < PP_DIR_MAX; d++) {
			const struct dir_snapshot *ds = &ps->dir[d];

			fprintf(out, "%-16s %-9s %12llu %15llu %10llu %10llu", ps->key.name,
				pp_dir_labels[d], (unsigned long long)ds->sum.packets,
				(unsigned long long)ds->sum.bytes, (unsigned long long)ds->drops,
				(unsigned long long)ds->kernel_drops);
			if (prev)
				print_rates(out, snap, prev, ps, d);
			fputc('\n', out);
		}
	}
	format_stats_routed_table(out, snap);
}

static cJSON *dir_json(const struct pair_snapshot *ps, int d)
{
	const struct dir_snapshot *ds = &ps->dir[d];
	cJSON *o = cJSON_CreateObject(), *drops = cJSON_CreateObject();
	cJSON *kdrops = cJSON_CreateObject();
	int r;

	cJSON_AddStringToObject(o, "direction", pp_dir_labels[d]);
	cJSON_AddStringToObject(o, "dev", ps->pair.dev[d].ifname);
	cJSON_AddItemToObject(o, "packets", json_u64(ds->sum.packets));
	cJSON_AddItemToObject(o, "bytes", json_u64(ds->sum.bytes));
	for (r = 0; r < PP_DROP_REASON_MAX; r++)
		cJSON_AddItemToObject(drops, pp_drop_labels[r], json_u64(ds->sum.drops[r]));
	cJSON_AddItemToObject(o, "drops", drops);
	for (r = 0; r < ps->nkdrops; r++)
		if (ps->kdrops[r].dir == d)
			cJSON_AddItemToObject(kdrops, ps->kdrops[r].name,
					      json_u64(ps->kdrops[r].count));
	cJSON_AddItemToObject(o, "kernel_drops", kdrops);
	return o;
}

static cJSON *stats_json(const struct snapshot *snap)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	int i, d;

	cJSON_AddBoolToObject(root, "kernel_drops_counted", snap->kdrops_enabled);
	arr = cJSON_AddArrayToObject(root, "pairs");
	for (i = 0; i < snap->n; i++) {
		cJSON *po = cJSON_CreateObject(), *dirs;

		cJSON_AddStringToObject(po, "name", snap->pairs[i].key.name);
		dirs = cJSON_AddArrayToObject(po, "directions");
		cJSON_AddItemToArray(arr, po);
		for (d = 0; d < PP_DIR_MAX; d++)
			cJSON_AddItemToArray(dirs, dir_json(&snap->pairs[i], d));
	}
	format_stats_routed_json(root, snap);
	return root;
}

int format_stats(FILE *out, const struct snapshot *snap, enum output_format format)
{
	if (format == FORMAT_JSON)
		return json_print(out, stats_json(snap));
	if (format == FORMAT_PROMETHEUS)
		return metrics_write(out, snap);
	format_stats_table(out, snap, NULL);
	return 0;
}
