#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (make bench, from vm-bench.sh): the cost of
# execmark-python against the stock python3 on one script that imports 200
# standard-library modules. Same VM, execmark enforcing, everything marked,
# warm cache (one untimed run of each first), then ROUNDS interleaved
# timed runs of each; medians of wall time (guest time: under make bench's
# -icount, instructions). Goal: execmark-python / python3 <= 1.10.
# Both run the script the same way: no PYTHON* variables, no user site, no
# .pyc writing (both read the same unchecked-hash .pyc files), the
# script's directory first on sys.path; the bench prints whether sys.path
# and these flags agree. An empty script gives the fixed start-up cost.
M=/sys/kernel/security/execmark/mode
P=${P:-/usr/bin/execmark-python}
ROUNDS=${ROUNDS:-5}
D=/tmp/pybench
[ -x $P ] && [ -f $M ] || { echo "bench: python: no execmark-python or execmark not active"; exit 0; }
rm -rf $D && mkdir -p $D
# The 200 modules (top-level standard-library modules that import cleanly
# with -W error, then submodules of email, http, json, ...).
cat >$D/mods <<'MODS'
abc
argparse
array
ast
asyncio
atexit
base64
bdb
binascii
bisect
builtins
cProfile
calendar
cmath
cmd
code
codecs
codeop
collections
colorsys
compileall
concurrent
configparser
contextlib
contextvars
copy
copyreg
csv
dataclasses
datetime
difflib
dis
doctest
email
encodings
enum
errno
faulthandler
fcntl
filecmp
fileinput
fnmatch
fractions
ftplib
functools
gc
genericpath
getopt
getpass
gettext
glob
graphlib
grp
gzip
hashlib
heapq
hmac
html
http
imaplib
importlib
inspect
io
ipaddress
itertools
json
keyword
linecache
locale
logging
mailbox
marshal
math
mimetypes
mmap
modulefinder
netrc
ntpath
nturl2path
numbers
opcode
operator
optparse
os
pathlib
pdb
pickle
pickletools
pkgutil
platform
plistlib
poplib
posix
posixpath
pprint
profile
pstats
pty
pwd
py_compile
pyclbr
pydoc
pyexpat
queue
quopri
random
re
reprlib
resource
rlcompleter
runpy
sched
secrets
select
selectors
shelve
shlex
shutil
signal
site
smtplib
socket
socketserver
stat
statistics
string
stringprep
struct
subprocess
symtable
sys
sysconfig
syslog
tabnanny
tarfile
tempfile
termios
textwrap
threading
time
timeit
token
tokenize
tomllib
trace
traceback
tracemalloc
tty
types
typing
unicodedata
unittest
urllib
uuid
venv
warnings
wave
weakref
webbrowser
wsgiref
xml
xmlrpc
zipapp
zipfile
zipimport
zlib
zoneinfo
email._encoded_words
email._header_value_parser
email._parseaddr
email._policybase
email.base64mime
email.charset
email.contentmanager
email.encoders
email.errors
email.feedparser
email.generator
email.header
email.headerregistry
email.iterators
email.message
email.mime
email.parser
email.policy
email.quoprimime
email.utils
email.mime.application
email.mime.audio
email.mime.base
email.mime.image
email.mime.message
email.mime.multipart
email.mime.nonmultipart
email.mime.text
http.client
http.cookiejar
http.cookies
http.server
json.decoder
MODS
{ echo 'import sys'; sed 's/^/import /' $D/mods; echo 'print(len(sys.modules))'; } >$D/import200.py
echo 'pass' >$D/empty.py
printf '%s\n' 'import sys' 'f = sys.flags' \
	'print(sys.path, f.ignore_environment, f.no_user_site, f.dont_write_bytecode, f.optimize)' >$D/probe.py
chmod 0755 $D/import200.py $D/empty.py $D/probe.py
execmark mark $D/import200.py $D/empty.py $D/probe.py >/dev/null
old=$(cat $M)
echo enforce >$M
# The stock interpreter as the launcher runs it: -E -s -B (the launcher's
# -I less -P: like the launcher, it puts the script's directory first).
S="/usr/bin/python3 -E -s -B"
same=no
[ "$($S $D/probe.py)" = "$($P $D/probe.py)" ] && same=yes
$S $D/import200.py >$D/n-stock || echo "bench: python: the stock python3 failed"
$P $D/import200.py >$D/n-launcher || echo "bench: python: execmark-python failed"
/usr/bin/python3 -I - "$ROUNDS" "$S $D/import200.py" "$P $D/import200.py" \
	"$S $D/empty.py" "$P $D/empty.py" <<'PY'
import subprocess, sys, time, statistics
rounds, cmds = int(sys.argv[1]), sys.argv[2:]
t = {c: [] for c in cmds}
for _ in range(rounds):
    for c in cmds:
        s = time.perf_counter()
        subprocess.run(c.split(), check=True, stdout=subprocess.DEVNULL)
        t[c].append(time.perf_counter() - s)
a, b, ea, eb = (statistics.median(t[c]) for c in cmds)
print(f"bench: python import of 200 stdlib modules, python3 -E -s -B: {a * 1000:.1f} ms (median of {rounds})")
print(f"bench: python import of 200 stdlib modules, execmark-python: {b * 1000:.1f} ms (median of {rounds})")
print(f"bench: python start-up (empty script), python3 -E -s -B: {ea * 1000:.1f} ms, execmark-python: {eb * 1000:.1f} ms")
print(f"bench: ratio python import execmark-python/python3: {b / a:.4f} (goal <= 1.10)")
PY
echo "bench: python: sys.modules after the imports: python3 $(cat $D/n-stock), execmark-python $(cat $D/n-launcher); same sys.path and flags: $same"
echo "$old" >$M
