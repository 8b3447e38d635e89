#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Print how many tcx programs a device has: tcxq.py DEV ingress|egress

Debian 12's bpftool (7.1) predates tcx and lists no tcx programs, so this
asks the kernel directly with BPF_PROG_QUERY, in the current netns (the
ifindex is looked up there). Only the standard library is used.
"""
import ctypes
import os
import socket
import sys

NR_BPF = {"x86_64": 321, "aarch64": 280}[os.uname().machine]
BPF_PROG_QUERY = 16
TCX = {"ingress": 46, "egress": 47}


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in TCX:
        sys.exit(__doc__.split("\n")[0])
    # The query part of union bpf_attr: target_ifindex, attach_type,
    # query_flags, attach_flags, prog_ids, prog_cnt, ... 64 bytes in all.
    attr = (ctypes.c_uint32 * 16)()
    attr[0] = socket.if_nametoindex(sys.argv[1])
    attr[1] = TCX[sys.argv[2]]
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    if libc.syscall(ctypes.c_long(NR_BPF), ctypes.c_int(BPF_PROG_QUERY),
                    ctypes.byref(attr), ctypes.c_uint(ctypes.sizeof(attr))) < 0:
        e = ctypes.get_errno()
        sys.exit("BPF_PROG_QUERY: %s" % os.strerror(e))
    print(attr[6])
    return 0


if __name__ == "__main__":
    sys.exit(main())
