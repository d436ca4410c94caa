"""Kubernetes API schemas: loading them, validating objects with jsonschema-rs, and explaining each
error at a YAML path.

Two sources of schemas:

- **Built-in kinds**: `schemas/kubernetes-1.NN.json`, JSON Schema (draft 2020-12) documents
  generated from the OpenAPI-derived schemas of each release by `scripts/vendor_k8s_schemas.py`
  (see docs/schemas.md). A release's file is read the first time an object needs it.
- **Custom resources**: the `openAPIV3Schema` of each served version of the
  CustomResourceDefinitions in the linted set, translated from OpenAPI 3.0 as the API server reads
  it (`crd_json_schema`).

The JSON Schema evaluation is jsonschema-rs's: one validator per kind (or CRD version) and release,
compiled when an object first needs it and kept for the run on the bundle's `ResourceIndex`.
What this module adds is Kubernetes' reading of the results and the messages:

- null is unset: an error on a null value is dropped, and a required field that is null is
  reported as missing (the schemas mark required properties with `not: {type: null}`);
- required fields are not checked under `status`, which the API server resets on create;
- the value formats Kubernetes defines (quantity, base64, duration, ...) are format callables;
- each library error becomes a `SchemaError` of one of the four schema rules, at the YAML path of
  the value (or of the unknown or missing field), with a message that names the field and, for an
  unknown field or enum value, suggests a close one.

Importing this module reads no schema and does not import jsonschema_rs.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable
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


_EXPECTED = {"integer": "an integer", "string": "a string", "number": "a number",
             "boolean": "a boolean", "object": "a mapping", "array": "a list"}
"""Type names for messages, in the order a message lists them (int-or-string, string-or-number)."""
_TYPE_ORDER = {name: i for i, name in enumerate(_EXPECTED)}


def _expected(types: tuple[str, ...]) -> str:
    words = [_EXPECTED.get(t, t) for t in types]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _placeholder(value: Any) -> bool:
    return isinstance(value, str) and ("${" in value or "{{" in value)


def _hint(types: tuple[str, ...], value: Any) -> str:
    """Why YAML produced the wrong type, when the likely cause is quoting."""
    if isinstance(value, float) and not math.isfinite(value) and "number" in types:
        return " (JSON has no infinity or NaN)"
    if types == ("string",) and isinstance(value, bool):
        return ("; quote the value to make it a string (YAML reads unquoted yes, no, on, off, "
                "true and false as booleans)")
    if types == ("string",) and isinstance(value, (int, float)):
        return "; quote the value to make it a string"
    if _placeholder(value):
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


# --- value formats ------------------------------------------------------------------------------

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


def _matches(name: str) -> Callable[[str], bool]:
    return lambda text: _regex(name).fullmatch(text) is not None


FORMATS: dict[str, Callable[[str], bool]] = {
    "quantity": _matches("quantity"),
    "byte": lambda text: _regex("byte").fullmatch(text.replace("\n", "").replace("\r", ""))
    is not None,
    "date-time": _matches("date-time"),
    "date": _matches("date"),
    "duration": _duration_ok,
    "ipv4": lambda text: _ip_ok(text, 4),
    "ipv6": lambda text: _ip_ok(text, 6),
    "cidr": lambda text: _ip_ok(text, 0, network=True),
    **{name: _matches("uuid") for name in ("uuid", "uuid3", "uuid4", "uuid5")},
}
"""The string formats checked, as the API server reads them; jsonschema-rs calls these (and skips
formats not listed: the schemas keep only these)."""

_FORMAT_WORDS = {
    "quantity": "a quantity such as 500m, 0.5 or 1Gi",
    "date-time": "an RFC 3339 date-time such as 2024-01-31T12:00:00Z",
    "date": "a date such as 2024-01-31", "duration": "a duration such as 30s, 5m or 1h30m",
    "ipv4": "an IPv4 address", "ipv6": "an IPv6 address", "cidr": "a CIDR such as 10.0.0.0/16",
}
_INT_BOUNDS = {-(2 ** 31): "32", 2 ** 31 - 1: "32", -(2 ** 63): "64", 2 ** 63 - 1: "64"}
"""The bounds the `int32` and `int64` formats become in the schemas."""


def _format_problem(fmt: str, value: Any) -> str:
    """What is wrong with `value` for `fmt` (which rejected it)."""
    if fmt == "byte":
        problem = "is not valid base64"
    else:
        words = _FORMAT_WORDS.get(fmt, "a UUID" if fmt.startswith("uuid") else f"a valid {fmt}")
        problem = f"must be {words}, got {shown(value)}"
    if _placeholder(value):
        problem += " (an unrendered template placeholder?)"
    return problem


# --- built-in kinds -------------------------------------------------------------------------------

class BuiltinSchemas:
    """One release's built-in kinds: which apiVersion/kind is served, and its JSON Schema."""

    def __init__(self, version: str, data: dict[str, Any]) -> None:
        self.version = version
        self.kinds: dict[str, dict[str, str]] = data["kinds"]
        self.definitions: dict[str, Any] = data["$defs"]
        self.draft: str = data["$schema"]
        self.uri = f"urn:kubelint:kubernetes-{version}"
        self.groups = frozenset(split_api_version(gv)[0] for gv in self.kinds)

    def definition_of(self, api_version: str, kind: str) -> str | None:
        return self.kinds.get(api_version, {}).get(kind)

    def ref(self, name: str) -> dict[str, str]:
        """A schema that is the definition `name` (resolved through the release's registry)."""
        return {"$ref": f"{self.uri}#/$defs/{name}"}

    def api_versions_of(self, group: str, kind: str) -> list[str]:
        """The group-versions of `group` that serve `kind` in this release."""
        return [gv for gv, kinds in self.kinds.items()
                if split_api_version(gv)[0] == group and kind in kinds]

    def kinds_of(self, api_version: str) -> list[str]:
        return sorted(self.kinds.get(api_version, {}))


@lru_cache(maxsize=len(SUPPORTED_VERSIONS))
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


def _by_kind(index: "ResourceIndex") -> dict[tuple[str, str], list[Crd]]:
    out: dict[tuple[str, str], list[Crd]] = {}
    for res in index.of_kind("CustomResourceDefinition"):
        crd = crd_of(res)
        if crd is not None:
            out.setdefault((crd.group, crd.kind), []).append(crd)
    return out


def crd_schemas(index: "ResourceIndex") -> dict[tuple[str, str], list[Crd]]:
    """The bundle's CRDs by (group, kind), read once per index."""
    return index.cached(("k8s_schema", "crds"), _by_kind)  # type: ignore[no-any-return]


_JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "object", "array"})
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")
_BRANCHES = ("allOf", "anyOf", "oneOf")
_EXTRA_KEYS = frozenset({"pattern", *_COUNTS, "minimum", "maximum", "exclusiveMinimum",
                         "exclusiveMaximum", "multipleOf", "uniqueItems", *_BRANCHES, "not"})
"""The value validations CRD schemas may use beyond the built-in subset."""
NOT_NULL = {"type": "null"}
"""What a required property is marked with: `required` alone is met by a null value."""


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(value)


def crd_json_schema(schema: Any, open_all: bool = False, branch: bool = False) -> dict[str, Any]:
    """A CRD's OpenAPI 3.0 schema as JSON Schema 2020-12, the way the API server reads it.

    `type` loses "null" (kubelint drops errors on nulls) and `nullable` goes; an object with
    `properties` takes no other field unless it has `additionalProperties`,
    `x-kubernetes-preserve-unknown-fields`, is inside `allOf`/`anyOf`/`oneOf`/`not` (`branch`:
    structural schemas state fields outside them) or `open_all` (a v1beta1 CRD that keeps unknown
    fields); an embedded resource takes apiVersion, kind and metadata; int-or-string is a type
    list; `int32`/`int64` become bounds, boolean `exclusiveMinimum`/`exclusiveMaximum` numbers;
    formats other than those in FORMATS, and malformed keywords, are left out.
    """
    if not isinstance(schema, dict):
        return {}
    out: dict[str, Any] = {}
    kind = schema.get("type")
    types = [t for t in (kind if isinstance(kind, list) else [kind]) if t in _JSON_TYPES]
    if schema.get("x-kubernetes-int-or-string") is True:
        out["type"] = ["integer", "string"]
    elif types:
        out["type"] = types[0] if len(types) == 1 else types
    fmt = schema.get("format")
    if fmt in ("int32", "int64"):
        bits = int(fmt[3:])
        out["minimum"], out["maximum"] = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    elif fmt in FORMATS:
        out["format"] = fmt
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        out["enum"] = schema["enum"]
    if isinstance(schema.get("pattern"), str):
        out["pattern"] = schema["pattern"]
    for key in _COUNTS:
        value = schema.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            out[key] = value
    for key, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if _number(schema.get(key)):
            out[exclusive if schema.get(exclusive) is True else key] = schema[key]
    if _number(schema.get("multipleOf")) and schema["multipleOf"] > 0:
        out["multipleOf"] = schema["multipleOf"]
    if schema.get("uniqueItems") is True:
        out["uniqueItems"] = True

    extra = schema.get("additionalProperties")
    props = schema.get("properties")
    if isinstance(props, dict) and props:
        out["properties"] = {str(k): crd_json_schema(v, open_all, branch)
                             for k, v in props.items()}
        if not (branch or open_all or isinstance(extra, dict) or extra is True or
                schema.get("x-kubernetes-preserve-unknown-fields") is True):
            out["additionalProperties"] = False
            if schema.get("x-kubernetes-embedded-resource") is True:
                for key in ("apiVersion", "kind", "metadata"):
                    out["properties"].setdefault(key, {})
    if isinstance(extra, dict):
        out["additionalProperties"] = crd_json_schema(extra, open_all, branch)
    if isinstance(schema.get("items"), dict):
        out["items"] = crd_json_schema(schema["items"], open_all, branch)
    required = schema.get("required")
    if isinstance(required, list):
        names = list(dict.fromkeys(r for r in required if isinstance(r, str)))
        if names:
            out["required"] = names
            fields = out.get("properties", {})
            for name in names:  # a required field that is null is missing, for the API server
                if name in fields:
                    fields[name] = _not_null(fields[name])
                elif "additionalProperties" not in out:
                    out.setdefault("properties", fields)[name] = {"not": NOT_NULL}
    for key in _BRANCHES:
        if isinstance(schema.get(key), list) and schema[key]:
            out[key] = [crd_json_schema(b, open_all, True) for b in schema[key]]
    if isinstance(schema.get("not"), dict):
        out["not"] = crd_json_schema(schema["not"], open_all, True)
    return out


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema`, marked as a required property's."""
    if "not" not in schema:
        return {**schema, "not": NOT_NULL}
    return {**schema, "allOf": [*schema.get("allOf", ()), {"not": NOT_NULL}]}


def _crd_root(version: CrdVersion, schemas: BuiltinSchemas) -> dict[str, Any]:
    """A CRD version's schema as the API server applies it: apiVersion, kind and metadata are
    implicit at the root, and metadata is the release's ObjectMeta."""
    root = crd_json_schema(version.schema, version.preserve_unknown)
    root["properties"] = {**root.get("properties", {}), "apiVersion": {"type": "string"},
                          "kind": {"type": "string"}, "metadata": schemas.ref(_OBJECT_META)}
    return root


# --- compiling ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Compiled:
    """A validator and the schema documents its errors are explained from."""

    validator: Any  # jsonschema_rs.Validator
    root: dict[str, Any]
    documents: dict[str, Any]  # registry URI -> document


class _Validators:
    """One run's compiled validators (kept on the ResourceIndex): a registry per release, a
    validator per built-in kind and per CRD version met, and each object's result."""

    def __init__(self, index: "ResourceIndex") -> None:
        self._registries: dict[str, tuple[Any, dict[str, Any]]] = {}
        self._compiled: dict[tuple[Any, ...], _Compiled | None] = {}
        self.results: dict[tuple[int, str], tuple[Resolution, tuple[SchemaError, ...]]] = {}

    def _registry(self, schemas: BuiltinSchemas) -> tuple[Any, dict[str, Any]]:
        found = self._registries.get(schemas.version)
        if found is None:
            import jsonschema_rs

            document = {"$schema": schemas.draft, "$defs": schemas.definitions}
            registry = jsonschema_rs.Registry([(schemas.uri, document)])
            found = self._registries[schemas.version] = (registry, {schemas.uri: document})
        return found

    def builtin(self, schemas: BuiltinSchemas, name: str) -> _Compiled | None:
        key = (schemas.version, name)
        if key not in self._compiled:
            self._compiled[key] = self._compile(schemas.ref(name), schemas)
        return self._compiled[key]

    def crd(self, crd: Crd, version: CrdVersion, schemas: BuiltinSchemas) -> _Compiled | None:
        key = (id(crd.resource), version.name, schemas.version)
        if key not in self._compiled:
            self._compiled[key] = None if version.schema is None else \
                self._compile(_crd_root(version, schemas), schemas)
        return self._compiled[key]

    def _compile(self, root: dict[str, Any], schemas: BuiltinSchemas) -> _Compiled | None:
        import jsonschema_rs

        registry, documents = self._registry(schemas)
        root = {"$schema": schemas.draft, **root}
        for attempt in range(2):
            try:
                validator = jsonschema_rs.validator_for(root, registry=registry, formats=FORMATS,
                                                        validate_formats=True)
                return _Compiled(validator, root, documents)
            except (ValueError, jsonschema_rs.ReferencingError):
                if attempt == 0:  # a CRD `pattern` the regex engine rejects: not checked
                    _drop_bad_patterns(root)
        return None  # a schema the library cannot compile: the object is not validated


def _drop_bad_patterns(schema: Any) -> None:
    import jsonschema_rs

    if isinstance(schema, dict):
        if isinstance(schema.get("pattern"), str):
            try:
                jsonschema_rs.validator_for({"pattern": schema["pattern"]})
            except ValueError:
                del schema["pattern"]
        for key, value in schema.items():
            if key != "enum":
                _drop_bad_patterns(value)
    elif isinstance(schema, list):
        for value in schema:
            _drop_bad_patterns(value)


def _validators(index: "ResourceIndex") -> _Validators:
    return index.cached(("k8s_schema", "validators"), _Validators)  # type: ignore[no-any-return]


# --- explaining errors --------------------------------------------------------------------------

_MISSING = object()


def _at(obj: Any, path: YamlPath) -> Any:
    """The value at `path` in the object as parsed (jsonschema-rs reports infinities as null)."""
    for step in path:
        try:
            obj = obj[step]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return obj


def _child(schema: Any, key: Any) -> Any:
    if isinstance(schema, dict):
        return schema.get(key)
    if isinstance(schema, list) and isinstance(key, int) and 0 <= key < len(schema):
        return schema[key]
    return None


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


class _Explainer:
    """Turns jsonschema-rs's errors on one object into SchemaErrors."""

    def __init__(self, compiled: _Compiled, obj: dict[str, Any], root: str) -> None:
        self.compiled = compiled
        self.obj = obj
        self.root = root  # how messages name the object itself: its kind

    def all(self, errors: Iterable[Any]) -> list[SchemaError]:
        errors = list(errors)
        # A value of the wrong type gets that error alone (its enum, format... are moot).
        typed = {path for path in (tuple(e.instance_path) for e in errors
                                   if type(e.kind).__name__ == "Type")
                 if _at(self.obj, path) is not None}
        out: list[SchemaError] = []
        for e in errors:
            path = tuple(e.instance_path)
            if path in typed and type(e.kind).__name__ != "Type":
                continue
            self._explain(e, path, out)
        return out

    def _trail(self, tokens: list[Any]) -> tuple[list[bool], list[Any], Any]:
        """Follow an error's evaluation path through the schemas: for each step into the
        instance, whether it names a property and the schema it leaves; and the schema holding
        the failing keyword (None where the path cannot be followed)."""
        schema: Any = self.compiled.root
        document: Any = schema
        named: list[bool] = []
        parents: list[Any] = []
        steps = iter(tokens[:-1])  # the last one is the failing keyword
        for token in steps:
            if token in ("properties", "additionalProperties", "items"):
                named.append(token == "properties")
                parents.append(schema)
                schema = _child(schema, token)
                if token == "properties":
                    schema = _child(schema, next(steps, None))
            elif token in _BRANCHES:
                schema = _child(_child(schema, token), next(steps, None))
            elif token == "$ref" and isinstance(_child(schema, "$ref"), str):
                uri, _, pointer = schema["$ref"].partition("#")
                if uri:
                    document = self.compiled.documents.get(uri)
                schema = document
                for part in pointer.split("/")[1:]:
                    schema = _child(schema, part.replace("~1", "/").replace("~0", "~"))
            else:
                schema = _child(schema, token)
        return named, parents, schema

    def _label(self, path: YamlPath, named: list[bool]) -> str:
        """How a message names the node at `path`: from its last field name (`containers[0]`,
        `labels.tier`), or the object's kind at the root."""
        anchor = 0
        for i in range(min(len(path), len(named))):
            if named[i]:
                anchor = i
        return f"`{format_path(path[anchor:])}`" if path else self.root

    def _explain(self, e: Any, path: YamlPath, out: list[SchemaError]) -> None:
        kind = e.kind
        name = type(kind).__name__
        value = _at(self.obj, path)
        null_marker = name == "Not" and kind.schema == NOT_NULL  # on a required property
        if value is None and not null_marker:
            return  # null is unset
        named, parents, here = self._trail(list(e.evaluation_path))

        def bad(check: str, message: str) -> None:
            out.append(SchemaError(INVALID_VALUE, path, f"{self._label(path, named)} {message}",
                                   check))

        if null_marker:  # a required field that is null (or infinite: a type error says so)
            if value is None and path and path[0] != "status":
                out.append(SchemaError(MISSING_FIELD, path, f"required field `{path[-1]}` is null "
                                       f"in {self._label(path[:-1], named)}"))
        elif name == "Required":
            if path[:1] != ("status",):
                out.append(SchemaError(MISSING_FIELD, (*path, kind.property),
                                       f"required field `{kind.property}` is missing in "
                                       f"{self._label(path, named)}"))
        elif name == "AdditionalProperties":
            for key in kind.unexpected:
                out.append(SchemaError(UNKNOWN_FIELD, (*path, key),
                                       self._unknown(key, path, named, parents, here)))
        elif name == "Type":
            fmt = _child(here, "format")
            if isinstance(value, float) and not math.isfinite(value) and fmt in FORMATS and \
                    "number" in kind.types:  # a quantity: a number, but not one JSON has
                bad(fmt, _format_problem(fmt, value))
                return
            types = tuple(sorted(kind.types, key=lambda t: _TYPE_ORDER.get(t, 9)))
            out.append(SchemaError(WRONG_TYPE, path, f"{self._label(path, named)} must be "
                                   f"{_expected(types)}, got {shown(value)}"
                                   f"{_hint(types, value)}"))
        elif name == "Enum":
            bad("enum", _enum_message(kind.options, value))
        elif name == "Format":
            bad(kind.format, _format_problem(kind.format, value))
        elif name in ("Minimum", "Maximum") and kind.limit in _INT_BOUNDS:
            bad(f"int{_INT_BOUNDS[kind.limit]}", f"is out of range for a "
                                                 f"{_INT_BOUNDS[kind.limit]}-bit integer: {value}")
        elif name in _LIMITS:
            check, words, measure = _LIMITS[name]
            got = len(value) if measure and isinstance(value, (str, list, dict)) else value
            bad(check, f"must {words} {kind.limit}{measure}" +
                ("" if name.endswith("Properties") else f", got {got}"))
        elif name == "MultipleOf":
            bad("multipleOf", f"must be a multiple of {kind.multiple_of}, got {value}")
        elif name == "Pattern":
            bad("pattern", f"must match the pattern {kind.pattern!r}, got {shown(value)}")
        elif name == "UniqueItems" and isinstance(value, list):
            for i, item in enumerate(value):
                if any(_json_equal(item, other) for other in value[:i]):
                    out.append(SchemaError(INVALID_VALUE, (*path, i),
                                           f"{self._label((*path, i), named)} repeats an earlier "
                                           f"item", "uniqueItems"))
        elif name in ("AnyOf", "OneOfNotValid", "OneOfMultipleValid"):
            keyword = "anyOf" if name == "AnyOf" else "oneOf"
            branches = _child(here, keyword)
            results = [self.all(errors) for errors in kind.context]
            if not isinstance(branches, list) or len(branches) != len(results):
                branches = [{}] * len(results)
            passing = sum(1 for r in results if not r)
            if passing == 0:
                lead = "must match at least one of" if keyword == "anyOf" else \
                    "must match exactly one of"
                bad(keyword, _alternatives(branches, results, lead))
            elif passing > 1 and keyword == "oneOf" and not _equivalent(branches):
                bad(keyword, f"matches {passing} of its {len(branches)} alternative schemas; it "
                             f"must match exactly one")
        elif name == "Not":
            bad("not", "matches a schema it must not match")
        else:
            bad(kind.name, f"is not valid: {e.message}")

    def _unknown(self, key: str, path: YamlPath, named: list[bool], parents: list[Any],
                 here: Any) -> str:
        text = f"unknown field `{key}` in {self._label(path, named)}"
        fields = list(_child(here, "properties") or ())
        if fields:
            import difflib

            close = difflib.get_close_matches(key, fields, n=1, cutoff=0.6)
            if not close:
                lowered = {p.lower(): p for p in fields}
                close = [lowered[key.lower()]] if key.lower() in lowered else []
            if close:
                return f"{text} (did you mean `{close[0]}`?)"
        # A field of an enclosing object: indented one level too deep.
        for i in range(min(len(path), len(parents)) - 1, -1, -1):
            if isinstance(path[i], str) and key in (_child(parents[i], "properties") or ()):
                where = path[:i]
                last = max((j for j, step in enumerate(where) if isinstance(step, str)),
                           default=0)
                label = f"`{format_path(where[last:])}`" if where else self.root
                return f"{text} (`{key}` belongs in {label}; check the indentation)"
        return text


_LIMITS = {  # error kind -> (check, words before the limit, unit after it)
    "Minimum": ("minimum", "be at least", ""), "Maximum": ("maximum", "be at most", ""),
    "ExclusiveMinimum": ("minimum", "be greater than", ""),
    "ExclusiveMaximum": ("maximum", "be less than", ""),
    "MinLength": ("minLength", "be at least", " characters long"),
    "MaxLength": ("maxLength", "be at most", " characters long"),
    "MinItems": ("minItems", "have at least", " items"),
    "MaxItems": ("maxItems", "have at most", " items"),
    "MinProperties": ("minProperties", "have at least", " fields"),
    "MaxProperties": ("maxProperties", "have at most", " fields"),
}


def _enum_message(options: list[Any], value: Any) -> str:
    allowed = ", ".join(str(e) if isinstance(e, str) else _quoted(e) for e in options if e != "")
    got = _quoted(value) if isinstance(value, str) else shown(value)
    text = f"must be one of {allowed}, got {got}"
    if isinstance(value, str):
        names = [e for e in options if isinstance(e, str) and e]
        close = [e for e in names if e.lower() == value.lower()]
        if not close:
            import difflib

            close = difflib.get_close_matches(value, names, n=1, cutoff=0.75)
        if close:
            return f"{text} (did you mean {_quoted(close[0])}?)"
    return text


def _required_only(branch: Any) -> str | None:
    """The field a `required: [x]` branch asks for (with nothing else to check), or None."""
    if not isinstance(branch, dict) or set(branch) - {"required", "properties"}:
        return None
    required = branch.get("required") or []
    props = branch.get("properties") or {}
    if len(required) == 1 and all(p == {"not": NOT_NULL} for p in props.values()):
        return str(required[0])
    return None


def _equivalent(branches: list[Any]) -> bool:
    """oneOf branches that only state types (int-or-string style) never conflict usefully."""
    return all(isinstance(b, dict) and not (set(b) & {"properties", "required", *_EXTRA_KEYS})
               for b in branches)


def _alternatives(branches: list[Any], results: list[list[SchemaError]], lead: str) -> str:
    fields = [_required_only(b) for b in branches]
    if all(fields):
        return f"{lead} the fields {', '.join(f'`{f}`' for f in fields)}"
    first = min(results, key=len)[0].message
    return f"{lead} {len(branches)} alternative schemas (for example: {first})"


# --- resolving an object's schema ---------------------------------------------------------------

@dataclass(frozen=True)
class Resolution:
    """Which schema an object gets.

    `how` is "builtin" (the release's `definition`), "crd" (the CRD's `version`),
    "unserved-builtin" (a built-in API group that does not serve this apiVersion/kind),
    "unserved-crd" (a CRD defines the kind but does not serve this version) or "unknown" (no
    schema).
    """

    how: str
    crd: Crd | None = None
    schemas: BuiltinSchemas | None = None
    definition: str | None = None
    version: CrdVersion | None = None


def _nearest(candidates: list[Crd], res: "Resource") -> list[Crd]:
    """CRDs ordered by closeness to the object: same file, same folder, the rest."""
    folder = os.path.dirname(res.file)
    return sorted(candidates, key=lambda c: (c.resource.file != res.file,
                                             os.path.dirname(c.resource.file) != folder))


def resolve(res: "Resource", index: "ResourceIndex", version: str) -> Resolution:
    schemas = builtin(version)
    group, api = split_api_version(res.api_version)
    crds = crd_schemas(index).get((group, res.kind), [])
    if crds:
        ordered = _nearest(crds, res)
        for crd in ordered:
            found = crd.version(api)
            if found is not None and found.served:
                return Resolution("crd", crd, schemas, version=found)
        return Resolution("unserved-crd", crd=ordered[0], schemas=schemas)
    name = schemas.definition_of(res.api_version, res.kind)
    if name is not None:
        return Resolution("builtin", schemas=schemas, definition=name)
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


def validate(res: "Resource", index: "ResourceIndex", version: str
             ) -> tuple[Resolution, tuple[SchemaError, ...]]:
    """Which schema `res` gets in `version`, and every error against it (none without one).
    The schema rules share one resolution and one validation of each object per run."""
    validators = _validators(index)
    key = (id(res), version)
    found = validators.results.get(key)
    if found is None:
        resolution = resolve(res, index, version)
        compiled = None
        if resolution.how == "builtin" and resolution.definition and resolution.schemas:
            compiled = validators.builtin(resolution.schemas, resolution.definition)
        elif resolution.how == "crd" and resolution.crd and resolution.version and \
                resolution.schemas:
            compiled = validators.crd(resolution.crd, resolution.version, resolution.schemas)
        errors: tuple[SchemaError, ...] = ()
        if compiled is not None:
            explainer = _Explainer(compiled, res.obj, res.kind)
            errors = tuple(explainer.all(compiled.validator.iter_errors(res.obj)))
        found = validators.results[key] = (resolution, errors)
    return found
