#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Package the test kernel with the kernel's own "make bindeb-pkg": a
# linux-image-VERSION-execmark package in OUT (default build/kernel-deb/).
#
# It packages the shared test build ($EXECMARK_CACHE/linux-build) under the
# shared build lock: scripts/build-kernel.sh first brings that build up to
# date with this checkout (usually nothing or a relink), then bindeb-pkg
# relinks it with the release 7.2.12-execmark and packages it. No second
# kernel is compiled; the next test build relinks the release back (a
# minute). The lock is held throughout, so no other checkout's objects can
# get into the package.
# Documentation/admin-guide/execmark-debian.rst says how to build one from a
# real machine's configuration instead.
#
#   kernel-deb.sh [OUT]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:-$EXECMARK_TOP/build/kernel-deb}
mkdir -p "$out" "$EXECMARK_CACHE"
out=$(cd "$out" && pwd)
LOCALVERSION=-execmark

exec 9>"$EXECMARK_CACHE/.build.lock"
if ! flock -n 9; then
	log "kernel-deb: waiting for the shared kernel build lock (another checkout is building)"
	flock 9
fi
log "kernel-deb: the test kernel of this checkout (scripts/build-kernel.sh)"
EXECMARK_BUILD_LOCKED=1 "$EXECMARK_TOP/scripts/build-kernel.sh" >/dev/null ||
	die "kernel-deb: building the test kernel failed"

# bindeb-pkg writes debian/ into the build directory and, as
# dpkg-buildpackage does, its results into the directory above it: take
# both away again, so that the shared cache keeps only the build.
parent=$(dirname "$KBUILD_DIR")
results() {
	ls -d "$parent"/linux-image-*.deb "$parent"/linux-libc-dev_*.deb \
		"$parent"/linux-headers-*.deb "$parent"/linux-upstream_*.changes \
		"$parent"/linux-upstream_*.buildinfo 2>/dev/null || true
}
clean_results() {
	local f
	results | while IFS= read -r f; do rm -f "$f"; done
	rm -rf "$KBUILD_DIR/debian"
}
trap clean_results EXIT
clean_results
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo

# bindeb-pkg runs dpkg-buildpackage, which checks the build dependencies
# of the kernel's debian/control (kmod, libdw-dev, ...):
# scripts/install-deps.sh installs them. --no-pre-clean (bindeb-pkg's
# own): the build is packaged as it is, not cleaned and rebuilt.
log "kernel-deb: make bindeb-pkg LOCALVERSION=$LOCALVERSION in $KBUILD_DIR (log: $out/build.log)"
if ! make -C "$KSRC_DIR" O="$KBUILD_DIR" -j"${KDEB_JOBS:-$(nproc)}" \
	bindeb-pkg LOCALVERSION="$LOCALVERSION" >"$out/build.log" 2>&1; then
	tail -n 20 "$out/build.log" >&2
	if grep -q 'Unmet build dependencies' "$out/build.log"; then
		die "kernel-deb: make bindeb-pkg failed: build dependencies missing (scripts/install-deps.sh installs them; log: $out/build.log)"
	fi
	grep -qi 'No space left on device' "$out/build.log" &&
		die "kernel-deb: make bindeb-pkg failed: disk full (log: $out/build.log)"
	die "kernel-deb: make bindeb-pkg failed (log: $out/build.log)"
fi
results | while IFS= read -r f; do mv "$f" "$out/"; done
clean_results
trap - EXIT
flock -u 9
exec 9>&-

# The package must be what its name says: the kernel with execmark, built
# in and listed in CONFIG_LSM.
deb=$(ls "$out"/linux-image-*"$LOCALVERSION"_*.deb 2>/dev/null | grep -v -- '-dbg_' | tail -n 1)
[ -n "$deb" ] || die "kernel-deb: make bindeb-pkg made no linux-image-*$LOCALVERSION package (log: $out/build.log)"
pkg=$(dpkg-deb -f "$deb" Package)
rel=${pkg#linux-image-}
files=$(dpkg-deb -c "$deb") || die "kernel-deb: dpkg-deb -c $deb failed"
grep -q " \./boot/vmlinuz-$rel\$" <<<"$files" ||
	die "kernel-deb: $deb has no /boot/vmlinuz-$rel"
cfg=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO "./boot/config-$rel") ||
	die "kernel-deb: $deb has no /boot/config-$rel"
grep -qx 'CONFIG_SECURITY_EXECMARK=y' <<<"$cfg" ||
	die "kernel-deb: $deb: the kernel is not built with CONFIG_SECURITY_EXECMARK=y"
grep -q '^CONFIG_LSM=".*execmark' <<<"$cfg" ||
	die "kernel-deb: $deb: execmark is not in CONFIG_LSM"
log "kernel-deb: $pkg $(dpkg-deb -f "$deb" Version) ($(du -k "$deb" | cut -f1) KiB)"
ls "$out"/*.deb
