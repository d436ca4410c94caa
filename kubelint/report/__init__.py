"""Reporters: pure functions from a LintResult to text. Registered by name."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

FORMATS = ("text", "json", "sarif", "github", "junit", "lsp", "gcc")


def renderer(name: str) -> Callable[..., str]:
    """The `render(result, rules, **options)` function of the named format."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r} (use {', '.join(FORMATS)})")
    return import_module(f"kubelint.report.{name}").render
