// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "kernel/mapdump.h"
#include "lib/log.h"
#include "state/journal.h"

void journal_key(const char *name, struct pp_pair_key *key)
{
	memset(key, 0, sizeof(*key));
	snprintf(key->name, sizeof(key->name), "%s", name);
}

int journal_get(const struct store *st, const char *name, struct pp_pair *pair)
{
	struct pp_pair_key key;

	journal_key(name, &key);
	return bpf_map_lookup_elem(st->pairs_fd, &key, pair) ? -errno : 0;
}

int journal_put(struct store *st, const struct pp_pair_key *key, const struct pp_pair *pair,
		__u64 flags)
{
	int err;

	if (!bpf_map_update_elem(st->pairs_fd, key, pair, flags))
		return 0;
	err = -errno;
	pr_warn("pair '%s': cannot record it: %s\n", key->name, strerror(-err));
	if (err == -E2BIG || err == -ENOSPC)
		pr_warn("cannot attach: this netns holds %d pairs at most\n", PP_MAX_PAIRS);
	return err;
}

int journal_delete(struct store *st, const struct pp_pair_key *key)
{
	int err;

	if (!bpf_map_delete_elem(st->pairs_fd, key) || errno == ENOENT)
		return 0;
	err = -errno;
	pr_warn("pair '%s': cannot remove its record: %s\n", key->name, strerror(-err));
	return err;
}

/*
 * One read of the whole map, each key once: a walk that a detach cuts
 * short would start over and list pairs twice. The keys are the names
 * NUL-padded, so their byte order is the names' order.
 */
int journal_list(const struct store *st, struct journal_entry **out)
{
	struct journal_entry *list;
	struct map_dump d;
	int i, err;

	*out = NULL;
	err = map_dump(st->pairs_fd, sizeof(struct pp_pair_key), sizeof(struct pp_pair), &d);
	list = err ? NULL : calloc(d.n ? d.n : 1, sizeof(*list));
	if (!err && !list)
		err = -ENOMEM;
	for (i = 0; !err && i < d.n; i++) {
		memcpy(&list[i].key, (char *)d.keys + i * sizeof(list[i].key), sizeof(list[i].key));
		memcpy(&list[i].pair, (char *)d.values + i * sizeof(list[i].pair),
		       sizeof(list[i].pair));
	}
	map_dump_free(&d);
	/* Callers free a list of one entry or more: an empty one is NULL. */
	if (err || !i) {
		free(list);
		return err;
	}
	*out = list;
	return i;
}

int journal_next_id(struct store *st, __u32 *id)
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

const char *journal_mode_name(int mode)
{
	return mode == PP_MODE_TCX ? "tcx" : mode == PP_MODE_TC ? "tc" : "?";
}

void journal_fill_dev(struct pp_dev *dev, const struct veth_info *v)
{
	dev->ifindex = v->ifindex;
	dev->peer_ifindex = v->peer_ifindex;
	dev->peer_netnsid = v->peer_netnsid;
	dev->peer_mtu = v->peer_mtu;
	memcpy(dev->peer_mac, v->peer_mac, sizeof(dev->peer_mac));
	memcpy(dev->ifname, v->ifname, sizeof(dev->ifname));
	memcpy(dev->peer_ifname, v->peer_ifname, sizeof(dev->peer_ifname));
	dev->peer_netns_cookie = v->peer_netns_cookie;
}
