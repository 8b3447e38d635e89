// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "kernel/pin.h"
#include "kernel/tc.h"
#include "kernel/tcx.h"
#include "lib/log.h"
#include "lib/testhook.h"
#include "state/journal.h"
#include "state/hooks.h"
#include "state/pins.h"

static struct tc_filter tc_filter_of(const struct pp_pair *p, int d)
{
	struct tc_filter f = {
		.ifindex = p->dev[d].ifindex,
		.handle = p->dev[d].tc_handle,
		.priority = p->dev[d].tc_priority,
	};

	return f;
}

void hooks_prepare(struct pp_pair *p)
{
	int d;

	for (d = 0; p->mode == PP_MODE_TC && d < PP_DIR_MAX; d++) {
		struct pp_dev *dev = &p->dev[d];

		/*
		 * Derived from the pair id, so that a filter whose attach was
		 * cut short can still be found and removed. No qdisc is ours
		 * until bpf_tc_hook_create() says this pairpath made it.
		 */
		dev->tc_made_qdisc = 0;
		dev->tc_handle = PP_TC_HANDLE_BASE + p->pair_id;
		dev->tc_priority = PP_TC_PRIORITY;
	}
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

/*
 * The clsact is ours only when our exclusive create made it (-EEXIST:
 * someone's, whoever). That is recorded at once, before anything else
 * can fail, so a roll-back never removes a qdisc it did not make. A kill
 * in the few instructions between the create and the record leaves an
 * empty clsact recorded as not ours: left in place, never another's
 * taken.
 */
static int tc_qdisc_take(struct store *st, const char *name, struct pp_pair *p, int d)
{
	struct pp_dev *dev = &p->dev[d];
	struct pp_pair_key key;
	int err;

	err = tc_clsact_create(dev->ifindex);
	if (err == -EEXIST)
		return 0;
	if (err) {
		pr_warn("device '%s': cannot create the clsact qdisc: %s\n", dev->ifname,
			strerror(-err));
		return err;
	}
	dev->tc_made_qdisc = 1;
	journal_key(name, &key);
	err = journal_put(st, &key, p, BPF_EXIST);
	if (err) {
		dev->tc_made_qdisc = 0;
		tc_clsact_destroy(dev->ifindex);
		return err;
	}
	testhook_kill_point(8 + d);
	return 0;
}

/* Ours, but someone may have put filters of theirs on it since. */
static int tc_qdisc_release(const char *name, const struct pp_dev *dev)
{
	int others, err;

	others = tc_clsact_filters(dev->ifindex);
	if (others < 0) {
		pr_warn("pair '%s': cannot list the filters on the clsact qdisc of '%s' (left "
			"in place): %s\n", name, dev->ifname, strerror(-others));
		return others;
	}
	if (others > 0) {
		pr_info("pair '%s': the clsact qdisc of '%s' carries %d filters of others: "
			"left in place\n", name, dev->ifname, others);
		return 0;
	}
	err = tc_clsact_destroy(dev->ifindex);
	if (err)
		pr_warn("pair '%s': cannot remove the clsact qdisc of '%s': %s\n", name,
			dev->ifname, strerror(-err));
	return err;
}

static int tc_hook_attach(struct store *st, const char *name, struct pp_pair *p, int d)
{
	struct pp_dev *dev = &p->dev[d];
	struct tc_filter f = tc_filter_of(p, d);
	int err;

	err = tc_qdisc_take(st, name, p, d);
	if (err)
		return err;
	err = tc_filter_attach(&f, st->prog_fd, false);
	if (err) {
		pr_warn("device '%s': cannot attach the cls_bpf filter: %s\n", dev->ifname,
			strerror(-err));
		if (dev->tc_made_qdisc)
			tc_qdisc_release(name, dev);
	}
	return err;
}

int hooks_attach(struct store *st, const char *name, struct pp_pair *p, int d)
{
	if (p->mode == PP_MODE_TC)
		return tc_hook_attach(st, name, p, d);
	return tcx_hook_attach(st, name, p, d);
}

static int tc_hook_detach(const char *name, const struct pp_pair *p, int d)
{
	struct tc_filter f = tc_filter_of(p, d);
	int err;

	err = tc_filter_detach(&f);
	if (err) {
		pr_warn("pair '%s': cannot detach the cls_bpf filter on '%s': %s\n",
			name, p->dev[d].ifname, strerror(-err));
		return err;
	}
	return p->dev[d].tc_made_qdisc ? tc_qdisc_release(name, &p->dev[d]) : 0;
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

static int hook_prog_id(const struct store *st, const char *name, const struct pp_pair *p,
			int d, __u32 *prog_id)
{
	struct tc_filter f = tc_filter_of(p, d);
	__u32 ifindex;
	int fd, err;

	if (p->mode == PP_MODE_TC)
		return tc_filter_prog_id(&f, prog_id);
	fd = store_link_get(st, name, d);
	if (fd < 0)
		return fd;
	err = tcx_link_info(fd, &ifindex, prog_id);
	close(fd);
	return err;
}

int hooks_pinned_prog_id(const struct store *st, __u32 *prog_id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd, err = 0;

	/* A reader's store holds no program: a program pin opens read-write only. */
	fd = st->prog_fd;
	if (fd < 0) {
		fd = pin_get_at(st->dir_fd, pp_pin_names[PP_PIN_PROG], 0, PIN_PROG,
				BPF_PROG_TYPE_SCHED_CLS);
		if (fd < 0)
			return fd;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	if (fd != st->prog_fd)
		close(fd);
	*prog_id = info.id;
	return err;
}

int hooks_program(const struct store *st, const char *name, const struct pp_pair *p,
		  __u32 pinned_id)
{
	__u32 id;
	int d, err, current = 1;

	for (d = 0; d < PP_DIR_MAX; d++) {
		err = hook_prog_id(st, name, p, d, &id);
		if (err)
			return err;
		current &= id == pinned_id;
	}
	return current;
}
