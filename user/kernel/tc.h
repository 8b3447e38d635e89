/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Legacy tc: a clsact qdisc and direct-action cls_bpf filters at ingress. */
#ifndef __PAIRPATH_KERNEL_TC_H
#define __PAIRPATH_KERNEL_TC_H

#include <stdbool.h>
#include <linux/types.h>

/* A filter at a device's ingress is found by its handle and priority. */
struct tc_filter {
	int ifindex;
	__u32 handle;
	__u32 priority;
};

/* Make the device's clsact qdisc: 0, -EEXIST if there is one, or -errno. */
int tc_clsact_create(int ifindex);
/*
 * How many filters, anyone's, ingress and egress, are on the device's
 * clsact qdisc (0 if none is there), or a negative errno.
 */
int tc_clsact_filters(int ifindex);
/* Remove the clsact qdisc and every filter on it; gone already is 0. */
int tc_clsact_destroy(int ifindex);
/*
 * Attach prog_fd as the filter; with replace, swap the program of the
 * filter that is there in place (same handle and priority, NLM_F_REPLACE).
 */
int tc_filter_attach(const struct tc_filter *f, int prog_fd, bool replace);
/* Remove the filter; one never made, or gone with its device, is 0. */
int tc_filter_detach(const struct tc_filter *f);
bool tc_filter_present(const struct tc_filter *f);
/* The id of the program the filter runs. */
int tc_filter_prog_id(const struct tc_filter *f, __u32 *prog_id);

#endif /* __PAIRPATH_KERNEL_TC_H */
