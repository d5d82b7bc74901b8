#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge the console logs of the `make check` boots.

A log holds KTAP from KUnit (printed by the kernel at boot) and one TAP
document from scripts/vm/run-tests.sh, whose subtests are the selftest
programs' own TAP, indented; a boot of its own for one program
(scripts/vm-check.sh) has that program's document only. Every leaf result
is counted. The run fails on any failed or missing result (a plan not
fulfilled, an expected document absent, a boot's end marker absent), and
on any kernel oops, BUG, WARNING, hung task or panic anywhere in a log.

    tap.py VMLOG... [--host HOSTLOG]... [--kunit-suite PREFIX]

HOSTLOG is the TAP output of a host-side test run; it must hold at least one
complete document. One that begins with "# cached: " is the result of an
earlier run printed again (scripts/test-cache.sh): its passes are counted,
and said to be cached.

Prints one line per result and ends with `N passed, N failed, N skipped`
(and `(M of them cached)` after the passes if any are).
"""
import re
import sys

TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\] ?')
RESULT = re.compile(r'^( *)(ok|not ok) (\d+)\b(?: -)? ?([^#]*?)\s*(?:#\s*(.*))?$')
PLAN = re.compile(r'^( *)1\.\.(\d+)\s*(?:#.*)?$')
SUBTEST = re.compile(r'^( *)# Subtest: (.*)$')
DOC = re.compile(r'^(KTAP version 1|TAP version 13)\s*$')
KERNEL_BAD = re.compile(
    r'(Oops|BUG:|WARNING:|Kernel panic|blocked for more than \d+ seconds|'
    r'general protection fault|UBSAN:|KASAN:|kernel BUG at|Call Trace:)')
END = 'execmark-vm: end'
CACHED = '# cached: '


class Level:
    def __init__(self, indent, name):
        self.indent, self.name = indent, name
        self.plan, self.count, self.failed = None, 0, False


class Judge:
    def __init__(self):
        self.passed, self.failed, self.skipped = [], [], []
        self.problems = []
        self.docs = []           # names of the top-level results, per document
        self.cached = 0          # passes that are cached results

    def doc(self, kind):
        self.stack = [Level(0, '')]
        self.pending = {}        # indent -> subtest name announced
        self.kind = kind
        self.docs.append((kind, []))

    def close_deeper(self, indent):
        """Close the levels deeper than indent; return whether any had
        results (the result line that follows is then a parent)."""
        had_children = False
        while len(self.stack) > 1 and self.stack[-1].indent > indent:
            lvl = self.stack.pop()
            had_children = True
            self.check_plan(lvl)
        return had_children

    def check_plan(self, lvl):
        where = self.fullname(lvl.name) or self.kind
        if lvl.count == 0:
            self.problems.append(f'{where}: no results')
        elif lvl.plan is not None and lvl.count != lvl.plan:
            self.problems.append(f'{where}: {lvl.count} results for a plan of {lvl.plan}')

    def fullname(self, leaf):
        names = [lv.name for lv in self.stack[1:] if lv.name]
        return '/'.join(names + ([leaf] if leaf else []))

    def level(self, indent):
        top = self.stack[-1]
        if indent > top.indent:
            name = self.pending.pop(indent, '')
            top = Level(indent, name)
            self.stack.append(top)
        return top

    def line(self, text):
        m = SUBTEST.match(text)
        if m:
            self.pending[len(m.group(1))] = m.group(2).strip()
            return
        m = PLAN.match(text)
        if m:
            lvl = self.level(len(m.group(1)))
            if lvl.indent == len(m.group(1)):
                lvl.plan = int(m.group(2))
            return
        m = RESULT.match(text)
        if not m:
            return
        indent = len(m.group(1))
        ok = m.group(2) == 'ok'
        name = m.group(4).strip() or f'#{m.group(3)}'
        directive = (m.group(5) or '').strip()
        parent = self.close_deeper(indent)
        lvl = self.level(indent)
        lvl.count += 1
        if indent == 0:
            self.docs[-1][1].append(name)
        full = self.fullname(name)
        if parent:
            if not ok and not any(f.startswith(full + '/') for f in self.failed):
                self.failed.append(full)
                print(f'FAIL {full} ({directive})' if directive else f'FAIL {full}')
            return
        if directive.upper().startswith('SKIP'):
            self.skipped.append(full)
            print(f'SKIP {full} {directive[4:].strip()}')
        elif ok:
            self.passed.append(full)
            print(f'ok   {full}')
        else:
            self.failed.append(full)
            print(f'FAIL {full}')

    def finish(self):
        """Close the current document, if any."""
        if getattr(self, 'stack', None):
            self.close_deeper(-1)
            self.check_plan(self.stack[0])
        self.stack = None


def judge_log(judge, path, vm):
    """Feed one log to the judge; return (kernel problems, reached end,
    a cached host result)."""
    kernel_bad, ended, in_doc, in_dmesg, cached = [], False, False, False, False
    try:
        f = open(path, errors='replace')
    except OSError as e:
        judge.problems.append(f'{path}: {e.strerror}')
        return kernel_bad, ended, cached
    with f:
        for raw in f:
            raw = raw.rstrip('\r\n')
            text = TIMESTAMP.sub('', raw) if vm else raw
            if vm and KERNEL_BAD.search(text):
                kernel_bad.append(text.strip())
            if text.strip() == END:
                ended = True
            if not vm and text.startswith(CACHED):
                cached = True
                continue
            if text == 'execmark-dmesg-begin':
                judge.finish()
                in_doc, in_dmesg = False, True
                continue
            if text == 'execmark-dmesg-end':
                in_dmesg = False
                continue
            if in_dmesg:
                continue
            m = DOC.match(text)
            if m:
                judge.finish()
                kind = 'host' if not vm else (
                    'kunit' if m.group(1).startswith('KTAP') else 'selftests')
                judge.doc(kind)
                in_doc = True
                continue
            if in_doc:
                judge.line(text)
    judge.finish()
    return kernel_bad, ended, cached


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith('-'):
        sys.exit(__doc__)
    vmlogs, hostlogs, kunit_prefix = [], [], 'execmark'
    i = 0
    while i < len(args) and not args[i].startswith('-'):
        vmlogs.append(args[i])
        i += 1
    while i < len(args):
        if args[i] == '--host' and i + 1 < len(args):
            hostlogs.append(args[i + 1])
        elif args[i] == '--kunit-suite' and i + 1 < len(args):
            kunit_prefix = args[i + 1]
        else:
            sys.exit(__doc__)
        i += 2

    judge = Judge()
    problems = judge.problems
    for path in hostlogs:
        before, passed = len(judge.docs), len(judge.passed)
        _, _, cached = judge_log(judge, path, vm=False)
        if len(judge.docs) == before:
            problems.append(f'{path}: no TAP results')
        if cached:
            judge.cached += len(judge.passed) - passed
    kernel_bad, not_ended = [], []
    for vmlog in vmlogs:
        bad, ended, _ = judge_log(judge, vmlog, vm=True)
        kernel_bad += bad
        if not ended:
            not_ended.append(vmlog)

    kinds = [k for k, _ in judge.docs]
    if 'kunit' not in kinds:
        problems.append('no KUnit results in the VM log')
    elif not any(n.startswith(kunit_prefix) for k, names in judge.docs
                 if k == 'kunit' for n in names):
        problems.append(f'no KUnit suite named {kunit_prefix}* ran')
    if 'selftests' not in kinds:
        problems.append('no selftest results in the VM log')
    for vmlog in not_ended:
        problems.append(f'{vmlog}: the VM did not reach its end (crash, hang or timeout)')
    for line in dict.fromkeys(kernel_bad):
        problems.append(f'kernel: {line}')
    for p in problems:
        print(f'PROBLEM {p}')
    failed = len(judge.failed) + len(problems)
    summary = f'{len(judge.passed)} passed'
    if judge.cached:
        summary += f' ({judge.cached} of them cached)'
    summary += f', {failed} failed'
    if judge.skipped:
        summary += f', {len(judge.skipped)} skipped'
    print(summary)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
