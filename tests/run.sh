#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The pairpath test runner, in the xdp-tools style: every test_* function
# in tests/test_*.sh runs in a subshell of its own, with its own fixture
# (namespaces, private bpffs) torn down by a trap whatever happens.
#
#   tests/run.sh [PATTERN]     run the tests whose name matches PATTERN
#   V=1 tests/run.sh           show every test's output
#
# Exit 77 from a test means SKIP, and the test must say why.
set -u
cd "$(dirname "$0")/.."
# The test build (sanitizers and test hooks) runs in the tests; valgrind
# runs the release build.
export PAIRPATH=${PAIRPATH:-$PWD/.output/test/pairpath}
source tests/lib.sh
source tests/assert.sh
# Every file is sourced into this one shell: a function defined twice
# would silently replace another file's.
dups=$(grep -hoE '^[A-Za-z_][A-Za-z_0-9]*\(\)' tests/lib.sh tests/assert.sh tests/*_fixture.sh \
	tests/test_*.sh | sort | uniq -d)
if [ -n "$dups" ]; then
	echo "tests/run.sh: functions defined in more than one place: $dups" >&2
	exit 2
fi
for f in tests/test_*.sh; do
	source "$f"
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}

PATTERN=${1:-}
PASSED=0 FAILED=0 SKIPPED=0
FAILED_NAMES=()
LOG_DIR=$(mktemp -d /tmp/pairpath-tests.XXXXXX)
trap 'rm -rf "$LOG_DIR"' EXIT

report() {	# name status [detail]
	printf '%-4s %s%s\n' "$2" "$1" "${3:+: $3}"
	case $2 in
	PASS) PASSED=$((PASSED + 1)) ;;
	SKIP) SKIPPED=$((SKIPPED + 1)) ;;
	*) FAILED=$((FAILED + 1)); FAILED_NAMES+=("$1") ;;
	esac
}

run_test() {
	local name=$1 log="$LOG_DIR/$1.log" rc start=$SECONDS
	(
		trap fixture_down EXIT
		"$name"
	) >"$log" 2>&1 </dev/null
	rc=$?
	if [ "${V:-0}" = 1 ]; then
		sed 's/^/    /' "$log"
	fi
	# A sanitizer report anywhere in the output fails the test.
	if [ $rc -eq 0 ] && grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"; then
		rc=98
	fi
	case $rc in
	0) report "$name" PASS "$((SECONDS - start))s" ;;
	77) report "$name" SKIP "$(tail -n 1 "$log")" ;;
	*)
		report "$name" FAIL "exit $rc"
		tail -n 25 "$log" | sed 's/^/    | /'
		;;
	esac
}

# BPF unit tests: one line per case from each unit test binary.
run_unit() {
	local bin
	[ -z "$PATTERN" ] || [[ unit =~ $PATTERN ]] || return 0
	for bin in prog_test routed_test; do
		run_unit_bin "$bin"
	done
}

run_unit_bin() {
	local line
	while IFS= read -r line; do
		case $line in
		"PASS "*) report "unit_${line#PASS }" PASS ;;
		"FAIL "*) report "unit_${line#FAIL }" FAIL ;;
		"SKIP "*) report "unit_${line#SKIP }" SKIP ;;
		"exit 0") ;;
		"exit "*) report "unit_$1" FAIL "$line" ;;
		*) echo "    $line" ;;
		esac
	done < <("$PP_TOP/.output/test/$1" 2>&1; echo "exit $?")
}

if [ "$(id -u)" != 0 ]; then
	echo "tests need root (namespaces, bpffs, BPF)" >&2
	exit 1
fi

run_unit
for name in $(declare -F | awk '{print $3}' | grep '^test_' | sort); do
	[ -z "$PATTERN" ] || [[ $name =~ $PATTERN ]] || continue
	run_test "$name"
done

if [ $FAILED -gt 0 ]; then
	echo "failed: ${FAILED_NAMES[*]}"
fi
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ $FAILED -eq 0 ]
