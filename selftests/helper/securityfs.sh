# SPDX-License-Identifier: GPL-2.0
#
# status, mode and lock against a fake securityfs directory.
# Sourced by run.sh, which defines what it uses (lib.sh).

securityfs_tests() {
	S=$W/sfs
	mkdir "$S"
	EXECMARK_SECURITYFS=$W/none run "$E" status
	check "status without execmark: not active, exit 2" eval '
		rc_is 2 && err_has "execmark is not active (no $W/none)"'
	for c in "mode" "mode enforce" "lock" "forward --foreground"; do
		# shellcheck disable=SC2086
		EXECMARK_SECURITYFS=$W/none run "$E" $c
		check "$c without execmark: not active, exit 2" eval '
			rc_is 2 && err_has "execmark is not active"'
	done
	printf 'permissive\n' >"$S/mode"
	printf '0\n' >"$S/lock"
	printf 'checks 10\ncache_hits 7\nhashes 3\nhash_bytes 4096\ndenials 2\nevents_lost 0\n' >"$S/stats"
	mkfifo "$S/events"
	chmod 644 "$S/mode" "$S/lock" "$S/stats"
	export EXECMARK_SECURITYFS="$S"
	em status
	check "status prints mode, lock, forwarder and every statistic" eval '
		rc_is 0 && out_has "mode: permissive" && out_has "lock: 0" &&
		out_has "forwarder: not attached" && out_has "checks: 10" &&
		out_has "cache_hits: 7" && out_has "hash_bytes: 4096" && out_has "events_lost: 0"'
	em mode
	check "mode prints the mode" eval 'rc_is 0 && [ "$(cat "$W/out")" = permissive ]'
	: >"$S/mode"
	em mode enforce
	check "mode enforce writes the new mode" eval '
		rc_is 0 && [ "$(cat "$S/mode")" = enforce ]'
	em lock
	check "lock writes 1" eval 'rc_is 0 && [ "$(cat "$S/lock")" = 1 ]'
	printf '0\n' >"$S/lock"
	run nobody "$E" mode off
	check "mode as non-root: needs CAP_MAC_ADMIN, exit 2" eval '
		rc_is 2 && err_has "changing the mode needs CAP_MAC_ADMIN"'
	printf '1\n' >"$S/lock"
	run nobody "$E" mode off
	check "mode when locked: locked until reboot, exit 2" eval '
		rc_is 2 && err_has "the mode is locked until reboot"'
	run nobody "$E" lock
	check "lock as non-root: needs CAP_MAC_ADMIN, exit 2" eval '
		rc_is 2 && err_has "locking the mode needs CAP_MAC_ADMIN"'
	rm "$S/stats"
	em status
	check "status with an unreadable statistic exits 2" eval '
		rc_is 2 && out_has "mode: enforce" && err_has "stats: No such file"'
	unset EXECMARK_SECURITYFS
}
