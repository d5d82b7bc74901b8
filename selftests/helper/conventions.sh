# SPDX-License-Identifier: GPL-2.0
#
# Issue 12 item 14, the conventions of the command line: --version;
# -q and -v on every verb; --files-from FILE and -0 for mark, verify,
# unmark (and manifest export); status --json; "1 file", not "1 files".
# Sourced by run.sh, which defines what it uses (lib.sh).

conventions_tests() {
	C=$W/conv
	mkdir "$C"

	# --version, of execmark and of every verb: one line, exit 0.
	em --version
	check "issue 12.14: execmark --version prints the version, exit 0" eval '
		rc_is 0 && [ "$(wc -l <"$W/out")" -eq 1 ] &&
		grep -E -q "^execmark [0-9]+\.[0-9]+" "$W/out" && [ ! -s "$W/err" ]'
	cp "$W/out" "$C/version"
	bad=""
	for c in mark verify unmark status mode lock forward log "manifest export" \
		"manifest apply" manifest apt-prepare dpkg-apply dpkg-verify dpkg-enroll digests; do
		# shellcheck disable=SC2086
		em $c --version
		rc_is 0 && cmp -s "$W/out" "$C/version" && [ ! -s "$W/err" ] || bad="$bad [$c]"
	done
	check "issue 12.14: every verb takes --version" eval '[ -z "$bad" ] || { diag "not:$bad"; false; }'

	# -q and -v are options of every verb (each verb's effect is below).
	bad=""
	for c in mark verify unmark status mode lock forward log "manifest export" \
		"manifest apply" apt-prepare dpkg-apply dpkg-verify dpkg-enroll digests; do
		for o in -q -v --quiet --verbose; do
			# shellcheck disable=SC2086
			em $c $o --help
			rc_is 0 && grep -q "^usage: execmark" "$W/out" || bad="$bad [$c $o]"
		done
	done
	check "issue 12.14: every verb takes -q, -v, --quiet and --verbose" \
		eval '[ -z "$bad" ] || { diag "not:$bad"; false; }'

	# mark, unmark, verify, manifest: -q leaves out the summary, -v adds a
	# line per file on standard output.
	printf 'one' >"$C/one"
	printf 'two' >"$C/two"
	chmod 755 "$C/one" "$C/two"
	em mark -q "$C/one"
	check "issue 12.14: mark -q marks and prints nothing" eval '
		rc_is 0 && [ ! -s "$W/err" ] && [ ! -s "$W/out" ] &&
		[ "$(mark_of "$C/one")" = "$(want_mark "$C/one" sha256)" ]'
	em mark -v "$C/one" "$C/two"
	check "issue 12.14: mark -v names each file marked or already marked" eval '
		rc_is 0 && [ "$(cat "$W/out")" = "already-marked $C/one${NL}marked $C/two" ] &&
		err_has "marked 1 file (3 B), 1 already marked"'
	em mark -q "$C/one" "$C/missing"
	check "issue 12.14: mark -q still names what went wrong" eval '
		rc_is 2 && err_has "$C/missing: No such file" && ! err_has "marked "'
	em verify -q "$C/one" "$C/two"
	check "issue 12.14: verify -q: nothing when all is ok" eval '
		rc_is 0 && [ ! -s "$W/out" ] && [ ! -s "$W/err" ]'
	em manifest export -q "$C/one"
	check "issue 12.14: manifest export -q: the manifest, no summary" eval '
		rc_is 0 && [ "$(cat "$W/out")" = "$(digest sha256sum "$C/one")  $C/one" ] &&
		[ ! -s "$W/err" ]'
	cp "$W/out" "$C/manifest"
	em unmark -v "$C/one"
	check "issue 12.14: unmark -v names each file unmarked" eval '
		rc_is 0 && [ "$(cat "$W/out")" = "unmarked $C/one" ] && err_has "unmarked 1 file,"'
	em manifest apply -v "$C/manifest"
	check "issue 12.14: manifest apply -v names each file marked" eval '
		rc_is 0 && [ "$(cat "$W/out")" = "marked $C/one" ]'
	em manifest apply -q "$C/manifest"
	check "issue 12.14: manifest apply -q prints nothing" eval '
		rc_is 0 && [ ! -s "$W/out" ] && [ ! -s "$W/err" ]'
	em unmark -q "$C/one" "$C/two"
	check "issue 12.14: unmark -q prints nothing" eval '
		rc_is 0 && [ ! -s "$W/out" ] && [ ! -s "$W/err" ] && [ "$(mark_of "$C/two")" = none ]'

	# --files-from FILE: one name a line (an empty line is none), after the
	# PATHs; - is standard input; -0: NUL-separated names.
	mkdir "$C/ff"
	for f in a "b c" "new${NL}line" d; do printf '%s' "$f" >"$C/ff/$f"; done
	chmod 755 "$C/ff"/*
	printf '%s\n\n%s\n' "$C/ff/a" "$C/ff/b c" >"$C/list"
	em mark --files-from "$C/list" "$C/ff/d"
	check "issue 12.14: mark --files-from FILE marks the PATHs and the names listed" eval '
		rc_is 0 && err_has "marked 3 files" &&
		[ "$(mark_of "$C/ff/b c")" = "$(want_mark "$C/ff/b c" sha256)" ] &&
		[ "$(mark_of "$C/ff/d")" != none ]'
	run "$E" verify --files-from - <"$C/list"
	check "issue 12.14: verify --files-from - reads standard input" eval '
		rc_is 0 && [ "$(cat "$W/out")" = "ok $C/ff/a${NL}ok $C/ff/b c" ]'
	printf '%s\0%s\0' "$C/ff/new${NL}line" "$C/ff/a" >"$C/list0"
	em mark -0 --files-from "$C/list0"
	check "issue 12.14: mark -0 --files-from: NUL-separated names, a newline in one" eval '
		rc_is 0 && err_has "marked 1 file (" && err_has "1 already marked" &&
		[ "$(mark_of "$C/ff/new${NL}line")" = "$(want_mark "$C/ff/new${NL}line" sha256)" ]'
	run "$E" unmark -0 --files-from - <"$C/list0"
	check "issue 12.14: unmark -0 --files-from -" eval '
		rc_is 0 && err_has "unmarked 2 files" && [ "$(mark_of "$C/ff/a")" = none ] &&
		[ "$(mark_of "$C/ff/new${NL}line")" = none ]'
	"$E" unmark "$C/ff/d" 2>/dev/null
	printf '%s\n%s\0%s\n' "$C/ff/d" "$C/ff/a" "$C/ff/b c" >"$C/list-nul"
	em mark --files-from "$C/list-nul"
	check "issue 12.14: a NUL in a newline-separated list is an error naming the line, not a cut name" eval '
		rc_is 2 && err_has "$C/list-nul:2: --files-from: a NUL byte in a name (a NUL-separated list needs -0)" &&
		[ "$(mark_of "$C/ff/a")" = none ] && [ "$(mark_of "$C/ff/d")" != none ] &&
		err_has "marked 1 file ("'
	"$E" unmark "$C/ff/d" 2>/dev/null
	em mark --files-from "$C/nonexistent" "$C/ff/d"
	check "issue 12.14: a --files-from FILE that cannot be read: exit 2, nothing marked" eval '
		rc_is 2 && err_has "$C/nonexistent: --files-from: No such file" &&
		[ "$(mark_of "$C/ff/d")" = none ] && ! err_has "marked "'
	em verify -0 "$C/ff/a"
	check "issue 12.14: -0 without --files-from is a usage error" eval '
		rc_is 2 && err_has "no --files-from given" && err_has "usage: execmark verify"'
	em mark --files-from "$C/list"
	check "issue 12.14: --files-from alone is enough (no PATH needed)" eval '
		rc_is 0 && err_has "marked 1 file (1 B), 1 already marked" &&
		[ "$(mark_of "$C/ff/a")" = "$(want_mark "$C/ff/a" sha256)" ]'

	# status --json: the keys of status, numbers as numbers.
	S=$W/sfs-json
	mkdir "$S"
	printf 'permissive\n' >"$S/mode"
	printf '0\n' >"$S/lock"
	printf 'checks 10\ncache_hits 7\nhash_bytes 18446744073709551615\nodd some "text"\n' >"$S/stats"
	mkfifo "$S/events"
	EXECMARK_SECURITYFS=$S EXECMARK_FORWARD_STATE=$C/state run "$E" status --json
	py=$(command -v python3 || command -v python3.11)
	if [ -n "$py" ]; then
		cp "$W/out" "$C/json"
		check "issue 12.14: status --json is one JSON object with the keys of status, numbers as numbers" \
			"$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
want = {"mode": "permissive", "lock": 0, "forwarder": "not attached",
        "undelivered": 0, "auditd_overflow": 0, "checks": 10, "cache_hits": 7,
        "hash_bytes": 18446744073709551615, "odd": "some \"text\""}
assert d == want, d
assert list(d) == list(want), list(d)
' "$C/json"
	else
		skip "issue 12.14: status --json is one JSON object with the keys of status, numbers as numbers" "no python3"
	fi
	EXECMARK_SECURITYFS=$S run "$E" status -q
	check "issue 12.14: status -q leaves out the statistics" eval '
		rc_is 0 && out_has "mode: permissive" && ! grep -q checks "$W/out"'
	EXECMARK_SECURITYFS=$S run "$E" status -v
	check "issue 12.14: status -v also names the securityfs directory and the state file" eval '
		rc_is 0 && out_has "securityfs: $S" && out_has "state_file: $EXECMARK_FORWARD_STATE" &&
		out_has "checks: 10"'
	printf 'off\n' >"$S/mode"
	EXECMARK_SECURITYFS=$S run "$E" mode -v enforce
	check "issue 12.14: mode -v says the change" eval '
		rc_is 0 && [ "$(cat "$W/out")" = "mode: off -> enforce" ] &&
		[ "$(cat "$S/mode")" = enforce ]'
	EXECMARK_SECURITYFS=$S run "$E" mode -q
	check "issue 12.14: mode -q shows the mode" eval '
		rc_is 0 && [ "$(cat "$W/out")" = enforce ]'
	EXECMARK_SECURITYFS=$S run "$E" lock -v
	check "issue 12.14: lock -v says which mode is locked" eval '
		rc_is 0 && [ "$(cat "$W/out")" = "locked: the mode stays enforce until reboot" ] &&
		[ "$(cat "$S/lock")" = 1 ]'

	# forward -v says where it forwards; -q keeps notices out, not warnings.
	fwd_event() {
		printf 'seq=%s op=exec mode=permissive reason=unmarked pid=1 uid=0 auid=0 ses=1 comm="c" exe="/e" path="/p" dev=0:1 ino=1\n' "$1"
	}
	EXECMARK_SECURITYFS=$S EXECMARK_FORWARD_SINK=stdout EXECMARK_TEST_SINK_FAILURES=1 \
		"$E" forward --foreground -q >"$C/fwd-out" 2>"$C/fwd-err" &
	FWDPID=$!
	exec 3<>"$S/events"
	fwd_event 1 >&3
	t=0
	while [ ! -s "$C/fwd-out" ] && [ $t -lt 100 ]; do sleep 0.1; t=$((t + 1)); done
	kill $FWDPID
	fwd_event 2 >&3
	wait $FWDPID 2>/dev/null
	FWDPID=""
	exec 3>&-
	check "issue 12.14: forward -q: warnings, no notices" eval '
		[ -s "$C/fwd-out" ] && grep -q "cannot deliver to the audit subsystem" "$C/fwd-err" &&
		! grep -q "audit delivery resumed" "$C/fwd-err"'
	# Not the last run's output: the loop below would not wait for this one.
	rm -f "$C/fwd-out" "$C/fwd-err"
	EXECMARK_SECURITYFS=$S EXECMARK_FORWARD_SINK=stdout \
		"$E" forward --foreground -v >"$C/fwd-out" 2>"$C/fwd-err" &
	FWDPID=$!
	exec 3<>"$S/events"
	t=0
	while [ ! -s "$C/fwd-err" ] && [ $t -lt 100 ]; do sleep 0.1; t=$((t + 1)); done
	kill $FWDPID
	# A line wakes it up if the signal went to a thread of the sanitizers'.
	fwd_event 2 >&3
	wait $FWDPID 2>/dev/null
	FWDPID=""
	exec 3>&-
	check "issue 12.14: forward -v says where events go" \
		grep -q "forwarding the events of $S/events to standard output" "$C/fwd-err"

	# Plurals: 1 file, 1 error, 1 line.
	printf 'x' >"$C/p"
	em mark "$C/p" "$C/nonexistent"
	check "issue 12.14: mark says \"1 file\" and \"1 error\"" eval '
		rc_is 2 && err_has "marked 1 file (1 B), " && err_has ", 1 error" && ! err_has "1 errors"'
	em verify "$C/p"
	check "issue 12.14: verify says \"verified 1 file:\"" err_has "verified 1 file: "
	em manifest export "$C/p"
	check "issue 12.14: export says \"exported 1 file,\"" err_has "exported 1 file, "
	em unmark "$C/p"
	check "issue 12.14: unmark says \"unmarked 1 file,\"" err_has "unmarked 1 file, "
	printf 'bad\n' >"$C/bad-manifest"
	em manifest apply "$C/bad-manifest"
	check "issue 12.14: apply says \"1 malformed line\"" eval '
		rc_is 2 && err_has ", 1 malformed line, 0 errors"'
}
