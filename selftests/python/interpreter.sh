# SPDX-License-Identifier: GPL-2.0
#
# The interpreter under the launcher: -m, multiprocessing, where the
# standard library is, standard input, -X options.
# Sourced by run.sh (lib.sh defines what it uses).

interpreter_tests() {
	# -m runs modules through the checks; multiprocessing with fork.
	run sh -c "echo '[1, 2]' | $P -m json.tool --compact"
	check "-m of a marked module runs" has "[1,2]"
	run $P $W/app/mp.py
	check "multiprocessing with the fork start method works" has "fork child [1, 4, 9]"

	# The standard library is where the launcher was built to find it,
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

	# Standard input entered in the middle of a marked file (here in its
	# string literal) runs from the start of the file.
	out=$({ read -r _; $P -; } <$W/app/quote.py 2>&1)
	if has "quote ok" && ! has "QUOTED CODE RAN"; then
		ok "standard input runs from the start of the file, whatever its offset"
	else
		nok "standard input runs from the start of the file, whatever its offset"; say "$out"
	fi

	# No pycache_prefix, even given with -X; -X dev (debug memory
	# allocators) runs and exits cleanly.
	run $P -X pycache_prefix=$W/pyc $W/app/where.py
	check "-X pycache_prefix is ignored" has "pycache None"
	run $P -X dev $W/app/plain.py
	if [ $rc = 0 ] && has "plain ran"; then ok "-X dev runs and exits with status 0"; else nok "-X dev runs and exits with status 0"; say "rc=$rc $out"; fi
}
