# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The scale test, sourced by bench/run.sh (whose fixture helpers, logs
# and exit trap it uses): how long the pairpath CLI takes
# to attach and detach 1, 100, 1000 pairs, one invocation per pair and
# in one --batch run per mode, how long a scrape of them all takes, and
# how much memory the BPF objects it pins take at each size.
#
# It records raw readings only, one line of key=value pairs each in
# scale.txt: step=calls (one CLI call per pair), step=batch (one --batch run
# and the scrapes) or step=veths, the size, and the clock (usec) read
# before and after every timed command; bench/report.py derives the rest.
#
# One host netns, a bare fixture's (ppb<PID>s-h, with its bpffs), holds
# 2 * N veths h0..h(2N-1); their peers c0.. are spread over a few
# container namespaces ppb<PID>s-c0... Pair sI joins h(2I) and h(2I+1).
# Every step starts cold (pairpath reset), so the first attach of a step
# also loads and pins the program and the tracer.

SC_NC=4

usec_now() {
	local t=$EPOCHREALTIME
	echo "${t/./}"
}

# One line of scale.txt: sc_rec KEY=VALUE...
sc_rec() {
	echo "$*" >>"$SC_TXT"
}

# Run a command, and record the clock around it: sc_timed 'FIELDS' OP CMD...
# records "FIELDS OP_start_usec=T0 OP_end_usec=T1" when CMD succeeds.
sc_timed() {
	local fields=$1 op=$2 t0 t1
	shift 2
	t0=$(usec_now)
	"$@" || return 1
	t1=$(usec_now)
	sc_rec "$fields ${op}_start_usec=$t0 ${op}_end_usec=$t1"
}

# Make the namespaces and 2 * N veths with one ip -batch. fixture_down
# undoes it: pairpath reset first, then the namespaces and the bpffs.
sc_setup() {	# VETHS
	local n=$1 i
	bench_fixture s --bare || return 1
	for ((i = 0; i < SC_NC; i++)); do
		netns_add "$FX_ID-c$i" && ipv6_off "$FX_ID-c$i" || return 1
	done
	cleanup_add pp_h reset
	for ((i = 0; i < n; i++)); do
		echo "link add h$i type veth peer name c$i netns $FX_ID-c$((i % SC_NC))"
	done >"$WORK/scale.batch"
	timeout 900 ip -n "$NS_H" -batch "$WORK/scale.batch"
}

# Attach N pairs one by one, measure memory, detach them one by one.
sc_step() {	# N
	local n=$1 i dir mem
	pp_h reset >>"$LOGS/scale" 2>&1 || return 1
	for ((i = 0; i < n; i++)); do
		sc_timed "step=calls pairs=$n index=$i" attach \
			pp_h attach "s$i" "h$((2 * i))" "h$((2 * i + 1))" >>"$LOGS/scale" 2>&1 || {
			echo "attach of pair $i of $n failed: $(tail -n 2 "$LOGS/scale")"
			return 1
		}
	done
	dir=$(ls -d "$PIN_ROOT"/netns-* 2>/dev/null | head -n 1)
	[ -n "$dir" ] || { echo "no pin directory under $PIN_ROOT"; return 1; }
	mem=$($PY "$PP_TOP/bench/report.py" memlock "$dir") || return 1
	sed "s/^/step=calls pairs=$n /" <<<"$mem" >>"$SC_TXT"
	sc_rec "step=calls pairs=$n pins=$(ls "$dir" | wc -l)"
	for ((i = 0; i < n; i++)); do
		sc_timed "step=calls pairs=$n index=$i" detach \
			pp_h detach "s$i" >>"$LOGS/scale" 2>&1 || {
			echo "detach of pair $i of $n failed: $(tail -n 2 "$LOGS/scale")"
			return 1
		}
	done
	pp_h reset >>"$LOGS/scale" 2>&1
}

# One locked run per batch file (attach --batch / detach --batch), in
# either mode, and how long one scrape of all N pairs takes: through
# `stats --format prometheus` and through serve's /metrics.
sc_batch_step() {	# N MODE
	local n=$1 mode=$2 i out fields="step=batch pairs=$1 mode=$2"
	pp_h reset >>"$LOGS/scale" 2>&1 || return 1
	for ((i = 0; i < n; i++)); do
		echo "s$i h$((2 * i)) h$((2 * i + 1))"
	done >"$WORK/attach.batch"
	for ((i = 0; i < n; i++)); do
		echo "s$i"
	done >"$WORK/detach.batch"
	sc_timed "$fields" attach_batch \
		pp_h attach --mode "$mode" --batch "$WORK/attach.batch" >>"$LOGS/scale" 2>&1 ||
		{ echo "attach --batch of $n pairs ($mode) failed: $(tail -n 2 "$LOGS/scale")"; return 1; }
	sc_timed "$fields" stats_prometheus \
		pp_h stats --format prometheus >"$WORK/scrape.txt" || return 1
	[ "$(grep -c '^pairpath_packets_total{' "$WORK/scrape.txt")" = $((2 * n)) ] ||
		{ echo "the scrape of $n pairs lacks series"; return 1; }
	# On 127.0.0.1 of the fixture's host netns, not the machine's.
	serve_up --user nobody || {
		echo "serve did not start: $(tail -n 2 "$FX_TMP/serve.log")"
		bg_stop "$SERVE_PID"
		return 1
	}
	# Five scrapes, as curl times them (the report takes the median); each
	# must be whole.
	for ((i = 0; i < 5; i++)); do
		out=$(http_get /metrics -o "$WORK/metrics.txt" \
			-w 'serve_http_code=%{http_code} serve_scrape_s=%{time_total}')
		[ "$(grep -c '^pairpath_packets_total{' "$WORK/metrics.txt")" = $((2 * n)) ] || {
			echo "serve's scrape of $n pairs is not whole: $out"
			bg_stop "$SERVE_PID"
			return 1
		}
		sc_rec "$fields index=$i $out"
	done
	bg_stop "$SERVE_PID"
	sc_timed "$fields" detach_batch \
		pp_h detach --batch "$WORK/detach.batch" >>"$LOGS/scale" 2>&1 ||
		{ echo "detach --batch of $n pairs ($mode) failed: $(tail -n 2 "$LOGS/scale")"; return 1; }
	pp_h reset >>"$LOGS/scale" 2>&1
}

scale_main() {	# SIZES...
	local max=0 n rc=0 t0 mode
	for n in "$@"; do
		[ "$n" -gt $max ] && max=$n
	done
	SC_TXT=$OUT/scale.txt
	: >"$SC_TXT"
	# What an older run.sh wrote instead: derived, and now stale.
	rm -f "$OUT/scale.csv" "$OUT/scale_batch.csv" "$OUT/scale_batch.md" "$OUT/scale_mem.csv" \
		"$OUT/scale_pins.csv"
	say "scale: making $((2 * max)) veths"
	if ! sc_timed "step=veths veths=$((2 * max))" setup sc_setup $((2 * max)) \
		>"$LOGS/scale-setup" 2>&1; then
		say "scale: FAILED to make the veths: $(tail -n 3 "$LOGS/scale-setup")"
		fixture_down
		return 1
	fi
	# Batches first: thousands of tcx links just detached leave the kernel
	# with RCU work that slows whatever runs next for a while.
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
	sc_timed "step=veths" teardown fixture_down
	return $rc
}
