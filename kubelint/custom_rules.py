"""Rules written in the config file: a JSON Schema or a CEL expression over selected objects.

A custom rule is an ordinary `Rule` (id, severity, category, docs, suppressions) whose check
selects targets in an object (the object, its pod spec, each container, or a YAML path pattern
such as `spec.template.spec.containers[*]`) and tests a condition on each:

- `schema`: a JSON Schema the target must satisfy; each validation error is a finding at the
  failing field (the error's instance path appended to the target's path);
- `cel`: a CEL expression over `object`, `self` (the target) and `namespaceObject` (the object's
  Namespace, when it is in the linted set) that must be true; the finding points at `path`
  (relative to the target) or at the target.

`build_rules` turns the config's `custom-rules` list into rules, reporting each problem with its
path in the config so that the config loader can locate it. Schemas and expressions are compiled
there, once per run; the CEL library is imported only when some rule uses CEL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kubelint.model import Finding, Severity, YamlPath

if TYPE_CHECKING:
    from kubelint.config import Config
    from kubelint.k8s import Resource
    from kubelint.rule import Context, Rule

DEFAULT_CATEGORY = "custom"
OBJECT, POD_SPEC, CONTAINERS = "object", "pod-spec", "containers"
CEL_VARIABLES = frozenset({"object", "self", "namespaceObject"})
ANY = "*"
"""A wildcard step in a target path: every item of a list or every value of a mapping."""

Report = Callable[[tuple, str], None]
"""Where config problems go: (path inside the config file, message)."""


# --- target paths ----------------------------------------------------------------------------------

_STEP = re.compile(r"([^.\[\]]+)|\[(\*|[0-9]+)\]|\.")


def parse_path(text: str) -> tuple[str | int, ...]:
    """`spec.template.spec.containers[*].image` -> ('spec', ..., 'containers', '*', 'image').
    ValueError for a malformed path."""
    steps: list[str | int] = []
    pos = 0
    expect_key = True
    while pos < len(text):
        m = _STEP.match(text, pos)
        if m is None or m.end() == pos:
            raise ValueError(f"unexpected {text[pos]!r} at column {pos + 1}")
        key, item = m.group(1), m.group(2)
        if key is not None:
            if not expect_key:
                raise ValueError(f"missing '.' before {key!r}")
            steps.append(key)
            expect_key = False
        elif item is not None:
            steps.append(ANY if item == ANY else int(item))
            expect_key = False
        else:
            if expect_key:
                raise ValueError("empty step")
            expect_key = True
        pos = m.end()
    if not steps or expect_key and text.endswith("."):
        raise ValueError("empty path")
    return tuple(steps)


def select(node: Any, steps: Sequence[str | int], where: YamlPath = ()
           ) -> Iterator[tuple[YamlPath, Any]]:
    """Every (path, value) that `steps` reaches from `node`; missing steps reach nothing."""
    if not steps:
        yield where, node
        return
    step, rest = steps[0], steps[1:]
    if step == ANY:
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from select(item, rest, (*where, i))
        elif isinstance(node, dict):
            for key, value in node.items():
                yield from select(value, rest, (*where, key))
    elif isinstance(step, int):
        if isinstance(node, list) and 0 <= step < len(node):
            yield from select(node[step], rest, (*where, step))
    elif isinstance(node, dict) and step in node:
        yield from select(node[step], rest, (*where, step))


def targets(res: Resource, target: str | tuple) -> list[tuple[YamlPath, Any]]:
    """The (path, value) pairs a rule with this `target` tests in `res`."""
    from kubelint.k8s import containers, pod_spec

    if target == OBJECT:
        return [((), res.obj)]
    if target == POD_SPEC:
        found = pod_spec(res)
        return [found] if found is not None else []
    if target == CONTAINERS:
        return [(c.path, c.spec) for c in containers(res)]
    return list(select(res.obj, target))


# --- the rules -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Match:
    """Which objects a custom rule applies to (beyond `kinds`, which the engine checks)."""

    namespaces: frozenset[str] | None = None
    label_selector: Mapping[str, Any] | None = None

    def selects(self, res: Resource) -> bool:
        if self.namespaces is None and self.label_selector is None:
            return True
        from kubelint.k8s import selector_matches

        if self.namespaces is not None and res.namespace not in self.namespaces:
            return False
        return self.label_selector is None or selector_matches(self.label_selector, res.labels)


def _anchor(path: YamlPath) -> YamlPath:
    """Where a finding on a whole object points: its `metadata.name`."""
    return path or ("metadata", "name")


def _schema_check(validator: Any, message: str, match: Match, target: str | tuple
                  ) -> Callable[[Resource, Context], Iterator[Finding]]:
    def check(res: Resource, ctx: Context) -> Iterator[Finding]:
        if not match.selects(res):
            return
        for where, value in targets(res, target):
            for error in validator.iter_errors(value):
                path = (*where, *error.instance_path)
                yield Finding(_anchor(path), f"{message}: {error.message}")

    return check


@dataclass(frozen=True, slots=True)
class CelCondition:
    expression: Any  # kubelint.cel.Expression
    message: str
    message_expression: Any | None  # kubelint.cel.Expression
    path: tuple[str | int, ...]
    variables: frozenset[str]  # what the expressions read, of CEL_VARIABLES
    shape: tuple  # what the CEL context holds: see `_shape`


def _cel_check(cond: CelCondition, match: Match, target: str | tuple
               ) -> Callable[[Resource, Context], Iterator[Finding]]:
    from kubelint import cel

    def check(res: Resource, ctx: Context) -> Iterator[Finding]:
        if not match.selects(res):
            return
        namespace = None
        if "namespaceObject" in cond.variables:
            ns = ctx.index.find("Namespace", res.namespace) if res.namespace else None
            if ns is None:
                return  # not in the linted set: the rule cannot be evaluated for this object
            namespace = ns.obj
        for where, context in _contexts(res, target, cond.shape, namespace):
            try:
                result = cond.expression.evaluate(context)
                if result is True:
                    continue
                failed = None if result is False else \
                    f"expression gave {_cel_text(result)}, not true or false"
            except cel.NotEvaluable:
                continue
            except cel.EvaluationError as exc:
                failed = f"expression failed: {exc}"
            message = cond.message
            if cond.message_expression is not None and failed is None:
                try:
                    text = cond.message_expression.evaluate(context)
                    if isinstance(text, str) and text.strip():
                        message = text.strip()
                except (cel.NotEvaluable, cel.EvaluationError):
                    pass
            if failed is not None:
                message = f"{message} ({failed})"
            path = (*where, *cond.path) if cond.path else _anchor(where)
            yield Finding(path, message)

    return check


def _contexts(res: Resource, target: str | tuple, shape: tuple, namespace: dict | None
              ) -> list[tuple[YamlPath, Any]]:
    """One CEL context per target of `res`, built once and shared by every custom rule with
    the same target and shape (each value is converted to CEL values once)."""
    from kubelint import cel

    fields, functions = shape

    def build(r: Resource) -> list[tuple[YamlPath, Any]]:
        out = []
        for where, value in targets(r, target):
            given = {"self": value, "object": r.obj, "namespaceObject": namespace}
            values = {name: _pruned(given[name], keys) for name, keys in fields}
            out.append((where, cel.new_context(values, functions)))
        return out

    return res.derive(("cel", target, shape), build)  # type: ignore[arg-type]


def _pruned(value: Any, keys: frozenset[str] | None) -> Any:
    """`value` with only the top-level `keys` an expression reads (all of it for None):
    converting a large object (a CustomResourceDefinition) to CEL costs more than evaluating."""
    if keys is None or not isinstance(value, dict):
        return value
    return {k: value[k] for k in keys if k in value}


def _shape(texts: Sequence[str], variables: frozenset[str], functions: frozenset[str]) -> tuple:
    """What a context needs for these expressions: each variable read, with the top-level keys
    read from it (None: the whole value), and the extension functions called."""
    fields = []
    for name in sorted(variables):
        keys: set[str] | None = set()
        for text in texts:
            for m in re.finditer(rf"(?<![\w.]){name}\b", text):
                step = re.match(r"\s*\.\s*([A-Za-z_]\w*)\b(?!\s*\()", text[m.end():])
                if step is None or keys is None:
                    keys = None
                    break
                keys.add(step.group(1))
        fields.append((name, frozenset(keys) if keys is not None else None))
    return tuple(fields), functions


def _cel_text(value: Any) -> str:
    import json

    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


# --- reading the config ----------------------------------------------------------------------------

def build_rules(specs: Any, report: Report, origin: str, *, known_ids: frozenset[str] = frozenset(),
                skip: frozenset[int] = frozenset()) -> list[Rule]:
    """The rules of a config's `custom-rules` list (checked by the config schema; the entries
    at `skip` failed that check and are passed over). Problems go to `report` with their path
    under `custom-rules`; a rule with a problem is left out."""
    out: list[Rule] = []
    seen: set[str] = set()
    for i, spec in enumerate(specs if isinstance(specs, list) else ()):
        if not isinstance(spec, dict) or i in skip:
            continue
        problems: list[tuple[tuple, str]] = []

        def at(where: tuple, message: str, i: int = i, problems: list = problems) -> None:
            problems.append(((("custom-rules", i, *where)), message))

        rule = _build_one(spec, at, origin)
        rid = spec.get("id")
        if rid in known_ids:
            at(("id",), f"{rid!r} is already a built-in rule id")
        elif rid in seen:
            at(("id",), f"custom rule {rid!r} is defined twice")
        seen.add(str(rid))
        for where, message in problems:
            report(where, message)
        if not problems and rule is not None:
            out.append(rule)
    return out


def _build_one(spec: dict, at: Report, origin: str) -> Rule | None:
    from kubelint.rule import Rule

    rid = spec["id"]
    has_cel, has_schema = "cel" in spec, "schema" in spec
    if has_cel == has_schema:
        at((), "a custom rule needs exactly one condition: `cel` or `schema`")
        return None
    if has_schema:
        for key in ("path", "messageExpression"):
            if key in spec:
                at((key,), f"`{key}` applies to `cel` conditions only")
    target = _target(spec, at)
    match = spec.get("match") or {}
    namespaces = match.get("namespaces")
    selector = match.get("labelSelector")
    matcher = Match(frozenset(namespaces) if namespaces is not None else None,
                    selector)
    summary = spec["summary"].strip()
    message = spec.get("message") or summary.rstrip(".")
    message = message[:1].lower() + message[1:] if not message[:2].isupper() else message
    if target is None:
        return None
    if has_schema:
        check = _compile_schema(spec["schema"], at, message, matcher, target)
        condition = "It checks the JSON Schema:\n\n" + _yaml_block(spec["schema"])
    else:
        check = _compile_cel(spec, at, message, matcher, target)
        condition = f"It checks the CEL expression `{spec['cel']}`."
    if check is None:
        return None
    kinds = match.get("kinds")
    uses_index = has_cel and "namespaceObject" in spec["cel"]
    rationale = spec.get("rationale") or f"A rule of this project, defined in {origin}."
    return Rule(
        id=rid, category=spec.get("category", DEFAULT_CATEGORY),
        severity=Severity.parse(spec.get("severity", "warning")),
        summary=summary, rationale=f"{rationale.rstrip()}\n\n{condition}",
        remediation=spec.get("remediation") or f"Change the object so that: {summary}",
        check=check, kinds=frozenset(kinds) if kinds is not None else None,
        scope="bundle" if uses_index else "object",
        references=tuple(spec.get("references", ())))


def _target(spec: dict, at: Report) -> str | tuple | None:
    target = spec.get("target", OBJECT)
    if target in (OBJECT, POD_SPEC, CONTAINERS):
        return target
    try:
        return parse_path(target)
    except ValueError as exc:
        at(("target",), f"not a path such as spec.template.spec.containers[*]: {exc}")
        return None


def _compile_schema(schema: Any, at: Report, message: str, match: Match, target: str | tuple
                    ) -> Callable | None:
    import jsonschema_rs

    try:
        validator = jsonschema_rs.validator_for(schema)
    except ValueError as exc:
        at(("schema",), f"not a valid JSON Schema: {str(exc).splitlines()[0]}")
        return None
    return _schema_check(validator, message, match, target)


def _compile_cel(spec: dict, at: Report, message: str, match: Match, target: str | tuple
                 ) -> Callable | None:
    from kubelint import cel

    compiled: dict[str, Any] = {}
    for key in ("cel", "messageExpression"):
        if key not in spec:
            continue
        try:
            expression = cel.compile_expression(spec[key])
        except cel.CelError as exc:
            at((key,), f"invalid CEL: {exc}")
            continue
        unknown = sorted(expression.variables - CEL_VARIABLES - _bound_names(spec[key]))
        if unknown:
            at((key,), f"unknown variable {unknown[0]!r} (custom rules read object, self and "
                       "namespaceObject)")
            continue
        missing = cel.unknown_functions(expression)
        if missing:
            at((key,), f"function {missing[0]!r} is not available offline (see "
                       "docs/custom-rules.md)")
            continue
        compiled[key] = expression
    path: tuple[str | int, ...] = ()
    if "path" in spec:
        try:
            path = parse_path(spec["path"])
        except ValueError as exc:
            at(("path",), f"not a path such as resources.limits: {exc}")
            return None
        if ANY in path:
            at(("path",), "`path` names one field; it cannot hold `*`")
            return None
    if "cel" not in compiled or ("messageExpression" in spec
                                 and "messageExpression" not in compiled):
        return None
    variables = frozenset().union(*(e.variables for e in compiled.values())) & CEL_VARIABLES
    functions = frozenset().union(*(cel.extension_functions(e) for e in compiled.values()))
    shape = _shape([e.text for e in compiled.values()], variables, functions)
    cond = CelCondition(compiled["cel"], message, compiled.get("messageExpression"), path,
                        variables, shape)
    return _cel_check(cond, match, target)


_MACRO_VARIABLE = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)\s*,")


def _bound_names(text: str) -> set[str]:
    """Names bound by comprehension macros (`c` in `x.all(c, ...)`), which the library lists
    among the expression's variables."""
    return set(_MACRO_VARIABLE.findall(text))


def _yaml_block(value: Any) -> str:
    import json

    return "```json\n" + json.dumps(value, indent=2, sort_keys=True) + "\n```"


# --- the effective rule list -----------------------------------------------------------------------

def effective_rules(config: Config) -> tuple[Rule, ...]:
    """Every rule a run with `config` knows: the built-in ones, then those the config adds
    (custom rules, kube-linter checks, selected plugins)."""
    from kubelint.rules import ALL_RULES

    extra = getattr(config, "custom_rules", ())
    return (*ALL_RULES, *extra) if extra else ALL_RULES


def reported_rules(config: Config, result: Any) -> tuple[Rule, ...]:
    """The rules reporters describe (SARIF's `tool.driver.rules`): the effective rules and the
    admission policies' rules of the run."""
    return (*effective_rules(config), *result.extra.get("policy_rules", ()))


def catalog(config: Config) -> tuple[tuple[Rule, ...], Mapping[str, str]]:
    """Every rule `kubelint rules` and `kubelint explain` know with `config`: the effective
    rules, every installed plugin's and those of the admission policies in `policy-dirs`; and
    the origin of each rule that is not built in."""
    from kubelint.k8s import ResourceIndex
    from kubelint.plugins import with_plugins

    config = with_plugins(config, everything=True)
    origins = dict(config.rule_origins)
    policies: tuple[Rule, ...] = ()
    if config.policy_dirs:
        from kubelint.vap import policy_rules, read_policies

        found = read_policies(config.policy_dirs)
        policies = policy_rules(ResourceIndex(found), found)
        files = {f"policy.{r.name}": r.file for r in found}
        origins.update({r.id: f"policy: {files.get(r.id, '?')}" for r in policies})
    return (*effective_rules(config), *policies), MappingProxyType(origins)
