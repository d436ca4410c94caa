"""Control-plane and node hardening: static pod flags and KubeletConfiguration."""

from __future__ import annotations

RULES = ()
