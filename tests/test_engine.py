"""The engine: locating findings, List items, crashing rules, the bundle index, Helm origins."""

from __future__ import annotations

from kubelint.config import Config
from kubelint.engine import lint_sources
from kubelint.model import Finding, Related, Severity, format_path
from kubelint.rule import rule
from kubelint.rules import ALL_RULES
from kubelint.sources import SourceFile
from tests.helpers import brief, found

POD = """apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: nginx:1.25
    securityContext: {privileged: true}
"""


def test_list_items_get_document_absolute_paths_and_fix_paths():
    text = "apiVersion: v1\nkind: List\nitems:\n" + "".join(
        "- " + line if i == 0 else "  " + line for i, line in enumerate(POD.splitlines(True)))
    [d] = found(text, "privileged-container")
    assert (d.span.start.line, d.span.start.col) == (11, 25)
    assert format_path(d.path) == "items[0].spec.containers[0].securityContext.privileged"
    assert [format_path(e.path) for e in d.fix.edits] == [format_path(d.path)]
    assert d.resource.kind == "Pod" and d.resource.name == "p"


@rule(id="boom", category="hygiene", severity=Severity.WARNING, summary="Crashes.",
      rationale="Test.", remediation="None.")
def boom(res, ctx):
    yield Finding(("metadata",), "never reported: the rule crashes before it finishes")
    raise RuntimeError("kaput")


def test_a_crashing_rule_gives_internal_error_and_the_run_goes_on():
    rules = (*ALL_RULES, boom)
    result = lint_sources([SourceFile("a.yaml", POD)], Config(select=("boom", "privileged-container")),
                          rules)
    assert brief(list(result.active)) == [
        "3:12 internal-error rule boom crashed on Pod p: RuntimeError: kaput",
        "8:23 privileged-container container 'c' is privileged",
    ]


@rule(id="sibling-count", category="hygiene", severity=Severity.INFO, summary="Counts.",
      rationale="Test.", remediation="None.", scope="bundle")
def sibling_count(res, ctx):
    yield Finding(("metadata", "name"), f"{len(ctx.index.resources)} resources in the bundle")


def test_bundle_rules_see_resources_of_every_file():
    files = [SourceFile("a.yaml", POD), SourceFile("b.yaml", POD.replace("name: p", "name: q"))]
    result = lint_sources(files, Config(select=("sibling-count",)), (*ALL_RULES, sibling_count))
    assert [d.message for d in result.active] == ["2 resources in the bundle"] * 2


def test_helm_source_comment_becomes_origin_of_each_document():
    text = ("---\n# Source: web/templates/pod.yaml\n" + POD +
            "---\n# Source: web/templates/other.yaml\n" + POD.replace("name: p", "name: q"))
    result = lint_sources([SourceFile("-", text)], Config(select=("privileged-container",)))
    assert [(d.file, d.span.start.line, d.origin.template) for d in result.active] == [
        ("-", 10, "web/templates/pod.yaml"), ("-", 20, "web/templates/other.yaml")]


def test_other_documents_are_linted_after_a_syntax_error():
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: [oops\n---\n" + POD
    result = lint_sources([SourceFile("x.yaml", text)], Config(select=("privileged-container",)))
    assert brief(list(result.active)) == [
        "4:1 yaml-syntax invalid YAML: while parsing a flow sequence, did not find expected ',' or ']'",
        "12:23 privileged-container container 'c' is privileged",
    ]


@rule(id="points-elsewhere", category="hygiene", severity=Severity.INFO, summary="Relates.",
      rationale="Test.", remediation="None.", scope="bundle")
def points_elsewhere(res, ctx):
    others = [r for r in ctx.index.resources if r is not res]
    yield Finding(("metadata", "name"), "see the other pod",
                  related=tuple(Related(o, ("spec", "containers", 0), "the other pod's container")
                                for o in others))


def test_related_objects_are_located_in_their_own_files():
    files = [SourceFile("a.yaml", POD), SourceFile("b.yaml", POD.replace("name: p", "name: q"))]
    result = lint_sources(files, Config(select=("points-elsewhere",)), (*ALL_RULES, points_elsewhere))
    first = result.active[0]
    assert [(r.file, r.span.start.line, r.span.start.col, r.message) for r in first.related] == [
        ("b.yaml", 6, 5, "the other pod's container")]
