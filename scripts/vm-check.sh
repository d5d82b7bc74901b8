#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The VM boots of "make check": one boot runs KUnit and the selftest
# programs; each program that leaves the system changed until reboot
# (lock_test locks the mode) then runs alone, in a short boot of its own,
# so that no test depends on running last.
#
#   vm-check.sh LOGDIR     consoles in LOGDIR/check.log and
#                          LOGDIR/check-NAME.log; LOGDIR/check.logs lists them
#
# Environment: XM_TESTS, the selftest programs to run (comma-separated;
# all if empty); and what scripts/vm.sh takes.
#
# Then the system tests (scripts/vm/debian/system-tests.sh) boot the Debian
# image XM_IMAGE twice, on one fresh copy of it, in enforce mode:
# check-debian-first.log and check-debian-second.log. They run when
# XM_IMAGE is set and XM_TESTS is empty or names "debian".
set -euo pipefail

OWN_BOOT="lock_test"

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

rm -f "$dir"/check.log "$dir"/check-*.log
logs=$dir/check.log
for t in $own; do logs="$logs $dir/check-$t.log"; done
debian=
if [ -n "${XM_IMAGE:-}" ] && { [ -z "$tests" ] || [[ ",$tests," == *",debian,"* ]]; }; then
	debian="first second"
	logs="$logs $dir/check-debian-first.log $dir/check-debian-second.log"
	if [ "$tests" = debian ]; then tests=- shared=-; own=; fi
fi
printf '%s\n' $logs >"$dir/check.logs"

# KUnit and the shared programs ("-": none, when only own-boot programs
# are named: the boot still runs KUnit).
skip=$(echo $OWN_BOOT | tr ' ' ,)
if [ -n "$tests" ] && [ -z "$shared" ]; then
	shared=-
fi
rc=0
XM_APPEND="$append execmark.tests=$shared execmark.skip=$skip" \
	"$vm" check "$dir/check.log" >/dev/null || rc=$?
for t in $own; do
	XM_APPEND="$append execmark.tests=$t kunit.enable=0" \
		"$vm" check "$dir/check-$t.log" >/dev/null || rc=$?
done

# The Debian system: both boots on one fresh copy of the image; no login
# on the console, only the tests' TAP.
if [ -n "$debian" ]; then
	disk=$(dirname "$XM_IMAGE")/check.img
	rm -f "$disk"
	for b in $debian; do
		XM_DISK=$disk XM_DISK_FROM=$XM_IMAGE XM_TIMEOUT=${XM_DEBIAN_TIMEOUT:-600} \
		XM_APPEND="$append execmark.mode=enforce execmark.boot=$b systemd.show_status=false systemd.mask=serial-getty@ttyS0.service" \
			"$vm" check "$dir/check-debian-$b.log" >/dev/null || rc=$?
		sed -n 's/^execmark-boot-time: /debian boot time: /p' "$dir/check-debian-$b.log" | tr -d '\r'
	done
	rm -f "$disk"
fi
exit $rc
