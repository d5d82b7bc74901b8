#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The system tests of "make check", run by execmark-system-tests.service in
# the Debian VM. The host boots the same disk three times (scripts/vm-check.sh):
#   execmark.boot=first   the image's first boot, in enforce mode: units,
#                         denials through auditd, Python, and what the
#                         second boot must find
#   execmark.boot=dpkg    the apt and dpkg hooks (dpkg-tests.sh)
#   execmark.boot=second  the reboot: marks and audit log kept, package removal
# and, for make bench (bench/README), on a fresh copy of the image:
#   execmark.boot=aptbench  the apt and dpkg hooks' benchmark (apt-bench.sh)
# One TAP document per boot on the console; then the kernel log, the end
# marker and a reboot (QEMU runs with -no-reboot: it exits).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8
boot=first
for arg in $(cat /proc/cmdline); do
	case $arg in execmark.boot=*) boot=${arg#*=} ;; esac
done
state=/var/lib/execmark-tests
work=/root/xm-tests
mkdir -p "$state" "$work"
dmesg -n 1

n=0
results=$(mktemp)
# t NAME FUNCTION: one result; the function's output is shown on failure.
# Each test's start goes to the console at once, with the seconds since
# boot: a boot that hangs shows where.
t() {
	n=$((n + 1))
	echo "execmark-progress: $(cut -d' ' -f1 /proc/uptime)s: $n $1" >/dev/ttyS0
	out=$("$2" 2>&1)
	if [ $? = 0 ]; then
		echo "    ok $n $1" >>"$results"
	else
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/    # /' >>"$results"
		echo "    not ok $n $1" >>"$results"
	fi
}
fail() { echo "$*"; return 1; }

# wait_audit PATTERN: the audit log has a ANOM_EXEC record matching
# PATTERN within 20 s (the forwarder and auditd are asynchronous).
wait_audit() {
	i=0
	while [ $i -lt 40 ]; do
		ausearch -m ANOM_EXEC -i 2>/dev/null | grep -q -- "$1" && return 0
		sleep 0.5
		i=$((i + 1))
	done
	echo "no ANOM_EXEC record matching '$1' in the audit log"
	ausearch -m ANOM_EXEC -i 2>&1 | tail -n 5
	return 1
}
# unmarked NAME: a copy of true, never marked, run: refused in enforce.
unmarked() {
	cp /usr/bin/true "$work/$1"
	if "$work/$1" 2>/dev/null; then
		fail "$work/$1 ran: not refused"
	fi
}

# --- both boots -----------------------------------------------------------
system_running() {
	s=$(systemctl is-system-running --wait 2>&1)
	[ "$s" = running ] || { echo "state: $s"; systemctl --failed --no-legend; return 1; }
}
boot_time_within_60s() {
	# From the kernel's start to the end of the boot, as systemd counts it
	# ("... = 23.456s" or "= 1min 2.345s").
	line=$(systemd-analyze time 2>&1 | head -n 1 | sed 's/ *$//')
	echo "$line"
	echo "execmark-boot-time: $boot: $line" >/dev/ttyS0
	systemd-analyze blame --no-pager 2>/dev/null | head -n 12 |
		sed 's/^/execmark-boot-blame: /' >/dev/ttyS0
	total=${line##*= }
	total=${total%% *}
	case $total in
	*min*) fail "boot took $total" ;;
	*ms) return 0 ;;
	*s) awk -v s="${total%s}" 'BEGIN { exit !(s < 60) }' || fail "boot took $total" ;;
	*) fail "no boot time" ;;
	esac
}
boot_time_line() {	# the boot's time on the console only (systemd-analyze is slow)
	echo "execmark-boot-time: $boot: $(systemd-analyze time 2>&1 | head -n 1)" >/dev/ttyS0
}
clock_keeps_host_time() {
	# The boot times above are the guest's clock. QEMU keeps the RTC at
	# the host's time, and the kernel set the guest's clock from it at
	# boot: the guest's clock must have advanced as much since (on a
	# busy host a guest that calibrates its TSC itself runs slow or, with
	# a wrong calibration, many times too fast: scripts/vm.sh).
	rtc=$(cat /sys/class/rtc/rtc0/since_epoch) || return 1
	sys=$(date +%s)
	up=$(cut -d. -f1 /proc/uptime)
	echo "guest clock $sys, RTC (host's time) $rtc, ${up}s since boot," \
		"clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
	awk -v d=$((sys - rtc)) -v up="$up" 'BEGIN { if (d < 0) d = -d; exit !(d <= 3 + up / 20) }' ||
		fail "the guest's clock is $((sys - rtc))s off the host's after ${up}s"
}
boot_time_report() {
	( fail() { echo "note: $*"; }; boot_time_within_60s )
	return 0
}
mode_is_enforce() {
	m=$(cat /sys/kernel/security/execmark/mode)
	[ "$m" = enforce ] || fail "mode: $m"
}
auditd_unit_active() { systemctl is-active auditd.service; }
audit_rules_loaded() {
	# /etc/audit/audit.rules (built from rules.d when the image was made,
	# loaded by auditd's ExecStartPost: scripts/mkimage.sh) sets -b 8192.
	auditctl -s | grep -qx 'backlog_limit 8192' || fail "rules not loaded: $(auditctl -s | tr '\n' ' ')"
}
forward_unit_active() { systemctl is-active execmark-forward.service; }
forward_unit_enabled() { systemctl is-enabled execmark-forward.service; }
mode_unit_ran() { systemctl is-active execmark-mode.service; }
no_denials_while_booting() {
	# Every program, library and script that the boot ran was marked: the
	# kernel counted no denial in this boot before the tests' own, and the
	# audit log holds no ANOM_EXEC record of this boot.
	d=$(sed -n 's/^denials //p' /sys/kernel/security/execmark/stats)
	[ -n "$d" ] || fail "no denials counter in stats"
	recs=$(ausearch -m ANOM_EXEC -ts boot -i 2>/dev/null | grep '^type=ANOM_EXEC')
	if [ "$d" != 0 ] && [ -z "$recs" ]; then
		sleep 2	# the forwarder is asynchronous: show them
		recs=$(ausearch -m ANOM_EXEC -ts boot -i 2>/dev/null | grep '^type=ANOM_EXEC')
	fi
	[ "$d" = 0 ] && [ -z "$recs" ] && return 0
	echo "$d denials counted by the kernel since boot; their records:"
	printf '%s\n' "$recs" | tail -n 10
	return 1
}

# --- first boot -----------------------------------------------------------
unmarked_program_refused() { unmarked refused-1; }
denial_reaches_audit_log() { wait_audit "$work/refused-1"; }
marked_program_runs() {
	cp /usr/bin/true "$work/marked"
	execmark mark "$work/marked" >/dev/null && "$work/marked"
}
tampered_program_refused() {
	printf '#!/bin/sh\necho tamper-ok\n' >"$work/script"
	chmod 755 "$work/script"
	execmark mark "$work/script" >/dev/null
	[ "$("$work/script")" = tamper-ok ] || fail "the marked script did not run"
	echo 'echo appended' >>"$work/script"
	if "$work/script" 2>/dev/null; then fail "the tampered script ran"; fi
	wait_audit "$work/script"
}
auditd_restart_keeps_forwarding() {
	fwd=$(systemctl show -P MainPID execmark-forward.service)
	systemctl restart auditd.service || fail "systemctl restart auditd failed"
	systemctl is-active auditd.service || return 1
	unmarked after-auditd-restart || return 1
	wait_audit "$work/after-auditd-restart" || return 1
	[ "$(systemctl show -P MainPID execmark-forward.service)" = "$fwd" ] ||
		fail "the forwarder was restarted (pid $fwd before)"
}
forward_restart_keeps_forwarding() {
	systemctl restart execmark-forward.service || fail "systemctl restart execmark-forward failed"
	systemctl is-active execmark-forward.service || return 1
	unmarked after-forward-restart || return 1
	wait_audit "$work/after-forward-restart"
}
python_marked_script_runs() {
	printf 'import json\nprint(json.dumps({"ok": 1}))\n' >"$work/ok.py"
	chmod 755 "$work/ok.py"
	execmark mark "$work/ok.py" >/dev/null
	out=$(execmark-python "$work/ok.py") || fail "execmark-python failed: $out"
	[ "$out" = '{"ok": 1}' ] || fail "output: $out"
}
python_unmarked_script_refused() {
	printf 'print("ran")\n' >"$work/unmarked.py"
	chmod 755 "$work/unmarked.py"
	if out=$(execmark-python "$work/unmarked.py" 2>&1); then
		fail "the unmarked script ran: $out"
	fi
	echo "$out"
	case $out in *ran*) fail "it printed" ;; esac
	return 0
}
prepare_reboot() {
	# Left for the second boot: a marked program, a denial in the log.
	cp /usr/bin/true "$state/kept-marked"
	execmark mark "$state/kept-marked" >/dev/null || return 1
	cp /usr/bin/true "$state/denied-before-reboot"
	"$state/denied-before-reboot" 2>/dev/null && fail "not refused"
	wait_audit "$state/denied-before-reboot"
}

# --- first boot: searching the denials (issue 17) ---------------------------
# Denials by user xm-search (uid in $XU): one plain, one whose exe, comm and
# path are hostile; then each search of the admin guide's "Searching the
# denials". The forwarder runs as root: its uid=0 and pid are the records'
# header, the denied process's are inside msg='...'.
# bad MESSAGE: the test fails (t runs it in a subshell: exit ends the test)
bad() { echo "$*"; exit 1; }
S=/var/tmp/xm-search
NL=$(printf '\nx'); NL=${NL%x}
HDIR="$S/dir uid=0"
HEXE="$HDIR/exe=fake 'q"			# comm: exe=fake 'q
HPATH="$S/it's a \"file\" uid=0 res=success${NL}x=1"
PLAIN="$S/plain-evil"
# as_user CMD...: CMD as xm-search, its pid on standard output
as_user() { setpriv --reuid=xm-search --regid=xm-search --clear-groups -- "$@"; }
search_denials_setup() {
	id xm-search >/dev/null 2>&1 || useradd -M -s /bin/sh xm-search || return 1
	rm -rf "$S"; mkdir -p "$HDIR" && chmod 755 "$S" "$HDIR" || return 1
	cp /usr/bin/true "$PLAIN" && cp /usr/bin/true "$HPATH" || return 1
	cp /usr/bin/bash "$HEXE" && execmark mark "$HEXE" >/dev/null || return 1
	chmod 755 "$PLAIN" "$HPATH" "$HEXE"
	T0=$(date +%s.%N)
	PPLAIN=$(as_user bash -c 'echo $$; exec "$1"' x "$PLAIN" 2>/dev/null)
	T1=$(date +%s.%N)
	PHOST=$(as_user "$HEXE" -c 'echo $$; exec "$1"' x "$HPATH" 2>/dev/null)
	XU=$(id -u xm-search)
	echo "T0=$T0 T1=$T1 PPLAIN=$PPLAIN PHOST=$PHOST XU=$XU" >"$S/vars"
	[ -n "$PPLAIN" ] && [ -n "$PHOST" ] || bad "no pids: $PPLAIN $PHOST"
	wait_audit "$PLAIN" && wait_audit "plain-evil" && wait_audit "exe=fake"
}
# sel ARGS...: the pids of the denials that ausearch ARGS finds, sorted
sel() {
	ausearch -m ANOM_EXEC "$@" 2>/dev/null | grep -o " msg='seq=[0-9]* [^']* pid=[0-9]*" |
		sed 's/.* pid=//' | sort -n | tr '\n' ' '
}
both() { printf '%s\n' "$PPLAIN" "$PHOST" | sort -n | tr '\n' ' '; }
ausearch_ui_cannot_match_them_execmark_log_user_can() {
	# ausearch -ui takes a user record's second uid=; the denied process's
	# is ouid= (auparse would name a second uid= after the header's): so
	# -ui finds no forwarded record, by the forwarder's uid or the user's.
	[ "$(sel -ui "$XU")" = "" ] || bad "-ui $XU now finds them: update the docs"
	case " $(sel -ui 0) " in *" $PPLAIN "* | *" $PHOST "*)
		bad "-ui 0 (the forwarder's, and uid=0 in a name) finds them: $(sel -ui 0)" ;;
	esac
	[ "$(execmark log --user xm-search | grep -c " pid=\($PPLAIN\|$PHOST\) ")" = 2 ] ||
		bad "execmark log --user: $(execmark log --user xm-search 2>&1)"
}
ausearch_x_matches_exe() {
	case " $(sel -x /usr/bin/bash) " in *" $PPLAIN "*) ;; *) bad "-x /usr/bin/bash: $(sel -x /usr/bin/bash)" ;; esac
	case " $(sel -x /usr/bin/bash) " in *" $PHOST "*) bad "-x /usr/bin/bash finds the other" ;; esac
	[ "$(sel -x "$HEXE")" = "$PHOST " ] || bad "-x HEXE: $(sel -x "$HEXE")"
}
ausearch_c_matches_comm() {
	[ "$(sel -c "exe=fake 'q")" = "$PHOST " ] || bad "-c: $(sel -c "exe=fake 'q")"
	case " $(sel -c bash) " in *" $PPLAIN "*) ;; *) bad "-c bash: $(sel -c bash)" ;; esac
}
ausearch_sv_no_finds_enforce_denials_only() {
	no=" $(sel -sv no) "
	case $no in *" $PPLAIN "*) ;; *) bad "-sv no: $no" ;; esac
	case $no in *" $PHOST "*) ;; *) bad "-sv no: $no" ;; esac
	# the hostile path holds "res=success": no field for ausearch
	[ "$(sel -sv yes)" = "" ] || bad "-sv yes: $(sel -sv yes)"
}
ausearch_i_names_uids_unset_and_decodes() {
	out=$(ausearch -m ANOM_EXEC -i --escape shell 2>&1)
	printf '%s\n' "$out" | grep -F -q " pid=$PPLAIN ouid=xm-search oauid=unset ses=unset comm=bash exe=/usr/bin/bash path=$PLAIN " ||
		bad "plain: $out"
	printf '%s\n' "$out" | grep -F -q "comm=exe=fake\\ \\'q exe=/var/tmp/xm-search/dir\\ uid=0/exe=fake\\ \\'q path=/var/tmp/xm-search/it\\'s\\ a\\ \\\"file\\\"\\ uid=0\\ res=success\\012x=1 " ||
		bad "hostile: $out"
	printf '%s\n' "$out" | grep -q "msg=audit(.*) : pid=[0-9]* uid=root auid=unset " || bad "header: $out"
}
ausearch_format_text_says_attempted_execution() {
	out=$(ausearch -m ANOM_EXEC -x /usr/bin/bash --format text 2>&1)
	printf '%s\n' "$out" | grep -q "unsuccessfully attempted-execution-of-forbidden-program $PLAIN *$" || bad "$out"
}
aureport_counts_executables_no_name_fakes_one() {
	out=$(aureport -x --summary 2>&1)
	printf '%s\n' "$out" | grep -F -q "  $HEXE" || bad "no $HEXE: $out"
	printf '%s\n' "$out" | grep -q "  fake" && bad "a comm faked an exe: $out"
	out=$(aureport --summary 2>&1)
	n=$(printf '%s\n' "$out" | sed -n 's/^Number of anomaly events: //p')
	[ "${n:-0}" -ge 2 ] || bad "anomaly events: $out"
	aureport -n 2>&1 | grep -q " ANOM_EXEC $HEXE " || bad "aureport -n: $(aureport -n 2>&1 | tail -n 3)"
}
ausearch_p_and_f_cannot_find_them_execmark_log_can() {
	# ausearch 3.0.9 takes a user record's pid from its header (the
	# forwarder's) and no file name from it: the admin guide says so.
	[ "$(sel -p "$PPLAIN")" = "" ] || bad "ausearch -p now finds it: update the docs"
	[ "$(sel -f "$PLAIN")" = "" ] || bad "ausearch -f now finds it: update the docs"
	fpid=$(systemctl show -P MainPID execmark-forward.service)
	[ -n "$(sel -p "$fpid")" ] || bad "ausearch -p FORWARDER finds nothing"
	execmark log --pid "$PPLAIN" | grep -F -q " pid=$PPLAIN comm=bash exe=/usr/bin/bash path=$PLAIN" ||
		bad "execmark log --pid: $(execmark log --pid "$PPLAIN" 2>&1)"
	execmark log --path "$HPATH" | grep -q " pid=$PHOST " ||
		bad "execmark log --path: $(execmark log --path "$HPATH" 2>&1)"
}
execmark_log_filters_and_counts() {
	out=$(execmark log --user xm-search --exe "$HEXE" --reason unmarked --mode enforce)
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && printf '%s\n' "$out" | grep -q " pid=$PHOST " || bad "filters: $out"
	execmark log --user xm-search --reason mismatch >/dev/null && bad "reason mismatch found one"
	out=$(execmark log --user xm-search --count exe)
	printf '%s\n' "$out" | grep -q "^1 *$PLAIN" && bad "count by exe keyed by path: $out"
	printf '%s\n' "$out" | grep -q "^1 */usr/bin/bash$" || bad "count exe: $out"
	out=$(execmark log --path "$S/" --json)
	printf '%s\n' "$out" | python3 -c '
import json, sys
d = [json.loads(l) for l in sys.stdin]
p = {x["path"]: x for x in d}
h = p[sys.argv[1]]
assert h["exe"] == sys.argv[2] and h["comm"] == "exe=fake \x27q" and h["user"] == "xm-search", h
assert p[sys.argv[3]]["mode"] == "enforce" and p[sys.argv[3]]["reason"] == "unmarked"
' "$HPATH" "$HEXE" "$PLAIN" || bad "json: $out"
}
denial_time_is_the_kernels_late_delivery_says_so() {
	# time= of the plain denial lies between the clock read before and after
	j=$(execmark log --pid "$PPLAIN" --json) || return 1
	t=$(printf '%s\n' "$j" | python3 -c 'import json,sys,datetime as d; x=json.load(sys.stdin); print(d.datetime.strptime(x["time"][:26], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=d.timezone.utc).timestamp(), "late" in x)')
	awk -v t="${t% *}" -v a="$T0" -v b="$T1" 'BEGIN { exit !(t >= a - 0.001 && t <= b) }' ||
		bad "time=${t% *} not within $T0..$T1"
	[ "${t#* }" = False ] || bad "a prompt delivery says late: $j"
	# stopped forwarder: the denial waits 3 s in the kernel's buffer
	systemctl stop execmark-forward.service || return 1
	a=$(date +%s.%N)
	p=$(as_user bash -c 'echo $$; exec "$1"' x "$PLAIN" 2>/dev/null)
	b=$(date +%s.%N)
	sleep 3
	systemctl start execmark-forward.service || return 1
	wait_audit "pid=$p " || return 1
	c=$(date +%s.%N)
	rec=$(ausearch -m ANOM_EXEC -i 2>/dev/null | grep " pid=$p ")
	# late= is at least the 3 s held, at most the time from the denial
	# until the record was found (the forwarder's start on a busy host
	# adds seconds: the guest's clock is real time, scripts/vm.sh).
	late=$(printf '%s\n' "$rec" | sed -n "s/.* late=\([0-9]*\.[0-9][0-9][0-9]\) res=failed'.*/\1/p")
	[ -n "$late" ] || bad "no late=: $rec"
	awk -v l="$late" -v a="$a" -v c="$c" 'BEGIN { exit !(l >= 3 && l <= c - a) }' ||
		bad "late=$late not within 3..$(awk -v a="$a" -v c="$c" 'BEGIN { print c - a }'): $rec"
	# execmark log selects on the denial's time, ausearch -ts on the record's
	execmark log --pid "$p" --since "@${a%.*}" --until "@$((${b%.*} + 1))" | grep -q " late=" ||
		bad "log --since/--until around the denial: $(execmark log --pid "$p" 2>&1)"
	rt=$(execmark log --pid "$p" --json | python3 -c 'import json,sys; x=json.load(sys.stdin); print(x["record_time"] > x["time"])')
	[ "$rt" = True ] || bad "the record's time is not after the denial's"
}
search_outputs_for_docs() {
	# The real outputs that Documentation/helper.rst and the admin guide show.
	{
		echo "# ausearch -m ANOM_EXEC -x /usr/bin/bash -i"; ausearch -m ANOM_EXEC -x /usr/bin/bash -i
		echo "# ausearch -m ANOM_EXEC -c \"exe=fake 'q\" -i"; ausearch -m ANOM_EXEC -c "exe=fake 'q" -i
		echo "# ausearch -m ANOM_EXEC -c \"exe=fake 'q\" -i --escape shell"; ausearch -m ANOM_EXEC -c "exe=fake 'q" -i --escape shell
		echo "# ausearch -m ANOM_EXEC -c \"exe=fake 'q\""; ausearch -m ANOM_EXEC -c "exe=fake 'q"
		echo "# ausearch -m ANOM_EXEC --format text"; ausearch -m ANOM_EXEC --format text
		echo "# ausearch -m ANOM_EXEC -x /usr/bin/bash -sv no -i"; ausearch -m ANOM_EXEC -x /usr/bin/bash -sv no -i
		echo "# ausearch -m ANOM_EXEC -f $PLAIN"; ausearch -m ANOM_EXEC -f "$PLAIN"
		echo "# ausearch -m ANOM_EXEC -p $PPLAIN"; ausearch -m ANOM_EXEC -p "$PPLAIN"
		echo "# ausearch -m ANOM_EXEC -ui $XU"; ausearch -m ANOM_EXEC -ui "$XU"
		echo "# execmark log --path $PLAIN"; execmark log --path "$PLAIN"
		echo "# execmark log --pid $PPLAIN --json"; execmark log --pid "$PPLAIN" --json
		echo "# aureport -x --summary"; aureport -x --summary
		echo "# aureport --comm --summary"; aureport --comm --summary
		echo "# aureport -n"; aureport -n
		echo "# aureport --summary"; aureport --summary
		echo "# execmark log"; execmark log
		echo "# execmark log --user xm-search --json"; execmark log --user xm-search --json
		echo "# execmark log --count exe"; execmark log --count exe
		echo "# execmark log --count user"; execmark log --count user
	} 2>&1 | sed 's/^/execmark-doc: /' >/dev/ttyS0
}
search_tests() {
	t search_denials_by_user_with_hostile_names search_denials_setup
	. "$S/vars" 2>/dev/null
	t ausearch_ui_unsupported_execmark_log_user_finds_them ausearch_ui_cannot_match_them_execmark_log_user_can
	t ausearch_x_matches_denied_exe ausearch_x_matches_exe
	t ausearch_c_matches_denied_comm_hostile_too ausearch_c_matches_comm
	t ausearch_sv_no_finds_enforce_denials_res_in_name_ignored ausearch_sv_no_finds_enforce_denials_only
	t ausearch_i_names_uid_auid_unset_decodes_hostile_names ausearch_i_names_uids_unset_and_decodes
	t ausearch_format_text_attempted_execution_of_the_file ausearch_format_text_says_attempted_execution
	t aureport_x_n_summary_count_them_no_name_fakes_an_exe aureport_counts_executables_no_name_fakes_one
	t ausearch_p_f_unsupported_execmark_log_pid_path_find_them ausearch_p_and_f_cannot_find_them_execmark_log_can
	t execmark_log_filters_counts_json execmark_log_filters_and_counts
	t denial_time_is_the_kernels_late_delivery_says_late denial_time_is_the_kernels_late_delivery_says_so
	t search_outputs_printed_for_the_docs search_outputs_for_docs
}

# --- second boot ----------------------------------------------------------
marks_survive_reboot() {
	execmark verify "$state/kept-marked" && "$state/kept-marked"
}
audit_log_survives_reboot() { wait_audit "$state/denied-before-reboot"; }
journal_keeps_previous_boot() {
	b=$(journalctl --list-boots --no-pager 2>/dev/null | wc -l)
	[ "$b" -ge 2 ] || fail "journalctl --list-boots: $b boot(s)"
}
package_removal_stops_forwarder_keeps_marks() {
	# Maintainer scripts are not marked (no apt hook yet): permissive.
	execmark mode permissive || return 1
	before=$(getfattr --only-values -n security.execmark /usr/bin/true | od -An -tx1)
	dpkg --remove execmark || fail "dpkg --remove execmark failed"
	s=$(systemctl is-active execmark-forward.service)
	[ "$s" = inactive ] || fail "execmark-forward.service: $s after removal"
	e=$(systemctl is-enabled execmark-forward.service 2>&1)
	case $e in enabled*) fail "still enabled: $e" ;; esac
	after=$(getfattr --only-values -n security.execmark /usr/bin/true | od -An -tx1)
	[ -n "$before" ] && [ "$before" = "$after" ] || fail "the mark of /usr/bin/true changed or is gone"
	[ -e /etc/default/execmark ] || fail "the conffile went with a remove (only purge takes it)"
}

# --- two machines: audit records shipped off the host (issue 17) -----------
# scripts/vm-check.sh boots two copies of the image at once, joined by a
# QEMU socket network on the host's loopback address: the collector
# (execmark.boot=collector) runs auditd with tcp_listen_port = 60; the
# sender (execmark.boot=sender) ships its records with audisp-remote.
# The sender runs the tests; it drives the collector through a small
# command service on the collector (port 61, this private network only).
COLLECTOR=10.0.9.1
SENDER=10.0.9.2
net_up() {	# net_up ADDRESS: the VM's one network card
	# a card, not lo or a tunnel (sit0): it has a device
	dev=
	for d in /sys/class/net/*; do
		[ -e "$d/device" ] && { dev=${d##*/}; break; }
	done
	[ -n "$dev" ] || { echo "no network card (a kernel without CONFIG_VIRTIO_NET?): $(ls /sys/class/net)"; return 1; }
	ip addr add "$1/24" dev "$dev" && ip link set "$dev" up
	echo "execmark-net: $(ip -br addr | tr '\n' ';')" >/dev/ttyS0
}
progress() { echo "execmark-$boot: $*" >/dev/ttyS0; }
# on_collector SHELL-COMMAND: run it there; its output, then its status
on_collector() {
	python3 - "$1" <<'PY'
import socket, sys
s = socket.create_connection(("10.0.9.1", 61), timeout=5)
s.settimeout(120)
s.sendall(sys.argv[1].encode() + b"\n")
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
out, _, rc = data.rpartition(b"\nexecmark-rc: ")
sys.stdout.write(out.decode(errors="replace"))
sys.exit(int(rc or 99))
PY
}
collector_role() {
	net_up "$COLLECTOR" || return 1
	sed -i 's/^##*tcp_listen_port.*/tcp_listen_port = 60/' /etc/audit/auditd.conf
	grep -q '^tcp_listen_port = 60' /etc/audit/auditd.conf ||
		echo 'tcp_listen_port = 60' >>/etc/audit/auditd.conf
	systemctl restart auditd.service || return 1
	echo "execmark-collector: listening" >/dev/ttyS0
	# one command per connection, until "done"
	python3 - <<'PY'
import socket, subprocess
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("10.0.9.1", 61))
srv.listen(4)
srv.settimeout(420)	# no sender: give up before the host's timeout
while True:
    c, _ = srv.accept()
    c.settimeout(None)
    data = b""
    while True:
        b = c.recv(65536)
        if not b:
            break
        data += b
    cmd = data.decode().strip()
    if cmd == "done":
        c.sendall(b"\nexecmark-rc: 0")
        c.close()
        break
    # stdin: not this heredoc's pipe (ausearch would search a pipe)
    p = subprocess.run(["/bin/sh", "-c", cmd], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    c.sendall(p.stdout + b"\nexecmark-rc: %d" % p.returncode)
    c.close()
PY
}
sender_setup() {
	net_up "$SENDER" || return 1
	hostname sender && echo sender >/etc/hostname
	sed -i -e 's/^name_format = .*/name_format = hostname/' /etc/audit/auditd.conf
	# mode = forward queues in /var/spool/audit/remote.log, a directory
	# that Debian's audispd-plugins does not make (audisp-remote exits:
	# "Error initializing audit record queue")
	mkdir -p -m 0700 /var/spool/audit
	sed -i -e 's/^active = .*/active = yes/' /etc/audit/plugins.d/au-remote.conf
	sed -i -e "s/^remote_server = .*/remote_server = $COLLECTOR/" \
		-e 's/^mode = .*/mode = forward/' \
		-e 's/^network_failure_action = .*/network_failure_action = warn_once/' \
		/etc/audit/audisp-remote.conf
	systemctl restart auditd.service || return 1
	i=0
	until pidof audisp-remote >/dev/null; do
		i=$((i + 1))
		[ $i -lt 20 ] || bad "audisp-remote does not run: $(sender_state)"
		sleep 0.5
	done
	progress "auditd with audisp-remote; waiting for the collector"
	# the collector boots at the same time: wait for its command service
	i=0
	until on_collector true >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 60 ] || bad "the collector does not answer on $COLLECTOR:61: $(ip neigh 2>&1 | tr "\n" ";")"
		sleep 2
	done
	progress "the collector answers"
}
# sender_state: what audisp-remote said, its connections and queue
sender_state() {
	echo "audisp-remote: pid $(pidof audisp-remote)"
	journalctl -b --no-pager -o short-monotonic -t audisp-remote -t auditd 2>&1 | tail -n 8
	ss -tn 2>&1 | tail -n 3
	ls -l /var/spool/audit/ 2>&1 | tail -n 2
}
# on_collector_has PATH...: within 30 s, the collector's log has the
# sender's denial of each PATH, found by file (execmark log --path) and by
# node (ausearch --node sender). The loop runs on the collector.
on_collector_has() {
	on_collector "for i in \$(seq 60); do
		ok=1
		for p in $*; do
			execmark log --path \$p 2>/dev/null | grep -q \" path=\$p\" &&
			ausearch -m ANOM_EXEC --node sender -i 2>/dev/null | grep -q \"path=\$p \" || { ok=0; break; }
		done
		[ \$ok = 1 ] && exit 0
		sleep 0.5
	done
	echo \"not on the collector: \$p\"
	ausearch -m ANOM_EXEC -i | tail -n 4; tail -n 4 /var/log/audit/audit.log; exit 1" && return 0
	sender_state
	return 1
}
remote_denial_found_on_collector() {
	unmarked remote-1 || return 1
	on_collector_has "$work/remote-1" || return 1
	progress "the denial of $work/remote-1 is on the collector"
}
remote_collector_restart_loses_nothing() {
	# auditd on the collector goes; the sender's denials wait in
	# audisp-remote's queue (mode = forward: on disk); the next record after
	# the collector's return sends them all.
	on_collector "kill -TERM \$(cat /run/auditd.pid); sleep 2; ! pidof auditd" ||
		bad "auditd on the collector did not stop"
	progress "the collector's auditd stopped"
	for i in 2 3 4; do unmarked "remote-$i" || return 1; done
	sleep 3
	on_collector "systemctl start auditd.service &&
		for i in \$(seq 20); do ss -ltn | grep -q ':60 ' && exit 0; sleep 0.5; done; exit 1" ||
		bad "auditd on the collector did not start listening again"
	progress "the collector's auditd started again"
	sleep 1
	unmarked remote-5 || return 1
	on_collector_has "$work/remote-2" "$work/remote-3" "$work/remote-4" "$work/remote-5"
}
# The collector's outputs that the admin guide ("Many machines") shows.
remote_outputs_for_docs() {
	for c in "ausearch -m ANOM_EXEC --node sender -i | tail -n 4" \
		"ausearch -m ANOM_EXEC --node sender | tail -n 2" \
		"execmark log --path $work/" "execmark log --path $work/remote-5 --json" \
		"execmark log --count path"; do
		echo "# $c"
		on_collector "$c"
	done 2>&1 | sed 's/^/execmark-doc: collector: /' >/dev/ttyS0
}
remote_tests() {
	t sender_ships_with_audisp_remote_to_collector sender_setup
	t remote_denial_found_on_collector_by_path_and_node remote_denial_found_on_collector
	t remote_collector_auditd_restart_loses_no_queued_record remote_collector_restart_loses_nothing
	remote_outputs_for_docs
	on_collector done >/dev/null 2>&1
}

case $boot in
first)
	t system_running_in_enforce_from_first_boot system_running
	# The first boot after the image was made does one-time work
	# (machine-id, tmpfiles, first-boot units): its time is reported; the
	# 60 s goal is checked on the second, an ordinary boot.
	t first_boot_time_reported boot_time_report
	t guest_clock_keeps_host_time clock_keeps_host_time
	t enforce_mode_from_kernel_command_line mode_is_enforce
	t auditd_unit_active auditd_unit_active
	t audit_rules_loaded_by_auditd_unit audit_rules_loaded
	t execmark_forward_unit_active forward_unit_active
	t execmark_forward_unit_enabled_by_package forward_unit_enabled
	t execmark_mode_unit_ran mode_unit_ran
	t no_denials_while_booting no_denials_while_booting
	t enforce_refuses_unmarked_program unmarked_program_refused
	t denial_reaches_audit_log_via_forwarder denial_reaches_audit_log
	t marked_program_runs_in_enforce marked_program_runs
	t tampered_script_refused_and_audited tampered_program_refused
	t auditd_restart_by_systemctl_forwarder_still_delivers auditd_restart_keeps_forwarding
	t forwarder_restart_by_systemctl_delivers forward_restart_keeps_forwarding
	t python_marked_script_runs_in_enforce python_marked_script_runs
	t python_unmarked_script_refused_in_enforce python_unmarked_script_refused
	t denial_recorded_for_the_reboot prepare_reboot
	search_tests
	;;
dpkg)
	# The apt and dpkg hooks (issue 15), in their own file and boot
	# (between the two others: they change only what they install).
	t system_running_in_enforce system_running
	t enforce_mode_from_kernel_command_line mode_is_enforce
	. /usr/lib/execmark/dpkg-tests.sh
	dpkg_tests
	;;
second)
	t system_running_after_reboot system_running
	t guest_clock_keeps_host_time_after_reboot clock_keeps_host_time
	t boot_to_multi_user_within_60s boot_time_within_60s
	t enforce_mode_after_reboot mode_is_enforce
	t no_denials_while_booting_after_reboot no_denials_while_booting
	t auditd_unit_active_after_reboot auditd_unit_active
	t execmark_forward_unit_active_after_reboot forward_unit_active
	t marks_survive_reboot marks_survive_reboot
	t audit_log_survives_reboot audit_log_survives_reboot
	t journal_keeps_previous_boot journal_keeps_previous_boot
	t package_removal_stops_forwarder_keeps_marks package_removal_stops_forwarder_keeps_marks
	;;
collector)
	boot_time_line
	t no_denials_while_booting no_denials_while_booting
	t collector_serves_until_the_sender_is_done collector_role
	;;
sender)
	boot_time_line
	t no_denials_while_booting no_denials_while_booting
	remote_tests
	;;
aptbench)
	# Not a test: its figures ("bench: " lines) go to the console.
	t system_running_in_enforce system_running
	/usr/lib/execmark/apt-bench.sh
	;;
esac

{
	echo "TAP version 13"
	echo "1..1"
	echo "    # Subtest: debian_${boot}_boot"
	echo "    1..$n"
	cat "$results"
	if grep -q '^    not ok' "$results"; then
		echo "not ok 1 debian_${boot}_boot"
	else
		echo "ok 1 debian_${boot}_boot"
	fi
	echo "execmark-dmesg-begin"
	dmesg
	echo "execmark-dmesg-end"
	echo "execmark-vm: end"
}
sync
case $boot in
# The two machines' disks are overlays thrown away: no orderly shutdown,
# which hung there for minutes (both have a network card; no unit named).
collector | sender) systemctl reboot -ff ;;
*) systemctl reboot ;;
esac
