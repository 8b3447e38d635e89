/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __PAIRPATH_NETNS_H
#define __PAIRPATH_NETNS_H

#include <linux/types.h>

/* Move this process into the named netns (/run/netns/NAME), as ip -n does. */
int netns_enter(const char *name);
/* The current netns's cookie: unlike its inode number, never reused. */
int netns_cookie(__u64 *cookie);

#endif /* __PAIRPATH_NETNS_H */
