#!/usr/bin/env python3
"""How closely kubelint agrees with kube-linter on kube-linter's own end-to-end fixtures.

    .venv/bin/python scripts/corpus_agreement.py [--shared ../shared] [--all]

For every kube-linter check that a kubelint rule names in `equivalents["kube-linter"]`, lint the
check's fixture (from ../shared/corpus/kube-linter/expectations.yaml) with those rules only and
compare the objects flagged (kind, name, document index) with the objects kube-linter's bats tests
expect to be reported and not reported. Several kubelint rules may share one check (kube-linter's
run-as-non-root is kubelint's run-as-non-root plus run-as-root-group); their union is compared.
Each rule alone must also flag nothing kube-linter leaves alone.

Deliberate disagreements are listed in EXCEPTIONS with a reason, and kube-linter's check
parameters that differ from kubelint's defaults in OPTIONS. tests/test_kube_linter_corpus.py
asserts the same comparison. Exit status 1 if any check disagrees beyond the documented exceptions.
"""

from __future__ import annotations

import argparse
import bisect
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kubelint.config import Config, RuleSettings  # noqa: E402
from kubelint.engine import lint_sources  # noqa: E402
from kubelint.parse import parse_text  # noqa: E402
from kubelint.rule import Rule  # noqa: E402
from kubelint.rules import ALL_RULES  # noqa: E402
from kubelint.sources import decode  # noqa: E402

DEFAULT_SHARED = ROOT.parent / "shared"

Obj = tuple[str, str, int]
"""(kind, name, document index among non-empty documents): one object of a fixture."""

_DEPLOYMENT_LIKE = ("Deployment", "DaemonSet", "DeploymentConfig", "StatefulSet", "ReplicaSet",
                    "Pod", "ReplicationController", "Job", "CronJob")

OPTIONS: dict[tuple[str, str], dict] = {
    # kube-linter's check is the minimum-replicas template with minReplicas: 3
    ("low-replica-count", "minimum-three-replicas"): {"min_replicas": 3},
    ("low-autoscaler-min-replicas", "hpa-minimum-three-replicas"): {"min_replicas": 3},
    # kube-linter's required-label and required-annotation templates, on DeploymentLike kinds
    ("missing-required-labels", "required-label-owner"): {
        "labels": ["owner"], "kinds": list(_DEPLOYMENT_LIKE)},
    ("missing-required-annotations", "required-annotation-email"): {
        "annotations": ["email"], "kinds": list(_DEPLOYMENT_LIKE),
        "patterns": {"email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"}},
}
"""(rule, check) -> rule options that mirror the kube-linter check's parameters."""

_NET_RAW_NO_CAPS = ("kube-linter skips a container whose capabilities block is empty or null, "
                    "but such a container still holds NET_RAW (the runtime's default set); "
                    "see net_raw_not_dropped's docstring")
EXCEPTIONS: dict[tuple[str, str, str, Obj], str] = {
    # (check, "extra" | "missing", rule or "*", object) -> why kubelint deliberately differs
    ("drop-net-raw-capability", "extra", "net-raw-not-dropped", ("Deployment", "dont-fire", 0)):
        _NET_RAW_NO_CAPS,
    ("drop-net-raw-capability", "extra", "net-raw-not-dropped",
     ("DeploymentConfig", "dont-fire", 1)): _NET_RAW_NO_CAPS,
    ("job-ttl-seconds-after-finished", "missing", "*", ("CronJob", "bad-cronjob", 2)):
        "kube-linter flags a CronJob whose jobTemplate sets ttlSecondsAfterFinished (it may "
        "delete Jobs before the history limits would); kubelint's unset-job-ttl checks "
        "standalone Jobs only and treats that TTL as a valid choice",
}
"""Documented disagreements: an object kubelint flags that kube-linter does not ("extra", by
that rule), or one kube-linter flags that no equivalent kubelint rule flags ("missing")."""


@dataclass
class Row:
    check: str
    rules: tuple[str, ...]
    fixture: str
    expected: set[Obj]
    not_expected: set[Obj]
    got: set[Obj] = field(default_factory=set)
    by_rule: dict[str, set[Obj]] = field(default_factory=dict)

    def extra(self, rule: str | None = None) -> set[Obj]:
        """Objects flagged (by `rule`, or any) that kube-linter does not report, less exceptions."""
        flagged = self.got if rule is None else self.by_rule[rule]
        return {o for o in flagged - self.expected
                if (self.check, "extra", rule or "*", o) not in EXCEPTIONS
                and not any((self.check, "extra", r, o) in EXCEPTIONS
                            for r in (self.rules if rule is None else ()))}

    def missing(self) -> set[Obj]:
        return {o for o in self.expected - self.got
                if (self.check, "missing", "*", o) not in EXCEPTIONS}

    def excused(self) -> set[tuple[str, str, Obj]]:
        return {(kind, rule, o) for (check, kind, rule, o) in EXCEPTIONS if check == self.check}

    @property
    def agrees(self) -> bool:
        return not self.extra() and not self.missing()


def load_expectations(shared: Path) -> dict:
    with open(shared / "corpus" / "kube-linter" / "expectations.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def pairs(rules: Iterable[Rule] = ALL_RULES) -> list[tuple[str, str]]:
    """(rule id, kube-linter check) for every rule naming a kube-linter equivalent."""
    return [(r.id, check) for r in rules if r.check is not None
            for check in r.equivalents.get("kube-linter", ())]


def checks(rules: Iterable[Rule] = ALL_RULES) -> dict[str, tuple[str, ...]]:
    """kube-linter check -> the kubelint rules naming it."""
    out: dict[str, list[str]] = {}
    for rule_id, check in pairs(rules):
        out.setdefault(check, []).append(rule_id)
    return {c: tuple(rs) for c, rs in sorted(out.items())}


def _objects(entries: Iterable[Mapping]) -> set[Obj]:
    return {(e["kind"], e["name"] or "?", e["document"]) for e in entries or ()}


def flagged(fixture: Path, rule_ids: Iterable[str], check: str) -> dict[str, set[Obj]]:
    """rule id -> the objects of `fixture` that rule flags (active diagnostics only)."""
    rule_ids = tuple(rule_ids)
    source = decode(str(fixture), fixture.read_bytes())
    settings = {r: RuleSettings(options=OPTIONS[(r, check)]) for r in rule_ids
                if (r, check) in OPTIONS}
    result = lint_sources([source], Config(select=rule_ids, rules=settings))
    docs = parse_text(source.text or "").documents
    starts = [d.positions[()][0] + 1 for d in docs]
    out: dict[str, set[Obj]] = {r: set() for r in rule_ids}
    for d in result.active:
        if d.rule_id not in out:
            continue  # input problems (yaml-syntax ...) are not objects
        index = bisect.bisect_right(starts, d.span.start.line) - 1
        kind = d.resource.kind if d.resource else "?"
        name = d.resource.name if d.resource and d.resource.name else "?"
        out[d.rule_id].add((kind, name, docs[index].index if index >= 0 else -1))
    return out


def compare(shared: Path, rules: Iterable[Rule] = ALL_RULES) -> tuple[list[Row], list[str]]:
    """A Row per check with an expectation; and the checks kubelint names that have none."""
    expectations = load_expectations(shared)["checks"]
    rows, unknown = [], []
    for check, rule_ids in checks(rules).items():
        entry = expectations.get(check)
        if entry is None:
            unknown.append(check)
            continue
        fixture = shared / "corpus" / "kube-linter" / entry["fixture"]
        row = Row(check, rule_ids, entry["fixture"], _objects(entry["reports"]),
                  _objects(entry.get("objects_not_reported")))
        row.by_rule = flagged(fixture, rule_ids, check)
        row.got = set().union(*row.by_rule.values())
        rows.append(row)
    return rows, unknown


def _show(objs: Iterable[Obj]) -> str:
    return ", ".join(f"{k}/{n}#{i}" for k, n, i in sorted(objs, key=lambda o: (o[2], o[0], o[1]))) \
        or "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help="the shared folder holding corpus/ (default: ../shared)")
    parser.add_argument("--all", action="store_true",
                        help="list the objects of agreeing checks too")
    args = parser.parse_args(argv)
    rows, unknown = compare(args.shared)
    width = max(len(r.check) for r in rows)
    print(f"{'kube-linter check'.ljust(width)}  kubelint rule(s)  expected/flagged  agreement")
    bad = 0
    for row in rows:
        extras = {r: row.extra(r) for r in row.rules}
        ok = row.agrees and not any(extras.values())
        bad += not ok
        verdict = "agree" if ok else "DISAGREE"
        if ok and row.excused():
            verdict = f"agree ({len(row.excused())} documented exception(s))"
        print(f"{row.check.ljust(width)}  {', '.join(row.rules)}  "
              f"{len(row.expected)}/{len(row.got)}  {verdict}")
        if args.all or not ok:
            print(f"{'':{width}}    expected: {_show(row.expected)}")
            print(f"{'':{width}}    kubelint: {_show(row.got)}")
            if len(row.rules) > 1:
                for r in row.rules:
                    print(f"{'':{width}}      {r}: {_show(row.by_rule[r])}")
        if not ok:
            if row.missing():
                print(f"{'':{width}}    missing:  {_show(row.missing())}")
            for r, objs in extras.items():
                if objs:
                    print(f"{'':{width}}    extra by {r}: {_show(objs)}")
        for kind, rule, o in sorted(row.excused()):
            reason = EXCEPTIONS[(row.check, kind, rule, o)]
            print(f"{'':{width}}    exception ({kind}, {rule}) {_show([o])}: {reason}")
    print(f"\n{len(rows) - bad}/{len(rows)} checks agree; "
          f"{sum(len(r.expected) for r in rows)} objects expected, "
          f"{sum(len(r.got) for r in rows)} flagged, {len(EXCEPTIONS)} documented exception(s)")
    if unknown:
        print(f"kube-linter checks named by kubelint rules but absent from expectations.yaml: "
              f"{', '.join(unknown)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
