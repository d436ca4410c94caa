"""kube-linter's `customChecks`, read from a `.kube-linter.yaml` and run as kubelint rules.

Each custom check whose template has a kubelint equivalent becomes a rule named like the check,
running that equivalent with options built from the check's `params` (and `scope.objectKinds`):

| kube-linter template      | kubelint rule                 | params -> options                    |
| ------------------------- | ----------------------------- | ------------------------------------ |
| required-label            | missing-required-labels       | key -> labels, value -> patterns     |
| required-annotation       | missing-required-annotations  | key -> annotations, value -> patterns|
| forbidden-annotation      | (built here)                  | key, value: regular expressions      |
| disallowed-api-obj        | (built here)                  | group, version, kind                 |
| latest-tag (allowList)    | disallowed-image-registry     | `^registry/` patterns -> registries  |
| minimum-replicas          | low-replica-count             | minReplicas -> min_replicas          |
| forbidden-service-types   | exposed-service               | forbiddenServiceTypes -> types       |
| priority-class-name       | disallowed-priority-class     | acceptedPriorityClassNames -> allowed|

Any other template (or params kubelint cannot express) gives a rule without a check: `kubelint
rules` lists it as not supported and `kubelint lint` says it is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kubelint.model import Finding, Severity

if TYPE_CHECKING:
    from kubelint.k8s import Resource
    from kubelint.rule import Context, Rule

OBJECT_KIND_GROUPS = {"DeploymentLike": "workloads", "Any": None}
NOT_SUPPORTED = "not supported"
_REGISTRY_PATTERN = re.compile(r"\^?((?:[\w-]+\.)+[\w-]+(?::[0-9]+)?(?:/[\w.-]+)*)/\.?\*?\$?")


def checks_from_file(path: str, report: Callable[[str], None], taken: frozenset[str]
                     ) -> list[Rule]:
    """The rules of a kube-linter config's customChecks; problems reading it go to `report`."""
    import yaml

    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except OSError as exc:
        report(f"cannot read kube-linter config {path}: {exc.strerror or exc}")
        return []
    except yaml.YAMLError as exc:
        report(f"kube-linter config {path} is not valid YAML: {str(exc).splitlines()[0]}")
        return []
    checks = data.get("customChecks") if isinstance(data, dict) else None
    out: list[Rule] = []
    for check in checks if isinstance(checks, list) else ():
        if not isinstance(check, dict) or not isinstance(check.get("name"), str):
            report(f"kube-linter config {path}: a custom check without a name")
            continue
        if check["name"] in taken or any(r.id == check["name"] for r in out):
            report(f"kube-linter config {path}: check {check['name']!r} clashes with a rule id")
            continue
        out.append(rule_for(check))
    return out


def rule_for(check: Mapping[str, Any]) -> Rule:
    """The kubelint rule for one kube-linter custom check (without a check function when its
    template is not supported)."""
    from kubelint.k8s import WORKLOADS, as_dict, as_list
    from kubelint.rule import Rule

    name, template = str(check["name"]), str(check.get("template", ""))
    params: dict[str, Any] = as_dict(check.get("params"))
    kinds: set[str] = set()
    for kind in as_list(as_dict(check.get("scope")).get("objectKinds")):
        group = OBJECT_KIND_GROUPS.get(kind, kind)
        if group is None:  # Any
            kinds = set()
            break
        kinds.update(WORKLOADS if group == "workloads" else {group})
    mapped = _mapping(template, params)
    description = str(check.get("description") or f"kube-linter custom check {name!r}")
    base: dict[str, Any] = {
        "id": name, "category": "custom", "severity": Severity.WARNING,
        "summary": description.rstrip(".") + ".",
        "remediation": str(check.get("remediation") or "Follow the check's description."),
        "equivalents": MappingProxyType({"kube-linter": (name,)}),
        "kinds": frozenset(kinds) if kinds else None}
    if mapped is None:
        return Rule(rationale=f"kube-linter template {template!r}: {NOT_SUPPORTED} by kubelint.",
                    **base)  # type: ignore[arg-type]
    check_fn, how = mapped
    return Rule(rationale=f"From kube-linter's template {template!r}, run as {how}.",
                check=check_fn, **base)  # type: ignore[arg-type]


def _with_options(rule_id: str, options: dict) -> tuple[Callable, str]:
    """A check running the built-in rule `rule_id` with `options` over its defaults."""
    from kubelint.rule import Context
    from kubelint.rules import by_id

    builtin = by_id(rule_id)
    merged = MappingProxyType({**builtin.defaults, **options})

    def check(res: Resource, ctx: Context) -> Iterator[Finding]:
        if not builtin.applies_to(res.kind):
            return iter(())
        return builtin.run(res, Context(ctx.index, merged))

    return check, f"kubelint's {rule_id} with options {dict(options)}"


def _mapping(template: str, params: Mapping[str, Any]) -> tuple[Callable, str] | None:
    key, value = params.get("key"), params.get("value")
    if template in ("required-label", "required-annotation") and isinstance(key, str):
        field = "labels" if template == "required-label" else "annotations"
        options: dict = {field: [key]}
        if isinstance(value, str) and value:
            options["patterns"] = {key: value}
        return _with_options(f"missing-required-{field}", options)
    if template == "forbidden-annotation" and isinstance(key, str):
        return _forbidden_annotation(key, value if isinstance(value, str) else ""), \
            "a forbidden-annotation check"
    if template == "disallowed-api-obj":
        return _disallowed_api(params), "a disallowed-API check"
    if template == "latest-tag" and not params.get("blockList"):
        registries = [_registry(p) for p in params.get("allowList") or ()]
        if registries and all(registries):
            return _with_options("disallowed-image-registry", {"allowed-registries": registries})
    if template == "minimum-replicas" and isinstance(params.get("minReplicas"), int):
        return _with_options("low-replica-count", {"min_replicas": params["minReplicas"]})
    if template == "forbidden-service-types" and params.get("forbiddenServiceTypes"):
        return _with_options("exposed-service", {"types": list(params["forbiddenServiceTypes"])})
    if template == "priority-class-name" and params.get("acceptedPriorityClassNames"):
        return _with_options("disallowed-priority-class",
                             {"allowed": list(params["acceptedPriorityClassNames"])})
    return None


def _registry(pattern: Any) -> str | None:
    """`^registry.example.com/.*` -> `registry.example.com` (None for other regexes)."""
    if not isinstance(pattern, str):
        return None
    m = _REGISTRY_PATTERN.fullmatch(pattern.replace("\\.", "."))
    return m.group(1) if m else None


def _full(pattern: str, text: str) -> bool:
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error:
        return False


def _forbidden_annotation(key: str, value: str) -> Callable:
    def check(res: Resource, ctx: Context) -> Iterator[Finding]:
        for name, text in res.annotations.items():
            if _full(key, str(name)) and (not value or _full(value, str(text))):
                yield Finding(("metadata", "annotations", name),
                              f"{res.kind} {res.name!r} carries forbidden annotation {name!r}")

    return check


def _disallowed_api(params: Mapping[str, Any]) -> Callable:
    wanted = {k: params.get(k) for k in ("group", "version", "kind")}

    def check(res: Resource, ctx: Context) -> Iterator[Finding]:
        group, _, version = res.api_version.rpartition("/")
        actual = {"group": group, "version": version, "kind": res.kind}
        if all(not isinstance(w, str) or not w or _full(w, actual[k])
               for k, w in wanted.items()):
            yield Finding(("apiVersion",), f"{res.kind} {res.name!r} uses disallowed API "
                                           f"{res.api_version} {res.kind}")

    return check
