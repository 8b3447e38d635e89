// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel/netns.h"
#include "kernel/pin.h"
#include "lib/log.h"
#include "state/kdrop.h"
#include "state/layout.h"
#include "state/loader.h"
#include "state/root.h"
#include "state/store.h"

/* The maps of the datapath, as this pairpath lays them out. */
static const struct pinned_map {
	const char *name;
	size_t offset;		/* of its fd in struct store */
	__u32 type;
	__u32 key_size;
	__u32 value_size;
} datapath_maps[] = {
	{ "ports", offsetof(struct store, ports.slots_fd), BPF_MAP_TYPE_ARRAY,
	  sizeof(__u32), sizeof(struct pp_port) },
	{ "ports_overflow", offsetof(struct store, ports.overflow_fd), BPF_MAP_TYPE_HASH,
	  sizeof(__u32), sizeof(struct pp_port) },
	{ "port_stats", offsetof(struct store, ports.stats_fd), BPF_MAP_TYPE_PERCPU_ARRAY,
	  sizeof(__u32), sizeof(struct pp_port_stats) },
	{ "peer_devs", offsetof(struct store, ports.peers_fd), BPF_MAP_TYPE_DEVMAP_HASH,
	  sizeof(__u32), sizeof(__u32) },
	{ "pairs", offsetof(struct store, pairs_fd), BPF_MAP_TYPE_HASH,
	  sizeof(struct pp_pair_key), sizeof(struct pp_pair) },
	{ "meta", offsetof(struct store, meta_fd), BPF_MAP_TYPE_ARRAY,
	  sizeof(__u32), sizeof(struct pp_meta) },
};

#define N_MAPS	(sizeof(datapath_maps) / sizeof(datapath_maps[0]))

static int *map_fd(struct store *st, const struct pinned_map *m)
{
	return (int *)((char *)st + m->offset);
}

static int get_pinned(const struct store *st, const char *name, __u32 file_flags)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", st->dir, name);
	return pin_get(path, file_flags);
}

static int read_meta(const struct store *st, struct pp_meta *meta)
{
	__u32 zero = 0;

	memset(meta, 0, sizeof(*meta));
	return bpf_map_lookup_elem(st->meta_fd, &zero, meta) ? -errno : 0;
}

static int write_meta(const struct store *st, const struct pp_meta *meta)
{
	__u32 zero = 0;

	return bpf_map_update_elem(st->meta_fd, &zero, meta, BPF_ANY) ? -errno : 0;
}

int store_pin_prog(struct store *st, int fd)
{
	struct pp_meta meta;
	char path[PATH_MAX];
	int err;

	snprintf(path, sizeof(path), "%s/prog", st->dir);
	if (unlink(path) && errno != ENOENT)
		return -errno;
	if (bpf_obj_pin(fd, path)) {
		err = -errno;
		pr_warn("cannot pin the program at %s: %s\n", path, strerror(-err));
		return err;
	}
	read_meta(st, &meta);
	if (!meta.created_at)
		meta.created_at = time(NULL);
	meta.layout = PP_MAP_LAYOUT;
	meta.prog_hash = loader_prog_hash();
	err = write_meta(st, &meta);
	if (err)
		return err;
	if (st->prog_fd >= 0)
		close(st->prog_fd);
	st->prog_fd = dup(fd);
	return st->prog_fd < 0 ? -errno : 0;
}

bool store_prog_outdated(const struct store *st)
{
	struct pp_meta meta;

	return read_meta(st, &meta) || meta.prog_hash != loader_prog_hash();
}

/* The first attach in a netns: the program, its maps and the tracer. */
static int load_and_pin(struct store *st)
{
	int fd, err;

	fd = loader_load_prog(st->dir);
	if (fd < 0)
		return fd;
	st->meta_fd = get_pinned(st, "meta", 0);
	err = st->meta_fd < 0 ? st->meta_fd : store_pin_prog(st, fd);
	close(fd);
	if (err)
		return err;
	/* Without the tracer pairs still work; only kernel drops go uncounted. */
	kdrop_load_and_pin(st);
	return 0;
}

/* A map pinned by an older or newer pairpath must not be misread. */
static int check_map(int fd, const struct pinned_map *m)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int err;

	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err)
		return err;
	if (info.key_size != m->key_size || info.value_size != m->value_size ||
	    info.type != m->type) {
		pr_warn("pinned map '%s' has another layout (key %u, value %u bytes; "
			"this pairpath expects %u, %u): run 'pairpath reset'\n",
			m->name, info.key_size, info.value_size, m->key_size, m->value_size);
		return -EPROTO;
	}
	return 0;
}

/* The same layout number is not proof: every member must agree too. */
static int check_btf(const struct store *st)
{
	struct layout_pin pins[N_MAPS];
	size_t i;

	for (i = 0; i < N_MAPS; i++) {
		pins[i].name = datapath_maps[i].name;
		pins[i].fd = *map_fd((struct store *)st, &datapath_maps[i]);
	}
	return layout_check(pins, N_MAPS);
}

static int check_layout(const struct store *st)
{
	struct pp_meta meta;
	int err;

	err = read_meta(st, &meta);
	if (err)
		return err;
	if (meta.layout != PP_MAP_LAYOUT) {
		pr_warn("pinned maps in %s have layout %u, this pairpath reads layout %u: "
			"use the pairpath that made them, or 'pairpath reset'\n",
			st->dir, meta.layout, PP_MAP_LAYOUT);
		return -EPROTO;
	}
	return check_btf(st);
}

static bool pinned(const struct store *st, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", st->dir, name);
	return !access(path, F_OK);
}

static int open_pinned(struct store *st, bool rdonly)
{
	__u32 ro = rdonly ? BPF_F_RDONLY : 0;
	bool missing = false;
	size_t i;
	int err;

	/* A program pin only opens read-write; a reader needs none. */
	st->prog_fd = rdonly ? -1 : get_pinned(st, "prog", 0);
	for (i = 0; i < N_MAPS; i++) {
		int *fd = map_fd(st, &datapath_maps[i]);

		*fd = get_pinned(st, datapath_maps[i].name, ro);
		missing |= *fd < 0;
	}
	kdrop_open_maps(st, ro);
	st->kdrops_on = pinned(st, "kdrop_link");
	if ((!rdonly && st->prog_fd < 0) || missing)
		return -ENOENT;
	for (i = 0; i < N_MAPS; i++) {
		err = check_map(*map_fd(st, &datapath_maps[i]), &datapath_maps[i]);
		if (err)
			return err;
	}
	err = check_layout(st);
	/* A writer rewrites far sides in place through the mapped slots. */
	if (!err && !rdonly)
		err = ports_map(&st->ports);
	return err;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_fds(struct store *st)
{
	size_t i;

	ports_unmap(&st->ports);
	close_fd(&st->prog_fd);
	for (i = 0; i < N_MAPS; i++)
		close_fd(map_fd(st, &datapath_maps[i]));
	close_fd(&st->kdevs_fd);
	close_fd(&st->kdrops_fd);
	close_fd(&st->kuntracked_fd);
}

int store_open(struct store *st, const char *root, unsigned int flags)
{
	char dir[PATH_MAX];
	__u64 cookie;
	int err;

	err = netns_cookie(&cookie);
	if (err) {
		pr_warn("cannot read the network namespace cookie: %s\n", strerror(-err));
		return err;
	}
	snprintf(dir, sizeof(dir), "%s/netns-%llu", root, (unsigned long long)cookie);
	return store_open_dir(st, root, dir, true, flags);
}

static void store_init(struct store *st, const char *root, const char *dir, bool netns_live)
{
	const char *base = strrchr(dir, '/');
	unsigned long long cookie = 0;
	size_t i;

	memset(st, 0, sizeof(*st));
	st->lock_fd = st->prog_fd = st->kdevs_fd = st->kdrops_fd = -1;
	st->kuntracked_fd = -1;
	for (i = 0; i < N_MAPS; i++)
		*map_fd(st, &datapath_maps[i]) = -1;
	st->ports.ncpus = libbpf_num_possible_cpus();
	st->netns_live = netns_live;
	if (base && sscanf(base, "/netns-%llu", &cookie) == 1)
		st->netns_cookie = cookie;
	snprintf(st->root, sizeof(st->root), "%s", root);
	snprintf(st->dir, sizeof(st->dir), "%s", dir);
}

int store_open_dir(struct store *st, const char *root, const char *dir,
		   bool netns_live, unsigned int flags)
{
	int err;

	store_init(st, root, dir, netns_live);
	st->ncpus = st->ports.ncpus;
	if (st->ncpus < 0)
		return st->ncpus;
	err = root_open(root, flags & STORE_CREATE, &st->made_root,
			flags & STORE_LOCK ? &st->lock_fd : NULL);
	if (err)
		goto fail;

	if (access(st->dir, F_OK)) {
		err = -errno;
		if (err != -ENOENT)
			pr_warn("pin root '%s': %s\n", root, strerror(-err));
		if (err != -ENOENT || !(flags & STORE_CREATE))
			goto fail;
		if (mkdir(st->dir, 0700)) {
			err = -errno;
			pr_warn("cannot create %s: %s\n", st->dir, strerror(-err));
			goto fail;
		}
		st->made_dir = true;
	}

	err = open_pinned(st, flags & STORE_RDONLY);
	if (err == -ENOENT && (flags & STORE_CREATE)) {
		close_fds(st);
		st->made_pins = true;
		err = load_and_pin(st);
		close_fds(st);
		if (!err)
			err = open_pinned(st, false);
	}
	if (err == -ENOENT)
		pr_warn("%s: pinned state is incomplete: run 'pairpath reset'\n", st->dir);
	if (err)
		goto fail;
	return 0;
fail:
	store_rollback(st);
	store_close(st);
	return err;
}

/*
 * Remove whatever is pinned in the directory, whatever made it (also
 * state of another layout, or half made): links are detached first, so
 * that no other holder keeps one attached, and readers still holding the
 * maps are told these are no longer the live ones.
 */
int store_remove(struct store *st)
{
	char path[PATH_MAX];
	struct pp_meta meta;
	struct dirent *de;
	int err = 0, ret;
	DIR *d;

	if (st->meta_fd >= 0 && !read_meta(st, &meta)) {
		meta.flags |= PP_META_RETIRED;
		write_meta(st, &meta);
	}
	d = opendir(st->dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", st->dir, de->d_name);
		ret = pin_release(path);
		if (ret && !err)
			err = ret;
	}
	closedir(d);
	if (rmdir(st->dir) && !err)
		err = -errno;
	if (err)
		pr_warn("cannot remove %s: %s\n", st->dir, strerror(-err));
	return err;
}

/*
 * What one store_open() pinned, by name: the directory it found may
 * hold things that are not its to remove.
 */
static void remove_own_pins(struct store *st)
{
	char path[PATH_MAX];
	size_t i;

	kdrop_stop(st);
	kdrop_unpin_maps(st);
	snprintf(path, sizeof(path), "%s/prog", st->dir);
	unlink(path);
	for (i = 0; i < N_MAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", st->dir, datapath_maps[i].name);
		unlink(path);
	}
}

void store_rollback(struct store *st)
{
	if (st->made_dir)
		store_remove(st);
	else if (st->made_pins)
		remove_own_pins(st);
	if (st->made_root)
		rmdir(st->root);
	st->made_dir = st->made_root = st->made_pins = false;
}

int store_lock(struct store *st)
{
	bool made;
	int err;

	if (st->lock_fd >= 0)
		return 0;
	err = root_open(st->root, false, &made, &st->lock_fd);
	if (err)
		return err;
	/* The lock of a root that a reset removed meanwhile guards nothing. */
	if (st->lock_fd < 0 || access(st->dir, F_OK) || store_retired(st)) {
		store_unlock(st);
		return -ESTALE;
	}
	return 0;
}

void store_unlock(struct store *st)
{
	close_fd(&st->lock_fd);
}

void store_close(struct store *st)
{
	close_fds(st);
	close_fd(&st->lock_fd);
}

/*
 * bpffs refuses names with a dot, which pair names may hold: a dot is
 * pinned as '~', which pair names never hold, so names stay distinct.
 */
void store_link_path(const char *dir, const char *pair, int d, char *buf, size_t len)
{
	char name[PP_PAIR_NAME_LEN], *c;

	snprintf(name, sizeof(name), "%s", pair);
	for (c = name; *c; c++)
		if (*c == '.')
			*c = '~';
	snprintf(buf, len, "%s/link-%s-%c", dir, name, d == PP_DIR_A_TO_B ? 'a' : 'b');
}

bool store_retired(const struct store *st)
{
	struct pp_meta meta;

	return st->meta_fd >= 0 && !read_meta(st, &meta) && (meta.flags & PP_META_RETIRED);
}
