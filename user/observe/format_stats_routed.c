// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* stats of the endpoints and uplinks: the table's second part and the JSON's. */
#include "observe/format.h"
#include "observe/json.h"
#include "observe/labels.h"

void format_stats_routed_table(FILE *out, const struct snapshot *snap)
{
	int i;

	if (snap->n_endpoints)
		fprintf(out, "\n%-16s %-9s %12s %15s %10s %10s\n", "ENDPOINT", "DIRECTION",
			"PACKETS", "BYTES", "DROPS", "HANDOVERS");
	for (i = 0; i < snap->n_endpoints; i++) {
		const struct endpoint_snapshot *es = &snap->endpoints[i];

		/* Drops and hand-overs are of frames from the container only. */
		fprintf(out, "%-16s %-9s %12llu %15llu %10s %10s\n", es->key.name,
			rt_dir_labels[RT_DIR_TO], (unsigned long long)es->sum.packets[RT_DIR_TO],
			(unsigned long long)es->sum.bytes[RT_DIR_TO], "-", "-");
		fprintf(out, "%-16s %-9s %12llu %15llu %10llu %10llu\n", es->key.name,
			rt_dir_labels[RT_DIR_FROM],
			(unsigned long long)es->sum.packets[RT_DIR_FROM],
			(unsigned long long)es->sum.bytes[RT_DIR_FROM],
			(unsigned long long)es->drops, (unsigned long long)es->handovers);
	}
	if (snap->n_uplinks)
		fprintf(out, "\n%-16s %12s %15s %10s\n", "UPLINK", "PACKETS", "BYTES", "HANDOVERS");
	for (i = 0; i < snap->n_uplinks; i++)
		fprintf(out, "%-16s %12llu %15llu %10llu\n", snap->uplinks[i].up.ifname,
			(unsigned long long)snap->uplinks[i].sum.packets,
			(unsigned long long)snap->uplinks[i].sum.bytes,
			(unsigned long long)snap->uplinks[i].handovers);
}

static cJSON *reasons_json(const __u64 *reasons, bool drops)
{
	cJSON *o = cJSON_CreateObject();
	int r;

	for (r = 0; r < RT_REASON_MAX; r++)
		if (snapshot_rt_reason_drops(r) == drops)
			cJSON_AddItemToObject(o, rt_reason_labels[r], json_u64(reasons[r]));
	return o;
}

static cJSON *endpoint_json(const struct endpoint_snapshot *es)
{
	cJSON *o = cJSON_CreateObject(), *answers = cJSON_CreateObject();
	int d;

	cJSON_AddStringToObject(o, "name", es->key.name);
	cJSON_AddStringToObject(o, "device", es->rec.dev.ifname);
	for (d = 0; d < RT_DIR_MAX; d++) {
		cJSON *dir = cJSON_CreateObject();

		cJSON_AddItemToObject(dir, "packets", json_u64(es->sum.packets[d]));
		cJSON_AddItemToObject(dir, "bytes", json_u64(es->sum.bytes[d]));
		cJSON_AddItemToObject(o, rt_dir_labels[d], dir);
	}
	cJSON_AddItemToObject(o, "drops", reasons_json(es->sum.reasons, true));
	cJSON_AddItemToObject(o, "handovers", reasons_json(es->sum.reasons, false));
	cJSON_AddItemToObject(answers, "arp", json_u64(es->sum.arp_answered));
	cJSON_AddItemToObject(answers, "nd", json_u64(es->sum.nd_answered));
	cJSON_AddItemToObject(o, "answers", answers);
	return o;
}

void format_stats_routed_json(cJSON *root, const struct snapshot *snap)
{
	cJSON *eps = cJSON_AddArrayToObject(root, "endpoints");
	cJSON *ups = cJSON_AddArrayToObject(root, "uplinks");
	int i;

	for (i = 0; i < snap->n_endpoints; i++)
		cJSON_AddItemToArray(eps, endpoint_json(&snap->endpoints[i]));
	for (i = 0; i < snap->n_uplinks; i++) {
		const struct uplink_snapshot *us = &snap->uplinks[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "device", us->up.ifname);
		cJSON_AddItemToObject(o, "packets", json_u64(us->sum.packets));
		cJSON_AddItemToObject(o, "bytes", json_u64(us->sum.bytes));
		cJSON_AddItemToObject(o, "handovers", reasons_json(us->sum.reasons, false));
		cJSON_AddItemToArray(ups, o);
	}
}
