#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (make bench): execmark against mode off, IMA appraisal
# and fapolicyd on the same scenarios, in one boot. Booted with -icount
# shift=0: guest nanoseconds are executed instructions, so the figures are
# instruction counts and their ratios, not wall-clock times.
#
# Columns: off and enforce run on tree $D/p (marked with execmark mark);
# IMA runs with execmark off on tree $D/i, a copy owned by $FOWNER (IMA's
# policy appraises that owner's files only), hashed with evmctl ima_hash;
# fapolicyd runs with execmark off on $D/p, trusting its programs by
# sha256 (fapolicyd-cli --file add). Each round runs every column in turn
# (A/B interleaved), fapolicyd started before its turn and stopped after.
. /usr/lib/execmark/vmlib.sh
B=/usr/lib/execmark/bench
ROUNDS=${ROUNDS:-5}	# interleaved rounds; medians
BIGROUNDS=${BIGROUNDS:-3}	# rounds of the 64 MiB first exec
N=${N:-200}		# execs per warm measurement
NF=${NF:-1000}		# distinct binaries, data files
D=/tmp/bench
FOWNER=4242
COLS="off enforce ima fapolicyd"
mkdir -p $D && mount -t tmpfs tmpfs $D
# No address space randomisation: where the stack and mappings land changes
# the page-table work of fork and exit, which moved whole passes of the
# same loop by up to 1.5% (0.1% without it). Every column runs this way.
echo 0 >/proc/sys/kernel/randomize_va_space

echo "execmark bench: instruction counts under qemu -icount shift=0,sleep=off -smp 1, not wall-clock; ASLR off"
# IMA's policy (appraise the files of $FOWNER only) is loaded in both boots:
# with a policy, IMA looks each exec and mapping up in it.
printf 'appraise func=BPRM_CHECK fowner=%s\nappraise func=MMAP_CHECK fowner=%s\n' \
	$FOWNER $FOWNER >/sys/kernel/security/ima/policy ||
	echo "bench: IMA: cannot load a policy"

# BENCH=python on the kernel command line (make -C bench run-python): the
# execmark-python benchmark alone, in this boot, under the same conditions
# (ASLR off, IMA's policy loaded) as at the end of the full run.
if [ "${BENCH:-}" = python ]; then
	/usr/lib/execmark/bench/python-bench.sh
	exit 0
fi
# BENCH=v2 (make -C bench run-v2): the marks v2 rows alone (v2-bench.sh).
if [ "${BENCH:-}" = v2 ]; then
	/usr/lib/execmark/bench/v2-bench.sh
	exit 0
fi

# Mode off against a kernel without execmark in lsm= (make bench's second
# boot): the same loop at the same point of both boots, before anything
# else has run.
[ -f $XM_SECFS/mode ] && set_mode off
cp /usr/bin/busybox $D/true	# busybox runs the applet named by argv[0]
for r in $(seq $ROUNDS); do $B/execloop $N $D/true; done | median >$D/base.n
if [ ! -f $XM_SECFS/mode ]; then
	echo "bench: warm exec, execmark not in lsm=: $(cat $D/base.n) instructions per fork+exec"
	exit 0
fi
echo "bench: warm exec, execmark off, first thing in the boot: $(cat $D/base.n) instructions per fork+exec"

# tree DIR: the benchmark's files. true: busybox; bin/0..: distinct small
# programs; libprog and libs/: a program that loads 20 libraries; big: a
# 64 MiB program (tiny and 64 MiB of zeros); data/0..: unmarked 4 KiB data files.
tree() {
	mkdir -p $1/bin $1/data
	cp /usr/bin/busybox $1/true
	cp -r $B/libprog $B/libs $1/
	{ cat $B/tiny; dd if=/dev/zero bs=1M count=64 2>/dev/null; } >$1/big
	chmod 0755 $1/big
	i=0
	while [ $i -lt $NF ]; do
		{ cat $B/tiny; echo $i; } >$1/bin/$i && chmod 0755 $1/bin/$i
		dd if=/dev/urandom of=$1/data/$i bs=4096 count=1 2>/dev/null
		i=$((i + 1))
	done
}
tree $D/p
tree $D/i && chown -R $FOWNER $D/i
execmark mark -r $D/p/true $D/p/bin $D/p/libprog $D/p/libs $D/p/big 2>/dev/null
ima_hash $D/i/true $D/i/bin $D/i/libprog $D/i/libs $D/i/big
# fapolicyd: integrity = sha256, trust from the file backend only, only
# tmpfs watched (the image's root file system is rootfs: not watched), the
# upstream sample rules for ELF files.
FAPD=
fapd_setup() {
	command -v fapolicyd >/dev/null || { FAPD="not in the image"; return; }
	mkdir -p /run/fapolicyd && chown fapolicyd:fapolicyd /run/fapolicyd /var/lib/fapolicyd
	cat >/etc/fapolicyd/fapolicyd.conf <<-EOF
	permissive = 0
	nice_val = 0
	q_size = 640
	uid = fapolicyd
	gid = fapolicyd
	do_stat_report = 0
	detailed_report = 0
	db_max_size = 50
	subj_cache_size = 1549
	obj_cache_size = 8191
	watch_fs = tmpfs
	trust = file
	integrity = sha256
	syslog_format = rule,dec,perm,auid,pid,exe,:,path,ftype,trust
	rpm_sha256_only = 0
	allow_filesystem_mark = 0
	EOF
	cat >/etc/fapolicyd/compiled.rules <<-EOF
	deny_audit perm=any pattern=ld_so : all
	deny_audit perm=any all : ftype=application/x-bad-elf
	allow perm=open all : ftype=application/x-sharedlib trust=1
	deny_audit perm=open all : ftype=application/x-sharedlib
	allow perm=execute all : trust=1
	deny_audit perm=execute all : all
	allow perm=open all : all
	EOF
	: >/etc/fapolicyd/fapolicyd.trust
	for f in $D/p/true $D/p/bin $D/p/libprog $D/p/libs $D/p/big; do
		fapolicyd-cli --file add $f >/dev/null 2>$D/fapd.err ||
			FAPD="fapolicyd-cli --file add $f failed: $(head -1 $D/fapd.err)"
	done
}
# Started in the foreground (--debug-deny: denials to stderr), ready when
# its fanotify descriptor has marks.
fapd_start() {
	fapolicyd --debug-deny 2>>$D/fapd.log &
	FPID=$!
	for t in $(seq 100); do
		grep -qs 'fanotify mnt_id' /proc/$FPID/fdinfo/* && return 0
		kill -0 $FPID 2>/dev/null || break
		sleep 0.1
	done
	FAPD="the daemon did not start: $(grep -v '^$' $D/fapd.log | tail -1)"
	kill $FPID 2>/dev/null; wait $FPID 2>/dev/null
	return 1
}
fapd_stop() { kill $FPID && wait $FPID 2>/dev/null; }
fapd_setup

# col C: set up column C (mode, tree T); uncol: undo.
col() {
	T=$D/p
	case $1 in
	off) set_mode off ;;
	enforce) set_mode enforce ;;
	ima) set_mode off; T=$D/i ;;
	fapolicyd) set_mode off; [ -z "$FAPD" ] && fapd_start ;;
	esac
}
uncol() { [ $1 = fapolicyd ] && [ -n "$FPID" ] && fapd_stop; FPID=; set_mode off; }
# cold C [-a ALGO] FILE...: make column C check FILEs afresh at their next
# exec: a new mark (execmark), a new security.ima (IMA), with digests of
# ALGO (default sha256); fapolicyd was just started (empty caches); off
# checks nothing.
cold() {
	c=$1 a=sha256; shift
	[ "$1" = -a ] && { a=$2; shift 2; }
	case $c in
	enforce) execmark unmark -r "$@" >/dev/null && execmark mark -r --algo $a "$@" 2>/dev/null ;;
	ima) ima_hash -a $a "$@" ;;
	esac
}
# m C ROW COMMAND...: append COMMAND's figure to row ROW of column C.
m() { c=$1 row=$2; shift 2; "$@" >>$D/$row.$c 2>/dev/null || echo "bench: $row/$c: '$*' failed" >&2; }

for r in $(seq $ROUNDS); do
	for c in $COLS; do
		[ $c = fapolicyd ] && [ -n "$FAPD" ] && continue
		col $c || continue
		cold $c $T/bin
		m $c cold1000 $B/execloop $NF $T/bin/%d
		m $c warm1000 $B/execloop $NF $T/bin/%d
		# warm: one untimed pass first
		$B/execloop 1 $T/true >/dev/null; $B/execloop 1 $T/libprog >/dev/null
		$B/readloop $NF $T/data/%d >/dev/null
		m $c exec1 $B/execloop $N $T/true
		m $c libs20 $B/execloop $N $T/libprog
		m $c read1000 $B/readloop $NF $T/data/%d 10
		uncol $c
	done
done
for r in $(seq $BIGROUNDS); do
	for c in $COLS; do
		[ $c = fapolicyd ] && [ -n "$FAPD" ] && continue
		col $c || continue
		cold $c $T/big
		m $c big $B/execloop 1 $T/big
		# fapolicyd's integrity modes hash with sha256 only.
		if [ $c != fapolicyd ]; then
			cold $c -a sha512 $T/big
			m $c big512 $B/execloop 1 $T/big
		fi
		uncol $c
	done
done

# The table: medians, and each column against off.
med() { [ -s $D/$1.$2 ] && median <$D/$1.$2 || echo -; }
row() {
	printf 'bench: %-40s' "$2"
	for c in $COLS; do printf ' %11s' "$(med $1 $c)"; done
	for c in enforce ima fapolicyd; do
		a=$(med $1 $c) o=$(med $1 off)
		[ "$a" = - ] || [ "$o" = - ] && printf ' %9s' - || printf ' %9s' "$(ratio $a $o)"
	done
	echo
}
echo "bench: medians of $ROUNDS rounds ($BIGROUNDS for 64 MiB), columns interleaved in each round; instructions per unit"
printf 'bench: %-40s %11s %11s %11s %11s %9s %9s %9s\n' scenario off enforce IMA fapolicyd enf/off IMA/off fapd/off
row exec1 "exec 1 binary, warm (per exec)"
row cold1000 "exec $NF binaries, cold (per exec)"
row warm1000 "exec $NF binaries, warm (per exec)"
row libs20 "exec + load 20 libraries (per exec)"
row read1000 "open+read $NF data files (per file)"
row big "first exec of 64 MiB, sha256 (per exec)"
row big512 "first exec of 64 MiB, sha512 (per exec)"
[ -z "$FAPD" ] || echo "bench: fapolicyd: cannot run: $FAPD"

# The performance goals, from the medians above: enforce within 0.5% of off
# on warm exec, at or below IMA on every row, below fapolicyd. fapolicyd
# hashes sha256 only: the 64 MiB rows are also compared each system at its
# fastest digest (execmark sha512 against fapolicyd sha256).
goal() {	# goal TEXT A B MAX [lt]: met when A / B <= MAX (< MAX with lt)
	a=$2 b=$3
	[ "$a" = - ] || [ "$b" = - ] && { printf 'bench: goal %-52s not measured\n' "$1"; return; }
	awk -v t="$1" -v a="$a" -v b="$b" -v m="$4" -v lt="$5" 'BEGIN {
		ok = lt ? a / b < m : a / b <= m
		printf "bench: goal %-52s %9.4f %s\n", t, a / b, ok ? "met" : "missed" }'
}
goal "enforce/off, exec 1 binary warm (<= 1.005)" "$(med exec1 enforce)" "$(med exec1 off)" 1.005
for r in exec1 cold1000 warm1000 libs20 read1000 big big512; do
	goal "enforce/IMA, $r (<= 1)" "$(med $r enforce)" "$(med $r ima)" 1
done
for r in exec1 cold1000 warm1000 libs20 read1000 big; do
	goal "enforce/fapolicyd, $r (< 1)" "$(med $r enforce)" "$(med $r fapolicyd)" 1 lt
done
goal "enforce sha512/fapolicyd sha256, big (< 1)" "$(med big512 enforce)" "$(med big fapolicyd)" 1 lt

# Marks v2: fs-verity and signatures (bench/v2-bench.sh).
$B/v2-bench.sh
set_mode permissive

# --- execmark-python: import of 200 standard-library modules,
# execmark-python against the stock python3 (bench/python-bench.sh).
[ -x /usr/lib/execmark/bench/python-bench.sh ] && /usr/lib/execmark/bench/python-bench.sh
# --- end execmark-python ---
