// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A pair follows its devices: a container end that changed its MAC or
 * MTU is followed in place, and a device that is gone, or is not the
 * recorded one any more, breaks the pair. attach, gc and the agent
 * decide when; this is what they do.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "control/follow.h"
#include "lib/log.h"
#include "state/journal.h"

/*
 * A container end with a new MAC, MTU or name: the port of the other
 * device sends to it, so that port follows. Ports first, then the
 * record, so that a pairpath killed in between leaves a record that the
 * next look still finds changed.
 */
int pair_follow(struct store *st, const char *name, const struct veth_info now[PP_DIR_MAX])
{
	struct pp_pair_key key;
	struct pp_pair p;
	bool changed = false;
	int d, err;

	journal_key(name, &key);
	if (journal_get(st, name, &p))
		return -ENOENT;
	for (d = 0; d < PP_DIR_MAX; d++) {
		struct pp_dev *dev = &p.dev[d];

		if (dev->peer_mtu == now[d].peer_mtu && !strcmp(dev->peer_ifname, now[d].peer_ifname) &&
		    !memcmp(dev->peer_mac, now[d].peer_mac, sizeof(dev->peer_mac)))
			continue;
		journal_fill_dev(dev, &now[d]);
		err = ports_set_peer(&st->ports, p.dev[!d].ifindex, p.pair_id, ports_peer_of(dev));
		if (err) {
			pr_warn("pair '%s': cannot update the port of '%s': %s\n", name,
				p.dev[!d].ifname, strerror(-err));
			return err;
		}
		pr_info("pair '%s': '%s' leads to %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u: "
			"the port of '%s' follows\n", name, dev->ifname, dev->peer_ifname,
			dev->peer_mac[0], dev->peer_mac[1], dev->peer_mac[2], dev->peer_mac[3],
			dev->peer_mac[4], dev->peer_mac[5], dev->peer_mtu, p.dev[!d].ifname);
		changed = true;
	}
	return changed ? journal_put(st, &key, &p, BPF_EXIST) : 0;
}

int pair_break(struct store *st, const char *name, const char *why)
{
	struct pp_pair_key key;
	struct pp_pair p;
	int d, err;

	journal_key(name, &key);
	if (journal_get(st, name, &p))
		return -ENOENT;
	if (p.flags & PP_PAIR_BROKEN)
		return 0;
	/* No frame follows a far side that is not the recorded one any more. */
	for (d = 0; d < PP_DIR_MAX; d++) {
		err = ports_retire(&st->ports, p.dev[d].ifindex, p.pair_id);
		if (err && err != -ENOENT)
			return err;
	}
	p.flags |= PP_PAIR_BROKEN;
	err = journal_put(st, &key, &p, BPF_EXIST);
	if (!err)
		pr_warn("pair '%s' is broken: %s; its ports are retired, 'pairpath gc' removes it\n",
			name, why);
	return err;
}
