// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF unit tests of the datapath, in the kernel selftests' way: build a
 * frame, run it through bpf_prog_test_run_opts(), check the verdict and
 * the counters. No device is needed: the port is keyed by
 * skb->ingress_ifindex, which the test context sets.
 *
 * Prints one "PASS name" or "FAIL name: why" line per case.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include <linux/pkt_cls.h>
#include "pairpath.h"
#include "state/layout.h"
#include "state/ports.h"
#include "pairpath.skel.h"

#define PORT_IFINDEX	1001
#define UNPAIRED	3003
#define PEER_MTU	1500

static const __u8 peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const __u8 foreign_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
static const __u8 bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const __u8 mcast_mac[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

static struct pairpath *skel;
static struct ports pt;
static int prog_fd, failures;
/* Where the ports send: any device of this netns will do, test_run redirects nothing. */
static __u32 peer_dev;
static __u8 frame[16384];

#define CHECK(cond, name, fmt, ...) ({					\
	bool __ok = (cond);						\
	if (!__ok) {							\
		printf("FAIL %s: " fmt "\n", name, ##__VA_ARGS__);	\
		failures++;						\
	}								\
	__ok;								\
})

/* The port table of a loaded object, mapped as a writer maps it. */
static int use_object(struct pairpath *obj)
{
	ports_unmap(&pt);
	pt.slots_fd = bpf_map__fd(obj->maps.ports);
	pt.overflow_fd = bpf_map__fd(obj->maps.ports_overflow);
	pt.stats_fd = bpf_map__fd(obj->maps.port_stats);
	pt.peers_fd = bpf_map__fd(obj->maps.peer_devs);
	pt.ncpus = libbpf_num_possible_cpus();
	prog_fd = bpf_program__fd(obj->progs.pairpath_ingress);
	return ports_map(&pt);
}

static int add_port(__u32 ifindex, __u32 mtu)
{
	struct pp_port port = {
		.ifindex = ifindex,
		.pair_id = 1,
		.peer.mtu = mtu,
	};

	memcpy(port.peer.mac, peer_mac, 6);
	return ports_add(&pt, &port, peer_dev);
}

static int read_port(__u32 ifindex, struct pp_port_stats *sum)
{
	struct port_view view;
	int err;

	err = ports_read(&pt, ifindex, &view);
	*sum = view.sum;
	return err;
}

/* Run one frame of `len` bytes to `dst` entering on `ifindex`; -1 on error. */
static int run(__u32 ifindex, const __u8 *dst, __u32 len, __u32 gso_size, int repeat)
{
	struct __sk_buff ctx = {
		.ingress_ifindex = ifindex,
		.gso_size = gso_size,
		.gso_segs = gso_size ? (len + gso_size - 1) / gso_size : 0,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = frame,
		    .data_size_in = len,
		    .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx),
		    .repeat = repeat);

	memset(frame, 0, len);
	memcpy(frame, dst, 6);
	frame[6] = 0x02;
	frame[11] = 0x0a;
	frame[12] = 0x88;	/* local experimental ethertype */
	frame[13] = 0xb5;
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -1;
	return opts.retval;
}

/* Fresh counters for every case. */
static void reset_port(__u32 mtu)
{
	ports_del(&pt, PORT_IFINDEX, 1);
	add_port(PORT_IFINDEX, mtu);
}

/*
 * One frame, repeated, on the port with fresh counters: its verdict, and
 * the port's counters after it in *s.
 */
static int run_fresh(__u32 mtu, __u32 ifindex, const __u8 *dst, __u32 len, int repeat,
		     struct pp_port_stats *s)
{
	int ret;

	reset_port(mtu);
	ret = run(ifindex, dst, len, 0, repeat);
	read_port(PORT_IFINDEX, s);
	return ret;
}

static void pass(const char *name, bool ok)
{
	if (ok)
		printf("PASS %s\n", name);
}

static void test_redirect_and_count(void)
{
	const char *name = "redirect_counts_one_frame";
	struct pp_port_stats s;
	int ret;

	ret = run_fresh(PEER_MTU, PORT_IFINDEX, peer_mac, 100, 1, &s);
	pass(name, CHECK(ret == TC_ACT_REDIRECT, name, "verdict %d, want %d", ret,
			 TC_ACT_REDIRECT) &&
		   CHECK(s.packets == 1 && s.bytes == 100, name,
			 "packets %llu bytes %llu, want 1 100", s.packets, s.bytes));
}

static void test_unpaired(void)
{
	const char *name = "unpaired_ifindex_passes";
	struct pp_port_stats s;
	int ret;

	ret = run_fresh(PEER_MTU, UNPAIRED, peer_mac, 100, 1, &s);
	pass(name, CHECK(ret == TC_ACT_OK, name, "verdict %d, want TC_ACT_OK", ret) &&
		   CHECK(s.packets == 0 && s.bytes == 0, name, "a port counted it"));
}

static void test_exact_counters(void)
{
	static const __u32 sizes[] = { 60, 64, 128, 512, 1000, 1514, 1518 };
	const char *name = "exact_counters_mixed_sizes";
	__u64 want_bytes = 0, want_packets = 0;
	struct pp_port_stats s;
	size_t i;
	int bad = 0;

	reset_port(PEER_MTU);
	/* repeat runs the same frame many times, each one counted. */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		bad += run(PORT_IFINDEX, peer_mac, sizes[i], 0, i + 1) != TC_ACT_REDIRECT;
		want_packets += i + 1;
		want_bytes += (__u64)sizes[i] * (i + 1);
	}
	read_port(PORT_IFINDEX, &s);
	pass(name, CHECK(!bad, name, "%d runs were not redirected", bad) &&
		   CHECK(s.packets == want_packets && s.bytes == want_bytes, name,
			 "packets %llu bytes %llu, want %llu %llu", s.packets, s.bytes,
			 want_packets, want_bytes) &&
		   CHECK(!s.drops[PP_DROP_MTU] && !s.drops[PP_DROP_FOREIGN_MAC], name,
			 "unexpected drops"));
}

static void test_mtu(void)
{
	const char *name = "mtu_drop_beyond_mtu_plus_18";
	struct pp_port_stats s;
	int at, over;

	reset_port(PEER_MTU);
	/* veth's is_skb_forwardable(): len <= mtu + ETH_HLEN + VLAN_HLEN */
	at = run(PORT_IFINDEX, peer_mac, PEER_MTU + 18, 0, 1);
	over = run(PORT_IFINDEX, peer_mac, PEER_MTU + 19, 0, 3);
	read_port(PORT_IFINDEX, &s);
	pass(name, CHECK(at == TC_ACT_REDIRECT, name, "mtu+18: verdict %d", at) &&
		   CHECK(over == TC_ACT_SHOT, name, "mtu+19: verdict %d", over) &&
		   CHECK(s.drops[PP_DROP_MTU] == 3 && s.packets == 1 &&
			 s.bytes == PEER_MTU + 18, name,
			 "drops.mtu %llu packets %llu bytes %llu, want 3 1 %u",
			 s.drops[PP_DROP_MTU], s.packets, s.bytes, PEER_MTU + 18));
}

static void test_small_mtu(void)
{
	const char *name = "mtu_of_far_side_is_used";
	struct pp_port_stats s;
	int ret;

	ret = run_fresh(1000, PORT_IFINDEX, peer_mac, 1100, 1, &s);
	pass(name, CHECK(ret == TC_ACT_SHOT && s.drops[PP_DROP_MTU] == 1, name,
			 "verdict %d drops.mtu %llu, want SHOT 1", ret, s.drops[PP_DROP_MTU]));
}

/*
 * __is_skb_forwardable() passes every GSO packet whatever its length and
 * gso_size; only a frame without gso_size is held to mtu + 18.
 */
static void test_gso(void)
{
	const char *name = "gso_passes_whatever_its_size";
	struct pp_port_stats s;
	int small, big, huge, plain;

	/* test_run takes at most about a page of data: 3000 bytes fit. */
	reset_port(1000);
	small = run(PORT_IFINDEX, peer_mac, 3000, 948, 1);
	big = run(PORT_IFINDEX, peer_mac, 3000, 1001, 1);
	huge = run(PORT_IFINDEX, peer_mac, 3000, 2986, 1);
	plain = run(PORT_IFINDEX, peer_mac, 3000, 0, 1);
	read_port(PORT_IFINDEX, &s);
	pass(name, CHECK(small == TC_ACT_REDIRECT && big == TC_ACT_REDIRECT &&
			 huge == TC_ACT_REDIRECT, name,
			 "gso 948 %d, gso mtu+1 %d, gso 2986 %d: want redirect", small, big,
			 huge) &&
		   CHECK(plain == TC_ACT_SHOT, name, "no gso: verdict %d, want SHOT", plain) &&
		   CHECK(s.packets == 3 && s.bytes == 9000 && s.drops[PP_DROP_MTU] == 1,
			 name, "packets %llu bytes %llu drops.mtu %llu, want 3 9000 1",
			 s.packets, s.bytes, s.drops[PP_DROP_MTU]));
}

static void test_foreign_mac(void)
{
	const char *name = "foreign_unicast_dropped_group_passes";
	struct pp_port_stats s;
	int foreign, bcast, mcast;

	reset_port(PEER_MTU);
	foreign = run(PORT_IFINDEX, foreign_mac, 100, 0, 5);
	bcast = run(PORT_IFINDEX, bcast_mac, 60, 0, 1);
	mcast = run(PORT_IFINDEX, mcast_mac, 70, 0, 1);
	read_port(PORT_IFINDEX, &s);
	pass(name, CHECK(foreign == TC_ACT_SHOT, name, "foreign: verdict %d", foreign) &&
		   CHECK(bcast == TC_ACT_REDIRECT && mcast == TC_ACT_REDIRECT, name,
			 "broadcast %d multicast %d, want redirect", bcast, mcast) &&
		   CHECK(s.drops[PP_DROP_FOREIGN_MAC] == 5 && s.packets == 2 &&
			 s.bytes == 130, name,
			 "drops.foreign_mac %llu packets %llu bytes %llu, want 5 2 130",
			 s.drops[PP_DROP_FOREIGN_MAC], s.packets, s.bytes));
}

/*
 * A frame shorter than an Ethernet header never reaches TC ingress: the
 * program's runt check is the bound the verifier requires, and no frame
 * can show its drop, so none is asserted.
 */
static void test_runt_refused(void)
{
	const char *name = "runt_never_reaches_the_program";
	int ret;

	reset_port(PEER_MTU);
	ret = run(PORT_IFINDEX, peer_mac, 13, 0, 1);
	pass(name, CHECK(ret == -1 && errno == EINVAL, name,
			 "test_run accepted a 13-byte frame (verdict %d)", ret));
}

/*
 * Two ports whose ifindexes share a slot: the second lives in the overflow
 * hash; each counts its own frames, and a third ifindex on the same slot
 * with no port is passed on.
 */
static void test_slot_collision(void)
{
	const char *name = "slot_collision_uses_overflow";
	__u32 twin = PORT_IFINDEX + PP_PORT_SLOTS, stranger = PORT_IFINDEX + 2 * PP_PORT_SLOTS;
	struct pp_port_stats s1, s2;
	int r1, r2, r3;

	reset_port(PEER_MTU);
	if (add_port(twin, PEER_MTU)) {
		printf("FAIL %s: cannot add the colliding port: %s\n", name, strerror(errno));
		failures++;
		return;
	}
	r1 = run(PORT_IFINDEX, peer_mac, 100, 0, 2);
	r2 = run(twin, peer_mac, 200, 0, 3);
	r3 = run(stranger, peer_mac, 300, 0, 1);
	read_port(PORT_IFINDEX, &s1);
	read_port(twin, &s2);
	ports_del(&pt, twin, 1);
	pass(name, CHECK(r1 == TC_ACT_REDIRECT && r2 == TC_ACT_REDIRECT, name,
			 "verdicts %d %d", r1, r2) &&
		   CHECK(r3 == TC_ACT_OK, name, "unpaired ifindex on a taken slot: verdict %d", r3) &&
		   CHECK(s1.packets == 2 && s1.bytes == 200 && s2.packets == 3 && s2.bytes == 600,
			 name, "slot port %llu/%llu, overflow port %llu/%llu", s1.packets,
			 s1.bytes, s2.packets, s2.bytes) &&
		   CHECK(read_port(twin, &s2) == -ENOENT, name, "the overflow port outlived its delete"));
}

/*
 * The far veth gone from peer_devs (the kernel deletes the entry when
 * the device goes): the frame is passed to the host stack, never
 * redirected, and counted as peer_gone.
 */
static void test_peer_gone(void)
{
	const char *name = "peer_gone_passes_to_host";
	__u32 key = PORT_IFINDEX;
	struct port_view view;
	int ret;

	reset_port(PEER_MTU);
	if (bpf_map_delete_elem(pt.peers_fd, &key)) {
		printf("FAIL %s: cannot delete the peer device: %s\n", name, strerror(errno));
		failures++;
		return;
	}
	ret = run(PORT_IFINDEX, peer_mac, 100, 0, 3);
	ports_read(&pt, PORT_IFINDEX, &view);
	pass(name, CHECK(ret == TC_ACT_OK, name, "verdict %d, want %d", ret, TC_ACT_OK) &&
		   CHECK(view.sum.drops[PP_DROP_PEER_GONE] == 3 && !view.sum.packets &&
			 !view.sum.bytes && !view.peer_dev, name,
			 "peer_gone %llu packets %llu bytes %llu peer_dev %u, want 3 0 0 0",
			 view.sum.drops[PP_DROP_PEER_GONE], view.sum.packets, view.sum.bytes,
			 view.peer_dev));
}

/*
 * ports_set_peer() rewrites MAC and MTU in place, in the slot and in the
 * overflow hash: the next frame is judged by the new far side, and the
 * counters carry on.
 */
static void test_peer_rewritten(void)
{
	const char *name = "peer_rewritten_in_place";
	static const __u8 new_mac[6] = { 0x02, 0, 0, 0, 0, 0x0c };
	__u32 twin = PORT_IFINDEX + PP_PORT_SLOTS, ifindex[2] = { PORT_IFINDEX, twin };
	union pp_peer peer = { .mtu = 1000 };
	struct pp_port_stats s;
	int i, ok = 1, before, big, old_mac, new_mac_ret, err;

	reset_port(PEER_MTU);
	add_port(twin, PEER_MTU);
	memcpy(peer.mac, new_mac, 6);
	for (i = 0; i < 2; i++) {
		before = run(ifindex[i], peer_mac, 1100, 0, 1);
		err = ports_set_peer(&pt, ifindex[i], 1, peer);
		big = run(ifindex[i], new_mac, 1100, 0, 1);
		old_mac = run(ifindex[i], peer_mac, 100, 0, 1);
		new_mac_ret = run(ifindex[i], new_mac, 1000, 0, 1);
		read_port(ifindex[i], &s);
		ok = ok && CHECK(!err && before == TC_ACT_REDIRECT && big == TC_ACT_SHOT &&
				 old_mac == TC_ACT_SHOT && new_mac_ret == TC_ACT_REDIRECT, name,
				 "port %u: set %d, verdicts %d %d %d %d", ifindex[i], err, before,
				 big, old_mac, new_mac_ret) &&
		     CHECK(s.packets == 2 && s.bytes == 2100 && s.drops[PP_DROP_MTU] == 1 &&
			   s.drops[PP_DROP_FOREIGN_MAC] == 1, name,
			   "port %u: packets %llu bytes %llu mtu %llu foreign_mac %llu", ifindex[i],
			   s.packets, s.bytes, s.drops[PP_DROP_MTU], s.drops[PP_DROP_FOREIGN_MAC]);
	}
	ok = ok && CHECK(ports_set_peer(&pt, PORT_IFINDEX, 2, peer) == -ENOENT, name,
			 "another pair's id rewrote the port");
	ports_del(&pt, twin, 1);
	pass(name, ok);
}

/* A bare Ethernet header, nothing after it: the shortest frame there is. */
static void test_header_only(void)
{
	const char *name = "header_only_frame";
	struct pp_port_stats s;
	int ret;

	ret = run_fresh(PEER_MTU, PORT_IFINDEX, peer_mac, 14, 1, &s);
	pass(name, CHECK(ret == TC_ACT_REDIRECT && s.packets == 1 && s.bytes == 14 &&
			 !s.drops[PP_DROP_RUNT], name,
			 "verdict %d packets %llu bytes %llu runt %llu", ret, s.packets,
			 s.bytes, s.drops[PP_DROP_RUNT]));
}

/*
 * The largest frame test_run takes (a page less head- and tailroom) must
 * pass bounds checks like any other; one byte more is refused by the
 * kernel before the program runs.
 */
static void test_max_size(void)
{
	const char *name = "max_size_frame";
	__u32 len = sizeof(frame);
	struct pp_port_stats s;
	int ret = -1;

	reset_port(65535 - 18);
	while (len > 14 && (ret = run(PORT_IFINDEX, peer_mac, len, 0, 1)) == -1)
		len--;
	read_port(PORT_IFINDEX, &s);
	pass(name, CHECK(len > 3000, name, "largest accepted frame is %u bytes", len) &&
		   CHECK(ret == TC_ACT_REDIRECT && s.bytes == len && s.packets == 1, name,
			 "verdict %d bytes %llu for a %u-byte frame", ret, s.bytes, len));
}

/*
 * The pre-6.15 branch: with set_pkt_type the program marks unicast for
 * the far eth0 PACKET_HOST itself. test_run's eth_type_trans() on the
 * loopback device makes the frame PACKET_OTHERHOST, as a host veth would.
 * test_run does not hand pkt_type back, so the branch is seen by its
 * marked_host counter: once per unicast frame, never for a group frame,
 * never without set_pkt_type.
 */
static void test_set_pkt_type(void)
{
	const char *name = "pkt_type_branch_for_old_kernels";
	struct pp_port_stats s, group, off;
	struct pairpath *old;
	int ret, gret, oret;

	oret = run_fresh(PEER_MTU, PORT_IFINDEX, peer_mac, 100, 1, &off);
	old = pairpath__open();
	if (!old) {
		printf("FAIL %s: open: %s\n", name, strerror(errno));
		failures++;
		return;
	}
	old->rodata->set_pkt_type = true;
	if (pairpath__load(old)) {
		printf("FAIL %s: the verifier refused the branch: %s\n", name, strerror(errno));
		failures++;
		pairpath__destroy(old);
		return;
	}
	if (use_object(old)) {
		printf("FAIL %s: cannot map the ports: %s\n", name, strerror(errno));
		failures++;
		pairpath__destroy(old);
		return;
	}
	ret = run_fresh(PEER_MTU, PORT_IFINDEX, peer_mac, 100, 1, &s);
	gret = run_fresh(PEER_MTU, PORT_IFINDEX, bcast_mac, 100, 1, &group);
	pass(name, CHECK(ret == TC_ACT_REDIRECT && s.packets == 1 && !s.drops[PP_DROP_PKT_TYPE],
			 name, "verdict %d packets %llu pkt_type drops %llu", ret, s.packets,
			 s.drops[PP_DROP_PKT_TYPE]) &&
		   CHECK(s.marked_host == 1, name, "unicast: marked_host %llu, want 1",
			 s.marked_host) &&
		   CHECK(gret == TC_ACT_REDIRECT && group.marked_host == 0, name,
			 "group frame: verdict %d marked_host %llu, want 0", gret,
			 group.marked_host) &&
		   CHECK(oret == TC_ACT_REDIRECT && off.marked_host == 0, name,
			 "without set_pkt_type: verdict %d marked_host %llu, want 0", oret,
			 off.marked_host));
	use_object(skel);
	pairpath__destroy(old);
}

/* struct NAME { u64 F0; u64 F1; } and struct t { struct NAME arr[2]; } in a new BTF. */
static struct btf *two_fields(const char *f0, const char *f1, int *outer)
{
	struct btf *btf = btf__new_empty();
	int u64, s, arr;

	if (!btf)
		return NULL;
	u64 = btf__add_int(btf, "unsigned long long", 8, 0);
	s = btf__add_struct(btf, "s", 16);
	btf__add_field(btf, f0, u64, 0, 0);
	btf__add_field(btf, f1, u64, 64, 0);
	arr = btf__add_array(btf, u64, s, 2);
	*outer = btf__add_struct(btf, "t", 32);
	if (btf__add_field(btf, "arr", arr, 0, 0) || *outer < 0) {
		btf__free(btf);
		return NULL;
	}
	return btf;
}

/*
 * The layout check compares BTF member by member: a reordered or renamed
 * field of the same size is found and named, also inside an array of
 * structs; the build's own maps pass.
 */
static void test_layout_btf(void)
{
	const char *name = "layout_btf_finds_reordered_and_renamed";
	static const char *const fields[][2] = { { "a", "b" }, { "b", "a" }, { "a", "c" } };
	static const char *const want_why[] = {
		"", "field 's.a' is 'b' there", "field 't.arr[].b' is 'c' there",
	};
	struct layout_pin pins[] = {
		{ "ports", bpf_map__fd(skel->maps.ports) },
		{ "port_stats", bpf_map__fd(skel->maps.port_stats) },
		{ "pairs", bpf_map__fd(skel->maps.pairs) },
		{ "meta", bpf_map__fd(skel->maps.meta) },
	};
	struct btf *want, *have;
	int wid, hid, ret, i, ok = 1;
	char why[256];

	want = two_fields("a", "b", &wid);
	for (i = 0; i < 3 && want; i++) {
		have = two_fields(fields[i][0], fields[i][1], &hid);
		why[0] = 0;
		/* The reordered case on the struct itself, the renamed one nested. */
		ret = have ? layout_compare(have, i == 1 ? 2 : hid, want, i == 1 ? 2 : wid, why,
					    sizeof(why)) : -ENOMEM;
		ok = ok && CHECK(ret == !!i && !strcmp(why, want_why[i]), name,
				 "case %d: %d '%s', want %d '%s'", i, ret, why, !!i, want_why[i]);
		btf__free(have);
	}
	ok = ok && CHECK(want, name, "cannot build a BTF");
	btf__free(want);
	ret = layout_check(pins, sizeof(pins) / sizeof(pins[0]), NULL, 0);
	pass(name, CHECK(ok && !ret, name, "the build's own maps: %d", ret));
}

int main(void)
{
	int err;

	peer_dev = if_nametoindex("lo");
	skel = pairpath__open_and_load();
	if (!skel || !peer_dev || use_object(skel)) {
		printf("FAIL load: cannot load the BPF object or map its ports: %s\n",
		       strerror(errno));
		return 1;
	}
	err = add_port(PORT_IFINDEX, PEER_MTU);
	if (err) {
		printf("FAIL setup: cannot add a port: %s\n", strerror(errno));
		return 1;
	}

	test_redirect_and_count();
	test_unpaired();
	test_exact_counters();
	test_mtu();
	test_small_mtu();
	test_gso();
	test_foreign_mac();
	test_runt_refused();
	test_slot_collision();
	test_peer_gone();
	test_peer_rewritten();
	test_header_only();
	test_max_size();
	test_set_pkt_type();
	test_layout_btf();

	ports_unmap(&pt);
	pairpath__destroy(skel);
	return failures ? 1 : 0;
}
