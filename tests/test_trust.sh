# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Nothing is trusted because it is there: the pin root and its netns
# directories must be root's real directories that no one else may
# write, a pin must be a bpffs file holding the object it names, the lock
# fails closed, and a failed command removes only what it made.

# Inode numbers of the pins of a netns directory, "name:inode ...", in
# name order; a re-made pin has a new one.
trust_inodes() {	# dir [name...]
	local dir=$1 f out=()
	shift
	for f in "$@"; do
		out+=("$f:$(stat -c %i "$dir/$f" 2>/dev/null || echo none)")
	done
	echo "${out[*]}"
}

TRUST_MAPS=(ports ports_overflow port_stats peer_devs pairs kdevs kdrops)

# reset never follows a netns-* symlink: neither what it points to in
# another bpffs directory nor a plain file elsewhere is touched, and the
# root is left with the symlinks in it, said so in one line.
test_trust_reset_netns_symlink() {
	local other plain err rc
	fixture trs
	pp attach web vethA vethB || fail "attach"
	other="$FX_TMP/bpffs/other"
	mkdir "$other" && bpftool map create "$other/ports" type array key 4 value 4 \
		entries 1 name trust_ports || fail "a map pinned outside the pin root"
	plain=$(mktemp -d "$FX_TMP/plain.XXXXXX") && echo keep >"$plain/pairs" ||
		fail "a plain directory"
	ln -s "$other" "$PIN_ROOT/netns-1" && ln -s "$plain" "$PIN_ROOT/netns-2" ||
		fail "symlinks in the pin root"
	err=$(pp reset 2>&1)
	rc=$?
	[ -e "$other/ports" ] || fail "reset removed $other/ports through a symlink"
	expect_eq "$(cat "$plain/pairs")" keep "the plain file behind a symlink"
	expect_eq "$rc $err" "1 pairpath: pin root '$PIN_ROOT': cannot remove: Directory not empty" \
		"reset's exit status and message"
	expect_eq "$(cd "$PIN_ROOT" && ls -A | sort | tr '\n' ' ')" "netns-1 netns-2 " \
		"what reset left in the pin root"
	expect_eq "$(tcx_progs vethA)" none "tcx programs on vethA after reset"
}

# A pin root made by another user, or one others may write, is refused
# before anything is made or read.
test_trust_root_foreign() {
	local snap
	fixture trf
	mkdir "$PIN_ROOT" && chown 1000:1000 "$PIN_ROOT" && chmod 0777 "$PIN_ROOT" ||
		fail "a pin root of uid 1000"
	snap=$(net_snapshot) || fail "snapshot"
	expect_cmd 1 "pairpath: pin root '$PIN_ROOT': owned by uid 1000, not root: refusing it" \
		pp attach web vethA vethB
	expect_cmd 1 "pairpath: pin root '$PIN_ROOT': owned by uid 1000, not root: refusing it" \
		pp status
	expect_cmd 1 "pairpath: pin root '$PIN_ROOT': owned by uid 1000, not root: refusing it" \
		pp reset
	expect_eq "$(stat -c '%a %u' "$PIN_ROOT") $(ls -A "$PIN_ROOT" | wc -l)" "777 1000 0" \
		"the foreign pin root after the attempts"
	expect_eq "$(net_snapshot)" "$snap" "devices and hooks"

	chown 0:0 "$PIN_ROOT" || fail "chown"
	expect_cmd 1 "pairpath: pin root '$PIN_ROOT': writable by group or others (mode 0777): refusing it" \
		pp attach web vethA vethB
	chmod 0720 "$PIN_ROOT" || fail "chmod"
	expect_cmd 1 "pairpath: pin root '$PIN_ROOT': writable by group or others (mode 0720): refusing it" \
		pp attach web vethA vethB
	expect_eq "$(ls -A "$PIN_ROOT" | wc -l)" 0 "entries in the refused pin root"
	expect_eq "$(net_snapshot)" "$snap" "devices and hooks"
}

# A netns directory of another owner is refused like the root.
test_trust_netns_dir_foreign() {
	local dir
	fixture trn
	pp attach web vethA vethB || fail "attach"
	dir=$(pin_dir) || exit 1
	chown 1000 "$dir" || fail "chown"
	expect_cmd 1 "pairpath: pin directory '$dir': owned by uid 1000, not root: refusing it" \
		pp status
	expect_cmd 1 "pairpath: pin directory '$dir': owned by uid 1000, not root: refusing it" \
		pp detach web
	chown 0 "$dir" || fail "chown back"
	expect_cmd 0 "" pp detach web
}

# A dangling symlink as pin root: one line and exit 1, no crash (the
# old code recursed until the stack overflowed); a symlink to a good
# directory is refused the same way.
test_trust_root_dangling_symlink() {
	fixture trd
	ln -s "$FX_TMP/bpffs/nowhere" "$PIN_ROOT" || fail "symlink"
	expect_cmd 1 "pairpath: pin root '$PIN_ROOT': a symbolic link, not a directory: refusing it" \
		pp attach web vethA vethB
	expect_cmd 1 "pairpath: pin root '$PIN_ROOT': a symbolic link, not a directory: refusing it" \
		pp status
	[ -e "$FX_TMP/bpffs/nowhere" ] && fail "the symlink's target was made"
	mkdir -m 0700 "$FX_TMP/bpffs/nowhere" || fail "mkdir"
	expect_cmd 1 "pairpath: pin root '$PIN_ROOT': a symbolic link, not a directory: refusing it" \
		pp attach web vethA vethB
	expect_eq "$(ls -A "$FX_TMP/bpffs/nowhere" | wc -l)" 0 "entries behind the symlink"
	expect_eq "$(tcx_progs vethA)" none "tcx programs on vethA"
}

# A symlink in place of a pin, even to a map of the right type, and a pin
# of another kind of object, are refused by name.
test_trust_pin_symlink() {
	local dir other
	fixture trp
	pp attach web vethA vethB || fail "attach"
	pp detach web || fail "detach"
	dir=$(pin_dir) || exit 1
	other="$FX_TMP/bpffs/other"
	mkdir "$other" && bpftool map create "$other/ports" type array key 4 value 4 \
		entries 1 name trust_ports || fail "a map pinned elsewhere"
	mv "$dir/ports" "$other/ports-saved" && ln -s "$other/ports" "$dir/ports" ||
		fail "a symlink in place of the ports pin"
	expect_cmd 1 "pairpath: pin '$dir/ports': a symbolic link, not a pin: refusing it" pp status
	expect_cmd 1 "pairpath: pin '$dir/ports': a symbolic link, not a pin: refusing it" \
		pp attach web vethA vethB
	expect_eq "$(tcx_progs vethA)" none "tcx programs on vethA"
	rm "$dir/ports" && mv "$other/ports-saved" "$dir/ports" || fail "restore ports"

	# A hard link of the program where the pair records should be.
	mv "$dir/pairs" "$other/pairs-saved" && ln "$dir/prog" "$dir/pairs" ||
		fail "a program pinned as pairs"
	expect_cmd 1 "pairpath: pin '$dir/pairs': not a map: refusing it" pp status
	rm "$dir/pairs" && mv "$other/pairs-saved" "$dir/pairs" || fail "restore pairs"
	expect_cmd 0 "" pp attach web vethA vethB
	ping3 in_a "$IP_B" || fail "ping A -> B"
}

# The lock fails closed: when the root it locked is replaced at every
# try, the command gives up in one line and leaves nothing.
test_trust_lock_fails_closed() {
	fixture trl
	PAIRPATH_TEST_LOCK_REPLACED=1 expect_cmd 1 \
		"pairpath: pin root '$PIN_ROOT': the lock was replaced while this pairpath waited for it, 3 times: giving up" \
		pp attach web vethA vethB
	[ -e "$PIN_ROOT" ] && fail "the failed attach left the pin root"
	expect_eq "$(tcx_progs vethA)" none "tcx programs on vethA"
	pp attach web vethA vethB || fail "attach"
	PAIRPATH_TEST_LOCK_REPLACED=1 expect_cmd 1 \
		"pairpath: pin root '$PIN_ROOT': the lock was replaced while this pairpath waited for it, 3 times: giving up" \
		pp detach web
	expect_eq "$(pair_states)" "web:up" "status after the refused detach"
}

# A failed first attach into a directory where one pin was missing
# removes only what it pinned itself: the maps that were there stay.
test_trust_rollback_own_pins() {
	local dir before
	fixture trr
	pp attach p1 vethA vethB || fail "attach p1"
	dir=$(pin_dir) || exit 1
	before=$(trust_inodes "$dir" "${TRUST_MAPS[@]}" kdrop_link link-p1-a link-p1-b)
	rm "$dir/meta" || fail "rm meta"
	expect_cmd 1 "pairpath: device 'vethA' already belongs to pair 'p1'" pp attach p2 vethA vethB
	expect_eq "$(trust_inodes "$dir" "${TRUST_MAPS[@]}" kdrop_link link-p1-a link-p1-b)" \
		"$before" "pins that were there before the failed attach"
	[ -e "$dir/meta" ] && fail "the failed attach left the meta pin it made"
	[ -e "$dir/prog" ] || fail "the failed attach removed the program pin"
	return 0
}

# An attach that reuses the tracer's maps keeps them pinned, and a
# tracer that runs already is not loaded twice.
test_trust_kdrop_maps_kept() {
	local dir before
	fixture trk
	veth_add vethC "$NS_A" eth1 || fail "vethC"
	veth_add vethD "$NS_B" eth1 || fail "vethD"
	pp attach p1 vethA vethB || fail "attach p1"
	dir=$(pin_dir) || exit 1
	before=$(trust_inodes "$dir" kdevs kdrops kdrop_link)
	rm "$dir/meta" || fail "rm meta"
	expect_cmd 0 "" pp attach p2 vethC vethD
	expect_eq "$(trust_inodes "$dir" kdevs kdrops kdrop_link)" "$before" \
		"the tracer's pins after an attach that reused them"
	expect_cmd 0 "" pp kernel-drops off
	expect_cmd 0 "" pp kernel-drops on
	expect_eq "$(trust_inodes "$dir" kdevs kdrops)" "${before% kdrop_link:*}" \
		"the tracer's maps after it was started again"
}

# A bpffs that pairpath mounts for the default pin root is 0700, and
# nothing on it is set-uid, a device or run. The test hook moves the
# default's mount point into this test's own directory.
test_trust_mount_options() {
	local mnt
	fixture trm
	mnt="$FX_TMP/mnt"
	mkdir "$mnt" || fail "mkdir"
	cleanup_add umount "$mnt"
	PAIRPATH_TEST_BPFFS=$mnt PIN_ROOT=$mnt/pairpath expect_cmd 0 "" pp attach web vethA vethB
	expect_eq "$(awk -v m="$mnt" '$2 == m { print $3, $4 }' /proc/mounts)" \
		"bpf rw,nosuid,nodev,noexec,relatime,mode=700" "the mount pairpath made"
	ping3 in_a "$IP_B" || fail "ping A -> B"
	PIN_ROOT=$mnt/pairpath expect_cmd 0 "" pp detach web
}

# The program is pinned as prog-new and renamed into place; a prog-new
# that a crash left is removed by the next command that takes the lock.
test_trust_prog_new_cleaned() {
	local dir
	fixture trc
	pp attach web vethA vethB || fail "attach"
	dir=$(pin_dir) || exit 1
	ln "$dir/prog" "$dir/prog-new" || fail "a prog-new left by a crash"
	expect_cmd 0 "" pp detach web
	[ -e "$dir/prog-new" ] && fail "detach left prog-new"
	[ -e "$dir/prog" ] || fail "detach removed prog"
	ln "$dir/prog" "$dir/prog-new" || fail "a prog-new left by a crash"
	expect_cmd 0 "" pp reset
	[ -e "$PIN_ROOT" ] && fail "reset left the pin root"
	return 0
}
