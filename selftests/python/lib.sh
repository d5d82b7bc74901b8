# SPDX-License-Identifier: GPL-2.0
#
# What the execmark-python tests share: paths, TAP output, running the
# launcher, making and approving files. Sourced by run.sh.

P=/usr/bin/execmark-python
M=/sys/kernel/security/execmark/mode
W=/tmp/xmpy
SITE=/usr/local/lib/python3.11/dist-packages
LIB=/usr/lib/python3.11
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; failed=1; }
# check DESCRIPTION COMMAND...: the command's status is the verdict.
check() {
	d=$1; shift
	if "$@"; then ok "$d"; else nok "$d"; say "$out"; fi
}
# run ARGS...: $out gets stdout and stderr, $rc the status.
run() { out=$("$@" 2>&1); rc=$?; }
has() { case $out in *"$1"*) return 0 ;; esac; return 1; }
# A file of code, executable, marked (approved) or not.
put() { printf '%s\n' "$2" >"$1" && chmod 0755 "$1"; }
approve() { execmark mark "$@" >/dev/null; }
say() { printf '%s\n' "$*" | sed 's/^/# /'; }
# verdict DESCRIPTION [MORE...]: ok if $bad (the failures collected) is
# empty, else not ok, with $bad and MORE as diagnostics.
verdict() {
	d=$1; shift
	if [ -z "$bad" ]; then ok "$d"; else nok "$d"; say "$bad"; [ $# = 0 ] || say "$@"; fi
}
