/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Pinned state of one network namespace under the pin root:
 *
 *   <root>/netns-<cookie>/prog           the TC program, shared by all pairs
 *   <root>/netns-<cookie>/ports          ifindex -> struct pp_port (per CPU)
 *   <root>/netns-<cookie>/pairs          pair name -> struct pp_pair
 *   <root>/netns-<cookie>/link-PAIR-a|b  tcx links
 *
 * The netns cookie keeps ifindex keys of two namespaces apart, and unlike
 * an inode number it is never reused by a later netns.
 */
#ifndef __PAIRPATH_STORE_H
#define __PAIRPATH_STORE_H

#include <limits.h>
#include <stdbool.h>
#include <linux/types.h>
#include "pairpath.h"
#include "state/ports.h"

struct store {
	char root[PATH_MAX];
	char dir[PATH_MAX];
	int lock_fd;
	int prog_fd;
	int ports_fd;
	int ports_overflow_fd;
	int pairs_fd;
	int meta_fd;
	int kdevs_fd;		/* -1 where the kernel-drop tracer is not loaded */
	int kdrops_fd;
	__u64 netns_cookie;	/* of the netns the directory is for */
	bool kdrops_on;		/* the tracer's link was pinned at open */
	int ncpus;
	bool netns_live;	/* we are inside the netns the directory is for */
	bool made_root;		/* this store_open() created them */
	bool made_dir;
	bool made_pins;		/* it loaded and pinned the program and maps */
};

enum store_flags {
	STORE_CREATE = 1 << 0,	/* make the directory and load what is missing */
	STORE_LOCK = 1 << 1,	/* hold the pin root's lock until store_close() */
	STORE_RDONLY = 1 << 2,	/* maps read-only, no program: for the exporter */
};

/*
 * Open the current netns's state. Without STORE_CREATE a missing
 * directory is -ENOENT and nothing is made.
 */
int store_open(struct store *st, const char *root, unsigned int flags);
/*
 * Open the state in one directory under the root, whichever netns it
 * belongs to; netns_live says whether that is the current one (only
 * then may a hook be found by ifindex).
 */
int store_open_dir(struct store *st, const char *root, const char *dir,
		   bool netns_live, unsigned int flags);
void store_close(struct store *st);
/*
 * Load a fresh instance of the program built into this pairpath against
 * the pinned maps; returns its fd. store_pin_prog() makes an fd the
 * program new pairs get and records its hash in the meta map.
 */
int store_load_prog(struct store *st);
int store_pin_prog(struct store *st, int prog_fd);
__u64 store_prog_hash(void);
/* Unpin everything in the netns directory, whatever made it, and remove it. */
int store_remove(struct store *st);
/* Undo what store_open() created, if the command that opened it failed. */
void store_rollback(struct store *st);

void store_link_path(const struct store *st, const char *pair, int dir,
		     char *buf, size_t len);

bool store_on_bpffs(const char *path);

/* Has a reset unpinned these maps since they were opened? */
bool store_retired(const struct store *st);

/* Pairs sorted by name; free() the array. Returns the count or -errno. */
struct store_pair {
	struct pp_pair_key key;
	struct pp_pair pair;
};
int store_list_pairs(const struct store *st, struct store_pair **out);

/* The port table of this state, for ports_add(), ports_read() and ports_del(). */
struct ports store_ports(const struct store *st);

#endif /* __PAIRPATH_STORE_H */
