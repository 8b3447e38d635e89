/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Pinned state of one network namespace under the pin root:
 *
 *   <root>/netns-<cookie>/prog           the TC program, shared by all pairs
 *   <root>/netns-<cookie>/ports ...      the port table (state/ports.h): ports,
 *                                        ports_overflow, port_stats, peer_devs
 *   <root>/netns-<cookie>/pairs          pair records (state/journal.h)
 *   <root>/netns-<cookie>/meta           layout version, program hash
 *   <root>/netns-<cookie>/kdrop_link ... the kernel-drop tracer (state/kdrop.h):
 *                                        kdrop_link, kdevs, kdrops, kdrops_untracked
 *   <root>/netns-<cookie>/link-PAIR-a|b  tcx links
 *
 * The netns cookie keeps ifindex keys of two namespaces apart, and unlike
 * an inode number it is never reused by a later netns.
 */
#ifndef __PAIRPATH_STATE_STORE_H
#define __PAIRPATH_STATE_STORE_H

#include <limits.h>
#include <stdbool.h>
#include <linux/types.h>
#include "pairpath.h"
#include "state/ports.h"
#include "state/rt_store.h"

struct store {
	char root[PATH_MAX];
	char dir[PATH_MAX];
	int root_fd;		/* the pin root and the netns directory, checked */
	int dir_fd;
	int lock_fd;
	int prog_fd;
	struct ports ports;	/* the port table: fds, and its mapping when writable */
	int pairs_fd;
	int meta_fd;
	int kdevs_fd;		/* -1 where the kernel-drop tracer is not loaded */
	int kdrops_fd;
	int kuntracked_fd;	/* -1 also where an older tracer made the other two */
	__u64 netns_cookie;	/* of the netns the directory is for */
	bool kdrops_on;		/* the tracer's link was pinned at open */
	int ncpus;
	bool netns_live;	/* we are inside the netns the directory is for */
	bool broken;		/* STORE_BROKEN opened what cannot be used */
	bool rdonly;		/* STORE_RDONLY */
	bool made_root;		/* this store_open() created them */
	bool made_dir;
	unsigned int made_pins;	/* PP_PIN_BIT()s of the pins this command made */
	struct rt_store rt;	/* routed mode's maps, where rt_open */
	bool rt_open;
};

enum store_flags {
	STORE_CREATE = 1 << 0,	/* make the directory and load what is missing */
	STORE_LOCK = 1 << 1,	/* hold the pin root's lock until store_close() */
	STORE_RDONLY = 1 << 2,	/* maps read-only, no program: for readers */
	STORE_BROKEN = 1 << 3,	/* open also incomplete state, or another layout
				 * (st->broken): for reset, to remove it */
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
 * Take the pin root's lock for a while, on state opened without
 * STORE_LOCK; -ESTALE if a reset retired this state meanwhile (open the
 * new one), another negative errno after saying why.
 */
int store_lock(struct store *st);
void store_unlock(struct store *st);
/*
 * Make fd the program new pairs get (the previous pin, if any, goes)
 * and record the build it came from in the meta map.
 */
int store_pin_prog(struct store *st, int prog_fd);
/* Has the pinned program another build than this pairpath's? */
bool store_prog_outdated(const struct store *st);
/* Unpin everything in the netns directory, whatever made it, and remove it. */
int store_remove(struct store *st);
/* Undo what store_open() created, if the command that opened it failed. */
void store_rollback(struct store *st);

/* Where a pair's tcx link of one direction is pinned, in the directory dir. */
void store_link_path(const char *dir, const char *pair, int d, char *buf, size_t len);
/* Its name in the netns directory, and an fd of the link pinned there. */
void store_link_name(const char *pair, int d, char *buf, size_t len);
int store_link_get(const struct store *st, const char *pair, int d);

/*
 * Open routed mode's state (st->rt) if it is not open yet; with create,
 * load and pin it where there is none. -ENOENT: none (said nothing).
 * store_open() opens it already where it is pinned.
 */
int store_routed(struct store *st, bool create);

/* Has a reset unpinned these maps since they were opened? */
bool store_retired(const struct store *st);

#endif /* __PAIRPATH_STATE_STORE_H */
