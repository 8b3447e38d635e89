// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "cmd/cmd.h"
#include "lib/log.h"
#include "observe/serve.h"
#include "state/store.h"

/*
 * The maps are opened read-only, once: they are made once per pin root
 * and never re-made, so these fds see every later attach and detach.
 * The exporter never makes them: with nothing pinned, an exporter that
 * keeps root opens them at the first scrape after they appear; one that
 * drops its privileges could never open them, so it refuses to start.
 */
int cmd_serve_open(const struct cli *cli, struct store *st, struct store **out)
{
	int err;

	*out = NULL;
	err = store_open(st, cli->pin_root, STORE_RDONLY);
	if (!err)
		*out = st;
	if (err != -ENOENT)
		return err;
	if (!strcmp(cli->user, "root"))
		return 0;
	pr_warn("serve: nothing is pinned under %s for this network namespace: attach a "
		"pair first, or serve with --user root\n", cli->pin_root);
	return err;
}

/*
 * The exporter listens in the netns it was started in; -n only says
 * whose pairs it exports, so it binds before entering that netns.
 */
int cmd_serve(const struct cli *cli)
{
	struct store st, *open;
	int listen_fd, err;

	listen_fd = serve_listen(&cli->listen_addr, cli->listen_len, cli->listen);
	if (listen_fd < 0)
		return listen_fd;
	err = cmd_enter_netns(cli);
	if (!err)
		err = cmd_serve_open(cli, &st, &open);
	if (err) {
		close(listen_fd);
		return err;
	}
	return serve_run(listen_fd, cli->pin_root, cli->user, open);
}
