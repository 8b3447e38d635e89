/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __PAIRPATH_CONTROL_FOLLOW_H
#define __PAIRPATH_CONTROL_FOLLOW_H

#include "kernel/veth.h"
#include "state/store.h"

/*
 * Bring the ports and the record of a pair in line with its devices as
 * they are now (now[d] as veth_lookup_index() read device d, which must
 * still be the recorded one): a far side with a new MAC, MTU or name is
 * rewritten in place, whole. 0, -ENOENT for no such pair, or -errno.
 */
int pair_follow(struct store *st, const char *name, const struct veth_info now[PP_DIR_MAX]);
/* Mark a pair broken, saying why, and retire its ports: frames go to the host stack. */
int pair_break(struct store *st, const char *name, const char *why);

#endif /* __PAIRPATH_CONTROL_FOLLOW_H */
