# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# What the test files, the demo and the benchmark share:
#
#   constants     MAC_A, MAC_B, IP_A, IP_B, frame sizes, ports, tool paths
#   fixture       fixture_up, fixture_down, fixture (test), ipv6_off,
#                 fixture_settle, neigh_static, veth_add, netns_add,
#                 cleanup_add, pp, in_a, in_b, in_h, ping3
#   processes     bg_start, bg_alive, bg_until, bg_listening, bg_stop,
#                 bg_wait, bg_forget
#   exporter      serve_up, serve_start (test), serve_stop (test), http_get,
#                 metric
#   pinned state  pin_dir (test), map_len, pp_port_count, tcx_count,
#                 tcx_progs, pin_snapshot, net_snapshot
#   pairs         pair_states, pair_names, pair_field, pp_stat
#
# A fixture is three private network namespaces, a host and two
# containers, and a private bpffs for pins. Everything a test makes
# beyond it (processes, namespaces, mounts) is registered here and
# undone by fixture_down, which the runner's EXIT trap always runs.
#
# The fixture and process helpers return a status and never end the
# caller, so that the benchmark can use them; those marked (test) end the
# test with fail from assert.sh. A (test) helper that fails inside $(...)
# ends only that subshell: write dir=$(pin_dir) || exit 1.

PP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PAIRPATH=${PAIRPATH:-$PP_TOP/.output/pairpath}
PY=/usr/bin/python3
# The C test tool (tests/tools/pptool.c) and the raw frame tool.
PPTOOL=$PP_TOP/.output/test/pptool
RAWPKT=$PP_TOP/tests/tools/rawpkt.py

# The containers' eth0, A and B, and their addresses (set by fixture_up).
MAC_A=02:00:00:00:00:0a
MAC_B=02:00:00:00:00:0b
IP_A=10.77.0.1
IP_B=10.77.0.2
# pairpath counts bytes as skb->len at tc ingress: the whole frame with
# its 14-byte Ethernet header, without FCS. A UDP datagram over IPv4
# adds 20 bytes of IPv4 header (no options) and 8 of UDP to its payload.
UDP_OVERHEAD=$((14 + 20 + 8))
SEQ_FRAME=$((UDP_OVERHEAD + 64))	# 106: a rel_seq.py datagram (64 bytes)
UDP_FRAME=$((UDP_OVERHEAD + 100))	# 142: an st_udp.py datagram (100 bytes)
# Ports in the fixture's own namespaces, which no other test shares.
UDP_PORT=7070		# UDP receivers in A and B
SERVE_PORT=9435		# pairpath serve, on 127.0.0.1

# The cleanup registry of the test: processes by pid (never by name)
# and commands that undo what else it made, run last first.
FX_PIDS=()
FX_UNDO=()

# ---------------------------------------------------------------------
# The fixture

# Names are unique per process and fixture so parallel runs never meet.
# fixture_up TAG [--net PREFIX] [--len N] [--no-ipv6] [--prefix P]
# [--direct | --bare]: A and B get PREFIX.1 and PREFIX.2 (default
# 10.77.0) with prefix length N (default 24) and, unless --no-ipv6,
# fd77::1 and fd77::2. --no-ipv6 turns IPv6 off in every namespace
# before a device is made, so that nothing but what a test sends crosses
# (the quiet fixture for exact counts). The names are P<pid>TAG-h, -a
# and -b, P by default pp (the benchmark's are ppb). --direct: no host
# netns, and A's and B's eth0 are the two ends of one veth. --bare: the
# host netns and the bpffs only, no containers and no devices (add them
# with netns_add and veth_add).
fixture_up() {
	local tag=${1:-t} net=10.77.0 len=24 ipv6=1 prefix=pp shape=host ns nss
	[ $# -gt 0 ] && shift
	while [ $# -gt 0 ]; do
		case $1 in
		--net) net=${2:-}; shift ;;
		--len) len=${2:-}; shift ;;
		--no-ipv6) ipv6=0 ;;
		--prefix) prefix=${2:-}; shift ;;
		--direct | --bare) shape=${1#--} ;;
		*) echo "fixture_up: unknown setting '$1'" >&2; return 2 ;;
		esac
		shift
	done
	FX_ID="${prefix}$$${tag}"
	NS_H="${FX_ID}-h"
	NS_A="${FX_ID}-a"
	NS_B="${FX_ID}-b"
	IP_A=$net.1
	IP_B=$net.2
	FX_TMP=$(mktemp -d "/tmp/pairpath-${FX_ID}.XXXXXX")
	mkdir -p "$FX_TMP/bpffs"
	mount -t bpf bpf "$FX_TMP/bpffs" || return 1
	PIN_ROOT="$FX_TMP/bpffs/pairpath"

	case $shape in
	host) nss=("$NS_H" "$NS_A" "$NS_B") ;;
	direct) nss=("$NS_A" "$NS_B") ;;
	bare) nss=("$NS_H") ;;
	esac
	for ns in "${nss[@]}"; do
		ip netns add "$ns" || return 1
		[ $ipv6 = 1 ] || ipv6_off "$ns" || return 1
	done
	case $shape in
	host)
		ip -n "$NS_H" link add vethA type veth peer name eth0 netns "$NS_A" || return 1
		ip -n "$NS_H" link add vethB type veth peer name eth0 netns "$NS_B" || return 1
		;;
	direct) ip -n "$NS_A" link add eth0 type veth peer name eth0 netns "$NS_B" || return 1 ;;
	bare) ip -n "$NS_H" link set lo up; return ;;
	esac
	ip -n "$NS_A" link set eth0 address $MAC_A
	ip -n "$NS_B" link set eth0 address $MAC_B
	ip -n "$NS_A" addr add "$IP_A/$len" dev eth0
	ip -n "$NS_B" addr add "$IP_B/$len" dev eth0
	if [ $ipv6 = 1 ]; then
		ip -n "$NS_A" addr add fd77::1/64 dev eth0 nodad
		ip -n "$NS_B" addr add fd77::2/64 dev eth0 nodad
	fi
	for ns in "${nss[@]}"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_A" link set eth0 up
	ip -n "$NS_B" link set eth0 up
	[ $shape = host ] || return 0
	ip -n "$NS_H" link set vethA up
	ip -n "$NS_H" link set vethB up
}

# IPv6 off in a netns: for the devices there and those made later.
ipv6_off() {	# netns
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 &&
	ip netns exec "$1" sh -c 'for f in /proc/sys/net/ipv6/conf/*/disable_ipv6; do echo 1 > $f; done'
}

# Undo everything: the test's processes first (they may hold pins or
# live in a namespace), then what cleanup_add registered, then the
# fixture itself. The runner's EXIT trap; safe to run twice.
fixture_down() {
	local pid i ns
	for pid in "${FX_PIDS[@]}"; do
		bg_stop "$pid"
	done
	for ((i = ${#FX_UNDO[@]} - 1; i >= 0; i--)); do
		eval "${FX_UNDO[i]}" >/dev/null 2>&1
	done
	FX_UNDO=()
	[ -n "${FX_ID:-}" ] || return 0
	for ns in "$NS_H" "$NS_A" "$NS_B"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "${FX_TMP:-}" ]; then
		# Lazily if busy: rm -rf must never descend into a live bpffs.
		umount "$FX_TMP/bpffs" 2>/dev/null || umount -l "$FX_TMP/bpffs" 2>/dev/null
		rm -rf "$FX_TMP"
	fi
	FX_ID=
}

# Register a command for fixture_down to run: cleanup_add umount DIR
cleanup_add() {	# cmd...
	FX_UNDO+=("$(printf '%q ' "$@")")
}

# (test) fixture_up, or the test fails; then, for tests only:
# --static-neigh (neigh_static) and --settle (fixture_settle).
fixture() {	# tag [fixture_up settings] [--static-neigh] [--settle]
	local tag=$1 up=() neigh=0 settle=0
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--static-neigh) neigh=1 ;;
		--settle) settle=1 ;;
		--net | --len) up+=("$1" "${2:-}"); shift ;;
		*) up+=("$1") ;;
		esac
		shift
	done
	fixture_up "$tag" "${up[@]}" || fail "fixture_up $tag"
	[ $neigh = 0 ] || neigh_static || fail "static neighbours"
	[ $settle = 0 ] || fixture_settle "$NS_H" || fail "veths in $NS_H have no carrier"
}

# Neighbours fixed both ways: no ARP crosses the pair, and no test waits
# on or trips over the neighbour cache's timers.
neigh_static() {
	ip -n "$NS_A" neigh replace "$IP_B" lladdr $MAC_B dev eth0 nud permanent &&
	ip -n "$NS_B" neigh replace "$IP_A" lladdr $MAC_A dev eth0 nud permanent
}

# A veth reports carrier only some time after both of its ends are up
# (linkwatch runs late): wait up to 2.5 s for every veth of a netns that
# is up to have it, so that what follows sees pairpath's changes and not
# the kernel still settling.
fixture_settle() {	# [netns]
	local ns=${1:-$NS_H} i
	for i in $(seq 50); do
		ip -n "$ns" -o link show type veth | grep -q NO-CARRIER || return 0
		sleep 0.05
	done
	echo "veths in $ns have no carrier: $(ip -n "$ns" -o link show type veth)" >&2
	return 1
}

# A further veth of the host netns whose peer lives in another one, both
# ends up: veth_add DEV PEER_NS PEER_NAME [PEER_ADDR/LEN]
veth_add() {
	ip -n "$NS_H" link add "$1" type veth peer name "$3" netns "$2" || return 1
	if [ -n "${4:-}" ]; then
		ip -n "$2" addr add "$4" dev "$3" || return 1
	fi
	ip -n "$2" link set "$3" up && ip -n "$NS_H" link set "$1" up
}

# A namespace beyond the fixture's, with lo up, removed by fixture_down.
netns_add() {	# name
	ip netns add "$1" || return 1
	cleanup_add ip netns del "$1"
	ip -n "$1" link set lo up
}

# pairpath acting in the host netns of the fixture, on its private pins.
pp() {
	"$PAIRPATH" -n "$NS_H" --pin-root "$PIN_ROOT" "$@"
}

in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }
in_h() { ip netns exec "$NS_H" "$@"; }

# Three echoes and three replies: ping3 in_a|in_b [ping options] ADDR.
# Prints ping's output when that is not what happened.
ping3() {
	local where=$1 out
	shift
	out=$($where ping -c 3 -i 0.2 -W 1 "$@" 2>&1) &&
		[[ $out == *"3 packets transmitted, 3 received,"* ]] && return 0
	echo "$out"
	return 1
}

# ---------------------------------------------------------------------
# Background processes

# Start a program in the background and register it; BG_PID is its pid.
# Run a program, not a shell function, so that the pid is the program's
# own (ip netns exec and timeout exec or signal what they run), and put
# redirections on the call: bg_start ip netns exec NS CMD... >LOG 2>&1
bg_start() {	# cmd...
	"$@" &
	BG_PID=$!
	FX_PIDS+=("$BG_PID")
}

# Running, and not a zombie waiting for our wait.
bg_alive() {	# pid
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# Wait up to SECS for a command to succeed while a process lives; 1 if
# the process ended first or the time ran out: bg_until SECS PID CMD...
bg_until() {
	local n=$(($1 * 20)) pid=$2 i
	shift 2
	for i in $(seq $n); do
		"$@" && return 0
		# It may have done it just before it ended.
		bg_alive "$pid" || { "$@"; return; }
		sleep 0.05
	done
	return 1
}

# Is the process listening on a TCP port of a netns?
bg_listening() {	# pid netns port
	[[ $(ip netns exec "$2" ss -Hltnp "sport = :$3" 2>/dev/null) == *"pid=$1,"* ]]
}

# Forget a process: fixture_down no longer stops it.
bg_forget() {	# pid
	local p keep=()
	for p in "${FX_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	FX_PIDS=("${keep[@]}")
}

# Signal a process we started and reap it within 5 s, with SIGKILL if it
# takes longer; forget it. Returns its exit status, or 255 when it had to
# be killed; BG_STOP_MS is how long it took.
bg_stop() {	# pid [signal]
	local pid=$1 i start rc
	start=$(date +%s%N)
	kill -s "${2:-TERM}" "$pid" 2>/dev/null
	for i in $(seq 50); do
		bg_alive "$pid" || break
		sleep 0.1
	done
	if bg_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rc=255
	else
		wait "$pid" 2>/dev/null
		rc=$?
	fi
	BG_STOP_MS=$((($(date +%s%N) - start) / 1000000))
	bg_forget "$pid"
	return $rc
}

# Wait for a process we started to end by itself (bounded by its own
# timeout); forget it and return its exit status.
bg_wait() {	# pid
	local rc
	wait "$1"
	rc=$?
	bg_forget "$1"
	return $rc
}

# ---------------------------------------------------------------------
# The exporter

# pairpath serve (with --agent: pairpath agent, whose exporter child
# answers) for the fixture's pairs on 127.0.0.1:SERVE_PORT of a netns, by
# default the fixture's host netns, whose loopback no other test shares;
# 1 if it does not answer within 5 s. ip execs pairpath, so SERVE_PID is
# pairpath itself; its output is appended to $FX_TMP/serve.log. It is
# ready once it answers: it listens before it drops its privileges, and
# answers after.
serve_up() {	# [--in NETNS] [--agent] [serve options]
	local ns=$NS_H cmd=serve
	if [ "${1:-}" = --in ]; then
		ns=$2
		shift 2
	fi
	if [ "${1:-}" = --agent ]; then
		cmd=agent
		shift
	fi
	bg_start ip netns exec "$ns" "$PAIRPATH" -n "$NS_H" --pin-root "$PIN_ROOT" $cmd \
		--listen 127.0.0.1:$SERVE_PORT "$@" >>"$FX_TMP/serve.log" 2>&1
	SERVE_PID=$BG_PID
	SERVE_NS=$ns
	bg_until 5 "$SERVE_PID" bg_listening "$SERVE_PID" "$ns" $SERVE_PORT &&
		http_get / -o /dev/null 2>/dev/null
}

# (test) serve_up, or the test fails.
serve_start() {	# [--in NETNS] [--agent] [serve options]
	serve_up "$@" || fail "serve did not start: $(cat "$FX_TMP/serve.log")"
}

# (test) Stop serve with a signal, TERM by default: it must exit 0.
serve_stop() {	# [signal]
	bg_stop "$SERVE_PID" "${1:-TERM}"
	expect_eq "$?" 0 "serve exit status after SIG${1:-TERM}"
	SERVE_PID=
}

# A request to the exporter, from its netns: http_get PATH [curl options]
http_get() {
	local path=$1
	shift
	ip netns exec "${SERVE_NS:-$NS_H}" curl -sS --max-time 5 "$@" \
		"http://127.0.0.1:$SERVE_PORT$path"
}

# One sample of the exporter's text, or "absent": metric 'NAME{LABELS}'
metric() {	# name-and-labels
	http_get /metrics | awk -v s="$1" '$1 == s { print $2; f = 1 } END { if (!f) print "absent" }'
}

# ---------------------------------------------------------------------
# Pinned state

# (test) The one netns directory under a pin root (default PIN_ROOT).
pin_dir() {	# [pin root]
	local d
	d=("${1:-$PIN_ROOT}"/netns-*)
	[ ${#d[@]} -eq 1 ] && [ -d "${d[0]}" ] || fail "expected one netns directory, got: ${d[*]}"
	echo "${d[0]}"
}

# Entries of a pinned map, as bpftool dumps them, or "dump-failed".
map_len() {	# pin
	bpftool -j map dump pinned "$1" | $PY -c 'import json, sys; print(len(json.load(sys.stdin)))' ||
		echo "dump-failed"
}

# Live ports in a netns pin directory: array slots that have an owner
# (a non-zero ifindex) plus overflow entries.
pp_port_count() {	# dir
	local slots overflow
	slots=$(bpftool -j map dump pinned "$1/ports" | $PY -c '
import json, sys
n = 0
for e in json.load(sys.stdin):
    v = e["value"]
    n += (v["ifindex"] if isinstance(v, dict) else int.from_bytes(bytes(int(b, 16) for b in v[:4]), "little")) != 0
print(n)')
	overflow=$(bpftool -j map dump pinned "$1/ports_overflow" | $PY -c 'import json, sys; print(len(json.load(sys.stdin)))')
	echo $((slots + overflow))
}

# tcx programs on a hook of a device of the host netns (bpftool 7.1
# lists none): how many, or "query-failed".
tcx_count() {	# dev [ingress|egress]
	in_h "$PPTOOL" tcx-count "$1" "${2:-ingress}" || echo "query-failed"
}

# Their ids, space separated, or "none"; a failed query prints nothing,
# and so never looks like the empty answer.
tcx_progs() {	# dev [ingress|egress]
	in_h "$PPTOOL" tcx-progs "$1" "${2:-ingress}"
}

# Everything pinned that a command must not change, to compare before
# and after it: every pin and directory of the bpffs that holds the pin
# root (default PIN_ROOT) with its inode number (a re-made pin has a new
# one), mode and owner; the object behind each pin and each map's
# entries, but for the maps named (whose entries a test lets change);
# status; and the host netns's devices (net_snapshot). No traffic may
# cross in between: the counters are map entries. tc and ip, loading an
# object for another test running at the same time, make tc/, ip/ and
# xdp/ on the first bpffs in /proc/mounts, which may be this one: those
# are not pairpath's.
pin_snapshot() {	# [pin root [map name...]]
	local root=${1:-$PIN_ROOT} fs dump=() info=() f
	fs=${root%/*}
	[ $# -gt 0 ] && shift
	echo "== pins"
	find "$fs" \( -path "$fs/tc" -o -path "$fs/ip" -o -path "$fs/xdp" \) -prune -o \
		-printf '%P %i %M %u:%g\n' | sort
	echo "== objects"
	if [ -d "$root" ]; then
		while IFS= read -r f; do
			if [[ " $* " == *" ${f##*/} "* ]]; then
				info+=("$f")
			else
				dump+=("$f")
			fi
		done < <(cd "$fs" && find "${root#"$fs"/}" -type f | sort)
		(cd "$fs" && { [ ${#dump[@]} -eq 0 ] || "$PPTOOL" dump "${dump[@]}"; } &&
			{ [ ${#info[@]} -eq 0 ] || "$PPTOOL" info "${info[@]}"; }) || return 1
	fi
	echo "== status"
	PIN_ROOT=$root pp status --json 2>&1
	net_snapshot
}

# What a pairpath command may change in the devices of a host netns
# (default the fixture's), once the veths have settled: links, qdiscs,
# and every device's tc filters and tcx programs, both ways.
net_snapshot() {	# [netns]
	local ns=${1:-$NS_H} dev
	fixture_settle "$ns" || return 1
	echo "== links"
	ip -n "$ns" -d link show
	echo "== qdiscs"
	tc -n "$ns" qdisc show
	echo "== hooks"
	ip netns exec "$ns" "$PPTOOL" tcx-list || return 1
	for dev in $(ip -n "$ns" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
		echo "$dev ingress filters: $(tc -n "$ns" -j filter show dev "$dev" ingress)"
		echo "$dev egress filters: $(tc -n "$ns" -j filter show dev "$dev" egress)"
	done
}

# ---------------------------------------------------------------------
# Pairs

# Pairs as status shows them, "name:state ..." in name order, or
# "status-failed".
pair_states() {
	pp status --json | $PY -c '
import json, sys
print(" ".join("%s:%s" % (p["name"], p["state"]) for p in json.load(sys.stdin)["pairs"]))' ||
		echo "status-failed"
}

# The pairs' names in order, from the fixture's pp or another pairpath
# command: pair_names [pp2]
pair_names() {	# [command]
	"${1:-pp}" status --json | $PY -c '
import json, sys
print(" ".join(p["name"] for p in json.load(sys.stdin)["pairs"]))'
}

# A field of one pair from 'status --json': pair_field PAIR FIELD, where
# FIELD is a dotted path such as dev_a.ifindex.
pair_field() {	# pair field
	pp status --json | $PY -c '
import json, sys
for p in json.load(sys.stdin)["pairs"]:
    if p["name"] == sys.argv[1]:
        v = p
        for part in sys.argv[2].split("."):
            v = v[part]
        print(v)
        sys.exit(0)
sys.exit(1)' "$1" "$2"
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
