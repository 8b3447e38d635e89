# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The benchmark, once, in its quick mode: every scenario is built, measured
# and taken down, so that make bench cannot rot. Numbers are not judged
# here; speed is proven by make bench.

test_bench_quick() {
	local out="$PP_TOP/.output/bench/results-quick" log
	log=$(mktemp /tmp/pairpath-bench.XXXXXX)
	rm -rf "$out"
	# The release binary: the benchmark measures what users run.
	PAIRPATH=$PP_TOP/.output/pairpath timeout 300 bash "$PP_TOP/bench/run.sh" --quick >"$log" 2>&1
	local rc=$?
	tail -n 5 "$log"
	expect_eq "$rc" 0 "bench/run.sh --quick exit status"
	expect_eq "$(tail -n 1 "$log")" "bench: quick run ok" "last line of the quick run"
	rm -f "$log"
	[ -s "$out/results.md" ] && [ -s "$out/results.csv" ] || fail "no results in $out"
	# Every scenario produced a sink row.
	local scn
	for scn in direct bridge bridge_nf routed mirred pairpath_tcx pairpath_tcx_notracer \
		   pairpath_tc pairpath_tc_notracer floor xnode_kernel xnode_pairpath \
		   xnode_pairpath_fib fib_host fib_host_nat fib_pairpath; do
		grep -q "^| $scn |" "$out/results.md" || fail "no row for $scn in results.md"
	done
	expect_eq "$(ip netns list | grep -c '^ppb')" 0 "benchmark namespaces left"
}
