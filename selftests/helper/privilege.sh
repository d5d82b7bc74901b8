# SPDX-License-Identifier: GPL-2.0
#
# Without privilege: marking needs CAP_MAC_ADMIN, verifying does not.
# Sourced by run.sh, which defines what it uses (lib.sh).

privilege_tests() {
	nobody() { "$XT" nobody "$@"; }
	P=$W/priv
	mkdir "$P"
	chmod 755 "$P"
	printf 'p' >"$P/f"
	chmod 755 "$P/f"
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
}
