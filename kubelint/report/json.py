"""`--format json`: the machine contract (`version`, `diagnostics`, `summary`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from kubelint import __version__
from kubelint.model import Diagnostic, Fix, LintResult, Origin, SetValue, format_path
from kubelint.rule import Rule


def fix_dict(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "title": fix.title,
        "safety": fix.safety.name.lower(),
        "edits": [
            {"op": "set", "path": format_path(e.path), "value": e.value} if isinstance(e, SetValue)
            else {"op": "delete", "path": format_path(e.path)}
            for e in fix.edits
        ],
    }


def diagnostic_dict(d: Diagnostic) -> dict[str, Any]:
    r = d.resource
    return {
        "rule": d.rule_id,
        "severity": d.severity.label,
        "message": d.message,
        "file": d.file,
        "line": d.span.start.line,
        "column": d.span.start.col,
        "end_line": d.span.end.line,
        "end_column": d.span.end.col,
        "path": format_path(d.path),
        "resource": None if r is None else {
            "apiVersion": r.api_version, "kind": r.kind, "name": r.name, "namespace": r.namespace},
        "origin": d.origin.template if d.origin else None,
        "fix": fix_dict(d.fix),
        "suppressed": d.suppressed_by,
        "related": [{"file": r.file, "line": r.span.start.line, "column": r.span.start.col,
                     "end_line": r.span.end.line, "end_column": r.span.end.col,
                     "message": r.message} for r in d.related],
        **source_entry(d.origin),
    }


def source_entry(origin: Origin | None) -> dict[str, Any]:
    """`{"source": {"file", "line", "approximate"}}` when the origin was mapped to its source
    (`--chart`, kustomize origin annotations); nothing otherwise, so the keys stay as they were."""
    if origin is None or origin.file is None:
        return {}
    return {"source": {"file": origin.file, "line": origin.line or 1,
                         "approximate": origin.approximate}}


def summary(result: LintResult) -> dict[str, Any]:
    active = result.active
    by_severity = {s: sum(1 for d in active if d.severity.label == s)
                   for s in ("error", "warning", "info")}
    suppressed = len(result.diagnostics) - len(active)
    baselined = 0
    if suppressed:
        from kubelint.baseline import baselined as count_baselined

        baselined = count_baselined(result)
    return {"files": result.files, "documents": result.documents, "resources": result.resources,
            "rules": result.rules_run, "diagnostics": len(active),
            "suppressed": suppressed, "baselined": baselined, **by_severity}


def _encoder() -> Callable[[Any], str]:
    """`json.dumps` for one compact value, calling json's C encoder directly: `JSONEncoder.encode`
    builds a new C encoder on every call, which costs more than encoding a diagnostic."""
    encoder = json.JSONEncoder(ensure_ascii=False, default=str)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython always has it
        return encoder.encode
    encode = make(None, encoder.default, json.encoder.encode_basestring, None, ": ", ", ",
                  False, False, True)
    return lambda value: "".join(encode(value, 0))


def render_chunks(result: LintResult, rules: Sequence[Rule] = (), *,
                  show_suppressed: bool = False, **_: Any) -> Iterator[str]:
    """One diagnostic per line inside an indented envelope: valid JSON, greppable, and written
    by json's C encoder (indent= would fall back to the slow pure-Python one). Yielded in pieces,
    so a large report is never held in memory twice."""
    shown = result.diagnostics if show_suppressed else result.active
    dumps = _encoder()
    yield f'{{\n  "version": {dumps(__version__)},\n  "diagnostics": ['
    batch: list[str] = []
    for i, d in enumerate(shown):
        batch.append(("\n    " if i == 0 else ",\n    ") + dumps(diagnostic_dict(d)))
        if len(batch) == 500:
            yield "".join(batch)
            batch.clear()
    yield "".join(batch) + ("\n  " if shown else "")
    yield f'],\n  "summary": {dumps(summary(result))}\n}}\n'


def render(result: LintResult, rules: Sequence[Rule] = (), **options: Any) -> str:
    return "".join(render_chunks(result, rules, **options))
