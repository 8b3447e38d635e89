/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __PAIRPATH_OBSERVE_METRICS_TEXT_H
#define __PAIRPATH_OBSERVE_METRICS_TEXT_H

#include <stdio.h>
#include "observe/snapshot.h"

/* The Prometheus text exposition format, version 0.0.4. */
#define PP_METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

int metrics_write(FILE *out, const struct snapshot *snap);

#endif /* __PAIRPATH_OBSERVE_METRICS_TEXT_H */
