# SPDX-License-Identifier: GPL-2.0
#
# Code that cannot be checked is refused: -c, standard input, -i,
# PYTHONSTARTUP, debuggers, the code runners of the standard library,
# IDLE's shell.
# Sourced by run.sh (lib.sh defines what it uses).

unchecked_tests() {
	# Code that cannot be checked.
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

	# The standard library's code runners, marked, are refused as the main
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

	# A module that starts a shell when imported is refused, however the
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
}
