# SPDX-License-Identifier: GPL-2.0
#
# The marks: mark, verify and unmark of single files, corrupt marks,
# non-regular files named on the command line; a file system without
# security.* extended attributes.
# Sourced by run.sh, which defines what it uses (lib.sh).

# marks_suite DIR LABEL: on the file system of DIR
marks_suite() {
	D=$1
	L=$2
	mkdir -p "$D"
	printf 'hello\n' >"$D/a"
	: >"$D/empty"
	dd if=/dev/urandom of="$D/big" bs=1024 count=3333 2>/dev/null
	# verify says ok only for what the kernel would run (item 10)
	chmod 755 "$D/a" "$D/empty" "$D/big"

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
		rc_is 0 && [ "$(mark_of "$D/a")" = none ] && err_has "unmarked 1 file,"'
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
	chmod 755 "$D/c"
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

}

# Issue 12 item 10: verify reports what the kernel would decide, and ok
# only for what would run.
marks_item10() {
	V=$W/item10
	mkdir -p "$V"
	printf '#!/bin/sh\n' >"$V/script"
	chmod 644 "$V/script"
	"$E" mark "$V/script" 2>/dev/null
	em verify "$V/script"
	check "item 10: a marked file without execute permission: not-executable, exit 1" eval '
		rc_is 1 && out_has "not-executable $V/script" && err_has "1 not-executable"'
	chmod 755 "$V/script"
	em verify "$V/script"
	check "item 10: with execute permission: ok" eval 'rc_is 0 && out_has "ok $V/script"'

	lib=
	for l in /usr/lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libc.so.6 /lib64/libc.so.6; do
		[ -f "$l" ] && { lib=$l; break; }
	done
	if [ -n "$lib" ]; then
		cat "$lib" >"$V/lib.so"
		chmod 644 "$V/lib.so"
		"$E" mark "$V/lib.so" 2>/dev/null
		em verify "$V/lib.so"
		check "item 10: a shared object without execute permission is ok (mmap needs none)" eval '
			rc_is 0 && out_has "ok $V/lib.so"'
	else
		skip "item 10: a shared object without execute permission is ok (mmap needs none)" "no libc.so.6"
	fi

	exec 4>>"$V/script"
	em verify "$V/script"
	exec 4>&-
	check "item 10: a file open for writing: unverifiable" eval '
		rc_is 1 && out_has "unverifiable $V/script" && err_has "1 unverifiable"'
	"$XT" mapwrite "$V/script" 2000 >"$W/mapped" &
	mw=$!
	t=0
	while [ ! -s "$W/mapped" ] && [ $t -lt 50 ]; do sleep 0.1; t=$((t + 1)); done
	em verify "$V/script"
	kill $mw 2>/dev/null
	wait $mw 2>/dev/null
	check "item 10: a file mapped shared and writable: unverifiable" eval '
		rc_is 1 && out_has "unverifiable $V/script"'
	"$E" mark "$V/script" 2>/dev/null

	mkdir "$V/noexec"
	if mount -t tmpfs -o noexec execmark-test-noexec "$V/noexec"; then
		MOUNTS="$V/noexec $MOUNTS"
		cp "$V/script" "$V/noexec/script"
		chmod 755 "$V/noexec/script"
		"$E" mark "$V/noexec/script" 2>/dev/null
		em verify "$V/noexec/script"
		check "item 10: on a noexec mount: noexec" eval '
			rc_is 1 && out_has "noexec $V/noexec/script" && err_has "1 noexec"'
	else
		skip "item 10: on a noexec mount: noexec" "cannot mount tmpfs"
	fi

	# A tmpfs mounted in a user namespace, seen through /proc/PID/root.
	if unshare -U -r -m true 2>/dev/null; then
		unshare -U -r -m sh -c 'mount -t tmpfs x "$1" && printf "#!/bin/sh\n" >"$1/s" &&
			chmod 755 "$1/s" && echo up >"$2" && sleep 10' sh "$V/noexec" "$W/userns" &
		us=$!
		t=0
		while [ ! -s "$W/userns" ] && [ $t -lt 50 ]; do sleep 0.1; t=$((t + 1)); done
		uf=/proc/$us/root$V/noexec/s	# unshare became that sh
		"$E" mark "$uf" 2>/dev/null
		em verify "$uf"
		kill $us 2>/dev/null
		wait $us 2>/dev/null
		check "item 10: a tmpfs mounted in a user namespace: unverifiable" eval '
			rc_is 1 && out_has "unverifiable $uf"'
	else
		skip "item 10: a tmpfs mounted in a user namespace: unverifiable" "no unshare -U -r -m"
	fi
}

# A file system without security.* xattrs.
marks_no_xattr() {
	mkdir "$W/ramfs"
	if mount -t ramfs execmark-test-ramfs "$W/ramfs"; then
		MOUNTS="$W/ramfs $MOUNTS"
		printf 'r' >"$W/ramfs/f"
		em mark "$W/ramfs/f"
		check "a file system without security.* xattrs: clear error, exit 2" eval '
			rc_is 2 && err_has "$W/ramfs/f: file system does not support security.execmark extended attributes"'
		chmod 755 "$W/ramfs/f"
		em verify "$W/ramfs/f"
		check "verify there: unverifiable, as the kernel decides (ramfs)" eval '
			rc_is 1 && out_has "unverifiable $W/ramfs/f"'
	else
		skip "a file system without security.* xattrs" "cannot mount ramfs"
		skip "verify there: the same error" "cannot mount ramfs"
	fi
}
