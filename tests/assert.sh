# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Assertions for the shell tests: each prints what it expected and what it
# got, and ends the test (a subshell) on the first failure.

fail() {
	echo "FAILED: $*" >&2
	exit 1
}

expect_eq() {	# actual expected what
	[ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}

# Run a command; check its exit code and, if given, its exact stderr.
expect_cmd() {	# rc "stderr" cmd...
	local want_rc=$1 want_err=$2 out err rc
	shift 2
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = "$want_rc" ] || fail "'$*': exit $rc, expected $want_rc (stderr: $err)"
	if [ -n "$want_err" ]; then
		[ "$err" = "$want_err" ] || fail "'$*': stderr '$err', expected '$want_err'"
	fi
	return 0
}
