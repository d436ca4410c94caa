"""Configuration: which rules run, at what severity, with what options, on which files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from kubelint.model import Severity
from kubelint.rule import Rule
from kubelint.sources import is_excluded

ALL = "all"
DEFAULT = "default"
INPUT_CATEGORY = "input"


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
    source: str | None = None  # the config file, if any

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

    def options_for(self, rule: Rule) -> Mapping[str, Any]:
        settings = self.rules.get(rule.id)
        if settings is None or not settings.options:
            return rule.defaults
        return MappingProxyType({**rule.defaults, **settings.options})

    def ignored_in_file(self, rule: Rule, file: str) -> str | None:
        """The config setting that turns `rule` off for `file`, if any."""
        settings = self.rules.get(rule.id)
        if settings is not None and settings.exclude and is_excluded(file, settings.exclude):
            return f"config: rules.{rule.id}.exclude"
        for pattern, selectors in self.per_file_ignores.items():
            if _specificity(rule, selectors) >= 0 and is_excluded(file, (pattern,)):
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


def find_config(paths: list[str]) -> str | None:
    """The nearest `.kubelint.yaml` found walking up from the first linted path (or the cwd)."""
    import os

    start = next((p for p in paths if p != "-"), ".")
    folder = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def with_overrides(config: Config, *, select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
                   exclude: tuple[str, ...] = (), fail_level: Severity | None = None) -> Config:
    """Command-line options on top of file settings: --select replaces, --ignore adds."""
    from dataclasses import replace

    return replace(
        config,
        select=select or config.select,
        extend_select=() if select else config.extend_select,
        ignore=config.ignore + ignore,
        exclude=config.exclude + exclude,
        fail_level=fail_level or config.fail_level,
    )


def load(path: str) -> Config:
    """Read and validate a config file."""
    from kubelint.errors import ConfigError

    raise ConfigError(f"{path}: config files are not supported yet")
