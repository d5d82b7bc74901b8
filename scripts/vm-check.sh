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
exit $rc
