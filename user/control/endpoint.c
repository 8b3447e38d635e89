// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Endpoints: the journal order is in control/endpoint.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include "kernel/hostroute.h"
#include "kernel/pin.h"
#include "kernel/tcx.h"
#include "lib/log.h"
#include "lib/testhook.h"
#include "state/journal.h"
#include "state/liveness.h"
#include "state/pins.h"
#include "control/endpoint.h"

void endpoint_link_name(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", PP_EPLINK_PREFIX, name);
}

/*
 * The endpoint's addresses as hostroute wants them; with routes, only
 * those whose route the record says may be ours.
 */
int endpoint_host_addrs(const struct rt_endpoint *ep, struct host_addr *a, __u32 routes)
{
	int n = 0;

	memset(a, 0, 2 * sizeof(*a));
	if ((ep->flags & RT_EP_IPV4) && (routes & RT_REC_ROUTE4)) {
		a[n].family = AF_INET;
		memcpy(a[n++].bytes, &ep->ipv4, 4);
	}
	if ((ep->flags & RT_EP_IPV6) && (routes & RT_REC_ROUTE6)) {
		a[n].family = AF_INET6;
		memcpy(a[n++].bytes, ep->ipv6, 16);
	}
	return n;
}

int endpoint_of_device(const struct rt_store *rt, __u32 ifindex, char *name, size_t len)
{
	struct rt_record_entry *list;
	struct rt_endpoint ep;
	int n, i;

	if (rt_endpoint_lookup(&rt->t, ifindex, &ep))
		return 0;
	snprintf(name, len, "?");
	n = rt_record_list(rt, &list);
	for (i = 0; i < n; i++)
		if (list[i].rec.ep.endpoint_id == ep.endpoint_id)
			snprintf(name, len, "%s", list[i].key.name);
	if (n > 0)
		free(list);
	return 1;
}

static int record_owner(const struct rt_store *rt, __u32 ifindex, char *name, size_t len)
{
	return endpoint_of_device(rt, ifindex, name, len);
}

/* A device may be one endpoint, one uplink or one pair's, never two. */
static int check_device(struct store *st, struct rt_store *rt, const struct veth_info *v)
{
	char owner[RT_NAME_LEN];
	struct port_view port;
	__u32 ifindex = v->ifindex;

	if (!ports_read(&st->ports, ifindex, &port)) {
		pr_warn("device '%s' belongs to a pair: detach it first\n", v->ifname);
		return -EBUSY;
	}
	if (record_owner(rt, ifindex, owner, sizeof(owner))) {
		pr_warn("device '%s' is the endpoint '%s' already\n", v->ifname, owner);
		return -EBUSY;
	}
	if (rt_uplink_of(rt, ifindex)) {
		pr_warn("device '%s' is an uplink\n", v->ifname);
		return -EBUSY;
	}
	return 0;
}

static int check_addrs(const struct rt_store *rt, const struct rt_endpoint *ep)
{
	struct host_addr h[2];
	char owner[RT_NAME_LEN], s[INET6_ADDRSTRLEN];
	struct rt_addr a;
	__u32 ifindex;
	int i, n;

	n = endpoint_host_addrs(ep, h, RT_REC_ROUTE4 | RT_REC_ROUTE6);
	for (i = 0; i < n; i++) {
		if (h[i].family == AF_INET)
			rt_addr_v4(&a, ep->ipv4);
		else
			memcpy(a.w, ep->ipv6, sizeof(a.w));
		ifindex = rt_addr_owner(&rt->t, &a);
		if (!ifindex)
			continue;
		host_addr_str(&h[i], s, sizeof(s));
		if (!record_owner(rt, ifindex, owner, sizeof(owner)))
			snprintf(owner, sizeof(owner), "?");
		pr_warn("address %s belongs to the endpoint '%s'\n", s, owner);
		return -EADDRINUSE;
	}
	return 0;
}

/*
 * Counters at the device's slot where that is free, else the lowest free
 * index: the records say which are taken.
 */
static int pick_stats_idx(const struct rt_store *rt, __u32 ifindex, __u32 *idx)
{
	static unsigned char used[RT_MAX_ENDPOINTS];
	struct rt_record_entry *list;
	int n, i;

	memset(used, 0, sizeof(used));
	n = rt_record_list(rt, &list);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		if (list[i].rec.ep.stats_idx < RT_MAX_ENDPOINTS)
			used[list[i].rec.ep.stats_idx] = 1;
	if (n > 0)
		free(list);
	if (n >= RT_MAX_ENDPOINTS) {
		pr_warn("the endpoint table is full (%d endpoints)\n", RT_MAX_ENDPOINTS);
		return -ENOSPC;
	}
	*idx = ifindex % RT_MAX_ENDPOINTS;
	for (i = 0; used[*idx] && i < RT_MAX_ENDPOINTS; i++)
		*idx = i;
	return 0;
}

/*
 * Take every part of an endpoint away, parts never made skipped. Routes
 * and neighbours go with a device that is gone; on a device that is not
 * the recorded one any more nothing is touched but pins and maps.
 */
static int remove_endpoint(struct store *st, struct rt_store *rt,
			   const struct rt_record_key *key, struct rt_record *rec)
{
	char link[RT_NAME_LEN + 8], ifname[IF_NAMESIZE];
	struct host_addr h[2];
	int i, n, err, ret = 0;

	if (rec->state != RT_REC_DELETING) {
		rec->state = RT_REC_DELETING;
		ret = rt_record_put(rt, key, rec, BPF_EXIST);
		if (ret)
			return ret;
	}
	testhook_kill_point(41);
	/* Addresses first: from now on no one delivers to it. */
	ret = rt_addrs_withdraw(&rt->t, &rec->ep);
	testhook_kill_point(42);
	n = endpoint_host_addrs(&rec->ep, h, rec->flags);
	/*
	 * Routes and neighbours go with a device that is gone; one renamed,
	 * or whose container end moved, still has them. Those of our
	 * protocol through its ifindex are ours.
	 */
	if (if_indextoname(rec->ep.ifindex, ifname))
		for (i = 0; i < n; i++) {
			err = hostroute_del(rec->ep.ifindex, &h[i], rec->ep.mac);
			if (err && !ret)
				ret = err;
		}
	testhook_kill_point(43);
	endpoint_link_name(key->name, link, sizeof(link));
	err = pin_release_at(st->dir_fd, link);
	if (err) {
		pr_warn("endpoint '%s': cannot detach its hook: %s\n", key->name, strerror(-err));
		if (!ret)
			ret = err;
	}
	testhook_kill_point(44);
	if (ret)
		return ret;
	err = rt_endpoint_remove(&rt->t, &rec->ep);
	if (err) {
		pr_warn("endpoint '%s': cannot remove its table entry: %s\n", key->name,
			strerror(-err));
		return err;
	}
	testhook_kill_point(45);
	return rt_record_delete(rt, key);
}

static int attach_hook(struct store *st, struct rt_store *rt, const char *name, __u32 ifindex,
		       const char *ifname)
{
	char link[RT_NAME_LEN + 8];
	int fd, err;

	fd = tcx_attach(rt->prog_fd, ifindex);
	if (fd < 0) {
		pr_warn("device '%s': cannot attach the routed program: %s\n", ifname,
			strerror(-fd));
		return fd;
	}
	endpoint_link_name(name, link, sizeof(link));
	err = pin_put_at(fd, st->dir_fd, link);
	if (err)
		pr_warn("endpoint '%s': cannot pin its link: %s\n", name, strerror(-err));
	/* Closing a link that is not pinned detaches it. */
	close(fd);
	return err;
}

static void fill_record(struct rt_record *rec, const struct veth_info *v,
			const struct endpoint_spec *spec)
{
	struct rt_endpoint *ep = &rec->ep;

	memset(rec, 0, sizeof(*rec));
	ep->ifindex = v->ifindex;
	memcpy(ep->mac, spec->has_mac ? spec->mac : v->peer_mac, 6);
	ep->mtu = v->peer_mtu > 0xffff ? 0xffff : v->peer_mtu;
	memcpy(ep->host_mac, v->mac, 6);
	if (spec->has_ipv4) {
		ep->flags |= RT_EP_IPV4;
		ep->ipv4 = spec->ipv4;
		rec->flags |= RT_REC_ROUTE4;
	}
	if (spec->has_ipv6) {
		ep->flags |= RT_EP_IPV6;
		memcpy(ep->ipv6, spec->ipv6, sizeof(ep->ipv6));
		rec->flags |= RT_REC_ROUTE6;
	}
	if (spec->fib)
		ep->flags |= RT_EP_FIB;
	if (spec->has_mac)
		rec->flags |= RT_REC_MAC_GIVEN;
	journal_fill_dev(&rec->dev, v);
	rec->state = RT_REC_ADDING;
	rec->mode = PP_MODE_TCX;
	rec->created_at = time(NULL);
}

static bool same_endpoint(const struct rt_record *a, const struct rt_record *b)
{
	return a->ep.ifindex == b->ep.ifindex && !strcmp(a->dev.ifname, b->dev.ifname) &&
	       !memcmp(a->ep.mac, b->ep.mac, 6) && a->ep.ipv4 == b->ep.ipv4 &&
	       !memcmp(a->ep.ipv6, b->ep.ipv6, 16) && a->ep.flags == b->ep.flags;
}

int endpoint_add(struct store *st, struct rt_store *rt, const char *name,
		 const struct veth_info *v, const struct endpoint_spec *spec)
{
	struct rt_record_key key;
	struct rt_record rec, had;
	struct host_addr h[2];
	int err, i, n;

	fill_record(&rec, v, spec);
	rt_record_key(name, &key);
	if (!rt_record_get(rt, name, &had)) {
		if (had.state == RT_REC_LIVE && !(had.flags & RT_REC_BROKEN) &&
		    same_endpoint(&had, &rec)) {
			pr_info("endpoint '%s' exists already\n", name);
			return 0;
		}
		pr_warn("endpoint '%s' exists already, on device '%s'\n", name, had.dev.ifname);
		return -EEXIST;
	}
	if (rt->prog_fd < 0) {
		pr_warn("the routed program is not pinned: run 'pairpath reset'\n");
		return -ENOENT;
	}
	err = check_device(st, rt, v);
	if (!err)
		err = check_addrs(rt, &rec.ep);
	if (!err)
		err = pick_stats_idx(rt, v->ifindex, &rec.ep.stats_idx);
	if (!err)
		err = journal_next_id(st, &rec.ep.endpoint_id);
	if (err)
		return err;

	err = rt_record_put(rt, &key, &rec, BPF_NOEXIST);
	if (err)
		return err;
	testhook_kill_point(31);
	/* Its own frames first: the endpoint, then the hook that reads it. */
	err = rt_endpoint_put(&rt->t, &rec.ep, v->ifindex);
	if (err) {
		pr_warn("endpoint '%s': cannot write its table entry: %s\n", name, strerror(-err));
		goto undo;
	}
	testhook_kill_point(32);
	err = attach_hook(st, rt, name, v->ifindex, v->ifname);
	if (err)
		goto undo;
	testhook_kill_point(33);
	n = endpoint_host_addrs(&rec.ep, h, rec.flags);
	for (i = 0; i < n && !err; i++) {
		err = hostroute_add(v->ifindex, &h[i], rec.ep.mtu, rec.ep.mac);
		/* A route that was someone else's is not ours to remove. */
		if (err == -EEXIST)
			rec.flags &= ~(h[i].family == AF_INET ? RT_REC_ROUTE4 : RT_REC_ROUTE6);
	}
	if (err)
		goto undo;
	testhook_kill_point(34);
	err = rt_addrs_publish(&rt->t, &rec.ep);
	if (err) {
		pr_warn("endpoint '%s': cannot publish its addresses: %s\n", name, strerror(-err));
		goto undo;
	}
	testhook_kill_point(35);
	rec.state = RT_REC_LIVE;
	err = rt_record_put(rt, &key, &rec, BPF_EXIST);
	if (err)
		goto undo;
	testhook_kill_point(36);
	return 0;
undo:
	remove_endpoint(st, rt, &key, &rec);
	return err;
}

int endpoint_del(struct store *st, struct rt_store *rt, const char *name)
{
	struct rt_record_key key;
	struct rt_record rec;

	if (rt_record_get(rt, name, &rec)) {
		pr_warn("endpoint '%s' does not exist\n", name);
		return -ENOENT;
	}
	rt_record_key(name, &key);
	return remove_endpoint(st, rt, &key, &rec);
}

/* Each record in turn, by a test of its own; the first error is kept. */
static int for_each_record(struct store *st, struct rt_store *rt,
			   bool (*pick)(const struct rt_record *), const char *what)
{
	struct rt_record_entry *list;
	int n, i, err, ret = 0;

	n = rt_record_list(rt, &list);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		if (!pick(&list[i].rec))
			continue;
		err = remove_endpoint(st, rt, &list[i].key, &list[i].rec);
		if (err && !ret)
			ret = err;
		if (!err)
			pr_info("%s endpoint '%s'\n", what, list[i].key.name);
	}
	if (n > 0)
		free(list);
	return ret;
}

static bool any(const struct rt_record *rec)
{
	(void)rec;
	return true;
}

static bool unfinished(const struct rt_record *rec)
{
	return rec->state != RT_REC_LIVE;
}

static bool gone(const struct rt_record *rec)
{
	struct veth_info now;

	return rec->state != RT_REC_LIVE || liveness_dev(&rec->dev, &now) == DEV_GONE;
}

int endpoint_del_all(struct store *st, struct rt_store *rt)
{
	return for_each_record(st, rt, any, "removed");
}

int endpoint_recover(struct store *st, struct rt_store *rt)
{
	return for_each_record(st, rt, unfinished, "rolled back the unfinished");
}

int endpoint_gc(struct store *st, struct rt_store *rt)
{
	return for_each_record(st, rt, gone, "removed the stale");
}
