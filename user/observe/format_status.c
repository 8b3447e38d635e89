// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <time.h>
#include "observe/format.h"
#include "observe/json.h"
#include "state/journal.h"

static void format_time(__u64 secs, char *buf, size_t len)
{
	time_t t = secs;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%llu", (unsigned long long)secs);
}

static const char *state_name(const struct pair_snapshot *ps)
{
	return ps->up ? "up" : "broken";
}

static const char *program_name(const struct pair_snapshot *ps)
{
	return ps->program == PAIR_PROG_CURRENT ? "current" :
	       ps->program == PAIR_PROG_OLDER ? "older" : "-";
}

static cJSON *dev_json(const struct snapshot *snap, const struct pair_snapshot *ps, int d)
{
	const struct pp_dev *dev = &ps->pair.dev[d];
	char mac[18], path[PATH_MAX];
	cJSON *o = cJSON_CreateObject();

	format_mac_str(dev->peer_mac, mac, sizeof(mac));
	cJSON_AddStringToObject(o, "ifname", dev->ifname);
	cJSON_AddNumberToObject(o, "ifindex", dev->ifindex);
	cJSON_AddStringToObject(o, "peer_ifname", dev->peer_ifname);
	cJSON_AddNumberToObject(o, "peer_ifindex", dev->peer_ifindex);
	cJSON_AddNumberToObject(o, "peer_netnsid", dev->peer_netnsid);
	cJSON_AddStringToObject(o, "peer_mac", mac);
	cJSON_AddNumberToObject(o, "peer_mtu", dev->peer_mtu);
	if (ps->pair.mode == PP_MODE_TCX) {
		store_link_path(snap->dir, ps->key.name, d, path, sizeof(path));
		cJSON_AddStringToObject(o, "link_pin", path);
	} else {
		cJSON_AddNumberToObject(o, "tc_handle", dev->tc_handle);
		cJSON_AddNumberToObject(o, "tc_priority", dev->tc_priority);
	}
	return o;
}

static int status_json(FILE *out, const struct snapshot *snap)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	char since[32];
	int i;

	cJSON_AddStringToObject(root, "pin_dir", snap->dir);
	arr = cJSON_AddArrayToObject(root, "pairs");
	for (i = 0; i < snap->n; i++) {
		const struct pair_snapshot *ps = &snap->pairs[i];
		cJSON *o = cJSON_CreateObject();

		format_time(ps->pair.attached_at, since, sizeof(since));
		cJSON_AddStringToObject(o, "name", ps->key.name);
		cJSON_AddNumberToObject(o, "id", ps->pair.pair_id);
		cJSON_AddStringToObject(o, "mode", journal_mode_name(ps->pair.mode));
		cJSON_AddStringToObject(o, "state", state_name(ps));
		cJSON_AddStringToObject(o, "program", program_name(ps));
		cJSON_AddStringToObject(o, "attached_at", since);
		cJSON_AddItemToObject(o, "dev_a", dev_json(snap, ps, 0));
		cJSON_AddItemToObject(o, "dev_b", dev_json(snap, ps, 1));
		cJSON_AddItemToArray(arr, o);
	}
	return json_print(out, root);
}

int format_status(FILE *out, const struct snapshot *snap, enum output_format format)
{
	char since[32];
	int i;

	if (format == FORMAT_JSON)
		return status_json(out, snap);
	fprintf(out, "%-16s %-15s %-15s %-4s %-6s %-7s %s\n",
		"PAIR", "DEV_A", "DEV_B", "MODE", "STATE", "PROGRAM", "SINCE");
	for (i = 0; i < snap->n; i++) {
		const struct pair_snapshot *ps = &snap->pairs[i];

		format_time(ps->pair.attached_at, since, sizeof(since));
		fprintf(out, "%-16s %-15s %-15s %-4s %-6s %-7s %s\n", ps->key.name,
			ps->pair.dev[0].ifname, ps->pair.dev[1].ifname,
			journal_mode_name(ps->pair.mode), state_name(ps), program_name(ps),
			since);
	}
	return 0;
}
