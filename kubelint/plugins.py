"""Rules from other packages, found through the `kubelint.rules` entry point group.

A package declares, in its pyproject.toml:

    [project.entry-points."kubelint.rules"]
    acme-team-label = "acme_kubelint.rules:team_label"   # a Rule
    acme = "acme_kubelint.rules:RULES"                    # or a sequence of Rules

The entry point's name is what selects it (`--select acme-team-label`, `extend-select: [acme]`,
or `all`); a plugin is imported only when its name is selected, so unselected plugins cost
nothing. `kubelint rules --plugins` loads them all to list them with their origin.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kubelint.config import Config
    from kubelint.rule import Rule

GROUP = "kubelint.rules"


class PluginError(Exception):
    """A plugin that cannot be loaded or does not give rules."""


def entry_points() -> dict[str, Any]:
    """The installed plugins' entry points by name."""
    from importlib.metadata import entry_points as installed

    return {ep.name: ep for ep in installed(group=GROUP)}


def origin(ep: Any) -> str:
    dist = getattr(ep, "dist", None)
    package = f"{dist.name} {dist.version}" if dist is not None else ep.value
    return f"plugin: {package} ({ep.name} = {ep.value})"


def load(ep: Any, taken: Iterable[str] = ()) -> list[Rule]:
    """The rules an entry point gives; PluginError if it fails or gives something else."""
    from kubelint.rule import Rule

    try:
        value = ep.load()
    except Exception as exc:  # noqa: BLE001 -- any import-time failure of third-party code
        raise PluginError(f"plugin {ep.name!r} ({ep.value}) cannot be loaded: "
                          f"{type(exc).__name__}: {exc}") from None
    rules = [value] if isinstance(value, Rule) else list(value) \
        if isinstance(value, (list, tuple)) else None
    if not rules or not all(isinstance(r, Rule) for r in rules):
        raise PluginError(f"plugin {ep.name!r} ({ep.value}) gives no Rule objects")
    clash = sorted({r.id for r in rules} & set(taken))
    if clash:
        raise PluginError(f"plugin {ep.name!r} ({ep.value}) redefines rule {clash[0]!r}")
    return rules


def with_plugins(config: Config, *, everything: bool = False) -> Config:
    """`config` plus the rules of the plugins it selects (by entry point name or `all`); with
    `everything`, every installed plugin. PluginError on a broken plugin."""
    from kubelint.config import ALL, DEFAULT, POLICY_CATEGORY, is_policy_id
    from kubelint.rules import ALL_RULES

    selectors = set(config.select) | set(config.extend_select)
    every = (*ALL_RULES, *config.custom_rules)
    known = {n for r in every for n in (r.id, *r.aliases, r.category)}
    unknown = {s for s in selectors - known - {DEFAULT, POLICY_CATEGORY} if not is_policy_id(s)}
    wanted = everything or ALL in selectors or bool(unknown)
    if not wanted:
        return config  # nothing to look up: plugins are not even listed
    chosen = [ep for name, ep in sorted(entry_points().items())
              if everything or ALL in selectors or name in selectors]
    if not chosen:
        return config
    added: list[Rule] = []
    origins = dict(config.rule_origins)
    for ep in chosen:
        rules = load(ep, {r.id for r in (*every, *added)})
        added += rules
        origins.update({r.id: origin(ep) for r in rules})
    return replace(config, custom_rules=(*config.custom_rules, *added),
                   rule_origins=MappingProxyType(origins))
