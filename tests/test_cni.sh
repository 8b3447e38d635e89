# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# pairpath-cni at plugin level (issue 12): the binary driven directly with
# the config on stdin and the CNI_* environment, as a runtime would, from
# a node netns of the test's own (nsenter --net: the mounts, and so the
# test's bpffs, stay visible). IPAM is Debian's host-local from its own
# CNI_PATH folder, with its dataDir in the test's temp folder.

PAIRPATH_CNI=${PAIRPATH_CNI:-$PP_TOP/.output/test/pairpath-cni}
CNI_HOST_LOCAL=/usr/lib/cni/host-local

# The node netns, the containers c1 and c2, CNI_PATH and the config.
cni_up() {	# [ipam type]
	[ -x "$CNI_HOST_LOCAL" ] || { echo "SKIP: no $CNI_HOST_LOCAL (containernetworking-plugins)"; exit 77; }
	fixture cni --bare || return 1
	CNI_DIR="$FX_TMP/cni"
	mkdir -p "$CNI_DIR/bin" "$CNI_DIR/data"
	cp "$CNI_HOST_LOCAL" "$CNI_DIR/bin/"
	netns_add "${FX_ID}-c1" && netns_add "${FX_ID}-c2" || return 1
	cni_conf "${1:-host-local}" > "$CNI_DIR/net.json"
}

cni_conf() {	# ipam type [cniVersion]
	cat <<JSON
{"cniVersion":"${2:-1.0.0}","name":"ppnet","type":"pairpath-cni","pinRoot":"$PIN_ROOT",
 "ipam":{"type":"$1","dataDir":"$CNI_DIR/data","ranges":[[{"subnet":"10.89.0.0/24"}],[{"subnet":"fd89::/64"}]]}}
JSON
}

# cni_run COMMAND CONTAINER-ID IFNAME NETNS [config file]: stdout, exit
# status. An empty value leaves its variable out (STATUS, GC, DEL).
cni_run() {
	local v=(CNI_COMMAND="$1" CNI_PATH="$CNI_DIR/bin")
	[ -z "$2" ] || v+=(CNI_CONTAINERID="$2")
	[ -z "$3" ] || v+=(CNI_IFNAME="$3")
	[ -z "$4" ] || v+=(CNI_NETNS="$4")
	nsenter --net="/run/netns/$NS_H" env -i PATH="$PATH" "${v[@]}" ${CNI_EXTRA_ENV:-} \
		"$PAIRPATH_CNI" < "${5:-$CNI_DIR/net.json}"
}

cni_field() {	# json python-expression-of-j
	python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print('"$2"')' "$1"
}

cni_expect_err() {	# code "msg" output
	expect_eq "$(cni_field "$3" 'j["code"], j["msg"]')" "$1 $2" "error"
}

# Nothing of the attachment is left: no veth, no endpoint, no lease, no record.
cni_expect_none() {	# what
	expect_eq "$(ip -n "$NS_H" -o link show type veth | wc -l)" 0 "$1: veths"
	expect_eq "$(pp endpoint list --json 2>/dev/null |
		python3 -c 'import json,sys; d=sys.stdin.read(); print(len(json.loads(d)["endpoints"]) if d.strip() else 0)')" 0 "$1: endpoints"
	expect_eq "$(ls "$CNI_DIR/data/ppnet" 2>/dev/null | grep -c '^10\.\|^fd')" 0 "$1: leases"
}

cni_host() {	# container-id ifname: the host veth's name, as the plugin makes it
	printf '%s\0%s' "$1" "$2" | python3 -c '
import sys
h = 0xcbf29ce484222325
for b in sys.stdin.buffer.read():
    h = ((h ^ b) * 0x100000001b3) & (2**64 - 1)
print("pp%011x" % (h & 0xfffffffffff))'
}

# Nothing of one attachment: its veth, its endpoint.
cni_expect_none_of() {	# container-id ifname
	local h
	h=$(cni_host "$1" "$2")
	ip -n "$NS_H" link show "$h" >/dev/null 2>&1 && fail "veth $h is left"
	expect_eq "$(pp endpoint list --json | python3 -c 'import json,sys; print([e["name"] for e in json.load(sys.stdin)["endpoints"] if e["name"] == sys.argv[1]])' "$h")" \
		"[]" "endpoint $h"
}

cni_ip() {	# result-json index: the address without its prefix
	cni_field "$1" 'j["ips"]['"$2"']["address"].split("/")[0]'
}

test_cni_add_ping() {
	cni_up || fail "fixture"
	local r1 r2 ip2
	r1=$(cni_run ADD ctr1 eth0 "/run/netns/${FX_ID}-c1") || fail "ADD c1: $r1"
	r2=$(cni_run ADD ctr2 eth0 "/run/netns/${FX_ID}-c2") || fail "ADD c2: $r2"
	expect_eq "$(cni_field "$r1" 'j["cniVersion"], len(j["interfaces"]), j["interfaces"][1]["name"], j["interfaces"][1]["sandbox"]')" \
		"1.0.0 2 eth0 /run/netns/${FX_ID}-c1" "result's interfaces"
	expect_eq "$(cni_field "$r1" '[(i["address"], i["gateway"], i["interface"]) for i in j["ips"]]')" \
		"[('10.89.0.2/32', '169.254.1.1', 1), ('fd89::2/128', 'fe80::1', 1)]" "result's ips"
	expect_eq "$(cni_field "$r1" 'j["routes"]')" \
		"[{'dst': '0.0.0.0/0', 'gw': '169.254.1.1'}, {'dst': '::/0', 'gw': 'fe80::1'}]" "result's routes"
	expect_eq "$(cni_field "$r1" 'j["interfaces"][1]["mac"]')" \
		"$(ip -n "${FX_ID}-c1" -o link show eth0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)" "container MAC"
	expect_eq "$(cni_field "$r1" 'j["interfaces"][0]["name"]')" "$(cni_host ctr1 eth0)" "host veth name"
	ip2=$(cni_ip "$r2" 0)
	expect_eq "$ip2" 10.89.0.3 "c2's address"
	ip netns exec "${FX_ID}-c1" ping -c 3 -i 0.2 -W 2 "$ip2" >/dev/null || fail "c1 cannot ping c2"
	# IPv6: the solicitation for fe80::1 goes out from c1's link-local address.
	rf_wait_dad "${FX_ID}-c1" "${FX_ID}-c2" || fail "DAD"
	ip netns exec "${FX_ID}-c1" ping -6 -c 3 -i 0.2 -W 2 "$(cni_ip "$r2" 1)" >/dev/null ||
		fail "c1 cannot ping c2 over IPv6"
	# Delivered by the program: the node netns does not forward.
	expect_eq "$(pp stats --json | python3 -c '
import json, sys
e = json.load(sys.stdin)["endpoints"]
print(" ".join("%s:%d" % (x["name"], x["from"]["packets"]) for x in sorted(e, key=lambda x: x["name"] != sys.argv[1])))' \
		"$(cni_field "$r1" 'j["interfaces"][0]["name"]')")" \
		"$(cni_field "$r1" 'j["interfaces"][0]["name"]'):6 $(cni_field "$r2" 'j["interfaces"][0]["name"]'):6" "endpoints' from counters"
	cni_run DEL ctr1 eth0 "/run/netns/${FX_ID}-c1" >/dev/null || fail "DEL c1"
	cni_run DEL ctr2 eth0 "/run/netns/${FX_ID}-c2" >/dev/null || fail "DEL c2"
	cni_expect_none "after DEL"
}

test_cni_version() {
	cni_up || fail "fixture"
	local out
	out=$(echo '{"cniVersion":"0.4.0"}' | env -i CNI_COMMAND=VERSION "$PAIRPATH_CNI") || fail "VERSION: $out"
	expect_eq "$(cni_field "$out" 'j["cniVersion"], [v for v in j["supportedVersions"] if v >= "0.3.0"]')" \
		"0.4.0 ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0']" "VERSION"
}

test_cni_check() {
	cni_up || fail "fixture"
	local c1="/run/netns/${FX_ID}-c1" out
	cni_run ADD ctr1 eth0 "$c1" >/dev/null || fail "ADD"
	out=$(cni_run CHECK ctr1 eth0 "$c1") || fail "CHECK of a good attachment: $out"
	expect_eq "$out" "" "CHECK's output"
	ip -n "${FX_ID}-c1" addr del 10.89.0.2/32 dev eth0
	out=$(cni_run CHECK ctr1 eth0 "$c1") && fail "CHECK passed without the address"
	cni_expect_err 5 "the IPv4 address of the result is not on the interface" "$out"
	ip -n "${FX_ID}-c1" addr add 10.89.0.2/32 dev eth0
	ip -n "${FX_ID}-c1" route del default via 169.254.1.1 dev eth0
	out=$(cni_run CHECK ctr1 eth0 "$c1") && fail "CHECK passed without the default route"
	cni_expect_err 5 "the IPv4 default route via the gateway is missing" "$out"
	out=$(cni_run ADD ctr1 eth0 "$c1") && fail "a second ADD of the attachment passed"
	cni_expect_err 5 "the attachment ctr1/eth0 exists already (veth '$(cni_host ctr1 eth0)'): DEL it first" "$out"
	out=$(cni_run CHECK ctr1 eth0 "$c1") && fail "CHECK passed after the second ADD"
	cni_expect_err 5 "the IPv4 default route via the gateway is missing" "$out"
	out=$(cni_run CHECK ctr9 eth0 "$c1") && fail "CHECK passed for another attachment"
	cni_expect_err 5 "no endpoint '$(cni_host ctr9 eth0)' for this attachment" "$out"
}

test_cni_del_twice() {
	cni_up || fail "fixture"
	local c1="/run/netns/${FX_ID}-c1" out
	cni_run ADD ctr1 eth0 "$c1" >/dev/null || fail "ADD"
	out=$(cni_run DEL ctr1 eth0 "$c1") || fail "DEL: $out"
	out=$(cni_run DEL ctr1 eth0 "$c1") || fail "second DEL: $out"
	expect_eq "$out" "" "second DEL's output"
	cni_expect_none "after two DELs"
	# And once more with the container's netns gone, as a runtime does.
	cni_run ADD ctr2 eth0 "/run/netns/${FX_ID}-c2" >/dev/null || fail "ADD c2"
	ip netns del "${FX_ID}-c2"
	out=$(cni_run DEL ctr2 eth0 "/run/netns/${FX_ID}-c2") || fail "DEL with the netns gone: $out"
	out=$(cni_run DEL ctr2 eth0 "") || fail "DEL without CNI_NETNS: $out"
	cni_expect_none "after DEL with the netns gone"
}

test_cni_status() {
	cni_up || fail "fixture"
	local out
	out=$(cni_run STATUS "" "" "") && fail "STATUS ready with nothing pinned"
	cni_expect_err 50 "pairpath's routed datapath is not loaded under $PIN_ROOT" "$out"
	cni_run ADD ctr1 eth0 "/run/netns/${FX_ID}-c1" >/dev/null || fail "ADD"
	out=$(cni_run STATUS "" "" "") || fail "STATUS after an ADD: $out"
	expect_eq "$out" "" "STATUS's output"
}

test_cni_gc() {
	cni_up || fail "fixture"
	local out h1 h2
	cni_run ADD ctr1 eth0 "/run/netns/${FX_ID}-c1" >/dev/null || fail "ADD c1"
	cni_run ADD ctr2 eth0 "/run/netns/${FX_ID}-c2" >/dev/null || fail "ADD c2"
	h1=$(cni_host ctr1 eth0) h2=$(cni_host ctr2 eth0)
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j["cniVersion"]="1.1.0"
j["cni.dev/valid-attachments"]=[{"containerID":"ctr1","ifname":"eth0"}]; print(json.dumps(j))' \
		"$CNI_DIR/net.json" > "$CNI_DIR/gc.json"
	out=$(cni_run GC "" "" "" "$CNI_DIR/gc.json") || fail "GC: $out"
	expect_eq "$(ip -n "$NS_H" -o link show type veth | cut -d' ' -f2 | cut -d@ -f1)" "$h1" "veths after GC"
	expect_eq "$(pp endpoint list --json | python3 -c 'import json,sys; print([e["name"] for e in json.load(sys.stdin)["endpoints"]])')" \
		"['$h1']" "endpoints after GC"
	expect_eq "$(ls "$CNI_DIR/data/ppnet" | grep -E '^(10|fd)' | sort | tr '\n' ' ')" "10.89.0.2 fd89::2 " "leases after GC"
	out=$(cni_run GC "" "" "" "$CNI_DIR/gc.json") || fail "second GC: $out"
	expect_eq "$(ip -n "$NS_H" -o link show type veth | wc -l)" 1 "veths after the second GC"
}


test_cni_ipam_failure() {
	cni_up fail-ipam || fail "fixture"
	local out
	cat > "$CNI_DIR/bin/fail-ipam" <<'SH'
#!/bin/sh
cat >/dev/null
if [ "$CNI_COMMAND" = VERSION ]; then
	echo '{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]}'
	exit 0
fi
[ "$CNI_COMMAND" = DEL ] && exit 0
echo '{"cniVersion":"1.0.0","code":11,"msg":"no IP addresses available in range set","details":"10.89.0.0/24"}'
exit 1
SH
	chmod +x "$CNI_DIR/bin/fail-ipam"
	out=$(cni_run ADD ctr1 eth0 "/run/netns/${FX_ID}-c1") && fail "ADD passed with a failing IPAM"
	cni_expect_err 11 "no IP addresses available in range set" "$out"
	expect_eq "$(cni_field "$out" 'j["details"]')" "10.89.0.0/24" "the IPAM's details"
	cni_expect_none "after a failed IPAM"
	expect_eq "$(ip -n "${FX_ID}-c1" -o link show | wc -l)" 1 "links left in the container"
	# The lease is released when a later step fails: host-local, a taken address.
	cni_conf host-local > "$CNI_DIR/net.json"
	ip -n "$NS_H" route add 10.89.0.2/32 dev lo
	out=$(cni_run ADD ctr1 eth0 "/run/netns/${FX_ID}-c1") && fail "ADD passed over a host route"
	cni_expect_err 5 "cannot make '$(cni_host ctr1 eth0)' a pairpath endpoint" "$out"
	ip -n "$NS_H" route del 10.89.0.2/32 dev lo
	cni_expect_none "after a failed endpoint"
	expect_eq "$(ip -n "${FX_ID}-c1" -o link show | wc -l)" 1 "links left in the container"
}

test_cni_bad_input() {
	cni_up || fail "fixture"
	local out c1="/run/netns/${FX_ID}-c1"
	echo '{"cniVersion":"1.0.0",' > "$CNI_DIR/bad.json"
	out=$(cni_run ADD ctr1 eth0 "$c1" "$CNI_DIR/bad.json") && fail "ADD took bad JSON"
	expect_eq "$(cni_field "$out" 'j["code"]')" 6 "bad JSON's code"
	out=$(nsenter --net="/run/netns/$NS_H" env -i CNI_COMMAND=ADD CNI_IFNAME=eth0 \
		CNI_NETNS="$c1" CNI_PATH="$CNI_DIR/bin" "$PAIRPATH_CNI" < "$CNI_DIR/net.json") &&
		fail "ADD without CNI_CONTAINERID"
	expect_eq "$(cni_field "$out" 'j["code"]')" 4 "missing CNI_CONTAINERID's code"
	out=$(cni_run ADD ctr1 eth0 "/run/netns/${FX_ID}-nope") && fail "ADD into no netns"
	cni_expect_err 3 "netns '/run/netns/${FX_ID}-nope' does not exist" "$out"
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j["prevResult"]={"cniVersion":"1.0.0"}
print(json.dumps(j))' "$CNI_DIR/net.json" > "$CNI_DIR/chain.json"
	out=$(cni_run ADD ctr1 eth0 "$c1" "$CNI_DIR/chain.json") && fail "ADD chained"
	cni_expect_err 2 "unsupported field 'prevResult': pairpath-cni does not chain, it must be the network's first plugin" "$out"
	cni_expect_none "after refused ADDs"
}

# A plugin killed after each step of ADD (its own, 61-65, and some of
# endpoint_add's, 31-36): the DEL the runtime then sends leaves nothing.
test_cni_kill_add() {
	cni_up || fail "fixture"
	local k out rc c1="/run/netns/${FX_ID}-c1"
	for k in 61 62 63 64 31 33 36 65; do
		out=$(CNI_EXTRA_ENV=PAIRPATH_TEST_KILL_AT=$k cni_run ADD ctr1 eth0 "$c1")
		rc=$?
		expect_eq "$rc $out" "137 " "ADD killed at $k"
		out=$(cni_run DEL ctr1 eth0 "$c1") || fail "DEL after a kill at $k: $out"
		cni_expect_none "DEL after a kill at $k"
		expect_eq "$(ip -n "${FX_ID}-c1" -o link show | wc -l)" 1 "links left in the container after $k"
	done
	# Or the next GC, for a runtime that never sent the DEL.
	for k in 63 33; do
		out=$(CNI_EXTRA_ENV=PAIRPATH_TEST_KILL_AT=$k cni_run ADD ctr1 eth0 "$c1")
		expect_eq "$? $out" "137 " "ADD killed at $k"
		python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j["cniVersion"]="1.1.0"
j["cni.dev/valid-attachments"]=[]; print(json.dumps(j))' "$CNI_DIR/net.json" > "$CNI_DIR/gc.json"
		out=$(cni_run GC "" "" "" "$CNI_DIR/gc.json") || fail "GC after a kill at $k: $out"
		cni_expect_none "GC after a kill at $k"
	done
	out=$(cni_run ADD ctr1 eth0 "$c1") || fail "ADD after the kills: $out"
	# host-local hands out addresses round robin: eight kills had leases (.2 to .9).
	expect_eq "$(cni_ip "$out" 0)" 10.89.0.10 "the address after the kills"
	# pairpath reset takes the attachment records with the rest.
	pp reset >/dev/null 2>&1 || fail "reset"
	expect_eq "$(ls "$PIN_ROOT" 2>/dev/null | wc -l)" 0 "pins after reset"
}

# Another pairpath holding the pin root's lock past the bounded wait: 11.
test_cni_lock_busy() {
	cni_up || fail "fixture"
	local out pid
	cni_run ADD ctr1 eth0 "/run/netns/${FX_ID}-c1" >/dev/null || fail "ADD c1"
	bg_start python3 -c 'import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(60)' "$PIN_ROOT" "$CNI_DIR/locked"
	pid=$BG_PID
	for _ in $(seq 50); do
		[ -e "$CNI_DIR/locked" ] && break
		sleep 0.1
	done
	[ -e "$CNI_DIR/locked" ] || fail "the lock holder did not start"
	out=$(cni_run ADD ctr2 eth0 "/run/netns/${FX_ID}-c2") && fail "ADD passed under another's lock"
	cni_expect_err 11 "the pin root is locked by another pairpath: try again later" "$out"
	bg_stop "$pid"
	cni_expect_none_of ctr2 eth0
	out=$(cni_run ADD ctr2 eth0 "/run/netns/${FX_ID}-c2") || fail "ADD after the lock: $out"
}

# The config's mtu on both ends and in the endpoint, fib on the endpoint,
# and a 0.4.0 config gets a 0.4.0 result (host-local asked in 0.4.0 too).
test_cni_mtu_fib() {
	cni_up || fail "fixture"
	local out h
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j.update(mtu=1400, fib=True, cniVersion="0.4.0")
print(json.dumps(j))' "$CNI_DIR/net.json" > "$CNI_DIR/mtu.json"
	out=$(cni_run ADD ctr1 eth0 "/run/netns/${FX_ID}-c1" "$CNI_DIR/mtu.json") || fail "ADD: $out"
	h=$(cni_host ctr1 eth0)
	expect_eq "$(cni_field "$out" 'j["cniVersion"], [i.get("version") for i in j["ips"]]')" \
		"0.4.0 ['4', '6']" "a 0.4.0 result"
	expect_eq "$(ip -n "$NS_H" -o link show "$h" | grep -o 'mtu [0-9]*') $(ip -n "${FX_ID}-c1" -o link show eth0 | grep -o 'mtu [0-9]*')" \
		"mtu 1400 mtu 1400" "MTUs"
	expect_eq "$(pp endpoint list --json | python3 -c 'import json,sys; print([(e["name"], e["mtu"], e["fib"]) for e in json.load(sys.stdin)["endpoints"]])')" \
		"[('$h', 1400, True)]" "the endpoint"
	out=$(cni_run CHECK ctr1 eth0 "/run/netns/${FX_ID}-c1" "$CNI_DIR/mtu.json") || fail "CHECK: $out"
	out=$(cni_run DEL ctr1 eth0 "/run/netns/${FX_ID}-c1" "$CNI_DIR/mtu.json") || fail "DEL: $out"
	cni_expect_none "after DEL"
}

# Nothing is trusted because it is there: a CNI_NETNS that is no netns,
# or the plugin's own, is refused before anything is made; a DEL leaves
# a veth of the attachment's name alone when no record says it is ours.
test_cni_untrusted() {
	cni_up || fail "fixture"
	local out host
	touch "$CNI_DIR/file"
	mkfifo "$CNI_DIR/fifo"
	out=$(cni_run ADD ctr1 eth0 "$CNI_DIR/file") && fail "ADD into a plain file"
	cni_expect_err 4 "CNI_NETNS '$CNI_DIR/file' is not a network namespace" "$out"
	out=$(timeout 10 bash -c "$(declare -f cni_run); CNI_DIR='$CNI_DIR' NS_H='$NS_H' PAIRPATH_CNI='$PAIRPATH_CNI' cni_run ADD ctr1 eth0 '$CNI_DIR/fifo'")
	expect_eq "$?" 1 "ADD into a FIFO: its exit status (124: it blocked)"
	cni_expect_err 4 "CNI_NETNS '$CNI_DIR/fifo' is not a network namespace" "$out"
	out=$(cni_run ADD ctr1 eth0 /proc/self/ns/net) && fail "ADD into the plugin's own netns"
	cni_expect_err 4 "CNI_NETNS '/proc/self/ns/net' is the plugin's own network namespace" "$out"
	cni_expect_none "after the refused netns"
	host=$(cni_host ctr7 eth0)
	ip -n "$NS_H" link add "$host" type veth peer name "${host}p" || fail "a veth of someone else"
	out=$(cni_run DEL ctr7 eth0 "/run/netns/${FX_ID}-c1") || fail "DEL without a record: $out"
	expect_eq "$(ip -n "$NS_H" -o link show type veth | awk -F': ' '{print $2}' | cut -d@ -f1 | sort | tr '\n' ' ')" \
		"$host ${host}p " "veths after the DEL"
	# And an ADD over it fails without taking it.
	out=$(cni_run ADD ctr7 eth0 "/run/netns/${FX_ID}-c1") && fail "ADD over a veth of someone else"
	out=$(cni_run DEL ctr7 eth0 "/run/netns/${FX_ID}-c1") || fail "DEL after the failed ADD: $out"
	expect_eq "$(ip -n "$NS_H" -o link show type veth | wc -l)" 2 "veths after ADD and DEL"
	ip -n "$NS_H" link del "$host"
	cni_expect_none "at the end"
}
