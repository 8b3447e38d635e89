/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The pin root: a directory on a bpffs, and the lock every change takes. */
#ifndef __PAIRPATH_STATE_ROOT_H
#define __PAIRPATH_STATE_ROOT_H

#include <stdbool.h>

#define PP_DEFAULT_PIN_ROOT	"/sys/fs/bpf/pairpath"

/*
 * Find the pin root, or with create make it (mounting a bpffs on
 * /sys/fs/bpf for the default root when none is there); *made says it
 * was made here, also when a later step fails. With lock_fd, also take
 * the root's lock, waiting a bounded time for another pairpath: the
 * lock is held while *lock_fd is open. Returns 0 or a negative errno
 * after saying why.
 */
int root_open(const char *root, bool create, bool *made, int *lock_fd);

#endif /* __PAIRPATH_STATE_ROOT_H */
