/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The command handlers, one file per group: cmd_pair.c (attach, detach,
 * upgrade, gc), cmd_show.c (status, stats), cmd_serve.c (serve),
 * cmd_agent.c (agent), cmd_admin.c (kernel-drops, reset), cmd_endpoint.c (endpoint, uplink). Each returns 0 or a negative errno
 * after saying why; -EBADMSG is a usage error found in a batch file.
 */
#ifndef __PAIRPATH_CMD_CMD_H
#define __PAIRPATH_CMD_CMD_H

#include "cmd/cli.h"

/* Enter the netns -n names, if any. */
int cmd_enter_netns(const struct cli *cli);

int cmd_attach(const struct cli *cli);
int cmd_change(const struct cli *cli);	/* detach, upgrade, gc */
int cmd_show(const struct cli *cli);	/* status, stats */
int cmd_serve(const struct cli *cli);
/* Open the state serve exports into st (*out: st, or NULL if nothing is pinned yet). */
struct store;
int cmd_serve_open(const struct cli *cli, struct store *st, struct store **out);
int cmd_agent(const struct cli *cli);
int cmd_kdrops(const struct cli *cli);
int cmd_reset(const struct cli *cli);
int cmd_endpoint(const struct cli *cli);	/* endpoint add, del, list */
int cmd_uplink(const struct cli *cli);		/* uplink add, del, list */

#endif /* __PAIRPATH_CMD_CMD_H */
