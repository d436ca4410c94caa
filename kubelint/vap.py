"""ValidatingAdmissionPolicies evaluated offline against the linted objects.

Each policy in the bundle (linted, or read from `--policy-dir`) becomes one rule, `policy.<name>`
in the `admission-policy` category. Its check does what the API server does at admission, for an
object being created: the policy's bindings select the object (match constraints, binding match
resources, namespace and object selectors), the params object is looked up (`paramRef`), the
`matchConditions` must hold, and each validation that is false is a finding. The binding's
`validationActions` give the severity: Deny an error, Warn a warning, Audit info.

What needs a live cluster is never counted as a pass or a failure: an expression reading
`authorizer` or `request`, a function the CEL library lacks, a params object or Namespace that
is not in the linted set. Each such reason is reported once per policy, at info level: at the
expression when the policy itself is linted and the reason is in the expression alone, otherwise
at the first object where it comes up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubelint.k8s import Resource, ResourceIndex, as_dict, as_list, dig, selector_matches
from kubelint.model import Finding, Severity, YamlPath
from kubelint.rule import Context, Rule

POLICY, BINDING = "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"
CATEGORY = "admission-policy"
ID_PREFIX = "policy."
ACTIONS = {"Deny": Severity.ERROR, "Warn": Severity.WARNING, "Audit": Severity.INFO}
LIVE_ONLY = ("authorizer", "request")
"""Variables describing the request and the cluster's authorizer: unknown offline."""
NAME_LABEL = "kubernetes.io/metadata.name"
NOT_EVALUATED = "not evaluated offline: "
DOCS_URL = "https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/"

_IRREGULAR_PLURALS = {"Endpoints": "endpoints", "PodSecurityPolicy": "podsecuritypolicies"}
_FIELD = re.compile(r"\bobject((?:\.[A-Za-z_]\w*)+)")


def resource_name(kind: str) -> str:
    """The plural resource name of a kind (`Deployment` -> `deployments`), as the API names it."""
    if kind in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[kind]
    lower = kind.lower()
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return lower[:-1] + "ies"
    if lower.endswith(("s", "x", "ch", "sh")):
        return lower + "es"
    return lower + "s"


def _group_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def _cluster_scoped(kind: str) -> bool:
    from kubelint.rules.metadata import CLUSTER_SCOPED

    return kind in CLUSTER_SCOPED


# --- matching --------------------------------------------------------------------------------------

def _listed(values: Any, value: str) -> bool:
    items = as_list(values)
    return "*" in items or value in items


def rule_matches(rule: Any, res: Resource) -> bool:
    """Whether a `resourceRules` entry covers creating or updating `res`."""
    if not isinstance(rule, dict):
        return False
    group, version = _group_version(res.api_version)
    operations = as_list(rule.get("operations"))
    if not ("*" in operations or "CREATE" in operations or "UPDATE" in operations):
        return False
    if not _listed(rule.get("apiGroups"), group) or not _listed(rule.get("apiVersions"), version):
        return False
    resources = as_list(rule.get("resources"))
    plural = resource_name(res.kind)
    if not ("*" in resources or plural in resources or f"{plural}/*" in resources):
        return False
    scope = rule.get("scope", "*")
    if scope != "*" and (scope == "Cluster") != _cluster_scoped(res.kind):
        return False
    names = as_list(rule.get("resourceNames"))
    return not names or res.name in names


def _namespace_labels(res: Resource, index: ResourceIndex) -> dict | None:
    """The labels of the object's Namespace: from the linted set, else only the label every
    Namespace carries (its name); None for a cluster-scoped object."""
    if _cluster_scoped(res.kind):
        return as_dict(dig(res.obj, "metadata", "labels")) if res.kind == "Namespace" else None
    name = res.namespace or "default"
    ns = index.find("Namespace", name)
    labels = dict(ns.labels) if ns is not None else {}
    labels.setdefault(NAME_LABEL, name)
    return labels


def resources_match(spec: Any, res: Resource, index: ResourceIndex, *, rules_required: bool
                    ) -> bool:
    """Whether `matchConstraints` (of a policy) or `matchResources` (of a binding) select `res`.
    A binding without resourceRules leaves the choice to its policy (`rules_required=False`)."""
    spec = as_dict(spec)
    rules = as_list(spec.get("resourceRules"))
    if (rules or rules_required) and not any(rule_matches(r, res) for r in rules):
        return False
    if any(rule_matches(r, res) for r in as_list(spec.get("excludeResourceRules"))):
        return False
    ns_selector = spec.get("namespaceSelector")
    if ns_selector is not None:
        labels = _namespace_labels(res, index)
        if labels is not None and not selector_matches(ns_selector, labels):
            return False
    obj_selector = spec.get("objectSelector")
    return obj_selector is None or selector_matches(obj_selector, res.labels)


# --- compiled policies -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Check:
    """One compiled expression of a policy, or why it cannot be evaluated."""

    path: YamlPath  # inside the policy object: spec.validations[0].expression
    text: str
    expression: Any = None  # kubelint.cel.Expression
    unavailable: str | None = None  # why it cannot be evaluated offline
    invalid: str | None = None  # the CEL compiler's complaint


@dataclass(frozen=True, slots=True)
class Validation:
    check: Check
    message: str | None
    message_expression: Check | None
    field_path: YamlPath | None


@dataclass(frozen=True, slots=True)
class Policy:
    resource: Resource
    name: str
    conditions: tuple[Check, ...]
    variables: tuple[tuple[str, Check], ...]
    validations: tuple[Validation, ...]
    param_kind: tuple[str, str] | None  # (apiVersion, kind)
    fail_closed: bool  # failurePolicy Fail (the default): an evaluation error rejects
    bindings: tuple[Resource, ...] = field(default=())

    @property
    def checks(self) -> Iterator[Check]:
        yield from self.conditions
        yield from (c for _, c in self.variables)
        for v in self.validations:
            yield v.check
            if v.message_expression is not None:
                yield v.message_expression


def _compile(path: YamlPath, text: Any, has_params: bool) -> Check:
    from kubelint import cel

    if not isinstance(text, str):
        return Check(path, "", invalid="expression is not a string")
    try:
        expression = cel.compile_expression(text)
    except cel.CelError as exc:
        return Check(path, text, invalid=str(exc))
    live = [v for v in LIVE_ONLY if v in expression.variables]
    if live:
        return Check(path, text, unavailable=f"`{live[0]}` needs a live cluster")
    if "params" in expression.variables and not has_params:
        return Check(path, text, unavailable="the policy has no paramKind, so `params` is null")
    missing = cel.unknown_functions(expression)
    if missing:
        return Check(path, text, unavailable=f"function {missing[0]}() is not available offline")
    return Check(path, text, expression)


def compile_policy(res: Resource, bindings: Sequence[Resource]) -> Policy:
    spec = as_dict(res.obj.get("spec"))
    param_kind = as_dict(spec.get("paramKind"))
    has_params = bool(param_kind.get("kind"))
    conditions = tuple(_compile(("spec", "matchConditions", i, "expression"), c.get("expression"),
                                has_params)
                       for i, c in enumerate(as_list(spec.get("matchConditions")))
                       if isinstance(c, dict))
    variables = tuple((str(v["name"]), _compile(("spec", "variables", i, "expression"),
                                               v.get("expression"), has_params))
                      for i, v in enumerate(as_list(spec.get("variables")))
                      if isinstance(v, dict) and isinstance(v.get("name"), str))
    validations = []
    for i, v in enumerate(as_list(spec.get("validations"))):
        if not isinstance(v, dict):
            continue
        base = ("spec", "validations", i)
        message_expr = v.get("messageExpression")
        field_path = v.get("fieldPath")
        validations.append(Validation(
            _compile((*base, "expression"), v.get("expression"), has_params),
            v.get("message") if isinstance(v.get("message"), str) else None,
            _compile((*base, "messageExpression"), message_expr, has_params)
            if message_expr is not None else None,
            _field_path(field_path) if isinstance(field_path, str) else None))
    return Policy(
        res, res.name or "", conditions, variables, tuple(validations),
        (str(param_kind.get("apiVersion", "")), str(param_kind["kind"])) if has_params else None,
        spec.get("failurePolicy", "Fail") != "Ignore", tuple(bindings))


def _field_path(text: str) -> YamlPath | None:
    """`spec.replicas` or `spec.containers[0].image` (a validation's fieldPath) as a path."""
    from kubelint.custom_rules import parse_path

    try:
        steps = parse_path(text.lstrip("."))
    except ValueError:
        return None
    return None if "*" in steps else steps


# --- the rules -------------------------------------------------------------------------------------

def read_policies(folders: Sequence[str]) -> list[Resource]:
    """From `folders`: the policies and bindings, and objects of a kind some policy takes as
    params."""
    from kubelint.engine import read_context

    found = read_context(folders, frozenset({POLICY, BINDING}))
    kinds = {str(dig(r.obj, "spec", "paramKind", "kind")) for r in found
             if r.kind == POLICY and dig(r.obj, "spec", "paramKind", "kind")}
    return found + (read_context(folders, frozenset(kinds)) if kinds else [])


def policy_rules(index: ResourceIndex, context: Sequence[Resource] = ()) -> tuple[Rule, ...]:
    """A rule per ValidatingAdmissionPolicy in the bundle (the first of a name wins);
    `context` holds the objects that are read but not linted (`--policy-dir`)."""
    unlinted = frozenset(id(r) for r in context)
    bindings: dict[str, list[Resource]] = {}
    for b in index.of_kind(BINDING):
        name = dig(b.obj, "spec", "policyName")
        if isinstance(name, str):
            bindings.setdefault(name, []).append(b)
    out: dict[str, Rule] = {}
    for res in index.of_kind(POLICY):
        if not res.name or ID_PREFIX + res.name in out:
            continue
        out[ID_PREFIX + res.name] = _rule(res, tuple(bindings.get(res.name, ())), unlinted)
    return tuple(out.values())


def _rule(res: Resource, bindings: tuple[Resource, ...], unlinted: frozenset[int]) -> Rule:
    name = res.name or ""
    messages = [v.get("message") for v in as_list(dig(res.obj, "spec", "validations"))
                if isinstance(v, dict) and isinstance(v.get("message"), str)]
    summary = f"ValidatingAdmissionPolicy {name!r}" + (f": {messages[0]}" if messages else "")
    where = f"{res.file}" if res.file != "-" else "standard input"
    actions = sorted({a for b in bindings for a in as_list(dig(b.obj, "spec", "validationActions"))
                      if a in ACTIONS}, key=lambda a: -ACTIONS[a])
    severity = ACTIONS[actions[0]] if actions else Severity.ERROR

    def check(obj: Resource, ctx: Context) -> Iterator[Finding]:
        if obj is res:
            policy = ctx.index.cached(("vap", "policy", id(res)),
                                      lambda _: compile_policy(res, bindings))
            return _static_reports(policy)
        found = ctx.index.cached(("vap", "findings", id(res)),
                                 lambda ix: _evaluate_all(res, bindings, ix, unlinted))
        return iter(found.get(id(obj), ()))

    return Rule(
        id=ID_PREFIX + name, category=CATEGORY, severity=severity, summary=summary,
        rationale=(f"The cluster's ValidatingAdmissionPolicy {name!r} (from {where}) rejects or "
                   "warns about such objects when they are applied; kubelint evaluates it "
                   "before they are."),
        remediation="Change the object so that the policy's validations hold.",
        check=check, references=(DOCS_URL,))


def _evaluate_all(res: Resource, bindings: tuple[Resource, ...], index: ResourceIndex,
                  unlinted: frozenset[int]) -> dict[int, list[Finding]]:
    """The policy's findings on every linted object of the bundle, by object id, in one pass.

    What cannot be evaluated is said once per policy: each reason at the first object where it
    comes up; static reasons (an expression reading `authorizer`) on the policy itself when it
    is linted, else on the first object the policy selects."""
    policy = index.cached(("vap", "policy", id(res)), lambda _: compile_policy(res, bindings))
    out: dict[int, list[Finding]] = {}
    said: set[str] = set()
    first: Resource | None = None
    for obj in index.resources:
        if obj.kind in (POLICY, BINDING) or id(obj) in unlinted:
            continue
        selected = False
        for binding in policy.bindings:
            if not _selected(policy, binding, obj, index):
                continue
            selected = True
            for finding in _evaluate(policy, binding, obj, index):
                if finding.message.startswith(NOT_EVALUATED):
                    if finding.message in said:
                        continue
                    said.add(finding.message)
                out.setdefault(id(obj), []).append(finding)
        if selected and first is None:
            first = obj
    if first is not None and id(res) in unlinted:
        notes = [_not_evaluated(_problem(c)) for c in policy.checks if c.unavailable or c.invalid]
        out.setdefault(id(first), [])[:0] = notes
    return out


def _selected(policy: Policy, binding: Resource, res: Resource, index: ResourceIndex) -> bool:
    constraints = dig(policy.resource.obj, "spec", "matchConstraints")
    return (resources_match(constraints, res, index, rules_required=True)
            and resources_match(dig(binding.obj, "spec", "matchResources"), res, index,
                                rules_required=False))


def _severity(binding: Resource) -> Severity | None:
    actions = [ACTIONS[a] for a in as_list(dig(binding.obj, "spec", "validationActions"))
               if a in ACTIONS]
    return max(actions) if actions else None


def _params(policy: Policy, binding: Resource, res: Resource, index: ResourceIndex
            ) -> tuple[list[Any], str | None]:
    """The params objects to evaluate with (None for a policy without params), or why there
    are none offline."""
    if policy.param_kind is None:
        return [None], None
    api_version, kind = policy.param_kind
    ref = as_dict(dig(binding.obj, "spec", "paramRef"))
    if not ref:
        return [None], None
    namespace = ref.get("namespace") or (None if _cluster_scoped(res.kind) else
                                         res.namespace or "default")
    candidates = [p for p in index.of_kind(kind)
                  if (not api_version or p.api_version == api_version)
                  and (namespace is None or (p.namespace or "default") == namespace)]
    if isinstance(ref.get("name"), str):
        found = [p for p in candidates if p.name == ref["name"]]
        wanted = f"{kind} {ref['name']!r}"
    else:
        found = [p for p in candidates if selector_matches(ref.get("selector"), p.labels)]
        wanted = f"{kind} objects selected by its paramRef"
    if not found:
        return [], f"params ({wanted}) are not in the linted set"
    return [p.obj for p in found], None


def _evaluate(policy: Policy, binding: Resource, res: Resource, index: ResourceIndex
              ) -> Iterator[Finding]:
    """Findings of one binding on one selected object, with what could not be evaluated."""
    params, why = _params(policy, binding, res, index)
    if why is not None:
        yield _not_evaluated(f"binding {binding.name!r}: {why}")
    for param in params:
        yield from _validate(policy, res, index, param, _severity(binding))


def _validate(policy: Policy, res: Resource, index: ResourceIndex, params: Any,
              severity: Severity | None) -> Iterator[Finding]:
    from kubelint import cel

    values: dict[str, Any] = {"object": res.obj, "oldObject": None, "params": params}
    if not _cluster_scoped(res.kind):
        ns = index.find("Namespace", res.namespace or "default")
        if ns is not None:
            values["namespaceObject"] = ns.obj
    else:
        values["namespaceObject"] = None
    context = cel.new_context({**values, "variables": {}})
    for check in policy.conditions:
        if check.expression is None:
            return  # reported as not evaluated
        try:
            if check.expression.evaluate(context) is not True:
                return
        except cel.NotEvaluable as exc:
            yield _not_evaluated(_missing(check, exc.name))
            return
        except cel.EvaluationError as exc:
            # Mutating admission and defaults may add the field before validation: unknown.
            yield _not_evaluated(f"{_where_in_policy(check)}: {exc} (defaults or mutating admission "
                        "may set it in the cluster)")
            return
    if policy.variables:
        computed: dict[str, Any] = {}
        for name, check in policy.variables:
            if check.expression is None:
                continue
            try:
                computed[name] = check.expression.evaluate(context)
            except (cel.NotEvaluable, cel.EvaluationError):
                continue
            context = cel.new_context({**values, "variables": computed})
    for validation in policy.validations:
        check = validation.check
        if check.expression is None:
            continue
        try:
            result = check.expression.evaluate(context)
            if result is True:
                continue
            failure = None if result is False else f"expression gave {result!r}, not a bool"
        except cel.NotEvaluable as exc:
            yield _not_evaluated(_missing(check, exc.name))
            continue
        except cel.EvaluationError as exc:
            if not policy.fail_closed:
                continue
            failure = f"expression failed: {exc}"
        message = _message(validation, context)
        if failure is not None:
            message = f"{message} ({failure})"
        yield _finding(res, message, _where(validation, res), severity)


def _message(validation: Validation, context: Any) -> str:
    from kubelint import cel

    expr = validation.message_expression
    if expr is not None and expr.expression is not None:
        try:
            text = expr.expression.evaluate(context)
            if isinstance(text, str) and text.strip():
                return text.strip()
        except (cel.NotEvaluable, cel.EvaluationError):
            pass
    if validation.message:
        return validation.message.strip()
    return f"failed expression: {validation.check.text}"


def _where(validation: Validation, res: Resource) -> YamlPath:
    """The failing field when it is known: the validation's fieldPath, or the one field of
    `object` the expression reads; else `metadata.name`."""
    if validation.field_path is not None and dig(res.obj, *validation.field_path) is not None:
        return validation.field_path
    fields = {m.group(1) for m in _FIELD.finditer(validation.check.text)}
    if len(fields) == 1 and not _reads_more(validation.check.text):
        path = tuple(fields.pop().lstrip(".").split("."))
        if dig(res.obj, *path) is not None:
            return path
    return ("metadata", "name")


def _reads_more(text: str) -> bool:
    """Whether the expression reads the object other than through one plain `object.a.b`
    chain (variables, namespaceObject, macros or indexing on `object`)."""
    return bool(re.search(r"\b(variables|namespaceObject)\b|\bobject\.[\w.]*\(|"
                          r"\bobject\.[\w.]*\[", text))


def _finding(res: Resource, message: str, path: YamlPath, severity: Severity | None) -> Finding:
    return Finding(path or ("metadata", "name"), message, severity=severity)


def _not_evaluated(why: str) -> Finding:
    return Finding(("metadata", "name"), f"{NOT_EVALUATED}{why}", severity=Severity.INFO)




def _where_in_policy(check: Check) -> str:
    from kubelint.model import format_path

    return format_path(check.path)


def _missing(check: Check, name: str) -> str:
    what = {"namespaceObject": "the Namespace is not in the linted set"}.get(
        name, f"{name!r} is not known offline")
    return f"{_where_in_policy(check)}: {what}"


def _problem(check: Check) -> str:
    from kubelint.model import format_path

    where = format_path(check.path)
    if check.invalid:
        return f"{where}: invalid CEL: {check.invalid}"
    return f"{where}: {check.unavailable}"


def _static_reports(policy: Policy) -> Iterator[Finding]:
    """On the linted policy itself: each expression that cannot be evaluated offline."""
    for check in policy.checks:
        if check.invalid:
            yield Finding(check.path, f"invalid CEL, the API server rejects this policy: "
                                      f"{check.invalid}", severity=Severity.WARNING)
        elif check.unavailable:
            yield Finding(check.path, f"not evaluated offline: {check.unavailable}",
                          severity=Severity.INFO)
