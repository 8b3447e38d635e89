# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The routed-mode scenarios of the benchmark (issue 11), sourced by
# bench/run.sh, whose fixture helpers, logs and REASON convention they use:
# the same two containers A and B, same node, reached three ways.
#
#   routed            kernel routing, Calico's non-eBPF way: /32 routes
#                     through each host-side veth, proxy ARP and forwarding
#                     on in H (and only in H)
#   docker_bridge     a bridge docker0 in H with Docker 27.5.1's default
#                     ruleset (bench/docker-bridge.rules) loaded with
#                     iptables-nft-restore in H, bridge-nf-call-iptables=1
#                     in H
#   pairpath_routed*  the containers of `routed`, one `pairpath endpoint add`
#                     each, no proxy ARP and no forwarding in H; _many adds
#                     RT_EXTRA more endpoints (998: 1000 in all; 8 with
#                     --quick) on veths whose peers share one more netns
#   uplink_kernel     north-south: A is a router outside, vethA H's uplink,
#                     H forwards into B (a /32 route, proxy ARP)
#   pairpath_uplink_notracer  the same with B an endpoint and `pairpath
#                     uplink add vethA`: the uplink program delivers into B
#
# Containers are made the contract's way (Calico style): a /32 on eth0, a
# scope-link route to the gateway 169.254.1.1 and the default route via it.

RT_GW=169.254.1.1
DOCKER_RULES=$PP_TOP/bench/docker-bridge.rules

# A and B addressed with /32s behind the link-local gateway.
rt_containers() {
	local ns
	bench_fixture m --len 32 || return 1
	for ns in "$NS_A" "$NS_B"; do
		ip -n "$ns" route add $RT_GW dev eth0 scope link &&
		ip -n "$ns" route add default via $RT_GW dev eth0 || return 1
	done
}

# Kernel routing. Proxy ARP answers for the gateway as Calico's hosts do:
# for an address routed out of another device than the one asked on (the
# default route through an uplink, a veth with both ends in H, which
# nothing is sent to: dummy devices are not built in here), and only
# where forwarding is on for the device asked on. proxy_delay 0: the
# answer at once (Calico sets it too), not up to 0.8 s later.
setup_routed() {
	local c
	rt_containers || return 1
	ip -n "$NS_H" link add up0 type veth peer name up0p &&
	ip -n "$NS_H" addr add 192.0.2.1/24 dev up0 &&
	ip -n "$NS_H" link set up0p up && ip -n "$NS_H" link set up0 up &&
	ip -n "$NS_H" route add default via 192.0.2.254 dev up0 || return 1
	in_h sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 || return 1
	for c in A B; do
		in_h sysctl -qw net.ipv4.conf.veth$c.proxy_arp=1 \
			net.ipv4.neigh.veth$c.proxy_delay=0 \
			net.ipv4.conf.veth$c.rp_filter=0 || return 1
	done
	ip -n "$NS_H" route add "$IP_A/32" dev vethA scope link &&
	ip -n "$NS_H" route add "$IP_B/32" dev vethB scope link
}

# iptables-nft in H: ipt_h iptables-nft-restore|iptables-nft-save ...
ipt_h() {
	timeout 30 ip netns exec "$NS_H" "$@"
}

# Docker's default bridge. The containers get Docker's first addresses,
# 172.17.0.2 and .3, docker0 its gateway 172.17.0.1/16. br_netfilter's
# sysctls are per netns since Linux 5.3 (they live in struct brnf_net):
# they are set in H alone, never in the machine's netns.
setup_docker_bridge() {
	local ns ip
	bench_fixture m || return 1
	if ! command -v iptables-nft-restore >/dev/null; then
		REASON="iptables-nft-restore is not installed (make deps-bench installs iptables)"
		return 2
	fi
	if ! in_h test -e "$BRNF"; then
		REASON="br_netfilter is not built into this kernel ($BRNF missing in the netns)"
		return 2
	fi
	# Docker's addresses on the fixture's containers, instead of 10.88.0.x.
	for ns in "$NS_A" "$NS_B"; do
		ip=172.17.0.2
		[ "$ns" = "$NS_B" ] && ip=172.17.0.3
		ip -n "$ns" addr flush dev eth0 &&
		ip -n "$ns" addr add $ip/16 dev eth0 &&
		ip -n "$ns" route add default via 172.17.0.1 dev eth0 || return 1
	done
	IP_A=172.17.0.2 IP_B=172.17.0.3
	ip -n "$NS_H" link add docker0 type bridge stp_state 0 &&
	ip -n "$NS_H" addr add 172.17.0.1/16 dev docker0 &&
	ip -n "$NS_H" link set vethA master docker0 &&
	ip -n "$NS_H" link set vethB master docker0 &&
	ip -n "$NS_H" link set docker0 up || return 1
	# What dockerd sets: forwarding, and br_netfilter calling iptables.
	in_h sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 \
		net.bridge.bridge-nf-call-ip6tables=1 || return 1
	[ "$(in_h cat "$BRNF")" = 1 ] || { echo "bridge-nf-call-iptables is not 1 in H"; return 1; }
	# The frames go through the rules: the same-bridge accept counts a ping.
	ipt_h_load "$DOCKER_RULES" filter '-A FORWARD -i docker0 -o docker0 -j ACCEPT'
}

# A ruleset loaded in H with iptables-nft-restore, and proof that frames
# cross it: after one ping from A to B, the rule of TABLE matching the
# awk pattern RULE has counted a packet.
ipt_h_load() {	# RULES TABLE RULE
	local out
	out=$(ipt_h iptables-nft-restore <"$1" 2>&1) ||
		{ echo "iptables-nft-restore: $out"; return 1; }
	in_a ping -q -c 1 -W 2 "$IP_B" >/dev/null 2>&1
	out=$(ipt_h iptables-nft-save -c -t "$2" 2>&1 |
		awk -v rule="$3" 'index($0, rule) { sub(/^\[/, ""); sub(/:.*/, ""); print }')
	[ "${out:-0}" -gt 0 ] ||
		{ echo "'$3' counted no packet: $(ipt_h iptables-nft-save -c)"; return 1; }
	echo "'$3' packets after one ping: $out"
}

# pairpath on the fixture: its reset registered for fixture_down, and 2
# (unavailable) when this pairpath has no routed mode's endpoint command.
rt_begin() {
	cleanup_add timeout 60 "$PAIRPATH" -n "$NS_H" --pin-root "$PIN_ROOT" reset
	if ! pp_h endpoint list >/dev/null 2>&1; then
		REASON="this pairpath has no 'endpoint' command (routed mode not built in)"
		return 2
	fi
}

# The kernel-drop tracer that endpoint add loads, kept (1) or detached (0),
# of H's pairpath or of another node's (its pp command and pin root).
rt_tracer() {	# TRACER(0|1) [PP ROOT]
	local link pp=${2:-pp_h} root=${3:-$PIN_ROOT}
	link=$(ls -d "$root"/netns-*/kdrop_link 2>/dev/null)
	if [ "$1" = 1 ] && [ -z "$link" ]; then
		REASON="the kernel-drop tracer did not load with 'endpoint add'"
		return 2
	fi
	[ "$1" = 1 ] || [ -z "$link" ] || $pp kernel-drops off
}

# RT_EXTRA more endpoints on veths e0.. of H, their peers in one netns
# (ppb<PID>m-x), addresses 10.89.I/256.I%256, with one ip -batch.
rt_extra_endpoints() {	# N
	local n=$1 i x=$FX_ID-x
	netns_add "$x" && ipv6_off "$x" || return 1
	for ((i = 0; i < n; i++)); do
		echo "link add e$i type veth peer name p$i netns $x"
		echo "link set e$i up"
	done >"$WORK/rt-extra.batch"
	timeout 300 ip -n "$NS_H" -batch "$WORK/rt-extra.batch" || return 1
	for ((i = 0; i < n; i++)); do
		echo "link set p$i up"
	done >"$WORK/rt-extra-peers.batch"
	timeout 300 ip -n "$x" -batch "$WORK/rt-extra-peers.batch" || return 1
	for ((i = 0; i < n; i++)); do
		pp_h endpoint add "x$i" "e$i" --ip "10.89.$((i / 256)).$((i % 256))" || {
			echo "endpoint add of extra endpoint $i of $n failed"
			return 1
		}
	done
}

# pairpath's endpoints for A and B, and EXTRA more. The endpoint count is
# a raw reading of the run (setup_endpoints in runs.csv).
rt_pairpath() {	# TRACER(0|1) EXTRA
	rt_containers || return 1
	rt_begin || return
	pp_h endpoint add epA vethA --ip "$IP_A" &&
	pp_h endpoint add epB vethB --ip "$IP_B" || return 1
	if [ "$2" -gt 0 ]; then
		rt_extra_endpoints "$2" || return 1
	fi
	SCN_KV="endpoints=$((2 + $2))"
	rt_tracer "$1"
}
setup_pairpath_routed() { rt_pairpath 1 0; }
setup_pairpath_routed_notracer() { rt_pairpath 0 0; }
setup_pairpath_routed_many_notracer() { rt_pairpath 0 "$RT_EXTRA"; }

# Container NS (eth0 with MAC) made a router outside, reached through H's
# DEV, its uplink: NS 192.0.2.2/24 with its default route via H, H
# 192.0.2.1/24 on DEV with its default route via NS, static neighbours on
# that link both ways; forwarding on in H.
rt_router() {	# NS DEV MAC
	local hmac
	ip -n "$1" route flush dev eth0 &&
	ip -n "$1" addr flush dev eth0 &&
	ip -n "$1" addr add 192.0.2.2/24 dev eth0 &&
	ip -n "$1" route add default via 192.0.2.1 dev eth0 || return 1
	hmac=$(in_h cat "/sys/class/net/$2/address") || return 1
	ip -n "$NS_H" addr add 192.0.2.1/24 dev "$2" &&
	ip -n "$NS_H" route add default via 192.0.2.2 dev "$2" &&
	ip -n "$NS_H" neigh replace 192.0.2.2 lladdr "$3" dev "$2" nud permanent &&
	ip -n "$1" neigh replace 192.0.2.1 lladdr "$hmac" dev eth0 nud permanent || return 1
	in_h sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.vethA.rp_filter=0 \
		net.ipv4.conf.vethB.rp_filter=0
}

# North-south: A is the outside world, a router reached through vethA,
# H's uplink; B is a container. Forwarding is on in H in both: what B
# sends to A goes out through the host stack either way.
ns_common() {
	rt_containers && rt_router "$NS_A" vethA $MAC_A || return 1
	IP_A=192.0.2.2
}

# Kernel forwarding from the uplink into B: a /32 route, and proxy ARP on
# vethB for B's gateway (routed out of vethA, the default route).
setup_uplink_kernel() {
	ns_common || return 1
	in_h sysctl -qw net.ipv4.conf.vethB.proxy_arp=1 net.ipv4.neigh.vethB.proxy_delay=0 &&
	ip -n "$NS_H" route add "$IP_B/32" dev vethB scope link
}

# pairpath: B an endpoint, vethA an uplink; the uplink program delivers
# A's frames for B with bpf_redirect_peer().
setup_pairpath_uplink_notracer() {
	ns_common || return 1
	rt_begin || return
	pp_h endpoint add epB vethB --ip "$IP_B" &&
	pp_h uplink add vethA || return 1
	SCN_KV="endpoints=1"
	rt_tracer 0
}
