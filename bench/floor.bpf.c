// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floor of the benchmark: the least a tcx program can do to
 * cross-connect two veths. No lookup, no check, no count: every frame
 * entering the host-side veth goes to the peer of the other one. The
 * loader sets peer_ifindex before load, one object per direction.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

const volatile __u32 peer_ifindex = 0;

SEC("tc")
int floor_ingress(struct __sk_buff *skb)
{
	return bpf_redirect_peer(peer_ifindex, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
