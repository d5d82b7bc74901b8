#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `make demo`: a scripted story from marking to a denial in the audit log.
. /usr/lib/execmark/vmlib.sh
say() { printf '\n### %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; sh -c "$*"; }

say "execmark is an active LSM; the system was marked at boot"
run 'cat /sys/kernel/security/lsm; echo'
run 'execmark status'

say "a new script is not marked: permissive mode lets it run, and reports it"
mkdir -p /tmp/demo
printf '#!/bin/sh\necho hello from the script\n' >/tmp/demo/hello
chmod 755 /tmp/demo/hello
run 'execmark verify /tmp/demo/hello'
run '/tmp/demo/hello'

say "the administrator marks it; enforce mode runs only marked content"
run 'execmark mark /tmp/demo/hello'
run 'execmark verify /tmp/demo/hello'
run 'execmark mode enforce'
run '/tmp/demo/hello'

say "someone appends to it: the content no longer matches its mark"
run 'echo "echo and something else" >>/tmp/demo/hello'
run '/tmp/demo/hello'
run 'execmark verify /tmp/demo/hello'

say "the denials, as auditd recorded them"
sleep 1
run 'ausearch -m ANOM_EXEC -i | grep /tmp/demo/hello'

say "back to permissive"
run 'execmark mode permissive'
