"""Services, ingresses, routes and references between objects."""

from __future__ import annotations

RULES = ()
