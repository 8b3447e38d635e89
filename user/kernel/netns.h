/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __PAIRPATH_NETNS_H
#define __PAIRPATH_NETNS_H

#include <linux/types.h>

/* Move this process into the named netns (/run/netns/NAME), as ip -n does. */
int netns_enter(const char *name);
/* The current netns's cookie: unlike its inode number, never reused. */
int netns_cookie(__u64 *cookie);
/*
 * An fd of the netns with this cookie, found among the named ones
 * (/run/netns) and those of running processes; -ENOENT if none is. The
 * caller's netns is the same again on return.
 */
int netns_find(__u64 cookie);
/* Enter the netns of fd; returns 0 or a negative errno. */
int netns_enter_fd(int fd);

#endif /* __PAIRPATH_NETNS_H */
