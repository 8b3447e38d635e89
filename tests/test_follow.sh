# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The datapath follows its devices: the kernel-kept guard (peer_devs)
# never lets a frame follow a stale ifindex, the agent follows MAC and MTU
# changes and breaks pairs whose devices went or moved, attach and gc do
# the same without it, and none of them touches what is not pairpath's.
# Each case runs with and without the agent ("agent" and "plain").
#
# A tenant is a third netns whose eth0 must never see a frame of the
# pair: its frames are counted with a packet socket (rawpkt.py --any),
# and IPv6 is off everywhere, so only the test's frames cross.

FO_TENANT_MAC=02:00:00:00:00:0e
FO_FRAMES=25	# 10 broadcast, 10 unicast to B's old MAC, 5 of ARP's ethertype

fo_up() {	# tag mode agent|plain
	fixture "$1" --no-ipv6 --static-neigh
	pp attach --mode "$2" web vethA vethB || fail "attach --mode $2"
	FO_AGENT=$3
	if [ "$3" = agent ]; then
		serve_start --agent
		expect_eq "$(metric 'pairpath_pair_up{pair="web"}')" 1 "agent: pair_up while up"
	fi
}

# For bg_until, which runs a command again and again (a $(...) in its
# arguments would be read once, when it is called).
fo_metric_is() {	# 'NAME{LABELS}' value
	[ "$(metric "$1")" = "$2" ]
}

fo_field_is() {	# pair field value
	[ "$(pair_field "$1" "$2")" = "$3" ]
}

fo_ifindex() {	# netns dev
	ip netns exec "$1" cat "/sys/class/net/$2/ifindex"
}

# Wait, bounded, for the agent (whose exporter can only know what the
# agent marked) or the command itself to report the pair broken.
fo_expect_broken() {	# what
	if [ "$FO_AGENT" = agent ]; then
		bg_until 5 "$SERVE_PID" fo_metric_is 'pairpath_pair_up{pair="web"}' 0 ||
			fail "$1: the agent's exporter still has pair_up $(metric 'pairpath_pair_up{pair="web"}')"
		grep -q "pair 'web' is broken: device '" "$FX_TMP/serve.log" ||
			fail "$1: the agent did not say it broke the pair: $(cat "$FX_TMP/serve.log")"
	fi
	expect_eq "$(pair_states)" "web:broken" "$1: status"
	expect_eq "$(pp stats --format prometheus | grep '^pairpath_pair_up{')" \
		'pairpath_pair_up{pair="web"} 0' "$1: stats pair_up"
}

# A's frames, counted on the eth0 of a netns that must not get them:
# fo_count_frames NETNS, after which FO_COUNT holds what arrived there.
fo_count_frames() {	# netns
	bg_start ip netns exec "$1" $PY "$RAWPKT" recv --dev eth0 --any --timeout 4 \
		>"$FX_TMP/count" 2>&1
	local rx=$BG_PID
	bg_until 5 "$rx" grep -qx ready "$FX_TMP/count" || fail "capture did not start"
	in_a $PY "$RAWPKT" send --dev eth0 --dst ff:ff:ff:ff:ff:ff --size 100 --count 10 &&
	in_a $PY "$RAWPKT" send --dev eth0 --dst $MAC_B --size 100 --count 10 &&
	in_a $PY "$RAWPKT" send --dev eth0 --dst ff:ff:ff:ff:ff:ff --type 0x0806 --size 60 \
		--count 5 || fail "A's frames"
	bg_wait "$rx"
	cat "$FX_TMP/count"
	FO_COUNT=$(sed -n 's/^count=//p' "$FX_TMP/count")
}

# 1. A device of the pair goes and a tenant's new veth takes its ifindex
# (ip link add ... index N): not one of A's frames reaches the tenant,
# they go to the host stack as peer_gone, and in tc mode gc leaves the
# tenant's clsact and filter alone.
fo_ifindex_taken() {	# mode agent|plain
	local mode=$1 tenant idx
	fo_up "fi$mode${2:0:1}" "$mode" "$2"
	tenant="${FX_ID}-t"
	netns_add "$tenant" && ipv6_off "$tenant" || fail "tenant netns"
	idx=$(fo_ifindex "$NS_H" vethB)
	ip -n "$NS_H" link del vethB || fail "delete vethB"
	ip -n "$NS_H" link add tenant index "$idx" type veth peer name eth0 netns "$tenant" &&
	ip -n "$tenant" link set eth0 address $FO_TENANT_MAC &&
	ip -n "$tenant" link set eth0 up && ip -n "$NS_H" link set tenant up ||
		fail "the tenant's veth with ifindex $idx"
	expect_eq "$(fo_ifindex "$NS_H" tenant)" "$idx" "the tenant's ifindex"
	if [ "$mode" = tc ]; then
		in_h tc qdisc add dev tenant clsact &&
		in_h tc filter add dev tenant ingress pref 9 u32 match u32 0 0 ||
			fail "the tenant's clsact and filter"
	fi
	fo_expect_broken "vethB gone, its ifindex the tenant's"
	fo_count_frames "$tenant"
	expect_eq "$FO_COUNT" 0 "frames of A that reached the tenant"
	expect_eq "$(pp_stat web a_to_b drops.peer_gone)" $FO_FRAMES "a_to_b peer_gone"
	expect_eq "$(pp_stat web a_to_b packets)" 0 "a_to_b packets redirected"

	expect_eq "$(pp gc)" "removed broken pair 'web' (vethA, vethB)" "gc output"
	if [ "$mode" = tc ]; then
		in_h tc qdisc show dev tenant | grep -q '^qdisc clsact' ||
			fail "gc removed the tenant's clsact"
		expect_eq "$(in_h tc filter show dev tenant ingress | grep -c ' u32 ')" 3 \
			"lines of the tenant's u32 filter after gc"
	fi
	expect_eq "$(tcx_count tenant)" 0 "tcx programs on the tenant's veth"
	expect_eq "$(pair_states)" "" "status after gc"
}

test_follow_ifindex_taken_tcx_plain() { fo_ifindex_taken tcx plain; }
test_follow_ifindex_taken_tc_plain() { fo_ifindex_taken tc plain; }
test_follow_ifindex_taken_tcx_agent() { fo_ifindex_taken tcx agent; }
test_follow_ifindex_taken_tc_agent() { fo_ifindex_taken tc agent; }

# 2. MTU 9000 on all four ends, then a new MAC on B's eth0: the ports
# follow (attach again, or the agent on its own), and what the far side
# now takes crosses, counted exactly.
fo_mtu_mac() {	# agent|plain
	local d
	fo_up "fm${1:0:1}" tcx "$1"
	for d in "$NS_A:eth0" "$NS_H:vethA" "$NS_H:vethB" "$NS_B:eth0"; do
		ip -n "${d%%:*}" link set "${d#*:}" mtu 9000 || fail "mtu 9000 on $d"
	done
	if [ "$1" = plain ]; then
		# Before the port follows, the far side's new MTU is not known.
		in_a ping -c 1 -W 1 -M do -s 8972 "$IP_B" >/dev/null && fail "jumbo ping before attach"
		expect_eq "$(pp_stat web a_to_b drops.mtu)" 1 "a_to_b mtu drops before attach"
		expect_cmd 0 "" pp attach web vethA vethB
	else
		bg_until 5 "$SERVE_PID" fo_field_is web dev_a.peer_mtu 9000 &&
			bg_until 5 "$SERVE_PID" fo_field_is web dev_b.peer_mtu 9000 ||
			fail "the agent did not follow the MTU: $(pair_field web dev_b.peer_mtu)"
	fi
	expect_eq "$(pair_field web dev_a.peer_mtu) $(pair_field web dev_b.peer_mtu)" "9000 9000" \
		"recorded MTUs"
	ping3 in_a -M do -s 8972 "$IP_B" || fail "8972-byte DF pings A -> B"
	expect_eq "$(pp_stat web a_to_b bytes)" $((3 * (8972 + 8 + 20 + 14))) "a_to_b bytes"

	ip -n "$NS_B" link set eth0 address 02:00:00:00:00:0c || fail "new MAC on B"
	ip -n "$NS_A" neigh replace "$IP_B" lladdr 02:00:00:00:00:0c dev eth0 nud permanent ||
		fail "A's neighbour for B's new MAC"
	if [ "$1" = plain ]; then
		in_a ping -c 1 -W 1 "$IP_B" >/dev/null && fail "ping to B's new MAC before attach"
		expect_eq "$(pp_stat web a_to_b drops.foreign_mac)" 1 "a_to_b foreign_mac before attach"
		expect_cmd 0 "" pp attach web vethA vethB
	else
		bg_until 5 "$SERVE_PID" fo_field_is web dev_b.peer_mac 02:00:00:00:00:0c ||
			fail "the agent did not follow the MAC: $(pair_field web dev_b.peer_mac)"
		grep -q "pair 'web': 'vethB' leads to eth0, MAC 02:00:00:00:00:0c, MTU 9000" \
			"$FX_TMP/serve.log" || fail "the agent did not say so: $(cat "$FX_TMP/serve.log")"
	fi
	ping3 in_a "$IP_B" || fail "ping to B's new MAC"
	expect_eq "$(pair_states)" "web:up" "status after following"
}

test_follow_mtu_mac_plain() { fo_mtu_mac plain; }
test_follow_mtu_mac_agent() { fo_mtu_mac agent; }

# 3. B's eth0 moved into another netns, whose nsid is new: the pair is
# not the one attached any more. The agent breaks it and no frame of A
# reaches the netns eth0 went to; without the agent status says broken
# at once, attach refuses to revive it, and gc removes it.
fo_moved() {	# agent|plain
	local other
	fo_up "fv${1:0:1}" tcx "$1"
	other="${FX_ID}-o"
	netns_add "$other" && ipv6_off "$other" || fail "the other netns"
	ip -n "$NS_B" link set eth0 netns "$other" && ip -n "$other" link set eth0 up ||
		fail "move B's eth0"
	fo_expect_broken "B's eth0 moved"
	if [ "$1" = agent ]; then
		fo_count_frames "$other"
		expect_eq "$FO_COUNT" 0 "frames of A that reached the netns B's eth0 moved to"
		expect_eq "$(pp_stat web a_to_b drops.peer_gone)" $FO_FRAMES "a_to_b peer_gone"
	fi
	expect_cmd 1 "pairpath: pair 'web': the container end of 'vethB' is not the one attached: detach the pair and attach it again" \
		pp attach web vethA vethB
	expect_eq "$(pp gc)" "removed broken pair 'web' (vethA, vethB)" "gc output"
	fo_count_frames "$other"
	expect_eq "$FO_COUNT" 0 "frames of A in the other netns after gc"
}

test_follow_peer_moved_plain() { fo_moved plain; }
test_follow_peer_moved_agent() { fo_moved agent; }

# 4. B's netns deleted: its veth goes with it.
fo_netns_deleted() {	# agent|plain
	fo_up "fd${1:0:1}" tc "$1"
	ip netns del "$NS_B" || fail "delete B's netns"
	fo_expect_broken "B's netns deleted"
	expect_eq "$(pp gc)" "removed broken pair 'web' (vethA, vethB)" "gc output"
	in_h tc qdisc show dev vethA | grep -q '^qdisc clsact' && fail "pairpath's clsact left on vethA"
	return 0
}

test_follow_netns_deleted_plain() { fo_netns_deleted plain; }
test_follow_netns_deleted_agent() { fo_netns_deleted agent; }

# 5. Lost events: the agent is held (SIGSTOP) while a burst of link
# events overfills its socket (a small PAIRPATH_TEST_RCVBUF, test build
# only), and only then B's eth0 changes its MTU, so that this event is
# among the lost. On SIGCONT it must see the loss and look at every pair.
test_follow_lost_events() {
	local i
	fixture fl --no-ipv6 --static-neigh
	pp attach web vethA vethB || fail "attach"
	FO_AGENT=agent
	PAIRPATH_TEST_RCVBUF=4096 serve_start --agent
	kill -STOP "$SERVE_PID" || fail "SIGSTOP the agent"
	cleanup_add kill -CONT "$SERVE_PID"
	for i in $(seq 40); do
		echo "link add fx$i type veth peer name fy$i"
		echo "link del fx$i"
	done >"$FX_TMP/burst"
	ip -n "$NS_H" -batch "$FX_TMP/burst" || fail "the burst of link events"
	ip -n "$NS_B" link set eth0 mtu 1400 || fail "mtu 1400 on B's eth0"
	kill -CONT "$SERVE_PID" || fail "SIGCONT the agent"
	bg_until 5 "$SERVE_PID" grep -q "agent: link events were lost: looking at every pair" \
		"$FX_TMP/serve.log" || fail "the agent did not see the loss: $(cat "$FX_TMP/serve.log")"
	bg_until 5 "$SERVE_PID" fo_field_is web dev_b.peer_mtu 1400 ||
		fail "the agent did not follow the lost MTU change"
	expect_eq "$(pair_states)" "web:up" "status after the resync"
}

# 6. The agent's exporter: a child with every privilege dropped that
# holds the maps read-only, and nothing else of BPF.
test_follow_agent_exporter_privileges() {
	local child f link n=0
	fo_up fp tcx agent
	child=$(pgrep -P "$SERVE_PID" -x pairpath) || fail "no exporter child of the agent"
	expect_eq "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "/proc/$child/status")" \
		"65534 65534 65534 65534" "the exporter's uids"
	for f in CapInh CapPrm CapEff CapBnd CapAmb; do
		expect_eq "$(awk -v f="$f:" '$1 == f { print $2 }' "/proc/$child/status")" \
			0000000000000000 "the exporter's $f"
	done
	for f in "/proc/$child/fd"/*; do
		link=$(readlink "$f")
		case $link in
		anon_inode:bpf-map)
			n=$((n + 1))
			expect_eq "$(stat -c %A "$f")" "lr-x------" "the exporter's map fd ${f##*/}"
			;;
		anon_inode:bpf*) fail "the exporter holds $link (fd ${f##*/})" ;;
		esac
	done
	[ $n -ge 5 ] || fail "the exporter holds $n map fds"
	# The agent itself keeps what it changes state with.
	expect_eq "$(awk '$1 == "Uid:" { print $2 }' "/proc/$SERVE_PID/status")" 0 "the agent's uid"
}

# 7. An agent started before anything is pinned, then a reset: its
# exporter follows both (a new child gets the new maps), where an
# exporter that dropped its privileges could not.
test_follow_agent_state_and_reset() {
	fixture fr --no-ipv6 --static-neigh
	FO_AGENT=agent
	serve_start --agent
	expect_eq "$(metric pairpath_pairs)" 0 "pairs before anything is pinned"
	[ -e "$PIN_ROOT" ] && fail "the agent made $PIN_ROOT"
	pp attach web vethA vethB || fail "attach"
	bg_until 5 "$SERVE_PID" fo_metric_is pairpath_pairs 1 ||
		fail "the agent's exporter never saw the pair: $(cat "$FX_TMP/serve.log")"
	ping3 in_a "$IP_B" || fail "ping"
	pp reset || fail "reset"
	pp attach web vethA vethB || fail "attach after the reset"
	bg_until 5 "$SERVE_PID" fo_metric_is 'pairpath_packets_total{pair="web",direction="a_to_b"}' 0 ||
		fail "the agent's exporter kept the old maps"
	ping3 in_a "$IP_B" || fail "ping after the reset"
	expect_eq "$(metric 'pairpath_packets_total{pair="web",direction="a_to_b"}')" 3 \
		"a_to_b packets after the reset, from the agent's exporter"
}

# 8. serve alone never makes pinned state: without privileges to keep
# it refuses a pin root with nothing pinned; with --user root it waits.
test_follow_serve_makes_nothing() {
	fixture fs --no-ipv6
	expect_cmd 1 "pairpath: serve: nothing is pinned under $PIN_ROOT for this network namespace: attach a pair first, or serve with --user root" \
		in_h "$PAIRPATH" -n "$NS_H" --pin-root "$PIN_ROOT" serve --listen 127.0.0.1:$SERVE_PORT
	[ -e "$PIN_ROOT" ] && fail "serve made $PIN_ROOT"
	serve_start --user root
	expect_eq "$(metric pairpath_pairs)" 0 "pairs with nothing pinned"
	[ -e "$PIN_ROOT" ] && fail "serve --user root made $PIN_ROOT"
	serve_stop
}
