"""Suppression: inline `# kubelint:` directives and ignore-check annotations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kubelint.rule import Rule

_DIRECTIVE = re.compile(r"#\s*kubelint:\s*(disable-file|disable)\b(?:\s*=\s*([A-Za-z0-9_,\- ]+))?")
EVERY = frozenset({"*"})

ANNOTATION_PREFIX = "ignore-check.kubelint.io/"
IGNORE_ALL_ANNOTATION = "kubelint.io/ignore-all"
KUBE_LINTER_PREFIX = "ignore-check.kube-linter.io/"


@dataclass(frozen=True, slots=True)
class Directive:
    line: int  # 1-based line of the comment
    col: int
    rules: frozenset[str]  # EVERY for all rules
    file_wide: bool
    target: int  # 1-based line it applies to (its own line, or the next line for a lone comment)

    def covers(self, rule: Rule) -> bool:
        return self.rules is EVERY or rule.id in self.rules or bool(self.rules & set(rule.aliases))


@dataclass(slots=True)
class Directives:
    """The inline directives of one file."""

    file_wide: list[Directive] = field(default_factory=list)
    by_line: dict[int, list[Directive]] = field(default_factory=dict)

    @property
    def all(self) -> list[Directive]:
        return self.file_wide + [d for ds in self.by_line.values() for d in ds]

    def match(self, rule: Rule, lines: tuple[int, ...]) -> Directive | None:
        """The directive covering `rule` at any of `lines` (the finding's line and the key lines
        of the nodes enclosing it), if any."""
        for d in self.file_wide:
            if d.covers(rule):
                return d
        for line in lines:
            for d in self.by_line.get(line, ()):
                if d.covers(rule):
                    return d
        return None


def parse_directives(text: str) -> Directives:
    out = Directives()
    if "kubelint:" not in text:
        return out
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if "kubelint:" not in line:
            continue
        m = _DIRECTIVE.search(line)
        if m is None:
            continue
        ids = frozenset(s.strip() for s in (m.group(2) or "").split(",") if s.strip()) or EVERY
        lone = line[: m.start()].strip() == ""
        target = i + 1
        if lone and m.group(1) == "disable":
            target = _next_content_line(lines, i + 1)
        d = Directive(i + 1, m.start() + 1, ids, m.group(1) == "disable-file", target)
        if d.file_wide:
            out.file_wide.append(d)
        else:
            out.by_line.setdefault(target, []).append(d)
    return out


def _next_content_line(lines: list[str], start: int) -> int:
    for j in range(start, len(lines)):
        stripped = lines[j].strip()
        if stripped and not stripped.startswith("#"):
            return j + 1
    return start + 1


def annotation_suppression(annotations: dict, rule: Rule) -> str | None:
    """The annotation on an object that turns `rule` off for it, if any."""
    if not annotations:
        return None
    if IGNORE_ALL_ANNOTATION in annotations:
        return f"annotation: {IGNORE_ALL_ANNOTATION}"
    for rid in (rule.id, *rule.aliases):
        if ANNOTATION_PREFIX + rid in annotations:
            return f"annotation: {ANNOTATION_PREFIX}{rid}"
    for check in rule.equivalents.get("kube-linter", ()):
        if KUBE_LINTER_PREFIX + check in annotations:
            return f"annotation: {KUBE_LINTER_PREFIX}{check}"
    return None
