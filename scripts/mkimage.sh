#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the Debian VM's disk: a bookworm system made by mmdebstrap (systemd,
# udev, dbus, auditd, python3) with the project's own packages installed,
# configured for the serial console, /usr marked, as an ext4 image.
#
#   mkimage.sh IMAGE DEBDIR     IMAGE (raw ext4), from DEBDIR/execmark*.deb
#
# Packages come through a private apt configuration on the mirror URI that
# the machine's apt sources use (scripts/lib.sh). The image is rebuilt only
# when its inputs change (the packages, scripts/vm/debian/, this script); it
# is built under a temporary name, checked with e2fsck and renamed only when
# complete, so an interrupted build never boots.
#
# Initial trust: every regular file under /usr -- Debian's packages as apt
# verified them (signed Release, then each .deb's SHA-256), and the
# project's packages as built here -- is marked right after installation,
# before the system ever booted (execmark mark -r -x /usr, by the packaged
# helper in a chroot). Nothing else is trusted: /etc, /var, /root, /tmp
# hold no marked file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

img=${1:?usage: mkimage.sh IMAGE DEBDIR} debdir=${2:?usage: mkimage.sh IMAGE DEBDIR}
mkdir -p "$(dirname "$img")" || die "image: cannot create $(dirname "$img")"
# One build of an image at a time: a second one waits, then finds it made.
lock_self "$img.lock" "image: another build of $img" "$0" "$@"
SUITE=bookworm
# audispd-plugins, iproute2: the two-VM test of shipping records off the host;
# gpg, gpg-agent, apt-utils: the tests' signed local repository (dpkg-tests.sh).
PACKAGES=systemd-sysv,udev,dbus,auditd,python3,attr,procps,less,audispd-plugins,iproute2,gpg,gpg-agent,apt-utils
SIZE=${XM_IMAGE_SIZE:-3G}
vmdir=$EXECMARK_TOP/scripts/vm/debian

debs=()
for p in execmark execmark-python; do
	f=$(ls "$debdir"/${p}_*.deb 2>/dev/null | tail -n 1)
	[ -n "$f" ] || die "image: no $p package in $debdir: run 'make deb'"
	debs+=("$(realpath "$f")")
done

# The packages count by their contents (control data and files, not the
# time stamps in the archives), so that packages built reproducibly from
# sources that changed nothing they ship leave the image as it is (two
# builds of execmark-python still differ: Documentation/building.rst).
deb_contents() {
	local d
	for d; do
		dpkg-deb --ctrl-tarfile "$d" | tar -xO
		dpkg-deb --fsys-tarfile "$d" | tar -xO
	done
}
stamp=$( { sha256sum "$0" "$vmdir"/* "$EXECMARK_TOP/selftests/helper/mkdebs.py"; deb_contents "${debs[@]}" | sha256sum;
	echo "$SUITE $PACKAGES $SIZE"; } | sha256sum | cut -c1-16)
if [ -f "$img" ] && [ "$(cat "$img.stamp" 2>/dev/null)" = "$stamp" ]; then
	if e2fsck -fn "$img" >/dev/null 2>&1; then
		log "image: $img is up to date"
		exit 0
	fi
	log "image: $img fails e2fsck -n: rebuilding it"
fi
rm -f "$img" "$img.stamp"

mkdir -p "$(dirname "$img")" || die "image: cannot create $(dirname "$img")"
tmp=$img.tmp
root=$img.root
# What an interrupted run left: mmdebstrap's mounts in the tree (/proc,
# /sys bound recursively from the host, /dev nodes) are taken down first,
# and the removal never leaves the tree's file system, so that it cannot
# reach into the host's /sys or /dev.
# mounts_under DIR/: the mount points below DIR (path prefix, not substring).
mounts_under() {
	findmnt -rn -o TARGET | awk -v d="$1" 'index($0, d) == 1'
}
cleanup() {
	local m
	if [ -d "$root" ]; then
		mounts_under "$root/" | sort -r |
			while IFS= read -r m; do umount -l "$m" 2>/dev/null || true; done
		[ -z "$(mounts_under "$root/")" ] ||
			die "image: file systems still mounted under $root: not removing it"
	fi
	rm -rf --one-file-system "$root" "$tmp"
}
cleanup
trap cleanup EXIT

# fail STEP LOG: the step failed; say why when the log shows it.
fail() {
	local why=
	if grep -qi 'No space left on device' "$2" 2>/dev/null; then
		why="disk full: no space left in $(dirname "$img") ($(df -h --output=avail "$(dirname "$img")" | tail -n 1 | tr -d ' ') free)"
	elif grep -qiE "Could not connect|Failed to fetch|Connection refused|Connection failed|Unable to connect|Temporary failure resolving|Could not resolve|Network is unreachable|No route to host|timed out" "$2" 2>/dev/null; then
		why="the mirror $uri is unreachable"
	fi
	tail -n 15 "$2" >&2
	die "image: $1 failed${why:+: $why} (log: $2)"
}

command -v mmdebstrap >/dev/null || die "image: mmdebstrap is missing: run scripts/install-deps.sh"
uri=$(mirror_uri) || die "image: no Debian mirror URI found in /etc/apt/sources.list(.d)"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
log "image: mmdebstrap $SUITE from $uri (log: $img.log)"
if ! mmdebstrap --variant=apt --mode=root --include="$PACKAGES" \
	"${debs[@]/#/--include=}" \
	--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount \
	--aptopt='Acquire::Retries "3"' \
	"$SUITE" "$root" \
	"deb [signed-by=$keyring] $uri $SUITE main" \
	"deb [signed-by=$keyring] $uri $SUITE-updates main" >"$img.log" 2>&1; then
	fail "mmdebstrap (the Debian system)" "$img.log"
fi

log "image: configuring the system"
# In a subshell of its own so that any failing command stops it (set -e
# does not act inside an if condition).
rc=0
(
	set -e
	echo execmark >"$root/etc/hostname"
	printf '127.0.1.1\texecmark\n' >>"$root/etc/hosts"
	install -m 0644 "$vmdir/fstab" "$root/etc/fstab"
	# root without a password: a test machine, reached only by its console.
	chroot "$root" passwd -d root >/dev/null
	install -D -m 0644 "$vmdir/autologin.conf" \
		"$root/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf"
	install -D -m 0644 "$vmdir/execmark-banner.sh" "$root/etc/profile.d/execmark-banner.sh"
	install -D -m 0644 "$vmdir/banner.txt" "$root/usr/lib/execmark/banner.txt"
	install -D -m 0755 "$vmdir/system-tests.sh" "$root/usr/lib/execmark/system-tests.sh"
	# The apt and dpkg hooks' tests: their script, the malformed archives'
	# maker, and a program with its shared library to put into packages.
	install -D -m 0644 "$vmdir/dpkg-tests.sh" "$root/usr/lib/execmark/dpkg-tests.sh"
	# The hooks' benchmark (make bench).
	install -D -m 0755 "$vmdir/apt-bench.sh" "$root/usr/lib/execmark/apt-bench.sh"
	install -D -m 0755 "$EXECMARK_TOP/selftests/helper/mkdebs.py" "$root/usr/lib/execmark/mkdebs.py"
	fix=$root/usr/lib/execmark/dpkg-fixture
	mkdir -p "$fix"
	cc -O2 -Wall -Werror -shared -fPIC -DLIB -Wl,-soname,libxmfix.so.1 \
		-o "$fix/libxmfix.so.1" "$vmdir/dpkg-fixture.c"
	cc -O2 -Wall -Werror -o "$fix/xm-prog" "$vmdir/dpkg-fixture.c" "$fix/libxmfix.so.1" \
		-Wl,-rpath,/usr/lib/xm-app
	install -D -m 0644 "$vmdir/execmark-system-tests.service" \
		"$root/etc/systemd/system/execmark-system-tests.service"
	systemctl --root="$root" enable execmark-system-tests.service >/dev/null 2>&1
	# auditd's first start under emulation on a busy host takes longer
	# than systemd's default 90 s (measured: 57 s and more; then systemd
	# kills it and starts it again, which costs more than waiting).
	# Most of its start is Debian's ExecStartPost, augenrules --load: a
	# shell script that runs eight programs, each loaded and verified for
	# the first time this boot, to rebuild /etc/audit/audit.rules from
	# rules.d and load it (measured: 11 and 15 s of auditd's 16 and 20 s).
	# The rules are built here instead, and loaded the same way, by
	# auditctl -R; after changing rules.d in the VM, run augenrules --load.
	chroot "$root" augenrules >/dev/null
	install -D -m 0644 /dev/stdin "$root/etc/systemd/system/auditd.service.d/execmark-vm.conf" <<-EOC
		# The execmark test VM (scripts/mkimage.sh): slow first start under
		# emulation; the rules of rules.d were built into audit.rules when
		# the image was made (augenrules --load after changing them).
		[Service]
		TimeoutStartSec=300
		ExecStartPost=
		ExecStartPost=-/sbin/auditctl -R /etc/audit/audit.rules
	EOC
	# auditd writes each record at once, readable by the adm group.
	sed -i -e 's/^flush = .*/flush = SYNC/' -e 's/^log_group = .*/log_group = adm/' \
		"$root/etc/audit/auditd.conf"
	# A persistent journal: the previous boot stays readable.
	mkdir -p "$root/var/log/journal"
	# Nothing periodic while tests run; no first-boot questions.
	systemctl --root="$root" mask apt-daily.timer apt-daily-upgrade.timer \
		e2scrub_all.timer e2scrub_reap.service fstrim.timer >/dev/null 2>&1
	# The test kernel has no loadable modules (CONFIG_MODULES off) and the
	# image no modprobe: the six modprobe@*.service instances that sysinit
	# starts (each a process, sandbox and all) and systemd-modules-load
	# would load nothing (Documentation/building.rst, "Boot time").
	systemctl --root="$root" mask modprobe@.service \
		systemd-modules-load.service >/dev/null 2>&1
	# systemd runs its generators before it starts any unit (measured:
	# 32 s of a boot under load). These find nothing to do here: the root
	# is given on the command line (no GPT auto-discovery), no encrypted,
	# verity or integrity volumes, no hibernation, no system update, no
	# rc.local, no SysV script without a unit. An empty link in
	# /etc/systemd/system-generators masks one (systemd.generator(7)).
	# Kept: fstab, getty (the serial console), debug (systemd.mask= on
	# the command line) and run.
	mkdir -p "$root/etc/systemd/system-generators"
	for g in gpt-auto cryptsetup veritysetup integritysetup hibernate-resume \
		system-update rc-local sysv; do
		[ -e "$root/usr/lib/systemd/system-generators/systemd-$g-generator" ]
		ln -sfn /dev/null "$root/etc/systemd/system-generators/systemd-$g-generator"
	done
	echo "LANG=C.UTF-8" >"$root/etc/default/locale"
	# execmark-python needs its standard library compiled ahead and
	# executable (Documentation/python.rst); the marks follow below.
	chroot "$root" execmark-python-prepare --no-mark /usr/lib/python3.11 >/dev/null
) >"$img.config.log" 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "configuring the system" "$img.config.log"

log "image: marking /usr (the initial trust)"
chroot "$root" execmark mark -r -x /usr >"$img.mark.log" 2>&1 ||
	fail "marking /usr" "$img.mark.log"
tail -n 1 "$img.mark.log" >&2

log "image: making the ext4 file system ($SIZE)"
mke2fs -q -F -t ext4 -L execmark-root -d "$root" "$tmp" "$SIZE" >"$img.mke2fs.log" 2>&1 ||
	fail "mke2fs (the ext4 image)" "$img.mke2fs.log"
e2fsck -fn "$tmp" >/dev/null 2>&1 || die "image: the new image fails e2fsck"
# The marks are in the image: mke2fs -d copies security.* attributes.
debugfs -R "ea_get /usr/bin/true security.execmark" "$tmp" 2>/dev/null | grep -q . ||
	die "image: /usr/bin/true has no mark in the image"
mv "$tmp" "$img"
echo "$stamp" >"$img.stamp.tmp" && mv "$img.stamp.tmp" "$img.stamp" ||
	die "image: writing $img.stamp failed (disk full?)"
log "image: $img ($(du -m "$img" | cut -f1) MiB used of $SIZE)"
