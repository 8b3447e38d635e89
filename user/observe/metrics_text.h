/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __PAIRPATH_OBSERVE_METRICS_TEXT_H
#define __PAIRPATH_OBSERVE_METRICS_TEXT_H

#include <stdbool.h>
#include <stdio.h>
#include "observe/snapshot.h"

/* The Prometheus text exposition format, version 0.0.4. */
#define PP_METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

int metrics_write(FILE *out, const struct snapshot *snap);
/* The endpoint and uplink families (metrics_routed.c), written by metrics_write(). */
void metrics_write_routed(FILE *out, const struct snapshot *snap);
/* A label name="value", escaped; first: no comma before it. */
void metrics_label(FILE *out, const char *name, const char *value, bool first);
/* The HELP and TYPE lines of a family. */
void metrics_family(FILE *out, const char *name, const char *type, const char *help);

#endif /* __PAIRPATH_OBSERVE_METRICS_TEXT_H */
