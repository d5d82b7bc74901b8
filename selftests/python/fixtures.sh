# SPDX-License-Identifier: GPL-2.0
#
# The fixtures: code files, approved (marked) or not, made while the
# mode is permissive.
# Sourced by run.sh (lib.sh defines what it uses).

# The function's body is not indented: the Python code in its strings
# must start in column 0.
fixtures() {
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
}
