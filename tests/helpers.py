"""Lint snippets in tests without touching the filesystem."""

from __future__ import annotations

from kubelint.config import Config
from kubelint.engine import lint_sources
from kubelint.model import Diagnostic, LintResult
from kubelint.sources import SourceFile


def lint_text(text: str, *, select: tuple[str, ...] = ("all",), name: str = "test.yaml",
              config: Config | None = None) -> LintResult:
    cfg = config or Config(select=select)
    return lint_sources([SourceFile(name, text)], cfg)


def found(text: str, rule_id: str, **kw) -> list[Diagnostic]:
    """Active diagnostics of one rule for a snippet."""
    return [d for d in lint_text(text, select=(rule_id,), **kw).active if d.rule_id == rule_id]


def brief(diags: list[Diagnostic]) -> list[str]:
    """`line:col rule message` for each diagnostic, as golden files hold them."""
    return [f"{d.span.start.line}:{d.span.start.col} {d.rule_id} {d.message}" for d in diags]
