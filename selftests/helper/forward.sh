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
	EV2R='seq=2 op=mmap execmark_mode=enforce reason=mismatch pid=1 ouid=0 oauid=4294967295 ses=4294967295 comm=6120622063 exe=2F746D702F6120622063 path=2F7573722F6C69622F697427732E736F dev=0:42 ino=99 cmd=2F7573722F6C69622F697427732E736F res=failed'
	# the records: mode is called execmark_mode, uid and auid ouid and oauid,
	# path comes again as cmd, res last
	EV1R='seq=1 op=exec execmark_mode=permissive reason=unmarked pid=4242 ouid=1000 oauid=1000 ses=7 comm="evil" exe="/tmp/evil" path="/tmp/evil" dev=8:1 ino=1234 cmd="/tmp/evil" res=success'
	EV4R='seq=4 op=check execmark_mode=permissive reason=unverifiable pid=5 ouid=5 oauid=5 ses=5 comm="x" exe="/x" path="/y" dev=0:1 ino=2 cmd="/y" res=success'
	EV5R='seq=5 op=mprotect execmark_mode=enforce reason=corrupt pid=6 ouid=6 oauid=6 ses=6 comm="y" exe="/y" path="/z" dev=0:1 ino=3 cmd="/z" res=failed'
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
	check "forward: an event becomes one record with every field, cmd= and res=" \
		grep -F -x -q "$EV1R" "$F/out"
	check "forward: a line split across reads is reassembled" eval '
		[ "$(grep -c "^seq=2 " "$F/out")" -eq 1 ] && grep -q "^seq=2 .* ino=99 cmd=" "$F/out"'
	check "forward: a quoted string with ' is re-encoded in hex, nothing else changes" \
		grep -F -x -q "$EV2R" "$F/out"
	check "forward: a lost= line becomes an op=lost record" \
		grep -F -x -q "seq=3 op=lost lost=17" "$F/out"
	check "forward: delivery failures are retried, nothing is lost or duplicated" eval '
		[ "$(cat "$F/out")" = "$EV1R${NL}$EV2R${NL}seq=3 op=lost lost=17" ] &&
		grep -q "cannot deliver to the audit subsystem" "$F/err" &&
		grep -q "audit delivery resumed" "$F/err"'

	# an overlong line is discarded; the next one still arrives
	{ head -c 70000 /dev/zero | tr '\0' 'a'; printf '\n%s\n' "$EV4"; } >&3
	printf 'not an event\n' >&3
	wait_lines 4
	check "forward: an overlong line is discarded, the next one delivered" eval '
		grep -F -x -q "$EV4R" "$F/out" && grep -q "longer than" "$F/err"'
	check "forward: a malformed line is reported and discarded" eval '
		grep -q "malformed event discarded: not an event" "$F/err" &&
		[ "$(wc -l <"$F/out")" -eq 4 ]'

	# a record longer than the kernel's limit: the longest string is cut, said so
	LONGPATH=$(head -c 5000 /dev/zero | tr '\0' 'a' | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F)
	printf 'seq=6 op=exec mode=enforce reason=unmarked pid=1 uid=0 auid=0 ses=1 comm="c" exe="/e" path=%s dev=0:1 ino=1\n' "$LONGPATH" >&3
	wait_lines 5
	check "forward: an over-long record has its path and cmd cut and says truncated=path,cmd" eval '
		rec=$(grep "^seq=6 " "$F/out") && [ ${#rec} -le 8560 ] && [ ${#rec} -gt 8000 ] &&
		case $rec in *" dev=0:1 ino=1 cmd="*" truncated=path,cmd res=failed") true ;; *) false ;; esac'

	# SIGHUP: reopen; the writer must reopen too
	kill -HUP $FWDPID
	sleep 0.3
	exec 3>&-
	exec 3>"$F/events"
	printf '%s\n' "$EV5" >&3
	wait_lines 6
	check "forward: SIGHUP reopens the events file" eval '
		grep -F -x -q "$EV5R" "$F/out" && grep -q "SIGHUP: reopening" "$F/err"'
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
	fwd_rec() {	# fwd_rec SEQ: its record
		printf 'seq=%s op=exec execmark_mode=permissive reason=unmarked pid=1 ouid=0 oauid=0 ses=1 comm="c" exe="/e" path="/p" dev=0:1 ino=1 cmd="/p" res=success\n' "$1"
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
	# One write(): the forwarder reads nothing more while it holds events it
	# cannot deliver, so lines written separately may come after that.
	{ fwd_line 10; fwd_line 11; printf 'seq=12 lost=3\n'; } >"$F/batch"
	cat "$F/batch" >&3
	wait_state "^pending 10-14$"
	fwd_stop KILL
	check "item 5: SIGKILL while delivery fails: the held seq range is in the state file" eval '
		grep -q "^pending 10-14$" "$EXECMARK_FORWARD_STATE" ||
		{ sed "s/^/# state: /" "$EXECMARK_FORWARD_STATE"; false; }'
	check "item 5: status counts what a killed forwarder held" \
		eval '[ "$(fwd_status)" = "undelivered: 5" ]'
	fwd_run 0
	fwd_line 15 >&3
	wait_lines 2
	fwd_stop TERM
	check "item 5: the next forwarder reports it as op=lost source=forwarder, then forwards" eval '
		[ "$(cat "$F/out")" = "seq=10 op=lost lost=5 source=forwarder${NL}$(fwd_rec 15)" ] &&
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
		[ "$(cat "$F/out")" = "seq=16 op=lost lost=1 source=forwarder${NL}$(fwd_rec 17)" ]'

	if command -v ausearch >/dev/null 2>&1; then
		forward_ausearch_tests
	else
		skip "forward: ausearch and aureport read the records" "no ausearch"
	fi
}

# kenc STRING: STRING encoded as the kernel encodes comm, exe and path
kenc() {
	case $1 in
	*[!!-~]* | *'"'* | '') printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F ;;
	*) printf '"%s"' "$1" ;;
	esac
}

# The forwarder's records of hostile names, in an audit log as auditd
# writes them (the header is the kernel's: the forwarder's pid and ids),
# read by the host's ausearch and aureport: no name forges a field of
# what they parse, and every search finds what it should.
forward_ausearch_tests() {
	F=$W/fwda
	mkdir "$F"
	mkfifo "$F/events"
	now=$(date +%s)
	EXECMARK_SECURITYFS=$F EXECMARK_FORWARD_SINK=stdout \
		"$E" forward --foreground >"$F/out" 2>"$F/err" &
	FWDPID=$!
	exec 3>"$F/events"
	i=0
	NLN='
'
	# comm, exe, path: quotes, spaces, '=', a newline, field look-alikes
	for names in "evil|/usr/bin/bash|/tmp/evil" \
		"a'b|/tmp/x'y|/tmp/it's" \
		"exe=/usr/bin/sud|/tmp/p\"q|/tmp/a b uid=0 res=success" \
		"nl|/tmp/line${NLN}uid=0|/tmp/x=y pid=1" \
		"c|/tmp/q' uid=0 x='|/tmp/q' uid=0 exe=/usr/bin/sudo x='"; do
		i=$((i + 1))
		c=${names%%|*}; p=${names##*|}; e=${names#*|}; e=${e%|*}
		mode=enforce; [ $((i % 2)) = 0 ] && mode=permissive
		# 5 s ago for one; 30 s ahead for the others, which are thus
		# never late, however slow this machine is
		t=$(date +%s.%N)
		# busybox's date has no %N
		case ${t#*.} in *[!0-9]* | '') t=$(date +%s).000000000 ;; esac
		if [ $i = 2 ]; then t=$((${t%.*} - 5)).${t#*.}; t2=${t%.*}; else t=$((${t%.*} + 30)).${t#*.}; fi
		printf 'seq=%s op=exec mode=%s reason=unmarked pid=%s uid=%s auid=1000 ses=3 comm=%s exe=%s path=%s dev=254:0 ino=12 time=%s\n' \
			$i $mode $((1000 + i)) $((1000 + i)) "$(kenc "$c")" "$(kenc "$e")" "$(kenc "$p")" $t >&3
	done
	wait_lines 5
	fwd_stop TERM
	# late= of the record of seq 2: at least 5 s, at most the time until
	# now since its (second-truncated) denial time, however slow the machine
	late_max=$(($(date +%s) + 1 - t2))
	late_ok() { awk -v l="$1" -v m="$late_max" 'BEGIN { exit !(l >= 5 && l <= m) }'; }
	r=0	# not n: that is lib.sh's count of tests
	while IFS= read -r rec; do
		r=$((r + 1))
		printf "type=ANOM_EXEC msg=audit(%s.500:%s): pid=99 uid=0 auid=4294967295 ses=4294967295 msg='%s'\n" \
			"$now" $((200 + r)) "$rec"
	done <"$F/out" >"$F/audit.log"
	check "forward: records of hostile names are one line each, five of them" eval '
		[ "$(wc -l <"$F/audit.log")" -eq 5 ]'
	check "forward: a denial delivered 5 s late says late=5.x, none stamped ahead does" eval '
		[ "$(grep -c " late=" "$F/out")" -eq 1 ] &&
		late_ok "$(sed -n "s/^seq=2 .* late=\([0-9]*\.[0-9]\{3\}\) res=success\$/\1/p" "$F/out")"'
	# seqs SEARCH...: the seq= of the records that ausearch SEARCH finds
	seqs() { ausearch -if "$F/audit.log" "$@" 2>/dev/null | grep -o " msg='seq=[0-9]*" | cut -d= -f3 | tr '\n' ' '; }
	check "ausearch -m ANOM_EXEC finds every record" eval '[ "$(seqs -m ANOM_EXEC)" = "1 2 3 4 5 " ]'
	check "ausearch -ui finds no record: the denied uid is ouid=, the header's the forwarder's" eval '
		[ "$(seqs -ui 1003)" = "" ] && [ "$(seqs -ui 0)" = "" ]'
	check "ausearch -x matches the exe, a comm holding exe= does not fake one" eval '
		[ "$(seqs -x /usr/bin/bash)" = "1 " ] && [ "$(seqs -x sud)" = "" ] &&
		[ "$(seqs -x /tmp/p\"q)" = "3 " ]'
	check "ausearch -c matches the comm, quoted or hex" eval '
		[ "$(seqs -c evil)" = "1 " ] && [ "$(seqs -c "a'"'"'b")" = "2 " ]'
	check "ausearch -sv no: enforce denials; -sv yes: permissive; no name fakes res=" eval '
		[ "$(seqs -sv no)" = "1 3 5 " ] && [ "$(seqs -sv yes)" = "2 4 " ]'
	check "ausearch -p and -f do not find forwarded records (ausearch 3.0.9 takes the sender's pid, and no path of a user record)" eval '
		[ "$(seqs -p 1001)" = "" ] && [ "$(seqs -f /tmp/evil)" = "" ]'
	run ausearch -if "$F/audit.log" -i --escape shell
	BS='\'
	W1=" path=/tmp/it${BS}'s dev="
	W2=" path=/tmp/a${BS} b${BS} uid=0${BS} res=success dev="
	W3=" exe=/tmp/line${BS}012uid=0 path="
	check "ausearch -i: uids as names, auid unset, names decoded, a space escaped" eval '
		rc_is 0 && grep -q "pid=99 uid=root auid=unset ses=unset msg=.seq=1 " "$W/out" &&
		grep -q "msg=.seq=1 .* pid=1001 ouid=[^ ]* oauid=[^ ]* ses=3 comm=evil " "$W/out" &&
		grep -F -q "$W1" "$W/out" && grep -F -q "$W2" "$W/out" && grep -F -q "$W3" "$W/out" &&
		grep -q " execmark_mode=enforce reason=unmarked " "$W/out"'
	run ausearch -if "$F/audit.log" --format text
	check "ausearch --format text: the action is attempted execution of the file" eval '
		rc_is 0 && [ "$(grep -c "attempted-execution-of-forbidden-program" "$W/out")" -eq 5 ] &&
		grep -q "unsuccessfully attempted-execution-of-forbidden-program /tmp/evil *$" "$W/out"'
	run aureport -if "$F/audit.log" -x --summary
	check "aureport -x --summary counts the denials per executable" eval '
		rc_is 0 && grep -q "^1  /usr/bin/bash$" "$W/out" && [ "$(grep -c "^1  " "$W/out")" -eq 5 ]'
	run aureport -if "$F/audit.log" --summary
	check "aureport --summary counts them as anomaly events" eval '
		rc_is 0 && grep -q "^Number of anomaly events: 5$" "$W/out"'
	forward_log_tests
}

# execmark log on the same records: what ausearch cannot do, and filters.
forward_log_tests() {
	L="$E log -i $F/audit.log"
	# lseqs ARGS...: the pids of the denials that execmark log ARGS prints
	lseqs() { $L "$@" 2>/dev/null | grep -o " pid=[0-9]*" | cut -d= -f2 | tr '\n' ' '; }
	run $L
	check "log: one line per denial, names escaped so that none fakes a field" eval '
		rc_is 0 && [ "$(wc -l <"$W/out")" -eq 5 ] &&
		grep -F -q " pid=1003 comm=exe=/usr/bin/sud exe=/tmp/p\"q path=/tmp/a\x20b\x20uid=0\x20res=success" "$W/out" &&
		grep -F -q " exe=/tmp/line\x0auid=0 path=/tmp/x=y\x20pid=1" "$W/out"'
	check "log --pid finds the denied process (ausearch -p cannot)" eval '
		[ "$(lseqs --pid 1003)" = "1003 " ] && [ "$(lseqs -p 99)" = "" ]'
	check "log --path finds the denied file (ausearch -f cannot), a directory/ what is under it" eval '
		[ "$(lseqs --path /tmp/evil)" = "1001 " ] &&
		[ "$(lseqs --path "/tmp/a b uid=0 res=success")" = "1003 " ] &&
		[ "$(lseqs --path /tmp/)" = "1001 1002 1003 1004 1005 " ] && [ "$(lseqs --path /tmp)" = "" ]'
	check "log --user, --exe, --comm, --reason, --mode select on the denied process" eval '
		[ "$(lseqs --user 1002)" = "1002 " ] && [ "$(lseqs --user 0)" = "" ] &&
		[ "$(lseqs --user 1000)" = "1001 1002 1003 1004 1005 " ] &&
		[ "$(lseqs --exe /usr/bin/bash)" = "1001 " ] && [ "$(lseqs --exe sud)" = "" ] &&
		[ "$(lseqs --comm "a'"'"'b")" = "1002 " ] && [ "$(lseqs --reason unmarked --mode permissive)" = "1002 1004 " ] &&
		[ "$(lseqs --reason mismatch)" = "" ]'
	check "log --since/--until select on the time of the denial, not of the record" eval '
		[ "$(lseqs --since @$((now - 2)))" = "1001 1003 1004 1005 " ] &&
		[ "$(lseqs --until @$((now - 2)))" = "1002 " ]'
	run $L --count exe
	check "log --count exe counts per executable, like aureport -x --summary" eval '
		rc_is 0 && [ "$(head -n 1 "$W/out")" = "denials  exe" ] &&
		grep -q "^1        /usr/bin/bash$" "$W/out" && [ "$(wc -l <"$W/out")" -eq 6 ]'
	run $L --count user --mode enforce
	check "log --count user counts per user" eval '
		rc_is 0 && grep -q "^1 *[^ ]*(1001)$" "$W/out" && [ "$(wc -l <"$W/out")" -eq 4 ]'
	run $L --json --pid 1003
	check "log --json: one object, the name as it is, the late delivery and the record time" eval '
		rc_is 0 && [ "$(wc -l <"$W/out")" -eq 1 ] &&
		python3 -c "import json,sys; d=json.loads(open(sys.argv[1]).read()); assert d[\"path\"]==\"/tmp/a b uid=0 res=success\" and d[\"exe\"]==\"/tmp/p\\\"q\" and d[\"pid\"]==1003 and d[\"time_source\"]==\"denial\", d" "$W/out"'
	run $L --json --pid 1002
	check "log --json: late= as a number" eval '
		rc_is 0 && python3 -c "import json,sys; d=json.loads(open(sys.argv[1]).read()); assert 5 <= d[\"late\"] <= int(sys.argv[2]), d" "$W/out" "$late_max"'
	# auditd's ENRICHED format: the header's ids' names follow a 0x1d
	head -n 1 "$F/audit.log" | sed "s/\$/$(printf '\035')UID=\"root\" AUID=\"unset\"/" >"$F/enriched.log"
	run $E log -i "$F/enriched.log"
	check "log: the denied uid's name is its own, not the forwarder's of an ENRICHED record" eval '
		rc_is 0 && grep -q " uid=1001(" "$W/out" && ! grep -q "uid=1001(root)" "$W/out"'
	run $L --pid 4242
	check "log: no denial found exits 1" rc_is 1
	run $L --since yesterday --until 2001-01-01
	check "log: --until before --since is an error naming it" eval '
		rc_is 2 && grep -q "until is not after --since" "$W/err"'
	run $L --since 2026-13-45
	check "log: a bad time is an error naming it" eval 'rc_is 2 && grep -q "not a time: 2026-13-45" "$W/err"'
	run $E log -i "$F/nonexistent"
	check "log: a missing input file is an error naming it" eval '
		rc_is 2 && grep -q "nonexistent: No such file" "$W/err"'
}
