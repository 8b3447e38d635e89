// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "cmd/batch.h"
#include "cmd/cli.h"
#include "state/kdrop.h"
#include "lib/log.h"
#include "kernel/netns.h"
#include "control/pair.h"
#include "kernel/privs.h"
#include "observe/serve.h"
#include "observe/show.h"
#include "state/store.h"
#include "kernel/veth.h"

#define EXIT_USAGE	2

static void batch_context(const struct cli *cli, const struct batch *b, int i)
{
	snprintf(log_context, sizeof(log_context), "%s:%d: ", cli->batch, b->lines[i].lineno);
}

/*
 * attach --batch: every line is checked, and every device looked up,
 * before anything changes; then one locked run attaches the pairs, each
 * all-or-nothing. A failure stops the run; the pairs before it stay.
 */
static int cmd_attach_batch(const struct cli *cli)
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

/* detach --batch: every pair must exist before any is detached. */
static int cmd_detach_batch(const struct cli *cli, struct store *st)
{
	struct batch b;
	int err, i;

	err = batch_read(cli->batch, CMD_DETACH, &b);
	if (err)
		return err;
	for (i = 0; i < b.n && !err; i++)
		if (!pair_exists(st, b.lines[i].fields[0])) {
			pr_warn("%s:%d: pair '%s' does not exist\n", cli->batch, b.lines[i].lineno,
				b.lines[i].fields[0]);
			err = -ENOENT;
		}
	for (i = 0; i < b.n && !err; i++) {
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

static int cmd_attach(const struct cli *cli)
{
	struct veth_info a, b;
	struct store st;
	int err;

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

/* detach, upgrade and gc: change pinned state that must exist already. */
static int cmd_change(const struct cli *cli)
{
	const char *name = cli->all || cli->batch ? NULL : cli->args[0];
	bool unfinished;
	struct store st;
	int err;

	err = store_open(&st, cli->pin_root, STORE_LOCK);
	if (err == -ENOENT && cli->batch) {
		/* Nothing is attached: a batch naming any pair is wrong. */
		struct batch b;

		err = batch_read(cli->batch, CMD_DETACH, &b);
		if (!err && b.n) {
			pr_warn("%s:%d: pair '%s' does not exist\n", cli->batch, b.lines[0].lineno,
				b.lines[0].fields[0]);
			err = -ENOENT;
		}
		batch_free(&b);
		return err;
	}
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
			err = cmd_detach_batch(cli, &st);
		else
			err = name ? pair_detach(&st, name) : pair_detach_all(&st);
		break;
	case CMD_UPGRADE:
		err = pair_upgrade(&st, name);
		break;
	default:
		err = pair_gc(&st);
		break;
	}
out:
	store_close(&st);
	return err;
}

/*
 * kernel-drops on|off: the tracer is system-wide, so every dropped frame
 * on the host pays for it; an operator may prefer not to. Its maps, and
 * what it counted, stay.
 */
static int cmd_kdrops(const struct cli *cli)
{
	bool on = !strcmp(cli->args[0], "on");
	struct store st;
	int err;

	err = store_open(&st, cli->pin_root, STORE_CREATE | STORE_LOCK);
	if (err)
		return err;
	if (on && !st.kdrops_on)
		err = kdrop_load_and_pin(&st);
	else if (!on)
		err = kdrop_stop(&st);
	store_close(&st);
	return err;
}

/* Reset one netns directory: detach its pairs, then unpin everything. */
static int reset_dir(const struct cli *cli, const char *dir, bool live)
{
	struct store st;
	int err;

	err = store_open_dir(&st, cli->pin_root, dir, live, STORE_LOCK);
	if (!err) {
		err = pair_detach_all(&st);
		if (!err)
			err = store_remove(&st);
		store_close(&st);
	} else if (err == -ENOENT || err == -EPROTO) {
		/* Half-made state, or another layout: unpin whatever is there. */
		err = store_remove(&st);
	}
	return err;
}

/*
 * Detach every pair in every netns directory, then remove the root. A
 * tcx link detaches through its pin from anywhere; a legacy tc filter is
 * found by ifindex inside its own netns, so reset enters each netns it
 * can find. One it cannot find (no name, no process) is gone, and its
 * devices and filters with it.
 */
static int cmd_reset(const struct cli *cli)
{
	unsigned long long dir_cookie;
	char dir[PATH_MAX];
	struct dirent *de;
	__u64 cookie = 0;
	int err, ret = 0, home = -1, nsfd;
	DIR *d;

	d = opendir(cli->pin_root);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		err = -errno;
		pr_warn("pin root '%s': %s\n", cli->pin_root, strerror(-err));
		return err;
	}
	if (!store_on_bpffs(cli->pin_root)) {
		pr_warn("pin root '%s' is not on a bpf filesystem\n", cli->pin_root);
		ret = -EINVAL;
		goto out;
	}
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ret = home < 0 ? -errno : netns_cookie(&cookie);
	while (!ret && (de = readdir(d))) {
		if (sscanf(de->d_name, "netns-%llu", &dir_cookie) != 1)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", cli->pin_root, de->d_name);
		if (dir_cookie == cookie) {
			err = reset_dir(cli, dir, true);
		} else {
			nsfd = netns_find(dir_cookie);
			if (nsfd >= 0 && netns_enter_fd(nsfd))
				nsfd = -1;
			err = reset_dir(cli, dir, nsfd >= 0);
			if (nsfd >= 0) {
				netns_enter_fd(home);
				close(nsfd);
			}
		}
		if (err && !ret)
			ret = err;
	}
	if (!ret && rmdir(cli->pin_root) && errno != ENOENT) {
		ret = -errno;
		pr_warn("pin root '%s': cannot remove: %s\n", cli->pin_root, strerror(-ret));
	}
out:
	if (home >= 0)
		close(home);
	closedir(d);
	return ret;
}

static int cmd_read(const struct cli *cli)
{
	struct store st;
	int err;

	err = store_open(&st, cli->pin_root, STORE_RDONLY);
	if (err && err != -ENOENT)
		return err;
	if (cli->cmd == CMD_STATUS)
		err = show_status(stdout, err ? NULL : &st, cli->format);
	else if (cli->watch_secs)
		err = show_stats_watch(stdout, err ? NULL : &st, cli->watch_secs);
	else
		err = show_stats(stdout, err ? NULL : &st, cli->format);
	store_close(&st);
	if (err)
		pr_warn("%s: %s\n", cli_cmd_name(cli->cmd), strerror(-err));
	return err;
}

int main(int argc, char **argv)
{
	struct cli cli;
	char err_msg[256];
	int listen_fd = -1, err;

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

	if (cli.cmd != CMD_STATUS && cli.cmd != CMD_STATS && !privs_can_change()) {
		pr_warn("%s: needs CAP_BPF and CAP_NET_ADMIN (run it as root)\n",
			cli_cmd_name(cli.cmd));
		return EXIT_FAILURE;
	}

	/*
	 * The exporter listens in the netns it was started in; -n only says
	 * whose pairs it exports.
	 */
	if (cli.cmd == CMD_SERVE) {
		listen_fd = serve_listen(&cli.listen_addr, cli.listen_len, cli.listen);
		if (listen_fd < 0)
			return EXIT_FAILURE;
	}
	if (cli.netns && netns_enter(cli.netns)) {
		if (listen_fd >= 0)
			close(listen_fd);
		return EXIT_FAILURE;
	}

	switch (cli.cmd) {
	case CMD_ATTACH:
		err = cli.batch ? cmd_attach_batch(&cli) : cmd_attach(&cli);
		break;
	case CMD_DETACH:
	case CMD_UPGRADE:
	case CMD_GC:
		err = cmd_change(&cli);
		break;
	case CMD_RESET:
		err = cmd_reset(&cli);
		break;
	case CMD_KDROPS:
		err = cmd_kdrops(&cli);
		break;
	case CMD_STATUS:
	case CMD_STATS:
		err = cmd_read(&cli);
		break;
	case CMD_SERVE:
		err = serve_run(listen_fd, cli.pin_root, cli.user);
		break;
	default:
		err = -EINVAL;
		break;
	}
	kdrop_cleanup();
	/* A bad line in a batch file is a usage error, like a bad argument. */
	if (err == -EBADMSG)
		return EXIT_USAGE;
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
