"""Kubernetes API schemas: loading, compiling and validating, with every error at a YAML path.

Two sources of schemas:

- **Built-in kinds**: `schemas/kubernetes-1.NN.json`, generated from the OpenAPI-derived schemas of
  each release by `scripts/vendor_k8s_schemas.py` (see docs/schemas.md). A release's file is read
  the first time an object needs it, and each definition is compiled the first time an object
  reaches it, so a run pays only for the kinds it meets.
- **Custom resources**: the `openAPIV3Schema` of each served version of the
  CustomResourceDefinitions in the linted set.

The validator is written for these schemas rather than taken from a JSON Schema library: Kubernetes
uses a small subset of JSON Schema (OpenAPI 3.0's, where `exclusiveMinimum` is a boolean and every
built-in field is nullable), the rules need each error's kind and YAML path rather than a keyword
trail, and a single pass over an object with no library import keeps start-up light (measured in
docs/schemas.md). Values are read as Kubernetes reads them after its YAML 1.1 step: null is unset.

Everything here is a pure function of its arguments; the caches only memoize (a release's compiled
definitions; a bundle's CRD schemas and the errors of its objects, which the schema rules share).
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from kubelint.model import YamlPath, format_path

if TYPE_CHECKING:
    from kubelint.k8s import Resource, ResourceIndex

NEWEST_VERSION = "1.37"
OLDEST_VERSION = "1.25"
SUPPORTED_VERSIONS = tuple(f"1.{minor}" for minor in range(25, 38))
"""Releases with a vendored schema file, oldest first."""

VERSION_OPTION = "kubernetes-version"
VERSION_SCHEMA = {
    "type": "string", "pattern": r"^v?1\.[0-9]+(\.[0-9]+)?$",
    "description": "The Kubernetes release the manifests target, as a quoted string such as "
                   f"\"1.33\" (YAML reads 1.30 unquoted as the number 1.3). Default: the newest "
                   f"supported release, {NEWEST_VERSION}. Schemas exist for {OLDEST_VERSION} to "
                   f"{NEWEST_VERSION}; an older or newer release is validated against the nearest "
                   f"one.",
}
VERSION_OPTIONS_SCHEMA = {"type": "object", "additionalProperties": False,
                          "properties": {VERSION_OPTION: VERSION_SCHEMA}}

# Error kinds, one per schema rule.
UNKNOWN_FIELD = "unknown-field"
WRONG_TYPE = "wrong-type"
MISSING_FIELD = "missing-field"
INVALID_VALUE = "invalid-value"


def parse_version(text: Any) -> tuple[int, int] | None:
    """`"1.33"`, `"v1.33"` or `"1.33.2"` as (1, 33); None if it is not a 1.x release."""
    return _parse_version(text) if isinstance(text, str) else None


@lru_cache(maxsize=64)
def _parse_version(text: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"v?1\.([0-9]+)(?:\.[0-9]+)?", text.strip())
    return (1, int(match.group(1))) if match else None


def target_version(options: Any) -> tuple[int, int]:
    """The release a rule's options target (the newest supported one if unset or malformed)."""
    found = parse_version(options.get(VERSION_OPTION)) if hasattr(options, "get") else None
    return found or parse_version(NEWEST_VERSION)  # type: ignore[return-value]


def schema_version(target: tuple[int, int]) -> str:
    """The vendored release used to validate for `target`: itself, or the nearest supported."""
    oldest, newest = int(OLDEST_VERSION[2:]), int(NEWEST_VERSION[2:])
    return SUPPORTED_VERSIONS[min(max(target[1], oldest), newest) - oldest]


def split_api_version(api_version: str) -> tuple[str, str]:
    """`apps/v1` -> ("apps", "v1"); `v1` -> ("", "v1")."""
    group, _, version = api_version.rpartition("/")
    return group, version


# --- errors -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SchemaError:
    """One problem: its kind (one of the four above), path inside the object and message.

    `check` names what an INVALID_VALUE broke ("enum", "quantity", "byte", "pattern", ...).
    """

    kind: str
    path: YamlPath
    message: str
    check: str = ""


def _label(path: YamlPath, anchor: int, root: str) -> str:
    """How a message names the node at `path`: from its last field name (`containers[0]`)."""
    return f"`{format_path(path[anchor:])}`" if path[anchor:] else root


def shown(value: Any, limit: int = 60) -> str:
    """A value for a message, as its type and YAML spelling: `string "three"`, `boolean true`."""
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value!r}"
    if isinstance(value, str):
        text = json.dumps(value if len(value) <= limit else value[:limit] + "...",
                          ensure_ascii=False)
        return f"string {text}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _quoted(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


_EXPECTED = {"string": "a string", "integer": "an integer", "number": "a number",
             "boolean": "a boolean", "object": "a mapping", "array": "a list"}


def _expected(types: tuple[str, ...]) -> str:
    words = [_EXPECTED.get(t, t) for t in types]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _hint(types: tuple[str, ...], value: Any) -> str:
    """Why YAML produced the wrong type, when the likely cause is quoting."""
    if types == ("string",) and isinstance(value, bool):
        return ("; quote the value to make it a string (YAML reads unquoted yes, no, on, off, "
                "true and false as booleans)")
    if types == ("string",) and isinstance(value, (int, float)):
        return "; quote the value to make it a string"
    if isinstance(value, str) and ("${" in value or "{{" in value):
        return " (an unrendered template placeholder?)"
    if isinstance(value, str) and ("integer" in types or "number" in types):
        try:
            float(value)
        except ValueError:
            return ""
        return "; remove the quotes to make it a number"
    if isinstance(value, str) and "boolean" in types and value.lower() in ("true", "false"):
        return "; remove the quotes to make it a boolean"
    return ""


# --- value formats ----------------------------------------------------------------------------

_PATTERNS = {
    "quantity": r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?",
    "byte": r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?",
    "date-time": r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}"
                 r"(?::[0-9]{2}(?:\.[0-9]+)?)?(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?)?",
    "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "go-duration": r"[-+]?(?:0|(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+)",
    "loose-duration": r"([0-9]+)\s*([A-Za-zµ]+)",
    "uuid": r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}",
}
"""Value formats, compiled on first use (most runs need one or two)."""


@lru_cache(maxsize=None)
def _regex(name: str) -> re.Pattern[str]:
    return re.compile(_PATTERNS[name])


_DURATION_UNITS = frozenset("ns nano us µs micro ms milli s sec m min h hr hour d day w wk week"
                            .split())
_INT_RANGES = {"int32": (-(2 ** 31), 2 ** 31 - 1), "int64": (-(2 ** 63), 2 ** 63 - 1)}


def _duration_ok(text: str) -> bool:
    """The API server's `duration` format: Go's syntax (`1h30m`), or number-unit pairs."""
    if _regex("go-duration").fullmatch(text):
        return True
    for _, unit in _regex("loose-duration").findall(text):
        unit = unit.lower()
        if unit in _DURATION_UNITS or (unit.endswith("s") and unit[:-1] in _DURATION_UNITS):
            return True
    return False


def _ip_ok(text: str, version: int, network: bool = False) -> bool:
    import ipaddress

    try:
        if network:
            ipaddress.ip_network(text, strict=False)
            return "/" in text
        return ipaddress.ip_address(text).version == version
    except ValueError:
        return False


def _format_problem(fmt: str, value: Any) -> str | None:
    """What is wrong with `value` for `fmt`, or None (unknown formats pass)."""
    problem = _format_problem_of(fmt, value)
    if problem is not None and isinstance(value, str) and ("${" in value or "{{" in value):
        problem += " (an unrendered template placeholder?)"
    return problem


def _format_problem_of(fmt: str, value: Any) -> str | None:
    if fmt in _INT_RANGES:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            lo, hi = _INT_RANGES[fmt]
            if not lo <= value <= hi:
                return f"is out of range for a {fmt[3:]}-bit integer: {value}"
        return None
    if not isinstance(value, str):
        if fmt == "quantity" and isinstance(value, float) and not math.isfinite(value):
            return f"must be a quantity such as 500m, 0.5 or 1Gi, got {shown(value)}"
        return None
    if fmt == "quantity":
        if not _regex("quantity").fullmatch(value):
            return f"must be a quantity such as 500m, 0.5 or 1Gi, got {shown(value)}"
    elif fmt == "byte":
        if not _regex("byte").fullmatch(value.replace("\n", "").replace("\r", "")):
            return "is not valid base64"
    elif fmt == "date-time":
        if not _regex("date-time").fullmatch(value):
            return (f"must be an RFC 3339 date-time such as 2024-01-31T12:00:00Z, "
                    f"got {shown(value)}")
    elif fmt == "date":
        if not _regex("date").fullmatch(value):
            return f"must be a date such as 2024-01-31, got {shown(value)}"
    elif fmt == "duration":
        if not _duration_ok(value):
            return f"must be a duration such as 30s, 5m or 1h30m, got {shown(value)}"
    elif fmt in ("ipv4", "ipv6"):
        if not _ip_ok(value, int(fmt[-1])):
            return f"must be an IPv{fmt[-1]} address, got {shown(value)}"
    elif fmt == "cidr":
        if not _ip_ok(value, 0, network=True):
            return f"must be a CIDR such as 10.0.0.0/16, got {shown(value)}"
    elif fmt in ("uuid", "uuid3", "uuid4", "uuid5"):
        if not _regex("uuid").fullmatch(value):
            return f"must be a UUID, got {shown(value)}"
    return None


# --- compiled schemas ---------------------------------------------------------------------------

_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object",
               list: "array"}

STRICT = 1  # report unknown fields (off inside allOf/anyOf/oneOf/not branches)
REQUIRED = 2  # report missing required fields (off under `status`, which the server resets)


class Node:
    """A compiled schema. Built-in definitions give plain nodes; CRD schemas may add `extra`."""

    __slots__ = ("types", "props", "required", "values", "items", "enum", "fmt", "open",
                 "int_or_string", "extra", "name", "embedded", "fast", "lazy")

    def __init__(self) -> None:
        self.types: tuple[str, ...] | None = None
        self.props: dict[str, Node] | None = None
        self.required: tuple[str, ...] = ()
        self.values: Node | None = None  # additionalProperties as a schema: a map's values
        self.items: Node | None = None
        self.enum: tuple[Any, ...] | None = None
        self.fmt: str | None = None
        self.open = True  # unknown fields allowed
        self.int_or_string = False
        self.extra: _Extra | None = None
        self.name = ""  # the definition's short name, for messages
        self.embedded = False  # x-kubernetes-embedded-resource: apiVersion, kind, metadata
        self.fast: tuple[type, ...] = ()  # Python types that pass with nothing more to check
        self.lazy: tuple[_Compiler, dict] | None = None  # a CRD schema not compiled yet


ANY = Node()
"""Takes any value."""


class _Extra:
    """The value validations CRD schemas may use beyond the built-in subset."""

    __slots__ = ("pattern", "min_length", "max_length", "minimum", "maximum", "excl_min",
                 "excl_max", "multiple_of", "min_items", "max_items", "unique", "min_props",
                 "max_props", "all_of", "any_of", "one_of", "not_")

    def __init__(self) -> None:
        self.pattern: re.Pattern[str] | None = None
        self.min_length = self.max_length = self.min_items = self.max_items = None
        self.min_props = self.max_props = None
        self.minimum = self.maximum = self.multiple_of = None
        self.excl_min = self.excl_max = self.unique = False
        self.all_of: tuple[Node, ...] = ()
        self.any_of: tuple[Node, ...] = ()
        self.one_of: tuple[Node, ...] = ()
        self.not_: Node | None = None


def _types_of(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(t, str) for t in value):
        return tuple(t for t in value if t != "null") or None
    return None


def _number(value: Any) -> float | int | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
        else None


_EXTRA_KEYS = frozenset({"pattern", "minLength", "maxLength", "minItems", "maxItems",
                         "minProperties", "maxProperties", "minimum", "maximum", "multipleOf",
                         "uniqueItems", "allOf", "anyOf", "oneOf", "not"})


class _Compiler:
    """Turns schema dicts into Nodes; `$ref`s resolve to named definitions, compiled once."""

    def __init__(self, definitions: dict[str, Any], crd: bool = False,
                 preserve_unknown: bool = False) -> None:
        self.definitions = definitions
        self.compiled: dict[str, Node] = {}
        self.crd = crd  # CRD schemas: compiled as reached (some are huge), with `extra`
        self.preserve_unknown = preserve_unknown  # every object takes unknown fields

    def definition(self, name: str) -> Node:
        node = self.compiled.get(name)
        if node is None:
            node = self.compiled[name] = Node()  # registered first: definitions may recurse
            schema = self.definitions.get(name)
            if isinstance(schema, dict):
                self._fill(node, schema)
            node.name = name.rsplit(".", 1)[-1]
        return node

    def node(self, schema: Any) -> Node:
        if not isinstance(schema, dict):
            return ANY
        ref = schema.get("$ref")
        if isinstance(ref, str) and not self.crd:
            return self.definition(ref)
        node = Node()
        if self.crd:
            node.lazy = (self, schema)
        else:
            self._fill(node, schema)
        return node

    def fill(self, node: Node) -> None:
        """Compile a lazily created node."""
        if node.lazy is not None:
            schema = node.lazy[1]
            node.lazy = None
            self._fill(node, schema)

    def _fill(self, node: Node, schema: dict) -> None:
        node.types = _types_of(schema.get("type"))
        if schema.get("x-kubernetes-int-or-string") is True:
            node.int_or_string = True
            node.types = None
        fmt = schema.get("format")
        node.fmt = fmt if isinstance(fmt, str) else None
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            # Built-in enums take "" too: the API server defaults an empty value.
            node.enum = tuple(enum) if self.crd else (*enum, "")
        props = schema.get("properties")
        if isinstance(props, dict) and props:
            node.props = {str(k): self.node(v) for k, v in props.items()}
            node.open = False
        extra_props = schema.get("additionalProperties")
        if isinstance(extra_props, dict):
            node.values = self.node(extra_props)
            node.open = False
        elif extra_props is True:
            node.open = True
        if schema.get("x-kubernetes-preserve-unknown-fields") is True:
            node.open = True
        if schema.get("x-kubernetes-embedded-resource") is True:
            node.embedded = True
        required = schema.get("required")
        if isinstance(required, list):
            node.required = tuple(r for r in required if isinstance(r, str))
        if "items" in schema:
            items = schema["items"]
            node.items = self.node(items) if isinstance(items, dict) else ANY
        if self.crd:
            node.extra = self._extra(schema)
            if self.preserve_unknown:
                node.open = True
        node.fast = _fast_types(node)

    def _extra(self, schema: dict) -> _Extra | None:
        if schema.keys().isdisjoint(_EXTRA_KEYS):
            return None
        extra = _Extra()
        used = False
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            try:
                extra.pattern = re.compile(pattern)
                used = True
            except re.error:
                pass  # an RE2 construct Python lacks: not checked
        for key, attr in (("minLength", "min_length"), ("maxLength", "max_length"),
                          ("minItems", "min_items"), ("maxItems", "max_items"),
                          ("minProperties", "min_props"), ("maxProperties", "max_props")):
            value = _count(schema.get(key))
            if value is not None:
                setattr(extra, attr, value)
                used = True
        for key, attr in (("minimum", "minimum"), ("maximum", "maximum"),
                          ("multipleOf", "multiple_of")):
            value = _number(schema.get(key))
            if value is not None and not (key == "multipleOf" and value <= 0):
                setattr(extra, attr, value)
                used = True
        extra.excl_min = schema.get("exclusiveMinimum") is True
        extra.excl_max = schema.get("exclusiveMaximum") is True
        if schema.get("uniqueItems") is True:
            extra.unique = used = True
        for key, attr in (("allOf", "all_of"), ("anyOf", "any_of"), ("oneOf", "one_of")):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                setattr(extra, attr, tuple(self.node(b) for b in branches))
                used = True
        if isinstance(schema.get("not"), dict):
            extra.not_ = self.node(schema["not"])
            used = True
        return extra if used else None


_FAST = {("string",): (str,), ("boolean",): (bool,), ("integer",): (int,),
         ("number",): (int, float)}


def _fast_types(node: Node) -> tuple[type, ...]:
    """The value types a scalar node accepts outright (no enum, format or constraint to check)."""
    if node.enum is not None or node.fmt is not None or node.extra is not None:
        return ()
    if node.int_or_string:
        return (str, int)
    if node.types is None:
        return ()
    return _FAST.get(node.types, ())


# --- validation -------------------------------------------------------------------------------

def _json_equal(a: Any, b: Any) -> bool:
    """JSON equality: a boolean never equals a number (Python's True == 1 does)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b))
    return bool(a == b)


class _Run:
    """One object's validation: where errors go and how the root is named."""

    __slots__ = ("out", "root", "node")

    def __init__(self, root: str, node: Node | None = None) -> None:
        self.out: list[SchemaError] = []
        self.root = root
        self.node = node  # the object's root schema, to explain misplaced fields

    def add(self, kind: str, path: YamlPath, message: str, check: str = "") -> None:
        self.out.append(SchemaError(kind, path, message, check))


def _is_integer(value: Any) -> bool:
    """An integer as Kubernetes decodes it: a YAML float with no fraction (3.0) counts."""
    t = type(value)
    return t is int or (t is float and value.is_integer() and abs(value) < 2 ** 63)


def _check(node: Node, value: Any, path: YamlPath, anchor: int, run: _Run, flags: int) -> None:
    if value is None or node is ANY:
        return
    if node.lazy is not None:
        node.lazy[0].fill(node)
    t = type(value)
    if node.int_or_string:
        if t is not str and not _is_integer(value):
            run.add(WRONG_TYPE, path, f"{_label(path, anchor, run.root)} must be an integer or "
                                      f"a string, got {shown(value)}")
            return
    elif node.types is not None:
        jt = _JSON_TYPES.get(t)
        types = node.types
        if jt not in types and not (jt == "integer" and "number" in types) and \
                not (jt == "number" and "integer" in types and _is_integer(value)):
            run.add(WRONG_TYPE, path, f"{_label(path, anchor, run.root)} must be "
                                      f"{_expected(types)}, got {shown(value)}"
                                      f"{_hint(types, value)}")
            return
    if t is dict:
        _check_object(node, value, path, anchor, run, flags)
    elif t is list:
        items = node.items
        if items is not None and items is not ANY:
            fast = items.fast
            for i, item in enumerate(value):
                if item is not None and type(item) not in fast:
                    _check(items, item, (*path, i), anchor, run, flags)
    else:
        if node.enum is not None and \
                not any(_json_equal(value, e) for e in node.enum):
            run.add(INVALID_VALUE, path, _enum_message(node.enum, value, path, anchor, run),
                    "enum")
        if node.fmt is not None:
            problem = _format_problem(node.fmt, value)
            if problem is not None:
                run.add(INVALID_VALUE, path, f"{_label(path, anchor, run.root)} {problem}",
                        node.fmt)
    if node.extra is not None:
        _check_extra(node, node.extra, value, path, anchor, run, flags)


def _check_object(node: Node, value: dict, path: YamlPath, anchor: int, run: _Run,
                  flags: int) -> None:
    props = node.props
    values = node.values
    strict = flags & STRICT and not node.open
    for key, sub in value.items():
        child = props.get(key) if props is not None else None
        if child is not None:
            if sub is None or type(sub) in child.fast:
                continue
            child_path = (*path, key)
            if not path and key == "status":
                _check(child, sub, child_path, 0, run, flags & ~REQUIRED)
            else:
                _check(child, sub, child_path, len(path), run, flags)
        elif values is not None:
            if sub is not None and type(sub) not in values.fast:
                _check(values, sub, (*path, key), anchor, run, flags)
        elif strict and not (node.embedded and key in ("apiVersion", "kind", "metadata")):
            run.add(UNKNOWN_FIELD, (*path, key), _unknown_message(node, key, path, anchor, run))
    if flags & REQUIRED:
        for name in node.required:
            if value.get(name) is None:
                where = _label(path, anchor, run.root)
                state = "is null" if name in value else "is missing"
                run.add(MISSING_FIELD, (*path, name),
                        f"required field `{name}` {state} in {where}")


def _unknown_message(node: Node, key: str, path: YamlPath, anchor: int, run: _Run) -> str:
    text = f"unknown field `{key}` in {_label(path, anchor, run.root)}"
    if node.props:
        import difflib

        close = difflib.get_close_matches(key, list(node.props), n=1, cutoff=0.6)
        if not close:
            lowered = {p.lower(): p for p in node.props}
            close = [lowered[key.lower()]] if key.lower() in lowered else []
        if close:
            return f"{text} (did you mean `{close[0]}`?)"
    for where, ancestor in reversed(_ancestors(run.node, path)[:-1]):
        if ancestor.props is not None and key in ancestor.props:
            return (f"{text} (`{key}` belongs in {_label(where, _anchor(where), run.root)}; "
                    f"check the indentation)")
    return text


def _anchor(path: YamlPath) -> int:
    """Where a path's label starts: at its last field name."""
    for i in range(len(path) - 1, -1, -1):
        if isinstance(path[i], str):
            return i
    return 0


def _ancestors(root: Node | None, path: YamlPath) -> list[tuple[YamlPath, Node]]:
    """The schemas along `path`, from the root: (path prefix, node) for each object on it."""
    out: list[tuple[YamlPath, Node]] = []
    node = root
    for i, step in enumerate(path):
        if node is None:
            break
        if isinstance(step, int):
            node = node.items
            continue
        out.append((path[:i], node))
        node = (node.props or {}).get(step) or node.values
    if node is not None:
        out.append((path, node))
    return out


def _enum_message(enum: tuple[Any, ...], value: Any, path: YamlPath, anchor: int,
                  run: _Run) -> str:
    allowed = ", ".join(str(e) if isinstance(e, str) else _quoted(e) for e in enum if e != "")
    text = (f"{_label(path, anchor, run.root)} must be one of {allowed}, "
            f"got {_quoted(value) if isinstance(value, str) else shown(value)}")
    if isinstance(value, str):
        names = [e for e in enum if isinstance(e, str) and e]
        close = [e for e in names if e.lower() == value.lower()]
        if not close:
            import difflib

            close = difflib.get_close_matches(value, names, n=1, cutoff=0.75)
        if close:
            return f"{text} (did you mean {_quoted(close[0])}?)"
    return text


def _branch_errors(branch: Node, value: Any, path: YamlPath, anchor: int, run: _Run,
                   flags: int) -> list[SchemaError]:
    sub = _Run(run.root)
    _check(branch, value, path, anchor, sub, flags & ~STRICT)
    return sub.out


def _check_extra(node: Node, extra: _Extra, value: Any, path: YamlPath, anchor: int, run: _Run,
                 flags: int) -> None:
    label = _label(path, anchor, run.root)

    def bad(check: str, message: str) -> None:
        run.add(INVALID_VALUE, path, f"{label} {message}", check)

    if isinstance(value, str):
        if extra.pattern is not None and not extra.pattern.search(value):
            bad("pattern", f"must match the pattern {extra.pattern.pattern!r}, "
                           f"got {shown(value)}")
        if extra.min_length is not None and len(value) < extra.min_length:
            bad("minLength", f"must be at least {extra.min_length} characters long, "
                             f"got {len(value)}")
        if extra.max_length is not None and len(value) > extra.max_length:
            bad("maxLength", f"must be at most {extra.max_length} characters long, "
                             f"got {len(value)}")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        lo, hi = extra.minimum, extra.maximum
        if lo is not None and (value < lo or (extra.excl_min and value == lo)):
            word = "greater than" if extra.excl_min else "at least"
            bad("minimum", f"must be {word} {lo}, got {value}")
        if hi is not None and (value > hi or (extra.excl_max and value == hi)):
            word = "less than" if extra.excl_max else "at most"
            bad("maximum", f"must be {word} {hi}, got {value}")
        if extra.multiple_of is not None and not float(value / extra.multiple_of).is_integer():
            bad("multipleOf", f"must be a multiple of {extra.multiple_of}, got {value}")
    elif isinstance(value, list):
        if extra.min_items is not None and len(value) < extra.min_items:
            bad("minItems", f"must have at least {extra.min_items} items, got {len(value)}")
        if extra.max_items is not None and len(value) > extra.max_items:
            bad("maxItems", f"must have at most {extra.max_items} items, got {len(value)}")
        if extra.unique:
            for i, item in enumerate(value):
                if any(_json_equal(item, other) for other in value[:i]):
                    run.add(INVALID_VALUE, (*path, i), f"{_label((*path, i), anchor, run.root)} "
                                                       f"repeats an earlier item", "uniqueItems")
    elif isinstance(value, dict):
        if extra.min_props is not None and len(value) < extra.min_props:
            bad("minProperties", f"must have at least {extra.min_props} fields")
        if extra.max_props is not None and len(value) > extra.max_props:
            bad("maxProperties", f"must have at most {extra.max_props} fields")
    for branch in extra.all_of:
        _check(branch, value, path, anchor, run, flags & ~STRICT)
    if extra.any_of:
        results = [_branch_errors(b, value, path, anchor, run, flags) for b in extra.any_of]
        if all(results):
            bad("anyOf", _alternatives(extra.any_of, results, "must match at least one of"))
    if extra.one_of:
        results = [_branch_errors(b, value, path, anchor, run, flags) for b in extra.one_of]
        passing = sum(1 for r in results if not r)
        if passing == 0:
            bad("oneOf", _alternatives(extra.one_of, results, "must match exactly one of"))
        elif passing > 1 and not _equivalent_branches(extra.one_of):
            bad("oneOf", f"matches {passing} of its {len(extra.one_of)} alternative schemas; "
                         f"it must match exactly one")
    if extra.not_ is not None and not _branch_errors(extra.not_, value, path, anchor, run, flags):
        bad("not", "matches a schema it must not match")


def _equivalent_branches(branches: tuple[Node, ...]) -> bool:
    """oneOf branches that only state types (int-or-string style) never conflict usefully."""
    return all(b.props is None and not b.required and b.extra is None for b in branches)


def _alternatives(branches: tuple[Node, ...], results: list[list[SchemaError]],
                  lead: str) -> str:
    fields = [b.required for b in branches]
    if all(len(f) == 1 and b.props is None and b.extra is None
           for f, b in zip(fields, branches)):
        names = ", ".join(f"`{f[0]}`" for f in fields)
        return f"{lead} the fields {names}" if lead.endswith("one of") else f"{lead} {names}"
    first = min(results, key=len)[0].message
    return f"{lead} {len(branches)} alternative schemas (for example: {first})"


# --- built-in kinds -------------------------------------------------------------------------------

class BuiltinSchemas:
    """One release's built-in kinds, compiled on demand."""

    def __init__(self, version: str, data: dict[str, Any]) -> None:
        self.version = version
        self.kinds: dict[str, dict[str, str]] = data["kinds"]
        self._compiler = _Compiler(data["definitions"])
        self.groups = frozenset(split_api_version(gv)[0] for gv in self.kinds)

    def root(self, api_version: str, kind: str) -> Node | None:
        name = self.kinds.get(api_version, {}).get(kind)
        return self._compiler.definition(name) if name else None

    def definition(self, name: str) -> Node:
        return self._compiler.definition(name)

    def api_versions_of(self, group: str, kind: str) -> list[str]:
        """The group-versions of `group` that serve `kind` in this release."""
        return [gv for gv, kinds in self.kinds.items()
                if split_api_version(gv)[0] == group and kind in kinds]

    def kinds_of(self, api_version: str) -> list[str]:
        return sorted(self.kinds.get(api_version, {}))


@lru_cache(maxsize=None)
def builtin(version: str) -> BuiltinSchemas:
    """The vendored schemas of `version` (one of SUPPORTED_VERSIONS), read on first use."""
    import kubelint.schemas  # the schemas/ folder, installed as a package

    folder = os.path.dirname(os.path.abspath(kubelint.schemas.__file__ or ""))
    with open(os.path.join(folder, f"kubernetes-{version}.json"), encoding="utf-8") as f:
        return BuiltinSchemas(version, json.load(f))


_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


# --- custom resources ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CrdVersion:
    """One version of a CRD: whether it is served and its schema (None: no schema given)."""

    name: str
    served: bool
    schema: Any
    preserve_unknown: bool


@dataclass(frozen=True)
class Crd:
    resource: "Resource"
    group: str
    kind: str
    versions: tuple[CrdVersion, ...]

    def version(self, name: str) -> CrdVersion | None:
        return next((v for v in self.versions if v.name == name), None)

    @property
    def served(self) -> list[str]:
        return [v.name for v in self.versions if v.served]


def crd_of(res: "Resource") -> Crd | None:
    """The custom resource a CustomResourceDefinition defines, read defensively."""
    from kubelint.k8s import as_dict, as_list

    if res.kind != "CustomResourceDefinition" or \
            split_api_version(res.api_version)[0] != "apiextensions.k8s.io":
        return None
    spec = as_dict(res.obj.get("spec"))
    group, kind = spec.get("group"), as_dict(spec.get("names")).get("kind")
    if not isinstance(group, str) or not isinstance(kind, str):
        return None
    v1 = split_api_version(res.api_version)[1] == "v1"
    # apiextensions/v1beta1 keeps unknown fields unless preserveUnknownFields is false.
    preserve = spec.get("preserveUnknownFields") is True or \
        (not v1 and spec.get("preserveUnknownFields") is not False)
    shared = as_dict(spec.get("validation")).get("openAPIV3Schema")
    versions: list[CrdVersion] = []
    for item in as_list(spec.get("versions")):
        item = as_dict(item)
        name = item.get("name")
        if not isinstance(name, str):
            continue
        schema = as_dict(item.get("schema")).get("openAPIV3Schema", shared)
        versions.append(CrdVersion(name, item.get("served") is not False,
                                   schema if isinstance(schema, dict) else None, preserve))
    if not versions and isinstance(spec.get("version"), str):  # v1beta1's single version
        versions.append(CrdVersion(spec["version"], True,
                                   shared if isinstance(shared, dict) else None, preserve))
    return Crd(res, group, kind, tuple(versions))


class CrdSchemas:
    """The CRDs of one bundle, by (group, kind); each version compiled when first needed."""

    def __init__(self, index: "ResourceIndex") -> None:
        self.by_kind: dict[tuple[str, str], list[Crd]] = {}
        for res in index.of_kind("CustomResourceDefinition"):
            crd = crd_of(res)
            if crd is not None:
                self.by_kind.setdefault((crd.group, crd.kind), []).append(crd)
        self._compiled: dict[tuple[int, str, str], Node] = {}

    def candidates(self, group: str, kind: str) -> list[Crd]:
        return self.by_kind.get((group, kind), [])

    def root(self, crd: Crd, version: CrdVersion, meta: Node) -> Node:
        key = (id(crd), version.name, id(meta))
        node = self._compiled.get(key)
        if node is None:
            node = self._compiled[key] = _crd_root(version, meta)
        return node


def _crd_root(version: CrdVersion, meta: Node) -> Node:
    """A CRD version's schema as the API server applies it: apiVersion, kind and metadata are
    implicit at the root (metadata is ObjectMeta), and a schema-less or preserving CRD is open."""
    if version.schema is None:
        return ANY
    compiler = _Compiler({}, crd=True, preserve_unknown=version.preserve_unknown)
    root = compiler.node(version.schema)
    compiler.fill(root)
    props = dict(root.props or {})
    props.update(apiVersion=_string_node(), kind=_string_node(), metadata=meta)
    root.props = props
    return root


def _string_node() -> Node:
    node = Node()
    node.types = ("string",)
    node.fast = (str,)
    return node


@lru_cache(maxsize=8)
def crd_schemas(index: "ResourceIndex") -> CrdSchemas:
    """The bundle's CRD schemas (built once per index)."""
    return CrdSchemas(index)


# --- resolving an object's schema ---------------------------------------------------------------

@dataclass(frozen=True)
class Resolution:
    """Which schema an object gets.

    `how` is "builtin", "crd" (validated with `node`), "unserved-builtin" (a built-in API group
    that does not serve this apiVersion/kind), "unserved-crd" (a CRD defines the kind but does not
    serve this version) or "unknown" (no schema).
    """

    how: str
    node: Node | None = None
    crd: Crd | None = None
    schemas: BuiltinSchemas | None = None


def _nearest(candidates: list[Crd], res: "Resource") -> list[Crd]:
    """CRDs ordered by closeness to the object: same file, same folder, the rest."""
    import os

    folder = os.path.dirname(res.file)
    return sorted(candidates, key=lambda c: (c.resource.file != res.file,
                                             os.path.dirname(c.resource.file) != folder))


def resolve(res: "Resource", index: "ResourceIndex", version: str) -> Resolution:
    schemas = builtin(version)
    group, api = split_api_version(res.api_version)
    crds = crd_schemas(index).candidates(group, res.kind)
    if crds:
        ordered = _nearest(crds, res)
        for crd in ordered:
            found = crd.version(api)
            if found is not None and found.served:
                meta = schemas.definition(_OBJECT_META)
                return Resolution("crd", crd_schemas(index).root(crd, found, meta), crd, schemas)
        return Resolution("unserved-crd", crd=ordered[0], schemas=schemas)
    node = schemas.root(res.api_version, res.kind)
    if node is not None:
        return Resolution("builtin", node, schemas=schemas)
    if group in schemas.groups or group in LEGACY_GROUPS:
        return Resolution("unserved-builtin", schemas=schemas)
    return Resolution("unknown", schemas=schemas)


LEGACY_GROUPS = frozenset({"extensions", "apps", "batch", "policy", "autoscaling",
                           "networking.k8s.io", "rbac.authorization.k8s.io", "storage.k8s.io",
                           "scheduling.k8s.io", "admissionregistration.k8s.io",
                           "apiextensions.k8s.io", "apiregistration.k8s.io",
                           "certificates.k8s.io", "coordination.k8s.io", "discovery.k8s.io",
                           "events.k8s.io", "flowcontrol.apiserver.k8s.io", "node.k8s.io",
                           "authentication.k8s.io", "authorization.k8s.io"})
"""Built-in API groups, whatever the release: an unknown version of one is not a custom resource."""


@lru_cache(maxsize=8)
def _results(index: "ResourceIndex") -> dict[tuple[int, str],
                                              tuple[Resolution, tuple[SchemaError, ...]]]:
    """What each object of the bundle got, by (object, release): the schema rules share one
    resolution and one pass over each object."""
    return {}


def validate(res: "Resource", index: "ResourceIndex", version: str
             ) -> tuple[Resolution, tuple[SchemaError, ...]]:
    """Which schema `res` gets in `version`, and every error against it (none without one)."""
    done = _results(index)
    key = (id(res), version)
    found = done.get(key)
    if found is None:
        resolution = resolve(res, index, version)
        errors: tuple[SchemaError, ...] = ()
        if resolution.node is not None:
            run = _Run(res.kind, resolution.node)
            _check(resolution.node, res.obj, (), 0, run, STRICT | REQUIRED)
            errors = tuple(run.out)
        found = done[key] = (resolution, errors)
    return found
