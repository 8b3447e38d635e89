// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>
#include "cmd/cli.h"
#include "state/kdrop.h"
#include "lib/log.h"
#include "kernel/netns.h"
#include "state/store.h"
#include "pairpath.skel.h"

#define BPFFS_DEFAULT	"/sys/fs/bpf"
#define STORE_LOCK_WAIT_MS	30000

bool store_on_bpffs(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) && sfs.f_type == BPF_FS_MAGIC;
}

static void parent_of(const char *path, char *buf, size_t len)
{
	char *slash;

	snprintf(buf, len, "%s", path);
	slash = strrchr(buf, '/');
	if (slash == buf)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
}

/*
 * The pin root must live on a bpffs. Like tc(8), mount one at
 * /sys/fs/bpf when the default root is asked for and none is there.
 */
static int ensure_root(const char *root, bool *made)
{
	char parent[PATH_MAX];

	*made = false;
	if (!access(root, F_OK)) {
		if (!store_on_bpffs(root)) {
			pr_warn("pin root '%s' is not on a bpf filesystem\n", root);
			return -EINVAL;
		}
		return 0;
	}
	/* Check before making anything, so a refusal leaves no directory. */
	parent_of(root, parent, sizeof(parent));
	if (!store_on_bpffs(parent)) {
		if (!strcmp(root, PP_DEFAULT_PIN_ROOT) && !store_on_bpffs(BPFFS_DEFAULT) &&
		    !mount("bpf", BPFFS_DEFAULT, "bpf", 0, "mode=0700")) {
			pr_info("mounted a bpf filesystem on %s\n", BPFFS_DEFAULT);
		} else {
			pr_warn("pin root '%s' is not on a bpf filesystem (its parent '%s' %s)\n",
				root, parent, access(parent, F_OK) ? "does not exist" :
				"is not bpffs");
			return -EINVAL;
		}
	}
	if (mkdir(root, 0700)) {
		int err = -errno;

		/* Another pairpath made it first: use theirs. */
		if (err == -EEXIST)
			return ensure_root(root, made);
		pr_warn("pin root '%s': cannot create: %s\n", root, strerror(-err));
		return err;
	}
	*made = true;
	return 0;
}

/* Before 6.15 redirect_peer leaves pkt_type as the host-side veth set it. */
static bool kernel_needs_pkt_type(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return true;
	return major < 6 || (major == 6 && minor < 15);
}

static int get_pinned(const struct store *st, const char *name, __u32 file_flags);

/* Which BPF object a pinned program came from: FNV-1a over its ELF. */
__u64 store_prog_hash(void)
{
	const unsigned char *p;
	__u64 hash = 0xcbf29ce484222325ULL;
	size_t len, i;

	p = pairpath__elf_bytes(&len);
	for (i = 0; i < len; i++)
		hash = (hash ^ p[i]) * 0x100000001b3ULL;
	return hash;
}

static int set_pin_path(struct bpf_map *map, const struct store *st, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", st->dir, name);
	return bpf_map__set_pin_path(map, path);
}

int store_load_prog(struct store *st)
{
	struct pairpath *skel;
	int err, fd = -1;

	skel = pairpath__open();
	if (!skel) {
		err = -errno;
		pr_warn("cannot open the BPF object: %s\n", strerror(-err));
		return err;
	}
	skel->rodata->set_pkt_type = kernel_needs_pkt_type();

	/*
	 * libbpf reuses a map already pinned at the path (after checking that
	 * its type, key and value sizes match), or creates and pins it.
	 */
	err = set_pin_path(skel->maps.ports, st, "ports");
	if (!err)
		err = set_pin_path(skel->maps.ports_overflow, st, "ports_overflow");
	if (!err)
		err = set_pin_path(skel->maps.pairs, st, "pairs");
	if (!err)
		err = set_pin_path(skel->maps.meta, st, "meta");
	if (err)
		goto cleanup;

	err = pairpath__load(skel);
	if (err) {
		pr_warn("cannot load the BPF program: %s\n", strerror(-err));
		goto cleanup;
	}
	fd = dup(bpf_program__fd(skel->progs.pairpath_ingress));
	if (fd < 0)
		err = -errno;
cleanup:
	pairpath__destroy(skel);
	return err ? err : fd;
}

/* Pin fd as the program new pairs get; the previous pin, if any, goes. */
int store_pin_prog(struct store *st, int fd)
{
	struct pp_meta meta = {};
	char path[PATH_MAX];
	__u32 zero = 0;
	int err;

	snprintf(path, sizeof(path), "%s/prog", st->dir);
	if (unlink(path) && errno != ENOENT)
		return -errno;
	if (bpf_obj_pin(fd, path)) {
		err = -errno;
		pr_warn("cannot pin the program at %s: %s\n", path, strerror(-err));
		return err;
	}
	bpf_map_lookup_elem(st->meta_fd, &zero, &meta);
	if (!meta.created_at)
		meta.created_at = time(NULL);
	meta.layout = PP_MAP_LAYOUT;
	meta.prog_hash = store_prog_hash();
	if (bpf_map_update_elem(st->meta_fd, &zero, &meta, BPF_ANY))
		return -errno;
	if (st->prog_fd >= 0)
		close(st->prog_fd);
	st->prog_fd = dup(fd);
	return st->prog_fd < 0 ? -errno : 0;
}

static int load_and_pin(struct store *st)
{
	int fd, err;

	fd = store_load_prog(st);
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

static int get_pinned(const struct store *st, const char *name, __u32 file_flags)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = file_flags);
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", st->dir, name);
	fd = bpf_obj_get_opts(path, &opts);
	return fd < 0 ? -errno : fd;
}

static __u32 expected_type(const char *name)
{
	if (!strcmp(name, "ports"))
		return BPF_MAP_TYPE_PERCPU_ARRAY;
	if (!strcmp(name, "ports_overflow"))
		return BPF_MAP_TYPE_PERCPU_HASH;
	if (!strcmp(name, "meta"))
		return BPF_MAP_TYPE_ARRAY;
	return BPF_MAP_TYPE_HASH;
}

/* A map pinned by an older or newer pairpath must not be misread. */
static int check_map(int fd, const char *name, __u32 key_size, __u32 value_size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int err;

	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	if (err)
		return err;
	if (info.key_size != key_size || info.value_size != value_size ||
	    info.type != expected_type(name)) {
		pr_warn("pinned map '%s' has another layout (key %u, value %u bytes; "
			"this pairpath expects %u, %u): run 'pairpath reset'\n",
			name, info.key_size, info.value_size, key_size, value_size);
		return -EPROTO;
	}
	return 0;
}

static bool kdrop_link_pinned(const struct store *st)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/kdrop_link", st->dir);
	return !access(path, F_OK);
}

static int check_layout(const struct store *st)
{
	struct pp_meta meta = {};
	__u32 zero = 0;

	if (bpf_map_lookup_elem(st->meta_fd, &zero, &meta))
		return -errno;
	if (meta.layout != PP_MAP_LAYOUT) {
		pr_warn("pinned maps in %s have layout %u, this pairpath reads layout %u: "
			"use the pairpath that made them, or 'pairpath reset'\n",
			st->dir, meta.layout, PP_MAP_LAYOUT);
		return -EPROTO;
	}
	return 0;
}

static int open_pinned(struct store *st, bool rdonly)
{
	__u32 ro = rdonly ? BPF_F_RDONLY : 0;
	int err;

	/* A program pin only opens read-write; a reader needs none. */
	st->prog_fd = rdonly ? -1 : get_pinned(st, "prog", 0);
	st->ports_fd = get_pinned(st, "ports", ro);
	st->ports_overflow_fd = get_pinned(st, "ports_overflow", ro);
	st->pairs_fd = get_pinned(st, "pairs", ro);
	st->meta_fd = get_pinned(st, "meta", ro);
	st->kdevs_fd = get_pinned(st, "kdevs", ro);
	st->kdrops_fd = get_pinned(st, "kdrops", ro);
	if (st->kdevs_fd < 0 || st->kdrops_fd < 0) {
		if (st->kdevs_fd >= 0)
			close(st->kdevs_fd);
		if (st->kdrops_fd >= 0)
			close(st->kdrops_fd);
		st->kdevs_fd = st->kdrops_fd = -1;
	}
	if ((!rdonly && st->prog_fd < 0) || st->ports_fd < 0 || st->ports_overflow_fd < 0 ||
	    st->pairs_fd < 0 || st->meta_fd < 0)
		return -ENOENT;
	err = check_map(st->ports_fd, "ports", sizeof(__u32), sizeof(struct pp_port));
	if (!err)
		err = check_map(st->ports_overflow_fd, "ports_overflow", sizeof(__u32),
				sizeof(struct pp_port));
	if (!err)
		err = check_map(st->pairs_fd, "pairs", sizeof(struct pp_pair_key),
				sizeof(struct pp_pair));
	if (!err)
		err = check_map(st->meta_fd, "meta", sizeof(__u32), sizeof(struct pp_meta));
	if (!err)
		err = check_layout(st);
	return err;
}

static void close_fds(struct store *st)
{
	if (st->prog_fd >= 0)
		close(st->prog_fd);
	if (st->ports_fd >= 0)
		close(st->ports_fd);
	if (st->ports_overflow_fd >= 0)
		close(st->ports_overflow_fd);
	if (st->pairs_fd >= 0)
		close(st->pairs_fd);
	if (st->meta_fd >= 0)
		close(st->meta_fd);
	if (st->kdevs_fd >= 0)
		close(st->kdevs_fd);
	if (st->kdrops_fd >= 0)
		close(st->kdrops_fd);
	st->prog_fd = st->ports_fd = st->pairs_fd = st->meta_fd = -1;
	st->ports_overflow_fd = st->kdevs_fd = st->kdrops_fd = -1;
}

/*
 * Serialises every pairpath that changes state under this root. A second
 * one waits its turn, but not forever: a holder that hangs is reported.
 */
static int lock_root(int fd, const char *root)
{
	int waited_ms = 0;

	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			pr_warn("pin root '%s': cannot lock: %s\n", root, strerror(errno));
			return -errno;
		}
		if (waited_ms == 0)
			pr_info("waiting for another pairpath to finish with %s\n", root);
		if (waited_ms >= STORE_LOCK_WAIT_MS) {
			pr_warn("pin root '%s' is locked by another pairpath: gave up after %d s\n",
				root, STORE_LOCK_WAIT_MS / 1000);
			return -EBUSY;
		}
		usleep(10 * 1000);
		waited_ms += 10;
	}
	return 0;
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

int store_open_dir(struct store *st, const char *root, const char *dir,
		   bool netns_live, unsigned int flags)
{
	struct stat locked, now;
	int err, tries;

	const char *base = strrchr(dir, '/');
	unsigned long long cookie = 0;

	memset(st, 0, sizeof(*st));
	st->lock_fd = st->prog_fd = st->ports_fd = st->pairs_fd = st->meta_fd = -1;
	st->ports_overflow_fd = st->kdevs_fd = st->kdrops_fd = -1;
	st->netns_live = netns_live;
	if (base && sscanf(base, "/netns-%llu", &cookie) == 1)
		st->netns_cookie = cookie;
	snprintf(st->root, sizeof(st->root), "%s", root);
	snprintf(st->dir, sizeof(st->dir), "%s", dir);
	st->ncpus = libbpf_num_possible_cpus();
	if (st->ncpus < 0)
		return st->ncpus;

	/*
	 * A reset may remove the root between our open and our lock: then
	 * the lock is on a dead directory, so start over on the new one.
	 */
	for (tries = 0; tries < 3; tries++) {
		if (flags & STORE_CREATE) {
			err = ensure_root(root, &st->made_root);
			if (err)
				return err;
		}
		if (!(flags & STORE_LOCK))
			break;
		st->lock_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (st->lock_fd < 0) {
			err = -errno;
			if (err != -ENOENT)
				pr_warn("pin root '%s': %s\n", root, strerror(-err));
			return err;
		}
		err = lock_root(st->lock_fd, root);
		if (err)
			goto fail;
		if (!fstat(st->lock_fd, &locked) && locked.st_nlink > 0 &&
		    !stat(root, &now) && now.st_ino == locked.st_ino)
			break;
		close(st->lock_fd);
		st->lock_fd = -1;
	}

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
	st->kdrops_on = !err && kdrop_link_pinned(st);
	if (err == -ENOENT && (flags & STORE_CREATE)) {
		close_fds(st);
		st->made_pins = true;
		err = load_and_pin(st);
		close_fds(st);
		if (!err)
			err = open_pinned(st, false);
		st->kdrops_on = !err && kdrop_link_pinned(st);
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
	struct dirent *de;
	int fd, err = 0;
	DIR *d;

	if (st->meta_fd >= 0) {
		struct pp_meta meta = {};
		__u32 zero = 0;

		if (!bpf_map_lookup_elem(st->meta_fd, &zero, &meta)) {
			meta.flags |= PP_META_RETIRED;
			bpf_map_update_elem(st->meta_fd, &zero, &meta, BPF_EXIST);
		}
	}
	d = opendir(st->dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", st->dir, de->d_name);
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			/*
			 * A map or program says EINVAL, and a tracing link
			 * EOPNOTSUPP: unpinning is what releases those.
			 */
			bpf_link_detach(fd);
			close(fd);
		}
		if (unlink(path) && !err)
			err = -errno;
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
	static const char *const pins[] = {
		"prog", "ports", "ports_overflow", "pairs", "meta", "kdevs", "kdrops",
	};
	char path[PATH_MAX];
	size_t i;

	kdrop_stop(st);
	for (i = 0; i < sizeof(pins) / sizeof(pins[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", st->dir, pins[i]);
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

void store_close(struct store *st)
{
	close_fds(st);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	st->lock_fd = -1;
}

/*
 * bpffs refuses names with a dot, which pair names may hold: a dot is
 * pinned as '~', which pair names never hold, so names stay distinct.
 */
void store_link_path(const struct store *st, const char *pair, int dir,
		     char *buf, size_t len)
{
	char name[PP_PAIR_NAME_LEN], *c;

	snprintf(name, sizeof(name), "%s", pair);
	for (c = name; *c; c++)
		if (*c == '.')
			*c = '~';
	snprintf(buf, len, "%s/link-%s-%c", st->dir, name, dir == PP_DIR_A_TO_B ? 'a' : 'b');
}

bool store_retired(const struct store *st)
{
	struct pp_meta meta = {};
	__u32 zero = 0;

	return st->meta_fd >= 0 && !bpf_map_lookup_elem(st->meta_fd, &zero, &meta) &&
	       (meta.flags & PP_META_RETIRED);
}

static int cmp_pair(const void *a, const void *b)
{
	return strcmp(((const struct store_pair *)a)->key.name,
		      ((const struct store_pair *)b)->key.name);
}

int store_list_pairs(const struct store *st, struct store_pair **out)
{
	struct pp_pair_key key, next;
	struct store_pair *list = NULL, *grown;
	int n = 0, cap = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(st->pairs_fd, prev, &next)) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(list, cap * sizeof(*list));
			if (!grown) {
				free(list);
				return -ENOMEM;
			}
			list = grown;
		}
		key = next;
		prev = &key;
		/* An entry deleted between the two calls is simply skipped. */
		if (bpf_map_lookup_elem(st->pairs_fd, &key, &list[n].pair))
			continue;
		list[n].key = key;
		n++;
	}
	if (n > 1)
		qsort(list, n, sizeof(*list), cmp_pair);
	*out = list;
	return n;
}

struct ports store_ports(const struct store *st)
{
	struct ports pt = {
		.slots_fd = st->ports_fd,
		.overflow_fd = st->ports_overflow_fd,
		.ncpus = st->ncpus,
	};

	return pt;
}
