"""`--format sarif`: valid against the official SARIF 2.1.0 schema, rules metadata, locations,
suppressions, related locations, and fingerprints that survive line shifts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubelint.config import Config
from kubelint.engine import lint_sources
from kubelint.model import (Diagnostic, LintResult, Origin, Position, RelatedLocation,
                            ResourceRef, Severity, Span)
from kubelint.report import sarif
from kubelint.rule import Rule
from kubelint.rules import ALL_RULES
from kubelint.sources import SourceFile

from .helpers import lint_text

HELM_STREAM = """\
---
# Source: mychart/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
    ignore-check.kubelint.io/run-as-non-root: "checked by the platform team"
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.25
          securityContext:
            privileged: true  # kubelint: disable=privileged-container
            allowPrivilegeEscalation: true
"""


def span(line: int, col: int, end_line: int, end_col: int) -> Span:
    return Span(Position(line, col), Position(end_line, end_col))


def run_of(result: LintResult, root: str = "/repo", rules=ALL_RULES) -> dict:
    return json.loads(sarif.render(result, rules, root=root))["runs"][0]


def mixed_result() -> LintResult:
    """Suppressed (inline, annotation, config), Helm-origin, related and stdin diagnostics."""
    linted = lint_sources([SourceFile("-", HELM_STREAM), SourceFile("k8s/d.yaml", HELM_STREAM)],
                          Config(select=("security",)))
    related = RelatedLocation("k8s/my pdb.yaml", span(5, 3, 5, 12),
                              "PodDisruptionBudget 'web' selects these pods")
    extra = (
        Diagnostic("blocking-pod-disruption-budget", Severity.WARNING,
                   "PodDisruptionBudget 'web' allows no disruption", "k8s/\u00fcber.yaml",
                   span(7, 3, 7, 20), ("spec", "maxUnavailable"),
                   ResourceRef("policy/v1", "PodDisruptionBudget", "web", None),
                   related=(related,)),
        Diagnostic("privileged-container", Severity.ERROR, "container 'x' is privileged",
                   "/elsewhere/x.yaml", span(3, 1, 3, 5),
                   suppressed_by="config: rules.privileged-container.exclude"),
        Diagnostic("yaml-syntax", Severity.ERROR, "cannot read YAML: mapping values",
                   "broken.yaml", span(2, 4, 2, 5)),
    )
    return LintResult(linted.diagnostics + extra, linted.files + 3, linted.documents,
                      linted.resources)


def test_output_is_valid_sarif(shared: Path):
    import jsonschema

    schema = json.loads((shared / "schemas" / "sarif-schema-2.1.0.json").read_text())
    doc = json.loads(sarif.render(mixed_result(), ALL_RULES, root="/repo"))
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(doc), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
    assert doc["version"] == "2.1.0"
    assert doc["$schema"] == sarif.SARIF_SCHEMA
    assert len(doc["runs"]) == 1


def test_driver_describes_every_rule():
    run = run_of(LintResult((), 0, 0, 0))
    driver = run["tool"]["driver"]
    assert driver["name"] == "kubelint"
    assert driver["informationUri"] == "https://github.com/kubelint/kubelint"
    assert [r["id"] for r in driver["rules"]] == [r.id for r in ALL_RULES]
    by_id = {r["id"]: r for r in driver["rules"]}
    priv = by_id["privileged-container"]
    rule = next(r for r in ALL_RULES if r.id == "privileged-container")
    assert priv["name"] == "PrivilegedContainer"
    assert priv["shortDescription"] == {"text": rule.summary}
    assert priv["fullDescription"] == {"text": rule.rationale}
    assert priv["helpUri"] == ("https://github.com/kubelint/kubelint/blob/main/docs/rules/"
                               "privileged-container.md")
    assert priv["help"]["text"].startswith(rule.remediation)
    assert f"[Rule documentation]({priv['helpUri']})" in priv["help"]["markdown"]
    assert priv["defaultConfiguration"] == {"level": "error", "enabled": rule.default_enabled}
    assert priv["properties"] == {"category": "security", "tags": ["kubernetes", "security"]}
    levels = {r.severity: by_id[r.id]["defaultConfiguration"]["level"] for r in ALL_RULES}
    assert levels == {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    assert run["results"] == []


def test_aliases_become_deprecated_ids():
    old = Rule(id="new-name", category="hygiene", severity=Severity.INFO, summary="s.",
               rationale="r.", remediation="Do it.", aliases=("old-name",),
               references=("https://example.com/ref",))
    (desc,) = run_of(LintResult((), 0, 0, 0), rules=(old,))["tool"]["driver"]["rules"]
    assert desc["deprecatedIds"] == ["old-name"]
    assert "- <https://example.com/ref>" in desc["help"]["markdown"]
    assert desc["help"]["text"].endswith("\nhttps://example.com/ref")


def test_results_locations_and_uris():
    run = run_of(mixed_result())
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///repo/"}}
    rules = run["tool"]["driver"]["rules"]
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    by_file: dict[str, list[dict]] = {}
    for res in run["results"]:
        loc = res["locations"][0]["physicalLocation"]["artifactLocation"]
        by_file.setdefault(loc["uri"], []).append(res)
        if loc["uri"] == "stdin":
            assert loc == {"uri": "stdin", "description": {"text": "standard input"}}
        elif loc["uri"].startswith("file:"):
            assert "uriBaseId" not in loc
        else:
            assert loc["uriBaseId"] == "%SRCROOT%"
    assert set(by_file) == {"stdin", "k8s/d.yaml", "k8s/%C3%BCber.yaml",
                            "file:///elsewhere/x.yaml", "broken.yaml"}
    priv = next(r for r in by_file["k8s/d.yaml"] if r["ruleId"] == "privileged-container")
    assert priv["level"] == "error"
    assert priv["message"] == {"text": "container 'app' is privileged"}
    assert priv["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 17, "startColumn": 13, "endLine": 17, "endColumn": 29}
    assert priv["properties"]["path"] == \
        "spec.template.spec.containers[0].securityContext.privileged"
    assert priv["properties"]["resource"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                              "namespace": "shop", "name": "web"}


def test_suppressed_results_carry_suppressions():
    run = run_of(mixed_result())
    found = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"]):
             r.get("suppressions") for r in run["results"]}
    assert found[("k8s/d.yaml", "privileged-container")] == [{
        "kind": "inSource", "status": "accepted", "justification": "inline: disable at line 17"}]
    assert found[("stdin", "run-as-non-root")] == [{
        "kind": "inSource", "status": "accepted",
        "justification": "annotation: ignore-check.kubelint.io/run-as-non-root"}]
    assert found[("file:///elsewhere/x.yaml", "privileged-container")] == [{
        "kind": "external", "status": "accepted",
        "justification": "config: rules.privileged-container.exclude"}]
    assert found[("k8s/d.yaml", "privilege-escalation-container")] is None


def test_related_locations_for_helm_origins_and_related_objects():
    run = run_of(mixed_result())
    helm = next(r for r in run["results"] if r["ruleId"] == "privilege-escalation-container")
    assert helm["relatedLocations"] == [{
        "id": 0,
        "physicalLocation": {"artifactLocation": {"uri": "mychart/templates/deploy.yaml",
                                                  "uriBaseId": "HELM_CHARTS"}},
        "message": {"text": "rendered from Helm template mychart/templates/deploy.yaml"}}]
    assert helm["properties"]["helmTemplate"] == "mychart/templates/deploy.yaml"
    pdb = next(r for r in run["results"] if r["ruleId"] == "blocking-pod-disruption-budget")
    assert pdb["relatedLocations"] == [{
        "id": 0,
        "physicalLocation": {
            "artifactLocation": {"uri": "k8s/my%20pdb.yaml", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 5, "startColumn": 3, "endLine": 5, "endColumn": 12}},
        "message": {"text": "PodDisruptionBudget 'web' selects these pods"}}]


def fingerprints(text: str) -> dict[tuple[str, str], tuple[str, int]]:
    run = run_of(lint_text(text, select=("security",), name="k8s/d.yaml"))
    out = {}
    for r in run["results"]:
        key = (r["ruleId"], r.get("properties", {}).get("path", ""))
        assert key not in out
        out[key] = (r["partialFingerprints"]["kubelint/v1"],
                    r["locations"][0]["physicalLocation"]["region"]["startLine"])
    return out


def test_fingerprints_are_stable_under_line_shifts():
    before = fingerprints(HELM_STREAM)
    shifted = HELM_STREAM.replace("metadata:\n", "# a comment\n\nmetadata:\n", 1).replace(
        "          image:", "          # pinned below\n          image:", 1)
    after = fingerprints(shifted)
    assert before.keys() == after.keys() and len(before) > 3
    for key, (fp, line) in before.items():
        assert after[key][0] == fp, key
        assert after[key][1] > line, key  # the lines did move
    assert len({fp for fp, _ in before.values()}) == len(before)


def test_fingerprints_separate_repeats_and_change_with_identity():
    d = Diagnostic("yaml-syntax", Severity.ERROR, "cannot read YAML", "a.yaml", span(1, 1, 1, 2))
    twice = run_of(LintResult((d, Diagnostic("yaml-syntax", Severity.ERROR, "cannot read YAML",
                                             "a.yaml", span(9, 1, 9, 2))), 1, 1, 0))
    prints = [r["partialFingerprints"]["kubelint/v1"] for r in twice["results"]]
    assert prints[0].endswith(":1") and prints[1].endswith(":2")
    assert prints[0].split(":")[0] == prints[1].split(":")[0]
    other_file = run_of(LintResult((Diagnostic("yaml-syntax", Severity.ERROR, "cannot read YAML",
                                               "b.yaml", span(1, 1, 1, 2)),), 1, 1, 0))
    assert other_file["results"][0]["partialFingerprints"] != twice["results"][0][
        "partialFingerprints"]


def test_render_defaults_to_the_working_directory(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path):
    monkeypatch.chdir(tmp_path)
    d = Diagnostic("yaml-syntax", Severity.ERROR, "m", "sub/a.yaml", span(1, 1, 1, 2),
                   origin=Origin("c/templates/t.yaml"))
    run = json.loads(sarif.render(LintResult((d,), 1, 1, 0)))["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/" \
        or run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    loc = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "sub/a.yaml", "uriBaseId": "%SRCROOT%"}
    assert "ruleIndex" not in run["results"][0]  # no rules given
