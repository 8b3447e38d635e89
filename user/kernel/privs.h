/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
#ifndef __PAIRPATH_PRIVS_H
#define __PAIRPATH_PRIVS_H

#include <stdbool.h>

/*
 * Become `user` for good: no supplementary groups, every capability gone
 * from every set including the bounding set, and no way back through
 * exec (no_new_privs). Returns 0 or a negative errno after saying why.
 */
int privs_drop(const char *user);

/* Does this process hold what changing the datapath takes? */
bool privs_can_change(void);

#endif /* __PAIRPATH_PRIVS_H */
