// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "observe/metrics_text.h"
#include "control/pair.h"
#include "observe/show.h"
#include "observe/snapshot.h"

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
			cJSON *o;

			/* Half-done records are rolled back by the next change. */
			if (p->state != PP_PAIR_ATTACHED)
				continue;
			o = cJSON_CreateObject();
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

		if (p->state != PP_PAIR_ATTACHED)
			continue;
		format_time(p->attached_at, since, sizeof(since));
		fprintf(out, "%-16s %-15s %-15s %-4s %-6s %s\n", list[i].key.name,
			p->dev[0].ifname, p->dev[1].ifname, pair_mode_name(p->mode),
			pair_is_up(st, list[i].key.name, p) ? "up" : "broken", since);
	}
	free(list);
	return 0;
}

static cJSON *stats_json(const struct snapshot *snap)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	char reason[64];
	int i, d, r;

	cJSON_AddBoolToObject(root, "kernel_drops_counted", snap->kdrops_enabled);
	arr = cJSON_AddArrayToObject(root, "pairs");
	for (i = 0; i < snap->n; i++) {
		const struct pair_snapshot *ps = &snap->pairs[i];
		cJSON *po = cJSON_CreateObject(), *dirs;

		cJSON_AddStringToObject(po, "name", ps->key.name);
		dirs = cJSON_AddArrayToObject(po, "directions");
		cJSON_AddItemToArray(arr, po);
		for (d = 0; d < PP_DIR_MAX; d++) {
			const struct dir_snapshot *ds = &ps->dir[d];
			cJSON *o = cJSON_CreateObject(), *drops = cJSON_CreateObject();
			cJSON *kdrops = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "direction", pp_dir_labels[d]);
			cJSON_AddStringToObject(o, "dev", ps->pair.dev[d].ifname);
			cJSON_AddItemToObject(o, "packets", json_u64(ds->sum.packets));
			cJSON_AddItemToObject(o, "bytes", json_u64(ds->sum.bytes));
			for (r = 0; r < PP_DROP_REASON_MAX; r++)
				cJSON_AddItemToObject(drops, pp_drop_labels[r],
						      json_u64(ds->sum.drops[r]));
			cJSON_AddItemToObject(o, "drops", drops);
			for (r = 0; r < ps->nkdrops; r++)
				if (ps->kdrops[r].dir == d)
					cJSON_AddItemToObject(kdrops,
						kdrop_reason_name(ps->kdrops[r].reason, reason,
								  sizeof(reason)),
						json_u64(ps->kdrops[r].count));
			cJSON_AddItemToObject(o, "kernel_drops", kdrops);
			cJSON_AddItemToArray(dirs, o);
		}
	}
	return root;
}

static void stats_table(FILE *out, const struct snapshot *snap, const struct snapshot *prev)
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
}

int show_stats(FILE *out, const struct store *st, enum cli_format format)
{
	struct snapshot snap;
	int err;

	err = snapshot_take(st, &snap);
	if (err)
		return err;
	if (format == FMT_JSON)
		err = print_json(out, stats_json(&snap));
	else if (format == FMT_PROMETHEUS)
		err = metrics_write(out, &snap);
	else
		stats_table(out, &snap, NULL);
	snapshot_free(&snap);
	return err;
}

static volatile sig_atomic_t watch_stop;

static void on_watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

int show_stats_watch(FILE *out, const struct store *st, unsigned int secs)
{
	struct snapshot snap, prev = {};
	struct sigaction sa = { .sa_handler = on_watch_signal };
	bool have_prev = false;
	int err = 0;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!watch_stop) {
		err = snapshot_take(st, &snap);
		if (err)
			break;
		/* Home the cursor and clear: one screen, redrawn in place. */
		fputs("\033[H\033[2J", out);
		stats_table(out, &snap, have_prev ? &prev : NULL);
		fflush(out);
		if (have_prev)
			snapshot_free(&prev);
		prev = snap;
		have_prev = true;
		sleep(secs);
	}
	if (have_prev)
		snapshot_free(&prev);
	return err;
}
