#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# keypool.sh DIR: the private keys of the helper's tests (marks2.sh's
# newkey NAME), made on the host when the VM's image is built, so that
# helper_test does not generate them under emulation. Test keys only: in
# the test image, never in a package.
set -e
d=${1:?usage: keypool.sh DIR}
mkdir -p "$d.tmp"
for k in ca:rsa leaf:rsa other:rsa kernel-leaf:rsa kernel-rogue:rsa ec:ec ed:ed25519; do
	f=$d.tmp/${k%%:*}.key
	case ${k#*:} in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$f" ;;
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$f" ;;
	ed25519) openssl genpkey -algorithm ED25519 -out "$f" ;;
	esac 2>/dev/null
done
chmod 0600 "$d.tmp"/*.key
rm -rf "$d"
mv "$d.tmp" "$d"
