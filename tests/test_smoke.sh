# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# The shortest path through attach, traffic, stats and detach.

test_smoke_tcx_ping() {
	fixture smoke
	pp attach web vethA vethB || fail "attach"
	in_a ping -c 3 -i 0.2 -W 1 10.77.0.2 || fail "ping A -> B"
	expect_eq "$(pp status --json | $PY -c 'import json,sys; p=json.load(sys.stdin)["pairs"][0]; print(p["name"], p["mode"], p["state"])')" \
		"web tcx up" "status"
	pp detach web || fail "detach"
	in_a ping -c 1 -W 1 10.77.0.2 && fail "ping still works after detach"
	return 0
}
