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
    positions: dict[YamlPath, Marks]
    origin: str | None = None
    problems: list[Problem] = field(default_factory=list)

    def marks(self, path: YamlPath) -> Marks | None:
        return self.positions.get(path)


@dataclass(slots=True)
class ParseResult:
    documents: list[Document]
    problems: list[Problem]


class _TooComplex(Exception):
    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.line, self.col = line, col


class _Frame:
    __slots__ = ("is_map", "value", "path", "key", "kmarks", "start", "anchor", "size",
                 "merges", "explicit", "flow")

    def __init__(self, is_map: bool, value: Any, path: YamlPath | None, start: tuple[int, int],
                 anchor: str | None, flow: bool) -> None:
        self.is_map = is_map
        self.value = value
        self.path = path
        self.key: Any = _NO_KEY
        self.kmarks: tuple[int, int, int, int] = (0, 0, 0, 0)
        self.start = start
        self.anchor = anchor
        self.size = 1
        self.merges: list[tuple[Any, tuple[int, int, int, int]]] | None = None
        self.explicit: set | None = None
        self.flow = flow


_NO_KEY = object()


class _Builder:
    """Consumes the events of one chunk of text; yields Documents."""

    def __init__(self, line_offset: int, sources: list[tuple[int, str]]) -> None:
        self.line_offset = line_offset
        self.sources = sources
        self.doc_start_line = line_offset
        self.prev_doc_end = line_offset

    def documents(self, text: str, first_index: int):
        lo = self.line_offset
        index = first_index
        stack: list[_Frame] = []
        anchors: dict[str, tuple[Any, int]] = {}
        positions: dict[YamlPath, Marks] = {}
        problems: list[Problem] = []
        budget = 0
        root: Any = None
        root_marks: Marks | None = None
        last_end = (lo, 0)

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
                root_marks = (sl, sc, sl, sc, sl, sc, el, ec)
                return
            top = stack[-1]
            top.size += size
            if top.is_map:
                if top.key is _NO_KEY:
                    if is_merge_key:
                        top.key = _MERGE
                    elif isinstance(value, (dict, list)):
                        top.key = repr(value)
                    else:
                        top.key = key_text(value)
                    top.kmarks = (sl, sc, el, ec)
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
                if top.explicit is None:
                    top.explicit = set()
                if key in mapping and key in top.explicit:
                    problems.append(Problem(
                        "duplicate-key",
                        f"duplicate key {key!r}: Kubernetes keeps only the last value",
                        km[0], km[1], km[2], km[3]))
                top.explicit.add(key)
                mapping[key] = value
                if top.path is not None:
                    positions[top.path + (key,)] = (km[0], km[1], km[2], km[3], sl, sc, el, ec)
            else:
                seq = top.value
                if top.path is not None:
                    positions[top.path + (len(seq),)] = (sl, sc, el, ec, sl, sc, el, ec)
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
                                positions[frame.path + (k,)] = (*km, *km)

        for ev in yaml.parse(text, Loader=_Loader):
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
                if ev.anchor is not None:
                    anchors[ev.anchor] = (value, 1)
                budget += 1
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
                if target is None:  # libyaml reports undefined aliases itself; be safe
                    value, size = None, 1
                else:
                    value, size = target
                budget += size
                if budget > MAX_NODES:
                    raise _TooComplex(
                        f"document expands to more than {MAX_NODES} nodes through aliases",
                        sm.line + lo, sm.column)
                attach(value, size, sm.line + lo, sm.column, em.line + lo, em.column)
                last_end = (em.line + lo, em.column)
            elif et is DocumentStartEvent:
                self.doc_start_line = ev.start_mark.line + lo
                stack.clear()
                anchors = {}
                positions = {}
                problems = []
                budget = 0
                root = None
                root_marks = None
            elif et is DocumentEndEvent:
                end_line = ev.end_mark.line + lo
                if root is not None or problems:
                    if root_marks is not None:
                        positions[()] = root_marks
                    origin = self._origin(root_marks[0] if root_marks else end_line)
                    yield Document(index, root, positions, origin, problems)
                    index += 1
                self.prev_doc_end = max(end_line, last_end[0])
                self.doc_start_line = self.prev_doc_end
            if budget > MAX_NODES:
                raise _TooComplex(f"document holds more than {MAX_NODES} nodes",
                                  ev.start_mark.line + lo, ev.start_mark.column)

    def _origin(self, first_line: int) -> str | None:
        if not self.sources:
            return None
        lines = [s[0] for s in self.sources]
        i = bisect.bisect_left(lines, first_line) - 1
        if i >= 0 and lines[i] >= self.prev_doc_end:
            return self.sources[i][1]
        return None


_MERGE = object()


def parse_text(text: str) -> ParseResult:
    """Parse a YAML stream into located Documents, recovering after bad documents."""
    documents: list[Document] = []
    problems: list[Problem] = []
    sources = [(text.count("\n", 0, m.start()), m.group(1)) for m in _SOURCE.finditer(text)] \
        if "# Source:" in text else []
    separators: list[tuple[int, int]] | None = None  # (line, char offset)
    line_offset, char_offset = 0, 0
    while True:
        builder = _Builder(line_offset, sources)
        chunk = text[char_offset:] if char_offset else text
        try:
            for doc in builder.documents(chunk, len(documents)):
                documents.append(doc)
            break
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = (mark.line if mark else 0) + line_offset
            col = mark.column if mark else 0
            message = _syntax_message(exc)
            problems.append(Problem("yaml-syntax", message, line, col, line, col + 1))
        except _TooComplex as exc:
            problems.append(Problem("yaml-too-complex", f"{exc}; document skipped",
                                    exc.line, exc.col, exc.line, exc.col + 1))
        except (yaml.YAMLError, ValueError, RecursionError, MemoryError) as exc:
            line = builder.doc_start_line
            problems.append(Problem("yaml-syntax", f"cannot read YAML: {exc}", line, 0, line, 1))
        if separators is None:
            separators = [(text.count("\n", 0, m.start()), m.start())
                          for m in _SEPARATOR.finditer(text)]
        after = max(builder.doc_start_line, line_offset)
        nxt = next(((ln, off) for ln, off in separators if ln > after), None)
        if nxt is None:
            break
        line_offset, char_offset = nxt
    return ParseResult(documents, problems)


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    text = ", ".join(parts) if parts else "invalid YAML"
    return f"invalid YAML: {text}"
