"""`--format gcc`: `file:line:col: error: message [rule-id]`, as compilers print.

Editors and CI parse it without a plugin (Emacs compilation-mode, Vim's default errorformat,
VS Code's `$gcc` problem matcher for errors and warnings). Info diagnostics print as `note`;
a Helm template origin follows the message as in the text format; related locations follow
their diagnostic as `note` lines, the way gcc and clang print them.
Standard input is `<stdin>`. Suppressed diagnostics are left out; there is no summary line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubelint.model import Diagnostic, LintResult, Position, Severity
from kubelint.report.sarif import STDIN
from kubelint.rule import Rule

LABELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def display_name(file: str) -> str:
    return "<stdin>" if file == STDIN else file


def where(file: str, pos: Position) -> str:
    return f"{display_name(file)}:{pos.line}:{pos.col}"


def lines_of(d: Diagnostic) -> list[str]:
    """The diagnostic's line and its related notes."""
    origin = f" (from {d.origin.label})" if d.origin is not None else ""
    sev = LABELS[d.severity]
    out = [f"{where(d.file, d.span.start)}: {sev}: {d.message}{origin} [{d.rule_id}]"]
    out.extend(f"{where(r.file, r.span.start)}: note: {r.message}" for r in d.related)
    return out


def render(result: LintResult, rules: Sequence[Rule] = (), **_: Any) -> str:
    lines = [line for d in sorted(result.active, key=Diagnostic.sort_key) for line in lines_of(d)]
    return "".join(line + "\n" for line in lines)
