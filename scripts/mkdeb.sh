#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the Debian packages (debian/) with dpkg-buildpackage -b -us -uc,
# from a copy of the sources, so that the checkout stays clean.
#
#   mkdeb.sh DEBDIR     DEBDIR/execmark_*.deb, DEBDIR/execmark-python_*.deb
#
# Nothing is rebuilt when the sources that go into the packages are unchanged.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:?usage: mkdeb.sh DEBDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# One build at a time into DEBDIR: a second one waits, then finds it made.
lock_self "$out/.lock" "deb: another build into $out" "$0" "$@"
cd "$EXECMARK_TOP"
srcs=(Makefile README debian dist helper xattr selftests/helper/xattr-tool.c
      Documentation/helper.rst Documentation/python.rst
      Documentation/admin-guide/LSM/execmark.rst)
stamp=$( { find "${srcs[@]}" -type f ! -path 'helper/build/*' -print0 | LC_ALL=C sort -z |
	xargs -0 sha256sum; dpkg-query -W libaudit-dev libssl-dev libpython3.11-dev libarchive-dev; } |
	sha256sum | cut -c1-16)
if [ "$(cat "$out/.stamp" 2>/dev/null)" = "$stamp" ] && ls "$out"/execmark_*.deb >/dev/null 2>&1; then
	log "deb: packages in $out are up to date"
	exit 0
fi

version=$(dpkg-parsechangelog -S Version)
src=$out/src/execmark-$version
rm -rf "$out/src" "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes "$out/.stamp"
mkdir -p "$src"
log "deb: building execmark $version (dpkg-buildpackage; log: $out/build.log)"
tar -c --exclude=helper/build "${srcs[@]}" | tar -x -C "$src"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	die "deb: dpkg-buildpackage failed (full log: $out/build.log)"
fi
mv "$out"/src/*.deb "$out"/src/*.buildinfo "$out"/src/*.changes "$out/"
rm -rf "$out/src"
echo "$stamp" >"$out/.stamp"
ls "$out"/*.deb >&2
