"""`--format junit`: JUnit XML for CI test reports (GitLab, Jenkins, Azure Pipelines, CircleCI).

One `<testsuite name="kubelint">`; one `<testcase>` per file and rule, `classname` the file and
`name` the rule id, so a CI test view lists the problem kinds of each file once, however many
times they occur. Its `<failure>` has the first message (`message`), the worst severity (`type`)
and, as text, every occurrence as `file:line:col: severity: message [rule]`. All active
diagnostics fail, whatever their severity (`--fail-level` decides the exit code, not the report).

A clean run still has a test: when the CLI passes `texts` (every linted file's text), each file
without problems is a passing `<testcase name="kubelint">`; otherwise one passing `kubelint`
testcase stands for the run. With `show_suppressed`, a rule whose diagnostics in a file are all
suppressed is a `<skipped>` testcase.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from kubelint.model import Diagnostic, LintResult
from kubelint.report.gcc import display_name, lines_of
from kubelint.rule import Rule

SUITE = "kubelint"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """Text XML 1.0 can hold: characters it forbids (controls, lone surrogates) become `\\xNN`."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


def _testcase(parent: ET.Element, file: str, name: str) -> ET.Element:
    shown = clean(display_name(file))
    return ET.SubElement(parent, "testcase", {"classname": shown, "name": clean(name),
                                              "file": shown, "time": "0"})


def render(result: LintResult, rules: Sequence[Rule] = (), *, show_suppressed: bool = False,
           texts: Mapping[str, str] | None = None, **_: Any) -> str:
    groups: dict[tuple[str, str], list[Diagnostic]] = {}
    for d in sorted(result.diagnostics, key=Diagnostic.sort_key):
        if d.suppressed_by is None or show_suppressed:
            groups.setdefault((d.file, d.rule_id), []).append(d)
    clean_files = sorted(set(texts or ()) - {file for file, _ in groups})

    suite = ET.Element("testsuite", {"name": SUITE})
    tests = failures = skipped = 0
    cases: list[tuple[str, str, list[Diagnostic]]] = [
        (file, rule_id, diags) for (file, rule_id), diags in groups.items()]
    cases += [(file, "", []) for file in clean_files]
    cases.sort(key=lambda c: (c[0], c[1]))
    for file, rule_id, diags in cases:
        tests += 1
        if not diags:
            _testcase(suite, file, SUITE)
            continue
        case = _testcase(suite, file, rule_id)
        active = [d for d in diags if d.suppressed_by is None]
        if not active:
            skipped += 1
            reasons = "; ".join(sorted({d.suppressed_by or "" for d in diags}))
            ET.SubElement(case, "skipped", {"message": clean(f"suppressed by {reasons}")})
            continue
        failures += 1
        first = active[0].message
        message = first if len(active) == 1 else f"{first} (and {len(active) - 1} more)"
        failure = ET.SubElement(case, "failure", {
            "message": clean(message), "type": max(d.severity for d in active).label})
        failure.text = clean("\n".join(line for d in active for line in lines_of(d)))
    if tests == 0:
        tests = 1
        _testcase(suite, SUITE, SUITE)
    counts = {"tests": str(tests), "failures": str(failures), "errors": "0",
              "skipped": str(skipped), "time": "0"}
    suite.attrib.update(counts)
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    root.append(suite)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
