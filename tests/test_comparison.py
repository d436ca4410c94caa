"""docs/comparison.md is current and every recorded peer decision is consistent."""

from __future__ import annotations

from kubelint import comparison
from kubelint.rules import ALL_RULES


def test_decisions_are_consistent(shared):
    peers = shared / "peers"
    assert comparison.problems(ALL_RULES, peers, comparison.load_decisions()) == []


def test_comparison_page_is_current(shared):
    page = comparison.render(ALL_RULES, shared / "peers", comparison.load_decisions())
    current = comparison.OUTPUT.read_text(encoding="utf-8")
    assert current == page, f"docs/comparison.md is stale: run `{comparison.REGENERATE}`"


def test_every_tool_has_one_row_per_check(shared):
    page = comparison.render(ALL_RULES, shared / "peers", comparison.load_decisions())
    for tool in comparison.TOOLS:
        checks = comparison.load_catalog(shared / "peers", tool)
        section = page.split(f"## {tool}\n", 1)[1].split("\n## ", 1)[0]
        rows = [line for line in section.splitlines() if line.startswith("| `")]
        assert len(rows) == len(checks)
