"""The fixer: edits keep everything else as it was, and `--fix`/`--diff` behave."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kubelint.config import Config
from kubelint.engine import lint_sources
from kubelint.fix import apply_fixes, fix_sources, fix_text, write_fixed
from kubelint.model import (DeleteKey, Diagnostic, Fix, Position, Safety, SetValue, Severity,
                            Span)
from kubelint.sources import SourceFile

SPAN = Span(Position(1, 1), Position(1, 1))


def diag(*edits, document: int = 0, safety: Safety = Safety.SAFE, suppressed: str | None = None,
         rule: str = "test-rule") -> Diagnostic:
    """A diagnostic carrying a fix with these edits."""
    return Diagnostic(rule, Severity.WARNING, "m", "t.yaml", SPAN,
                      fix=Fix("t", tuple(edits), safety), suppressed_by=suppressed,
                      document=document)


def fixed(text: str, *diags: Diagnostic, unsafe: bool = True) -> str:
    new, _ = apply_fixes(text, diags, unsafe=unsafe)
    return new


def lint_fix(text: str, *select: str, unsafe: bool = True) -> tuple[str, int]:
    """Lint with the given rules and apply their fixes until nothing changes."""
    run = fix_sources([SourceFile("t.yaml", text)], Config(select=select), unsafe=unsafe)
    return run.files[0].after, run.files[0].applied


# --- what stays as it was -----------------------------------------------------------------------

DEPLOYMENT = """\
# The web tier.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # keep me
  labels: {app: web, tier: "frontend"}
  annotations:
    note: 'single quoted'
    mode: 0644
    empty: ~
spec:
  template:
    spec:
      hostNetwork: true   # why?
      containers:
      - name: app
        image: "nginx:1.25"
        securityContext:
          privileged: true  # TODO: drop
          # capabilities come later
        # before the sidecar
      - name: sidecar
        image: 'busybox:1.36'
        args: [--verbose, '--port=8080']
        securityContext: {privileged: true}
      # after the containers
"""
CONTAINERS = ("spec", "template", "spec", "containers")


def test_values_change_and_nothing_else():
    got = fixed(DEPLOYMENT,
                diag(SetValue(("spec", "template", "spec", "hostNetwork"), False)),
                diag(SetValue((*CONTAINERS, 0, "securityContext", "privileged"), False)),
                diag(SetValue((*CONTAINERS, 1, "securityContext", "privileged"), False)))
    assert got == DEPLOYMENT.replace(
        "hostNetwork: true   # why?", "hostNetwork: false   # why?").replace(
        "privileged: true  # TODO", "privileged: false  # TODO").replace(
        "{privileged: true}", "{privileged: false}")


def test_new_keys_go_after_the_comments_inside_their_mapping():
    got = fixed(DEPLOYMENT,
                diag(SetValue((*CONTAINERS, 0, "securityContext", "runAsNonRoot"), True)),
                diag(SetValue((*CONTAINERS, 0, "resources", "limits", "memory"), "128Mi")),
                diag(SetValue(("spec", "template", "spec", "automountServiceAccountToken"),
                              False)))
    assert got == DEPLOYMENT.replace("""\
          privileged: true  # TODO: drop
          # capabilities come later
        # before the sidecar
""", """\
          privileged: true  # TODO: drop
          runAsNonRoot: true
          # capabilities come later
        resources:
          limits:
            memory: 128Mi
        # before the sidecar
""").replace("""\
      # after the containers
""", """\
      automountServiceAccountToken: false
      # after the containers
""")


def test_new_keys_in_a_flow_mapping_stay_in_flow_style():
    got = fixed(DEPLOYMENT, diag(SetValue((*CONTAINERS, 1, "securityContext", "capabilities"),
                                          {"drop": ["ALL"]})))
    assert "securityContext: {privileged: true, capabilities: {drop: [ALL]}}\n" in got
    assert got.replace(", capabilities: {drop: [ALL]}", "") == DEPLOYMENT


INDENTED = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app
      image: nginx:1.25
      ports:
        - containerPort: 80
"""


def test_indented_sequences_keep_their_style():
    got = fixed(INDENTED,
                diag(SetValue(("spec", "containers", 0, "securityContext", "capabilities", "drop"),
                              ["ALL"])))
    assert got == INDENTED + """\
      securityContext:
        capabilities:
          drop:
            - ALL
"""


def test_four_space_indentation_is_kept():
    text = ("apiVersion: v1\nkind: Pod\nmetadata:\n    name: p\nspec:\n    containers:\n"
            "    -   name: app\n        image: nginx:1.25\n")
    got = fixed(text, diag(SetValue(("spec", "containers", 0, "securityContext", "privileged"),
                                    False)))
    assert got == text + "        securityContext:\n            privileged: false\n"


def test_a_document_mixing_list_styles_keeps_them():
    text = ("spec:\n  template:\n    spec:\n      containers:\n        - name: app\n"
            "          args:\n          - |\n            echo  hi\n\n            echo bye\n"
            "          ports:\n          - containerPort: 80   \n        - name: two\n"
            "          command: [sh,\n                    -c]\n")
    got = fixed(text, diag(SetValue(("spec", "template", "spec", "containers", 0,
                                     "securityContext", "privileged"), False)))
    assert got == text.replace("80   \n", "80   \n          securityContext:\n"
                                          "            privileged: false\n")


def test_a_document_whose_comments_ruamel_would_drop_is_left_alone():
    text = "spec:\n  a: 1\n  args: [x,\n    # why y\n    y]\n"
    outcome = fix_text(text, [diag(SetValue(("spec", "b"), 2))], unsafe=True)
    assert (outcome.text, outcome.applied) == (text, 0)
    assert outcome.notes == ("1 fix not applied: writing the document again would change other "
                             "values or lose comments",)
    # a value replaced in place keeps the comment
    assert fixed(text, diag(SetValue(("spec", "a"), 2))) == text.replace("a: 1", "a: 2")


def test_duplicate_keys_stop_fixes_in_their_document():
    text = "a: 1\na: 2\n---\nb: 1\n"
    outcome = fix_text(text, [diag(SetValue(("a",), 3)), diag(SetValue(("b",), 3), document=1)],
                       unsafe=True)
    assert outcome.text == "a: 1\na: 2\n---\nb: 3\n"
    assert outcome.notes == ("1 fix not applied: the document has YAML problems",)


def test_appending_to_a_list_keeps_its_style_and_comments():
    text = ("spec:\n  containers:\n  - name: a\n    securityContext:\n      capabilities:\n"
            "        drop:\n        - NET_RAW  # raw sockets\n        # more later\n"
            "        add: [CHOWN]\n")
    path = ("spec", "containers", 0, "securityContext", "capabilities")
    got = fixed(text, diag(SetValue((*path, "drop"), ["NET_RAW", "ALL"])),
                diag(SetValue((*path, "add"), ["CHOWN", "KILL"])))
    assert got == text.replace("# raw sockets\n", "# raw sockets\n        - ALL\n").replace(
        "[CHOWN]", "[CHOWN, KILL]")


def test_strings_kubernetes_would_misread_are_quoted():
    got = fixed("a:\n  b: 1\n", diag(SetValue(("a", "on"), "yes")),
                diag(SetValue(("a", "mode"), "0644")), diag(SetValue(("a", "s"), "plain")))
    assert got == 'a:\n  b: 1\n  "on": "yes"\n  mode: "0644"\n  s: plain\n'


def test_a_replaced_string_keeps_its_quotes():
    got = fixed("a: 'x'\nb: \"y\"\nc: z\n", diag(SetValue(("a",), "1")),
                diag(SetValue(("b",), "2")), diag(SetValue(("c",), "3")))
    assert got == "a: '1'\nb: \"2\"\nc: \"3\"\n"


def test_a_null_becomes_a_mapping():
    text = "spec:\n  securityContext: null  # empty\n  # next\n  other: 1\n"
    got = fixed(text, diag(SetValue(("spec", "securityContext", "runAsNonRoot"), True)))
    assert got == ("spec:\n  securityContext:  # empty\n    runAsNonRoot: true\n  # next\n"
                   "  other: 1\n")


def test_deleting_a_key_keeps_the_comments_after_it():
    text = "spec:\n  a: 1\n  b: 2  # gone with b\n  # about c\n  c: 3\n"
    assert fixed(text, diag(DeleteKey(("spec", "b")))) == "spec:\n  a: 1\n  # about c\n  c: 3\n"


def test_deleting_a_list_item():
    text = "l:\n- a\n- b  # b\n- c\n"
    assert fixed(text, diag(DeleteKey(("l", 1)))) == "l:\n- a\n- c\n"


def test_renaming_a_key_keeps_its_place_and_comment():
    text = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n"
            "  serviceAccount: builder   # old name\n  containers:\n  - name: c\n"
            "    image: nginx:1.25\n")
    got, applied = lint_fix(text, "deprecated-service-account-field")
    assert applied == 1
    assert got == text.replace("serviceAccount: builder   #", "serviceAccountName: builder   #")


def test_json_is_written_as_json():
    text = ('{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "spec": {\n    "hostPID": true,\n'
            '    "containers": []\n  }\n}\n')
    got = fixed(text, diag(SetValue(("spec", "hostPID"), False)),
                diag(SetValue(("spec", "securityContext", "runAsNonRoot"), True)))
    assert got == ('{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "spec": {\n'
                   '    "hostPID": false,\n    "containers": [],\n    "securityContext": {\n'
                   '      "runAsNonRoot": true\n    }\n  }\n}\n')


def test_json_on_one_line_stays_json():
    text = '{"apiVersion": "v1", "kind": "Pod", "spec": {"hostPID": true}}'
    got = fixed(text, diag(SetValue(("spec", "hostPID"), False)),
                diag(SetValue(("spec", "hostIPC"), False)))
    assert got == '{"apiVersion": "v1", "kind": "Pod", "spec": {"hostPID": false, "hostIPC": false}}'


# --- documents and files --------------------------------------------------------------------------

UNTOUCHED = """\
# untouched:   spacing   and quoting kept
apiVersion:   v1
kind: ConfigMap
metadata: { name:  cm }
data:
  a:    ~
  b: >
    folded
    text
  c: [1,2,   3]
"""


def test_only_edited_documents_change():
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true\n"
    text = f"{UNTOUCHED}---\n{pod}--- # third\n{UNTOUCHED}...\n"
    got = fixed(text, diag(SetValue(("spec", "hostPID"), False), document=1))
    assert got == text.replace("hostPID: true", "hostPID: false")


def test_leading_comments_and_separators_are_kept():
    text = "# head\n\n---\n# Pod\napiVersion: v1\nkind: Pod\nspec:\n  hostPID: true\n\n# tail\n"
    got = fixed(text, diag(SetValue(("spec", "hostPID"), False)))
    assert got == text.replace("hostPID: true", "hostPID: false")


def test_crlf_line_ends_are_kept():
    text = ("apiVersion: v1\r\nkind: Pod\r\nspec:\r\n  hostPID: true\r\n  containers:\r\n"
            "  - name: c\r\n---\r\nkind: ConfigMap\r\n")
    got = fixed(text, diag(SetValue(("spec", "hostPID"), False)),
                diag(SetValue(("spec", "containers", 0, "securityContext", "privileged"), False)))
    assert got == text.replace("hostPID: true", "hostPID: false").replace(
        "- name: c\r\n", "- name: c\r\n    securityContext:\r\n      privileged: false\r\n")


def test_kind_list_items():
    text = ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n"
            "    name: a\n  spec:\n    hostPID: true  # no\n    containers:\n    - name: c\n"
            "      image: nginx:1.25\n")
    got, applied = lint_fix(text, "host-pid")
    assert applied == 1
    assert got == text.replace("hostPID: true", "hostPID: false")


def test_syntax_errors_stop_every_fix_in_the_file():
    text = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  hostPID: true\n  containers:"
            "\n  - name: c\n    image: nginx:1.25\n---\nkey: [unclosed\n")
    outcome = fix_text(text, lint_sources([SourceFile("t.yaml", text)],
                                          Config(select=("host-pid",))).diagnostics, unsafe=True)
    assert outcome.text == text and outcome.applied == 0
    assert outcome.notes == ("1 fix not applied: the file has YAML errors",)
    # ... even when the caller passes no yaml-syntax diagnostic
    assert fixed(text, diag(SetValue(("spec", "hostPID"), False))) == text


def test_helm_rendered_documents_are_not_edited():
    text = ("---\n# Source: chart/templates/pod.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n"
            "  name: a\nspec:\n  hostPID: true\n  containers:\n  - name: c\n    image: x:1\n")
    got, applied = lint_fix(text, "host-pid")
    assert (got, applied) == (text, 0)


def test_anchors_are_not_edited():
    text = "a: &x\n  k: 1\nb: *x\n"
    assert fixed(text, diag(SetValue(("b", "k"), 2))) == text
    assert fixed(text, diag(SetValue(("a", "k"), 2))) == text


def test_safety_and_suppression():
    text = "spec:\n  a: 1\n"
    unsafe = diag(SetValue(("spec", "a"), 2), safety=Safety.UNSAFE)
    assert apply_fixes(text, [unsafe], unsafe=False) == (text, 0)
    assert apply_fixes(text, [unsafe], unsafe=True) == ("spec:\n  a: 2\n", 1)
    suppressed = diag(SetValue(("spec", "a"), 2), suppressed="inline")
    assert apply_fixes(text, [suppressed], unsafe=True) == (text, 0)


def test_conflicting_edits_apply_the_first():
    text = "spec:\n  a: 1\n"
    got = apply_fixes(text, [diag(SetValue(("spec", "a"), 2)), diag(SetValue(("spec", "a"), 3)),
                             diag(SetValue(("spec",), {"a": 4}))], unsafe=True)
    assert got == ("spec:\n  a: 2\n", 1)


def test_the_same_edit_twice_counts_both_fixes():
    text = "spec:\n  a: 1\n"
    got = apply_fixes(text, [diag(SetValue(("spec", "a"), 2)), diag(SetValue(("spec", "a"), 2))],
                      unsafe=True)
    assert got == ("spec:\n  a: 2\n", 2)


def test_a_fix_that_does_not_fit_is_skipped_whole():
    text = "spec:\n  a: 1\n  b: [x]\n"
    got = apply_fixes(text, [diag(SetValue(("spec", "c"), 1), SetValue(("spec", "b", "k"), 1))],
                      unsafe=True)
    assert got == (text, 0)


def test_fixes_converge_and_a_second_pass_changes_nothing():
    text = (Path(__file__).parent / "rules" / "capabilities-not-dropped" / "fail.yaml").read_text()
    once, applied = lint_fix(text, "capabilities-not-dropped", "net-raw-not-dropped",
                             "read-only-root-filesystem", "run-as-non-root")
    assert applied > 0
    assert lint_fix(once, "capabilities-not-dropped", "net-raw-not-dropped",
                    "read-only-root-filesystem", "run-as-non-root") == (once, 0)
    result = lint_sources([SourceFile("t.yaml", once)],
                          Config(select=("capabilities-not-dropped", "net-raw-not-dropped")))
    assert [d for d in result.active if d.fix is not None] == []


# --- writing --------------------------------------------------------------------------------------

HOST_PID = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  hostPID: true\n"
            "  containers:\n  - name: c\n    image: nginx:1.25\n")


def _run_on(path: Path, *select: str):
    from kubelint.fix import fix_paths

    return fix_paths([str(path)], Config(select=select), unsafe=True).files[0]


def test_write_is_atomic_and_keeps_mode_and_encoding(tmp_path):
    path = tmp_path / "pod.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + HOST_PID.encode())
    path.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(path)
    write_fixed(_run_on(link, "host-pid"))
    assert link.is_symlink()
    assert path.read_bytes() == b"\xef\xbb\xbf" + HOST_PID.replace("true", "false").encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.yaml", "pod.yaml"]


def test_a_file_changed_meanwhile_is_not_written(tmp_path):
    path = tmp_path / "pod.yaml"
    path.write_text(HOST_PID)
    result = _run_on(path, "host-pid")
    path.write_text(HOST_PID + "# edited\n")
    with pytest.raises(ValueError):
        write_fixed(result)
    assert path.read_text() == HOST_PID + "# edited\n"


# --- command line ---------------------------------------------------------------------------------

def kubelint(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    (cwd / ".kubelint.yaml").write_text("")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.run([sys.executable, "-m", "kubelint", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_cli_fix_writes_and_reports_what_remains(tmp_path):
    (tmp_path / "pod.yaml").write_text(HOST_PID)
    (tmp_path / "clean.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    safe_only = kubelint("lint", "--select", "host-pid", "--fix", ".", cwd=tmp_path)
    assert safe_only.returncode == 1  # host-pid's fix is unsafe
    assert "0 fixes applied" in safe_only.stderr
    assert (tmp_path / "pod.yaml").read_text() == HOST_PID

    proc = kubelint("lint", "--select", "host-pid", "--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (0, "1 fix applied\n")
    assert "no problems" in proc.stdout
    assert (tmp_path / "pod.yaml").read_text() == HOST_PID.replace("true", "false")
    assert (tmp_path / "clean.yaml").stat().st_mtime_ns == before["clean.yaml"]

    again = kubelint("lint", "--select", "host-pid", "--fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert (again.returncode, again.stderr) == (0, "0 fixes applied\n")


def test_cli_diff_writes_nothing(tmp_path):
    (tmp_path / "pod.yaml").write_text(HOST_PID)
    proc = kubelint("lint", "--select", "host-pid", "--diff", "--unsafe-fixes", "pod.yaml",
                    cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ("--- pod.yaml\n+++ pod.yaml\n@@ -3,7 +3,7 @@\n metadata:\n   name: a\n"
                           " spec:\n-  hostPID: true\n+  hostPID: false\n   containers:\n"
                           "   - name: c\n     image: nginx:1.25\n")
    assert proc.stderr == "1 fix would be applied\n"
    assert (tmp_path / "pod.yaml").read_text() == HOST_PID
    nothing = kubelint("lint", "--select", "host-pid", "--diff", "pod.yaml", cwd=tmp_path)
    assert (nothing.returncode, nothing.stdout) == (0, "")
    stdin = kubelint("lint", "--select", "host-pid", "--diff", "--unsafe-fixes", "-",
                     cwd=tmp_path, stdin=HOST_PID)
    assert stdin.returncode == 1 and stdin.stdout.startswith("--- -\n+++ -\n")


@pytest.mark.parametrize("args", [("--fix", "-"), ("--unsafe-fixes", "pod.yaml"),
                                  ("--diff", "--format", "json", "pod.yaml")])
def test_cli_fix_usage_errors(tmp_path, args):
    (tmp_path / "pod.yaml").write_text(HOST_PID)
    proc = kubelint("lint", *args, cwd=tmp_path, stdin=HOST_PID)
    assert proc.returncode == 2
    assert proc.stderr.startswith("kubelint: error: ")
    assert (tmp_path / "pod.yaml").read_text() == HOST_PID
