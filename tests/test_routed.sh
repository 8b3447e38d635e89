# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Routed mode end to end (issue 11): containers on one host, and on two
# nodes, through routed_ingress on every host-side veth and
# routed_uplink on the uplinks. The fixture (tests/routed_fixture.sh):
# H with containers c1..cN (10.88.0.N/32, fd88::N/128, the link-local
# gateway), a router netns R behind H for the outside.
#
# Counts are exact: nothing but the test's own frames is delivered
# between containers. DAD, MLD and router solicitations from the
# containers are handed to the host (and never counted in packets or
# bytes), and the H-R link has static neighbours.

source "$PP_TOP/tests/routed_fixture.sh"

RT_XFER="$PP_TOP/tests/tools/xfer.py"
RT_UDP="$PP_TOP/tests/tools/st_udp.py"
RT_XFER_BYTES=$((4 << 20))

# A ping that must not be answered but bring back the kernel's ICMP
# error, and that line exactly: rt_expect_icmp I "LINE" [ping options] ADDR
rt_expect_icmp() {
	local i=$1 want=$2 out
	shift 2
	out=$(rf_in "$i" ping -c 1 -W 2 "$@" 2>&1) && fail "c$i: ping $* answered: $out"
	grep -qxF -- "$want" <<<"$out" || fail "c$i: ping $*: no line '$want' in:
$out"
	[[ $out == *"1 packets transmitted, 0 received, +1 errors"* ]] ||
		fail "c$i: ping $*: $out"
}

# From c1, the host's answers to a TTL (hop limit) of 1 for container
# T, and to one byte more than container M's MTU of 1280 with DF: 1253
# + 8 + 20 = 1281 and 1233 + 8 + 40 = 1281.
rt_expect_host_icmp() {	# t m
	rt_expect_icmp 1 "From $RF_H4 icmp_seq=1 Time to live exceeded" -t 1 "${RF_IP4[$1]}"
	rt_expect_icmp 1 "From $RF_H6 icmp_seq=1 Time exceeded: Hop limit" -6 -t 1 "${RF_IP6[$1]}"
	rt_expect_icmp 1 "From $RF_H4 icmp_seq=1 Frag needed and DF set (mtu = 1280)" \
		-M do -s 1253 "${RF_IP4[$2]}"
	rt_expect_icmp 1 "From $RF_H6 icmp_seq=1 Packet too big: mtu=1280" \
		-6 -M do -s 1233 "${RF_IP6[$2]}"
}

# 4 MiB of TCP from container I to container J's IPv4 address (with -6
# its IPv6 one), hashed at both ends; ends the test unless both saw the
# same bytes.
rt_xfer() {	# i j [port] [-6]
	local i=$1 j=$2 port=${3:-5001} srv cli addr=${RF_IP4[$2]}
	[ "${4:-}" = -6 ] && addr=${RF_IP6[$2]}
	bg_start ip netns exec "${RF_NS[$j]}" timeout 30 $PY "$RT_XFER" server \
		--bind "$addr" --port "$port" --timeout 20 >"$FX_TMP/srv-$j" 2>&1
	srv=$BG_PID
	cli=$(rf_in "$i" timeout 30 $PY "$RT_XFER" client --host "$addr" \
		--port "$port" --bytes $RT_XFER_BYTES --timeout 20 2>&1) ||
		fail "client c$i -> c$j: $cli"
	bg_wait $srv || fail "server in c$j: $(cat "$FX_TMP/srv-$j")"
	expect_eq "${cli%% *}" "bytes=$RT_XFER_BYTES" "c$i -> c$j bytes sent"
	expect_eq "$(cat "$FX_TMP/srv-$j")" "$cli" "c$i -> c$j bytes and sha256 received"
}

# The lladdr and flags of a container's neighbour entry: "MAC router"...
rt_neigh() {	# i [-6] addr
	local i=$1
	shift
	rf_in "$i" ip "$@" dev eth0 | awk '{
		for (k = 1; k < NF; k++) if ($k == "lladdr") m = $(k + 1)
		r = ($0 ~ / router /) ? " router" : ""
		print m r }'
}

# 0. The fixture is right: without pairpath nobody answers for the
# gateway; a Calico-style kernel router (proxy ARP and NDP, /32 and
# /128 routes) carries all of it. The ICMP lines the later tests expect
# of the host are the ones it prints here.
test_routed_fixture_kernel_routing() {
	rf_up kr 4 --no-endpoints --forwarding --mtu 2:1280
	rf_expect_no_ping 1 "${RF_IP4[2]}"
	rf_in 1 ip neigh flush dev eth0
	rf_kernel_routing || fail "kernel routing"
	ip -n "$NS_H" route change "${RF_IP4[2]}/32" dev rv2 scope link mtu 1280 &&
		ip -n "$NS_H" -6 route change "${RF_IP6[2]}/128" dev rv2 mtu 1280 ||
		fail "route mtu 1280 for c2"
	rf_all_pairs_ping
	rf_expect_ping 1 $RF_OUT4
	rf_expect_ping 1 -6 $RF_OUT6
	rt_expect_host_icmp 3 2
}

# 1. All pairs of four containers, IPv4 and IPv6, with forwarding off;
# with forwarding on, the host's forwarding counters do not move for
# them, and do for what it does forward.
test_routed_all_pairs_ping() {
	local i f4 f6
	rf_up ap 4
	rf_all_pairs_ping
	# Each sent an echo to each of the 3 others and answered theirs, in
	# both families: 6 frames of 98 bytes and 6 of 118 each way.
	for i in 1 2 3 4; do
		rf_expect_ep_counts "c$i" from 12 $((6 * RF_PING4_FRAME + 6 * RF_PING6_FRAME))
		rf_expect_ep_counts "c$i" to 12 $((6 * RF_PING4_FRAME + 6 * RF_PING6_FRAME))
	done
	rf_forwarding on || fail "forwarding on"
	f4=$(rf_fwd4)
	f6=$(rf_fwd6)
	rf_all_pairs_ping
	expect_eq "$(rf_fwd4)" "$f4" "H IpForwDatagrams after local traffic"
	expect_eq "$(rf_fwd6)" "$f6" "H Ip6OutForwDatagrams after local traffic"
	# The counters are read right: an echo to the outside and its reply.
	rf_expect_ping 1 $RF_OUT4
	rf_expect_ping 1 -6 $RF_OUT6
	expect_eq "$(rf_fwd4)" $((f4 + 2)) "H IpForwDatagrams after a ping to R"
	expect_eq "$(rf_fwd6)" $((f6 + 2)) "H Ip6OutForwDatagrams after a ping6 to R"
	for i in 1 2 3 4; do
		rf_expect_ep_counts "c$i" from 24 $((12 * RF_PING4_FRAME + 12 * RF_PING6_FRAME))
	done
}

# 2. ARP for 169.254.1.1 and NS for fe80::1 are answered by the program:
# the host's ARP input and the veths' ICMPv6 counters never see them.
test_routed_gateway_answered_by_program() {
	local ns1 ns2 i ll
	rf_up gw 4
	rf_h nft add table arp rtgw &&
		rf_h nft add chain arp rtgw in '{ type filter hook input priority 0; }' &&
		rf_h nft add rule arp rtgw in counter || fail "nft arp counter in H"
	# After DAD (which the program never answers: rf_up checked that
	# none failed): what the host has counted so far.
	ns1=$(rf_snmp "$NS_H" /proc/net/dev_snmp6/rv1 Icmp6InNeighborSolicits)
	ns2=$(rf_snmp "$NS_H" /proc/net/dev_snmp6/rv2 Icmp6InNeighborSolicits)
	expect_eq "$(rf_in 1 ip neigh show 169.254.1.1 dev eth0)" "" "c1's gateway entry before"
	rf_expect_ping 1 "${RF_IP4[2]}"
	rf_expect_ping 1 -6 "${RF_IP6[2]}"
	for i in 1 2; do
		expect_eq "$(rt_neigh $i neigh show 169.254.1.1)" "${RF_HMAC[$i]}" "c$i's 169.254.1.1"
		# The NA had the router flag.
		expect_eq "$(rt_neigh $i -6 neigh show fe80::1)" "${RF_HMAC[$i]} router" "c$i's fe80::1"
	done
	expect_eq "$(rf_h nft list chain arp rtgw in | grep -o 'counter packets [0-9]* bytes [0-9]*')" \
		"counter packets 0 bytes 0" "ARP frames at H's arp input"
	expect_eq "$(rf_snmp "$NS_H" /proc/net/dev_snmp6/rv1 Icmp6InNeighborSolicits)" "$ns1" \
		"rv1 Icmp6InNeighborSolicits"
	expect_eq "$(rf_snmp "$NS_H" /proc/net/dev_snmp6/rv2 Icmp6InNeighborSolicits)" "$ns2" \
		"rv2 Icmp6InNeighborSolicits"
	for i in 1 2; do
		rf_expect_ep answers_total "c$i" protocol arp 1
		rf_expect_ep answers_total "c$i" protocol nd 1
	done
	rf_expect_ep answers_total c3 protocol arp 0
	rf_expect_ep answers_total c3 protocol nd 0
	# The counters do count what reaches H. Link-local traffic is the
	# host's, not spoofing: c1 resolves and pings rv1's own address, one
	# NS that the program hands over.
	ll=$(ip -n "$NS_H" -6 -o addr show dev rv1 scope link | awk '{ print $4 }')
	rf_expect_ping 1 -6 "${ll%/*}%eth0"
	expect_eq "$(rf_snmp "$NS_H" /proc/net/dev_snmp6/rv1 Icmp6InNeighborSolicits)" $((ns1 + 1)) \
		"rv1 Icmp6InNeighborSolicits after a ping to rv1's link-local address"
	rf_expect_ep drops_total c1 reason spoofed 0
	rf_expect_ep answers_total c1 protocol nd 1
	# And the nft counter an ARP reply from R.
	ip -n "$NS_H" neigh del $RF_R4 dev up0 || fail "H's neighbour R"
	rf_h ping -c 1 -W 2 $RF_R4 >/dev/null || fail "H ping R"
	[ "$(rf_h nft list chain arp rtgw in | grep -o 'counter packets [0-9]*' |
		grep -o '[0-9]*$')" -ge 1 ] || fail "the nft arp counter counts nothing"
}

# 3. TCP between containers, hashed at both ends; GSO packets pass the
# MTU rule by their segments, and no forwarding is needed.
test_routed_tcp_checksum() {
	local n p
	rf_up tcp 4
	rt_xfer 1 2 5001
	rt_xfer 4 3 5002
	rt_xfer 2 3 5003 -6
	n=$(rf_metric 'pairpath_endpoint_bytes_total{endpoint="c1",direction="from"}')
	p=$(rf_metric 'pairpath_endpoint_packets_total{endpoint="c1",direction="from"}')
	[ "$n" -ge $RT_XFER_BYTES ] 2>/dev/null || fail "c1 from bytes: '$n'"
	[ $((n / p)) -gt 1514 ] || fail "c1 from: $n bytes in $p packets, no GSO seen"
	rf_expect_ep handovers_total c1 reason mtu 0
	rf_expect_ep handovers_total c4 reason mtu 0
	rf_expect_ep drops_total c1 reason malformed 0
}

# 4. TTL expiry and oversize frames go to the host, whose ICMP answers
# where forwarding is on; a frame of exactly the MTU is delivered.
test_routed_ttl_and_mtu_handed_over() {
	rf_up ttl 4 --forwarding --mtu 2:1280
	rt_expect_host_icmp 2 2
	rf_expect_ep handovers_total c1 reason ttl 2
	rf_expect_ep handovers_total c1 reason mtu 2
	rf_expect_ep_counts c1 from 0 0
	rf_expect_ep_counts c2 to 0 0
	rf_expect_ep_counts c2 from 0 0
	# 1280 exactly is delivered, and so are the replies (c1's MTU is 1500).
	rf_expect_ping 1 -M do -s 1252 "${RF_IP4[2]}"
	rf_expect_ping 1 -6 -M do -s 1232 "${RF_IP6[2]}"
	rf_expect_ep_counts c1 from 2 $((2 * (14 + 1280)))
	rf_expect_ep_counts c2 to 2 $((2 * (14 + 1280)))
	rf_expect_ep_counts c2 from 2 $((2 * (14 + 1280)))
	rf_expect_ep handovers_total c1 reason mtu 2
	rf_expect_ep handovers_total c2 reason mtu 0
	# Where forwarding is off the host stays silent: handed over all the
	# same, and nothing answers.
	rf_forwarding off || fail "forwarding off"
	rf_expect_no_ping 1 -t 1 "${RF_IP4[3]}"
	rf_expect_ep handovers_total c1 reason ttl 3
}

# 5. A source address not the sender's (another endpoint's) is dropped
# and counted; forwarding on, so the host would have delivered it.
test_routed_spoofed_dropped() {
	local out
	rf_up sp 4 --forwarding
	rf_in 1 ip addr add "${RF_IP4[3]}/32" dev eth0 &&
		rf_in 1 ip -6 addr add "${RF_IP6[3]}/128" dev eth0 nodad || fail "c3's addresses in c1"
	out=$(rf_in 1 ping -c 3 -i 0.2 -W 1 -I "${RF_IP4[3]}" "${RF_IP4[2]}" 2>&1)
	[[ $out == *"3 packets transmitted, 0 received"* ]] || fail "spoofed ping: $out"
	out=$(rf_in 1 ping -6 -c 3 -i 0.2 -W 1 -I "${RF_IP6[3]}" "${RF_IP6[2]}" 2>&1)
	[[ $out == *"3 packets transmitted, 0 received"* ]] || fail "spoofed ping6: $out"
	rf_expect_ep drops_total c1 reason spoofed 6
	rf_expect_ep_counts c1 from 0 0
	rf_expect_ep_counts c2 to 0 0
	expect_eq "$(rf_snmp "${RF_NS[2]}" /proc/net/snmp Icmp:InEchos)" 0 "c2 Icmp InEchos"
	expect_eq "$(rf_snmp "${RF_NS[2]}" /proc/net/snmp6 Icmp6InEchos)" 0 "c2 Icmp6InEchos"
	expect_eq "$(rf_snmp "${RF_NS[3]}" /proc/net/snmp Icmp:InEchoReps)" 0 "c3 Icmp InEchoReps"
	# Its own address still goes.
	rf_expect_ping 1 -I "${RF_IP4[1]}" "${RF_IP4[2]}"
	rf_expect_ping 1 -6 -I "${RF_IP6[1]}" "${RF_IP6[2]}"
	rf_expect_ep_counts c1 from 2 $((RF_PING4_FRAME + RF_PING6_FRAME))
	rf_expect_ep drops_total c1 reason spoofed 6
}

# 6. An address outside the host goes through the host stack to R, where
# forwarding is on; the program delivers none of it either way.
test_routed_outside_via_host() {
	local f4 f6
	rf_up out 2
	rf_expect_no_ping 1 $RF_OUT4
	rf_expect_ep handovers_total c1 reason not_local 1
	rf_forwarding on || fail "forwarding on"
	f4=$(rf_fwd4)
	f6=$(rf_fwd6)
	rf_expect_ping 1 -c 3 $RF_OUT4
	rf_expect_ping 1 -c 3 -6 $RF_OUT6
	rf_expect_ep handovers_total c1 reason not_local 7
	# 3 echoes out and 3 replies back, in each family.
	expect_eq "$(rf_fwd4)" $((f4 + 6)) "H IpForwDatagrams"
	expect_eq "$(rf_fwd6)" $((f6 + 6)) "H Ip6OutForwDatagrams"
	# The first, with forwarding off, never left H.
	expect_eq "$(rf_snmp "$NS_R" /proc/net/snmp Icmp:InEchos)" 3 "R Icmp InEchos"
	rf_expect_ep_counts c1 from 0 0
	rf_expect_ep_counts c1 to 0 0
}

# 7. endpoint del takes effect at once: the next ping fails, its routes,
# neighbours and hook are gone, the others go on; re-added, it works.
test_routed_endpoint_del_immediate() {
	local dir
	rf_up del 4
	rf_expect_ping 1 "${RF_IP4[2]}"
	rf_expect_ping 1 -6 "${RF_IP6[2]}"
	[[ $(ip -n "$NS_H" route show "${RF_IP4[2]}/32") == *"dev rv2 "* ]] ||
		fail "H route to c2: $(ip -n "$NS_H" route show "${RF_IP4[2]}/32")"
	[[ $(ip -n "$NS_H" -6 route show "${RF_IP6[2]}/128") == *"dev rv2 "* ]] ||
		fail "H route6 to c2: $(ip -n "$NS_H" -6 route show "${RF_IP6[2]}/128")"
	expect_eq "$(ip -n "$NS_H" neigh show "${RF_IP4[2]}" dev rv2)" \
		"${RF_IP4[2]} lladdr ${RF_MAC[2]} PERMANENT " "H neighbour c2"
	expect_eq "$(ip -n "$NS_H" -6 neigh show "${RF_IP6[2]}" dev rv2)" \
		"${RF_IP6[2]} lladdr ${RF_MAC[2]} PERMANENT " "H neighbour6 c2"
	dir=$(pin_dir) || exit 1
	[ -e "$dir/eplink-c2" ] || fail "no eplink-c2 pin: $(ls "$dir")"
	expect_eq "$(tcx_count rv2)" 1 "tcx programs on rv2"

	pp endpoint del c2 || fail "endpoint del c2"
	rf_expect_no_ping 1 "${RF_IP4[2]}"
	rf_expect_no_ping 1 -6 "${RF_IP6[2]}"
	rf_expect_no_ping 2 "${RF_IP4[1]}"
	rf_expect_ep handovers_total c1 reason not_local 2
	expect_eq "$(ip -n "$NS_H" route show "${RF_IP4[2]}/32")" "" "H route to c2"
	expect_eq "$(ip -n "$NS_H" -6 route show "${RF_IP6[2]}/128")" "" "H route6 to c2"
	expect_eq "$(ip -n "$NS_H" neigh show "${RF_IP4[2]}" dev rv2)" "" "H neighbour c2"
	expect_eq "$(ip -n "$NS_H" -6 neigh show "${RF_IP6[2]}" dev rv2)" "" "H neighbour6 c2"
	[ ! -e "$dir/eplink-c2" ] || fail "eplink-c2 pin left"
	expect_eq "$(tcx_count rv2)" 0 "tcx programs on rv2"
	expect_eq "$(rf_endpoint_names)" "c1 c3 c4" "endpoints"
	expect_eq "$(rf_metric 'pairpath_endpoint_up{endpoint="c2"}')" absent "c2's up metric"
	rf_expect_ping 1 "${RF_IP4[3]}"
	rf_expect_ping 3 -6 "${RF_IP6[4]}"
	rf_expect_ping 4 "${RF_IP4[1]}"

	rf_endpoint_add 2
	rf_expect_ping 1 "${RF_IP4[2]}"
	rf_expect_ping 2 -6 "${RF_IP6[1]}"
	rf_expect_ep_counts c2 to 2 $((RF_PING4_FRAME + RF_PING6_FRAME))
}

# 8. Exact counters for known bursts, through stats and the exporter.
test_routed_exact_counters() {
	local i s out
	rf_up cnt 4
	for i in 1 2 3 4; do
		rf_expect_ep_counts "c$i" to 0 0
		rf_expect_ep_counts "c$i" from 0 0
		rf_expect_ep drops_total "c$i" reason spoofed 0
		rf_expect_ep drops_total "c$i" reason malformed 0
		expect_eq "$(rf_metric "pairpath_endpoint_up{endpoint=\"c$i\"}")" 1 "c$i up"
	done
	rf_expect_ping 1 -c 10 "${RF_IP4[2]}"
	rf_expect_ping 1 -c 5 -6 "${RF_IP6[2]}"
	bg_start ip netns exec "${RF_NS[4]}" timeout 15 $PY "$RT_UDP" sink --port $UDP_PORT \
		--count 20 --timeout 10 >"$FX_TMP/sink" 2>&1
	s=$BG_PID
	bg_until 5 "$s" grep -qx ready "$FX_TMP/sink" || fail "sink: $(cat "$FX_TMP/sink")"
	out=$(rf_in 3 $PY "$RT_UDP" send --to "${RF_IP4[4]}" --port $UDP_PORT --count 20) ||
		fail "send c3 -> c4: $out"
	bg_wait "$s"
	expect_eq "$(tail -n 1 "$FX_TMP/sink")" "received=20" "datagrams at c4"
	for i in 1 2; do
		rf_expect_ep_counts "c$i" from 15 $((10 * RF_PING4_FRAME + 5 * RF_PING6_FRAME))
		rf_expect_ep_counts "c$i" to 15 $((10 * RF_PING4_FRAME + 5 * RF_PING6_FRAME))
	done
	rf_expect_ep_counts c3 from 20 $((20 * UDP_FRAME))
	rf_expect_ep_counts c3 to 0 0
	rf_expect_ep_counts c4 to 20 $((20 * UDP_FRAME))
	rf_expect_ep_counts c4 from 0 0
	serve_start
	expect_eq "$(metric 'pairpath_endpoint_packets_total{endpoint="c4",direction="to"}')" 20 \
		"/metrics c4 to packets"
	expect_eq "$(metric 'pairpath_endpoint_bytes_total{endpoint="c1",direction="from"}')" \
		$((10 * RF_PING4_FRAME + 5 * RF_PING6_FRAME)) "/metrics c1 from bytes"
	expect_eq "$(metric 'pairpath_endpoint_info{endpoint="c3",device="rv3",ipv4="10.88.0.3",ipv6="fd88::3",mac="'"${RF_MAC[3]}"'"}')" \
		1 "/metrics c3 info"
	serve_stop
}

# Pins, maps, hooks, routes and neighbours, but for the counters, which
# the containers' own router solicitations and MLD reports move.
rt_state() {
	pin_snapshot "$PIN_ROOT" port_stats rt_stats rt_uplink_stats kdrops kdrops_untracked &&
		rf_routes_snapshot
}

# A refused command: exit code, one line "pairpath: ..." naming WHAT,
# and the pins, maps, hooks, routes and neighbours as RT_BEFORE has them.
RT_BEFORE=
rt_expect_refused() {	# rc what cmd...
	local rc=$1 what=$2 err got after
	shift 2
	err=$("$@" 2>&1 >/dev/null)
	got=$?
	[ "$got" = "$rc" ] || fail "'$*': exit $got, expected $rc (stderr: $err)"
	[ "$(wc -l <<<"$err")" = 1 ] && [[ $err == "pairpath: "*"$what"* ]] ||
		fail "'$*': stderr is not one line 'pairpath: ...$what...': $err"
	after=$(rt_state) || fail "snapshot"
	[ "$RT_BEFORE" = "$after" ] ||
		fail "'$*' changed the system: $(diff <(echo "$RT_BEFORE") <(echo "$after"))"
}

# 9. Bad input: one line, exit 1 (2 for usage), and nothing changed.
test_routed_bad_input() {
	rf_up bad 4 --no-endpoints
	rf_endpoint_add 1
	pp attach pr rv3 rv4 || fail "attach pr rv3 rv4"
	RT_BEFORE=$(rt_state) || fail "snapshot"
	rt_expect_refused 1 nosuch0 pp endpoint add c9 nosuch0 --ip 10.88.0.9
	rt_expect_refused 1 10.88.0.1 pp endpoint add c2 rv2 --ip 10.88.0.1
	rt_expect_refused 1 fd88::1 pp endpoint add c2 rv2 --ip 10.88.0.2 --ip fd88::1
	rt_expect_refused 1 rv3 pp endpoint add c3 rv3 --ip 10.88.0.3
	rt_expect_refused 1 c1 pp endpoint add c1 rv2 --ip 10.88.0.2
	rt_expect_refused 1 rv1 pp endpoint add c9 rv1 --ip 10.88.0.9
	rt_expect_refused 1 nosuch pp endpoint del nosuch
	rt_expect_refused 2 10.88.0.300 pp endpoint add c2 rv2 --ip 10.88.0.300
	rt_expect_refused 2 10.88.0.2/24 pp endpoint add c2 rv2 --ip 10.88.0.2/24
	rt_expect_refused 2 fd88::2/64 pp endpoint add c2 rv2 --ip fd88::2/64
	rt_expect_refused 2 "two IPv4" pp endpoint add c2 rv2 --ip 10.88.0.2 --ip 10.88.0.3
	rt_expect_refused 2 zz pp endpoint add c2 rv2 --ip 10.88.0.2 --mac 02:00:00:00:00:zz
	rt_expect_refused 2 "" pp endpoint add c2 --ip 10.88.0.2
	expect_eq "$(rf_endpoint_names)" c1 "endpoints"
	# What was refused is fine otherwise.
	rf_endpoint_add 2
	rf_expect_ping 1 "${RF_IP4[2]}"
	# Nor may a pair take an endpoint's device.
	RT_BEFORE=$(rt_state) || fail "snapshot"
	rt_expect_refused 1 rv1 pp attach p2 rv1 rv2
}

# Node 2 of test_routed_two_nodes: its netns, pins and pairpath.
RT_N2=
rt_pp2() { rf_pp "$RT_N2" "$FX_TMP/bpffs/node2" "$@"; }

# (test) An underlay link between H and node 2, DEV on both sides, with
# static neighbours and the other node's container networks routed over
# it: rt_link DEV KIND NET4 NET6 (KIND veth, or vxlan over ul0).
rt_link() {
	local dev=$1 kind=$2 n4=$3 n6=$4 m1=02:00:00:88:$5:01 m2=02:00:00:88:$5:02
	if [ "$kind" = veth ]; then
		ip -n "$NS_H" link add "$dev" address $m1 type veth peer name "$dev" \
			address $m2 netns "$RT_N2" || fail "underlay veth"
	else
		ip -n "$NS_H" link add "$dev" address $m1 type vxlan id 42 \
			local 192.168.77.1 remote 192.168.77.2 dstport 4789 dev ul0 &&
			ip -n "$RT_N2" link add "$dev" address $m2 type vxlan id 42 \
				local 192.168.77.2 remote 192.168.77.1 dstport 4789 dev ul0 ||
			fail "vxlan $dev"
	fi
	ip -n "$NS_H" addr add $n4.1/24 dev "$dev" &&
		ip -n "$RT_N2" addr add $n4.2/24 dev "$dev" &&
		ip -n "$NS_H" -6 addr add $n6::1/64 dev "$dev" nodad &&
		ip -n "$RT_N2" -6 addr add $n6::2/64 dev "$dev" nodad &&
		ip -n "$NS_H" link set "$dev" up && ip -n "$RT_N2" link set "$dev" up &&
		ip -n "$NS_H" neigh replace $n4.2 lladdr $m2 dev "$dev" nud permanent &&
		ip -n "$RT_N2" neigh replace $n4.1 lladdr $m1 dev "$dev" nud permanent &&
		ip -n "$NS_H" -6 neigh replace $n6::2 lladdr $m2 dev "$dev" nud permanent &&
		ip -n "$RT_N2" -6 neigh replace $n6::1 lladdr $m1 dev "$dev" nud permanent ||
		fail "addresses on $dev"
}

rt_routes_via() {	# n4 n6: the other node's containers through that link
	ip -n "$NS_H" route replace 10.88.1.0/24 via $1.2 &&
		ip -n "$NS_H" -6 route replace fd88::1:0/112 via $2::2 &&
		ip -n "$RT_N2" route replace 10.88.0.0/24 via $1.1 &&
		ip -n "$RT_N2" -6 route replace fd88::/112 via $2::1 || fail "routes via $1.0/24"
}

# (test) Pings and TCP from node 1's c1 to node 2's c11 over uplink DEV:
# node 2 delivers from its uplink (counted there and in c11's TO), and
# its host forwards only c11's replies.
rt_cross_node() {	# dev
	local dev=$1 out f4 up2 by2 up1 to11 n
	local s_up="pairpath_uplink_packets_total{uplink=\"$dev\"}"
	local s_by="pairpath_uplink_bytes_total{uplink=\"$dev\"}"
	local s_to='pairpath_endpoint_packets_total{endpoint="c11",direction="to"}'
	up2=$(rf_metric "$s_up" rt_pp2)
	by2=$(rf_metric "$s_by" rt_pp2)
	up1=$(rf_metric "$s_up")
	to11=$(rf_metric "$s_to" rt_pp2)
	f4=$(rf_fwd4 "$RT_N2")
	out=$(rf_in 1 ping -c 5 -i 0.01 -W 2 "${RF_IP4[11]}" 2>&1) || fail "ping c1 -> c11: $out"
	[[ $out == *"5 received"* ]] || fail "ping c1 -> c11: $out"
	# 64, less one for node 1's host, one for node 2's uplink program;
	# the replies the same the other way.
	[ "$(grep -c ' ttl=62 ' <<<"$out")" = 5 ] || fail "TTLs c1 -> c11 -> c1: $out"
	rf_expect_ping 1 -c 5 -6 "${RF_IP6[11]}"
	expect_eq "$(rf_metric "$s_up" rt_pp2)" $((up2 + 10)) "node 2 $s_up"
	expect_eq "$(rf_metric "$s_by" rt_pp2)" $((by2 + 5 * RF_PING4_FRAME + 5 * RF_PING6_FRAME)) \
		"node 2 $s_by"
	expect_eq "$(rf_metric "$s_up")" $((up1 + 10)) "node 1 $s_up"
	expect_eq "$(rf_metric "$s_to" rt_pp2)" $((to11 + 10)) "node 2 $s_to"
	expect_eq "$(rf_fwd4 "$RT_N2")" $((f4 + 5)) "node 2 IpForwDatagrams"
	rt_xfer 1 11 5001
	rt_xfer 12 2 5002
	n=$(rf_metric "$s_by" rt_pp2)
	[ "$n" -ge $((by2 + RT_XFER_BYTES)) ] 2>/dev/null || fail "node 2 $s_by after TCP: '$n'"
}

# 10. Two nodes, native routing over an underlay veth, then VXLAN.
test_routed_two_nodes() {
	local n
	rf_up tn 2 --forwarding
	RT_N2="${FX_ID}-n2"
	netns_add "$RT_N2" || fail "node 2 netns"
	rf_forwarding on "$RT_N2" || fail "forwarding on node 2"
	rt_link ul0 veth 192.168.77 fd77 03
	rf_container 11 "$RT_N2" 10.88.1 fd88::1 1 || fail "container 11"
	rf_container 12 "$RT_N2" 10.88.1 fd88::1 2 || fail "container 12"
	rf_endpoint_add 11 rt_pp2
	rf_endpoint_add 12 rt_pp2
	rt_routes_via 192.168.77 fd77
	pp uplink add ul0 || fail "node 1 uplink add ul0"
	rt_pp2 uplink add ul0 || fail "node 2 uplink add ul0"
	fixture_settle "$RT_N2" || fail "carrier on node 2"
	rf_wait_dad "$RT_N2" "${RF_NS[11]}" "${RF_NS[12]}" || fail "DAD on node 2"
	rt_cross_node ul0

	rt_link vx0 vxlan 192.168.66 fd66 04
	rt_routes_via 192.168.66 fd66
	pp uplink add vx0 || fail "node 1 uplink add vx0"
	rt_pp2 uplink add vx0 || fail "node 2 uplink add vx0"
	n=$(rf_metric 'pairpath_uplink_packets_total{uplink="ul0"}' rt_pp2)
	rt_cross_node vx0
	# The VXLAN frames crossed ul0 to the host stack, which decapsulated
	# them; no container frame was delivered from ul0 itself.
	expect_eq "$(rf_metric 'pairpath_uplink_packets_total{uplink="ul0"}' rt_pp2)" "$n" \
		"node 2 ul0 packets with the routes over vx0"
}

# --fib: c1's frames for the outside leave through bpf_fib_lookup(), so
# the host forwards only the replies; c2, without it, goes through the
# host stack both ways. Forwarding must be on for the lookup too.
test_routed_fib() {
	local f4 f6
	rf_up fib 2 --no-endpoints --forwarding
	pp endpoint add c1 "${RF_DEV[1]}" --ip "${RF_IP4[1]}" --ip "${RF_IP6[1]}" --fib ||
		fail "endpoint add c1 --fib"
	rf_endpoint_add 2
	expect_eq "$(pp endpoint list --format json | $PY -c 'import json, sys; print([e["fib"] for e in json.load(sys.stdin)["endpoints"]])')" \
		"[True, False]" "fib flags listed"
	f4=$(rf_fwd4)
	f6=$(rf_fwd6)
	rf_expect_ping 1 -c 3 $RF_OUT4
	rf_expect_ping 1 -c 3 -6 $RF_OUT6
	expect_eq "$(rf_metric 'pairpath_endpoint_fib_forwarded_total{endpoint="c1"}')" 6 "c1 fib_forwarded"
	rf_expect_ep handovers_total c1 reason not_local 0
	rf_expect_ep handovers_total c1 reason fib_miss 0
	# Only the replies crossed the host's forwarding.
	expect_eq "$(rf_fwd4)" $((f4 + 3)) "H IpForwDatagrams with --fib"
	expect_eq "$(rf_fwd6)" $((f6 + 3)) "H Ip6OutForwDatagrams with --fib"
	f4=$(rf_fwd4)
	rf_expect_ping 2 -c 3 $RF_OUT4
	expect_eq "$(rf_fwd4)" $((f4 + 6)) "H IpForwDatagrams without --fib"
	expect_eq "$(rf_metric 'pairpath_endpoint_fib_forwarded_total{endpoint="c2"}')" 0 "c2 fib_forwarded"
	rf_expect_ep handovers_total c2 reason not_local 3
	# Local traffic from a --fib endpoint is still delivered by the program.
	rf_expect_ping 1 -c 2 "${RF_IP4[2]}"
	expect_eq "$(rf_metric 'pairpath_endpoint_fib_forwarded_total{endpoint="c1"}')" 6 "c1 fib_forwarded after local pings"
}
