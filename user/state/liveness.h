/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Is a pair up, and are its devices still the ones attach recorded? A
 * device is known by the netns it is in (the store's, by cookie), its
 * ifindex and name, and its veth peer: the peer's ifindex and netns
 * (by cookie where one was found; nsids are reused lowest-first).
 */
#ifndef __PAIRPATH_STATE_LIVENESS_H
#define __PAIRPATH_STATE_LIVENESS_H

#include <stdbool.h>
#include "kernel/veth.h"
#include "state/store.h"

enum dev_state {
	DEV_SAME,		/* the recorded device, its container end as recorded */
	DEV_FAR_CHANGED,	/* the recorded device; its container end has a new MAC, MTU or name */
	DEV_GONE,		/* no such device, or another one: not the recorded device */
	DEV_UNKNOWN,		/* it could not be asked (no privilege to read the peer) */
};

/*
 * How the recorded device is now, asked through netlink in the current
 * netns (which must be the store's); *now holds what was read.
 */
enum dev_state liveness_dev(const struct pp_dev *dev, struct veth_info *now);
/*
 * The cheap answer every reader can give: attached, not marked broken,
 * both far veths still in peer_devs, and in the store's own netns both
 * devices there under their names with their hooks attached.
 */
bool liveness_pair_up(const struct store *st, const char *name, const struct pp_pair *p);
/*
 * The whole answer, for the commands, gc and the agent: also each
 * device's identity (a device that cannot be asked counts as intact).
 */
bool liveness_pair_intact(const struct store *st, const char *name, const struct pp_pair *p);

#endif /* __PAIRPATH_STATE_LIVENESS_H */
