# SPDX-License-Identifier: GPL-2.0
#
# forward, with the stdout sink and a fifo as the events file.
# Sourced by run.sh, which defines what it uses (lib.sh).

forward_tests() {
	F=$W/fwd
	mkdir "$F"
	mkfifo "$F/events"
	EV1='seq=1 op=exec mode=permissive reason=unmarked pid=4242 uid=1000 auid=1000 ses=7 comm="evil" exe="/tmp/evil" path="/tmp/evil" dev=8:1 ino=1234'
	EV2='seq=2 op=mmap mode=enforce reason=mismatch pid=1 uid=0 auid=4294967295 ses=4294967295 comm=6120622063 exe=2F746D702F6120622063 path="/usr/lib/it'"'"'s.so" dev=0:42 ino=99'
	EV2R='seq=2 op=mmap mode=enforce reason=mismatch pid=1 uid=0 auid=4294967295 ses=4294967295 comm=6120622063 exe=2F746D702F6120622063 path=2F7573722F6C69622F697427732E736F dev=0:42 ino=99'
	EV4='seq=4 op=check mode=permissive reason=unverifiable pid=5 uid=5 auid=5 ses=5 comm="x" exe="/x" path="/y" dev=0:1 ino=2'
	EV5='seq=5 op=mprotect mode=enforce reason=corrupt pid=6 uid=6 auid=6 ses=6 comm="y" exe="/y" path="/z" dev=0:1 ino=3'

	# wait_lines N: wait up to 5 s for N lines in the forwarder's output
	wait_lines() {
		t=0
		while [ "$(wc -l <"$F/out")" -lt "$1" ] && [ $t -lt 50 ]; do
			sleep 0.1
			t=$((t + 1))
		done
	}

	EXECMARK_SECURITYFS=$F EXECMARK_FORWARD_SINK=stdout EXECMARK_TEST_SINK_FAILURES=2 \
		"$E" forward --foreground >"$F/out" 2>"$F/err" &
	FWDPID=$!
	exec 3>"$F/events"
	printf '%s\n' "$EV1" >&3
	# a line split across writes, and a lost= line
	printf '%s' "${EV2%%reason=*}" >&3
	sleep 0.3
	printf '%s\n' "reason=${EV2#*reason=}" >&3
	printf 'seq=3 lost=17\n' >&3
	wait_lines 3
	check "forward: an event becomes one record with every field unchanged" \
		grep -F -x -q "$EV1" "$F/out"
	check "forward: a line split across reads is reassembled" eval '
		[ "$(grep -c "^seq=2 " "$F/out")" -eq 1 ] && grep -q "^seq=2 .* ino=99$" "$F/out"'
	check "forward: a quoted string with ' is re-encoded in hex, nothing else changes" \
		grep -F -x -q "$EV2R" "$F/out"
	check "forward: a lost= line becomes an op=lost record" \
		grep -F -x -q "seq=3 op=lost lost=17" "$F/out"
	check "forward: delivery failures are retried, nothing is lost or duplicated" eval '
		[ "$(cat "$F/out")" = "$EV1${NL}$EV2R${NL}seq=3 op=lost lost=17" ] &&
		grep -q "cannot deliver to the audit subsystem" "$F/err" &&
		grep -q "audit delivery resumed" "$F/err"'

	# an overlong line is discarded; the next one still arrives
	{ head -c 70000 /dev/zero | tr '\0' 'a'; printf '\n%s\n' "$EV4"; } >&3
	printf 'not an event\n' >&3
	wait_lines 4
	check "forward: an overlong line is discarded, the next one delivered" eval '
		grep -F -x -q "$EV4" "$F/out" && grep -q "longer than" "$F/err"'
	check "forward: a malformed line is reported and discarded" eval '
		grep -q "malformed event discarded: not an event" "$F/err" &&
		[ "$(wc -l <"$F/out")" -eq 4 ]'

	# a record longer than the kernel's limit: the longest string is cut, said so
	LONGPATH=$(head -c 5000 /dev/zero | tr '\0' 'a' | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F)
	printf 'seq=6 op=exec mode=enforce reason=unmarked pid=1 uid=0 auid=0 ses=1 comm="c" exe="/e" path=%s dev=0:1 ino=1\n' "$LONGPATH" >&3
	wait_lines 5
	check "forward: an over-long record has its path cut and truncated=path" eval '
		rec=$(grep "^seq=6 " "$F/out") && [ ${#rec} -le 8560 ] && [ ${#rec} -gt 8000 ] &&
		case $rec in *" dev=0:1 ino=1 truncated=path") true ;; *) false ;; esac'

	# SIGHUP: reopen; the writer must reopen too
	kill -HUP $FWDPID
	sleep 0.3
	exec 3>&-
	exec 3>"$F/events"
	printf '%s\n' "$EV5" >&3
	wait_lines 6
	check "forward: SIGHUP reopens the events file" eval '
		grep -F -x -q "$EV5" "$F/out" && grep -q "SIGHUP: reopening" "$F/err"'
	kill -TERM $FWDPID
	wait $FWDPID
	rc=$?
	FWDPID=""
	exec 3>&-
	check "forward: SIGTERM exits 0" rc_is 0

	# Issue 12 item 5: what the forwarder read and could not deliver when
	# it was stopped (SIGTERM, or SIGKILL) is reported by the next one as
	# op=lost source=forwarder with its seq range, and counted by status.
	# fwd_run FAILURES: a forwarder whose first FAILURES deliveries fail
	fwd_run() {
		EXECMARK_SECURITYFS=$F EXECMARK_FORWARD_SINK=stdout \
			EXECMARK_TEST_SINK_FAILURES=$1 \
			"$E" forward --foreground >"$F/out" 2>"$F/err" &
		FWDPID=$!
		exec 3>"$F/events"
	}
	fwd_line() {	# fwd_line SEQ: an event line
		printf 'seq=%s op=exec mode=permissive reason=unmarked pid=1 uid=0 auid=0 ses=1 comm="c" exe="/e" path="/p" dev=0:1 ino=1\n' "$1"
	}
	wait_state() {	# wait_state RE: up to 10 s for a line of the state file
		t=0
		while ! grep -q "$1" "$EXECMARK_FORWARD_STATE" 2>/dev/null && [ $t -lt 100 ]; do
			sleep 0.1
			t=$((t + 1))
		done
	}
	fwd_status() { EXECMARK_SECURITYFS=$F "$E" status 2>/dev/null | grep "^undelivered: "; }
	fwd_stop() {	# fwd_stop SIGNAL: its status in $rc
		kill -"$1" $FWDPID
		wait $FWDPID 2>/dev/null
		rc=$?
		FWDPID=""
		exec 3>&-
	}
	rm -f "$EXECMARK_FORWARD_STATE"
	fwd_run 1000
	{ fwd_line 10; fwd_line 11; printf 'seq=12 lost=3\n'; } >&3
	wait_state "^pending 10-14$"
	fwd_stop KILL
	check "item 5: SIGKILL while delivery fails: the held seq range is in the state file" eval '
		grep -q "^pending 10-14$" "$EXECMARK_FORWARD_STATE"'
	check "item 5: status counts what a killed forwarder held" \
		eval '[ "$(fwd_status)" = "undelivered: 5" ]'
	fwd_run 0
	fwd_line 15 >&3
	wait_lines 2
	fwd_stop TERM
	check "item 5: the next forwarder reports it as op=lost source=forwarder, then forwards" eval '
		[ "$(cat "$F/out")" = "seq=10 op=lost lost=5 source=forwarder${NL}$(fwd_line 15)" ] &&
		! grep -q "^unreported" "$EXECMARK_FORWARD_STATE" &&
		! grep -q "^pending" "$EXECMARK_FORWARD_STATE" &&
		[ "$(fwd_status)" = "undelivered: 5" ]'
	fwd_run 1000
	fwd_line 16 >&3
	wait_state "^pending 16-16$"
	fwd_stop TERM
	check "item 5: SIGTERM while delivery fails: exit 0, the seq range said and kept" eval '
		rc_is 0 && grep -q "events seq 16-16 not delivered" "$F/err" &&
		grep -q "^undelivered 6$" "$EXECMARK_FORWARD_STATE" &&
		grep -q "^unreported 16-16$" "$EXECMARK_FORWARD_STATE" &&
		[ "$(fwd_status)" = "undelivered: 6" ]'
	fwd_run 0
	fwd_line 17 >&3
	wait_lines 2
	fwd_stop TERM
	check "item 5: after SIGTERM too, the next forwarder reports the range" eval '
		[ "$(cat "$F/out")" = "seq=16 op=lost lost=1 source=forwarder${NL}$(fwd_line 17)" ]'

	if command -v ausearch >/dev/null 2>&1; then
		# What auditd would log for these records: check that ausearch finds
		# them by type and decodes the hex strings.
		printf "type=TRUSTED_APP msg=audit(1700000000.001:%s): pid=99 uid=0 auid=4294967295 ses=4294967295 msg='%s'\n" \
			1 "$EV1" 2 "$EV2R" >"$F/audit.log"
		run ausearch -if "$F/audit.log" -m TRUSTED_APP -i
		check "ausearch -m TRUSTED_APP -i finds the records and decodes strings" eval '
			rc_is 0 && grep -q "exe=/tmp/a b c" "$W/out" &&
			grep -q "path=/usr/lib/it'"'"'s.so" "$W/out" && grep -q "comm=evil" "$W/out" &&
			grep -q "mode=enforce reason=mismatch" "$W/out"'
		run ausearch -if "$F/audit.log" -m TRUSTED_APP -ui 1000
		check "ausearch -ui finds a record by the denied process's uid" eval '
			rc_is 0 && grep -q "pid=4242" "$W/out" && ! grep -q "seq=2" "$W/out"'
	else
		skip "ausearch finds and decodes the records" "no ausearch"
		skip "ausearch -ui finds a record by the denied process's uid" "no ausearch"
	fi
}
