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
 * written: every part must be findable from the record alone. Whether
 * a clsact qdisc is ours is recorded by hooks_attach() once it made it.
 */
void hooks_prepare(struct pp_pair *p);
/*
 * Each returns 0 or a negative errno after saying why. For legacy tc,
 * attach rewrites p's record (by name) when it made the clsact.
 */
int hooks_attach(struct store *st, const char *name, struct pp_pair *p, int d);
/* on_device: device d is still the recorded one (state/liveness.h). */
int hooks_detach(struct store *st, const char *name, const struct pp_pair *p, int d,
		 bool on_device);
/* Put the store's program behind the hook that is there, without a gap. */
int hooks_replace(struct store *st, const char *name, const struct pp_pair *p, int d);
/*
 * Is the hook of device d attached to it? 1 or 0; a negative errno when
 * it cannot be told (a reader without privileges cannot ask of a tcx
 * link). A legacy filter is found by ifindex: only in the store's netns.
 */
int hooks_attached(const struct store *st, const char *name, const struct pp_pair *p, int d);
/* The id of the store's pinned program, the one new pairs get. */
int hooks_pinned_prog_id(const struct store *st, __u32 *prog_id);
/*
 * Do both hooks of the pair run the program pinned_id? 1 or 0; a
 * negative errno when it cannot be told (a hook gone, no privileges).
 */
int hooks_program(const struct store *st, const char *name, const struct pp_pair *p,
		  __u32 pinned_id);

#endif /* __PAIRPATH_STATE_HOOKS_H */
