/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What status and stats print. Each writer renders a snapshot and
 * nothing else: no bpf(), no netlink, no state of its own.
 */
#ifndef __PAIRPATH_OBSERVE_FORMAT_H
#define __PAIRPATH_OBSERVE_FORMAT_H

#include <stdio.h>
#include "observe/snapshot.h"

enum output_format {
	FORMAT_TABLE = 0,
	FORMAT_JSON,
	FORMAT_PROMETHEUS,	/* stats only: metrics_text.h */
};

int format_status(FILE *out, const struct snapshot *snap, enum output_format format);
int format_stats(FILE *out, const struct snapshot *snap, enum output_format format);
/* The stats table; with prev, the rates since that earlier snapshot too. */
void format_stats_table(FILE *out, const struct snapshot *snap, const struct snapshot *prev);
/* The endpoints' and uplinks' part of stats (format_stats_routed.c). */
void format_stats_routed_table(FILE *out, const struct snapshot *snap);
struct cJSON;
void format_stats_routed_json(struct cJSON *root, const struct snapshot *snap);
/* endpoint list, uplink list. */
int format_endpoints(FILE *out, const struct snapshot *snap, enum output_format format);
int format_uplinks(FILE *out, const struct snapshot *snap, enum output_format format);
/* An endpoint's addresses as text, "-" for none; a MAC as text. */
void format_endpoint_addrs(const struct rt_endpoint *ep, char *v4, char *v6, size_t len);
void format_mac_str(const __u8 *mac, char *buf, size_t len);

#endif /* __PAIRPATH_OBSERVE_FORMAT_H */
