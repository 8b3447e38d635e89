// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include "control/follow.h"
#include "control/reconcile.h"
#include "kernel/netns.h"
#include "lib/log.h"
#include "state/journal.h"
#include "state/liveness.h"

void reconcile_add(struct reconcile_set *set, const struct link_event *ev)
{
	if (ev->type == RTM_NEWNSID || ev->type == RTM_DELNSID)
		set->nsids = true;
	if (set->n == RECONCILE_EVENTS)
		set->all = true;
	else
		set->ev[set->n++] = *ev;
}

/*
 * Did an event name one of the pair's devices: a host-side veth in this
 * netns, a container end in the netns of its nsid, or that nsid itself?
 */
static bool named(const struct reconcile_set *set, const struct pp_pair *p)
{
	const struct link_event *ev;
	int i, d;

	for (i = 0; i < set->n; i++) {
		ev = &set->ev[i];
		for (d = 0; d < PP_DIR_MAX; d++) {
			const struct pp_dev *dev = &p->dev[d];

			if (ev->type == RTM_NEWNSID || ev->type == RTM_DELNSID) {
				if (ev->nsid == dev->peer_netnsid)
					return true;
			} else if (ev->netnsid == LINKWATCH_HERE ?
				   (__u32)ev->ifindex == dev->ifindex :
				   ev->netnsid == dev->peer_netnsid &&
				   (__u32)ev->ifindex == dev->peer_ifindex) {
				return true;
			}
		}
	}
	return false;
}

/* Follow or break one pair; 1 if it changed something. */
static int check_pair(struct store *st, const struct journal_entry *e, int *followed,
		      int *broken)
{
	struct veth_info now[PP_DIR_MAX];
	enum dev_state state[PP_DIR_MAX];
	char why[96];
	int d, err;

	for (d = 0; d < PP_DIR_MAX; d++)
		state[d] = liveness_dev(&e->pair.dev[d], &now[d]);
	for (d = 0; d < PP_DIR_MAX; d++) {
		if (state[d] != DEV_GONE)
			continue;
		snprintf(why, sizeof(why), "device '%s' (ifindex %u) is gone or is another one",
			 e->pair.dev[d].ifname, e->pair.dev[d].ifindex);
		err = pair_break(st, e->key.name, why);
		if (!err)
			(*broken)++;
		return err;
	}
	/* A device that could not be asked is left as it is until the next pass. */
	if (state[0] == DEV_UNKNOWN || state[1] == DEV_UNKNOWN ||
	    (state[0] == DEV_SAME && state[1] == DEV_SAME))
		return 0;
	err = pair_follow(st, e->key.name, now);
	if (!err)
		(*followed)++;
	return err;
}

int reconcile(struct store *st, struct reconcile_set *set, int *followed, int *broken)
{
	struct journal_entry *list;
	int n, i, err, ret = 0;

	*followed = *broken = 0;
	if (set->nsids)
		netns_ids_forget();
	err = store_lock(st);
	if (err)
		return err;
	n = journal_list(st, &list);
	if (n < 0) {
		store_unlock(st);
		return n;
	}
	for (i = 0; i < n; i++) {
		const struct pp_pair *p = &list[i].pair;

		if (p->state != PP_PAIR_ATTACHED || (p->flags & PP_PAIR_BROKEN))
			continue;
		if (!set->all && !named(set, p))
			continue;
		err = check_pair(st, &list[i], followed, broken);
		if (err && !ret)
			ret = err;
	}
	free(list);
	store_unlock(st);
	memset(set, 0, sizeof(*set));
	return ret;
}
