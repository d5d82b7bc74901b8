#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The system tests of "make check", run by execmark-system-tests.service in
# the Debian VM. The host boots the same disk twice (scripts/vm-check.sh):
#   execmark.boot=first   the image's first boot, in enforce mode: units,
#                         denials through auditd, Python, and what the
#                         second boot must find
#   execmark.boot=second  the reboot: marks and audit log kept, package removal
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
t() {
	n=$((n + 1))
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
mode_is_enforce() {
	m=$(cat /sys/kernel/security/execmark/mode)
	[ "$m" = enforce ] || fail "mode: $m"
}
auditd_unit_active() { systemctl is-active auditd.service; }
forward_unit_active() { systemctl is-active execmark-forward.service; }
forward_unit_enabled() { systemctl is-enabled execmark-forward.service; }
mode_unit_ran() { systemctl is-active execmark-mode.service; }
no_denials_while_booting() {
	# Every program, library and script that the boot ran was marked: no
	# ANOM_EXEC record other than the tests' own (under /root/xm-tests).
	if ausearch -m ANOM_EXEC -i 2>/dev/null | grep '^type=ANOM_EXEC' |
	   grep -v "$work/" | grep .; then
		fail "denials outside the tests"
	fi
	return 0
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

case $boot in
first)
	t system_running_in_enforce_from_first_boot system_running
	t boot_to_multi_user_within_60s boot_time_within_60s
	t enforce_mode_from_kernel_command_line mode_is_enforce
	t auditd_unit_active auditd_unit_active
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
	;;
second)
	t system_running_after_reboot system_running
	t boot_to_multi_user_within_60s boot_time_within_60s
	t enforce_mode_after_reboot mode_is_enforce
	t auditd_unit_active_after_reboot auditd_unit_active
	t execmark_forward_unit_active_after_reboot forward_unit_active
	t marks_survive_reboot marks_survive_reboot
	t audit_log_survives_reboot audit_log_survives_reboot
	t journal_keeps_previous_boot journal_keeps_previous_boot
	t package_removal_stops_forwarder_keeps_marks package_removal_stops_forwarder_keeps_marks
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
systemctl reboot
