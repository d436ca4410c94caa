"""Immutable values that flow from rules through the engine to reporters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum
from functools import lru_cache
from typing import Any, Union

YamlPath = tuple[Union[str, int], ...]


class Severity(IntEnum):
    """Diagnostic severity; higher is worse."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use info, warning or error)") from None


_LABELS = {s: s.name.lower() for s in Severity}


class Safety(IntEnum):
    SAFE = 1
    UNSAFE = 2


_QUOTED_STEP = re.compile(r"^$|[.\[\] ]")


def format_path(path: YamlPath) -> str:
    """Render a YAML path as `spec.containers[0].image` (keys with `.`, `[`, `]` or spaces are
    quoted)."""
    out: list[str] = []
    for step in path:
        if type(step) is int:
            out.append(f"[{step}]")
        else:
            text = _key_text(step)
            out.append("." + text if out else text)
    return "".join(out)


@lru_cache(maxsize=4096)
def _key_text(step: object) -> str:
    """A path's key as shown: quoted when it holds `.`, `[`, `]` or a space (or is empty)."""
    text = str(step)
    if _QUOTED_STEP.search(text):
        text = '"' + text.replace('"', '\\"') + '"'
    return text


@dataclass(frozen=True, slots=True)
class Position:
    """1-based line and column (code points)."""

    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Span:
    start: Position
    end: Position


@dataclass(frozen=True, slots=True)
class SetValue:
    """Edit: set the value at `path` (creating missing mapping keys)."""

    path: YamlPath
    value: Any


@dataclass(frozen=True, slots=True)
class DeleteKey:
    """Edit: remove the key (or sequence item) at `path`."""

    path: YamlPath


Edit = Union[SetValue, DeleteKey]


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    safety: Safety = Safety.SAFE


@dataclass(frozen=True, slots=True)
class Related:
    """Another object a finding refers to (rules give the Resource; the engine locates it)."""

    target: Any  # a kubelint.k8s.Resource
    path: YamlPath
    message: str


@dataclass(frozen=True, slots=True)
class RelatedLocation:
    file: str
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule reports: a path inside the object and a message.

    `point` says what the path's last step designates: "key" (the default: the wrong key,
    spanning to the end of its value) or "value". `severity` overrides the rule's for this finding
    (a Pod Security warn label makes a warning of an admission rule's error); a severity set in
    the config still wins.
    """

    path: YamlPath
    message: str
    fix: Fix | None = None
    point: str = "key"
    related: tuple[Related, ...] = ()
    severity: Severity | None = None  # this finding's own severity, unless the config sets one


@dataclass(frozen=True, slots=True)
class ResourceRef:
    api_version: str | None
    kind: str | None
    name: str | None
    namespace: str | None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a rendered Helm document came from (`# Source:` line).

    With the chart at hand (`--chart`), `file` is the template on disk and `line` the template
    line the finding maps to; `approximate` says that line is not proven to be the one (it is the
    nearest proven ancestor key, or line 1)."""

    template: str
    file: str | None = None
    line: int | None = None
    approximate: bool = False

    @property
    def chart(self) -> str:
        return self.template.split("/", 1)[0]

    @property
    def label(self) -> str:
        """`web/templates/deploy.yaml` unmapped; `chart/templates/deploy.yaml:12` mapped, with
        `, approximate` when the line is not proven."""
        if self.file is None:
            return self.template
        where = f"{self.file}:{self.line or 1}"
        return where + ", approximate" if self.approximate else where


@dataclass(frozen=True, slots=True)
class Diagnostic:
    rule_id: str
    severity: Severity
    message: str
    file: str
    span: Span
    path: YamlPath = ()
    resource: ResourceRef | None = None
    origin: Origin | None = None
    fix: Fix | None = None
    suppressed_by: str | None = None
    related: tuple[RelatedLocation, ...] = ()
    document: int = 0  # the document's index within its file (Document.index), for fixes

    def sort_key(self) -> tuple:
        return (self.file, self.span.start.line, self.span.start.col, self.rule_id, self.message)


@dataclass(frozen=True, slots=True)
class LintResult:
    diagnostics: tuple[Diagnostic, ...]
    files: int
    documents: int
    resources: int
    rules_run: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def active(self) -> tuple[Diagnostic, ...]:
        """Diagnostics that are not suppressed."""
        return tuple(d for d in self.diagnostics if d.suppressed_by is None)
