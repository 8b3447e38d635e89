# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The counters as 'pairpath stats' and the 'serve' exporter show them:
# exact numbers in every format, the text format as promtool, the Python
# client and a real Prometheus read it, the exporter's HTTP edges, kernel
# drops, counters across processes and detach, and watch mode.
#
# Exact counts need a silent pair: the fixture without IPv6, static
# neighbour entries that keep ARP off the wire, and a bound UDP sink that
# keeps the receiver from answering with ICMP port unreachable. Then only
# the test's own datagrams cross, UDP_FRAME (142) bytes of frame each.
# The exporter and Prometheus listen on the loopback of the fixture's
# host netns, whose ports no other test shares.

ST_UDP="$PP_TOP/tests/tools/st_udp.py"
ST_HTTP="$PP_TOP/tests/tools/st_http.py"
ST_CT='text/plain; version=0.0.4; charset=utf-8'
ST_PROM_PORT=9090

# The quiet, attached pair 'web' most tests start from.
st_web() {	# tag
	fixture "$1" --no-ipv6 --static-neigh
	pp attach web vethA vethB || fail "attach web"
}

# A sink for N datagrams on UDP_PORT in a netns, BG_PID; wait until it
# is bound.
st_sink() {	# netns output-file n what
	bg_start ip netns exec "$1" timeout 15 $PY "$ST_UDP" sink --port $UDP_PORT \
		--count "$3" --timeout 10 >"$2" 2>&1
	bg_until 5 "$BG_PID" grep -qx ready "$2" || fail "$4 did not start: $(cat "$2")"
}

# Exactly N datagrams of 100 bytes from A to B and M from B to A, each
# received by a sink on the far side.
st_udp_exchange() {	# n_a_to_b n_b_to_a
	local ab=$1 ba=$2 pa pb
	st_sink "$NS_B" "$FX_TMP/sink-b" "$ab" "sink in B"
	pb=$BG_PID
	st_sink "$NS_A" "$FX_TMP/sink-a" "$ba" "sink in A"
	pa=$BG_PID
	if [ "$ab" -gt 0 ]; then
		in_a $PY "$ST_UDP" send --to 10.77.0.2 --port $UDP_PORT --count "$ab" >/dev/null ||
			fail "send A -> B"
	fi
	if [ "$ba" -gt 0 ]; then
		in_b $PY "$ST_UDP" send --to 10.77.0.1 --port $UDP_PORT --count "$ba" >/dev/null ||
			fail "send B -> A"
	fi
	bg_wait "$pb"
	bg_wait "$pa"
	expect_eq "$(tail -n 1 "$FX_TMP/sink-b")" "received=$ab" "datagrams B received"
	expect_eq "$(tail -n 1 "$FX_TMP/sink-a")" "received=$ba" "datagrams A received"
}

# The exporter survived whatever came before and still serves.
st_still_up() {	# what
	expect_eq "$(http_get /metrics -o /dev/null -w '%{http_code}')" 200 "GET /metrics after $1"
	bg_alive "$SERVE_PID" || fail "serve died after $1"
}

# Metric lines only, for exact matches.
st_scrape() {
	http_get /metrics | grep -v '^#'
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
	in_h curl -sS --max-time 5 -G --data-urlencode "query=$1" \
		"http://127.0.0.1:$ST_PROM_PORT/api/v1/query" | $PY -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if len(r) == 1 else "none" if not r else "many")'
}

# 1. The same exact numbers in the table, JSON, the text format and HTTP.
test_stats_exact_counts() {
	local text row
	st_web sx
	expect_eq "$(st_table_row "$(pp stats)" web a_to_b)" "web a_to_b 0 0 0 0" "table before traffic"

	st_udp_exchange 7 4

	text=$(pp stats) || fail "stats"
	expect_eq "$(head -n 1 <<<"$text" | awk '{$1 = $1; print}')" \
		"PAIR DIRECTION PACKETS BYTES DROPS KDROPS" "table header"
	expect_eq "$(st_table_row "$text" web a_to_b)" "web a_to_b 7 $((7 * UDP_FRAME)) 0 0" "table a_to_b"
	expect_eq "$(st_table_row "$text" web b_to_a)" "web b_to_a 4 $((4 * UDP_FRAME)) 0 0" "table b_to_a"

	expect_eq "$(pp_stat web a_to_b packets)" 7 "json a_to_b packets"
	expect_eq "$(pp_stat web a_to_b bytes)" $((7 * UDP_FRAME)) "json a_to_b bytes"
	expect_eq "$(pp_stat web b_to_a packets)" 4 "json b_to_a packets"
	expect_eq "$(pp_stat web b_to_a bytes)" $((4 * UDP_FRAME)) "json b_to_a bytes"
	for row in runt mtu foreign_mac pkt_type; do
		expect_eq "$(pp_stat web a_to_b drops.$row)" 0 "json a_to_b drops.$row"
		expect_eq "$(pp_stat web b_to_a drops.$row)" 0 "json b_to_a drops.$row"
	done

	text=$(pp stats --format prometheus) || fail "stats --format prometheus"
	st_expect_counts "$text" web a_to_b 7 $((7 * UDP_FRAME)) "prometheus text"
	st_expect_counts "$text" web b_to_a 4 $((4 * UDP_FRAME)) "prometheus text"
	st_has_line "$text" 'pairpath_drops_total{pair="web",direction="a_to_b",reason="foreign_mac"} 0' \
		"prometheus text"
	st_has_line "$text" 'pairpath_pair_info{pair="web",dev_a="vethA",dev_b="vethB",mode="tcx"} 1' \
		"prometheus text"
	st_has_line "$text" 'pairpath_pair_up{pair="web"} 1' "prometheus text"
	st_has_line "$text" 'pairpath_pairs 1' "prometheus text"

	serve_start
	expect_eq "$(http_get /metrics -o /dev/null -w '%{http_code} %{content_type}')" \
		"200 $ST_CT" "GET /metrics status and Content-Type"
	text=$(st_scrape) || fail "scrape"
	st_expect_counts "$text" web a_to_b 7 $((7 * UDP_FRAME)) "/metrics"
	st_expect_counts "$text" web b_to_a 4 $((4 * UDP_FRAME)) "/metrics"
	# The exporter and stats write the same text for the same counters.
	expect_eq "$(http_get /metrics)" "$(pp stats --format prometheus)" "/metrics against stats --format prometheus"
	serve_stop
}

# 2. promtool, the Python client's parser and a duplicate check agree on
# two pairs, one with device names that need label escaping.
test_stats_prometheus_format() {
	local ns_c f1 f2 text
	st_web sf
	ns_c="${FX_ID}-c"
	netns_add "$ns_c" || fail "netns $ns_c"
	ipv6_off "$ns_c" || fail "quiet $ns_c"
	# A quote and a backslash are legal in a device name and must be
	# escaped in label values.
	veth_add 'v"c\1' "$ns_c" eth0 && veth_add vd "$ns_c" eth1 || fail "extra veths"
	pp attach db 'v"c\1' vd || fail "attach db"

	st_udp_exchange 3 2
	# Two program drops and one kernel drop, so every family has samples;
	# the program redirected the last frame before the kernel dropped it.
	in_a $PY "$RAWPKT" send --dev eth0 --dst 02:00:00:00:00:0c --size 60 --count 2 ||
		fail "foreign frames"
	ip -n "$NS_B" link set eth0 down
	in_a $PY "$RAWPKT" send --dev eth0 --dst $MAC_B --size 60 --count 1 || fail "frame to a down eth0"
	ip -n "$NS_B" link set eth0 up

	f1="$FX_TMP/stats.prom"
	f2="$FX_TMP/scrape.prom"
	pp stats --format prometheus >"$f1" || fail "stats --format prometheus"
	serve_start
	http_get /metrics >"$f2" || fail "scrape"
	serve_stop

	for f in "$f1" "$f2"; do
		text=$(promtool check metrics <"$f" 2>&1) || fail "promtool check metrics $f: $text"
		expect_eq "$text" "" "promtool findings on $f"
		$PY "$ST_HTTP" samples "$f" >"$f.samples" || fail "samples of $f: duplicates"
	done
	expect_eq "$(cat "$f2.samples")" "$(cat "$f1.samples")" "samples of /metrics against stats"

	text=$(cat "$f1.samples")
	st_has_line "$text" 'pairpath_packets_total{direction="a_to_b",pair="web"} 4' "parsed"
	st_has_line "$text" "pairpath_bytes_total{direction=\"a_to_b\",pair=\"web\"} $((3 * UDP_FRAME + 60))" "parsed"
	st_has_line "$text" 'pairpath_packets_total{direction="b_to_a",pair="web"} 2' "parsed"
	st_has_line "$text" "pairpath_bytes_total{direction=\"b_to_a\",pair=\"web\"} $((2 * UDP_FRAME))" "parsed"
	st_has_line "$text" 'pairpath_packets_total{direction="a_to_b",pair="db"} 0' "parsed"
	st_has_line "$text" 'pairpath_packets_total{direction="b_to_a",pair="db"} 0' "parsed"
	st_has_line "$text" 'pairpath_drops_total{direction="a_to_b",pair="web",reason="foreign_mac"} 2' "parsed"
	st_has_line "$text" 'pairpath_kernel_drops_total{direction="a_to_b",pair="web",reason="NOT_SPECIFIED"} 1' "parsed"
	st_has_line "$text" 'pairpath_pair_info{dev_a="v\"c\\1",dev_b="vd",mode="tcx",pair="db"} 1' "parsed"
	st_has_line "$text" 'pairpath_pair_up{pair="db"} 1' "parsed"
	st_has_line "$text" 'pairpath_pairs 2' "parsed"
	# 2 pairs x 2 directions: packets 4, bytes 4, drops 20 (5 reasons),
	# kernel drops 1, untracked kernel drops 1, info 2, up 2, pairs 1,
	# endpoints 1 (0: no routed state), build info 1.
	expect_eq "$(wc -l <"$f1.samples")" 37 "number of samples"
	st_has_line "$text" 'pairpath_kernel_drops_untracked_total 0' "parsed"
	grep -q '^pairpath_build_info{kernel="'"$(uname -r)"'",libbpf_version="v[0-9.]*",version="[0-9.]*"} 1$' \
		"$f1.samples" || fail "build_info: $(grep build_info "$f1.samples")"

	# The duplicate check itself finds a duplicate.
	{ cat "$f1"; grep '^pairpath_pairs ' "$f1"; } >"$FX_TMP/dup.prom"
	$PY "$ST_HTTP" samples "$FX_TMP/dup.prom" >/dev/null 2>&1 && fail "duplicate check missed a duplicate"
	return 0
}

# 3. A real Prometheus scrapes the exporter and has the exact count.
test_stats_prometheus_server() {
	local prom i got=none
	st_web sp
	st_udp_exchange 9 0
	serve_start

	mkdir -p "$FX_TMP/prom"
	cat >"$FX_TMP/prom/prometheus.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  evaluation_interval: 1s
	scrape_configs:
	  - job_name: pairpath
	    scrape_interval: 1s
	    scrape_timeout: 1s
	    static_configs:
	      - targets: ['127.0.0.1:$SERVE_PORT']
	EOF
	# In the host netns, beside the exporter; ip execs it.
	bg_start ip netns exec "$NS_H" /usr/bin/prometheus \
		--config.file="$FX_TMP/prom/prometheus.yml" --storage.tsdb.path="$FX_TMP/prom/data" \
		--web.listen-address=127.0.0.1:$ST_PROM_PORT --log.level=warn >"$FX_TMP/prom/log" 2>&1
	prom=$BG_PID
	bg_until 10 "$prom" bg_listening "$prom" "$NS_H" $ST_PROM_PORT ||
		fail "prometheus did not start: $(cat "$FX_TMP/prom/log")"

	# A scrape a second: give it 30 s to take one and answer the query.
	for i in $(seq 60); do
		got=$(st_prom_value 'pairpath_packets_total{pair="web",direction="a_to_b"}')
		[ "$got" = 9 ] && break
		sleep 0.5
	done
	expect_eq "$got" 9 "Prometheus: pairpath_packets_total a_to_b"
	expect_eq "$(st_prom_value 'pairpath_bytes_total{pair="web",direction="a_to_b"}')" \
		$((9 * UDP_FRAME)) "Prometheus: pairpath_bytes_total a_to_b"
	expect_eq "$(st_prom_value 'pairpath_packets_total{pair="web",direction="b_to_a"}')" 0 \
		"Prometheus: pairpath_packets_total b_to_a"
	expect_eq "$(st_prom_value 'up{job="pairpath"}')" 1 "Prometheus: up"
	expect_eq "$(st_prom_value 'pairpath_pairs')" 1 "Prometheus: pairpath_pairs"

	bg_stop "$prom"
	expect_eq "$?" 0 "prometheus exit status"
	serve_stop
}

# 4a. The exporter's HTTP edges; it is still up after each abuse.
test_stats_serve_http() {
	local out hdr pid m
	st_web sh
	serve_start

	for m in POST PUT DELETE PATCH OPTIONS; do
		out=$(http_get /metrics -X $m -D - -o /dev/null -d x=1) || fail "$m"
		[[ $out == "HTTP/1.1 405 "* ]] || fail "$m /metrics: $out"
		grep -qi '^Allow: GET, HEAD' <<<"$out" || fail "$m /metrics has no 'Allow: GET, HEAD': $out"
	done
	expect_eq "$(http_get /nope -o /dev/null -w '%{http_code}')" 404 "GET /nope"
	expect_eq "$(http_get /metricsx -o /dev/null -w '%{http_code}')" 404 "GET /metricsx"
	expect_eq "$(http_get /metrics/ -o /dev/null -w '%{http_code}')" 404 "GET /metrics/"

	# HEAD: the GET's status and type, and no body at all.
	out=$(http_get /metrics -I) || fail "HEAD /metrics"
	[[ $out == "HTTP/1.1 200 "* ]] || fail "HEAD /metrics: $out"
	grep -qiF "Content-Type: $ST_CT" <<<"$out" || fail "HEAD /metrics type: $out"
	out=$(in_h $PY "$ST_HTTP" raw --port $SERVE_PORT --request 'HEAD /metrics HTTP/1.0\r\n\r\n')
	expect_eq "$out" "status=200 body=0" "HEAD /metrics, read to the close"
	out=$(in_h $PY "$ST_HTTP" raw --port $SERVE_PORT --request 'GET /metrics HTTP/1.0\r\n\r\n')
	[[ $out == "status=200 body="[1-9]* ]] || fail "GET /metrics HTTP/1.0: $out"

	out=$(http_get / -w '\n%{http_code} %{content_type}') || fail "GET /"
	expect_eq "$(tail -n 1 <<<"$out")" "200 text/html; charset=utf-8" "GET / status and type"
	grep -q '<a href="/metrics">' <<<"$out" || fail "GET / links no /metrics: $out"

	# 64 KiB of header: refused with 431 (or 413), or the connection is
	# closed (curl's 000); never served.
	hdr=$(head -c 65536 /dev/zero | tr '\0' a)
	out=$(http_get /metrics -o /dev/null -w '%{http_code}' -H "X-Big: $hdr" 2>/dev/null)
	echo "64 KiB header: $out"
	[[ $out == 431 || $out == 413 || $out == 000 ]] || fail "64 KiB header: status $out"
	st_still_up "a 64 KiB header"

	out=$(in_h $PY "$ST_HTTP" raw --port $SERVE_PORT --garbage 8192)
	echo "garbage: $out"
	[[ $out == status=4* || $out == "status=closed "* ]] || fail "garbage: $out"
	st_still_up "garbage"
	out=$(in_h $PY "$ST_HTTP" raw --port $SERVE_PORT --request 'GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n')
	echo "HTTP/9.9: $out"
	[[ $out != status=200* && $out != status=timeout* ]] || fail "HTTP/9.9: $out"
	st_still_up "HTTP/9.9"

	out=$(in_h $PY "$ST_HTTP" flood --port $SERVE_PORT --clients 100 --timeout 10 2>"$FX_TMP/flood.err") ||
		fail "flood: $(cat "$FX_TMP/flood.err")"
	echo "flood: $out"
	[[ $out == *" bad=0" ]] || fail "flood: $out: $(cat "$FX_TMP/flood.err")"
	[[ $out != ok=0* ]] || fail "flood: nothing served: $out"
	st_still_up "100 concurrent clients"

	# A client with a half-sent request must not hold up a stop.
	bg_start ip netns exec "$NS_H" $PY "$ST_HTTP" raw --port $SERVE_PORT \
		--request 'GET /metrics HTTP/1.1\r\n' --timeout 8 >/dev/null 2>&1
	pid=$BG_PID
	sleep 0.3
	serve_stop TERM
	[ "$BG_STOP_MS" -lt 2000 ] || fail "SIGTERM took $BG_STOP_MS ms"
	bg_stop "$pid"

	serve_start
	serve_stop INT
	[ "$BG_STOP_MS" -lt 2000 ] || fail "SIGINT took $BG_STOP_MS ms"
	grep -q 'ERROR: AddressSanitizer\|runtime error' "$FX_TMP/serve.log" &&
		fail "sanitizer: $(cat "$FX_TMP/serve.log")"
	return 0
}

# 4b. Every scrape reads the maps afresh: new traffic, new and gone pairs.
test_stats_serve_fresh() {
	local text ns_c
	st_web sr
	serve_start
	st_expect_counts "$(st_scrape)" web a_to_b 0 0 "first scrape"

	st_udp_exchange 5 0
	st_expect_counts "$(st_scrape)" web a_to_b 5 $((5 * UDP_FRAME)) "after 5 datagrams"
	st_udp_exchange 6 1
	text=$(st_scrape)
	st_expect_counts "$text" web a_to_b 11 $((11 * UDP_FRAME)) "after 6 more"
	st_expect_counts "$text" web b_to_a 1 $UDP_FRAME "after 6 more"

	ns_c="${FX_ID}-c"
	netns_add "$ns_c" || fail "netns $ns_c"
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
	st_expect_counts "$text" web a_to_b 11 $((11 * UDP_FRAME)) "web after detaching late"
	serve_stop
}

# 4c. The exporter follows a reset and a new attach, however its scrapes
# fall: it was started before anything was pinned, and after the reset
# nothing scrapes until the pair is back.
test_stats_serve_reset() {
	local text code
	fixture sz --no-ipv6 --static-neigh
	# Only an exporter that kept root can open the pins a reset made anew.
	serve_start --user root
	text=$(st_scrape)
	st_has_line "$text" 'pairpath_pairs 0' "before anything is pinned"
	st_lacks "$text" '^pairpath_packets_total' "before anything is pinned"

	pp attach web vethA vethB || fail "attach web"
	st_udp_exchange 2 0
	st_expect_counts "$(st_scrape)" web a_to_b 2 $((2 * UDP_FRAME)) "first attach"

	pp reset || fail "reset"
	pp attach web vethA vethB || fail "attach web again"
	st_udp_exchange 3 0
	text=$(st_scrape)
	expect_eq "$(pp_stat web a_to_b packets)" 3 "stats after reset and attach"
	st_has_line "$text" 'pairpath_pairs 1' "/metrics after reset and attach"
	st_expect_counts "$text" web a_to_b 3 $((3 * UDP_FRAME)) "/metrics after reset and attach"
	serve_stop

	# Without privileges the exporter cannot reopen the pins: it says so.
	serve_start
	pp reset || fail "second reset"
	pp attach web vethA vethB || fail "attach after the second reset"
	expect_eq "$(http_get /metrics -o /dev/null -w '%{http_code}')" 503 "unprivileged serve after reset"
	expect_eq "$(http_get /metrics)" "the pinned state was reset: restart pairpath serve" \
		"unprivileged serve's answer after reset"
	serve_stop
}

# 4d. serve listens in the netns it was started in; -n only says whose
# pairs it exports.
test_stats_serve_netns() {
	local text
	st_web sn
	st_udp_exchange 4 0
	serve_start --in "$NS_A"
	expect_eq "$(readlink "/proc/$SERVE_PID/exe")" "$(readlink -f "$PAIRPATH")" "the pid is pairpath's"

	text=$(http_get /metrics) || fail "scrape in A"
	st_expect_counts "$text" web a_to_b 4 $((4 * UDP_FRAME)) "scrape in A"
	in_h curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$SERVE_PORT/metrics" &&
		fail "serve started in A answers on the loopback of the host netns"
	bg_stop "$SERVE_PID"
	expect_eq "$?" 0 "serve exit status"
}

# 5. A frame the program redirected to a down eth0 is a kernel drop, by
# the kernel's own reason; the program's drops are not counted there.
test_stats_kernel_drops() {
	local text json
	st_web sk
	ip -n "$NS_B" link set eth0 down || fail "eth0 of B down"
	in_a $PY "$RAWPKT" send --dev eth0 --dst $MAC_B --size $UDP_FRAME --count 6 ||
		fail "frames to B"
	# Unicast for a MAC that is not B's: the program drops these.
	in_a $PY "$RAWPKT" send --dev eth0 --dst 02:00:00:00:00:0c --size 60 --count 3 ||
		fail "foreign frames"

	json=$(pp stats --json) || fail "stats --json"
	# The kernel's name for a redirect to a device that is down.
	expect_eq "$($PY -c '
import json, sys
d = json.load(sys.stdin)["pairs"][0]["directions"]
print(json.dumps(d[0]["kernel_drops"], sort_keys=True), json.dumps(d[1]["kernel_drops"]))' <<<"$json")" \
		'{"NOT_SPECIFIED": 6} {}' "json kernel_drops"
	expect_eq "$(pp_stat web a_to_b packets)" 6 "packets a_to_b (redirected, then dropped)"
	expect_eq "$(pp_stat web a_to_b bytes)" $((6 * UDP_FRAME)) "bytes a_to_b"
	expect_eq "$(pp_stat web a_to_b drops.foreign_mac)" 3 "program drops a_to_b"

	text=$(pp stats --format prometheus | grep '^pairpath_kernel_drops_total')
	expect_eq "$text" 'pairpath_kernel_drops_total{pair="web",direction="a_to_b",reason="NOT_SPECIFIED"} 6' \
		"kernel drop samples"
	expect_eq "$(st_table_row "$(pp stats)" web a_to_b)" \
		"web a_to_b 6 $((6 * UDP_FRAME)) 3 6" "table with drops and kernel drops"

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
	st_web sv
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
	expect_eq "$(pp status --json | $PY -c 'import json,sys; p=json.load(sys.stdin)["pairs"][0]; print(p["name"], p["state"], p["program"])')" \
		"web broken -" "status --json after vethB is deleted"
	expect_eq "$(pp status | awk '$1 == "web" {print $5, $6}')" "broken -" \
		"status table after vethB is deleted: state, program"
	pp detach web || fail "detach a broken pair"
	st_has_line "$(pp stats --format prometheus)" 'pairpath_pairs 0' "after detaching the broken pair"
}

# 7. watch redraws with rates and stops cleanly on SIGTERM and SIGINT.
test_stats_watch() {
	local rc start ms out
	st_web sw
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
	st_web sy
	st_udp_exchange 50 0
	bg_start "$PAIRPATH" -n "$NS_H" --pin-root "$PIN_ROOT" stats --watch 1 >"$FX_TMP/watch" 2>&1
	pid=$BG_PID
	sleep 1.5
	pp detach web && pp attach web vethA vethB || fail "detach and attach"
	sleep 2.2
	bg_stop "$pid"
	expect_eq "$?" 0 "watch exit status"
	# Rates are columns 7 and 8; at most 50 frames crossed, ever.
	bad=$(awk '$1 == "web" && NF == 8 && ($7 > 1000 || $8 > 1000000)' "$FX_TMP/watch")
	[ -z "$bad" ] || fail "absurd rate after the counters started over: $bad"
	grep -q '^web  *a_to_b  *0  *0 ' "$FX_TMP/watch" || fail "no screen after the re-attach: $(cat -v "$FX_TMP/watch")"
}

# 8. JSON counters are integers, never floats, whatever their size.
test_stats_json_integers() {
	local json
	st_web sj
	st_udp_exchange 3 1
	json=$(pp stats --format json) || fail "stats --format json"
	expect_eq "$(pp stats --json)" "$json" "--json against --format json"
	[[ $json == *'"packets":3,"bytes":'$((3 * UDP_FRAME))','* ]] || fail "raw a_to_b counters: $json"
	[[ $json == *'"packets":1,"bytes":'$UDP_FRAME','* ]] || fail "raw b_to_a counters: $json"
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
	fixture se
	expect_eq "$(pp stats --json)" '{"kernel_drops_counted":false,"pairs":[],"endpoints":[],"uplinks":[]}' "json with nothing pinned"
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
	st_web sc
	pp detach web || fail "detach web"
	pp attach "$name" vethA vethB || fail "attach '$name', a name attach's rules allow"
	st_udp_exchange 2 0
	text=$(pp stats --format prometheus)
	st_expect_counts "$text" "$name" a_to_b 2 $((2 * UDP_FRAME)) "pair '$name'"
	expect_eq "$(pp_stat "$name" a_to_b packets)" 2 "json pair '$name'"
}

# 9. 80 clients on the scraper's own address hold connections and
# trickle a byte every 3 s, opening a new one whenever the exporter
# closes theirs: every one of 10 scrapes is still answered whole within
# 1 s, and the exporter cut the slow clients at their deadline.
test_stats_serve_slow_clients() {
	local slow out
	st_web sl
	serve_start
	bg_start ip netns exec "$NS_H" timeout 30 $PY "$ST_HTTP" slow --port $SERVE_PORT \
		--clients 80 --interval 3 --for 12 >"$FX_TMP/slow" 2>&1
	slow=$BG_PID
	bg_until 10 "$slow" grep -qx ready "$FX_TMP/slow" || fail "slow clients: $(cat "$FX_TMP/slow")"
	# Past the first idle timeout and deadline, while all 80 are held.
	sleep 3
	out=$(in_h $PY "$ST_HTTP" scrape --port $SERVE_PORT --count 10 --within 1 2>"$FX_TMP/scrape.err")
	expect_eq "$out" "ok=10 slow=0 bad=0" "10 scrapes among slow clients: $(cat "$FX_TMP/scrape.err")"
	bg_wait "$slow"
	out=$(tail -n 1 "$FX_TMP/slow")
	echo "slow clients: $out"
	[[ $out =~ ^opened=([0-9]+)\ closed_by_server=([0-9]+)$ ]] || fail "slow clients: $out"
	# Each was cut at 2 s at the latest, and came back: more than 80.
	[ "${BASH_REMATCH[2]}" -ge 80 ] || fail "the exporter cut too few slow clients: $out"
	st_still_up "80 slow clients"
	serve_stop
}

# 10. A full kernel-drop table: a pair's entry that exists still counts,
# a drop that needs a new entry is counted as untracked, exactly.
test_stats_kdrops_untracked() {
	local dir text
	st_web su
	dir=$(pin_dir) || exit 1
	ip -n "$NS_B" link set eth0 down || fail "eth0 of B down"
	in_a $PY "$RAWPKT" send --dev eth0 --dst $MAC_B --size $UDP_FRAME --count 2 || fail "frames to B"
	expect_eq "$(metric pairpath_kernel_drops_untracked_total 2>/dev/null; pp stats --format prometheus |
		grep '^pairpath_kernel_drops_untracked_total')" "absent
pairpath_kernel_drops_untracked_total 0" "untracked before the table is full"

	# 16384 entries: web's one and those of a pair id no pair has.
	expect_eq "$("$PPTOOL" kdrops-fill "$dir/kdrops" 0xfffffff0)" 16383 "entries added to fill kdrops"
	in_a $PY "$RAWPKT" send --dev eth0 --dst $MAC_B --size $UDP_FRAME --count 6 || fail "frames to B"
	ip -n "$NS_B" link set eth0 up
	ip -n "$NS_A" link set eth0 down || fail "eth0 of A down"
	in_b $PY "$RAWPKT" send --dev eth0 --dst $MAC_A --size $UDP_FRAME --count 3 || fail "frames to A"
	ip -n "$NS_A" link set eth0 up

	text=$(pp stats --format prometheus | grep '^pairpath_kernel_drops')
	expect_eq "$text" 'pairpath_kernel_drops_total{pair="web",direction="a_to_b",reason="NOT_SPECIFIED"} 8
pairpath_kernel_drops_untracked_total 3' "kernel drops with the table full"
	serve_start
	expect_eq "$(metric pairpath_kernel_drops_untracked_total)" 3 "/metrics untracked"
	serve_stop
}

# Series lines of a scrape and how many differ: "lines=N unique=M".
st_series_count() {
	grep -v '^#' | awk '{ n++; sub(/ [^ ]*$/, ""); if (!seen[$0]++) u++ } END { printf "lines=%d unique=%d\n", n, u }'
}

# Is every series of such a count there once, and is there any?
st_series_once() {	# "lines=N unique=M"
	[[ $1 =~ ^lines=([0-9]+)\ unique=([0-9]+)$ ]] &&
		[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] && [ "${BASH_REMATCH[1]}" -gt 0 ]
}

# 11. No scrape holds a series twice while pairs are detached and
# attached under it: in the batch read, and in the walk a kernel without
# batch reads takes, with a key deleted and put back under the walk.
test_stats_serve_churn() {
	local ns_c i out bad=0 churn
	st_web sq
	ns_c="${FX_ID}-c"
	netns_add "$ns_c" || fail "netns $ns_c"
	for i in 1 2 3 4; do
		veth_add "vc${i}a" "$ns_c" "e${i}a" && veth_add "vc${i}b" "$ns_c" "e${i}b" ||
			fail "veths of pair $i"
		pp attach "p$i" "vc${i}a" "vc${i}b" || fail "attach p$i"
	done

	# The walk, cut by a delete at its second key.
	PAIRPATH_TEST_WALK_CHURN=1 PAIRPATH_TEST_NO_BATCH=1 serve_start --user root
	for i in 1 2 3; do
		out=$(http_get /metrics | st_series_count)
		st_series_once "$out" || fail "walk under a delete, scrape $i: $out"
	done
	serve_stop

	# Real churn, bounded: 20 rounds of detach and attach of p1..p4.
	serve_start
	bg_start timeout 60 bash -c 'for r in $(seq 20); do for i in 1 2 3 4; do
		"$0" -n "$1" --pin-root "$2" detach p$i && "$0" -n "$1" --pin-root "$2" attach p$i vc${i}a vc${i}b || exit 1
		done; done' "$PAIRPATH" "$NS_H" "$PIN_ROOT" >"$FX_TMP/churn" 2>&1
	churn=$BG_PID
	for i in $(seq 200); do
		bg_alive "$churn" || break
		out=$(http_get /metrics | st_series_count)
		st_series_once "$out" || { echo "scrape $i: $out"; bad=$((bad + 1)); }
	done
	echo "scrapes under churn: $i"
	bg_wait "$churn"
	expect_eq "$?" 0 "churn of attach and detach: $(cat "$FX_TMP/churn")"
	expect_eq "$bad" 0 "scrapes with a series twice under churn"
	expect_eq "$(metric pairpath_pairs)" 5 "pairs after the churn"
	serve_stop
}
