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

# A routed map pinned by another build (here one of another size, in
# place before the first endpoint) is refused by name, and the routed
# state this command began is removed again.
test_routed_layout_refused() {
	local dir before
	rc_fixture rclay
	expect_cmd 0 "" pp attach web vethA vethB
	dir=$(pin_dir) || exit 1
	expect_cmd 0 "" pp detach web
	bpftool map create "$dir/rt_records" type hash key 64 value 8 entries 16 name rt_records ||
		fail "bpftool map create"
	before=$(ls "$dir")
	expect_cmd 1 "pairpath: pinned map 'rt_records' has another layout (key 64, value 8 bytes, 16 entries; this pairpath expects 64, 152, 4096): run 'pairpath reset'" \
		pp endpoint add ea vethA --ip 10.77.0.1
	expect_eq "$(ls "$dir")" "$before" "pins after the refused add"
	expect_eq "$(ip -n "$NS_H" route show proto 112)" "" "host routes after the refused add"
	expect_eq "$(tcx_count vethA)" 0 "hooks on vethA"
	expect_cmd 0 "" pp reset
	# Whole routed state with one map of another layout: refused by every
	# command that opens it, and what the message says to do works.
	expect_cmd 0 "" pp endpoint add ea vethA --ip 10.77.0.1
	expect_cmd 0 "" pp endpoint del ea
	dir=$(pin_dir) || exit 1
	rm "$dir/rt_records" || fail "rm rt_records"
	bpftool map create "$dir/rt_records" type hash key 64 value 8 entries 16 name rt_records ||
		fail "bpftool map create"
	expect_cmd 1 "pairpath: pinned map 'rt_records' has another layout (key 64, value 8 bytes, 16 entries; this pairpath expects 64, 152, 4096): run 'pairpath reset'" \
		pp endpoint add ea vethA --ip 10.77.0.1
	expect_cmd 0 "" pp reset
	[ -e "$PIN_ROOT" ] && fail "reset left $PIN_ROOT: $(ls -R "$PIN_ROOT")"
	return 0
}

# A host-side veth renamed under the agent is not the recorded device:
# the endpoint breaks, and since the device is still there, its host
# routes, neighbour and hook are taken off it at once.
test_routed_agent_device_renamed() {
	local dir
	rc_fixture rcren
	serve_start --agent
	expect_cmd 0 "" pp endpoint add ea vethA --ip 10.77.0.1
	expect_cmd 0 "" pp endpoint add eb vethB --ip 10.77.0.2
	dir=$(pin_dir) || exit 1
	rc_ping "before"
	ip -n "$NS_H" link set vethA name vethX || fail "rename vethA"
	bg_until 5 "$SERVE_PID" grep -q "endpoint 'ea' is broken: device 'vethA'" "$FX_TMP/serve.log" ||
		fail "the agent did not break ea: $(cat "$FX_TMP/serve.log")"
	expect_eq "$(ip -n "$NS_H" route show proto 112 dev vethX)" "" "routes left on vethX"
	expect_eq "$(ip -n "$NS_H" neigh show dev vethX nud permanent)" "" "neighbours left on vethX"
	expect_eq "$(tcx_count vethX)" 0 "hooks left on vethX"
	[ -e "$dir/eplink-ea" ] && fail "the link pin of ea is left"
	in_b ping -c 1 -W 1 10.77.0.1 >/dev/null 2>&1 && fail "B still reaches A"
	expect_cmd 0 "" pp gc
	expect_eq "$(pp endpoint list --json | $PY -c 'import json, sys; print([e["name"] for e in json.load(sys.stdin)["endpoints"]])')" \
		"['eb']" "endpoints after gc"
	# The device may become an endpoint again under its new name.
	expect_cmd 0 "" pp endpoint add ea vethX --ip 10.77.0.1
	rc_ping "again, on vethX"
	return 0
}

# Pairs and endpoints on one host, on different devices: each carries
# its own traffic, and neither takes the other's device.
test_routed_coexists_with_pairs() {
	local i out
	rc_fixture rcco
	# C and D: two more containers for the pair.
	for i in c d; do
		netns_add "$FX_ID-$i" || fail "netns $i"
		ip -n "$NS_H" link add "veth${i^^}" type veth peer name eth0 netns "$FX_ID-$i"
		ip -n "$FX_ID-$i" addr add "10.78.0.$([ $i = c ] && echo 1 || echo 2)/24" dev eth0
		ip -n "$FX_ID-$i" link set eth0 up
		ip -n "$NS_H" link set "veth${i^^}" up
	done
	fixture_settle "$NS_H" || fail "settle"
	# No ARP crosses a pair's test: the neighbours are fixed.
	ip -n "$FX_ID-c" neigh add 10.78.0.2 dev eth0 lladdr "$(rc_mac "$FX_ID-d")"
	ip -n "$FX_ID-d" neigh add 10.78.0.1 dev eth0 lladdr "$(rc_mac "$FX_ID-c")"
	expect_cmd 0 "" pp attach web vethC vethD
	expect_cmd 0 "" pp endpoint add ea vethA --ip 10.77.0.1
	expect_cmd 0 "" pp endpoint add eb vethB --ip 10.77.0.2
	expect_cmd 1 "pairpath: device 'vethC' belongs to a pair: detach it first" \
		pp endpoint add ec vethC --ip 10.77.0.3
	expect_cmd 1 "pairpath: device 'vethA' is the endpoint 'ea'" pp attach db vethA vethD
	rc_ping "endpoints beside a pair"
	out=$(ip netns exec "$FX_ID-c" ping -c 3 -i 0.2 -W 1 10.78.0.2 2>&1) || fail "the pair does not carry C to D: $out $(pp stats)"
	expect_eq "$(pp stats --json | $PY -c 'import json, sys; d = json.load(sys.stdin); print(len(d["pairs"]), [e["name"] for e in d["endpoints"]])')" \
		"1 ['ea', 'eb']" "pairs and endpoints in stats"
	return 0
}

rc_mac() {	# netns
	ip -n "$1" -j link show eth0 | $PY -c 'import json, sys; print(json.load(sys.stdin)[0]["address"])'
}

# An uplink add killed after its record (51) or its hook (52) is rolled
# back by the next command; gc removes an uplink whose device went.
test_routed_uplink_journal() {
	local K dir r
	rc_fixture rcup
	r="$FX_ID-r"
	netns_add "$r" || fail "netns r"
	ip -n "$NS_H" link add up0 type veth peer name eth0 netns "$r" || fail "up0"
	ip -n "$NS_H" link set up0 up
	expect_cmd 0 "" pp endpoint add ea vethA --ip 10.77.0.1
	dir=$(pin_dir) || exit 1
	for K in 51 52; do
		PAIRPATH_TEST_KILL_AT=$K rel_killed pp uplink add up0
		expect_eq "$?" 137 "uplink add killed after step $K: exit status"
		expect_eq "$(tcx_count up0)" $((K - 51)) "killed after step $K: hooks on up0"
		expect_eq "$(pp uplink list --json)" "{\"pin_dir\":\"$dir\",\"uplinks\":[]}" \
			"killed after step $K: uplinks listed"
		expect_cmd 0 "" pp endpoint del ea
		expect_eq "$(tcx_count up0)" 0 "killed after step $K, then a command: hooks on up0"
		[ -e "$dir/uplink-up0" ] && fail "killed after step $K: the link pin is left"
		expect_cmd 0 "" pp endpoint add ea vethA --ip 10.77.0.1
	done
	expect_cmd 0 "" pp uplink add up0
	expect_eq "$(pp uplink list)" "UPLINK          IFINDEX
up0             $(ip netns exec "$NS_H" cat /sys/class/net/up0/ifindex)" "uplink list"
	expect_cmd 1 "pairpath: device 'up0' is an uplink" pp endpoint add eu up0 --ip 10.77.0.9
	ip -n "$NS_H" link del up0 || fail "delete up0"
	expect_cmd 0 "" pp gc
	expect_eq "$(pp uplink list --json)" "{\"pin_dir\":\"$dir\",\"uplinks\":[]}" "uplinks after gc"
	[ -e "$dir/uplink-up0" ] && fail "gc left the link pin of up0"
	return 0
}

# The uplink table of an older build (layout 4: rt_uplinks a hash, no
# rt_uplinks_overflow) under a routed state of this one: refused by
# name, never completed around it, and reset removes every routed pin.
test_routed_uplink_old_layout_refused() {
	local dir
	rc_fixture rcul
	expect_cmd 0 "" pp endpoint add ea vethA --ip 10.77.0.1
	dir=$(pin_dir) || exit 1
	[ -e "$dir/rt_uplinks_overflow" ] || fail "no rt_uplinks_overflow pin"
	rm "$dir/rt_uplinks" "$dir/rt_uplinks_overflow" || fail "rm rt_uplinks"
	bpftool map create "$dir/rt_uplinks" type hash key 4 value 40 entries 64 name rt_uplinks ||
		fail "bpftool map create"
	expect_cmd 1 "pairpath: pinned map 'rt_uplinks' has another layout (key 4, value 40 bytes, 64 entries; this pairpath expects 4, 48, 256): run 'pairpath reset'" \
		pp endpoint add eb vethB --ip 10.77.0.2
	[ -e "$dir/rt_uplinks_overflow" ] && fail "the refused add pinned rt_uplinks_overflow"
	expect_cmd 0 "" pp reset
	[ -e "$PIN_ROOT" ] && fail "reset left $PIN_ROOT: $(ls -R "$PIN_ROOT")"
	# A whole state of this build: reset removes the new pin too (ea's
	# host route outlives the refused state's reset: eb, then).
	expect_cmd 0 "" pp endpoint add eb vethB --ip 10.77.0.2
	dir=$(pin_dir) || exit 1
	[ -e "$dir/rt_uplinks_overflow" ] || fail "no rt_uplinks_overflow pin after reset"
	expect_cmd 0 "" pp reset
	[ -e "$PIN_ROOT" ] && fail "reset left $PIN_ROOT: $(ls -R "$PIN_ROOT")"
	return 0
}
