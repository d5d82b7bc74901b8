# SPDX-License-Identifier: GPL-2.0
# Shared settings for execmark's build and boot scripts. Source it, do not run it.

EXECMARK_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Everything downloaded or built lives outside git, in one cache directory.
EXECMARK_CACHE=${EXECMARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/execmark}

# The kernel: Debian's linux-source-7.2, pinned. The first version that can be
# had is used; the list is tried in order.
KSRC_PKG=linux-source-7.2
KSRC_VERSIONS=${KSRC_VERSIONS:-"7.2.12-1~bpo13+1 7.2.12-1 7.2.11-1~bpo13+1"}
# Suites that carry it, added in a private apt configuration only.
KSRC_SUITES=${KSRC_SUITES:-"trixie-backports forky sid"}

KSRC_DIR=$EXECMARK_CACHE/linux-src        # unpacked and patched tree
KBUILD_DIR=$EXECMARK_CACHE/linux-build    # O= build directory
KHDR_DIR=$EXECMARK_CACHE/linux-headers    # make headers_install output

log() { printf '[execmark] %s\n' "$*" >&2; }
die() { printf '[execmark] error: %s\n' "$*" >&2; exit 1; }

# lock_self LOCKFILE WHAT "$0" "$@": run this script again under an
# exclusive lock on LOCKFILE, waiting (and saying so) while another run
# holds it, and exit with its status; in the locked run, return at once.
# Two builds into the same place at once (make run and make check in one
# checkout) would each remove what the other is making. The lock is held
# by flock(1) itself (-o), not by the script's children, so a daemon a
# build starts cannot keep it; a killed run releases it.
lock_self() {
	local lock=$1 what=$2 rc=0
	shift 2
	[ "${EXECMARK_LOCKED:-}" = "$lock" ] && return 0
	export EXECMARK_LOCKED=$lock
	flock -n -E 75 -o "$lock" "$@" || rc=$?
	if [ "$rc" = 75 ]; then
		log "$what is running already (lock $lock): waiting for it to end"
		rc=0
		flock -o "$lock" "$@" || rc=$?
	fi
	exit "$rc"
}

# The Debian mirror URI that the machine's own apt sources use (the main
# archive, not security): private apt configurations (the kernel source, the
# VM image) reuse it, so that no host name is written here.
# EXECMARK_MIRROR, when set, is used instead (a local mirror, or the tests'
# unreachable one).
mirror_uri() {
	local f uri
	if [ -n "${EXECMARK_MIRROR:-}" ]; then
		echo "$EXECMARK_MIRROR"
		return
	fi
	# deb822 .sources files: the first URIs: line of a Debian main archive.
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
		[ -n "$uri" ] && { echo "$uri"; return; }
	done
	# One-line .list files.
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { if ($i !~ /security/ && $(i+2) ~ /main/) { print $i; exit } } }' "$f")
		[ -n "$uri" ] && { echo "$uri"; return; }
	done
	return 1
}
