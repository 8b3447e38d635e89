// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Routed mode's pinned state (state/rt_store.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel/mapdump.h"
#include "kernel/pin.h"
#include "lib/log.h"
#include "state/layout.h"
#include "state/loader.h"
#include "state/pins.h"
#include "state/rt_store.h"
#include "state/store.h"
#include "routed.skel.h"

/* The routed maps, by pin, and where each one's fd goes. */
/*
 * The routed maps, by pin, and where each one's fd goes. Their type is
 * layout_check_routed()'s to check, with the others of each map, so
 * that a map of another build (rt_uplinks was a hash before layout 5)
 * is refused with what to do.
 */
static const struct rt_pinned {
	enum pp_pin pin;
	size_t offset;		/* of its fd in struct rt_store */
} rt_maps[] = {
	{ PP_PIN_RT_ENDPOINTS, offsetof(struct rt_store, t.eps_fd) },
	{ PP_PIN_RT_ENDPOINTS_OVERFLOW, offsetof(struct rt_store, t.eps_overflow_fd) },
	{ PP_PIN_RT_ADDRS, offsetof(struct rt_store, t.addrs_fd) },
	{ PP_PIN_RT_ADDRS_OVERFLOW, offsetof(struct rt_store, t.addrs_overflow_fd) },
	{ PP_PIN_RT_STATS, offsetof(struct rt_store, t.stats_fd) },
	{ PP_PIN_RT_DEVS, offsetof(struct rt_store, t.devs_fd) },
	{ PP_PIN_RT_UPLINKS, offsetof(struct rt_store, uplinks_fd) },
	{ PP_PIN_RT_UPLINKS_OVERFLOW, offsetof(struct rt_store, uplinks_overflow_fd) },
	{ PP_PIN_RT_UPLINK_STATS, offsetof(struct rt_store, uplink_stats_fd) },
	{ PP_PIN_RT_RECORDS, offsetof(struct rt_store, records_fd) },
};

#define N_RT_MAPS	(sizeof(rt_maps) / sizeof(rt_maps[0]))

static int *fd_of(struct rt_store *rt, const struct rt_pinned *m)
{
	return (int *)((char *)rt + m->offset);
}

void rt_store_init(struct rt_store *rt)
{
	size_t i;

	memset(rt, 0, sizeof(*rt));
	rt->prog_fd = rt->uplink_prog_fd = -1;
	for (i = 0; i < N_RT_MAPS; i++)
		*fd_of(rt, &rt_maps[i]) = -1;
	rt->t.ncpus = libbpf_num_possible_cpus();
}

void rt_store_close(struct rt_store *rt)
{
	size_t i;

	for (i = 0; i < N_RT_MAPS; i++) {
		int *fd = fd_of(rt, &rt_maps[i]);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
	if (rt->prog_fd >= 0)
		close(rt->prog_fd);
	if (rt->uplink_prog_fd >= 0)
		close(rt->uplink_prog_fd);
	rt->prog_fd = rt->uplink_prog_fd = -1;
}

/* A program pinned under a temporary name and renamed, as store_pin_prog() does. */
static int pin_prog(struct store *st, int fd, enum pp_pin pin)
{
	char tmp[64];
	int err;

	snprintf(tmp, sizeof(tmp), "%s-new", pp_pin_names[pin]);
	err = pin_release_at(st->dir_fd, tmp);
	if (!err)
		err = pin_put_at(fd, st->dir_fd, tmp);
	if (!err && renameat(st->dir_fd, tmp, st->dir_fd, pp_pin_names[pin])) {
		err = -errno;
		unlinkat(st->dir_fd, tmp, 0);
	}
	if (err)
		pr_warn("cannot pin the routed program at %s/%s: %s\n", st->dir,
			pp_pin_names[pin], strerror(-err));
	else
		st->made_pins |= PP_PIN_BIT(pin);
	return err;
}

/*
 * The first endpoint or uplink of a netns: load the routed object
 * against whatever of its maps is pinned, pin the rest and its programs.
 * routed_uplink may be absent from an older object: uplinks then cannot
 * be added, endpoints still can.
 */
static int load_and_pin(struct store *st)
{
	struct bpf_program *uplink;
	struct routed *skel;
	__u64 reused = 0;
	int err;

	skel = routed__open();
	if (!skel) {
		err = -errno;
		pr_warn("cannot open the routed BPF object: %s\n", strerror(-err));
		return err;
	}
	err = loader_reuse_pinned(skel->obj, st->dir_fd, &reused);
	if (!err) {
		err = routed__load(skel);
		if (err)
			pr_warn("cannot load the routed BPF program: %s\n", strerror(-err));
	}
	if (!err)
		err = loader_pin_new(skel->obj, st->dir_fd, reused, &st->made_pins);
	if (!err)
		err = pin_prog(st, bpf_program__fd(skel->progs.routed_ingress), PP_PIN_RT_PROG);
	uplink = bpf_object__find_program_by_name(skel->obj, "routed_uplink");
	if (!err && uplink)
		err = pin_prog(st, bpf_program__fd(uplink), PP_PIN_RT_UPLINK_PROG);
	routed__destroy(skel);
	return err;
}

static int open_pinned(struct store *st, struct rt_store *rt, bool rdonly)
{
	struct layout_pin pins[N_RT_MAPS];
	__u32 ro = rdonly ? BPF_F_RDONLY : 0;
	bool missing = false;
	size_t i;
	int err;

	for (i = 0; i < N_RT_MAPS; i++) {
		int *fd = fd_of(rt, &rt_maps[i]);

		*fd = pin_get_at(st->dir_fd, pp_pin_names[rt_maps[i].pin], ro, PIN_MAP, 0);
		if (*fd < 0 && *fd != -ENOENT)
			return *fd;
		missing |= *fd < 0;
		pins[i].name = pp_pin_names[rt_maps[i].pin];
		pins[i].fd = *fd;
	}
	if (!rdonly) {
		rt->prog_fd = pin_get_at(st->dir_fd, pp_pin_names[PP_PIN_RT_PROG], 0, PIN_PROG,
					 BPF_PROG_TYPE_SCHED_CLS);
		if (rt->prog_fd < 0 && rt->prog_fd != -ENOENT)
			return rt->prog_fd;
		missing |= rt->prog_fd < 0;
		rt->uplink_prog_fd = pin_get_at(st->dir_fd, pp_pin_names[PP_PIN_RT_UPLINK_PROG],
						0, PIN_PROG, BPF_PROG_TYPE_SCHED_CLS);
		if (rt->uplink_prog_fd < 0 && rt->uplink_prog_fd != -ENOENT)
			return rt->uplink_prog_fd;
	}
	/*
	 * What is there is checked even when a map is missing: the state of
	 * an older build lacks the maps it did not have (rt_uplinks_overflow)
	 * and must not be completed around a map of its layout.
	 */
	err = layout_check_routed(pins, N_RT_MAPS);
	if (!err && missing)
		err = -ENOENT;
	return err;
}

/* Is any routed pin there? Without one the netns has no routed state at all. */
static bool any_pinned(const struct store *st)
{
	size_t i;

	for (i = 0; i < N_RT_MAPS; i++)
		if (pin_check_at(st->dir_fd, pp_pin_names[rt_maps[i].pin]) != 0)
			return true;
	return pin_check_at(st->dir_fd, pp_pin_names[PP_PIN_RT_PROG]) != 0;
}

int rt_store_open(struct store *st, struct rt_store *rt, unsigned int flags)
{
	bool rdonly = flags & RT_RDONLY;
	int err;

	rt_store_init(rt);
	if (rt->t.ncpus < 0)
		return rt->t.ncpus;
	if (!any_pinned(st) && !(flags & RT_CREATE))
		return -ENOENT;
	err = open_pinned(st, rt, rdonly);
	if (err == -ENOENT && (flags & RT_CREATE)) {
		rt_store_close(rt);
		err = load_and_pin(st);
		if (!err)
			err = open_pinned(st, rt, false);
	}
	/* Half made (a first add was stopped) the next add completes it. */
	if (err == -ENOENT && (flags & RT_CREATE))
		pr_warn("%s: the routed state is incomplete: run 'pairpath reset'\n", st->dir);
	if (err)
		rt_store_close(rt);
	return err;
}

int store_routed(struct store *st, bool create)
{
	int err;

	if (st->rt_open)
		return 0;
	err = rt_store_open(st, &st->rt, (create ? RT_CREATE : 0) |
			    (st->rdonly ? RT_RDONLY : 0));
	st->rt_open = !err;
	return err;
}

void rt_record_key(const char *name, struct rt_record_key *key)
{
	memset(key, 0, sizeof(*key));
	snprintf(key->name, sizeof(key->name), "%s", name);
}

int rt_record_get(const struct rt_store *rt, const char *name, struct rt_record *rec)
{
	struct rt_record_key key;

	rt_record_key(name, &key);
	return bpf_map_lookup_elem(rt->records_fd, &key, rec) ? -errno : 0;
}

int rt_record_put(const struct rt_store *rt, const struct rt_record_key *key,
		  const struct rt_record *rec, __u64 flags)
{
	int err = bpf_map_update_elem(rt->records_fd, key, rec, flags) ? -errno : 0;

	if (err)
		pr_warn("endpoint '%s': cannot write its record: %s\n", key->name,
			err == -E2BIG ? "the table is full" : strerror(-err));
	return err;
}

int rt_record_delete(const struct rt_store *rt, const struct rt_record_key *key)
{
	int err = bpf_map_delete_elem(rt->records_fd, key) ? -errno : 0;

	if (err && err != -ENOENT) {
		pr_warn("endpoint '%s': cannot remove its record: %s\n", key->name,
			strerror(-err));
		return err;
	}
	return 0;
}

/* A hash map's entries as one array of key and value side by side. */
static int dump_pairs(int fd, __u32 key_size, __u32 value_size, size_t entry_size,
		      size_t value_off, void **out)
{
	struct map_dump d;
	char *list;
	int err, i;

	*out = NULL;
	err = map_dump(fd, key_size, value_size, &d);
	list = err ? NULL : calloc(d.n ? d.n : 1, entry_size);
	if (!err && !list)
		err = -ENOMEM;
	for (i = 0; !err && i < d.n; i++) {
		memcpy(list + i * entry_size, (char *)d.keys + (size_t)i * key_size, key_size);
		memcpy(list + i * entry_size + value_off, (char *)d.values + (size_t)i * value_size,
		       value_size);
	}
	map_dump_free(&d);
	/* An empty list is NULL, as journal_list()'s. */
	if (err || !i) {
		free(list);
		return err;
	}
	*out = list;
	return i;
}

int rt_record_list(const struct rt_store *rt, struct rt_record_entry **out)
{
	/* map_dump() sorts by the key's bytes: the NUL-padded name. */
	return dump_pairs(rt->records_fd, sizeof(struct rt_record_key), sizeof(struct rt_record),
			  sizeof(**out), offsetof(struct rt_record_entry, rec), (void **)out);
}

/* One entry of a per-CPU array of __u64 counters, summed over CPUs. */
static int percpu_sum(int fd, int ncpus, __u32 idx, void *sum, size_t size)
{
	__u64 *per = calloc(ncpus, size), *out = sum;
	size_t j, words = size / sizeof(__u64);
	int cpu, err = 0;

	memset(sum, 0, size);
	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &idx, per))
		err = -errno;
	for (cpu = 0; !err && cpu < ncpus; cpu++)
		for (j = 0; j < words; j++)
			out[j] += per[cpu * words + j];
	free(per);
	return err;
}

int rt_ep_stats_sum(const struct rt_store *rt, __u32 stats_idx, struct rt_ep_stats *sum)
{
	return percpu_sum(rt->t.stats_fd, rt->t.ncpus, stats_idx, sum, sizeof(*sum));
}

int rt_uplink_stats_sum(const struct rt_store *rt, __u32 stats_idx,
			struct rt_uplink_stats *sum)
{
	return percpu_sum(rt->uplink_stats_fd, rt->t.ncpus, stats_idx, sum, sizeof(*sum));
}
