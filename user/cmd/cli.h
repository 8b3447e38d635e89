/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The command line, parsed by plain functions: no getopt state, no exit(),
 * so that a fuzzer can call them on any input.
 */
#ifndef __PAIRPATH_CMD_CLI_H
#define __PAIRPATH_CMD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include "cmd/values.h"
#include "observe/format.h"
#include "state/root.h"

#define PP_DEFAULT_LISTEN	"127.0.0.1:9435"
#define PP_DEFAULT_USER		"nobody"

enum cli_cmd {
	CMD_NONE = 0,
	CMD_ATTACH,
	CMD_DETACH,
	CMD_UPGRADE,
	CMD_STATUS,
	CMD_STATS,
	CMD_SERVE,
	CMD_AGENT,
	CMD_GC,
	CMD_KDROPS,
	CMD_RESET,
	CMD_ENDPOINT,
	CMD_UPLINK,
	CMD_MAX,
};

struct cli {
	enum cli_cmd cmd;
	bool help;
	bool version;
	int verbose;
	const char *netns;
	const char *pin_root;
	int mode;		/* PAIR_MODE_AUTO or an enum pp_mode */
	enum output_format format;
	bool all;
	const char *batch;	/* --batch FILE ("-": standard input) */
	unsigned int watch_secs;
	const char *listen;
	const char *user;
	struct sockaddr_storage listen_addr;
	socklen_t listen_len;
	struct value_ip ips[2];	/* endpoint add --ip, in the order given */
	int nips;
	bool has_mac;		/* endpoint add --mac */
	__u8 mac[6];
	bool fib;		/* endpoint add --fib */
	const char *args[3];	/* endpoint and uplink: args[0] is add, del or list */
	int nargs;
};

/* Returns 0, or -EINVAL with a one-line reason in err. */
int cli_parse(int argc, char **argv, struct cli *cli, char *err, size_t errlen);
const char *cli_cmd_name(enum cli_cmd cmd);
/* status and stats only read, and need no privilege. */
bool cli_cmd_reads_only(enum cli_cmd cmd);
/* The same for a parsed command line: also endpoint list and uplink list. */
bool cli_reads_only(const struct cli *cli);
void cli_usage(FILE *out, enum cli_cmd cmd);

#endif /* __PAIRPATH_CMD_CLI_H */
