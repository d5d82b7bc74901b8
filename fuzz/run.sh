#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the fuzz harnesses built in OUTDIR: run.sh fuzz|check OUTDIR NAME...
#
#   fuzz   each harness to FUZZ_RUNS executions (default 10,000,000), for
#          at most FUZZ_SECONDS (default 3600); prints per harness the
#          executions, exec/s and crashes, and fails unless every harness
#          ran all its executions without a crash, leak, timeout or UB.
#   check  each harness for FUZZ_SECONDS; prints one TAP result per
#          harness, for scripts/tap.py.
#
# FUZZ_JOBS harnesses (default 2) run at a time, each in a single process.
# A harness whose inputs are slow by nature (deb decompresses archives)
# has fuzz/NAME.runs, a smaller number of executions for "fuzz"; one that
# needs less time in "check" has fuzz/NAME.seconds, fewer seconds for it.
# A harness's corpus is OUTDIR/corpus/NAME (what it finds, kept between
# runs) and fuzz/corpus/NAME (the seeds and regression inputs, read only);
# its dictionary fuzz/NAME.dict and its extra libFuzzer flags
# fuzz/NAME.options, if present. Its log is OUTDIR/MODE/NAME.log; an input
# that fails it is saved in OUTDIR/MODE/artifacts/NAME/ (MODE is fuzz or
# check, so that both may run at once).
set -u

mode=$1 bin=$2
out=$2/$1
shift 2
here=$(cd "$(dirname "$0")" && pwd)
runs=${FUZZ_RUNS:-10000000}
secs=${FUZZ_SECONDS:-3600}
jobs=${FUZZ_JOBS:-2}

# The executions "fuzz" asks of harness $1: FUZZ_RUNS, or its NAME.runs if less.
runs_of() {
	local r=$runs
	if [ -f "$here/$1.runs" ] && [ "$(cat "$here/$1.runs")" -lt "$r" ]; then
		r=$(cat "$here/$1.runs")
	fi
	echo "$r"
}

# The seconds "check" gives harness $1: FUZZ_SECONDS, or its NAME.seconds if less.
secs_of() {
	local s=$secs
	if [ "$mode" = check ] && [ -f "$here/$1.seconds" ] &&
	   [ "$(cat "$here/$1.seconds")" -lt "$s" ]; then
		s=$(cat "$here/$1.seconds")
	fi
	echo "$s"
}

run_one() {
	local name=$1 args=() extra=() t0 t1
	mkdir -p "$bin/corpus/$name" "$out/artifacts/$name"
	rm -f "$out/artifacts/$name"/*
	[ -f "$here/$name.dict" ] && args+=("-dict=$here/$name.dict")
	if [ -f "$here/$name.options" ]; then
		read -ra extra < "$here/$name.options"
		args+=("${extra[@]}")
	fi
	[ "$mode" = fuzz ] && args+=("-runs=$(runs_of "$name")")
	t0=$(date +%s.%N)
	"$bin/$name" "${args[@]}" -max_total_time="$(secs_of "$name")" -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$name/" \
		"$bin/corpus/$name" "$here/corpus/$name" >"$out/$name.log" 2>&1
	echo "$? $(date +%s.%N) $t0" >"$out/$name.rc"
}

# At most $jobs at a time.
for name in "$@"; do
	[ -x "$bin/$name" ] || { echo "run.sh: no harness $bin/$name" >&2; exit 2; }
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
	[ "$mode" = fuzz ] && echo "fuzz $name: running (log: $out/$name.log)"
	run_one "$name" &
done
wait

[ "$mode" = check ] && echo "TAP version 13"
i=0 failed=0
for name in "$@"; do
	i=$((i + 1))
	read -r rc t1 t0 <"$out/$name.rc"
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log")
	n=${n:-0}
	rate=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", n / (b - a) }')
	crashes=$(find "$out/artifacts/$name" -type f | wc -l)
	why=
	if [ "$rc" != 0 ] || [ "$crashes" != 0 ]; then
		why="exit status $rc"
	elif [ "$mode" = fuzz ] && [ "$n" -lt "$(runs_of "$name")" ]; then
		why="stopped by FUZZ_SECONDS=$secs before $(runs_of "$name") executions"
	fi
	summary="$n executions, $rate exec/s, $crashes crashes"
	if [ "$mode" = check ]; then
		if [ -z "$why" ]; then
			echo "ok $i - fuzz/$name # $summary"
		else
			echo "not ok $i - fuzz/$name # $summary: $why"
		fi
	else
		echo "fuzz $name: $summary${why:+ -- FAILED: $why}"
	fi
	[ -z "$why" ] && continue
	failed=$((failed + 1))
	# What went wrong, and how to see it again.
	{
		grep -E -A12 'ERROR: |runtime error|property failed|kcompat:' \
			"$out/$name.log" | head -40
		for a in "$out/artifacts/$name"/*; do
			[ -f "$a" ] || continue
			echo "input: $a"
			echo "reproduce: $bin/$name $a"
			"$bin/$name" "$a" 2>&1 | grep -E 'property failed|ERROR: |runtime error|kcompat:' | head -3
		done
	} | sed 's/^/# /'
done
[ "$mode" = check ] && echo "1..$i"
[ "$failed" = 0 ]
