# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The routed-mode fixture (issue 11), sourced by tests/test_routed.sh:
#
#   H     the host netns of lib.sh's fixture_up --bare, forwarding off
#         unless a test turns it on (rf_forwarding)
#   c1..  containers, each a netns whose eth0 is the peer of the
#         host-side veth rvI in H, Calico style: 10.88.0.I/32 and
#         fd88::I/128, routes through the link-local gateway 169.254.1.1
#         and fe80::1
#   R     a router netns joined to H by up0 (H) - eth0 (R): the outside.
#         H routes everything not local to R; R routes the containers'
#         networks back through H, and has 198.51.100.1 and 2001:db8::1
#         on its loopback for a container to reach.
#
# The H-R link has static neighbours both ways, so that no ARP or ND of
# its own reaches H's counters. Nothing gives H an address on a
# host-side veth, a proxy ARP or an NDP proxy: the gateway exists only
# as what pairpath answers. rf_kernel_routing turns H into a Calico
# style kernel router instead (proxy ARP and NDP, /32 and /128 routes),
# the same traffic without pairpath, which shows the fixture itself is
# right.

RF_NET4=10.88.0
RF_NET6=fd88:
RF_OUT4=198.51.100.1	# on R's loopback: "the outside"
RF_OUT6=2001:db8::1
RF_H4=192.168.88.1	# H on the H-R link (up0)
RF_R4=192.168.88.2
RF_H6=fd99::1
RF_R6=fd99::2
RF_UP_MAC=02:00:00:88:02:01
RF_R_MAC=02:00:00:88:02:02
# ping's default payload of 56 bytes as pairpath counts it, skb->len with
# the 14-byte Ethernet header: + 8 ICMP + 20 IPv4, or + 8 + 40 IPv6.
RF_PING4_FRAME=$((14 + 20 + 8 + 56))	# 98
RF_PING6_FRAME=$((14 + 40 + 8 + 56))	# 118

# Container I: RF_NS (netns), RF_HOSTNS (the netns of its host-side
# veth), RF_DEV (that veth), RF_MAC (eth0), RF_HMAC (the host-side
# veth, the gateway's MAC as the container sees it), RF_IP4, RF_IP6.
declare -gA RF_NS=() RF_HOSTNS=() RF_DEV=() RF_MAC=() RF_HMAC=() RF_IP4=() RF_IP6=()
RF_IDS=()	# the containers of the fixture, in order
NS_R=

# Run a command in container I: rf_in I CMD...
rf_in() {
	local i=$1
	shift
	ip netns exec "${RF_NS[$i]}" "$@"
}

# The same in H, through nsenter so that the process keeps our mounts
# (ip netns exec remounts /sys and hides the private bpffs).
rf_h() {
	nsenter --net="/run/netns/$NS_H" "$@"
}

# Container I on host netns HOSTNS, with addresses NET4.N and NET6:N
# (N defaults to I): rf_container I HOSTNS [NET4 NET6 N] [--mtu M]
rf_container() {
	local i=$1 host=$2 net4=${3:-$RF_NET4} net6=${4:-$RF_NET6} n=${5:-$1} mtu=${6:-}
	local ns="${FX_ID}-c$i" dev="rv$i"
	RF_NS[$i]=$ns
	RF_HOSTNS[$i]=$host
	RF_DEV[$i]=$dev
	RF_MAC[$i]=$(printf '02:00:00:88:%02x:%02x' $((i / 256 + 16)) $((i % 256)))
	RF_HMAC[$i]=$(printf '02:00:00:88:%02x:%02x' $((i / 256 + 32)) $((i % 256)))
	RF_IP4[$i]=$net4.$n
	RF_IP6[$i]=$net6:$n
	RF_IDS+=("$i")
	netns_add "$ns" || return 1
	ip -n "$host" link add "$dev" address "${RF_HMAC[$i]}" type veth \
		peer name eth0 address "${RF_MAC[$i]}" netns "$ns" || return 1
	if [ -n "$mtu" ]; then
		ip -n "$ns" link set eth0 mtu "$mtu" || return 1
	fi
	ip -n "$ns" addr add "${RF_IP4[$i]}/32" dev eth0 &&
	ip -n "$ns" -6 addr add "${RF_IP6[$i]}/128" dev eth0 nodad &&
	ip -n "$ns" link set eth0 up &&
	ip -n "$host" link set "$dev" up &&
	ip -n "$ns" route add 169.254.1.1 dev eth0 scope link &&
	ip -n "$ns" route add default via 169.254.1.1 dev eth0 &&
	ip -n "$ns" -6 route add default via fe80::1 dev eth0
}

# The router netns R and its link to H.
rf_router() {
	NS_R="${FX_ID}-r"
	netns_add "$NS_R" || return 1
	ip -n "$NS_H" link add up0 address $RF_UP_MAC type veth \
		peer name eth0 address $RF_R_MAC netns "$NS_R" || return 1
	ip -n "$NS_H" addr add $RF_H4/24 dev up0 &&
	ip -n "$NS_H" -6 addr add $RF_H6/64 dev up0 nodad &&
	ip -n "$NS_R" addr add $RF_R4/24 dev eth0 &&
	ip -n "$NS_R" -6 addr add $RF_R6/64 dev eth0 nodad &&
	ip -n "$NS_R" addr add $RF_OUT4/32 dev lo &&
	ip -n "$NS_R" -6 addr add $RF_OUT6/128 dev lo &&
	ip -n "$NS_H" link set up0 up &&
	ip -n "$NS_R" link set eth0 up &&
	ip -n "$NS_H" neigh replace $RF_R4 lladdr $RF_R_MAC dev up0 nud permanent &&
	ip -n "$NS_H" -6 neigh replace $RF_R6 lladdr $RF_R_MAC dev up0 nud permanent &&
	ip -n "$NS_R" neigh replace $RF_H4 lladdr $RF_UP_MAC dev eth0 nud permanent &&
	ip -n "$NS_R" -6 neigh replace $RF_H6 lladdr $RF_UP_MAC dev eth0 nud permanent &&
	ip -n "$NS_H" route add default via $RF_R4 dev up0 &&
	ip -n "$NS_H" -6 route add default via $RF_R6 dev up0 &&
	ip -n "$NS_R" route add 10.88.0.0/16 via $RF_H4 dev eth0 &&
	ip -n "$NS_R" -6 route add fd88::/16 via $RF_H6 dev eth0
}

# IPv4 and IPv6 forwarding of a netns (default H) on or off. all.forwarding
# sets every device's and the default for devices made later.
rf_forwarding() {	# on|off [netns]
	local v=0
	[ "$1" = on ] && v=1
	ip netns exec "${2:-$NS_H}" sysctl -qw net.ipv4.conf.all.forwarding=$v \
		net.ipv6.conf.all.forwarding=$v
}

# Calico's non-eBPF way, for the fixture's own check: the host answers
# for the gateway by proxy ARP and an NDP proxy entry and routes the
# containers' /32 and /128 itself. Needs forwarding on (proxy ARP and
# proxy NDP answer only where the device forwards).
rf_kernel_routing() {	# [netns]
	local host=${1:-$NS_H} i dev
	for i in "${RF_IDS[@]}"; do
		[ "${RF_HOSTNS[$i]}" = "$host" ] || continue
		dev=${RF_DEV[$i]}
		ip -n "$host" route add "${RF_IP4[$i]}/32" dev "$dev" scope link &&
		ip -n "$host" -6 route add "${RF_IP6[$i]}/128" dev "$dev" &&
		ip netns exec "$host" sysctl -qw "net.ipv4.conf.$dev.proxy_arp=1" \
			"net.ipv6.conf.$dev.proxy_ndp=1" &&
		ip -n "$host" -6 neigh add proxy fe80::1 dev "$dev" || return 1
	done
	rf_forwarding on "$host"
}

# pairpath acting in host netns NS on pin root ROOT: rf_pp NS ROOT ARGS...
rf_pp() {
	local ns=$1 root=$2
	shift 2
	"$PAIRPATH" -n "$ns" --pin-root "$root" "$@"
}

# (test) Container I as endpoint cI: its addresses, MAC and MTU from eth0.
rf_endpoint_add() {	# i [pp command]
	local i=$1 cmd=${2:-pp}
	$cmd endpoint add "c$i" "${RF_DEV[$i]}" --ip "${RF_IP4[$i]}" --ip "${RF_IP6[$i]}" ||
		fail "endpoint add c$i ${RF_DEV[$i]}"
}

# Wait up to 6 s for IPv6 DAD to end on every address of the fixture's
# namespaces (one second and a random delay: the probes of all of them
# run at once), then check that none failed. A link-local address stays
# tentative until it passes; one that fails is "dadfailed" (and
# tentative) for good.
rf_wait_dad() {	# netns...
	local ns i busy
	for i in $(seq 120); do
		busy=
		for ns in "$@"; do
			[ -z "$(ip -n "$ns" -6 addr show tentative)" ] || busy=$ns
		done
		[ -n "$busy" ] || break
		sleep 0.05
	done
	for ns in "$@"; do
		[ -z "$(ip -n "$ns" -6 addr show dadfailed)" ] ||
			{ echo "DAD failed in $ns: $(ip -n "$ns" -6 addr show dadfailed)" >&2; return 1; }
	done
	[ -z "$busy" ] || { echo "DAD still running in $busy" >&2; return 1; }
}

# Every netns of the fixture: H, R and the containers (and extra ones).
rf_all_ns() {
	local i
	echo "$NS_H"
	[ -z "$NS_R" ] || echo "$NS_R"
	for i in "${RF_IDS[@]}"; do
		echo "${RF_NS[$i]}"
	done
}

# (test) The routed fixture: rf_up TAG N [--kernel] [--no-endpoints]
# [--forwarding] [--mtu I:MTU]... Containers 1..N; unless --no-endpoints
# or --kernel each is endpoint cI, added before their DAD ends, so that
# DAD runs past the program (which must never answer it). --mtu sets
# container I's eth0 MTU before its endpoint is added.
rf_up() {
	local tag=$1 n=$2 kernel=0 eps=1 fwd=off i
	local -A mtu=()
	shift 2
	while [ $# -gt 0 ]; do
		case $1 in
		--kernel) kernel=1; eps=0 ;;
		--no-endpoints) eps=0 ;;
		--forwarding) fwd=on ;;
		--mtu) mtu[${2%%:*}]=${2#*:}; shift ;;
		*) fail "rf_up: unknown setting '$1'" ;;
		esac
		shift
	done
	RF_IDS=()
	fixture_up "rt$tag" --bare || fail "fixture_up rt$tag"
	rf_forwarding "$fwd" || fail "forwarding $fwd in $NS_H"
	rf_router || fail "router netns"
	for i in $(seq "$n"); do
		rf_container "$i" "$NS_H" "$RF_NET4" "$RF_NET6" "$i" "${mtu[$i]:-}" ||
			fail "container $i"
	done
	if [ $kernel = 1 ]; then
		rf_kernel_routing || fail "kernel routing in $NS_H"
	fi
	if [ $eps = 1 ]; then
		for i in $(seq "$n"); do
			rf_endpoint_add "$i"
		done
	fi
	fixture_settle "$NS_H" || fail "carrier in $NS_H"
	rf_wait_dad $(rf_all_ns) || fail "DAD"
}

# ---------------------------------------------------------------------
# Traffic and the kernel's counters

# ping from container I, COUNT echoes (default 1), each answered within
# 2 s: rf_ping I [-c COUNT] [ping options] ADDR. Prints ping's output
# when not every echo was answered.
rf_ping() {
	local i=$1 out c=1
	shift
	if [ "${1:-}" = -c ]; then
		c=$2
		shift 2
	fi
	out=$(rf_in "$i" ping -c "$c" -i 0.01 -W 2 "$@" 2>&1) &&
		[[ $out == *"$c packets transmitted, $c received,"* ]] && return 0
	echo "$out"
	return 1
}

# (test) The same, or the test fails.
rf_expect_ping() {	# i [-c count] [ping options] addr
	local out
	out=$(rf_ping "$@") || fail "c$1: ping ${*:2}: $out"
}

# (test) One echo that must go unanswered within 1 s.
rf_expect_no_ping() {	# i [ping options] addr
	local i=$1 out
	shift
	out=$(rf_in "$i" ping -c 1 -W 1 "$@" 2>&1) &&
		fail "c$i: ping $* answered: $out"
	[[ $out == *"1 packets transmitted, 0 received"* ]] ||
		fail "c$i: ping $*: $out"
}

# (test) Every container pings every other one, IPv4 and IPv6, once each.
rf_all_pairs_ping() {
	local i j
	for i in "${RF_IDS[@]}"; do
		for j in "${RF_IDS[@]}"; do
			[ "$i" = "$j" ] && continue
			rf_expect_ping "$i" "${RF_IP4[$j]}"
			rf_expect_ping "$i" -6 "${RF_IP6[$j]}"
		done
	done
}

# A counter of a netns: rf_snmp NETNS FILE NAME, where FILE is
# /proc/net/snmp (NAME as Ip:ForwDatagrams, the table's "Ip:" header line
# and its values line) or a two-column file (/proc/net/snmp6,
# /proc/net/dev_snmp6/DEV: NAME as Ip6OutForwDatagrams). "absent" if
# there is no such counter.
rf_snmp() {	# netns file name
	ip netns exec "$1" cat "$2" | awk -v want="$3" '
		NF == 2 && $1 == want { v = $2 }
		$1 ~ /:$/ {
			if (hdr[$1] == "") { for (i = 2; i <= NF; i++) names[$1, i] = $i; hdr[$1] = 1 }
			else for (i = 2; i <= NF; i++) if ($1 names[$1, i] == want) v = $i
		}
		END { print (v == "" ? "absent" : v) }'
}

# IpForwDatagrams and Ip6OutForwDatagrams of a netns (default H).
rf_fwd4() { rf_snmp "${1:-$NS_H}" /proc/net/snmp Ip:ForwDatagrams; }
rf_fwd6() { rf_snmp "${1:-$NS_H}" /proc/net/snmp6 Ip6OutForwDatagrams; }

# ---------------------------------------------------------------------
# pairpath's view

# One sample of 'pairpath stats --format prometheus' of a pp command
# (default the fixture's pp), or "absent": rf_metric 'NAME{LABELS}' [pp]
rf_metric() {	# sample [command]
	"${2:-pp}" stats --format prometheus |
		awk -v s="$1" '$1 == s { print $2; f = 1 } END { if (!f) print "absent" }'
}

# (test) An endpoint's sample: rf_expect_ep FAMILY ENDPOINT LABEL VALUE
# EXPECTED [pp], FAMILY a suffix of pairpath_endpoint_ (packets_total...),
# LABEL the second label (direction, reason, protocol).
rf_expect_ep() {	# family endpoint label value expected [command]
	local s="pairpath_endpoint_$1{endpoint=\"$2\",$3=\"$4\"}"
	expect_eq "$(rf_metric "$s" "${6:-pp}")" "$5" "$s"
}

# (test) packets and bytes of an endpoint one way: rf_expect_ep_counts
# ENDPOINT to|from PACKETS BYTES [pp]
rf_expect_ep_counts() {
	rf_expect_ep packets_total "$1" direction "$2" "$3" "${5:-pp}"
	rf_expect_ep bytes_total "$1" direction "$2" "$4" "${5:-pp}"
}

# The endpoints' names as 'endpoint list --format json' has them.
rf_endpoint_names() {	# [command]
	"${1:-pp}" endpoint list --format json | $PY -c '
import json, sys
d = json.load(sys.stdin)
eps = d["endpoints"] if isinstance(d, dict) else d
print(" ".join(e["name"] for e in eps))' || echo "list-failed"
}

# What an endpoint command may change in a host netns (default H): its
# routes, permanent neighbours and proxies, in both families.
rf_routes_snapshot() {	# [netns]
	local ns=${1:-$NS_H}
	echo "== routes"
	ip -n "$ns" route show table all
	ip -n "$ns" -6 route show table all
	echo "== neighbours"
	ip -n "$ns" neigh show nud permanent
	ip -n "$ns" -6 neigh show nud permanent
	ip -n "$ns" neigh show proxy
	ip -n "$ns" -6 neigh show proxy
}
