/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Every entry of a hash map in as few syscalls as the kernel allows,
 * each key once, however the map changes under the read.
 */
#ifndef __PAIRPATH_KERNEL_MAPDUMP_H
#define __PAIRPATH_KERNEL_MAPDUMP_H

#include <linux/types.h>

struct map_dump {
	void *keys;		/* n keys of key_size bytes, sorted by their bytes */
	void *values;		/* n values of value_size bytes, in the keys' order */
	__u32 key_size;
	__u32 value_size;	/* of a lookup: for per-CPU maps, every CPU's value */
	int n;
};

/*
 * Read the map of fd: BPF_MAP_LOOKUP_BATCH, or where the kernel has none
 * a get_next_key walk. Returns 0 or -errno; map_dump_free() it either way.
 */
int map_dump(int fd, __u32 key_size, __u32 value_size, struct map_dump *d);
void map_dump_free(struct map_dump *d);

#endif /* __PAIRPATH_KERNEL_MAPDUMP_H */
