// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include "control/endpoint.h"
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
 * Did an event name the device: a host-side veth in this netns, its
 * container end in the netns of its nsid, or that nsid itself?
 */
static bool named_dev(const struct reconcile_set *set, const struct pp_dev *dev)
{
	const struct link_event *ev;
	int i;

	for (i = 0; i < set->n; i++) {
		ev = &set->ev[i];
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
	return false;
}

static bool named(const struct reconcile_set *set, const struct pp_pair *p)
{
	return named_dev(set, &p->dev[0]) || named_dev(set, &p->dev[1]);
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

/* The endpoints the set names, as the pairs: followed, or broken. */
static int reconcile_endpoints(struct store *st, const struct reconcile_set *set, int *followed,
			       int *broken)
{
	struct rt_record_entry *list;
	struct veth_info now;
	char why[96];
	int n, i, err, ret = 0;

	/* Made after the agent opened the store, by the first endpoint. */
	err = store_routed(st, false);
	if (err)
		return err == -ENOENT ? 0 : err;
	n = rt_record_list(&st->rt, &list);
	for (i = 0; i < n; i++) {
		const struct rt_record *rec = &list[i].rec;
		enum dev_state state;

		if (rec->state != RT_REC_LIVE || (rec->flags & RT_REC_BROKEN))
			continue;
		if (!set->all && !named_dev(set, &rec->dev))
			continue;
		state = liveness_dev(&rec->dev, &now);
		err = 0;
		if (state == DEV_GONE) {
			snprintf(why, sizeof(why), "device '%s' (ifindex %u) is gone or is another one",
				 rec->dev.ifname, rec->dev.ifindex);
			err = endpoint_break(st, &st->rt, list[i].key.name, why);
			*broken += !err;
		} else if (state == DEV_FAR_CHANGED) {
			err = endpoint_follow(st, &st->rt, list[i].key.name, &now);
			*followed += !err;
		}
		if (err && !ret)
			ret = err;
	}
	if (n > 0)
		free(list);
	return n < 0 ? n : ret;
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
	err = reconcile_endpoints(st, set, followed, broken);
	if (err && !ret)
		ret = err;
	store_unlock(st);
	memset(set, 0, sizeof(*set));
	return ret;
}
