#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Summaries for bench/run.sh.

  report.py OUT              runs.csv, scale*.csv -> results.md, results.csv,
                             results.png (with gnuplot, when installed)
  report.py memlock DIR N    one CSV row per BPF map (and program) that the
                             pairpath pin directory DIR uses, for N pairs
"""
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys

SCENARIO_NOTES = {
    "direct": "one veth pair straight from A to B, no host in between",
    "bridge": "vethA, vethB on a Linux bridge in H, bridge-nf-call-* = 0 (br_netfilter "
              "is built in, so its hooks still run and return early)",
    "bridge_nf": "the same bridge with bridge-nf-call-iptables=1 (no rules loaded)",
    "routed": "H forwards: /32 routes, proxy ARP, link-local gateway (Calico style)",
    "mirred": "tc ingress u32 + mirred egress redirect between vethA and vethB",
    "pairpath_tcx": "pairpath, tcx links, kernel-drop tracer loaded",
    "pairpath_tcx_notracer": "pairpath, tcx links, tracer detached",
    "pairpath_tc": "pairpath --mode tc (clsact + cls_bpf), tracer loaded",
    "pairpath_tc_notracer": "pairpath --mode tc, tracer detached",
    "floor": "tcx program that only does bpf_redirect_peer(K, 0)",
}

# metric -> (unit, higher is better)
METRICS = {
    "sink_pps": ("packets/s", True),
    "sink_sent_pps": ("packets/s", True),
    "sink_cpu_s_per_mpkt": ("CPU-s per million packets", False),
    "sink_own_cpu_ns_per_pkt": ("CPU ns per packet, sender + ksoftirqd", False),
    "sink_softirq_share": ("share of busy time in softirq", None),
    "sink_netrx_per_pkt": ("NET_RX softirqs per packet", None),
    "tcp1_gbps": ("Gbit/s", True),
    "tcp1_cpu_s_per_gb": ("CPU-s per GB", False),
    "tcp1_own_cpu_s_per_gb": ("CPU-s per GB, iperf3 processes + ksoftirqd", False),
    "rr_tps": ("transactions/s", True),
    "rr_p50_us": ("us", False),
    "rr_p99_us": ("us", False),
    "x1_gbps": ("Gbit/s", True),
    "x1_cpu_s_per_gb": ("CPU-s per GB (both CPUs)", False),
    "x1_own_cpu_s_per_gb": ("CPU-s per GB, iperf3 processes", False),
    "x4_gbps": ("Gbit/s", True),
    "noise_test_runs": ("other test runs seen at start", None),
    "loadavg1": ("1-minute load average at start", None),
    "foreign_tracers": ("other kfree_skb tracers loaded", None),
}


def bpftool(*args):
    out = subprocess.run(["bpftool", "-j", *args], capture_output=True, text=True,
                         timeout=60)
    if out.returncode:
        return None
    return json.loads(out.stdout)


def memlock(pin_dir, pairs):
    map_ids, progs = set(), []
    prog = bpftool("prog", "show", "pinned", os.path.join(pin_dir, "prog"))
    if prog:
        progs.append(prog)
    link = os.path.join(pin_dir, "kdrop_link")
    if os.path.exists(link):
        info = bpftool("link", "show", "pinned", link)
        if info:
            p = bpftool("prog", "show", "id", str(info["prog_id"]))
            if p:
                progs.append(p)
    for p in progs:
        map_ids.update(p.get("map_ids", []))
    for name in ("ports", "pairs", "kdevs", "kdrops"):
        path = os.path.join(pin_dir, name)
        if os.path.exists(path):
            m = bpftool("map", "show", "pinned", path)
            if m:
                map_ids.add(m["id"])
    w = csv.writer(sys.stdout)
    for mid in sorted(map_ids):
        m = bpftool("map", "show", "id", str(mid))
        if m:
            w.writerow([pairs, m.get("name", "?"), m["type"], m["max_entries"],
                        m["bytes_key"], m["bytes_value"], m["bytes_memlock"]])
    for p in progs:
        w.writerow([pairs, "prog:" + p.get("name", "?"), "prog", "", "", "",
                    p.get("bytes_memlock", 0)])
    return 0


def read_meta(out):
    meta = {}
    try:
        with open(os.path.join(out, "meta.txt")) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                meta[k] = v
    except OSError:
        pass
    return meta


def read_tsv(path):
    try:
        with open(path) as f:
            return [line.rstrip("\n").split("\t") for line in f if line.strip()]
    except OSError:
        return []


def fmt(v, digits=3):
    if v is None:
        return "–"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.{digits}g}" if abs(v) < 1 else f"{v:.2f}"


class Stats:
    def __init__(self, values):
        self.values = values
        self.n = len(values)
        self.median = statistics.median(values)
        self.min = min(values)
        self.max = max(values)

    def cell(self, scale=1.0, digits=3):
        if self.n == 1:
            return fmt(self.median * scale, digits)
        return (f"{fmt(self.median * scale, digits)} "
                f"({fmt(self.min * scale, digits)}–{fmt(self.max * scale, digits)})")


def load_runs(out):
    data = {}
    order = []
    path = os.path.join(out, "runs.csv")
    if not os.path.exists(path):
        return data, order
    with open(path) as f:
        for row in csv.DictReader(f):
            s = row["scenario"]
            if s not in order:
                order.append(s)
            try:
                data.setdefault(s, {}).setdefault(row["metric"], []).append(
                    float(row["value"]))
            except ValueError:
                pass
    return data, order


def quiet_stats(out, metric):
    """Stats of a metric over the runs no other test run or tracer shared."""
    runs = {}
    path = os.path.join(out, "runs.csv")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        for row in csv.DictReader(f):
            try:
                runs.setdefault((row["rep"], row["scenario"]), {})[row["metric"]] = \
                    float(row["value"])
            except ValueError:
                pass
    vals = {}
    for (_, scn), m in runs.items():
        if metric in m and not m.get("noise_test_runs", 1) and \
                not m.get("foreign_tracers", 1):
            vals.setdefault(scn, []).append(m[metric])
    return {scn: Stats(v) for scn, v in vals.items()}


def summarize(data):
    return {s: {m: Stats(v) for m, v in ms.items() if v} for s, ms in data.items()}


def ratio(summary, scn, ref, metric):
    a = summary.get(scn, {}).get(metric)
    b = summary.get(ref, {}).get(metric)
    if not a or not b or not b.median:
        return None
    return a.median / b.median


def extra_ns(summary, scn):
    a = summary.get(scn, {}).get("sink_pps")
    d = summary.get("direct", {}).get("sink_pps")
    if not a or not d or not a.median or not d.median:
        return None
    return 1e9 / a.median - 1e9 / d.median


def get(summary, scn, metric):
    return summary.get(scn, {}).get(metric)


def rcell(v):
    return "–" if v is None else f"{v:.2f}"


def scale_summary(out):
    path = os.path.join(out, "scale.csv")
    if not os.path.exists(path):
        return None
    calls, other = {}, {}
    with open(path) as f:
        for row in csv.DictReader(f):
            op, n, us = row["op"], int(row["pairs"]), int(row["usec"])
            if op in ("attach", "detach"):
                calls.setdefault((op, n), []).append(us)
            else:
                other[op] = us
    mem = {}
    mem_rows = {}
    mpath = os.path.join(out, "scale_mem.csv")
    if os.path.exists(mpath):
        with open(mpath) as f:
            for row in csv.DictReader(f):
                n = int(row["pairs"])
                kind = "progs" if row["type"] == "prog" else "maps"
                mem.setdefault(n, {"maps": 0, "progs": 0})[kind] += int(row["memlock"])
                mem_rows.setdefault(n, []).append(row)
    pins = {}
    ppath = os.path.join(out, "scale_pins.csv")
    if os.path.exists(ppath):
        with open(ppath) as f:
            for row in csv.DictReader(f):
                pins[int(row["pairs"])] = int(row["pins"])
    sizes = sorted({n for _, n in calls})
    rows = []
    for n in sizes:
        at = calls.get(("attach", n), [])
        dt = calls.get(("detach", n), [])
        if not at:
            continue
        tail = at[-max(1, len(at) // 10):]
        head = at[1:1 + max(1, len(at) // 10)] or at
        rows.append({
            "n": n,
            "attach_total_s": sum(at) / 1e6,
            "attach_first_ms": at[0] / 1e3,
            "attach_per_pair_ms": sum(at) / len(at) / 1e3,
            "attach_median_ms": statistics.median(at) / 1e3,
            "attach_head_ms": statistics.median(head) / 1e3,
            "attach_tail_ms": statistics.median(tail) / 1e3,
            "detach_total_s": sum(dt) / 1e6 if dt else None,
            "detach_per_pair_ms": sum(dt) / len(dt) / 1e3 if dt else None,
            "detach_median_ms": statistics.median(dt) / 1e3 if dt else None,
            "detach_tail_ms": statistics.median(dt[-max(1, len(dt) // 10):]) / 1e3
            if dt else None,
            "maps_bytes": mem.get(n, {}).get("maps"),
            "progs_bytes": mem.get(n, {}).get("progs"),
            "pins": pins.get(n),
        })
    return {"rows": rows, "other": other, "mem_rows": mem_rows}


# Areas of the kernel a sink packet's time goes to, by symbol.
AREAS = [
    ("kfree_skb tracers", r"^(bpf_trace_run\d|bpf_prog_\w+_pairpath_kdrop|__bpf_prog_(enter|exit)\w*|"
                          r"__bpf_tramp\w*|trace_kfree_skb\w*)$"),
    ("BPF program", r"^bpf_prog_\w+_(pairpath_ingress|floor_ingress)$"),
    ("tc / tcx / redirect", r"^(tcx_\w+|sch_handle_ingress\w*|tcf_\w+|tc_run\w*|cls_bpf\w*|u32_\w+|"
                            r"skb_do_redirect|__bpf_redirect\w*|bpf_redirect\w*|bpf_skb_\w+)$"),
    ("BPF hash lookups (program or tracers)", r"^(bpf_map_lookup_elem|\w*htab_map_lookup\w*|"
                                              r"\w*lookup_nulls_elem_raw)$"),
    ("bridge", r"^(br_(?!nf_)\w+|__br_\w+|nbp_\w+|br_fdb\w*)$"),
    ("netfilter / br_netfilter", r"^(br_nf_\w+|nf_\w+|__nf_\w+|ipt_\w+|nf_hook\w*|"
                                 r"setup_pre_routing|brnf_\w+|skb_ext_\w+|__skb_ext_\w+)$"),
    ("IP routing + output (every path has some)", r"^(ip_forward\w*|ip_output|ip_finish_output\w*|neigh_\w+|arp_\w+|"
                      r"ip_route_input\w*|fib_\w+|ip_rcv_finish_core\w*)$"),
    ("veth xmit", r"^(veth_\w+|dev_forward_skb\w*|__dev_forward_skb\w*|skb_scrub_packet)$"),
    ("backlog + softirq", r"^(process_backlog|net_rx_action|enqueue_to_backlog|__netif_rx|netif_rx\w*|"
                          r"__napi_poll\w*|handle_softirqs|__do_softirq|do_softirq\w*|"
                          r"__local_bh_enable_ip|_raw_spin_\w+|napi_\w+|rps_\w+)$"),
    ("rx core", r"^(__netif_receive_skb\w*|netif_receive_skb\w*|eth_type_trans|"
                r"__netif_receive_skb_core\S*|skb_defer\w*)$"),
]


def summary_lines(summary):
    """A few differences computed from the medians of own CPU ns/packet."""
    def own(s):
        st = get(summary, s, "sink_own_cpu_ns_per_pkt")
        return st.median if st else None

    def diff(a, b):
        x, y = own(a), own(b)
        return None if x is None or y is None else x - y

    L = []
    pairs = [
        ("pairpath_tcx", "direct", "pairpath (tcx, tracer loaded) over no host at all"),
        ("bridge", "direct", "a bridge over no host at all"),
        ("bridge", "pairpath_tcx", "a bridge over pairpath (tcx)"),
        ("bridge_nf", "pairpath_tcx", "a bridge with br_netfilter over pairpath (tcx)"),
        ("routed", "pairpath_tcx", "routing in H over pairpath (tcx)"),
        ("mirred", "pairpath_tcx", "tc mirred over pairpath (tcx)"),
        ("pairpath_tcx_notracer", "floor", "pairpath's program over the bare redirect"),
        ("pairpath_tcx", "pairpath_tcx_notracer", "the kfree_skb tracer (tcx; the sink "
         "drops every datagram, so this is a cost per drop)"),
        ("pairpath_tc", "pairpath_tc_notracer", "the kfree_skb tracer (legacy tc)"),
        ("pairpath_tc_notracer", "pairpath_tcx_notracer", "legacy tc over tcx"),
    ]
    for a, b, what in pairs:
        d = diff(a, b)
        if d is not None:
            L.append(f"- {what}: {d:+.0f} ns per packet")
    if not L:
        return []
    return ["**Differences in the sink test** (medians of own CPU ns/packet, a − b):\n"] + \
        L + [""]


def profile_table(out, summary, scns):
    import re
    pdir = os.path.join(out, "profile")
    if not os.path.isdir(pdir):
        return []
    prof = {}
    for s in scns:
        path = os.path.join(pdir, s + ".txt")
        if not os.path.exists(path):
            continue
        areas = {a: 0.0 for a, _ in AREAS}
        areas["everything else"] = 0.0
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) < 3 or not parts[0].endswith("%"):
                    continue
                pct = float(parts[0][:-1])
                sym = parts[-1]
                for a, rx in AREAS:
                    if re.match(rx, sym):
                        areas[a] += pct
                        break
                else:
                    areas["everything else"] += pct
        prof[s] = areas
    if not prof:
        return []
    names = [a for a, _ in AREAS] + ["everything else"]
    L = ["## Where a sink packet's CPU time goes (perf, one extra run each)\n",
         "`perf record -C CPU -e cpu-clock` during one more sink run per scenario, "
         "samples of the sender (and ksoftirqd) only, grouped by kernel symbol "
         "(`bench/report.py` AREAS) and scaled by the scenario's median own CPU "
         "ns/packet. Heuristic: a symbol shared by several paths lands in one area; "
         "the profiles are in `profile/`.\n",
         "| ns/packet | " + " | ".join(prof) + " |",
         "|---|" + "---|" * len(prof)]
    for a in names:
        cells = []
        for s in prof:
            own = get(summary, s, "sink_own_cpu_ns_per_pkt")
            v = prof[s][a] / 100 * own.median if own else None
            cells.append("–" if v is None else f"{v:.0f}")
        L.append(f"| {a} | " + " | ".join(cells) + " |")
    L.append("")
    return L


def chart(out, summary, order):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return "gnuplot is not installed: no chart"
    panels = [
        ("sink_pps", 1e-6, "UDP sink, 64 B, one CPU (Mpps, higher is better)"),
        ("tcp1_gbps", 1, "TCP single stream, one CPU (Gbit/s)"),
        ("rr_p50_us", 1, "TCP request/response p50, one CPU (us, lower is better)"),
        ("x1_gbps", 1, "iperf3 single stream, cross-CPU (Gbit/s, noisy)"),
    ]
    scns = [s for s in order if get(summary, s, "sink_pps")]
    if not scns:
        return "no data for a chart"
    dat = os.path.join(out, "chart.dat")
    with open(dat, "w") as f:
        for i, s in enumerate(scns):
            cols = [str(i), s]
            for m, k, _ in panels:
                st = get(summary, s, m)
                if st:
                    cols += [f"{st.median * k:.6g}", f"{st.min * k:.6g}", f"{st.max * k:.6g}"]
                else:
                    cols += ["NaN"] * 3
            f.write(" ".join(cols) + "\n")
    script = [
        "set terminal pngcairo size 1400,1000 font 'sans,10'" if _has_cairo(gnuplot)
        else "set terminal png size 1400,1000",
        f"set output '{os.path.join(out, 'results.png')}'",
        "set termoption noenhanced",
        "set multiplot layout 2,2 title 'pairpath benchmark: medians, bars from min to max'",
        "set style fill solid 0.6 border -1",
        "set boxwidth 0.7",
        "set grid ytics",
        "set yrange [0:*]",
        "set xtics rotate by -35 left nomirror",
        "set xrange [-0.6:%f]" % (len(scns) - 0.4),
        "unset key",
    ]
    for j, (_, _, title) in enumerate(panels):
        c = 3 + 3 * j
        script += [
            f"set title \"{title}\"",
            f"plot '{dat}' using 1:{c}:xtic(2) with boxes lc rgb '#4a7ab5', "
            f"'' using 1:{c}:{c + 1}:{c + 2} with yerrorbars lc rgb 'black' pt 0",
        ]
    script.append("unset multiplot")
    gp = os.path.join(out, "chart.gp")
    with open(gp, "w") as f:
        f.write("\n".join(script) + "\n")
    r = subprocess.run([gnuplot, gp], capture_output=True, text=True, timeout=60)
    if r.returncode:
        return "gnuplot failed: " + r.stderr.strip()[-300:]
    return None


def _has_cairo(gnuplot):
    r = subprocess.run([gnuplot, "-e", "set terminal"], capture_output=True, text=True,
                       timeout=30)
    return "pngcairo" in (r.stdout + r.stderr)


def report(out):
    meta = read_meta(out)
    data, order = load_runs(out)
    summary = summarize(data)
    unavailable = {r[0]: r[1] if len(r) > 1 else "" for r in read_tsv(
        os.path.join(out, "unavailable.tsv"))}
    failures = read_tsv(os.path.join(out, "failures.tsv"))
    scale = scale_summary(out)
    wanted = meta.get("scenarios", "").split() or order

    # results.csv: one row per scenario and metric
    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "metric", "unit", "n", "median", "min", "max",
                    "ratio_to_bridge", "ratio_to_direct"])
        for s in order:
            for m, st in summary.get(s, {}).items():
                rb, rd = ratio(summary, s, "bridge", m), ratio(summary, s, "direct", m)
                w.writerow([s, m, METRICS.get(m, ("", None))[0], st.n,
                            f"{st.median:.6g}", f"{st.min:.6g}", f"{st.max:.6g}",
                            "" if rb is None else f"{rb:.4f}",
                            "" if rd is None else f"{rd:.4f}"])
            if s in summary and "sink_pps" in summary[s]:
                e = extra_ns(summary, s)
                w.writerow([s, "sink_extra_ns_per_pkt_vs_direct", "ns", summary[s]["sink_pps"].n,
                            "" if e is None else f"{e:.2f}", "", "", "", ""])
        if scale:
            for r in scale["rows"]:
                for k, v in r.items():
                    if k != "n" and v is not None:
                        w.writerow([f"scale_{r['n']}_pairs", k, "", 1, f"{v:.6g}", "", "",
                                    "", ""])

    scns = [s for s in order if s in summary and "sink_pps" in summary[s]]
    L = []
    L.append("# pairpath benchmark results\n")
    L.append(f"Machine: kernel `{meta.get('kernel', '?')}`, {meta.get('nproc', '?')} CPUs "
             f"(`{meta.get('cpu_model', '?')}`), run {meta.get('date', '?')}; "
             f"{meta.get('pairpath', '')}; {meta.get('iperf3', '')}.\n")
    L.append(f"Settings: {meta.get('reps', '?')} repetition(s) of every scenario, run "
             f"interleaved (A B C … A B C …), {meta.get('secs', '?')} s per test; "
             f"one-CPU tests pinned to CPU {meta.get('cpu', '?')}. Cells are "
             "median (min–max). Ratios divide medians.\n")
    noise = [st for s in scns for m, st in summary[s].items() if m == "noise_test_runs"]
    busy = sum(1 for st in noise for v in st.values if v > 0)
    spreads = sorted((st.max - st.min) / st.median for s in scns
                     for m, st in summary[s].items()
                     if m == "sink_own_cpu_ns_per_pkt" and st.n > 1 and st.median)
    spread = (f" Over this run the spread (max − min) of a scenario's sink CPU ns/packet "
              f"was {statistics.median(spreads) * 100:.0f}% of its median (median over "
              f"scenarios; worst {spreads[-1] * 100:.0f}%)." if spreads else "")
    runs = sum(st.n for st in noise)
    ft = [v for s in scns for v in (get(summary, s, "foreign_tracers") or Stats([0])).values]
    L.append("**Noise.** This is a 2-CPU VM shared with other agents running their "
             f"tests: another `tests/run.sh` was running at the start of {busy} of {runs} "
             "runs, and another pairpath kfree_skb tracer (system-wide, it fires on "
             "every drop) was loaded during "
             f"{sum(1 for v in ft if v > 0)} of {len(ft)}.{spread} The cross-CPU iperf3 "
             "numbers swing far more (up to ~3x between runs) and are shown only because "
             "users run them.\n")
    L += summary_lines(summary)

    if scns:
        L.append("## 1. UDP sink, 64-byte datagrams, one CPU\n")
        L.append("A sender in A (`udpsink send`, sendmmsg batches of 64) pinned to one "
                 "CPU; the receive path runs in its softirq on that CPU. Counted: "
                 "datagrams that reached B's UDP layer (Udp: InDatagrams + InErrors in "
                 "B's /proc/net/snmp; the socket is never read). Extra ns/packet = "
                 "1e9/pps − 1e9/pps(direct). CPU cost from /proc/stat of that CPU.\n")
        quiet = quiet_stats(out, "sink_own_cpu_ns_per_pkt")
        L.append("| scenario | Mpps | extra ns/pkt vs direct | × bridge | × direct | "
                 "own CPU ns/pkt | own extra ns/pkt vs direct | own CPU ns/pkt, quiet runs "
                 "only | CPU-s per Mpkt (/proc/stat) |")
        L.append("|---|---|---|---|---|---|---|---|---|")
        for s in scns:
            st = summary[s]
            e = extra_ns(summary, s)
            own = st.get("sink_own_cpu_ns_per_pkt")
            down = get(summary, "direct", "sink_own_cpu_ns_per_pkt")
            oe = own.median - down.median if own and down else None
            L.append(f"| {s} | {st['sink_pps'].cell(1e-6)} | "
                     f"{'–' if e is None else f'{e:+.0f}'} | "
                     f"{rcell(ratio(summary, s, 'bridge', 'sink_pps'))} | "
                     f"{rcell(ratio(summary, s, 'direct', 'sink_pps'))} | "
                     f"{own.cell() if own else '–'} | "
                     f"{'–' if oe is None else f'{oe:+.0f}'} | "
                     f"{quiet[s].cell() + f' [{quiet[s].n}]' if s in quiet else '–'} | "
                     f"{st['sink_cpu_s_per_mpkt'].cell() if 'sink_cpu_s_per_mpkt' in st else '–'} |")
        L.append("")
        L.append("*own CPU ns/pkt*: the sender's CPU time (getrusage; with tick-based "
                 "accounting and no IRQ time accounting in this kernel, the receive path "
                 "it runs in softirq context is part of it) plus ksoftirqd's on that CPU, "
                 "per datagram delivered. It does not fall when other work shares the "
                 "CPU, so it is the steadier of the two costs here. *quiet runs only*: "
                 "the same over the runs that started with no other `tests/run.sh` "
                 "and no other kfree_skb tracer loaded [how many]. *CPU-s per Mpkt "
                 "(/proc/stat)* counts the whole CPU, other agents' work included.\n")

        L.append("## 2. TCP single stream, client and server on one CPU (iperf3)\n")
        L.append("| scenario | Gbit/s | × bridge | × direct | CPU-s per GB (/proc/stat) | "
                 "own CPU-s per GB |")
        L.append("|---|---|---|---|---|---|")
        for s in scns:
            st = summary[s]
            if "tcp1_gbps" not in st:
                continue
            L.append(f"| {s} | {st['tcp1_gbps'].cell()} | "
                     f"{rcell(ratio(summary, s, 'bridge', 'tcp1_gbps'))} | "
                     f"{rcell(ratio(summary, s, 'direct', 'tcp1_gbps'))} | "
                     f"{st['tcp1_cpu_s_per_gb'].cell() if 'tcp1_cpu_s_per_gb' in st else '–'} | "
                     f"{st['tcp1_own_cpu_s_per_gb'].cell() if 'tcp1_own_cpu_s_per_gb' in st else '–'} |")
        L.append("")
        L.append("*own CPU-s per GB*: iperf3 client and server CPU time (as iperf3 reports "
                 "it) plus ksoftirqd's, per GB received.\n")

        L.append("## 3. TCP request/response (1 byte each way), both ends on one CPU\n")
        L.append("| scenario | p50 µs | p99 µs | transactions/s | tps × bridge | "
                 "tps × direct |")
        L.append("|---|---|---|---|---|---|")
        for s in scns:
            st = summary[s]
            if "rr_tps" not in st:
                continue
            L.append(f"| {s} | {st['rr_p50_us'].cell()} | {st['rr_p99_us'].cell()} | "
                     f"{st['rr_tps'].cell()} | "
                     f"{rcell(ratio(summary, s, 'bridge', 'rr_tps'))} | "
                     f"{rcell(ratio(summary, s, 'direct', 'rr_tps'))} |")
        L.append("")

        L.append("## 4. iperf3 as users run it, cross-CPU (noisy: up to ~3x between runs)\n")
        L.append("| scenario | 1 stream Gbit/s | × bridge | 4 streams Gbit/s | × bridge | "
                 "CPU-s per GB (1 stream, both CPUs, /proc/stat) | own CPU-s per GB |")
        L.append("|---|---|---|---|---|---|---|")
        for s in scns:
            st = summary[s]
            if "x1_gbps" not in st:
                continue
            L.append(f"| {s} | {st['x1_gbps'].cell()} | "
                     f"{rcell(ratio(summary, s, 'bridge', 'x1_gbps'))} | "
                     f"{st['x4_gbps'].cell() if 'x4_gbps' in st else '–'} | "
                     f"{rcell(ratio(summary, s, 'bridge', 'x4_gbps'))} | "
                     f"{st['x1_cpu_s_per_gb'].cell() if 'x1_cpu_s_per_gb' in st else '–'} | "
                     f"{st['x1_own_cpu_s_per_gb'].cell() if 'x1_own_cpu_s_per_gb' in st else '–'} |")
        L.append("")

    L.append("## Scenarios\n")
    L.append("| scenario | how A reaches B | status |")
    L.append("|---|---|---|")
    for s in wanted:
        if s in unavailable:
            status = "unavailable: " + unavailable[s]
        elif s in scns:
            status = f"measured ({summary[s]['sink_pps'].n} runs)"
        else:
            status = "no data"
        L.append(f"| {s} | {SCENARIO_NOTES.get(s, '')} | {status} |")
    L.append("")
    if failures:
        L.append("**Failures:**\n")
        for r in failures:
            L.append("- " + " ".join(r))
        L.append("")

    if scale and scale["rows"]:
        L.append("## 5. Scale: the CLI attaching and detaching N pairs\n")
        L.append("One host netns with 2×N veths (peers in 4 container namespaces); one "
                 "`pairpath attach` (then `detach`) invocation per pair, timed from the "
                 "shell (process start included). Each size starts from a reset, so its "
                 "first attach loads and pins the program and the tracer. Memory: "
                 "`bytes_memlock` of every BPF map the pinned program and tracer use "
                 "(bpftool), and of the two programs.\n")
        L.append("| pairs | attach total s | first attach ms | per pair ms (mean) | "
                 "first 10% → last 10% ms | detach total s | detach per pair ms | "
                 "map memlock | prog memlock | pins |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
        for r in scale["rows"]:
            L.append(f"| {r['n']} | {r['attach_total_s']:.2f} | {r['attach_first_ms']:.1f} | "
                     f"{r['attach_per_pair_ms']:.1f} | "
                     f"{r['attach_head_ms']:.1f} → {r['attach_tail_ms']:.1f} | "
                     f"{r['detach_total_s']:.2f} | {r['detach_per_pair_ms']:.1f} | "
                     f"{r['maps_bytes'] or 0:,} B | {r['progs_bytes'] or 0:,} B | "
                     f"{r['pins'] if r['pins'] is not None else '–'} |")
        rows = scale["rows"]
        if len(rows) >= 2 and rows[-1]["maps_bytes"] is not None and \
                rows[0]["maps_bytes"] is not None:
            a, b = rows[0], rows[-1]
            dn = b["n"] - a["n"]
            L.append("")
            L.append(f"Growth: map memlock {(b['maps_bytes'] - a['maps_bytes']) / dn:+,.0f} B "
                     f"per pair from {a['n']} to {b['n']} pairs (the hash maps are "
                     "preallocated at max_entries: they cost the same empty or full; the "
                     "pins grow by 2 per pair, the tcx links). Attach time per call "
                     f"within the {b['n']}-pair step: {b['attach_head_ms']:.1f} ms over the "
                     f"first tenth, {b['attach_tail_ms']:.1f} ms over the last, i.e. "
                     f"{(b['attach_tail_ms'] - b['attach_head_ms']) / (0.9 * b['n']) * 1000:+.2f}"
                     " µs more per pair already attached; detach "
                     f"{b['detach_tail_ms']:.1f} ms per call at the end.")
        other = scale["other"]
        if "setup" in other:
            L.append(f"\nMaking the veths with one `ip -batch` took "
                     f"{other['setup'] / 1e6:.1f} s; taking the namespaces down "
                     f"{other.get('teardown', 0) / 1e6:.1f} s.")
        if scale["mem_rows"]:
            n = max(scale["mem_rows"])
            L.append(f"\nMaps and programs at {n} pairs:\n")
            L.append("| name | type | max_entries | key B | value B | memlock B |")
            L.append("|---|---|---|---|---|---|")
            for r in scale["mem_rows"][n]:
                L.append(f"| {r['map']} | {r['type']} | {r['max_entries']} | {r['key']} | "
                         f"{r['value']} | {int(r['memlock']):,} |")
        L.append("")

    L += profile_table(out, summary, scns)
    msg = chart(out, summary, scns)
    if msg:
        L.append(f"Chart: {msg}.\n")
    else:
        L.append("![results](results.png)\n")

    L.append("## How it was measured\n")
    L.append("- Every scenario builds the same topology in fresh namespaces "
             "(A=10.88.0.1, B=10.88.0.2, IPv6 off), checks A can ping B, measures, and "
             "tears it all down; `bench/run.sh` holds the recipes.\n"
             "- One-CPU tests: sender and receiver (and all softirq work, which runs in "
             "the sender's context) on one CPU, so the number is the cost of the path, "
             "not of cross-CPU scheduling.\n"
             "- CPU-s per Mpkt / per GB: busy jiffies (user+nice+system+irq+softirq+steal) "
             "from /proc/stat for that CPU over the test, divided by the work done; "
             "the one-CPU tests keep their CPU fully busy, so these follow the "
             "throughput; the cross-CPU column counts both CPUs and includes other "
             "agents' work.\n"
             "- NET_RX softirqs per packet (`sink_netrx_per_pkt` in results.csv, from "
             "/proc/softirqs): one round per datagram on every path, since a second "
             "backlog hop (bridge, routed, mirred) is drained in the same round; the "
             "share of the CPU's busy time spent in softirq (`sink_softirq_share`) "
             "does tell the paths apart.\n"
             "- `runs.csv` has every run; `results.csv` the medians, ranges and ratios.")
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    return 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "memlock":
        return memlock(sys.argv[2], int(sys.argv[3]))
    if len(sys.argv) == 2:
        return report(sys.argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
