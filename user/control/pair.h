/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __PAIRPATH_PAIR_H
#define __PAIRPATH_PAIR_H

#include "cmd/cli.h"
#include "state/store.h"
#include "kernel/veth.h"

/*
 * Each returns 0 or a negative errno after printing why; on failure
 * nothing it did is left behind.
 */
int pair_attach(struct store *st, const char *name, const struct veth_info *a,
		const struct veth_info *b, enum cli_mode mode);
int pair_detach(struct store *st, const char *name);
int pair_detach_all(struct store *st);
/* Roll back pairs an interrupted pairpath left half attached or detached. */
int pair_recover(struct store *st);
bool pair_exists(const struct store *st, const char *name);
/* Is there a record of name left half attached or half detached? */
bool pair_unfinished(const struct store *st, const char *name);
/* Remove pairs whose devices or hooks are gone. */
int pair_gc(struct store *st);
/* Move a pair (all if name is NULL) to the program built into this pairpath. */
int pair_upgrade(struct store *st, const char *name);
bool pair_needs_upgrade(const struct store *st);

const char *pair_mode_name(int mode);
/* Both devices still there under their names, and both hooks in place. */
bool pair_is_up(const struct store *st, const char *name, const struct pp_pair *p);

#endif /* __PAIRPATH_PAIR_H */
