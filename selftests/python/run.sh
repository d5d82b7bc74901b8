#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# execmark-python in the VM, execmark enforcing, on Debian's python3.11
# standard library as the image prepared it (execmark-python-prepare at
# image build, marked at boot). Each kernel denial must reach the audit
# log through the forwarder, which this test runs itself. TAP output.
#
# Each concern is a file of this directory: lib.sh (shared), fixtures.sh,
# code.sh, unchecked.sh, interpreter.sh, audit.sh; issue12.sh: the
# regression tests of issue 12.

here=$(cd "$(dirname "$0")" && pwd)
for part in lib fixtures code unchecked interpreter audit issue12; do
	. "$here/$part.sh"
done

echo "TAP version 13"
echo "1..37"

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
	rm -rf $SITE/idlelib $SITE/setuptools $SITE/pip
	[ -z "$created_site" ] || rmdir $SITE 2>/dev/null
}
trap teardown EXIT
trap 'exit 1' INT TERM

fixtures
issue12_fixtures

echo enforce >$M || { echo "Bail out! cannot switch to enforce"; exit 1; }

code_tests
unchecked_tests
interpreter_tests
issue12_tests

echo permissive >$M

audit_tests

[ $n = 37 ] || { echo "# ran $n tests, planned 37"; failed=1; }
exit $failed
