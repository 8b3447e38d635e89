// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Routed mode: two TC ingress programs sharing one delivery path.
 *
 * routed_ingress, on the host-side veth of every endpoint, answers the
 * container's ARP and neighbour solicitations for the gateway
 * (169.254.1.1, fe80::1), drops spoofed sources, and delivers a frame
 * for another local endpoint straight into that container with
 * bpf_redirect_peer(), as the host would route it (MACs rewritten, TTL
 * decremented). For an RT_EP_FIB endpoint a frame for elsewhere is
 * forwarded by bpf_fib_lookup() straight out of the host.
 *
 * routed_uplink, on an uplink, delivers a frame from outside for a
 * local endpoint the same way.
 *
 * Anything else goes to the host stack unchanged, counted by reason
 * (routed.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lib/routed_maps.bpf.h"

#define TC_ACT_OK	0
#define TC_ACT_SHOT	2
#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806
#define ETH_P_IPV6	0x86DD
#define ARPHRD_ETHER	1
#define ARPOP_REQUEST	1
#define ARPOP_REPLY	2
#define IPPROTO_TCP	6
#define IPPROTO_UDP	17
#define IPPROTO_ICMPV6	58
#define NDISC_NS	135
#define NDISC_NA	136
#define ND_OPT_TLLA	2
#define IP_DF		0x4000
#define AF_INET		2
#define AF_INET6	10
#define PACKET_HOST	0
#define PACKET_OTHERHOST 3

struct arp_eth {
	__be16 hrd;
	__be16 pro;
	__u8 hln;
	__u8 pln;
	__be16 op;
	__u8 sha[6];
	__u8 spa[4];
	__u8 tha[6];
	__u8 tpa[4];
} __attribute__((packed));

/*
 * An NA for fe80::1 with its target link-layer option: 86 bytes from
 * eth. The two bytes before it align the IPv6 header on the stack, where
 * the verifier refuses any misaligned access.
 */
struct na_frame {
	__u8 align[2];
	struct ethhdr eth;
	struct ipv6hdr ip6;
	__u8 type;
	__u8 code;
	__sum16 csum;
	__be32 flags;		/* router, solicited, override */
	struct in6_addr target;
	__u8 opt_type;
	__u8 opt_len;		/* in units of 8 bytes */
	__u8 opt_mac[6];
};

#define NA_LEN		(sizeof(struct na_frame) - 2)
#define NA_ICMP_LEN	(NA_LEN - ETH_HLEN - sizeof(struct ipv6hdr))

/*
 * The gateway's addresses are built in code: a constant array would go
 * to .rodata.cst16, a section libbpf 1.1 has no BTF for.
 */
static __always_inline bool is_gw6(const __u32 *w)
{
	return w[0] == bpf_htonl(RT_GW6_W0) && !(w[1] | w[2]) && w[3] == bpf_htonl(1);
}

static __always_inline void set_gw6(struct in6_addr *a)
{
	a->in6_u.u6_addr32[0] = bpf_htonl(RT_GW6_W0);
	a->in6_u.u6_addr32[1] = 0;
	a->in6_u.u6_addr32[2] = 0;
	a->in6_u.u6_addr32[3] = bpf_htonl(1);
}

/*
 * The counters of where a frame entered: the sending endpoint's FROM
 * direction, or an uplink's. Every function is inlined, so the pointers
 * are constant offsets from one map value and `bad` is a constant: the
 * verdict for a malformed frame (dropped from a container; from an
 * uplink the host's, whose ip_rcv() drops and counts it).
 */
struct src {
	__u64 *packets;
	__u64 *bytes;
	__u64 *reasons;
	int bad;
};

static __always_inline int drop(const struct src *s, enum rt_reason r)
{
	s->reasons[r]++;
	return TC_ACT_SHOT;
}

static __always_inline int hand_over(const struct src *s, enum rt_reason r)
{
	s->reasons[r]++;
	return TC_ACT_OK;
}

static __always_inline int malformed(const struct src *s)
{
	s->reasons[RT_R_MALFORMED]++;
	return s->bad;
}

/*
 * A header the frame is too short for is malformed; one that is only
 * beyond the linear data (test_run never builds such a frame; veth keeps
 * a sender's headers linear) is the host stack's to pull and judge.
 */
static __always_inline int short_frame(struct __sk_buff *skb, const struct src *s, __u32 need)
{
	if (skb->len < need)
		return malformed(s);
	return hand_over(s, RT_R_NONLINEAR);
}

static __always_inline bool mac_eq(const __u8 *a, const __u8 *b)
{
	return *(__u32 *)a == *(__u32 *)b && *(__u16 *)(a + 4) == *(__u16 *)(b + 4);
}

static __always_inline bool in6_eq(const __u32 *a, const __u32 *b)
{
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0;
}

/*
 * Both tables are direct-mapped arrays, whose lookups the verifier
 * inlines to an index; only an entry that lost its slot pays for the
 * jhash and bucket walk of the overflow hash.
 */
static __always_inline struct rt_endpoint *ep_lookup(__u32 ifindex)
{
	__u32 slot = ifindex % RT_EP_SLOTS;
	struct rt_endpoint *ep;

	ep = bpf_map_lookup_elem(&rt_endpoints, &slot);
	if (ep && ep->ifindex == ifindex)
		return ep;
	return bpf_map_lookup_elem(&rt_endpoints_overflow, &ifindex);
}

static __always_inline __u32 addr_lookup(const struct rt_addr *a)
{
	__u32 slot = rt_addr_slot(a);
	struct rt_addr_slot *s;
	__u32 *ifindex;

	s = bpf_map_lookup_elem(&rt_addrs, &slot);
	if (!s)
		return 0;
	if (s->ifindex && in6_eq(s->addr.w, a->w))
		return s->ifindex;
	if (!(s->flags & RT_SLOT_SPILL))
		return 0;
	ifindex = bpf_map_lookup_elem(&rt_addrs_overflow, a);
	return ifindex ? *ifindex : 0;
}

/*
 * Answers go back into the container that asked with
 * bpf_redirect_peer() of the device the frame entered: skb_do_redirect()
 * takes the veth peer of that device (the container's eth0, in another
 * netns as it requires) and has __netif_receive_skb() run the frame
 * again there, as for a delivery. bpf_redirect(ifindex, 0) would be
 * correct too, but transmits on the host-side veth: its egress qdisc,
 * veth_xmit(), eth_type_trans() and a backlog queue, for the same result.
 * Since 6.15 the peer redirect marks the frame PACKET_HOST; before, it
 * keeps the BROADCAST / MULTICAST / HOST type of the request, all of
 * which arp_rcv() and ipv6_rcv() accept.
 */
static __always_inline int answer(__u32 ifindex)
{
	return bpf_redirect_peer(ifindex, 0);
}

/* An ARP request for the gateway becomes, in place, its reply. */
static __always_inline int arp(struct __sk_buff *skb, struct rt_endpoint *ep,
			       struct rt_ep_stats *st, const struct src *s, __u32 ifindex)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct ethhdr *eth = data;
	struct arp_eth *a = data + ETH_HLEN;
	__u32 gw4 = bpf_htonl(RT_GW4);

	if ((void *)(a + 1) > data_end)
		return short_frame(skb, s, ETH_HLEN + sizeof(*a));
	if (a->hrd != bpf_htons(ARPHRD_ETHER) || a->pro != bpf_htons(ETH_P_IP) ||
	    a->hln != 6 || a->pln != 4 || a->op != bpf_htons(ARPOP_REQUEST) ||
	    *(__u32 *)a->tpa != gw4)
		return hand_over(s, RT_R_ARP_OTHER);

	__builtin_memcpy(eth->h_dest, a->sha, 6);
	__builtin_memcpy(eth->h_source, ep->host_mac, 6);
	a->op = bpf_htons(ARPOP_REPLY);
	__builtin_memcpy(a->tha, a->sha, 6);
	__builtin_memcpy(a->tpa, a->spa, 4);
	__builtin_memcpy(a->sha, ep->host_mac, 6);
	__builtin_memcpy(a->spa, &gw4, 4);
	st->arp_answered++;
	return answer(ifindex);
}

static __always_inline __u16 csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/*
 * The NA for fe80::1, written whole over the NS: its length differs
 * from the NS's (which may lack a source link-layer option or carry
 * more), so the frame is cut or grown to it first. RFC 4861 7.2.4: to
 * the solicitation's source, router and solicited flags, override for
 * a target that is not anycast, the target link-layer option always.
 */
static __always_inline int na(struct __sk_buff *skb, struct rt_endpoint *ep,
			      struct rt_ep_stats *st, const struct src *s, __u32 ifindex,
			      const __u8 *asker_mac, const struct in6_addr *asker)
{
	struct {
		struct in6_addr src;
		struct in6_addr dst;
		__be32 len;
		__be32 nexthdr;
	} pseudo;
	struct na_frame f = {};
	__u32 sum;

	__builtin_memcpy(f.eth.h_dest, asker_mac, 6);
	__builtin_memcpy(f.eth.h_source, ep->host_mac, 6);
	f.eth.h_proto = bpf_htons(ETH_P_IPV6);
	f.ip6.version = 6;
	f.ip6.payload_len = bpf_htons(NA_ICMP_LEN);
	f.ip6.nexthdr = IPPROTO_ICMPV6;
	f.ip6.hop_limit = 255;
	set_gw6(&f.ip6.saddr);
	f.ip6.daddr = *asker;
	f.type = NDISC_NA;
	f.flags = bpf_htonl(0xe0000000);
	set_gw6(&f.target);
	f.opt_type = ND_OPT_TLLA;
	f.opt_len = 1;
	__builtin_memcpy(f.opt_mac, ep->host_mac, 6);

	pseudo.src = f.ip6.saddr;
	pseudo.dst = f.ip6.daddr;
	pseudo.len = bpf_htonl(NA_ICMP_LEN);
	pseudo.nexthdr = bpf_htonl(IPPROTO_ICMPV6);
	/* bpf_csum_diff() with no "from" is csum_partial() of "to". */
	sum = bpf_csum_diff(NULL, 0, (void *)&pseudo, sizeof(pseudo), 0);
	sum = bpf_csum_diff(NULL, 0, (void *)&f.type, NA_ICMP_LEN, sum);
	f.csum = csum_fold(sum);

	if (skb->len != NA_LEN && bpf_skb_change_tail(skb, NA_LEN, 0))
		return hand_over(s, RT_R_LINK_LOCAL);
	if (bpf_skb_store_bytes(skb, 0, &f.eth, NA_LEN, 0))
		return TC_ACT_SHOT;	/* the frame may be half written */
	st->nd_answered++;
	return answer(ifindex);
}

/*
 * A neighbour solicitation: answered if it is for fe80::1 and valid by
 * RFC 4861 7.1.1 (hop limit 255, code 0); never a DAD probe (from ::),
 * which must go unanswered for the container to keep its address. The
 * rest (solicitations for the container's neighbours, DAD) is the host's.
 */
static __always_inline int ns(struct __sk_buff *skb, struct rt_endpoint *ep,
			      struct rt_ep_stats *st, const struct src *s, __u32 ifindex)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = data + ETH_HLEN;
	__u8 *icmp = (void *)(ip6 + 1);
	struct in6_addr asker;
	__u8 asker_mac[6];
	__u32 *src;

	if ((void *)(icmp + 24) > data_end)
		return short_frame(skb, s, ETH_HLEN + sizeof(*ip6) + 24);
	if (ip6->hop_limit != 255 || icmp[1] ||
	    !is_gw6((__u32 *)(icmp + 8)))
		return hand_over(s, RT_R_LINK_LOCAL);
	src = ip6->saddr.in6_u.u6_addr32;
	if (!(src[0] | src[1] | src[2] | src[3]))
		return hand_over(s, RT_R_LINK_LOCAL);
	asker = ip6->saddr;
	__builtin_memcpy(asker_mac, eth->h_source, 6);
	return na(skb, ep, st, s, ifindex, asker_mac, &asker);
}

/*
 * Network length of one segment of a GSO packet, as
 * skb_gso_network_seglen(): network and transport headers and gso_size.
 * ~0 where the transport header is not one whose length we know.
 */
static __always_inline __u32 gso_seglen(void *l4, void *data_end, __u8 proto, __u32 l3hdr,
					__u32 gso_size)
{
	struct tcphdr *th = l4;

	if (proto == IPPROTO_UDP)
		return l3hdr + sizeof(struct udphdr) + gso_size;
	if (proto != IPPROTO_TCP || (void *)(th + 1) > data_end)
		return ~0U;
	return l3hdr + th->doff * 4 + gso_size;
}


/*
 * The last steps of a delivery to the endpoint dst_ifindex: its MTU by
 * the router's rule, its device still there, its MACs. The caller has
 * checked and will decrement the TTL. ip_exceeds_mtu() and
 * ip6_pkt_too_big() pass a GSO packet whose every segment fits; a
 * larger IPv4 packet without DF the kernel would fragment, which the
 * program cannot, so it is handed over as well. Only an oversize frame
 * pays for the segment's length. Returns the device to redirect to, or
 * 0 for a frame handed over (and counted).
 */
static __always_inline __u32 deliver(struct __sk_buff *skb, const struct src *s,
				     __u32 dst_ifindex, void *l4, __u8 proto, __u32 l3hdr,
				     struct rt_endpoint **dst)
{
	struct rt_ep_stats *dst_st;
	struct rt_endpoint *ep;
	__u32 *dev, idx, len = skb->len;

	ep = ep_lookup(dst_ifindex);
	if (!ep)
		return hand_over(s, RT_R_NOT_LOCAL), 0;
	if (len - ETH_HLEN > ep->mtu &&
	    (!skb->gso_size || gso_seglen(l4, (void *)(long)skb->data_end, proto, l3hdr,
					  skb->gso_size) > ep->mtu))
		return hand_over(s, RT_R_MTU), 0;
	dev = bpf_map_lookup_elem(&rt_devs, &dst_ifindex);
	if (!dev)
		return hand_over(s, RT_R_PEER_GONE), 0;
	idx = ep->stats_idx;
	dst_st = bpf_map_lookup_elem(&rt_stats, &idx);
	if (!dst_st)
		return hand_over(s, RT_R_PEER_GONE), 0;
	(*s->packets)++;
	*s->bytes += len;
	dst_st->packets[RT_DIR_TO]++;
	dst_st->bytes[RT_DIR_TO] += len;
	*dst = ep;
	return *dev;
}

/*
 * In words, not the byte copies __builtin_memcpy() makes of a 6-byte
 * __u8 array: both MACs are 4-aligned in the endpoint, and the verifier
 * allows a misaligned packet access where the CPU does
 * (CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS), as on x86 and arm64.
 */
static __always_inline void set_macs(void *eth, const struct rt_endpoint *dst)
{
	*(__u32 *)eth = *(const __u32 *)dst->mac;
	*(__u16 *)(eth + 4) = *(const __u16 *)(dst->mac + 4);
	*(__u32 *)(eth + 6) = *(const __u32 *)dst->host_mac;
	*(__u16 *)(eth + 10) = *(const __u16 *)(dst->host_mac + 4);
}

/*
 * ip_decrease_ttl(): the header checksum updated for the TTL byte alone
 * (RFC 1624), so the header's ones'-complement sum stays what it was.
 * That makes it neutral to a CHECKSUM_COMPLETE skb->csum too, which
 * covers the IP header (from the network header on; the MAC header we
 * rewrite is outside it, tc ingress pushed it back without
 * skb_postpush_rcsum()). ip_forward() need not care: skb_forward_csum()
 * drops a COMPLETE sum before it transmits. A frame delivered into a
 * container is received again, where the sum is used, so it must stay
 * right; it does, with no bpf_csum_update().
 */
static __always_inline void ip_decrease_ttl(struct iphdr *ip)
{
	__u32 check = ip->check;

	check += bpf_htons(0x0100);
	ip->check = (__sum16)(check + (check >= 0xffff));
	ip->ttl--;
}

/*
 * IPv6 has no header checksum, but a CHECKSUM_COMPLETE skb->csum (a
 * NIC's frame from an uplink; from a veth only what another program
 * redirected with its sum) covers the hop limit: the 16-bit word
 * [next header, hop limit] drops by htons(1) in memory order, so the
 * sum gains its ones' complement, htons(0xfffe). bpf_csum_update() does
 * that for a COMPLETE skb and nothing (-ENOTSUPP, ignored) for any
 * other; ip6_forward() instead drops the sum (skb_forward_csum()).
 */
static __always_inline void ip6_decrease_hop(struct __sk_buff *skb, struct ipv6hdr *ip6)
{
	ip6->hop_limit--;
	bpf_csum_update(skb, bpf_htons(0xfffe));
}

/*
 * --fib, after bpf_fib_lookup() found a route and the TTL was
 * decremented: SUCCESS filled in the egress device and both MACs, so
 * the frame goes straight to that device's egress; NO_NEIGH has no MAC
 * for the nexthop yet (params->family and the ipv4_dst/ipv6_dst it
 * rewrote to the gateway, or left as the destination on a link route),
 * so bpf_redirect_neigh() resolves it as ip_finish_output2() would,
 * queueing the frame on the neighbour. Either way it leaves through
 * the egress qdisc of that device, past netfilter's FORWARD and
 * POSTROUTING, conntrack and xfrm (README).
 */
static __always_inline int fib_out(struct rt_ep_stats *st, struct bpf_fib_lookup *p, int rc,
				   void *eth, __u32 len)
{
	struct bpf_redir_neigh nh = { .nh_family = p->family };

	st->packets[RT_DIR_FROM]++;
	st->bytes[RT_DIR_FROM] += len;
	st->fib_forwarded++;
	if (rc == BPF_FIB_LKUP_RET_SUCCESS) {
		__builtin_memcpy(eth, p->dmac, 6);
		__builtin_memcpy(eth + 6, p->smac, 6);
		return bpf_redirect(p->ifindex, 0);
	}
	if (p->family == AF_INET)
		nh.ipv4_nh = p->ipv4_dst;
	else
		__builtin_memcpy(nh.ipv6_nh, p->ipv6_dst, 16);
	return bpf_redirect_neigh(p->ifindex, &nh, sizeof(nh), 0);
}

/*
 * The fib's verdicts the program does not forward on: FRAG_NEEDED
 * (beyond the route's MTU: the kernel sends the ICMP error or
 * fragments), and no route to forward by (blackhole, unreachable,
 * prohibit, a local or non-unicast route, forwarding off on the veth
 * (IPv4) or for all (IPv6), a tunnel route, an error), all the host's.
 */
static __always_inline int fib_hand_over(const struct src *s, int rc)
{
	return hand_over(s, rc == BPF_FIB_LKUP_RET_FRAG_NEEDED ? RT_R_MTU : RT_R_FIB_MISS);
}

/*
 * The lookup's tot_len: the packet's network length, or for a GSO
 * packet that of one segment, so that bpf_fib_lookup() checks it
 * against the route's MTU as ip_exceeds_mtu() would. That MTU is
 * ip_mtu_from_fib_result()'s: the egress device's, a PMTU exception's,
 * or the route's own only if locked (`mtu lock N`) or with
 * ip_forward_use_pmtu, where ip_forward() also honours an unlocked one.
 * With a tot_len the skb helper no longer checks skb->len against the
 * device (is_skb_forwardable()).
 */
static __always_inline __u16 fib_tot_len(struct __sk_buff *skb, void *l4, __u8 proto,
					 __u32 l3hdr, __u32 len)
{
	__u32 gso_size = skb->gso_size;

	if (gso_size)
		len = gso_seglen(l4, (void *)(long)skb->data_end, proto, l3hdr, gso_size);
	/* 40 + a payload length of 65535 does not fit: beyond any MTU anyway. */
	return len > 0xffff ? 0xffff : len;
}

/*
 * The fib lookups are the ingress kind (ifindex is the endpoint's veth,
 * BPF_FIB_LOOKUP_OUTPUT unset): as ip_route_input() they refuse to
 * forward where forwarding is off, and they go through the FIB rules
 * (flags 0). BPF_FIB_LOOKUP_DIRECT would skip the rules for the table
 * of the device (its VRF's or main): one lookup less, but `ip rule`
 * policy routing would no longer apply to containers. Ports are left
 * 0: a rule on sport/dport does not match these frames.
 */
static __always_inline int fib4(struct __sk_buff *skb, struct rt_ep_stats *st,
				const struct src *s, void *data, struct iphdr *ip, __u32 hlen)
{
	struct bpf_fib_lookup p = {};
	int rc;

	if (ip->ttl <= 1)
		return hand_over(s, RT_R_TTL);
	p.family = AF_INET;
	p.l4_protocol = ip->protocol;
	p.tos = ip->tos;
	p.tot_len = fib_tot_len(skb, (void *)ip + hlen, ip->protocol, hlen,
				bpf_ntohs(ip->tot_len));
	p.ipv4_src = ip->saddr;
	p.ipv4_dst = ip->daddr;
	p.ifindex = skb->ingress_ifindex;
	rc = bpf_fib_lookup(skb, &p, sizeof(p), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		return fib_hand_over(s, rc);
	ip_decrease_ttl(ip);
	return fib_out(st, &p, rc, data, skb->len);
}

static __always_inline int fib6(struct __sk_buff *skb, struct rt_ep_stats *st,
				const struct src *s, void *data, struct ipv6hdr *ip6)
{
	struct bpf_fib_lookup p = {};
	int rc;

	if (ip6->hop_limit <= 1)
		return hand_over(s, RT_R_TTL);
	p.family = AF_INET6;
	p.l4_protocol = ip6->nexthdr;
	p.flowinfo = *(__be32 *)ip6 & bpf_htonl(0x0fffffff);
	p.tot_len = fib_tot_len(skb, ip6 + 1, ip6->nexthdr, sizeof(*ip6),
				sizeof(*ip6) + bpf_ntohs(ip6->payload_len));
	__builtin_memcpy(p.ipv6_src, ip6->saddr.in6_u.u6_addr32, 16);
	__builtin_memcpy(p.ipv6_dst, ip6->daddr.in6_u.u6_addr32, 16);
	p.ifindex = skb->ingress_ifindex;
	rc = bpf_fib_lookup(skb, &p, sizeof(p), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		return fib_hand_over(s, rc);
	ip6_decrease_hop(skb, ip6);
	return fib_out(st, &p, rc, data, skb->len);
}

/*
 * An IPv4 frame, from a container (ep, st: its endpoint and counters)
 * or from an uplink (ep and st NULL: no spoof check, no fib).
 */
static __always_inline int ipv4(struct __sk_buff *skb, struct rt_endpoint *ep,
				struct rt_ep_stats *st, const struct src *s)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct iphdr *ip = data + ETH_HLEN;
	struct rt_addr daddr = { .w = { 0, 0, RT_V4MAPPED_W2 } };
	struct rt_endpoint *dst;
	__u32 hlen, ifindex, dev;

	if ((void *)(ip + 1) > data_end)
		return short_frame(skb, s, ETH_HLEN + sizeof(*ip));
	hlen = ip->ihl * 4;
	if (ip->version != 4 || hlen < sizeof(*ip) ||
	    bpf_ntohs(ip->tot_len) < hlen || bpf_ntohs(ip->tot_len) > skb->len - ETH_HLEN)
		return malformed(s);
	/* The verifier needs the options' end against data_end, via ihl. */
	if (data + ETH_HLEN + hlen > data_end)
		return short_frame(skb, s, ETH_HLEN + hlen);
	if (ep && (!(ep->flags & RT_EP_IPV4) || ip->saddr != ep->ipv4))
		return drop(s, RT_R_SPOOFED);
	daddr.w[3] = ip->daddr;
	ifindex = addr_lookup(&daddr);
	if (!ifindex) {
		if (ep && (ep->flags & RT_EP_FIB))
			return fib4(skb, st, s, data, ip, hlen);
		return hand_over(s, RT_R_NOT_LOCAL);
	}
	if (ip->ttl <= 1)
		return hand_over(s, RT_R_TTL);
	dev = deliver(skb, s, ifindex, data + ETH_HLEN + hlen, ip->protocol, hlen, &dst);
	if (!dev)
		return TC_ACT_OK;
	set_macs(data, dst);
	ip_decrease_ttl(ip);
	return bpf_redirect_peer(dev, 0);
}

/* The same for IPv6; from a container it may also be ND for the gateway. */
static __always_inline int ipv6(struct __sk_buff *skb, struct rt_endpoint *ep,
				struct rt_ep_stats *st, const struct src *s, __u32 ifindex)
{
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct ipv6hdr *ip6 = data + ETH_HLEN;
	__u8 *icmp = (void *)(ip6 + 1);
	struct rt_addr daddr;
	struct rt_endpoint *dst;
	__u32 *src, dev;

	if ((void *)(ip6 + 1) > data_end)
		return short_frame(skb, s, ETH_HLEN + sizeof(*ip6));
	if (ip6->version != 6 || bpf_ntohs(ip6->payload_len) > skb->len - ETH_HLEN - sizeof(*ip6))
		return malformed(s);
	if (ep) {
		if (ip6->nexthdr == IPPROTO_ICMPV6 && (void *)(icmp + 1) <= data_end &&
		    icmp[0] == NDISC_NS)
			return ns(skb, ep, st, s, ifindex);
		if (((__u8 *)data)[0] & 1)
			return hand_over(s, RT_R_MULTICAST);
		if (!mac_eq(data, ep->host_mac))
			return hand_over(s, RT_R_FOREIGN_MAC);
	}
	src = ip6->saddr.in6_u.u6_addr32;
	/*
	 * fe80::/10 and :: (DAD, MLD, RS): the link's, not the endpoint's;
	 * from an uplink too, which ip6_forward() never forwards but
	 * answers (ICMPv6 beyond scope).
	 */
	if ((src[0] & bpf_htonl(0xffc00000)) == bpf_htonl(0xfe800000) ||
	    !(src[0] | src[1] | src[2] | src[3]))
		return hand_over(s, RT_R_LINK_LOCAL);
	if (ep && (!(ep->flags & RT_EP_IPV6) || !in6_eq(src, ep->ipv6)))
		return drop(s, RT_R_SPOOFED);
	__builtin_memcpy(daddr.w, ip6->daddr.in6_u.u6_addr32, 16);
	ifindex = addr_lookup(&daddr);
	if (!ifindex) {
		if (ep && (ep->flags & RT_EP_FIB))
			return fib6(skb, st, s, data, ip6);
		return hand_over(s, RT_R_NOT_LOCAL);
	}
	if (ip6->hop_limit <= 1)
		return hand_over(s, RT_R_TTL);
	dev = deliver(skb, s, ifindex, ip6 + 1, ip6->nexthdr, sizeof(*ip6), &dst);
	if (!dev)
		return TC_ACT_OK;
	set_macs(data, dst);
	ip6_decrease_hop(skb, ip6);
	return bpf_redirect_peer(dev, 0);
}

SEC("tc")
int routed_ingress(struct __sk_buff *skb)
{
	/* skb_iif is one load; skb->ifindex would go through skb->dev. */
	__u32 ifindex = skb->ingress_ifindex;
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct ethhdr *eth = data;
	struct rt_ep_stats *st;
	struct rt_endpoint *ep;
	struct src s;
	__u32 idx;

	ep = ep_lookup(ifindex);
	if (!ep)
		return TC_ACT_OK;
	idx = ep->stats_idx;
	st = bpf_map_lookup_elem(&rt_stats, &idx);
	if (!st)
		return TC_ACT_OK;
	s = (struct src){ &st->packets[RT_DIR_FROM], &st->bytes[RT_DIR_FROM], st->reasons,
			  TC_ACT_SHOT };
	/*
	 * A bound for the verifier: a frame reaches TC ingress only after
	 * eth_type_trans() pulled a whole Ethernet header.
	 */
	if ((void *)(eth + 1) > data_end)
		return malformed(&s);

	/* A VLAN tag is in skb metadata here: a tagged frame is the host's. */
	if (skb->vlan_present)
		return hand_over(&s, RT_R_NOT_IP);
	if (eth->h_proto == bpf_htons(ETH_P_ARP))
		return arp(skb, ep, st, &s, ifindex);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return ipv6(skb, ep, st, &s, ifindex);
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return hand_over(&s, RT_R_NOT_IP);
	if (eth->h_dest[0] & 1)
		return hand_over(&s, RT_R_MULTICAST);
	if (!mac_eq(eth->h_dest, ep->host_mac))
		return hand_over(&s, RT_R_FOREIGN_MAC);
	return ipv4(skb, ep, st, &s);
}

/*
 * On an uplink's ingress (a NIC, a VXLAN device, a veth to a router):
 * a unicast frame for a local endpoint is delivered as routed_ingress
 * delivers one (the same code, with no endpoint of origin: no spoof
 * check, no ARP or ND answers, no fib; an IPv6 link-local source is
 * still the host's); anything else is the host's.
 * Whether a frame is addressed to the uplink itself, eth_type_trans()
 * has told by its pkt_type against the device's own MAC, which the
 * uplink record need not carry. A frame from a NIC may come with a
 * CHECKSUM_COMPLETE sum: see ip_decrease_ttl() and ip6_decrease_hop().
 */
/*
 * As ep_lookup(), but a miss on a slot never spilled (a device that is
 * no uplink) is final: the hash is walked only for a slot that lost an
 * uplink to it.
 */
static __always_inline struct rt_uplink *uplink_lookup(__u32 ifindex)
{
	__u32 slot = ifindex % RT_UPLINK_SLOTS;
	struct rt_uplink *up;

	up = bpf_map_lookup_elem(&rt_uplinks, &slot);
	if (!up)
		return NULL;
	if (up->ifindex == ifindex)
		return up;
	if (!(up->flags & RT_SLOT_SPILL))
		return NULL;
	return bpf_map_lookup_elem(&rt_uplinks_overflow, &ifindex);
}

SEC("tc")
int routed_uplink(struct __sk_buff *skb)
{
	__u32 ifindex = skb->ingress_ifindex;
	void *data_end = (void *)(long)skb->data_end;
	void *data = (void *)(long)skb->data;
	struct ethhdr *eth = data;
	struct rt_uplink_stats *us;
	struct rt_uplink *up;
	struct src s;
	__u32 idx, type;

	up = uplink_lookup(ifindex);
	if (!up)
		return TC_ACT_OK;
	/*
	 * A per-CPU array lookup the verifier inlines too (a bound check and
	 * this CPU's offset): an index equal to the slot would save only the
	 * load of stats_idx, and an overflow uplink would need one anyway.
	 */
	idx = up->stats_idx;
	us = bpf_map_lookup_elem(&rt_uplink_stats, &idx);
	if (!us)
		return TC_ACT_OK;
	s = (struct src){ &us->packets, &us->bytes, us->reasons, TC_ACT_OK };
	if ((void *)(eth + 1) > data_end)
		return malformed(&s);
	if (skb->vlan_present)
		return hand_over(&s, RT_R_NOT_IP);
	if (eth->h_proto == bpf_htons(ETH_P_ARP))
		return hand_over(&s, RT_R_ARP_OTHER);
	if (eth->h_proto != bpf_htons(ETH_P_IP) && eth->h_proto != bpf_htons(ETH_P_IPV6))
		return hand_over(&s, RT_R_NOT_IP);
	type = skb->pkt_type;
	if (type != PACKET_HOST)
		return hand_over(&s, type == PACKET_OTHERHOST ? RT_R_FOREIGN_MAC : RT_R_MULTICAST);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return ipv6(skb, NULL, NULL, &s, ifindex);
	return ipv4(skb, NULL, NULL, &s);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
