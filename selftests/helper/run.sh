#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host tests of the execmark helper: run.sh /abs/path/to/execmark
#
# Needs root (security.* extended attributes, mount). POSIX sh and busybox
# tools only, so that the same script runs inside the test VM; tests that
# need more (GNU sha256sum -c, setpriv, ausearch) skip with a reason.
# xattr-tool, built next to execmark, reads and writes raw marks.
# Prints TAP; exits non-zero if any test failed.

set -u

E=${1:?usage: run.sh /path/to/execmark}
case $E in /*) ;; *) E=$PWD/$E ;; esac
XT=$(dirname "$E")/xattr-tool
[ -x "$E" ] || { echo "Bail out! $E is not executable"; exit 2; }
[ -x "$XT" ] || { echo "Bail out! $XT is not executable"; exit 2; }

# The kernel's securityfs must never be touched by these tests.
unset EXECMARK_SECURITYFS EXECMARK_FORWARD_SINK EXECMARK_TEST_HASH_DELAY_MS \
	EXECMARK_TEST_SINK_FAILURES

n=0
failed=0
MOUNTS=""
FWDPID=""
W=$(mktemp -d "${TMPDIR:-/var/tmp}/execmark-test.XXXXXX") || exit 2
chmod 755 "$W"

cleanup() {
	[ -n "$FWDPID" ] && kill "$FWDPID" 2>/dev/null
	for m in $MOUNTS; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "TAP version 13"

pass() { n=$((n + 1)); printf 'ok %d - %s\n' $n "$1"; }
fail() {
	n=$((n + 1)); failed=$((failed + 1)); printf 'not ok %d - %s\n' $n "$1"
	[ -s "$W/out" ] && sed 's/^/#   out: /' "$W/out" | head -20
	[ -s "$W/err" ] && sed 's/^/#   err: /' "$W/err" | head -20
	return 0
}
skip() { n=$((n + 1)); printf 'ok %d - %s # SKIP %s\n' $n "$1" "$2"; }
check() {	# check NAME COMMAND...: pass if COMMAND succeeds
	t_name=$1
	shift
	if "$@"; then pass "$t_name"; else fail "$t_name"; fi
}
diag() { printf '# %s\n' "$*"; }

# run CMD...: stdout in $W/out, stderr in $W/err, status in $rc
run() {
	"$@" >"$W/out" 2>"$W/err"
	rc=$?
}
# em ARGS...: run execmark
em() { run "$E" "$@"; }
out_has() { grep -F -x -q -- "$1" "$W/out"; }
err_has() { grep -F -q -- "$1" "$W/err"; }
rc_is() { [ "$rc" -eq "$1" ]; }

# mark_of FILE: the raw mark in hex, or "none"
mark_of() { "$XT" get "$1" 2>/dev/null || echo none; }
digest() { "$1" <"$2" | cut -d' ' -f1; }
want_mark() {	# want_mark FILE sha256|sha384|sha512
	case $2 in
	sha256) printf '0104%s\n' "$(digest sha256sum "$1")" ;;
	sha384) printf '0105%s\n' "$(digest sha384sum "$1")" ;;
	sha512) printf '0106%s\n' "$(digest sha512sum "$1")" ;;
	esac
}

NL=$(printf '\nx'); NL=${NL%x}
CR=$(printf '\rx'); CR=${CR%x}
HEX256=0000000000000000000000000000000000000000000000000000000000000000

gnu_sum=false
sha256sum --version 2>/dev/null | grep -q GNU && gnu_sum=true

############################################################################
# Usage and exit codes of the command line itself.

em --help
check "execmark --help exits 0 with usage on stdout" \
	eval 'rc_is 0 && grep -q "^usage: execmark" "$W/out"'
em
check "execmark without a command exits 2" eval 'rc_is 2 && err_has usage:'
em frobnicate
check "unknown command exits 2" eval 'rc_is 2 && err_has "unknown command"'
for c in mark verify unmark status mode lock forward "manifest export" \
	"manifest apply" manifest; do
	# shellcheck disable=SC2086
	em $c --help
	check "$c --help exits 0 with usage on stdout" \
		eval 'rc_is 0 && grep -q "^usage: execmark" "$W/out" && [ ! -s "$W/err" ]'
done
for c in mark verify unmark status mode lock forward "manifest export" \
	"manifest apply"; do
	# shellcheck disable=SC2086
	em $c --bogus
	check "$c --bogus exits 2 with usage on stderr" \
		eval 'rc_is 2 && err_has "usage: execmark" && [ ! -s "$W/out" ]'
done
em mark
check "mark without PATH exits 2" eval 'rc_is 2 && err_has "no PATH"'
em mark -j 0 "$W"
check "mark -j 0 exits 2" eval 'rc_is 2 && err_has "-j takes a number"'
em mark --algo md5 "$W"
check "mark --algo md5 exits 2" eval 'rc_is 2 && err_has "unknown algorithm"'
em mode sideways
check "mode with an unknown mode exits 2" eval 'rc_is 2 && err_has "unknown mode"'
em manifest frob
check "manifest with an unknown subcommand exits 2" eval 'rc_is 2'

############################################################################
# The marks, on one file system: fs_suite DIR LABEL

fs_suite() {
	D=$1
	L=$2
	mkdir -p "$D"
	printf 'hello\n' >"$D/a"
	: >"$D/empty"
	dd if=/dev/urandom of="$D/big" bs=1024 count=3333 2>/dev/null

	em mark "$D/a" "$D/empty" "$D/big"
	check "$L: mark exits 0" eval 'rc_is 0 && err_has "marked 3 files"'
	check "$L: sha256 mark matches sha256sum (small, empty, multi-MiB)" eval '
		[ "$(mark_of "$D/a")" = "$(want_mark "$D/a" sha256)" ] &&
		[ "$(mark_of "$D/empty")" = "$(want_mark "$D/empty" sha256)" ] &&
		[ "$(mark_of "$D/big")" = "$(want_mark "$D/big" sha256)" ]'
	check "$L: the marks are valid for execmark_mark_valid()" \
		"$XT" valid "$(mark_of "$D/big")"

	em verify "$D/a" "$D/empty" "$D/big"
	check "$L: verify prints ok lines and exits 0" eval '
		rc_is 0 && out_has "ok $D/a" && out_has "ok $D/empty" &&
		out_has "ok $D/big" && [ "$(wc -l <"$W/out")" -eq 3 ]'

	before=$("$XT" ctime "$D/a")
	em mark "$D/a"
	check "$L: marking a marked file is a no-op" eval '
		rc_is 0 && err_has "marked 0 files (0 B), 1 already marked" &&
		[ "$("$XT" ctime "$D/a")" = "$before" ]'

	for algo in sha384 sha512; do
		em mark --algo $algo "$D/big"
		if command -v ${algo}sum >/dev/null 2>&1; then
			check "$L: --algo $algo mark matches ${algo}sum" eval '
				rc_is 0 && [ "$(mark_of "$D/big")" = "$(want_mark "$D/big" $algo)" ]'
		else
			skip "$L: --algo $algo mark matches ${algo}sum" "no ${algo}sum"
		fi
		em verify "$D/big"
		check "$L: verify a $algo mark" eval 'rc_is 0 && out_has "ok $D/big"'
	done

	printf 'changed\n' >>"$D/a"
	em verify "$D/a" "$D/empty"
	check "$L: verify reports mismatch and exits 1" eval '
		rc_is 1 && out_has "mismatch $D/a" && out_has "ok $D/empty"'
	em verify -q "$D/a" "$D/empty"
	check "$L: verify -q prints only files that are not ok" eval '
		rc_is 1 && out_has "mismatch $D/a" && [ "$(wc -l <"$W/out")" -eq 1 ] &&
		[ ! -s "$W/err" ]'

	em unmark "$D/a"
	check "$L: unmark removes the mark" eval '
		rc_is 0 && [ "$(mark_of "$D/a")" = none ] && err_has "unmarked 1 files"'
	em unmark "$D/a"
	check "$L: unmark of an unmarked file is a no-op" eval '
		rc_is 0 && err_has "unmarked 0 files, 1 not marked"'
	em verify "$D/a"
	check "$L: verify reports unmarked and exits 1" eval 'rc_is 1 && out_has "unmarked $D/a"'
	em verify "$D/a" "$D/nonexistent"
	check "$L: verify with an error and a non-ok file exits 2" eval '
		rc_is 2 && out_has "unmarked $D/a" && err_has "$D/nonexistent: No such file"'

	# Corrupt marks: every shape execmark_mark_valid() rejects.
	printf 'x' >"$D/c"
	bad_ok=true
	for v in "" 01 0104 "02040000$HEX256" "0107$HEX256" "0104${HEX256%00}" \
		"0104${HEX256}00" "0105$HEX256" "0106$HEX256$HEX256$HEX256"; do
		if ! "$XT" set "$D/c" "$v" 2>"$W/err"; then
			bad_ok=skip
			break
		fi
		if "$XT" valid "$v"; then bad_ok=false; diag "valid: $v"; fi
		em verify "$D/c"
		if ! rc_is 1 || ! out_has "corrupt $D/c"; then
			bad_ok=false
			diag "not reported corrupt: '$v'"
		fi
	done
	if [ $bad_ok = skip ]; then
		skip "$L: verify reports corrupt marks" "the kernel refuses malformed marks: $(cat "$W/err")"
	else
		check "$L: verify reports each kind of corrupt mark, exit 1" $bad_ok
	fi
	em mark "$D/c"
	check "$L: mark replaces a corrupt mark" eval '
		rc_is 0 && [ "$(mark_of "$D/c")" = "$(want_mark "$D/c" sha256)" ]'

	# Non-regular files named on the command line are errors.
	ln -s a "$D/link"
	mkfifo "$D/fifo"
	mkdir "$D/dir"
	em mark "$D/link"
	check "$L: an explicit symlink is an error, not followed" eval '
		rc_is 2 && err_has "not a regular file (symlink, not followed)" &&
		[ "$(mark_of "$D/a")" = none ]'
	em mark "$D/fifo"
	check "$L: an explicit fifo is an error (and does not hang)" eval '
		rc_is 2 && err_has "not a regular file (fifo)"'
	em mark "$D/dir"
	check "$L: a directory without -r is an error" eval '
		rc_is 2 && err_has "is a directory (use -r)"'
	rm -f "$D/link" "$D/fifo"
	rmdir "$D/dir"

	# Recursive walks: symlinks and special files are skipped and said so.
	R=$D/tree
	mkdir -p "$R/sub/deeper" "$D/outside"
	printf 'one' >"$R/one"
	printf 'two' >"$R/sub/two"
	printf 'three' >"$R/sub/deeper/three"
	printf 'target' >"$D/outside/target"
	ln -s ../outside/target "$R/sub/link-to-outside"
	ln -s ../outside "$R/dirlink"
	mkfifo "$R/sub/fifo"
	em mark -r "$R"
	check "$L: mark -r marks the regular files" eval '
		rc_is 0 && err_has "marked 3 files" && err_has "3 skipped" &&
		[ "$(mark_of "$R/sub/deeper/three")" = "$(want_mark "$R/sub/deeper/three" sha256)" ]'
	check "$L: mark -r does not follow symlinks and says so" eval '
		[ "$(mark_of "$D/outside/target")" = none ] &&
		err_has "skipping symlink $R/sub/link-to-outside" &&
		err_has "skipping symlink $R/dirlink"'
	check "$L: mark -r skips fifos and says so" \
		err_has "skipping fifo $R/sub/fifo"
	em verify -r "$R"
	check "$L: verify -r lists the files in name order" eval '
		rc_is 0 && [ "$(cat "$W/out")" = "ok $R/one${NL}ok $R/sub/deeper/three${NL}ok $R/sub/two" ]'
	em verify -r -j 1 "$R/"
	check "$L: trailing slash and -j 1" eval '
		rc_is 0 && out_has "ok $R/one" && out_has "ok $R/sub/two"'
	em unmark -r "$R"
	check "$L: unmark -r" eval '
		rc_is 0 && err_has "unmarked 3 files" && [ "$(mark_of "$R/one")" = none ]'

	# Odd names.
	O=$D/odd
	mkdir "$O"
	for name in "with space" "new${NL}line" "non-utf8-$(printf '\377\376')" \
		"-leading-dash" 'back\slash' "car${CR}return" "tab$(printf '\t')x"; do
		printf '%s' "$name" >"$O/$name"
	done
	em mark -r "$O"
	check "$L: mark -r with odd names" eval 'rc_is 0 && err_has "marked 7 files"'
	em verify -r "$O"
	check "$L: verify escapes odd names unambiguously" eval '
		rc_is 0 && [ "$(wc -l <"$W/out")" -eq 7 ] &&
		out_has "ok $O/new\\x0aline" && out_has "ok $O/back\\\\slash" &&
		out_has "ok $O/non-utf8-\\xff\\xfe" && out_has "ok $O/car\\x0dreturn" &&
		out_has "ok $O/tab\\x09x" && out_has "ok $O/with space"'
	(cd "$O" && "$E" verify -- -leading-dash) >"$W/out" 2>"$W/err"
	check "$L: a leading-dash name after --" out_has "ok -leading-dash"

	em manifest export -r "$O"
	cp "$W/out" "$D/manifest"
	check "$L: export writes one line per file, escaping like sha256sum" eval '
		rc_is 0 && [ "$(grep -c "^\\\\" "$D/manifest")" -eq 3 ] &&
		grep -q -F -x "\\$(digest sha256sum "$O/back\\slash")  $O/back\\\\slash" "$D/manifest"'
	if $gnu_sum; then
		run sha256sum -c --strict "$D/manifest"
		check "$L: sha256sum -c accepts the exported manifest" \
			eval 'rc_is 0 && [ "$(grep -c ": OK$" "$W/out")" -eq 7 ]'
		em manifest export --algo sha512 -r "$O"
		cp "$W/out" "$D/manifest512"
		run sha512sum -c --strict "$D/manifest512"
		check "$L: sha512sum -c accepts an sha512 export" eval 'rc_is 0'
	else
		skip "$L: sha256sum -c accepts the exported manifest" "no GNU sha256sum"
		skip "$L: sha512sum -c accepts an sha512 export" "no GNU sha512sum"
	fi
	em unmark -r "$O"
	em manifest apply "$D/manifest"
	check "$L: apply marks every file of an exported manifest" eval '
		rc_is 0 && err_has "marked 7 files" &&
		[ "$(mark_of "$O/new${NL}line")" = "$(want_mark "$O/new${NL}line" sha256)" ]'
	"$E" unmark -r "$O" 2>/dev/null
	run "$E" manifest apply - <"$D/manifest"
	check "$L: apply reads standard input" eval 'rc_is 0 && err_has "marked 7 files"'

	# sha384 and sha512 digests in a manifest select the algorithm.
	"$E" unmark -r "$O" 2>/dev/null
	if $gnu_sum; then
		(cd "$O" && sha384sum "with space" && sha512sum -- -leading-dash) >"$D/m2"
		run sh -c 'cd "$1" && "$2" manifest apply "$3"' sh "$O" "$E" "$D/m2"
		check "$L: apply infers sha384/sha512 from the digest length" eval '
			rc_is 0 && [ "$(mark_of "$O/with space")" = "$(want_mark "$O/with space" sha384)" ] &&
			[ "$(mark_of "$O/-leading-dash")" = "$(want_mark "$O/-leading-dash" sha512)" ]'
	else
		skip "$L: apply infers sha384/sha512 from the digest length" "no GNU sha384sum"
	fi

	# apply never marks a file that does not match.
	printf 'v1' >"$D/m-a"
	printf 'v1' >"$D/m-b"
	"$E" manifest export "$D/m-a" "$D/m-b" >"$D/m3" 2>/dev/null
	printf 'v2' >"$D/m-b"
	em manifest apply "$D/m3"
	check "$L: apply reports a mismatch, does not mark it, exits 1" eval '
		rc_is 1 && err_has "$D/m-b: content does not match the manifest, not marked" &&
		[ "$(mark_of "$D/m-b")" = none ] && [ "$(mark_of "$D/m-a")" != none ]'
	rm "$D/m-b"
	em manifest apply "$D/m3"
	check "$L: apply reports a missing file, exits 2" eval '
		rc_is 2 && err_has "$D/m-b: No such file or directory" &&
		err_has "1 already marked"'

	# Malformed manifests: each bad line is named; good lines still apply.
	"$E" unmark "$D/m-a" 2>/dev/null
	good=$(digest sha256sum "$D/m-a")
	{
		printf '%s  %s\n' "$good" "$D/m-a"			# 1 good
		printf '%s  %s\n' "g${good#?}" "$D/m-a"			# 2 bad hex
		printf '%s  %s\n' "${good#?}" "$D/m-a"			# 3 63 digits
		printf '%s %s\n' "$good" "$D/m-a"			# 4 one space
		printf '%s  \n' "$good"					# 5 no name
		printf '\\%s  %s\\t\n' "$good" "$D/m-a"			# 6 bad escape
		printf '\n'						# 7 empty: ignored
		printf '%s\n' "$good"					# 8 digest only
		printf '%s  %s\000x\n' "$good" "$D/m-a"			# 9 NUL
		printf '%s%s  %s\n' "$good" "$good" "$D/m-a"		# 10 128 but sha512? no: mismatch
		head -c 100000 /dev/zero | tr '\0' 'f'; printf '  x\n'	# 11 very long
		printf '%s *%s\n' "$good" "$D/m-a"			# 12 binary flag: good
	} >"$D/bad"
	em manifest apply "$D/bad"
	check "$L: apply names each malformed line and exits 2" eval '
		rc_is 2 && err_has "$D/bad:2: malformed line" && err_has "$D/bad:3: malformed line" &&
		err_has "$D/bad:4: malformed line" && err_has "$D/bad:5: malformed line" &&
		err_has "$D/bad:6: malformed line" && err_has "$D/bad:8: malformed line" &&
		err_has "$D/bad:9: malformed line" && err_has "$D/bad:11: malformed line" &&
		! err_has "$D/bad:1:" && ! err_has "$D/bad:7:" && ! err_has "$D/bad:12:" &&
		err_has "8 malformed lines"'
	check "$L: apply still marks the good lines of a bad manifest" \
		eval '[ "$(mark_of "$D/m-a")" = "$(want_mark "$D/m-a" sha256)" ]'
	check "$L: a 128-digit digest is sha512 and does not match" \
		err_has "$D/m-a: content does not match the manifest"

	# A writer racing the hash: reported, not marked, exit 1.
	dd if=/dev/zero of="$D/racy" bs=1048576 count=8 2>/dev/null
	(sleep 0.3; printf 'x' >>"$D/racy") &
	EXECMARK_TEST_HASH_DELAY_MS=100 run "$E" mark "$D/racy"
	wait
	check "$L: a file appended to while hashed is not marked, exit 1" eval '
		rc_is 1 && err_has "$D/racy: changed while hashing, not marked" &&
		err_has "1 changed while hashing" && [ "$(mark_of "$D/racy")" = none ]'
	dd if=/dev/zero of="$D/racy" bs=1048576 count=8 conv=notrunc 2>/dev/null
	"$E" mark "$D/racy" 2>/dev/null
	(sleep 0.3; printf 'y' | dd of="$D/racy" bs=1 seek=100 conv=notrunc 2>/dev/null) &
	EXECMARK_TEST_HASH_DELAY_MS=100 run "$E" verify "$D/racy"
	wait
	check "$L: verify of a file rewritten while hashed is an error" eval '
		rc_is 2 && err_has "$D/racy: changed while hashing, not verified"'
	rm -f "$D/racy"

	# A 10,000-file tree.
	B=$D/many
	mkdir "$B"
	i=0
	while [ $i -lt 100 ]; do
		mkdir "$B/d$i"
		j=0
		while [ $j -lt 100 ]; do
			echo "$i.$j" >"$B/d$i/f$j"
			j=$((j + 1))
		done
		i=$((i + 1))
	done
	t0=$(date +%s)
	em mark -r "$B"
	t1=$(date +%s)
	check "$L: mark -r of 10,000 files" eval 'rc_is 0 && err_has "marked 10000 files"'
	em verify -r -q "$B"
	t2=$(date +%s)
	check "$L: verify -r of 10,000 files: all ok" eval 'rc_is 0 && [ ! -s "$W/out" ]'
	em verify -r -j 1 "$B"
	check "$L: verify -r of 10,000 files, -j 1: same order" eval '
		rc_is 0 && [ "$(wc -l <"$W/out")" -eq 10000 ] &&
		[ "$(head -n 1 "$W/out")" = "ok $B/d0/f0" ] &&
		[ "$(sed -n 2p "$W/out")" = "ok $B/d0/f1" ] &&
		[ "$(tail -n 1 "$W/out")" = "ok $B/d99/f99" ]'
	check "$L: 10,000 files take under 60 s each way" \
		[ $((t1 - t0)) -lt 60 -a $((t2 - t1)) -lt 60 ]
	diag "$L: mark -r 10000 files: $((t1 - t0)) s, verify -r: $((t2 - t1)) s"
	rm -rf "$B"
}

fs_type() { stat -f -c %T "$1" 2>/dev/null || echo unknown; }

fs_suite "$W/disk" "$(fs_type "$W") ($W)"

mkdir "$W/tmpfs"
if mount -t tmpfs -o size=512m execmark-test "$W/tmpfs"; then
	MOUNTS="$W/tmpfs $MOUNTS"
	fs_suite "$W/tmpfs/t" tmpfs
else
	skip "tmpfs suite" "cannot mount tmpfs"
fi

############################################################################
# -x, a file system without xattrs, a bigger racing writer.

X=$W/x
mkdir -p "$X/inner"
printf 'top' >"$X/top"
if mount -t tmpfs execmark-test-inner "$X/inner"; then
	MOUNTS="$X/inner $MOUNTS"
	printf 'in' >"$X/inner/file"
	em mark -r -x "$X"
	check "-x: does not cross into a file system mounted inside" eval '
		rc_is 0 && err_has "marked 1 files" &&
		err_has "skipping (other file system) $X/inner" &&
		[ "$(mark_of "$X/inner/file")" = none ] && [ "$(mark_of "$X/top")" != none ]'
	em mark -r "$X"
	check "without -x the walk crosses it" eval '
		rc_is 0 && [ "$(mark_of "$X/inner/file")" != none ]'
else
	skip "-x: does not cross into a file system mounted inside" "cannot mount tmpfs"
	skip "without -x the walk crosses it" "cannot mount tmpfs"
fi

mkdir "$W/ramfs"
if mount -t ramfs execmark-test-ramfs "$W/ramfs"; then
	MOUNTS="$W/ramfs $MOUNTS"
	printf 'r' >"$W/ramfs/f"
	em mark "$W/ramfs/f"
	check "a file system without security.* xattrs: clear error, exit 2" eval '
		rc_is 2 && err_has "$W/ramfs/f: file system does not support security.execmark extended attributes"'
	em verify "$W/ramfs/f"
	check "verify there: the same error" eval '
		rc_is 2 && err_has "does not support security.execmark"'
else
	skip "a file system without security.* xattrs" "cannot mount ramfs"
	skip "verify there: the same error" "cannot mount ramfs"
fi

if grep -q " $W/tmpfs " /proc/mounts 2>/dev/null; then
	dd if=/dev/zero of="$W/tmpfs/huge" bs=1048576 count=200 2>/dev/null
	(while :; do printf 'x' >>"$W/tmpfs/huge"; done) &
	writer=$!
	run "$E" mark "$W/tmpfs/huge"
	kill $writer
	wait $writer 2>/dev/null
	check "200 MiB file appended to by a writer during mark: not marked" eval '
		rc_is 1 && err_has "changed while hashing" && [ "$(mark_of "$W/tmpfs/huge")" = none ]'
	rm -f "$W/tmpfs/huge"
else
	skip "200 MiB file appended to by a writer during mark" "no tmpfs"
fi

############################################################################
# Without privilege.

nobody() { "$XT" nobody "$@"; }
P=$W/priv
mkdir "$P"
chmod 755 "$P"
printf 'p' >"$P/f"
chmod 644 "$P/f"
run nobody "$E" mark "$P/f"
check "non-root mark: permission denied, CAP_MAC_ADMIN named, exit 2" eval '
	rc_is 2 && err_has "$P/f: permission denied setting security.execmark (needs CAP_MAC_ADMIN" &&
	[ "$(mark_of "$P/f")" = none ]'
"$E" mark "$P/f" 2>/dev/null
run nobody "$E" verify "$P/f"
check "non-root verify works" eval 'rc_is 0 && out_has "ok $P/f"'
run nobody "$E" unmark "$P/f"
check "non-root unmark: permission denied, exit 2" eval '
	rc_is 2 && err_has "permission denied removing security.execmark" &&
	[ "$(mark_of "$P/f")" != none ]'
chmod 600 "$P/f"
run nobody "$E" verify "$P/f"
check "an unreadable file: the path and the reason, exit 2" eval '
	rc_is 2 && err_has "$P/f: Permission denied"'

############################################################################
# status, mode, lock against a fake securityfs directory.

S=$W/sfs
mkdir "$S"
EXECMARK_SECURITYFS=$W/none run "$E" status
check "status without execmark: not active, exit 2" eval '
	rc_is 2 && err_has "execmark is not active (no $W/none)"'
for c in "mode" "mode enforce" "lock" "forward --foreground"; do
	# shellcheck disable=SC2086
	EXECMARK_SECURITYFS=$W/none run "$E" $c
	check "$c without execmark: not active, exit 2" eval '
		rc_is 2 && err_has "execmark is not active"'
done
printf 'permissive\n' >"$S/mode"
printf '0\n' >"$S/lock"
printf 'checks 10\ncache_hits 7\nhashes 3\nhash_bytes 4096\ndenials 2\nevents_lost 0\n' >"$S/stats"
mkfifo "$S/events"
chmod 644 "$S/mode" "$S/lock" "$S/stats"
export EXECMARK_SECURITYFS="$S"
em status
check "status prints mode, lock, forwarder and every statistic" eval '
	rc_is 0 && out_has "mode: permissive" && out_has "lock: 0" &&
	out_has "forwarder: not attached" && out_has "checks: 10" &&
	out_has "cache_hits: 7" && out_has "hash_bytes: 4096" && out_has "events_lost: 0"'
em mode
check "mode prints the mode" eval 'rc_is 0 && [ "$(cat "$W/out")" = permissive ]'
: >"$S/mode"
em mode enforce
check "mode enforce writes the new mode" eval '
	rc_is 0 && [ "$(cat "$S/mode")" = enforce ]'
em lock
check "lock writes 1" eval 'rc_is 0 && [ "$(cat "$S/lock")" = 1 ]'
printf '0\n' >"$S/lock"
run nobody "$E" mode off
check "mode as non-root: needs CAP_MAC_ADMIN, exit 2" eval '
	rc_is 2 && err_has "changing the mode needs CAP_MAC_ADMIN"'
printf '1\n' >"$S/lock"
run nobody "$E" mode off
check "mode when locked: locked until reboot, exit 2" eval '
	rc_is 2 && err_has "the mode is locked until reboot"'
run nobody "$E" lock
check "lock as non-root: needs CAP_MAC_ADMIN, exit 2" eval '
	rc_is 2 && err_has "locking the mode needs CAP_MAC_ADMIN"'
rm "$S/stats"
em status
check "status with an unreadable statistic exits 2" eval '
	rc_is 2 && out_has "mode: enforce" && err_has "stats: No such file"'
unset EXECMARK_SECURITYFS

############################################################################
# forward, with the stdout sink and a fifo as the events file.

F=$W/fwd
mkdir "$F"
mkfifo "$F/events"
EV1='seq=1 op=exec mode=permissive reason=unmarked pid=4242 uid=1000 auid=1000 ses=7 comm="evil" exe="/tmp/evil" path="/tmp/evil" dev=8:1 ino=1234'
EV2='seq=2 op=mmap mode=enforce reason=mismatch pid=1 uid=0 auid=4294967295 ses=4294967295 comm=6120622063 exe=2F746D702F6120622063 path="/usr/lib/it'"'"'s.so" dev=0:42 ino=99'
EV2R='seq=2 op=mmap mode=enforce reason=mismatch pid=1 uid=0 auid=4294967295 ses=4294967295 comm=6120622063 exe=2F746D702F6120622063 path=2F7573722F6C69622F697427732E736F dev=0:42 ino=99'
EV4='seq=4 op=check mode=permissive reason=unverifiable pid=5 uid=5 auid=5 ses=5 comm="x" exe="/x" path="/y" dev=0:1 ino=2'
EV5='seq=5 op=mprotect mode=enforce reason=corrupt pid=6 uid=6 auid=6 ses=6 comm="y" exe="/y" path="/z" dev=0:1 ino=3'

# wait_lines N: wait up to 5 s for N lines in the forwarder's output
wait_lines() {
	t=0
	while [ "$(wc -l <"$F/out")" -lt "$1" ] && [ $t -lt 50 ]; do
		sleep 0.1
		t=$((t + 1))
	done
}

EXECMARK_SECURITYFS=$F EXECMARK_FORWARD_SINK=stdout EXECMARK_TEST_SINK_FAILURES=2 \
	"$E" forward --foreground >"$F/out" 2>"$F/err" &
FWDPID=$!
exec 3>"$F/events"
printf '%s\n' "$EV1" >&3
# a line split across writes, and a lost= line
printf '%s' "${EV2%%reason=*}" >&3
sleep 0.3
printf '%s\n' "reason=${EV2#*reason=}" >&3
printf 'seq=3 lost=17\n' >&3
wait_lines 3
check "forward: an event becomes one record with every field unchanged" \
	grep -F -x -q "$EV1" "$F/out"
check "forward: a line split across reads is reassembled" eval '
	[ "$(grep -c "^seq=2 " "$F/out")" -eq 1 ] && grep -q "^seq=2 .* ino=99$" "$F/out"'
check "forward: a quoted string with ' is re-encoded in hex, nothing else changes" \
	grep -F -x -q "$EV2R" "$F/out"
check "forward: a lost= line becomes an op=lost record" \
	grep -F -x -q "seq=3 op=lost lost=17" "$F/out"
check "forward: delivery failures are retried, nothing is lost or duplicated" eval '
	[ "$(cat "$F/out")" = "$EV1${NL}$EV2R${NL}seq=3 op=lost lost=17" ] &&
	grep -q "cannot deliver to the audit subsystem" "$F/err" &&
	grep -q "audit delivery resumed" "$F/err"'

# an overlong line is discarded; the next one still arrives
{ head -c 70000 /dev/zero | tr '\0' 'a'; printf '\n%s\n' "$EV4"; } >&3
printf 'not an event\n' >&3
wait_lines 4
check "forward: an overlong line is discarded, the next one delivered" eval '
	grep -F -x -q "$EV4" "$F/out" && grep -q "longer than" "$F/err"'
check "forward: a malformed line is reported and discarded" eval '
	grep -q "malformed event discarded: not an event" "$F/err" &&
	[ "$(wc -l <"$F/out")" -eq 4 ]'

# a record longer than the kernel's limit: the longest string is cut, said so
LONGPATH=$(head -c 5000 /dev/zero | tr '\0' 'a' | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F)
printf 'seq=6 op=exec mode=enforce reason=unmarked pid=1 uid=0 auid=0 ses=1 comm="c" exe="/e" path=%s dev=0:1 ino=1\n' "$LONGPATH" >&3
wait_lines 5
check "forward: an over-long record has its path cut and truncated=path" eval '
	rec=$(grep "^seq=6 " "$F/out") && [ ${#rec} -le 8560 ] && [ ${#rec} -gt 8000 ] &&
	case $rec in *" dev=0:1 ino=1 truncated=path") true ;; *) false ;; esac'

# SIGHUP: reopen; the writer must reopen too
kill -HUP $FWDPID
sleep 0.3
exec 3>&-
exec 3>"$F/events"
printf '%s\n' "$EV5" >&3
wait_lines 6
check "forward: SIGHUP reopens the events file" eval '
	grep -F -x -q "$EV5" "$F/out" && grep -q "SIGHUP: reopening" "$F/err"'
kill -TERM $FWDPID
wait $FWDPID
rc=$?
FWDPID=""
exec 3>&-
check "forward: SIGTERM exits 0" rc_is 0

if command -v ausearch >/dev/null 2>&1; then
	# What auditd would log for these records: check that ausearch finds
	# them by type and decodes the hex strings.
	printf "type=TRUSTED_APP msg=audit(1700000000.001:%s): pid=99 uid=0 auid=4294967295 ses=4294967295 msg='%s'\n" \
		1 "$EV1" 2 "$EV2R" >"$F/audit.log"
	run ausearch -if "$F/audit.log" -m TRUSTED_APP -i
	check "ausearch -m TRUSTED_APP -i finds the records and decodes strings" eval '
		rc_is 0 && grep -q "exe=/tmp/a b c" "$W/out" &&
		grep -q "path=/usr/lib/it'"'"'s.so" "$W/out" && grep -q "comm=evil" "$W/out" &&
		grep -q "mode=enforce reason=mismatch" "$W/out"'
	run ausearch -if "$F/audit.log" -m TRUSTED_APP -ui 1000
	check "ausearch -ui finds a record by the denied process's uid" eval '
		rc_is 0 && grep -q "pid=4242" "$W/out" && ! grep -q "seq=2" "$W/out"'
else
	skip "ausearch finds and decodes the records" "no ausearch"
	skip "ausearch -ui finds a record by the denied process's uid" "no ausearch"
fi

echo "1..$n"
[ $failed -eq 0 ] || echo "# $failed of $n tests failed"
[ $failed -eq 0 ]
