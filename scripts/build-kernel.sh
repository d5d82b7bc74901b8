#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Configure (tinyconfig + scripts/kernel.config) and build the test kernel
# out of tree in the cache; install the UAPI headers for the selftests; copy
# the image to OUT (default build/bzImage of this checkout) and print OUT.
# Make's own dependency tracking keeps a rebuild after a change to one LSM
# file to that file and the link.
#
#   build-kernel.sh [OUT]
#   build-kernel.sh --config     configure only; print the .config's path
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# One build at a time in the cache (several checkouts may share it).
# EXECMARK_BUILD_LOCKED=1: the caller holds the lock already
# (scripts/kernel-deb.sh, which packages this build under the same lock).
mkdir -p "$EXECMARK_CACHE"
if [ "${EXECMARK_BUILD_LOCKED:-}" != 1 ]; then
	exec 9>"$EXECMARK_CACHE/.build.lock"
	flock 9
fi

out=${1:-$EXECMARK_TOP/build/bzImage}
ksrc=$("$EXECMARK_TOP/scripts/fetch-kernel.sh")
kmake() { make -C "$ksrc" O="$KBUILD_DIR" -j"$(nproc)" -s "$@"; }

# The test CA of signed marks (Documentation/admin-guide/LSM/execmark.rst,
# "Keys"): made once per cache, never committed, built into the kernel's
# trusted keys; the tests sign their leaf certificates with its key.
keys=$EXECMARK_CACHE/keys
if [ ! -f "$keys/test-ca.pem" ]; then
	log "generating the test CA in $keys"
	mkdir -p "$keys"
	openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \
		-subj "/CN=execmark test CA/O=execmark tests" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
		-addext "subjectKeyIdentifier=hash" \
		-keyout "$keys/test-ca.key.tmp" -out "$keys/test-ca.pem.tmp" 2>/dev/null ||
		die "openssl could not generate the test CA"
	mv "$keys/test-ca.key.tmp" "$keys/test-ca.key"
	mv "$keys/test-ca.pem.tmp" "$keys/test-ca.pem"
fi
frag=$KBUILD_DIR.fragment
mkdir -p "$KBUILD_DIR"
{ cat "$EXECMARK_TOP/scripts/kernel.config"
  printf 'CONFIG_SYSTEM_TRUSTED_KEYS="%s"\n' "$keys/test-ca.pem"; } >"$frag"
stamp=$(cat "$frag" "$keys/test-ca.pem" "$EXECMARK_TOP/lsm/Kconfig" "$ksrc/.execmark-stamp" |
	sha256sum | cut -c1-16)
mkdir -p "$KBUILD_DIR"
if [ "$(cat "$KBUILD_DIR/.execmark-config" 2>/dev/null)" != "$stamp" ]; then
	log "configuring the kernel (tinyconfig + scripts/kernel.config)"
	kmake tinyconfig >/dev/null
	"$ksrc/scripts/kconfig/merge_config.sh" -m -O "$KBUILD_DIR" \
		"$KBUILD_DIR/.config" "$frag" >/dev/null
	kmake olddefconfig
	# Every line of the fragment must have taken effect.
	bad=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=n)
			sym=${line%%=*}
			if grep -q "^$sym=" "$KBUILD_DIR/.config"; then
				log "config: $sym is set, the fragment says n"; bad=1
			fi ;;
		CONFIG_*=*)
			if ! grep -qxF "$line" "$KBUILD_DIR/.config"; then
				log "config: '$line' did not take effect (dependency missing?)"; bad=1
			fi ;;
		esac
	done <"$frag"
	[ "$bad" = 0 ] || die "kernel configuration does not match scripts/kernel.config"
	echo "$stamp" >"$KBUILD_DIR/.execmark-config"
	rm -f "$KBUILD_DIR/.execmark-headers"
fi

# The build directory is shared by checkouts; security/execmark points at
# the one building now. Make compares times, and another checkout's older
# files would look up to date: rebuild execmark's objects on a switch.
if [ "$(cat "$KBUILD_DIR/.execmark-top" 2>/dev/null)" != "$EXECMARK_TOP" ]; then
	rm -rf "$KBUILD_DIR/security/execmark"
	rm -f "$KBUILD_DIR/.execmark-headers"
	echo "$EXECMARK_TOP" >"$KBUILD_DIR/.execmark-top"
fi

# --config: only the configuration.
if [ "$out" = --config ]; then
	echo "$KBUILD_DIR/.config"
	exit 0
fi
log "building the kernel in $KBUILD_DIR"
kmake bzImage
# Installed again when the configuration or the mark format changes.
hstamp=$(sha256sum "$EXECMARK_TOP/xattr/execmark.h" | cut -c1-16)
if [ "$(cat "$KBUILD_DIR/.execmark-headers" 2>/dev/null)" != "$hstamp" ]; then
	kmake headers_install INSTALL_HDR_PATH="$KHDR_DIR"
	echo "$hstamp" >"$KBUILD_DIR/.execmark-headers"
fi
# A copy for this checkout: another checkout may rebuild the shared one
# while this one boots it.
mkdir -p "$(dirname "$out")"
cp "$KBUILD_DIR/arch/x86/boot/bzImage" "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
