/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The pin root: a directory on a bpffs, and the lock every change takes. */
#ifndef __PAIRPATH_STATE_ROOT_H
#define __PAIRPATH_STATE_ROOT_H

#include <stdbool.h>

#define PP_DEFAULT_PIN_ROOT	"/sys/fs/bpf/pairpath"

/*
 * Open the directory name of atfd (path and what, "pin root", name it
 * in messages) if it may be trusted with pins: a real directory, not a
 * symlink, on a bpffs, owned by root and writable by no group or other.
 * Its fd, -ENOENT (silently) if there is none, or another negative errno
 * after saying why.
 */
int root_open_dir(int atfd, const char *name, const char *what, const char *path);
/*
 * Open the pin root, or with create make it (mounting a bpffs on
 * /sys/fs/bpf for the default root when none is there); *made says it
 * was made here, also when a later step fails. With lock, also take the
 * root's lock, waiting a bounded time for another pairpath: the lock is
 * held while the returned fd is open. Returns the fd, or a negative
 * errno after saying why (but for -ENOENT without create).
 */
int root_open(const char *root, bool create, bool lock, bool *made);

#endif /* __PAIRPATH_STATE_ROOT_H */
