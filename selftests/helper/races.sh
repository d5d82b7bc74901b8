# SPDX-License-Identifier: GPL-2.0
#
# Writers racing the hash: a file changed while it is hashed is never
# marked.
# Sourced by run.sh, which defines what it uses (lib.sh).

# races_suite DIR LABEL: on the file system of DIR
races_suite() {
	D=$1
	L=$2
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

}

# A bigger file and a writer that does not stop, on the tmpfs.
races_big() {
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
}
