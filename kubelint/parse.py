"""Located YAML parsing, the way Kubernetes reads YAML.

One pass over libyaml's event stream (PyYAML's C parser) builds plain dicts and lists and, for
every mapping entry and sequence item, a position index `path -> marks`. Scalars are resolved with
YAML 1.1 rules as Kubernetes' YAML reader (go-yaml v2) applies them: `yes`/`on`/`y` are booleans,
`0400` is octal. Aliases are expanded by reference within a node budget, `<<` merge keys are
applied, duplicate keys are reported, and a syntax error loses only the document it is in.
"""

from __future__ import annotations

import bisect
import math
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from kubelint.model import YamlPath

MAX_NODES = 250_000
"""Nodes one document may hold, alias expansions included (alias bombs stop here)."""
MAX_DEPTH = 200
"""Nesting depth one document may reach."""

Marks = tuple[int, int, int, int, int, int, int, int]
"""0-based (key line, key col, key end line, key end col, value line, value col, value end line,
value end col). For sequence items and the document root the key marks equal the value marks."""

_BITS = 32
_MASK = (1 << _BITS) - 1


def _pack(marks: tuple[int, ...]) -> int:
    """Marks as one int of 32-bit fields (a node costs one int, not a tuple of eight)."""
    packed = 0
    for i, m in enumerate(marks):
        packed |= m << (_BITS * i)
    return packed


def _unpack(packed: int) -> Marks:
    return (packed & _MASK, packed >> 32 & _MASK, packed >> 64 & _MASK, packed >> 96 & _MASK,
            packed >> 128 & _MASK, packed >> 160 & _MASK, packed >> 192 & _MASK,
            packed >> 224 & _MASK)


class Positions:
    """A document's position index, `path -> Marks`, stored packed."""

    __slots__ = ("_packed",)

    def __init__(self, packed: dict[YamlPath, int]) -> None:
        self._packed = packed

    @property
    def packed(self) -> dict[YamlPath, int]:
        """The index as stored (each value packs the eight marks; see `_pack`)."""
        return self._packed

    def get(self, path: YamlPath, default: Marks | None = None) -> Marks | None:
        packed = self._packed.get(path)
        return default if packed is None else _unpack(packed)

    def __getitem__(self, path: YamlPath) -> Marks:
        return _unpack(self._packed[path])

    def __contains__(self, path: object) -> bool:
        return path in self._packed

    def __len__(self) -> int:
        return len(self._packed)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Positions) and self._packed == other._packed

    __hash__ = None  # type: ignore[assignment]

    def __iter__(self) -> Iterator[YamlPath]:
        return iter(self._packed)

    def items(self) -> Iterator[tuple[YamlPath, Marks]]:
        for path, packed in self._packed.items():
            yield path, _unpack(packed)


_TRUE = frozenset("y Y yes Yes YES true True TRUE on On ON".split())
_FALSE = frozenset("n N no No NO false False FALSE off Off OFF".split())
_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_INT = re.compile(r"[-+]?(?:0b[01]+|0o[0-7]+|0x[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SEPARATOR = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)
_SOURCE = re.compile(r"^# Source: (\S.*?)\s*$", re.M)

_STR_TAGS = frozenset(("tag:yaml.org,2002:str", "!"))


def resolve_plain(text: str) -> Any:
    """Resolve an untagged plain scalar as go-yaml v2 (Kubernetes) does."""
    if not text:
        return None
    first = text[0]
    if first.isdigit() or first in "+-.":
        plain = text.replace("_", "") if "_" in text else text
        if _INT.fullmatch(plain):
            sign = -1 if plain[0] == "-" else 1
            body = plain.lstrip("+-")
            if body.startswith("0b"):
                return sign * int(body[2:], 2)
            if body.startswith("0x"):
                return sign * int(body[2:], 16)
            if body.startswith("0o"):
                return sign * int(body[2:], 8)
            if len(body) > 1 and body[0] == "0":
                return sign * int(body, 8)
            return sign * int(body)
        if _FLOAT.fullmatch(plain):
            return float(plain)
        low = text.lower()
        if low in (".inf", "+.inf"):
            return math.inf
        if low == "-.inf":
            return -math.inf
        if low == ".nan":
            return math.nan
        return text
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text in _NULL:
        return None
    return text


def _resolve_tagged(text: str, tag: str) -> Any:
    if tag in _STR_TAGS:
        return text
    short = tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else tag.lstrip("!")
    value = resolve_plain(text)
    if short == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if short == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if short == "bool" and isinstance(value, bool):
        return value
    if short == "null" and value is None:
        return None
    return text


def key_text(key: Any) -> str:
    """A mapping key as Kubernetes sees it after its YAML-to-JSON step."""
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    return str(key)


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem found while reading input: reported by the engine under `rule_id`."""

    rule_id: str
    message: str
    line: int  # 0-based
    col: int
    end_line: int
    end_col: int


@dataclass(slots=True)
class Document:
    """One YAML document with its values and the position of every node."""

    index: int
    root: Any
    positions: Positions
    origin: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def marks(self, path: YamlPath) -> Marks | None:
        return self.positions.get(path)


@dataclass(slots=True)
class ParseResult:
    documents: list[Document]
    problems: list[Problem]


class _BadDocument(Exception):
    """A document Kubernetes cannot read: reported under `rule_id`, the document is skipped.

    `line` and `col` are in the builder's coordinates (see `_Builder.to_abs`)."""

    rule_id = "yaml-syntax"

    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.line, self.col = line, col


class _TooComplex(_BadDocument):
    rule_id = "yaml-too-complex"


class _Frame:
    __slots__ = ("is_map", "value", "path", "key", "kmarks", "start", "anchor", "size",
                 "merges", "flow")

    def __init__(self, is_map: bool, value: Any, path: YamlPath | None, start: tuple[int, int],
                 anchor: str | None, flow: bool) -> None:
        self.is_map = is_map
        self.value = value
        self.path = path
        self.key: Any = _NO_KEY
        self.kmarks = 0  # the key's marks, packed (see `_pack`)
        self.start = start
        self.anchor = anchor
        self.size = 1
        self.merges: list[tuple[Any, int]] | None = None
        self.flow = flow


_NO_KEY = object()


class _Builder:
    """Consumes the events of one chunk of text; yields Documents.

    Positions inside the event loop are in builder coordinates: libyaml's line plus `lo`, and its
    column. Normally libyaml's lines are the file's lines, `lo` is the chunk's first line and the
    coordinates are final. When the text holds line breaks that libyaml counts and editors do not
    (NEL, U+2028, U+2029, a lone CR), `remap` converts chunk-relative libyaml positions to the
    file's `\n`-counted lines and columns, once per document.
    """

    def __init__(self, line_offset: int, sources: list[tuple[int, str]],
                 remap: Callable[[int, int], tuple[int, int]] | None = None) -> None:
        self.lo = line_offset if remap is None else 0
        self.remap = remap
        self.sources = sources
        self.source_lines = [s[0] for s in sources]
        self.doc_start_line = line_offset  # absolute (file) lines from here on
        self.prev_doc_end = line_offset

    def to_abs(self, line: int, col: int) -> tuple[int, int]:
        """Builder coordinates -> 0-based file line and column."""
        return (line, col) if self.remap is None else self.remap(line, col)

    def _remapped(self, positions: dict[YamlPath, int], problems: list[Problem]
                  ) -> tuple[dict[YamlPath, int], list[Problem]]:
        to_abs = self.to_abs

        def marks(packed: int) -> int:
            a, b, c, d, e, f, g, h = _unpack(packed)
            return _pack((*to_abs(a, b), *to_abs(c, d), *to_abs(e, f), *to_abs(g, h)))

        fixed = [Problem(p.rule_id, p.message, *to_abs(p.line, p.col),
                         *to_abs(p.end_line, p.end_col)) for p in problems]
        return {k: marks(v) for k, v in positions.items()}, fixed

    def documents(self, text: str, first_index: int) -> Iterator[Document]:
        lo = self.lo
        remap = self.remap
        index = first_index
        stack: list[_Frame] = []
        anchors: dict[str, tuple[Any, int]] = {}
        positions: dict[YamlPath, int] = {}  # packed marks
        problems: list[Problem] = []
        budget = 0
        root: Any = None
        root_marks: int | None = None
        last_end = (lo, 0)

        # Keys and short values repeat across documents (`name`, `TCP`, `IfNotPresent`): one
        # string each took 13 MiB off the benchmark corpus's trees, and marshal sends interned
        # strings back from workers as interned strings.
        intern = sys.intern
        ScalarEvent = yaml.ScalarEvent
        MappingStartEvent = yaml.MappingStartEvent
        MappingEndEvent = yaml.MappingEndEvent
        SequenceStartEvent = yaml.SequenceStartEvent
        SequenceEndEvent = yaml.SequenceEndEvent
        AliasEvent = yaml.AliasEvent
        DocumentStartEvent = yaml.DocumentStartEvent
        DocumentEndEvent = yaml.DocumentEndEvent

        def attach(value: Any, size: int, sl: int, sc: int, el: int, ec: int,
                   is_merge_key: bool = False) -> None:
            nonlocal root, root_marks
            if not stack:
                root = value
                root_marks = _pack((sl, sc, sl, sc, sl, sc, el, ec))
                return
            top = stack[-1]
            top.size += size
            if top.is_map:
                if top.key is _NO_KEY:
                    if is_merge_key:
                        top.key = _MERGE
                    elif isinstance(value, (dict, list)):
                        # go-yaml fails the document ("invalid map key"); often an unfilled
                        # `{{ placeholder }}` read as a flow mapping.
                        kind = "mapping" if isinstance(value, dict) else "sequence"
                        raise _BadDocument(f"invalid YAML: a {kind} cannot be a mapping key "
                                           "(an unrendered template placeholder?)", sl, sc)
                    else:
                        top.key = key_text(value)
                    top.kmarks = sl | sc << 32 | el << 64 | ec << 96
                    return
                key = top.key
                top.key = _NO_KEY
                km = top.kmarks
                if key is _MERGE:
                    if top.merges is None:
                        top.merges = []
                    top.merges.append((value, km))
                    return
                mapping = top.value
                # merged keys are added at the mapping's end: any key here is an explicit one
                if key in mapping:
                    problems.append(Problem(
                        "duplicate-key",
                        f"duplicate key {key!r}: Kubernetes keeps only the last value",
                        *_unpack(km)[:4]))
                mapping[key] = value
                if top.path is not None:
                    positions[top.path + (key,)] = \
                        km | sl << 128 | sc << 160 | el << 192 | ec << 224
            else:
                seq = top.value
                if top.path is not None:
                    item = sl | sc << 32 | el << 64 | ec << 96
                    positions[top.path + (len(seq),)] = item | item << 128
                seq.append(value)

        def child_path() -> YamlPath | None:
            if not stack:
                return ()
            top = stack[-1]
            if top.path is None:
                return None
            if top.is_map:
                if top.key is _NO_KEY or top.key is _MERGE:
                    return None
                return top.path + (top.key,)
            return top.path + (len(top.value),)

        def finish_map(frame: _Frame) -> None:
            # Explicit keys win over merged ones; an earlier merge source wins over a later one.
            mapping = frame.value
            for value, km in frame.merges or ():
                for src in value if isinstance(value, list) else (value,):
                    if not isinstance(src, dict):
                        continue
                    for k, v in src.items():
                        if k not in mapping:
                            mapping[k] = v
                            if frame.path is not None:
                                positions[frame.path + (k,)] = km | km << 128

        loader = _Loader(text)
        try:
            for ev in iter(loader.get_event, None):
                et = type(ev)
                if et is ScalarEvent:
                    sm, em = ev.start_mark, ev.end_mark
                    tag = ev.tag
                    if not ev.style and tag is None:
                        value = resolve_plain(ev.value)
                    elif tag is None or tag == "!":
                        value = ev.value
                    else:
                        value = _resolve_tagged(ev.value, tag)
                    sl = sm.line + lo
                    el = em.line + lo
                    budget += 1
                    if stack and type(value) is str and ev.anchor is None:
                        top = stack[-1]
                        if top.is_map and top.key is _NO_KEY and (value != "<<" or ev.style):
                            # the common case, a mapping's key: what `attach` would do, inline
                            top.key = intern(value)
                            top.kmarks = sl | sm.column << 32 | el << 64 | em.column << 96
                            top.size += 1
                            last_end = (el, em.column)
                            continue
                    if type(value) is str and len(value) < 40:
                        value = intern(value)
                    if ev.anchor is not None:
                        anchors[ev.anchor] = (value, 1)
                    is_merge = (not ev.style and tag is None and ev.value == "<<"
                                and stack and stack[-1].is_map and stack[-1].key is _NO_KEY)
                    attach(value, 1, sl, sm.column, el, em.column, is_merge)
                    last_end = (el, em.column)
                elif et is MappingStartEvent or et is SequenceStartEvent:
                    if len(stack) >= MAX_DEPTH:
                        raise _TooComplex(f"nesting deeper than {MAX_DEPTH} levels",
                                          ev.start_mark.line + lo, ev.start_mark.column)
                    sm = ev.start_mark
                    is_map = et is MappingStartEvent
                    stack.append(_Frame(is_map, {} if is_map else [], child_path(),
                                        (sm.line + lo, sm.column), ev.anchor, bool(ev.flow_style)))
                elif et is MappingEndEvent or et is SequenceEndEvent:
                    frame = stack.pop()
                    if frame.is_map and frame.merges:
                        finish_map(frame)
                    if frame.flow:
                        last_end = (ev.end_mark.line + lo, ev.end_mark.column)
                    budget += 1
                    if frame.anchor is not None:
                        anchors[frame.anchor] = (frame.value, frame.size)
                    attach(frame.value, frame.size, frame.start[0], frame.start[1],
                           last_end[0], last_end[1])
                elif et is AliasEvent:
                    sm, em = ev.start_mark, ev.end_mark
                    target = anchors.get(ev.anchor)
                    if target is None:  # libyaml's parser leaves this to the composer: our job
                        inside = any(f.anchor == ev.anchor for f in stack)
                        why = ("refers to a node that contains it" if inside
                               else "is not defined before it in this document")
                        raise _BadDocument(f"invalid YAML: alias *{ev.anchor} {why}",
                                           sm.line + lo, sm.column)
                    value, size = target
                    budget += size
                    if budget > MAX_NODES:
                        raise _TooComplex(
                            f"document expands to more than {MAX_NODES} nodes through aliases",
                            sm.line + lo, sm.column)
                    attach(value, size, sm.line + lo, sm.column, em.line + lo, em.column)
                    last_end = (em.line + lo, em.column)
                elif et is DocumentStartEvent:
                    self.doc_start_line = self.to_abs(ev.start_mark.line + lo, 0)[0]
                    stack.clear()
                    anchors = {}
                    positions = {}
                    problems = []
                    budget = 0
                    root = None
                    root_marks = None
                elif et is DocumentEndEvent:
                    end_line = ev.end_mark.line + lo
                    last_line = last_end[0]
                    if remap is not None:
                        end_line = self.to_abs(end_line, ev.end_mark.column)[0]
                        last_line = self.to_abs(*last_end)[0]
                    if root is not None or problems:
                        if root_marks is not None:
                            positions[()] = root_marks
                        if remap is not None:
                            positions, problems = self._remapped(positions, problems)
                        first = positions[()] & _MASK if root_marks is not None else end_line
                        yield Document(index, root, Positions(positions), self._origin(first),
                                       problems)
                        index += 1
                    self.prev_doc_end = max(end_line, last_line)
                    self.doc_start_line = self.prev_doc_end
                if budget > MAX_NODES:
                    raise _TooComplex(f"document holds more than {MAX_NODES} nodes",
                                      ev.start_mark.line + lo, ev.start_mark.column)
        finally:
            loader.dispose()

    def _origin(self, first_line: int) -> str | None:
        if not self.sources:
            return None
        i = bisect.bisect_left(self.source_lines, first_line) - 1
        if i >= 0 and self.source_lines[i] >= self.prev_doc_end:
            return self.sources[i][1]
        return None


_MERGE = object()


def parse_text(text: str) -> ParseResult:
    """Parse a YAML stream into located Documents, recovering after bad documents.

    Like Kubernetes, which splits a stream at `---` lines before decoding each document, a document
    that cannot be read is reported and skipped, and the others are still returned.
    """
    documents: list[Document] = []
    problems: list[Problem] = []
    lines = _Lines(text)
    _parse_range(text, 0, 0, len(text), lines, documents, problems)
    # libyaml may mark an error past the end of a line or of the text (at the end of the stream)
    return ParseResult(documents, [lines.clamp(p) for p in problems])


def _parse_range(text: str, start: int, start_line: int, end: int, lines: _Lines,
                 documents: list[Document], problems: list[Problem]) -> None:
    """Parse text[start:end] (`start` begins line `start_line`), resuming after each bad document
    at the next `---` line."""
    while True:
        builder = _Builder(start_line, lines.sources,
                           lines.remap_for(start) if lines.unusual else None)
        chunk = text if start == 0 and end == len(text) else text[start:end]
        first = len(documents)
        try:
            documents.extend(builder.documents(chunk, first))
            return
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = builder.to_abs((mark.line if mark else 0) + builder.lo,
                                       mark.column if mark else 0)
            problems.append(Problem("yaml-syntax", _syntax_message(exc), line, col, line, col + 1))
            resume = builder.doc_start_line
        except _BadDocument as exc:
            line, col = builder.to_abs(exc.line, exc.col)
            message = f"{exc}; document skipped" if isinstance(exc, _TooComplex) else str(exc)
            problems.append(Problem(exc.rule_id, message, line, col, line, col + 1))
            resume = builder.doc_start_line
        except (yaml.reader.ReaderError, UnicodeEncodeError) as exc:
            # A character YAML forbids (control characters, lone surrogates). libyaml may stop
            # before yielding the documents ahead of it: parse those alone, skip its document.
            if isinstance(exc, yaml.reader.ReaderError):  # a UTF-8 byte offset into the chunk
                pos = start + len(chunk.encode("utf-8")[:exc.position].decode("utf-8", "replace"))
            else:
                pos = start + exc.start
            line, col = lines.line_col(pos)
            problems.append(Problem(
                "yaml-syntax", f"invalid YAML: character U+{ord(text[pos]):04X} is not allowed "
                "in YAML (control character or invalid code point)", line, col, line, col + 1))
            del documents[first:]
            before = lines.separator_before(pos, start)
            if before is not None:
                _parse_range(text, start, start_line, before[1], lines, documents, problems)
            resume = line
        except (yaml.YAMLError, ValueError, RecursionError, MemoryError) as exc:
            line = builder.doc_start_line
            problems.append(Problem("yaml-syntax", f"cannot read YAML: {exc}", line, 0, line, 1))
            resume = line
        nxt = lines.separator_after(max(resume, start_line), end)
        if nxt is None:
            return
        start_line, start = nxt


_BREAKS = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")


class _Lines:
    """Line facts about one text, computed when first needed."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sources = [(line, m.group(1)) for line, m in _numbered(text, _SOURCE)] \
            if "# Source:" in text else []
        self._separators: list[tuple[int, int]] | None = None
        # Line breaks libyaml counts and `\n`-counting tools (grep, git, suppressions) do not.
        self.unusual = ("\x85" in text or "\u2028" in text or "\u2029" in text
                        or ("\r" in text and text.count("\r") != text.count("\r\n")))
        self._ystarts: list[int] = []
        self._starts: list[int] = []

    @property
    def starts(self) -> list[int]:
        """The offset where each `\n`-counted line starts."""
        if not self._starts:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        return self._starts

    def clamp(self, p: Problem) -> Problem:
        """`p` with its start and end inside the text (a column at most the line's length)."""
        starts, size = self.starts, len(self.text)

        def inside(line: int, col: int) -> tuple[int, int]:
            if line >= len(starts):
                line, col = len(starts) - 1, size
            end = starts[line + 1] - 1 if line + 1 < len(starts) else size
            if end > starts[line] and self.text[end - 1] == "\r":
                end -= 1
            return line, max(0, min(col, end - starts[line]))

        start, stop = inside(p.line, p.col), inside(p.end_line, p.end_col)
        if (start, stop) == ((p.line, p.col), (p.end_line, p.end_col)):
            return p
        return Problem(p.rule_id, p.message, *start, *max(start, stop))

    @property
    def separators(self) -> list[tuple[int, int]]:
        """(line, offset) of every `---` line."""
        if self._separators is None:
            self._separators = [(line, m.start()) for line, m in _numbered(self.text, _SEPARATOR)]
        return self._separators

    def separator_after(self, line: int, end: int) -> tuple[int, int] | None:
        return next(((ln, off) for ln, off in self.separators if ln > line and off < end), None)

    def separator_before(self, pos: int, start: int) -> tuple[int, int] | None:
        found = None
        for ln, off in self.separators:
            if off > pos:
                break
            if off > start:
                found = (ln, off)
        return found

    def line_col(self, pos: int) -> tuple[int, int]:
        text = self.text
        return text.count("\n", 0, pos), pos - (text.rfind("\n", 0, pos) + 1)

    def remap_for(self, start: int) -> Callable[[int, int], tuple[int, int]]:
        """For a chunk starting at offset `start`: libyaml (line, col) -> file (line, col)."""
        if not self._ystarts:
            self._ystarts = [0] + [m.end() for m in _BREAKS.finditer(self.text)]
        ystarts, estarts = self._ystarts, self.starts
        k0 = bisect.bisect_left(ystarts, start)
        last = len(ystarts) - 1

        def remap(line: int, col: int) -> tuple[int, int]:
            pos = ystarts[min(k0 + line, last)] + col
            e = bisect.bisect_right(estarts, pos) - 1
            return e, pos - estarts[e]

        return remap


def _numbered(text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, re.Match[str]]]:
    """Matches of a pattern with their 0-based line, counting newlines incrementally."""
    line = last = 0
    for m in pattern.finditer(text):
        line += text.count("\n", last, m.start())
        last = m.start()
        yield line, m


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    text = ", ".join(parts) if parts else "invalid YAML"
    return f"invalid YAML: {text}"
