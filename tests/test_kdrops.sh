# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# kernel-drops off|on: the system-wide tracer stops and starts; what it
# counted stays, and the pairs keep forwarding either way.

kd_send() {	# count: frames A sends to B's eth0, which is down
	in_a $PY "$RAWPKT" send --dev eth0 --dst $MAC_B --size 100 --count "$1" ||
		fail "frames to B"
}

kd_count() {
	pp stats --json | $PY -c '
import json, sys
d = json.load(sys.stdin)
print(d["kernel_drops_counted"], d["pairs"][0]["directions"][0]["kernel_drops"].get("NOT_SPECIFIED", 0))'
}

test_kdrops_off_and_on() {
	fixture kd --no-ipv6
	expect_cmd 0 "" pp attach web vethA vethB
	ip -n "$NS_B" link set eth0 down || fail "eth0 of B down"
	kd_send 4
	expect_eq "$(kd_count)" "True 4" "kernel drops while the tracer runs"
	expect_cmd 0 "" pp kernel-drops off
	[ -e "$(pin_dir)/kdrop_link" ] && fail "the tracer's link is still pinned"
	kd_send 5
	expect_eq "$(kd_count)" "False 4" "kernel drops with the tracer off"
	expect_eq "$(pp_stat web a_to_b packets)" 9 "the program still counts what it redirects"
	expect_cmd 0 "" pp kernel-drops off
	expect_cmd 0 "" pp kernel-drops on
	kd_send 2
	expect_eq "$(kd_count)" "True 6" "kernel drops once the tracer runs again"
	expect_cmd 2 "pairpath: kernel-drops: 'maybe' is invalid: expected on or off" \
		pp kernel-drops maybe
	ip -n "$NS_B" link set eth0 up
	in_a ping -c 1 -W 1 10.77.0.2 >/dev/null || fail "ping after the tracer went off and on"
}
