/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __PAIRPATH_SHOW_H
#define __PAIRPATH_SHOW_H

#include <stdio.h>
#include "cmd/cli.h"
#include "state/store.h"

/* st may be NULL: no state under the pin root for this netns. */
int show_status(FILE *out, const struct store *st, enum cli_format format);
int show_stats(FILE *out, const struct store *st, enum cli_format format);
/* Redraw the stats table with rates every secs seconds until a signal. */
int show_stats_watch(FILE *out, const struct store *st, unsigned int secs);

#endif /* __PAIRPATH_SHOW_H */
