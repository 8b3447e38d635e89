/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The port table as user space sees it (see pairpath.h): configuration in
 * a direct-mapped array with a hash for ports whose slot is taken, the
 * counters of each port per CPU at an index of its own, and the far veth
 * of each port as a device entry the kernel drops when the device goes.
 */
#ifndef __PAIRPATH_STATE_PORTS_H
#define __PAIRPATH_STATE_PORTS_H

#include <linux/types.h>
#include "pairpath.h"

struct ports {
	int slots_fd;		/* "ports" */
	int overflow_fd;	/* "ports_overflow" */
	int stats_fd;		/* "port_stats" */
	int peers_fd;		/* "peer_devs" */
	struct pp_port *slots;	/* "ports" mapped, to rewrite in place; NULL for readers */
	int ncpus;
};

/* A port as it is now: its configuration, counters summed over CPUs, where it sends. */
struct port_view {
	struct pp_port config;
	struct pp_port_stats sum;
	__u32 peer_dev;		/* ifindex of the far host-side veth; 0: it is gone */
};

/* What a port sending to the container end of dev needs of it. */
union pp_peer ports_peer_of(const struct pp_dev *dev);
/* Map the slots for ports_set_peer(); unmapped by ports_unmap(). */
int ports_map(struct ports *pt);
void ports_unmap(struct ports *pt);
/*
 * Add the port of config->ifindex with zeroed counters, sending to the
 * host-side veth peer_dev of the current netns; -EEXIST if the ifindex
 * has a port already. Nothing is left of a failed add.
 */
int ports_add(const struct ports *pt, const struct pp_port *config, __u32 peer_dev);
/* The port of ifindex; -ENOENT if none. */
int ports_read(const struct ports *pt, __u32 ifindex, struct port_view *view);
/*
 * Rewrite the far side of the port of ifindex, if pair_id owns it, in
 * one store that a frame sees whole or not at all; -ENOENT if it does not.
 */
int ports_set_peer(const struct ports *pt, __u32 ifindex, __u32 pair_id, union pp_peer peer);
/* Forget where the port sends, if pair_id owns it: its frames go to the host stack. */
int ports_retire(const struct ports *pt, __u32 ifindex, __u32 pair_id);
/* Send the port of ifindex (if pair_id owns it) to peer_dev of the current netns again. */
int ports_set_dev(const struct ports *pt, __u32 ifindex, __u32 pair_id, __u32 peer_dev);
/* Remove the port of ifindex if pair_id owns it. */
void ports_del(const struct ports *pt, __u32 ifindex, __u32 pair_id);

#endif /* __PAIRPATH_STATE_PORTS_H */
