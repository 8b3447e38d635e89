// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Attach the floor program to two host-side veths, one load per
 * direction, and pin the two tcx links:
 *
 *	floor DEV_A DEV_B PIN_DIR
 *
 * run inside the netns that holds DEV_A and DEV_B. Frames entering DEV_A
 * go to DEV_B's peer and back. Remove the pins (or the devices) to
 * detach. Prints one line of space-separated key=value pairs, the ids of
 * what it attached: "prog_id_a=P link_id_a=L prog_id_b=P link_id_b=L".
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

#define BPF_TCX_INGRESS_ATTACH	46	/* enum bpf_attach_type, 6.6+ */

static int silent(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* Load one copy redirecting to `to`, attach it on `from`, pin the link. */
static int attach_one(const char *from, const char *to, const char *pin,
		      struct bpf_link_info *info)
{
	__u32 len = sizeof(*info);
	unsigned int from_idx = if_nametoindex(from), to_idx = if_nametoindex(to);
	struct floor *skel;
	int fd, err;

	if (!from_idx || !to_idx) {
		fprintf(stderr, "floor: no device '%s'\n", from_idx ? to : from);
		return -ENODEV;
	}
	skel = floor__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "floor: cannot open the object: %s\n", strerror(-err));
		return err;
	}
	skel->rodata->peer_ifindex = to_idx;
	err = floor__load(skel);
	if (err) {
		fprintf(stderr, "floor: cannot load: %s\n", strerror(-err));
		goto out;
	}
	fd = bpf_link_create(bpf_program__fd(skel->progs.floor_ingress), from_idx,
			     BPF_TCX_INGRESS_ATTACH, NULL);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "floor: cannot attach tcx on '%s': %s\n", from,
			strerror(-err));
		goto out;
	}
	memset(info, 0, sizeof(*info));
	err = bpf_obj_get_info_by_fd(fd, info, &len);
	if (err) {
		err = -errno;
		fprintf(stderr, "floor: cannot read the link on '%s': %s\n", from,
			strerror(-err));
	} else {
		err = bpf_obj_pin(fd, pin);
		if (err) {
			err = -errno;
			fprintf(stderr, "floor: cannot pin %s: %s\n", pin, strerror(-err));
		}
	}
	/* The pin holds the link; our descriptor may go. */
	close(fd);
out:
	floor__destroy(skel);
	return err;
}

int main(int argc, char **argv)
{
	struct bpf_link_info a, b;
	char pin_a[4096], pin_b[4096];

	if (argc != 4) {
		fprintf(stderr, "usage: floor DEV_A DEV_B PIN_DIR\n");
		return 2;
	}
	libbpf_set_print(silent);
	snprintf(pin_a, sizeof(pin_a), "%s/floor_%s", argv[3], argv[1]);
	snprintf(pin_b, sizeof(pin_b), "%s/floor_%s", argv[3], argv[2]);
	if (attach_one(argv[1], argv[2], pin_a, &a))
		return 1;
	if (attach_one(argv[2], argv[1], pin_b, &b)) {
		unlink(pin_a);
		return 1;
	}
	printf("prog_id_a=%u link_id_a=%u prog_id_b=%u link_id_b=%u\n", a.prog_id, a.id,
	       b.prog_id, b.id);
	return 0;
}
