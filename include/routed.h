/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Types shared by the routed datapath (bpf/routed.bpf.c) and the loader.
 * As in pairpath.h: fixed-width types, explicit padding. The routed maps
 * are pinned beside the pair maps under the same root and share its
 * PP_MAP_LAYOUT: a change to any struct here bumps it.
 *
 * Maps (bpf/lib/routed_maps.bpf.h):
 *   rt_endpoints           ARRAY, ifindex % RT_EP_SLOTS -> struct rt_endpoint
 *   rt_endpoints_overflow  HASH, ifindex -> an endpoint whose slot is taken
 *   rt_addrs               ARRAY, rt_addr_slot() -> struct rt_addr_slot
 *   rt_addrs_overflow      HASH, struct rt_addr -> ifindex of its endpoint
 *   rt_stats               PERCPU_ARRAY, stats_idx -> struct rt_ep_stats
 *   rt_devs                DEVMAP_HASH, ifindex -> the host-side veth itself
 *   rt_uplinks             ARRAY, ifindex % RT_UPLINK_SLOTS -> struct rt_uplink
 *   rt_uplinks_overflow    HASH, ifindex -> an uplink whose slot is taken
 *   rt_uplink_stats        PERCPU_ARRAY, rt_uplink.stats_idx -> struct rt_uplink_stats
 *   rt_records             HASH, struct rt_record_key -> struct rt_record,
 *                          user space's only (the endpoint journal)
 */
#ifndef __ROUTED_H
#define __ROUTED_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif
#include "pairpath.h"

#define RT_MAX_ENDPOINTS	4096
#define RT_EP_SLOTS		4096	/* ifindex % slots, like the port table */
#define RT_ADDR_SLOT_BITS	13
#define RT_ADDR_SLOTS		(1U << RT_ADDR_SLOT_BITS)	/* two addresses an endpoint */
#define RT_MAX_ADDRS		(2 * RT_MAX_ENDPOINTS)
#define RT_MAX_UPLINKS		64
#define RT_UPLINK_SLOTS		256	/* ifindex % slots, like the endpoints */
#define RT_NAME_LEN		64	/* an endpoint's name: 63 characters and the NUL */
#define RT_IFNAME_LEN		PP_IFNAME_LEN

/* The gateway every container routes through (Calico and Cilium style). */
#define RT_GW4			0xa9fe0101U	/* 169.254.1.1, host order */
#define RT_GW6_W0		0xfe800000U	/* fe80::1: this word, 0, 0, 1 */

enum rt_dir {
	RT_DIR_TO = 0,		/* delivered into the container */
	RT_DIR_FROM = 1,	/* sent by the container, delivered by the program */
	RT_DIR_MAX,
};

/*
 * What the program did not deliver itself, with the label of each
 * reason in metrics and whether the frame was dropped (TC_ACT_SHOT) or
 * handed to the host stack unchanged (TC_ACT_OK), which then answers as
 * a router does (ICMP time exceeded, fragmentation needed, routing and
 * NAT to the outside). The numbers are stable: they index counters in a
 * pinned map. A retired code keeps its slot as RT_R_UNUSEDn.
 *
 * On an uplink nothing is dropped: a frame the program does not deliver
 * is the host's, a malformed one too (ip_rcv() drops it and counts it
 * in the kernel's IP MIB), and "spoofed" and "fib_miss" are never
 * counted there ("link_local": an IPv6 link-local or :: source). "multicast" is a frame whose
 * pkt_type is broadcast or multicast, "foreign_mac" one of another
 * host's (PACKET_OTHERHOST), "arp_other" any ARP.
 */
#define RT_REASONS(X)							\
	X(RT_R_SPOOFED,		0, "spoofed",	 1) /* source not the endpoint's */ \
	X(RT_R_MALFORMED,	1, "malformed",	 1) /* shorter than its headers say */ \
	X(RT_R_TTL,		2, "ttl",	 0) /* TTL or hop limit <= 1 */ \
	X(RT_R_MTU,		3, "mtu",	 0) /* beyond the destination's MTU */ \
	X(RT_R_NOT_LOCAL,	4, "not_local",	 0) /* destination not an endpoint */ \
	X(RT_R_PEER_GONE,	5, "peer_gone",	 0) /* destination veth gone */ \
	X(RT_R_ARP_OTHER,	6, "arp_other",	 0) /* ARP but not a request for the gateway */ \
	X(RT_R_LINK_LOCAL,	7, "link_local", 0) /* IPv6 from fe80::/10 or ::, ND not for fe80::1 */ \
	X(RT_R_MULTICAST,	8, "multicast",	 0) /* group MAC: broadcast, multicast, MLD, RS */ \
	X(RT_R_FOREIGN_MAC,	9, "foreign_mac", 0) /* unicast not to the gateway's MAC */ \
	X(RT_R_NOT_IP,		10, "not_ip",	 0) /* neither IP nor ARP */ \
	X(RT_R_NONLINEAR,	11, "nonlinear", 0) /* headers beyond the linear data */ \
	X(RT_R_FIB_MISS,	12, "fib_miss",	 0) /* --fib: no route to forward by */

enum rt_reason {
#define RT_REASON_ENUM(name, code, label, drop) name = code,
	RT_REASONS(RT_REASON_ENUM)
#undef RT_REASON_ENUM
	RT_REASON_MAX,
};
#define RT_REASON_SLOTS		16	/* room to grow without a layout change */

/*
 * Counters of one endpoint, per CPU, in rt_stats at its stats_idx.
 * packets[RT_DIR_FROM] counts every frame of the container that the
 * program itself sent on, to another endpoint or, for an RT_EP_FIB
 * endpoint, out of the host by bpf_fib_lookup(); fib_forwarded is the
 * part of them that went the fib way (so FROM minus fib_forwarded is
 * what went to local endpoints). Frames the host stack forwarded are
 * in reasons[] (not_local, fib_miss, ...), not in FROM.
 */
struct rt_ep_stats {
	__u64 packets[RT_DIR_MAX];	/* enum rt_dir */
	__u64 bytes[RT_DIR_MAX];
	__u64 reasons[RT_REASON_SLOTS];	/* frames from the container, by reason */
	__u64 arp_answered;		/* ARP requests for 169.254.1.1 answered */
	__u64 nd_answered;		/* neighbour solicitations for fe80::1 answered */
	__u64 fib_forwarded;		/* of packets[RT_DIR_FROM]: sent out by the fib */
};

#define RT_EP_IPV4		(1U << 0)	/* ipv4 is set */
#define RT_EP_IPV6		(1U << 1)	/* ipv6 is set */
#define RT_EP_FIB		(1U << 2)	/* remote traffic through bpf_fib_lookup() */

/*
 * An endpoint: one container interface, known by the ifindex of its
 * host-side veth, where its frames enter. An array slot is not written
 * atomically, so user space writes an endpoint before any of its
 * addresses enters rt_addrs and removes it only after they have gone;
 * the addresses for the spoof check change only by re-adding it.
 */
struct rt_endpoint {
	__u32 ifindex;		/* the slot's owner; 0: a free slot */
	__u32 endpoint_id;
	__u8 mac[6];		/* the container's eth0 */
	__u16 mtu;		/* its MTU */
	__u8 host_mac[6];	/* the host-side veth: the gateway's MAC */
	__u16 flags;		/* RT_EP_* */
	__u32 stats_idx;	/* its counters in rt_stats */
	__u32 ipv4;		/* its /32, network order */
	__u32 ipv6[4];		/* its /128, network order */
};

/*
 * One key shape for both families: an IPv4 address is stored as
 * ::ffff:a.b.c.d (RFC 4291 2.5.5.2), which no endpoint's IPv6 /128 can
 * be, so one table, one hash and one compare serve both.
 */
struct rt_addr {
	__u32 w[4];		/* network order */
};

/*
 * A direct-mapped slot: the full address is the tag, a lookup is one
 * inlined array access and a 16-byte compare whatever the number of
 * endpoints. An address whose slot is taken goes to rt_addrs_overflow,
 * and its slot is marked RT_SLOT_SPILL so that a miss on an unmarked
 * slot (traffic to the outside) never pays for the hash.
 */
#define RT_SLOT_SPILL		(1U << 0)

struct rt_addr_slot {
	struct rt_addr addr;
	__u32 ifindex;		/* the owning endpoint; 0: no owner */
	__u32 flags;		/* RT_SLOT_* */
};

/*
 * An uplink (a NIC, a VXLAN device, a veth to a router): frames that
 * enter it addressed to a local endpoint are delivered into the
 * container. The record is the table entry itself, in its slot of
 * rt_uplinks with ifindex as the tag, or in rt_uplinks_overflow when
 * another uplink holds the slot; the slot is then marked RT_SLOT_SPILL,
 * a mark it keeps, so that only a spilled slot's miss pays for the hash.
 * A slot is written whole but not atomically: an uplink's slot is
 * rewritten only with the same ifindex and stats_idx (a state change)
 * while its hook is there, and cleared after the hook is gone.
 */
struct rt_uplink {
	__u32 ifindex;		/* the slot's owner; 0: a free slot */
	__u32 stats_idx;	/* its counters in rt_uplink_stats */
	char ifname[RT_IFNAME_LEN];
	__u32 mode;		/* enum pp_mode */
	__u32 state;		/* enum rt_record_state */
	__u32 flags;		/* RT_SLOT_*, of the slot (in the hash: 0) */
	__u32 pad0;
	__u64 created_at;	/* CLOCK_REALTIME, seconds */
};

/*
 * Counters of one uplink, per CPU. A frame it delivered is counted here
 * and in the destination endpoint's packets[RT_DIR_TO].
 */
struct rt_uplink_stats {
	__u64 packets;		/* delivered into a container */
	__u64 bytes;
	__u64 reasons[RT_REASON_SLOTS];	/* not delivered, by reason (all handed over) */
};

/*
 * The endpoint journal, as the pairs': a record is written before
 * anything else of the endpoint is made and marked live last, so that a
 * pairpath killed half-way leaves a record the next one rolls back.
 */
enum rt_record_state {
	RT_REC_ADDING = 1,
	RT_REC_LIVE = 2,
	RT_REC_DELETING = 3,
};

#define RT_REC_ROUTE4		(1U << 0)	/* its /32 route and neighbour may exist */
#define RT_REC_ROUTE6		(1U << 1)	/* its /128 route and neighbour may exist */
#define RT_REC_BROKEN		(1U << 2)	/* its device is gone or not the recorded one */
#define RT_REC_MAC_GIVEN	(1U << 3)	/* the MAC was given (--mac): not followed */

struct rt_record_key {
	char name[RT_NAME_LEN];
};

struct rt_record {
	struct rt_endpoint ep;	/* as written to the tables */
	struct pp_dev dev;	/* the host-side veth and the container's end, as a pair's */
	__u32 state;		/* enum rt_record_state */
	__u32 flags;		/* RT_REC_* */
	__u32 mode;		/* enum pp_mode */
	__u32 pad0;
	__u64 created_at;	/* CLOCK_REALTIME, seconds */
};

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define RT_V4MAPPED_W2		0xffff0000U	/* 00 00 ff ff in network order */
#else
#define RT_V4MAPPED_W2		0x0000ffffU
#endif

/*
 * The slot of an address, the same on both sides: the words folded by
 * xor, then Fibonacci hashing, whose top bits depend on every bit of the
 * fold. A plain fold of the low bits would put 10.0.0.0/24 into a few
 * dozen slots on a little-endian CPU, the varying byte being the top one.
 */
static inline __u32 rt_addr_slot(const struct rt_addr *a)
{
	__u32 h = a->w[0] ^ a->w[1] ^ a->w[2] ^ a->w[3];

	return (h * 2654435761U) >> (32 - RT_ADDR_SLOT_BITS);
}

#endif /* __ROUTED_H */
