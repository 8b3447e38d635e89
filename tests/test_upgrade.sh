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

# "name:program" of every pair, from status --json, and the PROGRAM
# column of the table.
upg_programs() {
	pp status --json | $PY -c '
import json, sys
print(" ".join("%s:%s" % (p["name"], p["program"]) for p in json.load(sys.stdin)["pairs"]))'
	pp status | awk 'NR > 1 {printf "%s:%s ", $1, $6} END {print ""}'
}

# A pair attached by another build keeps that build's program once this
# one pins its own: status says so, attach warns once, upgrade moves it.
test_upgrade_older_pairs_shown() {
	local err
	fixture uo --no-ipv6
	veth_add vethC "$NS_A" eth1 && veth_add vethD "$NS_B" eth1 &&
		veth_add vethE "$NS_A" eth2 && veth_add vethF "$NS_B" eth2 || fail "vethC..vethF"
	expect_cmd 0 "" pp attach --mode tcx web vethA vethB
	err=$(pp attach --mode tc db vethC vethD 2>&1 >/dev/null) || fail "attach db: $err"
	expect_eq "$err" "" "attach db by the same build: stderr"
	expect_eq "$(upg_programs)" "db:current web:current
db:current web:current " "programs after attaching with one build"
	upg_forge_hash
	expect_cmd 0 "pairpath: 2 pairs run an older program; \`pairpath upgrade --all\` moves them" \
		pp attach new vethE vethF
	expect_eq "$(upg_programs)" "db:older new:current web:older
db:older new:current web:older " "programs once another build pinned its own"
	# upgrade loads and pins a program of its own each time: web alone runs it.
	expect_cmd 0 "" pp upgrade web
	expect_eq "$(upg_programs)" "db:older new:older web:current
db:older new:older web:current " "programs after 'upgrade web'"
	upg_forge_hash
	# Attaching an attached pair with another build upgrades that pair only.
	expect_cmd 0 "pairpath: 2 pairs run an older program; \`pairpath upgrade --all\` moves them" \
		pp attach web vethA vethB
	expect_cmd 0 "" pp upgrade --all
	expect_eq "$(upg_programs)" "db:current new:current web:current
db:current new:current web:current " "programs after 'upgrade --all'"
	in_a ping -c 1 -W 1 10.77.0.2 >/dev/null || fail "ping over web after the upgrades"
}
