"""kubelint agrees with kube-linter on kube-linter's own end-to-end fixtures.

For every kube-linter check that a kubelint rule names in `equivalents["kube-linter"]` (whatever
rules exist when the tests run), the check's fixture is linted with those rules only and the
objects flagged (kind, name, document index) are compared with what kube-linter's bats tests expect
(../shared/corpus/kube-linter/expectations.yaml). Deliberate disagreements are listed, with their
reason, in `EXCEPTIONS` of scripts/corpus_agreement.py, which prints the same comparison as a table.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHARED


def _load_agreement():
    spec = importlib.util.spec_from_file_location("corpus_agreement",
                                                  ROOT / "scripts" / "corpus_agreement.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("corpus_agreement", module)
    spec.loader.exec_module(module)
    return module


agreement = _load_agreement()
CHECKS = agreement.checks()
PAIRS = agreement.pairs()


@pytest.fixture(scope="module")
def shared_module() -> Path:
    """The `shared` fixture of conftest.py, once per module (the comparison lints 33 fixtures)."""
    if not SHARED.is_dir():
        pytest.skip(f"shared material not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="module")
def comparison(shared_module: Path):
    found, unknown = agreement.compare(shared_module)
    return {r.check: r for r in found}, unknown


def test_every_named_check_has_an_expectation(comparison):
    _, unknown = comparison
    assert unknown == [], f"rules name kube-linter checks with no e2e expectation: {unknown}"


@pytest.mark.parametrize("check", list(CHECKS), ids=list(CHECKS))
def test_check_agreement(comparison, check):
    """The union of the kubelint rules naming `check` flags exactly kube-linter's objects."""
    row = comparison[0].get(check)
    if row is None:
        pytest.skip(f"no expectation for {check}")
    assert not row.missing(), (f"{check}: kube-linter flags objects {', '.join(CHECKS[check])} "
                               f"do not: {sorted(row.missing())}")
    assert not row.extra(), (f"{check}: {', '.join(CHECKS[check])} flag objects kube-linter "
                             f"does not: {sorted(row.extra())}")
    assert row.expected or row.not_expected, f"{check}: an expectation with no objects"


@pytest.mark.parametrize(("rule_id", "check"), PAIRS, ids=[f"{r}-{c}" for r, c in PAIRS])
def test_rule_flags_only_what_kube_linter_flags(comparison, rule_id, check):
    """Each rule alone flags no object kube-linter leaves alone (rules that split one check, like
    run-as-root-user, flag a part of its objects)."""
    row = comparison[0].get(check)
    if row is None:
        pytest.skip(f"no expectation for {check}")
    extra = row.extra(rule_id)
    assert not extra, f"{rule_id} flags objects kube-linter's {check} does not: {sorted(extra)}"
    if len(row.rules) == 1:
        assert row.by_rule[rule_id] or not row.expected, f"{rule_id} flags nothing"


def test_exceptions_are_still_needed(comparison):
    """A documented exception that no longer happens must be removed (keep the list honest)."""
    by_check = comparison[0]
    stale = []
    for (check, kind, rule, obj), _reason in agreement.EXCEPTIONS.items():
        row = by_check.get(check)
        if row is None:
            stale.append((check, kind, rule, obj))
            continue
        flagged = row.got if rule == "*" else row.by_rule.get(rule, set())
        happens = (obj in flagged and obj not in row.expected) if kind == "extra" else \
            (obj in row.expected and obj not in row.got)
        if not happens:
            stale.append((check, kind, rule, obj))
    assert stale == []


def test_options_name_real_pairs():
    assert set(agreement.OPTIONS) <= set(PAIRS)


def test_script_prints_the_table(comparison, capsys, shared_module):
    assert agreement.main(["--shared", str(shared_module)]) == 0
    out = capsys.readouterr().out
    for check in comparison[0]:
        assert check in out
    assert "checks agree" in out
