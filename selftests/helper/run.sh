#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the execmark helper: run.sh /abs/path/to/execmark
#
# Needs root (security.* extended attributes, mount). POSIX sh and busybox
# tools only, so that the same tests run on the host and inside the test VM
# (helper_test); tests that need more (GNU sha256sum -c, setpriv, ausearch)
# skip with a reason. xattr-tool, built next to execmark, reads and writes
# raw marks. Each concern is a file of this directory:
#
#   lib.sh         setup, TAP output, running execmark, reading marks
#   cli.sh         usage and exit statuses of the command line
#   marks.sh       mark, verify, unmark; corrupt marks; no xattr support
#   marks2.sh      marks v2: signed marks, signed manifests, fs-verity
#   walk.sh        recursive walks, odd names, 10,000 files, -x; deep
#                  trees, races with the walk, paths over PATH_MAX
#   manifest.sh    manifest export and apply
#   races.sh       writers racing the hash
#   privilege.sh   without CAP_MAC_ADMIN
#   securityfs.sh  status, mode and lock on a fake securityfs
#   digests.sh     digests list, add, remove, clear on a fake securityfs
#   forward.sh     the forwarder, with a stdout sink
#   messages.sh    error messages naming the real cause; a full stdout
#   dpkg.sh        the apt and dpkg hooks (apt-prepare, dpkg-apply)
#   conventions.sh --version, -q and -v, --files-from and -0, status --json,
#                  plurals (issue 12 item 14)
#
# Prints TAP; exits non-zero if any test failed.

here=$(cd "$(dirname "$0")" && pwd)
for part in lib cli marks marks2 walk manifest races privilege securityfs digests \
	forward messages dpkg conventions; do
	. "$here/$part.sh"
done

echo "TAP version 13"
cli_tests

# Every file system suite on the file system of the work directory, then
# on a tmpfs.
fs_suites() {
	marks_suite "$1" "$2"
	marks2_suite "$1" "$2"
	walk_suite "$1" "$2"
	manifest_suite "$1" "$2"
	races_suite "$1" "$2"
}
fs_suites "$W/disk" "$(fs_type "$W") ($W)"
mkdir "$W/tmpfs"
if mount -t tmpfs -o size=512m execmark-test "$W/tmpfs"; then
	MOUNTS="$W/tmpfs $MOUNTS"
	fs_suites "$W/tmpfs/t" tmpfs
else
	skip "tmpfs suite" "cannot mount tmpfs"
fi

walk_mounts
marks2_verity
marks2_kernel
walk_scale
marks_no_xattr
marks_item10
races_big
privilege_tests
securityfs_tests
digests_tests
forward_tests
messages_tests
dpkg_tests
conventions_tests

echo "1..$n"
[ $failed -eq 0 ] || echo "# $failed of $n tests failed"
[ $failed -eq 0 ]
