# SPDX-License-Identifier: GPL-2.0
#
# The walk: recursive marking and verifying, symbolic links and special
# files skipped, odd names, 10,000 files; -x and other file systems.
# Sourced by run.sh, which defines what it uses (lib.sh).

# walk_suite DIR LABEL: on the file system of DIR
walk_suite() {
	D=$1
	L=$2
	# Recursive walks: symlinks and special files are skipped; special
	# files are named, symlinks (thousands in /usr) only counted unless -v.
	R=$D/tree
	mkdir -p "$R/sub/deeper" "$D/outside"
	printf 'one' >"$R/one"
	printf 'two' >"$R/sub/two"
	printf 'three' >"$R/sub/deeper/three"
	printf 'target' >"$D/outside/target"
	ln -s ../outside/target "$R/sub/link-to-outside"
	ln -s ../outside "$R/dirlink"
	mkfifo "$R/sub/fifo"
	chmod 755 "$R/one" "$R/sub/two" "$R/sub/deeper/three"
	em mark -r "$R"
	check "$L: mark -r marks the regular files" eval '
		rc_is 0 && err_has "marked 3 files" && err_has "3 skipped" &&
		[ "$(mark_of "$R/sub/deeper/three")" = "$(want_mark "$R/sub/deeper/three" sha256)" ]'
	check "$L: issue 12.13: mark -r does not follow symlinks, counts them, names none without -v" eval '
		[ "$(mark_of "$D/outside/target")" = none ] &&
		err_has ", 3 skipped (2 symlinks), " && ! err_has "skipping symlink"'
	check "$L: mark -r skips fifos and says so" \
		err_has "skipping fifo $R/sub/fifo"
	em mark -r -v "$R"
	check "$L: issue 12.13: mark -r -v names each symlink skipped" eval '
		rc_is 0 && err_has "skipping symlink $R/sub/link-to-outside" &&
		err_has "skipping symlink $R/dirlink" && err_has ", 3 skipped (2 symlinks), " &&
		[ "$(mark_of "$D/outside/target")" = none ]'
	rm "$R/dirlink"
	em verify -r "$R"
	check "$L: issue 12.14: one symlink is \"1 symlink\"" eval '
		rc_is 0 && err_has ", 2 skipped (1 symlink), " && ! err_has "skipping symlink"'
	ln -s ../outside "$R/dirlink"
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
	odd_names "$O"
	chmod 755 "$O"/*
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
		chmod 755 "$B/d$i"/*
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

# -x: file systems mounted inside a tree.
walk_mounts() {
	X=$W/x
	mkdir -p "$X/inner"
	printf 'top' >"$X/top"
	if mount -t tmpfs execmark-test-inner "$X/inner"; then
		MOUNTS="$X/inner $MOUNTS"
		printf 'in' >"$X/inner/file"
		em mark -r -x "$X"
		check "-x: does not cross into a file system mounted inside" eval '
			rc_is 0 && err_has "marked 1 file (" &&
			err_has "skipping (other file system) $X/inner" &&
			[ "$(mark_of "$X/inner/file")" = none ] && [ "$(mark_of "$X/top")" != none ]'
		em mark -r "$X"
		check "without -x the walk crosses it" eval '
			rc_is 0 && [ "$(mark_of "$X/inner/file")" != none ]'
	else
		skip "-x: does not cross into a file system mounted inside" "cannot mount tmpfs"
		skip "without -x the walk crosses it" "cannot mount tmpfs"
	fi

	# Issue 12 item 8: pseudo file systems are skipped by their statfs
	# magic, never read (mqueue here: its files are harmless to read, unlike
	# /proc/kmsg or execmark's events), and counted in the summary.
	PS=$W/pseudo
	mkdir -p "$PS/mq"
	printf 'real' >"$PS/real"
	chmod 755 "$PS/real"
	if mount -t mqueue execmark-test-mq "$PS/mq"; then
		MOUNTS="$PS/mq $MOUNTS"
		em mark -r "$PS"
		check "item 8: mark -r skips a pseudo file system, counted in the summary" eval '
			rc_is 0 && err_has "skipping pseudo file system (mqueue) $PS/mq" &&
			err_has "marked 1 file (" && err_has ", 1 on pseudo file systems, "'
		em manifest export -r "$PS"
		check "item 8: manifest export -r skips it too, and says so" eval '
			rc_is 0 && [ "$(wc -l <"$W/out")" -eq 1 ] && out_has "$(digest sha256sum "$PS/real")  $PS/real" &&
			err_has "skipping pseudo file system (mqueue) $PS/mq" &&
			err_has "exported 1 file, 0 skipped, 1 on pseudo file systems, 0 errors"'
		em verify -r "$PS"
		check "item 8: verify -r skips it" eval '
			rc_is 0 && err_has ", 1 on pseudo file systems, "'
	else
		skip "item 8: mark -r skips a pseudo file system, counted in the summary" "cannot mount mqueue"
		skip "item 8: manifest export -r skips it too, and says so" "cannot mount mqueue"
		skip "item 8: verify -r skips it" "cannot mount mqueue"
	fi
	if [ -r /proc/self/status ]; then
		em verify /proc/self/status
		check "item 8: a path named on a pseudo file system is an error, not read" eval '
			rc_is 2 && err_has "/proc/self/status: on a pseudo file system (proc), not read"'
	else
		skip "item 8: a path named on a pseudo file system is an error, not read" "no /proc"
	fi

}

# Issue 12 item 13: the walk at scale. Its descriptors do not grow with the
# depth of the tree; going back up it finds each directory again, and no
# other; paths longer than PATH_MAX in an export are applied.
walk_scale() {
	Z=$W/scale
	mkdir "$Z"

	# 400 levels, a file at each, with 128 descriptors (the walk that held
	# one per level failed at about 124).
	T=$Z/deep
	mkdir "$T"
	(
		cd "$T" || exit
		i=0
		while [ $i -lt 400 ]; do
			printf '%s' "$i" >z
			chmod 755 z
			mkdir d
			cd d || exit
			i=$((i + 1))
		done
	)
	run sh -c 'ulimit -n 128 && exec "$0" mark -r "$1"' "$E" "$T"
	check "issue 12.13: mark -r of a tree 400 deep with ulimit -n 128" eval '
		rc_is 0 && err_has "marked 400 files" && err_has ", 0 errors"'
	run sh -c 'ulimit -n 128 && exec "$0" verify -r -j 1 "$1"' "$E" "$T"
	p=$T
	i=0
	while [ $i -lt 398 ]; do p=$p/d; i=$((i + 1)); done
	check "issue 12.13: verify -r of it: 400 ok, deepest first (name order)" eval '
		rc_is 0 && [ "$(grep -c "^ok " "$W/out")" -eq 400 ] &&
		[ "$(head -n 1 "$W/out")" = "ok $p/d/z" ] &&
		[ "$(sed -n 2p "$W/out")" = "ok $p/z" ] &&
		[ "$(tail -n 1 "$W/out")" = "ok $T/z" ]'
	rm -rf "$T"

	# Back up to directories whose descriptors were closed (64 descriptors:
	# the walk keeps 8 open; 15 levels): the walk waits in slow/ while its
	# 40 files are hashed, 150 ms each, one at a time; meanwhile the tree
	# above changes.
	deep_tree() {	# deep_tree ROOT: ROOT/a/b1/.../b12/slow/f1..f40, ROOT/a/zz, ROOT/zz
		mkdir -p "$1/a"
		p=$1/a/b1
		i=2
		while [ $i -le 12 ]; do p=$p/b$i; i=$((i + 1)); done
		mkdir -p "$p/slow"
		i=1
		while [ $i -le 40 ]; do printf '%s' "$i" >"$p/slow/f$i"; i=$((i + 1)); done
		printf 'zz' >"$1/a/zz"
		printf 'zz' >"$1/zz"
		SLOW=$p/slow
	}
	# race_walk ROOT CHANGE...: mark -r ROOT; once the walk is in slow/,
	# run CHANGE
	race_walk() {
		r=$1
		shift
		(ulimit -n 64 && EXECMARK_TEST_HASH_DELAY_MS=150 exec "$E" mark -r -j 1 "$r") \
			>"$W/out" 2>"$W/err" &
		rw=$!
		t=0
		while [ "$(mark_of "$SLOW/f1")" = none ] && [ $t -lt 300 ]; do
			sleep 0.1
			t=$((t + 1))
		done
		"$@"
		wait $rw
		rc=$?
	}
	O2=$Z/outside
	mkdir -p "$O2/b1"
	printf 'zz' >"$O2/zz"
	printf 'trap' >"$O2/b1/trap"

	# An ancestor renamed and a symlink to elsewhere in its place: the walk
	# goes back up through the renamed directory, never the symlink's.
	T=$Z/t1
	deep_tree "$T"
	race_walk "$T" eval 'mv "$T/a" "$T/a.old" && ln -s "$O2" "$T/a"'
	check "issue 12.13: an ancestor swapped for a symlink mid-walk: the walk stays in the real directory" eval '
		rc_is 0 && [ "$(mark_of "$O2/zz")" = none ] && [ "$(mark_of "$O2/b1/trap")" = none ] &&
		[ "$(mark_of "$T/a.old/zz")" != none ] && [ "$(mark_of "$T/zz")" != none ] &&
		err_has "marked 42 files"'
	rm -rf "$T"

	# The child moved out of its (closed) parent: ".." leads elsewhere;
	# the parent is found again down from the top, by name.
	T=$Z/t2
	deep_tree "$T"
	mkdir "$Z/away"
	race_walk "$T" eval 'mv "$T/a/b1" "$Z/away/b1" && mkdir "$T/a/b1" && printf x >"$T/a/b1/new"'
	check "issue 12.13: a directory moved out of its parent mid-walk: the parent is found again, the rest walked" eval '
		rc_is 0 && [ "$(mark_of "$T/a/zz")" != none ] && [ "$(mark_of "$T/zz")" != none ] &&
		[ "$(mark_of "$T/a/b1/new")" = none ] && err_has "marked 42 files"'
	rm -rf "$T" "$Z/away"

	# Both: the parent cannot be found again; an error, its rest not
	# walked, and nothing of the symlink's target.
	T=$Z/t3
	deep_tree "$T"
	mkdir "$Z/away"
	race_walk "$T" eval 'mv "$T/a/b1" "$Z/away/b1" && mv "$T/a" "$T/a.old" && ln -s "$O2" "$T/a"'
	check "issue 12.13: a directory that cannot be found again: an error naming it, nothing elsewhere walked" eval '
		rc_is 2 && err_has "$T/a: moved or replaced during the walk: the rest of it is not walked" &&
		[ "$(mark_of "$O2/zz")" = none ] && [ "$(mark_of "$O2/b1/trap")" = none ] &&
		[ "$(mark_of "$T/zz")" != none ] && err_has "marked 41 files"'
	rm -rf "$T" "$Z/away"

	# Paths longer than PATH_MAX (4096): 2 x 11 levels of 200-byte names,
	# made without a system call on a path that long: the lower half is
	# moved under the upper one.
	T=$Z/long
	long=$(printf '%0200d' 0)
	lo=$Z/lower
	up=$T
	i=0
	while [ $i -lt 11 ]; do lo=$lo/$long$i; up=$up/$long$i; i=$((i + 1)); done
	mkdir -p "$lo" "$up"
	printf 'deep' >"$lo/f"
	chmod 755 "$lo/f"
	mv "$Z/lower" "$up/lower"
	em manifest export -r "$T"
	cp "$W/out" "$Z/long.manifest"
	check "issue 12.13: export -r writes a path longer than PATH_MAX" eval '
		rc_is 0 && [ "$(wc -l <"$Z/long.manifest")" -eq 1 ] &&
		[ "$(cut -d" " -f3- "$Z/long.manifest" | wc -c)" -gt 4096 ]'
	lpath=$(cut -d" " -f3- "$Z/long.manifest")
	em manifest apply "$Z/long.manifest"
	check "issue 12.13: apply marks the file of a path longer than PATH_MAX" eval '
		rc_is 0 && err_has "marked 1 file (4 B)"'
	em verify -r "$T"
	check "issue 12.13: ... and verify finds it ok" eval '
		rc_is 0 && out_has "ok $lpath"'
	em verify "$lpath"
	check "issue 12.13: a path longer than PATH_MAX named on the command line" eval '
		rc_is 0 && out_has "ok $lpath"'
	# Not every rm removes what it cannot name.
	mv "$up/lower" "$Z/lower"
	rm -rf "$Z"
}
