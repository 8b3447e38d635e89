/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The datapath's BPF object, as built into this pairpath. */
#ifndef __PAIRPATH_STATE_LOADER_H
#define __PAIRPATH_STATE_LOADER_H

#include <linux/types.h>

struct bpf_object;

/* Which BPF object a program came from: FNV-1a over the object's ELF. */
__u64 loader_prog_hash(void);
/*
 * Load a fresh instance of the program against the maps pinned in the
 * directory dir_fd (pinning those that are not there yet, each one's
 * PP_PIN_BIT added to *made); returns its fd or -errno.
 */
int loader_load_prog(int dir_fd, unsigned int *made);
/*
 * Before load: give every map of obj that is pinned in dir_fd the pinned
 * one; bit i of *reused says map i (in the object's order) was.
 */
int loader_reuse_pinned(struct bpf_object *obj, int dir_fd, __u64 *reused);
/* After load: pin the maps the load created, each one's PP_PIN_BIT added to *made. */
int loader_pin_new(struct bpf_object *obj, int dir_fd, __u64 reused, unsigned int *made);

#endif /* __PAIRPATH_STATE_LOADER_H */
