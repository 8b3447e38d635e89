// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TC ingress program for the host-side veth of each end of a pair: the
 * frame a container sent is handed straight to the other container's
 * eth0 with bpf_redirect_peer(), skipping the host's stack.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "lib/maps.bpf.h"

#define TC_ACT_OK	0
#define TC_ACT_SHOT	2
#define ETH_HLEN	14
#define VLAN_HLEN	4
#define PACKET_HOST	0

/*
 * Before 6.15 bpf_redirect_peer() keeps skb->pkt_type as eth_type_trans()
 * set it for the host-side veth, so a frame for the container's MAC is
 * PACKET_OTHERHOST there and IP drops it. The loader sets this on such
 * kernels; on newer ones the branch is removed at load time.
 */
const volatile bool set_pkt_type = false;

static __always_inline int drop(struct pp_port_stats *stats, enum pp_drop_reason reason)
{
	stats->drops[reason]++;
	return TC_ACT_SHOT;
}

SEC("tc")
int pairpath_ingress(struct __sk_buff *skb)
{
	/* skb_iif is one load; skb->ifindex would go through skb->dev. */
	__u32 ifindex = skb->ingress_ifindex;
	__u32 slot = ifindex % PP_PORT_SLOTS;
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct pp_port_stats *stats;
	struct pp_port *port;
	union pp_peer peer;
	__u32 *peer_dev, stats_idx;
	__u8 *dst = data;
	__u32 len;

	/*
	 * Array lookups are inlined by the verifier into an index and, for
	 * the per-CPU counters, a this_cpu_ptr(); a hash lookup would cost a
	 * jhash and a bucket walk on every frame. Only a port that lost its
	 * slot pays for the hash.
	 */
	port = bpf_map_lookup_elem(&ports, &slot);
	if (!port || port->ifindex != ifindex) {
		port = bpf_map_lookup_elem(&ports_overflow, &ifindex);
		if (!port)
			return TC_ACT_OK;
	}
	stats_idx = port->stats_idx;
	stats = bpf_map_lookup_elem(&port_stats, &stats_idx);
	if (!stats)
		return TC_ACT_OK;
	/* One load: user space rewrites the far side in place (pairpath.h). */
	peer.word = *(volatile __u64 *)&port->peer.word;

	/*
	 * A bound the verifier requires before the MAC is read, not a rule
	 * of veth's: a frame reaches TC ingress only after eth_type_trans()
	 * has pulled a whole Ethernet header (test_run refuses a shorter
	 * one too), so no frame is ever dropped here.
	 */
	if (data + ETH_HLEN > data_end)
		return drop(stats, PP_DROP_RUNT);

	/*
	 * Exactly the rule of __is_skb_forwardable(), which veth applies to
	 * a frame it hands to its peer: up to mtu + hard_header_len +
	 * VLAN_HLEN bytes, or any GSO packet whatever its length or
	 * gso_size. The peer redirect itself only checks that the far eth0
	 * is up, and nothing segments a GSO packet on this path, so veth
	 * would pass it whole as well. A VLAN tag is already in skb
	 * metadata here, as veth would see it.
	 */
	len = skb->len;
	if (len > peer.mtu + ETH_HLEN + VLAN_HLEN && !skb->gso_size)
		return drop(stats, PP_DROP_MTU);

	/*
	 * Since 6.15 the peer redirect marks every frame PACKET_HOST, so
	 * the far eth0 no longer filters unicast by address: do what its
	 * receive filter would. Group frames (I/G bit set) always pass.
	 */
	if (!(dst[0] & 1)) {
		if (*(__u32 *)dst != *(__u32 *)peer.mac ||
		    *(__u16 *)(dst + 4) != *(__u16 *)(peer.mac + 4))
			return drop(stats, PP_DROP_FOREIGN_MAC);
		if (set_pkt_type && skb->pkt_type != PACKET_HOST) {
			if (bpf_skb_change_type(skb, PACKET_HOST))
				return drop(stats, PP_DROP_PKT_TYPE);
			stats->marked_host++;
		}
	}

	/*
	 * The far host-side veth, as the kernel keeps it: gone from the map
	 * the moment the device is unregistered or leaves the netns, so an
	 * ifindex that a later device took is never redirected to. Then the
	 * frame goes to the host stack, as for a device of no pair.
	 */
	peer_dev = bpf_map_lookup_elem(&peer_devs, &ifindex);
	if (!peer_dev) {
		stats->drops[PP_DROP_PEER_GONE]++;
		return TC_ACT_OK;
	}

	stats->packets++;
	stats->bytes += len;
	return bpf_redirect_peer(*peer_dev, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
