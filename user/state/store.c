// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
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
#include "state/pins.h"
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

static int get_pinned(const struct store *st, const struct pinned_map *m, __u32 file_flags)
{
	return pin_get_at(st->dir_fd, m->name, file_flags, PIN_MAP, m->type);
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

/*
 * Pinned under a temporary name and renamed into place, so that there is
 * a valid program pin at every moment; a crash in between leaves only
 * prog-new, which the next writer removes.
 */
int store_pin_prog(struct store *st, int fd)
{
	const char *tmp = pp_pin_names[PP_PIN_PROG_NEW], *prog = pp_pin_names[PP_PIN_PROG];
	struct pp_meta meta;
	int err, had;

	had = pin_check_at(st->dir_fd, prog);
	err = had < 0 ? had : pin_release_at(st->dir_fd, tmp);
	if (!err)
		err = pin_put_at(fd, st->dir_fd, tmp);
	if (!err && renameat(st->dir_fd, tmp, st->dir_fd, prog)) {
		err = -errno;
		unlinkat(st->dir_fd, tmp, 0);
	}
	if (err) {
		pr_warn("cannot pin the program at %s/%s: %s\n", st->dir, prog, strerror(-err));
		return err;
	}
	if (!had)
		st->made_pins |= PP_PIN_BIT(PP_PIN_PROG);
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

static bool pinned(const struct store *st, const char *name)
{
	return pin_check_at(st->dir_fd, name) > 0;
}

/* The first attach in a netns: the program, its maps and the tracer. */
static int load_and_pin(struct store *st)
{
	int fd, err;

	fd = loader_load_prog(st->dir_fd, &st->made_pins);
	if (fd < 0)
		return fd;
	st->meta_fd = pin_get_at(st->dir_fd, "meta", 0, PIN_MAP, BPF_MAP_TYPE_ARRAY);
	err = st->meta_fd < 0 ? st->meta_fd : store_pin_prog(st, fd);
	close(fd);
	if (err)
		return err;
	/*
	 * Without the tracer pairs still work; only kernel drops go
	 * uncounted. One already pinned runs, and keeps its maps.
	 */
	if (!pinned(st, pp_pin_names[PP_PIN_KDROP_LINK]))
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
	const struct layout_pin tracer[] = {
		{ "kdevs", st->kdevs_fd },
		{ "kdrops", st->kdrops_fd },
		{ "kdrops_untracked", st->kuntracked_fd },
	};
	struct layout_pin pins[N_MAPS];
	size_t i;

	for (i = 0; i < N_MAPS; i++) {
		pins[i].name = datapath_maps[i].name;
		pins[i].fd = *map_fd((struct store *)st, &datapath_maps[i]);
	}
	return layout_check(pins, N_MAPS, tracer, sizeof(tracer) / sizeof(tracer[0]));
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

static int open_pinned(struct store *st, bool rdonly)
{
	__u32 ro = rdonly ? BPF_F_RDONLY : 0;
	bool missing = false;
	size_t i;
	int err;

	/* A program pin only opens read-write; a reader needs none. */
	st->prog_fd = rdonly ? -1 : pin_get_at(st->dir_fd, "prog", 0, PIN_PROG,
						BPF_PROG_TYPE_SCHED_CLS);
	/* Not a pin, or not the object it should be: refused, never replaced. */
	if (st->prog_fd < 0 && st->prog_fd != -ENOENT && !rdonly)
		return st->prog_fd;
	for (i = 0; i < N_MAPS; i++) {
		int *fd = map_fd(st, &datapath_maps[i]);

		*fd = get_pinned(st, &datapath_maps[i], ro);
		if (*fd < 0 && *fd != -ENOENT)
			return *fd;
		missing |= *fd < 0;
	}
	err = kdrop_open_maps(st, ro);
	if (err)
		return err;
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
	rt_store_close(&st->rt);
	st->rt_open = false;
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
	st->root_fd = st->dir_fd = -1;
	for (i = 0; i < N_MAPS; i++)
		*map_fd(st, &datapath_maps[i]) = -1;
	st->ports.ncpus = libbpf_num_possible_cpus();
	rt_store_init(&st->rt);
	st->netns_live = netns_live;
	if (base && sscanf(base, "/netns-%llu", &cookie) == 1)
		st->netns_cookie = cookie;
	snprintf(st->root, sizeof(st->root), "%s", root);
	snprintf(st->dir, sizeof(st->dir), "%s", dir);
}

/* The netns directory, checked like the root, made with create. */
static int open_dir(struct store *st, bool create)
{
	const char *base = strrchr(st->dir, '/');

	base = base ? base + 1 : st->dir;
	st->dir_fd = root_open_dir(st->root_fd, base, "pin directory", st->dir);
	if (st->dir_fd != -ENOENT || !create)
		return st->dir_fd < 0 ? st->dir_fd : 0;
	if (mkdirat(st->root_fd, base, 0700)) {
		int err = -errno;

		pr_warn("cannot create %s: %s\n", st->dir, strerror(-err));
		return err;
	}
	st->made_dir = true;
	st->dir_fd = root_open_dir(st->root_fd, base, "pin directory", st->dir);
	return st->dir_fd < 0 ? st->dir_fd : 0;
}

/* A lock fd, and one of the same directory that is not locked. */
static int open_root(struct store *st, unsigned int flags)
{
	int fd;

	fd = root_open(st->root, flags & STORE_CREATE, flags & STORE_LOCK, &st->made_root);
	if (fd < 0 || !(flags & STORE_LOCK)) {
		st->root_fd = fd;
		return fd < 0 ? fd : 0;
	}
	st->lock_fd = fd;
	st->root_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return st->root_fd < 0 ? -errno : 0;
}

int store_open_dir(struct store *st, const char *root, const char *dir,
		   bool netns_live, unsigned int flags)
{
	int err;

	store_init(st, root, dir, netns_live);
	st->ncpus = st->ports.ncpus;
	st->rdonly = flags & STORE_RDONLY;
	if (st->ncpus < 0)
		return st->ncpus;
	err = open_root(st, flags);
	if (!err)
		err = open_dir(st, flags & STORE_CREATE);
	if (err)
		goto fail;
	/* What a writer that crashed between pin and rename left behind. */
	if (flags & STORE_LOCK)
		pin_release_at(st->dir_fd, pp_pin_names[PP_PIN_PROG_NEW]);

	err = open_pinned(st, flags & STORE_RDONLY);
	if (err == -ENOENT && (flags & STORE_CREATE)) {
		close_fds(st);
		err = load_and_pin(st);
		close_fds(st);
		if (!err)
			err = open_pinned(st, false);
	}
	if (err == -ENOENT)
		pr_warn("%s: pinned state is incomplete: run 'pairpath reset'\n", st->dir);
	if ((err == -ENOENT || err == -EPROTO) && (flags & STORE_BROKEN)) {
		st->broken = true;
		return 0;
	}
	/* Routed mode's part, where there is one: readers see it from the start. */
	if (!err && !st->broken) {
		err = store_routed(st, false);
		/* Another layout or half made: reset unpins it by name all the same. */
		if (err == -ENOENT || (err == -EPROTO && (flags & STORE_BROKEN)))
			err = 0;
	}
	if (err)
		goto fail;
	return 0;
fail:
	store_rollback(st);
	store_close(st);
	return err;
}

/*
 * Remove what pairpath pins in the directory, whatever made it (also
 * state of another layout, or half made), and nothing else: links are
 * detached first, so that no other holder keeps one attached, and
 * readers still holding the maps are told these are no longer the live
 * ones. A name pairpath never pins stays, and so does the directory.
 */
int store_remove(struct store *st)
{
	const char *base = strrchr(st->dir, '/');
	struct pp_meta meta;
	struct dirent *de;
	int err = 0, ret, fd;
	DIR *d;

	if (st->dir_fd < 0)
		return 0;
	if (st->meta_fd >= 0 && !read_meta(st, &meta)) {
		meta.flags |= PP_META_RETIRED;
		write_meta(st, &meta);
	}
	fd = openat(st->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!pins_known(de->d_name))
			continue;
		ret = pin_release_at(st->dir_fd, de->d_name);
		if (ret && !err)
			err = ret;
	}
	closedir(d);
	base = base ? base + 1 : st->dir;
	if (!err && unlinkat(st->root_fd, base, AT_REMOVEDIR))
		err = -errno;
	if (err)
		pr_warn("cannot remove %s: %s\n", st->dir, strerror(-err));
	return err;
}

/*
 * What this command pinned, by name: the directory it found may hold
 * pins that were there before it, which are not its to remove.
 */
static void remove_own_pins(struct store *st)
{
	int i;

	if (st->made_pins & PP_PIN_BIT(PP_PIN_KDROP_LINK))
		kdrop_stop(st);
	for (i = 0; i < PP_PIN_MAX; i++)
		if (st->made_pins & PP_PIN_BIT(i))
			unlinkat(st->dir_fd, pp_pin_names[i], 0);
}

void store_rollback(struct store *st)
{
	if (st->made_dir)
		store_remove(st);
	else if (st->made_pins)
		remove_own_pins(st);
	if (st->made_root)
		rmdir(st->root);
	st->made_dir = st->made_root = false;
	st->made_pins = 0;
}

int store_lock(struct store *st)
{
	struct stat held, now, dir;
	bool made;
	int fd;

	if (st->lock_fd >= 0)
		return 0;
	fd = root_open(st->root, false, true, &made);
	if (fd < 0)
		return fd;
	st->lock_fd = fd;
	/* The lock of a root that a reset removed meanwhile guards nothing. */
	if (fstat(st->root_fd, &held) || fstat(fd, &now) || held.st_ino != now.st_ino ||
	    held.st_dev != now.st_dev || fstat(st->dir_fd, &dir) || !dir.st_nlink ||
	    store_retired(st)) {
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
	close_fd(&st->dir_fd);
	close_fd(&st->root_fd);
	close_fd(&st->lock_fd);
}

bool store_retired(const struct store *st)
{
	struct pp_meta meta;

	return st->meta_fd >= 0 && !read_meta(st, &meta) && (meta.flags & PP_META_RETIRED);
}
