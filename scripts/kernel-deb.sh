#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Package the test kernel with the kernel's own "make bindeb-pkg": a
# linux-image-VERSION-execmark package in $EXECMARK_CACHE/kernel-deb/. It is
# built apart from the test kernel (its own O= directory, the same
# configuration), so the shared build is not disturbed. Slow: a whole kernel.
# Documentation/admin-guide/execmark-debian.rst says how to build one from a
# real machine's configuration instead.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$EXECMARK_TOP/scripts/build-kernel.sh" >/dev/null	# the configuration
out=$EXECMARK_CACHE/kernel-deb
mkdir -p "$out/build"
cp "$KBUILD_DIR/.config" "$out/build/.config"
exec 9>"$EXECMARK_CACHE/.build.lock"
flock 9
make -C "$KSRC_DIR" O="$out/build" -s olddefconfig
make -C "$KSRC_DIR" O="$out/build" -j"$(nproc)" -s bindeb-pkg LOCALVERSION=-execmark ||
	die "kernel-deb: make bindeb-pkg failed"
ls "$out"/linux-image-*.deb
