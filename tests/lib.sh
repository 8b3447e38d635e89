# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Fixtures shared by the test runner, the demo and the benchmark: private
# network namespaces standing in for a host and two containers, and a
# private bpffs for pins. Everything made here is removed by fixture_down.

PP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PAIRPATH=${PAIRPATH:-$PP_TOP/.output/pairpath}
PY=/usr/bin/python3

# Names are unique per process and fixture so parallel runs never meet.
fixture_up() {
	local tag=${1:-t}
	FX_ID="pp$$${tag}"
	NS_H="${FX_ID}-h"
	NS_A="${FX_ID}-a"
	NS_B="${FX_ID}-b"
	FX_TMP=$(mktemp -d "/tmp/pairpath-${FX_ID}.XXXXXX")
	mkdir -p "$FX_TMP/bpffs"
	mount -t bpf bpf "$FX_TMP/bpffs" || return 1
	PIN_ROOT="$FX_TMP/bpffs/pairpath"

	ip netns add "$NS_H" && ip netns add "$NS_A" && ip netns add "$NS_B" || return 1
	ip -n "$NS_H" link add vethA type veth peer name eth0 netns "$NS_A" || return 1
	ip -n "$NS_H" link add vethB type veth peer name eth0 netns "$NS_B" || return 1
	ip -n "$NS_A" link set eth0 address 02:00:00:00:00:0a
	ip -n "$NS_B" link set eth0 address 02:00:00:00:00:0b
	ip -n "$NS_A" addr add 10.77.0.1/24 dev eth0
	ip -n "$NS_B" addr add 10.77.0.2/24 dev eth0
	ip -n "$NS_A" addr add fd77::1/64 dev eth0 nodad
	ip -n "$NS_B" addr add fd77::2/64 dev eth0 nodad
	local ns
	for ns in "$NS_H" "$NS_A" "$NS_B"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_A" link set eth0 up
	ip -n "$NS_B" link set eth0 up
	ip -n "$NS_H" link set vethA up
	ip -n "$NS_H" link set vethB up
}

fixture_down() {
	[ -n "${FX_ID:-}" ] || return 0
	local ns
	for ns in "$NS_H" "$NS_A" "$NS_B"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "${FX_TMP:-}" ]; then
		umount "$FX_TMP/bpffs" 2>/dev/null
		rm -rf "$FX_TMP"
	fi
	FX_ID=
}

# pairpath acting in the host netns of the fixture, on its private pins.
pp() {
	"$PAIRPATH" -n "$NS_H" --pin-root "$PIN_ROOT" "$@"
}

in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }
in_h() { ip netns exec "$NS_H" "$@"; }

# Silence IPv6 (RS, MLD, ND) on every fixture device, for exact counts.
fixture_quiet() {
	local ns
	for ns in "$NS_H" "$NS_A" "$NS_B"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip netns exec "$ns" sh -c 'for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do echo 1 > $f; done'
	done
}

# One counter from 'pairpath stats --json': pp_stat PAIR a_to_b|b_to_a FIELD
# where FIELD is packets, bytes or drops.REASON.
pp_stat() {
	pp stats --json | $PY -c '
import json, sys
pair, direction, field = sys.argv[1:4]
for p in json.load(sys.stdin)["pairs"]:
    if p["name"] != pair:
        continue
    for d in p["directions"]:
        if d["direction"] == direction:
            v = d
            for part in field.split("."):
                v = v[part]
            print(v)
            sys.exit(0)
sys.exit(1)' "$@"
}

# Live ports in a netns pin directory: array slots that have an owner
# (a non-zero ifindex on CPU 0's copy) plus overflow entries.
pp_port_count() {	# dir
	local slots overflow
	slots=$(bpftool -j map dump pinned "$1/ports" | $PY -c '
import json, sys
n = 0
for e in json.load(sys.stdin):
    v = e["values"][0]["value"]
    n += (v["ifindex"] if isinstance(v, dict) else int.from_bytes(bytes(int(b, 16) for b in v[:4]), "little")) != 0
print(n)')
	overflow=$(bpftool -j map dump pinned "$1/ports_overflow" | $PY -c 'import json, sys; print(len(json.load(sys.stdin)))')
	echo $((slots + overflow))
}
