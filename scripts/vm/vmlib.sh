# SPDX-License-Identifier: GPL-2.0
# Shell functions shared by the VM's init, tests, demo and benchmarks.
# Source it (busybox sh).

XM_SECFS=/sys/kernel/security/execmark

# auditd writes /var/log/audit/audit.log; ausearch reads it.
start_auditd() {
	[ -x /sbin/auditd ] || return 0
	/sbin/auditd || { echo "vm: auditd did not start" >&2; return 1; }
	i=0
	while [ $i -lt 50 ] && ! auditctl -s 2>/dev/null | grep -q 'pid [1-9]'; do
		sleep 0.1
		i=$((i + 1))
	done
}

# Mark everything that can run in the image, so that the whole system can be
# switched to enforce.
mark_system() {
	[ -x /usr/sbin/execmark ] || return 0
	execmark mark -r -x /usr /init >/dev/null 2>/var/log/execmark-mark.log ||
		echo "vm: marking the system failed" >&2
}

# Denials reach auditd through the helper's forwarder.
start_forwarder() {
	[ -x /usr/sbin/execmark ] && execmark forward
}

# execmark's mode: off, permissive or enforce.
set_mode() { echo "$1" >$XM_SECFS/mode; }

# Numbers, one a line on stdin: the median (the lower one of an even count).
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# ratio A B: A / B to four places.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b) printf "%.4f", a / b; else print "-" }'; }
# ima_hash [-a ALGO] PATH...: security.ima = the digest (sha256 unless
# ALGO) of each file (directories: of each file under them), written by
# evmctl.
ima_hash() {
	a=sha256
	[ "$1" = -a ] && { a=$2; shift 2; }
	for p in "$@"; do
		if [ -d "$p" ]; then evmctl ima_hash -a $a -r "$p"; else evmctl ima_hash -a $a "$p"; fi
	done >/dev/null 2>&1	# evmctl prints each hash
}
