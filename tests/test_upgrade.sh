# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# attach of an attached pair by a pairpath with another program build
# upgrades it in place. Another build is simulated by changing the
# program hash the meta map records.

# The program id behind the pair's tcx link on vethA.
upg_prog_id() {
	bpftool -j link show pinned "$(pin_dir)/link-web-a" |
		$PY -c 'import json, sys; print(json.load(sys.stdin)["prog_id"])'
}

# Overwrite meta.prog_hash (bytes 8..15 of the value) with other bits.
upg_forge_hash() {
	local meta
	meta="$(pin_dir)/meta"
	bpftool map update pinned "$meta" key 0 0 0 0 value $(bpftool -j map lookup pinned "$meta" \
		key 0 0 0 0 | $PY -c '
import json, sys
v = [int(b, 16) for b in json.load(sys.stdin)["value"]]
v[8:16] = [0x5a] * 8
print(" ".join(str(b) for b in v))') || fail "cannot forge the program hash"
}

test_upgrade_attach_with_other_build() {
	local before after
	fixture ug --no-ipv6
	expect_cmd 0 "" pp attach web vethA vethB
	in_a ping -c 2 -i 0.2 -W 1 10.77.0.2 >/dev/null || fail "ping before the upgrade"
	before=$(upg_prog_id)
	local packets=$(pp_stat web a_to_b packets)
	# The same build: attaching again changes nothing.
	expect_cmd 0 "" pp attach web vethA vethB
	expect_eq "$(upg_prog_id)" "$before" "program after attaching again with the same build"
	upg_forge_hash
	expect_cmd 0 "" pp attach web vethA vethB
	after=$(upg_prog_id)
	[ "$after" != "$before" ] || fail "attach with another build kept program $before"
	expect_eq "$(pp_stat web a_to_b packets)" "$packets" "packets kept across the upgrade"
	in_a ping -c 2 -i 0.2 -W 1 10.77.0.2 >/dev/null || fail "ping after the upgrade"
	[ "$(pp_stat web a_to_b packets)" -gt "$packets" ] || fail "counters stopped after the upgrade"
	# The pinned program is the new one, and the hash is ours again.
	expect_eq "$(bpftool -j prog show pinned "$(pin_dir)/prog" |
		$PY -c 'import json, sys; print(json.load(sys.stdin)["id"])')" "$after" "pinned program"
	expect_cmd 0 "" pp attach web vethA vethB
	expect_eq "$(upg_prog_id)" "$after" "program after attaching again once upgraded"
}
