// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "state/ports.h"

/*
 * Where a port is: its slot in the array if it owns it, else the
 * overflow hash. Fills percpu (ncpus values) and returns the map fd.
 */
static int find(const struct ports *pt, __u32 ifindex, struct pp_port *percpu)
{
	__u32 slot = ifindex % PP_PORT_SLOTS;

	if (!bpf_map_lookup_elem(pt->slots_fd, &slot, percpu) && percpu[0].ifindex == ifindex)
		return pt->slots_fd;
	if (!bpf_map_lookup_elem(pt->overflow_fd, &ifindex, percpu))
		return pt->overflow_fd;
	return -ENOENT;
}

int ports_add(const struct ports *pt, const struct pp_port *config)
{
	struct pp_port *percpu = calloc(pt->ncpus, sizeof(*percpu));
	__u32 slot = config->ifindex % PP_PORT_SLOTS;
	bool free_slot;
	int cpu, err = 0;

	if (!percpu)
		return -ENOMEM;
	if (!config->ifindex) {
		err = -EINVAL;
		goto out;
	}
	if (find(pt, config->ifindex, percpu) >= 0) {
		err = -EEXIST;
		goto out;
	}
	/* A free slot has no owner; the datapath reads it only after a tag match. */
	free_slot = !bpf_map_lookup_elem(pt->slots_fd, &slot, percpu) && !percpu[0].ifindex;
	for (cpu = 0; cpu < pt->ncpus; cpu++)
		percpu[cpu] = *config;
	if (free_slot)
		err = bpf_map_update_elem(pt->slots_fd, &slot, percpu, BPF_ANY);
	else
		err = bpf_map_update_elem(pt->overflow_fd, &config->ifindex, percpu, BPF_NOEXIST);
	if (err)
		err = -errno;
out:
	free(percpu);
	return err;
}

int ports_read(const struct ports *pt, __u32 ifindex, struct pp_port *sum)
{
	struct pp_port *percpu = calloc(pt->ncpus, sizeof(*percpu));
	int cpu, r, fd;

	if (!percpu)
		return -ENOMEM;
	fd = find(pt, ifindex, percpu);
	if (fd >= 0) {
		*sum = percpu[0];
		for (cpu = 1; cpu < pt->ncpus; cpu++) {
			sum->packets += percpu[cpu].packets;
			sum->bytes += percpu[cpu].bytes;
			for (r = 0; r < PP_DROP_REASON_SLOTS; r++)
				sum->drops[r] += percpu[cpu].drops[r];
		}
	}
	free(percpu);
	return fd < 0 ? fd : 0;
}

void ports_del(const struct ports *pt, __u32 ifindex, __u32 pair_id)
{
	struct pp_port *percpu = calloc(pt->ncpus, sizeof(*percpu));
	__u32 slot = ifindex % PP_PORT_SLOTS;
	int fd;

	if (!percpu)
		return;
	fd = find(pt, ifindex, percpu);
	if (fd >= 0 && percpu[0].pair_id == pair_id) {
		if (fd == pt->slots_fd) {
			/* An array slot cannot be deleted: zeroing frees it. */
			memset(percpu, 0, pt->ncpus * sizeof(*percpu));
			bpf_map_update_elem(pt->slots_fd, &slot, percpu, BPF_ANY);
		} else {
			bpf_map_delete_elem(pt->overflow_fd, &ifindex);
		}
	}
	free(percpu);
}
