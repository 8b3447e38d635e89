#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Open a pinned BPF object with a bare bpf(2) BPF_OBJ_GET.

  rel_bpf.py objget PATH [--rdonly]

Prints "ok" if the kernel gave a file descriptor, else the errno's
symbolic name (EACCES, EPERM, ENOENT, ...), and exits 0 either way: the
caller compares the word. No library is in the way, so what is checked
is the kernel's own permission check on the pin (and on the path to
it). Only the standard library is used.
"""
import ctypes
import errno
import os
import sys

NR_BPF = {"x86_64": 321, "aarch64": 280}[os.uname().machine]
BPF_OBJ_GET = 7
BPF_F_RDONLY = 1 << 3


class ObjAttr(ctypes.Structure):
    # The BPF_OBJ_* part of union bpf_attr: pathname, bpf_fd, file_flags.
    _fields_ = [("pathname", ctypes.c_uint64), ("bpf_fd", ctypes.c_uint32),
                ("file_flags", ctypes.c_uint32), ("path_fd", ctypes.c_int32),
                ("pad", ctypes.c_uint32 * 3)]


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] != "objget" or \
       (len(sys.argv) == 4 and sys.argv[3] != "--rdonly"):
        sys.exit(__doc__.split("\n")[2].strip())
    path = ctypes.create_string_buffer(os.fsencode(sys.argv[2]))
    attr = ObjAttr()
    attr.pathname = ctypes.addressof(path)
    attr.file_flags = BPF_F_RDONLY if len(sys.argv) == 4 else 0
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    fd = libc.syscall(ctypes.c_long(NR_BPF), ctypes.c_int(BPF_OBJ_GET),
                      ctypes.byref(attr), ctypes.c_uint(ctypes.sizeof(attr)))
    if fd < 0:
        print(errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno())))
    else:
        os.close(fd)
        print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
