#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host test of scripts/tap.py: the judge must fail every broken run; and of
scripts/test-cache.sh: a host suite's result is printed again only while
its inputs are the same and it passed.

Prints TAP.
"""
import os
import subprocess
import sys
import tempfile

TAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tap.py')
TEST_CACHE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'test-cache.sh')

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
HOST = "TAP version 13\nok 1 - mark\nok 2 - verify\n1..2\n"
CACHED = "# cached: helper: the result of the run at 2026-11-27 00:00:00\n" + HOST

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
    # (VM logs, host logs): a host suite's TAP, run or cached (test-cache.sh).
    ('a host suite counts', ([GOOD], [HOST]), 0, '6 passed, 0 failed'),
    ('a cached host suite counts and says so', ([GOOD], [HOST, CACHED]), 0,
     '8 passed (2 of them cached), 0 failed'),
    ('a failure in a cached host suite fails', ([GOOD], [CACHED.replace('ok 2', 'not ok 2')]), 1, None),
    ('a host log without TAP fails', ([GOOD], ['# cached: helper\n']), 1, None),
]


def cache_cases(tmp):
    """Run test-cache.sh on a suite that counts its runs; yield (name, ok)."""
    inp, runs = os.path.join(tmp, 'prog'), os.path.join(tmp, 'runs')
    os.makedirs(os.path.join(tmp, 'tests'))
    with open(inp, 'w') as f:
        f.write('v1')
    suite = f'echo run >>{runs}; echo "TAP version 13"; echo "ok 1 - x"; echo 1..1; exit $(cat {tmp}/rc 2>/dev/null || echo 0)'

    def run(**env):
        r = subprocess.run([TEST_CACHE, 'suite', inp, os.path.join(tmp, 'tests'), '--', 'sh', '-c', suite],
                           capture_output=True, text=True,
                           env=dict(os.environ, TEST_CACHE=os.path.join(tmp, 'cache'), **env))
        with open(runs) as f:
            return r.returncode, r.stdout, len(f.readlines())

    rc, out, n = run()
    yield 'test-cache.sh: a first run runs the suite', rc == 0 and n == 1 and 'ok 1 - x' in out
    rc, out, n = run()
    yield 'test-cache.sh: the same inputs print the result again, marked cached', \
        rc == 0 and n == 1 and out.startswith('# cached: suite:') and 'ok 1 - x' in out
    with open(inp, 'w') as f:
        f.write('v2')
    rc, out, n = run()
    yield 'test-cache.sh: a changed program runs it', rc == 0 and n == 2 and not out.startswith('#')
    with open(os.path.join(tmp, 'tests', 'new.sh'), 'w') as f:
        f.write('')
    rc, out, n = run()
    yield 'test-cache.sh: a new test file runs it', n == 3
    rc, out, n = run(FRESH='1')
    yield 'test-cache.sh: FRESH=1 runs it', rc == 0 and n == 4 and not out.startswith('#')
    with open(os.path.join(tmp, 'rc'), 'w') as f:
        f.write('1')
    rc, out, n = run(FRESH='1')
    rc2, out2, n2 = run()
    yield 'test-cache.sh: a failed run is not kept', rc == 1 and rc2 == 1 and n2 == 6


def main():
    print('TAP version 13')
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, log, want_rc, want_last) in enumerate(CASES, 1):
            vmlogs, hostlogs = log if isinstance(log, tuple) else (log, [])
            paths = []
            for j, text in enumerate(vmlogs if isinstance(vmlogs, list) else [vmlogs]):
                paths.append(os.path.join(tmp, f'{i}-{j}.log'))
                with open(paths[-1], 'w') as f:
                    f.write(text)
            for j, text in enumerate(hostlogs):
                paths += ['--host', os.path.join(tmp, f'{i}-host{j}.log')]
                with open(paths[-1], 'w') as f:
                    f.write(text)
            r = subprocess.run([sys.executable, TAP] + paths, capture_output=True, text=True)
            last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ''
            ok = r.returncode == want_rc and (want_last is None or last == want_last)
            failed += not ok
            print(f'{"ok" if ok else "not ok"} {i} - tap.py: {name}')
            if not ok:
                print(f'# exit {r.returncode}, last line: {last!r}')
        for name, ok in cache_cases(tmp):
            i += 1
            failed += not ok
            print(f'{"ok" if ok else "not ok"} {i} - {name}')
    print(f'1..{i}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
