"""`--chart`: findings in `helm template` output mapped to their template file and line."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kubelint.config import Config
from kubelint.engine import lint_sources
from kubelint.helm import ChartMap, locate, template_lines
from kubelint.model import Diagnostic
from kubelint.parse import parse_text
from kubelint.sources import SourceFile

DATA = Path(__file__).parent / "data"
CHART = DATA / "helm-web"
RENDERED = DATA / "helm-rendered" / "web.yaml"
SELECT = ("privileged-container", "latest-tag", "host-network", "dangerous-capabilities",
          "run-as-root-user", "unset-cpu-requests")
OTEL = ("corpus/helm-charts/opentelemetry-helm-charts/opentelemetry-collector",
        "corpus/helm-rendered/opentelemetry-helm-charts/charts/opentelemetry-collector/examples")


def mapped(text: str, chart: Path, select: tuple[str, ...] = SELECT,
           name: str = "web.yaml") -> list[Diagnostic]:
    result = lint_sources([SourceFile(name, text)], Config(select=select))
    return list(ChartMap(str(chart)).map_result(result, {name: text}).active)


def brief(diags: list[Diagnostic], chart: Path) -> list[tuple]:
    return [(d.span.start.line, d.rule_id, os.path.relpath(d.origin.file, chart),
             d.origin.line, d.origin.approximate) for d in diags if d.origin is not None]


def test_findings_map_to_proven_template_lines():
    got = brief(mapped(RENDERED.read_text(), CHART), CHART)
    assert got == [
        # subchart: web/charts/cache/templates/pod.yaml lies under the chart's charts/cache/
        (22, "unset-cpu-requests", "charts/cache/templates/pod.yaml", 7, False),
        (23, "latest-tag", "charts/cache/templates/pod.yaml", 8, False),
        # the first container: a literal item with no action before it
        (46, "unset-cpu-requests", "templates/deployment.yaml", 20, False),
        # `privileged: {{ .Values.privileged }}`: the key is literal, the value templated
        (49, "privileged-container", "templates/deployment.yaml", 23, False),
        # items of a flow list on a plain template line
        (51, "dangerous-capabilities", "templates/deployment.yaml", 25, False),
        (51, "dangerous-capabilities", "templates/deployment.yaml", 25, False),
        # the second rendered container follows an `if`: which template item it is is not
        # proven, so the finding points at `containers:`, approximately
        (52, "unset-cpu-requests", "templates/deployment.yaml", 19, True),
        (53, "latest-tag", "templates/deployment.yaml", 19, True),
        # `hostNetwork: true` only matches the `if` branch; nothing else can write it
        (54, "host-network", "templates/deployment.yaml", 33, False),
        # `runAsUser: 0` is literal in the `if` branch, but the `else` branch's toYaml (nindent
        # 8, the key's column) may have written it: only `securityContext:` is proven
        (66, "run-as-root-user", "templates/job.yaml", 9, True),
        (68, "unset-cpu-requests", "templates/job.yaml", 16, False),
    ]


def test_mapped_lines_hold_the_rendered_key():
    lines = (CHART / "templates" / "deployment.yaml").read_text().splitlines()
    rendered = RENDERED.read_text().splitlines()
    for d in mapped(RENDERED.read_text(), CHART):
        if d.origin.file.endswith("deployment.yaml") and not d.origin.approximate:
            key = rendered[d.span.start.line - 1].strip().split(":")[0]
            assert lines[d.origin.line - 1].strip().split(":")[0] == key, d


TEMPLATE_IF_ELSE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  {{- if .Values.ha }}
  replicas: 1
  {{- else }}
  replicas: 1
  {{- end }}
"""
RENDERED_IF_ELSE = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"


@pytest.mark.parametrize("template, rendered, path, expected", [
    # the same line in both branches: either may have written it, so only `spec:` is proven
    (TEMPLATE_IF_ELSE, RENDERED_IF_ELSE, ("spec", "replicas"), (4, False)),
    (TEMPLATE_IF_ELSE, RENDERED_IF_ELSE, ("metadata", "name"), (3, True)),
    # a literal value that differs from the rendered one is not the rendered line
    ("spec:\n  replicas: 3\n", "spec:\n  replicas: 1\n", ("spec", "replicas"), (0, False)),
    # nor is a key at another indentation
    ("spec:\n  x:\n    replicas: 1\n", "spec:\n  replicas: 1\n", ("spec", "replicas"), (0, False)),
    # text inside a block scalar is not YAML structure
    ("data:\n  a: |\n    b: 1\n  b: 1\n", "data:\n  b: 1\n", ("data", "b"), (3, True)),
    # an item after a `range` cannot be counted; the first literal one before any action can
    ("l:\n  - a\n  {{- range .x }}\n  - {{ . }}\n  {{- end }}\n", "l:\n  - a\n  - b\n",
     ("l", 0), (1, True)),
    ("l:\n  - a\n  {{- range .x }}\n  - {{ . }}\n  {{- end }}\n", "l:\n  - a\n  - b\n",
     ("l", 1), (0, False)),
    # a multi-line action is not literal text
    ("{{- include \"x\" (dict\n  \"spec\" 1) }}\nspec: 1\n", "spec: 1\n", ("spec",), (2, True)),
])
def test_locate(template: str, rendered: str, path: tuple, expected: tuple[int, bool]):
    doc = parse_text(rendered).documents[0]
    assert locate(template_lines(template), rendered.splitlines(), doc, path) == expected


# --- command line -----------------------------------------------------------------------------

def kubelint(*args: str, cwd: Path, env: dict[str, str] | None = None,
             stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    (cwd / ".kubelint.yaml").write_text("")
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "kubelint", "lint", *args], cwd=cwd,
                          capture_output=True, text=True, env=full_env, timeout=60,
                          input=stdin, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copytree(CHART, tmp_path / "web")
    shutil.copy(RENDERED, tmp_path / "rendered.yaml")
    return tmp_path


def test_json_adds_the_source_and_keeps_origin(work: Path):
    proc = kubelint("--format", "json", "--select", "privileged-container,latest-tag",
                    "--chart", "web", "-", cwd=work, stdin=RENDERED.read_text())
    assert proc.returncode == 1, proc.stderr
    diags = json.loads(proc.stdout)["diagnostics"]
    assert [(d["line"], d["origin"], d["source"]) for d in diags] == [
        (23, "web/charts/cache/templates/pod.yaml",
         {"file": os.path.join("web", "charts", "cache", "templates", "pod.yaml"), "line": 8,
          "approximate": False}),
        (49, "web/templates/deployment.yaml",
         {"file": os.path.join("web", "templates", "deployment.yaml"), "line": 23,
          "approximate": False}),
        (53, "web/templates/deployment.yaml",
         {"file": os.path.join("web", "templates", "deployment.yaml"), "line": 19,
          "approximate": True}),
    ]
    plain = kubelint("--format", "json", "--select", "latest-tag", "-", cwd=work,
                     stdin=RENDERED.read_text())
    assert all("source" not in d for d in json.loads(plain.stdout)["diagnostics"])


def test_text_sarif_and_github_show_the_template_line(work: Path):
    args = ("--select", "privileged-container,latest-tag", "--chart", "web", "rendered.yaml")
    text = kubelint("--no-color", *args, cwd=work).stdout.splitlines()
    deploy = os.path.join("web", "templates", "deployment.yaml")
    assert f"rendered.yaml:49:13: error privileged-container container 'web' is privileged " \
           f"(from {deploy}:23)" in text
    assert any(line.startswith("rendered.yaml:53:11: warning latest-tag ")
               and line.endswith(f"(from {deploy}:19, approximate)") for line in text)
    sarif = json.loads(kubelint("--format", "sarif", *args, cwd=work).stdout)
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "privileged-container")
    assert result["relatedLocations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "web/templates/deployment.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 23}}
    assert result["properties"]["sourceApproximate"] is False
    github = kubelint("--format", "github", *args, cwd=work).stdout
    assert f"(from {deploy}:23)" in github


def test_templates_of_another_chart_are_left_unmapped(work: Path):
    other = RENDERED.read_text().replace("# Source: web/", "# Source: other/")
    proc = kubelint("--format", "json", "--select", "privileged-container", "--chart", "web",
                    "-", cwd=work, stdin=other)
    [d] = json.loads(proc.stdout)["diagnostics"]
    assert d["origin"] == "other/templates/deployment.yaml" and "source" not in d
    assert "other/templates/deployment.yaml is not from chart 'web'" in proc.stderr


def test_usage_errors(work: Path, tmp_path: Path):
    proc = kubelint("--chart", "rendered.yaml", "rendered.yaml", cwd=work)
    assert proc.returncode == 2 and "is not a Helm chart (no Chart.yaml)" in proc.stderr
    proc = kubelint(cwd=work)
    assert proc.returncode == 2 and "nothing to lint" in proc.stderr
    proc = kubelint("--chart", "web", "--fix", cwd=work)
    assert proc.returncode == 2 and "never edit rendered output" in proc.stderr
    empty = tmp_path / "empty-path"
    empty.mkdir()
    proc = kubelint("--chart", "web", cwd=work, env={"PATH": str(empty)})
    assert proc.returncode == 2
    assert "helm is not on PATH; render it yourself: helm template web" in proc.stderr


def fake_helm(folder: Path, rendered: Path) -> None:
    folder.mkdir()
    script = folder / "helm"
    script.write_text(f'#!/bin/sh\n[ "$1" = template ] && [ -f "$2/Chart.yaml" ] || exit 3\n'
                      f'cat "{rendered}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


@pytest.mark.skipif(os.name == "nt", reason="the fake helm is a shell script")
def test_chart_without_paths_is_rendered_with_helm(work: Path, tmp_path: Path):
    fake_helm(tmp_path / "bin", work / "rendered.yaml")
    proc = kubelint("--format", "json", "--select", "privileged-container", "--chart", "web",
                    cwd=work, env={"PATH": f"{tmp_path / 'bin'}{os.pathsep}/bin:/usr/bin"})
    [d] = json.loads(proc.stdout)["diagnostics"]
    assert (d["file"], d["line"], d["source"]["line"]) == ("web (helm template)", 49, 23)


@pytest.mark.skipif(shutil.which("helm") is None, reason="helm is not installed")
def test_real_helm_renders_what_the_tests_expect(work: Path):
    """The hand-written rendered output is what helm prints for this chart."""
    out = subprocess.run(["helm", "template", "web"], cwd=work, capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert [ln.rstrip() for ln in out.strip().splitlines()] == \
        [ln.rstrip() for ln in RENDERED.read_text().strip().splitlines()]
    proc = kubelint("--format", "json", "--select", ",".join(SELECT), "--chart", "web",
                    cwd=work)
    got = [(d["line"], d["rule"], d["source"]["line"], d["source"]["approximate"])
           for d in json.loads(proc.stdout)["diagnostics"]]
    assert got == [(line, rule, tl, approx) for line, rule, _, tl, approx in
                   brief(mapped(RENDERED.read_text(), CHART), CHART)]


@pytest.mark.skipif(shutil.which("helm") is None, reason="helm is not installed")
def test_real_helm_confirms_every_exact_line(work: Path):
    """A comment appended to each exactly mapped template line shows up, after rendering
    again, on the rendered line of its findings."""
    chart = work / "web"
    diags = [d for d in mapped(RENDERED.read_text(), chart, select=("all",))
             if d.origin is not None and not d.origin.approximate]
    lines = {(d.origin.file, d.origin.line) for d in diags}
    assert len(lines) > 15
    for file, line in sorted(lines):
        original = Path(file).read_text()
        probed = original.splitlines()
        probed[line - 1] += " # probe"
        Path(file).write_text("\n".join(probed) + "\n")
        out = subprocess.run(["helm", "template", "web"], cwd=work, capture_output=True,
                             text=True, check=True, timeout=120).stdout.splitlines()
        Path(file).write_text(original)
        for d in diags:
            if (d.origin.file, d.origin.line) == (file, line):
                assert "# probe" in out[d.span.start.line - 1], (d, out[d.span.start.line - 1])


# --- the corpus: output rendered by the exact chart version ------------------------------------

def test_opentelemetry_collector_rendered_examples(shared: Path):
    chart = shared / OTEL[0]
    examples = sorted((shared / OTEL[1]).glob("*/rendered/*.yaml"))
    assert len(examples) > 50
    exact = approximate = 0
    template_text = {}
    for path in examples:
        text = path.read_text(encoding="utf-8")
        rendered = text.splitlines()
        for d in mapped(text, chart, select=("all",), name=str(path)):
            if d.origin is None:
                continue
            assert Path(d.origin.file).is_file()
            if d.origin.approximate:
                approximate += 1
                continue
            exact += 1
            if d.origin.file not in template_text:
                template_text[d.origin.file] = Path(d.origin.file).read_text().splitlines()
            t = template_text[d.origin.file][d.origin.line - 1]
            r = rendered[d.span.start.line - 1]
            col = d.span.start.col - 1
            # the template line starts as the rendered one up to the finding's key, and
            # everything it says before its first action is in the rendered line
            assert t[:col] == r[:col] and r.startswith(t.split("{{")[0]), (path, d, t, r)
    assert exact > 300 and approximate > 300


def test_opentelemetry_collector_known_lines(shared: Path):
    path = shared / OTEL[1] / "deployment-otlp-traces" / "rendered" / "deployment.yaml"
    diags = mapped(path.read_text(), shared / OTEL[0],
                   select=("low-replica-count", "unset-cpu-requests"))
    got = {(d.rule_id, d.origin.line, d.origin.approximate) for d in diags}
    # `replicas: {{ .Values.replicaCount }}` is on line 17 of templates/deployment.yaml; the
    # containers come from `include "opentelemetry-collector.pod"` on line 56, under `spec:`
    # (line 43), the nearest proven ancestor
    assert got == {("low-replica-count", 17, False), ("unset-cpu-requests", 43, True)}
