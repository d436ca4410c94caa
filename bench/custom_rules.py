"""Cost of custom CEL rules: 50 of them over a corpus, against the built-in rules alone.

Run from the repository (a script, not a test):

    .venv/bin/python bench/custom_rules.py [CORPUS] [--repeat N]

CORPUS defaults to ../shared/corpus/realworld. Both runs go through the console script
(`kubelint lint CORPUS --format json`, default rule selection) in fresh processes, so start-up,
the CEL library's import, compiling the 50 expressions and rendering are all counted; the best of
N runs of each is kept. The 50 rules are ten kinds of everyday check (container images, probes,
limits, labels, pod settings) in five variants each, with the targets custom rules take: each
container, the pod spec, the object, a path pattern. The target is a ratio under 2.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "realworld"

TEMPLATES = [
    ("containers", "!self.image.endsWith(':{v}')", "image"),
    ("containers", ("has(self.resources) && has(self.resources.limits) && "
                    "'{v}' in self.resources.limits"), "resources"),
    ("containers", ("!has(self.securityContext) || !has(self.securityContext.capabilities) || "
                    "!has(self.securityContext.capabilities.add) || "
                    "!self.securityContext.capabilities.add.exists(c, c == '{v}')"), None),
    ("containers", "!has(self.ports) || self.ports.all(p, p.containerPort != {n})", "ports"),
    ("containers", "!has(self.env) || !self.env.exists(e, e.name == '{V}' && has(e.value))",
     "env"),
    ("pod-spec", "!has(self.hostNetwork) || !self.hostNetwork || '{v}' == ''", None),
    ("pod-spec", "!has(self.serviceAccountName) || self.serviceAccountName != '{v}'",
     "serviceAccountName"),
    ("object", "has(object.metadata.labels) && 'app.kubernetes.io/{v}' in object.metadata.labels",
     None),
    ("object", ("object.metadata.name.size() <= {n} && "
                "object.metadata.name.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$')"), None),
    ("spec.template.spec.containers[*]", ("!has(self.imagePullPolicy) || "
                                          "self.imagePullPolicy != '{P}'"), "imagePullPolicy"),
]
VARIANTS = [("latest", 22, "Never"), ("memory", 2375, "IfNotPresent"), ("SYS_ADMIN", 3306, "Never"),
            ("cpu", 6443, "Always"), ("NET_RAW", 10250, "Never")]


def config_text() -> str:
    rules = []
    for i, (target, expression, path) in enumerate(TEMPLATES):
        for j, (word, number, policy) in enumerate(VARIANTS):
            cel = (expression.replace("{v}", word).replace("{V}", word.upper())
                   .replace("{n}", str(number)).replace("{P}", policy))
            rule = {"id": f"bench-{i}-{j}", "summary": f"Benchmark rule {i}.{j}.",
                    "target": target, "cel": cel}
            if path:
                rule["path"] = path
            rules.append(rule)
    return json.dumps({"custom-rules": rules}, indent=1)  # JSON is YAML


def timed(args: list[str]) -> tuple[float, dict]:
    start = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"kubelint failed ({proc.returncode}): {proc.stderr[:2000]}")
    return elapsed, json.loads(proc.stdout)["summary"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--repeat", type=int, default=3)
    ns = parser.parse_args()
    kubelint = str(Path(sys.executable).with_name("kubelint"))
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "plain.yaml")
        Path(plain).write_text("{}\n", encoding="utf-8")
        custom = os.path.join(tmp, "custom.yaml")
        Path(custom).write_text(config_text(), encoding="utf-8")
        base = [kubelint, "lint", ns.corpus, "--format", "json", "--quiet"]
        runs: dict[str, list[float]] = {"built-in": [], "with 50 CEL rules": []}
        summaries = {}
        for _ in range(ns.repeat):
            for name, cfg in (("built-in", plain), ("with 50 CEL rules", custom)):
                elapsed, summary = timed([*base, "--config", cfg])
                runs[name].append(elapsed)
                summaries[name] = summary
    best = {name: min(times) for name, times in runs.items()}
    for name, seconds in best.items():
        s = summaries[name]
        print(f"{name:>18}: {seconds:6.2f} s  ({s['files']} files, {s['resources']} resources, "
              f"{s['rules']} rules, {s['diagnostics']} diagnostics)")
    ratio = best["with 50 CEL rules"] / best["built-in"]
    print(f"{'ratio':>18}: {ratio:6.2f}x (target: under 2x)")


if __name__ == "__main__":
    main()
