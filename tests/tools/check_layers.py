#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Check that user/ keeps its layers (README, "Layout").

  check_layers.py [TOP]

TOP is the source tree (default: the one this file is in). Prints one line
per problem, "FILE:LINE: what", then a summary line; exits 1 if there was
a problem, 0 if not. The rules:

  - every #include "..." of a C file of user/, tests/ or bench/ names a
    header of the tree: folder-qualified under user/ ("state/store.h"),
    in include/, vmlinux/, a skeleton (NAME.skel.h), or for tests/ and
    bench/ next to the file;
  - a file of user/ includes headers of its own layer or the ones below:
    lib and include/ (0), kernel (1), state and the skeletons (2),
    control and observe (3, which do not include each other), cmd and cni
    (4, the two binaries' own code, which do not include each other);
    tests/ and bench/ are above them all;
  - no C file in user/ is longer than 500 lines;
  - the formats render a snapshot: no bpf(2) wrappers, netlink or kernel/
    header, and no map or pin access of their own;
  - observation never changes state: nothing in observe/ writes a map,
    pins anything or opens the pinned state to create or lock it;
  - only the binaries' own code (user/cmd/, user/cni/) sees the command
    line (argv).
"""
import os
import re
import sys

RANK = {"lib": 0, "include": 0, "kernel": 1, "state": 2, "skel": 2,
        "control": 3, "observe": 3, "cmd": 4, "cni": 4, "top": 5}
MAX_LINES = 500
FORMATS = re.compile(r"^user/observe/(format_\w+|metrics_text|json|labels)\.c$")
FORMAT_BANNED_INCLUDES = re.compile(r'^#include [<"](bpf/bpf\.h|netlink/|kernel/)')
FORMAT_BANNED_CALLS = re.compile(r"\b(snapshot_take|store_open\w*|bpf_map_\w+|bpf_obj_\w+|"
                                 r"bpf_prog_\w+|bpf_link_\w+)\s*\(")
OBSERVE_BANNED = re.compile(r"\b(bpf_map_update_elem|bpf_map_delete_elem|bpf_obj_pin|"
                            r"pin_put|STORE_CREATE|STORE_LOCK)\b")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(rel):
    """The layer of a file of the tree, by its path."""
    parts = rel.split("/")
    if parts[0] == "user" and len(parts) == 3:
        return parts[1]
    if parts[0] == "include":
        return "include"
    return "top"


def resolve(top, rel, name):
    """The layer of the header that #include "name" in rel means, or None."""
    if name.endswith(".skel.h"):
        return "skel"
    places = [("user", None), ("include", "include"), ("vmlinux", "include")]
    if not rel.startswith("user/"):
        places.append((os.path.dirname(rel), "top"))
    for base, layer in places:
        path = os.path.join(top, base, name)
        if os.path.isfile(path):
            if layer is None:
                return name.split("/")[0] if "/" in name else None
            return layer
    return None


def sources(top):
    for base in ("user", "tests", "bench"):
        for dirpath, dirnames, files in os.walk(os.path.join(top, base)):
            dirnames[:] = [d for d in dirnames if d not in ("corpus", "results")]
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(dirpath, f), top)


def check(top):
    problems = []
    nfiles = nincludes = 0
    for rel in sorted(sources(top)):
        nfiles += 1
        with open(os.path.join(top, rel), encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        mine = layer_of(rel)
        in_user = rel.startswith("user/")
        if in_user and mine not in RANK:
            problems.append(f"{rel}:1: folder user/{mine}/ is no layer (add it to the "
                            f"README's layout and to this check)")
            continue
        if in_user and rel.endswith(".c") and len(lines) > MAX_LINES:
            problems.append(f"{rel}:{len(lines)}: {len(lines)} lines, more than {MAX_LINES}")
        is_format = bool(FORMATS.match(rel))
        for no, line in enumerate(lines, 1):
            code = line.split("//")[0]
            m = INCLUDE.match(line)
            if m:
                nincludes += 1
                name = m.group(1)
                theirs = resolve(top, rel, name)
                if theirs is None or theirs not in RANK:
                    problems.append(f'{rel}:{no}: includes "{name}", which is no header '
                                    f"of the tree (user/ headers are named by folder)")
                elif RANK[theirs] > RANK[mine]:
                    problems.append(f'{rel}:{no}: includes "{name}" of the layer {theirs}, '
                                    f"above its own layer {mine}")
                elif (RANK[theirs] == RANK[mine] and theirs != mine and
                      RANK[mine] not in (0, RANK["top"]) and "skel" not in (theirs, mine)):
                    problems.append(f'{rel}:{no}: includes "{name}" of the layer {theirs}, '
                                    f"beside its own layer {mine}")
            if is_format and FORMAT_BANNED_INCLUDES.match(line):
                problems.append(f"{rel}:{no}: a format includes {line.split()[1]}: "
                                f"formats render a snapshot")
            if is_format and FORMAT_BANNED_CALLS.search(code):
                call = FORMAT_BANNED_CALLS.search(code).group(1)
                problems.append(f"{rel}:{no}: a format calls {call}(): formats render "
                                f"a snapshot")
            if rel.startswith("user/observe/") and OBSERVE_BANNED.search(code):
                what = OBSERVE_BANNED.search(code).group(1)
                problems.append(f"{rel}:{no}: observation uses {what}: it never "
                                f"changes the pinned state")
            if in_user and mine not in ("cmd", "cni") and re.search(r"\bargv\b", code):
                problems.append(f"{rel}:{no}: argv outside user/cmd/ and user/cni/: only the binaries "
                                f"parse arguments")
    return problems, nfiles, nincludes


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if len(sys.argv) > 2 or not os.path.isdir(os.path.join(top, "user")):
        sys.stderr.write(__doc__.split("\n")[2].strip() + "\n")
        return 2
    problems, nfiles, nincludes = check(top)
    for p in problems:
        print(p)
    print(f"layers: {nfiles} files, {nincludes} includes, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
