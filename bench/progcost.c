// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The datapath's own cost per frame, without a network: each program
 * runs a 64-byte frame through bpf_prog_test_run_opts() millions of
 * times. Reported: nanoseconds per run (median of 7) for an empty
 * program (the harness itself), the floor (redirect_peer of a constant)
 * and pairpath's program on a port in its slot and on one in the
 * overflow hash. Their differences are what each program adds.
 *
 * The routed program (routed.bpf.c) delivers a 64-byte IPv4 frame from
 * one endpoint to another, with 2 endpoints and with 1000. test_run's
 * repeat runs the frame it rewrote again, whose TTL drops by one each
 * time, so it runs in calls of RT_CHUNK repetitions from TTL 255, each
 * a delivery (chunk=254 in its line; the kernel's ns per run of a call
 * is rounded down, by under 1 ns). The pair program is measured that
 * way too (pairpath_slot_chunked), to compare like with like. The
 * uplink program (routed_uplink) delivers the same frame arriving on an
 * uplink, routed_uplink_2ep and routed_uplink_1000ep; its record is in
 * its slot of the uplink table, and routed_uplink_overflow_2ep has it
 * in the overflow hash (another uplink holds the slot).
 *
 *   progcost [REPEAT]
 *
 * prints one line of space-separated key=value pairs per program:
 * "program=NAME repeat=R runs=7 median_ns=M min_ns=A max_ns=B", the ns
 * per run of each of the 7 runs of R repetitions (as the kernel times them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <arpa/inet.h>
#include <linux/pkt_cls.h>
#include "pairpath.h"
#include "tool.h"
#include "state/endpoints.h"
#include "state/rt_store.h"
#include "state/ports.h"
#include "floor.skel.h"
#include "pairpath.skel.h"
#include "routed.skel.h"

#define RUNS 7
#define RT_CHUNK 254
#define RT_FIRST_IF 2000
#define RT_UPLINK_IF 7000

static __u8 frame[64] = { 0x02, 0, 0, 0, 0, 0x0b, 0x02, 0, 0, 0, 0, 0x0a, 0x88, 0xb5 };

/*
 * 10.77.0.1 -> 10.77.0.2, TTL 255, DF, UDP, to the gateway's MAC. The
 * destination container's MAC is that same MAC, so that the frame the
 * program rewrote is again one for the gateway when it runs again.
 */
static __u8 rt_frame[64] = {
	0x02, 0, 0, 0, 0, 0xf1, 0x02, 0, 0, 0, 0, 0xa1, 0x08, 0x00,
	0x45, 0, 0, 50, 0, 0, 0x40, 0, 255, 17, 0x67, 0x1e, 10, 77, 0, 1, 10, 77, 0, 2,
};

/*
 * The same from an uplink: to the loopback device's MAC (00:00:00:00:00:00),
 * which test_run's eth_type_trans() makes PACKET_HOST; the repetitions
 * keep that pkt_type, so the rewritten MAC does not matter.
 */
static __u8 up_frame[64];

static int cmp_u32(const void *a, const void *b)
{
	return *(const __u32 *)a < *(const __u32 *)b ? -1 : *(const __u32 *)a > *(const __u32 *)b;
}

/*
 * Run prog_fd on the frame entering ifindex, RUNS times repeat times, and
 * print the ns per run of the median, fastest and slowest of the RUNS.
 */
/* ns per run of `repeat` runs of the frame, in calls of `chunk` (0: one call). */
static int run_once(const char *name, int prog_fd, __u32 ifindex, const __u8 *data,
		    __u32 repeat, __u32 chunk, __u32 *ns)
{
	struct __sk_buff ctx = { .ingress_ifindex = ifindex };
	__u32 calls = chunk ? (repeat + chunk - 1) / chunk : 1, c;
	__u64 total = 0;

	for (c = 0; c < calls; c++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = 64,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .repeat = chunk ? chunk : repeat);

		if (bpf_prog_test_run_opts(prog_fd, &opts)) {
			fprintf(stderr, "progcost: test run of %s failed: %s\n", name,
				strerror(errno));
			return -1;
		}
		if (chunk && opts.retval != TC_ACT_REDIRECT) {
			fprintf(stderr, "progcost: %s did not redirect (%d)\n", name, opts.retval);
			return -1;
		}
		total += opts.duration;
	}
	*ns = total / calls;
	return 0;
}

/*
 * Run prog_fd on the frame entering ifindex, RUNS times repeat times, and
 * print the ns per run of the median, fastest and slowest of the RUNS.
 */
static int measure_in(const char *name, int prog_fd, __u32 ifindex, const __u8 *data,
		      __u32 repeat, __u32 chunk)
{
	__u32 ns[RUNS];
	int i;

	for (i = 0; i < RUNS; i++)
		if (run_once(name, prog_fd, ifindex, data, repeat, chunk, &ns[i]))
			return -1;
	qsort(ns, RUNS, sizeof(ns[0]), cmp_u32);
	printf("program=%s repeat=%u runs=%d median_ns=%u min_ns=%u max_ns=%u", name, repeat,
	       RUNS, ns[RUNS / 2], ns[0], ns[RUNS - 1]);
	printf(chunk ? " chunk=%u\n" : "\n", chunk);
	return 0;
}

static int measure(const char *name, int prog_fd, __u32 ifindex, __u32 repeat)
{
	return measure_in(name, prog_fd, ifindex, frame, repeat, 0);
}

/* Endpoints RT_FIRST_IF + from .. + to - 1, at 10.77.i/16 and fd77::i. */
static int add_endpoints(struct routed *rt, __u32 from, __u32 to)
{
	struct rt_tables t;
	struct rt_endpoint ep = {
		.mtu = 1500,
		.flags = RT_EP_IPV4 | RT_EP_IPV6,
		.mac = { 0x02, 0, 0, 0, 0, 0xf1 },	/* see rt_frame */
		.host_mac = { 0x02, 0, 0, 0, 0, 0xf1 },
	};
	__u32 i, n;
	int ret;

	rt_tables_of(&t, rt);
	for (i = from; i < to; i++) {
		n = i + 1;	/* 10.77.0.1 is the first */
		ep.ifindex = RT_FIRST_IF + i;
		ep.endpoint_id = ep.stats_idx = i;
		ep.ipv4 = htonl(0x0a4d0000 | n);
		ep.ipv6[0] = htonl(0xfd770000);
		ep.ipv6[3] = htonl(n);
		/* The loopback device stands for the veth: test_run redirects nothing. */
		ret = rt_endpoint_add(&t, &ep, 1);
		if (ret) {
			fprintf(stderr, "progcost: cannot add endpoint %u: %s\n", i, strerror(-ret));
			return -1;
		}
	}
	return 0;
}

/*
 * An uplink record at ifindex, as user space writes one: RT_UPLINK_IF in
 * its slot, RT_UPLINK_IF + RT_UPLINK_SLOTS in the overflow hash.
 */
static int add_uplink(struct routed *rt, __u32 ifindex, __u32 stats_idx)
{
	struct rt_uplink up = { .ifindex = ifindex, .stats_idx = stats_idx,
				.state = RT_REC_LIVE };
	struct rt_store st = {
		.uplinks_fd = bpf_map__fd(rt->maps.rt_uplinks),
		.uplinks_overflow_fd = bpf_map__fd(rt->maps.rt_uplinks_overflow),
	};
	int ret;

	snprintf(up.ifname, sizeof(up.ifname), "uplink%u", stats_idx);
	ret = rt_uplink_put(&st, &up);
	if (ret) {
		fprintf(stderr, "progcost: cannot add the uplink: %s\n", strerror(-ret));
		return -1;
	}
	return 0;
}

static int measure_routed(__u32 repeat)
{
	struct routed *rt = routed__open_and_load();
	int fd, up, err = -1;

	if (!rt) {
		fprintf(stderr, "progcost: cannot load the routed program: %s\n", strerror(errno));
		return -1;
	}
	memcpy(up_frame, rt_frame, sizeof(up_frame));
	memset(up_frame, 0, 6);
	fd = bpf_program__fd(rt->progs.routed_ingress);
	up = bpf_program__fd(rt->progs.routed_uplink);
	if (!add_endpoints(rt, 0, 2) && !add_uplink(rt, RT_UPLINK_IF, 0) &&
	    !add_uplink(rt, RT_UPLINK_IF + RT_UPLINK_SLOTS, 1) &&
	    !measure_in("routed_local_2ep", fd, RT_FIRST_IF, rt_frame, repeat, RT_CHUNK) &&
	    !measure_in("routed_uplink_2ep", up, RT_UPLINK_IF, up_frame, repeat, RT_CHUNK) &&
	    !measure_in("routed_uplink_overflow_2ep", up, RT_UPLINK_IF + RT_UPLINK_SLOTS,
			up_frame, repeat, RT_CHUNK) &&
	    !add_endpoints(rt, 2, 1000) &&
	    !measure_in("routed_local_1000ep", fd, RT_FIRST_IF, rt_frame, repeat, RT_CHUNK) &&
	    !measure_in("routed_uplink_1000ep", up, RT_UPLINK_IF, up_frame, repeat, RT_CHUNK))
		err = 0;
	routed__destroy(rt);
	return err;
}

int main(int argc, char **argv)
{
	struct pp_port port = { .peer.mtu = 1500, .pair_id = 1 };
	struct pairpath *pp = NULL;
	struct floor *fl = NULL;
	long repeat = 2000000;
	struct ports pt = {};
	int err = 1, ing, ret, i;

	if (argc > 2) {
		fprintf(stderr, "usage: progcost [REPEAT]\n");
		return 2;
	}
	if (argc == 2 && parse_num("progcost", argv[1], 1, 100000000, &repeat))
		return 2;
	fl = floor__open();
	pp = pairpath__open();
	if (!fl || !pp) {
		fprintf(stderr, "progcost: cannot open the programs: %s\n", strerror(errno));
		goto out;
	}
	fl->rodata->peer_ifindex = 1;
	if (floor__load(fl) || pairpath__load(pp)) {
		fprintf(stderr, "progcost: cannot load the programs: %s\n", strerror(errno));
		goto out;
	}
	pt.slots_fd = bpf_map__fd(pp->maps.ports);
	pt.overflow_fd = bpf_map__fd(pp->maps.ports_overflow);
	pt.stats_fd = bpf_map__fd(pp->maps.port_stats);
	pt.peers_fd = bpf_map__fd(pp->maps.peer_devs);
	pt.ncpus = libbpf_num_possible_cpus();
	ret = ports_map(&pt);
	if (ret) {
		fprintf(stderr, "progcost: cannot map the ports: %s\n", strerror(-ret));
		goto out;
	}
	memcpy(port.peer.mac, frame, 6);
	/*
	 * The second port has the first one's slot: it goes to the overflow
	 * hash. The loopback device stands for the far veth: test_run
	 * redirects nothing.
	 */
	for (i = 0; i < 2; i++) {
		port.ifindex = 5 + i * PP_PORT_SLOTS;
		ret = ports_add(&pt, &port, 1);
		if (ret) {
			fprintf(stderr, "progcost: cannot add port %u: %s\n", port.ifindex,
				strerror(-ret));
			goto out;
		}
	}
	ing = bpf_program__fd(pp->progs.pairpath_ingress);
	if (measure("floor", bpf_program__fd(fl->progs.floor_ingress), 5, repeat) ||
	    measure("pairpath_slot", ing, 5, repeat) ||
	    measure("pairpath_overflow", ing, 5 + PP_PORT_SLOTS, repeat) ||
	    measure("pairpath_unpaired", ing, 77, repeat) ||
	    measure_in("pairpath_slot_chunked", ing, 5, frame, repeat, RT_CHUNK) ||
	    measure_routed(repeat))
		goto out;
	err = 0;
out:
	ports_unmap(&pt);
	floor__destroy(fl);
	pairpath__destroy(pp);
	return err;
}
