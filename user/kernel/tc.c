// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/route/classifier.h>
#include <netlink/route/tc.h>
#include <linux/pkt_sched.h>
#include "kernel/tc.h"

static void tc_hook(int ifindex, enum bpf_tc_attach_point where, struct bpf_tc_hook *hook)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = where;
}

static void tc_opts(const struct tc_filter *f, struct bpf_tc_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->handle = f->handle;
	opts->priority = f->priority;
}

/* The filter or qdisc was never made, or went with its device. */
static int gone_is_done(int err)
{
	return err == -ENOENT || err == -ENODEV || err == -EINVAL ? 0 : err;
}

int tc_clsact_create(int ifindex)
{
	struct bpf_tc_hook hook;

	tc_hook(ifindex, BPF_TC_INGRESS, &hook);
	return bpf_tc_hook_create(&hook);
}

int tc_clsact_destroy(int ifindex)
{
	struct bpf_tc_hook hook;

	/* Both points together name the qdisc itself, not one side of it. */
	tc_hook(ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS, &hook);
	return gone_is_done(bpf_tc_hook_destroy(&hook));
}

int tc_filter_attach(const struct tc_filter *f, int prog_fd, bool replace)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;

	tc_hook(f->ifindex, BPF_TC_INGRESS, &hook);
	tc_opts(f, &opts);
	opts.prog_fd = prog_fd;
	opts.flags = replace ? BPF_TC_F_REPLACE : 0;
	return bpf_tc_attach(&hook, &opts);
}

int tc_filter_detach(const struct tc_filter *f)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;

	tc_hook(f->ifindex, BPF_TC_INGRESS, &hook);
	tc_opts(f, &opts);
	return gone_is_done(bpf_tc_detach(&hook, &opts));
}

int tc_filter_prog_id(const struct tc_filter *f, __u32 *prog_id)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;

	tc_hook(f->ifindex, BPF_TC_INGRESS, &hook);
	tc_opts(f, &opts);
	if (bpf_tc_query(&hook, &opts))
		return -errno;
	*prog_id = opts.prog_id;
	return 0;
}

bool tc_filter_present(const struct tc_filter *f)
{
	__u32 prog_id;

	return !tc_filter_prog_id(f, &prog_id);
}

/* Filters of every kind and owner at the clsact's ingress and egress. */
int tc_clsact_filters(int ifindex)
{
	static const __u32 parents[] = {
		TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS),
		TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS),
	};
	struct nl_cache *cache;
	struct nl_sock *sk;
	int n = 0, err = 0;
	size_t i;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	if (nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		return -EIO;
	}
	for (i = 0; i < sizeof(parents) / sizeof(parents[0]) && !err; i++) {
		err = rtnl_cls_alloc_cache(sk, ifindex, parents[i], &cache);
		/*
		 * No device: nothing is on it. A dump of a parent that is not
		 * there answers with no filters; any other error (EINVAL too)
		 * says nothing of the filters, and the qdisc is kept.
		 */
		if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) {
			err = 0;
			continue;
		}
		if (err < 0) {
			err = -EIO;
			break;
		}
		n += nl_cache_nitems(cache);
		nl_cache_free(cache);
	}
	nl_socket_free(sk);
	return err ? err : n;
}
