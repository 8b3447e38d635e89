# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Routed mode's journal (control/endpoint.h): an endpoint add or del
# killed after every step leaves a record that gc or the next command
# rolls back, and what was made is exactly what the step says; a device
# deleted under the agent breaks its endpoint and gc removes it. The
# fixture's A and B have /32 addresses behind the 169.254.1.1 gateway;
# IPv6 is off, so that nothing but what a test sends crosses.

rc_fixture() {	# tag
	fixture "$1" --no-ipv6 --len 32 --settle
	local ns
	for ns in "$NS_A" "$NS_B"; do
		ip -n "$ns" route add 169.254.1.1 dev eth0 scope link || fail "gateway route in $ns"
		ip -n "$ns" route add default via 169.254.1.1 dev eth0 || fail "default route in $ns"
	done
}

# What of endpoint ea (vethA, 10.77.0.1) exists: its record's state, its
# hook, its link pin, its host route and neighbour. One word each.
rc_parts() {	# dir
	local recs link route neigh
	recs=$(bpftool -j map dump pinned "$1/rt_records" 2>/dev/null |
		$PY -c 'import json, sys; print(" ".join(str(e["formatted"]["value"]["state"]) for e in json.load(sys.stdin) if e["formatted"]["key"]["name"] == "ea"))')
	link=$([ -e "$1/eplink-ea" ] && echo pin || echo nopin)
	route=$(ip -n "$NS_H" route show 10.77.0.1/32 proto 112 dev vethA | wc -l)
	neigh=$(ip -n "$NS_H" neigh show 10.77.0.1 dev vethA nud permanent | wc -l)
	echo "rec:${recs:-none} tcx:$(tcx_count vethA) $link route:$route neigh:$neigh"
}

rc_nothing() {	# dir what
	expect_eq "$(rc_parts "$1")" "rec:none tcx:0 nopin route:0 neigh:0" "$2: what is left of ea"
	expect_eq "$(pp endpoint list --json | $PY -c 'import json, sys; print([e["name"] for e in json.load(sys.stdin)["endpoints"]])')" \
		"['eb']" "$2: endpoints listed"
}

rc_all() {	# dir what
	expect_eq "$(rc_parts "$1")" "rec:2 tcx:1 pin route:1 neigh:1" "$2: the parts of ea"
}

rc_ping() {	# what
	ping3 in_a 10.77.0.2 >/dev/null || fail "$1: A does not reach B"
}

# The records' numbers are those of enum rt_record_state.
test_routed_crash_add() {
	local K rc dir what want
	rc_fixture rcadd
	expect_cmd 0 "" pp endpoint add eb vethB --ip 10.77.0.2
	dir=$(pin_dir) || exit 1
	for K in 31 32 33 34 35 36; do
		what="endpoint add killed after step $K"
		PAIRPATH_TEST_KILL_AT=$K rel_killed pp endpoint add ea vethA --ip 10.77.0.1
		rc=$?
		expect_eq "$rc" 137 "$what: exit status"
		# 31 the record, 32 the table entry, 33 the hook, 34 the route
		# and neighbour, 35 the addresses, 36 the record live.
		case $K in
		31 | 32) want="rec:1 tcx:0 nopin route:0 neigh:0" ;;
		33) want="rec:1 tcx:1 pin route:0 neigh:0" ;;
		34 | 35) want="rec:1 tcx:1 pin route:1 neigh:1" ;;
		36) want="rec:2 tcx:1 pin route:1 neigh:1" ;;
		esac
		expect_eq "$(rc_parts "$dir")" "$want" "$what: the parts of ea"
		# An unfinished endpoint is never shown, nor delivered to.
		if [ $K -lt 36 ]; then
			expect_eq "$(pp endpoint list --json | $PY -c 'import json, sys; print([e["name"] for e in json.load(sys.stdin)["endpoints"]])')" \
				"['eb']" "$what: endpoints listed"
		fi
		# Odd steps: gc rolls back alone; even: the next add does.
		if [ $((K % 2)) = 1 ] && [ $K -lt 36 ]; then
			expect_cmd 0 "" pp gc
			rc_nothing "$dir" "$what, then gc"
		fi
		if [ $K -lt 36 ]; then
			expect_cmd 0 "" pp endpoint add ea vethA --ip 10.77.0.1
		fi
		rc_all "$dir" "$what, then add"
		rc_ping "$what, then add"
		expect_cmd 0 "" pp endpoint del ea
		rc_nothing "$dir" "$what, then del"
		in_a ping -c 1 -W 1 10.77.0.2 >/dev/null 2>&1 && fail "$what: A reaches B without its endpoint"
	done
	return 0
}

test_routed_crash_del() {
	local K rc dir what want
	rc_fixture rcdel
	expect_cmd 0 "" pp endpoint add eb vethB --ip 10.77.0.2
	dir=$(pin_dir) || exit 1
	for K in 41 42 43 44 45; do
		what="endpoint del killed after step $K"
		expect_cmd 0 "" pp endpoint add ea vethA --ip 10.77.0.1
		PAIRPATH_TEST_KILL_AT=$K rel_killed pp endpoint del ea
		rc=$?
		expect_eq "$rc" 137 "$what: exit status"
		# 41 the record deleting, 42 the addresses withdrawn, 43 the
		# routes, 44 the hook, 45 the table entry.
		case $K in
		41 | 42) want="rec:3 tcx:1 pin route:1 neigh:1" ;;
		43) want="rec:3 tcx:1 pin route:0 neigh:0" ;;
		44 | 45) want="rec:3 tcx:0 nopin route:0 neigh:0" ;;
		esac
		expect_eq "$(rc_parts "$dir")" "$want" "$what: the parts of ea"
		# From step 42 on nothing is delivered to it: its addresses went first.
		if [ $K -ge 42 ]; then
			in_b ping -c 1 -W 1 10.77.0.1 >/dev/null 2>&1 && fail "$what: B still reaches A"
		fi
		if [ $((K % 2)) = 1 ]; then
			expect_cmd 0 "" pp gc
		else
			expect_cmd 0 "" pp endpoint del ea
		fi
		rc_nothing "$dir" "$what, then the next command"
	done
	return 0
}

# The agent breaks an endpoint whose device is deleted: its addresses
# are withdrawn, its exporter shows it down, and gc removes the rest. An
# endpoint added after the agent started, with routed mode's maps made
# then, reaches the exporter too (a new child, which has them).
test_routed_agent_device_gone() {
	local dir out
	rc_fixture rcag
	serve_start --agent
	expect_cmd 0 "" pp endpoint add ea vethA --ip 10.77.0.1
	expect_cmd 0 "" pp endpoint add eb vethB --ip 10.77.0.2
	dir=$(pin_dir) || exit 1
	rc_ping "before"
	bg_until 5 "$SERVE_PID" rc_metric_is 'pairpath_endpoint_up{endpoint="ea"}' 1 ||
		fail "the agent's exporter never saw ea: $(cat "$FX_TMP/serve.log")"
	ip -n "$NS_H" link del vethA || fail "delete vethA"
	bg_until 5 "$SERVE_PID" rc_metric_is 'pairpath_endpoint_up{endpoint="ea"}' 0 ||
		fail "the exporter still has ea up: $(cat "$FX_TMP/serve.log")"
	grep -q "endpoint 'ea' is broken: device 'vethA'" "$FX_TMP/serve.log" ||
		fail "the agent did not say it broke ea: $(cat "$FX_TMP/serve.log")"
	out=$(pp endpoint list)
	[[ $out == *"ea "*" broken"* ]] || fail "ea not shown broken: $out"
	expect_eq "$(metric 'pairpath_endpoint_up{endpoint="eb"}')" 1 "eb up"
	# Its address was withdrawn: B's frames for it are not local any more.
	in_b ping -c 1 -W 1 10.77.0.1 >/dev/null 2>&1
	expect_eq "$(pp stats --format prometheus | grep '^pairpath_endpoint_handovers_total{endpoint="eb",reason="not_local"}')" \
		'pairpath_endpoint_handovers_total{endpoint="eb",reason="not_local"} 1' "eb's frame to ea"
	expect_cmd 0 "" pp gc
	expect_eq "$(pp endpoint list --json | $PY -c 'import json, sys; print([e["name"] for e in json.load(sys.stdin)["endpoints"]])')" \
		"['eb']" "endpoints after gc"
	[ -e "$dir/eplink-ea" ] && fail "the link pin of ea is left"
	return 0
}

rc_metric_is() {	# name value
	[ "$(metric "$1")" = "$2" ]
}
