# SPDX-License-Identifier: GPL-2.0
#
# The helper tests' shared setup and functions: the work directory and its
# cleanup, TAP output, running execmark, reading marks. Sourced by run.sh.

set -u

E=${1:?usage: run.sh /path/to/execmark}
case $E in /*) ;; *) E=$PWD/$E ;; esac
XT=$(dirname "$E")/xattr-tool
[ -x "$E" ] || { echo "Bail out! $E is not executable"; exit 2; }
[ -x "$XT" ] || { echo "Bail out! $XT is not executable"; exit 2; }

# The kernel's securityfs must never be touched by these tests.
unset EXECMARK_SECURITYFS EXECMARK_FORWARD_SINK EXECMARK_TEST_HASH_DELAY_MS \
	EXECMARK_TEST_SINK_FAILURES

n=0
failed=0
MOUNTS=""
FWDPID=""
W=$(mktemp -d "${TMPDIR:-/var/tmp}/execmark-test.XXXXXX") || exit 2
chmod 755 "$W"
# Nor the forwarder's state file in /run.
EXECMARK_FORWARD_STATE=$W/forward.state
export EXECMARK_FORWARD_STATE

cleanup() {
	[ -n "$FWDPID" ] && kill "$FWDPID" 2>/dev/null
	for m in $MOUNTS; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { n=$((n + 1)); printf 'ok %d - %s\n' $n "$1"; }
fail() {
	n=$((n + 1)); failed=$((failed + 1)); printf 'not ok %d - %s\n' $n "$1"
	[ -s "$W/out" ] && sed 's/^/#   out: /' "$W/out" | head -20
	[ -s "$W/err" ] && sed 's/^/#   err: /' "$W/err" | head -20
	return 0
}
skip() { n=$((n + 1)); printf 'ok %d - %s # SKIP %s\n' $n "$1" "$2"; }
check() {	# check NAME COMMAND...: pass if COMMAND succeeds
	t_name=$1
	shift
	if "$@"; then pass "$t_name"; else fail "$t_name"; fi
}
diag() { printf '# %s\n' "$*"; }

# run CMD...: stdout in $W/out, stderr in $W/err, status in $rc
run() {
	"$@" >"$W/out" 2>"$W/err"
	rc=$?
}
# em ARGS...: run execmark
em() { run "$E" "$@"; }
out_has() { grep -F -x -q -- "$1" "$W/out"; }
err_has() { grep -F -q -- "$1" "$W/err"; }
rc_is() { [ "$rc" -eq "$1" ]; }

# mark_of FILE: the raw mark in hex, or "none"
mark_of() { "$XT" get "$1" 2>/dev/null || echo none; }
digest() { "$1" <"$2" | cut -d' ' -f1; }
want_mark() {	# want_mark FILE sha256|sha384|sha512
	case $2 in
	sha256) printf '0104%s\n' "$(digest sha256sum "$1")" ;;
	sha384) printf '0105%s\n' "$(digest sha384sum "$1")" ;;
	sha512) printf '0106%s\n' "$(digest sha512sum "$1")" ;;
	esac
}

NL=$(printf '\nx'); NL=${NL%x}
CR=$(printf '\rx'); CR=${CR%x}
HEX256=0000000000000000000000000000000000000000000000000000000000000000

gnu_sum=false
sha256sum --version 2>/dev/null | grep -q GNU && gnu_sum=true

# odd_names DIR: DIR with 7 files whose names need escaping or care
odd_names() {
	mkdir "$1" || return
	for name in "with space" "new${NL}line" "non-utf8-$(printf '\377\376')" \
		"-leading-dash" 'back\slash' "car${CR}return" "tab$(printf '\t')x"; do
		printf '%s' "$name" >"$1/$name"
	done
}

fs_type() { stat -f -c %T "$1" 2>/dev/null || echo unknown; }
