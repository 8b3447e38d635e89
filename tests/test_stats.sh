# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The counters as 'pairpath stats' and the 'serve' exporter show them:
# exact numbers in every format, the text format as promtool, the Python
# client and a real Prometheus read it, the exporter's HTTP edges, kernel
# drops, counters across processes and detach, and watch mode.
#
# Exact counts need a silent pair: fixture_quiet turns IPv6 off, static
# neighbour entries keep ARP off the wire, and a bound UDP sink keeps the
# receiver from answering with ICMP port unreachable. Then only the test's
# own datagrams cross: 100 bytes of payload are 142 bytes of frame
# (14 Ethernet + 20 IPv4 + 8 UDP + 100).

ST_UDP="$PP_TOP/tests/tools/st_udp.py"
ST_HTTP="$PP_TOP/tests/tools/st_http.py"
ST_RAW="$PP_TOP/tests/tools/rawpkt.py"
ST_MAC_A=02:00:00:00:00:0a
ST_MAC_B=02:00:00:00:00:0b
ST_FRAME=142
ST_UDP_PORT=9999
ST_CT='text/plain; version=0.0.4; charset=utf-8'

# What a test started and must end: background processes (by pid, never
# by name) and namespaces beyond the fixture's. Set in the test's subshell.
ST_PIDS=()
ST_NETNS=()
ST_PORT=
ST_SPID=
ST_PROM_PORT=
ST_PROM_PID=

# Running and not yet a zombie waiting for our wait.
st_alive() {	# pid
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

st_forget() {	# pid
	local p keep=()
	for p in "${ST_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	ST_PIDS=("${keep[@]}")
}

# Signal a child and reap it within 5 s; return its exit status, or 255
# when it had to be killed. The time it took is left in ST_STOP_MS.
st_stop() {	# pid [signal]
	local pid=$1 sig=${2:-TERM} i start rc
	start=$(date +%s%N)
	kill -s "$sig" "$pid" 2>/dev/null
	for i in $(seq 50); do
		st_alive "$pid" || break
		sleep 0.1
	done
	if st_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rc=255
	else
		wait "$pid" 2>/dev/null
		rc=$?
	fi
	ST_STOP_MS=$((($(date +%s%N) - start) / 1000000))
	st_forget "$pid"
	return $rc
}

st_cleanup() {
	local pid ns
	for pid in "${ST_PIDS[@]}"; do
		st_stop "$pid"
	done
	for ns in "${ST_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	fixture_down
}

st_setup() {	# tag
	trap st_cleanup EXIT
	fixture_up "$1" || fail "fixture_up $1"
}

# Neighbours fixed both ways: no ARP crosses the pair.
st_static_neigh() {
	ip -n "$NS_A" neigh replace 10.77.0.2 lladdr $ST_MAC_B dev eth0 nud permanent &&
	ip -n "$NS_B" neigh replace 10.77.0.1 lladdr $ST_MAC_A dev eth0 nud permanent ||
		fail "static neighbours"
}

# The quiet, attached pair 'web' most tests start from.
st_web() {
	fixture_quiet
	pp attach web vethA vethB || fail "attach web"
	st_static_neigh
}

st_wait_ready() {	# file pid what
	local i
	for i in $(seq 50); do
		grep -qx ready "$1" 2>/dev/null && return 0
		st_alive "$2" || break
		sleep 0.1
	done
	fail "$3 did not start: $(cat "$1")"
}

# Exactly N datagrams of 100 bytes from A to B and M from B to A, each
# received by a sink on the far side.
st_udp_exchange() {	# n_a_to_b n_b_to_a
	local ab=$1 ba=$2 pa pb
	in_b timeout 15 $PY "$ST_UDP" sink --port $ST_UDP_PORT --count "$ab" \
		--timeout 10 >"$FX_TMP/sink-b" 2>&1 &
	pb=$!
	in_a timeout 15 $PY "$ST_UDP" sink --port $ST_UDP_PORT --count "$ba" \
		--timeout 10 >"$FX_TMP/sink-a" 2>&1 &
	pa=$!
	ST_PIDS+=("$pa" "$pb")
	st_wait_ready "$FX_TMP/sink-b" "$pb" "sink in B"
	st_wait_ready "$FX_TMP/sink-a" "$pa" "sink in A"
	if [ "$ab" -gt 0 ]; then
		in_a $PY "$ST_UDP" send --to 10.77.0.2 --port $ST_UDP_PORT --count "$ab" >/dev/null ||
			fail "send A -> B"
	fi
	if [ "$ba" -gt 0 ]; then
		in_b $PY "$ST_UDP" send --to 10.77.0.1 --port $ST_UDP_PORT --count "$ba" >/dev/null ||
			fail "send B -> A"
	fi
	wait "$pb"
	wait "$pa"
	st_forget "$pa"
	st_forget "$pb"
	expect_eq "$(tail -n 1 "$FX_TMP/sink-b")" "received=$ab" "datagrams B received"
	expect_eq "$(tail -n 1 "$FX_TMP/sink-a")" "received=$ba" "datagrams A received"
}

# Ports of this run: the runner's pid spreads runs apart, and each test
# has ten ports of its own (five tries for serve, five for Prometheus),
# all below the ephemeral range.
st_port() {	# slot try
	echo $((20000 + $$ % 10000 + $1 * 10 + $2))
}

# Is pid listening on TCP port (of the current netns, or of netns NS)?
st_listening() {	# pid port [ns]
	local out
	if [ -n "${3:-}" ]; then
		out=$(ip netns exec "$3" ss -Hltnp "sport = :$2" 2>/dev/null)
	else
		out=$(ss -Hltnp "sport = :$2" 2>/dev/null)
	fi
	[[ $out == *"pid=$1,"* ]]
}

# Start the exporter for the fixture's host netns on a free port of this
# test's slot; ST_PORT and ST_SPID tell which. Run directly, so that $!
# is pairpath itself.
st_serve_start() {	# slot
	local try port pid i
	for try in 0 1 2 3 4; do
		port=$(st_port "$1" $try)
		"$PAIRPATH" -n "$NS_H" --pin-root "$PIN_ROOT" serve \
			--listen 127.0.0.1:$port ${ST_SERVE_ARGS:-} >"$FX_TMP/serve-$port.log" 2>&1 &
		pid=$!
		ST_PIDS+=("$pid")
		for i in $(seq 100); do
			st_listening "$pid" "$port" && break
			st_alive "$pid" || break
			sleep 0.05
		done
		if st_listening "$pid" "$port"; then
			ST_PORT=$port
			ST_SPID=$pid
			return 0
		fi
		st_stop "$pid"
		# Someone else's port: take the next one; anything else fails.
		grep -q 'Address already in use' "$FX_TMP/serve-$port.log" ||
			fail "serve did not start: $(cat "$FX_TMP/serve-$port.log")"
	done
	fail "serve: no free port in slot $1"
}

st_serve_stop() {	# [signal] -> checks exit 0
	local rc
	st_stop "$ST_SPID" "${1:-TERM}"
	rc=$?
	expect_eq "$rc" 0 "serve exit status after SIG${1:-TERM}"
	ST_SPID=
}

st_get() {	# path [curl options]
	local path=$1
	shift
	curl -sS --max-time 5 "$@" "http://127.0.0.1:$ST_PORT$path"
}

# The exporter survived whatever came before and still serves.
st_still_up() {	# what
	expect_eq "$(st_get /metrics -o /dev/null -w '%{http_code}')" 200 "GET /metrics after $1"
	st_alive "$ST_SPID" || fail "serve died after $1"
}

# Metric lines only, for exact matches.
st_scrape() {
	st_get /metrics | grep -v '^#'
}

st_has_line() {	# text line what
	grep -qxF -- "$2" <<<"$1" || fail "$3: no line '$2' in:
$1"
}

st_lacks() {	# text pattern what
	! grep -qE -- "$2" <<<"$1" || fail "$3: unexpected match of '$2' in:
$1"
}

st_expect_counts() {	# text pair direction packets bytes what
	st_has_line "$1" "pairpath_packets_total{pair=\"$2\",direction=\"$3\"} $4" "$6"
	st_has_line "$1" "pairpath_bytes_total{pair=\"$2\",direction=\"$3\"} $5" "$6"
}

# The table's row for a pair and direction, blanks squeezed.
st_table_row() {	# text pair direction
	awk -v p="$2" -v d="$3" '$1 == p && $2 == d { $1 = $1; print }' <<<"$1"
}

st_prom_value() {	# query -> the one series' value, "none" or "many"
	curl -sS --max-time 5 -G --data-urlencode "query=$1" \
		"http://127.0.0.1:$ST_PROM_PORT/api/v1/query" | $PY -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if len(r) == 1 else "none" if not r else "many")'
}

# 1. The same exact numbers in the table, JSON, the text format and HTTP.
test_stats_exact_counts() {
	local text row
	st_setup sx
	st_web
	expect_eq "$(st_table_row "$(pp stats)" web a_to_b)" "web a_to_b 0 0 0 0" "table before traffic"

	st_udp_exchange 7 4

	text=$(pp stats) || fail "stats"
	expect_eq "$(head -n 1 <<<"$text" | awk '{$1 = $1; print}')" \
		"PAIR DIRECTION PACKETS BYTES DROPS KDROPS" "table header"
	expect_eq "$(st_table_row "$text" web a_to_b)" "web a_to_b 7 $((7 * ST_FRAME)) 0 0" "table a_to_b"
	expect_eq "$(st_table_row "$text" web b_to_a)" "web b_to_a 4 $((4 * ST_FRAME)) 0 0" "table b_to_a"

	expect_eq "$(pp_stat web a_to_b packets)" 7 "json a_to_b packets"
	expect_eq "$(pp_stat web a_to_b bytes)" $((7 * ST_FRAME)) "json a_to_b bytes"
	expect_eq "$(pp_stat web b_to_a packets)" 4 "json b_to_a packets"
	expect_eq "$(pp_stat web b_to_a bytes)" $((4 * ST_FRAME)) "json b_to_a bytes"
	for row in runt mtu foreign_mac pkt_type; do
		expect_eq "$(pp_stat web a_to_b drops.$row)" 0 "json a_to_b drops.$row"
		expect_eq "$(pp_stat web b_to_a drops.$row)" 0 "json b_to_a drops.$row"
	done

	text=$(pp stats --format prometheus) || fail "stats --format prometheus"
	st_expect_counts "$text" web a_to_b 7 $((7 * ST_FRAME)) "prometheus text"
	st_expect_counts "$text" web b_to_a 4 $((4 * ST_FRAME)) "prometheus text"
	st_has_line "$text" 'pairpath_drops_total{pair="web",direction="a_to_b",reason="foreign_mac"} 0' \
		"prometheus text"
	st_has_line "$text" 'pairpath_pair_info{pair="web",dev_a="vethA",dev_b="vethB",mode="tcx"} 1' \
		"prometheus text"
	st_has_line "$text" 'pairpath_pair_up{pair="web"} 1' "prometheus text"
	st_has_line "$text" 'pairpath_pairs 1' "prometheus text"

	st_serve_start 0
	expect_eq "$(st_get /metrics -o /dev/null -w '%{http_code} %{content_type}')" \
		"200 $ST_CT" "GET /metrics status and Content-Type"
	text=$(st_scrape) || fail "scrape"
	st_expect_counts "$text" web a_to_b 7 $((7 * ST_FRAME)) "/metrics"
	st_expect_counts "$text" web b_to_a 4 $((4 * ST_FRAME)) "/metrics"
	# The exporter and stats write the same text for the same counters.
	expect_eq "$(st_get /metrics)" "$(pp stats --format prometheus)" "/metrics against stats --format prometheus"
	st_serve_stop
}

# 2. promtool, the Python client's parser and a duplicate check agree on
# two pairs, one with device names that need label escaping.
test_stats_prometheus_format() {
	local ns_c f1 f2 text
	st_setup sf
	st_web
	ns_c="${FX_ID}-c"
	ip netns add "$ns_c" || fail "netns $ns_c"
	ST_NETNS+=("$ns_c")
	ip netns exec "$ns_c" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || fail "quiet $ns_c"
	# A quote and a backslash are legal in a device name and must be
	# escaped in label values.
	ip -n "$NS_H" link add 'v"c\1' type veth peer name eth0 netns "$ns_c" &&
	ip -n "$NS_H" link add vd type veth peer name eth1 netns "$ns_c" || fail "extra veths"
	ip -n "$NS_H" link set 'v"c\1' up && ip -n "$NS_H" link set vd up &&
	ip -n "$ns_c" link set eth0 up && ip -n "$ns_c" link set eth1 up || fail "extra veths up"
	pp attach db 'v"c\1' vd || fail "attach db"

	st_udp_exchange 3 2
	# Two program drops and one kernel drop, so every family has samples;
	# the program redirected the last frame before the kernel dropped it.
	in_a $PY "$ST_RAW" send --dev eth0 --dst 02:00:00:00:00:0c --size 60 --count 2 ||
		fail "foreign frames"
	ip -n "$NS_B" link set eth0 down
	in_a $PY "$ST_RAW" send --dev eth0 --dst $ST_MAC_B --size 60 --count 1 || fail "frame to a down eth0"
	ip -n "$NS_B" link set eth0 up

	f1="$FX_TMP/stats.prom"
	f2="$FX_TMP/scrape.prom"
	pp stats --format prometheus >"$f1" || fail "stats --format prometheus"
	st_serve_start 1
	st_get /metrics >"$f2" || fail "scrape"
	st_serve_stop

	for f in "$f1" "$f2"; do
		text=$(promtool check metrics <"$f" 2>&1) || fail "promtool check metrics $f: $text"
		expect_eq "$text" "" "promtool findings on $f"
		$PY "$ST_HTTP" samples "$f" >"$f.samples" || fail "samples of $f: duplicates"
	done
	expect_eq "$(cat "$f2.samples")" "$(cat "$f1.samples")" "samples of /metrics against stats"

	text=$(cat "$f1.samples")
	st_has_line "$text" 'pairpath_packets_total{direction="a_to_b",pair="web"} 4' "parsed"
	st_has_line "$text" "pairpath_bytes_total{direction=\"a_to_b\",pair=\"web\"} $((3 * ST_FRAME + 60))" "parsed"
	st_has_line "$text" 'pairpath_packets_total{direction="b_to_a",pair="web"} 2' "parsed"
	st_has_line "$text" "pairpath_bytes_total{direction=\"b_to_a\",pair=\"web\"} $((2 * ST_FRAME))" "parsed"
	st_has_line "$text" 'pairpath_packets_total{direction="a_to_b",pair="db"} 0' "parsed"
	st_has_line "$text" 'pairpath_packets_total{direction="b_to_a",pair="db"} 0' "parsed"
	st_has_line "$text" 'pairpath_drops_total{direction="a_to_b",pair="web",reason="foreign_mac"} 2' "parsed"
	st_has_line "$text" 'pairpath_kernel_drops_total{direction="a_to_b",pair="web",reason="NOT_SPECIFIED"} 1' "parsed"
	st_has_line "$text" 'pairpath_pair_info{dev_a="v\"c\\1",dev_b="vd",mode="tcx",pair="db"} 1' "parsed"
	st_has_line "$text" 'pairpath_pair_up{pair="db"} 1' "parsed"
	st_has_line "$text" 'pairpath_pairs 2' "parsed"
	# 2 pairs x 2 directions: packets 4, bytes 4, drops 16, kernel drops
	# 1, info 2, up 2, pairs 1, build info 1.
	expect_eq "$(wc -l <"$f1.samples")" 31 "number of samples"
	grep -q '^pairpath_build_info{kernel="'"$(uname -r)"'",libbpf_version="v[0-9.]*",version="[0-9.]*"} 1$' \
		"$f1.samples" || fail "build_info: $(grep build_info "$f1.samples")"

	# The duplicate check itself finds a duplicate.
	{ cat "$f1"; grep '^pairpath_pairs ' "$f1"; } >"$FX_TMP/dup.prom"
	$PY "$ST_HTTP" samples "$FX_TMP/dup.prom" >/dev/null 2>&1 && fail "duplicate check missed a duplicate"
	return 0
}

# 3. A real Prometheus scrapes the exporter and has the exact count.
test_stats_prometheus_server() {
	local try port i got=none
	st_setup sp
	st_web
	st_udp_exchange 9 0
	st_serve_start 2

	for try in 5 6 7 8 9; do
		port=$(st_port 2 $try)
		mkdir -p "$FX_TMP/prom-$port"
		cat >"$FX_TMP/prom-$port/prometheus.yml" <<-EOF
		global:
		  scrape_interval: 1s
		  evaluation_interval: 1s
		scrape_configs:
		  - job_name: pairpath
		    scrape_interval: 1s
		    scrape_timeout: 1s
		    static_configs:
		      - targets: ['127.0.0.1:$ST_PORT']
		EOF
		/usr/bin/prometheus --config.file="$FX_TMP/prom-$port/prometheus.yml" \
			--storage.tsdb.path="$FX_TMP/prom-$port/data" \
			--web.listen-address=127.0.0.1:$port --log.level=warn \
			>"$FX_TMP/prom-$port/log" 2>&1 &
		ST_PROM_PID=$!
		ST_PIDS+=("$ST_PROM_PID")
		for i in $(seq 100); do
			st_listening "$ST_PROM_PID" "$port" && break
			st_alive "$ST_PROM_PID" || break
			sleep 0.1
		done
		st_listening "$ST_PROM_PID" "$port" && break
		st_stop "$ST_PROM_PID"
		grep -q 'address already in use' "$FX_TMP/prom-$port/log" ||
			fail "prometheus did not start: $(cat "$FX_TMP/prom-$port/log")"
		port=
	done
	[ -n "$port" ] || fail "prometheus: no free port"
	ST_PROM_PORT=$port

	# A scrape a second: give it 30 s to take one and answer the query.
	for i in $(seq 60); do
		got=$(st_prom_value 'pairpath_packets_total{pair="web",direction="a_to_b"}')
		[ "$got" = 9 ] && break
		sleep 0.5
	done
	expect_eq "$got" 9 "Prometheus: pairpath_packets_total a_to_b"
	expect_eq "$(st_prom_value 'pairpath_bytes_total{pair="web",direction="a_to_b"}')" \
		$((9 * ST_FRAME)) "Prometheus: pairpath_bytes_total a_to_b"
	expect_eq "$(st_prom_value 'pairpath_packets_total{pair="web",direction="b_to_a"}')" 0 \
		"Prometheus: pairpath_packets_total b_to_a"
	expect_eq "$(st_prom_value 'up{job="pairpath"}')" 1 "Prometheus: up"
	expect_eq "$(st_prom_value 'pairpath_pairs')" 1 "Prometheus: pairpath_pairs"

	st_stop "$ST_PROM_PID"
	expect_eq "$?" 0 "prometheus exit status"
	st_serve_stop
}

# 4a. The exporter's HTTP edges; it is still up after each abuse.
test_stats_serve_http() {
	local out hdr pid m
	st_setup sh
	st_web
	st_serve_start 3

	for m in POST PUT DELETE PATCH OPTIONS; do
		out=$(st_get /metrics -X $m -D - -o /dev/null -d x=1) || fail "$m"
		[[ $out == "HTTP/1.1 405 "* ]] || fail "$m /metrics: $out"
		grep -qi '^Allow: GET, HEAD' <<<"$out" || fail "$m /metrics has no 'Allow: GET, HEAD': $out"
	done
	expect_eq "$(st_get /nope -o /dev/null -w '%{http_code}')" 404 "GET /nope"
	expect_eq "$(st_get /metricsx -o /dev/null -w '%{http_code}')" 404 "GET /metricsx"
	expect_eq "$(st_get /metrics/ -o /dev/null -w '%{http_code}')" 404 "GET /metrics/"

	# HEAD: the GET's status and type, and no body at all.
	out=$(st_get /metrics -I) || fail "HEAD /metrics"
	[[ $out == "HTTP/1.1 200 "* ]] || fail "HEAD /metrics: $out"
	grep -qiF "Content-Type: $ST_CT" <<<"$out" || fail "HEAD /metrics type: $out"
	out=$($PY "$ST_HTTP" raw --port "$ST_PORT" --request 'HEAD /metrics HTTP/1.0\r\n\r\n')
	expect_eq "$out" "status=200 body=0" "HEAD /metrics, read to the close"
	out=$($PY "$ST_HTTP" raw --port "$ST_PORT" --request 'GET /metrics HTTP/1.0\r\n\r\n')
	[[ $out == "status=200 body="[1-9]* ]] || fail "GET /metrics HTTP/1.0: $out"

	out=$(st_get / -w '\n%{http_code} %{content_type}') || fail "GET /"
	expect_eq "$(tail -n 1 <<<"$out")" "200 text/html; charset=utf-8" "GET / status and type"
	grep -q '<a href="/metrics">' <<<"$out" || fail "GET / links no /metrics: $out"

	# 64 KiB of header: refused with 431 (or 413), or the connection is
	# closed (curl's 000); never served.
	hdr=$(head -c 65536 /dev/zero | tr '\0' a)
	out=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "X-Big: $hdr" \
		"http://127.0.0.1:$ST_PORT/metrics")
	echo "64 KiB header: $out"
	[[ $out == 431 || $out == 413 || $out == 000 ]] || fail "64 KiB header: status $out"
	st_still_up "a 64 KiB header"

	out=$($PY "$ST_HTTP" raw --port "$ST_PORT" --garbage 8192)
	echo "garbage: $out"
	[[ $out == status=4* || $out == "status=closed "* ]] || fail "garbage: $out"
	st_still_up "garbage"
	out=$($PY "$ST_HTTP" raw --port "$ST_PORT" --request 'GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n')
	echo "HTTP/9.9: $out"
	[[ $out != status=200* && $out != status=timeout* ]] || fail "HTTP/9.9: $out"
	st_still_up "HTTP/9.9"

	out=$($PY "$ST_HTTP" flood --port "$ST_PORT" --clients 100 --timeout 10 2>"$FX_TMP/flood.err") ||
		fail "flood: $(cat "$FX_TMP/flood.err")"
	echo "flood: $out"
	[[ $out == *" bad=0" ]] || fail "flood: $out: $(cat "$FX_TMP/flood.err")"
	[[ $out != ok=0* ]] || fail "flood: nothing served: $out"
	st_still_up "100 concurrent clients"

	# A client with a half-sent request must not hold up a stop.
	$PY "$ST_HTTP" raw --port "$ST_PORT" --request 'GET /metrics HTTP/1.1\r\n' --timeout 8 \
		>/dev/null 2>&1 &
	pid=$!
	ST_PIDS+=("$pid")
	sleep 0.3
	st_serve_stop TERM
	[ "$ST_STOP_MS" -lt 2000 ] || fail "SIGTERM took $ST_STOP_MS ms"
	st_stop "$pid"

	st_serve_start 3
	st_serve_stop INT
	[ "$ST_STOP_MS" -lt 2000 ] || fail "SIGINT took $ST_STOP_MS ms"
	grep -q 'ERROR: AddressSanitizer\|runtime error' "$FX_TMP"/serve-*.log &&
		fail "sanitizer: $(cat "$FX_TMP"/serve-*.log)"
	return 0
}

# 4b. Every scrape reads the maps afresh: new traffic, new and gone pairs.
test_stats_serve_fresh() {
	local text ns_c
	st_setup sr
	st_web
	st_serve_start 4
	st_expect_counts "$(st_scrape)" web a_to_b 0 0 "first scrape"

	st_udp_exchange 5 0
	st_expect_counts "$(st_scrape)" web a_to_b 5 $((5 * ST_FRAME)) "after 5 datagrams"
	st_udp_exchange 6 1
	text=$(st_scrape)
	st_expect_counts "$text" web a_to_b 11 $((11 * ST_FRAME)) "after 6 more"
	st_expect_counts "$text" web b_to_a 1 $ST_FRAME "after 6 more"

	ns_c="${FX_ID}-c"
	ip netns add "$ns_c" || fail "netns $ns_c"
	ST_NETNS+=("$ns_c")
	ip -n "$NS_H" link add vethC type veth peer name eth0 netns "$ns_c" &&
	ip -n "$NS_H" link add vethD type veth peer name eth1 netns "$ns_c" || fail "extra veths"
	pp attach late vethC vethD || fail "attach late"
	text=$(st_scrape)
	st_expect_counts "$text" late a_to_b 0 0 "pair attached after serve started"
	st_has_line "$text" 'pairpath_pair_info{pair="late",dev_a="vethC",dev_b="vethD",mode="tcx"} 1' \
		"pair attached after serve started"
	st_has_line "$text" 'pairpath_pairs 2' "pair attached after serve started"

	pp detach late || fail "detach late"
	text=$(st_scrape)
	st_lacks "$text" 'pair="late"' "after detach"
	st_has_line "$text" 'pairpath_pairs 1' "after detach"
	st_expect_counts "$text" web a_to_b 11 $((11 * ST_FRAME)) "web after detaching late"
	st_serve_stop
}

# 4c. The exporter follows a reset and a new attach, however its scrapes
# fall: it was started before anything was pinned, and after the reset
# nothing scrapes until the pair is back.
test_stats_serve_reset() {
	local text code
	st_setup sz
	fixture_quiet
	# Only an exporter that kept root can open the pins a reset made anew.
	ST_SERVE_ARGS="--user root" st_serve_start 5
	text=$(st_scrape)
	st_has_line "$text" 'pairpath_pairs 0' "before anything is pinned"
	st_lacks "$text" '^pairpath_packets_total' "before anything is pinned"

	pp attach web vethA vethB || fail "attach web"
	st_static_neigh
	st_udp_exchange 2 0
	st_expect_counts "$(st_scrape)" web a_to_b 2 $((2 * ST_FRAME)) "first attach"

	pp reset || fail "reset"
	pp attach web vethA vethB || fail "attach web again"
	st_udp_exchange 3 0
	text=$(st_scrape)
	expect_eq "$(pp_stat web a_to_b packets)" 3 "stats after reset and attach"
	st_has_line "$text" 'pairpath_pairs 1' "/metrics after reset and attach"
	st_expect_counts "$text" web a_to_b 3 $((3 * ST_FRAME)) "/metrics after reset and attach"
	st_serve_stop

	# Without privileges the exporter cannot reopen the pins: it says so.
	st_serve_start 5
	pp reset || fail "second reset"
	pp attach web vethA vethB || fail "attach after the second reset"
	expect_eq "$(st_get /metrics -o /dev/null -w '%{http_code}')" 503 "unprivileged serve after reset"
	expect_eq "$(st_get /metrics)" "the pinned state was reset: restart pairpath serve" \
		"unprivileged serve's answer after reset"
	st_serve_stop
}

# 4d. serve listens in the netns it was started in; -n only says whose
# pairs it exports.
test_stats_serve_netns() {
	local port pid i text
	st_setup sn
	st_web
	st_udp_exchange 4 0
	port=$(st_port 6 0)
	# ip netns exec execs pairpath: $! is pairpath itself.
	ip netns exec "$NS_A" "$PAIRPATH" -n "$NS_H" --pin-root "$PIN_ROOT" serve \
		--listen 127.0.0.1:$port >"$FX_TMP/serve-a.log" 2>&1 &
	pid=$!
	ST_PIDS+=("$pid")
	for i in $(seq 100); do
		st_listening "$pid" "$port" "$NS_A" && break
		st_alive "$pid" || break
		sleep 0.05
	done
	st_listening "$pid" "$port" "$NS_A" || fail "serve in A: $(cat "$FX_TMP/serve-a.log")"
	expect_eq "$(readlink "/proc/$pid/exe")" "$(readlink -f "$PAIRPATH")" "the pid is pairpath's"

	text=$(in_a curl -sS --max-time 5 "http://127.0.0.1:$port/metrics") || fail "scrape in A"
	st_expect_counts "$text" web a_to_b 4 $((4 * ST_FRAME)) "scrape in A"
	in_h curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$port/metrics" &&
		fail "serve started in A answers on the loopback of the host netns"
	st_stop "$pid"
	expect_eq "$?" 0 "serve exit status"
}

# 5. A frame the program redirected to a down eth0 is a kernel drop, by
# the kernel's own reason; the program's drops are not counted there.
test_stats_kernel_drops() {
	local text json
	st_setup sk
	st_web
	ip -n "$NS_B" link set eth0 down || fail "eth0 of B down"
	in_a $PY "$ST_RAW" send --dev eth0 --dst $ST_MAC_B --size $ST_FRAME --count 6 ||
		fail "frames to B"
	# Unicast for a MAC that is not B's: the program drops these.
	in_a $PY "$ST_RAW" send --dev eth0 --dst 02:00:00:00:00:0c --size 60 --count 3 ||
		fail "foreign frames"

	json=$(pp stats --json) || fail "stats --json"
	# The kernel's name for a redirect to a device that is down.
	expect_eq "$($PY -c '
import json, sys
d = json.load(sys.stdin)["pairs"][0]["directions"]
print(json.dumps(d[0]["kernel_drops"], sort_keys=True), json.dumps(d[1]["kernel_drops"]))' <<<"$json")" \
		'{"NOT_SPECIFIED": 6} {}' "json kernel_drops"
	expect_eq "$(pp_stat web a_to_b packets)" 6 "packets a_to_b (redirected, then dropped)"
	expect_eq "$(pp_stat web a_to_b bytes)" $((6 * ST_FRAME)) "bytes a_to_b"
	expect_eq "$(pp_stat web a_to_b drops.foreign_mac)" 3 "program drops a_to_b"

	text=$(pp stats --format prometheus | grep '^pairpath_kernel_drops_total')
	expect_eq "$text" 'pairpath_kernel_drops_total{pair="web",direction="a_to_b",reason="NOT_SPECIFIED"} 6' \
		"kernel drop samples"
	expect_eq "$(st_table_row "$(pp stats)" web a_to_b)" \
		"web a_to_b 6 $((6 * ST_FRAME)) 3 6" "table with drops and kernel drops"

	# Detach forgets them: a new pair of the same name starts at nothing.
	ip -n "$NS_B" link set eth0 up
	pp detach web || fail "detach"
	pp attach web vethA vethB || fail "attach again"
	expect_eq "$(pp stats --json | $PY -c '
import json, sys
d = json.load(sys.stdin)["pairs"][0]["directions"]
print(d[0]["kernel_drops"], d[0]["drops"]["foreign_mac"], d[0]["packets"])')" "{} 0 0" \
		"kernel drops after detach and attach"
	st_lacks "$(pp stats --format prometheus)" '^pairpath_kernel_drops_total' "after detach and attach"
}

# 6. Counters live in pinned maps: every new process reads the same,
# detach drops them, and a pair whose device is gone is not up.
test_stats_persistence() {
	local text
	st_setup sv
	st_web
	# attach has exited; a new process sends and another reads.
	st_udp_exchange 8 3
	expect_eq "$(pp_stat web a_to_b packets)" 8 "a new process reads a_to_b"
	expect_eq "$(pp_stat web b_to_a packets)" 3 "a new process reads b_to_a"
	expect_eq "$(pp_stat web a_to_b packets)" 8 "and the next one"
	# Re-attaching an attached pair changes nothing, counters included.
	pp attach web vethA vethB || fail "attach again"
	expect_eq "$(pp_stat web a_to_b packets)" 8 "after a repeated attach"

	pp detach web || fail "detach"
	text=$(pp stats --format prometheus | grep -v '^#')
	st_lacks "$text" 'pair="web"' "after detach"
	st_has_line "$text" 'pairpath_pairs 0' "after detach"
	pp attach web vethA vethB || fail "re-attach"
	text=$(pp stats --format prometheus | grep -v '^#')
	st_expect_counts "$text" web a_to_b 0 0 "after re-attach"
	st_expect_counts "$text" web b_to_a 0 0 "after re-attach"
	st_has_line "$text" 'pairpath_pair_up{pair="web"} 1' "healthy pair"

	ip -n "$NS_H" link del vethB || fail "delete vethB"
	text=$(pp stats --format prometheus | grep -v '^#')
	st_has_line "$text" 'pairpath_pair_up{pair="web"} 0' "after vethB is deleted"
	st_has_line "$text" 'pairpath_pairs 1' "after vethB is deleted"
	expect_eq "$(pp status --json | $PY -c 'import json,sys; p=json.load(sys.stdin)["pairs"][0]; print(p["name"], p["state"])')" \
		"web broken" "status --json after vethB is deleted"
	expect_eq "$(pp status | awk '$1 == "web" {print $5}')" broken "status table after vethB is deleted"
	pp detach web || fail "detach a broken pair"
	st_has_line "$(pp stats --format prometheus)" 'pairpath_pairs 0' "after detaching the broken pair"
}

# 7. watch redraws with rates and stops cleanly on SIGTERM and SIGINT.
test_stats_watch() {
	local rc start ms out
	st_setup sw
	st_web
	start=$(date +%s%N)
	timeout 3 "$PAIRPATH" -n "$NS_H" --pin-root "$PIN_ROOT" stats --watch 1 \
		>"$FX_TMP/watch" 2>"$FX_TMP/watch.err"
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	# timeout reports 124 whenever it had to signal, however the program
	# then exited; it never needed to send the KILL (137).
	expect_eq "$rc" 124 "timeout 3 stats --watch 1"
	[ "$ms" -lt 3800 ] || fail "watch took $ms ms to stop after SIGTERM"
	expect_eq "$(cat "$FX_TMP/watch.err")" "" "watch stderr"
	# Each screen starts by homing the cursor and clearing.
	out=$(grep -c $'\e\[H\e\[2J' "$FX_TMP/watch")
	[ "$out" -ge 2 ] || fail "watch drew $out screens in 3 s: $(cat -v "$FX_TMP/watch")"
	# The first screen has no rates yet; the later ones have them.
	expect_eq "$(sed -n 1p "$FX_TMP/watch" | sed 's/^\x1b\[H\x1b\[2J//' | awk '{$1 = $1; print}')" \
		"PAIR DIRECTION PACKETS BYTES DROPS KDROPS" "first screen header"
	grep -q 'PACKETS/S *BITS/S$' "$FX_TMP/watch" || fail "no PACKETS/S BITS/S: $(cat -v "$FX_TMP/watch")"
	out=$(awk '$1 == "web" && $2 == "a_to_b" && NF == 8 { $1 = $1; print; exit }' "$FX_TMP/watch")
	expect_eq "$out" "web a_to_b 0 0 0 0 0 0" "an idle pair's row with rates"

	# What the program itself returns on each signal.
	timeout --preserve-status 2 "$PAIRPATH" -n "$NS_H" --pin-root "$PIN_ROOT" stats --watch 1 >/dev/null
	expect_eq "$?" 0 "stats --watch exit status on SIGTERM"
	timeout --preserve-status -s INT 2 "$PAIRPATH" -n "$NS_H" --pin-root "$PIN_ROOT" stats --watch 1 >/dev/null
	expect_eq "$?" 0 "stats --watch exit status on SIGINT"
	expect_cmd 2 "pairpath: stats: --watch draws a table; it does not go with --format" \
		pp stats --watch 1 --json
	expect_cmd 2 "pairpath: watch interval '0' is invalid: expected 1 to 3600 seconds" \
		pp stats --watch 0
}

# 7b. A counter that starts over (detach and attach between two screens)
# gives no absurd rate: the difference must not wrap around 2^64.
test_stats_watch_reset() {
	local pid bad
	st_setup sy
	st_web
	st_udp_exchange 50 0
	"$PAIRPATH" -n "$NS_H" --pin-root "$PIN_ROOT" stats --watch 1 >"$FX_TMP/watch" 2>&1 &
	pid=$!
	ST_PIDS+=("$pid")
	sleep 1.5
	pp detach web && pp attach web vethA vethB || fail "detach and attach"
	sleep 2.2
	st_stop "$pid"
	expect_eq "$?" 0 "watch exit status"
	# Rates are columns 7 and 8; at most 50 frames crossed, ever.
	bad=$(awk '$1 == "web" && NF == 8 && ($7 > 1000 || $8 > 1000000)' "$FX_TMP/watch")
	[ -z "$bad" ] || fail "absurd rate after the counters started over: $bad"
	grep -q '^web  *a_to_b  *0  *0 ' "$FX_TMP/watch" || fail "no screen after the re-attach: $(cat -v "$FX_TMP/watch")"
}

# 8. JSON counters are integers, never floats, whatever their size.
test_stats_json_integers() {
	local json
	st_setup sj
	st_web
	st_udp_exchange 3 1
	json=$(pp stats --format json) || fail "stats --format json"
	expect_eq "$(pp stats --json)" "$json" "--json against --format json"
	[[ $json == *'"packets":3,"bytes":'$((3 * ST_FRAME))','* ]] || fail "raw a_to_b counters: $json"
	[[ $json == *'"packets":1,"bytes":'$ST_FRAME','* ]] || fail "raw b_to_a counters: $json"
	[[ $json == *'"foreign_mac":0,'* ]] || fail "raw drop counter: $json"
	! grep -qE ':-?[0-9]+[.eE]' <<<"$json" || fail "a number with a fraction or exponent: $json"
	$PY -c '
import json, sys
def walk(v, path):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(x, path + "." + k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(x, "%s[%d]" % (path, i))
    elif isinstance(v, float):
        sys.exit("float at " + path)
walk(json.load(sys.stdin), "")' <<<"$json" || fail "json has floats: $json"
}

# With nothing pinned every format is empty but valid.
test_stats_empty() {
	local text
	st_setup se
	expect_eq "$(pp stats --json)" '{"kernel_drops_counted":false,"pairs":[]}' "json with nothing pinned"
	expect_eq "$(pp stats | awk '{$1 = $1; print}')" "PAIR DIRECTION PACKETS BYTES DROPS KDROPS" \
		"table with nothing pinned"
	text=$(pp stats --format prometheus) || fail "prometheus with nothing pinned"
	st_has_line "$text" 'pairpath_pairs 0' "prometheus with nothing pinned"
	out=$(promtool check metrics <<<"$text" 2>&1) || fail "promtool: $out"
	$PY "$ST_HTTP" samples <<<"$text" >/dev/null || fail "samples with nothing pinned"
	[ ! -e "$PIN_ROOT" ] || fail "reading stats created $PIN_ROOT"
}

# Every character a pair name may have reaches the labels unchanged.
test_stats_pair_name_chars() {
	local name='Web_1.v-2' text
	st_setup sc
	st_web
	pp detach web || fail "detach web"
	pp attach "$name" vethA vethB || fail "attach '$name', a name attach's rules allow"
	st_udp_exchange 2 0
	text=$(pp stats --format prometheus)
	st_expect_counts "$text" "$name" a_to_b 2 $((2 * ST_FRAME)) "pair '$name'"
	expect_eq "$(pp_stat "$name" a_to_b packets)" 2 "json pair '$name'"
}
