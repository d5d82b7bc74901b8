# SPDX-License-Identifier: GPL-2.0
#
# digests list, add, remove and clear against a fake securityfs directory
# (the kernel's side is selftests/execmark/digests_test.c).
# Sourced by run.sh, which defines what it uses (lib.sh).

digests_tests() {
	S=$W/dsfs
	mkdir "$S"
	EXECMARK_SECURITYFS=$W/none run "$E" digests list
	check "digests list without execmark: not active, exit 2" eval '
		rc_is 2 && err_has "execmark is not active (no $W/none)"'
	: >"$S/digests"
	export EXECMARK_SECURITYFS="$S"
	printf 'hello\n' >"$W/d1"
	d1=5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03
	e0=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
	em digests add "$W/d1" --digest "sha256:$(echo $e0 | tr a-f A-F)"
	check "digests add FILE --digest: the file's sha256 and the digest, lower case" eval '
		rc_is 0 && [ "$(cat "$S/digests")" = "+sha256:$e0
+sha256:$d1" ]'
	: >"$S/digests"
	printf 'sha256:%s\nsha256:%s\n' $d1 $e0 >"$W/in"
	run "$E" digests remove - <"$W/in"
	check "digests remove -: one line per digest of standard input" eval '
		rc_is 0 && [ "$(cat "$S/digests")" = "-sha256:$d1
-sha256:$e0" ]'
	: >"$S/digests"
	printf 'sha256:%s\nsha512:%s\n' $d1 $e0 >"$W/in"
	run "$E" digests add - <"$W/in"
	check "digests add -: an unknown algorithm names its line, nothing written, exit 2" eval '
		rc_is 2 && err_has "standard input: line 2: unknown algorithm (only sha256 is accepted): sha512:$e0" &&
		err_has "nothing added" && [ ! -s "$S/digests" ]'
	printf 'sha256:%s0\n' $d1 >"$W/in"
	run "$E" digests add - <"$W/in"
	check "digests add -: a digest of another length, nothing written, exit 2" eval '
		rc_is 2 && err_has "standard input: line 1: a sha256 digest has 64 hexadecimal digits: sha256:${d1}0" &&
		[ ! -s "$S/digests" ]'
	em digests add "$W/d1" "$W/missing"
	check "digests add: a missing file, nothing written for the others, exit 2" eval '
		rc_is 2 && err_has "$W/missing: No such file or directory" && [ ! -s "$S/digests" ]'
	em digests add "$W"
	check "digests add DIR: not a regular file, exit 2" eval '
		rc_is 2 && err_has "$W: not a regular file" && [ ! -s "$S/digests" ]'
	em digests add --digest sha256:xyz
	check "digests add --digest BAD: usage error, exit 2" eval '
		rc_is 2 && err_has "add: --digest: a sha256 digest has 64 hexadecimal digits"'
	em digests add
	check "digests add without arguments: usage error, exit 2" eval '
		rc_is 2 && err_has "digests add: no FILE, - or --digest given"'
	em digests frob
	check "digests frob: unknown command, exit 2" eval '
		rc_is 2 && err_has "digests: unknown command: frob"'
	em digests list extra
	check "digests list takes no argument" eval 'rc_is 2 && err_has "list: too many arguments"'
	printf 'sha256:%s 2\nsha256:%s 1\n' $e0 $d1 >"$S/digests"
	em digests list
	check "digests list: the entries, sorted" eval '
		rc_is 0 && [ "$(cat "$W/out")" = "sha256:$d1 1
sha256:$e0 2" ]'
	: >"$S/digests"
	em digests clear
	check "digests clear writes clear" eval 'rc_is 0 && [ "$(cat "$S/digests")" = clear ]'
	chmod 400 "$S/digests"
	nobody() { "$XT" nobody "$@"; }
	run nobody "$E" digests add --digest "sha256:$d1"
	check "digests add as non-root: needs CAP_MAC_ADMIN, exit 2" eval '
		rc_is 2 && err_has "changing the digest list needs CAP_MAC_ADMIN"'
	em digests --help
	check "digests --help: usage on stdout, exit 0" eval '
		rc_is 0 && grep -q "execmark digests add" "$W/out"'
	chmod 600 "$S/digests"
	digests_signed

	# verify says what the kernel decides for a file on the list: listed
	# (it runs), also with a mark that does not match; under
	# require_signed only a signed entry counts.
	mkdir "$W/vl"
	printf 'hello\n' >"$W/vl/listed"
	printf 'hello!\n' >"$W/vl/other"
	cp "$W/vl/other" "$W/vl/remarked"
	chmod 755 "$W/vl/listed" "$W/vl/other" "$W/vl/remarked"
	"$E" mark -q "$W/vl/remarked" && printf 'hello\n' >"$W/vl/remarked"
	chmod 600 "$S/digests"
	printf 'sha256:%s 1\nsha256:%s 2\n' $e0 $d1 >"$S/digests"
	em verify "$W/vl/listed" "$W/vl/remarked" "$W/vl/other"
	check "verify: a file whose sha256 is on the kernel's list is listed, a mismatching mark too, exit 1 for the other" eval '
		rc_is 1 && [ "$(cat "$W/out")" = "listed $W/vl/listed
listed $W/vl/remarked
unmarked $W/vl/other" ] &&
		err_has "verified 3 files: 0 ok, 2 listed, 1 unmarked, 0 corrupt, 0 mismatch,"'
	em verify -q "$W/vl/listed" "$W/vl/remarked"
	check "verify: listed files count as ok: exit 0, not printed by -q" eval '
		rc_is 0 && [ ! -s "$W/out" ]'
	em verify --require-signed "$W/vl/listed"
	check "verify --require-signed: an unsigned entry does not count, unsigned, exit 1" eval '
		rc_is 1 && out_has "unsigned $W/vl/listed"'
	printf 'sha256:%s 1 signed\n' $d1 >"$S/digests"
	em verify --require-signed "$W/vl/listed"
	check "verify --require-signed: a signed entry counts, listed, exit 0" eval '
		rc_is 0 && out_has "listed $W/vl/listed"'
	chmod 000 "$S/digests"
	run nobody "$E" verify "$W/vl/listed"
	check "verify without the right to read the list: says so, judges without it" eval '
		rc_is 1 && out_has "unmarked $W/vl/listed" &&
		err_has "files on the kernel'"'"'s digest allow-list are shown as if it were empty"'
	unset EXECMARK_SECURITYFS
}

# unhex: the bytes whose hex is on standard input (no xxd under busybox)
unhex() {
	h=$(cat)
	while [ -n "$h" ]; do
		printf "\\$(printf '%03o' "0x${h%"${h#??}"}")"
		h=${h#??}
	done
}

# add --sign KEY --cert CERT: "+sha256:HEX sig:SIGHEX" lines whose
# signature OpenSSL verifies over the message of a signed content mark of
# version 2 with that digest ("EXECMARK", 02, 01, 04, 32, the digest).
digests_signed() {
	if ! command -v openssl >/dev/null 2>&1; then
		skip "digests add --sign" "no openssl to make keys"
		return
	fi
	K=$W/keys
	[ -f "$K/leaf.pem" ] || keys "$K" || { fail "digests add --sign: openssl makes the test keys"; return; }
	: >"$S/digests"
	em digests add --sign "$K/leaf.key" --cert "$K/leaf.pem" "$W/d1" --digest "sha256:$e0"
	check "digests add --sign: one signed line per digest" eval '
		rc_is 0 && [ "$(wc -l <"$S/digests")" = 2 ] &&
		grep -q "^+sha256:$d1 sig:[0-9a-f]*\$" "$S/digests" &&
		grep -q "^+sha256:$e0 sig:[0-9a-f]*\$" "$S/digests"'
	{ printf 'EXECMARK\002\001\004\040'; printf '%s' "$d1" | unhex; } >"$W/msg"
	sed -n "s/^+sha256:$d1 sig://p" "$S/digests" | unhex >"$W/sig"
	check "digests add --sign: the signature verifies over the mark's message" eval '
		openssl cms -verify -binary -inform DER -in "$W/sig" -content "$W/msg" \
		-certfile "$K/leaf.pem" -CAfile "$K/ca.pem" -out /dev/null 2>/dev/null'
	{ printf 'EXECMARK\002\002\004\040'; printf '%s' "$d1" | unhex; } >"$W/msg"
	check "digests add --sign: ...and over nothing else (another kind)" eval '
		! openssl cms -verify -binary -inform DER -in "$W/sig" -content "$W/msg" \
		-certfile "$K/leaf.pem" -CAfile "$K/ca.pem" -out /dev/null 2>/dev/null'
	: >"$S/digests"
	em digests add --sign "$K/leaf.key" "$W/d1"
	check "digests add --sign without --cert: usage error, nothing written" eval '
		rc_is 2 && err_has "--sign KEY and --cert CERT go together" && [ ! -s "$S/digests" ]'
	em digests remove --sign "$K/leaf.key" --cert "$K/leaf.pem" "$W/d1"
	check "digests remove --sign: usage error" eval '
		rc_is 2 && err_has "remove: unknown option: --sign" && [ ! -s "$S/digests" ]'
	em digests add --sign "$K/other.key" --cert "$K/leaf.pem" "$W/d1"
	check "digests add --sign with a key that is not the certificate's: error, nothing written" eval '
		rc_is 2 && err_has "nothing added" && [ ! -s "$S/digests" ]'
	printf 'sha256:%s 1 signed\nsha256:%s 2\n' $e0 $d1 >"$S/digests"
	em digests list
	check "digests list: signed entries say so" eval '
		rc_is 0 && [ "$(cat "$W/out")" = "sha256:$d1 2
sha256:$e0 1 signed" ]'
}
