#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The execmark-python tests (selftests/python/run.sh), as a selftest
# program of the VM.
exec /usr/lib/execmark/python/run.sh
