"""A read-only view of Kubernetes objects: resources, pod specs, containers, defensive lookups."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Any

from kubelint.model import ResourceRef, YamlPath
from kubelint.parse import Document

POD_SPEC_PATHS: dict[str, YamlPath] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "DeploymentConfig": ("spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
"""Where each pod-bearing kind keeps its pod spec."""

WORKLOADS = frozenset(POD_SPEC_PATHS)
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")

_MISSING = object()


def dig(node: Any, *keys: str | int) -> Any:
    """Follow keys/indexes through dicts and lists; None when a step is missing or mistyped."""
    for key in keys:
        if isinstance(key, int):
            if not isinstance(node, list) or not -len(node) <= key < len(node):
                return None
            node = node[key]
        else:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
            if node is None:
                return None
    return node


def as_dict(node: Any) -> dict:
    """`node` if it is a mapping, else an empty one (null and wrong types read as absent)."""
    return node if isinstance(node, dict) else {}


def as_list(node: Any) -> list:
    return node if isinstance(node, list) else []


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True, eq=False)
class Resource:
    """One Kubernetes object: its identity, its values and the document it came from.

    `prefix` is the path of the object inside its document (non-empty for `kind: List` items);
    rules report paths relative to the object.
    """

    kind: str
    api_version: str
    name: str | None
    namespace: str | None
    obj: dict
    doc: Document
    file: str
    prefix: YamlPath = ()
    derived: dict = field(default_factory=dict, compare=False, repr=False)
    """Facts computed once from `obj` and shared by every rule (see `derive`)."""

    def derive(self, key: str, build: Callable[["Resource"], Any]) -> Any:
        """`build(self)`, computed on first use; `build` must be a pure function of the object."""
        derived = self.derived
        if key not in derived:
            derived[key] = build(self)
        return derived[key]

    @property
    def ref(self) -> ResourceRef:
        return self.derive("ref", _ref)

    @property
    def metadata(self) -> dict:
        return as_dict(self.obj.get("metadata"))

    @property
    def annotations(self) -> dict:
        return as_dict(self.metadata.get("annotations"))

    @property
    def labels(self) -> dict:
        return as_dict(self.metadata.get("labels"))

    def display(self) -> str:
        return f"{self.kind} {self.name or '<unnamed>'!s}"


def _ref(res: Resource) -> ResourceRef:
    return ResourceRef(res.api_version, res.kind, res.name, res.namespace)


def pod_spec(res: Resource) -> tuple[YamlPath, dict] | None:
    """The pod spec of a pod-bearing object and its path, or None."""
    return res.derive("pod_spec", _pod_spec)


def _pod_spec(res: Resource) -> tuple[YamlPath, dict] | None:
    path = POD_SPEC_PATHS.get(res.kind)
    if path is None:
        return None
    spec = dig(res.obj, *path)
    if not isinstance(spec, dict):
        return None
    return path, spec


def pod_template_metadata(res: Resource) -> tuple[YamlPath, dict]:
    """The metadata that pods of this object get (the object's own for a Pod)."""
    path = POD_SPEC_PATHS.get(res.kind)
    if path is None:
        return ("metadata",), res.metadata
    meta_path = path[:-1] + ("metadata",)
    return meta_path, as_dict(dig(res.obj, *meta_path))


@dataclass(frozen=True, slots=True)
class Container:
    path: YamlPath
    spec: dict
    list_name: str  # containers, initContainers or ephemeralContainers

    @property
    def name(self) -> str:
        name = self.spec.get("name")
        return name if isinstance(name, str) else f"#{self.path[-1]}"

    @property
    def security_context(self) -> dict:
        return as_dict(self.spec.get("securityContext"))


def containers(res: Resource) -> Iterator[Container]:
    """Every container of a pod-bearing object: init, regular and ephemeral."""
    return iter(res.derive("containers", _containers))


def _containers(res: Resource) -> tuple[Container, ...]:
    found = pod_spec(res)
    if found is None:
        return ()
    path, spec = found
    out: list[Container] = []
    for list_name in CONTAINER_LISTS:
        items = spec.get(list_name)
        if not isinstance(items, list):
            continue
        out.extend(Container((*path, list_name, i), c, list_name)
                   for i, c in enumerate(items) if isinstance(c, dict))
    return tuple(out)


def pod_security_context(res: Resource) -> tuple[YamlPath, dict] | None:
    found = pod_spec(res)
    if found is None:
        return None
    path, spec = found
    return (*path, "securityContext"), as_dict(spec.get("securityContext"))


def effective(container: Container, pod_ctx: dict, key: str) -> Any:
    """A security setting as the kubelet applies it: the container's, else the pod's."""
    value = container.security_context.get(key)
    if value is None:
        value = pod_ctx.get(key)
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def resources_of(doc: Document, file: str) -> tuple[list[Resource], list[tuple[YamlPath, str]]]:
    """The objects a document holds (expanding `kind: List`), and problems as (path, message)."""
    root = doc.root
    if not isinstance(root, dict):
        kind = "a list" if isinstance(root, list) else "a scalar"
        return [], [((), f"document is {kind}, not a Kubernetes object; skipped")]
    out: list[Resource] = []
    problems: list[tuple[YamlPath, str]] = []
    _collect(root, (), doc, file, out, problems)
    return out, problems


def _collect(obj: dict, prefix: YamlPath, doc: Document, file: str, out: list[Resource],
             problems: list[tuple[YamlPath, str]]) -> None:
    kind = _text(obj.get("kind"))
    api_version = _text(obj.get("apiVersion"))
    if kind is None or api_version is None:
        if "kind" in obj or "apiVersion" in obj:
            missing = "kind" if kind is None else "apiVersion"
            problems.append((prefix, f"object has no valid {missing!r}; skipped"))
        return
    items = obj.get("items")
    if kind.endswith("List") and isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                _collect(item, (*prefix, "items", i), doc, file, out, problems)
            else:
                problems.append(((*prefix, "items", i), "list item is not a Kubernetes object; skipped"))
        return
    meta = as_dict(obj.get("metadata"))
    out.append(Resource(kind, api_version, _text(meta.get("name")), _text(meta.get("namespace")),
                        obj, doc, file, prefix))


class ResourceIndex:
    """Every resource linted together (one bundle), for rules that look across objects."""

    def __init__(self, resources: list[Resource]) -> None:
        self.resources = tuple(resources)
        self._by_kind: dict[str, list[Resource]] = {}
        self._derived: dict[Hashable, Any] = {}
        for r in resources:
            self._by_kind.setdefault(r.kind, []).append(r)

    def of_kind(self, *kinds: str) -> list[Resource]:
        out: list[Resource] = []
        for k in kinds:
            out.extend(self._by_kind.get(k, ()))
        return out

    def find(self, kind: str, name: str, namespace: str | None = None) -> Resource | None:
        for r in self._by_kind.get(kind, ()):
            if r.name == name and (namespace is None or r.namespace in (namespace, None)):
                return r
        return None

    def workloads(self) -> list[Resource]:
        return self.of_kind(*sorted(WORKLOADS))

    def cached(self, key: Hashable, build: Callable[[ResourceIndex], Any]) -> Any:
        """`build(self)`, computed once per bundle and kept under `key`.

        Cross-resource rules run once per object with the same index; a look-up table they derive
        from it (Services by name, pods by label) is built on first use and shared, so a rule costs
        a dictionary look-up per object instead of a scan of the bundle. `build` must be a pure
        function of the index; `key` names what it builds (module-qualified, e.g.
        `("networking", "services")`).
        """
        if key not in self._derived:
            self._derived[key] = build(self)
        return self._derived[key]

QUANTITY_PATTERN = (r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
                    r"(?:[eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?$")
"""A Kubernetes resource quantity (`500m`, `1Gi`, `1e3`, `0.5`), as a JSON Schema pattern."""

_QUANTITY = re.compile(r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:[eE]([+-]?[0-9]+)|([a-zA-Z]*))")
_QUANTITY_POWERS = {  # suffix -> (base, exponent)
    "": (10, 0), "n": (10, -9), "u": (10, -6), "m": (10, -3), "k": (10, 3), "M": (10, 6),
    "G": (10, 9), "T": (10, 12), "P": (10, 15), "E": (10, 18),
    "Ki": (2, 10), "Mi": (2, 20), "Gi": (2, 30), "Ti": (2, 40), "Pi": (2, 50), "Ei": (2, 60),
}


def parse_quantity(value: Any) -> Decimal | None:
    """The exact value of a Kubernetes quantity (a string, int or float), or None if malformed.

    apimachinery's grammar: a signed decimal number (`1`, `1.5`, `.5`, `5.`), then a binary suffix
    (Ki..Ei), a decimal suffix (n, u, m, k, M, G, T, P, E) or a decimal exponent (`1e3`, `5E-2`).
    Negative values parse; whether one is allowed is the caller's concern.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        text = repr(value)  # YAML 0.5 -> "0.5"; inf and nan do not match below
    elif isinstance(value, str):
        text = value
    else:
        return None
    match = _QUANTITY.fullmatch(text)
    if match is None:
        return None
    number, exponent, suffix = match.groups()
    if exponent is None and suffix not in _QUANTITY_POWERS:
        return None
    try:
        base, power = (10, int(exponent)) if exponent is not None else _QUANTITY_POWERS[suffix]
        with localcontext(prec=60, Emax=10**9, Emin=-10**9):
            if base == 2:
                return Decimal(number) * 2 ** power
            return Decimal(number).scaleb(power)
    except (ArithmeticError, ValueError):  # an exponent beyond any real quantity
        return None


_SELECTOR_OPERATORS = frozenset({"In", "NotIn", "Exists", "DoesNotExist"})


def selector_matches(selector: Any, labels: Any) -> bool:
    """Whether a LabelSelector (`matchLabels` and `matchExpressions`) selects `labels`.

    Read as the API server reads it: `{}` selects everything; null, a wrong type or a malformed
    requirement (unknown operator, no values for In/NotIn, values for Exists/DoesNotExist)
    selects nothing.
    """
    if not isinstance(selector, dict):
        return False
    labels = as_dict(labels)
    match_labels = selector.get("matchLabels")
    if match_labels is not None:
        if not isinstance(match_labels, dict):
            return False
        if any(key not in labels or labels[key] != value for key, value in match_labels.items()):
            return False
    expressions = selector.get("matchExpressions")
    if expressions is not None and not isinstance(expressions, list):
        return False
    return all(_requirement_matches(req, labels) for req in expressions or ())


def _requirement_matches(req: Any, labels: dict) -> bool:
    if not isinstance(req, dict):
        return False
    key, operator, values = req.get("key"), req.get("operator"), req.get("values")
    if not isinstance(key, str) or operator not in _SELECTOR_OPERATORS:
        return False
    if values is not None and not isinstance(values, list):
        return False
    if operator in ("In", "NotIn"):
        if not values:
            return False
        present = key in labels and labels[key] in values
        return present if operator == "In" else not present
    if values:
        return False
    return (key in labels) == (operator == "Exists")


def same_namespace(a: Resource, b: Resource) -> bool:
    """Whether two objects can live in one namespace: equal, or one leaves it to `kubectl -n`."""
    return a.namespace is None or b.namespace is None or a.namespace == b.namespace


def object_label(res: Resource) -> str:
    """How messages name an object: `Deployment 'web'` (`Deployment <unnamed>`)."""
    return f"{res.kind} {res.name!r}" if res.name else f"{res.kind} <unnamed>"


def pod_owner(res: Resource) -> str:
    """How messages name the pods an object runs: `pod 'x'` or `pod template of Deployment 'x'`."""
    if res.kind == "Pod":
        return f"pod {res.name!r}" if res.name else "pod <unnamed>"
    return f"pod template of {object_label(res)}"
