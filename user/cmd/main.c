// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "cmd/cli.h"
#include "cmd/cmd.h"
#include "kernel/drop_reason.h"
#include "kernel/netns.h"
#include "kernel/privs.h"
#include "lib/log.h"

#define EXIT_USAGE	2

static int (*const handlers[CMD_MAX])(const struct cli *) = {
	[CMD_ATTACH] = cmd_attach,
	[CMD_DETACH] = cmd_change,
	[CMD_UPGRADE] = cmd_change,
	[CMD_GC] = cmd_change,
	[CMD_STATUS] = cmd_show,
	[CMD_STATS] = cmd_show,
	[CMD_SERVE] = cmd_serve,
	[CMD_AGENT] = cmd_agent,
	[CMD_KDROPS] = cmd_kdrops,
	[CMD_RESET] = cmd_reset,
	[CMD_ENDPOINT] = cmd_endpoint,
	[CMD_UPLINK] = cmd_uplink,
};

int cmd_enter_netns(const struct cli *cli)
{
	return cli->netns ? netns_enter(cli->netns) : 0;
}

int main(int argc, char **argv)
{
	struct cli cli;
	char err_msg[256];
	int err;

	err = cli_parse(argc, argv, &cli, err_msg, sizeof(err_msg));
	if (err) {
		fprintf(stderr, "pairpath: %s\n", err_msg);
		return EXIT_USAGE;
	}
	if (cli.help) {
		cli_usage(stdout, cli.cmd);
		return 0;
	}
	if (cli.version) {
		printf("pairpath %s (libbpf %s)\n", PAIRPATH_VERSION, libbpf_version_string());
		return 0;
	}
	log_verbosity = cli.verbose > LOG_DEBUG ? LOG_DEBUG : cli.verbose;
	log_setup_libbpf();

	if (!cli_reads_only(&cli) && !privs_can_change()) {
		pr_warn("%s: needs CAP_BPF and CAP_NET_ADMIN (run it as root)\n",
			cli_cmd_name(cli.cmd));
		return EXIT_FAILURE;
	}
	err = handlers[cli.cmd](&cli);
	drop_reasons_free();
	/* A bad line in a batch file is a usage error, like a bad argument. */
	if (err == -EBADMSG)
		return EXIT_USAGE;
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
