// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include "kernel/vethpair.h"

static const __u8 gw4[4] = { 169, 254, 1, 1 };
static const __u8 gw6[16] = { 0xfe, 0x80, [15] = 1 };

static int nl_errno(int nle)
{
	switch (-nle) {
	case NLE_EXIST:		return -EEXIST;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_NODEV:		return -ENODEV;
	case NLE_PERM:		return -EPERM;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_INVAL:		return -EINVAL;
	case NLE_BUSY:		return -EBUSY;
	default:		return -EIO;
	}
}

static struct nl_sock *route_sock(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (sk && nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		sk = NULL;
	}
	return sk;
}

struct ns_sock_arg {
	int nsfd;
	struct nl_sock *sk;
	int err;
};

/*
 * setns() moves only the calling thread, and a socket belongs to the
 * netns it was created in for its whole life: a short-lived thread that
 * enters the container's netns and opens the socket leaves this process
 * where it was, whatever fails.
 */
static void *ns_sock_thread(void *p)
{
	struct ns_sock_arg *a = p;

	if (unshare(CLONE_FS) || setns(a->nsfd, CLONE_NEWNET)) {
		a->err = -errno;
		return NULL;
	}
	a->sk = route_sock();
	a->err = a->sk ? 0 : -EIO;
	return NULL;
}

static struct nl_sock *ns_route_sock(int nsfd, int *err)
{
	struct ns_sock_arg a = { .nsfd = nsfd, .err = -EIO };
	pthread_t t;

	*err = -pthread_create(&t, NULL, ns_sock_thread, &a);
	if (*err)
		return NULL;
	pthread_join(t, NULL);
	*err = a.err;
	return a.sk;
}

static int link_read(struct nl_sock *sk, const char *name, struct vethpair_side *side,
		     unsigned int *flags)
{
	struct rtnl_link *l = NULL;
	struct nl_addr *mac;
	int err;

	err = rtnl_link_get_kernel(sk, 0, name, &l);
	if (err < 0)
		return nl_errno(err);
	side->ifindex = rtnl_link_get_ifindex(l);
	side->mtu = rtnl_link_get_mtu(l);
	mac = rtnl_link_get_addr(l);
	if (mac && nl_addr_get_len(mac) == 6)
		memcpy(side->mac, nl_addr_get_binary_addr(mac), 6);
	if (flags)
		*flags = rtnl_link_get_flags(l);
	rtnl_link_put(l);
	return 0;
}

static int link_up(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *l = NULL, *change = rtnl_link_alloc();
	int err;

	if (!change)
		return -ENOMEM;
	err = rtnl_link_get_kernel(sk, 0, name, &l);
	if (!err) {
		rtnl_link_set_flags(change, IFF_UP);
		err = rtnl_link_change(sk, l, change, 0);
		rtnl_link_put(l);
	}
	rtnl_link_put(change);
	return err < 0 ? nl_errno(err) : 0;
}

int vethpair_create(const char *host, int nsfd, const char *ifname, __u32 mtu,
		    struct vethpair_side *host_side)
{
	struct nl_sock *sk = route_sock();
	struct rtnl_link *link = NULL, *peer = NULL;
	int err = -ENOMEM;

	if (!sk)
		return -EIO;
	link = rtnl_link_veth_alloc();
	if (!link)
		goto out;
	peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(link, host);
	rtnl_link_set_name(peer, ifname);
	rtnl_link_set_ns_fd(peer, nsfd);
	if (mtu) {
		rtnl_link_set_mtu(link, mtu);
		rtnl_link_set_mtu(peer, mtu);
	}
	err = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	err = err < 0 ? nl_errno(err) : 0;
	if (!err)
		err = link_up(sk, host);
	if (!err)
		err = link_read(sk, host, host_side, NULL);
	if (err && err != -EEXIST)
		vethpair_delete(host);
out:
	if (peer)
		rtnl_link_put(peer);
	if (link)
		rtnl_link_veth_release(link);
	nl_socket_free(sk);
	return err;
}

int vethpair_delete(const char *host)
{
	struct nl_sock *sk = route_sock();
	struct rtnl_link *l = NULL;
	int err;

	if (!sk)
		return -EIO;
	err = rtnl_link_get_kernel(sk, 0, host, &l);
	if (err >= 0) {
		err = rtnl_link_delete(sk, l);
		rtnl_link_put(l);
	}
	nl_socket_free(sk);
	err = err < 0 ? nl_errno(err) : 0;
	return err == -ENOENT || err == -ENODEV ? 0 : err;
}

static struct nl_addr *addr_of(int family, const __u8 *bytes, int prefix)
{
	static const __u8 zero[16];
	struct nl_addr *a = nl_addr_build(family, bytes ? bytes : zero, family == AF_INET ? 4 : 16);

	if (a)
		nl_addr_set_prefixlen(a, prefix);
	return a;
}

static int addr_add(struct nl_sock *sk, int ifindex, int family, const __u8 *bytes)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local = addr_of(family, bytes, family == AF_INET ? 32 : 128);
	int err = -ENOMEM;

	if (ra && local) {
		rtnl_addr_set_ifindex(ra, ifindex);
		rtnl_addr_set_family(ra, family);
		/* No DAD: the address is the lease's, and no one else is on the link. */
		if (family == AF_INET6)
			rtnl_addr_set_flags(ra, IFA_F_NODAD);
		err = rtnl_addr_set_local(ra, local);
		if (!err)
			err = rtnl_addr_add(sk, ra, 0);
		err = err < 0 ? nl_errno(err) : 0;
	}
	nl_addr_put(local);
	rtnl_addr_put(ra);
	return err;
}

/* dst/prefix (NULL: default) through ifindex, via gw (NULL: scope link). */
static int route_add(struct nl_sock *sk, int ifindex, int family, const __u8 *dst, int prefix,
		     const __u8 *gw)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *d = addr_of(family, dst, prefix);
	struct nl_addr *g = gw ? addr_of(family, gw, family == AF_INET ? 32 : 128) : NULL;
	int err = -ENOMEM;

	if (!r || !nh || !d || (gw && !g))
		goto out;
	rtnl_route_set_family(r, family);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_type(r, RTN_UNICAST);
	rtnl_route_set_protocol(r, RTPROT_BOOT);
	rtnl_route_set_scope(r, gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	err = rtnl_route_set_dst(r, d);
	if (err < 0)
		goto out;
	rtnl_route_nh_set_ifindex(nh, ifindex);
	if (g)
		rtnl_route_nh_set_gateway(nh, g);
	rtnl_route_add_nexthop(r, nh);
	nh = NULL;
	err = rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_EXCL);
out:
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(d);
	nl_addr_put(g);
	rtnl_route_put(r);
	return err < 0 ? nl_errno(err) : 0;
}

int vethpair_configure(int nsfd, const char *ifname, const struct vethpair_addrs *a,
		       struct vethpair_side *ctr)
{
	struct nl_sock *sk;
	int err;

	sk = ns_route_sock(nsfd, &err);
	if (!sk)
		return err;
	err = link_up(sk, ifname);
	if (!err)
		err = link_read(sk, ifname, ctr, NULL);
	if (!err && a->has_ipv4)
		err = addr_add(sk, ctr->ifindex, AF_INET, a->ipv4);
	if (!err && a->has_ipv4)
		err = route_add(sk, ctr->ifindex, AF_INET, gw4, 32, NULL);
	if (!err && a->has_ipv4)
		err = route_add(sk, ctr->ifindex, AF_INET, NULL, 0, gw4);
	if (!err && a->has_ipv6)
		err = addr_add(sk, ctr->ifindex, AF_INET6, a->ipv6);
	if (!err && a->has_ipv6)
		err = route_add(sk, ctr->ifindex, AF_INET6, NULL, 0, gw6);
	nl_socket_free(sk);
	return err;
}

struct check_ctx {
	int ifindex, family;
	const __u8 *want;
	int found, others;
	int defaults;		/* of routes: defaults via the gateway */
	bool gw_link;		/* 169.254.1.1 scope link */
};

static void addr_cb(struct nl_object *o, void *p)
{
	struct rtnl_addr *ra = (struct rtnl_addr *)o;
	struct check_ctx *c = p;
	struct nl_addr *l = rtnl_addr_get_local(ra);
	int fam = rtnl_addr_get_family(ra);

	if (rtnl_addr_get_ifindex(ra) != c->ifindex || rtnl_addr_get_scope(ra) != RT_SCOPE_UNIVERSE ||
	    fam != c->family || !l)
		return;
	if (c->want && nl_addr_get_prefixlen(l) == (fam == AF_INET ? 32 : 128) &&
	    !memcmp(nl_addr_get_binary_addr(l), c->want, fam == AF_INET ? 4 : 16))
		c->found++;
	else
		c->others++;
}

static void route_cb(struct nl_object *o, void *p)
{
	struct rtnl_route *r = (struct rtnl_route *)o;
	struct check_ctx *c = p;
	struct nl_addr *d = rtnl_route_get_dst(r), *g;
	struct rtnl_nexthop *nh;
	int fam = rtnl_route_get_family(r);

	if (fam != c->family || rtnl_route_get_table(r) != RT_TABLE_MAIN ||
	    rtnl_route_get_nnexthops(r) != 1)
		return;
	nh = rtnl_route_nexthop_n(r, 0);
	if (rtnl_route_nh_get_ifindex(nh) != c->ifindex || !d)
		return;
	g = rtnl_route_nh_get_gateway(nh);
	if (nl_addr_get_prefixlen(d) == 0 && g &&
	    !memcmp(nl_addr_get_binary_addr(g), fam == AF_INET ? gw4 : gw6, fam == AF_INET ? 4 : 16))
		c->defaults++;
	if (fam == AF_INET && !g && nl_addr_get_prefixlen(d) == 32 &&
	    !memcmp(nl_addr_get_binary_addr(d), gw4, 4))
		c->gw_link = true;
}

static int check_family(struct nl_sock *sk, int ifindex, int family, const __u8 *want,
			char *why, size_t len)
{
	const char *fam = family == AF_INET ? "IPv4" : "IPv6";
	struct nl_cache *addrs = NULL, *routes = NULL;
	struct check_ctx c = { .ifindex = ifindex, .family = family, .want = want };
	int err;

	err = rtnl_addr_alloc_cache(sk, &addrs);
	if (!err)
		err = rtnl_route_alloc_cache(sk, family, 0, &routes);
	if (err < 0) {
		snprintf(why, len, "cannot list the addresses and routes: %s", nl_geterror(err));
		err = nl_errno(err);
		goto out;
	}
	nl_cache_foreach(addrs, addr_cb, &c);
	nl_cache_foreach(routes, route_cb, &c);
	err = -EINVAL;
	if (want && !c.found)
		snprintf(why, len, "the %s address of the result is not on the interface", fam);
	else if (c.others)
		snprintf(why, len, "the interface has an %s address not in the result", fam);
	else if (want && c.defaults != 1)
		snprintf(why, len, "the %s default route via the gateway is missing", fam);
	else if (want && family == AF_INET && !c.gw_link)
		snprintf(why, len, "the route to the gateway 169.254.1.1 is missing");
	else
		err = 0;
out:
	nl_cache_free(addrs);
	nl_cache_free(routes);
	return err;
}

int vethpair_check(int nsfd, const char *ifname, const struct vethpair_addrs *a,
		   char *why, size_t len)
{
	struct vethpair_side side = {};
	unsigned int flags = 0;
	struct nl_sock *sk;
	int err;

	sk = ns_route_sock(nsfd, &err);
	if (!sk) {
		snprintf(why, len, "cannot enter the container's netns: %s", strerror(-err));
		return err;
	}
	err = link_read(sk, ifname, &side, &flags);
	if (err)
		snprintf(why, len, "interface '%s' is not in the container", ifname);
	else if (!(flags & IFF_UP) && (err = -ENETDOWN))
		snprintf(why, len, "interface '%s' is down", ifname);
	if (!err)
		err = check_family(sk, side.ifindex, AF_INET, a->has_ipv4 ? a->ipv4 : NULL, why, len);
	if (!err)
		err = check_family(sk, side.ifindex, AF_INET6, a->has_ipv6 ? a->ipv6 : NULL, why, len);
	nl_socket_free(sk);
	return err;
}
