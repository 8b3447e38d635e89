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

#endif /* __PAIRPATH_OBSERVE_FORMAT_H */
