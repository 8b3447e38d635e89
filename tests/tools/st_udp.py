#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""UDP datagrams of a fixed size, sent and counted, for exact stats tests.

  st_udp.py send --to ADDR --port P --count N [--size BYTES]
  st_udp.py sink --port P --count N [--timeout SECS]

send writes N datagrams of --size payload bytes (default 100) and prints
"sent=N". sink binds 0.0.0.0:P, prints "ready" once bound, and reads
until it has N datagrams or the timeout passes; it prints "received=N".
A bound sink also keeps the receiving stack from answering with ICMP
port unreachable, which would cross the pair and spoil exact counts.
Only the standard library is used.
"""
import argparse
import errno
import socket
import sys
import time


def cmd_send(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = bytes((i * 7) & 0xFF for i in range(a.size))
    sent = 0
    for _ in range(a.count):
        # A full veth queue answers ENOBUFS: retry, bounded.
        for _ in range(100):
            try:
                s.sendto(payload, (a.to, a.port))
                sent += 1
                break
            except OSError as e:
                if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                    raise
                time.sleep(0.01)
        else:
            sys.exit("send: gave up on a datagram")
    print("sent=%d" % sent, flush=True)
    return 0


def cmd_sink(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind(("0.0.0.0", a.port))
    print("ready", flush=True)
    deadline = time.monotonic() + a.timeout
    n = 0
    while n < a.count:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            s.recv(65536)
        except socket.timeout:
            break
        n += 1
    print("received=%d" % n, flush=True)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("send")
    q.add_argument("--to", required=True)
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--count", type=int, required=True)
    q.add_argument("--size", type=int, default=100)
    q = sub.add_parser("sink")
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--count", type=int, required=True)
    q.add_argument("--timeout", type=float, default=10.0)
    a = p.parse_args()
    return cmd_send(a) if a.cmd == "send" else cmd_sink(a)


if __name__ == "__main__":
    sys.exit(main())
