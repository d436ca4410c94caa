"""Rule metadata: ids, registration, documentation fields, peer equivalents, fixtures, catalog."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path

import pytest
import yaml

import kubelint.rule as rule_model
import kubelint.rules
from kubelint.model import Severity
from kubelint.rule import ALWAYS, NEVER, SOMETIMES, Rule
from kubelint.rules import ALL_RULES, by_id

FIXTURES = Path(__file__).parent / "rules"
KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
TOOLS = ("kube-linter", "checkov", "polaris", "kube-score", "trivy", "kubescape", "kubesec",
         "pod-security")
"""Peer tools `equivalents` may name; /work/shared/peers/<tool>.yaml lists their check ids."""
SCOPES = frozenset({"object", "bundle", "input"})
CHECKED = [r for r in ALL_RULES if r.check is not None]


def _modules():
    """Every kubelint/rules/*.py module."""
    return [importlib.import_module(f"kubelint.rules.{m.name}")
            for m in pkgutil.iter_modules(kubelint.rules.__path__) if not m.name.startswith("_")]


# --- ids and registration ------------------------------------------------------------------------

def test_ids_are_unique_kebab_case():
    ids = [r.id for r in ALL_RULES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    assert [i for i in ids if not KEBAB.fullmatch(i)] == []


def test_aliases_are_kebab_case_and_do_not_clash():
    ids = {r.id for r in ALL_RULES}
    aliases = [a for r in ALL_RULES for a in r.aliases]
    assert [a for a in aliases if not KEBAB.fullmatch(a)] == []
    assert len(aliases) == len(set(aliases)), "an alias names two rules"
    assert sorted(set(aliases) & ids) == [], "an alias is also a rule id"
    for r in ALL_RULES:
        for a in r.aliases:
            assert by_id(a) is r


def test_every_rule_object_is_registered():
    """Each Rule defined in a kubelint/rules/*.py module is in that module's RULES and in
    ALL_RULES; ALL_RULES holds nothing else."""
    all_rules = {id(r) for r in ALL_RULES}
    registered: set[int] = set()
    problems = []
    modules = _modules()
    for module in modules:
        rules_tuple = getattr(module, "RULES", None)
        defined = [(name, v) for name, v in vars(module).items() if isinstance(v, Rule)]
        if rules_tuple is None:
            if defined:
                problems.append(f"{module.__name__} defines rules but has no RULES tuple")
            continue
        if not isinstance(rules_tuple, tuple):
            problems.append(f"{module.__name__}.RULES is not a tuple")
            continue
        registered.update(id(r) for r in rules_tuple)
        for r in rules_tuple:
            if id(r) not in all_rules:
                problems.append(f"{module.__name__}: {r.id} is in RULES but not in ALL_RULES "
                                f"(kubelint/rules/__init__.py)")
        mine = {id(x) for x in rules_tuple}
        for name, r in defined:
            if id(r) in mine:
                continue
            home = r.check.__module__ if r.check is not None else None
            if home is not None and home != module.__name__:
                continue  # a rule imported from the module that defines it
            if home is None and any(id(r) in {id(x) for x in getattr(m, "RULES", ())}
                                    for m in modules):
                continue  # a check-less rule imported from another rules module
            problems.append(f"{module.__name__}.{name} ({r.id}) is not in RULES")
    problems += [f"{r.id} is in ALL_RULES but in no module's RULES" for r in ALL_RULES
                 if id(r) not in registered]
    assert problems == []


@pytest.mark.parametrize("rule", CHECKED, ids=lambda r: r.id)
def test_check_is_named_after_the_rule(rule):
    assert rule.check.__name__ == rule.id.replace("-", "_")
    assert rule.check.__module__.startswith("kubelint.rules.")


# --- fields --------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.id)
def test_doc_fields(rule):
    for field in ("summary", "rationale", "remediation"):
        text = getattr(rule, field)
        assert isinstance(text, str) and text.strip(), f"{field} is empty"
        assert text == text.strip(), f"{field} has surrounding whitespace"
    assert rule.summary.endswith("."), "summary must be a sentence ending in '.'"
    assert rule.remediation.endswith("."), "remediation must be a sentence ending in '.'"
    for url in rule.references:
        assert url.startswith("https://"), url


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.id)
def test_classification(rule):
    assert rule.category in rule_model.CATEGORIES, f"unknown category {rule.category!r}"
    assert isinstance(rule.severity, Severity)
    assert rule.scope in SCOPES
    assert rule.fixable in (NEVER, SOMETIMES, ALWAYS)
    assert (rule.scope == "input") == (rule.check is None), "only input rules have no check"
    if rule.category == "input":
        assert rule.scope == "input" and rule.default_enabled
    if rule.check is None:
        assert rule.fixable == NEVER
    if rule.kinds is not None:
        assert rule.kinds and all(isinstance(k, str) and k for k in rule.kinds)


def test_options_schema_covers_defaults():
    import jsonschema

    for rule in ALL_RULES:
        if not (rule.options_schema or rule.defaults):
            continue
        schema = rule.options_schema
        assert schema is not None, f"{rule.id}: defaults without an options_schema"
        assert schema.get("type") == "object", rule.id
        assert isinstance(schema.get("properties"), dict), rule.id
        assert sorted(set(rule.defaults) - set(schema["properties"])) == [], rule.id
        jsonschema.Draft202012Validator.check_schema(dict(schema))
        jsonschema.validate(dict(rule.defaults), dict(schema))


# --- equivalents ---------------------------------------------------------------------------------

@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r.equivalents], ids=lambda r: r.id)
def test_equivalents_name_known_tools(rule):
    assert sorted(set(rule.equivalents) - set(TOOLS)) == []
    for tool, ids in rule.equivalents.items():
        assert isinstance(ids, tuple) and ids, tool
        assert all(isinstance(i, str) and i.strip() == i and i for i in ids), tool
        assert len(set(ids)) == len(ids), f"{tool}: duplicate ids"


def _peer_ids(shared: Path) -> dict[str, set[str]]:
    out = {}
    for tool in TOOLS:
        catalog = shared / "peers" / f"{tool}.yaml"
        if catalog.is_file():
            checks = yaml.safe_load(catalog.read_text(encoding="utf-8"))["checks"]
            # Trivy's older short ids (KSV001) are accepted as well as KSV-0001.
            out[tool] = {c["id"] for c in checks} | {c["alias"] for c in checks if c.get("alias")}
    return out


def test_equivalents_exist_in_peer_catalogs(shared):
    """Every peer id a rule names is in /work/shared/peers/<tool>.yaml (tools without a catalog,
    such as pod-security, are not checked)."""
    catalogs = _peer_ids(shared)
    unknown = [f"{r.id}: {tool} {check}" for r in ALL_RULES
               for tool, ids in sorted(r.equivalents.items()) if tool in catalogs
               for check in ids if check not in catalogs[tool]]
    assert unknown == []


# --- fixtures ------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule", CHECKED, ids=lambda r: r.id)
def test_fixtures_exist(rule):
    folder = FIXTURES / rule.id
    required = ["pass.yaml", "fail.yaml", "fail.expected"]
    if rule.fixable == ALWAYS:
        required.append("fail.fixed.yaml")
    missing = [name for name in required if not (folder / name).is_file()]
    assert missing == [], (f"{folder}: missing {', '.join(missing)} "
                           "(scripts/add_rule.py makes stubs)")
    if rule.fixable == NEVER:
        assert not (folder / "fail.fixed.yaml").exists(), "fail.fixed.yaml for an unfixable rule"


def test_no_fixture_folder_without_a_rule():
    ids = {r.id for r in CHECKED}
    orphans = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name not in ids
                     and not p.name.startswith(("_", ".")))
    assert orphans == []


# --- `kubelint rules --format json` --------------------------------------------------------------

RULE_KEYS = {"id", "category", "severity", "default_enabled", "summary", "scope", "fixable",
             "equivalents", "aliases", "origin"}


def test_rules_json_shape():
    from tests.test_docs import invoke

    result = invoke("rules", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc) == ["rules"]
    entries = doc["rules"]
    assert sorted(e["id"] for e in entries) == sorted(r.id for r in ALL_RULES)
    for e in entries:
        assert set(e) == RULE_KEYS, e["id"]
        rule = by_id(e["id"])
        assert e["category"] == rule.category
        assert e["severity"] in ("error", "warning", "info")
        assert e["severity"] == rule.severity.label
        assert e["default_enabled"] is rule.default_enabled
        assert e["summary"] == rule.summary
        assert e["fixable"] == rule.fixable
        assert e["equivalents"] == {t: list(ids) for t, ids in rule.equivalents.items()}
        assert all(isinstance(ids, list) for ids in e["equivalents"].values())
        assert e["aliases"] == list(rule.aliases)
    privileged = next(e for e in entries if e["id"] == "privileged-container")
    assert privileged["equivalents"]["kube-linter"] == ["privileged-container"]
