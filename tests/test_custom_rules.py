"""Custom rules from the config file (JSON Schema and CEL), kube-linter custom checks, plugins."""

from __future__ import annotations

import json
import textwrap
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest

from kubelint import plugins
from kubelint.config import load
from kubelint.custom_rules import effective_rules, parse_path
from kubelint.engine import lint_sources
from kubelint.errors import ConfigError
from kubelint.model import Finding, Severity
from kubelint.rule import Rule
from kubelint.sources import SourceFile

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
  labels:
    app: web
spec:
  replicas: 7
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: registry.example.com/web:1.2
        resources:
          limits: {memory: 2Gi}
      - name: proxy
        image: nginx:1.25
---
apiVersion: v1
kind: Namespace
metadata:
  name: prod
  labels:
    tier: production
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def cli(*args: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from typer.testing import CliRunner

        from kubelint.cli import app
    return CliRunner().invoke(app, list(args))


def run(tmp_path: Path, config: str, manifests: str = DEPLOYMENT, select=("custom",)):
    cfg = load(str(write(tmp_path / ".kubelint.yaml", config)))
    from dataclasses import replace

    cfg = replace(cfg, select=select)
    result = lint_sources([SourceFile("m.yaml", manifests)], cfg)
    return [(d.span.start.line, d.span.start.col, d.rule_id, d.severity.label, d.message)
            for d in result.active]


def test_schema_rule_points_at_each_failing_field(tmp_path):
    found = run(tmp_path, """\
        custom-rules:
          - id: replica-ceiling
            summary: At most five replicas.
            severity: error
            match: {kinds: [Deployment]}
            target: spec
            schema:
              properties:
                replicas: {maximum: 5}
          - id: memory-limit-ceiling
            summary: Memory limits stay under 1Gi.
            target: spec.template.spec.containers[*].resources.limits
            schema:
              properties:
                memory: {pattern: "^[0-9]+(Mi|Ki)$"}
        """)
    assert found == [
        (9, 3, "replica-ceiling", "error",
         "at most five replicas: 7 is greater than the maximum of 5"),
        (20, 20, "memory-limit-ceiling", "warning",
         'memory limits stay under 1Gi: "2Gi" does not match "^[0-9]+(Mi|Ki)$"'),
    ]


def test_schema_rule_missing_field_points_at_the_nearest_ancestor(tmp_path):
    found = run(tmp_path, """\
        custom-rules:
          - id: team-label
            summary: Objects carry a team label.
            target: metadata
            schema: {properties: {labels: {required: [team]}}}
        """)
    assert [f[:3] for f in found] == [(6, 3, "team-label"), (28, 3, "team-label")]
    assert found[0][4] == 'objects carry a team label: "team" is a required property'


def test_cel_rule_on_each_container_with_path_and_message_expression(tmp_path):
    found = run(tmp_path, """\
        custom-rules:
          - id: approved-registry
            summary: Images come from registry.example.com.
            target: containers
            cel: "self.image.startsWith('registry.example.com/')"
            path: image
            messageExpression: "'container ' + self.name + ' pulls ' + self.image"
        """)
    assert found == [(22, 9, "approved-registry", "warning", "container proxy pulls nginx:1.25")]


def test_cel_rule_reads_object_and_namespace_object(tmp_path):
    found = run(tmp_path, """\
        custom-rules:
          - id: production-replicas
            summary: Production workloads run at most five replicas.
            match: {kinds: [Deployment], namespaces: [prod]}
            cel: >-
              !has(namespaceObject.metadata.labels.tier)
              || namespaceObject.metadata.labels.tier != 'production'
              || object.spec.replicas <= 5
            path: spec.replicas
        """)
    assert found == [(9, 3, "production-replicas", "warning",
                      "production workloads run at most five replicas")]


def test_cel_rule_without_path_points_at_the_object_name(tmp_path):
    found = run(tmp_path, """\
        custom-rules:
          - id: no-proxy
            summary: No proxy container.
            message: Deployment runs a proxy
            match:
              labelSelector: {matchLabels: {app: web}}
            cel: "!object.spec.template.spec.containers.exists(c, c.name == 'proxy')"
        """)
    assert found == [(4, 3, "no-proxy", "warning", "deployment runs a proxy")]


def test_cel_evaluation_error_is_a_finding_that_says_why(tmp_path):
    found = run(tmp_path, """\
        custom-rules:
          - id: strategy-set
            summary: Deployments set a rollout strategy.
            match: {kinds: [Deployment]}
            cel: "object.spec.strategy.type != ''"
        """)
    assert found == [(4, 3, "strategy-set", "warning",
                      ("deployments set a rollout strategy (expression failed: no such key: "
                       "strategy)"))]


def test_selectors_match_nothing_when_they_do_not_select(tmp_path):
    found = run(tmp_path, """\
        custom-rules:
          - id: a
            summary: Never true.
            match: {namespaces: [staging]}
            cel: "false"
          - id: b
            summary: Never true.
            match: {labelSelector: {matchExpressions: [{key: app, operator: NotIn, values: [web]}]}}
            target: spec
            cel: "false"
        """)
    assert found == []


def test_custom_rules_are_suppressed_selected_and_configured_like_built_in_ones(tmp_path):
    config = """\
        custom-rules:
          - id: approved-registry
            summary: Images come from registry.example.com.
            target: containers
            cel: "self.image.startsWith('registry.example.com/')"
            path: image
        rules:
          approved-registry: {severity: error}
        """
    suppressed = DEPLOYMENT.replace("image: nginx:1.25",
                                    "image: nginx:1.25  # kubelint: disable=approved-registry")
    assert run(tmp_path, config, suppressed) == []
    found = run(tmp_path, config, select=("default",))
    assert (22, 9, "approved-registry", "error",
            "images come from registry.example.com") in found
    ignored = run(tmp_path, config.replace("\n        rules:", "\n        ignore: [custom]\n        rules:"),
                  select=("default",))
    assert ignored and not [f for f in ignored if f[2] == "approved-registry"]


def test_bad_custom_rules_are_located_config_errors(tmp_path):
    path = write(tmp_path / ".kubelint.yaml", """\
        custom-rules:
          - id: Bad_Id
            summary: x
            cel: "true"
          - id: two-conditions
            summary: x
            cel: "true"
            schema: {}
          - id: broken-cel
            summary: x
            cel: "self.image.startsWith("
          - id: needs-cluster
            summary: x
            cel: "ip(self.x).isLoopback()"
          - id: bad-schema
            summary: x
            schema: {type: nope}
          - id: privileged-container
            summary: x
            cel: "true"
          - id: bad-target
            summary: x
            target: "spec..containers"
            cel: "true"
          - id: stray
            summary: x
            cel: "true"
            kinds: [Pod]
        """)
    with pytest.raises(ConfigError) as info:
        load(str(path))
    lines = [line.split(": ", 1)[1] if line.startswith(str(path)) else line
             for line in str(info.value).splitlines()]
    assert [line.split(" ", 1)[0] for line in str(info.value).splitlines()] == [
        f"{path}:2:5:", f"{path}:5:5:", f"{path}:11:5:", f"{path}:14:5:", f"{path}:17:5:",
        f"{path}:18:5:", f"{path}:23:5:", f"{path}:28:5:"]
    assert lines[0].startswith("custom-rules[0].id: 'Bad_Id' does not match")
    assert lines[1] == ("custom-rules[1]: a custom rule needs exactly one condition: "
                        "`cel` or `schema`")
    assert lines[2].startswith("custom-rules[2].cel: invalid CEL: Syntax error")
    assert lines[3] == ("custom-rules[3].cel: function 'ip' is not available offline "
                        "(see docs/custom-rules.md)")
    assert lines[4].startswith("custom-rules[4].schema: not a valid JSON Schema")
    assert lines[5] == "custom-rules[5].id: 'privileged-container' is already a built-in rule id"
    assert lines[6].startswith("custom-rules[6].target: not a path")
    assert lines[7] == "custom-rules[7].kinds: unknown key 'kinds'"


def test_cli_exits_2_on_a_bad_custom_rule(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".kubelint.yaml", """\
        custom-rules:
          - id: x
            summary: x
            cel: "object.metadata.name == "
        """)
    write(tmp_path / "m.yaml", DEPLOYMENT)
    result = cli("lint", "m.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"kubelint: error: {tmp_path}/.kubelint.yaml:4:5: "
                                    "custom-rules[0].cel: invalid CEL")


def test_cli_reports_lists_and_explains_custom_rules(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".kubelint.yaml", """\
        custom-rules:
          - id: approved-registry
            summary: Images come from registry.example.com.
            target: containers
            cel: "self.image.startsWith('registry.example.com/')"
            path: image
        """)
    write(tmp_path / "m.yaml", DEPLOYMENT)
    result = cli("lint", "m.yaml", "--select", "approved-registry", "--format", "sarif")
    assert result.exit_code == 1
    run_ = json.loads(result.stdout)["runs"][0]
    [res] = run_["results"]
    region = res["locations"][0]["physicalLocation"]["region"]
    assert (res["ruleId"], region["startLine"], region["startColumn"]) == \
        ("approved-registry", 22, 9)
    driver_rules = run_["tool"]["driver"]["rules"]
    assert driver_rules[res["ruleIndex"]]["id"] == "approved-registry"
    listed = json.loads(cli("rules", "--format", "json").stdout)["rules"]
    [mine] = [r for r in listed if r["id"] == "approved-registry"]
    assert (mine["category"], mine["origin"]) == ("custom", "config: .kubelint.yaml")
    page = cli("explain", "approved-registry").stdout
    assert page.startswith("# approved-registry\n")
    assert "self.image.startsWith('registry.example.com/')" in page


def test_parse_path():
    assert parse_path("spec.template.spec.containers[*].image") == (
        "spec", "template", "spec", "containers", "*", "image")
    assert parse_path("items[0]") == ("items", 0)
    for bad in ("", "a..b", "a[x]", ".a", "a."):
        with pytest.raises(ValueError):
            parse_path(bad)


def test_without_custom_rules_the_cel_library_is_not_imported():
    import subprocess
    import sys

    code = ("import sys; from kubelint.cli import app; sys.argv=['kubelint','lint','-'];\n"
            "try: app()\nexcept SystemExit: pass\nprint('cel' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], input=DEPLOYMENT, text=True,
                         capture_output=True, check=True).stdout
    assert out.strip().endswith("False")


# --- kube-linter custom checks ---------------------------------------------------------------------

def test_kube_linter_custom_checks_run_as_kubelint_rules(tmp_path):
    write(tmp_path / ".kube-linter.yaml", """\
        customChecks:
          - name: owner-label
            template: required-label
            params: {key: owner}
            scope: {objectKinds: [DeploymentLike]}
          - name: no-legacy-annotation
            template: forbidden-annotation
            params: {key: "legacy/.*"}
          - name: no-apps-v1
            template: disallowed-api-obj
            params: {group: apps, kind: Deployment}
          - name: registry-only
            template: latest-tag
            params: {allowList: ["^registry\\\\.example\\\\.com/.*"]}
          - name: env-check
            template: env-var
            params: {name: FOO}
        """)
    manifests = DEPLOYMENT.replace("  labels:\n    app: web\n",
                                   "  labels:\n    app: web\n  annotations:\n    legacy/x: y\n", 1)
    found = run(tmp_path, "kube-linter-config: .kube-linter.yaml\n", manifests)
    assert [f[:3] for f in found] == [
        (1, 1, "no-apps-v1"), (6, 3, "owner-label"), (9, 5, "no-legacy-annotation"),
        (24, 9, "registry-only")]
    cfg = load(str(tmp_path / ".kubelint.yaml"))
    [unsupported] = [r for r in cfg.custom_rules if r.check is None]
    assert unsupported.id == "env-check"
    assert "template not supported" in cfg.rule_origins["env-check"]


def test_kube_linter_ignore_annotation_covers_its_checks(tmp_path):
    write(tmp_path / ".kube-linter.yaml", """\
        customChecks:
          - {name: owner-label, template: required-label, params: {key: owner}}
        """)
    manifests = DEPLOYMENT.replace(
        "  labels:\n    app: web\n",
        "  labels:\n    app: web\n  annotations:\n    ignore-check.kube-linter.io/owner-label: ok\n",
        1)
    found = run(tmp_path, "kube-linter-config: .kube-linter.yaml\n", manifests)
    assert [f[:3] for f in found] == [(30, 3, "owner-label")]  # the Namespace only


# --- plugins ---------------------------------------------------------------------------------------

def _plugin_rule(res, ctx):
    if res.kind == "Namespace":
        yield Finding(("metadata", "name"), "namespace found")


PLUGIN_RULE = Rule(id="acme-namespace", category="custom", severity=Severity.INFO,
                   summary="Namespaces are noticed.", rationale="Testing.",
                   remediation="Nothing.", check=_plugin_rule)


class _EntryPoint(SimpleNamespace):
    def load(self):
        self.loaded = True
        return self.value_object


def test_plugins_load_only_when_selected_and_carry_their_origin(monkeypatch, tmp_path):
    ep = _EntryPoint(name="acme-namespace", value="acme.rules:RULE", dist=None,
                     value_object=(PLUGIN_RULE,), loaded=False)
    monkeypatch.setattr(plugins, "entry_points", lambda: {"acme-namespace": ep})
    from kubelint.config import Config

    assert plugins.with_plugins(Config()) == Config()
    assert not ep.loaded
    cfg = plugins.with_plugins(Config(select=("default", "acme-namespace")))
    assert ep.loaded and PLUGIN_RULE in effective_rules(cfg)
    assert cfg.rule_origins["acme-namespace"].startswith("plugin: acme.rules:RULE")
    result = lint_sources([SourceFile("m.yaml", DEPLOYMENT)], cfg)
    assert [(d.span.start.line, d.span.start.col, d.rule_id) for d in result.active
            if d.rule_id == "acme-namespace"] == [(27, 3, "acme-namespace")]


def test_a_broken_plugin_is_a_usage_error(monkeypatch, tmp_path):
    ep = _EntryPoint(name="acme", value="acme:RULES", dist=None, value_object="nonsense")
    monkeypatch.setattr(plugins, "entry_points", lambda: {"acme": ep})
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "m.yaml", DEPLOYMENT)
    result = cli("lint", "m.yaml", "--select", "acme")
    assert result.exit_code == 2
    assert "plugin 'acme' (acme:RULES) gives no Rule objects" in result.stderr
