"""Configuration: which rules run, at what severity, with what options, on which files."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from kubelint.model import Severity
from kubelint.rule import Rule
from kubelint.sources import is_excluded

ALL = "all"
DEFAULT = "default"
INPUT_CATEGORY = "input"
VERSION_OPTION = "kubernetes-version"
POD_SECURITY_OPTION = "pod-security"
"""The option name of the Pod Security admission rules' level (see docs/pod-security.md)."""
VERSION_PATTERN = re.compile(r"v?1\.[0-9]+(\.[0-9]+)?")
"""The option name of rules whose verdict depends on the target Kubernetes release."""


@dataclass(frozen=True, slots=True)
class RuleSettings:
    severity: Severity | None = None
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Config:
    """Resolved settings for one run (file config merged with command-line options)."""

    select: tuple[str, ...] = (DEFAULT,)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    rules: Mapping[str, RuleSettings] = field(default_factory=lambda: MappingProxyType({}))
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({}))
    fail_level: Severity = Severity.WARNING
    kubernetes_version: str | None = None  # target release for version-aware rules
    pod_security: str | None = None  # Pod Security level enforced for every pod, if any
    crd_dirs: tuple[str, ...] = ()  # folders of CustomResourceDefinitions (absolute paths)
    baseline: str | None = None  # baseline file of accepted findings (absolute path), if any
    policy_dirs: tuple[str, ...] = ()  # folders of ValidatingAdmissionPolicies (absolute paths)
    custom_rules: tuple[Rule, ...] = ()  # rules beyond the built-in ones (custom, plugins)
    rule_origins: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Where each rule of `custom_rules` comes from (config file, plugin), by rule id."""
    source: str | None = None  # the config file, if any

    @property
    def root(self) -> str | None:
        """The folder relative globs are resolved against: the config file's (None: the cwd)."""
        return os.path.dirname(os.path.abspath(self.source)) if self.source else None

    def enabled(self, rule: Rule) -> bool:
        """Most specific selector wins (id > category > all/default); on a tie, ignore wins."""
        chosen = _specificity(rule, self.select + self.extend_select)
        dropped = _specificity(rule, self.ignore)
        if rule.category == INPUT_CATEGORY:
            return dropped < 2  # bad input is always reported unless ignored by id
        return chosen > dropped

    def severity_for(self, rule: Rule) -> Severity:
        settings = self.rules.get(rule.id)
        if settings is not None and settings.severity is not None:
            return settings.severity
        return rule.severity

    def severity_set(self, rule: Rule) -> bool:
        """Whether the config sets the rule's severity (which then beats a finding's own)."""
        settings = self.rules.get(rule.id)
        return settings is not None and settings.severity is not None

    def options_for(self, rule: Rule) -> Mapping[str, Any]:
        """The rule's defaults, then the run's target Kubernetes version and Pod Security level
        (for rules that take a `kubernetes-version` or `pod-security` option), then the rule's own
        options from the config file."""
        settings = self.rules.get(rule.id)
        version = self.kubernetes_version
        properties = (rule.options_schema or {}).get("properties") or {}
        takes_version = version is not None and VERSION_OPTION in properties
        takes_level = self.pod_security is not None and POD_SECURITY_OPTION in properties
        if (settings is None or not settings.options) and not takes_version and not takes_level:
            return rule.defaults
        merged = dict(rule.defaults)
        if takes_version:
            merged[VERSION_OPTION] = version
        if takes_level:
            merged[POD_SECURITY_OPTION] = self.pod_security
        if settings is not None:
            merged.update(settings.options)
        return MappingProxyType(merged)

    def ignored_in_file(self, rule: Rule, file: str) -> str | None:
        """The config setting that turns `rule` off for `file`, if any."""
        settings = self.rules.get(rule.id)
        root = self.root
        if settings is not None and settings.exclude and is_excluded(file, settings.exclude, root):
            return f"config: rules.{rule.id}.exclude"
        for pattern, selectors in self.per_file_ignores.items():
            if _specificity(rule, selectors) >= 0 and is_excluded(file, (pattern,), root):
                return f"config: per-file-ignores[{pattern!r}]"
        return None


def _specificity(rule: Rule, selectors: tuple[str, ...]) -> int:
    """2 for an id match, 1 for a category, 0 for all/default, -1 for none."""
    best = -1
    for s in selectors:
        if s == rule.id or s in rule.aliases:
            return 2
        if s == rule.category:
            best = max(best, 1)
        elif s == ALL or (s == DEFAULT and rule.default_enabled):
            best = max(best, 0)
    return best


CONFIG_NAMES = (".kubelint.yaml", ".kubelint.yml")
PYPROJECT = "pyproject.toml"


def find_config(paths: list[str]) -> str | None:
    """The nearest `.kubelint.yaml` (or a pyproject.toml with a `[tool.kubelint]` table, if the
    folder has no `.kubelint.yaml`) found walking up from the first linted path (or the cwd)."""
    start = next((p for p in paths if p != "-"), ".")
    folder = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return candidate
        pyproject = os.path.join(folder, PYPROJECT)
        if os.path.isfile(pyproject) and _has_kubelint_table(pyproject):
            return pyproject
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _has_kubelint_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return re.search(r"^\s*\[tool\.kubelint[.\]]", f.read(), re.M) is not None
    except OSError:
        return False


def with_overrides(config: Config, *, select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
                   exclude: tuple[str, ...] = (), fail_level: Severity | None = None,
                   kubernetes_version: str | None = None,
                   crd_dirs: tuple[str, ...] = (), pod_security: str | None = None,
                   policy_dirs: tuple[str, ...] = ()) -> Config:
    """Command-line options on top of file settings.

    `--select` replaces the file's select and extend-select, and re-enables what the file turned
    off under exactly the same name (`ignore`, `severity: off`); `--ignore` and `--exclude` add.
    Command-line globs are relative to the working directory, whatever the config file's folder.
    """
    from dataclasses import replace

    named = {_canonical(s) for s in select}
    kept = tuple(i for i in config.ignore if _canonical(i) not in named)
    cwd = os.getcwd()
    return replace(
        config,
        select=select or config.select,
        extend_select=() if select else config.extend_select,
        ignore=kept + ignore,
        exclude=config.exclude + tuple(absolute_glob(p, cwd) for p in exclude),
        fail_level=fail_level or config.fail_level,
        kubernetes_version=kubernetes_version or config.kubernetes_version,
        pod_security=pod_security or config.pod_security,
        crd_dirs=config.crd_dirs + tuple(os.path.abspath(d) for d in crd_dirs),
        policy_dirs=config.policy_dirs + tuple(os.path.abspath(d) for d in policy_dirs),
    )


def absolute_glob(pattern: str, folder: str) -> str:
    """`pattern`, relative to `folder`, as an absolute glob with the same meaning (see
    `sources.is_excluded`: a pattern without `/` matches a name at any depth)."""
    if os.path.isabs(pattern):
        return pattern
    base = os.path.abspath(folder).replace(os.sep, "/").rstrip("/")
    pat = pattern.replace(os.sep, "/")
    if "/" in pat.rstrip("/"):
        return f"{base}/{pat[2:] if pat.startswith('./') else pat}"
    return f"{base}/**/{pat}"


def _canonical(selector: str) -> str:
    """A rule alias as its rule's id; anything else unchanged."""
    from kubelint.rules import by_id

    try:
        return by_id(selector).id
    except KeyError:
        return selector


# -- Loading config files ----------------------------------------------------------------------

OFF = "off"
_LIST_KEYS = ("select", "extend-select", "ignore")
CUSTOM_KEY = "custom-rules"
KUBE_LINTER_KEY = "kube-linter-config"
POLICY_CATEGORY = "admission-policy"
"""The category of the rules that ValidatingAdmissionPolicies give (ids `policy.<name>`)."""


def is_policy_id(name: str) -> bool:
    """Whether `name` is the id of an admission policy's rule (`policy.<policy name>`)."""
    return name.startswith("policy.") and len(name) > len("policy.")


def load(path: str) -> Config:
    """Read, validate and resolve a config file and the files it `extends`.

    Every problem becomes one line `FILE:LINE:COL: message` of a ConfigError.
    """
    layers = _read_chain(path, ())
    merged: dict = {}
    for raw in layers:
        merged = _merge(merged, raw)
    return _build(merged, path)


def _read_chain(path: str, chain: tuple[str, ...]) -> list[dict]:
    """The raw settings of `path` and of the files it extends, the most basic first."""
    from kubelint.errors import ConfigError

    raw, extends = _read_one(path)
    layers = [raw]
    if extends is not None:
        target, (line, col) = extends
        here = os.path.realpath(path)
        full = os.path.join(os.path.dirname(os.path.abspath(path)), target)
        seen = (*chain, here)
        if os.path.realpath(full) in seen:
            cycle = " -> ".join(os.path.relpath(p) for p in (*seen, os.path.realpath(full)))
            raise ConfigError(f"{path}:{line}:{col}: extends: cycle of config files: {cycle}")
        if not os.path.isfile(full):
            raise ConfigError(f"{path}:{line}:{col}: extends: no such config file {target!r}")
        folder = os.path.dirname(full)
        layers = [_rebase(layer, folder) for layer in _read_chain(full, seen)] + layers
    return layers


def _read_one(path: str) -> tuple[dict, tuple[str, tuple[int, int]] | None]:
    """One config file, validated and normalised (globs still relative to its folder), and its
    `extends` target with the target's 1-based position."""
    from kubelint.errors import ConfigError
    from kubelint.locate import span_of
    from kubelint.parse import parse_text

    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: config file is not valid UTF-8 ({exc.reason})") from None

    if os.path.basename(path) == PYPROJECT:
        return _read_pyproject(path, text)
    errors: list[tuple[int, int, str]] = []
    parsed = parse_text(text)
    docs = parsed.documents
    for problem in [*parsed.problems, *(p for doc in docs for p in doc.problems)]:
        message = problem.message
        if problem.rule_id == "duplicate-key":
            message = message.split(":", 1)[0]  # not "Kubernetes keeps ..." here
        errors.append((problem.line + 1, problem.col + 1, message))
    if len(docs) > 1:
        marks = docs[1].positions.get(())
        line = marks[0] + 1 if marks else 1
        errors.append((line, 1, "a config file holds one YAML document"))
    if errors:
        raise ConfigError(_format(path, errors))
    if not docs or docs[0].root is None:
        return {}, None  # an empty file: defaults
    doc = docs[0]
    data = doc.root

    def at(where: tuple, message: str) -> None:
        span, _ = span_of(doc, where)
        errors.append((span.start.line, span.start.col, _describe(where, message)))

    def position(where: tuple) -> tuple[int, int]:
        span, _ = span_of(doc, where)
        return span.start.line, span.start.col

    return _checked(data, path, errors, at, position)


def _checked(data: Any, path: str, errors: list[tuple[int, int, str]],
             at: Callable[[tuple, str], None], position: Callable[[tuple], tuple[int, int]]
             ) -> tuple[dict, tuple[str, tuple[int, int]] | None]:
    """Settings read from a file, validated (errors reported through `at`) and normalised."""
    from kubelint.errors import ConfigError

    problems = _schema_errors(data, _config_schema())
    for where, message in problems:
        at(where, message)
    broken = {w[1] for w, _ in problems if w[:1] == (CUSTOM_KEY,) and len(w) > 1}
    usable = not any(w[:1] in ((), (CUSTOM_KEY,)) and len(w) < 2 for w, _ in problems)
    custom = _custom_rules(data, path, at, broken) if usable else []
    if isinstance(data, dict):
        _check_names(data, at, [r for r, _ in custom])
    if errors:
        raise ConfigError(_format(path, errors))

    extends = None
    if "extends" in data:
        extends = (data["extends"], position(("extends",)))
    normalised = _normalise(data)
    normalised[CUSTOM_KEY] = custom
    return normalised, extends


def _read_pyproject(path: str, text: str) -> tuple[dict, tuple[str, tuple[int, int]] | None]:
    """The `[tool.kubelint]` table of a pyproject.toml, checked like a .kubelint.yaml. TOML
    readers give no positions: a problem points at its key's line where a `key =` line can be
    found after the table's header, else at the header."""
    import tomllib

    from kubelint.errors import ConfigError

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    tool = document.get("tool")
    data = tool.get("kubelint", {}) if isinstance(tool, dict) else {}
    lines = text.splitlines()
    header = next((i for i, line in enumerate(lines)
                   if line.strip().startswith(("[tool.kubelint]", "[tool.kubelint."))), 0)

    def position(where: tuple) -> tuple[int, int]:
        keys = [k for k in where if isinstance(k, str)]
        for i in range(header, len(lines)):
            stripped = lines[i].lstrip()
            for key in reversed(keys):
                if re.match(rf'["\']?{re.escape(key)}["\']?\s*=', stripped):
                    return i + 1, len(lines[i]) - len(stripped) + 1
        return header + 1, 1

    errors: list[tuple[int, int, str]] = []

    def at(where: tuple, message: str) -> None:
        errors.append((*position(where), _describe(where, message)))

    return _checked(data, path, errors, at, position)


def _custom_rules(data: dict, path: str, at, broken: set) -> list[tuple[Rule, str]]:
    """The Rules a config file adds, with their origin: its `custom-rules` (but the `broken`
    ones, by index) and its kube-linter config's checks."""
    if not isinstance(data, dict) or not (CUSTOM_KEY in data or KUBE_LINTER_KEY in data):
        return []
    from kubelint.custom_rules import build_rules
    from kubelint.rules import ALL_RULES

    builtin = frozenset(n for r in ALL_RULES for n in (r.id, *r.aliases))
    name = os.path.relpath(path)
    out = [(r, f"config: {name}") for r in
           build_rules(data.get(CUSTOM_KEY), at, os.path.basename(path), known_ids=builtin,
                       skip=frozenset(broken))]
    if KUBE_LINTER_KEY in data:
        from kubelint.kube_linter_config import checks_from_file

        target = os.path.join(os.path.dirname(os.path.abspath(path)), data[KUBE_LINTER_KEY])
        taken = builtin | {r.id for r, _ in out}
        out += [(r, f"kube-linter config: {os.path.relpath(target)}"
                 + ("" if r.check is not None else ", template not supported"))
                for r in checks_from_file(
            target, lambda message: at((KUBE_LINTER_KEY,), message), taken)]
    return out


def _format(path: str, errors: list[tuple[int, int, str]]) -> str:
    return "\n".join(f"{path}:{line}:{col}: {message}" for line, col, message in sorted(errors))


def _describe(where: tuple, message: str) -> str:
    from kubelint.model import format_path

    return f"{format_path(where)}: {message}" if where else message


def _config_schema() -> dict:
    import json
    from importlib.resources import files

    return json.loads(files("kubelint.schemas").joinpath("config.schema.json").read_text("utf-8"))


def _schema_errors(instance: object, schema: Mapping[str, Any]) -> list[tuple[tuple, str]]:
    """(path, message) for each way `instance` breaks `schema`, in a reader's words."""
    from jsonschema.validators import validator_for

    schema = dict(schema)
    cls = validator_for(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    out: list[tuple[tuple, str]] = []
    for error in validator.iter_errors(instance):
        where = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = list(error.schema.get("properties", {}))
            patterns = list(error.schema.get("patternProperties", {}))
            for key in error.instance:
                if key not in allowed and not any(re.search(p, str(key)) for p in patterns):
                    out.append(((*where, key),
                                f"unknown key {key!r}{_suggest(str(key), allowed)}"))
            continue
        if error.validator == "type":
            expected = error.validator_value
            names = expected if isinstance(expected, list) else [expected]
            out.append((where, f"expected {' or '.join(map(_type_word, names))}, "
                               f"got {_json_type(error.instance)}"))
        elif error.validator == "enum":
            choices = ", ".join(str(c) for c in error.validator_value if c is not False)
            out.append((where, f"expected one of {choices}, got {_show(error.instance)}"))
        else:
            out.append((where, error.message))
    return out


_TYPE_WORDS = {"object": "a mapping", "array": "a list", "string": "a string",
               "integer": "an integer", "number": "a number", "boolean": "true or false",
               "null": "null"}


def _type_word(name: str) -> str:
    return _TYPE_WORDS.get(name, name)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"{value!r}"


def _show(value: object) -> str:
    return _json_type(value) if not isinstance(value, str) else repr(value)


def _suggest(name: str, known: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest known name, or nothing."""
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_names(data: dict, at, custom: list | tuple = ()) -> None:
    """Rule ids and categories exist; rule options fit the rule's options schema. `custom`:
    the rules this file defines (ids of admission policies, `policy.<name>`, are not known
    before the run and pass)."""
    from kubelint.rules import ALL_RULES, by_id, categories

    ids = [n for r in (*ALL_RULES, *custom) for n in (r.id, *r.aliases)]
    selectors = [*ids, *categories(), *(r.category for r in custom), ALL, DEFAULT,
                 POLICY_CATEGORY]
    own = {r.id: r for r in custom}

    plugins: list[str] = []

    def check_list(where: tuple, names: object) -> None:
        for i, name in enumerate(names if isinstance(names, list) else ()):
            if isinstance(name, str) and name not in selectors and not is_policy_id(name):
                if not plugins:
                    from kubelint.plugins import entry_points

                    plugins.extend(entry_points() or [""])
                if name in plugins:
                    continue
                at((*where, i), f"unknown rule or category {name!r}{_suggest(name, selectors)}")

    for key in _LIST_KEYS:
        check_list((key,), data.get(key))
    pfi = data.get("per-file-ignores")
    for glob, names in (pfi.items() if isinstance(pfi, dict) else ()):
        check_list(("per-file-ignores", glob), names)
    rules = data.get("rules")
    for rule_id, settings in (rules.items() if isinstance(rules, dict) else ()):
        try:
            rule = own[rule_id] if rule_id in own else by_id(rule_id)
        except KeyError:
            if is_policy_id(rule_id):
                continue
            hint = _suggest(rule_id, ids)
            if not hint and rule_id in categories():
                hint = " (`rules` takes rule ids, not categories)"
            at(("rules", rule_id), f"unknown rule {rule_id!r}{hint}")
            continue
        options = settings.get("options") if isinstance(settings, dict) else None
        if not isinstance(options, dict):
            continue
        if rule.options_schema is None:
            if options:
                at(("rules", rule_id, "options"), f"rule {rule.id!r} has no options")
            continue
        for where, message in _schema_errors(options, rule.options_schema):
            at(("rules", rule_id, "options", *where), message)


def _normalise(data: dict) -> dict:
    """Canonical rule ids (aliases resolved), `off` for YAML 1.1's false."""
    out: dict = {k: v for k, v in data.items() if k != "extends"}
    for key in _LIST_KEYS:
        if key in data:
            out[key] = [_canonical(s) for s in data[key]]
    if "per-file-ignores" in data:
        out["per-file-ignores"] = {g: [_canonical(s) for s in names]
                                   for g, names in data["per-file-ignores"].items()}
    if "rules" in data:
        rules: dict = {}
        for rule_id, settings in data["rules"].items():
            settings = dict(settings)
            if settings.get("severity") is False:
                settings["severity"] = OFF
            rules[_canonical(rule_id)] = _merge_rule(rules.get(_canonical(rule_id), {}), settings)
        out["rules"] = rules
    return out


def _rebase(data: dict, folder: str) -> dict:
    """Globs of an extended file, made absolute so that they keep meaning its own folder."""
    out = dict(data)
    if "exclude" in data:
        out["exclude"] = [absolute_glob(g, folder) for g in data["exclude"]]
    if "crd-dirs" in data:
        out["crd-dirs"] = [os.path.join(folder, d) for d in data["crd-dirs"]]
    if "baseline" in data:
        out["baseline"] = os.path.join(folder, data["baseline"])
    if "policy-dirs" in data:
        out["policy-dirs"] = [os.path.join(folder, d) for d in data["policy-dirs"]]
    if "per-file-ignores" in data:
        out["per-file-ignores"] = {absolute_glob(g, folder): names
                                   for g, names in data["per-file-ignores"].items()}
    if "rules" in data:
        out["rules"] = {rid: ({**s, "exclude": [absolute_glob(g, folder) for g in s["exclude"]]}
                              if "exclude" in s else s)
                        for rid, s in data["rules"].items()}
    return out


def _merge(base: dict, top: dict) -> dict:
    """`top` (the extending file) over `base`. Lists add up, base first, except `select`, which
    replaces `select` and `extend-select`; what `top` selects by name comes back from `base`'s
    `ignore` and `severity: off`; mappings merge key by key; other values from `top` win."""
    out = dict(base)
    named = set(top.get("select", ())) | set(top.get("extend-select", ()))
    if "select" in top:
        out["select"] = list(top["select"])
        out.pop("extend-select", None)
    out["extend-select"] = [*out.get("extend-select", ()), *top.get("extend-select", ())]
    out["ignore"] = [*(i for i in out.get("ignore", ()) if i not in named),
                     *top.get("ignore", ())]
    out["exclude"] = [*out.get("exclude", ()), *top.get("exclude", ())]
    for key in ("fail-level", "kubernetes-version", "pod-security", "baseline"):
        if key in top:
            out[key] = top[key]
    out["crd-dirs"] = [*out.get("crd-dirs", ()), *top.get("crd-dirs", ())]
    out["policy-dirs"] = [*out.get("policy-dirs", ()), *top.get("policy-dirs", ())]
    replaced = {r.id for r, _ in top.get(CUSTOM_KEY, ())}
    out[CUSTOM_KEY] = [*(c for c in out.get(CUSTOM_KEY, ()) if c[0].id not in replaced),
                       *top.get(CUSTOM_KEY, ())]
    pfi = {g: list(n) for g, n in out.get("per-file-ignores", {}).items()}
    for glob, names in top.get("per-file-ignores", {}).items():
        pfi[glob] = [*pfi.get(glob, ()), *names]
    out["per-file-ignores"] = pfi
    rules = {rid: dict(s) for rid, s in out.get("rules", {}).items()}
    for rid in named:
        if rules.get(rid, {}).get("severity") == OFF:
            del rules[rid]["severity"]
    for rid, settings in top.get("rules", {}).items():
        rules[rid] = _merge_rule(rules.get(rid, {}), settings)
    out["rules"] = rules
    return out


def _merge_rule(base: dict, top: dict) -> dict:
    out = {**base, **{k: v for k, v in top.items() if k not in ("options", "exclude")}}
    if "options" in base or "options" in top:
        out["options"] = {**base.get("options", {}), **top.get("options", {})}
    if "exclude" in base or "exclude" in top:
        out["exclude"] = [*base.get("exclude", ()), *top.get("exclude", ())]
    return out


def _build(data: dict, source: str) -> Config:
    rules: dict[str, RuleSettings] = {}
    off: list[str] = []
    for rid, s in data.get("rules", {}).items():
        severity = s.get("severity")
        if severity == OFF:
            off.append(rid)
            severity = None
        rules[rid] = RuleSettings(
            severity=Severity.parse(severity) if severity else None,
            options=MappingProxyType(dict(s.get("options", {}))),
            exclude=tuple(s.get("exclude", ())))
    return Config(
        select=tuple(data.get("select", (DEFAULT,))),
        extend_select=tuple(data.get("extend-select", ())),
        ignore=tuple(data.get("ignore", ())) + tuple(off),
        exclude=tuple(data.get("exclude", ())),
        rules=MappingProxyType(rules),
        per_file_ignores=MappingProxyType(
            {g: tuple(n) for g, n in data.get("per-file-ignores", {}).items()}),
        fail_level=Severity.parse(data["fail-level"]) if "fail-level" in data
        else Severity.WARNING,
        kubernetes_version=data.get("kubernetes-version"),
        pod_security=data.get("pod-security"),
        baseline=os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(source)),
                                               data["baseline"])) if "baseline" in data else None,
        crd_dirs=tuple(os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(source)), d))
                       for d in data.get("crd-dirs", ())),
        policy_dirs=tuple(
            os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(source)), d))
            for d in data.get("policy-dirs", ())),
        custom_rules=tuple(r for r, _ in data.get(CUSTOM_KEY, ())),
        rule_origins=MappingProxyType({r.id: origin for r, origin in data.get(CUSTOM_KEY, ())}),
        source=source,
    )
