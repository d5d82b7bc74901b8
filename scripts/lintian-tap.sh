#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A host test of "make check", as TAP: lintian finds no error in the
# project's Debian packages (make deb). Warnings are listed as comments;
# Documentation/admin-guide/execmark-debian.rst gives the reason for each.
#
#   lintian-tap.sh DEBDIR
set -uo pipefail
changes=$(ls "${1:?usage: lintian-tap.sh DEBDIR}"/execmark_*.changes 2>/dev/null | tail -n 1)
echo "TAP version 13"
echo "1..1"
if [ -z "$changes" ]; then
	echo "# no execmark_*.changes in $1: run 'make deb'"
	echo "not ok 1 lintian_reports_no_errors_in_the_packages"
	exit 0
fi
out=$(lintian --allow-root "$changes" 2>&1)
grep '^[WIN]:' <<<"$out" | sed 's/^/# /'
if grep -q '^E:' <<<"$out"; then
	grep '^E:' <<<"$out" | sed 's/^/# /'
	echo "not ok 1 lintian_reports_no_errors_in_the_packages"
else
	echo "ok 1 lintian_reports_no_errors_in_the_packages"
fi
