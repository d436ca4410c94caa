"""`--format text`: `file:line:col: severity rule-id message`, then a summary line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubelint.model import LintResult, Severity
from kubelint.rule import Rule

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def render(result: LintResult, rules: Sequence[Rule] = (), *, color: bool = False,
           quiet: bool = False, show_suppressed: bool = False, **_: Any) -> str:
    lines: list[str] = []
    shown = result.diagnostics if show_suppressed else result.active
    for d in shown:
        sev = d.severity.label
        where = f"{d.file}:{d.span.start.line}:{d.span.start.col}:"
        rule_id = d.rule_id
        if color:
            where = f"{_BOLD}{where}{_RESET}"
            sev = f"{_COLORS[d.severity]}{sev}{_RESET}"
            rule_id = f"{_DIM}{rule_id}{_RESET}"
        line = f"{where} {sev} {rule_id} {d.message}"
        if d.origin is not None:
            line += f" (from {d.origin.label})"
        if d.suppressed_by:
            line += f" [suppressed by {d.suppressed_by}]"
        lines.append(line)
        lines.extend(f"    {r.file}:{r.span.start.line}:{r.span.start.col}: note: {r.message}"
                     for r in d.related)
    if not quiet:
        lines.append(summary_line(result))
    return "\n".join(lines) + ("\n" if lines else "")


def summary_line(result: LintResult) -> str:
    active = result.active
    counts = [(s, sum(1 for d in active if d.severity is s)) for s in
              (Severity.ERROR, Severity.WARNING, Severity.INFO)]
    parts = [f"{n} {s.label}{'s' if n != 1 else ''}" for s, n in counts if n]
    found = ", ".join(parts) if parts else "no problems"
    suppressed = len(result.diagnostics) - len(active)
    baselined = 0
    if suppressed:
        from kubelint.baseline import baselined as count_baselined

        baselined = count_baselined(result)
        suppressed -= baselined
    extra = f", {suppressed} suppressed" if suppressed else ""
    extra += f", {baselined} baselined" if baselined else ""
    return (f"{found}{extra} in {result.resources} resource{'s' if result.resources != 1 else ''}"
            f" from {result.files} file{'s' if result.files != 1 else ''}")
