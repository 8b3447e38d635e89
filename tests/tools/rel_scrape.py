#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Scrape the pairpath exporter fast, over keep-alive connections.

  rel_scrape.py count --port P --count N [--rss-pid PID --rss-at N1,N2,...]
  rel_scrape.py until --port P --stop-file F [--secs S] [--interval SECS]

Both GET http://127.0.0.1:P/metrics over HTTP/1.1, reusing one
connection for as long as the server keeps it open, and read every body
to its end. count does N scrapes; with --rss-pid it reads VmRSS of that
process (kB, from /proc/PID/status) right after scrape N1, N2, ... and
prints "rss@N1=KB". until scrapes every --interval seconds (default
0.01, so as not to starve a small machine) until F exists or S seconds
pass (a bound, never the normal end). Both then print

  scrapes=N ok=K bad=B first_bad=-|WHAT

ok counts replies with status 200 whose body ends with a newline; any
other status, a short body or an error is bad. A connection the server
closed is opened again: that is not an error, a refused one is.
Only the standard library is used.
"""
import argparse
import http.client
import os
import sys
import time


class Scraper:
    def __init__(self, port):
        self.port = port
        self.conn = None
        self.n = self.ok = self.bad = 0
        self.first_bad = "-"

    def _bad(self, what):
        self.bad += 1
        if self.first_bad == "-":
            self.first_bad = what.replace(" ", "_")

    def scrape(self):
        self.n += 1
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                self.conn.request("GET", "/metrics")
                resp = self.conn.getresponse()
                body = resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError) as e:
                # The server may close an idle keep-alive connection; one
                # retry on a fresh connection tells that from a failure.
                self.conn.close()
                self.conn = None
                if attempt == 0:
                    continue
                self._bad("scrape %d: %s" % (self.n, type(e).__name__))
                return
            except OSError as e:
                self.conn.close()
                self.conn = None
                self._bad("scrape %d: %s" % (self.n, e))
                return
            if resp.status == 200 and body.endswith(b"\n"):
                self.ok += 1
            else:
                self._bad("scrape %d: status %d, %d bytes" % (self.n, resp.status, len(body)))
            if resp.will_close:
                self.conn.close()
                self.conn = None
            return

    def summary(self):
        print("scrapes=%d ok=%d bad=%d first_bad=%s" %
              (self.n, self.ok, self.bad, self.first_bad), flush=True)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    cp = sub.add_parser("count")
    cp.add_argument("--port", type=int, required=True)
    cp.add_argument("--count", type=int, required=True)
    cp.add_argument("--rss-pid", type=int)
    cp.add_argument("--rss-at", default="")
    up = sub.add_parser("until")
    up.add_argument("--port", type=int, required=True)
    up.add_argument("--stop-file", required=True)
    up.add_argument("--secs", type=float, default=60.0)
    up.add_argument("--interval", type=float, default=0.01)
    a = p.parse_args()

    s = Scraper(a.port)
    if a.cmd == "count":
        marks = {int(x) for x in a.rss_at.split(",") if x}
        for _ in range(a.count):
            s.scrape()
            if a.rss_pid and s.n in marks:
                print("rss@%d=%d" % (s.n, rss_kb(a.rss_pid)), flush=True)
    else:
        end = time.monotonic() + a.secs
        while not os.path.exists(a.stop_file) and time.monotonic() < end:
            s.scrape()
            time.sleep(a.interval)
    s.summary()
    return 0


if __name__ == "__main__":
    sys.exit(main())
