#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install, from Debian's packages, everything that building, booting and
# testing execmark needs. Run as root.
set -euo pipefail
pkgs=(
	# kernel build
	build-essential bc bison flex libelf-dev libssl-dev patch xz-utils
	sparse
	# helper (libfsverity: fs-verity digests of marks v2; fsverity,
	# openssl and keyctl for its tests; libarchive: .deb reading of the
	# apt and dpkg hooks; json-c: status --json;
	# libauparse: execmark log)
	libaudit-dev libauparse-dev libfsverity-dev fsverity openssl keyutils libarchive-dev libjson-c-dev
	# fuzz harnesses (fuzz/): clang and its libFuzzer and sanitizer runtimes
	clang libclang-rt-14-dev
	# VM: emulator and the userspace copied into the initramfs
	qemu-system-x86 busybox-static auditd python3.11 python3-dev cpio rsync file
	# qemu-img: the two-machine test's copy-on-write overlays of the image
	qemu-utils
	# the Debian VM: its image (mmdebstrap, ext4) and the project's
	# packages (debhelper; lintian checks them)
	mmdebstrap e2fsprogs debhelper dpkg-dev lintian libexpat1-dev zlib1g-dev
	# benchmarks
	ima-evm-utils fapolicyd
	# make kernel-deb: the build dependencies of the kernel's own
	# debian/control (make bindeb-pkg checks them)
	kmod libdw-dev
)
export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
