#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (make bench): execmark's cost on exec, side by side in
# one boot, A/B interleaved, medians. Booted with -icount shift=0: guest
# nanoseconds are executed instructions, so the figures are ratios of
# instruction counts, not wall-clock times.
L=/usr/lib/execmark/bench/execloop
M=/sys/kernel/security/execmark/mode
ROUNDS=${ROUNDS:-7}
N=${N:-200}
D=/tmp/bench
mkdir -p $D && mount -t tmpfs tmpfs $D
cp /usr/bin/busybox $D/true
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }

echo "execmark bench: guest time under qemu -icount shift=0 (instructions), medians of $ROUNDS interleaved rounds"
if [ ! -f $M ]; then
	# A boot without execmark in lsm=: only the baseline.
	for r in $(seq $ROUNDS); do $L $N $D/true; done | median >$D/base
	echo "bench: warm exec, execmark not in lsm=: $(cat $D/base) instructions per fork+exec"
	exit 0
fi
execmark mark $D/true 2>/dev/null
: >$D/off; : >$D/enforce
for r in $(seq $ROUNDS); do
	for mode in off enforce; do
		echo $mode >$M
		$L $N $D/true >>$D/$mode
	done
done
echo permissive >$M
off=$(median <$D/off) enf=$(median <$D/enforce)
echo "bench: warm exec, mode off: $off instructions per fork+exec"
echo "bench: warm exec, mode enforce: $enf instructions per fork+exec"
echo "bench: ratio warm exec enforce/off: $(ratio $enf $off) (goal <= 1.005)"

# First exec of a 64 MiB marked file: busybox with 64 MiB appended.
cp /usr/bin/busybox $D/big
dd if=/dev/zero bs=1M count=64 2>/dev/null >>$D/big
mv $D/big $D/true
echo enforce >$M
: >$D/first
for r in $(seq 3); do
	execmark unmark $D/true; execmark mark $D/true 2>/dev/null	# the next exec hashes
	$L 1 $D/true >>$D/first
done
warm=$($L 20 $D/true)
echo permissive >$M
first=$(median <$D/first)
echo "bench: first exec of a 64 MiB marked file: $first instructions ($(awk -v f="$first" -v w="$warm" 'BEGIN { printf "%.1f", (f - w) / 67108864 }') per byte hashed)"
