/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What Debian 12's 6.1 UAPI headers and libbpf 1.1.2 lack, in one place.
 * The values are kernel ABI and never change.
 */
#ifndef __PAIRPATH_COMPAT_H
#define __PAIRPATH_COMPAT_H

/* enum bpf_attach_type gained tcx in 6.6. */
#define PP_BPF_TCX_INGRESS	46
#define PP_BPF_TCX_EGRESS	47

#include <linux/types.h>

/*
 * struct bpf_link_info as 6.6+ fills it for a tcx link: libbpf 1.1.2's
 * copy of the UAPI has no tcx member. The union is 8-byte aligned.
 */
struct pp_link_info {
	__u32 type;
	__u32 id;
	__u32 prog_id;
	__u32 pad0;
	union {
		struct {
			__u32 ifindex;
			__u32 attach_type;
		} tcx;
		__u8 raw[64];
	};
};

/*
 * BPF_OBJ_PIN and BPF_OBJ_GET relative to a directory fd (6.5+): the
 * flag and the attr's path_fd member, which 6.1's headers lack.
 */
#define PP_BPF_F_PATH_FD	(1U << 14)

struct pp_bpf_obj_attr {
	__aligned_u64 pathname;
	__u32 bpf_fd;
	__u32 file_flags;
	__s32 path_fd;
};

#endif /* __PAIRPATH_COMPAT_H */
