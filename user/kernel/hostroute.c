// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netlink/netlink.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include "lib/log.h"
#include "kernel/hostroute.h"

void host_addr_str(const struct host_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->bytes, buf, len))
		snprintf(buf, len, "?");
}

static size_t addr_len(const struct host_addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

static struct nl_sock *connect_route(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (sk && nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		sk = NULL;
	}
	if (!sk)
		pr_warn("netlink: cannot connect to rtnetlink\n");
	return sk;
}

/* libnl's -NLE_* codes as the errno the kernel sent. */
static int errno_of(int nle)
{
	switch (-nle) {
	case NLE_EXIST:		return -EEXIST;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_NOADDR:	return -EADDRNOTAVAIL;
	case NLE_NODEV:		return -ENODEV;
	case NLE_PERM:		return -EPERM;
	case NLE_INVAL:		return -EINVAL;
	case NLE_RANGE:		return -ERANGE;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_AF_NOSUPPORT:	return -EAFNOSUPPORT;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_BUSY:		return -EBUSY;
	case NLE_AGAIN:		return -EAGAIN;
	default:		return -EIO;
	}
}

/* The route to a/32 or a/128 through ifindex, as pairpath makes it. */
static struct rtnl_route *build_route(int ifindex, const struct host_addr *a, __u32 mtu)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = nl_addr_build(a->family, a->bytes, addr_len(a));

	if (!route || !nh || !dst)
		goto fail;
	nl_addr_set_prefixlen(dst, addr_len(a) * 8);
	rtnl_route_set_family(route, a->family);
	rtnl_route_set_table(route, RT_TABLE_MAIN);
	rtnl_route_set_type(route, RTN_UNICAST);
	rtnl_route_set_protocol(route, RT_ROUTE_PROTO);
	rtnl_route_set_scope(route, RT_SCOPE_LINK);
	if (rtnl_route_set_dst(route, dst) < 0)
		goto fail;
	if (mtu && rtnl_route_set_metric(route, RTAX_MTU, mtu) < 0)
		goto fail;
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(route, nh);
	nl_addr_put(dst);
	return route;
fail:
	if (nh)
		rtnl_route_nh_free(nh);
	if (route)
		rtnl_route_put(route);
	if (dst)
		nl_addr_put(dst);
	return NULL;
}

static int neigh_change(struct nl_sock *sk, int ifindex, const struct host_addr *a,
			const __u8 mac[6], bool add)
{
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *dst = nl_addr_build(a->family, a->bytes, addr_len(a));
	struct nl_addr *ll = nl_addr_build(AF_LLC, mac, 6);
	int err = -ENOMEM;

	if (n && dst && ll) {
		rtnl_neigh_set_family(n, a->family);
		rtnl_neigh_set_ifindex(n, ifindex);
		rtnl_neigh_set_dst(n, dst);
		rtnl_neigh_set_lladdr(n, ll);
		rtnl_neigh_set_state(n, NUD_PERMANENT);
		/* REPLACE: an entry the kernel learnt meanwhile becomes ours. */
		err = add ? rtnl_neigh_add(sk, n, NLM_F_CREATE | NLM_F_REPLACE) :
			    rtnl_neigh_delete(sk, n, 0);
		err = err < 0 ? errno_of(err) : 0;
	}
	if (n)
		rtnl_neigh_put(n);
	if (dst)
		nl_addr_put(dst);
	if (ll)
		nl_addr_put(ll);
	return err;
}

/* With NLM_F_EXCL a new route, undone if its neighbour fails; else ours replaced. */
static int route_add(int ifindex, const struct host_addr *a, __u32 mtu, const __u8 mac[6],
		     int nlm_flags)
{
	struct nl_sock *sk = connect_route();
	struct rtnl_route *route;
	char s[INET6_ADDRSTRLEN];
	int err, nle;

	if (!sk)
		return -EIO;
	host_addr_str(a, s, sizeof(s));
	route = build_route(ifindex, a, mtu);
	if (!route) {
		nl_socket_free(sk);
		return -ENOMEM;
	}
	nle = rtnl_route_add(sk, route, nlm_flags);
	err = nle < 0 ? errno_of(nle) : 0;
	if (err == -EEXIST)
		pr_warn("address %s: the host has a route to it already\n", s);
	else if (err)
		pr_warn("address %s: cannot add its host route: %s%s\n", s, nl_geterror(nle),
			a->family == AF_INET6 && err == -EACCES ?
			" (is IPv6 off on the device?)" : "");
	if (!err) {
		err = neigh_change(sk, ifindex, a, mac, true);
		if (err) {
			pr_warn("address %s: cannot add its neighbour entry: %s\n", s,
				strerror(-err));
			/* A replaced route stays: it was there before, and is ours still. */
			if (nlm_flags & NLM_F_EXCL)
				rtnl_route_delete(sk, route, 0);
		}
	}
	rtnl_route_put(route);
	nl_socket_free(sk);
	return err;
}

/* EXCL: a route someone else made to this address stays theirs. */
int hostroute_add(int ifindex, const struct host_addr *a, __u32 mtu, const __u8 mac[6])
{
	return route_add(ifindex, a, mtu, mac, NLM_F_EXCL);
}

/*
 * 0 if every main-table route to a/32 or a/128 is ours (protocol
 * RT_ROUTE_PROTO through ifindex), -EEXIST if one is someone else's.
 * NLM_F_REPLACE would overwrite the first route of that destination
 * whoever made it (fib_table_insert(), ip6_route_add()).
 */
static int route_is_ours(struct nl_sock *sk, int ifindex, const struct host_addr *a)
{
	struct nl_addr *dst = nl_addr_build(a->family, a->bytes, addr_len(a));
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	int err = 0;

	if (!dst)
		return -ENOMEM;
	nl_addr_set_prefixlen(dst, addr_len(a) * 8);
	if (rtnl_route_alloc_cache(sk, a->family, 0, &cache) < 0) {
		nl_addr_put(dst);
		return -EIO;
	}
	for (o = nl_cache_get_first(cache); o && !err; o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		struct rtnl_nexthop *nh;

		if (rtnl_route_get_table(r) != RT_TABLE_MAIN || !rtnl_route_get_dst(r) ||
		    nl_addr_cmp(rtnl_route_get_dst(r), dst))
			continue;
		nh = rtnl_route_get_nnexthops(r) == 1 ? rtnl_route_nexthop_n(r, 0) : NULL;
		if (rtnl_route_get_protocol(r) != RT_ROUTE_PROTO || !nh ||
		    rtnl_route_nh_get_ifindex(nh) != ifindex)
			err = -EEXIST;
	}
	nl_cache_free(cache);
	nl_addr_put(dst);
	return err;
}

/* Our own route, replaced in place: no moment without one; a route of someone else stays. */
int hostroute_update(int ifindex, const struct host_addr *a, __u32 mtu, const __u8 mac[6])
{
	struct nl_sock *sk = connect_route();
	char s[INET6_ADDRSTRLEN];
	int err;

	if (!sk)
		return -EIO;
	err = route_is_ours(sk, ifindex, a);
	nl_socket_free(sk);
	if (err == -EEXIST) {
		host_addr_str(a, s, sizeof(s));
		pr_warn("address %s: the host's route to it is not pairpath's; left alone\n", s);
	}
	if (err)
		return err;
	return route_add(ifindex, a, mtu, mac, NLM_F_REPLACE);
}

/*
 * The kernel deletes the first route that matches every attribute given
 * (fib_table_delete(), ip6_route_del()): with our protocol, the /32 or
 * /128 and the device, never a route of someone else's.
 */
int hostroute_del(int ifindex, const struct host_addr *a, const __u8 mac[6])
{
	struct nl_sock *sk = connect_route();
	struct rtnl_route *route;
	char s[INET6_ADDRSTRLEN];
	int err, nerr;

	if (!sk)
		return -EIO;
	host_addr_str(a, s, sizeof(s));
	route = build_route(ifindex, a, 0);
	if (!route) {
		nl_socket_free(sk);
		return -ENOMEM;
	}
	err = rtnl_route_delete(sk, route, 0);
	err = err < 0 ? errno_of(err) : 0;
	if (err == -ENOENT || err == -ESRCH || err == -ENODEV)
		err = 0;
	/* The endpoint's own address on its own device: its entry, whoever wrote it. */
	nerr = neigh_change(sk, ifindex, a, mac, false);
	if (nerr == -ENOENT || nerr == -ENODEV)
		nerr = 0;
	if (!err)
		err = nerr;
	if (err)
		pr_warn("address %s: cannot remove its host route: %s\n", s, strerror(-err));
	rtnl_route_put(route);
	nl_socket_free(sk);
	return err;
}
