#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host test of scripts/tap.py: the judge must fail every broken run.

Prints TAP.
"""
import os
import subprocess
import sys
import tempfile

TAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tap.py')

KUNIT = """[    0.7] KTAP version 1
[    0.7] 1..1
[    0.7]     KTAP version 1
[    0.7]     # Subtest: execmark
[    0.7]     1..2
[    0.7]     ok 1 mode_parse_test
[    0.7]     ok 2 ring_test
[    0.7] ok 1 execmark
"""
SELFTESTS = """TAP version 13
1..1
    # Subtest: mode_test
    TAP version 13
    1..2
    ok 1 global.a
    ok 2 global.b
ok 1 mode_test
"""
DMESG = "execmark-dmesg-begin\n[    1.0] execmark: initialized\nexecmark-dmesg-end\n"
END = "execmark-vm: end\n"
GOOD = KUNIT + SELFTESTS + DMESG + END

CASES = [
    ('a clean run passes', GOOD, 0, '4 passed, 0 failed'),
    ('a failed selftest fails', GOOD.replace('    ok 2 global.b', '    not ok 2 global.b'), 1, None),
    ('a failed KUnit case fails', GOOD.replace('ok 2 ring_test', 'not ok 2 ring_test'), 1, None),
    ('a missing result fails', GOOD.replace('    ok 2 global.b\n', ''), 1, None),
    ('a crashed program fails', GOOD.replace('ok 1 mode_test', 'not ok 1 mode_test # exit status 139'), 1, None),
    ('a kernel WARNING fails', GOOD.replace('execmark: initialized', 'WARNING: CPU: 0 PID: 1 at lsm/verify.c:1'), 1, None),
    ('an Oops fails', GOOD.replace(SELFTESTS, SELFTESTS + '[ 2.0] Oops: 0000 [#1] SMP\n'), 1, None),
    ('a hung task fails', GOOD.replace('execmark: initialized', 'INFO: task x:1 blocked for more than 30 seconds.'), 1, None),
    ('no end marker (timeout, crash) fails', GOOD.replace(END, ''), 1, None),
    ('no KUnit results fails', GOOD.replace(KUNIT, ''), 1, None),
    ('no selftests fails', GOOD.replace(SELFTESTS, ''), 1, None),
    ('an empty plan fails', GOOD.replace(SELFTESTS, 'TAP version 13\n1..0\n'), 1, None),
    ('a skip is counted, not failed', GOOD.replace('ok 2 global.b', 'ok 2 global.b # SKIP no ext4'), 0,
     '3 passed, 0 failed, 1 skipped'),
    # A second log: a boot of its own for one program, without KUnit.
    ('the results of a second boot count', [GOOD, SELFTESTS + DMESG + END], 0, '6 passed, 0 failed'),
    ('a second boot that did not end fails', [GOOD, SELFTESTS + DMESG], 1, None),
]


def main():
    print('TAP version 13')
    print(f'1..{len(CASES)}')
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, log, want_rc, want_last) in enumerate(CASES, 1):
            paths = []
            for j, text in enumerate(log if isinstance(log, list) else [log]):
                paths.append(os.path.join(tmp, f'{i}-{j}.log'))
                with open(paths[-1], 'w') as f:
                    f.write(text)
            r = subprocess.run([sys.executable, TAP] + paths, capture_output=True, text=True)
            last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ''
            ok = r.returncode == want_rc and (want_last is None or last == want_last)
            failed += not ok
            print(f'{"ok" if ok else "not ok"} {i} - tap.py: {name}')
            if not ok:
                print(f'# exit {r.returncode}, last line: {last!r}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
