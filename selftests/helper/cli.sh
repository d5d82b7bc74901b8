# SPDX-License-Identifier: GPL-2.0
#
# Usage and exit codes of the command line itself.
# Sourced by run.sh, which defines what it uses (lib.sh).

cli_tests() {

	em --help
	check "execmark --help exits 0 with usage on stdout" \
		eval 'rc_is 0 && grep -q "^usage: execmark" "$W/out"'
	em
	check "execmark without a command exits 2" eval 'rc_is 2 && err_has usage:'
	em frobnicate
	check "unknown command exits 2" eval 'rc_is 2 && err_has "unknown command"'
	for c in mark verify unmark status mode lock forward "manifest export" \
		"manifest apply" manifest; do
		# shellcheck disable=SC2086
		em $c --help
		check "$c --help exits 0 with usage on stdout" \
			eval 'rc_is 0 && grep -q "^usage: execmark" "$W/out" && [ ! -s "$W/err" ]'
	done
	for c in mark verify unmark status mode lock forward "manifest export" \
		"manifest apply"; do
		# shellcheck disable=SC2086
		em $c --bogus
		check "$c --bogus exits 2 with usage on stderr" \
			eval 'rc_is 2 && err_has "usage: execmark" && [ ! -s "$W/out" ]'
	done
	em mark
	check "mark without PATH exits 2" eval 'rc_is 2 && err_has "no PATH"'
	em mark -j 0 "$W"
	check "mark -j 0 exits 2" eval 'rc_is 2 && err_has "-j takes a number"'
	em mark --algo md5 "$W"
	check "mark --algo md5 exits 2" eval 'rc_is 2 && err_has "unknown algorithm"'
	# An option the subcommand does not take is named as given, not by
	# the word after it or the subcommand's name.
	em verify --algo sha256 "$W"
	check "verify --algo names --algo" eval 'rc_is 2 && err_has "unknown option: --algo"'
	em manifest apply -rj2 "$W"
	check "manifest apply -rj2 names -r" eval 'rc_is 2 && err_has "unknown option: -r"'
	em mode sideways
	check "mode with an unknown mode exits 2" eval 'rc_is 2 && err_has "unknown mode"'
	em manifest frob
	check "manifest with an unknown subcommand exits 2" eval 'rc_is 2'
}
