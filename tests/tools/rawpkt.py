#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Send and capture raw Ethernet frames with AF_PACKET, for exact tests.

  rawpkt.py send --dev eth0 --dst MAC --size N [--count C] [--vlan TCI]
                 [--type 0x88b5] [--tag TAG] [--first SEQ] [--end]
  rawpkt.py recv --dev eth0 [--type 0x88b5] [--tag TAG] [--count N]
                 [--timeout SECS] [--grace SECS] [--any]

Every frame carries a payload that is a pure function of (tag, seq, size),
so the receiver can tell whether a frame arrived intact. `send --end`
follows the frames with one untagged 60-byte end marker (seq 0xffffffff)
for the same destination; `recv` stops a grace period after the marker,
after --count frames, or at --timeout, whichever comes first.

recv prints "ready" once its socket is bound, then one line per frame of
the tag, in arrival order:

  seq=S len=L dst=MAC vlan=TCI|- where=aux|inband|- ok=1|0 type=PKTTYPE

len is the frame as sent: a VLAN tag the kernel moved into skb metadata
(reported through PACKET_AUXDATA, where=aux) is put back before the check.
With --any every frame that arrives counts, whatever it is, as a line
"frame len=L dst=MAC type=PKTTYPE" (ours still as above). The last line
is "count=N". Only the standard library is used.
"""
import argparse
import errno
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
PACKET_OUTGOING = 4
MAGIC = b"PPTR"
END_SEQ = 0xFFFFFFFF
HDR = struct.Struct(">4s8sIH")  # magic, tag, seq, size


def mac_bytes(text):
    b = bytes(int(x, 16) for x in text.split(":"))
    if len(b) != 6:
        raise ValueError("bad MAC " + text)
    return b


def mac_text(b):
    return ":".join("%02x" % x for x in b)


def dev_mac(dev):
    with open("/sys/class/net/%s/address" % dev) as f:
        return mac_bytes(f.read().strip())


def tag_bytes(tag):
    return tag.encode()[:8].ljust(8, b"\0")


def build(dst, src, etype, tag, seq, size, tci=None, tpid=0x8100):
    """The frame (tag in-band when tci is given) of exactly size bytes."""
    head = dst + src
    if tci is not None:
        head += struct.pack(">HH", tpid, tci)
    head += struct.pack(">H", etype)
    body = HDR.pack(MAGIC, tag_bytes(tag), seq, size)
    fill = size - len(head) - len(body)
    if fill < 0:
        raise ValueError("size %d is too small" % size)
    body += bytes((seq * 31 + i * 7) & 0xFF for i in range(fill))
    return head + body


def cmd_send(a):
    dst = mac_bytes(a.dst)
    src = mac_bytes(a.src) if a.src else dev_mac(a.dev)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.dev, 0))
    frames = [build(dst, src, a.type, a.tag, a.first + i, a.size, a.vlan)
          for i in range(a.count)]
    if a.end:
        frames.append(build(dst, src, a.type, a.tag, END_SEQ, 60))
    for f in frames:
        # A short veth backlog answers ENOBUFS: retry, bounded.
        for _ in range(100):
            try:
                s.send(f)
                break
            except BlockingIOError:
                time.sleep(0.01)
            except OSError as e:
                if e.errno != errno.ENOBUFS:
                    raise
                time.sleep(0.01)
        else:
            sys.exit("send: gave up on a frame")
        if a.gap:
            time.sleep(a.gap)
    return 0


def parse(data, aux, a):
    """(seq, line) for a frame of our tag, or None."""
    vlan = None
    where = "-"
    tpid = 0x8100
    if aux is not None:
        status, _, _, _, _, tci, atpid = aux
        if status & TP_STATUS_VLAN_VALID:
            vlan, where = tci, "aux"
            if status & TP_STATUS_VLAN_TPID_VALID:
                tpid = atpid
    off = 12
    if vlan is None and len(data) >= 18 and data[12:14] in (b"\x81\x00", b"\x88\xa8"):
        tpid = struct.unpack(">H", data[12:14])[0]
        vlan, where = struct.unpack(">H", data[14:16])[0], "inband"
        off = 16
    if len(data) < off + 2 + HDR.size:
        return None
    etype = struct.unpack(">H", data[off:off + 2])[0]
    if etype != a.type:
        return None
    magic, tag, seq, size = HDR.unpack_from(data, off + 2)
    if magic != MAGIC or tag != tag_bytes(a.tag):
        return None
    if where == "aux":
        wire = data[:12] + struct.pack(">HH", tpid, vlan) + data[12:]
    else:
        wire = data
    want = build(wire[0:6], wire[6:12], a.type, a.tag, seq, size, vlan, tpid)
    ok = int(wire == want)
    return seq, len(wire), mac_text(wire[0:6]), vlan, where, ok


def cmd_recv(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((a.dev, ETH_P_ALL))
    print("ready", flush=True)
    deadline = time.monotonic() + a.timeout
    stop = None
    n = 0
    while True:
        now = time.monotonic()
        end = deadline if stop is None else min(deadline, stop)
        if now >= end:
            break
        r, _, _ = select.select([s], [], [], end - now)
        if not r:
            continue
        data, anc, _, addr = s.recvmsg(65536, socket.CMSG_SPACE(20))
        # What this end sent itself comes back to a tap as OUTGOING.
        if addr[2] == PACKET_OUTGOING:
            continue
        aux = None
        for level, kind, val in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA:
                aux = struct.unpack("IIIHHHH", val[:20])
        got = parse(data, aux, a)
        if got is None:
            if a.any:
                n += 1
                print("frame len=%d dst=%s type=%d" % (len(data), mac_text(data[0:6]),
                                                      addr[2]), flush=True)
            continue
        seq, length, dst, vlan, where, ok = got
        if seq == END_SEQ:
            stop = time.monotonic() + a.grace
            continue
        n += 1
        print("seq=%d len=%d dst=%s vlan=%s where=%s ok=%d type=%d" %
              (seq, length, dst, "-" if vlan is None else vlan, where, ok,
               addr[2]), flush=True)
        if a.count and n >= a.count and stop is None:
            stop = time.monotonic() + a.grace
    print("count=%d" % n, flush=True)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("send", "recv"):
        q = sub.add_parser(name)
        q.add_argument("--dev", required=True)
        q.add_argument("--type", type=lambda x: int(x, 0), default=0x88B5)
        q.add_argument("--tag", default="pp")
    q = sub.choices["send"]
    q.add_argument("--dst", required=True)
    q.add_argument("--src")
    q.add_argument("--size", type=int, required=True)
    q.add_argument("--count", type=int, default=1)
    q.add_argument("--first", type=int, default=0)
    q.add_argument("--vlan", type=lambda x: int(x, 0))
    q.add_argument("--gap", type=float, default=0.0)
    q.add_argument("--end", action="store_true")
    q = sub.choices["recv"]
    q.add_argument("--count", type=int, default=0)
    q.add_argument("--timeout", type=float, default=5.0)
    q.add_argument("--grace", type=float, default=0.3)
    q.add_argument("--any", action="store_true")
    a = p.parse_args()
    return cmd_send(a) if a.cmd == "send" else cmd_recv(a)


if __name__ == "__main__":
    sys.exit(main())
