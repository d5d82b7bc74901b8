#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Assemble the VM's initramfs from what Debian installed on this host:
# busybox, auditd/auditctl/ausearch, python3.11 with its standard library,
# and the project's files (helper, selftests), each with the shared
# libraries it needs, plus the VM scripts in scripts/vm/.
#
#   mkinitramfs.sh OUTFILE OVERLAY
#
# OVERLAY is a directory laid out like the image (usr/sbin/execmark, ...).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$1 overlay=$2
root=$out.d

# Nothing to do when the inputs are unchanged: the project's files, these
# scripts, and the versions of the host packages copied in.
inputs=$( {
	(cd "$overlay" && find . -printf '%p %s %T@ %m\n' | LC_ALL=C sort)
	# The files of scripts/vm/, not the Debian system's (scripts/vm/debian/).
	find "$EXECMARK_TOP/scripts/vm" -maxdepth 1 -type f -print0 | LC_ALL=C sort -z |
		xargs -0 sha256sum "$0" "$EXECMARK_TOP/helper/python/execmark-python-prepare"
	dpkg-query -W busybox-static auditd python3.11 libpython3.11-stdlib e2fsprogs \
		ima-evm-utils fapolicyd libc6 openssl fsverity keyutils
} | sha256sum | cut -c1-16)
if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$inputs" ]; then
	log "initramfs: $out is up to date"
	exit 0
fi
rm -rf "$root"
mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,etc,proc,sys,dev,tmp,run,root,var/log/audit,var/run,var/tmp,mnt}
chmod 1777 "$root/var/tmp"
ln -s usr/bin "$root/bin"
ln -s usr/sbin "$root/sbin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"

# Copy a host file to the same place in the image, as a regular file. The
# host is merged-/usr: /lib, /bin, /sbin are links into /usr.
canon() { local d; d=$(realpath "$(dirname "$1")"); echo "$d/$(basename "$1")"; }
declare -A copied
put() {
	local src dst
	src=$(canon "$1")
	[ -z "${copied[$src]:-}" ] || return 0
	copied[$src]=1
	[ -e "$src" ] || die "missing on the host: $src (install its Debian package)"
	dst=$root$src
	mkdir -p "$(dirname "$dst")"
	cp -L "$src" "$dst"
}
# A dynamically linked program or library and everything it loads.
put_elf() {
	local f lib
	for f in "$@"; do
		put "$f"
		while read -r lib; do
			put "$lib"
		done < <(ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/.* \(0x/ { print $1 }')
	done
}

# busybox, statically linked: one binary, links made here.
put /bin/busybox
for applet in $(/bin/busybox --list); do
	[ -e "$root/usr/bin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
done

# auditd and its tools, with a configuration that works in the VM.
put_elf /sbin/auditd /sbin/auditctl /sbin/ausearch /sbin/aureport
# mke2fs for the selftests' ext4 images (busybox's makes ext2 only).
put_elf /sbin/mke2fs
# Signed marks and fs-verity (helper tests, marks v2): openssl makes the
# tests' keys and certificates, fsverity cross-checks verity digests,
# keyctl adds certificates to the .execmark keyring.
put_elf /usr/bin/openssl /usr/bin/fsverity /usr/bin/keyctl
put /usr/lib/ssl/openssl.cnf
# The benchmarks' references: evmctl writes security.ima; fapolicyd (its
# configuration is written by bench/vm-bench.sh) with libmagic's databases.
put_elf /usr/bin/evmctl /usr/sbin/fapolicyd /usr/sbin/fapolicyd-cli
put /usr/share/fapolicyd/fapolicyd-magic.mgc
put /usr/share/misc/magic.mgc
mkdir -p "$root/etc/fapolicyd/trust.d" "$root/etc/fapolicyd/rules.d" "$root/var/lib/fapolicyd"
mkdir -p "$root/etc/audit/rules.d" "$root/etc/audit/plugins.d"
cp "$EXECMARK_TOP/scripts/vm/auditd.conf" "$root/etc/audit/auditd.conf"
chmod 0640 "$root/etc/audit/auditd.conf"

# python3.11 and its standard library (without the test suites and GUI).
put_elf /usr/bin/python3.11
ln -sf python3.11 "$root/usr/bin/python3"
rsync -a --exclude test/ --exclude idlelib/ --exclude tkinter/ \
	--exclude turtledemo/ --exclude 'lib2to3/tests/' --exclude ensurepip/ \
	/usr/lib/python3.11/ "$root/usr/lib/python3.11/"
for so in /usr/lib/python3.11/lib-dynload/*.so; do
	put_elf "$so"
done
# --- execmark-python: byte-code compiled ahead and execute
# permission on the .py/.pyc files of the staged standard library (never
# the host's), as AT_EXECVE_CHECK requires; init marks /usr at boot.
"$EXECMARK_TOP/helper/python/execmark-python-prepare" --no-mark --root "$root" \
	--python /usr/bin/python3.11 "$root/usr/lib/python3.11"
# --- end execmark-python ---

# The project's files, and the libraries its programs load.
cp -a "$overlay/." "$root/"
while IFS= read -r -d '' f; do
	if file -b "$f" | grep -q '^ELF.*dynamically linked'; then
		# Libraries only: a test program may name an ELF interpreter
		# that its test creates (the system's is in the image anyway).
		while read -r lib; do
			case $lib in "$overlay"/*) continue ;; esac	# in the overlay already
			put "$lib"
		done < <(ldd "$f" | awk '/=> \// { print $3 }')
	fi
done < <(find "$overlay" -type f -perm -u+x -print0)
mkdir -p "$root/usr/lib/execmark"
cp "$EXECMARK_TOP"/scripts/vm/*.sh "$EXECMARK_TOP/scripts/vm/banner.txt" "$root/usr/lib/execmark/"
cp "$EXECMARK_TOP/scripts/vm/init" "$root/init"
chmod 0755 "$root/init" "$root"/usr/lib/execmark/*.sh

cat >"$root/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
fapolicyd:x:102:106::/run/fapolicyd:/bin/false
PW
cat >"$root/etc/group" <<'GR'
root:x:0:
adm:x:4:
nogroup:x:65534:
fapolicyd:x:106:
GR
echo "passwd: files" >"$root/etc/nsswitch.conf"
echo "group: files" >>"$root/etc/nsswitch.conf"
echo execmark >"$root/etc/hostname"

(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$out.tmp"
mv "$out.tmp" "$out"
echo "$inputs" >"$out.stamp"
log "initramfs: $out ($(du -m "$out" | cut -f1) MiB)"
