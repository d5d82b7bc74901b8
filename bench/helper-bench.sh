#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Benchmark of the execmark helper (a benchmark, not a test: it prints
# numbers and ratios against the goals and exits 0 unless something fails
# to run). Needs root (tmpfs, security.* xattrs), evmctl (ima-evm-utils)
# and openssl.
#
#   bench/helper-bench.sh [/path/to/execmark] [SOURCE_DIR]
#
# Over one copy of SOURCE_DIR (default /usr/lib/x86_64-linux-gnu) on a
# tmpfs, side by side:
#   execmark mark -r -j1   vs   execmark mark -r (all CPUs)   vs
#   evmctl ima_hash -r (sha256)
# and on one large file:
#   openssl dgst -sha256   vs   execmark mark -j1
# Each figure is the best of 3 runs; marks are removed before each run, so
# that every run does the same work. Goals: all CPUs <= 0.6 x -j1 (on 2 CPUs); execmark <= 0.5 x evmctl;
# -j1 throughput on one large file >= 0.9 x openssl dgst.

set -eu

E=${1:-$(dirname "$0")/../helper/build/execmark}
SRC=${2:-/usr/lib/x86_64-linux-gnu}
BIGMB=${BIGMB:-1024}

for tool in "$E" evmctl openssl; do
	command -v "$tool" >/dev/null 2>&1 || { echo "missing: $tool" >&2; exit 2; }
done

W=$(mktemp -d "${TMPDIR:-/var/tmp}/execmark-bench.XXXXXX")
cleanup() {
	umount "$W/t" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir "$W/t"
mount -t tmpfs -o size=$(( $(du -sm "$SRC" | cut -f1) * 2 + BIGMB + 512 ))m \
	execmark-bench "$W/t"
cp -a "$SRC" "$W/t/tree"
dd if=/dev/urandom of="$W/t/big" bs=1048576 count="$BIGMB" 2>/dev/null

files=$(find "$W/t/tree" -type f | wc -l)
bytes=$(du -sb "$W/t/tree" | cut -f1)
echo "tree: $SRC, $files files, $((bytes / 1048576)) MiB on tmpfs; $(nproc) CPUs"

now() { date +%s.%N; }
# secs CMD...: run CMD quietly, print its wall time in seconds
secs() {
	t0=$(now)
	"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 2; }
	t1=$(now)
	echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }'
}
unmark_all() {
	"$E" unmark -r "$W/t/tree" "$W/t/big" >/dev/null 2>&1 || true
}
# best CMD...: the best of 3 runs, marks removed before each
best() {
	b=""
	for i in 1 2 3; do
		unmark_all
		t=$(secs "$@")
		b=$(echo "$t ${b:-$t}" | awk '{ print ($1 < $2) ? $1 : $2 }')
	done
	echo "$b"
}
ratio() { echo "$1 $2" | awk '{ printf "%.2f", $1 / $2 }'; }
verdict() {	# verdict VALUE OP GOAL
	echo "$1 $3" | awk -v op="$2" '{ ok = op == "<=" ? $1 <= $2 : $1 >= $2;
		printf "%s", ok ? "met" : "NOT met" }'
}

# Warm the page cache and the binaries once.
unmark_all
secs "$E" mark -r "$W/t/tree" >/dev/null
unmark_all

t_j1=$(best "$E" mark -r -j1 "$W/t/tree")
t_all=$(best "$E" mark -r "$W/t/tree")
t_evm=$(best evmctl ima_hash -a sha256 -r "$W/t/tree")
t_ssl=$(best openssl dgst -sha256 "$W/t/big")
t_big=$(best "$E" mark -j1 "$W/t/big")
echo
printf '%-34s %8s s\n' "execmark mark -r -j1" "$t_j1"
printf '%-34s %8s s\n' "execmark mark -r (all CPUs)" "$t_all"
printf '%-34s %8s s\n' "evmctl ima_hash -r" "$t_evm"
printf '%-34s %8s s  (%s MiB)\n' "openssl dgst -sha256 (one file)" "$t_ssl" "$BIGMB"
printf '%-34s %8s s  (%s MiB)\n' "execmark mark -j1 (one file)" "$t_big" "$BIGMB"
echo

r1=$(ratio "$t_all" "$t_j1")
r2=$(ratio "$t_all" "$t_evm")
r3=$(ratio "$t_ssl" "$t_big")
echo "all CPUs / -j1:              $r1  (goal <= 0.60 on 2 CPUs: $(verdict "$r1" "<=" 0.6))"
echo "execmark (all CPUs) / evmctl: $r2  (goal <= 0.50: $(verdict "$r2" "<=" 0.5))"
echo "one file, throughput -j1 / openssl: $r3  (goal >= 0.90: $(verdict "$r3" ">=" 0.9))"
