"""The command line's contract: JSON and text output, options, exit codes (real subprocesses)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kubelint import __version__
from kubelint.rules import ALL_RULES

PRIVILEGED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
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
PRIVILEGED_AT = (13, 13)
CLEAN_CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n"
NOT_AN_OBJECT = "- just\n- a list\n"

DIAGNOSTIC_KEYS = {"rule", "severity", "message", "file", "line", "column", "end_line",
                   "end_column", "path", "resource", "origin", "fix", "suppressed", "related"}
RELATED_KEYS = {"file", "line", "column", "end_line", "end_column", "message"}
TEXT_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): "
                       r"(?P<severity>error|warning|info) (?P<rule>[a-z0-9]+(?:-[a-z0-9]+)*) "
                       r"(?P<message>\S.*)$")
NOTE_LINE = re.compile(r"^    (?P<file>.+?):(?P<line>\d+):(?P<col>\d+): note: (?P<message>\S.*)$")
SUMMARY_LINE = re.compile(r"^(?:no problems|\d+ errors?(?:, \d+ warnings?)?(?:, \d+ infos?)?"
                          r"|\d+ warnings?(?:, \d+ infos?)?|\d+ infos?)(?:, \d+ suppressed)?"
                          r" in \d+ resources? from \d+ files?$")


def kubelint(*args: str, cwd: Path, stdin: str | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    if not (cwd / ".kubelint.yaml").exists():  # shield from a stray config further up
        (cwd / ".kubelint.yaml").write_text("")
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "kubelint", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, env=full_env, timeout=60, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def report(*args: str, cwd: Path, code: int | None = None, **kw) -> dict:
    proc = kubelint("lint", "--format", "json", *args, cwd=cwd, **kw)
    if code is not None:
        assert proc.returncode == code, (proc.returncode, proc.stdout[-2000:], proc.stderr)
    return json.loads(proc.stdout)


def rules_of(data: dict) -> set[str]:
    return {d["rule"] for d in data["diagnostics"]}


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "priv.yaml").write_text(PRIVILEGED)
    (tmp_path / "clean.yaml").write_text(CLEAN_CONFIGMAP)
    (tmp_path / "list.yaml").write_text(NOT_AN_OBJECT)
    return tmp_path


# --- JSON ----------------------------------------------------------------------------------------

def test_json_contract(work):
    data = report("--select", "privileged-container", "priv.yaml", cwd=work, code=1)
    assert set(data) == {"version", "diagnostics", "summary"}
    assert data["version"] == __version__
    [d] = data["diagnostics"]
    assert set(d) == DIAGNOSTIC_KEYS
    assert d["rule"] == "privileged-container"
    assert d["severity"] == "error"
    assert d["message"] == "container 'app' is privileged"
    assert d["file"] == "priv.yaml"
    assert (d["line"], d["column"]) == PRIVILEGED_AT
    assert (d["end_line"], d["end_column"]) == (13, 29)
    assert d["path"] == "spec.template.spec.containers[0].securityContext.privileged"
    assert d["resource"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                             "namespace": "shop"}
    assert d["origin"] is None
    assert d["suppressed"] is None
    assert d["related"] == []
    fix = d["fix"]
    assert set(fix) == {"title", "safety", "edits"}
    assert fix["safety"] in ("safe", "unsafe")
    assert fix["edits"] == [{"op": "set", "path": d["path"], "value": False}]
    summary = data["summary"]
    assert {"files": 1, "documents": 1, "resources": 1, "diagnostics": 1}.items() <= \
        summary.items()
    assert summary["error"] == 1 and summary["warning"] == 0 and summary["info"] == 0
    assert summary["suppressed"] == 0


def test_json_types_for_every_diagnostic(work):
    data = report("--select", "all", ".", cwd=work, code=1)
    assert len(data["diagnostics"]) > 3
    for d in data["diagnostics"]:
        assert set(d) == DIAGNOSTIC_KEYS
        assert isinstance(d["rule"], str) and isinstance(d["message"], str)
        assert d["severity"] in ("error", "warning", "info")
        for key in ("line", "column", "end_line", "end_column"):
            assert isinstance(d[key], int) and d[key] >= 1
        assert isinstance(d["path"], str)
        assert d["resource"] is None or set(d["resource"]) == {"apiVersion", "kind", "name",
                                                               "namespace"}
        assert d["origin"] is None or isinstance(d["origin"], str)
        assert d["suppressed"] is None or isinstance(d["suppressed"], str)
        for r in d["related"]:
            assert set(r) == RELATED_KEYS
            assert r["line"] >= 1 and r["column"] >= 1
    keys = [(d["file"], d["line"], d["column"], d["rule"]) for d in data["diagnostics"]]
    assert keys == sorted(keys)


def test_input_diagnostic_has_no_resource(work):
    data = report("list.yaml", cwd=work, code=0)
    [d] = data["diagnostics"]
    assert (d["rule"], d["line"], d["column"], d["resource"], d["path"]) == \
        ("not-a-kubernetes-object", 1, 1, None, "")


@pytest.mark.parametrize("given", ["priv.yaml", "./priv.yaml", "sub/../priv.yaml", "ABS"])
def test_file_is_shown_as_given(work, given):
    (work / "sub").mkdir()
    if given == "ABS":
        given = str(work / "priv.yaml")
    data = report("--select", "privileged-container", given, cwd=work, code=1)
    assert [d["file"] for d in data["diagnostics"]] == [given]


def test_files_found_in_a_folder_are_shown_below_it(work):
    (work / "deploy").mkdir()
    (work / "deploy" / "web.yaml").write_text(PRIVILEGED)
    data = report("--select", "privileged-container", "deploy", cwd=work, code=1)
    assert [d["file"] for d in data["diagnostics"]] == [os.path.join("deploy", "web.yaml")]


def test_stdin_is_named_dash(work):
    data = report("--select", "privileged-container", "-", cwd=work, stdin=PRIVILEGED, code=1)
    assert [(d["file"], d["line"], d["column"]) for d in data["diagnostics"]] == \
        [("-", *PRIVILEGED_AT)]


def test_origin_of_helm_rendered_documents(work):
    rendered = "---\n# Source: web/templates/deployment.yaml\n" + PRIVILEGED
    data = report("--select", "privileged-container", "-", cwd=work, stdin=rendered, code=1)
    [d] = data["diagnostics"]
    assert d["origin"] == "web/templates/deployment.yaml"
    assert d["line"] == PRIVILEGED_AT[0] + 2


# --- text ----------------------------------------------------------------------------------------

def test_text_format(work):
    proc = kubelint("lint", "--no-color", "--select", "all", ".", cwd=work)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) >= 3
    for line in lines[:-1]:
        assert TEXT_LINE.match(line) or NOTE_LINE.match(line), line
    assert TEXT_LINE.match(lines[0])
    assert SUMMARY_LINE.match(lines[-1]), lines[-1]
    priv, listed = os.path.join(".", "priv.yaml"), os.path.join(".", "list.yaml")
    assert f"{priv}:13:13: error privileged-container container 'app' is privileged" in lines
    assert f"{listed}:1:1: info not-a-kubernetes-object " in "\n".join(lines)


def test_text_summary_counts(work):
    proc = kubelint("lint", "--no-color", "--select", "privileged-container", "priv.yaml",
                    "clean.yaml", cwd=work)
    assert proc.stdout.splitlines() == [
        "priv.yaml:13:13: error privileged-container container 'app' is privileged",
        "1 error in 2 resources from 2 files"]


def test_text_clean(work):
    proc = kubelint("lint", "--no-color", "--select", "privileged-container", "clean.yaml",
                    cwd=work)
    assert proc.returncode == 0
    assert proc.stdout == "no problems in 1 resource from 1 file\n"
    assert proc.stderr == ""


def test_quiet(work):
    proc = kubelint("lint", "--quiet", "--no-color", "--select", "privileged-container",
                    "priv.yaml", "clean.yaml", cwd=work)
    assert proc.returncode == 1
    assert proc.stdout == \
        "priv.yaml:13:13: error privileged-container container 'app' is privileged\n"
    proc = kubelint("lint", "-q", "--select", "privileged-container", "clean.yaml", cwd=work)
    assert (proc.returncode, proc.stdout) == (0, "")


@pytest.mark.parametrize(("args", "env", "colored"), [
    ((), {}, False),  # not a terminal
    ((), {"FORCE_COLOR": "1"}, True),
    (("--no-color",), {"FORCE_COLOR": "1"}, False),
    ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    (("--format", "json"), {"FORCE_COLOR": "1"}, False),
])
def test_color(work, args, env, colored):
    proc = kubelint("lint", *args, "--select", "privileged-container", "priv.yaml", cwd=work,
                    env=env)
    assert proc.returncode == 1
    assert ("\x1b[" in proc.stdout) is colored
    if not colored and "--format" not in args:
        assert proc.stdout.splitlines()[0] == \
            "priv.yaml:13:13: error privileged-container container 'app' is privileged"


# --- exit codes and --fail-level -----------------------------------------------------------------

WARNING_ONLY = PRIVILEGED.replace("privileged: true", "allowPrivilegeEscalation: true")


@pytest.mark.parametrize(("content", "level", "code"), [
    (WARNING_ONLY, None, 1),
    (WARNING_ONLY, "error", 0),
    (WARNING_ONLY, "warning", 1),
    (PRIVILEGED, "error", 1),
    (NOT_AN_OBJECT, None, 0),
    (NOT_AN_OBJECT, "warning", 0),
    (NOT_AN_OBJECT, "info", 1),
    (CLEAN_CONFIGMAP, "info", 0),
])
def test_fail_level(work, content, level, code):
    (work / "case.yaml").write_text(content)
    args = ["--fail-level", level] if level else []
    data = report("--select", "privilege-escalation-container,privileged-container", *args,
                  "case.yaml", cwd=work, code=code)
    if content is WARNING_ONLY:
        assert {(d["rule"], d["severity"]) for d in data["diagnostics"]} == \
            {("privilege-escalation-container", "warning")}


def test_bad_fail_level_is_a_usage_error(work):
    proc = kubelint("lint", "--fail-level", "fatal", "priv.yaml", cwd=work)
    assert proc.returncode == 2
    assert "fatal" in proc.stderr


# --- --select and --ignore -----------------------------------------------------------------------

CHECKED = [r for r in ALL_RULES if r.check is not None]


def test_select_by_id(work):
    data = report("--select", "privileged-container", "priv.yaml", cwd=work, code=1)
    assert rules_of(data) == {"privileged-container"}
    assert data["summary"]["rules"] == 1


def test_select_several_ids(work):
    data = report("--select", "privileged-container", "--select",
                  "privilege-escalation-container", "priv.yaml", cwd=work, code=1)
    assert rules_of(data) == {"privileged-container", "privilege-escalation-container"}
    comma = report("--select", "privileged-container,privilege-escalation-container",
                   "priv.yaml", cwd=work, code=1)
    assert comma["diagnostics"] == data["diagnostics"]


def test_select_by_category(work):
    data = report("--select", "security", "priv.yaml", cwd=work, code=1)
    security = {r.id for r in CHECKED if r.category == "security"}
    assert "privileged-container" in rules_of(data)
    assert rules_of(data) <= security
    assert data["summary"]["rules"] == len(security)


def test_select_all_and_default(work):
    everything = report("--select", "all", "priv.yaml", cwd=work, code=1)
    assert everything["summary"]["rules"] == len(CHECKED)
    default = report("priv.yaml", cwd=work, code=1)
    assert default["summary"]["rules"] == len([r for r in CHECKED if r.default_enabled])
    assert rules_of(default) <= rules_of(everything)
    off = {r.id for r in ALL_RULES if not r.default_enabled}
    assert not rules_of(default) & off


def test_ignore_by_id_and_category(work):
    base = report("--select", "security", "priv.yaml", cwd=work, code=1)
    assert "privileged-container" in rules_of(base)
    without = report("--select", "security", "--ignore", "privileged-container", "priv.yaml",
                     cwd=work)
    assert rules_of(without) == rules_of(base) - {"privileged-container"}
    none = report("--select", "all", "--ignore", "security", "priv.yaml", cwd=work)
    assert not {r.id for r in CHECKED if r.category == "security"} & rules_of(none)


def test_id_beats_category(work):
    data = report("--select", "privileged-container", "--ignore", "security", "priv.yaml",
                  cwd=work, code=1)
    assert rules_of(data) == {"privileged-container"}


def test_input_problems_are_reported_whatever_is_selected(work):
    (work / "broken.yaml").write_text("a: [1\n")
    data = report("--select", "privileged-container", "broken.yaml", cwd=work, code=1)
    assert rules_of(data) == {"yaml-syntax"}
    ignored = report("--ignore", "yaml-syntax", "broken.yaml", cwd=work, code=0)
    assert ignored["diagnostics"] == []


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_rule_is_a_usage_error(work, option):
    proc = kubelint("lint", option, "no-such-rule", "priv.yaml", cwd=work)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "no-such-rule" in proc.stderr


def test_unknown_format_is_a_usage_error(work):
    proc = kubelint("lint", "--format", "xml", "priv.yaml", cwd=work)
    assert proc.returncode == 2
    assert "xml" in proc.stderr


def test_missing_path_is_a_usage_error(work):
    proc = kubelint("lint", "priv.yaml", "nope.yaml", cwd=work)
    assert proc.returncode == 2
    assert "nope.yaml" in proc.stderr
    assert proc.stdout == ""


# --- --exclude -----------------------------------------------------------------------------------

def test_exclude(work):
    (work / "list.yaml").unlink()
    (work / "vendor").mkdir()
    (work / "vendor" / "third.yaml").write_text(PRIVILEGED)
    both = report("--select", "privileged-container", ".", cwd=work, code=1)
    assert sorted(d["file"] for d in both["diagnostics"]) == \
        [os.path.join(".", "priv.yaml"), os.path.join(".", "vendor", "third.yaml")]
    no_vendor = report("--select", "privileged-container", "--exclude", "vendor", ".",
                       cwd=work, code=1)
    assert [d["file"] for d in no_vendor["diagnostics"]] == [os.path.join(".", "priv.yaml")]
    assert no_vendor["summary"]["files"] == both["summary"]["files"] - 1
    by_glob = report("--select", "privileged-container", "--exclude", "priv*.yaml", ".",
                     cwd=work, code=1)
    assert [d["file"] for d in by_glob["diagnostics"]] == \
        [os.path.join(".", "vendor", "third.yaml")]
    named = report("--select", "privileged-container", "--exclude", "priv.yaml", "priv.yaml",
                   cwd=work, code=0)
    assert named["summary"]["files"] == 0


# --- other commands ------------------------------------------------------------------------------

def test_version(work):
    proc = kubelint("--version", cwd=work)
    assert proc.returncode == 0
    assert proc.stdout == f"kubelint {__version__}\n"


def test_rules_json(work):
    proc = kubelint("rules", "--format", "json", cwd=work)
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert set(data) == {"rules"}
    rules = data["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) == len(ALL_RULES)
    assert set(ids) == {r.id for r in ALL_RULES}
    for r in rules:
        assert {"id", "category", "severity", "default_enabled", "summary", "scope", "fixable",
                "equivalents", "aliases"} <= set(r)
        assert r["severity"] in ("error", "warning", "info")
        assert isinstance(r["default_enabled"], bool)
        assert all(isinstance(v, list) for v in r["equivalents"].values())
    priv = rules[ids.index("privileged-container")]
    assert priv["category"] == "security"
    assert priv["equivalents"]["kube-linter"] == ["privileged-container"]


def test_rules_text(work):
    proc = kubelint("rules", cwd=work)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:2] == ["RULE", "CATEGORY"]
    assert len(lines) == len(ALL_RULES) + 1
    assert any(line.startswith("privileged-container ") for line in lines)


CRONJOB_V1BETA1 = """apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: c, namespace: x}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: a, image: "busybox:1.36"}]
"""


def test_kubernetes_version_option_targets_a_release(tmp_path):
    (tmp_path / "cj.yaml").write_text(CRONJOB_V1BETA1)
    old = report("--select", "deprecations", "--kubernetes-version", "1.20", "cj.yaml",
                 cwd=tmp_path, code=0)
    assert old["diagnostics"] == []
    new = report("--select", "deprecations", "--kubernetes-version", "1.25", "cj.yaml",
                 cwd=tmp_path, code=1)
    assert [(d["rule"], d["line"], d["column"]) for d in new["diagnostics"]] == [
        ("removed-api-version", 1, 1)]
    bad = kubelint("lint", "--kubernetes-version", "latest", "cj.yaml", cwd=tmp_path)
    assert bad.returncode == 2 and "--kubernetes-version" in bad.stderr


def test_lsp_format_gets_utf16_columns_from_the_linted_text(tmp_path):
    (tmp_path / "e.yaml").write_text(
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "caf\u00e9\U0001F600x", namespace: a}\n')
    proc = kubelint("lint", "--format", "lsp", "--select", "invalid-object-name", "e.yaml",
                    cwd=tmp_path)
    [(uri, [diag])] = json.loads(proc.stdout).items()
    assert uri == (tmp_path / "e.yaml").as_uri()
    assert diag["range"] == {"start": {"line": 2, "character": 11},
                             "end": {"line": 2, "character": 26}}


WIDGET_CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
"""
WIDGET = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: a}\nspec:\n  size: big\n"


def test_crd_dir_gives_schemas_without_linting_the_crds(tmp_path):
    (tmp_path / "crds").mkdir()
    (tmp_path / "crds" / "widget.yaml").write_text(WIDGET_CRD)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "w.yaml").write_text(WIDGET)
    alone = report("--select", "schema", "app", cwd=tmp_path)
    assert [d["rule"] for d in alone["diagnostics"]] == ["unvalidated-custom-resource"]
    found = report("--select", "schema", "--crd-dir", "crds", "app", cwd=tmp_path, code=1)
    assert [(d["rule"], d["file"], d["line"], d["column"]) for d in found["diagnostics"]] == [
        ("schema-wrong-type", "app/w.yaml", 5, 3)]
    assert found["summary"]["resources"] == 1  # the CRD was read, not linted
    (tmp_path / ".kubelint.yaml").write_text("crd-dirs: [crds]\nselect: [schema]\n")
    configured = report("app", cwd=tmp_path, code=1)
    assert [d["rule"] for d in configured["diagnostics"]] == ["schema-wrong-type"]
    missing = kubelint("lint", "--crd-dir", "nope", "app", cwd=tmp_path)
    assert missing.returncode == 2 and "--crd-dir" in missing.stderr


def test_jobs_share_a_large_input_and_print_what_one_process_prints(tmp_path: Path):
    """Over 1 MiB of YAML: `--jobs 2` forks a worker; the report is the same, byte for byte."""
    for i in range(300):
        (tmp_path / f"app{i:03}.yaml").write_text(
            PRIVILEGED.replace("name: web", f"name: web{i}")
            + "---\n" + CLEAN_CONFIGMAP.replace("name: ", f"name: c{i}-", 1)
            + "".join(f"# padding {i} {n} {'x' * 60}\n" for n in range(50)))
    assert sum(p.stat().st_size for p in tmp_path.glob("*.yaml")) > 1 << 20
    one = kubelint("lint", "--format", "json", "--select", "all", "--jobs", "1", ".",
                   cwd=tmp_path)
    two = kubelint("lint", "--format", "json", "--select", "all", "--jobs", "2", ".",
                   cwd=tmp_path)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    assert json.loads(two.stdout)["summary"]["resources"] == 600
    bad = kubelint("lint", "--jobs", "-1", ".", cwd=tmp_path)
    assert bad.returncode == 2 and "--jobs" in bad.stderr


def test_ctrl_c_exits_130_without_a_traceback(tmp_path: Path):
    """Interrupted while waiting for standard input: exit 130 (not 1, which means findings)."""
    import signal
    import time

    (tmp_path / ".kubelint.yaml").write_text("")
    proc = subprocess.Popen([sys.executable, "-m", "kubelint", "lint", "-"], cwd=tmp_path,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)  # past start-up, blocked reading standard input
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (out, err)
    assert err == "kubelint: interrupted\n"
