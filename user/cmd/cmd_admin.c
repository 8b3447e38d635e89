// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cmd/cmd.h"
#include "control/endpoint.h"
#include "control/pair.h"
#include "kernel/netns.h"
#include "lib/log.h"
#include "state/kdrop.h"
#include "state/pins.h"
#include "state/root.h"

/*
 * kernel-drops on|off: the tracer is system-wide, so every dropped frame
 * on the host pays for it; an operator may prefer not to. Its maps, and
 * what it counted, stay.
 */
int cmd_kdrops(const struct cli *cli)
{
	bool on = !strcmp(cli->args[0], "on");
	struct store st;
	int err;

	err = cmd_enter_netns(cli);
	if (err)
		return err;
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

/*
 * Endpoints and uplinks, removed whole: their host routes and neighbours
 * go too, which unpinning alone would leave. Routes are found by ifindex,
 * so only in the directory's own netns.
 */
static int remove_routed(struct store *st)
{
	int err;

	if (!st->netns_live || !st->rt_open)
		return 0;
	err = endpoint_del_all(st, &st->rt);
	if (!err)
		err = uplink_del_all(st, &st->rt);
	return err;
}

/* Reset one netns directory: detach its pairs and endpoints, then unpin everything. */
static int reset_dir(const struct cli *cli, const char *dir, bool live)
{
	struct store st;
	int err;

	/* Half-made state, or another layout: unpin whatever is there. */
	err = store_open_dir(&st, cli->pin_root, dir, live, STORE_LOCK | STORE_BROKEN);
	if (err)
		return err == -ENOENT ? 0 : err;
	if (!st.broken)
		err = pair_detach_all(&st);
	if (!err && !st.broken)
		err = remove_routed(&st);
	if (!err)
		err = store_remove(&st);
	store_close(&st);
	return err;
}

/*
 * Only a real directory named as pairpath names them: a symlink planted
 * under the root would lead reset to unpin, or unlink, elsewhere.
 */
static bool netns_dir(DIR *d, const char *name, unsigned long long *cookie)
{
	struct stat st;

	return pins_netns_dir(name, cookie) &&
	       !fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode);
}

static int reset_one(const struct cli *cli, const char *name, unsigned long long dir_cookie,
		     __u64 cookie, int home)
{
	char dir[PATH_MAX];
	int err, nsfd;

	snprintf(dir, sizeof(dir), "%s/%s", cli->pin_root, name);
	if (dir_cookie == cookie)
		return reset_dir(cli, dir, true);
	nsfd = netns_find(dir_cookie);
	if (nsfd >= 0 && netns_enter_fd(nsfd))
		nsfd = -1;
	err = reset_dir(cli, dir, nsfd >= 0);
	if (nsfd >= 0) {
		netns_enter_fd(home);
		close(nsfd);
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
int cmd_reset(const struct cli *cli)
{
	unsigned long long dir_cookie;
	struct dirent *de;
	__u64 cookie = 0;
	int err, ret = 0, home = -1, fd;
	DIR *d;

	err = cmd_enter_netns(cli);
	if (err)
		return err;
	fd = root_open_dir(AT_FDCWD, cli->pin_root, "pin root", cli->pin_root);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ret = home < 0 ? -errno : netns_cookie(&cookie);
	while (!ret && (de = readdir(d))) {
		if (!netns_dir(d, de->d_name, &dir_cookie))
			continue;
		ret = reset_one(cli, de->d_name, dir_cookie, cookie, home);
	}
	if (!ret && rmdir(cli->pin_root) && errno != ENOENT) {
		ret = -errno;
		pr_warn("pin root '%s': cannot remove: %s\n", cli->pin_root, strerror(-ret));
	}
	if (home >= 0)
		close(home);
	closedir(d);
	return ret;
}
