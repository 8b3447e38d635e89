// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What one scrape costs with many pairs and a full kernel-drop table:
 * PAIRS pair records on the dummy devices d<i>a and d<i>b of the netns
 * it runs in (bench/run.sh makes them), their ports, and the kdrops map
 * filled to its max_entries with counts of those pairs. Then the
 * exporter's own work, snapshot_take() and metrics_write(), RUNS times:
 * every map read, each pair judged as serve judges it, the text made.
 * The pairs have no tcx links (a pin lookup that fails instead of one
 * that succeeds); everything else is the path of a real scrape.
 *
 *   scrape PIN_ROOT [PAIRS [RUNS]]
 *
 * prints "pairs=P kdrop_entries=K runs=R median_ms=M min_ms=A max_ms=B
 * bytes=N": the scrape's time and the size of its text.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "tool.h"
#include "observe/metrics_text.h"
#include "observe/snapshot.h"
#include "state/journal.h"
#include "state/store.h"

#define KDROP_REASONS	4	/* a pair's entries: 2 directions x 4 reasons */

static int add_pair(struct store *st, int i)
{
	struct pp_pair_key key;
	struct pp_pair pair = { .pair_id = i + 1, .mode = PP_MODE_TCX, .state = PP_PAIR_ATTACHED };
	struct pp_port port;
	char name[32];
	int d, err;

	for (d = 0; d < PP_DIR_MAX; d++) {
		snprintf(pair.dev[d].ifname, sizeof(pair.dev[d].ifname), "d%d%c", i, "ab"[d]);
		pair.dev[d].ifindex = if_nametoindex(pair.dev[d].ifname);
		if (!pair.dev[d].ifindex) {
			fprintf(stderr, "scrape: device '%s': %s\n", pair.dev[d].ifname,
				strerror(errno));
			return -errno;
		}
	}
	for (d = 0; d < PP_DIR_MAX; d++) {
		memset(&port, 0, sizeof(port));
		port.ifindex = pair.dev[d].ifindex;
		port.pair_id = pair.pair_id;
		port.dir = d;
		err = ports_add(&st->ports, &port, pair.dev[!d].ifindex);
		if (err)
			return err;
	}
	snprintf(name, sizeof(name), "p%d", i);
	journal_key(name, &key);
	return journal_put(st, &key, &pair, BPF_NOEXIST);
}

/* Counts for every pair until the map is full, as the tracer would add them. */
static int fill_kdrops(struct store *st, int pairs, int *entries)
{
	struct pp_kdrop_key key = {};
	__u64 *ones = calloc(st->ncpus, sizeof(*ones));
	int i, cpu;

	if (!ones)
		return -ENOMEM;
	for (cpu = 0; cpu < st->ncpus; cpu++)
		ones[cpu] = 1;
	*entries = 0;
	for (i = 0; ; i++) {
		key.pair_id = i % pairs + 1;
		key.dir = i / pairs % PP_DIR_MAX;
		key.reason = 2 + i / pairs / PP_DIR_MAX;
		if (bpf_map_update_elem(st->kdrops_fd, &key, ones, BPF_NOEXIST))
			break;
		(*entries)++;
	}
	free(ones);
	return errno == E2BIG ? 0 : -errno;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static int one_scrape(struct store *st, unsigned long long *ns, size_t *bytes)
{
	unsigned long long start = now_ns();
	struct snapshot snap;
	char *buf = NULL;
	FILE *out;
	int err;

	out = open_memstream(&buf, bytes);
	if (!out)
		return -ENOMEM;
	err = snapshot_take(st, false, &snap);
	if (!err) {
		err = metrics_write(out, &snap);
		snapshot_free(&snap);
	}
	fclose(out);
	*ns = now_ns() - start;
	free(buf);
	return err;
}

int main(int argc, char **argv)
{
	long pairs = PP_MAX_PAIRS, runs = 7;
	unsigned long long *ns;
	int i, entries = 0, err;
	struct store st;
	size_t bytes = 0;

	if (argc < 2 || argc > 4 ||
	    (argc > 2 && parse_num("scrape", argv[2], 1, PP_MAX_PAIRS, &pairs)) ||
	    (argc > 3 && parse_num("scrape", argv[3], 1, 1000, &runs))) {
		fprintf(stderr, "usage: scrape PIN_ROOT [PAIRS [RUNS]]\n");
		return 2;
	}
	err = store_open(&st, argv[1], STORE_CREATE);
	if (err) {
		fprintf(stderr, "scrape: cannot make the pinned state under %s: %s\n", argv[1],
			strerror(-err));
		return 1;
	}
	if (st.kdrops_fd < 0) {
		fprintf(stderr, "scrape: no kernel-drop tracer state to fill\n");
		err = -ENOENT;
	}
	for (i = 0; !err && i < pairs; i++)
		err = add_pair(&st, i);
	if (!err)
		err = fill_kdrops(&st, pairs, &entries);
	ns = calloc(runs, sizeof(*ns));
	if (!err && !ns)
		err = -ENOMEM;
	for (i = 0; !err && i < runs; i++)
		err = one_scrape(&st, &ns[i], &bytes);
	if (!err) {
		qsort(ns, runs, sizeof(*ns), cmp_ull);
		printf("pairs=%ld kdrop_entries=%d runs=%ld median_ms=%.1f min_ms=%.1f max_ms=%.1f "
		       "bytes=%zu\n", pairs, entries, runs, ns[runs / 2] / 1e6, ns[0] / 1e6,
		       ns[runs - 1] / 1e6, bytes);
	} else {
		fprintf(stderr, "scrape: %s\n", strerror(-err));
	}
	free(ns);
	store_close(&st);
	return err ? 1 : 0;
}
