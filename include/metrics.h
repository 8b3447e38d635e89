/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The metric families pairpath exports and their labels, in one place.
 * Names follow the Prometheus conventions: one prefix, base units,
 * _total on counters.
 */
#ifndef __PAIRPATH_METRICS_H
#define __PAIRPATH_METRICS_H

#define PP_METRIC_PACKETS	"pairpath_packets_total"
#define PP_METRIC_BYTES		"pairpath_bytes_total"
#define PP_METRIC_DROPS		"pairpath_drops_total"
#define PP_METRIC_KERNEL_DROPS	"pairpath_kernel_drops_total"
#define PP_METRIC_KERNEL_DROPS_UNTRACKED "pairpath_kernel_drops_untracked_total"
#define PP_METRIC_PAIR_INFO	"pairpath_pair_info"
#define PP_METRIC_PAIR_UP	"pairpath_pair_up"
#define PP_METRIC_PAIRS		"pairpath_pairs"
#define PP_METRIC_BUILD_INFO	"pairpath_build_info"

/* Routed mode: endpoints and uplinks. */
#define PP_METRIC_EP_PACKETS	"pairpath_endpoint_packets_total"
#define PP_METRIC_EP_BYTES	"pairpath_endpoint_bytes_total"
#define PP_METRIC_EP_DROPS	"pairpath_endpoint_drops_total"
#define PP_METRIC_EP_HANDOVERS	"pairpath_endpoint_handovers_total"
#define PP_METRIC_EP_ANSWERS	"pairpath_endpoint_answers_total"
#define PP_METRIC_EP_INFO	"pairpath_endpoint_info"
#define PP_METRIC_EP_UP		"pairpath_endpoint_up"
#define PP_METRIC_ENDPOINTS	"pairpath_endpoints"
#define PP_METRIC_UL_PACKETS	"pairpath_uplink_packets_total"
#define PP_METRIC_UL_BYTES	"pairpath_uplink_bytes_total"
#define PP_METRIC_UL_HANDOVERS	"pairpath_uplink_handovers_total"

#define PP_LABEL_PAIR		"pair"
#define PP_LABEL_DIRECTION	"direction"
#define PP_LABEL_REASON		"reason"
#define PP_LABEL_DEV_A		"dev_a"
#define PP_LABEL_DEV_B		"dev_b"
#define PP_LABEL_MODE		"mode"
#define PP_LABEL_VERSION	"version"
#define PP_LABEL_LIBBPF		"libbpf_version"
#define PP_LABEL_KERNEL		"kernel"
#define PP_LABEL_ENDPOINT	"endpoint"
#define PP_LABEL_DEVICE		"device"
#define PP_LABEL_IPV4		"ipv4"
#define PP_LABEL_IPV6		"ipv6"
#define PP_LABEL_MAC		"mac"
#define PP_LABEL_PROTOCOL	"protocol"
#define PP_LABEL_UPLINK		"uplink"

/* Values of the direction label; A is the first device given to attach. */
#define PP_DIRECTION_A_TO_B	"a_to_b"
#define PP_DIRECTION_B_TO_A	"b_to_a"
/* An endpoint's: into the container, and from it (delivered by the program). */
#define PP_DIRECTION_TO		"to"
#define PP_DIRECTION_FROM	"from"

#endif /* __PAIRPATH_METRICS_H */
