// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * An endpoint follows its device, as a pair does (control/follow.c): a
 * container end with a new MAC or MTU is followed in the table, the
 * host route and the neighbour entry; a device that is gone, or is not
 * the recorded one any more, breaks the endpoint.
 */
#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include "control/endpoint.h"
#include "kernel/hostroute.h"
#include "kernel/pin.h"
#include "lib/log.h"
#include "state/journal.h"

/*
 * The table entry first, then routes and neighbours, then the record:
 * a pairpath killed in between leaves a record the next look still
 * finds changed. The entry is rewritten by one map update, which a
 * frame may see half done (the kernel copies the value without a lock);
 * a frame so caught goes to the old or new MAC, and at worst is dropped
 * by the container as not its own.
 */
int endpoint_follow(struct store *st, struct rt_store *rt, const char *name,
		    const struct veth_info *now)
{
	struct rt_record_key key;
	struct rt_record rec;
	struct host_addr h[2];
	int err, i, n;

	(void)st;
	if (rt_record_get(rt, name, &rec))
		return -ENOENT;
	if (rec.dev.peer_mtu == now->peer_mtu && !strcmp(rec.dev.peer_ifname, now->peer_ifname) &&
	    !memcmp(rec.dev.peer_mac, now->peer_mac, 6))
		return 0;
	journal_fill_dev(&rec.dev, now);
	if (!(rec.flags & RT_REC_MAC_GIVEN))
		memcpy(rec.ep.mac, now->peer_mac, 6);
	rec.ep.mtu = now->peer_mtu > 0xffff ? 0xffff : now->peer_mtu;
	err = rt_endpoint_update(&rt->t, &rec.ep);
	if (err) {
		pr_warn("endpoint '%s': cannot update its table entry: %s\n", name, strerror(-err));
		return err;
	}
	n = endpoint_host_addrs(&rec.ep, h, rec.flags);
	for (i = 0; i < n && !err; i++)
		err = hostroute_update(rec.ep.ifindex, &h[i], rec.ep.mtu, rec.ep.mac);
	if (err)
		return err;
	pr_info("endpoint '%s': '%s' leads to %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u: "
		"followed\n", name, rec.dev.ifname, rec.dev.peer_ifname, rec.ep.mac[0],
		rec.ep.mac[1], rec.ep.mac[2], rec.ep.mac[3], rec.ep.mac[4], rec.ep.mac[5],
		rec.ep.mtu);
	rt_record_key(name, &key);
	return rt_record_put(rt, &key, &rec, BPF_EXIST);
}

int endpoint_break(struct store *st, struct rt_store *rt, const char *name, const char *why)
{
	char link[RT_NAME_LEN + 8], ifname[IF_NAMESIZE];
	struct rt_record_key key;
	struct host_addr h[2];
	struct rt_record rec;
	int err, i, n;
	if (rt_record_get(rt, name, &rec))
		return -ENOENT;
	if (rec.flags & RT_REC_BROKEN)
		return 0;
	/* No frame follows an address whose device is not the recorded one. */
	err = rt_addrs_withdraw(&rt->t, &rec.ep);
	if (err)
		return err;
	/*
	 * A device renamed, or whose container end moved, is still there:
	 * whoever is behind it now gets neither the host's routes to the
	 * endpoint's addresses nor the program.
	 */
	if (if_indextoname(rec.ep.ifindex, ifname)) {
		n = endpoint_host_addrs(&rec.ep, h, rec.flags);
		for (i = 0; i < n && !err; i++)
			err = hostroute_del(rec.ep.ifindex, &h[i], rec.ep.mac);
		endpoint_link_name(name, link, sizeof(link));
		if (!err)
			err = pin_release_at(st->dir_fd, link);
		if (err)
			return err;
		rec.flags &= ~(RT_REC_ROUTE4 | RT_REC_ROUTE6);
	}
	rec.flags |= RT_REC_BROKEN;
	rt_record_key(name, &key);
	err = rt_record_put(rt, &key, &rec, BPF_EXIST);
	if (!err)
		pr_warn("endpoint '%s' is broken: %s; its addresses are withdrawn, "
			"'pairpath gc' removes it\n", name, why);
	return err;
}
