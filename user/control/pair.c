// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Attach and detach pairs, each all-or-nothing.
 *
 * attach writes the pair's record first (state ATTACHING), then the two
 * port entries, the two hooks and the tracer's device entries, and marks
 * the record ATTACHED last. detach marks it DETACHING and takes the parts
 * away in reverse. Every part can be found from the record alone (link
 * pins by pair name, tc filters by a handle derived from the pair id), so
 * a pairpath killed at any step leaves a record the next one rolls back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel/compat.h"
#include "state/kdrop.h"
#include "lib/log.h"
#include "lib/testhook.h"
#include "control/pair.h"

const char *pair_mode_name(int mode)
{
	return mode == PP_MODE_TCX ? "tcx" : mode == PP_MODE_TC ? "tc" : "?";
}

static void key_of(const char *name, struct pp_pair_key *key)
{
	memset(key, 0, sizeof(*key));
	snprintf(key->name, sizeof(key->name), "%s", name);
}

/* The tcx link behind a pin, and the ifindex it is attached to (0: defunct). */
static int tcx_link_ifindex(const char *path, __u32 *ifindex, __u32 *prog_id)
{
	struct pp_link_info info = {};
	__u32 len = sizeof(info);
	int fd, err = 0;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	close(fd);
	*ifindex = info.tcx.ifindex;
	if (prog_id)
		*prog_id = info.prog_id;
	return err;
}

static void tc_hook_opts(const struct pp_pair *p, int dir, struct bpf_tc_hook *hook,
			 struct bpf_tc_opts *opts)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = p->dev[dir].ifindex;
	hook->attach_point = BPF_TC_INGRESS;
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->handle = PP_TC_HANDLE_BASE + p->pair_id;
	opts->priority = PP_TC_PRIORITY;
}

/*
 * Up means: both devices are still there under their names, and both
 * hooks are attached to them. A tcx link outlives its device as a
 * defunct link, attached to ifindex 0; a device re-created under the old
 * name gets a new ifindex and so never looks like the old pair.
 */
bool pair_is_up(const struct store *st, const char *name, const struct pp_pair *p)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	char path[PATH_MAX];
	__u32 ifindex = 0;
	int d, err;

	if (p->state != PP_PAIR_ATTACHED)
		return false;
	for (d = 0; d < PP_DIR_MAX; d++) {
		if (st->netns_live && !veth_present(p->dev[d].ifindex, p->dev[d].ifname))
			return false;
		if (p->mode == PP_MODE_TCX) {
			store_link_path(st, name, d, path, sizeof(path));
			err = tcx_link_ifindex(path, &ifindex, NULL);
			/* An exporter without privileges can judge by the devices only. */
			if (err == -EACCES || err == -EPERM)
				continue;
			if (err || ifindex != p->dev[d].ifindex)
				return false;
		} else if (st->netns_live) {
			tc_hook_opts(p, d, &hook, &opts);
			if (bpf_tc_query(&hook, &opts))
				return false;
		}
	}
	return true;
}

static bool same_devices(const struct pp_pair *p, const struct veth_info *a,
			 const struct veth_info *b)
{
	return p->dev[0].ifindex == (__u32)a->ifindex &&
	       p->dev[1].ifindex == (__u32)b->ifindex &&
	       !strcmp(p->dev[0].ifname, a->ifname) &&
	       !strcmp(p->dev[1].ifname, b->ifname);
}

/* The pair a device belongs to, found through its port entry. */
static int device_owner(struct store *st, const struct veth_info *v, char *owner, size_t len)
{
	struct ports pt = store_ports(st);
	struct store_pair *list;
	struct pp_port port;
	int n, i;

	if (ports_read(&pt, v->ifindex, &port))
		return 0;
	snprintf(owner, len, "?");
	n = store_list_pairs(st, &list);
	for (i = 0; i < n; i++)
		if (list[i].pair.pair_id == port.pair_id)
			snprintf(owner, len, "%s", list[i].key.name);
	if (n > 0)
		free(list);
	return 1;
}

/*
 * A device may belong to one pair only. Asking the port table costs two
 * lookups, where listing every pair would make a batch of n attaches
 * cost n^2.
 */
static int check_devices(struct store *st, const struct veth_info *a,
			 const struct veth_info *b)
{
	const struct veth_info *v[2] = { a, b };
	char owner[PP_PAIR_NAME_LEN];
	int d;

	for (d = 0; d < 2; d++)
		if (device_owner(st, v[d], owner, sizeof(owner))) {
			pr_warn("device '%s' already belongs to pair '%s'\n", v[d]->ifname, owner);
			return -EBUSY;
		}
	return 0;
}

/* The next pair id, from the counter in the meta map (0 is never used). */
static int next_pair_id(struct store *st, __u32 *id)
{
	struct pp_meta meta = {};
	__u32 zero = 0;

	if (bpf_map_lookup_elem(st->meta_fd, &zero, &meta))
		return -errno;
	if (++meta.last_pair_id == 0)
		meta.last_pair_id = 1;
	if (bpf_map_update_elem(st->meta_fd, &zero, &meta, BPF_EXIST))
		return -errno;
	*id = meta.last_pair_id;
	return 0;
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

/* The port a frame enters on dev `from`, sending it to the container behind the other. */
static int add_port(struct store *st, const struct pp_pair *p, int from)
{
	const struct pp_dev *src = &p->dev[from], *dst = &p->dev[!from];
	struct ports pt = store_ports(st);
	struct pp_port port = {
		.ifindex = src->ifindex,
		.peer_ifindex = dst->ifindex,
		.peer_mtu = dst->peer_mtu,
		.pair_id = p->pair_id,
		.dir = from,
	};
	int err;

	memcpy(port.peer_mac, dst->peer_mac, sizeof(port.peer_mac));
	err = ports_add(&pt, &port);
	if (err)
		pr_warn("device '%s': cannot add its port entry: %s\n", src->ifname,
			err == -EEXIST ? "an entry for its ifindex exists already" :
			strerror(-err));
	return err;
}

/* Only the pair that made a port entry may remove it. */
static void del_port(struct store *st, const struct pp_pair *p, int dir)
{
	struct ports pt = store_ports(st);

	ports_del(&pt, p->dev[dir].ifindex, p->pair_id);
}

static int tcx_attach(struct store *st, const char *name, const struct pp_pair *p, int dir)
{
	const struct pp_dev *dev = &p->dev[dir];
	char path[PATH_MAX];
	int fd, err = 0;

	fd = bpf_link_create(st->prog_fd, dev->ifindex, PP_BPF_TCX_INGRESS, NULL);
	if (fd < 0) {
		err = -errno;
		pr_warn("device '%s': cannot attach a tcx link: %s\n", dev->ifname,
			strerror(-err));
		return err;
	}
	store_link_path(st, name, dir, path, sizeof(path));
	if (bpf_obj_pin(fd, path)) {
		err = -errno;
		pr_warn("device '%s': cannot pin its tcx link at %s: %s\n", dev->ifname,
			path, strerror(-err));
	}
	/* Without the pin, closing our only reference detaches the link. */
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
		return errno == ENOENT ? 0 : -errno;
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

static int tc_attach(struct store *st, struct pp_pair *p, int dir, __u32 flags)
{
	struct pp_dev *dev = &p->dev[dir];
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	int err;

	tc_hook_opts(p, dir, &hook, &opts);
	if (!flags && dev->tc_made_qdisc) {
		err = bpf_tc_hook_create(&hook);
		if (err && err != -EEXIST) {
			pr_warn("device '%s': cannot create the clsact qdisc: %s\n",
				dev->ifname, strerror(-err));
			return err;
		}
		dev->tc_made_qdisc = !err;
	}
	opts.prog_fd = st->prog_fd;
	opts.flags = flags;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		pr_warn("device '%s': cannot attach the cls_bpf filter: %s\n", dev->ifname,
			strerror(-err));
		if (!flags && dev->tc_made_qdisc) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
		}
	}
	return err;
}

static int tc_detach(const char *name, const struct pp_pair *p, int dir)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	int err;

	tc_hook_opts(p, dir, &hook, &opts);
	err = bpf_tc_detach(&hook, &opts);
	/* The filter was never made, or went with its device. */
	if (err == -ENOENT || err == -ENODEV || err == -EINVAL)
		err = 0;
	if (!err && p->dev[dir].tc_made_qdisc) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		err = bpf_tc_hook_destroy(&hook);
		if (err == -ENOENT || err == -ENODEV || err == -EINVAL)
			err = 0;
	}
	if (err)
		pr_warn("pair '%s': cannot detach the cls_bpf filter on '%s': %s\n",
			name, p->dev[dir].ifname, strerror(-err));
	return err;
}

static int hook_attach(struct store *st, const char *name, struct pp_pair *p, int dir)
{
	if (p->mode == PP_MODE_TC)
		return tc_attach(st, p, dir, 0);
	return tcx_attach(st, name, p, dir);
}

static int hook_detach(struct store *st, const char *name, const struct pp_pair *p, int dir)
{
	/*
	 * A legacy filter is found by ifindex, which means nothing outside
	 * its own netns: when that netns is gone, so are its filters.
	 */
	if (p->mode == PP_MODE_TC)
		return st->netns_live ? tc_detach(name, p, dir) : 0;
	return tcx_detach(st, name, dir);
}

/*
 * tcx came with 6.6; an older kernel rejects the attach type outright.
 * A query asks without attaching anything (a link create would cost a
 * grace period).
 */
static int probe_tcx(const struct veth_info *a)
{
	__u32 count = 0;

	if (!bpf_prog_query(a->ifindex, PP_BPF_TCX_INGRESS, 0, NULL, NULL, &count))
		return PP_MODE_TCX;
	pr_info("tcx is not available (%s): using legacy tc\n", strerror(errno));
	return PP_MODE_TC;
}

static int write_record(struct store *st, const struct pp_pair_key *key,
			const struct pp_pair *p, __u64 flags)
{
	if (bpf_map_update_elem(st->pairs_fd, key, p, flags)) {
		int err = -errno;

		pr_warn("pair '%s': cannot record it: %s\n", key->name, strerror(-err));
		return err;
	}
	return 0;
}

/* Take every part of a pair away; parts never made are skipped. */
static int remove_pair(struct store *st, const struct pp_pair_key *key, struct pp_pair *p,
		       int kill_base)
{
	int d, err, ret = 0;

	if (p->state != PP_PAIR_DETACHING) {
		p->state = PP_PAIR_DETACHING;
		ret = write_record(st, key, p, BPF_EXIST);
		if (ret)
			return ret;
	}
	testhook_kill_point(kill_base + 1);
	/* Hooks first, so no frame meets a pair half taken apart. */
	for (d = 0; d < PP_DIR_MAX; d++) {
		err = hook_detach(st, key->name, p, d);
		if (err && !ret)
			ret = err;
		testhook_kill_point(kill_base + 2 + d);
	}
	if (ret)
		return ret;
	kdrop_del_pair(st, p);
	testhook_kill_point(kill_base + 4);
	for (d = 0; d < PP_DIR_MAX; d++)
		del_port(st, p, d);
	testhook_kill_point(kill_base + 5);
	if (bpf_map_delete_elem(st->pairs_fd, key) && errno != ENOENT) {
		ret = -errno;
		pr_warn("pair '%s': cannot remove its record: %s\n", key->name,
			strerror(-ret));
	}
	return ret;
}

/* A pinned program from another build is replaced before new pairs use it. */
static int refresh_prog(struct store *st)
{
	int fd, err;

	if (!pair_needs_upgrade(st))
		return 0;
	fd = store_load_prog(st);
	if (fd < 0)
		return fd;
	err = store_pin_prog(st, fd);
	close(fd);
	return err;
}

int pair_attach(struct store *st, const char *name, const struct veth_info *a,
		const struct veth_info *b, enum cli_mode mode)
{
	struct pp_pair_key key;
	struct pp_pair pair = {};
	int err, d, attached = 0, ports = 0;

	key_of(name, &key);
	if (!bpf_map_lookup_elem(st->pairs_fd, &key, &pair)) {
		if (!same_devices(&pair, a, b)) {
			pr_warn("pair '%s' already exists with devices '%s' and '%s'\n", name,
				pair.dev[0].ifname, pair.dev[1].ifname);
			return -EEXIST;
		}
		if ((mode == MODE_TCX && pair.mode != PP_MODE_TCX) ||
		    (mode == MODE_TC && pair.mode != PP_MODE_TC)) {
			pr_warn("pair '%s' is attached in %s mode: detach it to change the mode\n",
				name, pair_mode_name(pair.mode));
			return -EEXIST;
		}
		/* Attaching again with another program build upgrades in place. */
		if (pair_needs_upgrade(st))
			return pair_upgrade(st, name);
		pr_info("pair '%s' is attached already\n", name);
		return 0;
	}
	memset(&pair, 0, sizeof(pair));
	err = check_devices(st, a, b);
	if (!err)
		err = refresh_prog(st);
	if (!err)
		err = next_pair_id(st, &pair.pair_id);
	if (err)
		return err;

	pair.mode = mode == MODE_TC ? PP_MODE_TC :
		    mode == MODE_TCX ? PP_MODE_TCX : probe_tcx(a);
	pair.state = PP_PAIR_ATTACHING;
	pair.attached_at = time(NULL);
	fill_dev(&pair.dev[PP_DIR_A_TO_B], a);
	fill_dev(&pair.dev[PP_DIR_B_TO_A], b);
	/*
	 * Whether the clsact qdisc will be ours is recorded before it is
	 * made, so a roll-back after a kill removes it too.
	 */
	for (d = 0; pair.mode == PP_MODE_TC && d < PP_DIR_MAX; d++) {
		err = netlink_has_clsact(pair.dev[d].ifindex);
		if (err < 0) {
			pr_warn("device '%s': cannot list its qdiscs: %s\n",
				pair.dev[d].ifname, strerror(-err));
			return err;
		}
		pair.dev[d].tc_made_qdisc = !err;
		pair.dev[d].tc_handle = PP_TC_HANDLE_BASE + pair.pair_id;
		pair.dev[d].tc_priority = PP_TC_PRIORITY;
	}

	err = write_record(st, &key, &pair, BPF_NOEXIST);
	if (err == -E2BIG || err == -ENOSPC)
		pr_warn("cannot attach: this netns holds %d pairs at most\n", PP_MAX_PAIRS);
	if (err)
		return err;
	testhook_kill_point(1);
	/* Ports before hooks: a program that finds no entry passes the frame on. */
	for (d = 0; d < PP_DIR_MAX; d++) {
		err = add_port(st, &pair, d);
		if (err)
			goto undo;
		ports++;
		testhook_kill_point(2 + d);
	}
	for (d = 0; d < PP_DIR_MAX; d++) {
		err = hook_attach(st, name, &pair, d);
		if (err)
			goto undo;
		attached++;
		testhook_kill_point(4 + d);
	}
	err = kdrop_add_pair(st, &pair);
	if (err)
		goto undo;
	testhook_kill_point(6);
	pair.state = PP_PAIR_ATTACHED;
	err = write_record(st, &key, &pair, BPF_EXIST);
	if (err) {
		kdrop_del_pair(st, &pair);
		goto undo;
	}
	testhook_kill_point(7);
	return 0;
undo:
	while (attached--)
		hook_detach(st, name, &pair, attached);
	while (ports--)
		del_port(st, &pair, ports);
	bpf_map_delete_elem(st->pairs_fd, &key);
	return err;
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
	return remove_pair(st, &key, &pair, 10);
}

/* Apply fn to every pair (or those select() picks); the first error wins. */
static int for_each_pair(struct store *st, bool (*select)(struct store *, struct store_pair *),
			 int (*fn)(struct store *, struct store_pair *))
{
	struct store_pair *list;
	int n, i, err, ret = 0;

	n = store_list_pairs(st, &list);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		if (select && !select(st, &list[i]))
			continue;
		err = fn(st, &list[i]);
		if (err && !ret)
			ret = err;
	}
	free(list);
	return ret;
}

static int remove_one(struct store *st, struct store_pair *sp)
{
	return remove_pair(st, &sp->key, &sp->pair, 10);
}

int pair_detach_all(struct store *st)
{
	return for_each_pair(st, NULL, remove_one);
}

static bool unfinished(struct store *st, struct store_pair *sp)
{
	(void)st;
	return sp->pair.state != PP_PAIR_ATTACHED;
}

static int roll_back(struct store *st, struct store_pair *sp)
{
	pr_info("pair '%s' was left half-%s by an interrupted pairpath: removing it\n",
		sp->key.name, sp->pair.state == PP_PAIR_ATTACHING ? "attached" : "detached");
	return remove_pair(st, &sp->key, &sp->pair, 20);
}

bool pair_exists(const struct store *st, const char *name)
{
	struct pp_pair_key key;
	struct pp_pair pair;

	key_of(name, &key);
	return !bpf_map_lookup_elem(st->pairs_fd, &key, &pair);
}

bool pair_unfinished(const struct store *st, const char *name)
{
	struct pp_pair_key key;
	struct pp_pair pair;

	key_of(name, &key);
	return !bpf_map_lookup_elem(st->pairs_fd, &key, &pair) &&
	       pair.state != PP_PAIR_ATTACHED;
}

int pair_recover(struct store *st)
{
	return for_each_pair(st, unfinished, roll_back);
}

static bool broken(struct store *st, struct store_pair *sp)
{
	return sp->pair.state == PP_PAIR_ATTACHED &&
	       !pair_is_up(st, sp->key.name, &sp->pair);
}

static int collect(struct store *st, struct store_pair *sp)
{
	int err = remove_pair(st, &sp->key, &sp->pair, 30);

	if (!err)
		printf("removed broken pair '%s' (%s, %s)\n", sp->key.name,
		       sp->pair.dev[0].ifname, sp->pair.dev[1].ifname);
	return err;
}

int pair_gc(struct store *st)
{
	return for_each_pair(st, broken, collect);
}

bool pair_needs_upgrade(const struct store *st)
{
	struct pp_meta meta = {};
	__u32 zero = 0;

	return bpf_map_lookup_elem(st->meta_fd, &zero, &meta) ||
	       meta.prog_hash != store_prog_hash();
}

/*
 * Swap the program under a pair without a gap: bpf_link_update() for a
 * tcx link, and a cls_bpf filter replaced in place (same handle and
 * priority, NLM_F_REPLACE) for legacy tc. The maps, and so the counters,
 * are the same ones before and after.
 */
static int upgrade_one(struct store *st, struct store_pair *sp)
{
	struct pp_pair *p = &sp->pair;
	char path[PATH_MAX];
	int d, fd, err = 0;

	for (d = 0; d < PP_DIR_MAX && !err; d++) {
		if (p->mode == PP_MODE_TC) {
			err = tc_attach(st, p, d, BPF_TC_F_REPLACE);
			continue;
		}
		store_link_path(st, sp->key.name, d, path, sizeof(path));
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
		} else {
			if (bpf_link_update(fd, st->prog_fd, NULL))
				err = -errno;
			close(fd);
		}
		if (err)
			pr_warn("pair '%s': cannot update the tcx link %s: %s\n", sp->key.name,
				path, strerror(-err));
	}
	return err;
}

/* A broken pair has nothing to upgrade: gc is what it needs. */
static bool upgradable(struct store *st, struct store_pair *sp)
{
	if (pair_is_up(st, sp->key.name, &sp->pair))
		return true;
	pr_info("pair '%s' is broken: not upgraded\n", sp->key.name);
	return false;
}

int pair_upgrade(struct store *st, const char *name)
{
	struct store_pair one;
	int fd, err;

	/* A named pair is checked before anything changes. */
	if (name) {
		key_of(name, &one.key);
		if (bpf_map_lookup_elem(st->pairs_fd, &one.key, &one.pair)) {
			pr_warn("pair '%s' does not exist\n", name);
			return -ENOENT;
		}
		if (!pair_is_up(st, name, &one.pair)) {
			pr_warn("pair '%s' is broken: 'pairpath gc' removes it\n", name);
			return -ENOLINK;
		}
	}
	fd = store_load_prog(st);
	if (fd < 0)
		return fd;
	/* Pinned first: the program every pair is moved to is the one new pairs get. */
	err = store_pin_prog(st, fd);
	close(fd);
	if (err)
		return err;
	return name ? upgrade_one(st, &one) : for_each_pair(st, upgradable, upgrade_one);
}
