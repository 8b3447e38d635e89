// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib/log.h"
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
 * Use the map pinned in dir, or have libbpf create and pin it at load.
 * The pin is taken up by hand: libbpf 1.1.2 refuses to reuse a pinned
 * devmap by path, as the kernel adds BPF_F_RDONLY_PROG to its flags.
 * The store checks each pinned map's layout before anything loads.
 */
static int use_pinned(struct bpf_map *map, const char *dir)
{
	char path[PATH_MAX];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(map));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? bpf_map__set_pin_path(map, path) : -errno;
	err = bpf_map__reuse_fd(map, fd);
	close(fd);
	return err;
}

int loader_load_prog(const char *dir)
{
	struct pairpath *skel;
	struct bpf_map *map;
	int err = 0, fd = -1;

	skel = pairpath__open();
	if (!skel) {
		err = -errno;
		pr_warn("cannot open the BPF object: %s\n", strerror(-err));
		return err;
	}
	skel->rodata->set_pkt_type = kernel_needs_pkt_type();

	/* The object's own .rodata is internal and never pinned. */
	bpf_object__for_each_map(map, skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		err = use_pinned(map, dir);
		if (err)
			goto cleanup;
	}

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
