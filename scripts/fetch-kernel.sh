#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's linux-source-7.2 (pinned), unpack it into the cache, apply
# scripts/kernel.patch and link this project in as security/execmark and
# its mark format as include/uapi/linux/execmark.h.
#
# The machine's own apt sources are not changed: a private apt configuration
# under the cache lists the suites that carry 7.2, on the mirror URI that
# /etc/apt/sources.list(.d) already uses.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fetch_deb() {
	local apt=$EXECMARK_CACHE/apt uri suite v opts
	local debdir=$EXECMARK_CACHE/deb

	mkdir -p "$debdir"
	for v in $KSRC_VERSIONS; do
		if [ -f "$debdir/${KSRC_PKG}_${v}_all.deb" ]; then
			echo "$debdir/${KSRC_PKG}_${v}_all.deb"
			return
		fi
	done

	uri=$(mirror_uri) || die "no Debian mirror URI found in /etc/apt/sources.list.d/"
	mkdir -p "$apt"/lists/partial "$apt"/cache/archives/partial "$apt"/prefs
	: >"$apt/sources.list"
	for suite in $KSRC_SUITES; do
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" >>"$apt/sources.list"
	done
	opts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	      -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache"
	      -o Dir::State::status=/dev/null -o Dir::Etc::Preferences=/dev/null
	      -o Dir::Etc::PreferencesParts="$apt/prefs" -o APT::Sandbox::User=root
	      -o APT::Architecture=amd64 -q)
	log "updating a private apt index ($KSRC_SUITES on $uri)"
	apt-get "${opts[@]}" update >&2 || die "apt-get update failed for the private index"
	for v in $KSRC_VERSIONS; do
		log "trying $KSRC_PKG=$v"
		if (cd "$debdir" && apt-get "${opts[@]}" download "$KSRC_PKG=$v" >&2) &&
		   [ -f "$debdir/${KSRC_PKG}_${v}_all.deb" ]; then
			echo "$debdir/${KSRC_PKG}_${v}_all.deb"
			return
		fi
	done
	die "none of $KSRC_PKG versions [$KSRC_VERSIONS] can be downloaded from [$KSRC_SUITES]; set KSRC_VERSIONS to one that 'apt-cache madison $KSRC_PKG' lists"
}

# The tree is unpacked once per (package, patch) pair; a changed patch
# re-creates it from the package. The stamp is of their content only, so
# that checkouts in other places share the tree.
deb=$(fetch_deb)
stamp=$(cat "$deb" "$EXECMARK_TOP/scripts/kernel.patch" | sha256sum | cut -c1-16)
if [ "$(cat "$KSRC_DIR/.execmark-stamp" 2>/dev/null)" != "$stamp" ]; then
	log "unpacking $(basename "$deb")"
	rm -rf "$KSRC_DIR" "$KSRC_DIR.tmp"
	mkdir -p "$KSRC_DIR.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
		xz -dc -T0 | tar -x -C "$KSRC_DIR.tmp" --strip-components=1
	log "applying scripts/kernel.patch"
	patch -d "$KSRC_DIR.tmp" -p1 --no-backup-if-mismatch -s <"$EXECMARK_TOP/scripts/kernel.patch"
	echo "$stamp" >"$KSRC_DIR.tmp/.execmark-stamp"
	mv "$KSRC_DIR.tmp" "$KSRC_DIR"
	# A new tree needs a full rebuild.
	rm -rf "$KBUILD_DIR"
fi
# Point security/execmark at this checkout (it may be a different clone
# each time).
ln -sfn "$EXECMARK_TOP" "$KSRC_DIR/security/execmark"
# The mark format is the UAPI header <linux/execmark.h>: one file, xattr/.
ln -sfn "$EXECMARK_TOP/xattr/execmark.h" "$KSRC_DIR/include/uapi/linux/execmark.h"
echo "$KSRC_DIR"
