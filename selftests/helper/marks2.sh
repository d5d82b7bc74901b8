# SPDX-License-Identifier: GPL-2.0
#
# Marks of format version 2 (issue 16): signed marks (mark --sign, verify
# --cert, --require-signed), every malformed signed mark, signed manifests
# applied without the key, fs-verity marks (mark --verity, export --verity)
# on a file system without fs-verity and on an ext4 image with it.
# Keys are made at test time with openssl req. Sourced by run.sh, which
# defines what it uses (lib.sh).

# parse_of FILE: the mark of FILE as execmark_mark_parse() sees it
parse_of() { "$XT" parse "$(mark_of "$1")" 2>/dev/null || echo corrupt; }
# field N FILE: field N of parse_of (1 version, 2 kind, 3 algo, 4 flags,
# 5 digest, 6 signature)
field() { parse_of "$2" | cut -d' ' -f"$1"; }
# le16 N: N as two little-endian bytes in hex
le16() { printf '%02x%02x' $(($1 % 256)) $(($1 / 256)); }
# mk2 KIND ALGO FLAGS DIGEST [SIGHEX]: a version 2 mark in hex
mk2() {
	if [ -n "${5:-}" ]; then
		printf '02%02x%02x%02x%s%s%s\n' "$1" "$2" "$3" "$4" "$(le16 $((${#5} / 2)))" "$5"
	else
		printf '02%02x%02x%02x%s\n' "$1" "$2" "$3" "$4"
	fi
}

# keys DIR: a test CA, two leaf keys it signs (RSA and ECDSA P-256), one of
# another CA, a self-signed certificate and an Ed25519 key, all in DIR
keys() {
	K=$1
	mkdir -p "$K"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -sha256 \
		-subj "/CN=marks2 test CA" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,digitalSignature" \
		-keyout "$K/ca.key" -out "$K/ca.pem" 2>/dev/null || return 1
	for leaf in leaf:rsa:2048 ec:ec:prime256v1 other:rsa:2048; do
		name=${leaf%%:*}
		case $leaf in
		*:ec:*) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
				-out "$K/$name.key" 2>/dev/null ;;
		*) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
				-out "$K/$name.key" 2>/dev/null ;;
		esac || return 1
		openssl req -new -key "$K/$name.key" -subj "/CN=marks2 $name" \
			-out "$K/$name.csr" 2>/dev/null || return 1
		openssl x509 -req -in "$K/$name.csr" -CA "$K/ca.pem" -CAkey "$K/ca.key" \
			-CAcreateserial -days 2 -sha256 -out "$K/$name.pem" 2>/dev/null || return 1
	done
	openssl x509 -in "$K/leaf.pem" -outform DER -out "$K/leaf.der" 2>/dev/null &&
	openssl pkcs8 -topk8 -nocrypt -in "$K/leaf.key" -outform DER -out "$K/leaf.key.der" 2>/dev/null &&
	openssl genpkey -algorithm ED25519 -out "$K/ed.key" 2>/dev/null &&
	openssl req -x509 -new -key "$K/ed.key" -subj "/CN=marks2 ed" -days 2 \
		-out "$K/ed.pem" 2>/dev/null
}

# Can this kernel store a version 2 mark? One without v2 support in its
# inode_setxattr hook refuses them.
v2_storable() {
	printf 'x' >"$1/v2probe"
	"$XT" set "$1/v2probe" "$(mk2 1 4 0 "$HEX256")" 2>/dev/null
}

# marks2_suite DIR LABEL: on the file system of DIR
marks2_suite() {
	D=$1
	L=$2
	mkdir -p "$D"
	if ! command -v openssl >/dev/null 2>&1; then
		skip "$L: signed marks" "no openssl to make keys"
		return
	fi
	if ! v2_storable "$D"; then
		skip "$L: signed marks" "the kernel refuses version 2 marks (execmark without marks v2)"
		return
	fi
	K=$W/keys
	[ -f "$K/leaf.pem" ] || keys "$K" || { fail "$L: openssl makes the test keys"; return; }
	printf 'signed\n' >"$D/s"
	printf 'other\n' >"$D/o"
	dd if=/dev/urandom of="$D/big" bs=1024 count=2100 2>/dev/null
	chmod 755 "$D/s" "$D/o" "$D/big"

	# Writing: a version 2 content mark, signed, over the documented message.
	em mark --sign "$K/leaf.key" --cert "$K/leaf.pem" "$D/s" "$D/o" "$D/big"
	check "$L: mark --sign writes version 2, content, sha256, signed" eval '
		rc_is 0 && err_has "marked 3 files" &&
		[ "$(field 1 "$D/s") $(field 2 "$D/s") $(field 3 "$D/s") $(field 4 "$D/s")" = "2 1 4 1" ] &&
		[ "$(field 5 "$D/s")" = "$(digest sha256sum "$D/s")" ] &&
		[ "$(field 5 "$D/big")" = "$(digest sha256sum "$D/big")" ]'
	sig=$(field 6 "$D/s")
	"$XT" unhex "$sig" >"$W/sig.der"
	"$XT" unhex "$("$XT" sigmsg "$(mark_of "$D/s")")" >"$W/sig.msg"
	check "$L: the message is EXECMARK, version, kind, algorithm, size, digest" \
		[ "$("$XT" sigmsg "$(mark_of "$D/s")")" = \
		  "455845434d41524b02010420$(digest sha256sum "$D/s")" ]
	run openssl cms -verify -binary -inform DER -in "$W/sig.der" -content "$W/sig.msg" \
		-certfile "$K/leaf.pem" -nointern -CAfile "$K/ca.pem" -purpose any -out /dev/null
	check "$L: openssl cms -verify accepts the signature (detached, DER)" rc_is 0
	run openssl cms -cmsout -print -inform DER -in "$W/sig.der"
	check "$L: the signature has no certificates and no signed attributes" eval '
		rc_is 0 && grep -q "certificates:" "$W/out" &&
		grep -A1 "certificates:" "$W/out" | grep -q ABSENT &&
		grep -A1 "signedAttrs:" "$W/out" | grep -q ABSENT'
	before=$("$XT" ctime "$D/s")
	em mark --sign "$K/leaf.key" --cert "$K/leaf.pem" "$D/s"
	check "$L: signing a file signed the same way again is a no-op (RSA is deterministic)" eval '
		rc_is 0 && err_has "1 already marked" && [ "$("$XT" ctime "$D/s")" = "$before" ]'

	# Verifying.
	em verify --cert "$K/leaf.pem" "$D/s" "$D/big"
	check "$L: verify --cert with the signer's certificate: ok" eval '
		rc_is 0 && out_has "ok $D/s" && out_has "ok $D/big"'
	em verify --cert "$K/leaf.der" "$D/s"
	check "$L: verify --cert takes a DER certificate" eval 'rc_is 0 && out_has "ok $D/s"'
	em verify "$D/s"
	check "$L: verify without --cert: ok, the signature counted as not checked" eval '
		rc_is 0 && out_has "ok $D/s" && err_has "1 signatures not checked (no --cert)"'
	em verify --cert "$K/other.pem" "$D/s"
	check "$L: another key (same CA): bad-signature, exit 1" eval '
		rc_is 1 && out_has "bad-signature $D/s" &&
		err_has "$D/s: bad signature: not signed with the key of the certificate"'
	em verify --cert "$K/ca.pem" "$D/s"
	check "$L: the CA's own key: bad-signature (only keys in .execmark sign)" eval '
		rc_is 1 && out_has "bad-signature $D/s"'
	em verify -q --cert "$K/other.pem" "$D/s" "$D/o"
	check "$L: verify -q prints bad-signature lines only" eval '
		rc_is 1 && [ "$(wc -l <"$W/out")" -eq 2 ] && ! err_has verified'
	printf 'tampered\n' >>"$D/o"
	em verify --cert "$K/leaf.pem" "$D/o"
	check "$L: a good signature over a digest the content no longer has: mismatch" eval '
		rc_is 1 && out_has "mismatch $D/o"'

	# Attacks on a valid signature: another digest, kind or algorithm under
	# it; a signature moved from another file; damaged, truncated, longer.
	s_mark=$(mark_of "$D/s")
	s_dig=$(field 5 "$D/s")
	o_dig=$(digest sha256sum "$D/o")
	: >"$D/t"
	chmod 755 "$D/t"
	atk_ok=true
	flip() { case $1 in *0) printf '%s1' "${1%?}" ;; *) printf '%s0' "${1%?}" ;; esac; }
	attack() {	# attack NAME HEXMARK WORD
		if ! "$XT" set "$D/t" "$2" 2>"$W/err"; then
			atk_ok=false; diag "cannot set $1: $(cat "$W/err")"; return
		fi
		em verify --cert "$K/leaf.pem" "$D/t"
		if ! rc_is "$([ "$3" = ok ] && echo 0 || echo 1)" || ! out_has "$3 $D/t"; then
			atk_ok=false; diag "$1: not $3: $(cat "$W/out")"
		fi
	}
	cat "$D/s" >"$D/t"
	attack "signature over another digest" "$(mk2 1 4 1 "$o_dig" "$sig")" bad-signature
	attack "kind swapped to verity (sha256)" "$(mk2 2 1 1 "$s_dig" "$sig")" bad-signature
	attack "a digest bit flipped" "$(mk2 1 4 1 "$(flip "$s_dig")" "$sig")" bad-signature
	attack "signature truncated (last byte)" "$(mk2 1 4 1 "$s_dig" "${sig%??}")" bad-signature
	attack "signature cut in half" \
		"$(mk2 1 4 1 "$s_dig" "$(printf '%s' "$sig" | cut -c1-$((${#sig} / 2 / 2 * 2)))")" bad-signature
	attack "a byte after the signature" "$(mk2 1 4 1 "$s_dig" "${sig}00")" bad-signature
	attack "a signature bit flipped" "$(mk2 1 4 1 "$s_dig" "$(flip "$sig")")" bad-signature
	attack "the same mark, signature intact" "$s_mark" ok
	check "$L: every forged or damaged signature is bad-signature, the genuine one ok" $atk_ok

	# Malformed version 2 marks: corrupt, never anything else.
	bad_ok=true
	for v in "$(mk2 1 4 0 "${s_dig}00")" "$(mk2 1 4 0 "${s_dig%??}")" \
		"$(mk2 3 4 0 "$s_dig")" "$(mk2 1 1 0 "$s_dig")" "$(mk2 2 4 0 "$s_dig")" \
		"$(mk2 2 3 0 "$s_dig")" "$(mk2 1 4 2 "$s_dig")" "$(mk2 1 4 1 "$s_dig")" \
		"$(mk2 1 4 1 "${s_dig}0000")" "$(mk2 1 4 0 "${s_dig}0100aa")" \
		"$(mk2 1 4 1 "${s_dig}$(le16 $((${#sig} / 2 + 1)))$sig")" \
		"$(mk2 1 4 1 "${s_dig}$(le16 $((${#sig} / 2 - 1)))$sig")" \
		"02010401${s_dig}01" "020104" "02" "$(mk2 0 4 0 "$s_dig")"; do
		"$XT" set "$D/t" "$v" 2>/dev/null || continue	# a kernel may refuse it
		if "$XT" parse "$v" >/dev/null; then bad_ok=false; diag "parses: $v"; fi
		em verify --cert "$K/leaf.pem" "$D/t"
		if ! rc_is 1 || ! out_has "corrupt $D/t"; then
			bad_ok=false; diag "not corrupt: $v"
		fi
	done
	# A signature longer than EXECMARK_MAX_SIG (2048) bytes.
	long=$(head -c 2049 /dev/zero | od -An -tx1 -v | tr -d ' \n')
	if "$XT" set "$D/t" "$(mk2 1 4 1 "$s_dig" "$long")" 2>/dev/null; then
		em verify "$D/t"
		out_has "corrupt $D/t" || { bad_ok=false; diag "2049-byte signature not corrupt"; }
	fi
	check "$L: every malformed version 2 mark is corrupt" $bad_ok

	# --require-signed: unsigned marks of either version are not ok.
	em mark "$D/o"
	"$XT" set "$D/t" "$(mk2 1 4 0 "$(digest sha256sum "$D/t")")"
	em verify --require-signed --cert "$K/leaf.pem" "$D/s" "$D/o" "$D/t"
	check "$L: --require-signed: unsigned v1 and v2 marks are unsigned, signed ok" eval '
		rc_is 1 && out_has "ok $D/s" && out_has "unsigned $D/o" && out_has "unsigned $D/t" &&
		err_has "2 unsigned, 0 bad-signature"'
	em verify "$D/t"
	check "$L: an unsigned version 2 content mark verifies ok" eval 'rc_is 0 && out_has "ok $D/t"'

	# ECDSA keys; keys the kernel cannot use; bad key files.
	em mark --sign "$K/ec.key" --cert "$K/ec.pem" "$D/o"
	em verify --cert "$K/ec.pem" "$D/o"
	check "$L: an ECDSA P-256 key signs, and verifies" eval '
		rc_is 0 && out_has "ok $D/o" && [ "$(field 4 "$D/o")" = 1 ]'
	em mark --sign "$K/leaf.key.der" --cert "$K/leaf.der" "$D/o"
	check "$L: DER key and certificate work too" eval '
		rc_is 0 && [ "$(field 4 "$D/o")" = 1 ]'
	before=$(mark_of "$D/o")
	em mark --sign "$K/ed.key" --cert "$K/ed.pem" "$D/o"
	check "$L: an Ed25519 key is refused, naming why; nothing marked" eval '
		rc_is 2 && err_has "$K/ed.key: a key of type ED25519: the kernel verifies RSA and ECDSA signatures only" &&
		[ "$(mark_of "$D/o")" = "$before" ]'
	em mark --sign "$K/leaf.key" --cert "$K/other.pem" "$D/o"
	check "$L: a key that is not the certificate's is refused" eval '
		rc_is 2 && err_has "$K/leaf.key is not the private key of the certificate $K/other.pem" &&
		[ "$(mark_of "$D/o")" = "$before" ]'
	em mark --sign "$K/leaf.pem" --cert "$K/leaf.pem" "$D/o"
	check "$L: a certificate given as the key is refused" eval '
		rc_is 2 && err_has "$K/leaf.pem: not a private key in PEM or DER"'
	em mark --sign "$K/leaf.key" --cert "$K/leaf.key" "$D/o"
	check "$L: a key given as the certificate is refused" eval '
		rc_is 2 && err_has "$K/leaf.key: not an X.509 certificate in PEM or DER"'
	em mark --sign "$K/missing.key" --cert "$K/leaf.pem" "$D/o"
	check "$L: a missing key file is named" eval '
		rc_is 2 && err_has "$K/missing.key: cannot open the private key: No such file"'
	em mark --sign "$K/leaf.key" "$D/o"
	check "$L: --sign without --cert is a usage error" eval '
		rc_is 2 && err_has "--sign KEY and --cert CERT go together"'
	em verify --cert "$K/missing.pem" "$D/o"
	check "$L: verify --cert of a missing file is an error" eval '
		rc_is 2 && err_has "$K/missing.pem: cannot open the certificate"'
	em unmark --sign "$K/leaf.key" --cert "$K/leaf.pem" "$D/o"
	check "$L: unmark takes no --sign" eval 'rc_is 2 && err_has "unknown option: --sign"'
	em unmark "$D/s"
	check "$L: unmark removes a signed mark" eval 'rc_is 0 && [ "$(mark_of "$D/s")" = none ]'

	marks2_manifest "$D" "$L"
	marks2_noverity "$D" "$L"
}

# in_dir DIR CMD...: run CMD in DIR (not in a subshell: $rc stays)
in_dir() {
	in_dir_was=$PWD
	cd "$1" || return
	shift
	"$@"
	cd "$in_dir_was" || return
}

# Signed manifests: exported with the key, applied elsewhere without it.
marks2_manifest() {
	D=$1/man
	L=$2
	mkdir -p "$D/build" "$D/host"
	printf 'one\n' >"$D/build/one"
	printf 'two\n' >"$D/build/two"
	printf 'odd\n' >"$D/build/with space"
	chmod 755 "$D/build/one" "$D/build/two" "$D/build/with space"
	in_dir "$D/build" em manifest export --sign "$K/leaf.key" --cert "$K/leaf.pem" -r .
	cp "$W/out" "$D/signed.manifest"
	check "$L: export --sign writes mark: lines with signed marks" eval '
		rc_is 0 && [ "$(grep -c "^mark:02010401" "$D/signed.manifest")" -eq 3 ] &&
		grep -q "^mark:[0-9a-f]*  ./with space\$" "$D/signed.manifest"'
	# The "other machine": the same files, no key, no marks.
	for f in one two "with space"; do cat "$D/build/$f" >"$D/host/$f"; done
	chmod 755 "$D/host/"*
	mv "$K/leaf.key" "$K/leaf.key.hidden"	# no key on this machine
	in_dir "$D/host" em manifest apply "$D/signed.manifest"
	check "$L: apply sets the signed marks without the key" eval '
		rc_is 0 && err_has "marked 3 files" &&
		[ "$(grep "  ./one\$" "$D/signed.manifest" | cut -d" " -f1)" = "mark:$(mark_of "$D/host/one")" ]'
	mv "$K/leaf.key.hidden" "$K/leaf.key"
	em verify --cert "$K/leaf.pem" "$D/host/one" "$D/host/two" "$D/host/with space"
	check "$L: the applied marks verify with the signer's certificate" eval 'rc_is 0'
	in_dir "$D/host" em manifest apply "$D/signed.manifest"
	check "$L: applying again changes nothing" eval 'rc_is 0 && err_has "3 already marked"'
	printf 'changed\n' >"$D/host/two"
	em unmark "$D/host/two"
	in_dir "$D/host" em manifest apply "$D/signed.manifest"
	check "$L: a file whose content differs is not marked, exit 1" eval '
		rc_is 1 && err_has "./two: content does not match the manifest, not marked" &&
		[ "$(mark_of "$D/host/two")" = none ]'
	# Malformed lines: named, skipped, the rest applied.
	one=$(grep "  ./one\$" "$D/signed.manifest" | cut -d" " -f1)
	hex=${one#mark:}
	em unmark "$D/host/one"
	{
		printf 'mark:%s  ./one\n' "$hex"
		printf 'mark:%s  ./two\n' "${hex%??}"
		printf 'mark:%s0  ./two\n' "$hex"
		printf 'mark:  ./two\n'
		printf 'mark:%s\n' "$hex"
		printf 'mark:zz%s  ./two\n' "$hex"
		printf 'mark:02010400%s  ./two\n' "$HEX256"
	} >"$D/bad.manifest"
	in_dir "$D/host" em manifest apply "$D/bad.manifest"
	check "$L: malformed mark lines are named and skipped, the rest applied" eval '
		rc_is 2 && err_has "bad.manifest:2: malformed line: its mark is corrupt" &&
		err_has "bad.manifest:3: malformed line: a mark line is" &&
		err_has "bad.manifest:4: malformed line" && err_has "bad.manifest:5: malformed line" &&
		err_has "bad.manifest:6: malformed line" && err_has "5 malformed lines" &&
		err_has "1 mismatch" &&
		[ "$(mark_of "$D/host/one")" = "$hex" ] && [ "$(mark_of "$D/host/two")" = none ]'
	# A sha256sum line and a mark line for one file, different marks.
	printf '%s  ./one\nmark:%s  ./one\n' "$(digest sha256sum "$D/host/one")" "$hex" >"$D/conf.manifest"
	in_dir "$D/host" em manifest apply "$D/conf.manifest"
	check "$L: a sha256sum line and a mark line for one file conflict" eval '
		rc_is 2 && err_has "conf.manifest:2: the same file as line 1 (./one) with another mark"'
	# A mark line signed for one file, moved to another file's line.
	printf 'mark:%s  ./with space\n' "$hex" >"$D/moved.manifest"
	em unmark "$D/host/with space"
	in_dir "$D/host" em manifest apply "$D/moved.manifest"
	check "$L: a signed mark moved to another file's line is not applied" eval '
		rc_is 1 && err_has "content does not match the manifest" &&
		[ "$(mark_of "$D/host/with space")" = none ]'
}

# fs-verity where the file system (or the kernel) has none.
marks2_noverity() {
	D=$1/nov
	L=$2
	mkdir -p "$D"
	printf 'verity\n' >"$D/v"
	dd if=/dev/urandom of="$D/vbig" bs=4096 count=300 2>/dev/null
	chmod 755 "$D/v" "$D/vbig"
	printf 'probe\n' >"$D/probe"
	em mark --verity "$D/probe"
	if rc_is 0; then
		skip "$L: mark --verity without fs-verity" "this file system has fs-verity"
		return
	fi
	check "$L: mark --verity without fs-verity: an error naming it, not marked" eval '
		rc_is 2 && err_has "$D/probe: enabling fs-verity: the file system does not support fs-verity" &&
		[ "$(mark_of "$D/probe")" = none ]'
	em mark --verity --algo sha384 "$D/v"
	check "$L: --verity --algo sha384 is a usage error" eval '
		rc_is 2 && err_has "fs-verity has no sha384"'
	em manifest export --verity "$D/v" "$D/vbig"
	cp "$W/out" "$D/v.manifest"
	check "$L: export --verity writes unsigned version 2 verity marks" eval '
		rc_is 0 && [ "$(wc -l <"$D/v.manifest")" -eq 2 ] &&
		[ "$("$XT" parse "$(head -1 "$D/v.manifest" | sed "s/^mark://;s/ .*//")" | cut -d" " -f1-4)" = "2 2 1 0" ]'
	if command -v fsverity >/dev/null 2>&1; then
		check "$L: export --verity computes what fsverity digest computes (libfsverity)" eval '
			[ "$("$XT" parse "$(head -1 "$D/v.manifest" | sed "s/^mark://;s/ .*//")" | cut -d" " -f5)" = \
			  "$(fsverity digest "$D/v" | sed "s/^sha256://;s/ .*//")" ] &&
			[ "$("$XT" parse "$(tail -1 "$D/v.manifest" | sed "s/^mark://;s/ .*//")" | cut -d" " -f5)" = \
			  "$(fsverity digest "$D/vbig" | sed "s/^sha256://;s/ .*//")" ]'
		em manifest export --verity --algo sha512 "$D/vbig"
		check "$L: export --verity --algo sha512 too" eval '
			rc_is 0 &&
			[ "$("$XT" parse "$(sed "s/^mark://;s/ .*//" "$W/out")" | cut -d" " -f3,5)" = \
			  "2 $(fsverity digest --hash-alg=sha512 "$D/vbig" | sed "s/^sha512://;s/ .*//")" ]'
	else
		skip "$L: export --verity computes what fsverity digest computes" "no fsverity tool"
	fi
	"$XT" set "$D/v" "$(head -1 "$D/v.manifest" | sed 's/^mark://;s/ .*//')"
	em verify "$D/v"
	check "$L: a verity mark on a file without fs-verity: not-verity, exit 1" eval '
		rc_is 1 && out_has "not-verity $D/v" && err_has "1 not-verity"'
	em unmark "$D/v"
	em manifest apply "$D/v.manifest"
	check "$L: apply of a verity mark without fs-verity: an error, not marked" eval '
		rc_is 2 && err_has "$D/v: enabling fs-verity: the file system does not support fs-verity" &&
		[ "$(mark_of "$D/v")" = none ]'
}
