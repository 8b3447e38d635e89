// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>
#include "metrics.h"
#include "observe/metrics_text.h"
#include "observe/labels.h"
#include "state/journal.h"

/*
 * Label values escape backslash, double quote and newline. A scrape of
 * thousands of pairs is millions of characters: copy the runs between
 * those in one go, not a locked fputc() each.
 */
void metrics_label(FILE *out, const char *name, const char *value, bool first)
{
	size_t n;

	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	for (;;) {
		n = strcspn(value, "\\\"\n");
		fwrite(value, 1, n, out);
		value += n;
		if (!*value)
			break;
		fputs(*value == '\n' ? "\\n" : *value == '"' ? "\\\"" : "\\\\", out);
		value++;
	}
	fputc('"', out);
}

void metrics_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void pair_dir(FILE *out, const char *metric, const struct pair_snapshot *ps, int d)
{
	fprintf(out, "%s{", metric);
	metrics_label(out, PP_LABEL_PAIR, ps->key.name, true);
	metrics_label(out, PP_LABEL_DIRECTION, pp_dir_labels[d], false);
}

/* One series per pair and direction of the __u64 at `field` in the sums. */
static void pair_dir_counter(FILE *out, const char *metric, const struct snapshot *snap,
			     size_t field)
{
	int i, d;

	for (i = 0; i < snap->n; i++)
		for (d = 0; d < PP_DIR_MAX; d++) {
			const char *sum = (const char *)&snap->pairs[i].dir[d].sum;

			pair_dir(out, metric, &snap->pairs[i], d);
			fprintf(out, "} %llu\n", *(const unsigned long long *)(sum + field));
		}
}

int metrics_write(FILE *out, const struct snapshot *snap)
{
	struct utsname u;
	int i, d, r;

	metrics_family(out, PP_METRIC_PACKETS, "counter",
	       "Frames redirected to the far container (socket buffers at TC ingress).");
	pair_dir_counter(out, PP_METRIC_PACKETS, snap, offsetof(struct pp_port_stats, packets));
	metrics_family(out, PP_METRIC_BYTES, "counter",
	       "Bytes redirected to the far container, Ethernet header included.");
	pair_dir_counter(out, PP_METRIC_BYTES, snap, offsetof(struct pp_port_stats, bytes));

	metrics_family(out, PP_METRIC_DROPS, "counter",
	       "Frames the pairpath program did not redirect, by pairpath's reason: dropped, "
	       "or for peer_gone handed to the host stack.");
	for (i = 0; i < snap->n; i++)
		for (d = 0; d < PP_DIR_MAX; d++)
			for (r = 0; r < PP_DROP_REASON_MAX; r++) {
				pair_dir(out, PP_METRIC_DROPS, &snap->pairs[i], d);
				metrics_label(out, PP_LABEL_REASON, pp_drop_labels[r], false);
				fprintf(out, "} %llu\n",
					(unsigned long long)snap->pairs[i].dir[d].sum.drops[r]);
			}

	metrics_family(out, PP_METRIC_KERNEL_DROPS, "counter",
	       "Frames the kernel dropped on the pair's path, by the kernel's drop reason.");
	for (i = 0; i < snap->n; i++) {
		const struct pair_snapshot *ps = &snap->pairs[i];

		for (r = 0; r < ps->nkdrops; r++) {
			pair_dir(out, PP_METRIC_KERNEL_DROPS, ps, ps->kdrops[r].dir & 1);
			metrics_label(out, PP_LABEL_REASON, ps->kdrops[r].name, false);
			fprintf(out, "} %llu\n", (unsigned long long)ps->kdrops[r].count);
		}
	}

	metrics_family(out, PP_METRIC_KERNEL_DROPS_UNTRACKED, "counter",
	       "Kernel drops on a pair's path that went uncounted by pair and reason: "
	       "the kernel-drop table was full.");
	fprintf(out, "%s %llu\n", PP_METRIC_KERNEL_DROPS_UNTRACKED,
		(unsigned long long)snap->kdrops_untracked);

	metrics_family(out, PP_METRIC_PAIR_INFO, "gauge",
	       "Always 1: a pair with its host-side devices and attach mode.");
	for (i = 0; i < snap->n; i++) {
		const struct pair_snapshot *ps = &snap->pairs[i];

		fprintf(out, "%s{", PP_METRIC_PAIR_INFO);
		metrics_label(out, PP_LABEL_PAIR, ps->key.name, true);
		metrics_label(out, PP_LABEL_DEV_A, ps->pair.dev[0].ifname, false);
		metrics_label(out, PP_LABEL_DEV_B, ps->pair.dev[1].ifname, false);
		metrics_label(out, PP_LABEL_MODE, journal_mode_name(ps->pair.mode), false);
		fprintf(out, "} 1\n");
	}

	metrics_family(out, PP_METRIC_PAIR_UP, "gauge",
	       "1 while both devices exist and the pair's hooks are attached.");
	for (i = 0; i < snap->n; i++) {
		fprintf(out, "%s{", PP_METRIC_PAIR_UP);
		metrics_label(out, PP_LABEL_PAIR, snap->pairs[i].key.name, true);
		fprintf(out, "} %d\n", snap->pairs[i].up);
	}

	metrics_family(out, PP_METRIC_PAIRS, "gauge", "Pairs attached in this network namespace.");
	fprintf(out, "%s %d\n", PP_METRIC_PAIRS, snap->n);

	metrics_write_routed(out, snap);

	metrics_family(out, PP_METRIC_BUILD_INFO, "gauge",
	       "Always 1: the pairpath version, libbpf version and kernel release.");
	fprintf(out, "%s{", PP_METRIC_BUILD_INFO);
	metrics_label(out, PP_LABEL_VERSION, PAIRPATH_VERSION, true);
	metrics_label(out, PP_LABEL_LIBBPF, libbpf_version_string(), false);
	metrics_label(out, PP_LABEL_KERNEL, uname(&u) ? "unknown" : u.release, false);
	fprintf(out, "} 1\n");
	return ferror(out) ? -EIO : 0;
}
