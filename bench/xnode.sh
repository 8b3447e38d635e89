# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The cross-node and --fib scenarios of the benchmark (issue 11), sourced
# by bench/run.sh after bench/routed.sh, whose helpers they use.
#
# Cross-node: two nodes, H (node 1, with A) and N2 (node 2, with B: the
# fixture's vethB moved there), joined by an underlay veth ul0
# (192.168.77.1/24 on H, .2 on N2, static neighbours both ways), native
# routing: each node routes the other node's container /32 through ul0.
# Forwarding is on in both nodes in all three.
#
#   xnode_kernel        kernel routing at both ends, as setup_routed: the
#                       own container's /32 through its veth, proxy ARP
#                       for the gateway (routed out of ul0, the default
#                       route), forwarding
#   xnode_pairpath      pairpath at both ends, each node its own pin root:
#                       `endpoint add` for its container, `uplink add ul0`.
#                       A's frames for B go through H's host stack (the
#                       endpoint hands them over: not local), N2's uplink
#                       program delivers them into B
#   xnode_pairpath_fib  the same with the endpoints added with --fib: H's
#                       program sends A's frames out of ul0 itself
#                       (bpf_fib_lookup, bpf_redirect), skipping H's stack
#
# --fib against the host stack: A a container on H, B a router outside
# (192.0.2.2, H's uplink vethB 192.0.2.1/24, H's default route via B);
# B's replies are delivered into A by the uplink program in both.
#
#   fib_host            A an endpoint without --fib: its frames to B are
#                       handed to H's stack, which forwards them (no
#                       netfilter rule in H, so no conntrack either)
#   fib_pairpath        A an endpoint with --fib: bpf_fib_lookup() and
#                       bpf_redirect() (or bpf_redirect_neigh()) out of
#                       vethB; netfilter (FORWARD, conntrack, NAT) and
#                       xfrm are skipped whatever rules H has
#   fib_host_nat        fib_host with bench/host-nat.rules in H: conntrack,
#                       FORWARD policy DROP, MASQUERADE out of vethB
#
# The pairpath ones run with the kernel-drop tracers detached (both
# nodes'), like the _notracer scenarios.

XN_UL_MAC1=02:00:00:77:00:01
XN_UL_MAC2=02:00:00:77:00:02
XN_UL1=192.168.77.1
XN_UL2=192.168.77.2
# Node 2: its netns and pin root (set by xn_nodes).
XN_N2= XN_ROOT2=

# pairpath on node 2, bounded.
pp_n2() { timeout 60 "$PAIRPATH" -n "$XN_N2" --pin-root "$XN_ROOT2" "$@"; }
in_n2() { ip netns exec "$XN_N2" "$@"; }

# The two nodes: A in H, B in N2, the underlay, each node's route to the
# other's container, forwarding on both.
xn_nodes() {
	local ns
	rt_containers || return 1
	XN_N2=$FX_ID-n2 XN_ROOT2=$FX_TMP/bpffs/node2
	netns_add "$XN_N2" && ipv6_off "$XN_N2" || return 1
	ip -n "$NS_H" link set vethB netns "$XN_N2" &&
	ip -n "$XN_N2" link set vethB up || return 1
	ip -n "$NS_H" link add ul0 address $XN_UL_MAC1 type veth peer name ul0 \
		address $XN_UL_MAC2 netns "$XN_N2" &&
	ip -n "$NS_H" addr add $XN_UL1/24 dev ul0 &&
	ip -n "$XN_N2" addr add $XN_UL2/24 dev ul0 &&
	ip -n "$NS_H" link set ul0 up && ip -n "$XN_N2" link set ul0 up &&
	ip -n "$NS_H" neigh replace $XN_UL2 lladdr $XN_UL_MAC2 dev ul0 nud permanent &&
	ip -n "$XN_N2" neigh replace $XN_UL1 lladdr $XN_UL_MAC1 dev ul0 nud permanent &&
	ip -n "$NS_H" route add "$IP_B/32" via $XN_UL2 dev ul0 &&
	ip -n "$XN_N2" route add "$IP_A/32" via $XN_UL1 dev ul0 || return 1
	for ns in "$NS_H" "$XN_N2"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
			net.ipv4.conf.ul0.rp_filter=0 || return 1
	done
}

# Kernel routing at both ends. Proxy ARP answers for the gateway because
# it is routed out of another device than the container's (the default
# route through ul0), as in setup_routed.
setup_xnode_kernel() {
	xn_nodes || return 1
	in_h sysctl -qw net.ipv4.conf.vethA.proxy_arp=1 net.ipv4.neigh.vethA.proxy_delay=0 \
		net.ipv4.conf.vethA.rp_filter=0 &&
	in_n2 sysctl -qw net.ipv4.conf.vethB.proxy_arp=1 net.ipv4.neigh.vethB.proxy_delay=0 \
		net.ipv4.conf.vethB.rp_filter=0 || return 1
	ip -n "$NS_H" route add "$IP_A/32" dev vethA scope link &&
	ip -n "$XN_N2" route add "$IP_B/32" dev vethB scope link &&
	ip -n "$NS_H" route add default via $XN_UL2 dev ul0 &&
	ip -n "$XN_N2" route add default via $XN_UL1 dev ul0
}

# pairpath at both ends: FIB is "" or --fib for the endpoints.
xn_pairpath() {	# [--fib]
	xn_nodes || return 1
	rt_begin || return
	# Node 2's state goes before its netns (cleanups run last first).
	cleanup_add timeout 60 "$PAIRPATH" -n "$XN_N2" --pin-root "$XN_ROOT2" reset
	pp_h endpoint add epA vethA --ip "$IP_A" "$@" &&
	pp_h uplink add ul0 &&
	pp_n2 endpoint add epB vethB --ip "$IP_B" "$@" &&
	pp_n2 uplink add ul0 || return 1
	SCN_KV="endpoints=1"
	rt_tracer 0 && rt_tracer 0 pp_n2 "$XN_ROOT2"
}
setup_xnode_pairpath() { xn_pairpath; }
setup_xnode_pairpath_fib() { xn_pairpath --fib; }

# B the router outside (rt_router), vethB H's uplink; A an endpoint with
# the options given, vethB a pairpath uplink.
fib_common() {	# [--fib]
	rt_containers && rt_router "$NS_B" vethB $MAC_B || return 1
	IP_B=192.0.2.2
	rt_begin || return
	pp_h endpoint add epA vethA --ip "$IP_A" "$@" &&
	pp_h uplink add vethB || return 1
	SCN_KV="endpoints=1"
	rt_tracer 0
}
setup_fib_host() { fib_common; }
setup_fib_pairpath() { fib_common --fib; }

# fib_host on a host with NAT: bench/host-nat.rules (conntrack, FORWARD
# policy DROP, MASQUERADE out of vethB) in H. --fib would skip all of it
# (and so would not masquerade): this is what the host stack costs where
# such rules exist.
setup_fib_host_nat() {
	if ! command -v iptables-nft-restore >/dev/null; then
		REASON="iptables-nft-restore is not installed (make deps-bench installs iptables)"
		return 2
	fi
	# The flow's first packet is masqueraded, the rest follow conntrack.
	fib_common && ipt_h_load "$PP_TOP/bench/host-nat.rules" nat '-j MASQUERADE'
}

# The endpoints' counters read around the sink, as key=value: B's `to`
# (delivered into B by the program: routed_ingress or routed_uplink) and
# A's fib_forwarded (sent out by the program with --fib).
ep_json_kv() {	# [NAME:FIELD:KEY]... reads 'stats --format json'
	$PY -c '
import json, sys
eps = {e["name"]: e for e in json.load(sys.stdin)["endpoints"]}
for spec in sys.argv[1:]:
    name, field, key = spec.split(":")
    if name in eps:
        v = eps[name]
        for f in field.split("."):
            v = v[f]
        print("%s=%d" % (key, v))' "$@"
}

ep_kv() {
	case $SCN in
	pairpath_routed* | pairpath_uplink*)
		pp_h stats --format json | ep_json_kv epB:to.packets:ep_b_to_packets ;;
	xnode_pairpath*)
		pp_h stats --format json | ep_json_kv epA:fib_forwarded:ep_a_fib_forwarded
		pp_n2 stats --format json | ep_json_kv epB:to.packets:ep_b_to_packets ;;
	fib_*)
		pp_h stats --format json | ep_json_kv epA:fib_forwarded:ep_a_fib_forwarded ;;
	esac
}
