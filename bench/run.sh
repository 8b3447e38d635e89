#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# pairpath benchmark: the same two-container topology (host netns H with
# vethA and vethB, containers A and B with eth0, A=10.88.0.1 B=10.88.0.2)
# built several ways (the routed-mode ones, kernel routing and Docker's
# bridge in bench/routed.sh; two nodes and --fib in bench/xnode.sh),
# measured interleaved (A B C ... A B C ...), plus the
# attach/detach scale test in bench/scale.sh and the exporter's scrape of
# 2048 pairs with a full kernel-drop table (bench/scrape.c).
#
#   bench/run.sh [--quick] [--reps N] [--secs S] [--cpu C] [--out DIR]
#                [--scenarios 'a b ...'] [--no-scale] [--only-scale]
#                [--no-profile] [--wait-quiet SECS] [--baseline BINARY]
#                [--measures 'sink tcp1 rr cross']
#
#   --quick        1 repetition, 1 s per test, scale steps 1 and 10 pairs,
#                  results in .output/bench/results-quick (for make test)
#   --reps N       repetitions of every scenario (default 5)
#   --secs S       seconds per test (default 3)
#   --cpu C        the CPU the one-CPU tests are pinned to (default 0)
#   --out DIR      where results go (default bench/results)
#   --scenarios L  only the scenarios of the list L (default: all of them)
#   --no-scale     skip the scale test
#   --only-scale   only the scale test (runs.csv is left as it is)
#   --no-profile   skip the extra sink run per scenario under perf record
#                  (a full run does it when perf is installed; --quick never)
#   --wait-quiet S wait up to S seconds for no other 'tests/run.sh' to run
#   --baseline B   add the scenario baseline_tcx_notracer: pairpath_tcx_notracer
#                  with the pairpath binary B (another build: its own program),
#                  for a before-and-after of a datapath change in one run
#   --measures L   only the measures of the list L (default: sink tcp1 rr
#                  cross; cross is the two unpinned iperf3 runs)
#   -h, --help     this text
#
# Everything runs in network namespaces named ppb<PID>m-* (the scenarios)
# and ppb<PID>s-* (the scale test), made with tests/lib.sh's fixture_up
# and removed by its fixture_down, from a trap on exit too; nothing else
# on the machine is touched.
#
# It records raw readings only: runs.csv has a row (rep,scenario,key,value)
# per key=value the tools print and per counter read before and after a
# test; progcost.txt and scale.txt hold key=value lines. bench/report.py
# derives every figure from them (bench/README.md, "How a number is taken").
set -u
set -o pipefail
export LC_ALL=C

# The fixture, the background processes, PP_TOP, PAIRPATH and PY.
source "$(dirname "${BASH_SOURCE[0]}")/../tests/lib.sh"
TOOLS=$PP_TOP/.output/bench
ALL_SCENARIOS="direct bridge bridge_nf routed mirred pairpath_tcx pairpath_tcx_notracer
	pairpath_tc pairpath_tc_notracer floor docker_bridge pairpath_routed
	pairpath_routed_notracer pairpath_routed_many_notracer uplink_kernel
	pairpath_uplink_notracer xnode_kernel xnode_pairpath xnode_pairpath_fib
	fib_host fib_host_nat fib_pairpath"
BASELINE=

QUICK=0 REPS=5 SECS=3 CPU=0 OUT= SCENARIOS=$ALL_SCENARIOS
DO_SCALE=1 DO_MAIN=1 PROFILE=1 WAIT_QUIET=0
ALL_MEASURES="sink tcp1 rr cross" MEASURES=$ALL_MEASURES
SCALE_SIZES="1 100 1000"
# Endpoints pairpath_routed_many_notracer adds to A's and B's.
RT_EXTRA=998

die() { echo "bench: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--reps) REPS=${2:?}; shift ;;
	--secs) SECS=${2:?}; shift ;;
	--cpu) CPU=${2:?}; shift ;;
	--out) OUT=${2:?}; shift ;;
	--scenarios) SCENARIOS=${2:?}; shift ;;
	--no-scale) DO_SCALE=0 ;;
	--only-scale) DO_MAIN=0 ;;
	--no-profile) PROFILE=0 ;;
	--wait-quiet) WAIT_QUIET=${2:?}; shift ;;
	--baseline) BASELINE=${2:?}; shift ;;
	--measures) MEASURES=${2:?}; shift ;;
	-h|--help) awk 'NR > 2 && !/^#/ { exit } NR > 2 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
	*) die "unknown option '$1' (try --help)" ;;
	esac
	shift
done
if [ $QUICK = 1 ]; then
	REPS=1 SECS=1 SCALE_SIZES="1 10" PROFILE=0 RT_EXTRA=8
	OUT=${OUT:-$PP_TOP/.output/bench/results-quick}
fi
OUT=${OUT:-$PP_TOP/bench/results}
command -v perf >/dev/null || PROFILE=0
[[ $REPS =~ ^[0-9]+$ ]] && [ "$REPS" -ge 1 ] && [ "$REPS" -le 100 ] || die "bad --reps"
[[ $SECS =~ ^[0-9]+$ ]] && [ "$SECS" -ge 1 ] && [ "$SECS" -le 60 ] || die "bad --secs"
[[ $CPU =~ ^[0-9]+$ ]] && [ "$CPU" -lt "$(nproc)" ] || die "bad --cpu"
if [ -n "$BASELINE" ]; then
	[ -x "$BASELINE" ] || die "baseline '$BASELINE' is not an executable"
	ALL_SCENARIOS="$ALL_SCENARIOS baseline_tcx_notracer"
	[[ " $(echo $SCENARIOS) " == *" baseline_tcx_notracer "* ]] ||
		SCENARIOS="$SCENARIOS baseline_tcx_notracer"
fi
for s in $SCENARIOS; do
	[[ " $(echo $ALL_SCENARIOS) " == *" $s "* ]] || die "unknown scenario '$s'"
done
for s in $MEASURES; do
	[[ " $ALL_MEASURES " == *" $s "* ]] || die "unknown measure '$s'"
done

[ "$(id -u)" = 0 ] || die "needs root (namespaces, BPF)"
for f in "$PAIRPATH" "$TOOLS/udpsink" "$TOOLS/rr" "$TOOLS/floor" "$TOOLS/progcost" \
	 "$TOOLS/scrape"; do
	[ -x "$f" ] || die "$f is missing: run 'make bench-tools' first"
done
for t in ip tc bpftool iperf3 taskset timeout ss "$PY"; do
	command -v "$t" >/dev/null || die "'$t' is not installed"
done

# Names are ours alone: fixture_up with --prefix ppb makes ppb<PID>TAG-*.
# Refuse to run over someone's.
if ip netns list | awk '{print $1}' | grep -q "^ppb$$[a-z]-"; then
	die "network namespaces named ppb$$?-* exist already; refusing to start"
fi

# A fixture of the benchmark: fixture_up TAG with its settings.
bench_fixture() {	# TAG [fixture_up settings]
	fixture_up "$1" --prefix ppb --net 10.88.0 --no-ipv6 "${@:2}"
}

# pairpath on the fixture's pins, bounded.
# PP_BIN: the pairpath of the scenario (the baseline's own, for it).
pp_h() { timeout 60 "${PP_BIN:-$PAIRPATH}" -n "$NS_H" --pin-root "$PIN_ROOT" "$@"; }

WORK=$(mktemp -d /tmp/pairpath-bench.XXXXXX)
LOGS=$WORK/logs
mkdir -p "$LOGS"

# Whatever ends the run: fixture_down stops what we started and takes the
# fixture of the moment down (a second Ctrl-C must not stop that).
bench_exit() {
	trap '' INT TERM
	fixture_down
	rm -rf "$WORK"
}
trap bench_exit EXIT
# fd 3 is the real stderr, whatever a function's output goes to.
exec 3>&2
trap 'echo "bench: interrupted" >&3; exit 130' INT TERM

# Other work may rebuild .output/pairpath meanwhile: every run uses this copy.
cp "$PAIRPATH" "$WORK/pairpath" || die "cannot copy $PAIRPATH"
PAIRPATH=$WORK/pairpath
if [ -n "$BASELINE" ]; then
	cp "$BASELINE" "$WORK/baseline" || die "cannot copy $BASELINE"
	BASELINE=$WORK/baseline
fi

mkdir -p "$OUT"
RAW=$OUT/runs.csv
UNAVAIL=$OUT/unavailable.tsv
FAILS=$OUT/failures.tsv
: >"$UNAVAIL"
: >"$FAILS"
[ $DO_MAIN = 1 ] && echo "rep,scenario,key,value" >"$RAW"
FAILED=0

say() { echo "bench: $*"; }

# Wait up to 5 s for a tool started with bg_start to say ready=1 in its log.
wait_ready() {	# PID LOG
	bg_until 5 "$1" grep -qE '^ready=1( |$)' "$2"
}

# Raw counters, each as key=value. The /proc/stat fields that count as
# busy, of one CPU ("cpuN") or all ("cpu").
cpu_kv() {	# ROW
	awk -v c="$1" '$1 == c { printf "user_jiffies=%s nice_jiffies=%s system_jiffies=%s " \
		"irq_jiffies=%s softirq_jiffies=%s steal_jiffies=%s\n", $2, $3, $4, $7, $8, $9 }' \
		/proc/stat
}

# Run time (ns) of ksoftirqd on the test CPU: softirq work it took over.
ksoftirqd_kv() {
	local pid ns=0
	pid=$(pgrep -x "ksoftirqd/$CPU" | head -n 1)
	[ -n "$pid" ] && ns=$(cut -d' ' -f1 "/proc/$pid/schedstat" 2>/dev/null)
	echo "ksoftirqd_ns=${ns:-0}"
}

netrx_kv() {
	awk -v c="$CPU" '$1 == "NET_RX:" { print "netrx=" $(c + 2) }' /proc/softirqs
}

# Datagrams H's stack forwarded (Ip: ForwDatagrams of H's /proc/net/snmp):
# around the sink, which path the datagrams took through H (none: direct).
h_fwd_kv() {
	[ -e "/run/netns/$NS_H" ] || return 0
	in_h cat /proc/net/snmp | awk '
		$1 == "Ip:" && !h { for (i = 2; i <= NF; i++) f[$i] = i; h = 1; next }
		$1 == "Ip:" { print "h_ip_forw_datagrams=" $f["ForwDatagrams"] }'
}

# Datagrams that reached B's UDP layer: delivered to the socket or not.
udp_kv() {
	in_b cat /proc/net/snmp | awk '
		$1 == "Udp:" && !h { for (i = 2; i <= NF; i++) f[$i] = i; h = 1; next }
		$1 == "Udp:" { print "udp_in_datagrams=" $f["InDatagrams"], "udp_in_errors=" $f["InErrors"] }'
}

# One raw row of runs.csv.
rec() {	# KEY VALUE
	echo "$REP,$SCN,$1,$2" >>"$RAW"
}

# A row per key=value pair of TEXT (one line or more), the key with PREFIX
# and SUFFIX around it.
rec_kv() {	# PREFIX SUFFIX TEXT
	local kv
	local -a kvs
	read -ra kvs -d '' <<<"$3"
	for kv in "${kvs[@]}"; do
		[[ $kv =~ ^[a-z][a-z0-9_]*=[^,]+$ ]] || { echo "not key=value: '$kv' in '$3'"; return 1; }
		rec "$1${kv%%=*}$2" "${kv#*=}"
	done
}

# What a test gave: its tool's output, the counters before and after it.
rec_test() {	# TEST OUTPUT BEFORE AFTER
	rec_kv "$1_" "" "$2" && rec_kv "$1_" _before "$3" && rec_kv "$1_" _after "$4"
}

# ---------------------------------------------------------------- topologies

# Each setup_X builds its scenario on a fixture of the benchmark (A and B
# at 10.88.0.1 and .2, no IPv6) and returns 0 when built, 2 when the
# kernel cannot (reason in $REASON), 1 on error. fixture_down takes it
# down: pairpath reset (registered by setup_pairpath), the namespaces, and
# the bpffs with every pin, floor's included.
setup_direct() {
	bench_fixture m --direct
}

bridge_common() {
	bench_fixture m &&
	ip -n "$NS_H" link add br0 type bridge stp_state 0 &&
	ip -n "$NS_H" link set vethA master br0 &&
	ip -n "$NS_H" link set vethB master br0 &&
	ip -n "$NS_H" link set br0 up
}

BRNF=/proc/sys/net/bridge/bridge-nf-call-iptables
setup_bridge() {
	bridge_common || return 1
	# br_netfilter may be built in: switch it off for this netns.
	if in_h test -e $BRNF; then
		in_h sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
			net.bridge.bridge-nf-call-ip6tables=0 \
			net.bridge.bridge-nf-call-arptables=0 || return 1
	fi
}

setup_bridge_nf() {
	bridge_common || return 1
	if ! in_h test -e $BRNF; then
		REASON="br_netfilter is not built into this kernel ($BRNF missing) and modules cannot be loaded"
		return 2
	fi
	in_h sysctl -qw net.bridge.bridge-nf-call-iptables=1 \
		net.bridge.bridge-nf-call-ip6tables=1 \
		net.bridge.bridge-nf-call-arptables=1
}

# setup_routed, setup_docker_bridge, setup_pairpath_routed*; the
# cross-node and --fib ones, setup_xnode_*, setup_fib_*, and ep_kv.
source "$PP_TOP/bench/routed.sh"
source "$PP_TOP/bench/xnode.sh"

setup_mirred() {
	local from to out
	bench_fixture m || return 1
	for from in vethA vethB; do
		to=vethB
		[ $from = vethB ] && to=vethA
		out=$(tc -n "$NS_H" qdisc add dev $from ingress 2>&1 &&
		      tc -n "$NS_H" filter add dev $from parent ffff: protocol all prio 1 \
			u32 match u32 0 0 action mirred egress redirect dev $to 2>&1)
		if [ $? != 0 ]; then
			REASON="tc ingress + u32 + mirred failed (act_mirred or cls_u32 not built in?): $out"
			return 2
		fi
	done
}

setup_pairpath() {	# MODE TRACER(0|1)
	local link
	bench_fixture m || return 1
	# tcx links are pinned: detach them before the pins go, also on Ctrl-C.
	cleanup_add timeout 60 "${PP_BIN:-$PAIRPATH}" -n "$NS_H" --pin-root "$PIN_ROOT" reset
	pp_h attach --mode "$1" bench vethA vethB || return 1
	link=$(ls -d "$PIN_ROOT"/netns-*/kdrop_link 2>/dev/null)
	if [ "$2" = 1 ] && [ -z "$link" ]; then
		REASON="the kernel-drop tracer did not load (see 'pairpath -v attach')"
		return 2
	fi
	[ "$2" = 1 ] || pp_h kernel-drops off
}
setup_pairpath_tcx() { setup_pairpath tcx 1; }
setup_pairpath_tcx_notracer() { setup_pairpath tcx 0; }
setup_pairpath_tc() { setup_pairpath tc 1; }
setup_pairpath_tc_notracer() { setup_pairpath tc 0; }
setup_baseline_tcx_notracer() { PP_BIN=$BASELINE setup_pairpath tcx 0; }

setup_floor() {
	local out
	bench_fixture m || return 1
	mkdir -p "$FX_TMP/bpffs/floor"
	out=$(in_h "$TOOLS/floor" vethA vethB "$FX_TMP/bpffs/floor" 2>&1)
	if [ $? != 0 ]; then
		case $out in
		*"cannot attach tcx"*) REASON="tcx is not available: $out"; return 2 ;;
		esac
		echo "$out" >&2
		return 1
	fi
	echo "floor: $out"
}

# Frames must flow before anything is measured (ARP included).
check_path() {
	local i
	for i in 1 2 3; do
		in_a ping -q -c 1 -W 2 "$IP_B" >/dev/null 2>&1 && return 0
	done
	return 1
}

# ------------------------------------------------------------------ measures

# (1) one-CPU 64-byte UDP sink, (5) its CPU cost and NET_RX softirqs.
measure_sink() {
	local log=$LOGS/sink-$SCN-$REP pid out pre post u0 u1
	bg_start timeout $((SECS + 30)) ip netns exec "$NS_B" \
		"$TOOLS/udpsink" sink 9000 $((SECS + 25)) >"$log.sink" 2>&1
	pid=$BG_PID
	wait_ready $pid "$log.sink" || { bg_stop $pid; echo "sink did not start"; return 1; }
	u0="$(udp_kv) $(h_fwd_kv) $(ep_kv)" pre="$(cpu_kv cpu$CPU) $(netrx_kv) $(ksoftirqd_kv)"
	out=$(timeout $((SECS + 15)) ip netns exec "$NS_A" taskset -c "$CPU" \
		"$TOOLS/udpsink" send "$IP_B" 9000 "$SECS" 64 64 2>&1)
	local rc=$?
	u1="$(udp_kv) $(h_fwd_kv) $(ep_kv)" post="$(cpu_kv cpu$CPU) $(netrx_kv) $(ksoftirqd_kv)"
	bg_stop $pid
	[ $rc = 0 ] || { echo "sender failed: $out"; return 1; }
	[ "$u1" != "$u0" ] || { echo "no datagram reached B ($out)"; return 1; }
	rec_test sink "$out" "$u0 $pre" "$u1 $post"
}

# (2), (4) iperf3 from A to B, its JSON's fields and the CPU counters:
# iperf_run TEST STREAMS PIN(0|1); one CPU's counters when pinned, else all.
iperf_run() {
	local test=$1 streams=$2 pin=$3 log=$LOGS/$1-$SCN-$REP pid pre post res
	local -a tset=()
	local cpurow=cpu
	[ "$pin" = 1 ] && tset=(taskset -c "$CPU") cpurow=cpu$CPU
	# ip and taskset exec iperf3, so that its pid is ours for bg_listening;
	# it ends after one test, and by bg_stop on every way out.
	bg_start ip netns exec "$NS_B" "${tset[@]}" iperf3 -s -1 -p 5201 >"$log.srv" 2>&1
	pid=$BG_PID
	bg_until 5 $pid bg_listening $pid "$NS_B" 5201 ||
		{ bg_stop $pid; echo "iperf3 server did not start"; return 1; }
	pre="$(cpu_kv $cpurow) $(ksoftirqd_kv)"
	timeout $((SECS + 25)) ip netns exec "$NS_A" "${tset[@]}" \
		iperf3 -c "$IP_B" -p 5201 -t "$SECS" -P "$streams" -J >"$log.json" 2>"$log.err"
	local rc=$?
	post="$(cpu_kv $cpurow) $(ksoftirqd_kv)"
	bg_stop $pid
	res=$($PY "$PP_TOP/bench/report.py" iperf3 "$log.json" 2>&1) || rc=1
	[ $rc = 0 ] || { echo "iperf3 failed: $res $(cat "$log.err")"; return 1; }
	rec_test "$test" "$res" "$pre" "$post"
}

# (2) TCP single stream, client and server on one CPU.
measure_tcp1() {
	iperf_run tcp1 1 1
}

# (3) TCP request/response, both ends on one CPU.
measure_rr() {
	local log=$LOGS/rr-$SCN-$REP pid out
	bg_start timeout $((SECS + 30)) ip netns exec "$NS_B" taskset -c "$CPU" \
		"$TOOLS/rr" server 7000 $((SECS + 25)) >"$log.srv" 2>&1
	pid=$BG_PID
	wait_ready $pid "$log.srv" || { bg_stop $pid; echo "rr server did not start"; return 1; }
	out=$(timeout $((SECS + 15)) ip netns exec "$NS_A" taskset -c "$CPU" \
		"$TOOLS/rr" client "$IP_B" 7000 "$SECS" 1 2>&1)
	local rc=$?
	bg_stop $pid
	[ $rc = 0 ] || { echo "rr failed: $out"; return 1; }
	rec_test rr "$out" "" ""
}

# (4) iperf3 as users run it: no pinning, 1 and 4 streams (noisy).
measure_cross() {
	iperf_run x1 1 0 && iperf_run x4 4 0
}

# One extra sink run under perf, for where the time goes.
profile_sink() {
	local dir=$OUT/profile data=$WORK/perf-$SCN.data log=$LOGS/prof-sink-$SCN pid
	mkdir -p "$dir"
	bg_start timeout $((SECS + 30)) ip netns exec "$NS_B" \
		"$TOOLS/udpsink" sink 9000 $((SECS + 25)) >"$log" 2>&1
	pid=$BG_PID
	wait_ready $pid "$log" || { bg_stop $pid; return 1; }
	timeout $((SECS + 20)) perf record -q -C "$CPU" -e cpu-clock -o "$data" -- \
		timeout $((SECS + 15)) ip netns exec "$NS_A" taskset -c "$CPU" \
		"$TOOLS/udpsink" send "$IP_B" 9000 "$SECS" 64 64 >/dev/null 2>&1
	bg_stop $pid
	# Only the sender's task (and ksoftirqd): other agents share the CPU.
	timeout 120 perf report -i "$data" --comms "udpsink,ksoftirqd/$CPU" \
		--no-children --sort sym --stdio 2>/dev/null |
		grep -v '^#' | grep -v '^$' >"$dir/$SCN.txt"
	rm -f "$data"
}

# pairpath kfree_skb tracers loaded on the machine, ours included.
kdrop_progs() {
	bpftool prog show 2>/dev/null | grep -cE '^[0-9]+: .* name pairpath_kdrop( |$)'
}

# The 'tests/run.sh' processes that are our own ancestors (make test runs
# us): pgrep counts them, but they are not other test runs.
own_test_runs() {
	local pid=$PPID n=0 i
	for i in $(seq 50); do
		[[ $pid =~ ^[0-9]+$ ]] && [ "$pid" -gt 1 ] || break
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'tests/run.sh' && n=$((n + 1))
		pid=$(awk '$1 == "PPid:" { print $2 }' "/proc/$pid/status" 2>/dev/null)
	done
	echo $n
}
OWN_TEST_RUNS=$(own_test_runs)

# Build, check, measure, take down: one scenario, one repetition.
run_one() {
	local t0=$SECONDS rc msg m ours=0
	# A setup may leave key=value readings of what it built in SCN_KV.
	REASON= SCN_KV=
	if grep -q "^$SCN	" "$UNAVAIL"; then
		return 0
	fi
	rec test_runs_running "$(pgrep -c -f 'tests/run.sh')"
	rec test_runs_ours "$OWN_TEST_RUNS"
	rec loadavg_1min "$(cut -d' ' -f1 /proc/loadavg)"
	"setup_$SCN" >"$LOGS/setup-$SCN-$REP" 2>&1
	rc=$?
	if [ $rc = 2 ]; then
		printf '%s\t%s\n' "$SCN" "$REASON" >>"$UNAVAIL"
		say "$SCN: unavailable: $REASON"
		fixture_down
		return 0
	fi
	if [ $rc != 0 ] || ! check_path; then
		msg="setup or first ping failed: $(tail -n 3 "$LOGS/setup-$SCN-$REP" | tr '\n' ' ')"
		printf '%s\t%s\t%s\n' "$SCN" "$REP" "$msg" >>"$FAILS"
		say "$SCN rep $REP: FAILED: $msg"
		FAILED=$((FAILED + 1))
		fixture_down
		return 1
	fi
	[ -z "$SCN_KV" ] || rec_kv setup_ "" "$SCN_KV"
	case $SCN in pairpath_tcx|pairpath_tc|pairpath_routed) ours=1 ;; esac
	rec kdrop_progs_loaded "$(kdrop_progs)"
	rec kdrop_progs_ours "$ours"
	for m in $MEASURES; do
		# Not in a subshell: the jobs a measure starts must stay ours.
		"measure_$m" >"$LOGS/measure" 2>&1
		rc=$?
		msg=$(tr '\n' ' ' <"$LOGS/measure")
		if [ $rc != 0 ]; then
			printf '%s\t%s\t%s\n' "$SCN" "$REP" "$m: $msg" >>"$FAILS"
			say "$SCN rep $REP: $m FAILED: $msg"
			FAILED=$((FAILED + 1))
		fi
	done
	if [ "$PROFILE" = 1 ] && [ "$REP" = "$REPS" ]; then
		profile_sink >/dev/null 2>&1 || say "$SCN: profile failed"
	fi
	fixture_down
	say "$SCN rep $REP: $($PY "$PP_TOP/bench/report.py" run "$OUT" "$REP" "$SCN") ($((SECONDS - t0))s)"
}

# ---------------------------------------------------------------------- main

if [ "$WAIT_QUIET" -gt 0 ]; then
	end=$((SECONDS + WAIT_QUIET))
	while [ "$(pgrep -c -f 'tests/run.sh')" -gt "$OWN_TEST_RUNS" ] && [ $SECONDS -lt $end ]; do
		sleep 5
	done
	say "test runs at start: $(pgrep -c -f 'tests/run.sh'), $OWN_TEST_RUNS of them ours"
fi

START=$SECONDS
{
	echo "kernel=$(uname -r)"
	echo "nproc=$(nproc)"
	echo "cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "reps=$REPS"
	echo "secs=$SECS"
	echo "cpu=$CPU"
	echo "clk_tck=$(getconf CLK_TCK)"
	echo "quick=$QUICK"
	echo "scenarios=$(echo $SCENARIOS)"
	echo "measures=$(echo $MEASURES)"
	echo "pairpath=$("$PAIRPATH" --version 2>&1 | head -n 1), git $(git -C "$PP_TOP" describe --always --dirty 2>/dev/null || echo '?')"
	echo "iperf3=$(iperf3 --version 2>&1 | head -n 1)"
} >"$OUT/meta.txt"

if [ $DO_MAIN = 1 ]; then
	say "$REPS repetition(s) of: $(echo $SCENARIOS); ${SECS}s per test, one-CPU tests on CPU $CPU"
	for REP in $(seq "$REPS"); do
		for SCN in $SCENARIOS; do
			run_one
		done
	done
fi

if [ $DO_SCALE = 1 ]; then
	source "$PP_TOP/bench/scale.sh"
	scale_main $SCALE_SIZES || FAILED=$((FAILED + 1))
fi

# The chart needs gnuplot, which 'make bench' installs: without it, none.
command -v gnuplot >/dev/null ||
	say "gnuplot is not installed: no chart (make deps-bench installs gnuplot-nox)"

# The program's own cost without a network: bpf_prog_test_run, no noise
# from the stack, so the few nanoseconds between floor and pairpath show.
if [ $DO_MAIN = 1 ]; then
	"$TOOLS/progcost" $([ $QUICK = 1 ] && echo 200000) >"$OUT/progcost.txt" \
		2>"$LOGS/progcost" ||
		{ say "progcost failed: $(tail -n 3 "$LOGS/progcost")"; FAILED=$((FAILED + 1)); }
fi

# The exporter's work for one scrape: PAIRS pairs on veths of a namespace
# ppb<PID>c-h (both ends in it: only the ifindexes and names are needed),
# their records and ports, and the kernel-drop table filled to the brim.
scrape_main() {	# pairs
	local n=$1 i err=0
	fixture_up c --prefix ppb --bare || { fixture_down; return 1; }
	for ((i = 0; i < n; i++)); do
		echo "link add d${i}a type veth peer name d${i}b"
	done >"$WORK/scrape.batch"
	timeout 300 ip -n "$NS_H" -batch "$WORK/scrape.batch" >"$LOGS/scrape" 2>&1 &&
	timeout 300 ip netns exec "$NS_H" "$TOOLS/scrape" "$PIN_ROOT" "$n" 7 \
		>"$OUT/scrape.txt" 2>>"$LOGS/scrape" || err=1
	fixture_down
	[ $err = 0 ] || say "scrape failed: $(tail -n 3 "$LOGS/scrape")"
	return $err
}

if [ $DO_MAIN = 1 ]; then
	scrape_main $([ $QUICK = 1 ] && echo 100 || echo 2048) || FAILED=$((FAILED + 1))
fi

$PY "$PP_TOP/bench/report.py" "$OUT" || { say "report failed"; FAILED=$((FAILED + 1)); }
say "results in $OUT ($((SECONDS - START))s)"
if [ $FAILED != 0 ]; then
	say "$FAILED step(s) failed, see $FAILS"
	exit 1
fi
if [ $QUICK = 1 ]; then
	echo "bench: quick run ok"
else
	echo "bench: run ok"
fi
