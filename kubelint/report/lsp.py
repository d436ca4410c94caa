"""`--format lsp`: `{uri: [LSP Diagnostic, ...]}`, the payload of `textDocument/publishDiagnostics`.

Keys are absolute `file://` URIs (standard input is `untitled:stdin`). Ranges are 0-based lines and
UTF-16 code-unit characters, LSP's default position encoding. kubelint's columns are code points,
so converting needs each line's text: pass `texts={file name: text}` (the CLI passes the texts it
linted). Without a file's text its columns are used as they are, which is exact unless a line holds
characters outside the Basic Multilingual Plane (emoji) before the column. With `texts`, files
without diagnostics are listed with an empty list, so a client clears their old diagnostics.

Each diagnostic has `severity` (1 error, 2 warning, 3 information), `code` (the rule id),
`codeDescription.href` (the rule's page), `source: "kubelint"`, `relatedInformation` for related
locations, and `data` with the YAML `path`, the Helm `origin` and the `fix` (as in `--format json`)
for code actions. Suppressed diagnostics are left out unless `show_suppressed`, which adds them as
hints (severity 4) with `data.suppressed`.

The language server (`kubelint lsp`) uses `document_diagnostics` for one open document, with the
position encoding the client negotiated (`utf-16`, `utf-32` or `utf-8`).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from typing import Any

from kubelint.model import Diagnostic, LintResult, Position, Severity, Span, format_path
from kubelint.report.json import fix_dict, source_entry
from kubelint.report.sarif import STDIN, file_uri, resolve_root, rule_doc_url
from kubelint.rule import Rule

STDIN_URI = "untitled:stdin"
SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.INFO: 3}
HINT = 4
ENCODINGS = ("utf-16", "utf-32", "utf-8")
"""LSP position encodings: what a character offset counts."""

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_LSP_BREAK = re.compile(r"\r\n|\r|\n")


class LineMap:
    """Converts kubelint positions (1-based `\\n`-counted lines, code-point columns) of one text to
    LSP positions (0-based lines split at `\\r\\n`, `\\r` or `\\n`, characters counted in the
    `encoding`: UTF-16 code units by default)."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        if encoding not in ENCODINGS:
            raise ValueError(f"unknown position encoding {encoding!r}")
        self.text = text
        self.encoding = encoding
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        # A lone CR is a line break for LSP clients but not for kubelint's line numbers.
        self.lsp_starts: list[int] | None = None
        if "\r" in text and text.count("\r") != text.count("\r\n"):
            self.lsp_starts = [0] + [m.end() for m in _LSP_BREAK.finditer(text)]
        self.simple = self.lsp_starts is None and (
            encoding == "utf-32" or (encoding == "utf-16" and _ASTRAL.search(text) is None)
            or (encoding == "utf-8" and text.isascii()))

    def _line_end(self, index: int) -> int:
        text, starts = self.text, self.starts
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(text)
        if end > starts[index] and text[end - 1] == "\r":
            end -= 1
        return end

    def position(self, pos: Position) -> dict[str, int]:
        line, col = max(pos.line - 1, 0), max(pos.col - 1, 0)
        if self.simple:
            return {"line": line, "character": col}
        starts = self.starts
        if line >= len(starts):
            line, col = len(starts) - 1, len(self.text)
        offset = min(starts[line] + col, self._line_end(line))
        if self.lsp_starts is None:
            lsp_line, lsp_start = line, starts[line]
        else:
            lsp_line = bisect_right(self.lsp_starts, offset) - 1
            lsp_start = self.lsp_starts[lsp_line]
        return {"line": lsp_line, "character": self._units(self.text[lsp_start:offset])}

    def _units(self, segment: str) -> int:
        if self.encoding == "utf-16":
            return len(segment.encode("utf-16-le", "surrogatepass")) // 2
        if self.encoding == "utf-8":
            return len(segment.encode("utf-8", "surrogatepass"))
        return len(segment)


def _as_is(pos: Position) -> dict[str, int]:
    return {"line": max(pos.line - 1, 0), "character": max(pos.col - 1, 0)}


class _Converter:
    def __init__(self, texts: Mapping[str, str], root: str, encoding: str = "utf-16",
                 uris: Mapping[str, str] | None = None) -> None:
        self.texts = texts
        self.root = root
        self.encoding = encoding
        self.uris = uris or {}
        self.maps: dict[str, LineMap | None] = {}

    def uri(self, file: str) -> str:
        given = self.uris.get(file)
        if given is not None:
            return given
        return STDIN_URI if file == STDIN else file_uri(file, self.root)

    def range(self, file: str, span: Span) -> dict[str, dict[str, int]]:
        if file not in self.maps:
            text = self.texts.get(file)
            self.maps[file] = LineMap(text, self.encoding) if text is not None else None
        m = self.maps[file]
        convert = m.position if m is not None else _as_is
        start, end = convert(span.start), convert(span.end)
        if (end["line"], end["character"]) < (start["line"], start["character"]):
            end = start
        return {"start": start, "end": end}


def diagnostic_dict(d: Diagnostic, conv: _Converter) -> dict[str, Any]:
    out: dict[str, Any] = {
        "range": conv.range(d.file, d.span),
        "severity": HINT if d.suppressed_by is not None else SEVERITY[d.severity],
        "code": d.rule_id,
        "codeDescription": {"href": rule_doc_url(d.rule_id)},
        "source": "kubelint",
        "message": d.message,
    }
    if d.related:
        out["relatedInformation"] = [
            {"location": {"uri": conv.uri(r.file), "range": conv.range(r.file, r.span)},
             "message": r.message} for r in d.related]
    data: dict[str, Any] = {}
    if d.path:
        data["path"] = format_path(d.path)
    if d.origin is not None:
        data["origin"] = d.origin.template
        data.update(source_entry(d.origin))
    if d.fix is not None:
        data["fix"] = fix_dict(d.fix)
    if d.suppressed_by is not None:
        data["suppressed"] = d.suppressed_by
    if data:
        out["data"] = data
    return out


def lsp_diagnostics(result: LintResult, *, texts: Mapping[str, str] | None = None,
                    root: str | None = None, show_suppressed: bool = False
                    ) -> dict[str, list[dict[str, Any]]]:
    """Diagnostics grouped by document URI, files in name order."""
    conv = _Converter(texts or {}, resolve_root(root))
    shown = result.diagnostics if show_suppressed else result.active
    by_file: dict[str, list[Diagnostic]] = {name: [] for name in (texts or {})}
    for d in shown:
        by_file.setdefault(d.file, []).append(d)
    out: dict[str, list[dict[str, Any]]] = {}
    for name in sorted(by_file):
        diags = sorted(by_file[name], key=Diagnostic.sort_key)
        out.setdefault(conv.uri(name), []).extend(diagnostic_dict(d, conv) for d in diags)
    return out


def document_diagnostics(diagnostics: Sequence[Diagnostic], file: str, text: str, *,
                         uri: str | None = None, encoding: str = "utf-16",
                         root: str | None = None,
                         others: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One document's diagnostics (as given: filter suppressed ones first) in file order, as LSP
    `Diagnostic` objects; `uri` names the document in related locations (default: from `file`);
    `others` gives the texts of other files related locations point into."""
    conv = _Converter({**(others or {}), file: text}, resolve_root(root), encoding,
                      {file: uri} if uri else None)
    return [diagnostic_dict(d, conv) for d in sorted(diagnostics, key=Diagnostic.sort_key)]


def render(result: LintResult, rules: Sequence[Rule] = (), *,
           texts: Mapping[str, str] | None = None, root: str | None = None,
           show_suppressed: bool = False, **_: Any) -> str:
    doc = lsp_diagnostics(result, texts=texts, root=root, show_suppressed=show_suppressed)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
