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

# newkey NAME FILE rsa|ec|ed25519: a new private key in FILE, or, where
# the tests run under emulation (helper_test), the key NAME that the build
# made on the host beforehand in EXECMARK_TEST_KEYPOOL (RSA key generation
# takes seconds per key there). Each NAME is a different key.
newkey() {
	if [ -n "${EXECMARK_TEST_KEYPOOL:-}" ] && [ -f "$EXECMARK_TEST_KEYPOOL/$1.key" ]; then
		cp "$EXECMARK_TEST_KEYPOOL/$1.key" "$2"
		return
	fi
	shift
	case $2 in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" ;;
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" ;;
	*) openssl genpkey -algorithm ED25519 -out "$1" ;;
	esac 2>/dev/null
}

# keys DIR: a test CA, two leaf keys it signs (RSA and ECDSA P-256), one of
# another CA, a self-signed certificate and an Ed25519 key, all in DIR
keys() {
	K=$1
	mkdir -p "$K"
	newkey ca "$K/ca.key" rsa &&
	openssl req -x509 -new -key "$K/ca.key" -days 2 -sha256 \
		-subj "/CN=marks2 test CA" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,digitalSignature" \
		-out "$K/ca.pem" 2>/dev/null || return 1
	for leaf in leaf:rsa ec:ec other:rsa; do
		name=${leaf%%:*}
		newkey "$name" "$K/$name.key" "${leaf#*:}" || return 1
		openssl req -new -key "$K/$name.key" -subj "/CN=marks2 $name" \
			-out "$K/$name.csr" 2>/dev/null || return 1
		openssl x509 -req -in "$K/$name.csr" -CA "$K/ca.pem" -CAkey "$K/ca.key" \
			-CAcreateserial -days 2 -sha256 -out "$K/$name.pem" 2>/dev/null || return 1
	done
	openssl x509 -in "$K/leaf.pem" -outform DER -out "$K/leaf.der" 2>/dev/null &&
	openssl pkcs8 -topk8 -nocrypt -in "$K/leaf.key" -outform DER -out "$K/leaf.key.der" 2>/dev/null &&
	newkey ed "$K/ed.key" ed25519 &&
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
		rc_is 0 && out_has "ok $D/s" && err_has "1 signature not checked (no --cert)"'
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

	# Attacks on a valid signature: another digest, kind, algorithm or
	# version under it; a signature moved from another file; damaged,
	# truncated, longer. The content always has the mark's digest, so that
	# only the signature can make the difference (the kernel checks the
	# digest first: a mark whose digest does not match is a mismatch).
	s_mark=$(mark_of "$D/s")
	s_dig=$(field 5 "$D/s")
	o_dig=$(digest sha256sum "$D/o")
	: >"$D/t"
	chmod 755 "$D/t"
	atk_ok=true
	flip() { case $1 in *0) printf '%s1' "${1%?}" ;; *) printf '%s0' "${1%?}" ;; esac; }
	# csig MSGHEX: a signature by the leaf key over the bytes MSGHEX, made
	# by openssl as the helper makes its own
	csig() {
		"$XT" unhex "$1" >"$W/c.msg"
		openssl cms -sign -binary -noattr -nocerts -md sha256 -outform DER \
			-signer "$K/leaf.pem" -inkey "$K/leaf.key" -in "$W/c.msg" \
			-out "$W/c.der" 2>/dev/null &&
		od -An -tx1 -v "$W/c.der" | tr -d ' \n'
	}
	attack() {	# attack NAME CONTENTFILE HEXMARK WORD
		cat "$2" >"$D/t"
		if ! "$XT" set "$D/t" "$3" 2>"$W/err"; then
			atk_ok=false; diag "cannot set $1: $(cat "$W/err")"; return
		fi
		em verify --cert "$K/leaf.pem" "$D/t"
		if ! rc_is "$([ "$4" = ok ] && echo 0 || echo 1)" || ! out_has "$4 $D/t"; then
			atk_ok=false; diag "$1: not $4: $(cat "$W/out")"
		fi
	}
	magic=455845434d41524b
	attack "openssl's own signature of the message" "$D/s" \
		"$(mk2 1 4 1 "$s_dig" "$(csig "${magic}02010420$s_dig")")" ok
	attack "the signature of another file's mark" "$D/o" "$(mk2 1 4 1 "$o_dig" "$sig")" bad-signature
	attack "kind swapped: signed as a verity sha256 digest" "$D/s" \
		"$(mk2 1 4 1 "$s_dig" "$(csig "${magic}02020120$s_dig")")" bad-signature
	attack "version swapped: signed as version 1" "$D/s" \
		"$(mk2 1 4 1 "$s_dig" "$(csig "${magic}01010420$s_dig")")" bad-signature
	attack "algorithm swapped: signed as sha512 (a 32-byte digest)" "$D/s" \
		"$(mk2 1 4 1 "$s_dig" "$(csig "${magic}02010620$s_dig")")" bad-signature
	attack "no magic: the bare digest signed" "$D/s" \
		"$(mk2 1 4 1 "$s_dig" "$(csig "$s_dig")")" bad-signature
	attack "fs-verity's formatted digest signed (FSVerity)" "$D/s" \
		"$(mk2 1 4 1 "$s_dig" "$(csig "465356657269747901002000$s_dig")")" bad-signature
	attack "signature truncated (last byte)" "$D/s" "$(mk2 1 4 1 "$s_dig" "${sig%??}")" bad-signature
	attack "signature cut in half" "$D/s" \
		"$(mk2 1 4 1 "$s_dig" "$(printf '%s' "$sig" | cut -c1-$((${#sig} / 2 / 2 * 2)))")" bad-signature
	attack "a byte after the signature" "$D/s" "$(mk2 1 4 1 "$s_dig" "${sig}00")" bad-signature
	attack "a signature bit flipped" "$D/s" "$(mk2 1 4 1 "$s_dig" "$(flip "$sig")")" bad-signature
	attack "the genuine mark" "$D/s" "$s_mark" ok
	check "$L: every forged or damaged signature is bad-signature, the genuine one ok" $atk_ok
	attack "a digest bit flipped under the signature" "$D/s" \
		"$(mk2 1 4 1 "$(flip "$s_dig")" "$sig")" mismatch
	check "$L: a digest changed under a signature: mismatch (the kernel's order)" $atk_ok

	# Malformed version 2 marks: corrupt, never anything else.
	bad_ok=true
	nset=0
	for v in "$(mk2 1 4 0 "${s_dig}00")" "$(mk2 1 4 0 "${s_dig%??}")" \
		"$(mk2 3 4 0 "$s_dig")" "$(mk2 1 1 0 "$s_dig")" "$(mk2 2 4 0 "$s_dig")" \
		"$(mk2 2 3 0 "$s_dig")" "$(mk2 1 4 2 "$s_dig")" "$(mk2 1 4 1 "$s_dig")" \
		"$(mk2 1 4 1 "${s_dig}0000")" "$(mk2 1 4 0 "${s_dig}0100aa")" \
		"$(mk2 1 4 1 "${s_dig}$(le16 $((${#sig} / 2 + 1)))$sig")" \
		"$(mk2 1 4 1 "${s_dig}$(le16 $((${#sig} / 2 - 1)))$sig")" \
		"02010401${s_dig}01" "020104" "02" "$(mk2 0 4 0 "$s_dig")"; do
		"$XT" set "$D/t" "$v" 2>/dev/null || continue	# a kernel may refuse it
		nset=$((nset + 1))
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
	if [ $nset -eq 0 ]; then
		skip "$L: every malformed version 2 mark is corrupt" "the kernel refuses to store them"
	else
		check "$L: every malformed version 2 mark is corrupt ($nset)" $bad_ok
	fi

	# --require-signed: unsigned marks of either version are not ok.
	em mark "$D/o"
	"$XT" set "$D/t" "$(mk2 1 4 0 "$(digest sha256sum "$D/t")")"
	em verify --require-signed --cert "$K/leaf.pem" "$D/s" "$D/o" "$D/t"
	check "$L: --require-signed: unsigned v1 and v2 marks are unsigned, signed ok" eval '
		rc_is 1 && out_has "ok $D/s" && out_has "unsigned $D/o" && out_has "unsigned $D/t" &&
		err_has "2 unsigned, 0 bad-signature"'
	em verify "$D/t"
	check "$L: an unsigned version 2 content mark verifies ok" eval 'rc_is 0 && out_has "ok $D/t"'
	mkdir -p "$W/sfs2"
	printf 'permissive\n' >"$W/sfs2/mode"
	printf '0\n' >"$W/sfs2/lock"
	printf 'checks 1\n' >"$W/sfs2/stats"
	printf 'locked\n' >"$W/sfs2/require_signed"
	EXECMARK_SECURITYFS=$W/sfs2 run "$E" verify "$D/s" "$D/t"
	check "$L: the kernel's require_signed on: verify reports unsigned marks" eval '
		rc_is 1 && out_has "unsigned $D/t" && out_has "ok $D/s"'
	EXECMARK_SECURITYFS=$W/sfs2 run "$E" status
	check "$L: status shows require_signed" eval 'out_has "require_signed: locked"'
	printf 'off\n' >"$W/sfs2/require_signed"
	EXECMARK_SECURITYFS=$W/sfs2 run "$E" verify "$D/t"
	check "$L: require_signed off: unsigned marks are ok" eval 'rc_is 0 && out_has "ok $D/t"'

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
		printf 'mark:%s  ./two\n' "$(head -c 2119 /dev/zero | od -An -tx1 -v | tr -d ' \n')"
	} >"$D/bad.manifest"
	in_dir "$D/host" em manifest apply "$D/bad.manifest"
	check "$L: malformed mark lines are named and skipped, the rest applied" eval '
		rc_is 2 && err_has "bad.manifest:2: malformed line: its mark is corrupt" &&
		err_has "bad.manifest:3: malformed line: a mark line is" &&
		err_has "bad.manifest:4: malformed line" && err_has "bad.manifest:5: malformed line" &&
		err_has "bad.manifest:6: malformed line" &&
		err_has "bad.manifest:8: malformed line: its mark is corrupt (longer than any mark)" &&
		err_has "6 malformed lines" &&
		err_has "1 mismatch" &&
		[ "$(mark_of "$D/host/one")" = "$hex" ] && [ "$(mark_of "$D/host/two")" = none ]'
	# apply --cert and --require-signed: checked before anything is marked.
	em unmark "$D/host/one" "$D/host/with space"
	in_dir "$D/host" em manifest apply --cert "$K/other.pem" "$D/signed.manifest"
	check "$L: apply --cert with another key's certificate: every line refused" eval '
		rc_is 2 && err_has "signed.manifest:1: bad signature: not signed with the key of the certificate, not applied" &&
		err_has "refused 3 lines" && err_has "marked 0 files" &&
		[ "$(mark_of "$D/host/one")" = none ]'
	{
		printf '%s  ./one\n' "$(flip "$(grep "  ./one\$" "$D/signed.manifest" | cut -d" " -f1)")"
		grep "  ./with space\$" "$D/signed.manifest"
		printf '%s  ./two\n' "$(digest sha256sum "$D/host/two")"
	} >"$D/mixed.manifest"
	in_dir "$D/host" em manifest apply --cert "$K/leaf.pem" --require-signed "$D/mixed.manifest"
	check "$L: apply --cert --require-signed: a damaged signature and an unsigned line refused, the good one applied" eval '
		rc_is 2 && err_has "mixed.manifest:1: bad signature:" &&
		err_has "mixed.manifest:3: an unsigned mark (--require-signed), not applied" &&
		err_has "refused 2 lines" && err_has "marked 1 file (" &&
		[ "$(mark_of "$D/host/one")" = none ] && [ "$(mark_of "$D/host/two")" = none ] &&
		[ "$(mark_of "$D/host/with space")" != none ]'
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

# fs-verity on an ext4 image with the verity feature, on a loop device:
# what only a kernel with fs-verity shows. Sets VMNT if it is mounted.
VMNT=""
marks2_verity() {
	L="ext4 -O verity"
	# e2fsprogs' mke2fs (busybox's makes ext2 only and is first in PATH in the VM).
	mke2fs=/usr/sbin/mke2fs
	[ -x "$mke2fs" ] || mke2fs=/sbin/mke2fs
	if [ ! -x "$mke2fs" ] || ! command -v openssl >/dev/null 2>&1; then
		skip "$L: fs-verity marks" "no mke2fs of e2fsprogs or no openssl"
		return
	fi
	dd if=/dev/zero of="$W/verity.img" bs=1M count=0 seek=64 2>/dev/null
	mkdir -p "$W/verity"
	# 4 KiB blocks: Linux refuses fs-verity's 4 KiB Merkle tree blocks on
	# a file system with smaller ones (mke2fs takes 1 KiB for small images).
	if ! "$mke2fs" -q -t ext4 -b 4096 -O verity -F "$W/verity.img" >"$W/err" 2>&1 ||
	   ! mount -o loop "$W/verity.img" "$W/verity" 2>>"$W/err"; then
		skip "$L: fs-verity marks" "cannot make or mount the image: $(head -1 "$W/err")"
		return
	fi
	MOUNTS="$W/verity $MOUNTS"
	D=$W/verity/d
	mkdir -p "$D"
	if ! v2_storable "$D"; then
		skip "$L: fs-verity marks" "the kernel refuses version 2 marks (execmark without marks v2)"
		return
	fi
	printf 'probe\n' >"$D/probe"
	em mark --verity "$D/probe"
	if ! rc_is 0; then
		skip "$L: fs-verity marks" "the kernel has no fs-verity: $(head -1 "$W/err")"
		return
	fi
	VMNT=$W/verity
	K=$W/keys
	[ -f "$K/leaf.pem" ] || keys "$K" || { fail "$L: openssl makes the test keys"; return; }
	printf '#!/bin/sh\necho verity\n' >"$D/v"
	dd if=/dev/urandom of="$D/vbig" bs=4096 count=700 2>/dev/null
	chmod 755 "$D/v" "$D/vbig"
	want_v=$(fsverity digest "$D/v" 2>/dev/null | sed 's/^sha256://;s/ .*//')
	want_big=$(fsverity digest "$D/vbig" 2>/dev/null | sed 's/^sha256://;s/ .*//')
	em mark --verity "$D/v" "$D/vbig"
	check "$L: mark --verity enables fs-verity and marks the fs-verity digest" eval '
		rc_is 0 && err_has "marked 2 files" &&
		[ "$(field 1 "$D/v") $(field 2 "$D/v") $(field 3 "$D/v") $(field 4 "$D/v")" = "2 2 1 0" ] &&
		[ "$(field 5 "$D/v")" = "$want_v" ] && [ "$(field 5 "$D/vbig")" = "$want_big" ] &&
		[ "$(fsverity measure "$D/vbig" | sed "s/^sha256://;s/ .*//")" = "$want_big" ]'
	check "$L: the file is read-only now (fs-verity)" eval '! { printf x >>"$D/v"; } 2>/dev/null'
	em verify "$D/v" "$D/vbig"
	check "$L: verify: ok" eval 'rc_is 0 && out_has "ok $D/v" && out_has "ok $D/vbig"'
	before=$("$XT" ctime "$D/v")
	em mark --verity "$D/v"
	check "$L: marking again is a no-op" eval '
		rc_is 0 && err_has "1 already marked" && [ "$("$XT" ctime "$D/v")" = "$before" ]'
	em manifest export --verity "$D/vbig"
	check "$L: export --verity of a file with fs-verity measures it" eval '
		rc_is 0 && [ "$(cut -d" " -f1 "$W/out")" = "mark:$(mark_of "$D/vbig")" ]'
	printf 'five-twelve\n' >"$D/v512"
	chmod 755 "$D/v512"
	em mark --verity --algo sha512 "$D/v512"
	check "$L: --algo sha512: a sha512 tree and digest" eval '
		rc_is 0 && [ "$(field 3 "$D/v512")" = 2 ] &&
		[ "$(field 5 "$D/v512")" = "$(fsverity measure "$D/v512" | sed "s/^sha512://;s/ .*//")" ]'
	# Through overlayfs, which does not pass FS_IOC_MEASURE_VERITY on but
	# whose statx() shows the lower file's fs-verity, as the kernel reads
	# the real inode's digest.
	O=$W/tmpfs/ovl
	mkdir -p "$O/up" "$O/work" "$O/m"
	if mount -t overlay -o "lowerdir=$D,upperdir=$O/up,workdir=$O/work" xm-ovl "$O/m" 2>"$W/err"; then
		MOUNTS="$O/m $MOUNTS"
		em verify "$O/m/v" "$O/m/vbig"
		check "$L: overlayfs over fs-verity files: verify ok" eval '
			rc_is 0 && out_has "ok $O/m/v" && out_has "ok $O/m/vbig"'
		umount "$O/m"
	else
		skip "$L: overlayfs over fs-verity files" "cannot mount overlayfs: $(cat "$W/err")"
	fi
	# A file open for writing cannot get fs-verity.
	printf 'busy\n' >"$D/busy"
	exec 7>>"$D/busy"
	em mark --verity "$D/busy"
	exec 7>&-
	check "$L: a file open for writing: not marked, exit 1, fs-verity not enabled" eval '
		rc_is 1 && err_has "$D/busy: open for writing or mapped writable, not marked" &&
		[ "$(mark_of "$D/busy")" = none ] && { printf x >>"$D/busy"; }'
	# A verity mark whose file lost fs-verity: a copy (copies have none).
	cat "$D/v" >"$D/vcopy"
	chmod 755 "$D/vcopy"
	"$XT" set "$D/vcopy" "$(mark_of "$D/v")"
	em verify "$D/vcopy"
	check "$L: a verity mark on a copy without fs-verity: not-verity" eval '
		rc_is 1 && out_has "not-verity $D/vcopy"'
	# Another file's verity mark.
	"$XT" set "$D/v512" "$(mark_of "$D/v")" 2>/dev/null
	em verify "$D/v512"
	check "$L: another file's verity mark: mismatch" eval 'rc_is 1 && out_has "mismatch $D/v512"'

	# Signed verity manifest: built where there is no fs-verity (libfsverity),
	# applied here without the key.
	B=$W/vbuild
	mkdir -p "$B"
	printf '#!/bin/sh\necho fleet\n' >"$B/app"
	dd if=/dev/urandom of="$B/lib" bs=4096 count=50 2>/dev/null
	printf 'never\n' >"$B/other"
	chmod 755 "$B/app" "$B/lib" "$B/other"
	in_dir "$B" em manifest export --verity --sign "$K/leaf.key" --cert "$K/leaf.pem" -r .
	cp "$W/out" "$W/verity.manifest"
	check "$L: export --verity --sign: signed verity marks" eval '
		rc_is 0 && [ "$(grep -c "^mark:02020101" "$W/verity.manifest")" -eq 3 ]'
	H=$W/verity/host
	mkdir -p "$H"
	for f in app lib other; do cat "$B/$f" >"$H/$f"; done
	printf 'not the same\n' >"$H/other"
	chmod 755 "$H/app" "$H/lib" "$H/other"
	mv "$K/leaf.key" "$K/leaf.key.hidden"	# no key on this machine
	in_dir "$H" em manifest apply "$W/verity.manifest"
	mv "$K/leaf.key.hidden" "$K/leaf.key"
	check "$L: apply without the key: fs-verity enabled, signed marks set" eval '
		rc_is 1 && err_has "marked 2 files" && err_has "1 mismatch" &&
		[ "mark:$(mark_of "$H/app")" = "$(grep "  ./app\$" "$W/verity.manifest" | cut -d" " -f1)" ] &&
		fsverity measure "$H/lib" >/dev/null'
	check "$L: the file whose content differs: not marked, fs-verity not enabled" eval '
		[ "$(mark_of "$H/other")" = none ] && ! fsverity measure "$H/other" >/dev/null 2>&1 &&
		{ printf x >>"$H/other"; }'
	em verify --cert "$K/leaf.pem" "$H/app" "$H/lib"
	check "$L: verify --cert: ok" eval 'rc_is 0'
	em verify --cert "$K/other.pem" "$H/app"
	check "$L: verify --cert with another key: bad-signature" eval '
		rc_is 1 && out_has "bad-signature $H/app"'
}

# The kernel decides (VM): marks signed by the helper run in enforce mode
# when a certificate signed by the test CA (built into the test kernel) is
# in .execmark; a signed manifest applied on a machine without the key runs;
# marks by a key that is not there are denied. Needs execmark with marks v2,
# the test CA's key (/usr/lib/execmark/keys/), keyctl and openssl.
marks2_kernel() {
	L="kernel"
	SFS=/sys/kernel/security/execmark
	CA=/usr/lib/execmark/keys
	HELLO=/usr/lib/execmark/aux/hello
	if [ ! -e "$SFS/require_signed" ] || [ ! -f "$CA/test-ca.key" ] ||
	   [ ! -x "$HELLO" ] || ! command -v keyctl >/dev/null 2>&1 ||
	   ! command -v openssl >/dev/null 2>&1; then
		skip "$L: signed marks under enforce" "needs execmark with marks v2, the test CA, keyctl, openssl"
		return
	fi
	if [ "$(cat "$SFS/require_signed")" != off ] || [ "$(cat "$SFS/lock")" != 0 ]; then
		skip "$L: signed marks under enforce" "require_signed or the lock is set in this boot"
		return
	fi
	K=$W/kkeys
	mkdir -p "$K"
	newkey kernel-leaf "$K/leaf.key" rsa &&
	openssl req -new -key "$K/leaf.key" -subj "/CN=execmark helper_test leaf" \
		-out "$K/leaf.csr" 2>/dev/null &&
	openssl x509 -req -in "$K/leaf.csr" -CA "$CA/test-ca.pem" -CAkey "$CA/test-ca.key" \
		-CAcreateserial -CAserial "$K/ca.srl" -days 2 -sha256 -out "$K/leaf.pem" 2>/dev/null &&
	openssl x509 -in "$K/leaf.pem" -outform DER -out "$K/leaf.der" &&
	newkey kernel-rogue "$K/rogue.key" rsa &&
	openssl req -x509 -new -key "$K/rogue.key" -days 2 -subj "/CN=execmark helper_test rogue" \
		-out "$K/rogue.pem" 2>/dev/null ||
		{ fail "$L: openssl makes a leaf signed by the test CA"; return; }
	run keyctl padd asymmetric "" %:.execmark <"$K/leaf.der"
	check "$L: a leaf signed by the test CA goes into .execmark" rc_is 0

	D=$W/tmpfs/kern
	mkdir -p "$D/build" "$D/host"
	cat "$HELLO" >"$D/signed"
	cat "$HELLO" >"$D/rogue"
	printf '#!/bin/sh\necho script ok\n' >"$D/script"
	chmod 755 "$D/signed" "$D/rogue" "$D/script"
	em mark --sign "$K/leaf.key" --cert "$K/leaf.pem" "$D/signed" "$D/script"
	em mark --sign "$K/rogue.key" --cert "$K/rogue.pem" "$D/rogue"
	# A signed manifest, applied where the key is not.
	cat "$HELLO" >"$D/build/app"
	chmod 755 "$D/build/app"
	in_dir "$D/build" em manifest export --sign "$K/leaf.key" --cert "$K/leaf.pem" app
	cp "$W/out" "$D/app.manifest"
	cat "$HELLO" >"$D/host/app"
	chmod 755 "$D/host/app"
	mv "$K/leaf.key" "$K/leaf.key.hidden"
	in_dir "$D/host" em manifest apply "$D/app.manifest"
	check "$L: the signed manifest is applied without the key" eval '
		rc_is 0 && [ "mark:$(mark_of "$D/host/app")" = "$(cut -d" " -f1 "$D/app.manifest")" ]'
	if [ -n "$VMNT" ]; then
		mkdir -p "$VMNT/kern"
		cat "$HELLO" >"$VMNT/kern/vapp"
		chmod 755 "$VMNT/kern/vapp"
		mv "$K/leaf.key.hidden" "$K/leaf.key"
		em manifest export --verity --sign "$K/leaf.key" --cert "$K/leaf.pem" "$VMNT/kern/vapp"
		cp "$W/out" "$D/vapp.manifest"
		mv "$K/leaf.key" "$K/leaf.key.hidden"
		em manifest apply "$D/vapp.manifest"
	fi
	mode=$(cat "$SFS/mode")
	echo enforce >"$SFS/mode"
	run "$D/signed"
	r_signed=$rc
	run "$D/host/app"
	r_app=$rc
	run "$D/script"
	r_script=$rc; o_script=$(cat "$W/out")
	run "$D/rogue"
	r_rogue=$rc
	if [ -n "$VMNT" ]; then
		run "$VMNT/kern/vapp"
		r_vapp=$rc
	fi
	echo "$mode" >"$SFS/mode"
	mv "$K/leaf.key.hidden" "$K/leaf.key"
	check "$L: enforce: a binary the helper signed runs" [ "$r_signed" -eq 0 ]
	check "$L: enforce: a script the helper signed runs" \
		eval '[ "$r_script" -eq 0 ] && [ "$o_script" = "script ok" ]'
	check "$L: enforce: the signed manifest's file runs on the machine without the key" \
		[ "$r_app" -eq 0 ]
	check "$L: enforce: signed by a key not in .execmark: denied" [ "$r_rogue" -ne 0 ]
	if [ -n "$VMNT" ]; then
		check "$L: enforce: a signed verity manifest's file runs (ext4, fs-verity)" \
			[ "$r_vapp" -eq 0 ]
	else
		skip "$L: enforce: a signed verity manifest's file runs" "no ext4 with fs-verity"
	fi
	em verify --cert "$K/leaf.pem" "$D/signed" "$D/host/app"
	check "$L: verify --cert agrees: ok" eval 'rc_is 0'
	em verify --cert "$K/leaf.pem" "$D/rogue"
	check "$L: verify --cert agrees: bad-signature" eval 'rc_is 1 && out_has "bad-signature $D/rogue"'
}
