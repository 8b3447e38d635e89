/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Hooks for the crash tests, built only into the test binary
 * (.output/test/pairpath, compiled with PAIRPATH_TEST_HOOKS). In the
 * release binary each hook is an empty inline: no code, no string.
 */
#ifndef __PAIRPATH_LIB_TESTHOOK_H
#define __PAIRPATH_LIB_TESTHOOK_H

#include <stdbool.h>

#ifdef PAIRPATH_TEST_HOOKS
/* SIGKILL this process after `step` if PAIRPATH_TEST_KILL_AT names it. */
void testhook_kill_point(int step);
/* PAIRPATH_TEST_RCVBUF, a receive buffer small enough to overflow, or bytes. */
int testhook_rcvbuf(int bytes);
/* PAIRPATH_TEST_NO_BATCH: the kernel has no batch map reads. */
bool testhook_no_batch(void);
/*
 * PAIRPATH_TEST_WALK_CHURN: a map walk's step 1 deletes the key it just
 * read and its step 2 (or the walk's end, step -1) puts it back, as a
 * detach and an attach under the walk would.
 */
void testhook_walk_step(int fd, const void *key, int step);
/* PAIRPATH_TEST_BPFFS, where the default pin root's bpffs is mounted, or fs. */
const char *testhook_bpffs_default(const char *fs);
/* PAIRPATH_TEST_LOCK_REPLACED=1: every lock taken looks replaced meanwhile. */
bool testhook_lock_replaced(void);
#else
static inline void testhook_kill_point(int step)
{
	(void)step;
}

static inline int testhook_rcvbuf(int bytes)
{
	return bytes;
}

static inline bool testhook_no_batch(void)
{
	return false;
}

static inline void testhook_walk_step(int fd, const void *key, int step)
{
	(void)fd;
	(void)key;
	(void)step;
}

static inline const char *testhook_bpffs_default(const char *fs)
{
	return fs;
}

static inline bool testhook_lock_replaced(void)
{
	return false;
}
#endif

#endif /* __PAIRPATH_LIB_TESTHOOK_H */
