"""Rule documentation generated from rule metadata."""

from __future__ import annotations

from kubelint.rule import Rule


def rule_page(rule: Rule) -> str:
    return f"# {rule.id}\n\n{rule.summary}\n\n## Why is this bad?\n\n{rule.rationale}\n\n## How to fix\n\n{rule.remediation}\n"
