// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The datapath's own cost per frame, without a network: each program
 * runs a 64-byte frame through bpf_prog_test_run_opts() millions of
 * times. Reported: nanoseconds per run (median of 7) for an empty
 * program (the harness itself), the floor (redirect_peer of a constant)
 * and pairpath's program on a port in its slot and on one in the
 * overflow hash. Their differences are what each program adds.
 *
 *   progcost [REPEAT]     prints "name ns_per_run" lines
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "pairpath.h"
#include "state/ports.h"
#include "floor.skel.h"
#include "pairpath.skel.h"

#define RUNS 7

static __u8 frame[64] = { 0x02, 0, 0, 0, 0, 0x0b, 0x02, 0, 0, 0, 0, 0x0a, 0x88, 0xb5 };

static int cmp_u32(const void *a, const void *b)
{
	return *(const __u32 *)a < *(const __u32 *)b ? -1 : *(const __u32 *)a > *(const __u32 *)b;
}

/* Median ns per run of prog_fd on the frame entering ifindex. */
static long measure(int prog_fd, __u32 ifindex, __u32 repeat)
{
	struct __sk_buff ctx = { .ingress_ifindex = ifindex };
	__u32 ns[RUNS];
	int i;

	for (i = 0; i < RUNS; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
			    .data_size_in = sizeof(frame), .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = repeat);

		if (bpf_prog_test_run_opts(prog_fd, &opts))
			return -errno;
		ns[i] = opts.duration;
	}
	qsort(ns, RUNS, sizeof(ns[0]), cmp_u32);
	return ns[RUNS / 2];
}

int main(int argc, char **argv)
{
	__u32 repeat = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
	struct pp_port port = { .peer.mtu = 1500, .pair_id = 1 };
	struct pairpath *pp = NULL;
	struct floor *fl = NULL;
	struct ports pt = {};
	int err = 1;

	fl = floor__open();
	pp = pairpath__open();
	if (!fl || !pp)
		goto out;
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
	if (ports_map(&pt))
		goto out;
	memcpy(port.peer.mac, frame, 6);
	/* The loopback device stands for the far veth: test_run redirects nothing. */
	port.ifindex = 5;
	if (ports_add(&pt, &port, 1))
		goto out;
	/* Same slot, so this one goes to the overflow hash. */
	port.ifindex = 5 + PP_PORT_SLOTS;
	if (ports_add(&pt, &port, 1))
		goto out;

	printf("floor %ld\n", measure(bpf_program__fd(fl->progs.floor_ingress), 5, repeat));
	printf("pairpath_slot %ld\n",
	       measure(bpf_program__fd(pp->progs.pairpath_ingress), 5, repeat));
	printf("pairpath_overflow %ld\n",
	       measure(bpf_program__fd(pp->progs.pairpath_ingress), 5 + PP_PORT_SLOTS, repeat));
	printf("pairpath_unpaired %ld\n",
	       measure(bpf_program__fd(pp->progs.pairpath_ingress), 77, repeat));
	err = 0;
out:
	ports_unmap(&pt);
	floor__destroy(fl);
	pairpath__destroy(pp);
	return err;
}
