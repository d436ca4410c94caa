"""`--format github`: GitHub Actions workflow commands that annotate the changed lines.

`::error file=F,line=L,col=C,endColumn=E,title=RULE::message`, one line per active diagnostic
(`error`, `warning`, or `notice` for info); suppressed diagnostics are left out. Escaping follows
@actions/core: `%`, CR and LF in the message; also `:` and `,` in property values. Paths are
relative to the root (the working directory, where a checkout normally is) with forward slashes.
GitHub accepts columns only on single-line annotations, so a span over several lines gives
`line` and `endLine` without columns. Standard input has no file, so its annotations name none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubelint.model import Diagnostic, LintResult, Severity
from kubelint.report.sarif import STDIN, absolute_path, relative_path, resolve_root
from kubelint.rule import Rule

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic, root: str) -> str:
    props: list[tuple[str, str]] = []
    if d.file != STDIN:
        rel = relative_path(d.file, root)
        props.append(("file", rel if rel is not None else absolute_path(d.file, root)))
    start, end = d.span.start, d.span.end
    line = max(start.line, 1)
    props.append(("line", str(line)))
    if end.line > line:
        props.append(("endLine", str(end.line)))
    else:
        col = max(start.col, 1)
        props.append(("col", str(col)))
        last = end.col - 1  # kubelint's end column is exclusive, GitHub's inclusive
        if end.line == line and last >= col:
            props.append(("endColumn", str(last)))
    props.append(("title", d.rule_id))
    message = d.message
    if d.origin is not None:
        message += (f" (from Helm template {d.origin.template})" if d.origin.file is None
                    else f" (from {d.origin.label})")
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{COMMANDS[d.severity]} {head}::{escape_data(message)}"


def render(result: LintResult, rules: Sequence[Rule] = (), *, root: str | None = None,
           **_: Any) -> str:
    base = resolve_root(root)
    lines = [annotation(d, base) for d in sorted(result.active, key=Diagnostic.sort_key)]
    return "".join(line + "\n" for line in lines)
