"""The rule model: metadata as data plus a pure check function."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kubelint.model import Finding, Severity

if TYPE_CHECKING:
    from kubelint.k8s import Resource, ResourceIndex

PEERS = ("kube-linter", "checkov", "polaris", "kube-score")
"""Tools whose check ids a rule may name as `equivalents` (plus any others, such as trivy)."""

NEVER, SOMETIMES, ALWAYS = "never", "sometimes", "always"

CATEGORIES: Mapping[str, str] = MappingProxyType({
    "input": "Problems reading the input: syntax, encoding, duplicate keys, non-objects.",
    "suppression": "Suppression comments that are wrong or unused.",
    "security": "Pod and container security context.",
    "pod-security": "Pod Security admission: pods a level in force would reject, check by check.",
    "images": "Container images: tags, digests, pull policy, registries.",
    "limits": "Compute resource requests and limits.",
    "probes": "Liveness, readiness and startup probes.",
    "secrets": "Service accounts, credentials and sensitive host mounts.",
    "reliability": "Replicas, disruption budgets, update strategies and job settings.",
    "hygiene": "Duplicates, invalid names, labels and odd pod settings.",
    "networking": "Services, ingresses, routes and the objects they point at.",
    "references": "References to objects missing from the linted set.",
    "isolation": "Namespaces and network policies: who may talk to whom.",
    "rbac": "Roles and bindings.",
    "control-plane": "API server, scheduler, controller-manager, etcd and kubelet settings.",
    "schema": "Validity against the Kubernetes API schema.",
    "metadata": "Names, labels and annotations.",
    "deprecations": "Deprecated and removed API versions.",
    "pod-security-policy": "PodSecurityPolicy objects (removed in Kubernetes 1.25): what a "
                           "policy admits.",
})
"""Every rule category and what it holds; a new category is added here deliberately."""


@dataclass(frozen=True, slots=True)
class Context:
    """What a check may read besides its resource: the bundle's index and its own options."""

    index: "ResourceIndex"
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


Check = Callable[["Resource", Context], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: str
    severity: Severity
    summary: str
    rationale: str
    remediation: str
    check: Check | None = None
    kinds: frozenset[str] | None = None  # None: every kind
    default_enabled: bool = True
    # object: reads only its resource (and may run in a worker before the set is read: it must
    # not touch ctx.index); bundle: reads the other objects through ctx.index; input: reported
    # by the reader, no check.
    scope: str = "object"
    equivalents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    references: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    options_schema: Mapping[str, Any] | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)
    fixable: str = NEVER

    def applies_to(self, kind: str) -> bool:
        return self.check is not None and (self.kinds is None or kind in self.kinds)

    def run(self, res: "Resource", ctx: Context) -> Iterator[Finding]:
        assert self.check is not None
        yield from self.check(res, ctx)


def rule(*, id: str, category: str, severity: Severity, summary: str, rationale: str,
         remediation: str, kinds: Iterable[str] | None = None, default_enabled: bool = True,
         scope: str = "object", equivalents: Mapping[str, str | Iterable[str]] | None = None,
         references: Iterable[str] = (), aliases: Iterable[str] = (),
         options_schema: Mapping[str, Any] | None = None,
         defaults: Mapping[str, Any] | None = None,
         fixable: str = NEVER) -> Callable[[Check], Rule]:
    """Decorator turning a check function into a Rule (the function's name must match the id)."""

    def wrap(fn: Check) -> Rule:
        if fn.__name__ != id.replace("-", "_"):
            raise ValueError(f"check {fn.__name__} must be named after rule {id}")
        eq = {tool: (ids,) if isinstance(ids, str) else tuple(ids)
              for tool, ids in (equivalents or {}).items()}
        return Rule(id=id, category=category, severity=severity, summary=summary,
                    rationale=rationale, remediation=remediation, check=fn,
                    kinds=frozenset(kinds) if kinds is not None else None,
                    default_enabled=default_enabled, scope=scope,
                    equivalents=MappingProxyType(eq), references=tuple(references),
                    aliases=tuple(aliases), options_schema=options_schema,
                    defaults=MappingProxyType(dict(defaults or {})), fixable=fixable)

    return wrap
