// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Attach and detach pairs, each all-or-nothing.
 *
 * attach writes the pair's record first (state ATTACHING), then the two
 * port entries, the two hooks and the tracer's device entries, and marks
 * the record ATTACHED last. detach marks it DETACHING and takes the parts
 * away in reverse. Every part can be found from the record alone (link
 * pins by pair name, tc filters by the handle the record holds), so a
 * pairpath killed at any step leaves a record the next one rolls back.
 * The numbers given to testhook_kill_point() are the steps the crash
 * tests stop at; 8 and 9 (state/hooks.c) are legacy tc's, just after
 * the clsact of dev_a or dev_b was made and recorded as the pair's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "kernel/tcx.h"
#include "lib/log.h"
#include "lib/testhook.h"
#include "state/hooks.h"
#include "state/journal.h"
#include "state/kdrop.h"
#include "state/liveness.h"
#include "state/loader.h"
#include "control/endpoint.h"
#include "control/follow.h"
#include "control/pair.h"

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
	struct journal_entry *list;
	struct port_view port;
	int n, i;

	if (ports_read(&st->ports, v->ifindex, &port))
		return 0;
	snprintf(owner, len, "?");
	n = journal_list(st, &list);
	for (i = 0; i < n; i++)
		if (list[i].pair.pair_id == port.config.pair_id)
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

	__u32 ifindex;

	for (d = 0; d < 2; d++) {
		if (device_owner(st, v[d], owner, sizeof(owner))) {
			pr_warn("device '%s' already belongs to pair '%s'\n", v[d]->ifname, owner);
			return -EBUSY;
		}
		if (!st->rt_open)
			continue;
		ifindex = v[d]->ifindex;
		if (endpoint_of_device(&st->rt, ifindex, owner, sizeof(owner))) {
			pr_warn("device '%s' is the endpoint '%s'\n", v[d]->ifname, owner);
			return -EBUSY;
		}
		if (rt_uplink_of(&st->rt, ifindex)) {
			pr_warn("device '%s' is an uplink\n", v[d]->ifname);
			return -EBUSY;
		}
	}
	return 0;
}



/* The port a frame enters on dev `from`, sending it to the container behind the other. */
static int add_port(struct store *st, const struct pp_pair *p, int from)
{
	const struct pp_dev *src = &p->dev[from], *dst = &p->dev[!from];
	struct pp_port port = {
		.ifindex = src->ifindex,
		.pair_id = p->pair_id,
		.peer = ports_peer_of(dst),
		.dir = from,
	};
	int err;

	err = ports_add(&st->ports, &port, dst->ifindex);
	if (err)
		pr_warn("device '%s': cannot add its port entry: %s\n", src->ifname,
			err == -EEXIST ? "an entry for its ifindex exists already" :
			strerror(-err));
	return err;
}

/* Only the pair that made a port entry may remove it. */
static void del_port(struct store *st, const struct pp_pair *p, int d)
{
	ports_del(&st->ports, p->dev[d].ifindex, p->pair_id);
}

/*
 * attach of an attached pair, its host-side devices the same: a pair
 * marked broken whose devices all are the recorded ones is whole again,
 * and a far side that changed is followed.
 */
static int reattach(struct store *st, const struct pp_pair_key *key, struct pp_pair *p)
{
	struct veth_info now[PP_DIR_MAX];
	int d, err;

	for (d = 0; d < PP_DIR_MAX; d++)
		if (liveness_dev(&p->dev[d], &now[d]) == DEV_GONE) {
			pr_warn("pair '%s': the container end of '%s' is not the one attached: "
				"detach the pair and attach it again\n", key->name,
				p->dev[d].ifname);
			return -ESTALE;
		}
	if (p->flags & PP_PAIR_BROKEN) {
		for (d = 0; d < PP_DIR_MAX; d++) {
			err = ports_set_dev(&st->ports, p->dev[d].ifindex, p->pair_id,
					    p->dev[!d].ifindex);
			if (err)
				return err;
		}
		p->flags &= ~PP_PAIR_BROKEN;
		err = journal_put(st, key, p, BPF_EXIST);
		if (err)
			return err;
		pr_info("pair '%s' is whole again\n", key->name);
	}
	return pair_follow(st, key->name, now);
}

static int choose_mode(int mode, const struct veth_info *a)
{
	int err;

	if (mode != PAIR_MODE_AUTO)
		return mode;
	err = tcx_probe(a->ifindex);
	if (!err)
		return PP_MODE_TCX;
	pr_info("tcx is not available (%s): using legacy tc\n", strerror(-err));
	return PP_MODE_TC;
}

/*
 * Is device d the one the pair recorded? Only a legacy tc hook needs to
 * know (it is found by ifindex): the check costs two netlink requests.
 */
static bool on_recorded_device(const struct store *st, const struct pp_pair *p, int d)
{
	struct veth_info now;

	return p->mode == PP_MODE_TC && st->netns_live &&
	       liveness_dev(&p->dev[d], &now) != DEV_GONE;
}

/* Take every part of a pair away; parts never made are skipped. */
static int remove_pair(struct store *st, const struct pp_pair_key *key, struct pp_pair *p,
		       int kill_base)
{
	int d, err, ret = 0;

	if (p->state != PP_PAIR_DETACHING) {
		p->state = PP_PAIR_DETACHING;
		ret = journal_put(st, key, p, BPF_EXIST);
		if (ret)
			return ret;
	}
	testhook_kill_point(kill_base + 1);
	/* Hooks first, so no frame meets a pair half taken apart. */
	for (d = 0; d < PP_DIR_MAX; d++) {
		err = hooks_detach(st, key->name, p, d, on_recorded_device(st, p, d));
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
	return journal_delete(st, key);
}

/* Load this pairpath's program against the pinned maps and pin it. */
static int pin_own_prog(struct store *st)
{
	int fd, err;

	fd = loader_load_prog(st->dir_fd, &st->made_pins);
	if (fd < 0)
		return fd;
	err = store_pin_prog(st, fd);
	close(fd);
	return err;
}

/*
 * A program pinned by this build is what new pairs get; the pairs that
 * were there keep theirs until upgraded, which is said once.
 */
static void warn_older(struct store *st, const char *name)
{
	struct journal_entry *list;
	__u32 pinned;
	int n, i, older = 0;

	if (hooks_pinned_prog_id(st, &pinned))
		return;
	n = journal_list(st, &list);
	for (i = 0; i < n; i++)
		older += strcmp(list[i].key.name, name) &&
			 list[i].pair.state == PP_PAIR_ATTACHED &&
			 hooks_program(st, list[i].key.name, &list[i].pair, pinned) == 0;
	if (n > 0)
		free(list);
	if (older)
		pr_warn("%d pair%s an older program; `pairpath upgrade --all` moves %s\n", older,
			older == 1 ? " runs" : "s run", older == 1 ? "it" : "them");
}

int pair_attach(struct store *st, const char *name, const struct veth_info *a,
		const struct veth_info *b, int mode)
{
	struct pp_pair_key key;
	struct pp_pair pair = {};
	int err, d, attached = 0, ports = 0;
	bool new_prog = false;

	journal_key(name, &key);
	if (!journal_get(st, name, &pair)) {
		if (!same_devices(&pair, a, b)) {
			pr_warn("pair '%s' already exists with devices '%s' and '%s'\n", name,
				pair.dev[0].ifname, pair.dev[1].ifname);
			return -EEXIST;
		}
		if (mode != PAIR_MODE_AUTO && mode != pair.mode) {
			pr_warn("pair '%s' is attached in %s mode: detach it to change the mode\n",
				name, journal_mode_name(pair.mode));
			return -EEXIST;
		}
		err = reattach(st, &key, &pair);
		if (err)
			return err;
		/* Attaching again with another program build upgrades in place. */
		if (store_prog_outdated(st)) {
			err = pair_upgrade(st, name);
			if (!err)
				warn_older(st, name);
			return err;
		}
		pr_info("pair '%s' is attached already\n", name);
		return 0;
	}
	memset(&pair, 0, sizeof(pair));
	err = check_devices(st, a, b);
	/* A pinned program from another build is replaced before new pairs use it. */
	if (!err && store_prog_outdated(st)) {
		err = pin_own_prog(st);
		new_prog = !err;
	}
	if (!err)
		err = journal_next_id(st, &pair.pair_id);
	if (err)
		return err;

	pair.mode = choose_mode(mode, a);
	pair.state = PP_PAIR_ATTACHING;
	pair.attached_at = time(NULL);
	journal_fill_dev(&pair.dev[PP_DIR_A_TO_B], a);
	journal_fill_dev(&pair.dev[PP_DIR_B_TO_A], b);
	hooks_prepare(&pair);
	err = journal_put(st, &key, &pair, BPF_NOEXIST);
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
		err = hooks_attach(st, name, &pair, d);
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
	err = journal_put(st, &key, &pair, BPF_EXIST);
	if (err) {
		kdrop_del_pair(st, &pair);
		goto undo;
	}
	testhook_kill_point(7);
	if (new_prog)
		warn_older(st, name);
	return 0;
undo:
	while (attached--)
		hooks_detach(st, name, &pair, attached, true);
	while (ports--)
		del_port(st, &pair, ports);
	bpf_map_delete_elem(st->pairs_fd, &key);
	return err;
}

int pair_detach(struct store *st, const char *name)
{
	struct pp_pair_key key;
	struct pp_pair pair;

	journal_key(name, &key);
	if (journal_get(st, name, &pair)) {
		pr_warn("pair '%s' does not exist\n", name);
		return -ENOENT;
	}
	return remove_pair(st, &key, &pair, 10);
}

/* Apply fn to every pair (or those select() picks); the first error wins. */
static int for_each_pair(struct store *st,
			 bool (*select)(struct store *, struct journal_entry *),
			 int (*fn)(struct store *, struct journal_entry *))
{
	struct journal_entry *list;
	int n, i, err, ret = 0;

	n = journal_list(st, &list);
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

static int remove_one(struct store *st, struct journal_entry *e)
{
	return remove_pair(st, &e->key, &e->pair, 10);
}

int pair_detach_all(struct store *st)
{
	return for_each_pair(st, NULL, remove_one);
}

static bool unfinished(struct store *st, struct journal_entry *e)
{
	(void)st;
	return e->pair.state != PP_PAIR_ATTACHED;
}

static int roll_back(struct store *st, struct journal_entry *e)
{
	pr_info("pair '%s' was left half-%s by an interrupted pairpath: removing it\n",
		e->key.name, e->pair.state == PP_PAIR_ATTACHING ? "attached" : "detached");
	return remove_pair(st, &e->key, &e->pair, 20);
}

bool pair_exists(const struct store *st, const char *name)
{
	struct pp_pair pair;

	return !journal_get(st, name, &pair);
}

bool pair_unfinished(const struct store *st, const char *name)
{
	struct pp_pair pair;

	return !journal_get(st, name, &pair) && pair.state != PP_PAIR_ATTACHED;
}

int pair_recover(struct store *st)
{
	return for_each_pair(st, unfinished, roll_back);
}

static bool broken(struct store *st, struct journal_entry *e)
{
	return e->pair.state == PP_PAIR_ATTACHED &&
	       !liveness_pair_intact(st, e->key.name, &e->pair);
}

static int collect(struct store *st, struct journal_entry *e)
{
	int err = remove_pair(st, &e->key, &e->pair, 30);

	if (!err)
		printf("removed broken pair '%s' (%s, %s)\n", e->key.name,
		       e->pair.dev[0].ifname, e->pair.dev[1].ifname);
	return err;
}

int pair_gc(struct store *st)
{
	return for_each_pair(st, broken, collect);
}

/* The maps, and so the counters, are the same ones before and after. */
static int upgrade_one(struct store *st, struct journal_entry *e)
{
	int d, err = 0;

	for (d = 0; d < PP_DIR_MAX && !err; d++)
		err = hooks_replace(st, e->key.name, &e->pair, d);
	return err;
}

/* A broken pair has nothing to upgrade: gc is what it needs. */
static bool upgradable(struct store *st, struct journal_entry *e)
{
	if (liveness_pair_intact(st, e->key.name, &e->pair))
		return true;
	pr_info("pair '%s' is broken: not upgraded\n", e->key.name);
	return false;
}

int pair_upgrade(struct store *st, const char *name)
{
	struct journal_entry one;
	int err;

	/* A named pair is checked before anything changes. */
	if (name) {
		journal_key(name, &one.key);
		if (journal_get(st, name, &one.pair)) {
			pr_warn("pair '%s' does not exist\n", name);
			return -ENOENT;
		}
		if (!liveness_pair_intact(st, name, &one.pair)) {
			pr_warn("pair '%s' is broken: 'pairpath gc' removes it\n", name);
			return -ENOLINK;
		}
	}
	/* Pinned first: the program every pair is moved to is the one new pairs get. */
	err = pin_own_prog(st);
	if (err)
		return err;
	return name ? upgrade_one(st, &one) : for_each_pair(st, upgradable, upgrade_one);
}
