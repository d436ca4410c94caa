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


def web_deployment(tier: str = "frontend", *, privileged: bool = False) -> str:
    """A Deployment whose pods carry `app: web` and `tier: <tier>`."""
    context = "\n          securityContext:\n            privileged: true" if privileged else ""
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web, tier: {tier}}}
    spec:
      containers:
        - name: app
          image: nginx:1.25{context}
"""


def web_service(tier: str = "frontend") -> str:
    """A Service selecting `app: web` and `tier: <tier>`; its selector is on line 6, column 3."""
    return f"""\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
    tier: {tier}
  ports:
    - port: 80
"""
