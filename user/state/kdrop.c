// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "state/kdrop.h"
#include "kernel/drop_reason.h"
#include "kernel/mapdump.h"
#include "kernel/pin.h"
#include "lib/log.h"
#include "state/loader.h"
#include "state/pins.h"
#include "kdrop.skel.h"

/*
 * Not the datapath's: the TC program's own drops, already counted by
 * our reason, and what a container's sockets and transports drop (a
 * full receive buffer is the application's).
 */
static bool skipped_reason(const char *name)
{
	static const char *const prefixes[] = {
		"SOCKET_", "TCP_", "UDP_", "UNIX_", "ICMP_",
	};
	static const char *const names[] = {
		"SKB_NOT_DROPPED_YET", "SKB_CONSUMED", "NO_SOCKET", "PROTO_MEM",
		"TC_INGRESS", "TC_EGRESS",
	};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static void skip_reason(__u32 reason, const char *name, void *arg)
{
	__u64 *bits = arg;

	if (reason < PP_KDROP_SKIP_BITS && skipped_reason(name))
		bits[reason / 64] |= 1ULL << (reason % 64);
}

static void unpin_made(struct store *st, unsigned int made)
{
	int i;

	for (i = 0; i < PP_PIN_MAX; i++)
		if (made & PP_PIN_BIT(i))
			unlinkat(st->dir_fd, pp_pin_names[i], 0);
}

int kdrop_load_and_pin(struct store *st)
{
	struct bpf_link *link = NULL;
	unsigned int made = 0;
	struct kdrop *skel;
	__u64 reused = 0;
	int err;

	if (!drop_reasons_known()) {
		pr_warn("kernel drops will not be counted: no enum skb_drop_reason in the kernel BTF\n");
		return -EOPNOTSUPP;
	}
	skel = kdrop__open();
	if (!skel)
		return -errno;
	drop_reason_each(skip_reason, skel->rodata->skip_reasons);
	/* The tracer's maps: the pinned ones are taken up, and only those. */
	err = loader_reuse_pinned(skel->obj, st->dir_fd, &reused);
	if (!err)
		err = kdrop__load(skel);
	if (!err)
		err = loader_pin_new(skel->obj, st->dir_fd, reused, &made);
	if (err) {
		pr_warn("kernel drops will not be counted: cannot load the tracer: %s\n",
			strerror(-err));
		goto cleanup;
	}
	link = bpf_program__attach(skel->progs.pairpath_kdrop);
	if (!link) {
		err = -errno;
		pr_warn("kernel drops will not be counted: cannot attach to skb:kfree_skb: %s\n",
			strerror(-err));
		goto cleanup;
	}
	err = pin_put_at(bpf_link__fd(link), st->dir_fd, pp_pin_names[PP_PIN_KDROP_LINK]);
	if (err)
		pr_warn("cannot pin the tracer link at %s/%s: %s\n", st->dir,
			pp_pin_names[PP_PIN_KDROP_LINK], strerror(-err));
	else
		made |= PP_PIN_BIT(PP_PIN_KDROP_LINK);
cleanup:
	bpf_link__destroy(link);
	/* Maps this load pinned would be orphans; those it found stay. */
	if (err)
		unpin_made(st, made);
	else
		st->made_pins |= made;
	kdrop__destroy(skel);
	return err;
}

int kdrop_stop(struct store *st)
{
	int err;

	err = pin_release_at(st->dir_fd, pp_pin_names[PP_PIN_KDROP_LINK]);
	if (err)
		pr_warn("cannot stop the kernel-drop tracer: %s\n", strerror(-err));
	return err;
}

/* A tracer pinned by an older pairpath has no such map: then -1. */
static int kdrop_open_untracked(struct store *st, __u32 file_flags)
{
	int fd = pin_get_at(st->dir_fd, pp_pin_names[PP_PIN_KDROPS_UNTRACKED], file_flags,
			    PIN_MAP, BPF_MAP_TYPE_PERCPU_ARRAY);

	st->kuntracked_fd = fd < 0 ? -1 : fd;
	return fd == -ENOENT || fd >= 0 ? 0 : fd;
}

int kdrop_open_maps(struct store *st, __u32 file_flags)
{
	st->kdevs_fd = pin_get_at(st->dir_fd, pp_pin_names[PP_PIN_KDEVS], file_flags,
				  PIN_MAP, BPF_MAP_TYPE_HASH);
	st->kdrops_fd = pin_get_at(st->dir_fd, pp_pin_names[PP_PIN_KDROPS], file_flags,
				   PIN_MAP, BPF_MAP_TYPE_PERCPU_HASH);
	/* One without the other is no tracer state: use neither. */
	if (st->kdevs_fd < 0 || st->kdrops_fd < 0) {
		int err = st->kdevs_fd < 0 ? st->kdevs_fd : st->kdrops_fd;

		if (st->kdevs_fd >= 0)
			close(st->kdevs_fd);
		if (st->kdrops_fd >= 0)
			close(st->kdrops_fd);
		st->kdevs_fd = st->kdrops_fd = -1;
		return err == -ENOENT ? 0 : err;
	}
	return kdrop_open_untracked(st, file_flags);
}

static void kdev_key(const struct store *st, const struct pp_dev *dev,
		     struct pp_kdev_key *key)
{
	memset(key, 0, sizeof(*key));
	key->netns_cookie = st->netns_cookie;
	key->ifindex = dev->ifindex;
}

int kdrop_add_pair(struct store *st, const struct pp_pair *pair)
{
	struct pp_kdev_key key;
	struct pp_kdev val;
	int d, err;

	if (st->kdevs_fd < 0)
		return 0;
	for (d = 0; d < PP_DIR_MAX; d++) {
		memset(&val, 0, sizeof(val));
		val.pair_id = pair->pair_id;
		val.side = d;
		kdev_key(st, &pair->dev[d], &key);
		if (bpf_map_update_elem(st->kdevs_fd, &key, &val, BPF_ANY)) {
			err = -errno;
			pr_warn("device '%s': cannot record it for the drop tracer: %s\n",
				pair->dev[d].ifname, strerror(-err));
			while (d--) {
				kdev_key(st, &pair->dev[d], &key);
				bpf_map_delete_elem(st->kdevs_fd, &key);
			}
			return err;
		}
	}
	return 0;
}

void kdrop_del_pair(struct store *st, const struct pp_pair *pair)
{
	struct pp_kdrop_key key, next;
	struct pp_kdev_key dkey;
	void *prev = NULL;
	int d;

	if (st->kdevs_fd < 0)
		return;
	for (d = 0; d < PP_DIR_MAX; d++) {
		kdev_key(st, &pair->dev[d], &dkey);
		bpf_map_delete_elem(st->kdevs_fd, &dkey);
	}
	/* Deleting the current key would restart the walk: step past it first. */
	while (!bpf_map_get_next_key(st->kdrops_fd, prev, &next)) {
		bool mine = next.pair_id == pair->pair_id;

		key = next;
		if (mine && !bpf_map_delete_elem(st->kdrops_fd, &key)) {
			prev = NULL;
			continue;
		}
		prev = &key;
	}
}

static int cmp_count(const void *a, const void *b)
{
	const struct kdrop_count *x = a, *y = b;

	if (x->pair_id != y->pair_id)
		return x->pair_id < y->pair_id ? -1 : 1;
	if (x->dir != y->dir)
		return x->dir - y->dir;
	return x->reason < y->reason ? -1 : x->reason > y->reason;
}

/* Every pair's counts in one read of the map, each key once. */
int kdrop_read_all(const struct store *st, struct kdrop_table *t)
{
	const struct pp_kdrop_key *key;
	const __u64 *percpu;
	struct map_dump d;
	int i, cpu, err;

	memset(t, 0, sizeof(*t));
	if (st->kdrops_fd < 0)
		return 0;
	err = map_dump(st->kdrops_fd, sizeof(*key), st->ncpus * sizeof(__u64), &d);
	if (!err && d.n) {
		t->all = calloc(d.n, sizeof(*t->all));
		if (!t->all)
			err = -ENOMEM;
	}
	for (i = 0; !err && i < d.n; i++) {
		key = (const struct pp_kdrop_key *)d.keys + i;
		percpu = (const __u64 *)d.values + (size_t)i * st->ncpus;
		t->all[i].pair_id = key->pair_id;
		t->all[i].reason = key->reason;
		t->all[i].dir = key->dir;
		for (cpu = 0; cpu < st->ncpus; cpu++)
			t->all[i].count += percpu[cpu];
	}
	if (!err)
		t->n = d.n;
	if (t->n > 1)
		qsort(t->all, t->n, sizeof(*t->all), cmp_count);
	map_dump_free(&d);
	return err;
}

int kdrop_table_pair(const struct kdrop_table *t, __u32 pair_id, struct kdrop_count **out)
{
	int lo = 0, hi = t->n, mid, n, i;

	*out = NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->all[mid].pair_id < pair_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (n = 0; lo + n < t->n && t->all[lo + n].pair_id == pair_id; n++)
		;
	if (!n)
		return 0;
	*out = malloc(n * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		(*out)[i] = t->all[lo + i];
		drop_reason_name((*out)[i].reason, (*out)[i].name, sizeof((*out)[i].name));
	}
	return n;
}

void kdrop_table_free(struct kdrop_table *t)
{
	free(t->all);
	memset(t, 0, sizeof(*t));
}

int kdrop_read_untracked(const struct store *st, __u64 *total)
{
	__u64 *percpu;
	__u32 zero = 0;
	int cpu, err = 0;

	*total = 0;
	if (st->kuntracked_fd < 0)
		return -ENOENT;
	percpu = calloc(st->ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(st->kuntracked_fd, &zero, percpu))
		err = -errno;
	for (cpu = 0; !err && cpu < st->ncpus; cpu++)
		*total += percpu[cpu];
	free(percpu);
	return err;
}
