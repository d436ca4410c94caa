"""Every rule kubelint knows, in one tuple; look-ups by id."""

from __future__ import annotations

from kubelint.rule import Rule
from kubelint.rules import (autoscaling, control_plane, deprecations, hygiene, images, input,
                            isolation, metadata, networking, pod_security, probes, psp, rbac,
                            reliability, resources, schema, secrets, security)

# hygiene.RULES includes retired.RULES (in their place among the hygiene rules).
ALL_RULES: tuple[Rule, ...] = (
    *input.RULES, *security.RULES, *pod_security.RULES, *images.RULES, *resources.RULES,
    *probes.RULES,
    *secrets.RULES, *reliability.RULES, *autoscaling.RULES, *hygiene.RULES, *networking.RULES,
    *isolation.RULES, *psp.RULES,
    *rbac.RULES, *control_plane.RULES, *schema.RULES, *deprecations.RULES, *metadata.RULES,
)

_BY_ID = {r.id: r for r in ALL_RULES}
_BY_ID.update({alias: r for r in ALL_RULES for alias in r.aliases})


def by_id(rule_id: str) -> Rule:
    """The rule with this id or alias; KeyError if unknown."""
    return _BY_ID[rule_id]


def categories() -> tuple[str, ...]:
    return tuple(sorted({r.category for r in ALL_RULES}))
