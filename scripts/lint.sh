#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Kernel-side static checks: checkpatch --strict on lsm/ and xattr/, and a
# W=1 build of security/execmark under sparse.
#
# Debian's sparse (0.6.4) predates __typeof_unqual__, which 7.2's headers
# use everywhere; it is run with __typeof_unqual__ defined as __typeof__,
# and its "bad constant expression" on module_param_cb() is the same as on
# security/loadpin's module_param() lines with that sparse.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# The shared build directory, one user at a time (scripts/build-kernel.sh).
mkdir -p "$EXECMARK_CACHE"
exec 9>"$EXECMARK_CACHE/.build.lock"
flock 9
ksrc=$("$EXECMARK_TOP/scripts/fetch-kernel.sh")
cd "$EXECMARK_TOP"
rc=0
perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	-f lsm/*.c lsm/*.h xattr/*.h | grep -v '^total:' && rc=1
wrapper=$(mktemp)
trap 'rm -f "$wrapper"' EXIT
printf '#!/bin/sh\nfor a; do case $a in /tmp/tmp.*) exit 0;; esac; done\nexec sparse "$@"\n' >"$wrapper"
chmod +x "$wrapper"
touch lsm/*.c
echo "$EXECMARK_TOP" >"$KBUILD_DIR/.execmark-top"
out=$(make -C "$ksrc" O="$KBUILD_DIR" -s -j"$(nproc)" W=1 C=1 CHECK="$wrapper" \
	CF="-D__typeof_unqual__=__typeof__" security/execmark/ 2>&1 |
	grep -v -e "bad constant expression" -e '^$' || true)
[ -z "$out" ] || { printf '%s\n' "$out"; rc=1; }
[ "$rc" = 0 ] && echo "lint: checkpatch --strict, W=1 and sparse clean"
exit "$rc"
