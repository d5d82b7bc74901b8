#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A host test of "make check", as TAP: the Debian image's build
# (scripts/mkimage.sh) and the VM's disk handling (scripts/vm.sh) under
# faults: the mirror unreachable, the disk full, a build killed midway, a
# corrupt disk or image. Each fault must give an error naming the step,
# leave nothing that could be booted, and be redone by the next run.
#
#   image-faults-test.sh DEBDIR      (as root: it mounts small tmpfs)
#
# vm.sh runs with a stand-in for qemu-system-x86_64 first in PATH, which
# records the disk it was given and checks it with e2fsck -n: what matters
# is what vm.sh would boot, not the boot.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
debdir=$(cd "${1:?usage: image-faults-test.sh DEBDIR}" && pwd)
T=$(mktemp -d /tmp/execmark-faults.XXXXXX)
mounts=()
cleanup() {
	local m
	for m in "${mounts[@]}"; do umount -l "$m" 2>/dev/null; done
	findmnt -rn -o TARGET | grep -F "$T/" | sort -r |
		while IFS= read -r m; do umount -l "$m"; done
	rm -rf --one-file-system "$T"
}
trap cleanup EXIT
# Nothing listens on port 9 (discard) of the loopback address.
UNREACHABLE=http://127.0.0.1:9/debian

n=0
t() {
	local name=$1 out
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n $name"
	else
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'
		echo "not ok $n $name"
	fi
}
fail() { echo "$*"; return 1; }
# fails CMD...: CMD must fail; its output (both streams) is left in $out.
fails() {
	if out=$("$@" 2>&1); then
		echo "$out" | tail -n 5
		echo "succeeded: $*"
		return 1
	fi
	return 0
}
# leftovers DIR: what a failed build must not leave (an image, its
# temporary file or tree, mounts).
leftovers() {
	local bad
	bad=$(cd "$1" && ls -d debian.img debian.img.tmp debian.img.root debian.img.stamp 2>/dev/null)
	[ -z "$bad" ] || fail "left in $1: $bad" || return 1
	! findmnt -rn -o TARGET | grep -qF "$1/" || fail "still mounted under $1: $(findmnt -rn -o TARGET | grep -F "$1/")" || return 1
}
tmpfs() {	# tmpfs DIR SIZE
	mkdir -p "$1" && mount -t tmpfs -o "size=$2" execmark-test "$1" && mounts+=("$1")
}

# The stand-in for QEMU, and a small ext4 image to boot.
mkdir -p "$T/bin" "$T/tree/etc"
cat >"$T/bin/qemu-system-x86_64" <<'EOF'
#!/bin/sh
# Records the disk vm.sh would boot; fails if it does not pass e2fsck -n.
for a; do case $a in file=*) d=${a#file=}; d=${d%%,*} ;; esac; done
echo "$d" >>"$XM_FAKE_BOOTED"
e2fsck -fn "$d" >/dev/null 2>&1 || { echo "booted a disk that fails e2fsck -n: $d"; exit 1; }
echo "execmark-vm: end"
EOF
chmod +x "$T/bin/qemu-system-x86_64"
: >"$T/bzImage"
echo test >"$T/tree/etc/hostname"
head -c 6M /dev/urandom >"$T/tree/data"
mke2fs -q -F -t ext4 -d "$T/tree" "$T/good.img" 16M >/dev/null 2>&1 || exit 1
# vm_boot DISK FROM: vm.sh check with the stand-in; the disks it started
# QEMU on in $T/booted.
vm_boot() {
	rm -f "$T/booted"
	PATH=$T/bin:$PATH XM_FAKE_BOOTED=$T/booted XM_KERNEL=$T/bzImage \
	XM_DISK=$1 XM_DISK_FROM=$2 "$top/scripts/vm.sh" check "$T/vm.log"
}
booted() { cat "$T/booted" 2>/dev/null; }
corrupt() {	# the superblock and group descriptors zeroed
	dd if=/dev/zero of="$1" bs=1024 seek=1 count=8 conv=notrunc status=none
}

# --- the image build ---------------------------------------------------------
mirror_unreachable() {
	local out d=$T/mirror
	mkdir -p "$d"
	EXECMARK_MIRROR=$UNREACHABLE fails "$top/scripts/mkimage.sh" "$d/debian.img" "$debdir" || return 1
	echo "$out" | tail -n 3
	echo "$out" | grep -q "error: image: mmdebstrap.*failed: the mirror $UNREACHABLE is unreachable" ||
		fail "no error naming the step and the mirror" || return 1
	leftovers "$d"
}
disk_full() {
	local out d=$T/full
	tmpfs "$d" 24m || return 1
	fails "$top/scripts/mkimage.sh" "$d/debian.img" "$debdir" || return 1
	echo "$out" | tail -n 3
	echo "$out" | grep -q "error: image: .* failed: disk full: no space left in $d" ||
		fail "no error naming the step and the full disk" || return 1
	leftovers "$d" || return 1
	# Only the logs remain: the space is given back.
	[ "$(df --output=used -k "$d" | tail -n 1)" -lt 1024 ] || fail "$(du -sh "$d"/*)" || return 1
}
# Killed (all its processes, as by a crash) while mmdebstrap has its mounts
# in the half-built tree; the next run removes that tree safely, builds
# again (here: fails again, on an unreachable mirror) and boots nothing.
interrupted() {
	local d=$T/killed pid out
	mkdir -p "$d"
	setsid "$top/scripts/mkimage.sh" "$d/debian.img" "$debdir" >"$d/first.out" 2>&1 &
	pid=$!
	for _ in $(seq 1 1500); do
		findmnt -rn -o TARGET | grep -qF "$d/debian.img.root/" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	findmnt -rn -o TARGET | grep -qF "$d/debian.img.root/" || {
		kill -9 -- -"$pid" 2>/dev/null; wait "$pid"
		cat "$d/first.out"; fail "mmdebstrap never mounted anything in the tree"; return 1
	}
	kill -9 -- -"$pid"
	wait "$pid" 2>/dev/null
	[ ! -e "$d/debian.img" ] || fail "an image after a killed build" || return 1
	fails vm_boot "$d/check.img" "$d/debian.img" || return 1
	[ -z "$(booted)" ] || fail "QEMU started on $(booted)" || return 1
	EXECMARK_MIRROR=$UNREACHABLE fails "$top/scripts/mkimage.sh" "$d/debian.img" "$debdir" || return 1
	echo "$out" | tail -n 3
	echo "$out" | grep -q "error: image: mmdebstrap.*unreachable" ||
		fail "the second run did not build again" || return 1
	leftovers "$d"
}

# Two builds of one image at once (make run and make check in one
# checkout): the second waits for the first -- here a lock the test holds
# over a tree "being built" -- touching nothing, then builds (and fails on
# the unreachable mirror, removing that tree as any new build does).
concurrent_build_waits() {
	local d=$T/twice pid fd i
	mkdir -p "$d/debian.img.root/usr"
	echo building >"$d/debian.img.root/usr/marker"
	exec {fd}>"$d/debian.img.lock"
	flock "$fd"
	EXECMARK_MIRROR=$UNREACHABLE "$top/scripts/mkimage.sh" "$d/debian.img" "$debdir" >"$d/out" 2>&1 {fd}>&- &
	pid=$!
	for i in $(seq 1 16); do
		sleep 0.5
		[ -f "$d/debian.img.root/usr/marker" ] || break
		kill -0 "$pid" 2>/dev/null || break
	done
	exec {fd}>&-
	if [ ! -f "$d/debian.img.root/usr/marker" ]; then
		wait "$pid"; cat "$d/out"
		fail "the second build removed the tree of the one running"; return 1
	fi
	kill -0 "$pid" 2>/dev/null || { wait "$pid"; cat "$d/out"; fail "the second build did not wait"; return 1; }
	grep -q "image: another build of $d/debian.img is running already" "$d/out" ||
		fail "no message saying that it waits: $(cat "$d/out")" || return 1
	if wait "$pid"; then cat "$d/out"; fail "the build succeeded on an unreachable mirror"; return 1; fi
	tail -n 3 "$d/out"
	grep -q "error: image: mmdebstrap.*unreachable" "$d/out" ||
		fail "it did not build once the lock was free" || return 1
	leftovers "$d"
}

# --- the VM's disk -------------------------------------------------------------
corrupt_disk_replaced() {
	local d=$T/disk
	mkdir -p "$d"
	cp "$T/good.img" "$d/run.img" && corrupt "$d/run.img"
	vm_boot "$d/run.img" "$T/good.img" || return 1
	[ "$(booted)" = "$d/run.img" ] || fail "booted: $(booted)" || return 1
	cmp -s "$d/run.img" "$T/good.img" || fail "run.img is not a fresh copy" || return 1
	[ -f "$d/run.img.bad" ] || fail "the corrupt disk was not kept aside" || return 1
}
corrupt_image_never_booted() {
	local d=$T/image out
	mkdir -p "$d"
	cp "$T/good.img" "$d/debian.img" && corrupt "$d/debian.img"
	fails vm_boot "$d/check.img" "$d/debian.img" || return 1
	echo "$out" | grep -q "error: the image $d/debian.img fails e2fsck -n" ||
		fail "no error naming the image: $out" || return 1
	[ -z "$(booted)" ] || fail "QEMU started on $(booted)" || return 1
	[ ! -e "$d/check.img" ] || fail "the broken copy was left" || return 1
}
disk_full_copying() {
	local d=$T/small out
	tmpfs "$d" 4m || return 1
	fails vm_boot "$d/check.img" "$T/good.img" || return 1
	echo "$out" | grep -q "error: vm: copying the image $T/good.img to $d/check.img failed" ||
		fail "no error naming the step: $out" || return 1
	[ -z "$(booted)" ] || fail "QEMU started on $(booted)" || return 1
	[ -z "$(ls -A "$d")" ] || fail "left: $(ls -A "$d")" || return 1
}

echo "TAP version 13"
echo "1..7"
t image_build_mirror_unreachable_names_step_leaves_nothing mirror_unreachable
t image_build_disk_full_names_step_leaves_nothing disk_full
t image_build_killed_midway_unmounted_rebuilt_never_booted interrupted
t image_build_concurrent_second_waits_touches_nothing concurrent_build_waits
t vm_corrupt_disk_kept_aside_fresh_copy_booted corrupt_disk_replaced
t vm_corrupt_image_never_booted corrupt_image_never_booted
t vm_disk_full_while_copying_names_step_leaves_nothing disk_full_copying
exit 0
