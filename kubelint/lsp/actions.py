"""What the language server offers on a diagnostic: hover text, its fix, and suppression comments.

Everything here works on a `Linted` document and returns LSP-shaped dicts: ranges
(`{"start": {"line", "character"}, "end": ...}`, in the document's position encoding) and text
edits (`{"range", "newText"}`). A suppression edit is only offered when the edited text, parsed
again, holds a directive covering the diagnostic and still has the same values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kubelint.lsp.document import Linted
from kubelint.model import Diagnostic, Position, Safety

LspRange = dict[str, dict[str, int]]
TextEdit = dict[str, Any]

_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
_EOL = re.compile(r"\r?\n")
_SEPARATOR = re.compile(r"---(?=[ \t\r]|$)")


def _key(pos: dict[str, int]) -> tuple[int, int]:
    return pos["line"], pos["character"]


def contains(rng: LspRange, line: int, character: int) -> bool:
    """Whether the position lies in the range (both ends included, as editors hover)."""
    return _key(rng["start"]) <= (line, character) <= _key(rng["end"])


def overlaps(a: LspRange, b: LspRange) -> bool:
    return _key(a["start"]) <= _key(b["end"]) and _key(b["start"]) <= _key(a["end"])


def at_position(linted: Linted, line: int, character: int) -> list[int]:
    """Indices of the diagnostics whose range holds the position."""
    return [i for i, lsp in enumerate(linted.lsp) if contains(lsp["range"], line, character)]


def in_range(linted: Linted, rng: LspRange) -> list[int]:
    """Indices of the diagnostics whose range overlaps `rng`."""
    return [i for i, lsp in enumerate(linted.lsp) if overlaps(lsp["range"], rng)]


# --- hover --------------------------------------------------------------------------------------

def hover_markdown(d: Diagnostic) -> str:
    """The rule's documentation for one diagnostic, in Markdown."""
    from kubelint.report.sarif import rule_doc_url
    from kubelint.rules import by_id

    head = f"**kubelint `{d.rule_id}`** ({d.severity.label})"
    try:
        rule = by_id(d.rule_id)
    except KeyError:
        return f"{head}\n\n{d.message}"
    parts = [f"{head} · {rule.category}", rule.summary,
             f"**Why:** {rule.rationale}", f"**How to fix:** {rule.remediation}"]
    if d.fix is not None:
        kind = "safe" if d.fix.safety == Safety.SAFE else "unsafe"
        parts.append(f"**Fix available** ({kind}): {d.fix.title}")
    parts.append(f"[Rule documentation]({rule_doc_url(rule.id)})")
    return "\n\n".join(parts)


# --- edits --------------------------------------------------------------------------------------

def _position_at(text: str, offset: int) -> Position:
    """The kubelint position (1-based line, code-point column) of a character offset."""
    line_start = text.rfind("\n", 0, offset) + 1
    return Position(text.count("\n", 0, offset) + 1, offset - line_start + 1)


def text_edits(before: str, after: str, encoding: str = "utf-16") -> list[TextEdit]:
    """One edit turning `before` into `after`, replacing only the lines that differ."""
    from kubelint.report.lsp import LineMap

    if before == after:
        return []
    a, b = _LINE.findall(before), _LINE.findall(after)
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while (suffix < min(len(a), len(b)) - prefix
           and a[len(a) - 1 - suffix] == b[len(b) - 1 - suffix]):
        suffix += 1
    start = sum(map(len, a[:prefix]))
    end = len(before) - sum(map(len, a[len(a) - suffix:]))
    new = "".join(b[prefix:len(b) - suffix])
    m = LineMap(before, encoding)
    rng = {"start": m.position(_position_at(before, start)),
           "end": m.position(_position_at(before, end))}
    return [{"range": rng, "newText": new}]


@dataclass(frozen=True, slots=True)
class Action:
    """A code action for one diagnostic: its title, kind and the edits to the document."""

    title: str
    kind: str  # "quickfix"
    edits: tuple[TextEdit, ...]
    preferred: bool = False


def fix_action(linted: Linted, d: Diagnostic) -> Action | None:
    """The diagnostic's own fix, applied alone (unsafe fixes too: the user picks it)."""
    from kubelint.fix import REFUSED_RULES, fix_text

    if d.fix is None or not d.fix.edits:
        return None
    refused = [x for x in linted.every if x.rule_id in REFUSED_RULES]
    outcome = fix_text(linted.text, [d, *refused], unsafe=True)
    if outcome.applied == 0 or outcome.text == linted.text:
        return None
    safe = d.fix.safety == Safety.SAFE
    title = d.fix.title if safe else f"{d.fix.title} (unsafe)"
    return Action(title, "quickfix", tuple(text_edits(linted.text, outcome.text, linted.encoding)),
                  preferred=safe)


def suppress_line_action(linted: Linted, d: Diagnostic) -> Action | None:
    """`# kubelint: disable=<rule>` at the end of the diagnostic's line (added to a directive
    already there), or alone on the line above when the line has a comment or cannot take one.

    Only the YAML document holding the line (the text between `---` lines) is parsed again."""
    from kubelint.parse import parse_text
    from kubelint.suppress import parse_directives

    text, line = linted.text, d.span.start.line
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    first = next((i for i in range(line - 1, 0, -1) if _SEPARATOR.match(lines[i])), 0)
    last = next((i for i in range(line, len(lines)) if _SEPARATOR.match(lines[i])), len(lines))
    chunk_start = sum(len(x) + 1 for x in lines[:first])
    chunk = "\n".join(lines[first:last])
    local = line - first  # the line's number within the chunk
    start = sum(len(x) + 1 for x in lines[first:line - 1])  # its offset within the chunk
    body = lines[line - 1].rstrip("\r")
    eol = "\r\n" if lines[line - 1].endswith("\r") else "\n"
    parsed = parse_text(chunk)
    here = [x for x in parse_directives(chunk, parsed.documents).by_line.get(local, ())
            if x.line == local and x.names]
    candidates: list[tuple[int, str, int]] = []  # (offset, inserted text, line it must cover)
    if here:
        candidates.append((start + here[0].end_col - 1, f",{d.rule_id}", local))
    elif "#" not in body:
        gap = "" if body.endswith((" ", "\t")) else "  "
        candidates.append((start + len(body), f"{gap}# kubelint: disable={d.rule_id}", local))
    indent = body[:len(body) - len(body.lstrip(" "))]
    candidates.append((start, f"{indent}# kubelint: disable={d.rule_id}{eol}", local + 1))
    for offset, insert, target in candidates:
        after = chunk[:offset] + insert + chunk[offset:]
        if _covers(after, parsed, d.rule_id, target):
            whole = text[:chunk_start] + after + text[chunk_start + len(chunk):]
            return Action(f"Suppress {d.rule_id} on this line", "quickfix",
                          tuple(text_edits(text, whole, linted.encoding)))
    return None


def suppress_file_action(linted: Linted, d: Diagnostic) -> Action | None:
    """`# kubelint: disable-file=<rule>` on a new first line (a comment there never changes
    a value), or added to such a directive already at the top."""
    from kubelint.parse import parse_text
    from kubelint.suppress import parse_directives

    text = linted.text
    # Without the parsed documents every `#` after a blank counts: checked below when used.
    top = [x for x in parse_directives(text).file_wide if x.region is None and x.names]
    if top:
        x = top[0]
        offset = sum(len(s) + 1 for s in text.split("\n")[:x.line - 1]) + x.end_col - 1
        after = text[:offset] + f",{d.rule_id}" + text[offset:]
        if not _covers(after, parse_text(text), d.rule_id, None):
            top = []
    if not top:
        m = _EOL.search(text)
        eol = m.group() if m else "\n"
        after = f"# kubelint: disable-file={d.rule_id}{eol}" + text
    return Action(f"Suppress {d.rule_id} in this file", "quickfix",
                  tuple(text_edits(text, after, linted.encoding)))


def _covers(after: str, before: Any, rule_id: str, line: int | None) -> bool:
    """Whether `after` reads as the same values as the parse `before` and has a directive
    covering `rule_id` on `line` (None: in the whole file)."""
    from kubelint.parse import parse_text
    from kubelint.rules import by_id
    from kubelint.suppress import parse_directives

    try:
        rule = by_id(rule_id)
    except KeyError:
        return False
    parsed = parse_text(after)
    if (_problems(parsed) > _problems(before)
            or [doc.root for doc in parsed.documents] != [doc.root for doc in before.documents]):
        return False
    directives = parse_directives(after, parsed.documents)
    if line is None:
        found = [x for x in directives.file_wide if x.region is None]
    else:
        found = directives.by_line.get(line, [])
    return any(x.matching_name(rule) is not None for x in found)


def _problems(parsed: Any) -> int:
    return len(parsed.problems) + sum(len(doc.problems) for doc in parsed.documents)


def actions_for(linted: Linted, index: int) -> list[Action]:
    """Every code action for the diagnostic `linted.diagnostics[index]`."""
    d = linted.diagnostics[index]
    found = [fix_action(linted, d), suppress_line_action(linted, d),
             suppress_file_action(linted, d)]
    return [a for a in found if a is not None]
