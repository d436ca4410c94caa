"""Suppression: inline directives, annotations, config per-file ignores, unused/invalid reports."""

from __future__ import annotations

import json
import textwrap

import pytest

from kubelint.config import Config, RuleSettings
from kubelint.model import Diagnostic
from kubelint.parse import parse_text
from kubelint.suppress import parse_directives
from tests.helpers import lint_text
from tests.test_config import cli

PRIV = "privileged-container"


def lint(text: str, *select: str, config: Config | None = None, name: str = "test.yaml"):
    """Every diagnostic (suppressed ones too) as `line:col rule [suppressed_by]`."""
    cfg = config or Config(select=select or (PRIV,))
    result = lint_text(textwrap.dedent(text), config=cfg, name=name)
    return [_show(d) for d in result.diagnostics]


def _show(d: Diagnostic) -> str:
    text = f"{d.span.start.line}:{d.span.start.col} {d.rule_id}"
    return text + (f" [{d.suppressed_by}]" if d.suppressed_by else "")


def deployment(containers: str, annotations: str = "") -> str:
    meta = f"\n  annotations:\n{textwrap.indent(textwrap.dedent(annotations), '    ')}" \
        if annotations else ""
    return ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web" + meta.rstrip("\n")
            + "\nspec:\n  template:\n    spec:\n      containers:\n"
            + textwrap.indent(textwrap.dedent(containers), "        "))


# --- inline directives ---------------------------------------------------------------------------

def test_trailing_directive_on_a_parent_key_covers_its_children():
    text = deployment("""\
        - name: a
          securityContext:  # kubelint: disable=privileged-container
            privileged: true
        - name: b
          securityContext:
            privileged: true
        """)
    assert lint(text) == [
        f"11:13 {PRIV} [inline: disable at line 10]",
        f"14:13 {PRIV}",
    ]


def test_trailing_directive_covers_its_own_line():
    text = deployment("""\
        - name: a
          securityContext:
            privileged: true  # kubelint: disable=privileged-container -- needs /dev/fuse
        """)
    assert lint(text) == [f"11:13 {PRIV} [inline: disable at line 11]"]


def test_lone_directive_covers_the_next_content_line_and_the_node_there():
    text = deployment("""\
        # kubelint: disable=privileged-container

        # (blank lines and other comments in between are skipped)
        - name: a
          securityContext: {privileged: true}
        - name: b
          securityContext: {privileged: true}
        """)
    assert lint(text) == [
        f"13:29 {PRIV} [inline: disable at line 9]",
        f"15:29 {PRIV}",
    ]


def test_lone_directive_does_not_reach_past_the_next_line():
    text = deployment("""\
        - name: a
          # kubelint: disable=privileged-container
          image: nginx
          securityContext: {privileged: true}
        """)
    assert lint(text) == [f"12:29 {PRIV}"]


def test_bare_disable_covers_every_rule_on_the_node():
    text = deployment("""\
        - name: a
          securityContext:  # kubelint: disable
            privileged: true
            allowPrivilegeEscalation: true
        """)
    got = lint(text, PRIV, "privilege-escalation-container")
    assert got == [f"11:13 {PRIV} [inline: disable at line 10]",
                   "12:13 privilege-escalation-container [inline: disable at line 10]"]


def test_directive_takes_aliases_of_nothing_else_but_ids_and_categories():
    text = deployment("""\
        - name: a
          securityContext:  # kubelint: disable=security
            privileged: true
        """)
    assert lint(text) == [f"11:13 {PRIV} [inline: disable at line 10]"]


def test_directive_for_another_rule_does_not_suppress():
    text = deployment("""\
        - name: a
          securityContext:  # kubelint: disable=latest-tag
            privileged: true
        """)
    assert lint(text) == [f"11:13 {PRIV}"]


def test_directive_spelling_variants():
    text = deployment("""\
        - name: a
          securityContext: {privileged: true}  #kubelint:disable = latest-tag , privileged-container
        """)
    assert lint(text) == [f"10:29 {PRIV} [inline: disable at line 10]"]


@pytest.mark.parametrize("directive, expected", [
    ("# kubelint: disable-file", "[inline: disable-file at line 1]"),
    ("# kubelint: disable-file=privileged-container", "[inline: disable-file at line 1]"),
    ("# kubelint: disable-file=latest-tag", ""),
])
def test_disable_file(directive, expected):
    text = directive + "\n" + deployment("""\
        - name: a
          securityContext: {privileged: true}
        """)
    assert lint(text) == [f"11:29 {PRIV} {expected}".rstrip()]


def test_disable_file_anywhere_covers_the_whole_stream():
    text = deployment("""\
        - name: a
          securityContext: {privileged: true}
        """) + "---\n# kubelint: disable-file=privileged-container\n" + deployment("""\
        - name: b
          securityContext: {privileged: true}
        """)
    assert lint(text) == [f"10:29 {PRIV} [inline: disable-file at line 12]",
                          f"22:29 {PRIV} [inline: disable-file at line 12]"]


def test_disable_file_in_a_helm_stream_covers_its_template_only():
    pod = deployment("""\
        - name: a
          securityContext: {privileged: true}
        """)
    text = ("---\n# Source: chart/templates/a.yaml\n# kubelint: disable-file\n" + pod
            + "---\n# Source: chart/templates/b.yaml\n" + pod)
    assert lint(text) == [f"13:29 {PRIV} [inline: disable-file at line 3]", f"25:29 {PRIV}"]


def test_disable_file_above_the_first_helm_source_covers_everything():
    pod = deployment("""\
        - name: a
          securityContext: {privileged: true}
        """)
    text = ("# kubelint: disable-file\n---\n# Source: chart/templates/a.yaml\n" + pod
            + "---\n# Source: chart/templates/b.yaml\n" + pod)
    assert lint(text) == [f"13:29 {PRIV} [inline: disable-file at line 1]",
                          f"25:29 {PRIV} [inline: disable-file at line 1]"]


# --- what is not a comment -----------------------------------------------------------------------

CONFIGMAP_WITH_SCRIPT = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: scripts
data:
  run.sh: |  # kubelint: disable=latest-tag
    #!/bin/sh
    # kubelint: disable-file
    echo "# kubelint: disable" # kubelint: enable
  quoted: "a # kubelint: disable-file"  # kubelint: disable=privileged-container
  multi: "first line
    # kubelint: disable-file"
  plain: a#kubelint:disable-file
---
"""


def test_directive_text_inside_scalars_is_not_a_directive():
    documents = parse_text(CONFIGMAP_WITH_SCRIPT).documents
    directives = parse_directives(CONFIGMAP_WITH_SCRIPT, documents)
    assert directives.file_wide == []
    assert directives.malformed == []
    found = [(d.line, d.col, [n.text for n in d.names]) for d in directives.all]
    assert found == [(6, 14, ["latest-tag"]), (10, 41, [PRIV])]


def test_script_with_directive_text_does_not_hide_findings_in_the_file():
    text = CONFIGMAP_WITH_SCRIPT + deployment("""\
        - name: a
          securityContext: {privileged: true}
        """)
    assert lint(text) == [f"24:29 {PRIV}"]


def test_unparsable_document_still_has_directives():
    text = "a: 1\n# kubelint: disable=yaml-syntax\nb: c: d\n"
    assert lint(text, "yaml-syntax") == ["3:5 yaml-syntax [inline: disable at line 2]"]


# --- invalid-suppression -------------------------------------------------------------------------

def test_unknown_rule_in_directive_is_reported_at_the_id():
    text = deployment("""\
        - name: a
          securityContext:  # kubelint: disable=privileged-containr,latest-tag
            privileged: true
        """)
    result = lint_text(text, config=Config(select=(PRIV, "invalid-suppression")))
    assert [(_show(d), d.message) for d in result.diagnostics] == [
        ("10:49 invalid-suppression", "unknown rule 'privileged-containr' in suppression "
                                      "directive; did you mean 'privileged-container'?"),
        (f"11:13 {PRIV}", "container 'a' is privileged"),
    ]


@pytest.mark.parametrize("comment", [
    "# kubelint: enable", "# kubelint: disable-next-line", "# kubelint: disable=",
    "# kubelint: disable=a b", "# kubelint: disable=a,", "# kubelint: disable because",
])
def test_malformed_directive_is_reported_at_the_comment(comment):
    text = f"a: 1  {comment}\n"
    result = lint_text(text, select=("invalid-suppression",))
    assert [(_show(d), d.span.end.col) for d in result.diagnostics] == [
        ("1:7 invalid-suppression", 7 + len(comment))]
    assert result.diagnostics[0].message.startswith("malformed suppression directive; use ")


def test_invalid_suppression_is_on_by_default_and_can_itself_be_suppressed():
    text = "a: 1  # kubelint: disable=nope\nb: 2  # kubelint: disable=nope,invalid-suppression\n"
    result = lint_text(text, config=Config())
    assert [_show(d) for d in result.diagnostics] == [
        "1:27 invalid-suppression",
        "2:27 invalid-suppression [inline: disable at line 2]",
    ]


# --- annotations ---------------------------------------------------------------------------------

CONTAINER = """\
    - name: a
      securityContext: {privileged: true}
    """


@pytest.mark.parametrize("annotation, expected", [
    ('ignore-check.kubelint.io/privileged-container: "needs host devices"',
     "annotation: ignore-check.kubelint.io/privileged-container"),
    ('ignore-check.kubelint.io/security: "legacy"',
     "annotation: ignore-check.kubelint.io/security"),
    ('kubelint.io/ignore-all: ""', "annotation: kubelint.io/ignore-all"),
    ('ignore-check.kube-linter.io/privileged-container: "legacy"',
     "annotation: ignore-check.kube-linter.io/privileged-container"),
    ('kube-linter.io/ignore-all: ""', "annotation: kube-linter.io/ignore-all"),
    ('ignore-check.kube-linter.io/latest-tag: "other check"', None),
    ('ignore-check.kubelint.io/latest-tag: "other rule"', None),
])
def test_annotations(annotation, expected):
    result = lint_text(deployment(CONTAINER, annotation + "\n"), select=(PRIV,))
    assert [(d.rule_id, d.span.start.line, d.suppressed_by) for d in result.diagnostics] == [
        (PRIV, 12, expected)]


def test_kube_linter_ignore_all_spares_rules_without_a_kube_linter_equivalent():
    from kubelint.rules import ALL_RULES
    from kubelint.suppress import annotation_suppression

    rule = next(r for r in ALL_RULES if "kube-linter" not in r.equivalents)
    assert annotation_suppression({"kube-linter.io/ignore-all": ""}, rule) is None


def test_annotation_with_unknown_rule_is_reported_at_its_key():
    text = deployment(CONTAINER, 'ignore-check.kubelint.io/privileged-containers: "x"\n')
    result = lint_text(text, select=(PRIV, "invalid-suppression"))
    assert [(_show(d), d.message) for d in result.diagnostics] == [
        ("6:5 invalid-suppression",
         "unknown rule 'privileged-containers' in annotation "
         "'ignore-check.kubelint.io/privileged-containers'; did you mean 'privileged-container'?"),
        (f"12:29 {PRIV}", "container 'a' is privileged"),
    ]


# --- config --------------------------------------------------------------------------------------

def test_config_per_file_ignores_and_rule_excludes_suppress(tmp_path):
    text = deployment(CONTAINER)
    cfg = Config(select=(PRIV,), per_file_ignores={"legacy/**": ("security",)},
                 source=str(tmp_path / ".kubelint.yaml"))
    assert lint(text, config=cfg, name=str(tmp_path / "legacy" / "a" / "x.yaml")) == [
        f"10:29 {PRIV} [config: per-file-ignores['legacy/**']]"]
    assert lint(text, config=cfg, name=str(tmp_path / "x.yaml")) == [f"10:29 {PRIV}"]
    cfg = Config(select=(PRIV,), rules={PRIV: RuleSettings(exclude=("*.dev.yaml",))},
                 source=str(tmp_path / ".kubelint.yaml"))
    assert lint(text, config=cfg, name=str(tmp_path / "a" / "x.dev.yaml")) == [
        f"10:29 {PRIV} [config: rules.privileged-container.exclude]"]


def test_inline_wins_over_annotation_and_config(tmp_path):
    text = deployment("""\
        - name: a
          securityContext: {privileged: true}  # kubelint: disable=privileged-container
        """, "kubelint.io/ignore-all: \"\"\n")
    cfg = Config(select=(PRIV,), per_file_ignores={"*.yaml": (PRIV,)})
    assert lint(text, config=cfg) == [f"12:29 {PRIV} [inline: disable at line 12]"]


# --- unused-suppression --------------------------------------------------------------------------

UNUSED = "unused-suppression"


def test_unused_suppression_is_opt_in():
    text = "a: 1  # kubelint: disable=privileged-container\n"
    assert lint(text, PRIV) == []
    assert lint(text, config=Config(extend_select=(UNUSED,))) == ["1:27 unused-suppression"]


def test_unused_suppression_points_at_each_unused_id():
    text = deployment("""\
        - name: a
          securityContext:  # kubelint: disable=latest-tag,privileged-container,privileged-container
            privileged: true
        """)
    result = lint_text(text, select=(PRIV, "latest-tag", UNUSED))
    assert [(_show(d), d.message) for d in result.diagnostics] == [
        ("10:49 unused-suppression", "suppression of 'latest-tag' matches no diagnostic here"),
        (f"11:13 {PRIV} [inline: disable at line 10]", "container 'a' is privileged"),
    ]


def test_a_duplicate_directive_is_unused():
    text = deployment("""\
        # kubelint: disable=privileged-container
        - name: a  # kubelint: disable=privileged-container
          securityContext: {privileged: true}
        """)
    assert lint(text, PRIV, UNUSED) == [
        "10:40 unused-suppression", f"11:29 {PRIV} [inline: disable at line 9]"]


def test_unused_is_not_reported_for_rules_that_did_not_run():
    text = "a: 1  # kubelint: disable=latest-tag\n"
    assert lint(text, PRIV, UNUSED) == []
    assert lint(text, PRIV, UNUSED, "latest-tag") == ["1:27 unused-suppression"]


def test_bare_and_file_directives_that_match_nothing():
    text = "# kubelint: disable-file=latest-tag\na: 1  # kubelint: disable\n"
    result = lint_text(text, select=("latest-tag", UNUSED))
    assert [(_show(d), d.message) for d in result.diagnostics] == [
        ("1:26 unused-suppression",
         "suppression of 'latest-tag' matches no diagnostic in this file"),
        ("2:7 unused-suppression", "suppression directive matches no diagnostic here"),
    ]
    assert (result.diagnostics[1].span.start.col, result.diagnostics[1].span.end.col) == (7, 26)


def test_unused_reports_can_be_suppressed_explicitly():
    text = ("a: 1  # kubelint: disable=latest-tag,unused-suppression\n"
            "b: 2  # kubelint: disable\n")
    assert lint(text, "latest-tag", UNUSED) == [
        "1:27 unused-suppression [inline: disable at line 1]", "2:7 unused-suppression"]
    text = "# kubelint: disable-file=unused-suppression\na: 1  # kubelint: disable\n"
    assert lint(text, "latest-tag", UNUSED) == [
        "2:7 unused-suppression [inline: disable-file at line 1]"]


def test_unknown_ids_are_invalid_not_unused():
    text = "a: 1  # kubelint: disable=nope\n"
    assert lint(text, "all") == ["1:27 invalid-suppression"]


# --- output --------------------------------------------------------------------------------------

def test_text_hides_suppressed_and_json_keeps_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.yaml").write_text(deployment("""\
        - name: a
          securityContext: {privileged: true}  # kubelint: disable=privileged-container
        """))
    text = cli("lint", "d.yaml", "--select", PRIV)
    assert (text.exit_code, text.stdout) == (
        0, "no problems, 1 suppressed in 1 resource from 1 file\n")
    shown = cli("lint", "d.yaml", "--select", PRIV, "--show-suppressed", "-q")
    assert shown.stdout == ("d.yaml:10:29: error privileged-container container 'a' is privileged"
                            " [suppressed by inline: disable at line 10]\n")
    out = cli("lint", "d.yaml", "--select", PRIV, "--format", "json", "--show-suppressed")
    data = json.loads(out.stdout)
    assert [(d["rule"], d["line"], d["suppressed"]) for d in data["diagnostics"]] == [
        (PRIV, 10, "inline: disable at line 10")]
    assert data["summary"]["suppressed"] == 1


def test_crlf_line_endings():
    text = deployment("""\
        - name: a
          securityContext: {privileged: true}  # kubelint: disable=privileged-container
        """).replace("\n", "\r\n")
    assert lint(text) == [f"10:29 {PRIV} [inline: disable at line 10]"]
