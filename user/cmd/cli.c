// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cli.h"
#include "cmd/values.h"
#include "control/pair.h"
#include "pairpath.h"

enum opt_id {
	OPT_HELP,
	OPT_VERSION,
	OPT_VERBOSE,
	OPT_NETNS,
	OPT_PIN_ROOT,
	OPT_MODE,
	OPT_FORMAT,
	OPT_JSON,
	OPT_ALL,
	OPT_WATCH,
	OPT_LISTEN,
	OPT_USER,
	OPT_BATCH,
	OPT_IP,
	OPT_MAC,
	OPT_FIB,
};

#define ON(c)		(1u << (c))
#define ON_ALL		(~0u)
#define READERS		(ON(CMD_STATUS) | ON(CMD_STATS))
#define LISTERS		(ON(CMD_ENDPOINT) | ON(CMD_UPLINK))

/* One table gives the parser and --help. */
static const struct cli_opt {
	const char *name;
	char short_name;
	const char *arg;	/* NULL: a flag */
	unsigned int cmds;	/* commands that take it */
	enum opt_id id;
	const char *help;
} cli_opts[] = {
	{ "help", 'h', NULL, ON_ALL, OPT_HELP, "show this help" },
	{ "version", 'V', NULL, ON_ALL, OPT_VERSION, "show the version" },
	{ "verbose", 'v', NULL, ON_ALL, OPT_VERBOSE, "say more (repeat for libbpf debug)" },
	{ "netns", 'n', "NAME", ON_ALL, OPT_NETNS,
	  "act inside the named network namespace, like ip -n" },
	{ "pin-root", 0, "DIR", ON_ALL, OPT_PIN_ROOT,
	  "bpffs directory for pinned state (default " PP_DEFAULT_PIN_ROOT ")" },
	{ "mode", 0, "auto|tcx|tc", ON(CMD_ATTACH), OPT_MODE,
	  "attach with tcx links or legacy clsact/cls_bpf (default auto)" },
	{ "format", 0, "table|json|prometheus", READERS | LISTERS, OPT_FORMAT,
	  "output format (prometheus: stats only)" },
	{ "json", 0, NULL, READERS | LISTERS, OPT_JSON, "same as --format json" },
	{ "ip", 0, "ADDR", ON(CMD_ENDPOINT), OPT_IP,
	  "endpoint add: its IPv4 or IPv6 address (one of each at most)" },
	{ "mac", 0, "MAC", ON(CMD_ENDPOINT), OPT_MAC,
	  "endpoint add: the container's MAC (default: read from the veth peer)" },
	{ "fib", 0, NULL, ON(CMD_ENDPOINT), OPT_FIB,
	  "endpoint add: send its traffic for remote hosts out with bpf_fib_lookup()" },
	{ "all", 0, NULL, ON(CMD_DETACH) | ON(CMD_UPGRADE), OPT_ALL,
	  "act on every pair" },
	{ "batch", 0, "FILE", ON(CMD_ATTACH) | ON(CMD_DETACH), OPT_BATCH,
	  "one pair a line from FILE (- for stdin), in one locked run" },
	{ "watch", 0, "SECS", ON(CMD_STATS), OPT_WATCH,
	  "redraw the table every SECS seconds, with rates" },
	{ "listen", 0, "ADDR:PORT", ON(CMD_SERVE) | ON(CMD_AGENT), OPT_LISTEN,
	  "where to serve /metrics (default " PP_DEFAULT_LISTEN ", loopback)" },
	{ "user", 0, "USER", ON(CMD_SERVE) | ON(CMD_AGENT), OPT_USER,
	  "serve as USER without capabilities (default " PP_DEFAULT_USER ")" },
};

static const struct cli_cmd_desc {
	const char *name;
	const char *args;
	int min_args, max_args;
	const char *help;
	bool reads_only;	/* needs no privilege */
} cli_cmds[CMD_MAX] = {
	[CMD_ATTACH] = { "attach", "PAIR DEV_A DEV_B", 3, 3,
			 "cross-connect two host-side veths as the pair PAIR" },
	[CMD_DETACH] = { "detach", "PAIR | --all", 0, 1,
			 "detach a pair; its program and maps stay pinned" },
	[CMD_UPGRADE] = { "upgrade", "PAIR | --all", 0, 1,
			  "move pairs to this pairpath's program without a gap" },
	[CMD_GC] = { "gc", "", 0, 0,
		     "remove pairs and endpoints whose devices or hooks are gone" },
	[CMD_KDROPS] = { "kernel-drops", "on|off", 1, 1,
			 "start or stop counting the kernel's drops" },
	[CMD_RESET] = { "reset", "", 0, 0,
			"detach every pair, remove every endpoint and the pin root" },
	[CMD_STATUS] = { "status", "", 0, 0,
			 "show the pairs: devices, mode, state, program, since when", true },
	[CMD_STATS] = { "stats", "", 0, 0,
			"show per-pair, per-direction counters", true },
	[CMD_SERVE] = { "serve", "", 0, 0,
			"export the counters over HTTP for Prometheus" },
	[CMD_AGENT] = { "agent", "", 0, 0,
			"follow the pairs' devices as they change, and export the counters" },
	[CMD_ENDPOINT] = { "endpoint", "add NAME DEV --ip ADDR | del NAME | list", 1, 3,
			   "add, remove or list routed-mode endpoints (container interfaces)" },
	[CMD_UPLINK] = { "uplink", "add DEV | del DEV | list", 1, 2,
			 "deliver frames from an uplink to the endpoints, or stop; list them" },
};

const char *cli_cmd_name(enum cli_cmd cmd)
{
	if (cmd <= CMD_NONE || cmd >= CMD_MAX || !cli_cmds[cmd].name)
		return "pairpath";
	return cli_cmds[cmd].name;
}

bool cli_cmd_reads_only(enum cli_cmd cmd)
{
	return cmd > CMD_NONE && cmd < CMD_MAX && cli_cmds[cmd].reads_only;
}

bool cli_reads_only(const struct cli *cli)
{
	if ((cli->cmd == CMD_ENDPOINT || cli->cmd == CMD_UPLINK) && cli->nargs)
		return !strcmp(cli->args[0], "list");
	return cli_cmd_reads_only(cli->cmd);
}

void cli_usage(FILE *out, enum cli_cmd cmd)
{
	size_t i;
	int c;

	if (cmd > CMD_NONE && cmd < CMD_MAX && cli_cmds[cmd].name)
		fprintf(out, "Usage: pairpath [OPTIONS] %s %s\n\n%c%s.\n\nOptions:\n",
			cli_cmds[cmd].name, cli_cmds[cmd].args,
			toupper((unsigned char)cli_cmds[cmd].help[0]), cli_cmds[cmd].help + 1);
	else {
		fprintf(out, "Usage: pairpath [OPTIONS] COMMAND [ARGS]\n\n"
			"Cross-connect veth pairs with bpf_redirect_peer().\n\n"
			"Commands:\n");
		for (c = CMD_NONE + 1; c < CMD_MAX; c++) {
			char lhs[96];

			if (!cli_cmds[c].name)
				continue;
			snprintf(lhs, sizeof(lhs), "%-7s %s", cli_cmds[c].name, cli_cmds[c].args);
			/* A long synopsis gets a line of its own, the help under it. */
			if (strlen(lhs) > 25)
				fprintf(out, "  %s\n  %-25s %s\n", lhs, "", cli_cmds[c].help);
			else
				fprintf(out, "  %-25s %s\n", lhs, cli_cmds[c].help);
		}
		fprintf(out, "\nOptions:\n");
	}
	for (i = 0; i < sizeof(cli_opts) / sizeof(cli_opts[0]); i++) {
		const struct cli_opt *o = &cli_opts[i];
		char lhs[64];

		if (cmd != CMD_NONE && !(o->cmds & ON(cmd)))
			continue;
		if (o->short_name)
			snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", o->short_name, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(lhs, sizeof(lhs), "    --%s%s%s", o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(out, "  %-34s %s\n", lhs, o->help);
	}
	if (cmd == CMD_NONE)
		fprintf(out, "\nExit status: 0 success, 1 failure, 2 usage error.\n"
			"'pairpath COMMAND --help' shows a command's options.\n");
}

/* A unique prefix names a command, as in xdp-tools. */
static enum cli_cmd find_cmd(const char *word)
{
	size_t len = strlen(word);
	enum cli_cmd found = CMD_NONE;
	int c;

	for (c = CMD_NONE + 1; c < CMD_MAX; c++) {
		if (!cli_cmds[c].name || strncmp(cli_cmds[c].name, word, len))
			continue;
		if (strlen(cli_cmds[c].name) == len)
			return c;
		if (found != CMD_NONE)
			return CMD_MAX;	/* ambiguous */
		found = c;
	}
	return len ? found : CMD_NONE;
}

static const struct cli_opt *find_opt(const char *arg, const char **value)
{
	size_t i;

	*value = NULL;
	for (i = 0; i < sizeof(cli_opts) / sizeof(cli_opts[0]); i++) {
		const struct cli_opt *o = &cli_opts[i];

		if (arg[1] == '-') {
			size_t n = strlen(o->name);

			if (strncmp(arg + 2, o->name, n))
				continue;
			if (arg[2 + n] == '=') {
				*value = arg + 3 + n;
				return o;
			}
			if (!arg[2 + n])
				return o;
		} else if (o->short_name && arg[1] == o->short_name) {
			if (arg[2])
				*value = arg + 2;
			return o;
		}
	}
	return NULL;
}

#define fail(...) return value_error(err, errlen, __VA_ARGS__)

static int apply_opt(struct cli *cli, const struct cli_opt *o, const char *val,
		     char *err, size_t errlen)
{
	switch (o->id) {
	case OPT_HELP:
		cli->help = true;
		break;
	case OPT_VERSION:
		cli->version = true;
		break;
	case OPT_VERBOSE:
		cli->verbose++;
		break;
	case OPT_NETNS:
		if (!*val || strchr(val, '/') || !strcmp(val, ".") || !strcmp(val, ".."))
			fail("netns name '%s' is invalid", val);
		cli->netns = val;
		break;
	case OPT_PIN_ROOT:
		if (val[0] != '/')
			fail("pin root '%s' is invalid: it must be an absolute path", val);
		if (strlen(val) > 200)
			fail("pin root is invalid: longer than 200 characters");
		cli->pin_root = val;
		break;
	case OPT_MODE:
		if (!strcmp(val, "auto"))
			cli->mode = PAIR_MODE_AUTO;
		else if (!strcmp(val, "tcx"))
			cli->mode = PP_MODE_TCX;
		else if (!strcmp(val, "tc"))
			cli->mode = PP_MODE_TC;
		else
			fail("mode '%s' is invalid: expected auto, tcx or tc", val);
		break;
	case OPT_FORMAT:
		if (!strcmp(val, "table"))
			cli->format = FORMAT_TABLE;
		else if (!strcmp(val, "json"))
			cli->format = FORMAT_JSON;
		else if (!strcmp(val, "prometheus") && cli->cmd == CMD_STATS)
			cli->format = FORMAT_PROMETHEUS;
		else
			fail("format '%s' is invalid: expected table, json%s", val,
			     cli->cmd == CMD_STATS ? " or prometheus" : "");
		break;
	case OPT_JSON:
		cli->format = FORMAT_JSON;
		break;
	case OPT_ALL:
		cli->all = true;
		break;
	case OPT_WATCH:
		if (value_parse_uint(val, 3600, &cli->watch_secs) || !cli->watch_secs)
			fail("watch interval '%s' is invalid: expected 1 to 3600 seconds", val);
		break;
	case OPT_LISTEN:
		cli->listen = val;
		return value_parse_listen(val, &cli->listen_addr, &cli->listen_len, err, errlen);
	case OPT_BATCH:
		if (!*val)
			fail("batch file name is empty");
		cli->batch = val;
		break;
	case OPT_IP:
		if (cli->nips == 2)
			fail("endpoint: --ip given more than twice: one IPv4 and one IPv6 address");
		if (value_parse_host_ip(val, &cli->ips[cli->nips], err, errlen))
			return -EINVAL;
		if (cli->nips && cli->ips[0].family == cli->ips[1].family)
			fail("endpoint: two %s addresses given: an endpoint has one of each family",
			     cli->ips[0].family == AF_INET ? "IPv4" : "IPv6");
		cli->nips++;
		break;
	case OPT_MAC:
		if (value_parse_mac(val, cli->mac, err, errlen))
			return -EINVAL;
		cli->has_mac = true;
		break;
	case OPT_FIB:
		cli->fib = true;
		break;
	case OPT_USER:
		if (!*val || strlen(val) > 32)
			fail("user name '%.32s' is invalid", val);
		cli->user = val;
		break;
	}
	return 0;
}

/* endpoint add|del|list and uplink add|del|list, with what each takes. */
static int check_routed_args(const struct cli *cli, char *err, size_t errlen)
{
	const char *cmd = cli_cmd_name(cli->cmd), *sub = cli->args[0];
	bool ep = cli->cmd == CMD_ENDPOINT;
	int want;

	if (!strcmp(sub, "add"))
		want = ep ? 3 : 2;
	else if (!strcmp(sub, "del"))
		want = 2;
	else if (!strcmp(sub, "list"))
		want = 1;
	else
		fail("%s: '%s' is invalid: expected add, del or list", cmd, sub);
	if (cli->nargs != want)
		fail("%s %s: expects %s", cmd, sub,
		     want == 1 ? "no arguments" : !ep ? "DEV" : want == 2 ? "NAME" : "NAME DEV");
	if (strcmp(sub, "list") && cli->format != FORMAT_TABLE)
		fail("%s %s: --format applies to list only", cmd, sub);
	if (strcmp(sub, "add") && (cli->nips || cli->has_mac || cli->fib))
		fail("%s %s: --ip, --mac and --fib apply to add only", cmd, sub);
	if (want == 1)
		return 0;
	if (!ep)
		return value_check_ifname(cli->args[1], err, errlen);
	if (value_check_endpoint_name(cli->args[1], err, errlen))
		return -EINVAL;
	if (want == 3 && value_check_ifname(cli->args[2], err, errlen))
		return -EINVAL;
	if (want == 3 && !cli->nips)
		fail("endpoint add: --ip is missing: an endpoint needs an address");
	return 0;
}

/*
 * Options may stand before or after the command, as with ip(8); a
 * command-specific option before the command is checked once the
 * command is known.
 */
int cli_parse(int argc, char **argv, struct cli *cli, char *err, size_t errlen)
{
	const struct cli_opt *pending[16];
	const char *pending_val[16];
	int npending = 0, i, ret;
	bool only_args = false;

	memset(cli, 0, sizeof(*cli));
	cli->pin_root = PP_DEFAULT_PIN_ROOT;
	cli->listen = PP_DEFAULT_LISTEN;
	cli->user = PP_DEFAULT_USER;
	err[0] = '\0';
	ret = value_parse_listen(cli->listen, &cli->listen_addr, &cli->listen_len, err, errlen);
	if (ret)
		return ret;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val;
		const struct cli_opt *o;

		if (!only_args && !strcmp(arg, "--")) {
			only_args = true;
			continue;
		}
		if (!only_args && arg[0] == '-' && arg[1]) {
			o = find_opt(arg, &val);
			if (!o)
				fail("unknown option '%s'", arg);
			/* Bundled short flags, as in -vv. */
			while (o->short_name && !o->arg && arg[1] != '-' && val && *val) {
				char flag[3] = { '-', *val, '\0' };
				const char *rest = val + 1;
				const struct cli_opt *next = find_opt(flag, &val);

				if (!next || next->arg)
					fail("unknown option '%s'", arg);
				ret = apply_opt(cli, o, NULL, err, errlen);
				if (ret)
					return ret;
				o = next;
				val = rest;
			}
			if (o->short_name && !o->arg && arg[1] != '-')
				val = NULL;
			if (o->arg && !val) {
				if (i + 1 >= argc)
					fail("option '--%s' needs a value (%s)", o->name, o->arg);
				val = argv[++i];
			} else if (!o->arg && val) {
				fail("option '--%s' takes no value", o->name);
			}
			if (cli->cmd == CMD_NONE && o->cmds != ON_ALL) {
				if (npending == 16)
					fail("too many options");
				pending[npending] = o;
				pending_val[npending++] = val;
				continue;
			}
			if (cli->cmd != CMD_NONE && !(o->cmds & ON(cli->cmd)))
				fail("%s: option '--%s' does not apply", cli_cmd_name(cli->cmd),
				     o->name);
			ret = apply_opt(cli, o, val, err, errlen);
			if (ret)
				return ret;
			continue;
		}
		if (cli->cmd == CMD_NONE) {
			enum cli_cmd c = find_cmd(arg);

			if (c == CMD_NONE)
				fail("unknown command '%s'", arg);
			if (c == CMD_MAX)
				fail("command '%s' is ambiguous", arg);
			cli->cmd = c;
			continue;
		}
		if (cli->nargs == 3)
			fail("%s: unexpected argument '%s'", cli_cmd_name(cli->cmd), arg);
		cli->args[cli->nargs++] = arg;
	}

	if (cli->help || cli->version)
		return 0;
	if (cli->cmd == CMD_NONE)
		fail("no command given (try 'pairpath --help')");

	for (i = 0; i < npending; i++) {
		if (!(pending[i]->cmds & ON(cli->cmd)))
			fail("%s: option '--%s' does not apply", cli_cmd_name(cli->cmd),
			     pending[i]->name);
		ret = apply_opt(cli, pending[i], pending_val[i], err, errlen);
		if (ret)
			return ret;
	}

	if (cli->batch) {
		if (cli->nargs || cli->all)
			fail("%s: --batch takes the pairs from its file, not the command line",
			     cli_cmd_name(cli->cmd));
		return 0;
	}
	if (cli->nargs < cli_cmds[cli->cmd].min_args ||
	    cli->nargs > cli_cmds[cli->cmd].max_args)
		fail("%s: expects %s", cli_cmd_name(cli->cmd),
		     *cli_cmds[cli->cmd].args ? cli_cmds[cli->cmd].args : "no arguments");
	if ((cli->cmd == CMD_DETACH || cli->cmd == CMD_UPGRADE) &&
	    cli->all == (cli->nargs == 1))
		fail("%s: expects PAIR or --all, not both", cli_cmd_name(cli->cmd));
	if (cli->format != FORMAT_TABLE && cli->watch_secs)
		fail("stats: --watch draws a table; it does not go with --format");

	if (cli->cmd == CMD_ATTACH) {
		ret = value_check_pair_name(cli->args[0], err, errlen);
		if (!ret)
			ret = value_check_ifname(cli->args[1], err, errlen);
		if (!ret)
			ret = value_check_ifname(cli->args[2], err, errlen);
		if (!ret && !strcmp(cli->args[1], cli->args[2]))
			fail("attach: DEV_A and DEV_B are the same device '%s'", cli->args[1]);
		return ret;
	}
	if ((cli->cmd == CMD_DETACH || cli->cmd == CMD_UPGRADE) && !cli->all)
		return value_check_pair_name(cli->args[0], err, errlen);
	if (cli->cmd == CMD_ENDPOINT || cli->cmd == CMD_UPLINK)
		return check_routed_args(cli, err, errlen);
	if (cli->cmd == CMD_KDROPS && strcmp(cli->args[0], "on") && strcmp(cli->args[0], "off"))
		fail("kernel-drops: '%s' is invalid: expected on or off", cli->args[0]);
	return 0;
}
