# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The command line and the lifecycle of pairs: every refusal has its exact
# exit code and one-line message and changes nothing, and attach, detach
# and reset leave no pin, map entry, link, filter or qdisc behind.
#
# Helpers here are prefixed cli_; the fixture, the snapshots, pp,
# in_a/in_b/in_h and the assertions come from lib.sh and assert.sh.

# The fixture of these tests: silent (no IPv6, static neighbours), since
# a snapshot holds the counters and must not see them move, and settled.
cli_up() {	# tag
	fixture "$1" --no-ipv6 --static-neigh --settle
}

# The fixture, and a plain directory (not bpffs) CLI_PLAIN in its
# temporary one.
cli_up_plain() {	# tag
	cli_up "$1"
	CLI_PLAIN="$FX_TMP/plain"
	mkdir "$CLI_PLAIN" || fail "mkdir $CLI_PLAIN"
}

cli_ns_add() {	# name
	netns_add "$1" || fail "ip netns add $1"
}

# A further host-side veth in NS_H whose peer lives in another netns:
# cli_veth DEV PEER_NS PEER_NAME [PEER_IP/LEN]
cli_veth() {
	veth_add "$@" || fail "cannot make veth $1"
	fixture_settle "$NS_H" || fail "veths in $NS_H have no carrier"
}

# The netns cookie pairpath names its directory after, read from inside.
cli_cookie() {	# netns
	ip netns exec "$1" "$PPTOOL" netns-cookie
}

# Compare a snapshot taken earlier with now, and show what changed.
cli_expect_same() {	# before what [snapshot command...]
	local before=$1 what=$2 now

	shift 2
	[ $# -gt 0 ] || set -- pin_snapshot
	now=$("$@") || fail "$what: cannot take a snapshot"
	[ "$now" = "$before" ] && return 0
	diff -u <(echo "$before") <(echo "$now") | sed 's/^/    /' >&2
	fail "$what: the system changed"
}

# expect_cmd, and the system must be as it was before.
cli_refuse() {	# rc "stderr" cmd...
	local before

	before=$(pin_snapshot) || fail "cannot take a snapshot"
	expect_cmd "$@"
	shift 2
	cli_expect_same "$before" "'$*'"
}

cli_ok() {	# cmd...
	"$@" || fail "'$*' exited $?"
}

# --- attach refusals ---------------------------------------------------------

test_cli_attach_bad_device() {
	cli_up cad
	# A bridge, not a dummy: not every kernel has the dummy driver (the
	# one these tests were written on does not), every one has bridges.
	ip -n "$NS_H" link add br0 type bridge || fail "cannot make a bridge"
	# With a pair in place, so that a refusal is seen not to touch it.
	cli_ok pp attach web vethA vethB

	cli_refuse 1 "pairpath: device 'nosuch' does not exist" \
		pp attach p nosuch vethB
	cli_refuse 1 "pairpath: device 'nosuch' does not exist" \
		pp attach p vethB nosuch
	cli_refuse 1 "pairpath: device 'lo' is not a veth (it has no link kind)" \
		pp attach p lo vethB
	cli_refuse 1 "pairpath: device 'br0' is not a veth (it is a bridge)" \
		pp attach p br0 vethB
	# Known from the words alone: a usage error, before any netlink.
	cli_refuse 2 "pairpath: attach: DEV_A and DEV_B are the same device 'vethA'" \
		pp attach p vethA vethA
	cli_refuse 2 "pairpath: device name 'a/b' is invalid" \
		pp attach p a/b vethB
	cli_refuse 2 "pairpath: device name 'abcdefghijklmnop...' is invalid: longer than 15 characters" \
		pp attach p abcdefghijklmnop vethB
	cli_refuse 2 "pairpath: device name is empty" pp attach p "" vethB
}

# A device of a pair may not join another, on either side and in either
# place of the new pair.
test_cli_attach_device_taken() {
	cli_up cat
	cli_veth vethC "$NS_A" eth1
	cli_ok pp attach web vethA vethB

	cli_refuse 1 "pairpath: device 'vethA' already belongs to pair 'web'" \
		pp attach db vethC vethA
	cli_refuse 1 "pairpath: device 'vethB' already belongs to pair 'web'" \
		pp attach db vethB vethC
	# The same devices under another name are still taken.
	cli_refuse 1 "pairpath: device 'vethA' already belongs to pair 'web'" \
		pp attach db vethA vethB
}

# skb_do_redirect() drops a peer redirect that stays in its netns, so a
# veth with both ends in the host netns is refused rather than black-holed.
test_cli_attach_peer_same_netns() {
	cli_up cap
	ip -n "$NS_H" link add vx0 type veth peer name vx1 || fail "veth vx0"
	ip -n "$NS_H" link set vx0 up
	ip -n "$NS_H" link set vx1 up
	fixture_settle "$NS_H" || fail "veths in $NS_H have no carrier"

	cli_refuse 1 "pairpath: device 'vx0' has its veth peer in the same network namespace; bpf_redirect_peer needs it in another" \
		pp attach p vx0 vethB
	cli_refuse 1 "pairpath: device 'vx1' has its veth peer in the same network namespace; bpf_redirect_peer needs it in another" \
		pp attach p vethA vx1
	[ ! -e "$PIN_ROOT" ] || fail "a refused attach made $PIN_ROOT"
}

test_cli_attach_bad_name() {
	local n63 n64

	cli_up can
	n63=$(printf 'n%.0s' $(seq 63))
	n64=${n63}n

	cli_refuse 2 "pairpath: pair name is empty" pp attach "" vethA vethB
	cli_refuse 2 "pairpath: pair name 'nnnnnnnnnnnnnnnnnnnn...' is invalid: longer than 63 characters" \
		pp attach "$n64" vethA vethB
	cli_refuse 2 "pairpath: pair name 'a b' is invalid: only A-Z a-z 0-9 _ . - are allowed" \
		pp attach "a b" vethA vethB
	cli_refuse 2 "pairpath: pair name 'a/b' is invalid: only A-Z a-z 0-9 _ . - are allowed" \
		pp attach a/b vethA vethB
	cli_refuse 2 "pairpath: pair name 'ä' is invalid: only A-Z a-z 0-9 _ . - are allowed" \
		pp attach ä vethA vethB
	# Pair names become pin file names.
	cli_refuse 2 "pairpath: pair name '..' is invalid" pp attach .. vethA vethB
	cli_refuse 2 "pairpath: pair name '.' is invalid" pp attach . vethA vethB
	cli_refuse 2 "pairpath: pair name 'a b' is invalid: only A-Z a-z 0-9 _ . - are allowed" \
		pp detach "a b"
	[ ! -e "$PIN_ROOT" ] || fail "a refused attach made $PIN_ROOT"

	# 63 characters, of every allowed class but '.', is a name.
	n63="Az09_-${n63:6}"
	expect_cmd 0 "" pp attach "$n63" vethA vethB
	expect_eq "$(pair_names)" "$n63" "pairs after attaching a 63-character name"
	[ -e "$(pin_dir)/link-$n63-a" ] || fail "no link pin for the 63-character name"
	expect_cmd 0 "" pp detach "$n63"
}

# '.' is allowed in a pair name, so a pair so named must attach in either
# mode. bpffs refuses names with a dot (reserved, bpf_lookup() -EPERM), so
# the tcx link pins cannot simply be named after the pair.
test_cli_attach_dotted_name() {
	cli_up cdn
	cli_veth vethC "$NS_A" eth1
	cli_veth vethD "$NS_B" eth1
	expect_cmd 0 "" pp attach web.1 vethC vethD --mode tc
	expect_cmd 0 "" pp attach web.2 vethA vethB --mode tcx
	expect_eq "$(pair_names)" "web.1 web.2" "pairs"
	expect_eq "$(pair_field web.2 state)" up "state of web.2"
	in_a ping -c 1 -W 1 10.77.0.2 >/dev/null || fail "ping A -> B through web.2"
	expect_cmd 0 "" pp detach --all
}

test_cli_attach_name_taken() {
	local before

	cli_up cnt
	cli_veth vethC "$NS_A" eth1
	cli_veth vethD "$NS_B" eth1
	cli_ok pp attach web vethA vethB

	cli_refuse 1 "pairpath: pair 'web' already exists with devices 'vethA' and 'vethB'" \
		pp attach web vethC vethD
	cli_refuse 1 "pairpath: pair 'web' already exists with devices 'vethA' and 'vethB'" \
		pp attach web vethB vethA
	cli_refuse 1 "pairpath: pair 'web' already exists with devices 'vethA' and 'vethB'" \
		pp attach web vethA vethD

	# Again with the same devices: nothing happens, so attach can be
	# repeated by a script. A second later, to see attached_at kept.
	sleep 1.1
	before=$(pin_snapshot) || fail "cannot take a snapshot"
	expect_cmd 0 "" pp attach web vethA vethB
	cli_expect_same "$before" "attach of the same pair again"
	expect_eq "$(pair_field web id)" 1 "id of the pair"
}

# --- the command line --------------------------------------------------------

test_cli_usage() {
	cli_up cus
	cli_ok pp attach web vethA vethB

	cli_refuse 2 "pairpath: no command given (try 'pairpath --help')" pp
	cli_refuse 2 "pairpath: unknown command 'frob'" pp frob
	cli_refuse 2 "pairpath: command 's' is ambiguous" pp s
	cli_refuse 2 "pairpath: unknown option '--frob'" pp --frob status
	cli_refuse 2 "pairpath: unknown option '--frob'" pp status --frob
	cli_refuse 2 "pairpath: unknown option '-x'" pp status -x
	cli_refuse 2 "pairpath: status: option '--mode' does not apply" pp status --mode tc
	# Before the command, an option is checked once the command is known.
	cli_refuse 2 "pairpath: status: option '--mode' does not apply" pp --mode tc status
	cli_refuse 2 "pairpath: detach: option '--json' does not apply" pp detach web --json
	cli_refuse 2 "pairpath: attach: option '--all' does not apply" pp attach --all
	cli_refuse 2 "pairpath: option '--mode' needs a value (auto|tcx|tc)" \
		pp attach p vethA vethB --mode
	cli_refuse 2 "pairpath: mode 'fast' is invalid: expected auto, tcx or tc" \
		pp attach p vethA vethB --mode fast
	cli_refuse 2 "pairpath: option '--json' takes no value" pp status --json=yes
	cli_refuse 2 "pairpath: attach: expects PAIR DEV_A DEV_B" pp attach
	cli_refuse 2 "pairpath: attach: expects PAIR DEV_A DEV_B" pp attach p vethA
	cli_refuse 2 "pairpath: attach: unexpected argument 'x'" pp attach p vethA vethB x
	cli_refuse 2 "pairpath: status: expects no arguments" pp status web
	cli_refuse 2 "pairpath: stats: expects no arguments" pp stats web
	cli_refuse 2 "pairpath: reset: expects no arguments" pp reset web
	cli_refuse 2 "pairpath: gc: expects no arguments" pp gc web
	cli_refuse 2 "pairpath: upgrade: expects PAIR or --all, not both" pp upgrade
	cli_refuse 2 "pairpath: detach: unexpected argument 'x'" pp detach web y z x
	cli_refuse 2 "pairpath: detach: expects PAIR | --all" pp detach web db
	cli_refuse 2 "pairpath: format 'xml' is invalid: expected table, json" \
		pp status --format xml
	cli_refuse 2 "pairpath: format 'xml' is invalid: expected table, json or prometheus" \
		pp stats --format xml
	cli_refuse 2 "pairpath: format 'prometheus' is invalid: expected table, json" \
		pp status --format prometheus

	# Global options, outside pp so that they are the only ones.
	cli_refuse 1 "pairpath: netns '${FX_ID}-none' does not exist" \
		"$PAIRPATH" -n "${FX_ID}-none" --pin-root "$PIN_ROOT" status
	cli_refuse 2 "pairpath: netns name 'a/b' is invalid" \
		"$PAIRPATH" -n a/b --pin-root "$PIN_ROOT" status
	cli_refuse 2 "pairpath: pin root 'relative/path' is invalid: it must be an absolute path" \
		"$PAIRPATH" -n "$NS_H" --pin-root relative/path status
	cli_refuse 2 "pairpath: pin root 'relative/path' is invalid: it must be an absolute path" \
		"$PAIRPATH" -n "$NS_H" --pin-root relative/path attach p vethA vethB
	[ ! -e relative ] || fail "a refused --pin-root made ./relative"
}

test_cli_detach_usage() {
	cli_up cdu
	# Nothing pinned yet: the pin root does not even exist.
	cli_refuse 1 "pairpath: pair 'web' does not exist" pp detach web
	[ ! -e "$PIN_ROOT" ] || fail "detach made $PIN_ROOT"
	cli_refuse 0 "" pp detach --all
	[ ! -e "$PIN_ROOT" ] || fail "detach --all made $PIN_ROOT"

	cli_ok pp attach web vethA vethB
	cli_refuse 1 "pairpath: pair 'db' does not exist" pp detach db
	# One message for both mistakes: it names the two ways to say which.
	cli_refuse 2 "pairpath: detach: expects PAIR or --all, not both" pp detach
	cli_refuse 2 "pairpath: detach: expects PAIR or --all, not both" pp detach web --all
	cli_refuse 2 "pairpath: detach: expects PAIR or --all, not both" pp detach --all web
}

# The pin root must be on bpffs; a plain directory is refused and left as
# it was, and one that does not exist yet is not made.
test_cli_pin_root_not_bpffs() {
	cli_up_plain cpr
	expect_cmd 1 "pairpath: pin root '$CLI_PLAIN' is not on a bpf filesystem" \
		"$PAIRPATH" -n "$NS_H" --pin-root "$CLI_PLAIN" attach p vethA vethB
	expect_eq "$(ls -A "$CLI_PLAIN")" "" "contents of the plain pin root after attach"
	expect_eq "$(in_h tc qdisc show | grep -c clsact)" 0 "clsact qdiscs"
	expect_eq "$(tcx_progs vethA)" none "tcx programs on vethA"
}

# A pin root that does not exist yet, in a directory not on bpffs.
test_cli_pin_root_not_bpffs_new() {
	cli_up_plain cpn
	expect_cmd 1 "pairpath: pin root '$CLI_PLAIN/pp' is not on a bpf filesystem (its parent '$CLI_PLAIN' is not bpffs)" \
		"$PAIRPATH" -n "$NS_H" --pin-root "$CLI_PLAIN/pp" attach p vethA vethB
	expect_eq "$(ls -A "$CLI_PLAIN")" "" "contents of the plain directory after attach under it"
}

# reset removes the pin root: never a directory that is no pin root.
test_cli_pin_root_not_bpffs_reset() {
	cli_up_plain cpz
	expect_cmd 1 "pairpath: pin root '$CLI_PLAIN' is not on a bpf filesystem" \
		"$PAIRPATH" -n "$NS_H" --pin-root "$CLI_PLAIN" reset
	[ -d "$CLI_PLAIN" ] || fail "reset removed the plain directory $CLI_PLAIN"
}

# --- failure half way --------------------------------------------------------

# A refused first attach makes no pin root at all.
test_cli_attach_fail_makes_nothing() {
	local before

	cli_up cfn
	ip -n "$NS_H" link add br0 type bridge || fail "cannot make a bridge"
	before=$(pin_snapshot) || fail "cannot take a snapshot"
	expect_cmd 1 "pairpath: device 'br0' is not a veth (it is a bridge)" \
		pp attach p vethA br0
	[ ! -e "$PIN_ROOT" ] || fail "a failed first attach made $PIN_ROOT"
	expect_cmd 1 "pairpath: device 'nosuch' does not exist" pp attach p nosuch vethB
	[ ! -e "$PIN_ROOT" ] || fail "a failed first attach made $PIN_ROOT"
	expect_cmd 1 "pairpath: pair 'p' does not exist" pp detach p
	cli_expect_same "$before" "failed first attach"
}

# The second device's hook fails after the first one's link, both port
# entries and the first link pin exist: all of them must go again. A
# directory where the second link's pin goes makes bpf_obj_pin() fail.
test_cli_attach_fail_midway() {
	local before err rc dir

	cli_up cfm
	cli_veth vethC "$NS_A" eth1
	cli_veth vethD "$NS_B" eth1
	cli_ok pp attach web vethA vethB
	dir=$(pin_dir) || exit 1
	mkdir "$dir/link-db-b" || fail "mkdir $dir/link-db-b"
	# A failed attach does not give its pair id back (ids are handed out
	# in turn, never soon reused): meta's last_pair_id may move.
	before=$(pin_snapshot "$PIN_ROOT" meta) || fail "cannot take a snapshot"

	err=$(pp attach db vethC vethD --mode tcx 2>&1 >/dev/null)
	rc=$?
	cli_expect_same "$before" "attach failing on the second device" pin_snapshot "$PIN_ROOT" meta
	expect_eq "$(pp_port_count "$dir")" 2 "port entries (web's two)"
	expect_eq "$(tcx_progs vethC)" none "tcx programs on vethC"
	expect_eq "$rc" 1 "exit code of the failed attach"
	expect_eq "$err" "pairpath: device 'vethD': cannot pin its tcx link at $dir/link-db-b: File exists" \
		"stderr of the failed attach"

	# The pair that was there still works.
	in_a ping -c 1 -W 1 10.77.0.2 >/dev/null || fail "ping A -> B through web"
}

# The same on a first attach: the program and maps it loaded and pinned
# must not stay when the attach fails. The netns directory is made
# beforehand here (it is where the blocking directory has to go); an
# attach that fails must still take back what it added to it.
test_cli_attach_fail_midway_first() {
	local before err rc dir

	cli_up cff
	dir="$PIN_ROOT/netns-$(cli_cookie "$NS_H")"
	mkdir -p "$dir/link-web-b" || fail "mkdir $dir/link-web-b"
	before=$(pin_snapshot) || fail "cannot take a snapshot"

	err=$(pp attach web vethA vethB --mode tcx 2>&1 >/dev/null)
	rc=$?
	cli_expect_same "$before" "first attach failing on the second device"
	expect_eq "$rc" 1 "exit code of the failed attach"
	expect_eq "$err" "pairpath: device 'vethB': cannot pin its tcx link at $dir/link-web-b: File exists" \
		"stderr of the failed attach"
}

# --- detach ------------------------------------------------------------------

test_cli_detach_tcx_clean() {
	local before dir f

	cli_up cdx
	before=$(net_snapshot) || fail "cannot take a snapshot"
	cli_ok pp attach web vethA vethB --mode tcx
	dir=$(pin_dir) || exit 1
	[[ $(tcx_progs vethA) =~ ^[0-9]+$ ]] || fail "not one tcx program on vethA after attach"
	expect_eq "$(pp_port_count "$dir")" 2 "port entries after attach"

	expect_cmd 0 "" pp detach web
	for f in "$dir"/link-*; do
		[ ! -e "$f" ] || fail "link pin $f left after detach"
	done
	expect_eq "$(pp_port_count "$dir")" 0 "port entries after detach"
	expect_eq "$(map_len "$dir/pairs")" 0 "pair entries after detach"
	expect_eq "$(tcx_progs vethA)" none "tcx programs on vethA"
	expect_eq "$(tcx_progs vethB)" none "tcx programs on vethB"
	# Readers such as a metrics exporter keep their handles.
	for f in prog ports pairs; do
		[ -e "$dir/$f" ] || fail "$f no longer pinned after detach"
	done
	expect_eq "$(pp status --json)" "{\"pin_dir\":\"$dir\",\"pairs\":[]}" "status after detach"
	cli_expect_same "$before" "attach and detach in tcx mode" net_snapshot
	in_a ping -c 1 -W 1 10.77.0.2 >/dev/null && fail "ping A -> B works after detach"
	return 0
}

test_cli_detach_tc_clean() {
	local before dev

	cli_up cdt
	before=$(net_snapshot) || fail "cannot take a snapshot"
	cli_ok pp attach web vethA vethB --mode tc
	expect_eq "$(pair_field web mode)" tc "mode"
	for dev in vethA vethB; do
		in_h tc filter show dev $dev ingress | grep -q pairpath_ingres ||
			fail "no cls_bpf filter on $dev after attach"
	done

	expect_cmd 0 "" pp detach web
	for dev in vethA vethB; do
		expect_eq "$(in_h tc filter show dev $dev ingress)" "" "ingress filters on $dev"
	done
	expect_eq "$(pp_port_count "$(pin_dir)")" 0 "port entries after detach"
	# The clsact qdiscs pairpath made are gone with the filters.
	cli_expect_same "$before" "attach and detach in tc mode" net_snapshot

	# A clsact that was there before is someone else's: it stays.
	in_h tc qdisc add dev vethA clsact || fail "tc qdisc add clsact"
	before=$(net_snapshot) || fail "cannot take a snapshot"
	cli_ok pp attach web vethA vethB --mode tc
	expect_cmd 0 "" pp detach web
	cli_expect_same "$before" "attach and detach on a device with its own clsact" net_snapshot
}

test_cli_detach_all() {
	local before dir

	cli_up cda
	cli_ns_add "${FX_ID}-c"
	cli_ns_add "${FX_ID}-d"
	cli_veth vethC "${FX_ID}-c" eth0
	cli_veth vethD "${FX_ID}-d" eth0
	cli_veth vethE "$NS_A" eth1
	cli_veth vethF "$NS_B" eth1
	before=$(net_snapshot) || fail "cannot take a snapshot"

	cli_ok pp attach web vethA vethB --mode tcx
	cli_ok pp attach db vethC vethD --mode tc
	cli_ok pp attach cache vethE vethF
	expect_eq "$(pair_names)" "cache db web" "pairs after three attaches"
	dir=$(pin_dir) || exit 1

	expect_cmd 0 "" pp detach --all
	expect_eq "$(pair_names)" "" "pairs after detach --all"
	expect_eq "$(cd "$dir" && ls -A | grep '^link-')" "" "link pins after detach --all"
	expect_eq "$(pp_port_count "$dir")" 0 "port entries after detach --all"
	expect_eq "$(map_len "$dir/pairs")" 0 "pair entries after detach --all"
	cli_expect_same "$before" "detach --all" net_snapshot
	# Nothing left to detach is not an error.
	expect_cmd 0 "" pp detach --all
}

# Another process holding the link must not keep the program running:
# detach detaches the link itself rather than only unpinning it.
test_cli_detach_held_link() {
	local dir pid fd

	cli_up cdh
	cli_ok pp attach web vethA vethB --mode tcx
	in_a ping -c 1 -W 1 10.77.0.2 >/dev/null || fail "ping A -> B after attach"
	dir=$(pin_dir) || exit 1

	# pptool opens the pin (BPF_OBJ_GET), prints the fd and holds it.
	bg_start "$PPTOOL" hold "$dir/link-web-a" 120 >"$FX_TMP/holder"
	pid=$BG_PID
	bg_until 5 "$pid" test -s "$FX_TMP/holder"
	fd=$(cat "$FX_TMP/holder")
	[ -n "$fd" ] || fail "the holder did not get the link"
	grep -q '^link_id:' "/proc/$pid/fdinfo/$fd" || fail "fd $fd of the holder is not a link"

	expect_cmd 0 "" pp detach web
	[ ! -e "$dir/link-web-a" ] || fail "link pin left after detach"
	expect_eq "$(tcx_progs vethA)" none "tcx programs on vethA with the link held"
	expect_eq "$(tcx_progs vethB)" none "tcx programs on vethB"
	in_a ping -c 1 -W 1 10.77.0.2 >/dev/null && fail "ping A -> B works after detach"
	# Still held: the detach did not depend on the holder going away.
	bg_alive "$pid" || fail "the holder exited before the checks"
	grep -q '^link_id:' "/proc/$pid/fdinfo/$fd" || fail "the holder no longer holds the link"
	bg_stop "$pid"
	return 0
}

# --- reset -------------------------------------------------------------------

test_cli_reset() {
	local before

	cli_up crs
	cli_veth vethC "$NS_A" eth1
	cli_veth vethD "$NS_B" eth1
	# Nothing there at all.
	cli_refuse 0 "" pp reset
	before=$(pin_snapshot) || fail "cannot take a snapshot"

	cli_ok pp attach web vethA vethB --mode tcx
	cli_ok pp attach db vethC vethD --mode tc
	expect_cmd 0 "" pp reset
	[ ! -e "$PIN_ROOT" ] || fail "pin root left after reset: $(find "$PIN_ROOT")"
	cli_expect_same "$before" "attach of two pairs and reset"
	expect_cmd 0 "" pp reset

	# Detached pairs leave their program and maps pinned: reset takes them.
	cli_ok pp attach web vethA vethB
	cli_ok pp detach web
	expect_cmd 0 "" pp reset
	cli_expect_same "$before" "attach, detach and reset"
}

# A second host netns like the fixture's, with its own vethA and vethB.
cli_host2() {
	NS_H2="${FX_ID}-h2"
	cli_ns_add "$NS_H2"
	cli_ns_add "${FX_ID}-a2"
	cli_ns_add "${FX_ID}-b2"
	ip -n "$NS_H2" link add vethA type veth peer name eth0 netns "${FX_ID}-a2" &&
		ip -n "$NS_H2" link add vethB type veth peer name eth0 netns "${FX_ID}-b2" ||
		fail "veths of the second host netns"
	ip -n "$NS_H2" link set vethA up
	ip -n "$NS_H2" link set vethB up
	ip -n "${FX_ID}-a2" link set eth0 up
	ip -n "${FX_ID}-b2" link set eth0 up
	fixture_settle "$NS_H2" || fail "veths in $NS_H2 have no carrier"
}

pp2() {
	"$PAIRPATH" -n "$NS_H2" --pin-root "$PIN_ROOT" "$@"
}

# Two host namespaces under one pin root: the same ifindex numbers in
# each, kept apart by their netns-<cookie> directories.
test_cli_reset_two_netns() {
	local before before2 j1 j2

	cli_up crt
	cli_host2
	before=$(net_snapshot) || fail "cannot take a snapshot"
	before2=$(net_snapshot "$NS_H2") || fail "cannot take a snapshot"

	cli_ok pp attach one vethA vethB
	cli_ok pp2 attach two vethA vethB
	expect_eq "$(pair_names)" "one" "pairs in the first netns"
	expect_eq "$(pair_names pp2)" \
		"two" "pairs in the second netns"
	j1=$(pp status --json | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d["pin_dir"], d["pairs"][0]["dev_a"]["ifindex"])')
	j2=$(pp2 status --json | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d["pin_dir"], d["pairs"][0]["dev_a"]["ifindex"])')
	expect_eq "${j1% *}" "$PIN_ROOT/netns-$(cli_cookie "$NS_H")" "pin dir of the first netns"
	expect_eq "${j2% *}" "$PIN_ROOT/netns-$(cli_cookie "$NS_H2")" "pin dir of the second netns"
	expect_eq "${j1#* }" "${j2#* }" "ifindex of vethA in both namespaces"
	expect_eq "$(pp status | tail -n +2 | awk '{print $1}')" "one" "status table in the first netns"

	# Detaching one leaves the other alone.
	expect_cmd 1 "pairpath: pair 'two' does not exist" pp detach two

	expect_cmd 0 "" pp reset
	[ ! -e "$PIN_ROOT" ] || fail "pin root left after reset: $(find "$PIN_ROOT")"
	expect_eq "$(pair_names)" "" "pairs in the first netns after reset"
	expect_eq "$(pp2 status --json)" '{"pin_dir":"","pairs":[]}' "status of the second netns after reset"
	cli_expect_same "$before" "reset, first netns" net_snapshot
	cli_expect_same "$before2" "reset, second netns" net_snapshot "$NS_H2"
	expect_eq "$(ip netns exec "$NS_H2" "$PPTOOL" tcx-count vethA ingress)" 0 \
		"tcx programs on the second vethA"
}

# The same with a legacy tc pair in the other netns: its filters can only
# be reached from inside that netns. reset from the first netns must not
# unpin a pair whose filters keep running; it says so and fails instead.
test_cli_reset_other_netns_tc() {
	local err rc

	cli_up cro
	cli_host2
	cli_ok pp attach one vethA vethB
	cli_ok pp2 attach two vethA vethB --mode tc

	err=$(pp reset 2>&1 >/dev/null)
	rc=$?
	# Whatever reset did, no filter may run with no pin to find it by.
	if ip netns exec "$NS_H2" tc filter show dev vethA ingress | grep -q pairpath_ingres; then
		expect_eq "$(pair_names pp2)" \
			"two" "after 'reset' (exit $rc, stderr '$err') the cls_bpf filter of 'two' still runs in $NS_H2; pairs there"
		expect_eq "$rc" 1 "exit code of reset that could not detach 'two'"
		[[ $err == "pairpath: "* && $err != *$'\n'* ]] ||
			fail "reset: stderr is not one 'pairpath: ' line: '$err'"
	fi
	# From inside its own netns, reset clears the rest.
	expect_cmd 0 "" pp2 reset
	expect_eq "$(ip netns exec "$NS_H2" tc filter show dev vethA ingress)" "" "filters on the second vethA"
	[ ! -e "$PIN_ROOT" ] || fail "pin root left after both resets: $(find "$PIN_ROOT")"
}

# --- status ------------------------------------------------------------------

# A tcx pair and a tc pair in one netns, each carrying its own traffic.
test_cli_two_modes() {
	local json

	cli_up ctm
	cli_veth vethC "$NS_A" eth1 10.78.0.1/24
	cli_veth vethD "$NS_B" eth1 10.78.0.2/24
	cli_ok pp attach fast vethA vethB --mode tcx
	cli_ok pp attach slow vethC vethD --mode tc

	json=$(pp status --json)
	expect_eq "$(echo "$json" | $PY -c '
import json, sys
for p in json.load(sys.stdin)["pairs"]:
    print(p["name"], p["id"], p["mode"], p["state"], p["program"], p["dev_a"]["ifname"],
          p["dev_b"]["ifname"], "link_pin" in p["dev_a"], "tc_handle" in p["dev_a"])')" \
		"fast 1 tcx up current vethA vethB True False
slow 2 tc up current vethC vethD False True" "status --json"
	expect_eq "$(pp status --format json)" "$json" "status --format json"
	expect_eq "$(pp status --format=json)" "$json" "status --format=json"
	expect_eq "$(pp --json status)" "$json" "--json before the command"
	expect_eq "$(pp status | awk '{print $1, $2, $3, $4, $5, $6}')" \
		"PAIR DEV_A DEV_B MODE STATE PROGRAM
fast vethA vethB tcx up current
slow vethC vethD tc up current" "status table"
	expect_eq "$(pp status --format table)" "$(pp status)" "status --format table"

	in_a ping -c 1 -W 1 10.77.0.2 >/dev/null || fail "ping over the tcx pair"
	in_a ping -c 1 -W 1 10.78.0.2 >/dev/null || fail "ping over the tc pair"
	expect_cmd 0 "" pp detach fast
	expect_eq "$(pp status | awk 'NR > 1 {print $1, $4, $5}')" "slow tc up" "status after detaching fast"
	in_a ping -c 1 -W 1 10.78.0.2 >/dev/null || fail "ping over the tc pair after detaching fast"
}

# Attaching by altname: the kernel resolves it, but status must still
# recognise the device (if_indextoname() gives the primary name).
test_cli_attach_altname() {
	cli_up cal
	ip -n "$NS_H" link property add dev vethA altname web-a || fail "altname"
	ip -n "$NS_H" link property add dev vethB altname web-b || fail "altname"

	cli_refuse 1 "pairpath: attach: 'vethA' and 'web-a' are the same device" \
		pp attach p vethA web-a
	cli_ok pp attach web web-a web-b
	in_a ping -c 1 -W 1 10.77.0.2 >/dev/null || fail "ping A -> B through web"
	expect_eq "$(pair_field web state)" up "state of a pair attached by altnames"
	# gc removes broken pairs: this one works and must stay.
	expect_cmd 0 "" pp gc
	expect_eq "$(pair_names)" web "pairs after gc"
	cli_refuse 1 "pairpath: device 'vethA' already belongs to pair 'web'" \
		pp attach other vethA vethB
}

# --- valgrind ----------------------------------------------------------------

# libbpf 1.1 zeroes only the part of union bpf_attr a command uses, and
# valgrind 3.19 checks fields beyond it (and a NULL key, meaning "first
# key", of BPF_MAP_GET_NEXT_KEY). The kernel reads no more than the size
# it is given: these are false positives inside libbpf, and only they are
# suppressed.
cli_valgrind_supp() {
	cat >"$FX_TMP/libbpf.supp" <<'EOF'
{
   libbpf-feature-probe-prog-load-partial-attr
   Memcheck:Param
   bpf(attr->expected_attach_type)
   fun:syscall
   obj:*/libbpf.so*
}
{
   libbpf-feature-probe-prog-load-partial-attr
   Memcheck:Param
   bpf(attr->prog_ifindex)
   fun:syscall
   obj:*/libbpf.so*
}
{
   libbpf-get-next-key-partial-attr
   Memcheck:Param
   bpf(attr->flags)
   fun:syscall
   fun:bpf_map_get_next_key
}
{
   libbpf-get-next-key-null-first-key
   Memcheck:Param
   bpf(attr->key)
   fun:syscall
   fun:bpf_map_get_next_key
}
EOF
}

cli_valgrind() {	# rc cmd-args...
	local want=$1 log="$FX_TMP/vg.log" err rc
	shift

	err=$(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=42 --suppressions="$FX_TMP/libbpf.supp" \
		--log-file="$log" "$PAIRPATH" -n "$NS_H" --pin-root "$PIN_ROOT" "$@" \
		2>&1 >/dev/null)
	rc=$?
	if [ "$rc" != "$want" ] || grep -qE 'definitely lost: [1-9]|indirectly lost: [1-9]' "$log"; then
		cat "$log" >&2
		fail "valgrind pairpath $*: exit $rc, expected $want (stderr: $err)"
	fi
	echo "valgrind pairpath $*: $(grep -E 'ERROR SUMMARY|in use at exit' "$log" | sed 's/^==[0-9]*== //' | tr '\n' ' ')"
}

test_cli_valgrind() {
	local PAIRPATH=$PP_TOP/.output/pairpath

	command -v valgrind >/dev/null || { echo "SKIP: no valgrind"; exit 77; }
	[ -x "$PAIRPATH" ] || fail "no release build at $PAIRPATH"
	cli_up cvg
	cli_veth vethC "$NS_A" eth1
	cli_veth vethD "$NS_B" eth1
	cli_valgrind_supp

	cli_valgrind 0 attach web vethA vethB
	cli_valgrind 0 attach db vethC vethD --mode tc
	cli_valgrind 0 status
	cli_valgrind 0 status --json
	cli_valgrind 0 stats --json
	cli_valgrind 0 stats
	# Error paths free what they allocated too.
	cli_valgrind 1 attach web vethC vethD
	cli_valgrind 1 attach p lo vethA
	cli_valgrind 2 attach p vethA
	cli_valgrind 0 detach web
	cli_valgrind 0 detach --all
	cli_valgrind 0 reset
}

# --- help --------------------------------------------------------------------

test_cli_help() {
	local out err word

	out=$("$PAIRPATH" --help 2>/dev/null) || fail "pairpath --help exited $?"
	err=$("$PAIRPATH" --help 2>&1 >/dev/null)
	expect_eq "$err" "" "stderr of --help"
	[[ $out == "Usage: pairpath [OPTIONS] COMMAND [ARGS]"* ]] || fail "--help: '$out'"
	for word in attach detach reset status stats --netns --pin-root --verbose "Exit status"; do
		[[ $out == *"$word"* ]] || fail "--help does not mention $word"
	done
	expect_eq "$("$PAIRPATH" -h)" "$out" "-h"

	out=$("$PAIRPATH" -V 2>/dev/null) || fail "pairpath -V exited $?"
	expect_eq "$("$PAIRPATH" -V 2>&1 >/dev/null)" "" "stderr of -V"
	[[ $out =~ ^pairpath\ [0-9]+\.[0-9]+\.[0-9]+\ \(libbpf\ [^\)]+\)$ ]] || fail "-V: '$out'"
	expect_eq "$("$PAIRPATH" --version)" "$out" "--version"

	out=$("$PAIRPATH" attach --help 2>/dev/null) || fail "pairpath attach --help exited $?"
	[[ $out == "Usage: pairpath [OPTIONS] attach PAIR DEV_A DEV_B"* ]] || fail "attach --help: '$out'"
	[[ $out == *"--mode auto|tcx|tc"* ]] || fail "attach --help does not list --mode: '$out'"
	[[ $out != *"--format"* ]] || fail "attach --help lists --format"
	out=$("$PAIRPATH" status --help 2>/dev/null) || fail "pairpath status --help exited $?"
	[[ $out == *"--format"* && $out != *"--mode"* ]] || fail "status --help: '$out'"
	out=$("$PAIRPATH" detach --help 2>/dev/null) || fail "pairpath detach --help exited $?"
	[[ $out == *"--all"* ]] || fail "detach --help does not list --all: '$out'"
	# Help wins over what else is wrong on the line, as it must for a
	# user who is asking how to write it.
	"$PAIRPATH" attach --help x >/dev/null 2>&1 || fail "attach --help x exited $?"
}

# endpoint and uplink: every usage error is one line, exit 2, before any
# state is looked at (no pin root is made).
test_cli_endpoint_usage() {
	local root=/tmp/pp-cli-ep-$$ P="$PAIRPATH"
	local R="--pin-root $root"
	expect_cmd 2 "pairpath: address '10.0.0.300' is invalid: expected an IPv4 or IPv6 address" \
		$P $R endpoint add c1 veth1 --ip 10.0.0.300
	expect_cmd 2 "pairpath: address '10.0.0.1/24' is invalid: an endpoint has a /32" \
		$P $R endpoint add c1 veth1 --ip 10.0.0.1/24
	expect_cmd 2 "pairpath: address 'fd00::1/64' is invalid: an endpoint has a /128" \
		$P $R endpoint add c1 veth1 --ip fd00::1/64
	expect_cmd 2 "pairpath: address '169.254.1.1' is invalid: not a unicast host address (loopback, link-local, multicast and 0.0.0.0 are not)" \
		$P $R endpoint add c1 veth1 --ip 169.254.1.1
	expect_cmd 2 "pairpath: address '::ffff:10.0.0.1' is invalid: not a unicast host address (::, ::1, link-local, multicast and IPv4-mapped are not)" \
		$P $R endpoint add c1 veth1 --ip ::ffff:10.0.0.1
	expect_cmd 2 "pairpath: address 'fe80::1' is invalid: not a unicast host address (::, ::1, link-local, multicast and IPv4-mapped are not)" \
		$P $R endpoint add c1 veth1 --ip fe80::1
	expect_cmd 2 "pairpath: endpoint: two IPv4 addresses given: an endpoint has one of each family" \
		$P $R endpoint add c1 veth1 --ip 10.0.0.1 --ip 10.0.0.2
	expect_cmd 2 "pairpath: endpoint: --ip given more than twice: one IPv4 and one IPv6 address" \
		$P $R endpoint add c1 veth1 --ip 10.0.0.1 --ip fd00::1 --ip 10.0.0.3
	expect_cmd 2 "pairpath: MAC '02:00:00:00:00' is invalid: expected six hex bytes, as 02:00:00:00:00:01" \
		$P $R endpoint add c1 veth1 --ip 10.0.0.1 --mac 02:00:00:00:00
	expect_cmd 2 "pairpath: MAC '01:00:5e:00:00:01' is invalid: a multicast address" \
		$P $R endpoint add c1 veth1 --ip 10.0.0.1 --mac 01:00:5e:00:00:01
	expect_cmd 2 "pairpath: endpoint add: --ip is missing: an endpoint needs an address" \
		$P $R endpoint add c1 veth1
	expect_cmd 2 "pairpath: endpoint add: expects NAME DEV" $P $R endpoint add c1
	expect_cmd 2 "pairpath: endpoint: 'move' is invalid: expected add, del or list" \
		$P $R endpoint move c1
	expect_cmd 2 "pairpath: endpoint del: --ip, --mac and --fib apply to add only" \
		$P $R endpoint del c1 --ip 10.0.0.1
	expect_cmd 2 "pairpath: endpoint del: --format applies to list only" \
		$P $R endpoint del c1 --json
	expect_cmd 2 "pairpath: endpoint list: expects no arguments" $P $R endpoint list c1
	expect_cmd 2 "pairpath: endpoint name 'a/b' is invalid: only A-Z a-z 0-9 _ . - are allowed" \
		$P $R endpoint del a/b
	expect_cmd 2 "pairpath: uplink add: expects DEV" $P $R uplink add
	expect_cmd 2 "pairpath: uplink: option '--ip' does not apply" $P $R uplink add eth0 --ip 10.0.0.1
	[ -e "$root" ] && fail "a usage error made the pin root $root"
	return 0
}
