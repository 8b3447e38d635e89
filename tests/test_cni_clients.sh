# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Real CNI clients (issue 12): two podman containers and two containerd
# containers on one network, a ping and a file with its checksum between
# them, and removal that leaves no container, veth or lease. The ptp
# tests prove the fixture with Debian's own plugin; the ppnet tests run
# pairpath-cni and check its per-endpoint counters exactly.

source "$PP_TOP/tests/cni_fixture.sh"

CC_PINGS=5
CC_FILE_BYTES=$((1 << 20))

# The container's eth0 IPv4 address: cc_podman_ip NAME
cc_podman_ip() {
	cf_podman exec "$1" ip -4 -o addr show dev eth0 | awk '{ sub(/\/.*/, "", $4); print $4 }'
}

# (test) Ping from one to the other, then a file served by one's httpd
# fetched by the other, hashed at both ends: cc_traffic EXEC A B IP_B
# where EXEC runs a command in a container (cc_pexec or cc_cexec).
cc_traffic() {
	local ex=$1 a=$2 b=$3 ip=$4 out want got
	out=$($ex "$a" ping -c $CC_PINGS -W 2 "$ip" 2>&1)
	[[ $out == *"$CC_PINGS packets transmitted, $CC_PINGS packets received"* ]] ||
		fail "$a: ping $ip: $out"
	$ex "$b" sh -c "mkdir -p /www && dd if=/dev/urandom of=/www/f bs=4096 count=$((CC_FILE_BYTES / 4096)) 2>/dev/null" ||
		fail "$b: make the file"
	want=$($ex "$b" sha256sum /www/f | awk '{ print $1 }')
	# busybox's wget resolves through static glibc's NSS and crashes:
	# nc both ends, the server's cat closing the connection at the end.
	$ex -d "$b" nc -l -p 8080 -e cat /www/f || fail "$b: nc -l"
	for i in $(seq 50); do
		got=$($ex "$a" sh -c "nc $ip 8080 </dev/null | sha256sum" | awk '{ print $1 }')
		[ "$got" = e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ] || break
		sleep 0.1
	done
	expect_eq "$got" "$want" "sha256 of the file from $b at $a"
}

cc_pexec() { cf_podman exec "$@"; }
cc_cexec() {
	local d=()
	[ "$1" != -d ] || { d=(--detach); shift; }
	cf_ctr task exec "${d[@]}" --exec-id "x$RANDOM$RANDOM" "$@"
}

# (test) No veth in the node netns and no lease left.
cc_expect_clean() {
	expect_eq "$(ip -n "$NS_H" -o link show type veth)" "" "veths in the node netns"
	expect_eq "$(find "$CF_ROOT/ipam" -type f ! -name 'last_reserved_ip*' ! -name lock)" "" \
		"host-local leases"
}

cc_podman_two() {	# net
	local c
	for c in c1 c2; do
		cf_podman run -d --name "$c" --network "$1" $CF_IMAGE sleep 600 >/dev/null ||
			fail "podman run $c"
	done
	CC_IP2=$(cc_podman_ip c2)
	[ -n "$CC_IP2" ] || fail "c2 has no address"
}

cc_podman_rm() {
	cf_podman rm -f -t 0 c1 c2 >/dev/null || fail "podman rm"
	expect_eq "$(cf_podman ps -aq)" "" "podman containers"
}

cc_ctr_two() {
	local c
	# ctr tears the network down (CNI DEL) only at the end of a run in
	# the foreground with --rm: run it in the background.
	CC_CTR_PIDS=()
	for c in c1 c2; do
		cf_ctr_cmd run --rm --cni $CF_IMAGE "$c" sleep 100
		bg_start timeout 120 "${CF_CTR_CMD[@]}" >"$CF_ROOT/ctr-$c.log" 2>&1
		CC_CTR_PIDS+=("$BG_PID")
		for i in $(seq 100); do
			[[ $(cf_ctr task ls 2>/dev/null) == *"$c "*RUNNING* ]] && break
			sleep 0.1
		done
	done
	CC_IP2=$(cf_ctr task exec --exec-id ip2 c2 ip -4 -o addr show dev eth0 |
		awk '{ sub(/\/.*/, "", $4); print $4 }')
	[ -n "$CC_IP2" ] || fail "c2 has no address"
}

cc_ctr_rm() {
	local i
	for i in 0 1; do
		cf_ctr task kill -s KILL "c$((i + 1))" >/dev/null
		bg_wait "${CC_CTR_PIDS[i]}"
	done
	expect_eq "$(cf_ctr container ls -q)" "" "containerd containers"
}

# Packets and bytes an endpoint sent and received, from the node netns.
cc_ep_stats() {
	nsenter --net="/run/netns/$NS_H" "$PAIRPATH" --pin-root "$PIN_ROOT" stats --format json
}

test_cni_clients_podman_ptp() {
	cf_up pp ptp
	cc_podman_two ppptp
	cc_traffic cc_pexec c1 c2 "$CC_IP2"
	cc_podman_rm
	cc_expect_clean
	cf_expect_host_unchanged
}

test_cni_clients_containerd_ptp() {
	cf_up cp ptp
	cf_ctrd_up
	cc_ctr_two
	cc_traffic cc_cexec c1 c2 "$CC_IP2"
	cc_ctr_rm
	cc_expect_clean
	cf_expect_host_unchanged
}

# pairpath-cni: the endpoints' counters see exactly the pings, and
# nothing of the endpoints is left after removal.
cc_pairpath_ready() {
	[ -x "$PAIRPATH_CNI" ] || { echo "no $PAIRPATH_CNI (make)"; exit 77; }
}

test_cni_clients_podman_pairpath() {
	local before after out
	cc_pairpath_ready
	cf_up pq pairpath
	cc_podman_two ppnet
	before=$(cc_ep_stats) || fail "stats: $before"
	out=$(cc_pexec c1 ping -c $CC_PINGS -W 2 "$CC_IP2" 2>&1)
	[[ $out == *"$CC_PINGS packets received"* ]] || fail "ping: $out"
	after=$(cc_ep_stats) || fail "stats: $after"
	cc_expect_ping_counts "$before" "$after"
	cc_traffic cc_pexec c1 c2 "$CC_IP2"
	cc_podman_rm
	cc_expect_clean
	cc_expect_no_endpoint
	cf_expect_host_unchanged
}

test_cni_clients_containerd_pairpath() {
	local before after out
	cc_pairpath_ready
	cf_up cq pairpath
	cf_ctrd_up
	cc_ctr_two
	before=$(cc_ep_stats) || fail "stats: $before"
	out=$(cc_cexec c1 ping -c $CC_PINGS -W 2 "$CC_IP2" 2>&1)
	[[ $out == *"$CC_PINGS packets received"* ]] || fail "ping: $out"
	after=$(cc_ep_stats) || fail "stats: $after"
	cc_expect_ping_counts "$before" "$after"
	cc_ctr_rm
	cc_expect_clean
	cc_expect_no_endpoint
	cf_expect_host_unchanged
}

cc_expect_no_endpoint() {
	expect_eq "$(cc_ep_stats | $PY -c 'import json, sys; print(len(json.load(sys.stdin)["endpoints"]))')" 0 \
		"endpoints after removal"
}

# (test) Between two stats snapshots, each of the two endpoints sent and
# received exactly CC_PINGS frames of 98 bytes (an ICMP echo or reply
# of 56 bytes of data, with 8 of ICMP, 20 of IPv4 and 14 of Ethernet).
cc_expect_ping_counts() {	# before after
	local d
	d=$($PY -c '
import json, sys
def eps(s):
    return {e["name"]: {k: (int(e[k]["packets"]), int(e[k]["bytes"])) for k in ("from", "to")}
            for e in json.loads(s)["endpoints"]}
a, b = eps(sys.argv[1]), eps(sys.argv[2])
for n in sorted(b):
    for k in ("from", "to"):
        p0, b0 = a.get(n, {}).get(k, (0, 0))
        print("%s:%d/%d" % (k, b[n][k][0] - p0, b[n][k][1] - b0))
' "$1" "$2") || fail "stats json: $2"
	echo "counter deltas: $d"
	expect_eq "$(wc -w <<<"$d")" 4 "endpoints' directions counted (two endpoints)"
	for x in $d; do
		expect_eq "${x#*:}" "$CC_PINGS/$((CC_PINGS * 98))" "endpoint counters ${x%%:*}"
	done
}
