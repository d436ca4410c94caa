"""Machine output formats: GitHub annotations, JUnit XML, LSP diagnostics, gcc lines (SARIF has
its own module). Results are built directly from kubelint.model or linted from snippets, and the
output is checked field by field: escaping, parsed XML, 0-based UTF-16 ranges."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kubelint.model import (DeleteKey, Diagnostic, Fix, LintResult, Origin, Position,
                            RelatedLocation, ResourceRef, Safety, SetValue, Severity, Span)
from kubelint.report import FORMATS, renderer
from kubelint.report import github, gcc, junit, lsp
from kubelint.rules import ALL_RULES

from .helpers import lint_text

ROOT = "/repo"
WEB = ResourceRef("apps/v1", "Deployment", "web", "shop")


def span(line: int, col: int, end_line: int | None = None, end_col: int | None = None) -> Span:
    return Span(Position(line, col), Position(end_line or line, end_col or col + 1))


def diag(rule_id: str = "privileged-container", *, severity: Severity = Severity.ERROR,
         message: str = "container 'app' is privileged", file: str = "k8s/deploy.yaml",
         where: Span | None = None, **kw) -> Diagnostic:
    return Diagnostic(rule_id=rule_id, severity=severity, message=message, file=file,
                      span=where or span(13, 13, 13, 29),
                      path=("spec", "template", "spec", "containers", 0, "securityContext",
                            "privileged"), resource=WEB, **kw)


def result(*diagnostics: Diagnostic) -> LintResult:
    return LintResult(diagnostics=tuple(diagnostics), files=2, documents=2, resources=2)


# --- the registry ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", FORMATS)
def test_every_format_renders_empty_and_full_results(name):
    render = renderer(name)
    full = result(diag(), diag("latest-tag", severity=Severity.WARNING, message="m",
                               suppressed_by="inline: disable at line 3"))
    for res in (result(), full):
        out = render(res, ALL_RULES, color=False, quiet=False, show_suppressed=False)
        assert isinstance(out, str)


def test_machine_formats_are_registered():
    assert {"sarif", "github", "junit", "lsp", "gcc"} <= set(FORMATS)
    with pytest.raises(ValueError, match="unknown format"):
        renderer("xml")


# --- GitHub Actions -------------------------------------------------------------------------

def test_github_annotation_fields_and_levels():
    out = github.render(result(
        diag(),
        diag("latest-tag", severity=Severity.WARNING, message="image 'nginx' has no tag",
             where=span(11, 18, 11, 30)),
        diag("host-aliases", severity=Severity.INFO, message="pod pins host names",
             where=span(20, 5, 20, 6)),
    ), ALL_RULES, root=ROOT)
    assert out.splitlines() == [
        "::warning file=k8s/deploy.yaml,line=11,col=18,endColumn=29,title=latest-tag::"
        "image 'nginx' has no tag",
        "::error file=k8s/deploy.yaml,line=13,col=13,endColumn=28,title=privileged-container::"
        "container 'app' is privileged",
        "::notice file=k8s/deploy.yaml,line=20,col=5,endColumn=5,title=host-aliases::"
        "pod pins host names",
    ]


def test_github_escapes_messages_and_properties():
    d = diag(message="100% bad\r\nnext line: a, b", file="odd,name:x.yaml")
    (line,) = github.render(result(d), root=ROOT).splitlines()
    assert line == ("::error file=odd%2Cname%3Ax.yaml,line=13,col=13,endColumn=28,"
                    "title=privileged-container::100%25 bad%0D%0Anext line: a, b")


def test_github_multi_line_span_has_lines_but_no_columns():
    d = diag(where=span(10, 11, 14, 30))
    assert github.render(result(d), root=ROOT) == (
        "::error file=k8s/deploy.yaml,line=10,endLine=14,title=privileged-container::"
        "container 'app' is privileged\n")


def test_github_paths_stdin_origin_and_suppressed():
    out = github.render(result(
        diag(file="-"),
        diag(file="/repo/./charts/x.yaml", origin=Origin("mychart/templates/deploy.yaml")),
        diag(file="/elsewhere/y.yaml"),
        diag(file="z.yaml", suppressed_by="annotation: kubelint.io/ignore-all"),
    ), root=ROOT).splitlines()
    assert out == [
        "::error line=13,col=13,endColumn=28,title=privileged-container::"
        "container 'app' is privileged",
        "::error file=/elsewhere/y.yaml,line=13,col=13,endColumn=28,title=privileged-container::"
        "container 'app' is privileged",
        "::error file=charts/x.yaml,line=13,col=13,endColumn=28,title=privileged-container::"
        "container 'app' is privileged (from Helm template mychart/templates/deploy.yaml)",
    ]


def test_github_clean_run_prints_nothing():
    assert github.render(result()) == ""


# --- gcc ------------------------------------------------------------------------------------

def test_gcc_lines():
    related = RelatedLocation("k8s/pdb.yaml", span(4, 3), "PodDisruptionBudget 'web' selects it")
    out = gcc.render(result(
        diag(related=(related,)),
        diag("host-aliases", severity=Severity.INFO, message="pod pins host names", file="-",
             where=span(2, 1), origin=Origin("c/templates/p.yaml")),
        diag(file="k8s/z.yaml", suppressed_by="config: rules.privileged-container.exclude"),
    ))
    assert out.splitlines() == [
        "<stdin>:2:1: note: pod pins host names (from c/templates/p.yaml) [host-aliases]",
        "k8s/deploy.yaml:13:13: error: container 'app' is privileged [privileged-container]",
        "k8s/pdb.yaml:4:3: note: PodDisruptionBudget 'web' selects it",
    ]


# --- JUnit ----------------------------------------------------------------------------------

def parse_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def test_junit_one_testcase_per_file_and_rule():
    out = junit.render(result(
        diag(),
        diag(where=span(20, 13, 20, 29), message="container 'sidecar' is privileged"),
        diag("latest-tag", severity=Severity.WARNING, message="image 'nginx' has no tag",
             file="b.yaml", where=span(3, 5, 3, 9)),
    ), ALL_RULES)
    root = parse_junit(out)
    assert root.tag == "testsuites"
    (suite,) = root
    assert suite.tag == "testsuite" and suite.get("name") == "kubelint"
    assert {k: suite.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "2", "failures": "2", "errors": "0", "skipped": "0"}
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name"), c.get("file")) for c in cases] == [
        ("b.yaml", "latest-tag", "b.yaml"),
        ("k8s/deploy.yaml", "privileged-container", "k8s/deploy.yaml")]
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("type") == "error"
    assert failure.get("message") == "container 'app' is privileged (and 1 more)"
    assert failure.text == (
        "k8s/deploy.yaml:13:13: error: container 'app' is privileged [privileged-container]\n"
        "k8s/deploy.yaml:20:13: error: container 'sidecar' is privileged [privileged-container]")
    warning = cases[0].find("failure")
    assert warning is not None and warning.get("type") == "warning"
    assert warning.get("message") == "image 'nginx' has no tag"


def test_junit_escapes_markup_and_control_characters():
    nasty = "value <b>&amp;</b> \"quoted\" 'single'\x07\x00 \ud800 \U0001f600 end"
    root = parse_junit(junit.render(result(diag(message=nasty, file="a&b<c>.yaml"))))
    case = root.find("testsuite/testcase")
    assert case is not None and case.get("classname") == "a&b<c>.yaml"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == ("value <b>&amp;</b> \"quoted\" 'single'\\x07\\x00 \\ud800 "
                                      "\U0001f600 end")


def test_junit_clean_run_has_a_passing_test():
    root = parse_junit(junit.render(result()))
    cases = root.findall("testsuite/testcase")
    assert [(c.get("classname"), c.get("name"), list(c)) for c in cases] == [
        ("kubelint", "kubelint", [])]
    assert root.get("tests") == "1" and root.get("failures") == "0"


def test_junit_texts_list_clean_files_and_suppressed_are_skipped():
    res = result(diag(), diag("latest-tag", severity=Severity.WARNING, message="m",
                              suppressed_by="inline: disable at line 11"))
    texts = {"k8s/deploy.yaml": "", "k8s/clean.yaml": "", "-": ""}
    root = parse_junit(junit.render(res, ALL_RULES, texts=texts, show_suppressed=True))
    cases = root.findall("testsuite/testcase")
    assert [(c.get("classname"), c.get("name"), [e.tag for e in c]) for c in cases] == [
        ("<stdin>", "kubelint", []),
        ("k8s/clean.yaml", "kubelint", []),
        ("k8s/deploy.yaml", "latest-tag", ["skipped"]),
        ("k8s/deploy.yaml", "privileged-container", ["failure"]),
    ]
    skipped = cases[2].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "suppressed by inline: disable at line 11"
    assert root.get("skipped") == "1" and root.get("tests") == "4"
    # Without show_suppressed the suppressed rule is not a test at all.
    plain = parse_junit(junit.render(res, ALL_RULES, texts=texts))
    assert [c.get("name") for c in plain.findall("testsuite/testcase")] == [
        "kubelint", "kubelint", "privileged-container"]


# --- LSP ------------------------------------------------------------------------------------

EMOJI_FLOW = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers: [{name: "\U0001f600\U0001f600", image: nginx}]
"""


def test_lsp_converts_code_points_to_utf16_after_an_astral_character():
    res = lint_text(EMOJI_FLOW, select=("latest-tag",))
    (d,) = res.active
    line = EMOJI_FLOW.splitlines()[5]
    assert d.span.start == Position(6, line.index("image") + 1)  # code points, 1-based
    doc = json.loads(lsp.render(res, ALL_RULES, texts={"test.yaml": EMOJI_FLOW}, root="/work"))
    (diags,) = doc.values()
    (item,) = diags
    # Two emoji before the key: each is one code point but two UTF-16 code units.
    assert item["range"] == {
        "start": {"line": 5, "character": line.index("image") + 2},
        "end": {"line": 5, "character": line.index("nginx") + len("nginx") + 2}}
    assert item["code"] == "latest-tag"
    # Without the text the columns pass through as code points.
    bare = json.loads(lsp.render(res, ALL_RULES, root="/work"))
    assert bare["file:///work/test.yaml"][0]["range"]["start"] == {
        "line": 5, "character": line.index("image")}


def test_lsp_position_mapping_handles_astral_crlf_and_lone_cr():
    text = "a: \U0001f600b\r\nc: d\re: f\n"
    m = lsp.LineMap(text)
    assert m.position(Position(1, 5)) == {"line": 0, "character": 5}  # after the emoji
    assert m.position(Position(1, 99)) == {"line": 0, "character": 6}  # clamped before \r\n
    # kubelint counts lines at \n only; an editor also breaks at the lone \r.
    assert m.position(Position(2, 6)) == {"line": 2, "character": 0}
    assert m.position(Position(2, 9)) == {"line": 2, "character": 3}
    assert m.position(Position(9, 1)) == {"line": 3, "character": 0}  # past the end: clamped


def test_lsp_diagnostic_shape():
    related = RelatedLocation("k8s/pdb.yaml", span(4, 3, 4, 10), "budget 'web' selects it")
    fix = Fix("Set privileged: false", (SetValue(("spec", "privileged"), False),
                                       DeleteKey(("spec", "x"))), Safety.UNSAFE)
    res = result(
        diag(related=(related,), fix=fix, origin=Origin("c/templates/d.yaml")),
        diag("latest-tag", severity=Severity.WARNING, message="w", file="-", where=span(1, 1)),
        diag("host-aliases", severity=Severity.INFO, message="i", file="my dir/\u00fc.yaml"),
        diag("privileged-container", file="k8s/other.yaml", suppressed_by="config: x"),
    )
    doc = json.loads(lsp.render(res, ALL_RULES, root="/repo"))
    assert list(doc) == ["untitled:stdin", "file:///repo/k8s/deploy.yaml",
                         "file:///repo/my%20dir/%C3%BC.yaml"]
    (main,) = doc["file:///repo/k8s/deploy.yaml"]
    assert main == {
        "range": {"start": {"line": 12, "character": 12}, "end": {"line": 12, "character": 28}},
        "severity": 1,
        "code": "privileged-container",
        "codeDescription": {"href": "https://github.com/kubelint/kubelint/blob/main/docs/rules/"
                                    "privileged-container.md"},
        "source": "kubelint",
        "message": "container 'app' is privileged",
        "relatedInformation": [{
            "location": {"uri": "file:///repo/k8s/pdb.yaml",
                         "range": {"start": {"line": 3, "character": 2},
                                   "end": {"line": 3, "character": 9}}},
            "message": "budget 'web' selects it"}],
        "data": {
            "path": "spec.template.spec.containers[0].securityContext.privileged",
            "origin": "c/templates/d.yaml",
            "fix": {"title": "Set privileged: false", "safety": "unsafe",
                    "edits": [{"op": "set", "path": "spec.privileged", "value": False},
                              {"op": "delete", "path": "spec.x"}]}},
    }
    assert doc["untitled:stdin"][0]["severity"] == 2
    assert doc["file:///repo/my%20dir/%C3%BC.yaml"][0]["severity"] == 3


def test_lsp_lists_clean_files_and_hints_suppressed_on_request():
    res = result(diag(suppressed_by="inline: disable at line 13"))
    texts = {"k8s/deploy.yaml": "x\n", "k8s/clean.yaml": "y\n"}
    assert json.loads(lsp.render(res, texts=texts, root="/repo")) == {
        "file:///repo/k8s/clean.yaml": [], "file:///repo/k8s/deploy.yaml": []}
    shown = json.loads(lsp.render(res, texts=texts, root="/repo", show_suppressed=True))
    (hint,) = shown["file:///repo/k8s/deploy.yaml"]
    assert hint["severity"] == 4
    assert hint["data"]["suppressed"] == "inline: disable at line 13"


# --- through the command line ---------------------------------------------------------------

PRIVILEGED = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: nginx:1.25
      securityContext:
        privileged: true
"""


@pytest.mark.parametrize("name", ["sarif", "github", "junit", "lsp", "gcc"])
def test_cli_writes_each_format(tmp_path: Path, name: str):
    (tmp_path / ".kubelint.yaml").write_text("")
    (tmp_path / "pod.yaml").write_text(PRIVILEGED)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.run([sys.executable, "-m", "kubelint", "lint", "--format", name,
                           "--select", "privileged-container", "pod.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    if name == "sarif":
        (res,) = json.loads(out)["runs"][0]["results"]
        assert res["ruleId"] == "privileged-container"
        assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 10
    elif name == "github":
        assert out.startswith("::error file=pod.yaml,line=10,col=9,")
    elif name == "junit":
        assert parse_junit(out).get("failures") == "1"
    elif name == "lsp":
        (uri,) = json.loads(out)
        assert uri == (tmp_path / "pod.yaml").resolve().as_uri() or uri.endswith("/pod.yaml")
    else:
        assert out.startswith("pod.yaml:10:9: error: ")
