// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <unistd.h>
#include "cmd/cmd.h"
#include "observe/serve.h"

/*
 * The exporter listens in the netns it was started in; -n only says
 * whose pairs it exports, so it binds before entering that netns.
 */
int cmd_serve(const struct cli *cli)
{
	int listen_fd, err;

	listen_fd = serve_listen(&cli->listen_addr, cli->listen_len, cli->listen);
	if (listen_fd < 0)
		return listen_fd;
	err = cmd_enter_netns(cli);
	if (err) {
		close(listen_fd);
		return err;
	}
	return serve_run(listen_fd, cli->pin_root, cli->user);
}
