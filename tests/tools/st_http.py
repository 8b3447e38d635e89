#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Probes of the pairpath exporter, and a reader of its text format.

  st_http.py raw --port P (--garbage N | --request TEXT) [--timeout SECS]
  st_http.py flood --port P --clients N [--timeout SECS]
  st_http.py samples [FILE]
  st_http.py slow --port P --clients N --interval SECS --for SECS
  st_http.py scrape --port P --count N --within SECS

raw sends bytes over one TCP connection to 127.0.0.1:P (N pseudo-random
bytes, or TEXT with \\r\\n written as \\r\\n), reads until the server
closes, and prints "status=NNN body=LEN": the reply's status and the bytes
after its header (-1: no header end). The status is "closed" if the server
closed without a reply, "timeout" if it neither replied nor closed.

flood opens N connections, all of them before any sends, then a GET
/metrics on each; every fifth client resets its connection right after
sending, without reading. It
prints "ok=A refused=B aborted=C bad=D": ok is a 200 whose body has
its Content-Length and ends with the build_info sample; refused is a
connection the server refused, reset or closed before any byte; bad is
anything else (another status, a short body, a timeout), each also
described on stderr.

slow keeps N connections open for SECS seconds (--for), each sending a
GET /metrics a byte every --interval seconds and never finishing it; a
connection the server closes is opened again at once. It prints "ready"
once all N are open and, at the end, "opened=A closed_by_server=B".

scrape sends N GET /metrics one after another, each on a new connection
that must be answered within --within seconds, and prints
"ok=A slow=B bad=C": ok is a 200 whose body has its Content-Length and
ends with the build_info sample, within the time; slow is one that took
longer (or timed out); each not ok is also described on stderr.

samples parses the exposition text (FILE or stdin) with
prometheus_client's parser and prints one line per sample,
  name{label="value",...} VALUE
labels sorted by name (no braces without labels), integral values
without a decimal point, in the text's order. It exits 1, saying why, if a series (name and label set)
comes twice, or a family has more than one HELP or TYPE line.
"""
import argparse
import random
import re
import socket
import struct
import sys
import threading
import time


def cmd_raw(a):
    if a.request is not None:
        data = a.request.replace("\\r\\n", "\r\n").encode()
    else:
        data = random.Random(1).randbytes(a.garbage)
    s = socket.create_connection(("127.0.0.1", a.port), timeout=a.timeout)
    got = b""
    timed_out = False
    try:
        s.sendall(data)
        while True:
            buf = s.recv(65536)
            if not buf:
                break
            got += buf
    except (ConnectionResetError, BrokenPipeError):
        pass
    except socket.timeout:
        timed_out = True
    finally:
        s.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", got)
    head, sep, body = got.partition(b"\r\n\r\n")
    status = m.group(1).decode() if m else "timeout" if timed_out else "closed"
    print("status=%s body=%d" % (status, len(body) if sep else -1))
    return 0


def one_client(port, timeout, abort, barrier, results, i):
    req = (b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           b"Connection: close\r\n\r\n")
    got = b""
    s = None
    try:
        # Every client connects first, so that all are open at once.
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        finally:
            try:
                barrier.wait(timeout)
            except threading.BrokenBarrierError:
                pass
        s.sendall(req)
        if abort:
            # SO_LINGER 0: close sends a reset, as a client gone mid-scrape.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
            s = None
            results[i] = ("aborted", "")
            return
        while True:
            buf = s.recv(65536)
            if not buf:
                break
            got += buf
    except (ConnectionRefusedError, ConnectionResetError, BrokenPipeError) as e:
        if not got:
            results[i] = ("refused", type(e).__name__)
            return
        results[i] = ("bad", "%s after %d bytes" % (type(e).__name__, len(got)))
        return
    except socket.timeout:
        results[i] = ("bad", "timeout after %d bytes" % len(got))
        return
    except OSError as e:
        results[i] = ("bad", "error %s" % e)
        return
    finally:
        if s:
            s.close()
    if not got:
        results[i] = ("refused", "closed")
        return
    head, _, body = got.partition(b"\r\n\r\n")
    m = re.search(rb"\r\nContent-Length: (\d+)", head, re.I)
    if not head.startswith(b"HTTP/1.1 200 "):
        results[i] = ("bad", "reply %r" % head[:40])
    elif not m or int(m.group(1)) != len(body):
        results[i] = ("bad", "body of %d bytes, header %r" % (len(body), m and m.group(1)))
    elif not re.search(rb"\npairpath_build_info\{[^\n]*\} 1\n$", body):
        results[i] = ("bad", "body does not end with build_info")
    else:
        results[i] = ("ok", "")


SLOW_REQUEST = b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4096


def slow_client(port, interval, until, stats, lock, opened):
    s = None
    sent = 0
    while time.monotonic() < until:
        if s is None:
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=interval)
            except OSError:
                time.sleep(0.1)
                continue
            sent = 0
            with lock:
                stats["opened"] += 1
            opened.set()
        try:
            s.sendall(SLOW_REQUEST[sent:sent + 1])
            sent = (sent + 1) % len(SLOW_REQUEST)
            # A closed connection shows as readable with nothing to read.
            s.settimeout(max(0.01, min(interval, until - time.monotonic())))
            if s.recv(4096) == b"":
                raise ConnectionResetError
        except socket.timeout:
            continue
        except OSError:
            s.close()
            s = None
            with lock:
                stats["closed_by_server"] += 1
    if s:
        s.close()


def cmd_slow(a):
    until = time.monotonic() + a.for_secs
    stats = {"opened": 0, "closed_by_server": 0}
    lock = threading.Lock()
    events = [threading.Event() for _ in range(a.clients)]
    threads = [threading.Thread(target=slow_client,
                                args=(a.port, a.interval, until, stats, lock, events[i]))
               for i in range(a.clients)]
    for t in threads:
        t.start()
    for e in events:
        e.wait(max(0, until - time.monotonic()))
    print("ready", flush=True)
    for t in threads:
        t.join(a.for_secs + a.interval + 5)
    print("opened=%d closed_by_server=%d" % (stats["opened"], stats["closed_by_server"]))
    return 0


def cmd_scrape(a):
    counts = {"ok": 0, "slow": 0, "bad": 0}
    for i in range(a.count):
        start = time.monotonic()
        results = [("bad", "never ran")]
        one_client(a.port, a.within, False, threading.Barrier(1), results, 0)
        took = time.monotonic() - start
        kind, why = results[0]
        if kind == "ok" and took > a.within:
            kind, why = "slow", "answered in %.2f s" % took
        elif kind != "ok" and "timeout" in why:
            kind = "slow"
        if kind != "ok":
            print("scrape %d: %s: %s (%.2f s)" % (i, kind, why, took), file=sys.stderr)
        counts["ok" if kind == "ok" else kind if kind == "slow" else "bad"] += 1
    print("ok=%d slow=%d bad=%d" % (counts["ok"], counts["slow"], counts["bad"]))
    return 0


def cmd_flood(a):
    barrier = threading.Barrier(a.clients)
    results = [("bad", "never ran")] * a.clients
    threads = [threading.Thread(target=one_client,
                                args=(a.port, a.timeout, i % 5 == 4, barrier, results, i))
               for i in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(a.timeout * 3)
    counts = {"ok": 0, "refused": 0, "aborted": 0, "bad": 0}
    for kind, why in results:
        counts[kind] += 1
        if kind == "bad":
            print("bad client: %s" % why, file=sys.stderr)
    print("ok=%d refused=%d aborted=%d bad=%d" %
          (counts["ok"], counts["refused"], counts["aborted"], counts["bad"]))
    return 0


def fmt_value(v):
    return str(int(v)) if v == int(v) else repr(v)


def escape(v):
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def cmd_samples(a):
    from prometheus_client.parser import text_string_to_metric_families

    text = open(a.file).read() if a.file else sys.stdin.read()
    bad = []
    # The parser keeps the last HELP and TYPE: count them in the raw text.
    meta = {}
    for line in text.splitlines():
        m = re.match(r"# (HELP|TYPE) (\S+)", line)
        if m:
            meta[m.groups()] = meta.get(m.groups(), 0) + 1
    bad += ["%s %s comes %d times" % (k[0], k[1], n) for k, n in meta.items() if n > 1]
    seen = set()
    out = []
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            labels = ",".join('%s="%s"' % (k, escape(v)) for k, v in sorted(s.labels.items()))
            series = "%s{%s}" % (s.name, labels) if labels else s.name
            if series in seen:
                bad.append("series %s comes twice" % series)
            seen.add(series)
            out.append("%s %s" % (series, fmt_value(s.value)))
    print("\n".join(out))
    for why in bad:
        print("duplicate: " + why, file=sys.stderr)
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("raw")
    q.add_argument("--port", type=int, required=True)
    g = q.add_mutually_exclusive_group(required=True)
    g.add_argument("--garbage", type=int)
    g.add_argument("--request")
    q.add_argument("--timeout", type=float, default=5.0)
    q = sub.add_parser("flood")
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--clients", type=int, required=True)
    q.add_argument("--timeout", type=float, default=10.0)
    q = sub.add_parser("slow")
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--clients", type=int, required=True)
    q.add_argument("--interval", type=float, required=True)
    q.add_argument("--for", dest="for_secs", type=float, required=True)
    q = sub.add_parser("scrape")
    q.add_argument("--port", type=int, required=True)
    q.add_argument("--count", type=int, required=True)
    q.add_argument("--within", type=float, required=True)
    q = sub.add_parser("samples")
    q.add_argument("file", nargs="?")
    a = p.parse_args()
    return {"raw": cmd_raw, "flood": cmd_flood, "samples": cmd_samples,
            "slow": cmd_slow, "scrape": cmd_scrape}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
