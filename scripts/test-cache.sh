#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# test-cache.sh NAME INPUT... -- COMMAND...
#
# Runs a host test suite (COMMAND, which prints TAP), or prints the TAP of
# its last run again when that run passed and every INPUT (files, or
# directories: every file under them) and COMMAND are byte for byte what
# they were then, as `go test` caches its results. The inputs are what the
# suite runs and reads: the built programs and the test scripts, not their
# sources (the build before decides whether a program changed). A result
# printed again says so in a first line "# cached: ...", which tap.py
# counts. Only a run that exits 0 is kept; FRESH=1 runs the suite anyway.
#
# The cache is $TEST_CACHE (build/test-cache): NAME.key, NAME.tap, NAME.when.
# What a suite reads from the machine (the host's tools, its kernel) is not
# in the key: after an upgrade of those, make check FRESH=1.
set -u

[ $# -ge 3 ] || { echo "usage: test-cache.sh NAME INPUT... -- COMMAND..." >&2; exit 2; }
name=$1
shift
inputs=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	inputs="$inputs $1"
	shift
done
[ "${1:-}" = -- ] && [ $# -ge 2 ] ||
	{ echo "test-cache.sh: $name: no command after --" >&2; exit 2; }
shift
dir=${TEST_CACHE:-build/test-cache}
mkdir -p "$dir" || exit 2

# The key: the command line, then the name and SHA-256 of every input file
# in a fixed order; a missing input is part of it too (find says so).
# shellcheck disable=SC2086 # $inputs: a list of paths without blanks
key=$({
	printf '%s\n' "$*"
	find $inputs -type f -print0 2>&1 | sort -z | xargs -0 -r sha256sum 2>&1
} | sha256sum | cut -d' ' -f1)

if [ "${FRESH:-0}" != 1 ] && [ -s "$dir/$name.tap" ] && [ -s "$dir/$name.when" ] &&
   [ "$(cat "$dir/$name.key" 2>/dev/null)" = "$key" ]; then
	echo "# cached: $name: the result of the run at $(cat "$dir/$name.when"), whose programs and tests are these (make check FRESH=1 runs it again)"
	cat "$dir/$name.tap"
	exit 0
fi

rm -f "$dir/$name.key" "$dir/$name.tap" "$dir/$name.when"
tmp=$dir/$name.tap.tmp
when=$(date '+%Y-%m-%d %H:%M:%S')
{ "$@" 2>&1; echo $? >"$tmp.rc"; } | tee "$tmp"
rc=$(cat "$tmp.rc" 2>/dev/null || echo 1)
rm -f "$tmp.rc"
if [ "$rc" = 0 ]; then
	mv "$tmp" "$dir/$name.tap" && echo "$when" >"$dir/$name.when" &&
		echo "$key" >"$dir/$name.key"
else
	rm -f "$tmp"
fi
exit "$rc"
