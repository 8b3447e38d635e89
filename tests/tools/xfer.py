#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""One TCP transfer of deterministic data, hashed at both ends.

  xfer.py server --bind ADDR --port P [--timeout SECS]
  xfer.py client --host ADDR --port P --bytes N [--seed S] [--timeout SECS]

The server accepts one connection, reads to EOF and prints
"bytes=N sha256=HEX" for what it received; the client prints the same for
what it sent. The data is a 1 MiB pseudo-random block from the seed with
the block number written over its first 8 bytes, so no two blocks are
alike and a reordered or repeated block changes the hash. Only the
standard library is used.
"""
import argparse
import hashlib
import random
import socket
import struct
import sys
import time

BLOCK = 1 << 20


def cmd_server(a):
    family = socket.AF_INET6 if ":" in a.bind else socket.AF_INET
    ls = socket.socket(family, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.bind, a.port))
    ls.listen(1)
    ls.settimeout(a.timeout)
    conn, _ = ls.accept()
    conn.settimeout(a.timeout)
    h = hashlib.sha256()
    n = 0
    while True:
        buf = conn.recv(1 << 18)
        if not buf:
            break
        h.update(buf)
        n += len(buf)
    conn.close()
    print("bytes=%d sha256=%s" % (n, h.hexdigest()), flush=True)
    return 0


def cmd_client(a):
    base = bytearray(random.Random(a.seed).randbytes(BLOCK))
    deadline = time.monotonic() + a.timeout
    # The server may still be starting: retry a refused connect, bounded.
    while True:
        try:
            s = socket.create_connection((a.host, a.port), timeout=a.timeout)
            break
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    h = hashlib.sha256()
    left, i = a.bytes, 0
    while left:
        struct.pack_into(">Q", base, 0, i)
        chunk = bytes(base[:min(left, BLOCK)])
        s.sendall(chunk)
        h.update(chunk)
        left -= len(chunk)
        i += 1
    s.shutdown(socket.SHUT_WR)
    # Wait for the server's close, so every byte was read before we exit.
    s.recv(1)
    s.close()
    print("bytes=%d sha256=%s" % (a.bytes, h.hexdigest()), flush=True)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("server")
    q.add_argument("--bind", required=True)
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--timeout", type=float, default=30.0)
    q = sub.add_parser("client")
    q.add_argument("--host", required=True)
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--bytes", type=int, required=True)
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--timeout", type=float, default=30.0)
    a = p.parse_args()
    return cmd_server(a) if a.cmd == "server" else cmd_client(a)


if __name__ == "__main__":
    sys.exit(main())
