"""Namespace isolation and network policy rules."""

from __future__ import annotations

RULES = ()
