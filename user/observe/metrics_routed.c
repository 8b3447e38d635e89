// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Routed mode's metric families: endpoints and uplinks, in the pairs' conventions. */
#include <stddef.h>
#include <arpa/inet.h>
#include "metrics.h"
#include "observe/format.h"
#include "observe/labels.h"
#include "observe/metrics_text.h"

static void endpoint(FILE *out, const char *metric, const struct endpoint_snapshot *es)
{
	fprintf(out, "%s{", metric);
	metrics_label(out, PP_LABEL_ENDPOINT, es->key.name, true);
}

static void endpoint_dirs(FILE *out, const char *metric, const struct snapshot *snap,
			  size_t field)
{
	int i, d;

	for (i = 0; i < snap->n_endpoints; i++)
		for (d = 0; d < RT_DIR_MAX; d++) {
			const __u64 *v = (const __u64 *)((const char *)&snap->endpoints[i].sum +
							 field);

			endpoint(out, metric, &snap->endpoints[i]);
			metrics_label(out, PP_LABEL_DIRECTION, rt_dir_labels[d], false);
			fprintf(out, "} %llu\n", (unsigned long long)v[d]);
		}
}

/* The reasons that drop (drops) or those that hand over (handovers). */
static void endpoint_reasons(FILE *out, const char *metric, const struct snapshot *snap,
			     bool drops)
{
	int i, r;

	for (i = 0; i < snap->n_endpoints; i++)
		for (r = 0; r < RT_REASON_MAX; r++) {
			if (snapshot_rt_reason_drops(r) != drops)
				continue;
			endpoint(out, metric, &snap->endpoints[i]);
			metrics_label(out, PP_LABEL_REASON, rt_reason_labels[r], false);
			fprintf(out, "} %llu\n",
				(unsigned long long)snap->endpoints[i].sum.reasons[r]);
		}
}

static void endpoint_info(FILE *out, const struct snapshot *snap)
{
	char v4[INET6_ADDRSTRLEN], v6[INET6_ADDRSTRLEN], mac[18];
	int i;

	for (i = 0; i < snap->n_endpoints; i++) {
		const struct endpoint_snapshot *es = &snap->endpoints[i];

		format_endpoint_addrs(&es->rec.ep, v4, v6, sizeof(v4));
		format_mac_str(es->rec.ep.mac, mac, sizeof(mac));
		endpoint(out, PP_METRIC_EP_INFO, es);
		metrics_label(out, PP_LABEL_DEVICE, es->rec.dev.ifname, false);
		metrics_label(out, PP_LABEL_IPV4, (es->rec.ep.flags & RT_EP_IPV4) ? v4 : "", false);
		metrics_label(out, PP_LABEL_IPV6, (es->rec.ep.flags & RT_EP_IPV6) ? v6 : "", false);
		metrics_label(out, PP_LABEL_MAC, mac, false);
		fprintf(out, "} 1\n");
	}
}

/* One series per uplink of the __u64 at `field` in its sums. */
static void uplink_counter(FILE *out, const char *metric, const struct snapshot *snap,
			   size_t field)
{
	int i;

	for (i = 0; i < snap->n_uplinks; i++) {
		fprintf(out, "%s{", metric);
		metrics_label(out, PP_LABEL_UPLINK, snap->uplinks[i].up.ifname, true);
		fprintf(out, "} %llu\n", *(const unsigned long long *)
			((const char *)&snap->uplinks[i].sum + field));
	}
}

static void uplinks(FILE *out, const struct snapshot *snap)
{
	int i, r;

	metrics_family(out, PP_METRIC_UL_PACKETS, "counter",
		       "Frames from an uplink delivered into a local container.");
	uplink_counter(out, PP_METRIC_UL_PACKETS, snap, offsetof(struct rt_uplink_stats, packets));
	metrics_family(out, PP_METRIC_UL_BYTES, "counter",
		       "Bytes from an uplink delivered into a local container, Ethernet header "
		       "included.");
	uplink_counter(out, PP_METRIC_UL_BYTES, snap, offsetof(struct rt_uplink_stats, bytes));
	metrics_family(out, PP_METRIC_UL_HANDOVERS, "counter",
		       "Frames from an uplink left to the host stack, by reason.");
	for (i = 0; i < snap->n_uplinks; i++)
		for (r = 0; r < RT_REASON_MAX; r++) {
			if (snapshot_rt_reason_drops(r))
				continue;
			fprintf(out, "%s{", PP_METRIC_UL_HANDOVERS);
			metrics_label(out, PP_LABEL_UPLINK, snap->uplinks[i].up.ifname, true);
			metrics_label(out, PP_LABEL_REASON, rt_reason_labels[r], false);
			fprintf(out, "} %llu\n", (unsigned long long)snap->uplinks[i].sum.reasons[r]);
		}
}

void metrics_write_routed(FILE *out, const struct snapshot *snap)
{
	int i;

	metrics_family(out, PP_METRIC_EP_PACKETS, "counter",
		       "Frames the routed program delivered: into the container (to) and "
		       "from it (from).");
	endpoint_dirs(out, PP_METRIC_EP_PACKETS, snap, offsetof(struct rt_ep_stats, packets));
	metrics_family(out, PP_METRIC_EP_BYTES, "counter",
		       "Bytes the routed program delivered, Ethernet header included.");
	endpoint_dirs(out, PP_METRIC_EP_BYTES, snap, offsetof(struct rt_ep_stats, bytes));
	metrics_family(out, PP_METRIC_EP_DROPS, "counter",
		       "Frames from the container the routed program dropped, by reason.");
	endpoint_reasons(out, PP_METRIC_EP_DROPS, snap, true);
	metrics_family(out, PP_METRIC_EP_HANDOVERS, "counter",
		       "Frames from the container left to the host stack unchanged, by reason.");
	endpoint_reasons(out, PP_METRIC_EP_HANDOVERS, snap, false);
	metrics_family(out, PP_METRIC_EP_ANSWERS, "counter",
		       "ARP requests for 169.254.1.1 and neighbour solicitations for fe80::1 "
		       "the routed program answered.");
	for (i = 0; i < snap->n_endpoints; i++) {
		endpoint(out, PP_METRIC_EP_ANSWERS, &snap->endpoints[i]);
		metrics_label(out, PP_LABEL_PROTOCOL, "arp", false);
		fprintf(out, "} %llu\n", (unsigned long long)snap->endpoints[i].sum.arp_answered);
		endpoint(out, PP_METRIC_EP_ANSWERS, &snap->endpoints[i]);
		metrics_label(out, PP_LABEL_PROTOCOL, "nd", false);
		fprintf(out, "} %llu\n", (unsigned long long)snap->endpoints[i].sum.nd_answered);
	}
	metrics_family(out, PP_METRIC_EP_FIB, "counter",
		       "Of the frames from the container, those sent out by bpf_fib_lookup() "
		       "(--fib), not into a local container.");
	for (i = 0; i < snap->n_endpoints; i++) {
		endpoint(out, PP_METRIC_EP_FIB, &snap->endpoints[i]);
		fprintf(out, "} %llu\n", (unsigned long long)snap->endpoints[i].sum.fib_forwarded);
	}
	metrics_family(out, PP_METRIC_EP_INFO, "gauge",
		       "Always 1: an endpoint with its host-side device, addresses and MAC.");
	endpoint_info(out, snap);
	metrics_family(out, PP_METRIC_EP_UP, "gauge",
		       "1 while the endpoint is live and its device exists.");
	for (i = 0; i < snap->n_endpoints; i++) {
		endpoint(out, PP_METRIC_EP_UP, &snap->endpoints[i]);
		fprintf(out, "} %d\n", snap->endpoints[i].up);
	}
	metrics_family(out, PP_METRIC_ENDPOINTS, "gauge",
		       "Routed endpoints in this network namespace.");
	fprintf(out, "%s %d\n", PP_METRIC_ENDPOINTS, snap->n_endpoints);
	uplinks(out, snap);
}
