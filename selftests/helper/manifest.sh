# SPDX-License-Identifier: GPL-2.0
#
# Manifests: export in the format of sha256sum, apply only what matches,
# malformed lines.
# Sourced by run.sh, which defines what it uses (lib.sh).

# manifest_suite DIR LABEL: on the file system of DIR
manifest_suite() {
	D=$1
	L=$2
	O=$D/manifest-odd
	odd_names "$O"

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
	printf 'v3' >"$D/m-c"
	good=$(digest sha256sum "$D/m-a")
	{
		printf '%s  %s\n' "$good" "$D/m-a"			# 1 good
		printf '%s  %s\n' "g${good#?}" "$D/m-a"			# 2 bad hex
		printf '%s  %s\n' "${good#?}" "$D/m-a"			# 3 63 digits
		printf 'SHA256 (%s) = %s\n' "$D/m-a" "${good#?}"	# 4 tag, 63 digits
		printf '%s  \n' "$good"					# 5 no name
		printf '\\%s  %s\\t\n' "$good" "$D/m-a"			# 6 bad escape
		printf '\n'						# 7 empty: ignored
		printf '%s\n' "$good"					# 8 digest only
		printf '%s  %s\000x\n' "$good" "$D/m-a"			# 9 NUL
		printf '%s%s  %s\n' "$good" "$good" "$D/m-c"		# 10 128 but sha512? no: mismatch
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
		err_has "$D/m-c: content does not match the manifest"
	check "$L: item 9: the same line twice (binary flag aside) is counted once" \
		eval 'err_has "marked 1 file (" && err_has " 1 duplicate line, 0 conflicting lines"'

	# Issue 12 item 9: two lines for one file (dev, ino): the same digest
	# counts once; different digests (also sha256 and sha512) are an error
	# naming both lines, and neither is applied, whatever -j.
	printf 'dup' >"$D/dup"
	ln "$D/dup" "$D/dup-link"
	"$E" manifest export "$D/dup" "$D/dup-link" >"$D/m-dup" 2>/dev/null
	"$E" manifest export --algo sha512 "$D/dup" >>"$D/m-dup" 2>/dev/null
	head -n 2 "$D/m-dup" >"$D/m-same"
	em manifest apply -j 2 "$D/m-same"
	check "$L: item 9: a file listed twice (a hard link) with one digest is marked once" eval '
		rc_is 0 && err_has "marked 1 file (" && err_has "1 duplicate line," &&
		[ "$(mark_of "$D/dup")" = "$(want_mark "$D/dup" sha256)" ]'
	"$E" unmark "$D/dup" 2>/dev/null
	em manifest apply -j 2 "$D/m-dup"
	check "$L: item 9: sha256 and sha512 lines for one file: an error naming both lines, none applied" eval '
		rc_is 2 && err_has "$D/m-dup:3: the same file as line 1 ($D/dup) with another mark: neither is applied" &&
		err_has "marked 0 files" && err_has "3 conflicting lines" &&
		[ "$(mark_of "$D/dup")" = none ]'
	rm -f "$D/dup" "$D/dup-link" "$D/m-dup" "$D/m-same"

	# Issue 12 item 11: apply reads what sha256sum -c reads: CRLF, one
	# space, the BSD form of --tag (also escaped), escaped names.
	"$E" unmark -r "$O" 2>/dev/null
	{
		printf '%s %s\r\n' "$(digest sha256sum "$O/with space")" "$O/with space"
		printf 'SHA256 (%s) = %s\n' "$O/-leading-dash" "$(digest sha256sum "$O/-leading-dash")"
		printf '\\SHA512 (%s) = %s\r\n' "$O/back\\\\slash" "$(digest sha512sum "$O/back\\slash")"
		printf '\\%s  %s\r\n' "$(digest sha256sum "$O/new${NL}line")" "$O/new\\nline"
		printf '\\%s %s\n' "$(digest sha256sum "$O/car${CR}return")" "$O/car\\rreturn"
		printf '%s *%s\r\n' "$(digest sha256sum "$O/tab	x")" "$O/tab	x"
		printf '\r\n'
	} >"$D/m-forms"
	em manifest apply "$D/m-forms"
	check "$L: issue 12.11: apply reads CRLF, one-space, --tag and escaped lines" eval '
		rc_is 0 && err_has "marked 6 files" && err_has " 0 malformed lines" &&
		[ "$(mark_of "$O/with space")" = "$(want_mark "$O/with space" sha256)" ] &&
		[ "$(mark_of "$O/-leading-dash")" = "$(want_mark "$O/-leading-dash" sha256)" ] &&
		[ "$(mark_of "$O/back\\slash")" = "$(want_mark "$O/back\\slash" sha512)" ] &&
		[ "$(mark_of "$O/new${NL}line")" = "$(want_mark "$O/new${NL}line" sha256)" ] &&
		[ "$(mark_of "$O/car${CR}return")" = "$(want_mark "$O/car${CR}return" sha256)" ]'
	if $gnu_sum; then
		"$E" unmark -r "$O" 2>/dev/null
		(cd "$O" && sha256sum --tag "with space" "new${NL}line" &&
		 sha384sum --tag 'back\slash' && sha512sum --tag -- -leading-dash &&
		 sha256sum "car${CR}return" "tab	x" | sed 's/$/\r/') >"$D/m-gnu"
		run sh -c 'cd "$1" && "$2" manifest apply "$3"' sh "$O" "$E" "$D/m-gnu"
		check "$L: issue 12.11: apply reads sha256sum/sha384sum/sha512sum --tag and CRLF output" eval '
			rc_is 0 && err_has "marked 6 files" && err_has " 0 malformed lines" &&
			[ "$(mark_of "$O/back\\slash")" = "$(want_mark "$O/back\\slash" sha384)" ] &&
			[ "$(mark_of "$O/-leading-dash")" = "$(want_mark "$O/-leading-dash" sha512)" ] &&
			[ "$(mark_of "$O/new${NL}line")" = "$(want_mark "$O/new${NL}line" sha256)" ]'
	else
		skip "$L: issue 12.11: apply reads sha256sum/sha384sum/sha512sum --tag and CRLF output" "no GNU sha256sum"
	fi
	rm -f "$D/m-forms" "$D/m-gnu"

}
