#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the selftests in the VM and print one TAP document: each program's
# own TAP output nested (indented) under its result line.
#   run-tests.sh [NAMES [SKIP]]   only the programs NAMES names (all if it
#                                 is empty, none if it is "-"), but none
#                                 that SKIP names (both comma-separated)
set -o pipefail
dir=/usr/lib/execmark/selftests
timeout=${XM_TEST_TIMEOUT:-600}

# Keep kernel messages off the console while the TAP is printed; the
# kernel log is dumped at the end for the host to scan.
dmesg -n 1

run_tests() {
	list=
	for t in "$dir"/*; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		name=${t##*/}
		if [ -n "${1:-}" ]; then
			case ",$1," in *",$name,"*) ;; *) continue ;; esac
		fi
		case ",${2:-}," in *",$name,"*) continue ;; esac
		list="$list $name"
	done
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
}
[ "${1:-}" = - ] || run_tests "$@"
echo "execmark-dmesg-begin"
dmesg
echo "execmark-dmesg-end"
