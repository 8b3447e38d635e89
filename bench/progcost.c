// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The datapath's own cost per frame, without a network: each program
 * runs a 64-byte frame through bpf_prog_test_run_opts() millions of
 * times. Reported: nanoseconds per run (median of 7) for an empty
 * program (the harness itself), the floor (redirect_peer of a constant)
 * and pairpath's program on a port in its slot and on one in the
 * overflow hash. Their differences are what each program adds.
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
#include "pairpath.h"
#include "tool.h"
#include "state/ports.h"
#include "floor.skel.h"
#include "pairpath.skel.h"

#define RUNS 7

static __u8 frame[64] = { 0x02, 0, 0, 0, 0, 0x0b, 0x02, 0, 0, 0, 0, 0x0a, 0x88, 0xb5 };

static int cmp_u32(const void *a, const void *b)
{
	return *(const __u32 *)a < *(const __u32 *)b ? -1 : *(const __u32 *)a > *(const __u32 *)b;
}

/*
 * Run prog_fd on the frame entering ifindex, RUNS times repeat times, and
 * print the ns per run of the median, fastest and slowest of the RUNS.
 */
static int measure(const char *name, int prog_fd, __u32 ifindex, __u32 repeat)
{
	struct __sk_buff ctx = { .ingress_ifindex = ifindex };
	__u32 ns[RUNS];
	int i;

	for (i = 0; i < RUNS; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
			    .data_size_in = sizeof(frame), .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = repeat);

		if (bpf_prog_test_run_opts(prog_fd, &opts)) {
			fprintf(stderr, "progcost: test run of %s failed: %s\n", name,
				strerror(errno));
			return -1;
		}
		ns[i] = opts.duration;
	}
	qsort(ns, RUNS, sizeof(ns[0]), cmp_u32);
	printf("program=%s repeat=%u runs=%d median_ns=%u min_ns=%u max_ns=%u\n", name, repeat,
	       RUNS, ns[RUNS / 2], ns[0], ns[RUNS - 1]);
	return 0;
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
	    measure("pairpath_unpaired", ing, 77, repeat))
		goto out;
	err = 0;
out:
	ports_unmap(&pt);
	floor__destroy(fl);
	pairpath__destroy(pp);
	return err;
}
