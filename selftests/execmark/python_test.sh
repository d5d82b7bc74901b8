#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# execmark-python in the VM, execmark enforcing, on Debian's python3.11
# standard library as the image prepared it (execmark-python-prepare at
# image build, marked at boot). Each kernel denial must reach the audit
# log through the forwarder, which this test runs itself. TAP output.
P=/usr/bin/execmark-python
M=/sys/kernel/security/execmark/mode
W=/tmp/xmpy
SITE=/usr/local/lib/python3.11/dist-packages
LIB=/usr/lib/python3.11
n=0 failed=0

echo "TAP version 13"
echo "1..30"
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

if [ ! -x $P ] || [ ! -f $M ]; then
	echo "# SKIP no execmark-python or execmark not active"
	exit 4
fi
[ "$(cat $M)" = permissive ] || { echo "Bail out! mode is $(cat $M), not permissive"; exit 1; }

rm -rf $W && mkdir -p $W/app $W/lib || exit 1
execmark forward --foreground 2>$W/forward.log &
fwd=$!
created_site=
[ -d $SITE ] || { mkdir -p $SITE && created_site=1; }
teardown() {
	echo permissive >$M
	kill $fwd 2>/dev/null
	wait $fwd 2>/dev/null
	rm -f $SITE/xm-*.pth
	rm -rf $SITE/idlelib
	[ -z "$created_site" ] || rmdir $SITE 2>/dev/null
}
trap teardown EXIT
trap 'exit 1' INT TERM

# The fixtures, made while permissive.
put $W/app/util.py 'ANSWER = 42'
put $W/app/main.py 'import json, util
print("main ok", json.dumps(util.ANSWER))'
put $W/app/unmarked.py 'print("UNMARKED MAIN RAN")'
put $W/app/unm.py 'print("UNMARKED MODULE RAN")'
put $W/app/tam.py 'print("tam clean")'
put $W/app/good.py 'print("good module")'
put $W/app/imp.py 'import sys
sys.path.insert(0, "'$W'/lib")
try:
    __import__(sys.argv[1])
except OSError as e:
    print("refused:", type(e).__name__, e)'
put $W/app/plain.py 'print("plain ran")'
put $W/app/cdll.py 'import ctypes, sys
try:
    ctypes.CDLL(sys.argv[1])
    print("loaded")
except OSError as e:
    print("refused:", e)'
put $W/app/mp.py 'import multiprocessing as mp
def child(conn): conn.send([x * x for x in (1, 2, 3)])
if __name__ == "__main__":
    ctx = mp.get_context("fork")
    a, b = ctx.Pipe()
    p = ctx.Process(target=child, args=(b,))
    p.start()
    print("fork child", a.recv())
    p.join()'
put $W/app/bp.py 'breakpoint()
print("after breakpoint")'
put $W/app/where.py 'import sys
print("stdlib", sys._stdlib_dir, "pycache", sys.pycache_prefix)'
# Approved as a whole, it only quotes the code in its string.
put $W/app/quote.py 'DOC = """
print("QUOTED CODE RAN")
#"""
print("quote ok")'
approve $W/app/util.py $W/app/main.py $W/app/tam.py $W/app/good.py \
	$W/app/imp.py $W/app/plain.py $W/app/cdll.py $W/app/mp.py $W/app/bp.py \
	$W/app/where.py $W/app/quote.py
# A standard library of the caller's own: links to the marked files, in a
# directory named by a pyvenv.cfg next to a link to the launcher, or found
# from argv[0].
mkdir -p $W/fake/bin $W/fake/lib/python3.11 $W/venv/bin
for f in $LIB/*; do ln -s "$f" $W/fake/lib/python3.11/; done
: >$W/fake/bin/python3
ln -s $P $W/venv/bin/python3
echo "home = $W/fake/bin" >$W/venv/pyvenv.cfg
# tam.py changes after it was approved.
echo 'print("TAMPERED CODE RAN")' >>$W/app/tam.py
# A .pyc planted in __pycache__ for the approved good.py, which the stock
# interpreter would run instead of good.py (unchecked-hash: no time check).
printf 'print("PLANTED PYC RAN")\n' >$W/evil.py
python3 -I -c 'import py_compile as c, sys
c.compile(sys.argv[1], cfile=sys.argv[2], invalidation_mode=c.PycInvalidationMode.UNCHECKED_HASH)' \
	$W/evil.py $W/app/__pycache__/good.cpython-311.pyc
# A sourceless .pyc on sys.path (CPython's own loader bypasses open_code).
python3 -I -c 'import py_compile as c, sys
c.compile(sys.argv[1], cfile=sys.argv[2])' $W/evil.py $W/lib/sourceless.pyc
chmod 0755 $W/app/__pycache__/good.cpython-311.pyc $W/lib/sourceless.pyc
# .pth files: one approved, one not. Each writes a file if it runs.
put $SITE/xm-good.pth "import os; open('$W/pth-good', 'w').close()"
put $SITE/xm-evil.pth "import os; open('$W/pth-evil', 'w').close()"
approve $SITE/xm-good.pth
# IDLE starts its shell when idlelib.idle or idlelib.__main__ is imported;
# the image has no IDLE: a marked stand-in where the import system finds
# it at start-up (-W) and later.
mkdir -p $SITE/idlelib
put $SITE/idlelib/__init__.py ""
put $SITE/idlelib/idle.py 'print("IDLE RAN")'
put $SITE/idlelib/__main__.py 'print("IDLE RAN")'
put $W/app/idle.py 'import idlelib.idle'
approve -r $SITE/idlelib && approve $W/app/idle.py
# A shared library that is not approved (a copy has no mark).
cp /usr/lib/execmark/aux/preload.so $W/unmarked.so

echo enforce >$M || { echo "Bail out! cannot switch to enforce"; exit 1; }

# 1: the image's standard library is prepared.
check "the standard library is marked and executable (prepared)" \
	sh -c "execmark verify -q $LIB/json/__init__.py $LIB/json/__pycache__/__init__.cpython-311.pyc $LIB/lib-dynload/_json.cpython-311-x86_64-linux-gnu.so >/dev/null &&
	[ -x $LIB/json/__init__.py ] && [ -x $LIB/json/__pycache__/__init__.cpython-311.pyc ]"

# 2-3: main scripts.
run $P $W/app/main.py
check "a marked script runs and imports marked modules" has "main ok 42"
run $P $W/app/unmarked.py
if [ $rc != 0 ] && ! has "UNMARKED MAIN RAN" && has "$W/app/unmarked.py" && has "Errno 13"; then
	ok "an unmarked script is refused (EACCES, named)"
else
	nok "an unmarked script is refused (EACCES, named)"; say "$out"
fi

# 4-5: imports.
run $P $W/app/imp.py unm
if has "refused: PermissionError [Errno 13]" && has "$W/app/unm.py" && ! has "UNMARKED MODULE RAN"; then
	ok "import of an unmarked module: PermissionError naming the file"
else
	nok "import of an unmarked module: PermissionError naming the file"; say "$out"
fi
run $P $W/app/imp.py tam
if has "refused: PermissionError [Errno 13]" && has "$W/app/tam.py" && ! has "TAMPERED"; then
	ok "import of a tampered module: PermissionError naming the file"
else
	nok "import of a tampered module: PermissionError naming the file"; say "$out"
fi

# 6-8: byte-code.
run python3 -I -c "import sys; sys.path.insert(0, '$W/app'); import good"
check "(control) the stock python3 runs the planted .pyc" has "PLANTED PYC RAN"
run $P $W/app/imp.py good
if has "good module" && ! has "PLANTED"; then
	ok "a planted __pycache__ .pyc does not run (the marked .py does)"
else
	nok "a planted __pycache__ .pyc does not run (the marked .py does)"; say "$out"
fi
run $P $W/app/imp.py sourceless
if has "refused: PermissionError" && has "$W/lib/sourceless.pyc" && ! has "PLANTED"; then
	ok "a sourceless .pyc that is not marked does not run"
else
	nok "a sourceless .pyc that is not marked does not run"; say "$out"
fi

# 9-16: code that cannot be checked.
run $P -c 'print("DASH C RAN")'
if [ $rc != 0 ] && ! has "DASH C RAN" && has "refused -c"; then ok "-c is refused"; else nok "-c is refused"; say "$out"; fi
out=$(echo 'print("PIPE RAN")' | $P 2>&1); rc=$?
if [ $rc != 0 ] && ! has "PIPE RAN" && has "refused standard input"; then
	ok "code piped on standard input is refused"
else
	nok "code piped on standard input is refused"; say "$out"
fi
out=$($P - <$W/app/plain.py 2>&1)
check "standard input that is a marked regular file runs" has "plain ran"
out=$($P <$W/app/unmarked.py 2>&1); rc=$?
if [ $rc != 0 ] && ! has "UNMARKED MAIN RAN"; then
	ok "standard input that is an unmarked regular file is refused"
else
	nok "standard input that is an unmarked regular file is refused"; say "$out"
fi
run $P -i $W/app/plain.py
if [ $rc != 0 ] && ! has "plain ran" && has "refused -i"; then ok "-i is refused"; else nok "-i is refused"; say "$out"; fi
run env PYTHONSTARTUP=$W/app/plain.py $P
if [ $rc != 0 ] && ! has "plain ran" && has "refused: PYTHONSTARTUP"; then
	ok "PYTHONSTARTUP is refused"
else
	nok "PYTHONSTARTUP is refused"; say "$out"
fi
run $P -m pdb $W/app/plain.py
if [ $rc != 0 ] && ! has "plain ran" && has "refused -m pdb"; then ok "-m pdb is refused"; else nok "-m pdb is refused"; say "$out"; fi
run $P $W/app/bp.py
if [ $rc != 0 ] && ! has "after breakpoint" && has "refused breakpoint()"; then
	ok "breakpoint() is refused"
else
	nok "breakpoint() is refused"; say "$out"
fi

# 17-18: .pth files.
rm -f $W/pth-good $W/pth-evil
run $P $W/app/plain.py
check "a marked .pth runs" test -e $W/pth-good
check "an unmarked .pth does not run" test ! -e $W/pth-evil

# 19-20: shared libraries (the kernel's mmap check).
run $P $W/app/cdll.py /usr/lib/execmark/aux/preload.so
check "(control) ctypes.CDLL of a marked .so loads" has "loaded"
run $P $W/app/cdll.py $W/unmarked.so
if has "refused:" && ! has "loaded"; then ok "ctypes.CDLL of an unmarked .so fails"; else nok "ctypes.CDLL of an unmarked .so fails"; say "$out"; fi

# 21-22: -m runs modules through the checks; multiprocessing with fork.
run sh -c "echo '[1, 2]' | $P -m json.tool --compact"
check "-m of a marked module runs" has "[1,2]"
run $P $W/app/mp.py
check "multiprocessing with the fork start method works" has "fork child [1, 4, 9]"

# 23: the standard library's code runners, marked, are refused as the main
# program however they are named: by path, -m runpy, a directory whose
# __main__.py links to one, standard input.
mkdir -p $W/runner && ln -sf $LIB/timeit.py $W/runner/__main__.py
bad=
for how in "$LIB/timeit.py" "-m runpy timeit" "$W/runner" "-"; do
	# shellcheck disable=SC2086
	out=$($P $how -n 1 -r 1 'print("RUNNER RAN")' 2>&1 <$LIB/timeit.py); rc=$?
	{ [ $rc != 0 ] && ! has "RUNNER RAN" && has "refused"; } || bad="$bad [$how: $out]"
done
if [ -z "$bad" ]; then
	ok "a code runner of the standard library is refused as the main program"
else
	nok "a code runner of the standard library is refused as the main program"; say "$bad"
fi

# 24: the standard library is where the launcher was built to find it,
# whatever the path it is started by: else a caller's copy (links to the
# marked files) passes every check and the code runners are not recognised.
bad=
run $W/venv/bin/python3 $W/app/where.py
has "stdlib $LIB pycache" || bad="$bad [venv: $out]"
run python3 -c 'import os, sys; os.execv(sys.argv[1], sys.argv[2:])' $P $W/fake/bin/python3 $W/app/where.py
has "stdlib $LIB pycache" || bad="$bad [argv0: $out]"
run $W/venv/bin/python3 $LIB/timeit.py -n 1 -r 1 'print("RUNNER RAN")'
{ [ $rc != 0 ] && ! has "RUNNER RAN" && has "refused"; } || bad="$bad [venv timeit: $out]"
if [ -z "$bad" ]; then
	ok "argv[0] and pyvenv.cfg do not choose the standard library"
else
	nok "argv[0] and pyvenv.cfg do not choose the standard library"; say "$bad"
fi

# 25: standard input entered in the middle of a marked file (here in its
# string literal) runs from the start of the file.
out=$({ read -r _; $P -; } <$W/app/quote.py 2>&1)
if has "quote ok" && ! has "QUOTED CODE RAN"; then
	ok "standard input runs from the start of the file, whatever its offset"
else
	nok "standard input runs from the start of the file, whatever its offset"; say "$out"
fi

# 26-27: no pycache_prefix, even given with -X; -X dev (debug memory
# allocators) runs and exits cleanly.
run $P -X pycache_prefix=$W/pyc $W/app/where.py
check "-X pycache_prefix is ignored" has "pycache None"
run $P -X dev $W/app/plain.py
if [ $rc = 0 ] && has "plain ran"; then ok "-X dev runs and exits with status 0"; else nok "-X dev runs and exits with status 0"; say "rc=$rc $out"; fi

# 28: a module that starts a shell when imported is refused, however the
# import is asked for.
bad=
for how in "$W/app/idle.py" "-W ignore::idlelib.idle.X $W/app/plain.py" \
	"-m pydoc idlelib.idle" "-m pydoc idlelib.__main__"; do
	# shellcheck disable=SC2086
	run $P $how
	{ ! has "IDLE RAN" && has "refused idlelib."; } || bad="$bad [$how: rc=$rc $out]"
done
if [ -z "$bad" ]; then
	ok "importing IDLE's shell is refused"
else
	nok "importing IDLE's shell is refused"; say "$bad"
fi

echo permissive >$M

# 29-30: the kernel's denials reached the audit log through the forwarder.
sleep 1
ausearch -m TRUSTED_APP -i >$W/audit.txt 2>&1
missing=
for want in "op=check mode=enforce reason=unmarked .*path=\"?$W/app/unmarked.py" \
	"op=check mode=enforce reason=unmarked .*path=\"?$W/app/unm.py" \
	"op=check mode=enforce reason=mismatch .*path=\"?$W/app/tam.py" \
	"op=check mode=enforce reason=unmarked .*path=\"?$W/app/__pycache__/good.cpython-311.pyc" \
	"op=check mode=enforce reason=unmarked .*path=\"?$W/lib/sourceless.pyc" \
	"op=check mode=enforce reason=unmarked .*path=\"?$SITE/xm-evil.pth" \
	; do
	grep -Eq "$want" $W/audit.txt || missing="$missing [$want]"
done
if [ -z "$missing" ]; then
	ok "each check denial is in the audit log (ausearch -m TRUSTED_APP)"
else
	nok "each check denial is in the audit log (ausearch -m TRUSTED_APP)"
	say "missing:$missing"; say "$(grep -c TRUSTED_APP $W/audit.txt) records"; say "$(tail -n 5 $W/audit.txt)"
fi
if grep -Eq "op=mmap mode=enforce reason=unmarked .*path=\"?$W/unmarked.so" $W/audit.txt; then
	ok "the mmap denial of the unmarked .so is in the audit log"
else
	nok "the mmap denial of the unmarked .so is in the audit log"; say "$(grep unmarked.so $W/audit.txt)"
fi

[ $n = 30 ] || { echo "# ran $n tests, planned 30"; failed=1; }
exit $failed
