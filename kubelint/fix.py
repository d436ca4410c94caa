"""Applying fixes: path-based edits (`SetValue`, `DeleteKey`), one YAML document at a time.

A file is split at its `---` lines; documents that no fix edits keep their exact text. In an
edited document, the fixes are first made on its values as Kubernetes reads them (a conflicting
fix waits for the next pass, one that does not fit the document is skipped). Then the text:

- when every edit replaces a one-line scalar by a scalar, the new scalars are written over the old
  ones (nothing else on the line moves);
- otherwise the document is loaded with ruamel.yaml's round-trip mode (comments, key order,
  quoting, flow and block style kept; the document's indentation detected), edited
  (`kubelint.tree_edit`) and written again, and the lines ruamel only re-indented or re-spaced
  get their old spelling back (JSON documents are written again with json instead).

The result must read back, the way Kubernetes reads YAML, to exactly the values with the edits
made, and keep every comment that was not inside a removed part; otherwise the document is left as
it was, with a note saying why.

Never edited: a file with a `yaml-syntax`, `unreadable-file` or `yaml-too-complex` problem (or any
problem reading its YAML stream), documents rendered by Helm (`# Source:`; fix the chart's
templates instead), nodes shared through anchors and merge keys, suppressed diagnostics, and unsafe
fixes unless asked for. `fix_sources` lints and fixes again until nothing changes; `write_fixed`
writes a file atomically. Only `cli.py` decides what to write.
"""

from __future__ import annotations

import bisect
import copy
import functools
import math
import os
import re
import stat
import tempfile
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kubelint.model import DeleteKey, Diagnostic, Edit, LintResult, Safety, SetValue, YamlPath
from kubelint.tree_edit import (MISSING, NO_FIT, SHARED, Inapplicable, Null, apply_tree,
                                check_tree, nest, rename, split_lines)

REFUSED_RULES = frozenset(("yaml-syntax", "unreadable-file", "yaml-too-complex"))
"""A file with one of these diagnostics is never edited."""

MAX_PASSES = 10
"""Lint-and-fix passes `fix_sources` runs at most before giving up on converging."""

_SEPARATOR = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)
_HEADER = re.compile(r"---[ \t]*(?:#[^\n]*)?\r?\n?")
_KEY_ONLY = re.compile(r"( *)((?:- +)*)"  # a `key:` line without a value
                       r"(?:[^\s#'\"{\[&*!|>%@`-](?:[^#:]|:(?!\s))*?|\"[^\"]*\"|'[^']*')"
                       r":[ \t]*(?:#.*)?\r?")
_BLOCK_SCALAR = re.compile(r"( *)(?:- +)*(?:.*:[ \t]+)?[|>][-+0-9]*[ \t]*(?:#.*)?\r?")
_SEQ_ITEM = re.compile(r"( *)- +")
_UNUSUAL_BREAKS = re.compile("[\x85\u2028\u2029]|\r(?!\n)")


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of fixing one text: the new text, how many fixes it holds, and why others
    were not applied (for the user; conflicts that a later pass resolves are not noted)."""

    text: str
    applied: int = 0
    notes: tuple[str, ...] = ()


def apply_fixes(text: str, diagnostics: Iterable[Diagnostic], *, unsafe: bool) -> tuple[str, int]:
    """Apply the fixes of one file's diagnostics to its text: (new text, number of fixes applied).

    Safe fixes always; unsafe ones only with `unsafe`. Suppressed diagnostics are not fixed.
    """
    outcome = fix_text(text, diagnostics, unsafe=unsafe)
    return outcome.text, outcome.applied


def selected(diagnostics: Iterable[Diagnostic], *, unsafe: bool) -> list[Diagnostic]:
    """The diagnostics whose fix would be applied."""
    return [d for d in diagnostics if d.fix is not None and d.fix.edits and d.suppressed_by is None
            and (unsafe or d.fix.safety == Safety.SAFE)]


def fix_text(text: str, diagnostics: Iterable[Diagnostic], *, unsafe: bool) -> Outcome:
    """`apply_fixes` with the reasons for the fixes it could not apply."""
    from kubelint.parse import parse_text

    diagnostics = list(diagnostics)
    todo = selected(diagnostics, unsafe=unsafe)
    if not todo:
        return Outcome(text)
    n = len(todo)
    if any(d.rule_id in REFUSED_RULES for d in diagnostics):
        return Outcome(text, 0, (f"{_fixes(n)} not applied: the file has YAML errors",))
    if _UNUSUAL_BREAKS.search(text):
        return Outcome(text, 0, (f"{_fixes(n)} not applied: the file has line breaks other than "
                                 "LF and CRLF",))
    parsed = parse_text(text)
    if parsed.problems:
        return Outcome(text, 0, (f"{_fixes(n)} not applied: the file has YAML errors",))

    chunks = _split(text)
    chunk_lines = [c.line for c in chunks]
    docs = {d.index: d for d in parsed.documents}
    owner: dict[int, int] = {}  # chunk -> document index; -1 when a chunk holds two documents
    for doc in parsed.documents:
        i = _chunk_at(chunk_lines, doc.positions[()][0])
        owner[i] = -1 if i in owner else doc.index
    by_chunk: dict[int, list[Diagnostic]] = {}
    notes: list[str] = []
    skipped: Counter[str] = Counter()
    for d in todo:
        doc = docs.get(d.document)
        if doc is None:
            skipped["its document could not be found"] += 1
            continue
        i = _chunk_at(chunk_lines, doc.positions[()][0])
        if owner.get(i) != doc.index:
            skipped["documents not separated by `---` lines"] += 1
        elif doc.origin:
            skipped["rendered Helm output (fix the chart's templates instead)"] += 1
        elif doc.problems:
            skipped["the document has YAML problems"] += 1
        else:
            by_chunk.setdefault(i, []).append(d)

    applied = 0
    pieces = [c.text for c in chunks]
    for i, diags in by_chunk.items():
        doc = docs[owner[i]]
        try:
            pieces[i], count, failed = _fix_document(chunks[i].text, chunks[i].line, doc, diags)
        except Inapplicable as exc:
            skipped[str(exc)] += len(diags)
            continue
        skipped.update(failed)
        applied += count
    notes.extend(f"{_fixes(k)} not applied: {why}" for why, k in skipped.items())
    return Outcome("".join(pieces), applied, tuple(notes))


def _fixes(n: int) -> str:
    return f"{n} fix" if n == 1 else f"{n} fixes"


# --- splitting a stream into documents ----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Chunk:
    text: str
    line: int  # 0-based line where it starts


def _split(text: str) -> list[_Chunk]:
    """The text cut before each `---` line; joining the chunks gives the text back."""
    starts = [0] + [m.start() for m in _SEPARATOR.finditer(text) if m.start() > 0]
    out, line = [], 0
    for a, b in zip(starts, [*starts[1:], len(text)]):
        out.append(_Chunk(text[a:b], line))
        line += text.count("\n", a, b)
    return out


def _chunk_at(chunk_lines: list[int], line: int) -> int:
    return bisect.bisect_right(chunk_lines, line) - 1


def _blank_or_comment(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith("#")


# --- one document -------------------------------------------------------------------------------

def _fix_document(chunk: str, chunk_line: int, doc: Any, diags: list[Diagnostic]
                  ) -> tuple[str, int, Counter[str]]:
    """Fix one document: (new chunk text, fixes applied, why others were not applied).

    The fixes are first tried on the document's values (what Kubernetes reads), in order; a
    conflicting fix waits for the next pass, one that does not fit is skipped. When every edit
    replaces one scalar by another, the new scalars are written over the old ones in the text.
    Otherwise the document goes through ruamel.yaml (or json), and the lines it merely re-spelled
    get their old spelling back. Either way the result must pass `_valid`."""
    plain = copy.deepcopy(doc.root)
    shared = _shared(doc.root) if "*" in chunk else set()
    failed: Counter[str] = Counter()
    accepted: list[tuple[Edit, ...]] = []
    done: list[Edit] = []
    same = 0
    for d in diags:
        assert d.fix is not None
        edits = d.fix.edits
        if all(any(_same_edit(e, f) for f in done) for e in edits):
            same += 1  # the same edits already made by another fix
            continue
        if any(_overlap(e, f) for e in edits for f in done if not _same_edit(e, f)):
            continue  # a conflict: a later pass sees what remains
        try:
            for e in edits:
                _check_shared(doc, e.path, shared)
            plain = _apply_all(plain, edits)
        except Inapplicable as exc:
            failed[str(exc)] += 1
            continue
        accepted.append(edits)
        done.extend(edits)
    if not accepted:
        return chunk, same, failed

    spliced = _splice(chunk, chunk_line, doc, done)
    if spliced is not None and _valid(spliced, plain, _comments(chunk)):
        return spliced, same + len(accepted), failed

    lines = split_lines(chunk)
    header = ""
    i = 0
    if lines and lines[0].startswith("---"):
        if not _HEADER.fullmatch(lines[0]):
            raise Inapplicable("the document starts on its `---` line")
        header, i = lines[0], 1
    while i < len(lines) and _blank_or_comment(lines[i]):
        i += 1
    j = len(lines)
    while j > i and (_blank_or_comment(lines[j - 1]) and not lines[j - 1][:1].isspace()
                     or not lines[j - 1].strip() or lines[j - 1].rstrip() == "..."):
        j -= 1
    prefix = "".join(lines[1 if header else 0:i])
    body, trailer = "".join(lines[i:j]), "".join(lines[j:])
    crlf = "\r" in body
    if crlf:
        if body.count("\r\n") != body.count("\n") or body.count("\r") != body.count("\n"):
            raise Inapplicable("the document mixes LF and CRLF line ends")
        body = body.replace("\r\n", "\n")

    applied = len(accepted)
    json_indent = _json_indent(body)
    if json_indent is not MISSING:  # JSON: written again with json, as indented as it was
        import json

        candidates = [json.dumps(plain, indent=json_indent, ensure_ascii=body.isascii(),
                                 separators=(",", ": ") if json_indent is not None else None)
                      + "\n"]
    else:
        import io

        from ruamel.yaml.error import YAMLError

        styles = _indentations(body)
        try:
            tree = _yaml(*styles[0]).load(body)
        except (YAMLError, ValueError) as exc:  # duplicate keys and the like
            raise Inapplicable(f"ruamel.yaml cannot read the document ({type(exc).__name__})"
                                ) from exc
        plain = copy.deepcopy(doc.root)
        done = []
        applied = 0
        for edits in accepted:
            try:
                trial = _apply_all(plain, edits)
                for e in edits:
                    check_tree(tree, e)
            except Inapplicable as exc:
                failed[str(exc)] += 1
                continue
            if not rename(tree, edits):
                for e in edits:
                    tree = apply_tree(tree, e)
            plain = trial
            done.extend(edits)
            applied += 1
        if not applied:
            return chunk, same, failed
        candidates = []
        for style in styles:  # a document mixing sequence styles: the closest result wins
            out = io.StringIO()
            _yaml(*style).dump(tree, out)
            dumped = out.getvalue()
            candidates += [_keep_spelling(body, dumped), _keep_spelling(body, dumped, False),
                           dumped]
    if not body.endswith("\n"):
        candidates = [c.rstrip("\n") for c in candidates]
    # Comments that may go: those inside what an edit removed or replaced.
    first = chunk_line + len(split_lines(header + prefix))
    gone = set()
    for e in done:
        marks = doc.positions.get(e.path)
        old = _plain_child_at(doc.root, e.path)
        if marks is not None and (isinstance(e, DeleteKey) or isinstance(old, (dict, list))):
            gone.update(range(marks[0] - first, marks[6] - first + 1))
    allowed = _comments(body, skip=gone)
    best: tuple[int, str] | None = None
    for candidate in dict.fromkeys(candidates):
        new = header + prefix + (candidate.replace("\n", "\r\n") if crlf else candidate) + trailer
        if _valid(new, plain, allowed):
            cost = _changed_lines(body, candidate)
            if best is None or cost < best[0]:
                best = (cost, new)
    if best is None:
        failed["writing the document again would change other values or lose comments"] += \
            same + applied
        return chunk, 0, failed
    return best[1], same + applied, failed


def _shared(root: Any) -> set[int]:
    """The ids of the mappings and sequences that appear in several places (through aliases)."""
    seen: set[int] = set()
    shared: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)):
            if id(node) in seen:
                shared.add(id(node))
                continue
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
    return shared


def _check_shared(doc: Any, path: YamlPath, shared: set[int]) -> None:
    """Refuse an edit through a node that appears in other places too (an anchor and its
    aliases), or of a key that a merge key (`<<`) brought in."""
    node = doc.root
    for step in path:
        if id(node) in shared:
            raise Inapplicable(SHARED)
        node = _plain_child(node, step)
        if node is MISSING:
            break
    marks = doc.positions.get(path)
    if marks is not None and path and isinstance(path[-1], str) and marks[:4] == marks[4:]:
        raise Inapplicable(SHARED)


def _apply_all(plain: Any, edits: Sequence[Edit]) -> Any:
    """The values with all of a fix's edits made (a copy), or Inapplicable."""
    trial = copy.deepcopy(plain)
    for e in edits:
        trial = _apply_plain(trial, e)
    return trial


def _valid(text: str, plain: Any, comments: Counter[str]) -> bool:
    """Whether a document's new text holds exactly these values and keeps these comments."""
    from kubelint.parse import parse_text

    check = parse_text(text)
    return (not check.problems and len(check.documents) == 1 and not check.documents[0].problems
            and _same(check.documents[0].root, plain) and not comments - _comments(text))


_SPLICEABLE = re.compile(r"[^&!*|>\s]")


def _splice(chunk: str, chunk_line: int, doc: Any, edits: Sequence[Edit]) -> str | None:
    """The chunk with each edited scalar written over the old one, or None when an edit is not
    the replacement of a one-line scalar by a scalar."""
    starts = [0]
    for line in split_lines(chunk):
        starts.append(starts[-1] + len(line))
    spans = []
    for e in edits:
        marks = doc.positions.get(e.path)
        old = _plain_child_at(doc.root, e.path)
        if not isinstance(e, SetValue) or marks is None or isinstance(old, (dict, list)) \
                or isinstance(e.value, (dict, list, tuple)) or marks[4] != marks[6] \
                or e.path and isinstance(e.path[-1], int) and marks[0:2] != marks[4:6]:
            return None
        line = marks[4] - chunk_line
        if not 0 <= line < len(starts) - 1:
            return None
        a, b = starts[line] + marks[5], starts[line] + marks[7]
        text = chunk[a:b]
        if a == b or not _SPLICEABLE.match(text[:1]):
            return None
        spans.append((a, b, _scalar_text(e.value, text)))
    spans.sort()
    if any(x[1] > y[0] for x, y in zip(spans, spans[1:])):
        return None
    out = chunk
    for a, b, text in reversed(spans):
        out = out[:a] + text + out[b:]
    return out


_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_/.][A-Za-z0-9_/.:-]*")


def _scalar_text(value: Any, old: str) -> str:
    """A scalar as YAML text, quoted as `old` was (double quotes if it must be)."""
    import json

    from kubelint.parse import resolve_plain

    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    text = str(value)
    if old.startswith("'") and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    if not old.startswith('"') and _PLAIN_SAFE.fullmatch(text) and resolve_plain(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _changed_lines(old: str, new: str) -> int:
    import difflib

    matcher = difflib.SequenceMatcher(None, old.split("\n"), new.split("\n"), autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
               if tag != "equal")


def _json_indent(body: str) -> Any:
    """For a JSON document, its indentation (`json.dumps(indent=)`: spaces, a tab, or None for
    JSON on one line or laid out by hand); MISSING for YAML."""
    import json

    head = body.lstrip()
    if not head.startswith(("{", "[")):
        return MISSING
    try:
        json.loads(body)
    except ValueError:
        return MISSING
    lines = head.split("\n")
    if lines[0].strip() not in ("{", "["):
        return None
    for line in lines[1:]:
        if line.strip():
            space = line[:len(line) - len(line.lstrip())]
            return "\t" if "\t" in space else len(space)
    return None


def _plain_child_at(root: Any, path: YamlPath) -> Any:
    node = root
    for step in path:
        node = _plain_child(node, step)
        if node is MISSING:
            return None
    return node


_BRACKETS = re.compile(r"[\[\]{},\s]*")
_COMMENT = re.compile(r"(?:^|[ \t])#(.*)$")


def _comments(text: str, skip: Collection[int] = ()) -> Counter[str]:
    """The comments of a text (and `#` lines of block scalars), by their text; `skip`: lines not
    counted (0-based)."""
    out: Counter[str] = Counter()
    for i, line in enumerate(text.split("\n")):
        if i in skip or "#" not in line:
            continue
        m = _COMMENT.search(line)
        if m:
            out[m.group(1).strip()] += 1
    return out


def _keep_spelling(old: str, new: str, exact_first: bool = True) -> str:
    """`new` with the lines ruamel only re-spelled (its indentation, spacing or line breaks where
    the file used others) spelled as in `old` again.

    Identical lines are matched first (unless not `exact_first`: re-indented lines may equal
    others by chance); between them, lines equal but for their spaces, and one line of `new`
    equal to several of `old` joined (a flow collection over several lines). The result is
    checked by the caller like any other candidate."""
    import difflib

    a = [line if line.endswith("\n") else line + "\n" for line in split_lines(old)]
    b = [line if line.endswith("\n") else line + "\n" for line in split_lines(new)]
    if not exact_first:
        text = "".join(_respell(a, b))
        return text if new.endswith("\n") else text[:-1]
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal" or tag == "insert":
            out.extend(b[j1:j2])
        elif tag == "delete":
            if not "".join(a[i1:i2]).strip():
                out.extend(a[i1:i2])  # blank lines ruamel dropped
        else:
            out.extend(_respell(a[i1:i2], b[j1:j2]))
    text = "".join(out)
    return text if new.endswith("\n") else text[:-1]


def _respell(a: list[str], b: list[str]) -> list[str]:
    import difflib

    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, ["".join(x.split()) for x in a],
                                      ["".join(x.split()) for x in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            # a line of brackets alone may match one from elsewhere: keep ruamel's
            out.extend(y if _BRACKETS.fullmatch(x.strip()) and x.strip() else x
                       for x, y in zip(a[i1:i2], b[j1:j2]))
        elif tag == "replace":  # a flow collection over several lines that ruamel joined
            i = i1
            for j in range(j1, j2):
                want = "".join(b[j].split())
                run = next((k for k in range(i + 1, i2 + 1)
                            if "".join("".join(a[i:k]).split()) == want), None)
                if run is None:
                    out.append(b[j])
                else:
                    out.extend(a[i:run])
                    i = run
        elif tag == "delete":
            if not "".join(a[i1:i2]).strip():
                out.extend(a[i1:i2])
        else:
            out.extend(b[j1:j2])
    return out


@functools.lru_cache(maxsize=16)
def _yaml(mapping: int, sequence: int, offset: int) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor
    from ruamel.yaml.representer import RoundTripRepresenter

    class Constructor(RoundTripConstructor):
        pass

    class Representer(RoundTripRepresenter):
        pass

    Constructor.add_constructor("tag:yaml.org,2002:null", lambda _, node: Null(node.value))
    Representer.add_representer(
        Null, lambda r, data: r.represent_scalar("tag:yaml.org,2002:null", data.text))
    yaml = YAML()  # round-trip
    yaml.Constructor = Constructor
    yaml.Representer = Representer
    yaml.preserve_quotes = True
    yaml.width = 1 << 30
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _indentations(text: str) -> list[tuple[int, int, int]]:
    """The mapping indent, sequence indent and dash offset used in the text (ruamel's
    `indent(mapping=, sequence=, offset=)`): `key:\\n- a` is (2, 2, 0), `key:\\n  - a` (2, 4, 2).
    The most used first; a second sequence style when the text mixes two."""
    maps: Counter[int] = Counter()
    seqs: Counter[tuple[int, int]] = Counter()
    parent: int | None = None  # column of the key of the last `key:` line without a value
    scalar: int | None = None  # inside a block scalar: the column of the line that started it
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        if not stripped.strip():
            continue
        col = len(line) - len(stripped)
        if scalar is not None:
            if col > scalar:
                continue
            scalar = None
        if stripped.startswith("#"):
            continue
        if parent is not None:
            item = _SEQ_ITEM.match(line)
            if item:
                seqs[(item.end() - parent, col - parent)] += 1
            elif col > parent:
                maps[col - parent] += 1
        m = _KEY_ONLY.fullmatch(line)
        parent = len(m.group(1)) + len(m.group(2)) if m else None
        if _BLOCK_SCALAR.fullmatch(line):
            scalar = col
    mapping = maps.most_common(1)[0][0] if maps else 2
    styles = [(mapping, max(sequence, offset + 2), offset)
              for (sequence, offset), _ in seqs.most_common(2)] or [(mapping, 2, 0)]
    return list(dict.fromkeys(styles))


# --- comparing --------------------------------------------------------------------------------

def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types (`True` is not `1`, `1` is not `1.0`)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _touched(e: Edit) -> YamlPath:
    """The part of the document an edit may change (removing a list item moves the later ones)."""
    if isinstance(e, DeleteKey) and e.path and isinstance(e.path[-1], int):
        return e.path[:-1]
    return e.path


def _overlap(a: Edit, b: Edit) -> bool:
    pa, pb = _touched(a), _touched(b)
    n = min(len(pa), len(pb))
    return pa[:n] == pb[:n]


def _same_edit(a: Edit, b: Edit) -> bool:
    if type(a) is not type(b) or a.path != b.path:
        return False
    return not isinstance(a, SetValue) or _same(_plain(a.value), _plain(b.value))  # type: ignore


def _plain(value: Any) -> Any:
    """A fix's value as the parser would give it back (tuples are lists)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# --- edits on plain values (what Kubernetes will read) -------------------------------------------

def _apply_plain(root: Any, e: Edit) -> Any:
    path = e.path
    if not path:
        raise Inapplicable(NO_FIT)
    node = root
    for i, step in enumerate(path[:-1]):
        child = _plain_child(node, step)
        if child is MISSING or child is None:
            if isinstance(e, DeleteKey):
                return root  # nothing to delete
            if child is MISSING and not isinstance(node, dict) or isinstance(step, int) and \
                    not isinstance(node, list):
                raise Inapplicable(NO_FIT)
            node[step] = nest(path[i + 1:], _plain(e.value))
            return root
        if not isinstance(child, (dict, list)):
            raise Inapplicable(NO_FIT)
        node = child
    last = path[-1]
    if isinstance(e, DeleteKey):
        if isinstance(node, dict) and isinstance(last, str):
            node.pop(last, None)
        elif isinstance(node, list) and isinstance(last, int):
            if 0 <= last < len(node):
                del node[last]
        else:
            raise Inapplicable(NO_FIT)
        return root
    value = _plain(e.value)
    if isinstance(node, dict) and isinstance(last, str):
        node[last] = value
    elif isinstance(node, list) and isinstance(last, int) and 0 <= last <= len(node):
        if last == len(node):
            node.append(value)
        else:
            node[last] = value
    else:
        raise Inapplicable(NO_FIT)
    return root


def _plain_child(node: Any, step: str | int) -> Any:
    if isinstance(node, dict) and isinstance(step, str):
        return node.get(step, MISSING)
    if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
        return node[step]
    return MISSING


# --- files --------------------------------------------------------------------------------------

@dataclass(slots=True)
class FileFix:
    """One file's fixes: its text before and after, the fixes applied, notes on the others."""

    name: str
    path: Path | None
    before: str
    after: str
    applied: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.after != self.before


@dataclass(frozen=True, slots=True)
class FixRun:
    result: LintResult  # the findings that remain after the fixes
    files: tuple[FileFix, ...]

    @property
    def applied(self) -> int:
        return sum(f.applied for f in self.files)


def fix_sources(files: Sequence[Any], config: Any, rules: Sequence[Any] | None = None, *,
                unsafe: bool, max_passes: int = MAX_PASSES, context: Sequence[Any] = ()) -> FixRun:
    """Lint the sources as one bundle and fix them, again until no fix applies (a fix may make
    way for another: conflicting edits wait for the next pass); nothing is written."""
    from kubelint.engine import lint_sources
    from kubelint.rules import ALL_RULES

    rules = ALL_RULES if rules is None else rules
    current = list(files)
    state = {f.name: FileFix(f.name, f.path, f.text, f.text) for f in current if f.text is not None}
    seen: dict[str, set[str]] = {name: {s.before} for name, s in state.items()}
    result = lint_sources(current, config, rules, context=context)
    for _ in range(max_passes):
        by_file: dict[str, list[Diagnostic]] = {}
        for d in result.diagnostics:
            by_file.setdefault(d.file, []).append(d)
        changed = False
        for i, source in enumerate(current):
            s = state.get(source.name)
            if s is None or source.name not in by_file:
                continue
            outcome = fix_text(source.text, by_file[source.name], unsafe=unsafe)
            for note in outcome.notes:
                if note not in s.notes:
                    s.notes.append(note)
            if outcome.text == source.text:
                continue
            if outcome.text in seen[source.name]:  # fixes undoing each other
                note = "fixes that undo each other were not applied again"
                if note not in s.notes:
                    s.notes.append(note)
                continue
            seen[source.name].add(outcome.text)
            s.after = outcome.text
            s.applied += outcome.applied
            current[i] = replace(source, text=outcome.text)
            changed = True
        if not changed:
            break
        result = lint_sources(current, config, rules, context=context)
    return FixRun(result, tuple(state.values()))


def fix_paths(paths: Sequence[str], config: Any, *, unsafe: bool) -> FixRun:
    """`fix_sources` for files, folders and `-`, found as `lint` finds them; nothing is written."""
    from kubelint import sources
    from kubelint.engine import read_context

    names = sources.discover(list(paths), config.exclude, root=config.root)
    return fix_sources([sources.read(n) for n in names], config, unsafe=unsafe,
                       context=read_context(config.crd_dirs))


_BOMS = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
         (b"\xef\xbb\xbf", "utf-8"), (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))


def encode_like(original: bytes, text: str) -> bytes:
    """Encode `text` as `original` was: the same byte-order mark and encoding."""
    for mark, codec in _BOMS:
        if original.startswith(mark):
            return mark + text.encode(codec)
    return text.encode("utf-8")


def write_fixed(fix: FileFix) -> None:
    """Write a fixed file in place, atomically, keeping its encoding and permissions.

    Raises OSError, or ValueError when the file changed since it was read."""
    from kubelint.sources import decode

    if fix.path is None or fix.name == "-":
        raise ValueError("standard input is never written")
    target = Path(os.path.realpath(fix.path))
    original = target.read_bytes()
    if decode(str(target), original).text != fix.before:
        raise ValueError("the file changed while kubelint was fixing it")
    write_atomic(target, encode_like(original, fix.after))


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file's content through a temporary file in its folder (same permissions)."""
    target = Path(os.path.realpath(path))
    mode = stat.S_IMODE(target.stat().st_mode)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def unified_diff(fix: FileFix) -> str:
    """A unified diff of one file's fixes (`--diff`)."""
    import difflib

    a, b = split_lines(fix.before), split_lines(fix.after)
    out = []
    for line in difflib.unified_diff(a, b, fromfile=fix.name, tofile=fix.name):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
