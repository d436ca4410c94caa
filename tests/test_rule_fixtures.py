"""Every rule's fixtures: pass.yaml gives nothing, fail.yaml gives exactly fail.expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubelint.config import Config, RuleSettings
from kubelint.engine import lint_sources
from kubelint.rules import ALL_RULES
from kubelint.sources import SourceFile
from tests.helpers import brief

FIXTURES = Path(__file__).parent / "rules"
CHECKED = [r for r in ALL_RULES if r.check is not None]


def _lint(rule, path: Path):
    cfg = Config(select=(rule.id,))
    options = path.parent / "options.yaml"
    if options.exists():
        import yaml

        cfg = Config(select=(rule.id,),
                     rules={rule.id: RuleSettings(options=yaml.safe_load(options.read_text()))})
    text = path.read_text(encoding="utf-8")
    result = lint_sources([SourceFile(path.name, text)], cfg)
    return [d for d in result.active if d.rule_id == rule.id]


@pytest.mark.parametrize("rule", CHECKED, ids=lambda r: r.id)
def test_pass_fixture_is_clean(rule):
    path = FIXTURES / rule.id / "pass.yaml"
    assert path.exists(), f"missing {path}"
    assert brief(_lint(rule, path)) == []


@pytest.mark.parametrize("rule", CHECKED, ids=lambda r: r.id)
def test_fail_fixture_matches_golden(rule, update_golden):
    path = FIXTURES / rule.id / "fail.yaml"
    golden = FIXTURES / rule.id / "fail.expected"
    got = brief(_lint(rule, path))
    assert got, f"{path} must trigger {rule.id}"
    if update_golden:
        golden.write_text("\n".join(got) + "\n", encoding="utf-8")
    assert golden.exists(), f"missing {golden} (run pytest --update-golden)"
    assert got == golden.read_text(encoding="utf-8").splitlines()


FIXED = [r for r in CHECKED if (FIXTURES / r.id / "fail.fixed.yaml").exists()]


@pytest.mark.parametrize("rule", FIXED, ids=lambda r: r.id)
def test_fix_matches_golden(rule, update_golden):
    """Every fix of the rule (safe and unsafe) applied to fail.yaml gives fail.fixed.yaml, and
    linting and fixing that again changes nothing."""
    from kubelint.fix import apply_fixes

    path = FIXTURES / rule.id / "fail.yaml"
    golden = FIXTURES / rule.id / "fail.fixed.yaml"
    text = path.read_text(encoding="utf-8")
    got, applied = apply_fixes(text, _lint(rule, path), unsafe=True)
    assert applied, f"no fix of {rule.id} applies to {path}"
    if update_golden:
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")
    fixed_path = path.with_name("fail.fixed.yaml")
    assert apply_fixes(got, _lint(rule, fixed_path), unsafe=True) == (got, 0)
