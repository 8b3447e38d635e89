// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include "state/hooks.h"
#include "state/liveness.h"

/* The same container end: the same peer ifindex in the same netns. */
static bool same_peer(const struct pp_dev *dev, const struct veth_info *now)
{
	if (dev->peer_ifindex != (__u32)now->peer_ifindex)
		return false;
	if (dev->peer_netns_cookie && now->peer_netns_cookie)
		return dev->peer_netns_cookie == now->peer_netns_cookie;
	return dev->peer_netnsid == now->peer_netnsid;
}

enum dev_state liveness_dev(const struct pp_dev *dev, struct veth_info *now)
{
	int err = veth_lookup_index(dev->ifindex, now);

	/* Not there, not a veth, or its peer gone or in this netns: another device. */
	if (err == -ENODEV || err == -EMEDIUMTYPE || err == -EXDEV)
		return DEV_GONE;
	if (err)
		return DEV_UNKNOWN;
	if (strcmp(now->ifname, dev->ifname) || !same_peer(dev, now))
		return DEV_GONE;
	if (now->peer_mtu != dev->peer_mtu ||
	    memcmp(now->peer_mac, dev->peer_mac, sizeof(dev->peer_mac)) ||
	    strcmp(now->peer_ifname, dev->peer_ifname))
		return DEV_FAR_CHANGED;
	return DEV_SAME;
}

bool liveness_pair_up(const struct store *st, const char *name, const struct pp_pair *p)
{
	struct port_view port;
	int d, err;

	if (p->state != PP_PAIR_ATTACHED || (p->flags & PP_PAIR_BROKEN))
		return false;
	for (d = 0; d < PP_DIR_MAX; d++) {
		/* The kernel drops the far veth from peer_devs when it goes. */
		if (ports_read(&st->ports, p->dev[d].ifindex, &port) ||
		    port.config.pair_id != p->pair_id || port.peer_dev != p->dev[!d].ifindex)
			return false;
		if (!st->netns_live)
			continue;
		if (!veth_present(p->dev[d].ifindex, p->dev[d].ifname))
			return false;
		err = hooks_attached(st, name, p, d);
		/* A reader without privileges can judge by the devices only. */
		if (!err || (err < 0 && err != -EACCES && err != -EPERM))
			return false;
	}
	return true;
}

bool liveness_pair_intact(const struct store *st, const char *name, const struct pp_pair *p)
{
	struct veth_info now;
	int d;

	if (!liveness_pair_up(st, name, p))
		return false;
	for (d = 0; st->netns_live && d < PP_DIR_MAX; d++)
		if (liveness_dev(&p->dev[d], &now) == DEV_GONE)
			return false;
	return true;
}
