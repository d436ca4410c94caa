"""Parses and diagnostics as plain tuples, which `marshal` can carry back from a worker process.

A worker checks whole resources, so what all diagnostics of one resource share (file, document,
resource, origin) is not sent: the receiver passes it to `decode`.
"""

from __future__ import annotations

from kubelint.model import (DeleteKey, Diagnostic, Fix, Origin, Position, RelatedLocation,
                            ResourceRef, Safety, SetValue, Severity, Span)
from kubelint.parse import Document, ParseResult, Positions, Problem


def encode(d: Diagnostic) -> tuple:
    s, e = d.span.start, d.span.end
    return (d.rule_id, int(d.severity), d.message, s.line, s.col, e.line, e.col, d.path,
            _fix(d.fix), d.suppressed_by,
            tuple((r.file, r.span.start.line, r.span.start.col, r.span.end.line, r.span.end.col,
                   r.message) for r in d.related),
            d.resource is not None)


def decode(data: tuple, file: str, document: int, resource: ResourceRef | None,
           origin: Origin | None) -> Diagnostic:
    rule_id, severity, message, sl, sc, el, ec, path, fix, suppressed, related, has_res = data
    return Diagnostic(  # positional, in field order: this runs once per diagnostic
        rule_id, _SEVERITIES[severity], message, file, Span(Position(sl, sc), Position(el, ec)),
        path, resource if has_res else None, origin,
        None if fix is None else _unfix(fix), suppressed,
        tuple(RelatedLocation(f, Span(Position(a, b), Position(c, d)), m)
              for f, a, b, c, d, m in related) if related else (),
        document)


_SEVERITIES = {int(s): s for s in Severity}


def _fix(fix: Fix | None) -> tuple | None:
    if fix is None:
        return None
    return (fix.title, int(fix.safety),
            tuple((0, e.path, e.value) if isinstance(e, SetValue) else (1, e.path)
                  for e in fix.edits))


def _unfix(data: tuple) -> Fix:
    title, safety, edits = data
    return Fix(title, tuple(SetValue(e[1], e[2]) if e[0] == 0 else DeleteKey(e[1])
                            for e in edits), Safety(safety))


def encode_parse(result: ParseResult | None) -> tuple | None:
    if result is None:
        return None
    return ([(d.index, d.root, d.positions.packed, d.origin, [_problem(p) for p in d.problems])
             for d in result.documents], [_problem(p) for p in result.problems])


def _problem(p: Problem) -> tuple:
    return (p.rule_id, p.message, p.line, p.col, p.end_line, p.end_col)


def decode_parse(data: tuple | None) -> ParseResult | None:
    if data is None:
        return None
    docs, problems = data
    return ParseResult([Document(index, root, Positions(packed), origin,
                                 [Problem(*p) for p in doc_problems])
                        for index, root, packed, origin, doc_problems in docs],
                       [Problem(*p) for p in problems])
