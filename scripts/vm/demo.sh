#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make demo`: a scripted story from marking to a denial in the audit log.
. /usr/lib/execmark/vmlib.sh
say() { printf '\n### %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; sh -c "$*"; }

say "execmark is an active LSM"
run cat /sys/kernel/security/lsm
run cat $XM_SECFS/mode
say "the rest of the story (marking, enforcing, denials in audit) arrives with the LSM's checks"
