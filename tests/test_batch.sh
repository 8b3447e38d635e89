# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# attach --batch and detach --batch: a file of pairs, checked whole before
# anything changes, then one locked run.

# Three more host veths pairs, their peers in a fourth namespace.
batch_up() {	# tag
	local i
	fixture "$1"
	BATCH_NS="${FX_ID}-c"
	netns_add "$BATCH_NS" || fail "netns $BATCH_NS"
	for i in 0 1 2 3 4 5; do
		ip -n "$NS_H" link add "h$i" type veth peer name "c$i" netns "$BATCH_NS" || fail "veth h$i"
	done
	BATCH_FILE="$FX_TMP/pairs"
}

test_batch_attach_detach() {
	batch_up ba
	cat >"$BATCH_FILE" <<-EOT
	# pairs of the batch test
	web vethA vethB

	x1 h0 h1	# trailing comment
	  x2	h2 h3
	EOT
	expect_cmd 0 "" pp attach --batch "$BATCH_FILE"
	expect_eq "$(pair_names)" "web x1 x2" "pairs after attach --batch"
	in_a ping -c 1 -W 1 10.77.0.2 >/dev/null || fail "ping over a pair attached in a batch"
	# The same batch again: every line is a no-op.
	expect_cmd 0 "" pp attach --batch "$BATCH_FILE"
	printf 'x1\nweb\n' | expect_cmd 0 "" pp detach --batch -
	expect_eq "$(pair_names)" "x2" "pairs after detach --batch from stdin"
	expect_eq "$(pp_port_count "$(pin_dir)")" 2 "port entries left"
}

test_batch_bad_lines_change_nothing() {
	batch_up bb
	printf 'ok h0 h1\nbad line\n' >"$BATCH_FILE"
	expect_cmd 2 "pairpath: $BATCH_FILE:2: expects PAIR DEV_A DEV_B" \
		pp attach --batch "$BATCH_FILE"
	printf 'a h0 h1\nb h1 h2\n' >"$BATCH_FILE"
	expect_cmd 2 "pairpath: $BATCH_FILE:2: device 'h1' is on line 1 already" \
		pp attach --batch "$BATCH_FILE"
	printf 'a h0 h1\na h2 h3\n' >"$BATCH_FILE"
	expect_cmd 2 "pairpath: $BATCH_FILE:2: pair 'a' is on line 1 already" \
		pp attach --batch "$BATCH_FILE"
	printf 'a h0 h0\n' >"$BATCH_FILE"
	expect_cmd 2 "pairpath: $BATCH_FILE:1: DEV_A and DEV_B are the same device 'h0'" \
		pp attach --batch "$BATCH_FILE"
	printf 'a/b h0 h1\n' >"$BATCH_FILE"
	expect_cmd 2 "pairpath: $BATCH_FILE:1: pair name 'a/b' is invalid: only A-Z a-z 0-9 _ . - are allowed" \
		pp attach --batch "$BATCH_FILE"
	expect_cmd 2 "pairpath: attach: --batch takes the pairs from its file, not the command line" \
		pp attach --batch "$BATCH_FILE" web vethA vethB
	expect_cmd 1 "pairpath: batch file '$FX_TMP/none': No such file or directory" \
		pp attach --batch "$FX_TMP/none"
	# A device that does not exist, on the second line: nothing attached.
	printf 'a h0 h1\nb h2 nope\n' >"$BATCH_FILE"
	expect_cmd 1 "pairpath: $BATCH_FILE:2: device 'nope' does not exist" \
		pp attach --batch "$BATCH_FILE"
	[ -e "$PIN_ROOT" ] && fail "a refused batch made the pin root"
	return 0
}

test_batch_detach_unknown_changes_nothing() {
	batch_up bd
	printf 'a h0 h1\nb h2 h3\n' >"$BATCH_FILE"
	expect_cmd 0 "" pp attach --mode tc --batch "$BATCH_FILE"
	printf 'a\nzz\n' >"$BATCH_FILE"
	expect_cmd 1 "pairpath: $BATCH_FILE:2: pair 'zz' does not exist" \
		pp detach --batch "$BATCH_FILE"
	expect_eq "$(pair_names)" "a b" "pairs after a refused detach --batch"
	printf 'a\nb\n' >"$BATCH_FILE"
	expect_cmd 0 "" pp detach --batch "$BATCH_FILE"
	expect_eq "$(pair_names)" "" "pairs after detach --batch"
	expect_eq "$(in_h tc filter show dev h0 ingress)" "" "tc filters left on h0"
}

# A line that fails at run time stops the run: the pairs before it stay,
# the failed one leaves nothing, and both messages name the line.
test_batch_stops_at_runtime_failure() {
	batch_up bs
	expect_cmd 0 "" pp attach web vethA vethB
	printf 'a h0 h1\nb h2 vethA\nc h3 h4\n' >"$BATCH_FILE"
	expect_cmd 1 "pairpath: $BATCH_FILE:2: device 'vethA' already belongs to pair 'web'
pairpath: $BATCH_FILE: stopped at line 2; the 1 pairs before it are attached" \
		pp attach --batch "$BATCH_FILE"
	expect_eq "$(pair_names)" "a web" "pairs after the stopped batch"
	expect_eq "$(pp_port_count "$(pin_dir)")" 4 "port entries after the stopped batch"
}
