#!/usr/bin/env python3
"""Scaffold a new rule: print its function skeleton and create its fixture stubs.

    .venv/bin/python scripts/add_rule.py host-ipc-enabled --area security --severity error

prints a `@rule` function to paste into kubelint/rules/<area>.py and creates
tests/rules/<id>/pass.yaml and fail.yaml with TODO objects. Then: add the function to that module's
RULES tuple, write the fixtures, record the golden file with
`.venv/bin/python -m pytest tests/test_rule_fixtures.py -k <id> --update-golden`, and regenerate the
docs with `.venv/bin/python -m kubelint.docs`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")

SKELETON = '''\
@rule(
    id="{id}", category="{category}", severity=Severity.{severity}, kinds=WORKLOADS,
    summary="TODO: what the rule finds, as one sentence.",
    rationale="TODO: why it is bad: what breaks or who can exploit it.",
    remediation="TODO: what to change, as an imperative sentence.",
    references=(),  # documentation URLs
    equivalents={{}},  # peer check ids, e.g. {{"kube-linter": "...", "checkov": "CKV_K8S_..."}}
)
def {function}(res: Resource, ctx: Context) -> Iterator[Finding]:
    for c in containers(res):
        value = c.security_context.get("TODO")
        if value is True:
            yield Finding((*c.path, "securityContext", "TODO"), f"container {{c.name!r}} TODO")
'''

FIXTURE = '''\
# TODO: {what}
apiVersion: v1
kind: Pod
metadata:
  name: todo
spec:
  containers:
  - name: app
    image: nginx:1.25
'''
FAIL_WHAT = ("objects that break {id}, one per way it can happen (init containers, CronJob, flow\n"
             "# style, YAML 1.1 booleans); fail.expected records where each one is reported.")
PASS_WHAT = ("objects {id} must accept, including null and wrong-typed fields\n"
             "# (securityContext: null); remove this comment when done.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scaffold a new kubelint rule.")
    parser.add_argument("id", help="the rule id, a kebab-case noun such as host-ipc-enabled")
    parser.add_argument("--area", default="security", help="module kubelint/rules/<area>.py")
    parser.add_argument("--category", help="rule category [the area]")
    parser.add_argument("--severity", default="warning", choices=("error", "warning", "info"))
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root [this checkout]")
    args = parser.parse_args(argv)

    rule_id: str = args.id
    if not KEBAB.fullmatch(rule_id):
        print(f"add_rule: {rule_id!r} is not a kebab-case id", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    from kubelint.rules import ALL_RULES

    if any(rule_id == r.id or rule_id in r.aliases for r in ALL_RULES):
        print(f"add_rule: rule {rule_id!r} already exists", file=sys.stderr)
        return 2
    folder = args.root / "tests" / "rules" / rule_id
    if folder.exists():
        print(f"add_rule: {folder} already exists", file=sys.stderr)
        return 2

    function = rule_id.replace("-", "_")
    module = args.root / "kubelint" / "rules" / f"{args.area}.py"
    folder.mkdir(parents=True)
    (folder / "fail.yaml").write_text(FIXTURE.format(what=FAIL_WHAT.format(id=rule_id)),
                                      encoding="utf-8")
    (folder / "pass.yaml").write_text(FIXTURE.format(what=PASS_WHAT.format(id=rule_id)),
                                      encoding="utf-8")

    print(f"# Paste into {module.relative_to(args.root)} and add {function} to its RULES tuple.")
    if not module.exists():
        print("# (new module: also add it to ALL_RULES in kubelint/rules/__init__.py)")
    print(SKELETON.format(id=rule_id, category=args.category or args.area,
                          severity=args.severity.upper(), function=function))
    print(f"# Created {folder.relative_to(args.root)}/pass.yaml and fail.yaml (TODO objects).")
    print("# Next: write the fixtures, then")
    print(f"#   .venv/bin/python -m pytest tests/test_rule_fixtures.py -k {rule_id} "
          "--update-golden")
    print("#   .venv/bin/python -m kubelint.docs")
    print("#   .venv/bin/python -m pytest -q")
    return 0


if __name__ == "__main__":
    sys.exit(main())
