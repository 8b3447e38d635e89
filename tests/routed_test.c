// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * BPF unit tests of the routed datapath (bpf/routed.bpf.c), as
 * prog_test.c does for the pair program: hand-built frames through
 * bpf_prog_test_run_opts(), the verdict, the frame that comes out and
 * the counters checked exactly. Expected answers are built here field
 * by field and their checksums computed here, not by the program's code.
 *
 * Prints one "PASS routed_name" or "FAIL routed_name: why" line per case.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include "routed.h"
#include "state/endpoints.h"
#include "state/rt_store.h"
#include "routed.skel.h"

#define A_IF	101
#define B_IF	102
#define C_IF	(B_IF + RT_EP_SLOTS)	/* B's endpoint slot: the overflow hash */
#define MTU	1500

struct ep_def {
	__u32 ifindex;
	__u8 mac[6];
	__u8 host_mac[6];
	const char *ip4;
	const char *ip6;
	struct rt_addr a4, a6;
};

/* Every MAC differs from the others in every byte: a part copied from the wrong one shows. */
static struct ep_def A = { .ifindex = A_IF, .mac = { 0x02, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5 },
			   .host_mac = { 0x06, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5 },
			   .ip4 = "10.0.0.1", .ip6 = "fd00::1" };
static struct ep_def B = { .ifindex = B_IF, .mac = { 0x02, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5 },
			   .host_mac = { 0x0a, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5 },
			   .ip4 = "10.0.0.2", .ip6 = "fd00::2" };
static struct ep_def C = { .ifindex = C_IF, .mac = { 0x02, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5 },
			   .host_mac = { 0x0e, 0x91, 0x92, 0x93, 0x94, 0x95 } };

static const __u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static struct routed *skel;
static struct rt_tables tables;
static int prog_fd, failures, ncpus;
static __u32 lo;
static __u8 in[4096], out[4096], orig[4096];
static __u32 out_len;

#define CHECK(cond, name, fmt, ...) ({					\
	bool __ok = (cond);						\
	if (!__ok) {							\
		printf("FAIL routed_%s: " fmt "\n", name, ##__VA_ARGS__);	\
		failures++;						\
	}								\
	__ok;								\
})

static void pass(const char *name, bool ok)
{
	if (ok)
		printf("PASS routed_%s\n", name);
}

static void addr4(struct rt_addr *a, const char *s)
{
	__u32 v;

	inet_pton(AF_INET, s, &v);
	rt_addr_v4(a, v);
}

static void addr6(struct rt_addr *a, const char *s)
{
	inet_pton(AF_INET6, s, a->w);
}

static int add_ep(struct ep_def *d, __u32 stats_idx)
{
	struct rt_endpoint ep = {
		.ifindex = d->ifindex,
		.endpoint_id = stats_idx,
		.mtu = MTU,
		.stats_idx = stats_idx,
	};

	memcpy(ep.mac, d->mac, 6);
	memcpy(ep.host_mac, d->host_mac, 6);
	if (d->ip4) {
		addr4(&d->a4, d->ip4);
		ep.ipv4 = d->a4.w[3];
		ep.flags |= RT_EP_IPV4;
	}
	if (d->ip6) {
		addr6(&d->a6, d->ip6);
		memcpy(ep.ipv6, d->a6.w, 16);
		ep.flags |= RT_EP_IPV6;
	}
	return rt_endpoint_add(&tables, &ep, lo);
}

static void stats_reset(__u32 idx)
{
	struct rt_ep_stats *v = calloc(ncpus, sizeof(*v));

	bpf_map_update_elem(bpf_map__fd(skel->maps.rt_stats), &idx, v, BPF_ANY);
	free(v);
}

static struct rt_ep_stats stats(__u32 idx)
{
	struct rt_ep_stats *v = calloc(ncpus, sizeof(*v)), sum = {};
	__u64 *s = (__u64 *)&sum;
	size_t i, j;

	bpf_map_lookup_elem(bpf_map__fd(skel->maps.rt_stats), &idx, v);
	for (i = 0; i < (size_t)ncpus; i++)
		for (j = 0; j < sizeof(sum) / 8; j++)
			s[j] += ((__u64 *)&v[i])[j];
	free(v);
	return sum;
}

static void reset_all(void)
{
	stats_reset(1);
	stats_reset(2);
	stats_reset(3);
}

/*
 * Run `len` bytes of in[] through prog entering ifindex; the frame that
 * leaves in out[]. flags BPF_F_TEST_SKB_CHECKSUM_COMPLETE: the skb
 * carries a CHECKSUM_COMPLETE sum from its network header on, which the
 * kernel checks against the frame that leaves (EBADMSG if stale).
 */
static int run_prog(int prog, __u32 ifindex, __u32 len, __u32 gso_size, int repeat, __u32 flags)
{
	struct __sk_buff ctx = {
		.ingress_ifindex = ifindex,
		.gso_size = gso_size,
		.gso_segs = gso_size ? (len + gso_size - 1) / gso_size : 0,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat, .flags = flags);

	memcpy(orig, in, len);
	if (bpf_prog_test_run_opts(prog, &opts))
		return -1;	/* errno: the test's to judge */
	out_len = opts.data_size_out;
	return opts.retval;
}

static int run(__u32 ifindex, __u32 len, __u32 gso_size, int repeat)
{
	return run_prog(prog_fd, ifindex, len, gso_size, repeat, 0);
}

/* RFC 1071, on big-endian 16-bit words, independent of the program's. */
static __u32 sum16(const __u8 *p, size_t len, __u32 sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static __u16 fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void eth(__u8 *f, const __u8 *dst, const __u8 *src, __u16 proto)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = proto >> 8;
	f[13] = proto & 0xff;
}

/* An IPv4 frame of `len` bytes from A's container to the gateway's MAC. */
static __u32 v4(const char *src, const char *dst, __u8 ttl, __u8 proto, __u32 len, int ihl)
{
	__u8 *ip = in + 14;
	__u16 c;

	memset(in, 0, len);
	eth(in, A.host_mac, A.mac, 0x0800);
	ip[0] = 0x40 | ihl;
	ip[2] = (len - 14) >> 8;
	ip[3] = (len - 14) & 0xff;
	ip[6] = 0x40;	/* DF */
	ip[8] = ttl;
	ip[9] = proto;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	if (proto == 6)
		ip[ihl * 4 + 12] = 5 << 4;	/* TCP doff */
	c = fold(sum16(ip, ihl * 4, 0));
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
	return len;
}

static __u32 v6(const char *src, const char *dst, __u8 hop, __u8 nh, __u32 len)
{
	__u8 *ip = in + 14;

	memset(in, 0, len);
	eth(in, A.host_mac, A.mac, 0x86dd);
	ip[0] = 0x60;
	ip[4] = (len - 54) >> 8;
	ip[5] = (len - 54) & 0xff;
	ip[6] = nh;
	ip[7] = hop;
	inet_pton(AF_INET6, src, ip + 8);
	inet_pton(AF_INET6, dst, ip + 24);
	if (nh == 6)
		ip[40 + 12] = 5 << 4;
	return len;
}

static bool unchanged(__u32 len)
{
	return out_len == len && !memcmp(out, orig, len);
}

/* A's reason r counted `n` times and no other (n == 0: none at all). */
static bool reasons_are(const char *name, enum rt_reason r, __u64 n)
{
	struct rt_ep_stats s = stats(1);
	int i;

	for (i = 0; i < RT_REASON_SLOTS; i++)
		if (!CHECK(s.reasons[i] == (i == (int)r ? n : 0), name,
			   "reason %d counted %llu", i, s.reasons[i]))
			return false;
	return true;
}

/* That, and nothing delivered or answered. */
static bool only_reason(const char *name, enum rt_reason r, __u64 n)
{
	struct rt_ep_stats s = stats(1), b = stats(2);

	return reasons_are(name, r, n) &&
	       CHECK(!s.packets[0] && !s.packets[1] && !b.packets[0] && !s.arp_answered &&
		     !s.nd_answered, name, "a delivery or answer was counted");
}

/* A frame handed over: TC_ACT_OK, unchanged, counted once under r. */
static void handed_over(const char *name, int ret, __u32 len, enum rt_reason r)
{
	pass(name, CHECK(ret == TC_ACT_OK, name, "verdict %d, want TC_ACT_OK", ret) &&
		   CHECK(unchanged(len), name, "frame changed") && only_reason(name, r, 1));
}

static void over(const char *name, __u32 len, __u32 gso_size, enum rt_reason r)
{
	reset_all();
	handed_over(name, run(A_IF, len, gso_size, 1), len, r);
}

static void test_arp_reply(void)
{
	const char *name = "arp_reply_bytes";
	__u8 want[60] = {};
	__u8 *a = in + 14, *w = want + 14;
	int ret;

	reset_all();
	memset(in, 0, 60);
	eth(in, bcast, A.mac, 0x0806);
	memcpy(a, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	memcpy(a + 8, A.mac, 6);
	inet_pton(AF_INET, "10.0.0.1", a + 14);
	inet_pton(AF_INET, "169.254.1.1", a + 24);

	eth(want, A.mac, A.host_mac, 0x0806);
	memcpy(w, "\x00\x01\x08\x00\x06\x04\x00\x02", 8);
	memcpy(w + 8, A.host_mac, 6);
	inet_pton(AF_INET, "169.254.1.1", w + 14);
	memcpy(w + 18, A.mac, 6);
	inet_pton(AF_INET, "10.0.0.1", w + 24);

	ret = run(A_IF, 60, 0, 1);
	pass(name, CHECK(ret == TC_ACT_REDIRECT, name, "verdict %d", ret) &&
		   CHECK(out_len == 60 && !memcmp(out, want, 60), name, "reply differs") &&
		   CHECK(stats(1).arp_answered == 1, name, "arp_answered %llu",
			 stats(1).arp_answered) &&
		   reasons_are(name, 0, 0));
}

static void test_arp_other(void)
{
	memset(in, 0, 60);
	eth(in, bcast, A.mac, 0x0806);
	memcpy(in + 14, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	inet_pton(AF_INET, "10.0.0.2", in + 14 + 24);	/* another container */
	over("arp_other_address_handed_over", 60, 0, RT_R_ARP_OTHER);
}

/* The NA the program must send A's container, built and summed here. */
static void want_na(__u8 *w, const char *dst_ip)
{
	__u8 *ip = w + 14, *icmp = w + 54;
	__u32 sum;
	__u16 c;

	memset(w, 0, 86);
	eth(w, A.mac, A.host_mac, 0x86dd);
	ip[0] = 0x60;
	ip[5] = 32;
	ip[6] = 58;
	ip[7] = 255;
	inet_pton(AF_INET6, "fe80::1", ip + 8);
	inet_pton(AF_INET6, dst_ip, ip + 24);
	icmp[0] = 136;
	icmp[4] = 0xe0;	/* router, solicited, override */
	inet_pton(AF_INET6, "fe80::1", icmp + 8);
	icmp[24] = 2;
	icmp[25] = 1;
	memcpy(icmp + 26, A.host_mac, 6);
	/* pseudo-header: addresses, upper-layer length 32, next header 58 */
	sum = sum16(ip + 8, 32, 0) + 32 + 58;
	c = fold(sum16(icmp, 32, sum));
	icmp[2] = c >> 8;
	icmp[3] = c & 0xff;
}

/* A neighbour solicitation for `target`, with or without the SLLA option. */
static __u32 ns(const char *src, const char *dst, const __u8 *dmac, const char *target,
		bool slla)
{
	__u32 len = slla ? 86 : 78;
	__u8 *icmp = in + 54;

	v6(src, dst, 255, 58, len);
	memcpy(in, dmac, 6);
	icmp[0] = 135;
	inet_pton(AF_INET6, target, icmp + 8);
	if (slla) {
		icmp[24] = 1;
		icmp[25] = 1;
		memcpy(icmp + 26, A.mac, 6);
	}
	/* The program does not check the NS's checksum; the kernel would. */
	return len;
}

static void na_case(const char *name, __u32 len, const char *asker)
{
	__u8 want[86];
	int ret;

	reset_all();
	want_na(want, asker);
	ret = run(A_IF, len, 0, 1);
	pass(name, CHECK(ret == TC_ACT_REDIRECT, name, "verdict %d", ret) &&
		   CHECK(out_len == 86, name, "length %u, want 86", out_len) &&
		   CHECK(!memcmp(out, want, 86), name, "NA differs (checksum %02x%02x, want %02x%02x)",
			 out[56], out[57], want[56], want[57]) &&
		   CHECK(stats(1).nd_answered == 1, name, "nd_answered %llu",
			 stats(1).nd_answered) &&
		   reasons_are(name, 0, 0));
}

static void test_na(void)
{
	static const __u8 snm[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };

	na_case("na_reply_multicast_ns_bytes",
		ns("fe80::a1", "ff02::1:ff00:1", snm, "fe80::1", true), "fe80::a1");
	na_case("na_reply_ns_without_slla", ns("fd00::1", "fe80::1", A.host_mac, "fe80::1",
					       false), "fd00::1");
}

static void test_ns_not_answered(void)
{
	static const __u8 snm[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };
	__u32 len;

	len = ns("::", "ff02::1:ff00:1", snm, "fe80::1", false);
	over("ns_dad_not_answered", len, 0, RT_R_LINK_LOCAL);
	len = ns("fe80::a1", "ff02::1:ff00:2", snm, "fe80::2", true);
	over("ns_other_target_handed_over", len, 0, RT_R_LINK_LOCAL);
	len = ns("fe80::a1", "ff02::1:ff00:1", snm, "fe80::1", true);
	in[21] = 64;	/* hop limit: RFC 4861 says a router must ignore it */
	over("ns_hop_limit_not_255_handed_over", len, 0, RT_R_LINK_LOCAL);
}

static bool delivered(const char *name, int ret, __u32 len, __u64 n)
{
	struct rt_ep_stats a = stats(1), b = stats(2);

	return CHECK(ret == TC_ACT_REDIRECT, name, "verdict %d, want TC_ACT_REDIRECT", ret) &&
	       CHECK(out_len == len, name, "length %u", out_len) &&
	       CHECK(!memcmp(out, B.mac, 6) && !memcmp(out + 6, B.host_mac, 6), name,
		     "MACs not B's") &&
	       CHECK(a.packets[RT_DIR_FROM] == n && a.bytes[RT_DIR_FROM] == n * len &&
		     b.packets[RT_DIR_TO] == n && b.bytes[RT_DIR_TO] == n * len &&
		     !a.packets[RT_DIR_TO] && !b.packets[RT_DIR_FROM], name,
		     "A from %llu/%llu, B to %llu/%llu, want %llu/%llu", a.packets[RT_DIR_FROM],
		     a.bytes[RT_DIR_FROM], b.packets[RT_DIR_TO], b.bytes[RT_DIR_TO], n, n * len) &&
	       reasons_are(name, 0, 0);
}

static void v4_local(const char *name, int ihl)
{
	__u32 len = v4("10.0.0.1", "10.0.0.2", 64, 17, 100, ihl);
	int ret;

	reset_all();
	ret = run(A_IF, len, 0, 1);
	pass(name, delivered(name, ret, len, 1) &&
		   CHECK(out[22] == 63, name, "ttl %u, want 63", out[22]) &&
		   CHECK(fold(sum16(out + 14, ihl * 4, 0)) == 0, name, "IPv4 checksum invalid") &&
		   CHECK(!memcmp(out + 12, orig + 12, 10) && out[23] == orig[23] &&
			 !memcmp(out + 26, orig + 26, len - 26), name,
			 "more than MACs, TTL, checksum changed"));
}

static void test_v4_local(void)
{
	v4_local("ipv4_local_delivery", 5);
	v4_local("ipv4_local_delivery_with_options", 6);
}

static void test_v4_checksum_carry(void)
{
	const char *name = "ipv4_ttl_checksum_all_values";
	int ttl, bad = 0;

	/* Every TTL and a range of checksums: the incremental update's carry. */
	for (ttl = 2; ttl < 256; ttl++) {
		__u32 len = v4("10.0.0.1", "10.0.0.2", ttl, 17, 60, 5);

		in[18] = ttl;	/* vary the id, so the checksum */
		in[19] = ttl * 7;
		{
			__u16 c;

			in[24] = in[25] = 0;
			c = fold(sum16(in + 14, 20, 0));
			in[24] = c >> 8;
			in[25] = c & 0xff;
		}
		reset_all();
		bad += run(A_IF, len, 0, 1) != TC_ACT_REDIRECT ||
		       fold(sum16(out + 14, 20, 0)) != 0 || out[22] != ttl - 1;
	}
	pass(name, CHECK(!bad, name, "%d TTLs gave a bad header", bad));
}

static void test_v6_local(void)
{
	const char *name = "ipv6_local_delivery";
	__u32 len = v6("fd00::1", "fd00::2", 64, 17, 100);
	int ret;

	reset_all();
	ret = run(A_IF, len, 0, 1);
	pass(name, delivered(name, ret, len, 1) &&
		   CHECK(out[21] == 63, name, "hop limit %u, want 63", out[21]) &&
		   CHECK(!memcmp(out + 12, orig + 12, 9) && !memcmp(out + 22, orig + 22, len - 22),
			 name, "more than MACs and hop limit changed"));
}

/*
 * A burst of mixed sizes and families, counted exactly at both ends.
 * Not with repeat: test_run would run the rewritten frame again, whose
 * destination MAC is no longer the gateway's.
 */
static void test_exact_counters(void)
{
	const char *name = "exact_counters_burst";
	__u64 n = 0, bytes = 0;
	struct rt_ep_stats a, b;
	__u32 len, i;
	int bad = 0;

	reset_all();
	for (i = 0; i < 40; i++) {
		len = i & 1 ? v6("fd00::1", "fd00::2", 64, 17, 60 + i * 37)
			    : v4("10.0.0.1", "10.0.0.2", 64, 17, 60 + i * 37, 5);
		bad += run(A_IF, len, 0, 1) != TC_ACT_REDIRECT;
		n++;
		bytes += len;
	}
	a = stats(1);
	b = stats(2);
	pass(name, CHECK(!bad, name, "%d not redirected", bad) &&
		   CHECK(a.packets[RT_DIR_FROM] == n && a.bytes[RT_DIR_FROM] == bytes &&
			 b.packets[RT_DIR_TO] == n && b.bytes[RT_DIR_TO] == bytes, name,
			 "A from %llu/%llu B to %llu/%llu, want %llu/%llu",
			 a.packets[RT_DIR_FROM], a.bytes[RT_DIR_FROM], b.packets[RT_DIR_TO],
			 b.bytes[RT_DIR_TO], n, bytes) &&
		   reasons_are(name, 0, 0));
}

static void test_spoofed(void)
{
	const char *name = "spoofed_ipv4_dropped";
	__u32 len = v4("10.0.0.2", "10.0.0.2", 64, 17, 100, 5);
	int ret;

	reset_all();
	ret = run(A_IF, len, 0, 3);
	pass(name, CHECK(ret == TC_ACT_SHOT, name, "verdict %d", ret) &&
		   only_reason(name, RT_R_SPOOFED, 3));
	name = "spoofed_ipv6_dropped";
	len = v6("fd00::2", "fd00::1", 64, 17, 100);
	reset_all();
	ret = run(A_IF, len, 0, 1);
	pass(name, CHECK(ret == TC_ACT_SHOT, name, "verdict %d", ret) &&
		   only_reason(name, RT_R_SPOOFED, 1));
}

static void test_ttl(void)
{
	__u32 len;

	len = v4("10.0.0.1", "10.0.0.2", 1, 17, 100, 5);
	over("ttl_ipv4_handed_over", len, 0, RT_R_TTL);
	len = v6("fd00::1", "fd00::2", 1, 17, 100);
	over("ttl_ipv6_handed_over", len, 0, RT_R_TTL);
}

static void test_mtu(void)
{
	const char *name = "mtu_at_limit_delivered";
	__u32 len;

	len = v4("10.0.0.1", "10.0.0.2", 64, 17, 14 + MTU, 5);
	reset_all();
	pass(name, delivered(name, run(A_IF, len, 0, 1), len, 1));
	len = v4("10.0.0.1", "10.0.0.2", 64, 17, 14 + MTU + 1, 5);
	over("mtu_ipv4_handed_over", len, 0, RT_R_MTU);
	len = v6("fd00::1", "fd00::2", 64, 17, 14 + MTU + 1);
	over("mtu_ipv6_handed_over", len, 0, RT_R_MTU);

	/* GSO: judged per segment, 20 + 20 + gso_size against 1500. */
	name = "mtu_gso_segments_fit_delivered";
	len = v4("10.0.0.1", "10.0.0.2", 64, 6, 3014, 5);
	reset_all();
	pass(name, delivered(name, run(A_IF, len, MTU - 40, 1), len, 1));
	over("mtu_gso_segment_too_big_handed_over", len, MTU - 39, RT_R_MTU);
	name = "mtu_gso_ipv6_segments_fit_delivered";
	len = v6("fd00::1", "fd00::2", 64, 6, 3014);
	reset_all();
	pass(name, delivered(name, run(A_IF, len, MTU - 60, 1), len, 1));
	over("mtu_gso_ipv6_segment_too_big_handed_over", len, MTU - 59, RT_R_MTU);
}

static void test_not_local(void)
{
	__u32 len;

	len = v4("10.0.0.1", "192.0.2.1", 64, 17, 100, 5);
	over("not_local_ipv4_handed_over", len, 0, RT_R_NOT_LOCAL);
	len = v4("10.0.0.1", "169.254.1.1", 64, 1, 100, 5);
	over("not_local_gateway_handed_over", len, 0, RT_R_NOT_LOCAL);
	len = v6("fd00::1", "2001:db8::1", 64, 17, 100);
	over("not_local_ipv6_handed_over", len, 0, RT_R_NOT_LOCAL);
}

static void test_peer_gone(void)
{
	int devs = bpf_map__fd(skel->maps.rt_devs);
	__u32 len = v4("10.0.0.1", "10.0.0.2", 64, 17, 100, 5), k = B_IF;

	bpf_map_delete_elem(devs, &k);
	over("peer_gone_handed_over", len, 0, RT_R_PEER_GONE);
	bpf_map_update_elem(devs, &k, &lo, BPF_ANY);
}

static void test_link_local_and_group(void)
{
	static const __u8 allr[6] = { 0x33, 0x33, 0, 0, 0, 2 };
	static const __u8 mld[6] = { 0x33, 0x33, 0, 0, 0, 0x16 };
	static const __u8 v4m[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	static const __u8 other[6] = { 2, 0, 0, 0, 0, 0x99 };
	__u32 len;

	len = v6("fe80::a1", "fe80::1", 64, 58, 100);	/* ping the gateway */
	in[54] = 128;
	over("link_local_unicast_handed_over", len, 0, RT_R_LINK_LOCAL);
	len = v6("fe80::a1", "ff02::2", 255, 58, 70);	/* router solicitation */
	memcpy(in, allr, 6);
	in[54] = 133;
	over("router_solicitation_handed_over", len, 0, RT_R_MULTICAST);
	len = v6("::", "ff02::16", 1, 0, 90);	/* MLDv2 report, hop-by-hop first */
	memcpy(in, mld, 6);
	over("mld_handed_over", len, 0, RT_R_MULTICAST);
	len = v4("10.0.0.1", "224.0.0.1", 1, 2, 60, 5);
	memcpy(in, v4m, 6);
	over("ipv4_multicast_handed_over", len, 0, RT_R_MULTICAST);
	len = v4("0.0.0.0", "255.255.255.255", 64, 17, 300, 5);
	memcpy(in, bcast, 6);
	over("ipv4_broadcast_handed_over", len, 0, RT_R_MULTICAST);
	len = v4("10.0.0.1", "10.0.0.2", 64, 17, 100, 5);
	memcpy(in, other, 6);
	over("foreign_mac_handed_over", len, 0, RT_R_FOREIGN_MAC);
	len = v6("fd00::1", "fd00::2", 64, 17, 100);
	memcpy(in, other, 6);
	over("foreign_mac_ipv6_handed_over", len, 0, RT_R_FOREIGN_MAC);
}

/*
 * Shorter than its headers: malformed. Newer kernels' test_run refuses
 * an IP frame shorter than its fixed header (EINVAL), which TC ingress
 * itself does not: then SKIP.
 */
static void runt(const char *name, __u16 proto, __u32 len)
{
	int ret;

	memset(in, 0, len);
	eth(in, A.host_mac, A.mac, proto);
	in[14] = proto == 0x0800 ? 0x45 : 0x60;
	reset_all();
	ret = run(A_IF, len, 0, 1);
	if (ret == -1 && errno == EINVAL) {
		printf("SKIP routed_%s: test_run refuses the frame\n", name);
		return;
	}
	pass(name, CHECK(ret == TC_ACT_SHOT, name, "verdict %d", ret) &&
		   only_reason(name, RT_R_MALFORMED, 1));
}

static void test_not_ip_and_malformed(void)
{
	const char *name = "malformed_ipv4_dropped";
	__u32 len;
	int ret;

	len = v4("10.0.0.1", "10.0.0.2", 64, 17, 100, 5);
	in[12] = 0x88;
	in[13] = 0xb5;
	over("not_ip_handed_over", len, 0, RT_R_NOT_IP);

	len = v4("10.0.0.1", "10.0.0.2", 64, 17, 100, 4);	/* ihl 4 */
	reset_all();
	ret = run(A_IF, len, 0, 1);
	pass(name, CHECK(ret == TC_ACT_SHOT, name, "verdict %d", ret) &&
		   only_reason(name, RT_R_MALFORMED, 1));
	name = "malformed_ipv4_total_length_dropped";
	len = v4("10.0.0.1", "10.0.0.2", 64, 17, 100, 5);
	in[16] = 1;	/* tot_len beyond the frame */
	reset_all();
	ret = run(A_IF, len, 0, 1);
	pass(name, CHECK(ret == TC_ACT_SHOT, name, "verdict %d", ret) &&
		   only_reason(name, RT_R_MALFORMED, 1));
	runt("runt_arp_dropped", 0x0806, 30);
	runt("runt_ipv6_dropped", 0x86dd, 40);
	runt("runt_ipv4_dropped", 0x0800, 30);
}

static void test_not_endpoint(void)
{
	const char *name = "not_an_endpoint_passes";
	__u32 len = v4("10.0.0.1", "10.0.0.2", 64, 17, 100, 5);
	int ret;

	reset_all();
	ret = run(999, len, 0, 1);
	pass(name, CHECK(ret == TC_ACT_OK && unchanged(len), name, "verdict %d", ret) &&
		   only_reason(name, 0, 0));
}

/*
 * C's endpoint shares B's slot, and its address shares the slot of B's
 * IPv4 address: both lookups go through the overflow hashes.
 */
static void test_overflow(void)
{
	const char *name = "overflow_endpoint_and_address";
	char ip[32];
	struct rt_addr a;
	struct rt_ep_stats c;
	__u32 len, i;
	int ret;

	for (i = 3; i < 65536; i++) {
		snprintf(ip, sizeof(ip), "10.%u.%u.%u", i >> 16, (i >> 8) & 0xff, i & 0xff);
		addr4(&a, ip);
		if (rt_addr_slot(&a) == rt_addr_slot(&B.a4))
			break;
	}
	C.ip4 = ip;
	if (!CHECK(i < 65536 && !add_ep(&C, 3), name, "cannot add C at %s", ip))
		return;
	len = v4("10.0.0.1", ip, 64, 17, 100, 5);
	reset_all();
	ret = run(A_IF, len, 0, 1);
	c = stats(3);
	pass(name, CHECK(ret == TC_ACT_REDIRECT, name, "verdict %d", ret) &&
		   CHECK(!memcmp(out, C.mac, 6) && !memcmp(out + 6, C.host_mac, 6), name,
			 "MACs not C's") &&
		   CHECK(c.packets[RT_DIR_TO] == 1 && stats(2).packets[RT_DIR_TO] == 0, name,
			 "C to %llu", c.packets[RT_DIR_TO]));
}

/* Slots never filled: a miss must not reach the overflow hash's entries. */
static void test_spill_flag(void)
{
	const char *name = "overflow_needs_spill_mark";
	int fd = bpf_map__fd(skel->maps.rt_addrs_overflow);
	struct rt_addr a;
	__u32 len, k;

	addr4(&a, "10.9.9.9");
	k = B_IF;
	bpf_map_update_elem(fd, &a, &k, BPF_ANY);	/* in the hash, slot unmarked */
	len = v4("10.0.0.1", "10.9.9.9", 64, 17, 100, 5);
	over(name, len, 0, RT_R_NOT_LOCAL);
	bpf_map_delete_elem(fd, &a);
}

/*
 * The uplink program, routed_uplink. test_run's frame enters the
 * loopback device, whose MAC is 00:00:00:00:00:00: eth_type_trans()
 * makes a frame to it PACKET_HOST, as a frame to a NIC's own MAC.
 */
#define UP_IF		201
#define UP_STATS	5
#define UP2_IF		(UP_IF + RT_UPLINK_SLOTS)	/* UP_IF's slot: the overflow hash */
#define UP3_IF		(UP_IF + 2 * RT_UPLINK_SLOTS)	/* that slot too, no uplink */
#define UP2_STATS	4

static const __u8 lo_mac[6];
static const __u8 router_mac[6] = { 0x02, 0x71, 0x72, 0x73, 0x74, 0x75 };
static int up_prog;

/* The uplink table as state/uplinks.c writes it: this test's own maps. */
static struct rt_store up_table;

static int add_uplink(__u32 ifindex, __u32 stats_idx)
{
	struct rt_uplink u = { .ifindex = ifindex, .stats_idx = stats_idx,
			       .state = RT_REC_LIVE };
	int ret;

	snprintf(u.ifname, sizeof(u.ifname), "up%u", ifindex);
	ret = rt_uplink_put(&up_table, &u);
	errno = -ret;
	return ret;
}

static void up_reset(void)
{
	struct rt_uplink_stats *v = calloc(ncpus, sizeof(*v));
	__u32 idx;

	for (idx = 0; idx <= UP_STATS; idx++)
		bpf_map_update_elem(bpf_map__fd(skel->maps.rt_uplink_stats), &idx, v, BPF_ANY);
	free(v);
	reset_all();
}

static struct rt_uplink_stats up_stats(__u32 idx)
{
	struct rt_uplink_stats *v = calloc(ncpus, sizeof(*v)), sum = {};
	__u64 *s = (__u64 *)&sum;
	size_t i, j;

	bpf_map_lookup_elem(bpf_map__fd(skel->maps.rt_uplink_stats), &idx, v);
	for (i = 0; i < (size_t)ncpus; i++)
		for (j = 0; j < sizeof(sum) / 8; j++)
			s[j] += ((__u64 *)&v[i])[j];
	free(v);
	return sum;
}

/* No endpoint counted anything: no FROM, no reason, no answer. */
static bool eps_quiet(const char *name, bool b_to)
{
	struct rt_ep_stats a = stats(1), b = stats(2);
	__u64 sum = 0;
	int i;

	for (i = 0; i < RT_REASON_SLOTS; i++)
		sum += a.reasons[i] + b.reasons[i];
	sum += a.packets[0] + a.packets[1] + b.packets[RT_DIR_FROM] + a.arp_answered +
	       a.nd_answered + a.fib_forwarded + b.fib_forwarded;
	if (!b_to)
		sum += b.packets[RT_DIR_TO];
	return CHECK(!sum, name, "an endpoint counted the uplink's frame");
}

/* The uplink's reason r counted n times and nothing else of it. */
static bool up_only(const char *name, enum rt_reason r, __u64 n, __u64 packets, __u64 bytes)
{
	struct rt_uplink_stats u = up_stats(UP_STATS);
	int i;

	for (i = 0; i < RT_REASON_SLOTS; i++)
		if (!CHECK(u.reasons[i] == (i == (int)r ? n : 0), name,
			   "uplink reason %d counted %llu", i, u.reasons[i]))
			return false;
	return CHECK(u.packets == packets && u.bytes == bytes, name,
		     "uplink packets/bytes %llu/%llu, want %llu/%llu", u.packets, u.bytes,
		     packets, bytes);
}

static void from_uplink(const __u8 *dmac)
{
	memcpy(in, dmac, 6);
	memcpy(in + 6, router_mac, 6);
}

static void up_over(const char *name, __u32 len, enum rt_reason r)
{
	int ret;

	up_reset();
	ret = run_prog(up_prog, UP_IF, len, 0, 1, 0);
	pass(name, CHECK(ret == TC_ACT_OK, name, "verdict %d, want TC_ACT_OK", ret) &&
		   CHECK(unchanged(len), name, "frame changed") &&
		   up_only(name, r, 1, 0, 0) && eps_quiet(name, false));
}

/* Delivered into B, counted by the uplink and as B's TO, and nothing else. */
static bool up_delivered(const char *name, int ret, __u32 len)
{
	struct rt_ep_stats b = stats(2);

	if (ret == -1 && errno == EBADMSG)
		return CHECK(false, name, "skb->csum stale after the program (EBADMSG)");
	return CHECK(ret == TC_ACT_REDIRECT, name, "verdict %d, want TC_ACT_REDIRECT", ret) &&
	       CHECK(out_len == len, name, "length %u", out_len) &&
	       CHECK(!memcmp(out, B.mac, 6) && !memcmp(out + 6, B.host_mac, 6), name,
		     "MACs not B's") &&
	       up_only(name, 0, 0, 1, len) &&
	       CHECK(b.packets[RT_DIR_TO] == 1 && b.bytes[RT_DIR_TO] == len, name,
		     "B to %llu/%llu, want 1/%u", b.packets[RT_DIR_TO], b.bytes[RT_DIR_TO], len) &&
	       eps_quiet(name, true);
}

static void test_uplink_delivery(void)
{
	const char *name = "uplink_ipv4_delivery";
	__u32 len;
	int ret;

	/* Any source: an uplink has no spoof check. */
	len = v4("198.51.100.9", "10.0.0.2", 64, 17, 100, 5);
	from_uplink(lo_mac);
	up_reset();
	ret = run_prog(up_prog, UP_IF, len, 0, 1, BPF_F_TEST_SKB_CHECKSUM_COMPLETE);
	pass(name, up_delivered(name, ret, len) &&
		   CHECK(out[22] == 63, name, "ttl %u, want 63", out[22]) &&
		   CHECK(fold(sum16(out + 14, 20, 0)) == 0, name, "IPv4 checksum invalid") &&
		   CHECK(!memcmp(out + 12, orig + 12, 10) && out[23] == orig[23] &&
			 !memcmp(out + 26, orig + 26, len - 26), name,
			 "more than MACs, TTL, checksum changed"));

	name = "uplink_ipv4_options_delivery";
	len = v4("198.51.100.9", "10.0.0.2", 64, 6, 120, 7);
	from_uplink(lo_mac);
	up_reset();
	ret = run_prog(up_prog, UP_IF, len, 0, 1, BPF_F_TEST_SKB_CHECKSUM_COMPLETE);
	pass(name, up_delivered(name, ret, len) &&
		   CHECK(out[22] == 63 && fold(sum16(out + 14, 28, 0)) == 0, name,
			 "ttl %u or checksum wrong", out[22]));

	name = "uplink_ipv6_delivery_checksum_complete";
	len = v6("2001:db8::9", "fd00::2", 64, 17, 100);
	from_uplink(lo_mac);
	up_reset();
	ret = run_prog(up_prog, UP_IF, len, 0, 1, BPF_F_TEST_SKB_CHECKSUM_COMPLETE);
	pass(name, up_delivered(name, ret, len) &&
		   CHECK(out[21] == 63, name, "hop limit %u, want 63", out[21]) &&
		   CHECK(!memcmp(out + 12, orig + 12, 9) && !memcmp(out + 22, orig + 22, len - 22),
			 name, "more than MACs and hop limit changed"));
}

/* The hop-limit update of skb->csum, from a container's veth too. */
static void test_v6_checksum_complete(void)
{
	const char *name = "ipv6_local_delivery_checksum_complete";
	__u32 len = v6("fd00::1", "fd00::2", 64, 6, 200);
	int ret;

	reset_all();
	ret = run_prog(prog_fd, A_IF, len, 0, 1, BPF_F_TEST_SKB_CHECKSUM_COMPLETE);
	if (ret == -1 && errno == EBADMSG) {
		CHECK(false, name, "skb->csum stale after the program (EBADMSG)");
		return;
	}
	pass(name, delivered(name, ret, len, 1) &&
		   CHECK(out[21] == 63, name, "hop limit %u", out[21]));
	name = "ipv4_local_delivery_checksum_complete";
	len = v4("10.0.0.1", "10.0.0.2", 2, 6, 200, 5);
	reset_all();
	ret = run_prog(prog_fd, A_IF, len, 0, 1, BPF_F_TEST_SKB_CHECKSUM_COMPLETE);
	if (ret == -1 && errno == EBADMSG) {
		CHECK(false, name, "skb->csum stale after the program (EBADMSG)");
		return;
	}
	pass(name, delivered(name, ret, len, 1) && CHECK(out[22] == 1, name, "ttl %u", out[22]));
}

static void test_uplink_hand_overs(void)
{
	static const __u8 v6m[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };
	static const __u8 other[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	int devs = bpf_map__fd(skel->maps.rt_devs);
	__u32 len, k = B_IF;

	len = v4("198.51.100.9", "10.0.0.2", 1, 17, 100, 5);
	from_uplink(lo_mac);
	up_over("uplink_ttl_ipv4_handed_over", len, RT_R_TTL);
	len = v6("2001:db8::9", "fd00::2", 1, 17, 100);
	from_uplink(lo_mac);
	up_over("uplink_ttl_ipv6_handed_over", len, RT_R_TTL);
	len = v4("198.51.100.9", "192.0.2.1", 64, 17, 100, 5);
	from_uplink(lo_mac);
	up_over("uplink_not_local_ipv4_handed_over", len, RT_R_NOT_LOCAL);
	len = v6("2001:db8::9", "2001:db8::1", 64, 17, 100);
	from_uplink(lo_mac);
	up_over("uplink_not_local_ipv6_handed_over", len, RT_R_NOT_LOCAL);
	len = v4("198.51.100.9", "10.0.0.2", 64, 17, 14 + MTU + 1, 5);
	from_uplink(lo_mac);
	up_over("uplink_mtu_handed_over", len, RT_R_MTU);
	len = v4("198.51.100.9", "10.0.0.2", 64, 17, 100, 5);
	from_uplink(bcast);
	up_over("uplink_broadcast_handed_over", len, RT_R_MULTICAST);
	len = v6("2001:db8::9", "fd00::2", 64, 17, 100);
	from_uplink(v6m);
	up_over("uplink_multicast_ipv6_handed_over", len, RT_R_MULTICAST);
	len = v4("198.51.100.9", "10.0.0.2", 64, 17, 100, 5);
	from_uplink(other);
	up_over("uplink_other_host_handed_over", len, RT_R_FOREIGN_MAC);
	len = v6("fe80::9", "fd00::2", 64, 17, 100);
	from_uplink(lo_mac);
	up_over("uplink_link_local_source_handed_over", len, RT_R_LINK_LOCAL);
	len = v4("198.51.100.9", "10.0.0.2", 64, 17, 100, 4);	/* ihl 4 */
	from_uplink(lo_mac);
	up_over("uplink_malformed_handed_over", len, RT_R_MALFORMED);
	len = v4("198.51.100.9", "10.0.0.2", 64, 17, 100, 5);
	from_uplink(lo_mac);
	in[12] = 0x88;
	in[13] = 0xb5;
	up_over("uplink_not_ip_handed_over", len, RT_R_NOT_IP);

	/* An ARP request for the gateway, which only an endpoint's veth answers. */
	memset(in, 0, 60);
	eth(in, bcast, router_mac, 0x0806);
	memcpy(in + 14, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	inet_pton(AF_INET, "169.254.1.1", in + 14 + 24);
	up_over("uplink_arp_not_answered", 60, RT_R_ARP_OTHER);
	/* An NS for fe80::1 to the uplink's own MAC: no ND answer either. */
	len = ns("fe80::a1", "fe80::1", lo_mac, "fe80::1", true);
	memcpy(in + 6, router_mac, 6);
	up_over("uplink_ns_not_answered", len, RT_R_LINK_LOCAL);

	bpf_map_delete_elem(devs, &k);
	len = v4("198.51.100.9", "10.0.0.2", 64, 17, 100, 5);
	from_uplink(lo_mac);
	up_over("uplink_peer_gone_handed_over", len, RT_R_PEER_GONE);
	bpf_map_update_elem(devs, &k, &lo, BPF_ANY);
}

static void test_uplink_unknown(void)
{
	const char *name = "uplink_unknown_ifindex_passes";
	__u32 len = v4("198.51.100.9", "10.0.0.2", 64, 17, 100, 5);
	struct rt_uplink_stats u0, u;
	int ret;

	from_uplink(lo_mac);
	up_reset();
	ret = run_prog(up_prog, 999, len, 0, 1, 0);
	u0 = up_stats(0);
	u = up_stats(UP_STATS);
	pass(name, CHECK(ret == TC_ACT_OK && unchanged(len), name, "verdict %d", ret) &&
		   CHECK(!memcmp(&u0, &(struct rt_uplink_stats){}, sizeof(u0)) &&
			 !memcmp(&u, &(struct rt_uplink_stats){}, sizeof(u)), name,
			 "an uplink counted it") &&
		   eps_quiet(name, false));
}

/* Its record, read back from the uplink array's slot of ifindex. */
static struct rt_uplink up_slot(__u32 ifindex)
{
	__u32 k = ifindex % RT_UPLINK_SLOTS;
	struct rt_uplink u = {};

	bpf_map_lookup_elem(up_table.uplinks_fd, &k, &u);
	return u;
}

/* Delivered into B, counted by UP2's counters, and by no other uplink. */
static bool up2_delivered(const char *name, int ret, __u32 len)
{
	struct rt_uplink_stats u2 = up_stats(UP2_STATS), u = up_stats(UP_STATS);

	return CHECK(ret == TC_ACT_REDIRECT, name, "verdict %d, want TC_ACT_REDIRECT", ret) &&
	       CHECK(!memcmp(out, B.mac, 6), name, "MACs not B's") &&
	       CHECK(u2.packets == 1 && u2.bytes == len, name, "UP2 %llu/%llu, want 1/%u",
		     u2.packets, u2.bytes, len) &&
	       CHECK(u.packets == 0 && u.bytes == 0, name, "UP counted %llu", u.packets) &&
	       CHECK(stats(2).packets[RT_DIR_TO] == 1, name, "B to %llu",
		     stats(2).packets[RT_DIR_TO]);
}

/*
 * UP2's ifindex has UP_IF's slot: its record goes to the overflow hash,
 * the slot marked spilled, and its frames are still its own. Once UP_IF
 * has left the slot, the mark stays and UP2 is still found.
 */
static void test_uplink_overflow(void)
{
	const char *name = "uplink_overflow_delivery";
	struct rt_uplink u;
	__u32 len, key = UP2_IF;
	int ret;

	if (!CHECK(!add_uplink(UP2_IF, UP2_STATS), name, "cannot add UP2: %s", strerror(errno)))
		return;
	u = up_slot(UP_IF);
	if (!CHECK(u.ifindex == UP_IF && (u.flags & RT_SLOT_SPILL), name,
		   "slot of %u, flags %#x", u.ifindex, u.flags) ||
	    !CHECK(!bpf_map_lookup_elem(up_table.uplinks_overflow_fd, &key, &u) &&
		   u.stats_idx == UP2_STATS, name, "UP2 not in the overflow hash"))
		return;
	len = v4("198.51.100.9", "10.0.0.2", 64, 17, 100, 5);
	from_uplink(lo_mac);
	up_reset();
	ret = run_prog(up_prog, UP2_IF, len, 0, 1, 0);
	pass(name, up2_delivered(name, ret, len));

	name = "uplink_overflow_after_slot_freed";
	ret = rt_uplink_delete(&up_table, UP_IF);
	u = up_slot(UP_IF);
	if (!CHECK(!ret && !u.ifindex && (u.flags & RT_SLOT_SPILL), name,
		   "delete %d, slot of %u, flags %#x", ret, u.ifindex, u.flags))
		return;
	len = v4("198.51.100.9", "10.0.0.2", 64, 17, 100, 5);
	from_uplink(lo_mac);
	up_reset();
	ret = run_prog(up_prog, UP2_IF, len, 0, 1, 0);
	pass(name, up2_delivered(name, ret, len) &&
		   CHECK(rt_uplink_of(&up_table, UP2_IF) && !rt_uplink_of(&up_table, UP_IF),
			 name, "rt_uplink_of() wrong"));
	if (add_uplink(UP_IF, UP_STATS))
		CHECK(false, name, "cannot add UP back: %s", strerror(errno));
}

/*
 * A device of a spilled slot that is no uplink (UP3: not in the hash)
 * is the host's, untouched; and a hash entry behind a slot never
 * marked is not looked for, as for the addresses.
 */
static void test_uplink_spilled_miss(void)
{
	const char *name = "uplink_spilled_slot_miss_passes";
	struct rt_uplink_stats u, u2;
	struct rt_uplink rec = { .ifindex = UP_IF + 1, .stats_idx = UP2_STATS,
				 .state = RT_REC_LIVE };
	__u32 len, key = UP_IF + 1;
	int ret;

	len = v4("198.51.100.9", "10.0.0.2", 64, 17, 100, 5);
	from_uplink(lo_mac);
	up_reset();
	ret = run_prog(up_prog, UP3_IF, len, 0, 1, 0);
	u = up_stats(UP_STATS);
	u2 = up_stats(UP2_STATS);
	pass(name, CHECK(up_slot(UP3_IF).flags & RT_SLOT_SPILL, name, "slot not spilled") &&
		   CHECK(ret == TC_ACT_OK && unchanged(len), name, "verdict %d", ret) &&
		   CHECK(!memcmp(&u, &(struct rt_uplink_stats){}, sizeof(u)) &&
			 !memcmp(&u2, &(struct rt_uplink_stats){}, sizeof(u2)), name,
			 "an uplink counted it") &&
		   eps_quiet(name, false));

	name = "uplink_overflow_needs_spill_mark";
	bpf_map_update_elem(up_table.uplinks_overflow_fd, &key, &rec, BPF_ANY);
	len = v4("198.51.100.9", "10.0.0.2", 64, 17, 100, 5);
	from_uplink(lo_mac);
	up_reset();
	ret = run_prog(up_prog, UP_IF + 1, len, 0, 1, 0);
	u2 = up_stats(UP2_STATS);
	pass(name, CHECK(ret == TC_ACT_OK && unchanged(len), name, "verdict %d", ret) &&
		   CHECK(!u2.packets && !u2.reasons[RT_R_NOT_LOCAL], name,
			 "the hash entry behind an unmarked slot was used") &&
		   eps_quiet(name, false));
	bpf_map_delete_elem(up_table.uplinks_overflow_fd, &key);
}

/*
 * --fib. bpf_fib_lookup() needs real devices and routes, so these run
 * in a child process in a network namespace of its own (unshare: it
 * has no name and goes with the child, nothing is left behind): vA
 * stands for D's host-side veth, where D's frames enter, vU for the
 * uplink, with routes and permanent neighbours set up by ip(8). test_run
 * runs the frame in the child's namespace, with vA as ingress_ifindex.
 */
#define D_STATS		4
#define VU_MAC		"02:55:55:55:55:55"
#define GW_MAC		"02:fe:fe:fe:fe:fe"

static const __u8 vu_mac[6] = { 0x02, 0x55, 0x55, 0x55, 0x55, 0x55 };
static const __u8 gw_mac[6] = { 0x02, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe };
static struct ep_def D = { .mac = { 0x02, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5 },
			   .host_mac = { 0x0a, 0x81, 0x82, 0x83, 0x84, 0x85 },
			   .ip4 = "10.0.0.4", .ip6 = "fd00::4" };

static const char *const fib_setup[] = {
	"ip link set lo up",
	"ip link add vA type veth peer name vA2",
	"ip link add vU address " VU_MAC " type veth peer name vU2",
	"ip link set vA up && ip link set vA2 up && ip link set vU up && ip link set vU2 up",
	"ip addr add 192.0.2.1/24 dev vU && ip -6 addr add fd99::1/64 dev vU nodad",
	"sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1",
	"ip route add 198.51.100.0/24 via 192.0.2.254 dev vU",
	"ip neigh add 192.0.2.254 lladdr " GW_MAC " dev vU nud permanent",
	"ip route add 203.0.113.0/24 via 192.0.2.253 dev vU",	/* no neighbour */
	/* bpf_fib_lookup() takes a route's MTU only when locked */
	"ip route add 198.18.0.0/24 via 192.0.2.254 dev vU mtu lock 1000",
	"ip route add blackhole 198.18.1.0/24",
	"ip -6 route add 2001:db8:1::/64 via fd99::fe dev vU",
	"ip -6 neigh add fd99::fe lladdr " GW_MAC " dev vU nud permanent",
	"ip -6 route add 2001:db8:2::/64 via fd99::fd dev vU",	/* no neighbour */
};

static __u32 d4(const char *dst, __u8 ttl, __u8 proto, __u32 len)
{
	v4("10.0.0.4", dst, ttl, proto, len, 5);
	eth(in, D.host_mac, D.mac, 0x0800);
	return len;
}

static __u32 d6(const char *dst, __u8 hop, __u32 len)
{
	v6("fd00::4", dst, hop, 17, len);
	eth(in, D.host_mac, D.mac, 0x86dd);
	return len;
}

/* D's counters: FROM n/len, fib_forwarded f, reason r once (RT_REASON_MAX: none). */
static bool d_counted(const char *name, __u64 n, __u64 bytes, __u64 f, enum rt_reason r)
{
	struct rt_ep_stats d = stats(D_STATS);
	int i;

	for (i = 0; i < RT_REASON_SLOTS; i++)
		if (!CHECK(d.reasons[i] == (__u64)(i == (int)r && r != RT_REASON_MAX), name,
			   "reason %d counted %llu", i, d.reasons[i]))
			return false;
	return CHECK(d.packets[RT_DIR_FROM] == n && d.bytes[RT_DIR_FROM] == bytes &&
		     d.fib_forwarded == f && !d.packets[RT_DIR_TO], name,
		     "D from %llu/%llu fib_forwarded %llu, want %llu/%llu %llu",
		     d.packets[RT_DIR_FROM], d.bytes[RT_DIR_FROM], d.fib_forwarded, n, bytes, f);
}

static int fib_run(__u32 len, __u32 gso_size, __u32 flags)
{
	stats_reset(D_STATS);
	return run_prog(prog_fd, D.ifindex, len, gso_size, 1, flags);
}

/* Forwarded: REDIRECT, the MACs dmac and smac, the TTL or hop limit one lower. */
static void fwd_as(const char *name, __u32 len, __u32 gso_size, const __u8 *dmac,
		   const __u8 *smac, bool v6, __u64 via_fib)
{
	int ret = fib_run(len, gso_size, BPF_F_TEST_SKB_CHECKSUM_COMPLETE);
	__u32 off = v6 ? 21 : 22;

	if (ret == -1 && errno == EBADMSG) {
		CHECK(false, name, "skb->csum stale after the program (EBADMSG)");
		return;
	}
	pass(name, CHECK(ret == TC_ACT_REDIRECT, name, "verdict %d, want TC_ACT_REDIRECT", ret) &&
		   CHECK(out_len == len, name, "length %u", out_len) &&
		   CHECK(!memcmp(out, dmac, 6) && !memcmp(out + 6, smac, 6), name,
			 "MACs %02x:..:%02x %02x:..:%02x", out[0], out[5], out[6], out[11]) &&
		   CHECK(out[off] == orig[off] - 1, name, "TTL %u, want %u", out[off],
			 orig[off] - 1) &&
		   CHECK(v6 || fold(sum16(out + 14, 20, 0)) == 0, name, "IPv4 checksum invalid") &&
		   CHECK(!memcmp(out + 12, orig + 12, off - 12) &&
			 (v6 ? !memcmp(out + 22, orig + 22, len - 22)
			     : out[23] == orig[23] && !memcmp(out + 26, orig + 26, len - 26)),
			 name, "more than MACs, TTL, checksum changed") &&
		   d_counted(name, 1, len, via_fib, RT_REASON_MAX));
}

static void fib_fwd(const char *name, __u32 len, __u32 gso_size, const __u8 *dmac,
		    const __u8 *smac, bool v6)
{
	fwd_as(name, len, gso_size, dmac, smac, v6, 1);
}

static void fib_over(const char *name, __u32 len, __u32 gso_size, enum rt_reason r)
{
	int ret = fib_run(len, gso_size, 0);

	pass(name, CHECK(ret == TC_ACT_OK, name, "verdict %d, want TC_ACT_OK", ret) &&
		   CHECK(unchanged(len), name, "frame changed") &&
		   d_counted(name, 0, 0, 0, r));
}

static int fib_child(void)
{
	struct rt_endpoint ep;
	size_t i;
	__u32 len;

	if (unshare(CLONE_NEWNET)) {
		printf("SKIP routed_fib: no network namespace of its own: %s\n", strerror(errno));
		return 0;
	}
	for (i = 0; i < sizeof(fib_setup) / sizeof(fib_setup[0]); i++)
		if (system(fib_setup[i])) {
			printf("FAIL routed_fib_setup: %s\n", fib_setup[i]);
			return 1;
		}
	D.ifindex = if_nametoindex("vA");
	if (!D.ifindex || add_ep(&D, D_STATS)) {
		printf("FAIL routed_fib_setup: cannot add the endpoint on vA\n");
		return 1;
	}
	/* add_ep() made it a plain endpoint: rewrite it with RT_EP_FIB. */
	i = D.ifindex % RT_EP_SLOTS;
	bpf_map_lookup_elem(tables.eps_fd, &i, &ep);
	ep.flags |= RT_EP_FIB;
	bpf_map_update_elem(tables.eps_fd, &i, &ep, BPF_EXIST);

	len = d4("198.51.100.7", 64, 17, 100);
	fib_fwd("fib_ipv4_success_forwarded", len, 0, gw_mac, vu_mac, false);
	/* A local endpoint is delivered to, not routed to. */
	len = d4("10.0.0.2", 64, 17, 100);
	fwd_as("fib_endpoint_local_delivery_first", len, 0, B.mac, B.host_mac, false, 0);
	len = d4("203.0.113.7", 64, 17, 100);
	fib_fwd("fib_ipv4_no_neigh_redirect_neigh", len, 0, D.host_mac, D.mac, false);
	len = d6("2001:db8:1::7", 64, 100);
	fib_fwd("fib_ipv6_success_forwarded", len, 0, gw_mac, vu_mac, true);
	len = d6("2001:db8:2::7", 64, 100);
	fib_fwd("fib_ipv6_no_neigh_redirect_neigh", len, 0, D.host_mac, D.mac, true);

	/* The route's MTU, 1000: the network length, or a GSO segment's. */
	len = d4("198.18.0.7", 64, 17, 14 + 1000);
	fib_fwd("fib_ipv4_route_mtu_at_limit_forwarded", len, 0, gw_mac, vu_mac, false);
	len = d4("198.18.0.7", 64, 17, 14 + 1001);
	fib_over("fib_ipv4_frag_needed_handed_over", len, 0, RT_R_MTU);
	len = d4("198.18.0.7", 64, 6, 3014);
	fib_fwd("fib_gso_segments_fit_forwarded", len, 1000 - 40, gw_mac, vu_mac, false);
	fib_over("fib_gso_segment_too_big_handed_over", len, 1000 - 39, RT_R_MTU);

	len = d4("198.18.1.7", 64, 17, 100);
	fib_over("fib_blackhole_handed_over", len, 0, RT_R_FIB_MISS);
	len = d4("100.64.0.1", 64, 17, 100);
	fib_over("fib_no_route_handed_over", len, 0, RT_R_FIB_MISS);
	len = d4("198.51.100.7", 1, 17, 100);
	fib_over("fib_ttl_handed_over", len, 0, RT_R_TTL);
	len = d6("2001:db8:1::7", 1, 100);
	fib_over("fib_hop_limit_handed_over", len, 0, RT_R_TTL);
	if (system("sysctl -qw net.ipv4.conf.vA.forwarding=0")) {
		printf("FAIL routed_fib_setup: forwarding off on vA\n");
		return 1;
	}
	len = d4("198.51.100.7", 64, 17, 100);
	fib_over("fib_forwarding_off_handed_over", len, 0, RT_R_FIB_MISS);
	return failures;
}

static void test_fib(void)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		status = fib_child();
		fflush(stdout);
		_exit(status ? 1 : 0);
	}
	/* A case that failed has said so; only a child that died has not. */
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		printf("FAIL routed_fib: the fib cases did not run to their end\n");
		failures++;
	} else if (WEXITSTATUS(status)) {
		failures++;
	}
}

int main(void)
{
	lo = if_nametoindex("lo");
	ncpus = libbpf_num_possible_cpus();
	skel = routed__open_and_load();
	if (!skel || !lo || ncpus <= 0) {
		printf("FAIL routed_load: cannot load the routed BPF object: %s\n",
		       strerror(errno));
		return 1;
	}
	prog_fd = bpf_program__fd(skel->progs.routed_ingress);
	up_prog = bpf_program__fd(skel->progs.routed_uplink);
	rt_tables_of(&tables, skel);
	up_table.uplinks_fd = bpf_map__fd(skel->maps.rt_uplinks);
	up_table.uplinks_overflow_fd = bpf_map__fd(skel->maps.rt_uplinks_overflow);
	if (add_ep(&A, 1) || add_ep(&B, 2) || add_uplink(UP_IF, UP_STATS)) {
		printf("FAIL routed_setup: cannot add the endpoints: %s\n", strerror(errno));
		return 1;
	}

	test_arp_reply();
	test_arp_other();
	test_na();
	test_ns_not_answered();
	test_v4_local();
	test_v4_checksum_carry();
	test_v6_local();
	test_exact_counters();
	test_spoofed();
	test_ttl();
	test_mtu();
	test_not_local();
	test_peer_gone();
	test_link_local_and_group();
	test_not_ip_and_malformed();
	test_not_endpoint();
	test_spill_flag();
	test_overflow();
	test_v6_checksum_complete();
	test_uplink_delivery();
	test_uplink_hand_overs();
	test_uplink_unknown();
	test_uplink_overflow();
	test_uplink_spilled_miss();
	test_fib();

	routed__destroy(skel);
	return failures ? 1 : 0;
}
