#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the selftests in the VM and print one TAP document: each program's
# own TAP output nested (indented) under its result line.
#   run-tests.sh [NAME[,NAME...]]     only the named programs
set -o pipefail
dir=/usr/lib/execmark/selftests
timeout=${XM_TEST_TIMEOUT:-600}

# Keep kernel messages off the console while the TAP is printed; the
# kernel log is dumped at the end for the host to scan.
dmesg -n 1

# lock_test locks the mode until reboot: it runs last.
list= last=
for t in "$dir"/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=${t##*/}
	if [ -n "$1" ]; then
		case ",$1," in *",$name,"*) ;; *) continue ;; esac
	fi
	if [ "$name" = lock_test ]; then
		last=$name
	else
		list="$list $name"
	fi
done
list="$list $last"
set -- $list
echo "TAP version 13"
echo "1..$#"
i=0
for name; do
	i=$((i + 1))
	echo "    # Subtest: $name"
	(cd /tmp && timeout "$timeout" "$dir/$name" 2>&1) </dev/null | sed 's/^/    /'
	rc=$?
	if [ $rc = 0 ]; then
		echo "ok $i $name"
	elif [ $rc = 4 ]; then
		echo "ok $i $name # SKIP"
	else
		echo "not ok $i $name # exit status $rc"
	fi
done
echo "execmark-dmesg-begin"
dmesg
echo "execmark-dmesg-end"
