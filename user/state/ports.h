/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The port table as user space sees it: a direct-mapped per-CPU array
 * with a per-CPU hash for ports whose slot is taken (see pairpath.h).
 */
#ifndef __PAIRPATH_PORTS_H
#define __PAIRPATH_PORTS_H

#include <linux/types.h>
#include "pairpath.h"

struct ports {
	int slots_fd;		/* "ports" */
	int overflow_fd;	/* "ports_overflow" */
	int ncpus;
};

/* Add a port, its config copied to every CPU; -EEXIST if ifindex has one. */
int ports_add(const struct ports *pt, const struct pp_port *config);
/* The port of ifindex, counters summed over CPUs; -ENOENT if none. */
int ports_read(const struct ports *pt, __u32 ifindex, struct pp_port *sum);
/* Remove the port of ifindex if pair_id owns it. */
void ports_del(const struct ports *pt, __u32 ifindex, __u32 pair_id);

#endif /* __PAIRPATH_PORTS_H */
