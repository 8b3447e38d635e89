// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Uplinks: the record (its rt_uplinks entry, ADDING, state/uplinks.c), zeroed counters,
 * the hook pinned as uplink-DEV, the record LIVE; removal in reverse.
 * The program finds the entry before the hook is there, and an entry
 * without a hook does nothing: every step is safe to stop after.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include "kernel/pin.h"
#include "kernel/tcx.h"
#include "lib/log.h"
#include "lib/testhook.h"
#include "state/pins.h"
#include "control/endpoint.h"

static void uplink_link_name(const char *ifname, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", PP_UPLINK_PREFIX, ifname);
}

static int pick_uplink_idx(const struct rt_store *rt, __u32 *idx)
{
	bool used[RT_MAX_UPLINKS] = {};
	struct rt_uplink *list;
	int n, i;

	n = rt_uplink_list(rt, &list);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		if (list[i].stats_idx < RT_MAX_UPLINKS)
			used[list[i].stats_idx] = true;
	free(list);
	for (i = 0; i < RT_MAX_UPLINKS; i++)
		if (!used[i]) {
			*idx = i;
			return 0;
		}
	pr_warn("the uplink table is full (%d uplinks)\n", RT_MAX_UPLINKS);
	return -ENOSPC;
}

static int zero_stats(const struct rt_store *rt, __u32 idx)
{
	struct rt_uplink_stats *zero = calloc(rt->t.ncpus, sizeof(*zero));
	int err;

	if (!zero)
		return -ENOMEM;
	err = bpf_map_update_elem(rt->uplink_stats_fd, &idx, zero, BPF_ANY) ? -errno : 0;
	free(zero);
	return err;
}

static int remove_uplink(struct store *st, struct rt_store *rt, struct rt_uplink *up)
{
	char link[RT_IFNAME_LEN + 8];
	int err;

	if (up->state != RT_REC_DELETING) {
		up->state = RT_REC_DELETING;
		err = rt_uplink_put(rt, up);
		if (err)
			return err;
	}
	uplink_link_name(up->ifname, link, sizeof(link));
	err = pin_release_at(st->dir_fd, link);
	if (err) {
		pr_warn("uplink '%s': cannot detach its hook: %s\n", up->ifname, strerror(-err));
		return err;
	}
	err = rt_uplink_delete(rt, up->ifindex);
	if (err) {
		pr_warn("uplink '%s': cannot remove its record: %s\n", up->ifname, strerror(-err));
	}
	return err;
}

/* The uplink named ifname, by its record: 0, or -ENOENT. */
static int find_uplink(const struct rt_store *rt, const char *ifname, struct rt_uplink *out)
{
	struct rt_uplink *list;
	int n, i, err = -ENOENT;

	n = rt_uplink_list(rt, &list);
	for (i = 0; i < n; i++)
		if (!strcmp(list[i].ifname, ifname)) {
			*out = list[i];
			err = 0;
		}
	if (n > 0)
		free(list);
	return n < 0 ? n : err;
}

int uplink_add(struct store *st, struct rt_store *rt, const char *ifname)
{
	struct rt_uplink up = { .state = RT_REC_ADDING, .mode = PP_MODE_TCX };
	char link[RT_IFNAME_LEN + 8], owner[RT_NAME_LEN];
	struct rt_uplink had;
	struct port_view port;
	int err, fd;

	up.ifindex = if_nametoindex(ifname);
	if (!up.ifindex) {
		pr_warn("device '%s' does not exist\n", ifname);
		return -ENODEV;
	}
	if (!find_uplink(rt, ifname, &had)) {
		if (had.state == RT_REC_LIVE && had.ifindex == up.ifindex) {
			pr_info("uplink '%s' exists already\n", ifname);
			return 0;
		}
		/* Half made by a pairpath that was stopped, or a device since replaced. */
		err = remove_uplink(st, rt, &had);
		if (err)
			return err;
	}
	if (!rt_uplink_get(rt, up.ifindex, &had)) {
		pr_warn("device '%s': its ifindex %u is the uplink '%s' of before: "
			"run 'pairpath uplink del %s'\n", ifname, up.ifindex, had.ifname, had.ifname);
		return -EEXIST;
	}
	if (rt->uplink_prog_fd < 0) {
		pr_warn("uplink '%s': the pinned routed state has no uplink program: "
			"run 'pairpath reset'\n", ifname);
		return -EOPNOTSUPP;
	}
	if (!ports_read(&st->ports, up.ifindex, &port)) {
		pr_warn("device '%s' belongs to a pair: detach it first\n", ifname);
		return -EBUSY;
	}
	if (endpoint_of_device(rt, up.ifindex, owner, sizeof(owner))) {
		pr_warn("device '%s' is the endpoint '%s'\n", ifname, owner);
		return -EBUSY;
	}
	snprintf(up.ifname, sizeof(up.ifname), "%s", ifname);
	up.created_at = time(NULL);
	err = pick_uplink_idx(rt, &up.stats_idx);
	if (!err)
		err = zero_stats(rt, up.stats_idx);
	if (!err)
		err = rt_uplink_put(rt, &up);
	if (err) {
		pr_warn("uplink '%s': cannot write its record: %s\n", ifname, strerror(-err));
		return err;
	}
	testhook_kill_point(51);
	fd = tcx_attach(rt->uplink_prog_fd, up.ifindex);
	err = fd < 0 ? fd : 0;
	if (err)
		pr_warn("device '%s': cannot attach the uplink program: %s\n", ifname,
			strerror(-err));
	uplink_link_name(ifname, link, sizeof(link));
	if (!err) {
		err = pin_put_at(fd, st->dir_fd, link);
		if (err)
			pr_warn("uplink '%s': cannot pin its link: %s\n", ifname, strerror(-err));
		close(fd);
	}
	testhook_kill_point(52);
	up.state = RT_REC_LIVE;
	if (!err)
		err = rt_uplink_put(rt, &up);
	if (err)
		remove_uplink(st, rt, &up);
	return err;
}

int uplink_del(struct store *st, struct rt_store *rt, const char *ifname)
{
	struct rt_uplink up;

	if (find_uplink(rt, ifname, &up)) {
		pr_warn("uplink '%s' does not exist\n", ifname);
		return -ENOENT;
	}
	return remove_uplink(st, rt, &up);
}

/* A device is the recorded uplink while its name still has the recorded ifindex. */
static bool uplink_gone(const struct rt_uplink *up)
{
	return up->state != RT_REC_LIVE || if_nametoindex(up->ifname) != up->ifindex;
}

static bool uplink_unfinished(const struct rt_uplink *up)
{
	return up->state != RT_REC_LIVE;
}

static bool uplink_any(const struct rt_uplink *up)
{
	(void)up;
	return true;
}

static int remove_uplinks(struct store *st, struct rt_store *rt,
			  bool (*pick)(const struct rt_uplink *))
{
	struct rt_uplink *list;
	int n, i, err, ret = 0;

	n = rt_uplink_list(rt, &list);
	for (i = 0; i < n; i++) {
		if (!pick(&list[i]))
			continue;
		err = remove_uplink(st, rt, &list[i]);
		if (err && !ret)
			ret = err;
	}
	if (n > 0)
		free(list);
	return n < 0 ? n : ret;
}

int uplink_del_all(struct store *st, struct rt_store *rt)
{
	return remove_uplinks(st, rt, uplink_any);
}

int uplink_recover(struct store *st, struct rt_store *rt)
{
	return remove_uplinks(st, rt, uplink_unfinished);
}

int uplink_gc(struct store *st, struct rt_store *rt)
{
	return remove_uplinks(st, rt, uplink_gone);
}
