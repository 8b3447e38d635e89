// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "kernel/compat.h"
#include "kernel/tcx.h"

int tcx_attach(int prog_fd, int ifindex)
{
	int fd = bpf_link_create(prog_fd, ifindex, PP_BPF_TCX_INGRESS, NULL);

	return fd < 0 ? -errno : fd;
}

int tcx_link_info(int fd, __u32 *ifindex, __u32 *prog_id)
{
	struct pp_link_info info = {};
	__u32 len = sizeof(info);
	int err = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	*ifindex = info.tcx.ifindex;
	if (prog_id)
		*prog_id = info.prog_id;
	return err;
}

int tcx_link_update(int fd, int prog_fd)
{
	return bpf_link_update(fd, prog_fd, NULL) ? -errno : 0;
}

/*
 * tcx came with 6.6; an older kernel rejects the attach type outright.
 * A link create would cost a grace period.
 */
int tcx_probe(int ifindex)
{
	__u32 count = 0;

	return bpf_prog_query(ifindex, PP_BPF_TCX_INGRESS, 0, NULL, NULL, &count) ? -errno : 0;
}
