# SPDX-License-Identifier: GPL-2.0
#
# Issue 12 item 12: each error names its real cause; a write to a full
# standard output fails with status 2.
# Sourced by run.sh, which defines what it uses (lib.sh).

messages_tests() {
	M=$W/messages
	mkdir "$M"

	# Root is refused a mark on an immutable or append-only file by the
	# file's attribute, not for want of CAP_MAC_ADMIN.
	for a in i a; do
		case $a in i) what=immutable ;; a) what=append-only ;; esac
		printf 'x' >"$M/attr-$a"
		if ! chattr "+$a" "$M/attr-$a" 2>/dev/null; then
			skip "issue 12.12: mark of a chattr +$a file names the $what attribute" \
				"$(fs_type "$M") does not support chattr +$a"
			skip "issue 12.12: unmark of a chattr +$a file names the $what attribute" \
				"$(fs_type "$M") does not support chattr +$a"
			continue
		fi
		em mark "$M/attr-$a"
		check "issue 12.12: mark of a chattr +$a file names the $what attribute" eval '
			rc_is 2 && err_has "$M/attr-$a: setting security.execmark: the file is $what (chattr +$a)" &&
			! err_has CAP_MAC_ADMIN'
		chattr "-$a" "$M/attr-$a"
		"$E" mark "$M/attr-$a" 2>/dev/null
		chattr "+$a" "$M/attr-$a"
		em unmark "$M/attr-$a"
		check "issue 12.12: unmark of a chattr +$a file names the $what attribute" eval '
			rc_is 2 && err_has "$M/attr-$a: removing security.execmark: the file is $what (chattr +$a)" &&
			! err_has CAP_MAC_ADMIN'
		chattr "-$a" "$M/attr-$a"
	done

	# An option a verb does not take is named as given (fixed by 8406dab).
	em unmark --algo sha512 "$M"
	check "issue 12.12: unmark --algo sha512 names --algo" eval '
		rc_is 2 && err_has "unknown option: --algo" && ! err_has "unknown option: sha512"'

	# A full standard output is an error, exit 2, for every verb that
	# writes to it.
	if [ ! -c /dev/full ]; then
		skip "issue 12.12: writes to a full standard output exit 2" "no /dev/full"
		return
	fi
	S=$W/sfs-full
	mkdir "$S"
	printf 'permissive\n' >"$S/mode"
	printf '0\n' >"$S/lock"
	printf 'checks 10\n' >"$S/stats"
	printf 'x' >"$M/file"
	"$E" mark "$M/file" 2>/dev/null
	: >"$W/full"
	for c in "status" "mode" "verify $M/file" "manifest export $M/file" \
		"--help" "mark --help" "status --help" "manifest --help"; do
		# shellcheck disable=SC2086
		EXECMARK_SECURITYFS=$S "$E" $c >/dev/full 2>"$W/err"
		rc=$?
		if ! rc_is 2 || ! err_has "standard output: write error"; then
			echo "$c: exit $rc: $(cat "$W/err")" >>"$W/full"
		fi
	done
	check "issue 12.12: writes to a full standard output exit 2 (status, mode, verify, export, --help)" \
		eval '[ ! -s "$W/full" ] || { sed "s/^/# /" "$W/full"; false; }'
}
