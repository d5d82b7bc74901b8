# SPDX-License-Identifier: GPL-2.0
#
# Writers racing the hash: a file changed while it is hashed is never
# marked.
# Sourced by run.sh, which defines what it uses (lib.sh).

# races_suite DIR LABEL: on the file system of DIR
# The writers start 1 s after the command; it hashes 8 MiB at 300 ms per MiB,
# so that a slow start (a loaded VM) still has the writer come mid-hash.
races_suite() {
	D=$1
	L=$2
	# A writer racing the hash: reported, not marked, exit 1.
	dd if=/dev/zero of="$D/racy" bs=1048576 count=8 2>/dev/null
	(sleep 1; printf 'x' >>"$D/racy") &
	EXECMARK_TEST_HASH_DELAY_MS=300 run "$E" mark "$D/racy"
	wait
	check "$L: a file appended to while hashed is not marked, exit 1" eval '
		rc_is 1 && err_has "$D/racy: changed while hashing, not marked" &&
		err_has "1 changed while hashing" && [ "$(mark_of "$D/racy")" = none ]'
	dd if=/dev/zero of="$D/racy" bs=1048576 count=8 conv=notrunc 2>/dev/null
	chmod 755 "$D/racy"
	"$E" mark "$D/racy" 2>/dev/null
	(sleep 1; printf 'y' | dd of="$D/racy" bs=1 seek=100 conv=notrunc 2>/dev/null) &
	EXECMARK_TEST_HASH_DELAY_MS=300 run "$E" verify "$D/racy"
	wait
	check "$L: verify of a file rewritten while hashed is an error" eval '
		rc_is 2 && err_has "$D/racy: changed while hashing, not verified"'
	rm -f "$D/racy"

	# Issue 12 item 7: writes through a shared writable mapping change
	# neither mtime nor ctime; mark must not record content that moved.
	dd if=/dev/zero of="$D/mapped" bs=1048576 count=8 2>/dev/null
	"$XT" mapwrite "$D/mapped" 3000 >"$W/mapped" &
	mw=$!
	t=0
	while [ ! -s "$W/mapped" ] && [ $t -lt 50 ]; do sleep 0.1; t=$((t + 1)); done
	EXECMARK_TEST_HASH_DELAY_MS=300 run "$E" mark "$D/mapped"
	kill $mw 2>/dev/null
	wait $mw 2>/dev/null
	check "$L: item 7: a file written through a shared writable mapping is not marked" eval '
		rc_is 1 && err_has "$D/mapped: open for writing or mapped writable, not marked" &&
		err_has "1 open for writing" && [ "$(mark_of "$D/mapped")" = none ]'
	exec 4>>"$D/mapped"
	em mark "$D/mapped"
	exec 4>&-
	check "$L: item 7: a file open for writing is not marked" eval '
		rc_is 1 && err_has "open for writing or mapped writable, not marked" &&
		[ "$(mark_of "$D/mapped")" = none ]'
	(sleep 1; printf 'x' >>"$D/mapped") &
	EXECMARK_TEST_HASH_DELAY_MS=300 run "$E" mark "$D/mapped"
	wait
	check "$L: item 7: a writer opening it while hashed breaks the lease: not marked" eval '
		rc_is 1 && err_has "$D/mapped: changed while hashing, not marked" &&
		[ "$(mark_of "$D/mapped")" = none ]'
	em mark "$D/mapped"
	check "$L: item 7: with no writer it is marked" eval '
		rc_is 0 && [ "$(mark_of "$D/mapped")" = "$(want_mark "$D/mapped" sha256)" ]'
	rm -f "$D/mapped"

}

# A bigger file and a writer that does not stop, on the tmpfs. Three
# rounds: the writer often opens the file between mark's taking the lease
# and its first read, which breaks the lease before hashing starts (a
# mark of the old hash_file(), which asked F_GETLEASE only then, was
# written in about one round of three).
races_big() {
	if grep -q " $W/tmpfs " /proc/mounts 2>/dev/null; then
		dd if=/dev/zero of="$W/tmpfs/huge" bs=1048576 count=200 2>/dev/null
		(while :; do printf 'x' >>"$W/tmpfs/huge"; done) &
		writer=$!
		# Mark only once the writer is appending (a loaded machine
		# may start it late), and hash at 10 ms per MiB so that the
		# writer, running, comes during the 2 s of hashing.
		t=0
		while [ "$(stat -c %s "$W/tmpfs/huge")" -le 209715200 ] && [ $t -lt 300 ]; do
			sleep 0.1
			t=$((t + 1))
		done
		bad=
		for r in 1 2 3; do
			EXECMARK_TEST_HASH_DELAY_MS=10 run "$E" mark "$W/tmpfs/huge"
			rc_is 1 && { err_has "changed while hashing" || err_has "open for writing"; } &&
				[ "$(mark_of "$W/tmpfs/huge")" = none ] || bad="$bad $r"
		done
		kill $writer
		wait $writer 2>/dev/null
		check "200 MiB file appended to by a writer during mark: not marked (3 rounds)" \
			eval '[ -z "$bad" ] || { echo "marked or wrong in round(s)$bad: $(cat "$W/err")"; false; }'
		rm -f "$W/tmpfs/huge"
	else
		skip "200 MiB file appended to by a writer during mark" "no tmpfs"
	fi
}
