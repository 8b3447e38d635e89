// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * skb:kfree_skb tracer: counts the frames the kernel drops on a pair's
 * path, per pair, direction and the kernel's own drop reason.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "pairpath.h"

#define NETDEV_ALIGN	32
#define EEXIST		17	/* vmlinux.h has no errno values */

/*
 * Reasons user space found in the running kernel's BTF that are not the
 * datapath's business: the program's own TC drops (already counted by
 * reason) and socket- and transport-level drops.
 */
const volatile __u64 skip_reasons[PP_KDROP_SKIP_BITS / 64] = {};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PP_MAX_PORTS);
	__type(key, struct pp_kdev_key);
	__type(value, struct pp_kdev);
} kdevs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct pp_kdrop_key);
	__type(value, __u64);
} kdrops SEC(".maps");

/*
 * Drops of a pair that found kdrops full (or out of memory): counted
 * here, not lost without a sign. One slot, per CPU: no atomics.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} kdrops_untracked SEC(".maps");

static __always_inline void count_untracked(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&kdrops_untracked, &zero);

	if (n)
		(*n)++;
}

static __always_inline struct pp_kdev *lookup_dev(struct net_device *dev)
{
	struct pp_kdev_key key = {
		.netns_cookie = BPF_CORE_READ(dev, nd_net.net, net_cookie),
		.ifindex = BPF_CORE_READ(dev, ifindex),
	};

	return bpf_map_lookup_elem(&kdevs, &key);
}

/* veth keeps its peer as the first field of its netdev_priv() area. */
static __always_inline struct net_device *veth_peer(struct net_device *dev)
{
	const struct rtnl_link_ops *ops = BPF_CORE_READ(dev, rtnl_link_ops);
	struct net_device *peer = NULL;
	char kind[5] = {};
	void *priv;

	if (!ops)
		return NULL;
	bpf_probe_read_kernel_str(kind, sizeof(kind), BPF_CORE_READ(ops, kind));
	if (kind[0] != 'v' || kind[1] != 'e' || kind[2] != 't' || kind[3] != 'h' || kind[4])
		return NULL;
	priv = (void *)dev + ((bpf_core_type_size(struct net_device) + NETDEV_ALIGN - 1) &
			      ~(NETDEV_ALIGN - 1));
	bpf_probe_read_kernel(&peer, sizeof(peer), priv);
	return peer;
}

SEC("tp_btf/kfree_skb")
int BPF_PROG(pairpath_kdrop, struct sk_buff *skb, void *location,
	     enum skb_drop_reason reason)
{
	struct pp_kdrop_key key = { .reason = reason };
	struct net_device *dev = skb->dev, *peer;
	struct pp_kdev *kdev;
	bool host, rx;
	__u64 *count, one = 1;
	long err;

	if (!dev)
		return 0;
	if (reason < PP_KDROP_SKIP_BITS) {
		__u32 word = reason / 64;

		/* Keep clang from indexing with the unbounded original. */
		barrier_var(word);
		if ((skip_reasons[word & 3] >> (reason % 64)) & 1)
			return 0;
	}

	kdev = lookup_dev(dev);
	host = kdev != NULL;
	if (!kdev) {
		peer = veth_peer(dev);
		if (!peer)
			return 0;
		kdev = lookup_dev(peer);
		if (!kdev)
			return 0;
	}

	/*
	 * __netif_receive_skb_core() sets skb_iif to the receiving device,
	 * so a drop on receive has skb_iif == ifindex. A frame coming from
	 * side X is received on X's host veth or sent by X's eth0. Once a
	 * container's eth0 has received a frame, what its own stack drops
	 * (multicast it did not join, protocols it does not speak, full
	 * sockets) is the container's business, not the path's.
	 */
	rx = skb->skb_iif == dev->ifindex;
	if (!host && rx)
		return 0;
	key.pair_id = kdev->pair_id;
	key.dir = (host == rx) ? kdev->side : !kdev->side;

	count = bpf_map_lookup_elem(&kdrops, &key);
	if (!count) {
		err = bpf_map_update_elem(&kdrops, &key, &one, BPF_NOEXIST);
		if (!err)
			return 0;
		/*
		 * -EEXIST: another CPU made the entry first, count in it.
		 * A full preallocated hash answers -E2BIG; -ENOMEM, -EBUSY
		 * (its bucket lock taken by this CPU, e.g. from NMI) too
		 * leave the drop without an entry.
		 */
		if (err != -EEXIST) {
			count_untracked();
			return 0;
		}
		count = bpf_map_lookup_elem(&kdrops, &key);
		if (!count) {
			count_untracked();
			return 0;
		}
	}
	(*count)++;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
