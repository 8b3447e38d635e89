// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A tripwire for the host path: a tc program that drops every frame it
 * sees and counts them, so a test can tell whether any frame went the
 * way pairpath is meant to skip.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define TC_ACT_SHOT	2

struct drop_all_count {
	__u64 packets;
	__u64 bytes;
};

/* One slot, shared by every CPU: the tests send few frames. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct drop_all_count);
} drop_all_cnt SEC(".maps");

SEC("tc")
int drop_all(struct __sk_buff *skb)
{
	struct drop_all_count *c;
	__u32 key = 0;

	c = bpf_map_lookup_elem(&drop_all_cnt, &key);
	if (c) {
		__sync_fetch_and_add(&c->packets, 1);
		__sync_fetch_and_add(&c->bytes, skb->len);
	}
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
