// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pptool: what the shell tests ask the kernel and no stock tool answers
 * (Debian 12's bpftool 7.1 predates tcx), through libbpf rather than
 * bpf(2) numbers written out by hand.
 *
 *   pptool objget PATH [--rdonly]   BPF_OBJ_GET of a pin: "ok" or the
 *                                   errno's name (EACCES...), exit 0 either way
 *   pptool hold PATH SECS           BPF_OBJ_GET, print the fd, keep it SECS s
 *   pptool info PATH...             a line a pin: "PATH: map ID",
 *                                   "PATH: prog ID" or "PATH: link ID prog ID"
 *   pptool dump PATH...             the same, and each map's entries in hex
 *   pptool tcx-count DEV ingress|egress
 *                                   how many tcx programs the hook has
 *   pptool tcx-progs DEV [ingress|egress]
 *                                   their ids, or "none" (default ingress)
 *   pptool tcx-list                 every device of the netns, a line a hook:
 *                                   "DEV ingress|egress IDS|none"
 *   pptool netns-cookie             the cookie of the current netns
 *   pptool kdrops-fill PATH PAIR_ID  fill the pinned kdrops map with entries
 *                                   of PAIR_ID (a pair that does not exist)
 *                                   until it is full; print how many it added
 *   pptool swap-fields PATH         re-pin the map at PATH as an empty map
 *                                   of the same type and sizes whose value
 *                                   struct has its first two members' names
 *                                   swapped: a build of another layout
 *
 * Devices are looked up in the netns pptool runs in. Bad usage: one line
 * on stderr, exit 2; a failure: one line, exit 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "kernel/compat.h"
#include "pairpath.h"

/* More programs than any test puts on one hook. */
#define MAX_PROGS	64
#define MAX_HOLD_SECS	600

static int usage(const char *what)
{
	fprintf(stderr, "pptool: %s\n", what);
	return 2;
}

static int bad_hook(const char *cmd, const char *hook)
{
	fprintf(stderr, "pptool: %s: hook '%s' is invalid: expected ingress or egress\n",
		cmd, hook);
	return 2;
}

static int failed(const char *cmd, const char *what, int err)
{
	fprintf(stderr, "pptool: %s: %s: %s\n", cmd, what, strerror(err));
	return 1;
}

static int hook_of(const char *name, __u32 *type)
{
	if (!strcmp(name, "ingress"))
		*type = PP_BPF_TCX_INGRESS;
	else if (!strcmp(name, "egress"))
		*type = PP_BPF_TCX_EGRESS;
	else
		return -EINVAL;
	return 0;
}

/* The tcx programs of one hook; a negative errno if the query fails. */
static int tcx_query(unsigned int ifindex, __u32 type, __u32 *ids, __u32 *cnt)
{
	*cnt = ids ? MAX_PROGS : 0;
	if (bpf_prog_query(ifindex, type, 0, NULL, ids, cnt))
		return -errno;
	return 0;
}

static void print_ids(const __u32 *ids, __u32 cnt)
{
	__u32 i;

	if (!cnt)
		printf("none");
	for (i = 0; i < cnt; i++)
		printf("%s%u", i ? " " : "", ids[i]);
	printf("\n");
}

static int cmd_objget(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts);
	int fd;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "--rdonly")))
		return usage("objget: expects PATH [--rdonly]");
	if (argc == 4)
		opts.file_flags = BPF_F_RDONLY;
	fd = bpf_obj_get_opts(argv[2], &opts);
	if (fd < 0) {
		const char *name = strerrorname_np(errno);

		if (name)
			printf("%s\n", name);
		else
			printf("%d\n", errno);
		return 0;
	}
	close(fd);
	printf("ok\n");
	return 0;
}

static int cmd_hold(int argc, char **argv)
{
	char *end;
	long secs;
	int fd;

	if (argc != 4)
		return usage("hold: expects PATH SECS");
	secs = strtol(argv[3], &end, 10);
	if (*end || end == argv[3] || secs < 1 || secs > MAX_HOLD_SECS)
		return usage("hold: SECS must be 1 to 600");
	fd = bpf_obj_get(argv[2]);
	if (fd < 0)
		return failed("hold", argv[2], errno);
	printf("%d\n", fd);
	fflush(stdout);
	/* sleep() returns early only for a signal, which ends us anyway. */
	while (secs > 0)
		secs = sleep(secs);
	close(fd);
	return 0;
}

static void print_hex(const __u8 *buf, __u32 len)
{
	__u32 i;

	for (i = 0; i < len; i++)
		printf("%02x", buf[i]);
}

static int all_zero(const __u8 *buf, __u32 len)
{
	__u32 i;

	for (i = 0; i < len; i++)
		if (buf[i])
			return 0;
	return 1;
}

/*
 * A map's entries, one line each, "  KEY VALUE" in hex (a per-CPU value
 * is every CPU's copy, one after the other). An array's all-zero slots
 * are left out: they are only the map's size.
 */
static int print_entries(int fd, const struct bpf_map_info *info)
{
	int percpu = info->type == BPF_MAP_TYPE_PERCPU_ARRAY ||
		     info->type == BPF_MAP_TYPE_PERCPU_HASH ||
		     info->type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	int array = info->type == BPF_MAP_TYPE_ARRAY ||
		    info->type == BPF_MAP_TYPE_PERCPU_ARRAY;
	__u32 vlen = info->value_size, n = 0;
	__u8 *key, *next, *value, *tmp;
	int err = 0, ncpus;

	if (percpu) {
		ncpus = libbpf_num_possible_cpus();
		if (ncpus < 0)
			return ncpus;
		vlen = ((info->value_size + 7) & ~7U) * ncpus;
	}
	key = calloc(1, info->key_size ? info->key_size : 1);
	next = calloc(1, info->key_size ? info->key_size : 1);
	value = calloc(1, vlen ? vlen : 1);
	if (!key || !next || !value) {
		err = -ENOMEM;
		goto out;
	}
	/* Bounded by the map's size, whatever changes meanwhile. */
	while (n++ <= info->max_entries) {
		if (bpf_map_get_next_key(fd, n == 1 ? NULL : key, next)) {
			if (errno != ENOENT)
				err = -errno;
			break;
		}
		tmp = key;
		key = next;
		next = tmp;
		if (bpf_map_lookup_elem(fd, key, value)) {
			if (errno == ENOENT)
				continue;
			err = -errno;
			break;
		}
		if (array && all_zero(value, vlen))
			continue;
		printf("  ");
		print_hex(key, info->key_size);
		printf(" ");
		print_hex(value, vlen);
		printf("\n");
	}
out:
	free(key);
	free(next);
	free(value);
	return err;
}

/*
 * "PATH: map ID", "PATH: prog ID" or "PATH: link ID prog ID", and with
 * contents a map's entries too. The fd's kind is the name of its
 * anonymous inode (a link's is bpf-link on recent kernels, bpf_link
 * before).
 */
static int print_pin(const char *path, int contents)
{
	char link[64], proc[64];
	union {
		struct bpf_map_info map;
		struct bpf_prog_info prog;
		struct pp_link_info link;
	} info;
	__u32 len = sizeof(info);
	ssize_t n;
	int fd, err = 0;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, link, sizeof(link) - 1);
	memset(&info, 0, sizeof(info));
	if (n < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	link[n] = '\0';
	if (!strcmp(link, "anon_inode:bpf-map")) {
		printf("%s: map %u\n", path, info.map.id);
		if (contents)
			err = print_entries(fd, &info.map);
	} else if (!strcmp(link, "anon_inode:bpf-prog")) {
		printf("%s: prog %u\n", path, info.prog.id);
	} else if (!strcmp(link, "anon_inode:bpf-link") || !strcmp(link, "anon_inode:bpf_link")) {
		printf("%s: link %u prog %u\n", path, info.link.id, info.link.prog_id);
	} else {
		err = -EBADF;
	}
out:
	close(fd);
	return err;
}

/* info PATH... and dump PATH... */
static int cmd_pins(int argc, char **argv, int contents)
{
	int i, err;

	if (argc < 3)
		return usage(contents ? "dump: expects PATH..." : "info: expects PATH...");
	for (i = 2; i < argc; i++) {
		err = print_pin(argv[i], contents);
		if (err)
			return failed(argv[1], argv[i], -err);
	}
	return 0;
}

/* tcx-count DEV HOOK and tcx-progs DEV [HOOK]. */
static int cmd_tcx_dev(int argc, char **argv, int want_ids)
{
	__u32 ids[MAX_PROGS], cnt, type = PP_BPF_TCX_INGRESS;
	unsigned int ifindex;
	int err;

	if (want_ids ? argc < 3 || argc > 4 : argc != 4)
		return usage(want_ids ? "tcx-progs: expects DEV [ingress|egress]" :
					"tcx-count: expects DEV ingress|egress");
	if (argc == 4 && hook_of(argv[3], &type))
		return bad_hook(argv[1], argv[3]);
	ifindex = if_nametoindex(argv[2]);
	if (!ifindex)
		return failed(argv[1], argv[2], errno);
	err = tcx_query(ifindex, type, want_ids ? ids : NULL, &cnt);
	if (err)
		return failed(argv[1], argv[2], -err);
	if (want_ids)
		print_ids(ids, cnt);
	else
		printf("%u\n", cnt);
	return 0;
}

static int cmd_tcx_list(int argc, char **argv)
{
	static const char *const hooks[] = { "ingress", "egress" };
	struct if_nameindex *ifs, *i;
	__u32 ids[MAX_PROGS], cnt, type;
	int h, err = 0;

	if (argc != 2)
		return usage("tcx-list: expects no arguments");
	ifs = if_nameindex();
	if (!ifs)
		return failed(argv[1], "if_nameindex", errno);
	for (i = ifs; i->if_index && !err; i++)
		for (h = 0; h < 2 && !err; h++) {
			hook_of(hooks[h], &type);
			err = tcx_query(i->if_index, type, ids, &cnt);
			if (err) {
				err = failed(argv[1], i->if_name, -err);
				break;
			}
			printf("%s %s ", i->if_name, hooks[h]);
			print_ids(ids, cnt);
		}
	if_freenameindex(ifs);
	return err;
}

static int cmd_netns_cookie(int argc, char **argv)
{
	__u64 cookie;
	socklen_t len = sizeof(cookie);
	int fd, err = 0;

	if (argc != 2)
		return usage("netns-cookie: expects no arguments");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return failed(argv[1], "socket", errno);
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len))
		err = failed(argv[1], "SO_NETNS_COOKIE", errno);
	else
		printf("%llu\n", (unsigned long long)cookie);
	close(fd);
	return err;
}

static int cmd_kdrops_fill(int argc, char **argv)
{
	struct pp_kdrop_key key = {};
	int fd, ncpus, added = 0;
	__u64 *zeros;

	if (argc != 4)
		return usage("kdrops-fill: expects PATH PAIR_ID");
	ncpus = libbpf_num_possible_cpus();
	zeros = calloc(ncpus > 0 ? ncpus : 1, sizeof(*zeros));
	fd = bpf_obj_get(argv[2]);
	if (fd < 0 || !zeros)
		return failed(argv[1], argv[2], fd < 0 ? errno : ENOMEM);
	key.pair_id = strtoul(argv[3], NULL, 0);
	/* Reasons past any the kernel has: no real drop takes these keys. */
	for (key.reason = 1U << 20; ; key.reason++) {
		if (!bpf_map_update_elem(fd, &key, zeros, BPF_NOEXIST)) {
			added++;
			continue;
		}
		if (errno == E2BIG)
			break;
		free(zeros);
		close(fd);
		return failed(argv[1], "update", errno);
	}
	printf("%d\n", added);
	free(zeros);
	close(fd);
	return 0;
}

/* The map's own BTF, copied, with two member names exchanged. */
static struct btf *swapped_btf(const struct bpf_map_info *info, __u32 *base)
{
	struct btf *src, *dst;
	struct btf_member *m;
	__u32 name;
	int start;

	src = btf__load_from_kernel_by_id(info->btf_id);
	if (!src)
		return NULL;
	dst = btf__new_empty();
	start = dst ? btf__add_btf(dst, src) : -ENOMEM;
	btf__free(src);
	if (start < 0) {
		btf__free(dst);
		errno = -start;
		return NULL;
	}
	*base = start - 1;
	m = btf_members(btf__type_by_id(dst, *base + btf__resolve_type(dst, *base +
		info->btf_value_type_id)));
	name = m[0].name_off;
	m[0].name_off = m[1].name_off;
	m[1].name_off = name;
	return dst;
}

static int cmd_swap_fields(int argc, char **argv)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), base;
	struct btf *btf = NULL;
	int fd, map = -1, err;

	if (argc != 3)
		return usage("swap-fields: expects PATH");
	fd = bpf_obj_get(argv[2]);
	if (fd < 0)
		return failed(argv[1], argv[2], errno);
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? errno : 0;
	if (!err && !info.btf_id)
		err = ENODATA;
	if (!err && !(btf = swapped_btf(&info, &base)))
		err = errno;
	if (!err && btf__load_into_kernel(btf))
		err = errno;
	if (!err) {
		LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = info.map_flags,
			    .btf_fd = btf__fd(btf), .btf_key_type_id = base + info.btf_key_type_id,
			    .btf_value_type_id = base + info.btf_value_type_id);
		map = bpf_map_create(info.type, NULL, info.key_size, info.value_size,
				     info.max_entries, &opts);
		err = map < 0 ? errno : 0;
	}
	if (!err && (unlink(argv[2]) || bpf_obj_pin(map, argv[2])))
		err = errno;
	if (map >= 0)
		close(map);
	btf__free(btf);
	close(fd);
	return err ? failed(argv[1], argv[2], err) : 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "objget"))
		return cmd_objget(argc, argv);
	if (!strcmp(cmd, "hold"))
		return cmd_hold(argc, argv);
	if (!strcmp(cmd, "info"))
		return cmd_pins(argc, argv, 0);
	if (!strcmp(cmd, "dump"))
		return cmd_pins(argc, argv, 1);
	if (!strcmp(cmd, "tcx-count"))
		return cmd_tcx_dev(argc, argv, 0);
	if (!strcmp(cmd, "tcx-progs"))
		return cmd_tcx_dev(argc, argv, 1);
	if (!strcmp(cmd, "tcx-list"))
		return cmd_tcx_list(argc, argv);
	if (!strcmp(cmd, "netns-cookie"))
		return cmd_netns_cookie(argc, argv);
	if (!strcmp(cmd, "kdrops-fill"))
		return cmd_kdrops_fill(argc, argv);
	if (!strcmp(cmd, "swap-fields"))
		return cmd_swap_fields(argc, argv);
	return usage("expects objget, hold, info, dump, tcx-count, tcx-progs, tcx-list, "
		     "netns-cookie, kdrops-fill or swap-fields");
}
