# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Real CNI clients (issue 12): Debian's podman 4.3 (rootful, CNI backend)
# and containerd 1.6 (ctr run --cni), each with storage, state, CNI
# folders and sockets of the test's own under $FX_TMP, run in a node
# netns the test made, so that host-side veths, routes and sysctls (ptp
# turns ip_forward on) land there and never in the machine's netns.
#
#   cf_up TAG         node netns, bpffs, CNI folders, podman env, image
#   cf_podman ARGS    podman in the node netns, on the test's storage
#   cf_ctrd_up        containerd of the test's own, its image imported
#   cf_ctr ARGS       ctr in a private mount ns, CNI folders bound over
#                     /etc/cni/net.d and /usr/lib/cni
#   cf_host_snapshot  the machine's links, routes, forwarding sysctls

CF_DIR=$PP_TOP/tests/fixtures/cni
PAIRPATH_CNI=${PAIRPATH_CNI:-$PP_TOP/.output/pairpath-cni}
CF_IMAGE=localhost/ppbusybox:latest

cf_host_snapshot() {
	ip -o link show | sed 's/ state [A-Z]*//'
	ip -o addr show
	ip route show table all
	ip -6 route show table all
	sysctl -n net.ipv4.ip_forward net.ipv6.conf.all.forwarding
}

# A template of tests/fixtures/cni filled in: cf_fill NAME OUT
cf_fill() {
	sed -e "s|@ROOT@|$CF_ROOT|g" -e "s|@PLUGIN_DIR@|$CF_ROOT/plugins|g" \
		-e "s|@CONF_DIR@|$CF_ROOT/net.d|g" -e "s|@PIN_ROOT@|$PIN_ROOT|g" \
		"$CF_DIR/$1.in" >"$2"
}

# (test) The node netns, the test's CNI folders with the network NET
# (ptp or pairpath), podman's configuration and the busybox image.
cf_up() {	# tag net
	local tag=$1 net=$2 p
	command -v podman >/dev/null && [ -x /bin/busybox ] ||
		{ echo "podman or busybox-static missing (make deps-test)"; exit 77; }
	fixture "$tag" --bare
	CF_HOST_BEFORE=$(cf_host_snapshot)
	CF_ROOT=$FX_TMP/cni
	mkdir -p "$CF_ROOT"/{plugins,net.d,ipam,image/bin}
	for p in host-local ptp loopback; do
		# Copies: the folder is bound over /usr/lib/cni for ctr.
		cp "/usr/lib/cni/$p" "$CF_ROOT/plugins/$p" || fail "copy $p"
	done
	[ ! -x "$PAIRPATH_CNI" ] || cp "$PAIRPATH_CNI" "$CF_ROOT/plugins/pairpath-cni"
	cf_fill "$net.conflist" "$CF_ROOT/net.d/$net.conflist"
	cf_fill containers.conf "$CF_ROOT/containers.conf"
	cf_fill storage.conf "$CF_ROOT/storage.conf"
	export CONTAINERS_CONF=$CF_ROOT/containers.conf
	export CONTAINERS_STORAGE_CONF=$CF_ROOT/storage.conf
	# What the clients keep outside their configured folders, whatever
	# the configuration: libcni's result cache (/var/lib/cni/results,
	# emptied by each DEL) and podman's blob-info cache. Removed at the
	# end when this test made them.
	[ -e /var/lib/cni ] || cleanup_add rmdir /var/lib/cni/results /var/lib/cni
	[ -e /var/lib/containers ] || cleanup_add rm -rf /var/lib/containers
	# Removed last: every container and image first, then the storage.
	cleanup_add cf_podman_down
	cp /bin/busybox "$CF_ROOT/image/bin/busybox"
	for p in sh ping nc wget sha256sum sleep httpd ip dd cat; do
		ln -s busybox "$CF_ROOT/image/bin/$p"
	done
	tar -C "$CF_ROOT/image" -cf "$CF_ROOT/image.tar" . || fail "image tar"
	cf_podman import "$CF_ROOT/image.tar" $CF_IMAGE >/dev/null || fail "podman import"
}

cf_podman() {
	nsenter --net="/run/netns/$NS_H" podman "$@"
}

cf_podman_down() {
	cf_podman rm -af -t 0
	cf_podman rmi -af
	cf_podman system reset -f
	umount "$CF_ROOT"/podman-root/*/* 2>/dev/null
	rm -rf "$CF_ROOT/podman-root" "$CF_ROOT/podman-run"
}

# (test) containerd with the test's root, state and socket, in the node
# netns; the image saved by podman and imported into it.
cf_ctrd_up() {
	command -v containerd >/dev/null || { echo "containerd missing (make deps-test)"; exit 77; }
	cf_fill containerd.toml "$CF_ROOT/containerd.toml"
	# nsenter, not ip netns exec: that remounts /sys, hiding the cgroup
	# mounts runc needs.
	bg_start nsenter --net="/run/netns/$NS_H" containerd --config "$CF_ROOT/containerd.toml" \
		>"$CF_ROOT/containerd.log" 2>&1
	CF_CTRD_PID=$BG_PID
	cleanup_add rm -rf "$CF_ROOT/containerd-root" "$CF_ROOT/containerd-state"
	bg_until 10 "$CF_CTRD_PID" ctr --address "$CF_ROOT/containerd.sock" version >/dev/null 2>&1 ||
		fail "containerd did not start: $(tail -5 "$CF_ROOT/containerd.log")"
	cf_podman save --format oci-archive -o "$CF_ROOT/image.oci" $CF_IMAGE >/dev/null ||
		fail "podman save"
	cf_ctr images import "$CF_ROOT/image.oci" >/dev/null || fail "ctr images import"
}

# ctr as go-cni needs it, in the node netns (go-cni runs the plugins in
# ctr's own process): it reads only /etc/cni/net.d and /usr/lib/cni. A
# command line for bg_start: cf_ctr_cmd ARGS; cf_ctr ARGS runs it.
cf_ctr_cmd() {
	local q
	q=$(printf '%q ' "$@")
	CF_CTR_CMD=(nsenter --net="/run/netns/$NS_H" unshare -m sh -c "
		mount --make-rprivate / &&
		mount --bind '$CF_ROOT/net.d' /etc/cni/net.d &&
		mount --bind '$CF_ROOT/plugins' /usr/lib/cni &&
		exec ctr --address '$CF_ROOT/containerd.sock' -n pp $q")
}

cf_ctr() {
	cf_ctr_cmd "$@"
	"${CF_CTR_CMD[@]}"
}

# (test) The machine's own netns as it was before the test.
cf_expect_host_unchanged() {
	expect_eq "$(cf_host_snapshot)" "$CF_HOST_BEFORE" "the machine's links, routes and forwarding"
}
