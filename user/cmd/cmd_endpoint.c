// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* endpoint add|del|list and uplink add|del|list (routed mode). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "cmd/cmd.h"
#include "control/endpoint.h"
#include "lib/log.h"
#include "observe/format.h"
#include "observe/snapshot.h"

static void spec_of(const struct cli *cli, struct endpoint_spec *spec)
{
	int i;

	memset(spec, 0, sizeof(*spec));
	for (i = 0; i < cli->nips; i++) {
		if (cli->ips[i].family == AF_INET) {
			spec->has_ipv4 = true;
			memcpy(&spec->ipv4, cli->ips[i].bytes, 4);
		} else {
			spec->has_ipv6 = true;
			memcpy(spec->ipv6, cli->ips[i].bytes, 16);
		}
	}
	spec->has_mac = cli->has_mac;
	memcpy(spec->mac, cli->mac, 6);
	spec->fib = cli->fib;
}

static int list(const struct cli *cli)
{
	struct snapshot snap;
	struct store st;
	int err;

	err = store_open(&st, cli->pin_root, STORE_RDONLY);
	if (err && err != -ENOENT)
		return err;
	err = snapshot_take(err ? NULL : &st, true, &snap);
	if (!err) {
		err = cli->cmd == CMD_ENDPOINT ? format_endpoints(stdout, &snap, cli->format) :
						 format_uplinks(stdout, &snap, cli->format);
		snapshot_free(&snap);
	}
	store_close(&st);
	return err;
}

static int add_endpoint(const struct cli *cli, struct store *st, struct rt_store *rt,
			const struct veth_info *v)
{
	char v4[INET6_ADDRSTRLEN], v6[INET6_ADDRSTRLEN], mac[18];
	struct endpoint_spec spec;
	struct rt_record rec;
	int err;

	spec_of(cli, &spec);
	err = endpoint_add(st, rt, cli->args[1], v, &spec);
	if (err || rt_record_get(rt, cli->args[1], &rec))
		return err;
	format_endpoint_addrs(&rec.ep, v4, v6, sizeof(v4));
	format_mac_str(rec.ep.mac, mac, sizeof(mac));
	pr_info("endpoint '%s': %s, %s %s, mac %s, mtu %u\n", cli->args[1], v->ifname, v4, v6,
		mac, rec.ep.mtu);
	return 0;
}

/* The change itself, after rolling back what an interrupted pairpath left. */
static int act(const struct cli *cli, struct store *st, const struct veth_info *v)
{
	bool add = !strcmp(cli->args[0], "add"), ep = cli->cmd == CMD_ENDPOINT;
	const char *name = cli->args[1];
	struct rt_record rec;
	bool had = ep && !add && !rt_record_get(&st->rt, name, &rec);
	int err;

	err = endpoint_recover(st, &st->rt);
	if (err)
		return err;
	/* A del that an interrupted one began: the roll-back finished it. */
	if (had && rt_record_get(&st->rt, name, &rec))
		return 0;
	if (ep)
		return add ? add_endpoint(cli, st, &st->rt, v) : endpoint_del(st, &st->rt, name);
	return add ? uplink_add(st, &st->rt, name) : uplink_del(st, &st->rt, name);
}

/*
 * A change runs under the pin root's lock, after rolling back what an
 * interrupted pairpath left; a failed first add removes the state it made.
 */
static int change(const struct cli *cli)
{
	bool add = !strcmp(cli->args[0], "add"), ep = cli->cmd == CMD_ENDPOINT;
	struct veth_info v;
	struct store st;
	int err;

	if (ep && add) {
		err = veth_lookup(cli->args[2], &v);
		if (err)
			return err;
	}
	err = store_open(&st, cli->pin_root, STORE_LOCK | (add ? STORE_CREATE : 0));
	if (err == -ENOENT && !add)
		pr_warn("%s '%s' does not exist\n", ep ? "endpoint" : "uplink", cli->args[1]);
	if (err)
		return err;
	err = store_routed(&st, add);
	if (err == -ENOENT && !add)
		pr_warn("%s '%s' does not exist\n", ep ? "endpoint" : "uplink", cli->args[1]);
	if (!err)
		err = act(cli, &st, &v);
	if (!err && !add)
		pr_info("removed %s '%s'\n", ep ? "endpoint" : "uplink", cli->args[1]);
	else if (!err && !ep)
		pr_info("uplink '%s' delivers to the endpoints\n", cli->args[1]);
	if (err)
		store_rollback(&st);
	store_close(&st);
	return err;
}

static int run(const struct cli *cli)
{
	int err = cmd_enter_netns(cli);

	if (err)
		return err;
	return strcmp(cli->args[0], "list") ? change(cli) : list(cli);
}

int cmd_endpoint(const struct cli *cli)
{
	return run(cli);
}

int cmd_uplink(const struct cli *cli)
{
	return run(cli);
}
