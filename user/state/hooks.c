// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include "kernel/pin.h"
#include "kernel/tc.h"
#include "kernel/tcx.h"
#include "lib/log.h"
#include "state/hooks.h"

static struct tc_filter tc_filter_of(const struct pp_pair *p, int d)
{
	struct tc_filter f = {
		.ifindex = p->dev[d].ifindex,
		.handle = p->dev[d].tc_handle,
		.priority = p->dev[d].tc_priority,
	};

	return f;
}

int hooks_prepare(struct pp_pair *p)
{
	int d, err;

	for (d = 0; p->mode == PP_MODE_TC && d < PP_DIR_MAX; d++) {
		struct pp_dev *dev = &p->dev[d];

		err = tc_has_clsact(dev->ifindex);
		if (err < 0) {
			pr_warn("device '%s': cannot list its qdiscs: %s\n", dev->ifname,
				strerror(-err));
			return err;
		}
		/*
		 * Derived from the pair id, so that a filter whose attach was
		 * cut short can still be found and removed.
		 */
		dev->tc_made_qdisc = !err;
		dev->tc_handle = PP_TC_HANDLE_BASE + p->pair_id;
		dev->tc_priority = PP_TC_PRIORITY;
	}
	return 0;
}

static int tcx_hook_attach(struct store *st, const char *name, const struct pp_pair *p, int d)
{
	const struct pp_dev *dev = &p->dev[d];
	char path[PATH_MAX];
	int fd, err;

	fd = tcx_attach(st->prog_fd, dev->ifindex);
	if (fd < 0) {
		pr_warn("device '%s': cannot attach a tcx link: %s\n", dev->ifname,
			strerror(-fd));
		return fd;
	}
	store_link_name(name, d, path, sizeof(path));
	err = pin_put_at(fd, st->dir_fd, path);
	if (err)
		pr_warn("device '%s': cannot pin its tcx link at %s/%s: %s\n", dev->ifname,
			st->dir, path, strerror(-err));
	/* Without the pin, closing our only reference detaches the link. */
	close(fd);
	return err;
}

static int tc_hook_attach(struct store *st, struct pp_pair *p, int d)
{
	struct pp_dev *dev = &p->dev[d];
	struct tc_filter f = tc_filter_of(p, d);
	int err;

	if (dev->tc_made_qdisc) {
		err = tc_clsact_create(dev->ifindex);
		if (err && err != -EEXIST) {
			pr_warn("device '%s': cannot create the clsact qdisc: %s\n",
				dev->ifname, strerror(-err));
			return err;
		}
		dev->tc_made_qdisc = !err;
	}
	err = tc_filter_attach(&f, st->prog_fd, false);
	if (err) {
		pr_warn("device '%s': cannot attach the cls_bpf filter: %s\n", dev->ifname,
			strerror(-err));
		if (dev->tc_made_qdisc)
			tc_clsact_destroy(dev->ifindex);
	}
	return err;
}

int hooks_attach(struct store *st, const char *name, struct pp_pair *p, int d)
{
	if (p->mode == PP_MODE_TC)
		return tc_hook_attach(st, p, d);
	return tcx_hook_attach(st, name, p, d);
}

static int tc_hook_detach(const char *name, const struct pp_pair *p, int d)
{
	struct tc_filter f = tc_filter_of(p, d);
	int err, others;

	err = tc_filter_detach(&f);
	if (!err && p->dev[d].tc_made_qdisc) {
		/* Ours, but someone may have put filters of theirs on it since. */
		others = tc_clsact_filters(p->dev[d].ifindex);
		if (others > 0)
			pr_info("pair '%s': the clsact qdisc of '%s' carries %d filters of others: "
				"left in place\n", name, p->dev[d].ifname, others);
		else
			err = others < 0 ? others : tc_clsact_destroy(p->dev[d].ifindex);
	}
	if (err)
		pr_warn("pair '%s': cannot detach the cls_bpf filter on '%s': %s\n",
			name, p->dev[d].ifname, strerror(-err));
	return err;
}

int hooks_detach(struct store *st, const char *name, const struct pp_pair *p, int d,
		 bool on_device)
{
	char path[PATH_MAX];
	int err;

	/*
	 * A legacy filter is found by ifindex, which names the recorded
	 * device only while it is there (on_device) in its own netns: once
	 * it is gone, so are its filters, and the number may be another's.
	 */
	if (p->mode == PP_MODE_TC)
		return on_device && st->netns_live ? tc_hook_detach(name, p, d) : 0;
	/* The link is ours through its pin, wherever its device went. */
	store_link_name(name, d, path, sizeof(path));
	err = pin_release_at(st->dir_fd, path);
	if (err)
		pr_warn("pair '%s': cannot detach the tcx link %s/%s: %s\n", name, st->dir,
			path, strerror(-err));
	return err;
}

/*
 * bpf_link_update() for a tcx link; for legacy tc a cls_bpf filter
 * replaced in place (same handle and priority, NLM_F_REPLACE).
 */
int hooks_replace(struct store *st, const char *name, const struct pp_pair *p, int d)
{
	struct tc_filter f = tc_filter_of(p, d);
	char path[PATH_MAX];
	int fd, err;

	if (p->mode == PP_MODE_TC) {
		err = tc_filter_attach(&f, st->prog_fd, true);
		if (err)
			pr_warn("device '%s': cannot attach the cls_bpf filter: %s\n",
				p->dev[d].ifname, strerror(-err));
		return err;
	}
	fd = store_link_get(st, name, d);
	err = fd < 0 ? fd : tcx_link_update(fd, st->prog_fd);
	if (fd >= 0)
		close(fd);
	store_link_path(st->dir, name, d, path, sizeof(path));
	if (err)
		pr_warn("pair '%s': cannot update the tcx link %s: %s\n", name, path,
			strerror(-err));
	return err;
}

/*
 * A tcx link outlives its device as a defunct link, attached to ifindex
 * 0; a device re-created under the old name gets a new ifindex and so
 * never looks like the old pair.
 */
int hooks_attached(const struct store *st, const char *name, const struct pp_pair *p, int d)
{
	struct tc_filter f = tc_filter_of(p, d);
	__u32 ifindex = 0;
	int fd, err;

	if (p->mode == PP_MODE_TC)
		return tc_filter_present(&f);
	fd = store_link_get(st, name, d);
	if (fd < 0)
		return fd;
	err = tcx_link_info(fd, &ifindex, NULL);
	close(fd);
	if (err)
		return err;
	return ifindex == p->dev[d].ifindex;
}
