// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "pair.h"
#include "show.h"

static const char *const drop_labels[PP_DROP_REASON_SLOTS] = {
#define PP_DROP_LABEL(name, code, label) [code] = label,
	PP_DROP_REASONS(PP_DROP_LABEL)
#undef PP_DROP_LABEL
};

static const char *const dir_labels[PP_DIR_MAX] = { "a_to_b", "b_to_a" };

static void format_time(__u64 secs, char *buf, size_t len)
{
	time_t t = secs;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%llu", (unsigned long long)secs);
}

static void format_mac(const __u8 *mac, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* cJSON keeps numbers as doubles: counters above 2^53 would round. */
static cJSON *json_u64(__u64 v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return cJSON_CreateRaw(buf);
}

static int print_json(FILE *out, cJSON *root)
{
	char *text;

	if (!root)
		return -ENOMEM;
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		return -ENOMEM;
	fprintf(out, "%s\n", text);
	cJSON_free(text);
	return 0;
}

static int list_or_empty(const struct store *st, struct store_pair **list)
{
	*list = NULL;
	return st ? store_list_pairs(st, list) : 0;
}

static cJSON *dev_json(const struct store *st, const char *name,
		       const struct pp_pair *p, int d)
{
	const struct pp_dev *dev = &p->dev[d];
	char mac[18], path[PATH_MAX];
	cJSON *o = cJSON_CreateObject();

	format_mac(dev->peer_mac, mac, sizeof(mac));
	cJSON_AddStringToObject(o, "ifname", dev->ifname);
	cJSON_AddNumberToObject(o, "ifindex", dev->ifindex);
	cJSON_AddStringToObject(o, "peer_ifname", dev->peer_ifname);
	cJSON_AddNumberToObject(o, "peer_ifindex", dev->peer_ifindex);
	cJSON_AddNumberToObject(o, "peer_netnsid", dev->peer_netnsid);
	cJSON_AddStringToObject(o, "peer_mac", mac);
	cJSON_AddNumberToObject(o, "peer_mtu", dev->peer_mtu);
	if (p->mode == PP_MODE_TCX) {
		store_link_path(st, name, d, path, sizeof(path));
		cJSON_AddStringToObject(o, "link_pin", path);
	} else {
		cJSON_AddNumberToObject(o, "tc_handle", dev->tc_handle);
		cJSON_AddNumberToObject(o, "tc_priority", dev->tc_priority);
	}
	return o;
}

int show_status(FILE *out, const struct store *st, enum cli_format format)
{
	struct store_pair *list;
	cJSON *root, *arr;
	char since[32];
	int n, i;

	n = list_or_empty(st, &list);
	if (n < 0)
		return n;
	if (format == FMT_JSON) {
		root = cJSON_CreateObject();
		cJSON_AddStringToObject(root, "pin_dir", st ? st->dir : "");
		arr = cJSON_AddArrayToObject(root, "pairs");
		for (i = 0; i < n; i++) {
			const struct pp_pair *p = &list[i].pair;
			cJSON *o = cJSON_CreateObject();

			format_time(p->attached_at, since, sizeof(since));
			cJSON_AddStringToObject(o, "name", list[i].key.name);
			cJSON_AddNumberToObject(o, "id", p->pair_id);
			cJSON_AddStringToObject(o, "mode", pair_mode_name(p->mode));
			cJSON_AddStringToObject(o, "state",
						pair_is_up(st, list[i].key.name, p) ? "up" : "broken");
			cJSON_AddStringToObject(o, "attached_at", since);
			cJSON_AddItemToObject(o, "dev_a", dev_json(st, list[i].key.name, p, 0));
			cJSON_AddItemToObject(o, "dev_b", dev_json(st, list[i].key.name, p, 1));
			cJSON_AddItemToArray(arr, o);
		}
		free(list);
		return print_json(out, root);
	}

	fprintf(out, "%-16s %-15s %-15s %-4s %-6s %s\n",
		"PAIR", "DEV_A", "DEV_B", "MODE", "STATE", "SINCE");
	for (i = 0; i < n; i++) {
		const struct pp_pair *p = &list[i].pair;

		format_time(p->attached_at, since, sizeof(since));
		fprintf(out, "%-16s %-15s %-15s %-4s %-6s %s\n", list[i].key.name,
			p->dev[0].ifname, p->dev[1].ifname, pair_mode_name(p->mode),
			pair_is_up(st, list[i].key.name, p) ? "up" : "broken", since);
	}
	free(list);
	return 0;
}

struct dir_stats {
	struct pp_port sum;
	__u64 drops;
	bool present;
};

static void read_dir_stats(const struct store *st, const struct pp_pair *p, int d,
			   struct dir_stats *ds)
{
	int r;

	memset(ds, 0, sizeof(*ds));
	ds->present = !store_read_port(st, p->dev[d].ifindex, &ds->sum);
	for (r = 0; r < PP_DROP_REASON_SLOTS; r++)
		ds->drops += ds->sum.drops[r];
}

static void prom_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int show_stats(FILE *out, const struct store *st, enum cli_format format)
{
	struct store_pair *list;
	struct dir_stats ds;
	cJSON *root = NULL, *arr = NULL;
	int n, i, d, r;

	n = list_or_empty(st, &list);
	if (n < 0)
		return n;

	if (format == FMT_JSON) {
		root = cJSON_CreateObject();
		arr = cJSON_AddArrayToObject(root, "pairs");
	} else if (format == FMT_TABLE) {
		fprintf(out, "%-16s %-9s %12s %15s %10s  %s\n", "PAIR", "DIRECTION",
			"PACKETS", "BYTES", "DROPS", "DROP_REASONS");
	}

	for (i = 0; i < n && format != FMT_PROMETHEUS; i++) {
		const struct pp_pair *p = &list[i].pair;
		cJSON *po = NULL, *dirs = NULL;

		if (root) {
			po = cJSON_CreateObject();
			cJSON_AddStringToObject(po, "name", list[i].key.name);
			dirs = cJSON_AddArrayToObject(po, "directions");
			cJSON_AddItemToArray(arr, po);
		}
		for (d = 0; d < PP_DIR_MAX; d++) {
			char reasons[256] = "";
			size_t used = 0;

			read_dir_stats(st, p, d, &ds);
			if (root) {
				cJSON *o = cJSON_CreateObject(), *drops = cJSON_CreateObject();

				cJSON_AddStringToObject(o, "direction", dir_labels[d]);
				cJSON_AddStringToObject(o, "dev", p->dev[d].ifname);
				cJSON_AddItemToObject(o, "packets", json_u64(ds.sum.packets));
				cJSON_AddItemToObject(o, "bytes", json_u64(ds.sum.bytes));
				for (r = 0; r < PP_DROP_REASON_MAX; r++)
					cJSON_AddItemToObject(drops, drop_labels[r],
							      json_u64(ds.sum.drops[r]));
				cJSON_AddItemToObject(o, "drops", drops);
				cJSON_AddItemToArray(dirs, o);
				continue;
			}
			for (r = 0; r < PP_DROP_REASON_MAX; r++)
				if (ds.sum.drops[r] && used < sizeof(reasons))
					used += snprintf(reasons + used, sizeof(reasons) - used,
							 "%s%s=%llu", used ? "," : "", drop_labels[r],
							 (unsigned long long)ds.sum.drops[r]);
			fprintf(out, "%-16s %-9s %12llu %15llu %10llu  %s\n", list[i].key.name,
				dir_labels[d], (unsigned long long)ds.sum.packets,
				(unsigned long long)ds.sum.bytes, (unsigned long long)ds.drops,
				used ? reasons : "-");
		}
	}
	if (root) {
		free(list);
		return print_json(out, root);
	}
	if (format == FMT_PROMETHEUS) {
		prom_family(out, "pairpath_packets_total", "counter",
			    "Frames redirected to the far container, per pair and direction.");
		for (i = 0; i < n; i++)
			for (d = 0; d < PP_DIR_MAX; d++) {
				read_dir_stats(st, &list[i].pair, d, &ds);
				fprintf(out, "pairpath_packets_total{pair=\"%s\",direction=\"%s\"} %llu\n",
					list[i].key.name, dir_labels[d],
					(unsigned long long)ds.sum.packets);
			}
	}
	free(list);
	return 0;
}
