#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The apt and dpkg hooks' benchmark (issue 15; make bench, bench/README):
# run by system-tests.sh in the Debian VM booted with execmark.boot=aptbench
# under qemu -icount shift=0,sleep=off -smp 1: guest nanoseconds are
# executed instructions while the CPU works, but while it is idle (apt
# and dpkg waiting for the disk) the clock jumps to the next timer, by
# anything up to seconds. So the figure compared is the machine's busy
# time (/proc/stat: user, nice, system, irq, softirq; 10 ms ticks), all
# the work done during the install, kernel threads included; the CPU time
# of apt and its children and the elapsed time are printed beside it.
#
# "apt-get install" of 20 packages (2.5 MiB of files each, 50 MiB in all)
# from a local repository whose Release is signed by a key made here, then
# "apt-get purge" of them (not timed). Columns, interleaved in each round:
#   stock    execmark mode off, the hooks' configuration files set aside:
#            what apt costs without execmark;
#   off      mode off, the hooks installed (they do their work in any mode);
#   enforce  mode enforce, the hooks installed.
# In the off and enforce columns the hooks run under a timing wrapper
# (xm-hooktime, below), which writes each run's time to $W/hook.log.
# Then the memory of the kernel's digest list per entry.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8
ROUNDS=${ROUNDS:-3}
# xmbench.rounds=N on the kernel command line: fewer (or more) rounds.
for a in $(cat /proc/cmdline); do
	case $a in xmbench.rounds=*) ROUNDS=${a#*=} ;; esac
done
NPKG=${NPKG:-20}
PKGKIB=${PKGKIB:-2560}		# KiB of files per package
NDIG=${NDIG:-100000}		# digests added for the memory figure
W=/root/xm-bench
REPO=/srv/xm-bench-repo
SECFS=/sys/kernel/security/execmark
APTCONF=/etc/apt/apt.conf.d/05execmark
DPKGCONF=/etc/dpkg/dpkg.cfg.d/execmark
TIMER=/usr/local/sbin/xm-hooktime
mkdir -p "$W" "$REPO/pool"
echo 0 >/proc/sys/kernel/randomize_va_space

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b) printf "%.4f", a / b; else print "-" }'; }
now() { date +%s%N; }
busy() { awk '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) * 10 }' /proc/stat; }	# ms

# --- the packages ------------------------------------------------------------
# Files of the image (programs and libraries, 8 KiB and more) shared out
# among the packages, each copy with a nonce appended: content that no
# other file has, as in real packages. Compressed with xz (dpkg-deb's
# default), at level 1 to build them faster here (unpacking costs about
# the same at every level).
find /usr/lib/x86_64-linux-gnu /usr/bin /usr/sbin /usr/lib/python3.11 -type f -size +8k -size -1024k \
	2>/dev/null | sort >"$W/pool"
npool=$(wc -l <"$W/pool")
[ "$npool" -gt 100 ] || { echo "bench: apt: only $npool files in the image to build packages of"; exit 0; }
k=1 total=0 nfiles=0
for p in $(seq 0 $((NPKG - 1))); do
	d=$W/src/xm-bench-$p
	rm -rf "$d"
	mkdir -p "$d/DEBIAN" "$d/usr/lib/xm-bench-$p" "$d/usr/bin"
	printf 'Package: xm-bench-%s\nVersion: 1\nArchitecture: all\nMaintainer: execmark bench <t@example.org>\nDescription: execmark benchmark package\n' \
		"$p" >"$d/DEBIAN/control"
	# A maintainer script that runs one of the package's programs, as
	# postinsts do: the hooks must have trusted it in enforce mode.
	printf '#!/bin/sh\nset -e\n/usr/bin/xm-bench-%s\n' "$p" >"$d/DEBIAN/postinst"
	printf '#!/bin/sh\nexit 0\n# %s\n' "$(cat /proc/sys/kernel/random/uuid)" >"$d/usr/bin/xm-bench-$p"
	chmod 755 "$d/DEBIAN/postinst" "$d/usr/bin/xm-bench-$p"
	size=0
	while [ $size -lt $((PKGKIB * 1024)) ]; do
		f=$(sed -n "${k}p" "$W/pool")
		k=$((k % npool + 1))
		t=$d/usr/lib/xm-bench-$p/$(basename "$f")
		[ -e "$t" ] && continue
		{ cat "$f"; echo "nonce $(cat /proc/sys/kernel/random/uuid)"; } >"$t"
		size=$((size + $(stat -c %s "$t")))
		nfiles=$((nfiles + 1))
	done
	total=$((total + size))
	dpkg-deb -Zxz -z1 -b --root-owner-group "$d" "$REPO/pool/xm-bench-${p}_1_all.deb" >/dev/null ||
		{ echo "bench: apt: dpkg-deb failed"; exit 0; }
done
rm -rf "$W/src"
debbytes=$(cat "$REPO"/pool/*.deb | wc -c)

# The repository: Packages and Release, the Release signed (InRelease).
mkdir -m 700 -p "$W/gnupg"
GNUPGHOME=$W/gnupg gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
	--quick-gen-key 'execmark bench repository <t@example.org>' ed25519 sign never >"$W/gpg.log" 2>&1
mkdir -p /etc/apt/keyrings
GNUPGHOME=$W/gnupg gpg --batch --export >/etc/apt/keyrings/xm-bench.gpg 2>>"$W/gpg.log"
(cd "$REPO" && apt-ftparchive packages . >Packages && apt-ftparchive release . >"$W/Release" &&
	mv "$W/Release" Release &&
	GNUPGHOME=$W/gnupg gpg --batch --yes --clearsign -o InRelease Release) >>"$W/gpg.log" 2>&1
GNUPGHOME=$W/gnupg gpgconf --kill gpg-agent >/dev/null 2>&1
[ -s "$REPO/InRelease" ] || { echo "bench: apt: the repository is not signed: $(tail -n 3 "$W/gpg.log")"; exit 0; }
[ ! -e /etc/apt/sources.list ] || mv /etc/apt/sources.list /etc/apt/sources.list.xm-saved
echo "deb [signed-by=/etc/apt/keyrings/xm-bench.gpg] file:$REPO ./" >/etc/apt/sources.list.d/xm-bench.list
xapt() { DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0 "$@"; }
out=$(xapt update 2>&1) || { echo "bench: apt: apt-get update failed: $out"; exit 0; }

# --- the hooks: as installed, or under the timing wrapper, or set aside ------
cp "$APTCONF" "$W/apt.conf.orig"
cp "$DPKGCONF" "$W/dpkg.cfg.orig"
# xm-hooktime NAME COMMAND...: runs COMMAND (standard input and the
# descriptors apt passes go through), then appends "NAME BUSY CPU ENTRIES"
# to $W/hook.log: the machine's busy ms while it ran, its own CPU ms (user
# and system), and how many entries the kernel's digest list held after it.
cat >$TIMER <<EOF
#!/bin/bash
busy() { awk '/^cpu / { print (\$2 + \$3 + \$4 + \$7 + \$8 + \$9) * 10 }' /proc/stat; }
n=\$1; shift
s=\$(busy)
"\$@"
rc=\$?
e=\$(busy)
times >/run/xm-hooktime.\$\$	# in this shell: its children's CPU time
c=\$(tail -n 1 /run/xm-hooktime.\$\$ | awk '{ for (i = 1; i <= 2; i++) { split(\$i, a, "m"); sub("s", "", a[2]); t += a[1] * 60 + a[2] } printf "%.0f", t * 1000 }')
rm -f /run/xm-hooktime.\$\$
echo "\$n \$((e - s)) \$c \$(wc -l <$SECFS/digests)" >>$W/hook.log
exit \$rc
EOF
chmod 755 $TIMER
execmark mark $TIMER >/dev/null || { echo "bench: apt: cannot mark $TIMER"; exit 0; }
hooks() {
	case $1 in
	none)
		rm -f "$APTCONF" "$DPKGCONF" ;;
	timed)
		cat >"$APTCONF" <<EOF
DPkg::Pre-Install-Pkgs { "$TIMER apt-prepare /usr/sbin/execmark apt-prepare || test \$? = 127"; };
DPkg::Tools::Options::$TIMER::Version "3";
EOF
		echo "post-invoke=\"$TIMER dpkg-apply /usr/sbin/execmark dpkg-apply\"" >"$DPKGCONF" ;;
	esac
}
restore_hooks() { cp "$W/apt.conf.orig" "$APTCONF"; cp "$W/dpkg.cfg.orig" "$DPKGCONF"; }

pkgs=$(seq -f 'xm-bench-%g' 0 $((NPKG - 1)))
: >"$W/hook.log"
set_mode() { echo "$1" >$SECFS/mode; }
TIMEFORMAT='%3R %3U %3S'
for r in $(seq "$ROUNDS"); do
	for c in stock off enforce; do
		case $c in
		stock) set_mode off; hooks none ;;
		off) set_mode off; hooks timed ;;
		enforce) set_mode enforce; hooks timed ;;
		esac
		sync
		echo "round $r $c" >>"$W/hook.log"
		s=$(now) b=$(busy)
		{ time xapt install $pkgs >"$W/install.out" 2>&1; } 2>"$W/time"
		rc=$?
		e=$(now) b1=$(busy)
		if [ $rc != 0 ] || ! /usr/bin/xm-bench-0 >/dev/null 2>&1; then
			echo "bench: apt: $c: apt-get install failed or its program does not run: $(tail -n 5 "$W/install.out")"
			set_mode off
		else
			echo $(((e - s) / 1000000)) >>"$W/elapsed.$c"
			echo $((b1 - b)) >>"$W/busy.$c"
			awk '{ printf "%.0f\n", ($2 + $3) * 1000 }' "$W/time" >>"$W/cpu.$c"
		fi
		set_mode off
		out=$(xapt purge $pkgs 2>&1) || echo "bench: apt: $c: apt-get purge failed: $(echo "$out" | tail -n 5)"
	done
done
set_mode enforce
restore_hooks

# The hooks' time per install: the sum of their runs (apt-prepare once,
# dpkg-apply after each dpkg run) in each timed install.
awk '/^round/ { k = $3 "." $2; next }
	{ b[k] += $2; c[k] += $3; n[k]++; if ($1 == "apt-prepare" && $4 > max[k]) max[k] = $4 }
	END { for (k in b) print k, b[k], c[k], n[k], max[k] + 0 }' "$W/hook.log" >"$W/hooksum"
for c in off enforce; do
	awk -v c=$c 'index($1, c ".") == 1 { print $2 }' "$W/hooksum" >"$W/hookbusy.$c"
	awk -v c=$c 'index($1, c ".") == 1 { print $3 }' "$W/hooksum" >"$W/hookcpu.$c"
	awk -v c=$c 'index($1, c ".") == 1 { print $4 }' "$W/hooksum" >"$W/runs.$c"
	awk -v c=$c 'index($1, c ".") == 1 { print $5 }' "$W/hooksum" >"$W/entries.$c"
done

med() { [ -s "$W/$1" ] && median <"$W/$1" || echo -; }
line() {	# line TEXT FILE-PREFIX
	printf 'bench: apt: %-30s %9s %9s %9s %9s %9s\n' "$1" \
		"$(med $2.stock)" "$(med $2.off)" "$(med $2.enforce)" \
		"$(ratio "$(med $2.off)" "$(med $2.stock)")" "$(ratio "$(med $2.enforce)" "$(med $2.stock)")"
}
echo "bench: apt: install of $NPKG packages from a signed local repository, $((total / 1048576)) MiB of files ($nfiles files, $((debbytes / 1048576)) MiB of .debs, xz -1); medians of $ROUNDS rounds, interleaved; guest ms"
printf 'bench: apt: %-30s %9s %9s %9s %9s %9s\n' "" stock off enforce off/stock enf/stock
line "apt-get install, busy (all)" busy
line "apt-get install, CPU of apt" cpu
line "apt-get install, elapsed" elapsed
echo "bench: apt: the hooks' own time per install (apt-prepare and $(med runs.enforce) dpkg-apply runs; busy/CPU ms): off $(med hookbusy.off)/$(med hookcpu.off), enforce $(med hookbusy.enforce)/$(med hookcpu.enforce) ($(awk -v h="$(med hookbusy.enforce)" -v i="$(med busy.enforce)" 'BEGIN { if (i) printf "%.1f", 100 * h / i }')% of the install's busy time in enforce); the digest list held $(med entries.enforce) entries after apt-prepare"
goal() {	# goal TEXT A B MAX
	a=$2 b=$3
	[ "$a" = - ] || [ "$b" = - ] && { printf 'bench: goal %-52s not measured\n' "$1"; return; }
	awk -v t="$1" -v a="$a" -v b="$b" -v m="$4" 'BEGIN {
		printf "bench: goal %-52s %9.4f %s\n", t, a / b, a / b <= m ? "met" : "missed" }'
}
goal "apt install enforce+hooks/stock, busy (<= 1.15)" "$(med busy.enforce)" "$(med busy.stock)" 1.15
goal "apt install enforce/off, hooks in both, busy (<= 1.15)" "$(med busy.enforce)" "$(med busy.off)" 1.15

# --- the digest list's memory per entry -------------------------------------
# NDIG random digests added in one write, then removed: the growth of the
# kernel's slab and vmalloc memory (the entries' cache and the table of
# buckets), per entry.
head -c $((NDIG * 32)) /dev/urandom | od -An -v -tx1 | tr -d ' \n' | fold -w 64 |
	sed 's/^/sha256:/' >"$W/digests"
kb() { awk '/^(Slab|VmallocUsed):/ { s += $2 } END { print s }' /proc/meminfo; }
sync; echo 3 >/proc/sys/vm/drop_caches
before=$(kb)
if execmark digests add - <"$W/digests" >/dev/null 2>"$W/digests.err"; then
	after=$(kb)
	held=$(wc -l <$SECFS/digests)
	echo "bench: apt: kernel digest list: $held entries added, Slab + VmallocUsed grew by $((after - before)) KiB: $(awk -v d=$((after - before)) -v n="$held" 'BEGIN { printf "%.1f", d * 1024 / n }') bytes per entry"
	execmark digests remove - <"$W/digests" >/dev/null 2>&1 || echo "bench: apt: removing the digests failed"
else
	echo "bench: apt: adding $NDIG digests failed: $(head -c 300 "$W/digests.err")"
fi
rm -f /etc/apt/sources.list.d/xm-bench.list
[ ! -e /etc/apt/sources.list.xm-saved ] || mv /etc/apt/sources.list.xm-saved /etc/apt/sources.list
