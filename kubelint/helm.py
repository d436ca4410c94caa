"""Helm: map diagnostics in `helm template` output back to the chart's template files and lines.

Every rendered document names its template (`# Source: <chart>/templates/<file>`, kept by
`parse.py` as the document's origin). Given the chart folder, the template file is found by
dropping the chart name (a subchart's `<chart>/charts/<sub>/templates/<file>` lies under the
chart's `charts/<sub>/`). The line is searched for the way sqlfluff maps templated slices, and
claimed only when proven:

- Each key of the diagnostic's YAML path is looked up, in nesting order, inside the block of the
  key proven before it, on a literal template line (not a `{{ ... }}` action, comment or block
  scalar) that starts like the rendered line up to the key's column (the same indentation and
  `- ` markers) and holds the same key. A line without `{{` must equal the rendered line, value
  included; on a line with `{{`, the literal text before the first `{{` must start the rendered
  line.
- The key must be the only such line in the block; one under an `if`/`with`/`range` is not
  proven when the block also holds an action that could emit the same key (`include`, `toYaml`,
  ... without an `nindent` that rules it out).
- Sequence item `k` is the `k`-th literal item of its list when no action line comes before it
  in the list's block (so no item before it is conditional, repeated or generated).
- Nodes on the same rendered line as a proven node (flow collections) are proven when that
  template line is plain text equal to the rendered line.

What cannot be proven points at the nearest proven ancestor key (or line 1) and is marked
approximate. Templates defined elsewhere (`_helpers.tpl`) are never searched: their text is
re-indented by `nindent`, so nothing there is proven.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from kubelint.errors import UsageError
from kubelint.model import Diagnostic, LintResult, Origin, YamlPath
from kubelint.parse import Document, parse_text

LITERAL, ACTION, SKIP = 0, 1, 2
_CONTROL = re.compile(r"\{\{-?\s*(?:/\*|if\b|else\b|end\b|with\b|range\b|define\b|block\b"
                      r"|break\b|continue\b|\$\w*\s*:?=)")
_OPENS = re.compile(r"\{\{-?\s*(?:if|with|range|define|block)\b")
_ENDS = re.compile(r"\{\{-?\s*end\b")
_INDENT = re.compile(r"\bn?indent\s+(\d+)\s*-?\}\}")
_BLOCK_SCALAR = re.compile(r":[ \t]+[|>][-+0-9]*[ \t]*(?:#.*)?$")
HELM_TIMEOUT = 120


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    kind: int  # LITERAL, ACTION or SKIP
    indent: int  # column of the first non-space character
    emits: bool = False  # an action that writes text (include, toYaml, ...), not control flow
    nindent: int | None = None  # the indentation that action gives its output, when it says


def template_lines(text: str) -> list[_Line]:
    """Classify each template line: literal YAML, a template action, or skipped (blank,
    comment, block scalar content, the inside of a multi-line action)."""
    out: list[_Line] = []
    depth = 0  # unclosed `{{` from earlier lines
    scalar: int | None = None  # inside a block scalar whose key sits at this column
    for raw in text.splitlines():
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip(" "))
        starts_action = stripped.startswith("{{")
        if depth > 0 or starts_action:
            kind = ACTION
        elif not stripped or stripped.startswith("#") or (scalar is not None and indent > scalar):
            kind = SKIP
        else:
            kind = LITERAL
            scalar = None
        if kind == ACTION and depth == 0:
            m = _INDENT.search(stripped)
            out.append(_Line(raw, kind, indent, not _CONTROL.match(stripped),
                             int(m.group(1)) if m else None))
        else:
            out.append(_Line(raw, kind, indent))
        depth = max(0, depth + raw.count("{{") - raw.count("}}"))
        if kind == LITERAL and _BLOCK_SCALAR.search(raw.split("{{", 1)[0] if "{{" in raw
                                                     else raw):
            scalar = indent + len(stripped) - len(stripped.lstrip("- "))
    return out


def _starts_like(t: str, r: str) -> bool:
    """A template line that can have produced the rendered line `r`."""
    if "{{" not in t:
        return t.rstrip() == r.rstrip()
    return r.startswith(t[:t.index("{{")])


def _key_block_end(lines: list[_Line], at: int, col: int, hi: int) -> int:
    """Where the block of the key at line index `at`, column `col`, ends."""
    for j in range(at + 1, hi):
        ln = lines[j]
        if ln.kind == LITERAL and (ln.indent < col or (
                ln.indent == col and not ln.text.lstrip(" ").startswith("-"))):
            return j
    return hi


def _item_block_end(lines: list[_Line], at: int, col: int, hi: int) -> int:
    for j in range(at + 1, hi):
        if lines[j].kind == LITERAL and lines[j].indent < col:
            return j
    return hi


def _conditional(lines: list[_Line], lo: int, j: int) -> bool:
    """Whether line `j` lies inside an `if`/`with`/`range` opened after line `lo`."""
    depth = 0
    for ln in lines[lo:j]:
        if "{{" in ln.text:
            depth += len(_OPENS.findall(ln.text)) - len(_ENDS.findall(ln.text))
    return depth > 0


def _may_emit_at(lines: list[_Line], lo: int, hi: int, col: int, skip: range) -> bool:
    """Whether an action in lines `lo:hi` (outside `skip`) could write a key at `col`."""
    return any(ln.kind == ACTION and ln.emits and ln.nindent in (None, col)
               for j, ln in enumerate(lines[lo:hi], lo) if j not in skip)


def locate(lines: list[_Line], rendered: list[str], doc: Document,
           path: YamlPath) -> tuple[int | None, bool]:
    """The template line index (0-based) for `path`, and whether it is proven; when it is not,
    the line of the nearest proven ancestor (None: no ancestor proven)."""
    lo, hi = 0, len(lines)
    proven: int | None = None
    proven_rline = -1
    for i, step in enumerate(path):
        marks = doc.marks(path[:i + 1])
        if marks is None:
            return proven, False
        rline, col = (marks[0], marks[1])
        if rline >= len(rendered):
            return proven, False
        r = rendered[rline]
        if rline == proven_rline and proven is not None:
            # a flow collection: proven only on a plain template line equal to the rendered one
            if "{{" in lines[proven].text or lines[proven].text.rstrip() != r.rstrip():
                return proven, False
            continue
        if isinstance(step, int):
            found = _item(lines, lo, hi, r, col, step)
            if found is None:
                return proven, False
            lo, hi = found, _item_block_end(lines, found, col, hi)
        else:
            end_col = marks[3] if marks[2] == rline else len(r)
            found = _key(lines, lo, hi, r, col, r[col:end_col])
            if found is None:
                return proven, False
            lo, hi = found, _key_block_end(lines, found, col, hi)
        proven, proven_rline = found, rline
    return proven, True


def _key(lines: list[_Line], lo: int, hi: int, r: str, col: int, key: str) -> int | None:
    if not key:
        return None
    found = []
    for j in range(lo, hi):
        ln = lines[j]
        t = ln.text
        if ln.kind != LITERAL or t[:col] != r[:col] or not t.startswith(key, col):
            continue
        if t[col + len(key):].lstrip(" ").startswith(":") and _starts_like(t, r):
            found.append(j)
    if len(found) != 1:
        return None
    j = found[0]
    if _conditional(lines, lo, j) and _may_emit_at(lines, lo, hi, col,
                                                   range(j, _subtree_end(lines, j, col, hi))):
        return None
    return j


def _subtree_end(lines: list[_Line], at: int, col: int, hi: int) -> int:
    """Like `_key_block_end`, but an action line as indented as the key ends it too."""
    for j in range(at + 1, hi):
        ln = lines[j]
        if ln.kind != SKIP and (ln.indent < col or (
                ln.indent == col and not ln.text.lstrip(" ").startswith("-"))):
            return j
    return hi


def _item(lines: list[_Line], lo: int, hi: int, r: str, col: int, k: int) -> int | None:
    seen = 0
    for j in range(lo, hi):
        ln = lines[j]
        if ln.kind == ACTION:
            return None  # items before this one may be conditional, repeated or generated
        t = ln.text
        if ln.kind == LITERAL and t[:col] == r[:col] and "-" in t[:col] and len(t) > col:
            if seen == k:
                return j if _starts_like(t, r) else None
            seen += 1
    return None


def chart_name(chart_dir: str) -> str:
    """The `name` in the chart's Chart.yaml (UsageError when it is not a chart)."""
    path = Path(chart_dir, "Chart.yaml")
    try:
        docs = parse_text(path.read_text(encoding="utf-8")).documents
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--chart: {chart_dir} is not a Helm chart (cannot read "
                         f"{path}: {getattr(exc, 'strerror', None) or exc})") from None
    meta = docs[0].root if docs else None
    name = meta.get("name") if isinstance(meta, dict) else None
    if not isinstance(name, str) or not name:
        raise UsageError(f"--chart: {path} has no chart name")
    return name


def template_file(chart_dir: str, template: str) -> str:
    """The path of a `# Source:` template inside the chart folder (the chart name dropped)."""
    inside = template.split("/", 1)[1] if "/" in template else template
    return os.path.join(chart_dir, *inside.split("/"))


class ChartMap:
    """Maps diagnostics of one chart's rendered output; `notes` say what could not be mapped."""

    def __init__(self, chart_dir: str) -> None:
        self.chart_dir = chart_dir
        self.name = chart_name(chart_dir)
        self.notes: list[str] = []
        self._templates: dict[str, list[_Line] | None] = {}

    def _template(self, template: str) -> list[_Line] | None:
        if template not in self._templates:
            lines = None
            if template.split("/", 1)[0] != self.name:
                self.notes.append(f"{template} is not from chart {self.name!r} "
                                  f"({self.chart_dir}); not mapped")
            else:
                file = template_file(self.chart_dir, template)
                try:
                    lines = template_lines(Path(file).read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError):
                    self.notes.append(f"{template}: no such template in {self.chart_dir} "
                                      "(a packaged subchart?); not mapped")
            self._templates[template] = lines
        return self._templates[template]

    def map_result(self, result: LintResult, texts: Mapping[str, str]) -> LintResult:
        """`result` with each Helm origin of this chart mapped to its template file and line."""
        if not any(d.origin is not None for d in result.diagnostics):
            return result
        parsed: dict[str, tuple[list[str], dict[int, Document]]] = {}
        out = []
        for d in result.diagnostics:
            origin = d.origin
            lines = self._template(origin.template) if origin is not None else None
            if origin is None or lines is None or d.file not in texts:
                out.append(d)
                continue
            if d.file not in parsed:
                text = texts[d.file]
                parsed[d.file] = (text.splitlines(),
                                  {doc.index: doc for doc in parse_text(text).documents})
            rendered, docs = parsed[d.file]
            out.append(replace(d, origin=self._mapped(origin, lines, rendered,
                                                      docs.get(d.document), d)))
        return replace(result, diagnostics=tuple(out))

    def _mapped(self, origin: Origin, lines: list[_Line], rendered: list[str],
                doc: Document | None, d: Diagnostic) -> Origin:
        index, exact = None, False
        if doc is not None and d.path:
            path = d.path
            while path and path not in doc.positions:
                path = path[:-1]  # located at the deepest existing ancestor, as the span is
            if path:
                index, exact = locate(lines, rendered, doc, path)
        file = template_file(self.chart_dir, origin.template)
        if index is None:
            return Origin(origin.template, file, 1, approximate=True)
        return Origin(origin.template, file, index + 1, approximate=not exact)


def render_chart(chart_dir: str) -> str:
    """`helm template DIR` output (UsageError when helm is missing or fails)."""
    helm = shutil.which("helm")
    if helm is None:
        raise UsageError(f"--chart without paths renders the chart with `helm template`, but "
                         f"helm is not on PATH; render it yourself: helm template {chart_dir} "
                         f"| kubelint lint --chart {chart_dir} -")
    try:
        proc = subprocess.run([helm, "template", chart_dir], capture_output=True, text=True,
                              timeout=HELM_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"helm template {chart_dir} failed: {exc}") from None
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        raise UsageError(f"helm template {chart_dir} failed: {detail[0]}")
    return proc.stdout
