/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __PAIRPATH_PAIR_H
#define __PAIRPATH_PAIR_H

#include "cli.h"
#include "store.h"
#include "veth.h"

/*
 * Each returns 0 or a negative errno after printing why; on failure
 * nothing it did is left behind.
 */
int pair_attach(struct store *st, const char *name, const struct veth_info *a,
		const struct veth_info *b, enum cli_mode mode);
int pair_detach(struct store *st, const char *name);
int pair_detach_all(struct store *st);

const char *pair_mode_name(int mode);
/* Both devices still there under their names, and both hooks in place. */
bool pair_is_up(const struct store *st, const char *name, const struct pp_pair *p);

#endif /* __PAIRPATH_PAIR_H */
