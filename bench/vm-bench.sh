#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (make bench): execmark's cost on exec against mode off
# and against IMA appraisal of the same content, side by side in one boot,
# interleaved rounds, medians. Booted with -icount shift=0: guest
# nanoseconds are executed instructions, so the figures are ratios of
# instruction counts, not wall-clock times.
L=/usr/lib/execmark/bench/execloop
M=/sys/kernel/security/execmark/mode
IMA=/sys/kernel/security/ima/policy
ROUNDS=${ROUNDS:-7}
N=${N:-200}
D=/tmp/bench
FOWNER=4242		# IMA's policy appraises the files of this owner only
mkdir -p $D && mount -t tmpfs tmpfs $D
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }
# security.ima as evmctl ima_hash writes it: IMA_XATTR_DIGEST_NG, sha256.
ima_hash() {
	python3 -c 'import hashlib, os, sys
p = sys.argv[1]
os.setxattr(p, "security.ima", b"\x04\x04" + hashlib.sha256(open(p, "rb").read()).digest())' "$1"
}

echo "execmark bench: guest time under qemu -icount shift=0 (instructions), medians of $ROUNDS interleaved rounds"
cp /usr/bin/busybox $D/true
if [ ! -f $M ]; then
	# A boot without execmark in lsm=: only the baseline.
	for r in $(seq $ROUNDS); do $L $N $D/true; done | median >$D/base
	echo "bench: warm exec, execmark not in lsm=: $(cat $D/base) instructions per fork+exec"
	exit 0
fi

# The same binary three times: marked for execmark, hashed for IMA (its
# owner is in IMA's policy), and as a plain copy.
execmark mark $D/true 2>/dev/null
mkdir $D/ima && cp /usr/bin/busybox $D/ima/true && chown $FOWNER $D/ima/true
ima_hash $D/ima/true
printf 'appraise func=BPRM_CHECK fowner=%s\nappraise func=MMAP_CHECK fowner=%s\n' \
	$FOWNER $FOWNER >$IMA || echo "bench: cannot load an IMA policy"

: >$D/off; : >$D/enforce; : >$D/ima.t
for r in $(seq $ROUNDS); do
	echo off >$M; $L $N $D/true >>$D/off
	echo enforce >$M; $L $N $D/true >>$D/enforce
	echo off >$M; $L $N $D/ima/true >>$D/ima.t
done
off=$(median <$D/off) enf=$(median <$D/enforce) ima=$(median <$D/ima.t)
echo "bench: warm exec, mode off: $off instructions per fork+exec"
echo "bench: warm exec, mode enforce: $enf instructions per fork+exec"
echo "bench: warm exec, IMA appraisal (execmark off): $ima instructions per fork+exec"
echo "bench: ratio warm exec enforce/off: $(ratio $enf $off) (goal <= 1.005)"
echo "bench: ratio warm exec IMA/off: $(ratio $ima $off)"

# First exec of a 64 MiB file (busybox with 64 MiB appended): each round
# gives both a new mark / a new security.ima, so the next exec hashes.
cp /usr/bin/busybox $D/big && dd if=/dev/zero bs=1M count=64 2>/dev/null >>$D/big
cp $D/big $D/ima/big && chown $FOWNER $D/ima/big
mv $D/big $D/true && mv $D/ima/big $D/ima/true
: >$D/first; : >$D/ifirst
for r in 1 2 3; do
	execmark unmark $D/true; execmark mark $D/true 2>/dev/null
	echo enforce >$M; $L 1 $D/true >>$D/first
	ima_hash $D/ima/true
	echo off >$M; $L 1 $D/ima/true >>$D/ifirst
done
echo enforce >$M; warm=$($L 20 $D/true)
echo permissive >$M
first=$(median <$D/first) ifirst=$(median <$D/ifirst)
perbyte() { awk -v f="$1" -v w="$warm" 'BEGIN { printf "%.1f", (f - w) / 67108864 }'; }
echo "bench: first exec of a 64 MiB file, execmark: $first instructions ($(perbyte $first) per byte)"
echo "bench: first exec of a 64 MiB file, IMA: $ifirst instructions ($(perbyte $ifirst) per byte)"
echo "bench: ratio first exec 64 MiB execmark/IMA: $(ratio $first $ifirst) (goal <= 1.0)"

# --- execmark-python (issue 5): import of 200 standard-library modules,
# execmark-python against the stock python3 (bench/python-bench.sh).
[ -x /usr/lib/execmark/bench/python-bench.sh ] && /usr/lib/execmark/bench/python-bench.sh
# --- end execmark-python ---
