/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The command line, parsed by plain functions: no getopt state, no exit(),
 * so that a fuzzer can call them on any input.
 */
#ifndef __PAIRPATH_CLI_H
#define __PAIRPATH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#define PP_DEFAULT_PIN_ROOT	"/sys/fs/bpf/pairpath"
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
	CMD_GC,
	CMD_KDROPS,
	CMD_RESET,
	CMD_MAX,
};

enum cli_format {
	FMT_TABLE = 0,
	FMT_JSON,
	FMT_PROMETHEUS,
};

enum cli_mode {
	MODE_AUTO = 0,
	MODE_TCX,
	MODE_TC,
};

struct cli {
	enum cli_cmd cmd;
	bool help;
	bool version;
	int verbose;
	const char *netns;
	const char *pin_root;
	enum cli_mode mode;
	enum cli_format format;
	bool all;
	const char *batch;	/* --batch FILE ("-": standard input) */
	unsigned int watch_secs;
	const char *listen;
	const char *user;
	struct sockaddr_storage listen_addr;
	socklen_t listen_len;
	const char *args[3];
	int nargs;
};

/* Returns 0, or -EINVAL with a one-line reason in err. */
int cli_parse(int argc, char **argv, struct cli *cli, char *err, size_t errlen);
int cli_check_pair_name(const char *name, char *err, size_t errlen);
int cli_check_ifname(const char *name, char *err, size_t errlen);
/* "127.0.0.1:9435", "[::1]:9435", "0.0.0.0:80": an address and a port. */
int cli_parse_listen(const char *text, struct sockaddr_storage *addr, socklen_t *len,
		     char *err, size_t errlen);
/*
 * One line of a batch file: "PAIR DEV_A DEV_B" for attach, "PAIR" for
 * detach; '#' starts a comment. Splits line in place into fields; returns
 * the number of fields (0: nothing on the line) or -EINVAL with the reason.
 */
int cli_parse_batch_line(char *line, enum cli_cmd cmd, char **fields, char *err,
			 size_t errlen);
const char *cli_cmd_name(enum cli_cmd cmd);
void cli_usage(FILE *out, enum cli_cmd cmd);

#endif /* __PAIRPATH_CLI_H */
