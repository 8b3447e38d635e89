# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The shape of the code: user/ keeps its layers (tests/tools/check_layers.py
# says which rules), the check finds a planted break of each rule, and the
# release binary carries no test hook.

LAYERS="$PP_TOP/tests/tools/check_layers.py"

# A copy of the sources to plant problems in; removed with the test.
layers_copy() {
	LAYERS_TMP=$(mktemp -d /tmp/pairpath-layers.XXXXXX) || fail "mktemp"
	cleanup_add rm -rf "$LAYERS_TMP"
	cp -r "$PP_TOP/user" "$PP_TOP/include" "$PP_TOP/vmlinux" "$PP_TOP/tests" \
		"$PP_TOP/bench" "$LAYERS_TMP/" || fail "copy the sources"
}

test_layers_hold() {
	local out
	out=$($PY "$LAYERS" "$PP_TOP")
	expect_eq "$?" 0 "check_layers.py exit status (output: $out)"
	[[ $out == "layers: "*" files, "*" includes, 0 problems" ]] || fail "check_layers.py: $out"
}

# Each rule, broken once in the copy: the check names the file, the line
# and the rule, and fails.
test_layers_catch_each_break() {
	local out n
	layers_copy
	# An upward include: the port table (state) includes the command line.
	n=$(grep -n '^#include "pairpath.h"' "$LAYERS_TMP/user/state/ports.h" | cut -d: -f1)
	sed -i "${n}a #include \"cmd/cli.h\"" "$LAYERS_TMP/user/state/ports.h"
	# control and observe are one rank: neither includes the other.
	echo '#include "observe/snapshot.h"' >>"$LAYERS_TMP/user/control/pair.h"
	# A header named without its folder.
	sed -i 's#"state/store.h"#"store.h"#' "$LAYERS_TMP/user/state/journal.h"
	# The exporter writing a map, a format reading one.
	echo 'static int w(void) { return bpf_map_update_elem(0, 0, 0, 0); }' \
		>>"$LAYERS_TMP/user/observe/serve.c"
	echo 'static int r(void) { return bpf_map_lookup_elem(0, 0, 0); }' \
		>>"$LAYERS_TMP/user/observe/format_stats.c"
	# A file over 500 lines.
	n=$(wc -l <"$LAYERS_TMP/user/kernel/tc.c")
	seq 501 | sed 's#.*#/* & */#' >>"$LAYERS_TMP/user/kernel/tc.c"
	out=$($PY "$LAYERS" "$LAYERS_TMP")
	expect_eq "$?" 1 "check_layers.py exit status on the planted breaks"
	echo "$out"
	grep -qxF "user/state/ports.h:$(($(grep -n 'cmd/cli.h' "$LAYERS_TMP/user/state/ports.h" | cut -d: -f1))): includes \"cmd/cli.h\" of the layer cmd, above its own layer state" <<<"$out" ||
		fail "the upward include was not found"
	grep -q '^user/control/pair.h:[0-9]*: includes "observe/snapshot.h" of the layer observe, beside its own layer control$' <<<"$out" ||
		fail "the include across control and observe was not found"
	grep -q '^user/state/journal.h:[0-9]*: includes "store.h", which is no header of the tree' <<<"$out" ||
		fail "the header without its folder was not found"
	grep -q '^user/observe/serve.c:[0-9]*: observation uses bpf_map_update_elem: it never changes the pinned state$' <<<"$out" ||
		fail "the exporter's map write was not found"
	grep -q '^user/observe/format_stats.c:[0-9]*: a format calls bpf_map_lookup_elem(): formats render a snapshot$' <<<"$out" ||
		fail "the format's map read was not found"
	grep -qxF "user/kernel/tc.c:$((n + 501)): $((n + 501)) lines, more than 500" <<<"$out" ||
		fail "the long file was not found"
	[[ $(tail -n 1 <<<"$out") == "layers: "*" files, "*" includes, 6 problems" ]] ||
		fail "summary line: $(tail -n 1 <<<"$out")"
}

# The crash tests' kill points exist in the test build only.
test_layers_release_has_no_test_hooks() {
	expect_eq "$(strings "$PP_TOP/.output/pairpath" | grep -c PAIRPATH_TEST)" 0 \
		"test hook strings in the release binary"
	expect_eq "$(strings "$PP_TOP/.output/test/pairpath" | grep -c '^PAIRPATH_TEST_KILL_AT$')" 1 \
		"the kill point in the test build (so that the check above can fail)"
}
