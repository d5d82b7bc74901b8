#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot the test kernel with the initramfs under qemu-system-x86_64
# (software emulation).
#
#   vm.sh shell                    interactive shell on the serial console
#   vm.sh check|demo|bench LOG     non-interactive; console copied to LOG
#
# Environment: XM_APPEND (more kernel parameters), XM_TIMEOUT (seconds,
# non-interactive runs), XM_QEMU_OPTS (more QEMU options), XM_SMP (CPUs,
# default 2), XM_INITRD (the initramfs, default build/initramfs.cpio),
# XM_KERNEL (the kernel image, default build/bzImage: scripts/build-kernel.sh's copy),
# XM_TSC_KHZ (the guest's TSC frequency; measured on the host by default).
#
# XM_DISK: boot the Debian system on this ext4 disk image (virtio, /dev/vda)
# instead of the initramfs. It must pass e2fsck -n; when it is missing or
# does not, and XM_DISK_FROM names a pristine image (scripts/mkimage.sh), a
# copy of that image takes its place (a failing disk is kept as DISK.bad).
# A disk that still fails e2fsck -n is never booted. With XM_OVERLAY=1,
# XM_DISK is instead made anew as a copy-on-write overlay (qcow2, qemu-img
# create -b) of XM_DISK_FROM, which must pass e2fsck -n and is only read:
# nothing is copied, and several boots can share one image at once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=$1 log=${2:-}
kernel=${XM_KERNEL:-$EXECMARK_TOP/build/bzImage}
initrd=${XM_INITRD:-$EXECMARK_TOP/build/initramfs.cpio}
[ -f "$kernel" ] || die "no kernel at $kernel: run 'make kernel'"

append="console=ttyS0 panic=-1 oops=panic execmark.run=$mode ${XM_APPEND:-}"
# The guest's clock. Under TCG the guest's TSC is the host's; the guest
# kernel calibrates it against the emulated PIT, which fails on a busy host
# ("Marking TSC unstable due to could not calculate TSC khz": a jiffies
# clock that loses ticks) or goes wrong (70 MHz instead of 2096: a clock 30
# times too fast, whose timeouts fire early). So the host measures it
# (scripts/tsc-khz.c) and tells the guest; XM_TSC_KHZ overrides it, and
# XM_TSC_KHZ=0 leaves the guest to calibrate. no_timer_check: the IO-APIC
# timer check counts ticks over a delay that is now real time; on a busy
# host the vCPU misses them and the kernel panics ("IO-APIC + timer doesn't
# work!", seen once in ten boots), as virtual machines commonly skip it.
tsc_khz=${XM_TSC_KHZ:-}
if [ -z "$tsc_khz" ] && [ "$(uname -m)" = x86_64 ]; then
	tk=$EXECMARK_TOP/build/tsc-khz
	if [ ! -x "$tk" ] || [ "$EXECMARK_TOP/scripts/tsc-khz.c" -nt "$tk" ]; then
		mkdir -p "$(dirname "$tk")"
		# Under a name of this process's own: the pool starts two
		# boots at once, and two compilers into one file made a
		# "mv: cannot stat" in a fresh clone, or a torn program.
		cc -O2 -Wall -Wextra -Werror -std=gnu11 -o "$tk.$$" "$EXECMARK_TOP/scripts/tsc-khz.c" &&
			mv "$tk.$$" "$tk" || rm -f "$tk.$$"
	fi
	tsc_khz=$("$tk" 2>/dev/null) || tsc_khz=
	[ -n "$tsc_khz" ] || log "vm: the host's TSC frequency is unknown: the guest calibrates its clock itself"
fi
if [ -n "$tsc_khz" ] && [ "$tsc_khz" != 0 ]; then
	append="tsc_early_khz=$tsc_khz tsc=reliable no_timer_check $append"
fi
qemu=(qemu-system-x86_64 -machine q35 -cpu max -m 2048 -smp "${XM_SMP:-2}"
      -kernel "$kernel" -no-reboot ${XM_QEMU_OPTS:-})
if [ -n "${XM_DISK:-}" ] && [ -n "${XM_OVERLAY:-}" ]; then
	disk=$XM_DISK from=${XM_DISK_FROM:-}
	[ -f "$from" ] || die "no disk image at ${from:-(XM_DISK_FROM unset)}: run 'make image'"
	e2fsck -fn "$from" >/dev/null 2>&1 ||
		die "the image $from fails e2fsck -n: not booting it; 'make image' rebuilds it"
	rm -f "$disk"
	qemu-img create -q -f qcow2 -b "$(realpath "$from")" -F raw "$disk" ||
		die "vm: creating the overlay $disk of $from failed (qemu-img, package qemu-utils)"
	append="$append root=/dev/vda rw kunit.enable=0"
	qemu+=(-drive "file=$disk,if=virtio,format=qcow2")
elif [ -n "${XM_DISK:-}" ]; then
	disk=$XM_DISK from=${XM_DISK_FROM:-}
	# copy_disk: a fresh copy of the pristine image, under a temporary
	# name until complete.
	copy_disk() {
		[ -f "$from" ] || die "no disk image at ${from:-$disk}: run 'make image'"
		if ! cp --sparse=always "$from" "$disk.tmp"; then
			rm -f "$disk.tmp"
			die "vm: copying the image $from to $disk failed ($(df -h --output=avail "$(dirname "$disk")" | tail -n 1 | tr -d ' ') free there)"
		fi
		mv "$disk.tmp" "$disk"
	}
	fresh=0
	[ -f "$disk" ] || { copy_disk; fresh=1; }
	# Never boot a disk that fails e2fsck -n. A used one (make run's) is
	# kept aside as DISK.bad and replaced by a fresh copy; a fresh copy that
	# fails means that the image itself is broken.
	if ! e2fsck -fn "$disk" >/dev/null 2>&1; then
		if [ "$fresh" = 0 ]; then
			[ -f "$from" ] || die "the disk $disk fails e2fsck -n: not booting it"
			log "the disk $disk fails e2fsck -n: kept as $disk.bad, booting a fresh copy of $from"
			mv -f "$disk" "$disk.bad"
			copy_disk
		fi
		if [ "$fresh" = 1 ] || ! e2fsck -fn "$disk" >/dev/null 2>&1; then
			rm -f "$disk"
			die "the image $from fails e2fsck -n: not booting it; 'make image' rebuilds it"
		fi
	fi
	# Debian: systemd as init, KUnit not run again.
	append="$append root=/dev/vda rw kunit.enable=0"
	qemu+=(-drive "file=$disk,if=virtio,format=raw")
else
	[ -f "$initrd" ] || die "no initramfs at $initrd: run 'make initramfs'"
	qemu+=(-initrd "$initrd")
fi

if [ "$mode" = shell ]; then
	log "booting; the console is this terminal (Ctrl-A x quits QEMU)"
	exec "${qemu[@]}" -nographic -append "$append"
fi

[ -n "$log" ] || die "usage: vm.sh check|demo|bench LOG"
mkdir -p "$(dirname "$log")"
log "booting ($mode); console log: $log"
set +e
timeout --foreground -k 5 "${XM_TIMEOUT:-1500}" \
	"${qemu[@]}" -display none -monitor none -serial stdio \
	-append "$append" </dev/null | tee "$log"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" != 124 ] || { echo "execmark-host: timeout after ${XM_TIMEOUT:-1500}s" | tee -a "$log"; }
exit "$rc"
