/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tcx links (6.6+) at a device's ingress. libbpf 1.1.2 has no
 * bpf_program__attach_tcx(), so they are made with bpf_link_create().
 * Every attach and detach waits for an RCU grace period under RTNL; an
 * update of the program behind a link does not.
 */
#ifndef __PAIRPATH_KERNEL_TCX_H
#define __PAIRPATH_KERNEL_TCX_H

#include <linux/types.h>

/*
 * Attach prog_fd at ifindex's tcx ingress; returns the link's fd or
 * -errno. Closing the last reference detaches it: pin it to keep it.
 */
int tcx_attach(int prog_fd, int ifindex);
/* The device of the link fd (0: defunct, its device is gone) and its program. */
int tcx_link_info(int link_fd, __u32 *ifindex, __u32 *prog_id);
/* Swap the program behind the link fd. */
int tcx_link_update(int link_fd, int prog_fd);
/* Has the kernel tcx? 0, or why not; asked with a query that attaches nothing. */
int tcx_probe(int ifindex);

#endif /* __PAIRPATH_KERNEL_TCX_H */
