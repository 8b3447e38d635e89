// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "compat.h"
#include "kdrop.h"
#include "log.h"
#include "pair.h"

const char *pair_mode_name(int mode)
{
	return mode == PP_MODE_TCX ? "tcx" : mode == PP_MODE_TC ? "tc" : "?";
}

bool pair_is_up(const struct store *st, const char *name, const struct pp_pair *p)
{
	char path[PATH_MAX];
	int d;

	for (d = 0; d < PP_DIR_MAX; d++) {
		if (st->netns_live && !veth_present(p->dev[d].ifindex, p->dev[d].ifname))
			return false;
		store_link_path(st, name, d, path, sizeof(path));
		if (p->mode == PP_MODE_TCX && access(path, F_OK))
			return false;
	}
	return true;
}

static void key_of(const char *name, struct pp_pair_key *key)
{
	memset(key, 0, sizeof(*key));
	snprintf(key->name, sizeof(key->name), "%s", name);
}

static bool same_devices(const struct pp_pair *p, const struct veth_info *a,
			 const struct veth_info *b)
{
	return p->dev[0].ifindex == (__u32)a->ifindex &&
	       p->dev[1].ifindex == (__u32)b->ifindex &&
	       !strcmp(p->dev[0].ifname, a->ifname) &&
	       !strcmp(p->dev[1].ifname, b->ifname);
}

/* The smallest pair id not in use, and whether a device is taken. */
static int scan_pairs(struct store *st, const struct veth_info *a,
		      const struct veth_info *b, __u32 *free_id)
{
	struct store_pair *list;
	int n, i, d, err = 0;
	__u32 id = 1;

	n = store_list_pairs(st, &list);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		for (d = 0; d < PP_DIR_MAX; d++) {
			__u32 ifindex = list[i].pair.dev[d].ifindex;

			if (ifindex == (__u32)a->ifindex || ifindex == (__u32)b->ifindex) {
				pr_warn("device '%s' already belongs to pair '%s'\n",
					ifindex == (__u32)a->ifindex ? a->ifname : b->ifname,
					list[i].key.name);
				err = -EBUSY;
				goto out;
			}
		}
	}
	if (n >= PP_MAX_PAIRS) {
		pr_warn("cannot attach: already %d pairs, the most one netns holds\n", n);
		err = -ENOSPC;
		goto out;
	}
again:
	for (i = 0; i < n; i++)
		if (list[i].pair.pair_id == id) {
			id++;
			goto again;
		}
	*free_id = id;
out:
	free(list);
	return err;
}

static void fill_dev(struct pp_dev *dev, const struct veth_info *v)
{
	dev->ifindex = v->ifindex;
	dev->peer_ifindex = v->peer_ifindex;
	dev->peer_netnsid = v->peer_netnsid;
	dev->peer_mtu = v->peer_mtu;
	memcpy(dev->peer_mac, v->peer_mac, sizeof(dev->peer_mac));
	memcpy(dev->ifname, v->ifname, sizeof(dev->ifname));
	memcpy(dev->peer_ifname, v->peer_ifname, sizeof(dev->peer_ifname));
}

/* The port a frame enters on `from`, sending it to the container behind `to`. */
static int add_port(struct store *st, const struct veth_info *from,
		    const struct veth_info *to, int dir, __u32 pair_id)
{
	struct pp_port *percpu;
	__u32 key = from->ifindex;
	int cpu, err = 0;

	percpu = calloc(st->ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	/* Every CPU's copy carries the same configuration. */
	for (cpu = 0; cpu < st->ncpus; cpu++) {
		percpu[cpu].peer_ifindex = to->ifindex;
		percpu[cpu].peer_mtu = to->peer_mtu;
		memcpy(percpu[cpu].peer_mac, to->peer_mac, 6);
		percpu[cpu].dir = dir;
		percpu[cpu].pair_id = pair_id;
	}
	if (bpf_map_update_elem(st->ports_fd, &key, percpu, BPF_NOEXIST)) {
		err = -errno;
		pr_warn("device '%s': cannot add its port entry: %s\n", from->ifname,
			err == -EEXIST ? "an entry for its ifindex exists already" :
			strerror(-err));
	}
	free(percpu);
	return err;
}

static int tcx_attach(struct store *st, const char *name, struct pp_dev *dev, int dir)
{
	char path[PATH_MAX];
	int fd, err;

	fd = bpf_link_create(st->prog_fd, dev->ifindex, PP_BPF_TCX_INGRESS, NULL);
	if (fd < 0)
		return fd;
	store_link_path(st, name, dir, path, sizeof(path));
	err = bpf_obj_pin(fd, path);
	if (err) {
		err = -errno;
		pr_warn("device '%s': cannot pin its tcx link at %s: %s\n", dev->ifname,
			path, strerror(-err));
		/* Closing our only reference releases the link and detaches. */
	}
	close(fd);
	return err;
}

/*
 * Detach explicitly: an unpinned link stays attached for as long as any
 * other process holds a file descriptor to it.
 */
static int tcx_detach(struct store *st, const char *name, int dir)
{
	char path[PATH_MAX];
	int fd, err = 0;

	store_link_path(st, name, dir, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	/* -ENOLINK: the device is gone and the link is defunct already. */
	if (bpf_link_detach(fd) && errno != ENOLINK)
		err = -errno;
	close(fd);
	if (!err && unlink(path))
		err = -errno;
	if (err)
		pr_warn("pair '%s': cannot detach the tcx link %s: %s\n", name, path,
			strerror(-err));
	return err;
}

static int tc_attach(struct store *st, struct pp_dev *dev)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = dev->ifindex,
			    .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = st->prog_fd);
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		pr_warn("device '%s': cannot create the clsact qdisc: %s\n", dev->ifname,
			strerror(-err));
		return err;
	}
	dev->tc_made_qdisc = !err;
	/* handle and priority 0: the kernel picks free ones and echoes them. */
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		pr_warn("device '%s': cannot attach the cls_bpf filter: %s\n", dev->ifname,
			strerror(-err));
		if (dev->tc_made_qdisc) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
		}
		return err;
	}
	dev->tc_handle = opts.handle;
	dev->tc_priority = opts.priority;
	return 0;
}

static int tc_detach(const char *name, const struct pp_dev *dev)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = dev->ifindex,
			    .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = dev->tc_handle,
			    .priority = dev->tc_priority);
	int err;

	err = bpf_tc_detach(&hook, &opts);
	/* The device, and its filters with it, may be gone already. */
	if (err == -ENOENT || err == -ENODEV || err == -EINVAL)
		err = 0;
	if (!err && dev->tc_made_qdisc) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		err = bpf_tc_hook_destroy(&hook);
		if (err == -ENOENT || err == -ENODEV || err == -EINVAL)
			err = 0;
	}
	if (err)
		pr_warn("pair '%s': cannot detach the cls_bpf filter on '%s': %s\n",
			name, dev->ifname, strerror(-err));
	return err;
}

static int hook_attach(struct store *st, const char *name, struct pp_pair *p, int dir)
{
	struct pp_dev *dev = &p->dev[dir];
	int err;

	if (p->mode == PP_MODE_TC)
		return tc_attach(st, dev);
	err = tcx_attach(st, name, dev, dir);
	if (err)
		pr_warn("device '%s': cannot attach a tcx link: %s\n", dev->ifname,
			strerror(-err));
	return err;
}

static int hook_detach(struct store *st, const char *name, const struct pp_pair *p,
		       int dir)
{
	/*
	 * A legacy filter is found by ifindex, which means nothing outside
	 * its own netns: when that netns is gone, so are its filters.
	 */
	if (p->mode == PP_MODE_TC)
		return st->netns_live ? tc_detach(name, &p->dev[dir]) : 0;
	return tcx_detach(st, name, dir);
}

/* tcx came with 6.6; an older kernel rejects the attach type outright. */
static int probe_tcx(struct store *st, const struct veth_info *a)
{
	int fd = bpf_link_create(st->prog_fd, a->ifindex, PP_BPF_TCX_INGRESS, NULL);

	if (fd >= 0) {
		close(fd);
		return PP_MODE_TCX;
	}
	pr_info("tcx is not available (%s): using legacy tc\n", strerror(errno));
	return PP_MODE_TC;
}

int pair_attach(struct store *st, const char *name, const struct veth_info *a,
		const struct veth_info *b, enum cli_mode mode)
{
	struct pp_pair_key key;
	struct pp_pair pair = {};
	__u32 keys[PP_DIR_MAX] = { a->ifindex, b->ifindex };
	int err, d, attached = 0, ports = 0;

	key_of(name, &key);
	if (!bpf_map_lookup_elem(st->pairs_fd, &key, &pair)) {
		if (same_devices(&pair, a, b)) {
			pr_info("pair '%s' is attached already\n", name);
			return 0;
		}
		pr_warn("pair '%s' already exists with devices '%s' and '%s'\n", name,
			pair.dev[0].ifname, pair.dev[1].ifname);
		return -EEXIST;
	}
	memset(&pair, 0, sizeof(pair));
	err = scan_pairs(st, a, b, &pair.pair_id);
	if (err)
		return err;

	pair.mode = mode == MODE_TC ? PP_MODE_TC :
		    mode == MODE_TCX ? PP_MODE_TCX : probe_tcx(st, a);
	pair.attached_at = time(NULL);
	fill_dev(&pair.dev[PP_DIR_A_TO_B], a);
	fill_dev(&pair.dev[PP_DIR_B_TO_A], b);

	/* Ports first: a program that finds no entry passes the frame on. */
	err = add_port(st, a, b, PP_DIR_A_TO_B, pair.pair_id);
	if (err)
		goto undo;
	ports++;
	err = add_port(st, b, a, PP_DIR_B_TO_A, pair.pair_id);
	if (err)
		goto undo;
	ports++;
	for (d = 0; d < PP_DIR_MAX; d++) {
		err = hook_attach(st, name, &pair, d);
		if (err)
			goto undo;
		attached++;
	}
	err = kdrop_add_pair(st, &pair);
	if (err)
		goto undo;
	if (bpf_map_update_elem(st->pairs_fd, &key, &pair, BPF_NOEXIST)) {
		err = -errno;
		pr_warn("pair '%s': cannot record it: %s\n", name, strerror(-err));
		kdrop_del_pair(st, &pair);
		goto undo;
	}
	return 0;
undo:
	while (attached--)
		hook_detach(st, name, &pair, attached);
	while (ports--)
		bpf_map_delete_elem(st->ports_fd, &keys[ports]);
	return err;
}

static int detach_pair(struct store *st, const struct pp_pair_key *key,
		       const struct pp_pair *pair)
{
	int d, err, ret = 0;

	/* Hooks first, so no frame meets a pair half taken apart. */
	for (d = 0; d < PP_DIR_MAX; d++) {
		err = hook_detach(st, key->name, pair, d);
		if (err && !ret)
			ret = err;
	}
	if (ret)
		return ret;
	kdrop_del_pair(st, pair);
	for (d = 0; d < PP_DIR_MAX; d++)
		bpf_map_delete_elem(st->ports_fd, &pair->dev[d].ifindex);
	if (bpf_map_delete_elem(st->pairs_fd, key)) {
		ret = -errno;
		pr_warn("pair '%s': cannot remove its record: %s\n", key->name,
			strerror(-ret));
	}
	return ret;
}

int pair_detach(struct store *st, const char *name)
{
	struct pp_pair_key key;
	struct pp_pair pair;

	key_of(name, &key);
	if (bpf_map_lookup_elem(st->pairs_fd, &key, &pair)) {
		pr_warn("pair '%s' does not exist\n", name);
		return -ENOENT;
	}
	return detach_pair(st, &key, &pair);
}

int pair_detach_all(struct store *st)
{
	struct store_pair *list;
	int n, i, err, ret = 0;

	n = store_list_pairs(st, &list);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		err = detach_pair(st, &list[i].key, &list[i].pair);
		if (err && !ret)
			ret = err;
	}
	free(list);
	return ret;
}
