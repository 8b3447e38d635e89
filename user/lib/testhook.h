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
