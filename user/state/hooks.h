/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The hook of each device of a pair, in the pair's mode: a pinned tcx
 * link (found by the pair's name) or a legacy cls_bpf filter (found by
 * the handle and priority in the pair's record).
 */
#ifndef __PAIRPATH_STATE_HOOKS_H
#define __PAIRPATH_STATE_HOOKS_H

#include <stdbool.h>
#include "state/store.h"

/*
 * Fill in what the hooks of a new pair will be, before its record is
 * written: every part must be findable from the record alone, also
 * whether the clsact qdisc will be ours.
 */
int hooks_prepare(struct pp_pair *p);
/* Each returns 0 or a negative errno after saying why. */
int hooks_attach(struct store *st, const char *name, struct pp_pair *p, int d);
int hooks_detach(struct store *st, const char *name, const struct pp_pair *p, int d);
/* Put the store's program behind the hook that is there, without a gap. */
int hooks_replace(struct store *st, const char *name, const struct pp_pair *p, int d);
/* Both devices still there under their names, and both hooks attached to them. */
bool hooks_pair_up(const struct store *st, const char *name, const struct pp_pair *p);

#endif /* __PAIRPATH_STATE_HOOKS_H */
