"""Reporters: pure functions from a LintResult to text. Registered by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module

FORMATS = ("text", "json", "sarif", "github", "junit", "lsp", "gcc")


def renderer(name: str) -> Callable[..., str]:
    """The `render(result, rules, **options)` function of the named format."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r} (use {', '.join(FORMATS)})")
    return import_module(f"kubelint.report.{name}").render


def chunked_renderer(name: str) -> Callable[..., Iterable[str]]:
    """Like `renderer`, but the output comes in pieces (formats that can stream it do)."""
    render = renderer(name)
    stream = getattr(import_module(render.__module__), "render_chunks", None)
    if stream is not None:
        return stream  # type: ignore[no-any-return]
    return lambda *args, **kwargs: (render(*args, **kwargs),)
