# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The scale test, sourced by bench/run.sh (which owns the names, the
# bpffs, the logs and the cleanup trap): how long the pairpath CLI takes
# to attach and detach 1, 100, 1000 pairs, one invocation per pair and
# in one --batch run per mode, how long a scrape of them all takes, and
# how much memory the BPF objects it pins take at each size.
#
# One host netns holds 2 * N veths h0..h(2N-1); their peers c0.. are
# spread over a few container namespaces. Pair sI joins h(2I) and
# h(2I+1). Every step starts cold (pairpath reset), so the first attach
# of a step also loads and pins the program and the tracer.

SC_H="$PFX-sh"
SC_NC=4
SC_ROOT=$BPFFS/scale

sc_pp() { timeout 60 "$PAIRPATH" -n "$SC_H" --pin-root "$SC_ROOT" "$@"; }

usec_now() {
	local t=$EPOCHREALTIME
	echo "${t/./}"
}

# Make the namespaces and 2 * N veths with one ip -batch.
sc_setup() {	# VETHS
	local n=$1 i t0
	t0=$(usec_now)
	ns_add "$SC_H" || return 1
	for ((i = 0; i < SC_NC; i++)); do
		ns_add "$PFX-c$i" || return 1
	done
	for ((i = 0; i < n; i++)); do
		echo "link add h$i type veth peer name c$i netns $PFX-c$((i % SC_NC))"
	done >"$WORK/scale.batch"
	timeout 900 ip -n "$SC_H" -batch "$WORK/scale.batch" || return 1
	echo "setup,$n,0,$(($(usec_now) - t0))" >>"$SC_CSV"
}

sc_teardown() {
	local i t0
	t0=$(usec_now)
	[ -d "$SC_ROOT" ] && sc_pp reset >>"$LOGS/scale" 2>&1
	[ -e "/run/netns/$SC_H" ] && ip netns del "$SC_H"
	for ((i = 0; i < SC_NC; i++)); do
		[ -e "/run/netns/$PFX-c$i" ] && ip netns del "$PFX-c$i"
	done
	echo "teardown,0,0,$(($(usec_now) - t0))" >>"$SC_CSV"
}

# Attach N pairs one by one, measure memory, detach them one by one.
sc_step() {	# N
	local n=$1 i t0 t1 dir
	sc_pp reset >>"$LOGS/scale" 2>&1 || return 1
	for ((i = 0; i < n; i++)); do
		t0=$(usec_now)
		sc_pp attach "s$i" "h$((2 * i))" "h$((2 * i + 1))" >>"$LOGS/scale" 2>&1 || {
			echo "attach of pair $i of $n failed: $(tail -n 2 "$LOGS/scale")"
			return 1
		}
		t1=$(usec_now)
		echo "attach,$n,$i,$((t1 - t0))" >>"$SC_CSV"
	done
	dir=$(ls -d "$SC_ROOT"/netns-* 2>/dev/null | head -n 1)
	[ -n "$dir" ] || { echo "no pin directory under $SC_ROOT"; return 1; }
	$PY "$TOP/bench/report.py" memlock "$dir" "$n" >>"$SC_MEM" || return 1
	echo "$n,$(ls "$dir" | wc -l)" >>"$OUT/scale_pins.csv"
	for ((i = 0; i < n; i++)); do
		t0=$(usec_now)
		sc_pp detach "s$i" >>"$LOGS/scale" 2>&1 || {
			echo "detach of pair $i of $n failed: $(tail -n 2 "$LOGS/scale")"
			return 1
		}
		t1=$(usec_now)
		echo "detach,$n,$i,$((t1 - t0))" >>"$SC_CSV"
	done
	sc_pp reset >>"$LOGS/scale" 2>&1
}

# One locked run per batch file (attach --batch / detach --batch), in
# either mode, and how long one scrape of all N pairs takes: through
# `stats --format prometheus` and through serve's /metrics.
sc_batch_step() {	# N MODE
	local n=$1 mode=$2 i t0 t1 port pid
	sc_pp reset >>"$LOGS/scale" 2>&1 || return 1
	for ((i = 0; i < n; i++)); do
		echo "s$i h$((2 * i)) h$((2 * i + 1))"
	done >"$WORK/attach.batch"
	for ((i = 0; i < n; i++)); do
		echo "s$i"
	done >"$WORK/detach.batch"
	t0=$(usec_now)
	sc_pp attach --mode "$mode" --batch "$WORK/attach.batch" >>"$LOGS/scale" 2>&1 ||
		{ echo "attach --batch of $n pairs ($mode) failed: $(tail -n 2 "$LOGS/scale")"; return 1; }
	t1=$(usec_now)
	echo "attach_batch,$mode,$n,$((t1 - t0))" >>"$SC_BATCH"
	t0=$(usec_now)
	sc_pp stats --format prometheus >"$WORK/scrape.txt" || return 1
	t1=$(usec_now)
	echo "stats_prometheus,$mode,$n,$((t1 - t0))" >>"$SC_BATCH"
	[ "$(grep -c '^pairpath_packets_total{' "$WORK/scrape.txt")" = $((2 * n)) ] ||
		{ echo "the scrape of $n pairs lacks series"; return 1; }
	port=$((30000 + $$ % 20000))
	# Not through sc_pp: $! must be timeout itself, which passes SIGTERM on.
	timeout 60 "$PAIRPATH" -n "$SC_H" --pin-root "$SC_ROOT" serve \
		--listen 127.0.0.1:$port --user nobody >>"$LOGS/scale" 2>&1 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" && break
		sleep 0.05
	done
	# The median of five scrapes, as curl times them; each must be whole.
	for ((i = 0; i < 5; i++)); do
		curl -s -o "$WORK/metrics.txt" -w '%{http_code} %{time_total}\n' \
			"http://127.0.0.1:$port/metrics" >>"$WORK/scrapes.txt"
		[ "$(grep -c '^pairpath_packets_total{' "$WORK/metrics.txt")" = $((2 * n)) ] || {
			echo "serve's scrape of $n pairs is not whole: $(tail -n 1 "$WORK/scrapes.txt")"
			kill "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			return 1
		}
	done
	sort -k2 -n "$WORK/scrapes.txt" | sed -n 3p | awk -v m="$mode" -v n="$n" \
		'{ printf "serve_scrape,%s,%d,%d\n", m, n, $2 * 1e6 }' >>"$SC_BATCH"
	rm -f "$WORK/scrapes.txt"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	t0=$(usec_now)
	sc_pp detach --batch "$WORK/detach.batch" >>"$LOGS/scale" 2>&1 ||
		{ echo "detach --batch of $n pairs ($mode) failed: $(tail -n 2 "$LOGS/scale")"; return 1; }
	t1=$(usec_now)
	echo "detach_batch,$mode,$n,$((t1 - t0))" >>"$SC_BATCH"
	sc_pp reset >>"$LOGS/scale" 2>&1
}

# results in scale_batch.csv and a Markdown table beside it.
sc_batch_report() {
	$PY - "$SC_BATCH" >"$OUT/scale_batch.md" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
cell = {(r["op"], r["mode"], int(r["pairs"])): int(r["usec"]) for r in rows}
sizes = sorted({int(r["pairs"]) for r in rows})
print("| pairs | mode | attach --batch | detach --batch | total | per pair | stats --format prometheus | serve /metrics |")
print("|---|---|---|---|---|---|---|---|")
for n in sizes:
    for m in ("tc", "tcx"):
        a, d = cell.get(("attach_batch", m, n)), cell.get(("detach_batch", m, n))
        if a is None or d is None:
            continue
        s, h = cell.get(("stats_prometheus", m, n), 0), cell.get(("serve_scrape", m, n), 0)
        print(f"| {n} | {m} | {a/1e6:.3f} s | {d/1e6:.3f} s | {(a+d)/1e6:.3f} s | "
              f"{(a+d)/n/1e3:.2f} ms | {s/1e3:.1f} ms | {h/1e3:.1f} ms |")
PYEOF
}

scale_main() {	# SIZES...
	local max=0 n rc=0 t0 mode
	for n in "$@"; do
		[ "$n" -gt $max ] && max=$n
	done
	SC_CSV=$OUT/scale.csv
	SC_MEM=$OUT/scale_mem.csv
	echo "op,pairs,index,usec" >"$SC_CSV"
	echo "pairs,map,type,max_entries,key,value,memlock" >"$SC_MEM"
	echo "pairs,pins" >"$OUT/scale_pins.csv"
	say "scale: making $((2 * max)) veths"
	if ! sc_setup $((2 * max)) >"$LOGS/scale-setup" 2>&1; then
		say "scale: FAILED to make the veths: $(tail -n 3 "$LOGS/scale-setup")"
		sc_teardown
		return 1
	fi
	# Batches first: thousands of tcx links just detached leave the kernel
	# with RCU work that slows whatever runs next for a while.
	SC_BATCH=$OUT/scale_batch.csv
	echo "op,mode,pairs,usec" >"$SC_BATCH"
	for n in "$@"; do
		for mode in tc tcx; do
			t0=$SECONDS
			if ! sc_batch_step "$n" $mode >"$LOGS/scale-step" 2>&1; then
				say "scale: batch of $n ($mode) FAILED: $(cat "$LOGS/scale-step")"
				rc=1
				break 2
			fi
			say "scale: batch of $n pair(s), $mode ($((SECONDS - t0))s)"
		done
	done
	for n in "$@"; do
		t0=$SECONDS
		if ! sc_step "$n" >"$LOGS/scale-step" 2>&1; then
			say "scale: $n pairs FAILED: $(cat "$LOGS/scale-step")"
			rc=1
			break
		fi
		say "scale: $n pair(s) attached and detached ($((SECONDS - t0))s)"
	done
	sc_batch_report
	sc_teardown
	return $rc
}
