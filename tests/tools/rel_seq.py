#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""A sequence-numbered UDP stream, for proving that nothing was lost.

  rel_seq.py send --to ADDR --port P [--rate PPS] [--size BYTES]
                  [--stop-file F] [--secs S] [--max N]
  rel_seq.py recv --port P [--idle SECS] [--first SECS] [--timeout SECS]

send writes datagrams whose first 8 bytes are the sequence number 0, 1,
2, ... (big endian), padded to --size bytes (default 64). With --rate it
paces itself to that many datagrams per second, in 1 ms slots, so that no
queue on the way overflows; --rate 0 sends as fast as it can. It stops
when --stop-file exists, after --secs seconds or after --max datagrams,
whichever comes first, and prints "sent=N". A full veth queue answers
ENOBUFS: that datagram is retried, never skipped, so the stream has no
hole the sender made.

recv binds 0.0.0.0:P with a large receive buffer, prints "ready", and
reads until --idle seconds pass without a datagram once one came, --first
seconds pass before the first one, or --timeout passes. It prints

  received=R in_order=I gaps=G first_gap=-|EXPECTED:GOT max=M

in_order counts datagrams whose number was the one expected next (the
previous one plus 1, starting at 0); a lost, repeated or reordered
datagram makes a gap and re-synchronises on the number it got. So a
perfect stream of N is "received=N in_order=N gaps=0 first_gap=- max=N-1".
Only the standard library is used.
"""
import argparse
import errno
import os
import socket
import struct
import sys
import time

SEQ = struct.Struct(">Q")
SO_RCVBUFFORCE = 33


def cmd_send(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((a.to, a.port))
    pad = bytes(max(a.size - SEQ.size, 0))
    start = time.monotonic()
    end = start + a.secs
    seq = 0
    per_slot = max(a.rate // 1000, 1)
    slot = start
    while seq < a.max:
        now = time.monotonic()
        if now >= end:
            break
        # Checking the stop file costs a syscall: once per slot is enough.
        if a.stop_file and os.path.exists(a.stop_file):
            break
        n = per_slot if a.rate else 256
        for _ in range(min(n, a.max - seq)):
            msg = SEQ.pack(seq) + pad
            for _ in range(1000):
                try:
                    s.send(msg)
                    break
                except OSError as e:
                    if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                        raise
                    time.sleep(0.0005)
            else:
                sys.exit("send: gave up on datagram %d" % seq)
            seq += 1
        if a.rate:
            slot += 0.001
            delay = slot - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif delay < -0.1:
                # Far behind (a busy machine): do not burst to catch up.
                slot = time.monotonic()
    print("sent=%d" % seq, flush=True)
    return 0


def cmd_recv(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
    s.bind(("0.0.0.0", a.port))
    print("ready", flush=True)
    start = time.monotonic()
    deadline = start + a.timeout
    received = in_order = gaps = 0
    expect = 0
    top = -1
    first_gap = "-"
    s.settimeout(0.1)
    last = None
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        if last is not None and now - last >= a.idle:
            break
        if last is None and now - start >= a.first:
            break
        try:
            data = s.recv(65536)
        except socket.timeout:
            continue
        last = time.monotonic()
        if len(data) < SEQ.size:
            continue
        seq = SEQ.unpack_from(data)[0]
        received += 1
        top = max(top, seq)
        if seq == expect:
            in_order += 1
        else:
            gaps += 1
            if first_gap == "-":
                first_gap = "%d:%d" % (expect, seq)
        expect = seq + 1
    print("received=%d in_order=%d gaps=%d first_gap=%s max=%d" %
          (received, in_order, gaps, first_gap, top), flush=True)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("send")
    sp.add_argument("--to", required=True)
    sp.add_argument("--port", type=int, required=True)
    sp.add_argument("--rate", type=int, default=20000)
    sp.add_argument("--size", type=int, default=64)
    sp.add_argument("--stop-file")
    sp.add_argument("--secs", type=float, default=10.0)
    sp.add_argument("--max", type=int, default=1 << 30)
    rp = sub.add_parser("recv")
    rp.add_argument("--port", type=int, required=True)
    rp.add_argument("--idle", type=float, default=1.0)
    rp.add_argument("--first", type=float, default=10.0)
    rp.add_argument("--timeout", type=float, default=30.0)
    a = p.parse_args()
    return cmd_send(a) if a.cmd == "send" else cmd_recv(a)


if __name__ == "__main__":
    sys.exit(main())
