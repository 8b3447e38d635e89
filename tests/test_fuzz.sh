# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Bounded libFuzzer runs over every parser that takes outside input. New
# inputs go to a scratch corpus; the kept corpus in tests/fuzz/corpus is
# only read. A crash leaves its input in the log as base64.

FUZZ_SECS=${FUZZ_SECS:-20}

fuzz_run() {	# target
	local bin="$PP_TOP/.output/fuzz/fuzz_$1" scratch
	[ -x "$bin" ] || fail "fuzzer $bin is not built"
	scratch=$(mktemp -d /tmp/pairpath-fuzz.XXXXXX)
	"$bin" -max_total_time="$FUZZ_SECS" -rss_limit_mb=2048 -timeout=5 \
		-artifact_prefix="$scratch/" "$scratch" "$PP_TOP/tests/fuzz/corpus/$1" 2>&1 |
		tail -n 30
	local rc=${PIPESTATUS[0]}
	rm -rf "$scratch"
	expect_eq "$rc" 0 "fuzz_$1 exit status"
}

test_fuzz_cli() { fuzz_run cli; }
test_fuzz_values() { fuzz_run values; }
test_fuzz_route() { fuzz_run route; }
test_fuzz_batch() { fuzz_run batch; }
test_fuzz_cni_conf() { fuzz_run cni_conf; }
test_fuzz_cni_env() { fuzz_run cni_env; }
test_fuzz_cni_result() { fuzz_run cni_result; }
