# SPDX-License-Identifier: GPL-2.0
#
# Approved code runs, and code that is not approved does not: scripts,
# modules, byte-code, .pth files, shared libraries.
# Sourced by run.sh (lib.sh defines what it uses).

code_tests() {
	# The image's standard library is prepared.
	check "the standard library is marked and executable (prepared)" \
		sh -c "execmark verify -q $LIB/json/__init__.py $LIB/json/__pycache__/__init__.cpython-311.pyc $LIB/lib-dynload/_json.cpython-311-x86_64-linux-gnu.so >/dev/null &&
		[ -x $LIB/json/__init__.py ] && [ -x $LIB/json/__pycache__/__init__.cpython-311.pyc ]"

	# Main scripts.
	run $P $W/app/main.py
	check "a marked script runs and imports marked modules" has "main ok 42"
	run $P $W/app/unmarked.py
	if [ $rc != 0 ] && ! has "UNMARKED MAIN RAN" && has "$W/app/unmarked.py" && has "Errno 13"; then
		ok "an unmarked script is refused (EACCES, named)"
	else
		nok "an unmarked script is refused (EACCES, named)"; say "$out"
	fi

	# Imports.
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

	# Byte-code.
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

	# .pth files.
	rm -f $W/pth-good $W/pth-evil
	run $P $W/app/plain.py
	check "a marked .pth runs" test -e $W/pth-good
	check "an unmarked .pth does not run" test ! -e $W/pth-evil

	# Shared libraries (the kernel's mmap check).
	run $P $W/app/cdll.py /usr/lib/execmark/aux/preload.so
	check "(control) ctypes.CDLL of a marked .so loads" has "loaded"
	run $P $W/app/cdll.py $W/unmarked.so
	if has "refused:" && ! has "loaded"; then ok "ctypes.CDLL of an unmarked .so fails"; else nok "ctypes.CDLL of an unmarked .so fails"; say "$out"; fi
}
