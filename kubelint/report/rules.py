"""`kubelint rules`: the rule catalog as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from kubelint.rule import Rule
from kubelint.rules import ALL_RULES

BUILT_IN = "built-in"


def rule_dict(rule: Rule, origin: str = BUILT_IN) -> dict:
    return {
        "id": rule.id,
        "category": rule.category,
        "severity": rule.severity.label,
        "default_enabled": rule.default_enabled,
        "summary": rule.summary,
        "scope": rule.scope,
        "fixable": rule.fixable,
        "equivalents": {tool: list(ids) for tool, ids in rule.equivalents.items()},
        "aliases": list(rule.aliases),
        "origin": origin,
    }


def render_rules(fmt: str, rules: Sequence[Rule] = ALL_RULES,
                 origins: Mapping[str, str] = MappingProxyType({})) -> str:
    """The catalog; `origins` says where rules that are not built in come from (config file,
    plugin, admission policy)."""
    ordered = sorted(rules, key=lambda r: (r.category, r.id))
    if fmt == "json":
        return json.dumps({"rules": [rule_dict(r, origins.get(r.id, BUILT_IN))
                                     for r in ordered]}, indent=2) + "\n"
    width = max(len(r.id) for r in ordered)
    lines = [f"{'RULE'.ljust(width)}  {'CATEGORY':<10} {'SEVERITY':<8} DEFAULT  SUMMARY"]
    for r in ordered:
        lines.append(f"{r.id.ljust(width)}  {r.category:<10} {r.severity.label:<8} "
                     f"{'on ' if r.default_enabled else 'off'}      {r.summary}"
                     + (f" [{origins[r.id]}]" if r.id in origins else ""))
    return "\n".join(lines) + "\n"
