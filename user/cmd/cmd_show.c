// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cmd/cmd.h"
#include "lib/log.h"
#include "observe/format.h"
#include "observe/snapshot.h"

static volatile sig_atomic_t watch_stop;

static void on_watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

/* Redraw the stats table with rates every secs seconds until a signal. */
static int watch(FILE *out, const struct store *st, unsigned int secs)
{
	struct snapshot snap, prev = {};
	struct sigaction sa = { .sa_handler = on_watch_signal };
	bool have_prev = false;
	int err = 0;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!watch_stop) {
		err = snapshot_take(st, true, &snap);
		if (err)
			break;
		/* Home the cursor and clear: one screen, redrawn in place. */
		fputs("\033[H\033[2J", out);
		format_stats_table(out, &snap, have_prev ? &prev : NULL);
		fflush(out);
		if (have_prev)
			snapshot_free(&prev);
		prev = snap;
		have_prev = true;
		sleep(secs);
	}
	if (have_prev)
		snapshot_free(&prev);
	return err;
}

static int show_once(const struct cli *cli, const struct store *st)
{
	struct snapshot snap;
	int err;

	err = snapshot_take(st, true, &snap);
	if (err)
		return err;
	if (cli->cmd == CMD_STATUS) {
		if (st)
			snapshot_programs(st, &snap);
		err = format_status(stdout, &snap, cli->format);
	}
	else
		err = format_stats(stdout, &snap, cli->format);
	snapshot_free(&snap);
	return err;
}

/* status and stats: readers, which take no lock and change nothing. */
int cmd_show(const struct cli *cli)
{
	struct store st;
	int err;

	err = cmd_enter_netns(cli);
	if (err)
		return err;
	err = store_open(&st, cli->pin_root, STORE_RDONLY);
	if (err && err != -ENOENT)
		return err;
	if (cli->watch_secs)
		err = watch(stdout, err ? NULL : &st, cli->watch_secs);
	else
		err = show_once(cli, err ? NULL : &st);
	store_close(&st);
	if (err)
		pr_warn("%s: %s\n", cli_cmd_name(cli->cmd), strerror(-err));
	return err;
}
