# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Traffic through an attached pair, in both attach modes: what arrives at
# the far container, what is dropped and counted, and that the host's own
# path (bridge, forwarding, the veths' egress) is never taken.
#
# Every test body takes the mode (tcx or tc); two thin test_* functions
# per body, made by the loop at the end, run it once per mode, each with
# a fixture of its own.

TR_XFER="$PP_TOP/tests/tools/xfer.py"
TR_DROP_OBJ="$PP_TOP/.output/test/drop_all.bpf.o"
declare -gA TR_PIDS=()

tr_attach() {	# mode
	pp attach --mode "$1" tr vethA vethB || fail "attach --mode $1"
}

# A body's fixture, with the pair tr attached: tr_up TAG MODE [settings]
tr_up() {
	local tag=$1 mode=$2
	shift 2
	fixture "tr$tag$mode" "$@"
	tr_attach "$mode"
}

# Three echoes, three replies: in_a|in_b [ping options] ADDR
tr_ping() {
	local where=$1 out
	shift
	out=$(ping3 "$where" "$@") || fail "$where ping $*: $out"
}

tr_stat() {	# direction field
	pp_stat tr "$1" "$2" || echo "pp_stat-failed"
}

tr_expect_stat() {	# direction field expected
	expect_eq "$(tr_stat "$1" "$2")" "$3" "pair tr $1 $2"
}

tr_expect_counts() {	# direction packets bytes
	tr_expect_stat "$1" packets "$2"
	tr_expect_stat "$1" bytes "$3"
}

tr_expect_no_drops() {
	local d r
	for d in a_to_b b_to_a; do
		for r in runt mtu foreign_mac pkt_type; do
			tr_expect_stat $d drops.$r 0
		done
	done
}

# Start a capture on a container's eth0 and wait until its socket is bound:
# tr_recv_start in_a|in_b NAME [rawpkt.py recv options]
tr_recv_start() {
	local ns=$NS_A name=$2
	[ "$1" = in_b ] && ns=$NS_B
	shift 2
	bg_start ip netns exec "$ns" timeout 20 $PY "$RAWPKT" recv --dev eth0 "$@" \
		>"$FX_TMP/rx-$name" 2>&1
	TR_PIDS[$name]=$BG_PID
	bg_until 5 "$BG_PID" grep -qx ready "$FX_TMP/rx-$name" ||
		fail "capture $name did not start: $(cat "$FX_TMP/rx-$name")"
}

# Wait for a capture to end and log what it saw; check its count line.
tr_recv_wait() {	# name
	bg_wait "${TR_PIDS[$1]}" || fail "capture $1 failed: $(cat "$FX_TMP/rx-$1")"
	sed "s/^/capture $1: /" "$FX_TMP/rx-$1"
	expect_eq "$(tail -n 1 "$FX_TMP/rx-$1")" \
		"count=$(grep -c '^seq=' "$FX_TMP/rx-$1")" "capture $1 summary"
}

# The frames a finished capture saw, one line each.
tr_frames() {	# name
	grep '^seq=' "$FX_TMP/rx-$1"
}

# Number of captured frames matching an extended regexp (all if none).
tr_nframes() {	# name [regexp]
	tr_frames "$1" | grep -cE -- "${2:-.}"
}

tr_send() {	# in_a|in_b [rawpkt.py send options]
	local where=$1
	shift
	$where timeout 10 $PY "$RAWPKT" send --dev eth0 "$@" || fail "send $*"
}

# The tripwire: drop_all at the egress of both host-side veths, the way
# every frame leaves the host towards a container.
tr_tripwire() {
	local dev
	for dev in vethA vethB; do
		in_h tc qdisc add dev $dev clsact || fail "clsact on $dev"
		in_h tc filter add dev $dev egress bpf da obj "$TR_DROP_OBJ" sec tc ||
			fail "drop_all on $dev egress"
	done
}

# Frames the two tripwires dropped, summed; each tc load made its own map.
tr_tripwire_count() {
	local dev prog map n total=0
	for dev in vethA vethB; do
		prog=$(in_h tc -j filter show dev $dev egress | $PY -c '
import json, sys
print([f["options"]["prog"]["id"] for f in json.load(sys.stdin)
       if f.get("options", {}).get("prog", {}).get("name") == "drop_all"][0])') ||
			return 1
		map=$(bpftool -j prog show id "$prog" | $PY -c '
import json, sys; print(json.load(sys.stdin)["map_ids"][0])') || return 1
		n=$(bpftool -j map dump id "$map" | $PY -c '
import json, sys; print(json.load(sys.stdin)[0]["formatted"]["value"]["packets"])') ||
			return 1
		total=$((total + n))
	done
	echo $total
}

# A bridge in NS_H over both host-side veths: the plain host path.
tr_bridge() {
	ip -n "$NS_H" link add br0 type bridge stp_state 0 || fail "add br0"
	ip -n "$NS_H" link set vethA master br0 || fail "vethA into br0"
	ip -n "$NS_H" link set vethB master br0 || fail "vethB into br0"
	ip -n "$NS_H" link set br0 up || fail "br0 up"
}

# The link-layer address in 'ip neigh show' output.
tr_lladdr() {
	awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'
}

# 1. ping both ways, IPv4 and IPv6.
tr_ping_body() {	# mode
	local d n
	tr_up p "$1"
	tr_ping in_a 10.77.0.2
	tr_ping in_b 10.77.0.1
	tr_ping in_a -6 fd77::2
	tr_ping in_b -6 fd77::1
	# Each way carried 6 echo requests and 6 replies, plus ARP and ND.
	for d in a_to_b b_to_a; do
		n=$(tr_stat $d packets)
		[ "$n" -ge 12 ] 2>/dev/null || fail "$d packets: expected >= 12, got '$n'"
	done
	tr_expect_no_drops
}

# 2. ARP and ND resolve across the pair, to the far eth0's MAC.
tr_neigh_body() {	# mode
	local got
	tr_up n "$1"
	in_a ip neigh flush dev eth0
	in_b ip neigh flush dev eth0
	expect_eq "$(in_a ip neigh show 10.77.0.2 dev eth0)" "" "A's entry after flush"
	in_a ping -c 1 -W 2 10.77.0.2 >/dev/null || fail "ping A -> B"
	got=$(in_a ip neigh show 10.77.0.2 dev eth0 | tr_lladdr)
	expect_eq "$got" "$MAC_B" "A's neighbour 10.77.0.2"
	# The request B answered created B's entry for its sender as well.
	got=$(in_b ip neigh show 10.77.0.1 dev eth0 | tr_lladdr)
	expect_eq "$got" "$MAC_A" "B's neighbour 10.77.0.1"
	in_a ping -6 -c 1 -W 2 fd77::2 >/dev/null || fail "ping6 A -> B"
	got=$(in_a ip -6 neigh show fd77::2 dev eth0 | tr_lladdr)
	expect_eq "$got" "$MAC_B" "A's neighbour fd77::2"
}

# 3. 100 MiB of TCP from A to B, hashed at both ends.
tr_xfer_body() {	# mode
	local want=$((100 << 20)) srv cli n p
	tr_up x "$1"
	bg_start ip netns exec "$NS_B" timeout 60 $PY "$TR_XFER" server --bind 10.77.0.2 \
		--port 5001 --timeout 30 >"$FX_TMP/srv" 2>&1
	srv=$BG_PID
	cli=$(in_a timeout 60 $PY "$TR_XFER" client --host 10.77.0.2 --port 5001 \
		--bytes $want --timeout 30) || fail "client: $cli"
	bg_wait $srv || fail "server: $(cat "$FX_TMP/srv")"
	expect_eq "${cli%% *}" "bytes=$want" "bytes sent"
	expect_eq "$(cat "$FX_TMP/srv")" "$cli" "bytes and sha256 received"
	n=$(tr_stat a_to_b bytes)
	p=$(tr_stat a_to_b packets)
	[ "$n" -ge $want ] 2>/dev/null || fail "a_to_b bytes: expected >= $want, got '$n'"
	# veth passes TSO skbs of up to 64 KiB: the datapath saw GSO packets,
	# longer than the MTU, and judged them by gso_size, not length.
	[ $((n / p)) -gt 1514 ] || fail "a_to_b: $n bytes in $p packets, no GSO seen"
	tr_expect_no_drops
}

# 4. 802.1Q frames: the tag, its priority bits and the payload arrive.
tr_vlan_body() {	# mode
	local tci=$(((5 << 13) | 100))
	tr_up v "$1" --no-ipv6
	tr_recv_start in_b vlan --tag vlan
	tr_send in_a --tag vlan --dst $MAC_B --vlan $tci --size 64 --count 4
	# 1518: a full 1500-byte payload behind the tag, the most veth takes.
	tr_send in_a --tag vlan --dst $MAC_B --vlan $tci --size 1518 --count 2 \
		--first 4 --end
	tr_recv_wait vlan
	expect_eq "$(tr_nframes vlan)" 6 "tagged frames at B"
	expect_eq "$(tr_nframes vlan " vlan=$tci .* ok=1 ")" 6 "intact, with tag $tci"
	expect_eq "$(tr_nframes vlan ' len=64 ')" 4 "64-byte tagged frames"
	expect_eq "$(tr_nframes vlan ' len=1518 ')" 2 "1518-byte tagged frames"
	# Receive strips a tag into skb metadata (skb_vlan_untag() in
	# __netif_receive_skb_core) before taps and tc run: B's tap reads it
	# from PACKET_AUXDATA, and pairpath's skb->len lacks its 4 bytes.
	expect_eq "$(tr_nframes vlan ' where=aux ')" 6 "tags delivered as metadata"
	tr_expect_counts a_to_b 7 $((4 * 60 + 2 * 1514 + 60))
	tr_expect_no_drops
}

# 5. Group frames always pass: broadcast, IPv4 and IPv6 multicast MACs.
tr_group_body() {	# mode
	tr_up g "$1" --no-ipv6
	tr_recv_start in_b grp --tag grp
	tr_send in_a --tag grp --dst ff:ff:ff:ff:ff:ff --size 60 --count 4
	tr_send in_a --tag grp --dst 01:00:5e:01:02:03 --size 100 --count 3 --first 4
	tr_send in_a --tag grp --dst 33:33:00:00:88:b5 --size 200 --count 2 --first 7 --end
	tr_recv_wait grp
	expect_eq "$(tr_nframes grp)" 9 "group frames at B"
	# Since 6.15 (and its stable backports) bpf_redirect_peer() scrubs
	# the skb, so B sees PACKET_HOST (0) where eth_type_trans() on vethA
	# had said PACKET_BROADCAST (1) or PACKET_MULTICAST (2).
	expect_eq "$(tr_nframes grp ' dst=ff:ff:ff:ff:ff:ff .* ok=1 type=[01]$')" 4 \
		"broadcast frames"
	expect_eq "$(tr_nframes grp ' dst=01:00:5e:01:02:03 .* ok=1 type=[02]$')" 3 \
		"IPv4 multicast frames"
	expect_eq "$(tr_nframes grp ' dst=33:33:00:00:88:b5 .* ok=1 type=[02]$')" 2 \
		"IPv6 multicast frames"
	tr_expect_counts a_to_b 10 $((4 * 60 + 3 * 100 + 2 * 200 + 60))
	tr_expect_no_drops
}

# 6. Unicast for a MAC other than the far eth0's is dropped and counted.
tr_foreign_body() {	# mode
	tr_up f "$1" --no-ipv6
	tr_recv_start in_b fb --tag fmac
	tr_recv_start in_a fa --tag fmac
	tr_send in_a --tag fmac --dst 02:00:00:00:00:99 --size 60 --count 7
	tr_send in_b --tag fmac --dst 02:00:00:00:00:98 --size 80 --count 2
	# Frames for the right MAC show the captures work.
	tr_send in_a --tag fmac --dst $MAC_B --size 60 --count 3 --first 7 --end
	tr_send in_b --tag fmac --dst $MAC_A --size 80 --count 1 --first 2 --end
	tr_recv_wait fb
	tr_recv_wait fa
	expect_eq "$(tr_nframes fb)" 3 "frames at B"
	expect_eq "$(tr_nframes fb " dst=$MAC_B .* ok=1 type=0$")" 3 "frames for B's MAC"
	expect_eq "$(tr_nframes fa)" 1 "frames at A"
	expect_eq "$(tr_nframes fa " dst=$MAC_A .* ok=1 type=0$")" 1 "frames for A's MAC"
	tr_expect_stat a_to_b drops.foreign_mac 7
	tr_expect_stat b_to_a drops.foreign_mac 2
	# packets and bytes count what was redirected: a frame the program
	# dropped shows only in its drop reason.
	tr_expect_counts a_to_b 4 240
	tr_expect_counts b_to_a 2 140
}

# 7a. Frames longer than B's eth0 takes are dropped and counted.
tr_mtu_body() {	# mode
	local mtu tci=100
	fixture "trm$1" --no-ipv6
	# pairpath reads the far MTU at attach.
	ip -n "$NS_B" link set eth0 mtu 1000 || fail "B eth0 mtu 1000"
	tr_attach "$1"
	mtu=$(pp status --json | $PY -c '
import json, sys; print(json.load(sys.stdin)["pairs"][0]["dev_b"]["peer_mtu"])')
	expect_eq "$mtu" 1000 "dev_b peer_mtu"

	tr_recv_start in_b big --tag big
	tr_send in_a --tag big --dst $MAC_B --size 1100 --count 5
	tr_send in_a --tag big --dst $MAC_B --size 60 --first 5 --end
	tr_recv_wait big
	expect_eq "$(tr_nframes big ' len=1100 ')" 0 "1100-byte frames at B"
	expect_eq "$(tr_nframes big)" 1 "frames at B"
	tr_expect_stat a_to_b drops.mtu 5
	tr_expect_counts a_to_b 2 120

	# The limit is MTU + Ethernet header + one VLAN tag, as veth's own
	# is_skb_forwardable(). It applies to skb->len, which lacks a tag
	# stripped on receive: a tagged frame may be 4 bytes longer, 1022,
	# just as the host path over a bridge lets it through.
	tr_recv_start in_b edge --tag edge
	tr_send in_a --tag edge --dst $MAC_B --size 1019 --first 0
	tr_send in_a --tag edge --dst $MAC_B --size 1023 --vlan $tci --first 1
	tr_send in_a --tag edge --dst $MAC_B --size 1018 --count 3 --first 2
	tr_send in_a --tag edge --dst $MAC_B --size 1022 --vlan $tci --count 2 \
		--first 5 --end
	tr_recv_wait edge
	expect_eq "$(tr_nframes edge)" 5 "frames at B"
	expect_eq "$(tr_nframes edge ' len=1018 .* vlan=- .* ok=1 ')" 3 "1018-byte frames at B"
	expect_eq "$(tr_nframes edge " len=1022 .* vlan=$tci .* ok=1 ")" 2 \
		"1022-byte tagged frames at B"
	tr_expect_stat a_to_b drops.mtu 7
	tr_expect_counts a_to_b 8 $((120 + 5 * 1018 + 60))
	# B -> A is judged by A's MTU, still 1500.
	tr_expect_stat b_to_a drops.mtu 0
}

# 7b. Jumbo frames end to end once every device on the way takes them.
tr_jumbo_body() {	# mode
	fixture "trj$1"
	ip -n "$NS_A" link set eth0 mtu 9000 || fail "A eth0 mtu"
	ip -n "$NS_H" link set vethA mtu 9000 || fail "vethA mtu"
	ip -n "$NS_H" link set vethB mtu 9000 || fail "vethB mtu"
	ip -n "$NS_B" link set eth0 mtu 9000 || fail "B eth0 mtu"
	tr_attach "$1"
	# 8972 + 8 ICMP + 20 IP = 9000, unfragmented (-M do).
	tr_ping in_a -s 8972 -M do 10.77.0.2
	tr_ping in_b -s 8972 -M do 10.77.0.1
	tr_expect_no_drops
}

# 8. Exact per-direction packet and byte counts.
tr_count_body() {	# mode
	tr_up c "$1" --no-ipv6
	tr_expect_counts a_to_b 0 0
	tr_expect_counts b_to_a 0 0
	# Each capture stops a grace period after its last expected frame,
	# so a stray extra frame would still show.
	tr_recv_start in_b cb --tag cnt --count 8
	tr_recv_start in_a ca --tag cnt --count 4
	tr_send in_a --tag cnt --dst $MAC_B --size 60 --count 5
	tr_send in_a --tag cnt --dst $MAC_B --size 1514 --count 3 --first 5
	tr_send in_b --tag cnt --dst $MAC_A --size 100 --count 2
	tr_send in_b --tag cnt --dst $MAC_A --size 1000 --count 2 --first 2
	tr_recv_wait cb
	tr_recv_wait ca
	expect_eq "$(tr_nframes cb)" 8 "frames at B"
	expect_eq "$(tr_nframes cb " dst=$MAC_B .* ok=1 ")" 8 "intact frames at B"
	expect_eq "$(tr_nframes ca)" 4 "frames at A"
	expect_eq "$(tr_nframes ca " dst=$MAC_A .* ok=1 ")" 4 "intact frames at A"
	# bytes is skb->len at tc ingress, the whole frame with its header.
	tr_expect_counts a_to_b 8 $((5 * 60 + 3 * 1514))
	tr_expect_counts b_to_a 4 $((2 * 100 + 2 * 1000))
	tr_expect_no_drops
}

# 9. The host path is unused: tripwires at the veths' egress never fire.
tr_hostpath_body() {	# mode
	local before after rc
	# No IPv6 chatter from NS_H itself may leave through the tripwires.
	fixture "trh$1" --no-ipv6
	in_h sysctl -qw net.ipv4.ip_forward=0 || fail "ip_forward=0"
	tr_tripwire
	tr_bridge
	# First the tripwire must be seen to work: the bridge floods A's ARP
	# request out of vethB, where drop_all takes it.
	in_a ping -c 2 -i 0.2 -W 1 10.77.0.2 >/dev/null 2>&1
	rc=$?
	expect_eq "$rc" 1 "ping over the bridge with the tripwires: exit"
	# That left A's entry for B unresolved, and ARP would fail it some
	# 3 s on, with the echoes queued on it: maybe those of the pings
	# below. Gone, the next ping resolves afresh, across the pair.
	in_a ip neigh flush dev eth0 || fail "flush A's neighbours"
	before=$(tr_tripwire_count) || fail "read the tripwire counters"
	[ "$before" -gt 0 ] || fail "tripwires dropped nothing over the bridge"
	tr_attach "$1"
	tr_ping in_a 10.77.0.2
	tr_ping in_b 10.77.0.1
	# Reading the counters again also finds both tripwires still there.
	after=$(tr_tripwire_count) || fail "read the tripwire counters"
	expect_eq "$after" "$before" "frames dropped at vethA/vethB egress"
	# Nor did the bridge see a frame: it learned no container MAC.
	expect_eq "$(bridge -n "$NS_H" fdb show br br0 | grep -ciE "$MAC_B")" 0 \
		"br0 fdb entries for B's MAC"
}

# 10. Attach leaves no process behind; the kernel keeps forwarding.
tr_loader_body() {	# mode
	local out
	tr_up l "$1"
	# Nothing runs in the host netns: the program lives on by its pins
	# (tcx links) or by the clsact filter that holds it.
	expect_eq "$(ip netns pids "$NS_H" | wc -l)" 0 "processes in the host netns"
	expect_eq "$(ip netns pids "$NS_A"; ip netns pids "$NS_B")" "" \
		"processes in the container netns"
	tr_ping in_a 10.77.0.2
	tr_ping in_b 10.77.0.1
	out=$(pp status --json | $PY -c '
import json, sys
for p in json.load(sys.stdin)["pairs"]:
    print(p["name"], p["mode"], p["state"], p["dev_a"]["ifname"], p["dev_b"]["ifname"])') ||
		fail "status"
	expect_eq "$out" "tr $1 up vethA vethB" "status from a second process"
}

# 11. Detach gives the plain veths back, and the host path works again.
tr_detach_body() {	# mode
	local dev links
	fixture "trd$1"
	# A clsact someone else made on vethA must outlive the pair; the one
	# pairpath makes on vethB in tc mode must not.
	in_h tc qdisc add dev vethA clsact || fail "clsact on vethA"
	tr_attach "$1"
	tr_ping in_a 10.77.0.2
	# What attach left in place, so the checks below can see it go.
	if [ "$1" = tcx ]; then
		links=$(ls "$(pin_dir)" | grep -c '^link-')
		expect_eq "$links" 2 "link pins while attached"
	fi
	for dev in vethA vethB; do
		expect_eq "$(tcx_count $dev)" $([ "$1" = tcx ] && echo 1 || echo 0) \
			"tcx programs on $dev ingress while attached"
		expect_eq "$(in_h tc filter show dev $dev ingress | grep -c ' bpf ')" \
			$([ "$1" = tc ] && echo 2 || echo 0) \
			"tc bpf filter lines on $dev ingress while attached"
	done

	pp detach tr || fail "detach"
	links=$(ls -d "$(pin_dir)"/link-* 2>/dev/null)
	expect_eq "$links" "" "link pins after detach"
	for dev in vethA vethB; do
		expect_eq "$(tcx_count $dev)" 0 "tcx programs on $dev ingress"
		expect_eq "$(in_h tc filter show dev $dev ingress 2>/dev/null)" "" \
			"tc filters on $dev ingress"
	done
	expect_eq "$(in_h tc qdisc show dev vethA | grep -c clsact)" 1 "clsact on vethA"
	expect_eq "$(in_h tc qdisc show dev vethB | grep -c clsact)" 0 "clsact on vethB"
	expect_eq "$(pp status --json | $PY -c '
import json, sys; print(len(json.load(sys.stdin)["pairs"]))')" 0 "pairs after detach"
	tr_bridge
	tr_ping in_a 10.77.0.2
	tr_ping in_b 10.77.0.1
	# The bridge carried the frames this time: it learned both MACs.
	expect_eq "$(bridge -n "$NS_H" fdb show br br0 dynamic |
		grep -cE "^($MAC_A dev vethA|$MAC_B dev vethB) ")" 2 \
		"br0 learned A on vethA and B on vethB"
}

# Every body once per attach mode: test_traffic_NAME_tcx and _tc.
for tr_name in ping neigh xfer vlan group foreign mtu jumbo count hostpath loader detach; do
	eval "test_traffic_${tr_name}_tcx() { tr_${tr_name}_body tcx; }"
	eval "test_traffic_${tr_name}_tc() { tr_${tr_name}_body tc; }"
done
unset tr_name
