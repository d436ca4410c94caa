"""YAML path -> span, from the parser's position index (the only reader of positions)."""

from __future__ import annotations

from kubelint.model import Position, Span, YamlPath
from kubelint.parse import Document, Problem


def span_of(doc: Document, path: YamlPath, point: str = "key") -> tuple[Span, YamlPath]:
    """The span for `path` in `doc` and the path actually found.

    A missing path falls back to its deepest existing ancestor (a required field that is absent is
    reported at the key of the object that should hold it). `point="key"` spans from the key to the
    end of its value; `point="value"` spans the value only.
    """
    positions = doc.positions
    probe = path
    while probe not in positions and probe:
        probe = probe[:-1]
    marks = positions.get(probe)
    if marks is None:
        return Span(Position(1, 1), Position(1, 1)), ()
    kl, kc, kel, kec, vl, vc, vel, vec = marks
    if point == "value" and probe == path:
        return Span(Position(vl + 1, vc + 1), Position(vel + 1, vec + 1)), probe
    if probe != path:
        # A missing field: point at the key of the deepest existing ancestor only.
        return Span(Position(kl + 1, kc + 1), Position(kel + 1, kec + 1)), probe
    return Span(Position(kl + 1, kc + 1), Position(vel + 1, vec + 1)), probe


def span_of_problem(problem: Problem) -> Span:
    return Span(Position(problem.line + 1, problem.col + 1),
                Position(problem.end_line + 1, problem.end_col + 1))
