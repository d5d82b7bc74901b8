#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The helper's tests (selftests/helper/run.sh), inside the VM on the real
# kernel: ext4 is not here, so they run on the VM's tmpfs file systems.
# Their private keys were made on the host (keypool.sh, marks2.sh's newkey).
[ -d /usr/lib/execmark/helper/keypool ] &&
	EXECMARK_TEST_KEYPOOL=/usr/lib/execmark/helper/keypool && export EXECMARK_TEST_KEYPOOL
exec /usr/lib/execmark/helper/run.sh /usr/lib/execmark/helper/execmark
