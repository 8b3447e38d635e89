/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Types shared by the BPF datapath and the pairpath loader. Both sides
 * compile this file, so it holds only fixed-width types with explicit
 * padding; a change to any struct here is a change of PP_MAP_LAYOUT.
 */
#ifndef __PAIRPATH_H
#define __PAIRPATH_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * Bumped whenever a map key or value below, or in routed.h (the routed
 * maps, pinned beside these), changes shape.
 */
#define PP_MAP_LAYOUT		5

#define PP_PAIR_NAME_LEN	64	/* 63 characters and the NUL */
#define PP_IFNAME_LEN		16	/* IFNAMSIZ */
#define PP_MAX_PORTS		4096	/* two ports per pair */
#define PP_PORT_SLOTS		4096	/* direct-mapped port table: ifindex % slots */
#define PP_MAX_PAIRS		(PP_MAX_PORTS / 2)

/* A port is the host-side veth a pair's program runs on. */
enum pp_dir {
	PP_DIR_A_TO_B = 0,	/* frames entering dev_a, leaving via dev_b's peer */
	PP_DIR_B_TO_A = 1,
	PP_DIR_MAX,
};

/*
 * Why the program did not redirect a frame, with the label each reason
 * carries in metrics. The numbers are stable: they index counters in
 * pinned maps and are exported as labels. A retired code keeps its slot
 * as PP_DROP_UNUSEDn and is never reused.
 */
#define PP_DROP_REASONS(X)						\
	X(PP_DROP_RUNT,		0, "runt")	/* shorter than an Ethernet header */ \
	X(PP_DROP_MTU,		1, "mtu")	/* larger than the far eth0 accepts */ \
	X(PP_DROP_FOREIGN_MAC,	2, "foreign_mac") /* unicast not for the far eth0 */ \
	X(PP_DROP_PKT_TYPE,	3, "pkt_type")	/* could not mark PACKET_HOST (< 6.15) */ \
	X(PP_DROP_PEER_GONE,	4, "peer_gone")	/* far veth gone: passed to the host stack */

enum pp_drop_reason {
#define PP_DROP_ENUM(name, code, label) name = code,
	PP_DROP_REASONS(PP_DROP_ENUM)
#undef PP_DROP_ENUM
	PP_DROP_REASON_MAX,
};
#define PP_DROP_REASON_SLOTS	8	/* room to grow without a layout change */

/*
 * What a port needs of the far side, in one naturally aligned 8-byte
 * word: the datapath reads it with one load and user space rewrites it
 * with one store, so a frame sees the old far side or the new one,
 * never half of each.
 */
union pp_peer {
	struct {
		__u8 mac[6];	/* MAC of the far container's eth0 */
		__u16 mtu;	/* its MTU (veth allows 68 to 65535) */
	};
	__u64 word;
};

/*
 * A port: what the datapath needs to send on a frame that entered the
 * host-side veth `ifindex`. Ports live in "ports", an array indexed by
 * ifindex % PP_PORT_SLOTS whose lookup the verifier inlines to a few
 * instructions, with `ifindex` tagging the slot's owner; a port whose
 * slot is taken goes to "ports_overflow", a hash keyed by ifindex,
 * looked up only on a tag mismatch. The configuration is kept once;
 * only the counters are per CPU, in "port_stats" at the port's
 * stats_idx (its slot when that index is free).
 *
 * Where the frame goes is not in the port: "peer_devs" holds the far
 * host-side veth as a device the kernel itself forgets when it goes.
 */
struct pp_port {
	__u32 ifindex;		/* the slot's owner; 0: a free slot */
	__u32 pair_id;
	union pp_peer peer;
	__u32 stats_idx;	/* its counters in "port_stats" */
	__u8 dir;		/* enum pp_dir */
	__u8 pad0[3];
};

struct pp_port_stats {
	__u64 packets;
	__u64 bytes;
	__u64 drops[PP_DROP_REASON_SLOTS];
	__u64 marked_host;	/* frames the program marked PACKET_HOST (< 6.15) */
};

enum pp_mode {
	PP_MODE_TCX = 1,
	PP_MODE_TC = 2,
};

/* One device of a pair, as recorded at attach. */
struct pp_dev {
	__u32 ifindex;		/* host-side veth, in the pin namespace */
	__u32 peer_ifindex;	/* container eth0, in its own namespace */
	__s32 peer_netnsid;	/* IFLA_LINK_NETNSID of the host-side veth */
	__u32 peer_mtu;
	__u8 peer_mac[6];
	__u8 pad0[2];
	char ifname[PP_IFNAME_LEN];
	char peer_ifname[PP_IFNAME_LEN];
	__u32 tc_handle;	/* legacy tc only: the cls_bpf filter */
	__u32 tc_priority;
	__u8 tc_made_qdisc;	/* legacy tc only: this pair created the clsact */
	__u8 pad1[7];
	__u64 peer_netns_cookie;	/* the container's netns; 0 if it was not found */
};

/*
 * A pair's record is written before anything else of it and marked
 * attached last, so a loader killed half-way leaves a record that the
 * next pairpath finds and rolls back.
 */
enum pp_pair_state {
	PP_PAIR_ATTACHING = 1,
	PP_PAIR_ATTACHED = 2,
	PP_PAIR_DETACHING = 3,
};

/* Value of the "pairs" hash, keyed by the NUL-padded pair name. */
/*
 * A device of the pair is gone, or is no longer the one attach recorded
 * (another took its ifindex, or its container end moved): set by whoever
 * saw it first (the agent, gc), with the pair's ports retired.
 */
#define PP_PAIR_BROKEN		(1U << 0)

struct pp_pair {
	__u32 pair_id;
	__u8 mode;		/* enum pp_mode */
	__u8 state;		/* enum pp_pair_state */
	__u8 flags;		/* PP_PAIR_* */
	__u8 pad0;
	__u64 attached_at;	/* CLOCK_REALTIME, seconds */
	struct pp_dev dev[PP_DIR_MAX];	/* [0] is dev_a, [1] is dev_b */
};

struct pp_pair_key {
	char name[PP_PAIR_NAME_LEN];
};

/* The one entry of the "meta" array: what made the pinned state. */
struct pp_meta {
	__u32 layout;		/* PP_MAP_LAYOUT of the pairpath that created the maps */
	__u32 flags;		/* PP_META_* */
	__u64 prog_hash;	/* of the BPF object the pinned program came from */
	__u64 created_at;	/* CLOCK_REALTIME, seconds */
	__u32 last_pair_id;	/* pair ids are handed out in turn, never reused soon */
	__u32 pad0;
};

/*
 * Set by reset just before it unpins the maps, so that a reader still
 * holding them (the exporter) knows they are no longer the live ones.
 */
#define PP_META_RETIRED		(1U << 0)

/*
 * Legacy tc filters get a handle derived from the pair id, so that a
 * filter whose attach was cut short can still be found and removed.
 */
#define PP_TC_HANDLE_BASE	0x70700000
#define PP_TC_PRIORITY		1

/*
 * Kernel drops on a pair's path, seen by the skb:kfree_skb tracer. A
 * device is known by its netns cookie and ifindex, never by ifindex
 * alone: a container's eth0 may share its number with a host device.
 * Only the host-side veths are recorded; the tracer reaches a container
 * eth0 through its veth peer.
 */
struct pp_kdev_key {
	__u64 netns_cookie;
	__u32 ifindex;
	__u32 pad0;
};

struct pp_kdev {
	__u32 pair_id;
	__u8 side;		/* PP_DIR_A_TO_B: dev_a, the A side; else B */
	__u8 pad0[3];
};

struct pp_kdrop_key {
	__u32 pair_id;
	__u32 reason;		/* enum skb_drop_reason of the running kernel */
	__u8 dir;		/* enum pp_dir */
	__u8 pad0[7];
};

/* Reasons below this many the tracer can be told to leave out. */
#define PP_KDROP_SKIP_BITS	256

#endif /* __PAIRPATH_H */
