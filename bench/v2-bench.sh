#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Marks v2 in the benchmark's VM (called by vm-bench.sh, after its table;
# alone with BENCH=v2 on the kernel command line: make -C bench run-v2).
# Instruction counts, medians of interleaved rounds, as vm-bench.sh.
#
# On ext4 with fs-verity (a loop device on tmpfs): first exec of a 64 MiB
# and a 1 GiB program (tiny, then a hole) with a verity mark, unsigned and
# signed, against mode off, beside the same programs with a v1 mark
# (execmark mark: the whole file's SHA-256 at the first exec) and the 64
# MiB program with a v2 content mark; cold exec of 200 small programs with signed against unsigned v2 content
# marks; warm exec of a program with a signed verity mark against off.
# "First" and "cold": each file's mark is written again (v2mark touch, or
# v2mark mark for the verity files, which alternate between an unsigned
# and a signed mark) before the measured exec, so the kernel judges it
# afresh; the page cache is warm in both columns.
. /usr/lib/execmark/vmlib.sh
B=/usr/lib/execmark/bench
ROUNDS=${ROUNDS:-5}
BIGROUNDS=${BIGROUNDS:-3}
V1ROUNDS=${V1ROUNDS:-1}	# rounds of the 1 GiB file's v1 mark
N=${N:-200}
NS=${NS:-200}		# small programs, cold
V=/tmp/bench-v2
mkdir -p $V && mount -t tmpfs tmpfs $V || { echo "bench: v2: no tmpfs"; exit 0; }
mkdir -p $V/mnt $V/keys
truncate -s 1536M $V/img
if ! /usr/sbin/mke2fs -q -F -t ext4 -b 4096 -O verity,^metadata_csum $V/img ||
   ! mount -o loop $V/img $V/mnt; then
	echo "bench: v2: cannot make ext4 with verity: not measured"; exit 0
fi
M=$V/mnt
$B/v2mark enrol $V/keys || { echo "bench: v2: cannot enrol a key: not measured"; exit 0; }
mkdir -p $M/v $M/vs $M/c $M/v1 $M/su $M/ss
# One file of each size with fs-verity, marked unsigned or signed before
# each measured exec (enabling fs-verity on 1 GiB hashes all of it: once).
cp $B/tiny $M/v/big64 && truncate -s 64M $M/v/big64
cp $B/tiny $M/v/big1g && truncate -s 1G $M/v/big1g
cp /usr/bin/busybox $M/vs/true
chmod 0755 $M/v/* $M/vs/true
$B/v2mark verity $M/v/big64 $M/v/big1g $M/vs/true
cp $B/tiny $M/c/big64 && truncate -s 64M $M/c/big64 && chmod 0755 $M/c/big64
cp $B/tiny $M/v1/big64 && truncate -s 64M $M/v1/big64
cp $B/tiny $M/v1/big1g && truncate -s 1G $M/v1/big1g
chmod 0755 $M/v1/*
execmark mark $M/v1/big64 $M/v1/big1g >/dev/null || echo "bench: v2: execmark mark of the v1 files failed"
$B/v2mark mark verity -s $V/keys $M/vs/true
$B/v2mark mark content $M/c/big64
i=0
while [ $i -lt $NS ]; do
	for d in su ss; do
		{ cat $B/tiny; echo $i; } >$M/$d/$i && chmod 0755 $M/$d/$i
	done
	i=$((i + 1))
done
$B/v2mark mark content $M/su/[0-9]*
$B/v2mark mark content -s $V/keys $M/ss/[0-9]*

# m MODE ROW COMMAND...: append COMMAND's figure to ROW.MODE.
m() { c=$1 row=$2; shift 2; "$@" >>$V/$row.$c 2>/dev/null || echo "bench: v2 $row/$c: '$*' failed" >&2; }
for r in $(seq $BIGROUNDS); do
	for c in off enforce; do
		set_mode $c
		for z in big64 big1g; do
			$B/v2mark mark verity $M/v/$z
			m $c vu$z $B/execloop 1 $M/v/$z
			$B/v2mark mark verity -s $V/keys $M/v/$z
			m $c vs$z $B/execloop 1 $M/v/$z
			# v1 of 1 GiB: the kernel hashes all of it (34e9
			# instructions); V1ROUNDS rounds of it.
			[ $z = big1g ] && [ $r -gt $V1ROUNDS ] && continue
			$B/v2mark touch $M/v1/$z
			m $c v1$z $B/execloop 1 $M/v1/$z
		done
		$B/v2mark touch $M/c/big64
		m $c cbig64 $B/execloop 1 $M/c/big64
	done
done
for r in $(seq $ROUNDS); do
	for c in off enforce; do
		set_mode $c
		for d in su ss; do
			$B/v2mark touch $M/$d/[0-9]*
			m $c cold$d $B/execloop $NS $M/$d/%d
		done
		$B/execloop 1 $M/vs/true >/dev/null
		m $c warmvs $B/execloop $N $M/vs/true
	done
done
# Where a signed mark's time goes: one more cold pass of the signed
# programs with execmark's counters read around it (signature checks,
# signatures found in the cache of verified signatures -- the marks were
# written again with the same bytes, so all but a first pass find theirs
# -- and hashes per exec), and the kernel's RSA-2048 verification alone
# (keyctl KEYCTL_PKEY_VERIFY with the same key): what a signature never
# verified before costs, ROUNDS times 20.
xmstat() { awk -v k=$1 '$1 == k { print $2 }' $XM_SECFS/stats; }
set_mode enforce
$B/v2mark touch $M/ss/[0-9]*
s0=$(xmstat sig_checks) h0=$(xmstat hashes) c0=$(xmstat sig_cache_hits)
$B/execloop $NS $M/ss/%d >/dev/null
s1=$(xmstat sig_checks) h1=$(xmstat hashes) c1=$(xmstat sig_cache_hits)
for r in $(seq $ROUNDS); do $B/v2mark rsaverify $V/keys 20 >>$V/rsa; done
set_mode off

med() { f=$V/$1${2:+.$2}; [ -s $f ] && median <$f || echo -; }
row() {
	printf 'bench: %-44s %11s %11s %9s\n' "$2" "$(med $1 off)" "$(med $1 enforce)" \
		"$(ratio "$(med $1 enforce)" "$(med $1 off)")"
}
echo "bench: marks v2, on ext4 with fs-verity; medians of $ROUNDS rounds ($BIGROUNDS for the large files, $V1ROUNDS for the 1 GiB v1 mark); instructions per unit"
printf 'bench: %-44s %11s %11s %9s\n' scenario off enforce enf/off
row vubig64 "first exec of 64 MiB, verity (per exec)"
row vsbig64 "first exec of 64 MiB, verity signed (per exec)"
row cbig64 "first exec of 64 MiB, v2 content sha256"
row v1big64 "first exec of 64 MiB, v1 mark sha256"
row vubig1g "first exec of 1 GiB, verity (per exec)"
row vsbig1g "first exec of 1 GiB, verity signed (per exec)"
row v1big1g "first exec of 1 GiB, v1 mark sha256"
row coldsu "cold exec of $NS programs, unsigned (per exec)"
row coldss "cold exec of $NS programs, signed (per exec)"
row warmvs "warm exec, verity signed (per exec)"
sigcost=$(awk -v a="$(med coldss enforce)" -v b="$(med coldsu enforce)" 'BEGIN { print a - b }')
echo "bench: signed against unsigned mark, cold exec: $sigcost instructions more per exec; per exec $(awk -v d=$((${s1:-0} - ${s0:-0})) -v n=$NS 'BEGIN { printf "%.2f", d / n }') signature checks, $(awk -v d=$((${c1:-0} - ${c0:-0})) -v n=$NS 'BEGIN { printf "%.2f", d / n }') signatures found verified and $(awk -v d=$((${h1:-0} - ${h0:-0})) -v n=$NS 'BEGIN { printf "%.2f", d / n }') hashes (execmark's stats); the kernel's RSA-2048 verification alone (keyctl pkey_verify): $(med rsa '') instructions"
goal() {	# goal TEXT A B MAX: met when A / B <= MAX
	a=$2 b=$3
	[ "$a" = - ] || [ "$b" = - ] && { printf 'bench: goal %-52s not measured\n' "$1"; return; }
	awk -v t="$1" -v a="$a" -v b="$b" -v m="$4" 'BEGIN {
		printf "bench: goal %-52s %9.4f %s\n", t, a / b, a / b <= m ? "met" : "missed" }'
}
goal "verity/off, first exec of 64 MiB (<= 1.05)" "$(med vubig64 enforce)" "$(med vubig64 off)" 1.05
goal "verity signed/off, first exec of 64 MiB (<= 1.05)" "$(med vsbig64 enforce)" "$(med vsbig64 off)" 1.05
goal "verity/off, first exec of 1 GiB (<= 1.05)" "$(med vubig1g enforce)" "$(med vubig1g off)" 1.05
goal "verity signed/off, first exec of 1 GiB (<= 1.05)" "$(med vsbig1g enforce)" "$(med vsbig1g off)" 1.05
goal "signed/unsigned, cold exec of a small program (<= 1.10)" "$(med coldss enforce)" "$(med coldsu enforce)" 1.10
goal "enforce/off, warm exec, verity signed (<= 1.002)" "$(med warmvs enforce)" "$(med warmvs off)" 1.002
# IMA beside them: IMA (7.2) appraises an fs-verity digest only as a
# signature (digest_type=verity requires appraise_type=sigv3), which needs
# CONFIG_INTEGRITY_SIGNATURE and a key on the .ima keyring; the test
# kernel has neither (scripts/kernel.config), and bookworm's evmctl (1.4)
# cannot make sigv3 signatures (sign_hash --veritysig came in 1.5); so
# only its whole-file hash is measured (vm-bench.sh, the 64 MiB rows).
echo "bench: IMA with a verity-digest policy: not measured (IMA appraises verity digests only as sigv3 signatures; the test kernel has no CONFIG_INTEGRITY_SIGNATURE, and bookworm's evmctl 1.4 cannot sign verity digests)"
umount $M
umount $V
