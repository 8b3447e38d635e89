// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "cmd/batch.h"
#include "cmd/cmd.h"
#include "control/endpoint.h"
#include "control/pair.h"
#include "lib/log.h"

static void batch_context(const struct cli *cli, const struct batch *b, int i)
{
	snprintf(log_context, sizeof(log_context), "%s:%d: ", cli->batch, b->lines[i].lineno);
}

/*
 * attach --batch: every line is checked, and every device looked up,
 * before anything changes; then one locked run attaches the pairs, each
 * all-or-nothing. A failure stops the run; the pairs before it stay.
 */
static int attach_batch(const struct cli *cli)
{
	struct veth_info (*devs)[2] = NULL;
	struct batch b;
	struct store st;
	int err, i;

	err = batch_read(cli->batch, CMD_ATTACH, &b);
	if (err)
		return err;
	devs = calloc(b.n ? b.n : 1, sizeof(*devs));
	if (!devs) {
		err = -ENOMEM;
		goto out;
	}
	/* Every message about a line names it: "pairpath: FILE:LINE: ...". */
	for (i = 0; i < b.n && !err; i++) {
		batch_context(cli, &b, i);
		err = veth_lookup(b.lines[i].fields[1], &devs[i][0]);
		if (!err)
			err = veth_lookup(b.lines[i].fields[2], &devs[i][1]);
		if (!err && devs[i][0].ifindex == devs[i][1].ifindex) {
			pr_warn("'%s' and '%s' are the same device\n",
				b.lines[i].fields[1], b.lines[i].fields[2]);
			err = -EINVAL;
		}
	}
	log_context[0] = '\0';
	if (err || !b.n)
		goto out;
	err = store_open(&st, cli->pin_root, STORE_CREATE | STORE_LOCK);
	if (err)
		goto out;
	err = pair_recover(&st);
	for (i = 0; i < b.n && !err; i++) {
		batch_context(cli, &b, i);
		err = pair_attach(&st, b.lines[i].fields[0], &devs[i][0], &devs[i][1], cli->mode);
		log_context[0] = '\0';
		if (err)
			pr_warn("%s: stopped at line %d; the %d pairs before it are attached\n",
				cli->batch, b.lines[i].lineno, i);
	}
	if (err && i == 1)
		store_rollback(&st);
	store_close(&st);
out:
	free(devs);
	batch_free(&b);
	return err;
}

int cmd_attach(const struct cli *cli)
{
	struct veth_info a, b;
	struct store st;
	int err;

	err = cmd_enter_netns(cli);
	if (err)
		return err;
	if (cli->batch)
		return attach_batch(cli);
	/* Every check that needs no pinned state runs before anything is made. */
	err = veth_lookup(cli->args[1], &a);
	if (!err)
		err = veth_lookup(cli->args[2], &b);
	if (err)
		return err;
	if (a.ifindex == b.ifindex) {
		pr_warn("attach: '%s' and '%s' are the same device\n", cli->args[1],
			cli->args[2]);
		return -EINVAL;
	}
	err = store_open(&st, cli->pin_root, STORE_CREATE | STORE_LOCK);
	if (err)
		return err;
	err = pair_recover(&st);
	if (!err)
		err = pair_attach(&st, cli->args[0], &a, &b, cli->mode);
	if (err)
		store_rollback(&st);
	else
		pr_info("attached pair '%s': %s <-> %s\n", cli->args[0], a.ifname, b.ifname);
	store_close(&st);
	return err;
}

/* Every pair of the batch must exist; none may be named twice (batch_read). */
static int check_batch_pairs(const struct cli *cli, const struct batch *b, struct store *st)
{
	int i;

	for (i = 0; i < b->n; i++)
		if (!st || !pair_exists(st, b->lines[i].fields[0])) {
			pr_warn("%s:%d: pair '%s' does not exist\n", cli->batch, b->lines[i].lineno,
				b->lines[i].fields[0]);
			return -ENOENT;
		}
	return 0;
}

/* detach --batch: every pair must exist before any is detached. */
static int detach_batch(const struct cli *cli, struct store *st)
{
	struct batch b;
	int err, i;

	err = batch_read(cli->batch, CMD_DETACH, &b);
	if (!err)
		err = check_batch_pairs(cli, &b, st);
	for (i = 0; i < b.n && !err && st; i++) {
		batch_context(cli, &b, i);
		err = pair_detach(st, b.lines[i].fields[0]);
		log_context[0] = '\0';
		if (err)
			pr_warn("%s: stopped at line %d; the %d pairs before it are detached\n",
				cli->batch, b.lines[i].lineno, i);
	}
	batch_free(&b);
	return err;
}

/* detach, upgrade and gc: change pinned state that must exist already. */
int cmd_change(const struct cli *cli)
{
	const char *name = cli->all || cli->batch ? NULL : cli->args[0];
	bool unfinished;
	struct store st;
	int err;

	err = cmd_enter_netns(cli);
	if (err)
		return err;
	err = store_open(&st, cli->pin_root, STORE_LOCK);
	/* Nothing is pinned: a batch naming any pair is wrong. */
	if (err == -ENOENT && cli->batch)
		return detach_batch(cli, NULL);
	if (err == -ENOENT) {
		if (!name)
			return 0;
		pr_warn("pair '%s' does not exist\n", name);
		return err;
	}
	if (err)
		return err;
	/* A detach interrupted half-way is finished by the roll-back. */
	unfinished = name && pair_unfinished(&st, name);
	err = pair_recover(&st);
	if (err)
		goto out;
	switch (cli->cmd) {
	case CMD_DETACH:
		if (unfinished)
			break;
		if (cli->batch)
			err = detach_batch(cli, &st);
		else
			err = name ? pair_detach(&st, name) : pair_detach_all(&st);
		break;
	case CMD_UPGRADE:
		err = pair_upgrade(&st, name);
		break;
	default:
		err = pair_gc(&st);
		if (!err && st.rt_open)
			err = endpoint_gc(&st, &st.rt);
		break;
	}
out:
	store_close(&st);
	return err;
}
