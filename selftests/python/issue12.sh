# SPDX-License-Identifier: GPL-2.0
#
# Regression tests for issue 12 (execmark-python, items 1-4): the audit
# hook that stayed off during marshal.loads, the code runners of pip and
# setuptools, zip applications told by content, byte-code for -O/-OO and
# zip/egg archives prepared. Each test's name starts "issue 12.N".
# Sourced by run.sh (lib.sh defines what it uses).

# A tree prepared by execmark-python-prepare (run here, in permissive mode,
# as an administrator would): $W/prep.
PREP=/usr/sbin/execmark-python-prepare

# mkzip ZIP NAME=TEXT...: a zip archive of those members, made by the stock
# python3 (permissive mode, before the tests).
mkzip() {
	python3 -I - "$@" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for m in sys.argv[2:]:
        name, text = m.split("=", 1)
        z.writestr(name, text + "\n")
PY
}

# The function's body is not indented: the Python code in its strings
# must start in column 0.
issue12_fixtures() {
mkdir -p $W/i12 $W/prep
# 12.1: a Python audit hook that calls breakpoint() when marshal.loads runs
# (pdb imported first, while the launcher's hook was still on); the
# debugger's commands come from standard input.
put $W/i12/hookbp.py 'import sys, pdb
fired = []
def hook(event, args):
    if event == "marshal.loads" and not fired:
        fired.append(event)
        breakpoint()
sys.addaudithook(hook)
try:
    import colorsys
    print("imported colorsys")
except Exception as e:
    print("refused:", type(e).__name__, e)'
printf '%s\n' '!print("TYPED", "CODE RAN")' 'c' 'c' >$W/i12/pdb-input
approve $W/i12/hookbp.py

# 12.2: the code runners of setuptools and pip (stand-ins, as for IDLE:
# the image has neither; each reads the file named by its first argument
# with open() and exec()s it, as setuptools.launch and pip's build-hook
# runner reach the setup.py of a tree), marked, on sys.path.
put $W/i12/unmarked-run.py 'print("UNMARKED FILE RAN")'
runner='import sys
with open(sys.argv[1]) as f:
    code = f.read()
exec(compile(code, sys.argv[1], "exec"), {"__name__": "__main__"})'
mkdir -p $SITE/setuptools $SITE/pip/_vendor/pyproject_hooks/_in_process
put $SITE/setuptools/__init__.py ''
put $SITE/setuptools/launch.py "$runner"
put $SITE/pip/__init__.py ''
put $SITE/pip/_vendor/__init__.py ''
put $SITE/pip/_vendor/pyproject_hooks/__init__.py ''
put $SITE/pip/_vendor/pyproject_hooks/_in_process/__init__.py ''
put $SITE/pip/_vendor/pyproject_hooks/_in_process/_in_process.py "$runner"
# Its byte-code too: a runner is known by the module it is.
python3 -I -m py_compile $SITE/setuptools/launch.py
chmod 0755 $SITE/setuptools/__pycache__/launch.cpython-311.pyc
approve -r $SITE/setuptools $SITE/pip
# A dist-packages to prepare: pip and setuptools (one of setuptools'
# files executable, as an earlier preparation left it), their helpers, and
# a package that is not a build tool. Installed 0644, as Debian does.
d=$W/prep/dp
mkdir -p $d/pip $d/setuptools $d/_distutils_hack $d/keep
for f in pip/__init__.py setuptools/__init__.py setuptools/launch.py \
	_distutils_hack/__init__.py keep/__init__.py; do
	echo 'X = 1' >$d/$f
done
echo "import _distutils_hack" >$d/distutils-precedence.pth
chmod 0644 $d/*/*.py $d/*.pth
chmod 0755 $d/setuptools/launch.py
cp -a $d $W/prep/dp-all
$PREP $d >$W/prep/dp.log 2>&1
$PREP --exclude '' $W/prep/dp-all >>$W/prep/dp.log 2>&1
put $W/i12/imp-dp.py 'import sys
sys.path.insert(0, sys.argv[1])
for m in sys.argv[2:]:
    try:
        __import__(m)
        print("imported", m)
    except OSError as e:
        print("refused", m, type(e).__name__)'
approve $W/i12/imp-dp.py

# 12.3: a script that holds the bytes PK\5\6 (an end-of-central-directory
# signature, in a comment near its end) is a script; a zip application
# is told by its content, not its name.
printf 'print("pk script ran")\n# PK\005\006 is not a zip archive\n' >$W/i12/pk.py
chmod 0755 $W/i12/pk.py
mkzip $W/i12/app.pyz '__main__.py=print("zip app ran")'
cp $W/i12/app.pyz $W/i12/zipnamed.py
chmod 0755 $W/i12/app.pyz $W/i12/zipnamed.py
approve $W/i12/pk.py $W/i12/app.pyz $W/i12/zipnamed.py
mkzip $W/i12/unmarked.pyz '__main__.py=print("UNMARKED ZIP RAN")'
chmod 0755 $W/i12/unmarked.pyz

# 12.4: a prepared tree: a module imported with -O and -OO after its
# source changed (so only its prepared byte-code is approved), and
# modules in a .zip and an .egg archive.
d=$W/prep/opt
mkdir -p $d
echo 'WHO = "optmod"' >$d/optmod.py
printf '%s\n' 'import sys, optmod' \
	'missing = [m.__name__ for m in list(sys.modules.values()) if getattr(m, "__cached__", None) and not __import__("os").path.exists(m.__cached__)]' \
	'print("optimize", sys.flags.optimize, optmod.WHO, "missing byte-code:", missing)' >$d/optmain.py
d=$W/prep/arch
mkdir -p $d
mkzip $d/lib.zip 'zmod.py=WHO = "zip"'
mkzip $d/lib.egg 'emod.py=WHO = "egg"'
printf '%s\n' 'import sys' "sys.path[:0] = ['$d/lib.zip', '$d/lib.egg']" \
	'import zmod, emod' 'print("archives", zmod.WHO, emod.WHO)' >$d/archmain.py
$PREP $W/prep/opt $W/prep/arch >$W/prep/opt.log 2>&1
echo '# changed after it was prepared' >>$W/prep/opt/optmod.py
}

issue12_tests() {
	# 12.1: the launcher's audit hook stays on while marshal.loads runs, so
	# a Python hook's breakpoint() there is refused like any other.
	out=$($P $W/i12/hookbp.py <$W/i12/pdb-input 2>&1) bad=
	{ ! has "TYPED CODE RAN" && ! has "(Pdb)" && has "refused breakpoint()"; } || bad=$out
	verdict "issue 12.1: breakpoint() from an audit hook during marshal.loads is refused"

	# 12.2: the code runners of setuptools and pip, marked, are refused as
	# the main program: by -m and by path.
	run python3 -m setuptools.launch $W/i12/unmarked-run.py
	check "issue 12.2 (control): the stock python3 runs an unmarked file with -m setuptools.launch" \
		has "UNMARKED FILE RAN"
	bad=
	for how in "-m setuptools.launch" "$SITE/setuptools/launch.py" \
		"-m pip._vendor.pyproject_hooks._in_process._in_process" \
		"$SITE/pip/_vendor/pyproject_hooks/_in_process/_in_process.py" \
		"$SITE/setuptools/__pycache__/launch.cpython-311.pyc"; do
		# shellcheck disable=SC2086
		run $P $how $W/i12/unmarked-run.py
		{ [ $rc != 0 ] && ! has "UNMARKED FILE RAN" && has "refused"; } || bad="$bad [$how: rc=$rc $out]"
	done
	verdict "issue 12.2: setuptools.launch and pip's build-hook runner are refused as the main program"
	# execmark-python-prepare leaves pip and setuptools (and setuptools'
	# distutils hack) out by default: not compiled, not executable (an
	# earlier preparation's execute bit cleared), so not importable.
	d=$W/prep/dp bad=
	for f in pip/__init__.py setuptools/__init__.py setuptools/launch.py \
		_distutils_hack/__init__.py distutils-precedence.pth; do
		[ ! -x $d/$f ] || bad="$bad [$f executable]"
	done
	[ -z "$(ls $d/pip/__pycache__ $d/setuptools/__pycache__ 2>/dev/null)" ] || bad="$bad [byte-code compiled]"
	[ -x $d/keep/__pycache__/__init__.cpython-311.pyc ] || bad="$bad [keep not prepared]"
	[ -x $W/prep/dp-all/setuptools/__pycache__/launch.cpython-311.pyc ] || bad="$bad [--exclude '' left setuptools out]"
	run $P $W/i12/imp-dp.py $d keep setuptools pip
	{ has "imported keep" && has "refused setuptools PermissionError" && has "refused pip PermissionError"; } ||
		bad="$bad [imports: $out]"
	verdict "issue 12.2: execmark-python-prepare leaves pip and setuptools out by default (--exclude)" \
		"$(cat $W/prep/dp.log)"

	# 12.3: a zip application is told as CPython tells it (zipimport
	# accepts the file), not by four bytes in it.
	bad=
	run $P $W/i12/pk.py
	{ [ $rc = 0 ] && has "pk script ran"; } || bad="$bad [pk.py: rc=$rc $out]"
	run $P $W/i12/app.pyz
	{ [ $rc = 0 ] && has "zip app ran"; } || bad="$bad [app.pyz: rc=$rc $out]"
	run $P $W/i12/zipnamed.py
	{ [ $rc = 0 ] && has "zip app ran"; } || bad="$bad [zipnamed.py: rc=$rc $out]"
	run $P $W/i12/unmarked.pyz
	{ [ $rc != 0 ] && ! has "UNMARKED ZIP RAN"; } || bad="$bad [unmarked.pyz: rc=$rc $out]"
	verdict "issue 12.3: a script holding PK\\x05\\x06 runs as a script; zip applications are told by zipimport"

	# 12.4: -O and -OO read the prepared opt-1/opt-2 byte-code (the
	# changed source is not read: it would be refused), of the tree and of
	# the standard library; modules in prepared .zip and .egg files import.
	bad=
	for o in -O -OO; do
		run $P $o $W/prep/opt/optmain.py
		{ [ $rc = 0 ] && has "optmod missing byte-code: []"; } || bad="$bad [$o: rc=$rc $out]"
	done
	verdict "issue 12.4: -O and -OO import the prepared opt-1 and opt-2 byte-code" "$(cat $W/prep/opt.log)"
	run $P $W/prep/arch/archmain.py
	bad=
	{ [ $rc = 0 ] && has "archives zip egg"; } || bad="rc=$rc $out"
	verdict "issue 12.4: modules in a prepared .zip and .egg are imported" "$(cat $W/prep/opt.log)"
}
