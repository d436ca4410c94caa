"""Suppression: inline `# kubelint:` directives and ignore-check annotations.

Inline directives are comments. A `#` only starts a comment outside scalars, so a directive-looking
text inside a quoted string or a block scalar (a ConfigMap holding a shell script) is not one: the
parser's position index tells where every scalar of a parsed document lies. In a document that
failed to parse nothing is known, and every `#` preceded by a blank is taken as a comment.

The engine asks `Directives.match` for every diagnostic; matches are recorded so that directives
that suppressed nothing can be reported (`unused-suppression`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from kubelint.parse import Document, Problem
from kubelint.rule import Rule

ANNOTATION_PREFIX = "ignore-check.kubelint.io/"
IGNORE_ALL_ANNOTATION = "kubelint.io/ignore-all"
KUBE_LINTER_PREFIX = "ignore-check.kube-linter.io/"
KUBE_LINTER_IGNORE_ALL = "kube-linter.io/ignore-all"

INVALID_SUPPRESSION = "invalid-suppression"
UNUSED_SUPPRESSION = "unused-suppression"

EVERY = "*"
"""The name recorded as used when a directive without ids matches."""

_MARKER = re.compile(r"#[ \t]*kubelint:")
_NAME = r"[A-Za-z0-9][\w.-]*"
_DIRECTIVE = re.compile(
    r"#[ \t]*kubelint:[ \t]*(?P<kind>disable-file|disable)(?![\w-])"
    rf"(?:[ \t]*=[ \t]*(?P<ids>{_NAME}(?:[ \t]*,[ \t]*{_NAME})*))?"
    r"[ \t]*(?:(?:--|#).*)?$")
_ID = re.compile(_NAME)
_BLOCK_HEADER = re.compile(r"(?:[!&]\S*[ \t]+)*[|>]")
_SOURCE_LINE = re.compile(r"^# Source: \S", re.M)
SYNTAX = "`# kubelint: disable[=rule-id,...] [-- reason]` or `# kubelint: disable-file[=...]`"


@dataclass(frozen=True, slots=True)
class Name:
    """One rule id (or alias, or category) in a directive, with its 1-based column."""

    text: str
    col: int


@dataclass(frozen=True, slots=True)
class Directive:
    line: int  # 1-based line of the comment
    col: int  # 1-based column of its `#`
    end_col: int  # 1-based column just after the directive text
    names: tuple[Name, ...]  # empty: every rule
    file_wide: bool
    target: int  # 1-based line it applies to (its own line, or the next line for a lone comment)
    region: tuple[int, int] | None = None  # disable-file in a Helm stream: lines [from, to)

    def matching_name(self, rule: Rule) -> str | None:
        """The name in this directive that covers `rule` (EVERY for a bare directive), if any."""
        if not self.names:
            return EVERY
        texts = [n.text for n in self.names]
        for candidate in (rule.id, *rule.aliases, rule.category):
            if candidate in texts:
                return candidate
        return None

    def covers_line(self, line: int) -> bool:
        return self.region is None or self.region[0] <= line < self.region[1]


@dataclass(slots=True)
class Directives:
    """The inline directives of one file, and which of their names matched something."""

    file_wide: list[Directive] = field(default_factory=list)
    by_line: dict[int, list[Directive]] = field(default_factory=dict)
    malformed: list[Problem] = field(default_factory=list)
    used: dict[Directive, set[str]] = field(default_factory=dict)

    @property
    def all(self) -> list[Directive]:
        found = self.file_wide + [d for ds in self.by_line.values() for d in ds]
        return sorted(found, key=lambda d: (d.line, d.col))

    def match(self, rule: Rule, line: int, lines: Iterable[int] = (),
              skip: Directive | None = None) -> Directive | None:
        """The directive covering `rule` for a diagnostic starting on `line` whose enclosing
        nodes start on `lines` (innermost first), and records the match. Line directives win
        over file-wide ones. `skip` (a directive being reported as unused) can only cover the
        report when it names the rule explicitly."""
        if not self.by_line and not self.file_wide:
            return None
        for ln in (line, *lines):
            for d in self.by_line.get(ln, ()):
                if self._try(d, rule, skip):
                    return d
        for d in self.file_wide:
            if d.covers_line(line) and self._try(d, rule, skip):
                return d
        return None

    def _try(self, d: Directive, rule: Rule, skip: Directive | None) -> bool:
        name = d.matching_name(rule)
        if name is None or (d is skip and name == EVERY):
            return False
        self.used.setdefault(d, set()).add(name)
        return True


def parse_directives(text: str, documents: Iterable[Document] = ()) -> Directives:
    """Find the `# kubelint:` directives of a file; `documents` (its parsed documents) tell
    which `#` characters lie inside scalars and are therefore not comments."""
    out = Directives()
    if "kubelint:" not in text:
        return out
    lines = text.split("\n")
    candidates = {i for i, line in enumerate(lines) if "kubelint:" in line}
    scalars = _scalar_spans(documents, candidates, lines)
    regions = _helm_regions(text)
    for i in sorted(candidates):
        line = lines[i].rstrip("\r")
        start = _comment_start(line, scalars.get(i, ()))
        if start is None:
            continue
        m = _MARKER.search(line, start)
        if m is None:
            continue
        col = m.start()
        d = _DIRECTIVE.match(line, col)
        if d is None:
            out.malformed.append(Problem(
                INVALID_SUPPRESSION, f"malformed suppression directive; use {SYNTAX}",
                i, col, i, len(line)))
            continue
        names: tuple[Name, ...] = ()
        if d.group("ids"):
            names = tuple(Name(n.group(), n.start() + 1)
                          for n in _ID.finditer(line, d.start("ids"), d.end("ids")))
        file_wide = d.group("kind") == "disable-file"
        lone = line[:start].strip() == ""
        target = _next_content_line(lines, i + 1) if lone and not file_wide else i + 1
        region = _region_of(regions, i + 1) if file_wide else None
        end = d.end("ids") if d.group("ids") else d.end("kind")
        directive = Directive(i + 1, col + 1, end + 1, names, file_wide, target, region)
        if file_wide:
            out.file_wide.append(directive)
        else:
            out.by_line.setdefault(target, []).append(directive)
    return out


def _comment_start(line: str, inside: Iterable[tuple[int, int]]) -> int | None:
    """The 0-based column where the comment of `line` starts, if it has one: the first `#` at the
    start of the line or after a blank that lies outside every scalar."""
    spans = tuple(inside)
    pos = line.find("#")
    while pos != -1:
        if (pos == 0 or line[pos - 1] in " \t") and not any(a <= pos < b for a, b in spans):
            return pos
        pos = line.find("#", pos + 1)
    return None


def _scalar_spans(documents: Iterable[Document], candidates: set[int],
                  lines: list[str]) -> dict[int, list[tuple[int, int]]]:
    """For each candidate line (0-based), the column ranges [a, b) covered by scalars."""
    wanted = sorted(candidates)
    out: dict[int, list[tuple[int, int]]] = {}

    def add(sl: int, sc: int, el: int, ec: int) -> None:
        if sl < len(lines) and _BLOCK_HEADER.match(lines[sl], sc):
            sl, sc = sl + 1, 0  # a block scalar's content starts below its header
        if (sl, sc) >= (el, ec):
            return
        k = bisect.bisect_left(wanted, sl)
        while k < len(wanted) and wanted[k] <= el:
            ln = wanted[k]
            a = sc if ln == sl else 0
            b = ec if ln == el else 1 << 30
            if a < b:
                out.setdefault(ln, []).append((a, b))
            k += 1

    for doc in documents:
        for path, marks in doc.positions.items():
            kl, kc, kel, kec, vl, vc, vel, vec = marks
            first, last = min(kl, vl), max(kel, vel)
            k = bisect.bisect_left(wanted, first)
            if k == len(wanted) or wanted[k] > last:
                continue  # no candidate line inside this entry
            if (kl, kc) != (vl, vc) and path and isinstance(path[-1], str):
                add(kl, kc, kel, kec)  # a mapping key (always a scalar here)
            if _is_scalar(_value_at(doc.root, path)):
                add(vl, vc, vel, vec)
    return out


_MISSING = object()


def _value_at(root: Any, path: tuple) -> Any:
    node = root
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return node


def _is_scalar(value: Any) -> bool:
    return value is not _MISSING and not isinstance(value, (dict, list))


def _next_content_line(lines: list[str], start: int) -> int:
    """The 1-based number of the first line from `start` (0-based) that is neither blank nor a
    comment."""
    for j in range(start, len(lines)):
        stripped = lines[j].strip()
        if stripped and not stripped.startswith("#"):
            return j + 1
    return start + 1


def _helm_regions(text: str) -> list[int]:
    """1-based lines of the `# Source:` headers of a rendered Helm stream."""
    if "# Source:" not in text:
        return []
    return [text.count("\n", 0, m.start()) + 1 for m in _SOURCE_LINE.finditer(text)]


def _region_of(headers: list[int], line: int) -> tuple[int, int] | None:
    """In a rendered Helm stream, a disable-file directive inside a template's part covers that
    part only; above the first `# Source:` header it covers the whole stream."""
    k = bisect.bisect_right(headers, line)
    if k == 0:
        return None  # above the first template: the whole stream
    start = headers[k - 1]
    end = headers[k] if k < len(headers) else 1 << 30
    return start, end


def check_names(directives: Directives, known: AbstractSet[str]) -> list[Problem]:
    """`invalid-suppression` problems: malformed directives and names that are not in `known`
    (rule ids, aliases and categories), with a suggestion from it."""
    problems = list(directives.malformed)
    for d in directives.all:
        for n in d.names:
            if n.text not in known:
                problems.append(Problem(
                    INVALID_SUPPRESSION,
                    f"unknown rule {n.text!r} in suppression directive"
                    f"{did_you_mean(n.text, known)}",
                    d.line - 1, n.col - 1, d.line - 1, n.col - 1 + len(n.text)))
    return problems


def unused(directives: Directives, known: AbstractSet[str],
           ran: Callable[[str], bool]) -> list[tuple[Problem, Directive]]:
    """`unused-suppression` problems: directives (or names in them) that matched nothing although
    the rules they name ran (`ran(name)`). Unknown names are left to `check_names`."""
    out: list[tuple[Problem, Directive]] = []
    for d in directives.all:
        used = directives.used.get(d, set())
        where = "in this file" if d.file_wide else "here"
        if not d.names:
            if EVERY not in used:
                out.append((Problem(UNUSED_SUPPRESSION,
                                    f"suppression directive matches no diagnostic {where}",
                                    d.line - 1, d.col - 1, d.line - 1, d.end_col - 1), d))
            continue
        for n in d.names:
            if (n.text in used or n.text not in known or n.text == UNUSED_SUPPRESSION
                    or not ran(n.text)):
                continue
            out.append((Problem(UNUSED_SUPPRESSION,
                                f"suppression of {n.text!r} matches no diagnostic {where}",
                                d.line - 1, n.col - 1, d.line - 1, n.col - 1 + len(n.text)), d))
    return out


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the closest known name, or nothing."""
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def annotation_suppression(annotations: Mapping[str, Any], rule: Rule) -> str | None:
    """The annotation on an object that turns `rule` off for it, if any."""
    if not annotations:
        return None
    if IGNORE_ALL_ANNOTATION in annotations:
        return f"annotation: {IGNORE_ALL_ANNOTATION}"
    for name in (rule.id, *rule.aliases, rule.category):
        if ANNOTATION_PREFIX + name in annotations:
            return f"annotation: {ANNOTATION_PREFIX}{name}"
    checks = rule.equivalents.get("kube-linter", ())
    for check in checks:
        if KUBE_LINTER_PREFIX + check in annotations:
            return f"annotation: {KUBE_LINTER_PREFIX}{check}"
    if checks and KUBE_LINTER_IGNORE_ALL in annotations:
        return f"annotation: {KUBE_LINTER_IGNORE_ALL}"
    return None


def unknown_annotations(annotations: Mapping[str, Any],
                        known: AbstractSet[str]) -> list[tuple[str, str]]:
    """(annotation key, message) for `ignore-check.kubelint.io/<name>` with an unknown name."""
    out = []
    for key in annotations:
        if isinstance(key, str) and key.startswith(ANNOTATION_PREFIX):
            name = key[len(ANNOTATION_PREFIX):]
            if name not in known:
                out.append((key, f"unknown rule {name!r} in annotation {key!r}"
                                 f"{did_you_mean(name, known)}"))
    return out
