"""RBAC: roles, cluster roles and their bindings."""

from __future__ import annotations

RULES = ()
