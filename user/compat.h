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

#endif /* __PAIRPATH_COMPAT_H */
