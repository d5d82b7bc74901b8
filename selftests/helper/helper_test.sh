#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The helper's tests (selftests/helper/run.sh), inside the VM on the real
# kernel: ext4 is not here, so they run on the VM's tmpfs file systems.
exec /usr/lib/execmark/helper/run.sh /usr/lib/execmark/helper/execmark
