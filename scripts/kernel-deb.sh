#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Package the test kernel with the kernel's own "make bindeb-pkg": a
# linux-image-VERSION-execmark package in $EXECMARK_CACHE/kernel-deb/. It is
# built apart from the test kernel: its own O= directory with the same
# configuration, and its own source tree, a hard-linked copy of the shared
# one whose security/execmark is this checkout. So the shared build lock is
# held only while copying, not for the whole (slow) build, and other
# checkouts keep building their test kernels meanwhile.
# Documentation/admin-guide/execmark-debian.rst says how to build one from a
# real machine's configuration instead.
#
#   kernel-deb.sh        Environment: KDEB_JOBS (make -j, default nproc)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$EXECMARK_CACHE/kernel-deb
# The configuration and the tree of the test kernel (not its build).
log "kernel-deb: the test kernel's configuration (scripts/build-kernel.sh --config)"
"$EXECMARK_TOP/scripts/build-kernel.sh" --config >/dev/null ||
	die "kernel-deb: configuring the test kernel failed"

exec 9>"$EXECMARK_CACHE/.build.lock"
flock 9
log "kernel-deb: copying the source tree (hard links) to $out/src"
rm -rf "$out/src" "$out/src.tmp"
mkdir -p "$out/build"
cp -al "$KSRC_DIR" "$out/src.tmp" || die "kernel-deb: copying the source tree failed (disk full?)"
ln -sfn "$EXECMARK_TOP" "$out/src.tmp/security/execmark"
ln -sfn "$EXECMARK_TOP/xattr/execmark.h" "$out/src.tmp/include/uapi/linux/execmark.h"
mv "$out/src.tmp" "$out/src"
cp "$KBUILD_DIR/.config" "$out/build/.config"
flock -u 9
exec 9>&-

# bindeb-pkg runs dpkg-buildpackage, which checks the build dependencies
# of the kernel's debian/control (kmod, libdw-dev, ...):
# scripts/install-deps.sh installs them.
rm -f "$out"/linux-*.deb "$out"/linux-*.changes "$out"/linux-*.buildinfo
log "kernel-deb: make bindeb-pkg in $out/build (log: $out/build.log)"
if ! { make -C "$out/src" O="$out/build" -s olddefconfig &&
       make -C "$out/src" O="$out/build" -j"${KDEB_JOBS:-$(nproc)}" \
		bindeb-pkg LOCALVERSION=-execmark; } >"$out/build.log" 2>&1; then
	tail -n 20 "$out/build.log" >&2
	die "kernel-deb: make bindeb-pkg failed (full log: $out/build.log)"
fi
ls "$out"/linux-image-*.deb || die "kernel-deb: make bindeb-pkg made no linux-image package"
