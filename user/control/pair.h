/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Pairs: two host-side veths cross-connected, attached and detached whole. */
#ifndef __PAIRPATH_CONTROL_PAIR_H
#define __PAIRPATH_CONTROL_PAIR_H

#include <stdbool.h>
#include "kernel/veth.h"
#include "state/store.h"

/* attach's mode: an enum pp_mode, or this to take tcx where the kernel has it. */
#define PAIR_MODE_AUTO	0

/*
 * Each returns 0 or a negative errno after printing why; on failure
 * nothing it did is left behind.
 */
int pair_attach(struct store *st, const char *name, const struct veth_info *a,
		const struct veth_info *b, int mode);
int pair_detach(struct store *st, const char *name);
int pair_detach_all(struct store *st);
/* Roll back pairs an interrupted pairpath left half attached or half detached. */
int pair_recover(struct store *st);
bool pair_exists(const struct store *st, const char *name);
/* Is there a record of name left half attached or half detached? */
bool pair_unfinished(const struct store *st, const char *name);
/* Remove pairs whose devices or hooks are gone. */
int pair_gc(struct store *st);
/* Move a pair (all if name is NULL) to the program built into this pairpath. */
int pair_upgrade(struct store *st, const char *name);
#endif /* __PAIRPATH_CONTROL_PAIR_H */
