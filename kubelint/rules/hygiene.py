"""Hygiene rules."""

from __future__ import annotations

RULES = ()
