# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Reliability and security, as the README promises them: upgrades that
# lose not one datagram, attach and detach that are all-or-nothing when
# the loader is killed at any step, a lock that serialises concurrent
# loaders, pairs whose devices vanish, least privilege for the pins and
# the exporter, the exporter under load, and refusal of a foreign map
# layout.
#
# Exact counts need a silent pair: the fixture without IPv6, static
# neighbour entries that keep ARP off the wire, and a bound UDP receiver
# that keeps the far side from answering with ICMP. The exporter listens
# on the loopback of the fixture's own host netns, so its port can never
# meet another test's. Everything a test starts or makes beyond the
# fixture is in lib.sh's cleanup registry, which fixture_down empties.
#
# Races that a loop would hit only now and then are forced with strace,
# which holds one loader at a chosen system call while another runs; the
# tests that need it are skipped where strace is missing.

REL_SEQ="$PP_TOP/tests/tools/rel_seq.py"
REL_SCRAPE="$PP_TOP/tests/tools/rel_scrape.py"
REL_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)

# Checks whose failure should not hide the checks after them: listed
# here and reported together by rel_soft_end.
REL_SOFT=()

rel_soft() {	# message
	echo "SOFT FAILURE: $*" >&2
	REL_SOFT+=("$*")
}

rel_soft_end() {
	[ ${#REL_SOFT[@]} -eq 0 ] && return 0
	fail "${#REL_SOFT[@]} check(s) failed (each one above), the first: ${REL_SOFT[0]}"
}

# Run a command that SIGKILLs itself; keep the shell's "Killed" notice
# out of the log, and return the command's status.
rel_killed() {	# cmd...
	( "$@" ) 2>&1 | grep -v ' Killed ' >&2
	return "${PIPESTATUS[0]}"
}

# Like expect_cmd, but a mismatch is recorded rather than ending the test.
rel_soft_cmd() {	# rc "stderr" cmd...
	local want_rc=$1 want_err=$2 err rc
	shift 2
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" != "$want_rc" ]; then
		rel_soft "'$*': exit $rc, expected $want_rc (stderr: '$err')"
	elif [ -n "$want_err" ] && [ "$err" != "$want_err" ]; then
		rel_soft "'$*': stderr '$err', expected '$want_err'"
	fi
	return 0
}

# Three echoes, three replies, A to B.
rel_ping() {	# what
	local out
	out=$(ping3 in_a 10.77.0.2) || fail "ping A -> B $1: $out"
}

# vethC and vethD in the host netns, their peers eth1 in A and B.
rel_veths_cd() {
	veth_add vethC "$NS_A" eth1 && veth_add vethD "$NS_B" eth1 || fail "vethC, vethD"
}

# Records in the pairs map, whatever their state, as "name:state": the
# key is the NUL-padded name, the state the sixth byte of the value
# (struct pp_pair: u32 pair_id, u8 mode, u8 state).
rel_records() {	# dir
	bpftool -j map dump pinned "$1/pairs" | $PY -c '
import json, sys
out = []
for e in json.load(sys.stdin):
    name = bytes(int(x, 16) for x in e["key"]).split(b"\0")[0].decode()
    out.append("%s:%d" % (name, int(e["value"][5], 16)))
print(" ".join(sorted(out)))' || echo "dump-failed"
}

# The tcx link pins in a netns directory, by name.
rel_link_pins() {	# dir
	local f out=""
	for f in "$1"/link-*; do
		[ -e "$f" ] && out+="${out:+ }${f##*/}"
	done
	echo "$out"
}

# "link_id prog_id" of a pinned tcx link.
rel_link() {	# pin
	bpftool -j link show pinned "$1" | $PY -c '
import json, sys; l = json.load(sys.stdin); print(l["id"], l["prog_id"])' || echo "link-failed"
}

# pairpath's cls_bpf filters on a device's ingress: "count handle prog_id"
# (handle and prog_id of the last one; "0 - -" when there is none).
rel_tc_filter() {	# dev
	in_h tc -j filter show dev "$1" ingress | $PY -c '
import json, sys
text = sys.stdin.read().strip()
fs = [f for f in (json.loads(text) if text else [])
      if f.get("options", {}).get("prog", {}).get("name", "").startswith("pairpath")]
print(len(fs), fs[-1]["options"]["handle"] if fs else "-",
      fs[-1]["options"]["prog"]["id"] if fs else "-")' || echo "filter-failed"
}

rel_has_clsact() {	# dev
	in_h tc qdisc show dev "$1" | grep -q '^qdisc clsact'
}

# UDP's RcvbufErrors and InErrors in a netns (/proc/net/snmp is per netns).
rel_udp_errors() {	# in_a|in_b
	$1 cat /proc/net/snmp | $PY -c '
import sys
rows = [l.split() for l in sys.stdin if l.startswith("Udp:")]
d = dict(zip(rows[0][1:], rows[1][1:]))
print(d["RcvbufErrors"], d["InErrors"])'
}

# Start a sequence receiver in B on UDP_PORT, REL_RPID; wait until it is
# bound.
rel_recv_start() {	# output file [idle secs]
	bg_start ip netns exec "$NS_B" $PY "$REL_SEQ" recv --port $UDP_PORT \
		--idle "${2:-1.5}" --timeout 60 >"$1" 2>&1
	REL_RPID=$BG_PID
	bg_until 5 "$REL_RPID" grep -qx ready "$1" || fail "receiver did not start: $(cat "$1")"
}

# ---------------------------------------------------------------------
# 1. Hitless upgrade: a paced, numbered UDP stream A -> B crosses ten
# 'upgrade web' and one 'upgrade --all' with nothing lost or reordered;
# every upgrade puts a new program behind the same hook; the counters
# carry on and count exactly the stream.

# The program id behind each device's hook, and what must not change
# across an upgrade: the tcx link ids, or the cls_bpf handles.
rel_hook_state() {	# mode dir -> "prog_a prog_b fixed"
	local la lb fa fb
	if [ "$1" = tcx ]; then
		la=$(rel_link "$2/link-web-a")
		lb=$(rel_link "$2/link-web-b")
		echo "${la#* } ${lb#* } links=${la% *},${lb% *}"
	else
		# "count handle prog_id": the program, then count/handle.
		fa=$(rel_tc_filter vethA)
		fb=$(rel_tc_filter vethB)
		la=${fa% *}
		lb=${fb% *}
		echo "${fa##* } ${fb##* } filters=${la// //},${lb// //}"
	fi
}

rel_upgrade() {	# mode
	local mode=$1 dir state0 state seen i sent rx err0 err1 d r
	fixture "ru$mode" --no-ipv6 --static-neigh
	pp attach --mode "$mode" web vethA vethB || fail "attach --mode $mode"
	dir=$(pin_dir) || exit 1
	state0=$(rel_hook_state "$mode" "$dir")
	set -- $state0
	[ "$1" = "$2" ] && [ -n "$1" ] || fail "program ids behind the hooks: $state0"
	seen=" $1 "
	echo "before: $state0"

	err0=$(rel_udp_errors in_b)
	rel_recv_start "$FX_TMP/rx"
	# 20k datagrams a second, paced in 1 ms slots, until told to stop:
	# the stream outlasts the upgrades however slow the machine is.
	bg_start ip netns exec "$NS_A" $PY "$REL_SEQ" send --to 10.77.0.2 --port $UDP_PORT \
		--rate 20000 --stop-file "$FX_TMP/stop" --secs 40 >"$FX_TMP/tx" 2>&1
	REL_TPID=$BG_PID
	sleep 0.5
	for i in $(seq 11); do
		if [ $i -le 10 ]; then
			pp upgrade web || fail "upgrade web #$i"
		else
			pp upgrade --all || fail "upgrade --all"
		fi
		state=$(rel_hook_state "$mode" "$dir")
		set -- $state
		echo "upgrade $i: $state"
		[ "$1" = "$2" ] || fail "upgrade $i: the devices run different programs: $state"
		[[ $seen == *" $1 "* ]] && fail "upgrade $i: program id $1 is not new (seen:$seen)"
		seen+="$1 "
		expect_eq "$3" "${state0##* }" "upgrade $i: the hooks themselves (must be the same ones)"
		# Spread the upgrades over the stream.
		sleep 0.25
	done
	sleep 0.3
	bg_alive "$REL_TPID" || fail "the stream ended before the upgrades did: $(cat "$FX_TMP/tx")"
	touch "$FX_TMP/stop"
	bg_wait "$REL_TPID" || fail "sender: $(cat "$FX_TMP/tx")"
	bg_wait "$REL_RPID" || fail "receiver: $(cat "$FX_TMP/rx")"
	err1=$(rel_udp_errors in_b)
	sent=$(sed -n 's/^sent=//p' "$FX_TMP/tx")
	rx=$(tail -n 1 "$FX_TMP/rx")
	echo "sent=$sent; $rx"
	# A full socket buffer in B would be a loss that is not pairpath's.
	expect_eq "$err1" "$err0" "UDP RcvbufErrors and InErrors in B"
	[ -n "$sent" ] && [ "$sent" -ge 20000 ] || fail "stream too short to cover the upgrades: sent=$sent"
	expect_eq "$rx" "received=$sent in_order=$sent gaps=0 first_gap=- max=$((sent - 1))" \
		"datagrams B received"
	expect_eq "$(pp_stat web a_to_b packets)" "$sent" "a_to_b packets"
	expect_eq "$(pp_stat web a_to_b bytes)" "$((sent * SEQ_FRAME))" "a_to_b bytes"
	expect_eq "$(pp_stat web b_to_a packets)" 0 "b_to_a packets"
	for d in a_to_b b_to_a; do
		for r in runt mtu foreign_mac pkt_type; do
			expect_eq "$(pp_stat web $d drops.$r)" 0 "$d drops.$r"
		done
	done
	expect_eq "$(pair_states)" "web:up" "status after the upgrades"
	pp detach web || fail "detach"
	return 0
}

test_rel_upgrade_tcx() { rel_upgrade tcx; }
test_rel_upgrade_tc() { rel_upgrade tc; }

# ---------------------------------------------------------------------
# 2. Crash safety: the loader SIGKILLed after every step of attach (1-7)
# and detach (11-15). A reader never shows a half-done pair, and the
# next changing command leaves all of the pair or nothing of it.

# Nothing of the pair: no record, port, link pin, hook, filter or clsact.
rel_expect_nothing() {	# mode dir what
	local mode=$1 dir=$2 what=$3 dev
	expect_eq "$(pair_states)" "" "$what: status"
	expect_eq "$(rel_records "$dir")" "" "$what: records"
	expect_eq "$(pp_port_count "$dir")" 0 "$what: port entries"
	expect_eq "$(rel_link_pins "$dir")" "" "$what: link pins"
	if [ -e "$dir/kdevs" ]; then
		expect_eq "$(map_len "$dir/kdevs")" 0 "$what: tracer device entries"
	fi
	for dev in vethA vethB; do
		expect_eq "$(tcx_count $dev)" 0 "$what: tcx programs on $dev"
		expect_eq "$(rel_tc_filter $dev)" "0 - -" "$what: cls_bpf filters on $dev"
		rel_has_clsact $dev && fail "$what: a clsact qdisc is left on $dev"
	done
	return 0
}

# All of the pair, once: record, two ports, one hook per device.
rel_expect_all() {	# mode dir what
	local mode=$1 dir=$2 what=$3 dev
	expect_eq "$(pair_states)" "web:up" "$what: status"
	expect_eq "$(rel_records "$dir")" "web:2" "$what: records"
	expect_eq "$(pp_port_count "$dir")" 2 "$what: port entries"
	for dev in vethA vethB; do
		if [ "$mode" = tcx ]; then
			expect_eq "$(tcx_count $dev)" 1 "$what: tcx programs on $dev"
		else
			# One filter, with the handle the pair's record names.
			expect_eq "$(rel_tc_filter $dev | cut -d' ' -f1-2)" \
				"1 $(printf '0x%x' "$(pair_field web dev_a.tc_handle)")" \
				"$what: cls_bpf filters on $dev"
			rel_has_clsact $dev || fail "$what: no clsact qdisc on $dev"
		fi
	done
	if [ "$mode" = tcx ]; then
		expect_eq "$(rel_link_pins "$dir")" "link-web-a link-web-b" "$what: link pins"
	else
		expect_eq "$(rel_link_pins "$dir")" "" "$what: link pins"
	fi
	return 0
}

# After a crash and what repaired it, the next attach is whole, carries
# traffic, and its detach leaves nothing.
rel_attach_again() {	# mode dir what
	expect_cmd 0 "" pp attach --mode "$1" web vethA vethB
	rel_expect_all "$1" "$2" "$3, then attach again"
	rel_ping "($3, then attach again)"
	expect_cmd 0 "" pp detach web
	rel_expect_nothing "$1" "$2" "$3, then attach and detach"
}

rel_crash_attach() {	# mode
	local mode=$1 K rc dir ports links filters what
	# Static neighbours: the probe below would otherwise leave A's entry
	# for B unresolved, and ARP would fail it (and the echoes queued on
	# it, maybe those of a later ping) some 3 s on. The pings across the
	# attaches and detaches must not depend on ARP's timers either.
	fixture "rca$mode" --static-neigh
	# The host does not forward: without the pair, A cannot reach B.
	in_a ping -c 1 -W 1 10.77.0.2 >/dev/null 2>&1 && fail "A reaches B without a pair"
	for K in 1 2 3 4 5 6 7; do
		what="attach killed after step $K"
		PAIRPATH_TEST_KILL_AT=$K rel_killed pp attach --mode "$mode" web vethA vethB
		rc=$?
		expect_eq "$rc" 137 "$what: exit status"
		dir=$(pin_dir) || exit 1
		# Readers show the whole pair or none of it.
		if [ $K -lt 7 ]; then
			expect_eq "$(pair_states)" "" "$what: status"
			expect_eq "$(pp stats --json | $PY -c 'import json, sys; print(len(json.load(sys.stdin)["pairs"]))')" \
				0 "$what: pairs in stats"
			# The journal is there for the next command: the record
			# (state attaching), then ports, then hooks, as documented.
			expect_eq "$(rel_records "$dir")" "web:1" "$what: records"
			ports=$((K >= 3 ? 2 : K - 1))
			expect_eq "$(pp_port_count "$dir")" $ports "$what: port entries"
			if [ "$mode" = tcx ]; then
				links=$([ $K -ge 5 ] && echo "link-web-a link-web-b" ||
					{ [ $K -ge 4 ] && echo link-web-a; })
				expect_eq "$(rel_link_pins "$dir")" "$links" "$what: link pins"
			else
				filters=$([ $K -ge 4 ] && echo 1 || echo 0)
				expect_eq "$(rel_tc_filter vethA | cut -d' ' -f1)" $filters \
					"$what: filters on vethA"
			fi
		else
			rel_expect_all "$mode" "$dir" "$what"
		fi
		# Odd steps: gc, which changes nothing else, rolls back alone;
		# even steps: the repeated attach rolls back and attaches.
		if [ $((K % 2)) = 1 ]; then
			expect_cmd 0 "" pp gc
			if [ $K -lt 7 ]; then
				rel_expect_nothing "$mode" "$dir" "$what, then gc"
			else
				rel_expect_all "$mode" "$dir" "$what, then gc"
			fi
		fi
		rel_attach_again "$mode" "$dir" "$what"
	done
	in_a ping -c 1 -W 1 10.77.0.2 >/dev/null 2>&1 && fail "A reaches B after the last detach"
	[ "$mode" = tc ] && rel_crash_foreign_clsact
	return 0
}

# A clsact qdisc someone else made on vethA, with a filter of theirs:
# roll-back and detach take only pairpath's filter away, never the qdisc.
rel_crash_foreign_clsact() {
	local K dir what
	in_h tc qdisc add dev vethA clsact &&
	in_h tc filter add dev vethA ingress pref 9 u32 match u32 0 0 ||
		fail "a foreign clsact and u32 filter on vethA"
	dir=$(pin_dir) || exit 1
	for K in 4 6; do
		what="attach killed after step $K, clsact not ours"
		PAIRPATH_TEST_KILL_AT=$K rel_killed pp attach --mode tc web vethA vethB
		expect_eq "$?" 137 "$what: exit status"
		expect_cmd 0 "" pp gc
		expect_eq "$(rel_tc_filter vethA)" "0 - -" "$what, then gc: pairpath filters on vethA"
		rel_has_clsact vethA || fail "$what, then gc: the foreign clsact on vethA is gone"
		expect_eq "$(in_h tc filter show dev vethA ingress | grep -c '^filter .* u32 ')" 3 \
			"$what, then gc: the foreign u32 filter's lines"
		rel_has_clsact vethB && fail "$what, then gc: pairpath's clsact on vethB is left"
	done
	expect_cmd 0 "" pp attach --mode tc web vethA vethB
	rel_ping "(foreign clsact on vethA)"
	expect_cmd 0 "" pp detach web
	expect_eq "$(rel_tc_filter vethA)" "0 - -" "after detach: pairpath filters on vethA"
	rel_has_clsact vethA || fail "after detach: the foreign clsact on vethA is gone"
	rel_has_clsact vethB && fail "after detach: pairpath's clsact on vethB is left"
	expect_eq "$(rel_records "$dir")" "" "after detach: records"
	return 0
}

# tc_made_qdisc of dev_a and dev_b in the record of web, whatever its
# state: bytes 80 and 160 of struct pp_pair (dev[] at 16, 80 bytes
# each, tc_made_qdisc at 64 in struct pp_dev).
rel_made_qdisc() {	# dir
	bpftool -j map dump pinned "$1/pairs" | $PY -c '
import json, sys
v = [int(x, 16) for x in json.load(sys.stdin)[0]["value"]]
print(v[80], v[160])' || echo "dump-failed"
}

# Lines of the u32 filters on a device's ingress or egress.
rel_u32_lines() {	# dev ingress|egress
	in_h tc filter show dev "$1" "$2" | grep -c '^filter .* u32 '
}

# A clsact is pairpath's only when its own create made it, as recorded
# right after (kill steps 8 and 9); it is removed only when no filter of
# anyone else's, at ingress or egress, is on it.
test_rel_tc_qdisc_owner() {
	local dir what
	fixture rtcq --static-neigh
	# Killed before it made any qdisc; another tool makes one since.
	what="attach killed after step 1, then a foreign clsact"
	PAIRPATH_TEST_KILL_AT=1 rel_killed pp attach --mode tc web vethA vethB
	expect_eq "$?" 137 "$what: exit status"
	dir=$(pin_dir) || exit 1
	expect_eq "$(rel_made_qdisc "$dir")" "0 0" "$what: qdiscs recorded as ours"
	in_h tc qdisc add dev vethA clsact || fail "a foreign clsact on vethA"
	expect_cmd 0 "" pp gc
	rel_has_clsact vethA || fail "$what, then gc: the foreign clsact on vethA is gone"
	expect_eq "$(rel_records "$dir")" "" "$what, then gc: records"
	in_h tc qdisc del dev vethA clsact || fail "remove the foreign clsact"
	# Killed right after making vethA's clsact: it is recorded as ours.
	what="attach killed after step 8"
	PAIRPATH_TEST_KILL_AT=8 rel_killed pp attach --mode tc web vethA vethB
	expect_eq "$?" 137 "$what: exit status"
	expect_eq "$(rel_made_qdisc "$dir")" "1 0" "$what: qdiscs recorded as ours"
	expect_eq "$(rel_tc_filter vethA)" "0 - -" "$what: pairpath filters on vethA"
	expect_cmd 0 "" pp gc
	rel_has_clsact vethA && fail "$what, then gc: pairpath's clsact on vethA is left"
	expect_eq "$(rel_records "$dir")" "" "$what, then gc: records"
	# Ours on both, but someone put an egress filter on vethB's since.
	what="attach killed after step 9, then a foreign egress filter on vethB"
	PAIRPATH_TEST_KILL_AT=9 rel_killed pp attach --mode tc web vethA vethB
	expect_eq "$?" 137 "$what: exit status"
	expect_eq "$(rel_made_qdisc "$dir")" "1 1" "$what: qdiscs recorded as ours"
	in_h tc filter add dev vethB egress pref 9 u32 match u32 0 0 ||
		fail "a foreign egress u32 filter on vethB"
	expect_cmd 0 "" pp gc
	rel_has_clsact vethA && fail "$what, then gc: pairpath's clsact on vethA is left"
	rel_has_clsact vethB || fail "$what, then gc: the clsact carrying a foreign filter is gone"
	expect_eq "$(rel_u32_lines vethB egress)" 3 "$what, then gc: the foreign filter's lines"
	expect_eq "$(rel_tc_filter vethB)" "0 - -" "$what, then gc: pairpath filters on vethB"
	# A foreign clsact with only an egress filter: used, never taken.
	what="a foreign clsact with an egress filter on vethB"
	expect_cmd 0 "" pp attach --mode tc web vethA vethB
	expect_eq "$(rel_made_qdisc "$dir")" "1 0" "$what: qdiscs recorded as ours"
	rel_ping "($what)"
	expect_cmd 0 "" pp detach web
	rel_has_clsact vethA && fail "$what, after detach: pairpath's clsact on vethA is left"
	rel_has_clsact vethB || fail "$what, after detach: the foreign clsact on vethB is gone"
	expect_eq "$(rel_u32_lines vethB egress)" 3 "$what, after detach: the foreign filter's lines"
	expect_eq "$(rel_records "$dir")" "" "$what, after detach: records"
	return 0
}

test_rel_crash_attach_tcx() { rel_crash_attach tcx; }
test_rel_crash_attach_tc() { rel_crash_attach tc; }

rel_crash_detach() {	# mode
	local mode=$1 K rc dir st what links ports
	# Static neighbours, as in rel_crash_attach: no ping may depend on
	# ARP timers running across the detaches.
	fixture "rcd$mode" --static-neigh
	for K in 11 12 13 14 15; do
		what="detach killed after step $K"
		expect_cmd 0 "" pp attach --mode "$mode" web vethA vethB
		dir=$(pin_dir) || exit 1
		PAIRPATH_TEST_KILL_AT=$K rel_killed pp detach web
		rc=$?
		expect_eq "$rc" 137 "$what: exit status"
		st=$(pair_states)
		[ "$st" = "" ] || [ "$st" = "web:up" ] ||
			fail "$what: status shows '$st', neither the whole pair nor none"
		# The journal: the record (state detaching), hooks gone first,
		# then the tracer's entries, then the ports.
		expect_eq "$(rel_records "$dir")" "web:3" "$what: records"
		ports=$([ $K -ge 15 ] && echo 0 || echo 2)
		expect_eq "$(pp_port_count "$dir")" $ports "$what: port entries"
		if [ "$mode" = tcx ]; then
			links=$([ $K = 11 ] && echo "link-web-a link-web-b" ||
				{ [ $K = 12 ] && echo link-web-b; })
			expect_eq "$(rel_link_pins "$dir")" "$links" "$what: link pins"
		else
			expect_eq "$(rel_tc_filter vethA | cut -d' ' -f1)" \
				"$([ $K = 11 ] && echo 1 || echo 0)" "$what: filters on vethA"
		fi
		if [ $((K % 2)) = 1 ]; then
			# Repeating the detach completes it. Retrying an interrupted
			# detach must succeed, as retrying an interrupted attach does.
			rel_soft_cmd 0 "" pp detach web
			rel_expect_nothing "$mode" "$dir" "$what, then detach again"
		else
			rel_attach_again "$mode" "$dir" "$what"
		fi
	done
	rel_soft_end
}

test_rel_crash_detach_tcx() { rel_crash_detach tcx; }
test_rel_crash_detach_tc() { rel_crash_detach tc; }

# The record names the hooks it made, so that status tells an operator
# which cls_bpf filter is pairpath's: handle and priority as on the device.
test_rel_tc_record() {
	local d want
	fixture rtcrec
	pp attach --mode tc web vethA vethB || fail "attach --mode tc"
	for d in a b; do
		want=$(in_h tc -j filter show dev "veth${d^^}" ingress | $PY -c '
import json, sys
fs = [f for f in json.load(sys.stdin)
      if f.get("options", {}).get("prog", {}).get("name", "").startswith("pairpath")]
print(len(fs), " ".join("%d %d" % (int(f["options"]["handle"], 16), f["pref"]) for f in fs))')
		expect_eq "1 $(pair_field web dev_$d.tc_handle) $(pair_field web dev_$d.tc_priority)" "$want" \
			"dev_$d in status: filters, tc_handle, tc_priority (as 'tc filter show' has them)"
	done
	pp detach web || fail "detach"
	return 0
}

# ---------------------------------------------------------------------
# 3. Concurrency: loaders running at once take turns on the pin root's
# lock and leave a consistent state; a held lock makes a loader wait.

# The state of p1 (vethA, vethB) and p2 (vethC, vethD): "p1 p2", "p1"...
rel_expect_pairs() {	# what pairs...
	local what=$1 want="" pins="" dev n p dir
	shift
	for p in "$@"; do
		want+="${want:+ }$p:up"
		pins+="${pins:+ }link-$p-a link-$p-b"
	done
	dir=$(pin_dir) || exit 1
	expect_eq "$(pair_states)" "$want" "$what: status"
	expect_eq "$(rel_records "$dir")" "${want//:up/:2}" "$what: records"
	expect_eq "$(pp_port_count "$dir")" $((2 * $#)) "$what: port entries"
	expect_eq "$(rel_link_pins "$dir")" "$pins" "$what: link pins"
	for dev in vethA vethB vethC vethD; do
		n=0
		case $dev in
		vethA | vethB) [[ " $* " == *" p1 "* ]] && n=1 ;;
		*) [[ " $* " == *" p2 "* ]] && n=1 ;;
		esac
		expect_eq "$(tcx_count $dev)" $n "$what: tcx programs on $dev"
	done
}

# Two commands at once; each one's exit status and stderr in the files.
rel_both() {	# "cmd1 args" "cmd2 args"
	local p1 p2
	pp $1 2>"$FX_TMP/e1" &
	p1=$!
	pp $2 2>"$FX_TMP/e2" &
	p2=$!
	wait $p1
	echo $? >"$FX_TMP/rc1"
	wait $p2
	echo $? >"$FX_TMP/rc2"
}

rel_both_ok() {	# what "cmd1" "cmd2"
	rel_both "$2" "$3"
	expect_eq "$(cat "$FX_TMP/rc1")" 0 "$1: '$2' (stderr: $(cat "$FX_TMP/e1"))"
	expect_eq "$(cat "$FX_TMP/rc2")" 0 "$1: '$3' (stderr: $(cat "$FX_TMP/e2"))"
}

# The same command twice at once: one does it, the other does nothing
# and exits 0, or fails with one line of error matching a glob pattern.
rel_same_twice() {	# what "cmd" pattern-of-the-refusal
	local rc1 rc2 e err
	rel_both "$2" "$2"
	rc1=$(cat "$FX_TMP/rc1")
	rc2=$(cat "$FX_TMP/rc2")
	echo "$1: exit $rc1, $rc2; stderr '$(cat "$FX_TMP/e1")', '$(cat "$FX_TMP/e2")'"
	[ "$rc1" = 0 ] || [ "$rc2" = 0 ] || fail "$1: neither succeeded ($rc1, $rc2)"
	for e in 1 2; do
		err=$(cat "$FX_TMP/e$e")
		case $(cat "$FX_TMP/rc$e") in
		0) ;;
		1)
			# shellcheck disable=SC2053 # $3 is a pattern
			[[ $err == $3 ]] && [ "$(echo "$err" | wc -l)" = 1 ] ||
				fail "$1: the refused one's message '$err' is not '$3'"
			;;
		*) fail "$1: exit $(cat "$FX_TMP/rc$e") (stderr: $err)" ;;
		esac
	done
}

test_rel_concurrency() {
	local r start ms lpid
	fixture rconc
	rel_veths_cd

	# Two first attaches race to make the pin root and the pinned state.
	rel_both_ok "first attaches" "attach p1 vethA vethB" "attach p2 vethC vethD"
	rel_expect_pairs "first attaches" p1 p2
	pp detach p1 || fail "detach p1"

	for r in $(seq 10); do
		rel_both_ok "round $r" "attach p1 vethA vethB" "detach p2"
		rel_expect_pairs "round $r, p1 attached and p2 detached at once" p1
		rel_both_ok "round $r" "detach p1" "attach p2 vethC vethD"
		rel_expect_pairs "round $r, p1 detached and p2 attached at once" p2
	done

	for r in 1 2 3; do
		rel_same_twice "attach p1 twice at once, round $r" "attach p1 vethA vethB" \
			"pairpath: *'p1'*"
		rel_expect_pairs "after attaching p1 twice at once" p1 p2
		rel_ping "(p1 attached twice at once)"
		rel_same_twice "detach p1 twice at once, round $r" "detach p1" \
			"pairpath: pair 'p1' does not exist"
		rel_expect_pairs "after detaching p1 twice at once" p2
	done

	# A held lock: the attach waits for it, then succeeds; a reader
	# takes no lock and answers at once.
	bg_start flock "$PIN_ROOT" -c "touch '$FX_TMP/locked'; sleep 3"
	lpid=$BG_PID
	bg_until 5 "$lpid" test -e "$FX_TMP/locked" || fail "flock did not take the lock"
	start=$(date +%s%N)
	expect_eq "$(pair_states)" "p2:up" "status while the lock is held"
	bg_alive "$lpid" || fail "status was not answered while the lock was held"
	pp attach p1 vethA vethB || fail "attach behind a held lock"
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "attach behind the lock took $ms ms"
	[ $ms -ge 2500 ] || fail "attach did not wait for the lock: $ms ms"
	bg_wait "$lpid"
	rel_expect_pairs "after the lock" p1 p2
	return 0
}

# The two windows a race falls into only now and then, opened wide and
# on purpose: strace holds one loader for a while at a chosen system call
# while another loader runs. Then the outcome is the same at every run.

# Run pairpath under strace in the background, holding the first call of
# SYSCALL for 2 s on entry; the trace, written as calls return, tells
# when the loader has passed a given point. LeakSanitizer cannot run
# under ptrace, so it is off for this one process.
rel_strace_bg() {	# syscall trace-file pairpath-args...
	local call=$1 trace=$2
	shift 2
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		bg_start strace -o "$trace" -e trace=access,newfstatat,openat,mkdir,flock \
		-e inject="$call":delay_enter=2000000:when=1 \
		"$PAIRPATH" -n "$NS_H" --pin-root "$PIN_ROOT" "$@" 2>"$trace.err"
	REL_XPID=$BG_PID
}

rel_trace_wait() {	# trace-file line-regexp what
	bg_until 5 "$REL_XPID" grep -Eq "$2" "$1" 2>/dev/null && return 0
	fail "the traced loader never got to $3: $(grep -v '^openat(AT_FDCWD, "/\(lib\|usr\|etc\|proc\|sys\)' "$1" 2>&1 | tail -n 5)"
}

rel_need_strace() {
	command -v strace >/dev/null || { echo "SKIP: strace is not installed"; exit 77; }
}

# Two first attaches on an empty pin root: one makes the root between the
# other's finding none and its mkdir. Both must succeed.
test_rel_race_first_create() {
	local trace
	rel_need_strace
	fixture rrfc
	rel_veths_cd
	trace="$FX_TMP/trace"
	# p1 finds no pin root and is held before its mkdir...
	rel_strace_bg mkdir "$trace" attach p1 vethA vethB
	rel_trace_wait "$trace" "^newfstatat\(AT_FDCWD, \"$PIN_ROOT\", 0x[0-9a-f]+, AT_SYMLINK_NOFOLLOW\) = -1 ENOENT" "finding no pin root"
	# ...while p2 makes it and attaches.
	expect_cmd 0 "" pp attach p2 vethC vethD
	bg_wait "$REL_XPID"
	expect_eq "$?" 0 "attach p1, which found no pin root (stderr: $(cat "$trace.err"))"
	expect_eq "$(pair_states)" "p1:up p2:up" "status"
	rel_ping "(p1)"
	return 0
}

# An attach waiting for the lock while reset removes the pin root: when
# its turn comes it must attach on a new root, not fail on the old one.
test_rel_race_reset() {
	local trace
	rel_need_strace
	fixture rrrs
	rel_veths_cd
	pp attach p2 vethC vethD || fail "attach p2"
	trace="$FX_TMP/trace"
	# p1 has opened the pin root to lock it, and is held before flock...
	rel_strace_bg flock "$trace" attach p1 vethA vethB
	rel_trace_wait "$trace" "^openat\(AT_FDCWD, \"$PIN_ROOT\", O_RDONLY\|O_NOFOLLOW\|O_CLOEXEC\|O_DIRECTORY\) = [0-9]" \
		"opening the pin root"
	# ...while reset takes the lock first and removes everything.
	expect_cmd 0 "" pp reset
	[ -e "$PIN_ROOT" ] && fail "reset left the pin root"
	bg_wait "$REL_XPID"
	expect_eq "$?" 0 "attach p1 after a reset took its turn (stderr: $(cat "$trace.err"))"
	expect_eq "$(pair_states)" "p1:up" "status"
	rel_ping "(p1)"
	return 0
}

# ---------------------------------------------------------------------
# 4. Vanishing devices: a veth deleted under an attached pair makes it
# broken everywhere it is reported, serve only reports it, gc removes it,
# and a device re-made under the old name never inherits it.

rel_vanish() {	# mode
	local mode=$1 dir snap out
	fixture "rv$mode" --no-ipv6 --static-neigh
	pp attach --mode "$mode" web vethA vethB || fail "attach --mode $mode"
	dir=$(pin_dir) || exit 1
	serve_start
	expect_eq "$(metric 'pairpath_pair_up{pair="web"}')" 1 "serve: pair_up while up"

	ip -n "$NS_H" link del vethB || fail "delete vethB"
	expect_eq "$(pair_states)" "web:broken" "status after vethB went"
	pp status | grep -Eq '^web +vethA +vethB +'"$mode"' +broken ' ||
		fail "status table: $(pp status)"
	expect_eq "$(pp stats --format prometheus | grep '^pairpath_pair_up{')" \
		'pairpath_pair_up{pair="web"} 0' "stats: pair_up"
	# serve reports; nothing pinned changes because of a scrape.
	snap=$(pin_snapshot) || fail "cannot take a snapshot"
	expect_eq "$(metric 'pairpath_pair_up{pair="web"}')" 0 "serve: pair_up after vethB went"
	expect_eq "$(metric 'pairpath_pairs')" 1 "serve: pairs after vethB went"
	expect_eq "$(pin_snapshot)" "$snap" "pinned state after serve's scrapes"
	expect_eq "$(pair_states)" "web:broken" "status after serve's scrapes"

	# The same name again, a new device: the stale pair stays broken.
	ip -n "$NS_H" link add vethB type veth peer name eth0 netns "$NS_B" &&
	ip -n "$NS_B" link set eth0 address $MAC_B &&
	ip -n "$NS_B" addr add 10.77.0.2/24 dev eth0 &&
	ip -n "$NS_B" link set eth0 up &&
	ip -n "$NS_H" link set vethB up || fail "re-create vethB"
	ip -n "$NS_B" neigh replace 10.77.0.1 lladdr $MAC_A dev eth0 nud permanent ||
		fail "static neighbour in B"
	expect_eq "$(pair_states)" "web:broken" "status after vethB was re-made"
	expect_eq "$(metric 'pairpath_pair_up{pair="web"}')" 0 "serve: pair_up after vethB was re-made"

	out=$(pp gc)
	expect_eq "$?" 0 "gc exit status"
	expect_eq "$out" "removed broken pair 'web' (vethA, vethB)" "gc output"
	rel_expect_nothing "$mode" "$dir" "after gc"
	expect_eq "$(metric 'pairpath_pairs')" 0 "serve: pairs after gc"
	expect_eq "$(metric 'pairpath_pair_up{pair="web"}')" absent "serve: pair_up after gc"

	# A fresh pair: counters from zero, then exactly the traffic sent.
	expect_cmd 0 "" pp attach --mode "$mode" web vethA vethB
	rel_expect_all "$mode" "$dir" "attach after gc"
	expect_eq "$(pp_stat web a_to_b packets) $(pp_stat web b_to_a packets)" "0 0" \
		"counters of the new pair"
	rel_ping "(new pair)"
	expect_eq "$(pp_stat web a_to_b packets) $(pp_stat web b_to_a packets)" "3 3" \
		"counters after three pings"
	expect_eq "$(metric 'pairpath_packets_total{pair="web",direction="b_to_a"}')" 3 \
		"serve: b_to_a packets of the new pair"
	expect_eq "$(metric 'pairpath_pair_up{pair="web"}')" 1 "serve: pair_up of the new pair"
	serve_stop
	pp detach web || fail "detach"
	return 0
}

test_rel_vanish_tcx() { rel_vanish tcx; }
test_rel_vanish_tc() { rel_vanish tc; }

# ---------------------------------------------------------------------
# 5. Least privilege: directories 0700 and pins 0600, owned by root; a
# user without privileges can neither read nor change anything, even
# with a pin root on a path it can walk to.

rel_expect_modes() {	# root
	local f bad
	bad=$(find "$1" -mindepth 0 \( -type d ! -perm 0700 \) -o \( ! -type d ! -perm 0600 \) \
		-o ! -uid 0 -o ! -gid 0)
	[ -z "$bad" ] || fail "wrong mode or owner: $(stat -c '%a %u:%g %n' $bad)"
	expect_eq "$(stat -c '%a %u %g' "$1")" "700 0 0" "pin root mode and owner"
	for f in "$1"/netns-*; do
		expect_eq "$(stat -c '%a %u %g' "$f")" "700 0 0" "netns directory mode and owner"
	done
	expect_eq "$(find "$1" -type f | wc -l)" "$(find "$1" -type f -perm 0600 -uid 0 | wc -l)" \
		"pins 0600 owned by root"
}

test_rel_least_privilege() {
	local m root dir snap ab ba out
	fixture rpriv --no-ipv6 --static-neigh
	pp attach web vethA vethB || fail "attach"
	rel_expect_modes "$PIN_ROOT"

	# A bpffs under a directory anyone may walk through: only
	# pairpath's own modes keep others out.
	m=$(mktemp -d /tmp/pairpath-rel.XXXXXX) || fail "mktemp"
	cleanup_add rm -rf "$m"
	chmod 755 "$m" && mkdir "$m/bpffs" && mount -t bpf bpf "$m/bpffs" || fail "bpffs in $m"
	cleanup_add umount "$m/bpffs"
	root="$m/bpffs/pairpath"
	pp detach web || fail "detach"
	PIN_ROOT=$root pp attach web vethA vethB || fail "attach under $root"
	rel_expect_modes "$root"
	dir=$(pin_dir "$root") || exit 1
	rel_ping "(pin root $root)"
	ab=$(PIN_ROOT=$root pp_stat web a_to_b packets)
	ba=$(PIN_ROOT=$root pp_stat web b_to_a packets)
	expect_eq "$ab $ba" "3 3" "counters after three pings"
	snap=$(pin_snapshot "$root") || fail "cannot take a snapshot"

	# As nobody, in the host netns (entering it needs privileges).
	rel_soft_cmd 1 "pairpath: pin root '$root': Permission denied" \
		in_h "${REL_NOBODY[@]}" "$PAIRPATH" --pin-root "$root" status
	rel_soft_cmd 1 "pairpath: pin root '$root': Permission denied" \
		in_h "${REL_NOBODY[@]}" "$PAIRPATH" --pin-root "$root" stats
	expect_eq "$(in_h "${REL_NOBODY[@]}" "$PAIRPATH" --pin-root "$root" status 2>/dev/null |
		grep -c web)" 0 "pairs nobody's status shows"
	expect_eq "$(in_h "${REL_NOBODY[@]}" "$PAIRPATH" --pin-root "$root" stats 2>/dev/null |
		grep -c web)" 0 "pairs nobody's stats shows"
	out=$(in_h "${REL_NOBODY[@]}" "$PAIRPATH" --pin-root "$root" attach web2 vethA vethB 2>&1 >/dev/null)
	expect_eq "$?" 1 "nobody's attach: exit status (stderr: $out)"
	[[ $out == "pairpath: "* ]] && [ "$(echo "$out" | wc -l)" = 1 ] ||
		fail "nobody's attach: not one line of error: '$out'"
	expect_cmd 1 "pairpath: detach: needs CAP_BPF and CAP_NET_ADMIN (run it as root)" \
		in_h "${REL_NOBODY[@]}" "$PAIRPATH" --pin-root "$root" detach web
	expect_cmd 1 "pairpath: upgrade: needs CAP_BPF and CAP_NET_ADMIN (run it as root)" \
		in_h "${REL_NOBODY[@]}" "$PAIRPATH" --pin-root "$root" upgrade web
	expect_cmd 1 "pairpath: gc: needs CAP_BPF and CAP_NET_ADMIN (run it as root)" \
		in_h "${REL_NOBODY[@]}" "$PAIRPATH" --pin-root "$root" gc
	expect_cmd 1 "pairpath: detach: needs CAP_BPF and CAP_NET_ADMIN (run it as root)" \
		"${REL_NOBODY[@]}" "$PAIRPATH" -n "$NS_H" --pin-root "$root" detach web
	# Readers need no capability, but cannot enter another netns either.
	expect_cmd 1 "pairpath: netns '$NS_H': cannot enter: Operation not permitted" \
		"${REL_NOBODY[@]}" "$PAIRPATH" -n "$NS_H" --pin-root "$root" status
	# The kernel itself refuses the pins, read-write and read-only.
	expect_eq "$(in_h "${REL_NOBODY[@]}" "$PPTOOL" objget "$dir/ports")" EACCES \
		"BPF_OBJ_GET of the ports pin as nobody"
	expect_eq "$(in_h "${REL_NOBODY[@]}" "$PPTOOL" objget "$dir/ports" --rdonly)" EACCES \
		"read-only BPF_OBJ_GET of the ports pin as nobody"
	expect_eq "$(in_h "${REL_NOBODY[@]}" "$PPTOOL" objget "$dir/link-web-a")" EACCES \
		"BPF_OBJ_GET of a link pin as nobody"
	expect_eq "$("$PPTOOL" objget "$dir/ports")" ok "BPF_OBJ_GET of the ports pin as root"

	# Nothing changed, and the datapath carries on.
	expect_eq "$(pin_snapshot "$root")" "$snap" "pinned state after nobody's attempts"
	rel_ping "(after nobody's attempts)"
	expect_eq "$(PIN_ROOT=$root pp_stat web a_to_b packets) $(PIN_ROOT=$root pp_stat web b_to_a packets)" \
		"$((ab + 3)) $((ba + 3))" "counters after three more pings"
	PIN_ROOT=$root pp detach web || fail "detach under $root"
	rel_soft_end
}

# ---------------------------------------------------------------------
# 6. serve runs as nobody with no capability left in any set, holds the
# maps read-only only, and still reads fresh counters at every scrape.

test_rel_serve_nocaps() {
	local f link n=0
	fixture rserve --no-ipv6 --static-neigh
	pp attach web vethA vethB || fail "attach"
	serve_start
	grep -E '^(Uid|Gid|Groups|Cap[A-Za-z]+|NoNewPrivs):' "/proc/$SERVE_PID/status"
	expect_eq "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "/proc/$SERVE_PID/status")" \
		"65534 65534 65534 65534" "serve's uids"
	expect_eq "$(awk '$1 == "Gid:" { print $2, $3, $4, $5 }' "/proc/$SERVE_PID/status")" \
		"65534 65534 65534 65534" "serve's gids"
	expect_eq "$(awk '$1 == "Groups:" { print $2 }' "/proc/$SERVE_PID/status")" "" \
		"serve's supplementary groups"
	for f in CapInh CapPrm CapEff CapBnd CapAmb; do
		expect_eq "$(awk -v f="$f:" '$1 == f { print $2 }' "/proc/$SERVE_PID/status")" \
			0000000000000000 "serve's $f"
	done
	expect_eq "$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$SERVE_PID/status")" 1 \
		"serve's no_new_privs"
	# Every BPF object it holds is a map, opened read-only (the link's
	# mode shows the file's: r-x is read, -wx or rwx would be write).
	for f in "/proc/$SERVE_PID/fd"/*; do
		link=$(readlink "$f")
		case $link in
		anon_inode:bpf-map)
			n=$((n + 1))
			expect_eq "$(stat -c %A "$f")" "lr-x------" "serve's map fd ${f##*/}"
			;;
		anon_inode:bpf*) fail "serve holds $link (fd ${f##*/})" ;;
		esac
	done
	[ $n -ge 3 ] || fail "serve holds $n map fds, expected ports, pairs and meta at least"

	expect_eq "$(metric 'pairpath_packets_total{pair="web",direction="a_to_b"}')" 0 \
		"serve: a_to_b packets before traffic"
	rel_recv_start "$FX_TMP/rx" 0.5
	in_a $PY "$REL_SEQ" send --to 10.77.0.2 --port $UDP_PORT --rate 0 --max 25 >/dev/null ||
		fail "send 25 datagrams"
	bg_wait "$REL_RPID"
	expect_eq "$(tail -n 1 "$FX_TMP/rx")" "received=25 in_order=25 gaps=0 first_gap=- max=24" \
		"datagrams B received"
	expect_eq "$(metric 'pairpath_packets_total{pair="web",direction="a_to_b"}')" 25 \
		"serve: a_to_b packets after 25 datagrams"
	expect_eq "$(metric 'pairpath_bytes_total{pair="web",direction="a_to_b"}')" \
		$((25 * SEQ_FRAME)) "serve: a_to_b bytes after 25 datagrams"
	bg_alive "$SERVE_PID" || fail "serve died"
	serve_stop
	pp detach web || fail "detach"
	return 0
}

# ---------------------------------------------------------------------
# 7. Load: the exporter answers every scrape while the datapath runs at
# full rate and while 100 pairs come and go, and its memory stays flat
# over 10,000 scrapes.

test_rel_load() {
	local c i start rx scr rss1 rss2 n
	fixture rload --no-ipv6 --static-neigh
	pp attach web vethA vethB || fail "attach"
	# 200 veths in the host netns, their peers in four containers.
	for c in 0 1 2 3; do
		netns_add "$FX_ID-c$c" || fail "netns $FX_ID-c$c"
	done
	for i in $(seq 0 199); do
		echo "link add rv$i type veth peer name e$i netns $FX_ID-c$((i % 4))"
	done >"$FX_TMP/batch"
	ip -n "$NS_H" -batch "$FX_TMP/batch" || fail "ip -batch"

	# ASan keeps freed memory in quarantine (up to 256 MiB) by design:
	# without it, the exporter's RSS is its own.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" serve_start
	bg_start ip netns exec "$NS_H" $PY "$REL_SCRAPE" until --port $SERVE_PORT \
		--stop-file "$FX_TMP/stop" --secs 55 >"$FX_TMP/scrapes" 2>&1
	REL_CPID=$BG_PID

	# (a) The datapath at full rate, bounded: 3 s of unpaced datagrams.
	rel_recv_start "$FX_TMP/rx" 1
	in_a $PY "$REL_SEQ" send --to 10.77.0.2 --port $UDP_PORT --rate 0 --secs 3 \
		>"$FX_TMP/tx" || fail "flood: $(cat "$FX_TMP/tx")"
	bg_wait "$REL_RPID"
	echo "flood: $(cat "$FX_TMP/tx"); $(tail -n 1 "$FX_TMP/rx")"
	rx=$(tail -n 1 "$FX_TMP/rx" | sed 's/^received=\([0-9]*\) .*/\1/')
	[ "$rx" -gt 1000 ] || fail "the flood did not cross: $(tail -n 1 "$FX_TMP/rx")"
	[ "$(pp_stat web a_to_b packets)" -ge "$rx" ] || fail "a_to_b packets below what B received"

	# (b) 100 pairs attached, then detached, bounded by count and time.
	start=$SECONDS
	for i in $(seq 0 99); do
		[ $((SECONDS - start)) -lt 40 ] || fail "attaching 100 pairs took over 40 s (at $i)"
		pp attach x$i rv$((2 * i)) rv$((2 * i + 1)) || fail "attach x$i"
	done
	expect_eq "$(pp_port_count "$(pin_dir)")" 202 "port entries with 101 pairs"
	expect_eq "$(metric pairpath_pairs)" 101 "serve: pairs with 101 attached"
	for i in $(seq 0 99); do
		[ $((SECONDS - start)) -lt 50 ] || fail "detaching 100 pairs took too long (at $i)"
		pp detach x$i || fail "detach x$i"
	done
	echo "100 pairs attached and detached in $((SECONDS - start)) s"
	touch "$FX_TMP/stop"
	bg_wait "$REL_CPID"
	scr=$(cat "$FX_TMP/scrapes")
	echo "during load: $scr"
	n=$(echo "$scr" | sed -n 's/^scrapes=\([0-9]*\) .*/\1/p')
	[ -n "$n" ] && [ "$n" -ge 20 ] || fail "too few scrapes during the load: $scr"
	expect_eq "$scr" "scrapes=$n ok=$n bad=0 first_bad=-" "scrapes during the load"
	expect_eq "$(pair_states)" "web:up" "status after the 100 pairs"
	expect_eq "$(rel_link_pins "$(pin_dir)")" "link-web-a link-web-b" "link pins after the 100 pairs"
	expect_eq "$(pp_port_count "$(pin_dir)")" 2 "port entries after the 100 pairs"

	# (c) Memory: 10,000 scrapes over keep-alive connections.
	scr=$(in_h $PY "$REL_SCRAPE" count --port $SERVE_PORT --count 10000 \
		--rss-pid "$SERVE_PID" --rss-at 1000,10000)
	echo "$scr"
	expect_eq "$(echo "$scr" | tail -n 1)" "scrapes=10000 ok=10000 bad=0 first_bad=-" \
		"10,000 scrapes"
	rss1=$(echo "$scr" | sed -n 's/^rss@1000=//p')
	rss2=$(echo "$scr" | sed -n 's/^rss@10000=//p')
	[ -n "$rss1" ] && [ -n "$rss2" ] || fail "no RSS readings: $scr"
	[ $((rss2 - rss1)) -lt 1024 ] ||
		fail "serve's RSS grew from $rss1 kB to $rss2 kB over 9,000 scrapes"
	bg_alive "$SERVE_PID" || fail "serve died"
	serve_stop
	pp detach web || fail "detach"
	return 0
}

# ---------------------------------------------------------------------
# 8. Layout refusal: pinned maps that say they have another layout are
# not touched by any command, which says why and changes nothing.

test_rel_layout() {
	local dir snap msg value layout
	fixture rlay --no-ipv6 --static-neigh
	rel_veths_cd
	pp attach web vethA vethB || fail "attach"
	dir=$(pin_dir) || exit 1
	# struct pp_meta: u32 layout first, then the rest kept as it is.
	value=$(bpftool -j map lookup pinned "$dir/meta" key 0 0 0 0 | $PY -c '
import json, sys
v = [int(x, 16) for x in json.load(sys.stdin)["value"]]
assert len(v) == 32, len(v)
v[0:4] = [99, 0, 0, 0]
print(" ".join(str(x) for x in v))') || fail "read meta"
	bpftool map update pinned "$dir/meta" key 0 0 0 0 value $value || fail "write meta"
	snap=$(pin_snapshot) || fail "cannot take a snapshot"
	expect_eq "$(bpftool -j map lookup pinned "$dir/meta" key 0 0 0 0 | $PY -c '
import json, sys; print(int(json.load(sys.stdin)["value"][0], 16))')" 99 "layout in meta"

	layout=$(awk '$1 == "#define" && $2 == "PP_MAP_LAYOUT" { print $3 }' "$PP_TOP/include/pairpath.h")
	msg="pairpath: pinned maps in $dir have layout 99, this pairpath reads layout $layout: use the pairpath that made them, or 'pairpath reset'"
	expect_cmd 1 "$msg" pp attach web vethA vethB
	expect_cmd 1 "$msg" pp upgrade web
	expect_cmd 1 "$msg" pp upgrade --all
	expect_cmd 1 "$msg" pp attach p2 vethC vethD
	expect_cmd 1 "$msg" pp detach web
	expect_cmd 1 "$msg" pp gc
	# Readers refuse too, rather than misread.
	expect_cmd 1 "$msg" pp status
	expect_cmd 1 "$msg" pp stats
	expect_eq "$(pin_snapshot)" "$snap" "pinned state after the refusals"
	rel_ping "(after the refusals)"

	# The way out the message offers must work: reset removes it all.
	rel_soft_cmd 0 "" pp reset
	[ -e "$PIN_ROOT" ] && rel_soft "pin root left after reset: $(ls -R "$PIN_ROOT" | tr '\n' ' ')"
	[ "$(tcx_count vethA) $(tcx_count vethB)" = "0 0" ] ||
		rel_soft "tcx programs left after reset: $(tcx_count vethA) $(tcx_count vethB)"
	rel_soft_end
}

# Pins of the same layout number and sizes but another member order (a
# build that reordered a struct without bumping PP_MAP_LAYOUT) are
# refused by their BTF, naming the map and the field.
test_rel_layout_btf() {
	local dir snap msg
	fixture rlbt --no-ipv6 --static-neigh
	rel_veths_cd
	pp attach web vethA vethB || fail "attach"
	dir=$(pin_dir) || exit 1
	"$PPTOOL" swap-fields "$dir/port_stats" || fail "cannot re-pin port_stats"
	snap=$(pin_snapshot) || fail "cannot take a snapshot"

	msg="pairpath: pinned map 'port_stats' has another layout: field 'pp_port_stats.packets' is 'bytes' there: run 'pairpath reset'"
	expect_cmd 1 "$msg" pp attach p2 vethC vethD
	expect_cmd 1 "$msg" pp detach web
	expect_cmd 1 "$msg" pp status
	expect_cmd 1 "$msg" pp stats
	expect_eq "$(pin_snapshot)" "$snap" "pinned state after the refusals"
	expect_cmd 0 "" pp reset
	[ ! -e "$dir" ] || fail "pins left after reset: $(ls "$dir" | tr '\n' ' ')"
	[ "$(tcx_count vethA) $(tcx_count vethB)" = "0 0" ] ||
		fail "tcx programs left after reset: $(tcx_count vethA) $(tcx_count vethB)"
}

# The tracer's maps are pinned state too: their BTF is checked as well.
test_rel_layout_btf_tracer() {
	local dir snap msg
	fixture rlbk --no-ipv6 --static-neigh
	pp attach web vethA vethB || fail "attach"
	dir=$(pin_dir) || exit 1
	[ -e "$dir/kdevs" ] || fail "no kdevs pin after attach"
	"$PPTOOL" swap-fields "$dir/kdevs" || fail "cannot re-pin kdevs"
	snap=$(pin_snapshot) || fail "cannot take a snapshot"

	msg="pairpath: pinned map 'kdevs' has another layout: field 'pp_kdev.pair_id' is 'side' there: run 'pairpath reset'"
	expect_cmd 1 "$msg" pp detach web
	expect_cmd 1 "$msg" pp status
	expect_eq "$(pin_snapshot)" "$snap" "pinned state after the refusals"
	expect_cmd 0 "" pp reset
	[ ! -e "$dir" ] || fail "pins left after reset: $(ls "$dir" | tr '\n' ' ')"
}
