"""Baselines: `--write-baseline` records the findings, `--baseline` reports only new ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubelint import baseline
from kubelint.baseline import BaselineError
from tests.helpers import lint_text
from tests.test_cli import kubelint

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.25
          securityContext:
            privileged: true
"""
WEB = DEPLOYMENT.format(name="web")
SELECT = ("--select", "privileged-container")


def _lines(proc) -> list[str]:
    return proc.stdout.splitlines()


def test_dumps_records_rule_file_resource_path_and_count():
    # the same object twice in one file: two identical findings, one key counted twice
    result = lint_text(WEB + "---\n" + WEB, select=("privileged-container",), name="k8s/web.yaml")
    assert [d.span.start.line for d in result.active] == [13, 27]
    doc = json.loads(baseline.dumps(result.diagnostics, "."))
    assert doc["version"] == baseline.VERSION
    assert doc["findings"] == [{
        "rule": "privileged-container", "file": "k8s/web.yaml",
        "resource": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop",
                     "name": "web"},
        "path": "spec.template.spec.containers[0].securityContext.privileged", "count": 2}]


def test_dumps_is_sorted_and_leaves_out_suppressed_findings():
    text = (DEPLOYMENT.format(name="zeta") + "---\n" + DEPLOYMENT.format(name="alpha")
            + "---\n" + DEPLOYMENT.format(name="quiet").replace(
                "privileged: true", "privileged: true  # kubelint: disable=privileged-container"))
    result = lint_text(text, select=("privileged-container",))
    assert len(result.diagnostics) == 3 and len(result.active) == 2
    out = baseline.dumps(result.diagnostics, ".")
    names = [f["resource"]["name"] for f in json.loads(out)["findings"]]
    assert names == ["alpha", "zeta"]
    # one finding per line, so that a diff of the baseline shows one line per finding
    assert sum('"rule": "privileged-container"' in line for line in out.splitlines()) == 2
    assert baseline.dumps(reversed(result.diagnostics), ".") == out


def test_loads_round_trip_and_apply_keeps_the_count():
    first = lint_text(WEB + "---\n" + WEB, select=("privileged-container",))
    accepted = baseline.loads(baseline.dumps(first.diagnostics, "."), "b.json")
    assert list(accepted.values()) == [2]
    # a third identical object: one finding more than the baseline holds
    now = lint_text(WEB + "---\n" + WEB + "---\n" + WEB, select=("privileged-container",))
    after = baseline.apply(now, accepted, ".", "b.json")
    assert [(d.span.start.line, d.suppressed_by) for d in after.diagnostics] == [
        (13, "baseline: b.json"), (27, "baseline: b.json"), (41, None)]
    assert baseline.baselined(after) == 2


@pytest.mark.parametrize(("text", "message"), [
    ("{", "invalid JSON"),
    ("[]", "not a kubelint baseline"),
    ('{"version": 2, "findings": []}', "unsupported baseline version 2"),
    ('{"version": 1, "findings": {}}', "`findings` must be a list"),
    ('{"version": 1, "findings": [3]}', "findings[0]: expected an object"),
    ('{"version": 1, "findings": [{"rule": "x", "file": "f", "path": 1}]}',
     "findings[0].path: expected a string"),
    ('{"version": 1, "findings": [{"rule": "x", "file": "f", "path": "", "count": 0}]}',
     "findings[0].count: expected a positive integer"),
    ('{"version": 1, "findings": [{"rule": "x", "file": "f", "path": "", "resource": []}]}',
     "findings[0].resource: expected null or an object"),
])
def test_loads_rejects_what_is_not_a_baseline(text, message):
    with pytest.raises(BaselineError) as info:
        baseline.loads(text, "b.json")
    assert str(info.value).startswith("b.json: ") and message in str(info.value)


def test_write_then_lint_reports_only_new_findings(tmp_path: Path):
    (tmp_path / "k8s").mkdir()
    manifest = tmp_path / "k8s" / "web.yaml"
    manifest.write_text(WEB)
    wrote = kubelint("lint", *SELECT, "--write-baseline", "baseline.json", "k8s", cwd=tmp_path)
    assert wrote.returncode == 0, wrote.stderr
    assert wrote.stdout == ""
    assert "recorded 1 finding in baseline.json" in wrote.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".kubelint.yaml", "baseline.json", "k8s"]
    assert json.loads((tmp_path / "baseline.json").read_text())["findings"][0]["file"] == \
        "k8s/web.yaml"

    clean = kubelint("lint", *SELECT, "--baseline", "baseline.json", "k8s", cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout
    assert _lines(clean) == ["no problems, 1 baselined in 1 resource from 1 file"]

    # lines shift (a comment on top) and a second object brings a new finding
    manifest.write_text("# web front end\n\n" + WEB + "---\n" + DEPLOYMENT.format(name="api"))
    new = kubelint("lint", *SELECT, "--baseline", "baseline.json", "k8s", cwd=tmp_path)
    assert new.returncode == 1
    assert _lines(new) == [
        "k8s/web.yaml:29:13: error privileged-container container 'app' is privileged",
        "1 error, 1 baselined in 2 resources from 1 file"]

    shown = kubelint("lint", *SELECT, "--baseline", "baseline.json", "--show-suppressed",
                     "--format", "json", "k8s", cwd=tmp_path)
    diags = json.loads(shown.stdout)["diagnostics"]
    assert [(d["line"], d["suppressed"]) for d in diags] == [
        (15, "baseline: baseline.json"), (29, None)]


def test_baseline_paths_are_relative_to_the_baseline_file(tmp_path: Path, monkeypatch):
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "web.yaml").write_text(WEB)
    assert kubelint("lint", *SELECT, "--write-baseline", "b.json", "./k8s/",
                    cwd=tmp_path).returncode == 0
    # the same files named from another folder
    inner = kubelint("lint", *SELECT, "--baseline", "../b.json", ".", cwd=tmp_path / "k8s")
    assert inner.returncode == 0, inner.stdout
    assert "1 baselined" in inner.stdout


def test_a_finding_moved_to_another_object_is_new(tmp_path: Path):
    (tmp_path / "web.yaml").write_text(WEB)
    kubelint("lint", *SELECT, "--write-baseline", "b.json", "web.yaml", cwd=tmp_path)
    (tmp_path / "web.yaml").write_text(DEPLOYMENT.format(name="web2"))
    proc = kubelint("lint", *SELECT, "--baseline", "b.json", "web.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    assert _lines(proc)[0] == "web.yaml:13:13: error privileged-container container 'app' is " \
                              "privileged"


def test_sarif_carries_baselined_results_as_suppressed(tmp_path: Path):
    (tmp_path / "web.yaml").write_text(WEB)
    kubelint("lint", *SELECT, "--write-baseline", "b.json", "web.yaml", cwd=tmp_path)
    proc = kubelint("lint", *SELECT, "--baseline", "b.json", "--format", "sarif", "web.yaml",
                    cwd=tmp_path)
    assert proc.returncode == 0
    [result] = json.loads(proc.stdout)["runs"][0]["results"]
    assert result["suppressions"][0]["justification"] == "baseline: b.json"
    assert result["suppressions"][0]["kind"] == "external"  # not a comment in the source
    proc = kubelint("lint", *SELECT, "--baseline", "b.json", "--format", "json", "web.yaml",
                    cwd=tmp_path)
    summary = json.loads(proc.stdout)["summary"]
    assert summary["suppressed"] == 1 and summary["baselined"] == 1


@pytest.mark.parametrize(("content", "message"), [
    (None, "--baseline: cannot read missing.json: No such file or directory"),
    ("not json", "--baseline: missing.json: not a kubelint baseline: invalid JSON"),
    ('{"version": 9, "findings": []}', "unsupported baseline version 9"),
])
def test_an_unusable_baseline_is_a_usage_error(tmp_path: Path, content, message):
    (tmp_path / "web.yaml").write_text(WEB)
    if content is not None:
        (tmp_path / "missing.json").write_text(content)
    proc = kubelint("lint", "--baseline", "missing.json", "web.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("kubelint: error: ") and message in proc.stderr


@pytest.mark.parametrize("other", [("--fix",), ("--diff",), ("--diff-base", "HEAD")])
def test_write_baseline_refuses_options_that_narrow_or_edit(tmp_path: Path, other):
    (tmp_path / "web.yaml").write_text(WEB)
    proc = kubelint("lint", "--write-baseline", "b.json", *other, "web.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--write-baseline records every finding" in proc.stderr
    assert not (tmp_path / "b.json").exists()


def test_write_baseline_into_a_missing_folder_is_a_usage_error(tmp_path: Path):
    (tmp_path / "web.yaml").write_text(WEB)
    proc = kubelint("lint", "--write-baseline", "no/such/b.json", "web.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert "--write-baseline: cannot write no/such/b.json" in proc.stderr


def test_the_configuration_can_name_the_baseline(tmp_path: Path):
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "web.yaml").write_text(WEB)
    (tmp_path / ".kubelint.yaml").write_text("baseline: ci/baseline.json\n")
    # no baseline yet: a usage error that names the setting...
    missing = kubelint("lint", *SELECT, "k8s", cwd=tmp_path)
    assert missing.returncode == 2
    assert "kubelint: error: baseline (set in " in missing.stderr
    assert "cannot read ci/baseline.json" in missing.stderr
    # ...which does not stop writing one
    (tmp_path / "ci").mkdir()
    assert kubelint("lint", *SELECT, "--write-baseline", "ci/baseline.json", "k8s",
                    cwd=tmp_path).returncode == 0
    # read relative to the configuration file, from wherever kubelint runs
    proc = kubelint("lint", *SELECT, "--config", "../.kubelint.yaml", "web.yaml",
                    cwd=tmp_path / "k8s")
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout == "no problems, 1 baselined in 1 resource from 1 file\n"


def test_fixed_findings_of_the_linted_files_are_noted(tmp_path: Path):
    (tmp_path / "web.yaml").write_text(WEB + "---\n" + DEPLOYMENT.format(name="api"))
    (tmp_path / "other.yaml").write_text(DEPLOYMENT.format(name="other"))
    kubelint("lint", *SELECT, "--write-baseline", "b.json", ".", cwd=tmp_path)
    (tmp_path / "web.yaml").write_text(WEB.replace("privileged: true", "privileged: false")
                                       + "---\n" + DEPLOYMENT.format(name="api"))
    proc = kubelint("lint", *SELECT, "--baseline", "b.json", "web.yaml", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == "no problems, 1 baselined in 2 resources from 1 file\n"
    # other.yaml was not linted: its recorded finding is not counted as gone
    assert proc.stderr == ("kubelint: note: 1 finding recorded in b.json no longer occurs; "
                           "write the baseline again to drop them\n")
    quiet = kubelint("lint", *SELECT, "--baseline", "b.json", "--quiet", "web.yaml",
                     cwd=tmp_path)
    assert quiet.stderr == ""
