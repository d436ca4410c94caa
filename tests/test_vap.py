"""ValidatingAdmissionPolicies evaluated offline: match and binding semantics, params, actions,
expressions that need a live cluster."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

from kubelint.config import Config
from kubelint.engine import lint_sources
from kubelint.sources import SourceFile
from kubelint.vap import resource_name

POLICY = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: replica-ceiling
spec:
  failurePolicy: {failure}
  paramKind: {params}
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
    {constraints}
  matchConditions: {conditions}
  validations:
  - expression: "object.spec.replicas <= {limit}"
    messageExpression: "'replicas ' + string(object.spec.replicas) + ' above the ceiling'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: replica-ceiling-binding
spec:
  policyName: replica-ceiling
  validationActions: {actions}
  paramRef: {param_ref}
  matchResources: {match}
"""

WORKLOADS = """\
apiVersion: v1
kind: Namespace
metadata:
  name: prod
  labels:
    env: production
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
  labels:
    tier: frontend
spec:
  replicas: 7
  template:
    spec:
      containers:
      - name: app
        image: nginx:1.25
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: batch
  namespace: jobs
spec:
  replicas: 9
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: prod
spec:
  replicas: 8
"""


def policy(**fields: str) -> str:
    values = {"failure": "Fail", "params": "null", "constraints": "", "conditions": "[]",
              "limit": "5", "actions": "[Deny]", "param_ref": "null", "match": "{}"}
    values.update(fields)
    text = POLICY
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def lint(*files: tuple[str, str], config: Config | None = None):
    cfg = config or Config(select=("admission-policy",))
    result = lint_sources([SourceFile(name, text) for name, text in files], cfg)
    return [(d.file, d.span.start.line, d.span.start.col, d.rule_id, d.severity.label, d.message)
            for d in result.active]


def test_a_bound_policy_checks_the_kinds_it_matches():
    found = lint(("policy.yaml", policy()), ("apps.yaml", WORKLOADS))
    # Both Deployments (the StatefulSet is not in resourceRules); the failing field is provable.
    assert found == [
        ("apps.yaml", 16, 3, "policy.replica-ceiling", "error", "replicas 7 above the ceiling"),
        ("apps.yaml", 29, 3, "policy.replica-ceiling", "error", "replicas 9 above the ceiling"),
    ]


def test_without_a_binding_a_policy_does_nothing():
    only_policy = policy().split("---")[0]
    assert lint(("policy.yaml", only_policy), ("apps.yaml", WORKLOADS)) == []


@pytest.mark.parametrize(("actions", "severity"), [
    ("[Deny]", "error"), ("[Warn]", "warning"), ("[Audit]", "info"), ("[Warn, Audit]", "warning"),
])
def test_validation_actions_give_the_severity(actions, severity):
    found = lint(("policy.yaml", policy(actions=actions)), ("apps.yaml", WORKLOADS))
    assert {f[4] for f in found} == {severity}


def test_namespace_selector_reads_namespace_labels_in_the_set_and_the_name_label():
    by_env = "{namespaceSelector: {matchLabels: {env: production}}}"
    found = lint(("policy.yaml", policy(match=by_env)), ("apps.yaml", WORKLOADS))
    assert [f[1] for f in found] == [16]  # 'jobs' is not in the set: no env label known
    by_name = "{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: jobs}}}"
    found = lint(("policy.yaml", policy(match=by_name)), ("apps.yaml", WORKLOADS))
    assert [f[1] for f in found] == [29]


def test_object_selector_and_exclude_rules():
    found = lint(("policy.yaml", policy(match="{objectSelector: {matchLabels: {tier: frontend}}}")),
                 ("apps.yaml", WORKLOADS))
    assert [f[1] for f in found] == [16]
    exclude = ("excludeResourceRules: [{apiGroups: [apps], apiVersions: ['*'], "
               "operations: ['*'], resources: [deployments], resourceNames: [batch]}]")
    found = lint(("policy.yaml", policy(constraints=exclude)), ("apps.yaml", WORKLOADS))
    assert [f[1] for f in found] == [16]


def test_match_conditions_must_all_hold():
    condition = "[{name: not-batch, expression: \"object.metadata.name != 'batch'\"}]"
    found = lint(("policy.yaml", policy(conditions=condition)), ("apps.yaml", WORKLOADS))
    assert [f[1] for f in found] == [16]


def test_params_by_name_come_from_the_set():
    params = """\
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ceiling
  namespace: prod
data:
  max: "6"
"""
    text = policy(params="{apiVersion: v1, kind: ConfigMap}", limit="int(params.data.max)",
                  param_ref="{name: ceiling, parameterNotFoundAction: Deny}")
    found = lint(("policy.yaml", text + params), ("apps.yaml", WORKLOADS))
    # 'web' (prod) is checked against prod's ConfigMap; 'jobs' has no params object in the set:
    # not evaluated, and said once, on the first object where that comes up.
    not_evaluated = ("not evaluated offline: binding 'replica-ceiling-binding': params "
                     "(ConfigMap 'ceiling') are not in the linted set")
    assert found == [
        ("apps.yaml", 16, 3, "policy.replica-ceiling", "error", "replicas 7 above the ceiling"),
        ("apps.yaml", 26, 3, "policy.replica-ceiling", "info", not_evaluated),
    ]
    found = lint(("policy.yaml", text), ("apps.yaml", WORKLOADS))
    assert found == [("apps.yaml", 11, 3, "policy.replica-ceiling", "info", not_evaluated)]


def test_unknown_params_are_reported_once_when_the_policy_comes_from_a_policy_dir(tmp_path):
    text = policy(params="{apiVersion: v1, kind: ConfigMap}", limit="int(params.data.max)",
                  param_ref="{name: ceiling}")
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "p.yaml").write_text(text, encoding="utf-8")
    cfg = Config(select=("admission-policy",), policy_dirs=(str(tmp_path / "policies"),))
    found = lint(("apps.yaml", WORKLOADS), config=cfg)
    assert found == [("apps.yaml", 11, 3, "policy.replica-ceiling", "info",
                      ("not evaluated offline: binding 'replica-ceiling-binding': params "
                       "(ConfigMap 'ceiling') are not in the linted set"))]


def test_expressions_needing_a_cluster_are_reported_once_at_the_expression():
    text = policy().replace(
        '  validations:\n',
        '  validations:\n  - expression: "authorizer.group(\'apps\').resource(\'deployments\')'
        '.check(\'scale\').allowed()"\n'
        '  - expression: "ip(object.metadata.name).isLoopback()"\n')
    found = lint(("policy.yaml", text), ("apps.yaml", WORKLOADS))
    assert found == [
        ("apps.yaml", 16, 3, "policy.replica-ceiling", "error", "replicas 7 above the ceiling"),
        ("apps.yaml", 29, 3, "policy.replica-ceiling", "error", "replicas 9 above the ceiling"),
        ("policy.yaml", 17, 5, "policy.replica-ceiling", "info",
         "not evaluated offline: `authorizer` needs a live cluster"),
        ("policy.yaml", 18, 5, "policy.replica-ceiling", "info",
         "not evaluated offline: function ip() is not available offline"),
    ]


def test_from_a_policy_dir_unevaluable_expressions_go_to_the_first_selected_object(tmp_path):
    text = policy(conditions="[{name: caller, expression: \"request.userInfo.username != ''\"}]")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    cfg = Config(select=("admission-policy",), policy_dirs=(str(tmp_path),))
    found = lint(("apps.yaml", WORKLOADS), config=cfg)
    assert found == [("apps.yaml", 11, 3, "policy.replica-ceiling", "info",
                      ("not evaluated offline: spec.matchConditions[0].expression: `request` "
                       "needs a live cluster"))]


def test_evaluation_errors_follow_the_failure_policy():
    text = policy().replace("object.spec.replicas <= 5", "object.spec.paused == false")
    found = lint(("policy.yaml", text), ("apps.yaml", WORKLOADS))
    assert [(f[1], f[5]) for f in found] == [
        (11, "replicas 7 above the ceiling (expression failed: no such key: paused)"),
        (26, "replicas 9 above the ceiling (expression failed: no such key: paused)")]
    text = policy(failure="Ignore").replace("object.spec.replicas <= 5",
                                           "object.spec.paused == false")
    assert lint(("policy.yaml", text), ("apps.yaml", WORKLOADS)) == []


def test_policy_findings_are_suppressed_like_any_rule():
    annotated = WORKLOADS.replace("  labels:\n    tier: frontend\n",
                                  "  labels:\n    tier: frontend\n  annotations:\n"
                                  "    ignore-check.kubelint.io/policy.replica-ceiling: known\n")
    commented = WORKLOADS.replace("  replicas: 9", "  replicas: 9  # kubelint: disable=admission-policy")
    assert [f[1] for f in lint(("policy.yaml", policy()), ("apps.yaml", annotated))] == [31]
    assert [f[1] for f in lint(("policy.yaml", policy()), ("apps.yaml", commented))] == [16]


def test_resource_names():
    assert [resource_name(k) for k in ("Deployment", "Ingress", "NetworkPolicy", "Endpoints",
                                       "Gateway")] == [
        "deployments", "ingresses", "networkpolicies", "endpoints", "gateways"]


def test_cli_policy_dir_rules_and_sarif(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "p.yaml").write_text(policy(), encoding="utf-8")
    (tmp_path / "apps.yaml").write_text(WORKLOADS, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from typer.testing import CliRunner

        from kubelint.cli import app
    runner = CliRunner()
    result = runner.invoke(app, ["lint", "apps.yaml", "--policy-dir", "policies",
                                 "--select", "policy.replica-ceiling", "--format", "sarif"])
    assert result.exit_code == 1, result.output
    run = json.loads(result.stdout)["runs"][0]
    [rule] = [r for r in run["tool"]["driver"]["rules"] if r["id"] == "policy.replica-ceiling"]
    assert rule["properties"]["category"] == "admission-policy"
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in run["results"]] == [("policy.replica-ceiling", 16),
                                         ("policy.replica-ceiling", 29)]
    listed = json.loads(runner.invoke(app, ["rules", "--format", "json", "--policy-dir",
                                            "policies"]).stdout)["rules"]
    [mine] = [r for r in listed if r["id"] == "policy.replica-ceiling"]
    assert mine["origin"] == f"policy: {tmp_path / 'policies' / 'p.yaml'}"
    page = runner.invoke(app, ["explain", "policy.replica-ceiling", "--policy-dir", "policies"])
    assert page.stdout.startswith("# policy.replica-ceiling\n")
    missing = runner.invoke(app, ["lint", "apps.yaml", "--policy-dir", "nowhere"])
    assert missing.exit_code == 2


def test_example_policies_against_the_corpus(shared: Path):
    """The documented example policies run over the real-world corpus without errors."""
    examples = Path(__file__).resolve().parent.parent / "docs" / "examples" / "policies"
    corpus = shared / "corpus" / "realworld"
    if not corpus.is_dir():
        pytest.skip("no real-world corpus")
    from kubelint.engine import lint_paths

    files = [str(corpus)]
    cfg = replace(Config(select=("admission-policy",)), policy_dirs=(str(examples),))
    result = lint_paths(files, cfg)
    ids = {d.rule_id for d in result.active if d.rule_id.endswith(".example.com")}
    assert "internal-error" not in {d.rule_id for d in result.active}
    assert ids == {"policy.required-labels.example.com", "policy.replica-limit.example.com",
                   "policy.image-registry.example.com"}
