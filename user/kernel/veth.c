// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <linux/if_link.h>
#include "lib/log.h"
#include "kernel/netns.h"
#include "kernel/veth.h"

static void take_link(struct nl_object *obj, void *arg)
{
	struct rtnl_link **out = arg;

	if (!*out) {
		nl_object_get(obj);
		*out = (struct rtnl_link *)obj;
	}
}

static int on_link_msg(struct nl_msg *msg, void *arg)
{
	nl_msg_parse(msg, take_link, arg);
	return NL_OK;
}

/*
 * RTM_GETLINK with IFLA_TARGET_NETNSID (4.20+) asks about a device in the
 * netns the given id names, without entering that netns. libnl's
 * rtnl_link_get_kernel() cannot add the attribute, so build the request.
 */
static int get_link_in_netns(struct nl_sock *sk, int ifindex, int netnsid,
			     struct rtnl_link **out)
{
	struct nl_msg *msg = NULL;
	int err;

	*out = NULL;
	err = rtnl_link_build_get_request(ifindex, NULL, &msg);
	if (err < 0)
		return -ENOMEM;
	err = nla_put_s32(msg, IFLA_TARGET_NETNSID, netnsid);
	if (!err)
		err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (err < 0)
		return -EIO;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_link_msg, out);
	err = nl_recvmsgs_default(sk);
	if (err < 0 || !*out) {
		if (*out)
			rtnl_link_put(*out);
		*out = NULL;
		return err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV ? -ENODEV : -EIO;
	}
	return 0;
}

/* A lookup for a command says why a device cannot be used; one for a check only debugs. */
#define say(quiet, ...) do {			\
	if (quiet)				\
		pr_debug(__VA_ARGS__);		\
	else					\
		pr_warn(__VA_ARGS__);		\
} while (0)

static int lookup(int ifindex, const char *name, struct veth_info *info, bool quiet)
{
	struct rtnl_link *link = NULL, *peer = NULL;
	struct nl_sock *sk;
	struct nl_addr *addr;
	const char *kind;
	char what[32];
	int32_t nsid;
	int err = 0;

	memset(info, 0, sizeof(*info));
	if (!name) {
		snprintf(what, sizeof(what), "ifindex %d", ifindex);
		name = what;
	}
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	if (nl_connect(sk, NETLINK_ROUTE) < 0) {
		pr_warn("netlink: cannot connect to rtnetlink\n");
		err = -EIO;
		goto cleanup;
	}

	if (rtnl_link_get_kernel(sk, ifindex, name == what ? NULL : name, &link) < 0) {
		say(quiet, "device '%s' does not exist\n", name);
		err = -ENODEV;
		goto cleanup;
	}
	kind = rtnl_link_get_type(link);
	if (!kind || strcmp(kind, "veth")) {
		say(quiet, "device '%s' is not a veth (%s%s)\n", name,
		    kind ? "it is a " : "it has no link kind", kind ? kind : "");
		err = -EMEDIUMTYPE;
		goto cleanup;
	}
	info->ifindex = rtnl_link_get_ifindex(link);
	/* The name asked for may be an altname: record the device's own. */
	snprintf(info->ifname, sizeof(info->ifname), "%s",
		 rtnl_link_get_name(link) ? rtnl_link_get_name(link) : name);
	info->peer_ifindex = rtnl_link_get_link(link);
	addr = rtnl_link_get_addr(link);
	if (addr && nl_addr_get_len(addr) == 6)
		memcpy(info->mac, nl_addr_get_binary_addr(addr), 6);

	/*
	 * A veth whose peer lives in the same netns has no IFLA_LINK_NETNSID,
	 * and skb_do_redirect() drops a peer redirect that stays in the same
	 * netns: refuse it here instead of black-holing the pair.
	 */
	if (rtnl_link_get_link_netnsid(link, &nsid) < 0 || !info->peer_ifindex) {
		say(quiet, "device '%s' has its veth peer in the same network namespace; "
		    "bpf_redirect_peer needs it in another\n", name);
		err = -EXDEV;
		goto cleanup;
	}
	info->peer_netnsid = nsid;
	/* nsids are reused lowest-first: the netns itself is known by its cookie. */
	if (netns_cookie_of_nsid(nsid, &info->peer_netns_cookie))
		pr_debug("device '%s': the netns of its peer (netnsid %d) has no name and no "
			 "process: known by its netnsid only\n", name, nsid);

	err = get_link_in_netns(sk, info->peer_ifindex, nsid, &peer);
	if (err) {
		say(quiet, "device '%s': cannot read its peer (ifindex %d, netnsid %d): %s\n",
		    name, info->peer_ifindex, nsid, strerror(-err));
		goto cleanup;
	}
	addr = rtnl_link_get_addr(peer);
	if (!addr || nl_addr_get_len(addr) != 6) {
		say(quiet, "device '%s': its peer has no Ethernet address\n", name);
		err = -EINVAL;
		goto cleanup;
	}
	memcpy(info->peer_mac, nl_addr_get_binary_addr(addr), 6);
	info->peer_mtu = rtnl_link_get_mtu(peer);
	snprintf(info->peer_ifname, sizeof(info->peer_ifname), "%s",
		 rtnl_link_get_name(peer) ? rtnl_link_get_name(peer) : "?");

cleanup:
	if (peer)
		rtnl_link_put(peer);
	if (link)
		rtnl_link_put(link);
	nl_socket_free(sk);
	return err;
}

int veth_lookup(const char *name, struct veth_info *info)
{
	return lookup(0, name, info, false);
}

int veth_lookup_index(int ifindex, struct veth_info *info)
{
	return lookup(ifindex, NULL, info, true);
}

bool veth_present(int ifindex, const char *ifname)
{
	char name[IF_NAMESIZE];

	return if_indextoname(ifindex, name) && !strcmp(name, ifname);
}
