"""Compute resource requests and limits rules."""

from __future__ import annotations

RULES = ()
