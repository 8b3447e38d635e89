// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kernel/pin.h"
#include "lib/log.h"
#include "state/pins.h"
#include "state/loader.h"
#include "pairpath.skel.h"

/* Before 6.15 redirect_peer leaves pkt_type as the host-side veth set it. */
static bool kernel_needs_pkt_type(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return true;
	return major < 6 || (major == 6 && minor < 15);
}

__u64 loader_prog_hash(void)
{
	const unsigned char *p;
	__u64 hash = 0xcbf29ce484222325ULL;
	size_t len, i;

	p = pairpath__elf_bytes(&len);
	for (i = 0; i < len; i++)
		hash = (hash ^ p[i]) * 0x100000001b3ULL;
	return hash;
}

/*
 * Use the map pinned in the directory, or create it at load (pinned by
 * loader_pin_new() after). The pin is taken up by hand: libbpf 1.1.2 refuses
 * to reuse a pinned devmap by path, as the kernel adds
 * BPF_F_RDONLY_PROG to its flags. The store checks each pinned map's
 * layout before anything loads.
 */
static int use_pinned(struct bpf_map *map, int dir_fd, bool *reused)
{
	int fd, err;

	*reused = false;
	fd = pin_get_at(dir_fd, bpf_map__name(map), 0, PIN_MAP, bpf_map__type(map));
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	err = bpf_map__reuse_fd(map, fd);
	close(fd);
	*reused = !err;
	return err;
}

int loader_reuse_pinned(struct bpf_object *obj, int dir_fd, __u64 *reused)
{
	struct bpf_map *map;
	int err, i = 0;
	bool one;

	*reused = 0;
	/* An object's own .rodata is internal and never pinned. */
	bpf_object__for_each_map(map, obj) {
		if (!bpf_map__is_internal(map)) {
			err = use_pinned(map, dir_fd, &one);
			if (err)
				return err;
			*reused |= (__u64)one << i;
		}
		i++;
	}
	return 0;
}

int loader_pin_new(struct bpf_object *obj, int dir_fd, __u64 reused, unsigned int *made)
{
	struct bpf_map *map;
	int i = -1, err, pin;

	bpf_object__for_each_map(map, obj) {
		i++;
		if (bpf_map__is_internal(map) || (reused & (1ULL << i)))
			continue;
		err = pin_put_at(bpf_map__fd(map), dir_fd, bpf_map__name(map));
		if (err) {
			pr_warn("cannot pin the map '%s': %s\n", bpf_map__name(map),
				strerror(-err));
			return err;
		}
		pin = pins_index(bpf_map__name(map));
		if (pin >= 0)
			*made |= PP_PIN_BIT(pin);
	}
	return 0;
}

int loader_load_prog(int dir_fd, unsigned int *made)
{
	struct pairpath *skel;
	int err = 0, fd = -1;
	__u64 reused = 0;

	skel = pairpath__open();
	if (!skel) {
		err = -errno;
		pr_warn("cannot open the BPF object: %s\n", strerror(-err));
		return err;
	}
	skel->rodata->set_pkt_type = kernel_needs_pkt_type();

	err = loader_reuse_pinned(skel->obj, dir_fd, &reused);
	if (err)
		goto cleanup;
	err = pairpath__load(skel);
	if (err) {
		pr_warn("cannot load the BPF program: %s\n", strerror(-err));
		goto cleanup;
	}
	err = loader_pin_new(skel->obj, dir_fd, reused, made);
	if (err)
		goto cleanup;
	fd = dup(bpf_program__fd(skel->progs.pairpath_ingress));
	if (fd < 0)
		err = -errno;
cleanup:
	pairpath__destroy(skel);
	return err ? err : fd;
}
