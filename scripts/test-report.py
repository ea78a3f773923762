#!/usr/bin/env python3
"""Summarises the .trx files of a `dotnet test` run for scripts/test.sh.

Usage: test-report.py RESULTS_DIR [FAILED_LIST]
Prints each failed test with its message and stack (a CI log is often read from its tail only), then the
count of PostgreSQL tests that passed and one closing line of totals. With FAILED_LIST, writes the fully
qualified method names of the failed tests there, one a line (theory arguments dropped).
"""
import glob
import re
import sys
import xml.etree.ElementTree as ET

ns = {'t': 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010'}
passed = failed = skipped = pg = 0
failures = []
for f in glob.glob(f'{sys.argv[1]}/**/*.trx', recursive=True):
    for r in ET.parse(f).getroot().iterfind('.//t:UnitTestResult', ns):
        outcome = r.get('outcome')
        name = r.get('testName', '')
        if outcome == 'Passed':
            passed += 1
            if 'PostgreSql' in name:
                pg += 1
        elif outcome == 'NotExecuted':
            skipped += 1
        else:
            failed += 1
            failures.append((name, r.get('duration', ''),
                             r.findtext('.//t:Message', '', ns).strip(),
                             r.findtext('.//t:StackTrace', '', ns).strip()))

for name, duration, message, stack in failures:
    print(f"\nFAILED TEST: {name} ({duration})")
    print("  " + "\n  ".join(message.splitlines()[:25]))
    print("  " + "\n  ".join(stack.splitlines()[:12]))
if len(sys.argv) > 2:
    with open(sys.argv[2], 'w') as out:
        for method in sorted({re.sub(r'\(.*$', '', name, flags=re.S) for name, *_ in failures}):
            out.write(method + '\n')
print(f"PostgreSQL tests passed: {pg}")
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
