/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __PAIRPATH_KERNEL_NETNS_H
#define __PAIRPATH_KERNEL_NETNS_H

#include <linux/types.h>

/* Move this process into the named netns (/run/netns/NAME), as ip -n does. */
int netns_enter(const char *name);
/* The current netns's cookie: unlike its inode number or an nsid, never reused. */
int netns_cookie(__u64 *cookie);
/*
 * An fd of the netns with this cookie, found among the named ones
 * (/run/netns) and those of running processes; -ENOENT if none is. The
 * caller's netns is the same again on return.
 */
int netns_find(__u64 cookie);
/*
 * An fd of the network namespace at path (a runtime's CNI_NETNS): the
 * file must be a netns (nsfs, NS_GET_NSTYPE CLONE_NEWNET) and not the
 * caller's own. -ENOENT if there is nothing at path, -ENOTTY if it is
 * not a netns, -EEXIST if it is the caller's.
 */
int netns_open_other(const char *path);
/* Enter the netns of fd; returns 0 or a negative errno. */
int netns_enter_fd(int fd);
/*
 * The cookie of the netns that nsid names in the current netns (as in
 * IFLA_LINK_NETNSID), or -ENOENT. What a scan of every netns learnt is
 * kept until netns_ids_forget(): call it when nsids may have changed.
 */
int netns_cookie_of_nsid(int nsid, __u64 *cookie);
void netns_ids_forget(void);

#endif /* __PAIRPATH_KERNEL_NETNS_H */
