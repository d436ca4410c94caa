"""Applying path edits (`SetValue`, `DeleteKey`) to a ruamel.yaml round-trip tree while keeping
its comments and layout (quoting, end-of-line comment columns, the comments after an added or
removed entry). ruamel.yaml is imported only when an edit is made.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kubelint.model import DeleteKey, Edit, SetValue, YamlPath


class Inapplicable(Exception):
    """An edit that cannot be made on this document as it is (the message says why)."""


NO_FIT = "the fix does not fit the document's structure"
SHARED = "the fix would edit a YAML anchor or merge key (other places would change too)"


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


class Null:
    """A null read by ruamel.yaml, remembering its spelling (`null`, `~`, `NULL` or nothing):
    ruamel would write every null the same way."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _is_null(value: Any) -> bool:
    return value is None or isinstance(value, Null)


def split_lines(text: str) -> list[str]:
    """Lines with their `\n` (the last one may lack it)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def nest(steps: YamlPath, value: Any) -> Any:
    for step in reversed(steps):
        if not isinstance(step, str):
            raise Inapplicable(NO_FIT)
        value = {step: value}
    return value


def check_tree(tree: Any, e: Edit) -> None:
    """Refuse edits through anchored or aliased nodes and mappings with merge keys: editing them
    changes other places too."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, merge_attrib

    node = tree
    for step in (*e.path[:-1], None):
        if isinstance(node, (CommentedMap, CommentedSeq)):
            if node.anchor.value is not None:
                raise Inapplicable(SHARED)
            if isinstance(node, CommentedMap) and getattr(node, merge_attrib, None):
                raise Inapplicable(SHARED)
        if step is None:
            return
        node = _child(node, step)
        if node is MISSING or _is_null(node):
            return


def apply_tree(tree: Any, e: Edit) -> Any:
    path = e.path
    node = tree
    for i, step in enumerate(path[:-1]):
        child = _child(node, step)
        if child is MISSING or _is_null(child):
            if isinstance(e, DeleteKey):
                return tree
            _assign(node, step, nest(path[i + 1:], e.value))
            return tree
        node = child
    if isinstance(e, DeleteKey):
        key = _find_key(node, path[-1])
        if key is not MISSING:
            _delete(node, key)
        return tree
    _assign(node, path[-1], e.value)
    return tree


def rename(tree: Any, edits: Sequence[Edit]) -> bool:
    """A fix that sets a new key and deletes another in the same mapping renames the key in
    place (its position and comments kept); False if the edits are not such a pair."""
    from ruamel.yaml.comments import CommentedMap

    if len(edits) != 2:
        return False
    new, old = edits
    if not (isinstance(new, SetValue) and isinstance(old, DeleteKey) and new.path
            and new.path[:-1] == old.path[:-1] and isinstance(new.path[-1], str)
            and isinstance(old.path[-1], str) and new.path[-1] != old.path[-1]):
        return False
    node = tree
    for step in new.path[:-1]:
        node = _child(node, step)
    if not isinstance(node, CommentedMap) or _find_key(node, new.path[-1]) is not MISSING:
        return False
    key = _find_key(node, old.path[-1])
    if key is MISSING:
        return False
    position = list(node.keys()).index(key)
    comments = node.ca.items.pop(key, None)
    value = node[key]
    del node[key]
    name = _scalar(new.path[-1])
    node.insert(position, name, value)
    if comments is not None:
        node.ca.items[name] = comments
        _shift_comment(node, name, len(str(name)) - len(str(key)))
    _replace(node, name, new.value)
    return True


def _k8s_key(key: Any) -> str:
    """A ruamel mapping key as Kubernetes (YAML 1.1) names it."""
    from kubelint.parse import key_text, resolve_plain

    if type(key) is str:  # plain (preserve_quotes keeps quoted keys as ScalarString subclasses)
        return key_text(resolve_plain(key))
    return key_text(key) if not isinstance(key, str) else str(key)


def _find_key(node: Any, step: str | int) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        if isinstance(step, int):
            return MISSING
        for key in node:
            if _k8s_key(key) == step:
                return key
        return MISSING
    if isinstance(node, CommentedSeq) and isinstance(step, int) and 0 <= step < len(node):
        return step
    return MISSING


def _child(node: Any, step: str | int) -> Any:
    key = _find_key(node, step)
    return MISSING if key is MISSING else node[key]


def _is_block(node: Any) -> bool:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    return isinstance(node, (CommentedMap, CommentedSeq)) and not node.fa.flow_style()


def _assign(node: Any, step: str | int, value: Any) -> None:
    """Set `node[step]` to `value`, adding the key or sequence item if missing."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    key = _find_key(node, step)
    if key is not MISSING:
        _replace(node, key, value)
    elif isinstance(node, CommentedMap) and isinstance(step, str):
        _insert(node, _scalar(step), _node(value))
    elif isinstance(node, CommentedSeq) and step == len(node):
        _insert(node, None, _node(value))
    else:  # the plain edit succeeded, so the trees differ: give the document up
        raise Inapplicable(f"cannot set {step!r}")


def _insert(node: Any, key: Any, value: Any) -> None:
    """Add an entry at the end of a mapping (`key`) or sequence (`key` None), after the comments
    that stay inside the collection's last entry, before the ones that follow it."""
    block = _is_block(node) and len(node) > 0
    moved = ""
    if block:
        last = list(node.keys())[-1] if key is not None else len(node) - 1
        moved = _take_trailing(node, last, _column(node))
    if key is None:
        node.append(value)
        key = len(node) - 1
    else:
        node[key] = value
    if moved:
        _give_trailing(node, key, moved)


def _replace(node: Any, key: Any, value: Any) -> None:
    """Replace an existing value, in place where old and new are collections of the same kind."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    old = node[key]
    if isinstance(old, CommentedSeq) and isinstance(value, (list, tuple)) \
            and old.anchor.value is None:
        for i, v in enumerate(value[:len(old)]):
            _replace(old, i, v)
        for v in value[len(old):]:
            _insert(old, None, _node(v))
        for i in reversed(range(len(value), len(old))):
            _delete(old, i)
        return
    if isinstance(old, CommentedMap) and isinstance(value, dict) and old.anchor.value is None:
        wanted = {str(k) for k in value}
        for k in [k for k in old if _k8s_key(k) not in wanted]:
            _delete(old, k)
        for k, v in value.items():
            _assign(old, str(k), v)
        return
    if _unchanged(old, value):
        return
    new = _node(value, like=old)
    if _is_block(old) or _is_block(new):
        moved = _take_trailing(node, key, None)
        node[key] = new
        _give_trailing(node, key, moved)
        width = _width(old)
        if width is not None:  # the value leaves the key's line
            _shift_comment(node, key, -(width + 1))
        return
    node[key] = new
    a, b = _width(old), _width(new)
    if a is not None and b is not None:
        _shift_comment(node, key, b - a)


def _width(value: Any) -> int | None:
    """How many columns a scalar takes, roughly as written (None: unknown, a collection)."""
    from ruamel.yaml.scalarstring import (DoubleQuotedScalarString, ScalarString,
                                          SingleQuotedScalarString)

    if isinstance(value, bool):
        return 4 if value else 5
    if value is None:
        return 0
    if isinstance(value, Null):
        return len(value.text)
    if isinstance(value, (DoubleQuotedScalarString, SingleQuotedScalarString)):
        return len(value) + 2
    if isinstance(value, ScalarString) or isinstance(value, str) and "\n" in value:
        return None
    if isinstance(value, (str, int, float)):
        return len(str(value))
    return None


def _shift_comment(node: Any, key: Any, delta: int) -> None:
    """Move the comment at the end of the entry's line by `delta` columns (its gap kept when the
    text before it grows or shrinks)."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import CommentMark

    entry = node.ca.items.get(key)
    slot = 2 if isinstance(node, CommentedMap) else 0
    token = entry[slot] if entry and len(entry) > slot else None
    if not delta or token is None or not isinstance(token.value, str) \
            or token.value.startswith("\n"):
        return
    column = getattr(token.start_mark, "column", None)
    if isinstance(column, int):
        token.start_mark = CommentMark(max(0, column + delta))


def _delete(node: Any, key: Any) -> None:
    """Remove a mapping key or sequence item; the comments after it move to the entry before."""
    from ruamel.yaml.comments import CommentedMap

    moved = _take_trailing(node, key, None)
    if isinstance(node, CommentedMap):
        pre = (node.ca.items.get(key) or [None, None])[1] or []
        moved = "".join(_indented(t) for t in pre) + moved
        keys = list(node.keys())
        before = keys[keys.index(key) - 1] if keys.index(key) > 0 else MISSING
        del node[key]
        node.ca.items.pop(key, None)
    else:
        before = key - 1 if key > 0 else MISSING
        del node[key]
    if moved and before is not MISSING:
        _give_trailing(node, before, moved)


def _indented(token: Any) -> str:
    """A comment token kept before a key, as full lines."""
    value = token.value
    col = getattr(token.start_mark, "column", 0) or 0
    return value if value.startswith(("\n", " ")) else " " * col + value


def _column(node: Any) -> int | None:
    try:
        col = node.lc.col
    except AttributeError:  # pragma: no cover - every loaded node has it
        return None
    return col if isinstance(col, int) else None


def _leaf(node: Any, key: Any) -> tuple[Any, Any, int]:
    """Where ruamel keeps the comments that follow the entry `node[key]`: its last scalar (or flow
    collection) entry, as (collection, key, slot in `ca.items[key]`)."""
    from ruamel.yaml.comments import CommentedMap

    while True:
        value = node[key]
        if _is_block(value) and len(value) > 0:
            node = value
            key = list(value.keys())[-1] if isinstance(value, CommentedMap) else len(value) - 1
            continue
        return node, key, 2 if isinstance(node, CommentedMap) else 0


def _take_trailing(node: Any, key: Any, col: int | None) -> str:
    """Remove and return the comment lines after the entry `node[key]`'s own line: all of them
    (`col` None) or from the first comment indented at most `col` (with the blank lines before).

    ruamel keeps them with the entry's last scalar (`ca.items`) or, after a flow collection, at
    the end of the enclosing block collections (`ca.end`)."""
    from ruamel.yaml.comments import CommentedMap

    chain = []  # the block collections holding the entry's last scalar, outermost first
    value = node[key]
    while _is_block(value) and len(value) > 0:
        chain.append(value)
        value = value[list(value.keys())[-1] if isinstance(value, CommentedMap) else -1]
    holder, k, slot = _leaf(node, key)
    entry = holder.ca.items.get(k)
    token = entry[slot] if entry and len(entry) > slot else None
    moved = ""
    if token is not None and isinstance(token.value, str):
        lines = split_lines(token.value)
        rest = lines[1:]
        cut = _cut(rest, col)
        moved = "".join(rest[cut:])
        token.value = lines[0] + "".join(rest[:cut])
    for coll in reversed(chain):
        end = getattr(coll.ca, "end", None)
        if not end:
            continue
        texts = [_indented(t) for t in end]
        cut = _cut(texts, col)
        if cut < len(texts):
            moved += "".join(t if t.endswith("\n") else t + "\n" for t in texts[cut:])
            del end[cut:]
    return moved


def _cut(lines: list[str], col: int | None) -> int:
    """Where the comment lines that belong after an entry at column `col` start."""
    if col is None:
        return 0
    cut = len(lines)
    for i, line in enumerate(lines):
        s = line.lstrip(" ")
        if s.startswith("#") and len(line) - len(s) <= col:
            cut = i
            break
    while cut > 0 and not lines[cut - 1].strip():
        cut -= 1
    return cut


def _give_trailing(node: Any, key: Any, text: str) -> None:
    """Put comment lines after the entry `node[key]`."""
    if not text:
        return
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    holder, k, slot = _leaf(node, key)
    entry = holder.ca.items.setdefault(k, [None, None, None, None])
    while len(entry) <= slot:
        entry.append(None)
    token = entry[slot]
    if token is not None and isinstance(token.value, str):
        sep = "" if token.value.endswith("\n") else "\n"
        token.value = token.value + sep + text
    else:
        entry[slot] = CommentToken("\n" + text, CommentMark(0))


def _unchanged(old: Any, value: Any) -> bool:
    """Whether a ruamel scalar already says `value` to Kubernetes (keep its spelling then)."""
    from kubelint.parse import resolve_plain

    if isinstance(old, (dict, list)) or isinstance(value, (dict, list, tuple)):
        return False
    if isinstance(value, str):
        if not isinstance(old, str) or str(old) != value:
            return False
        return type(old) is not str or resolve_plain(old) == value
    if value is None:
        return _is_null(old)
    if isinstance(value, bool):
        return type(old) is bool and old == value
    if isinstance(value, int):
        return isinstance(old, int) and not isinstance(old, bool) and int(old) == value
    if isinstance(value, float):
        return isinstance(old, float) and float(old) == value
    return False


def _node(value: Any, like: Any = None) -> Any:
    """A fix's value as round-trip nodes (block style; ruamel writes them in flow style inside a
    flow collection). A string replacing a quoted one keeps its quotes."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            m[_scalar(str(k))] = _node(v)
        return m
    if isinstance(value, (list, tuple)):
        return CommentedSeq(_node(v) for v in value)
    if isinstance(value, str):
        if isinstance(like, (DoubleQuotedScalarString, SingleQuotedScalarString)) \
                and "\n" not in value:
            return type(like)(value)
        return _scalar(value)
    return value


def _scalar(text: str) -> Any:
    """A string Kubernetes reads back as that string: quoted when YAML 1.1 would read it as
    something else (`yes`, `0755`, `1_000`, `~`)."""
    from kubelint.parse import resolve_plain
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if resolve_plain(text) != text or not isinstance(resolve_plain(text), str):
        return DoubleQuotedScalarString(text)
    return text
