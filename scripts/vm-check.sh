#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The VM boots of "make check": one boot runs KUnit and the selftest
# programs; each program that leaves the system changed until reboot
# (lock_test locks the mode, require_signed_test locks require_signed)
# then runs alone, in a short boot of its own, so that no test depends on
# running last.
#
#   vm-check.sh LOGDIR     consoles in LOGDIR/check.log and
#                          LOGDIR/check-NAME.log; LOGDIR/check.logs lists them
#
# Environment: XM_TESTS, the selftest programs to run (comma-separated;
# all if empty); XM_JOBS, how many boots run at once (default 2: each VM
# under emulation keeps about one CPU busy); and what scripts/vm.sh takes.
#
# Then the system tests (scripts/vm/debian/system-tests.sh) boot the Debian
# image XM_IMAGE three times, on one fresh copy of it, in enforce mode:
# check-debian-first.log, check-debian-dpkg.log (the apt and dpkg hooks)
# and check-debian-second.log. They run when XM_IMAGE is set and XM_TESTS
# is empty or names "debian" or "dpkg".
#
# And the two-machine test (when XM_IMAGE is set and XM_TESTS is empty or
# names "remote"): two copy-on-write overlays of the image boot at the same
# time, one CPU each, joined by a QEMU socket network on 127.0.0.1: a
# collector running auditd with tcp_listen_port, and a sender shipping its
# records with audisp-remote (system-tests.sh, execmark.boot=collector and
# sender): check-remote-collector.log and check-remote-sender.log.
#
# The boots are independent jobs run by a small pool, XM_JOBS at a time, in
# the order queued (queue the long ones early). Adding a boot:
#   1. write a function boot_NAME [ARG] that boots with "$vm" and writes its
#      console to one or more logs $dir/check-*.log (boots that depend on
#      each other, such as the two Debian ones on the same disk, go in one
#      function, one after the other);
#   2. queue it with "add 'NAME [ARG]' LOG..." below, with its logs: the
#      verdict (scripts/tap.py) reads them all, in the order added.
# A job must not share files with another job (each its own disk copy).
set -euo pipefail

OWN_BOOT="lock_test require_signed_test"

dir=${1:?usage: vm-check.sh LOGDIR}
vm=$(dirname "$0")/vm.sh
tests=${XM_TESTS:-}
append=${XM_APPEND:-}

# The programs named that need a boot of their own, and the others.
own= shared=
for t in $OWN_BOOT; do
	if [ -z "$tests" ] || [[ ",$tests," == *",$t,"* ]]; then
		own="$own $t"
	fi
done
if [ -n "$tests" ]; then
	IFS=, read -r -a named <<<"$tests"
	for t in "${named[@]}"; do
		[[ " $OWN_BOOT " == *" $t "* ]] || shared="$shared,$t"
	done
	shared=${shared#,}
fi
debian=
# With the apt and dpkg hooks' boot between the two others ("dpkg" names
# the same three boots).
if [ -n "${XM_IMAGE:-}" ] && { [ -z "$tests" ] || [[ ",$tests," == *",debian,"* ]]; }; then
	debian="first dpkg second"
	if [ "$tests" = debian ]; then tests=- shared=-; own=; fi
fi
if [ -n "${XM_IMAGE:-}" ] && [[ ",$tests," == *",dpkg,"* ]]; then
	debian="first dpkg second"
	if [ "$tests" = dpkg ] || [ "$tests" = debian,dpkg ] || [ "$tests" = dpkg,debian ]; then
		tests=- shared=-; own=
	fi
fi
remote=
if [ -n "${XM_IMAGE:-}" ] && { [ -z "$tests" ] || [[ ",$tests," == *",remote,"* ]]; }; then
	remote=yes
	if [ "$tests" = remote ] || [ "$tests" = debian,remote ] || [ "$tests" = remote,debian ]; then
		tests=- shared=-; own=
	fi
fi
# KUnit and the shared programs ("-": none, when only own-boot programs
# are named: the boot still runs KUnit).
skip=$(echo $OWN_BOOT | tr ' ' ,)
if [ -n "$tests" ] && [ -z "$shared" ]; then
	shared=-
fi

# --- the boots --------------------------------------------------------------

# KUnit and the selftest programs, in the initramfs.
boot_selftests() {
	XM_APPEND="$append execmark.tests=$shared execmark.skip=$skip" \
		"$vm" check "$dir/check.log" >/dev/null
}

# A program that needs a boot of its own (boot_own_lock_test, ...).
boot_own() {
	XM_APPEND="$append execmark.tests=$1 kunit.enable=0" \
		"$vm" check "$dir/check-$1.log" >/dev/null
}

# The Debian system: its boots on one fresh copy of the image; no login
# on the console, only the tests' TAP.
boot_debian() {
	local disk b rc=0
	disk=$(dirname "$XM_IMAGE")/check.img
	rm -f "$disk"
	for b in $debian; do
		XM_DISK=$disk XM_DISK_FROM=$XM_IMAGE XM_TIMEOUT=${XM_DEBIAN_TIMEOUT:-600} \
		XM_APPEND="$append execmark.mode=enforce execmark.boot=$b systemd.show_status=false systemd.mask=serial-getty@ttyS0.service" \
			"$vm" check "$dir/check-debian-$b.log" >/dev/null || rc=1
		sed -n 's/^execmark-boot-time: /debian boot time: /p' "$dir/check-debian-$b.log" | tr -d '\r'
	done
	rm -f "$disk"
	return $rc
}

# Two machines at once, one CPU each, each on its own copy-on-write overlay
# of the image (nothing copied), joined by a QEMU socket network of UDP
# datagrams between two free ports of the loopback address (no traffic
# leaves the host; neither QEMU needs the other to be up first).
boot_remote() {
	local base ports role mine peer mac pids p rc=0
	base=$(dirname "$XM_IMAGE")
	ports=$(python3 -c '
import socket
s = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
	pids=
	for role in collector sender; do
		if [ $role = collector ]; then
			mine=${ports% *} peer=${ports#* } mac=52:54:00:09:00:01
		else
			mine=${ports#* } peer=${ports% *} mac=52:54:00:09:00:02
		fi
		XM_DISK=$base/remote-$role.qcow2 XM_DISK_FROM=$XM_IMAGE XM_OVERLAY=1 \
		XM_TIMEOUT=${XM_REMOTE_TIMEOUT:-600} XM_SMP=1 \
		XM_QEMU_OPTS="-netdev socket,id=n0,udp=127.0.0.1:$peer,localaddr=127.0.0.1:$mine -device virtio-net-pci,netdev=n0,mac=$mac" \
		XM_APPEND="$append execmark.mode=enforce execmark.boot=$role systemd.show_status=false systemd.mask=serial-getty@ttyS0.service" \
			"$vm" check "$dir/check-remote-$role.log" >/dev/null &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || rc=1; done
	for role in collector sender; do
		sed -n "s/^execmark-boot-time: /debian boot time: /p" "$dir/check-remote-$role.log" | tr -d '\r'
	done
	rm -f "$base/remote-collector.qcow2" "$base/remote-sender.qcow2"
	return $rc
}

# --- the queue: the longest boots first -------------------------------------
# add 'NAME [ARG]' LOG...: boot_NAME ARG writes these logs. The verdict
# reads the logs in the order added.
names=() logs=()
add() {
	names+=("$1")
	shift
	logs+=("$@")
}
add selftests "$dir/check.log"
if [ -n "$debian" ]; then
	add debian "$dir/check-debian-first.log" "$dir/check-debian-dpkg.log" \
		"$dir/check-debian-second.log"
fi
if [ -n "$remote" ]; then
	add remote "$dir/check-remote-collector.log" "$dir/check-remote-sender.log"
fi
for t in $own; do add "own $t" "$dir/check-$t.log"; done

rm -f "$dir"/check.log "$dir"/check-*.log "$dir"/.rc-*
printf '%s\n' "${logs[@]}" >"$dir/check.logs"

# --- the pool ---------------------------------------------------------------
max=${XM_JOBS:-2}
start=$(date +%s)
i=0
for name in "${names[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$max" ]; do
		wait -n || true
	done
	i=$((i + 1))
	(
		t0=$(date +%s) rc=0
		read -r fn arg <<<"$name"
		"boot_$fn" $arg || rc=$?
		echo "$rc" >"$dir/.rc-$i"
		printf '[execmark] boot %s: %ss (exit %s)\n' "${name#own }" \
			"$(( $(date +%s) - t0 ))" "$rc" >&2
	) &
done
wait
printf '[execmark] the VM boots took %ss (%s at a time)\n' "$(( $(date +%s) - start ))" "$max" >&2
rc=0
for f in "$dir"/.rc-*; do
	[ "$(cat "$f" 2>/dev/null)" = 0 ] || rc=1
done
rm -f "$dir"/.rc-*
exit $rc
