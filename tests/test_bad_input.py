"""Bad input through the real command line: diagnostics at exact positions, never a crash.

Every case runs `python -m kubelint lint --format json` in a fresh process and checks the exit code,
that the output is JSON, that no traceback was printed, and the rule id, line and column of each
diagnostic. Runs with `--select all` also check that no rule crashed (`internal-error`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

PRIVILEGED_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.25
          securityContext:
            privileged: true
"""
PRIVILEGED_AT = (12, 13)  # `privileged:` in PRIVILEGED_DEPLOYMENT


def run(args: list[str], cwd: Path, stdin: bytes | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    # An empty config in the working folder keeps a stray .kubelint.yaml higher up out of the test.
    if not (cwd / ".kubelint.yaml").exists():
        (cwd / ".kubelint.yaml").write_text("")
    proc = subprocess.run([sys.executable, "-m", "kubelint", *args], cwd=cwd, input=stdin,
                          capture_output=True, timeout=timeout, check=False)
    out = proc.stdout.decode("utf-8")
    err = proc.stderr.decode("utf-8")
    assert "Traceback" not in err and "Traceback" not in out, err
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def lint(cwd: Path, *paths: str, select: str = "all", stdin: bytes | None = None,
         extra: tuple[str, ...] = (), code: int | None = None) -> dict:
    """Lint and return the JSON report; checks the exit code and that no rule crashed."""
    proc = run(["lint", "--format", "json", "--select", select, *extra, *paths], cwd, stdin)
    report = json.loads(proc.stdout)
    assert set(report) == {"version", "diagnostics", "summary"}
    crashes = [d for d in report["diagnostics"] if d["rule"] == "internal-error"]
    assert crashes == [], crashes
    if code is not None:
        assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    for d in report["diagnostics"]:
        assert 1 <= d["line"] <= d["end_line"]
        assert d["column"] >= 1 and d["end_column"] >= 1
        if d["line"] == d["end_line"]:
            assert d["end_column"] >= d["column"]
    return report


def located(report: dict, *rules: str) -> list[tuple[str, str, int, int]]:
    """(file, rule, line, column) of the active diagnostics, optionally of some rules only."""
    return [(d["file"], d["rule"], d["line"], d["column"]) for d in report["diagnostics"]
            if not rules or d["rule"] in rules]


def write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return name


# --- YAML that does not parse --------------------------------------------------------------------

def test_malformed_document_is_reported_and_the_others_still_linted(tmp_path):
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fine\n---\n"
            "apiVersion: v1\nkind: Pod\nmetadata: {name: broken\n---\n" + PRIVILEGED_DEPLOYMENT)
    name = write(tmp_path, "mixed.yaml", text)
    report = lint(tmp_path, name, select="privileged-container", code=1)
    # the flow mapping is unterminated when the next `---` comes (line 9)
    assert located(report) == [(name, "yaml-syntax", 9, 1),
                               (name, "privileged-container", 9 + PRIVILEGED_AT[0],
                                PRIVILEGED_AT[1])]
    assert report["summary"]["documents"] == 2


def test_syntax_error_position(tmp_path):
    name = write(tmp_path, "bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n"
                                       "  labels: a: b\n")
    report = lint(tmp_path, name, code=1)
    assert located(report) == [(name, "yaml-syntax", 5, 12)]
    assert report["diagnostics"][0]["severity"] == "error"


def test_tabs_used_for_indentation(tmp_path):
    name = write(tmp_path, "tabs.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n")
    report = lint(tmp_path, name, code=1)
    assert located(report) == [(name, "yaml-syntax", 4, 1)]


def test_tab_after_a_value_is_fine(tmp_path):
    name = write(tmp_path, "tab.yaml",
                 PRIVILEGED_DEPLOYMENT.replace("privileged: true", "privileged: true\t"))
    report = lint(tmp_path, name, select="privileged-container", code=1)
    assert located(report) == [(name, "privileged-container", *PRIVILEGED_AT)]


# --- bytes that are not UTF-8 text ---------------------------------------------------------------

def test_binary_file(tmp_path):
    name = write(tmp_path, "blob.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01")
    report = lint(tmp_path, name, code=1)
    assert located(report) == [(name, "unreadable-file", 1, 1)]
    assert report["summary"]["files"] == 1


def test_utf16_with_bom_is_decoded_and_linted(tmp_path):
    name = write(tmp_path, "utf16.yaml", PRIVILEGED_DEPLOYMENT.encode("utf-16"))
    report = lint(tmp_path, name, select="privileged-container", code=1)
    assert located(report) == [(name, "privileged-container", *PRIVILEGED_AT)]


def test_utf8_bom(tmp_path):
    name = write(tmp_path, "bom.yaml", b"\xef\xbb\xbf" + PRIVILEGED_DEPLOYMENT.encode())
    report = lint(tmp_path, name, select="privileged-container", code=1)
    assert located(report) == [(name, "privileged-container", *PRIVILEGED_AT)]


def test_latin1_bytes_reported_at_the_offending_byte(tmp_path):
    data = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: café\n".encode("latin-1")
    name = write(tmp_path, "latin1.yaml", data)
    report = lint(tmp_path, name, code=1)
    assert located(report) == [(name, "unreadable-file", 4, 12)]
    assert "0xe9" in report["diagnostics"][0]["message"]


def test_control_character_loses_only_its_document(tmp_path):
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\x07b\n---\n"
            + PRIVILEGED_DEPLOYMENT)
    name = write(tmp_path, "bell.yaml", text)
    report = lint(tmp_path, name, select="privileged-container", code=1)
    assert located(report) == [(name, "yaml-syntax", 4, 10),
                               (name, "privileged-container", 5 + PRIVILEGED_AT[0],
                                PRIVILEGED_AT[1])]


# --- nothing to lint -----------------------------------------------------------------------------

@pytest.mark.parametrize("content", ["", "\n\n", "# just a comment\n# and another\n", "---\n---\n"])
def test_empty_and_comment_only_files(tmp_path, content):
    name = write(tmp_path, "empty.yaml", content)
    report = lint(tmp_path, name, code=0)
    assert report["diagnostics"] == []
    assert report["summary"]["files"] == 1
    assert report["summary"]["resources"] == 0


def test_non_mapping_documents(tmp_path):
    name = write(tmp_path, "odd.yaml", "- a\n- b\n---\njust text\n---\n42\n")
    report = lint(tmp_path, name, code=0)  # info only: below the default fail level
    assert located(report) == [(name, "not-a-kubernetes-object", 1, 1),
                               (name, "not-a-kubernetes-object", 4, 1),
                               (name, "not-a-kubernetes-object", 6, 1)]
    assert {d["severity"] for d in report["diagnostics"]} == {"info"}


def test_unknown_kinds_are_left_alone(tmp_path):
    text = ("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n"
            "  containers:\n    - name: app\n      securityContext: {privileged: true}\n")
    name = write(tmp_path, "widget.yaml", text)
    report = lint(tmp_path, name, select="security", code=0)
    assert report["diagnostics"] == []
    assert report["summary"]["resources"] == 1


def test_object_without_kind(tmp_path):
    name = write(tmp_path, "nokind.yaml", "apiVersion: v1\nmetadata:\n  name: x\n")
    report = lint(tmp_path, name, code=0)
    assert located(report) == [(name, "not-a-kubernetes-object", 1, 1)]


# --- too big or too deep -------------------------------------------------------------------------

def test_alias_bomb_is_bounded(tmp_path):
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: lol", "data:",
             "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"  {cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    name = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n---\n" + PRIVILEGED_DEPLOYMENT)
    start = time.perf_counter()
    report = lint(tmp_path, name, select="privileged-container", code=1)
    assert time.perf_counter() - start < 10
    assert located(report) == [(name, "yaml-too-complex", 11, 18),
                               (name, "privileged-container", 16 + PRIVILEGED_AT[0],
                                PRIVILEGED_AT[1])]


@pytest.mark.parametrize(("content", "where"), [
    ("a: " + "[" * 3000 + "]" * 3000 + "\n", (1, 203)),  # the 200th open bracket
    ("".join("  " * i + f"k{i}:\n" for i in range(3000)), (201, 401)),
])
def test_deep_nesting(tmp_path, content, where):
    name = write(tmp_path, "deep.yaml", content)
    start = time.perf_counter()
    report = lint(tmp_path, name, code=1)
    assert time.perf_counter() - start < 10
    assert located(report) == [(name, "yaml-too-complex", *where)]


# --- wrong types where Kubernetes expects others (every rule runs; none may crash) ---------------

WRONG_TYPES = {
    "security-context-null": "securityContext: null",
    "security-context-list": "securityContext: [privileged]",
    "capabilities-null": "securityContext: {capabilities: null, runAsUser: null}",
    "capabilities-scalar": "securityContext: {capabilities: {add: NET_ADMIN, drop: 7}}",
    "resources-scalar": "resources: lots",
    "resources-null-values": "resources: {limits: null, requests: {cpu: null, memory: [1]}}",
    "ports-mapping": "ports: {containerPort: 80}",
    "ports-items-odd": "ports: [80, null, {containerPort: http, hostPort: yes}]",
    "probe-odd": "livenessProbe: {httpGet: {port: [1]}, tcpSocket: null}\n"
                 "          readinessProbe: 5",
    "env-odd": "env: [{name: PASSWORD, value: 5}, null, 7, {valueFrom: x}]",
    "env-scalar": "env: PASSWORD=x",
    "image-list": "image: [nginx]",
    "volume-mounts-odd": "volumeMounts: [{mountPath: 5, name: null}, x]",
}


def test_wrong_types_in_a_container(tmp_path):
    names = []
    for case, field in WRONG_TYPES.items():
        text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: odd\nspec:\n"
                "  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: app\n"
                "          " + field + "\n")
        names.append(write(tmp_path, f"{case}.yaml", text))
    report = lint(tmp_path, *names)  # one run for all cases: a crash names its file
    assert report["summary"]["files"] == len(names)
    assert report["summary"]["resources"] == len(names)
    assert all(d["rule"] != "yaml-syntax" for d in report["diagnostics"])


POD_SPEC_WRONG_TYPES = {
    "containers-mapping": "containers: {a: b}",
    "containers-scalar": "containers: 7",
    "containers-items-odd": "containers: [null, 7, [x], {name: [1], image: {a: b}}]",
    "volumes-scalar": "volumes: 7",
    "volumes-items-odd": "volumes: [null, {hostPath: /etc}, {name: x, hostPath: {path: 5}}]",
    "security-context-null": "securityContext: null",
    "security-context-odd": "securityContext: {sysctls: 5, seccompProfile: x, runAsUser: root}",
    "host-flags-strings": "hostNetwork: 'true'\n      hostPID: yes\n      hostIPC: 1",
    "affinity-odd": "affinity: {podAntiAffinity: [x]}\n      topologySpreadConstraints: 3",
    "service-account-odd": "serviceAccount: [x]\n      automountServiceAccountToken: maybe",
    "init-containers-null": "initContainers: null\n      ephemeralContainers: {x: 1}",
}


def test_wrong_types_in_a_pod_spec(tmp_path):
    names = []
    for kind, prefix in (("Deployment", ("spec", "template", "spec")), ("Pod", ("spec",)),
                         ("CronJob", ("spec", "jobTemplate", "spec", "template", "spec"))):
        for case, field in POD_SPEC_WRONG_TYPES.items():
            lines = ["apiVersion: v1", f"kind: {kind}", "metadata:", "  name: odd",
                     "  annotations: {container.apparmor.security.beta.kubernetes.io/app: 5}"]
            indent = ""
            for step in prefix:
                lines.append(f"{indent}{step}:")
                indent += "  "
            text = "\n".join(lines) + "\n" + "".join(
                f"{indent}{line.strip()}\n" for line in field.split("\n"))
            names.append(write(tmp_path, f"{kind}-{case}.yaml", text))
    report = lint(tmp_path, *names)
    assert report["summary"]["resources"] == len(names)
    assert all(d["rule"] != "yaml-syntax" for d in report["diagnostics"])


ODD_OBJECTS = [
    "apiVersion: v1\nkind: Pod\nmetadata: null\nspec: null\n",
    "apiVersion: v1\nkind: Pod\nmetadata: [x]\nspec: [x]\n",
    "apiVersion: v1\nkind: Pod\nmetadata: {name: 5, namespace: [x], labels: 3, annotations: [a]}\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: many, "
    "selector: 5, template: null}\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {template: {spec: 5}}\n",
    "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}\nspec: {jobTemplate: [], "
    "concurrencyPolicy: 5}\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {selector: [a], ports: 80}\n",
    "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: x}\n"
    "spec: {selector: {matchLabels: 5}, maxUnavailable: [0]}\n",
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: x}\nrules: 5\n",
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: x}\nspec: {rules: [5]}\n",
    "apiVersion: v1\nkind: List\nitems: 5\n",
    "apiVersion: v1\nkind: List\nitems: [5, null, {kind: Pod}]\n",
    "apiVersion: 5\nkind: [Pod]\n",
    "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ndata: [1]\nstringData: 5\n",
]


def test_wrong_types_elsewhere(tmp_path):
    names = [write(tmp_path, f"odd{i}.yaml", text) for i, text in enumerate(ODD_OBJECTS)]
    report = lint(tmp_path, *names)
    assert report["summary"]["files"] == len(names)
    assert all(d["rule"] != "yaml-syntax" for d in report["diagnostics"])


# --- where input comes from ----------------------------------------------------------------------

def test_nonexistent_path_is_a_usage_error(tmp_path):
    proc = run(["lint", "--format", "json", "missing.yaml"], tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "missing.yaml" in proc.stderr


def test_directory_with_a_helm_chart(tmp_path):
    chart = tmp_path / "deploy" / "web"
    write(chart, "Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n")
    write(chart, "values.yaml", "replicaCount: 1\nimage:\n  repository: nginx\n")
    write(chart, "templates/deployment.yaml",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
          "spec:\n  template:\n    spec:\n      containers:\n        - name: app\n"
          "          securityContext:\n            privileged: {{ .Values.privileged }}\n")
    write(chart, "templates/_helpers.tpl", '{{- define "web.name" -}}web{{- end }}\n')
    write(chart, "crds/widget.yaml", PRIVILEGED_DEPLOYMENT)
    report = lint(tmp_path, "deploy", select="privileged-container", code=1)
    crd = str(Path("deploy", "web", "crds", "widget.yaml"))
    assert located(report) == [(crd, "privileged-container", *PRIVILEGED_AT)]
    assert report["summary"]["files"] == 2  # values.yaml and crds/widget.yaml

    # pre-commit names each changed file: chart templates and Chart.yaml are still skipped
    named = [str(Path("deploy", "web", p)) for p in
             ("Chart.yaml", "templates/deployment.yaml", "crds/widget.yaml")]
    report = lint(tmp_path, *named, select="privileged-container", code=1)
    assert located(report) == [(crd, "privileged-container", *PRIVILEGED_AT)]
    assert report["summary"]["files"] == 1


def test_stdin(tmp_path):
    report = lint(tmp_path, "-", select="privileged-container",
                  stdin=PRIVILEGED_DEPLOYMENT.encode(), code=1)
    assert located(report) == [("-", "privileged-container", *PRIVILEGED_AT)]


def test_stdin_bad_bytes(tmp_path):
    report = lint(tmp_path, "-", stdin=b"kind: Pod\nname: \xff\n", code=1)
    assert located(report) == [("-", "unreadable-file", 2, 7)]


def test_kind_list_items(tmp_path):
    items = "".join("    " + line + "\n" if line else "\n"
                    for line in PRIVILEGED_DEPLOYMENT.splitlines())
    text = "apiVersion: v1\nkind: List\nitems:\n  - " + items.lstrip()
    name = write(tmp_path, "list.yaml", text)
    report = lint(tmp_path, name, select="privileged-container", code=1)
    assert located(report) == [(name, "privileged-container", 3 + PRIVILEGED_AT[0],
                                PRIVILEGED_AT[1] + 4)]
    d = report["diagnostics"][0]
    assert d["path"] == "items[0].spec.template.spec.containers[0].securityContext.privileged"
    assert d["resource"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                             "namespace": None}


def test_json_file_positions(tmp_path):
    text = """{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "json-pod"},
  "spec": {
    "containers": [
      {"name": "app", "image": "nginx:1.25",
       "securityContext": {"privileged": true}}
    ]
  }
}
"""
    name = write(tmp_path, "pod.json", text)
    report = lint(tmp_path, name, select="privileged-container", code=1)
    assert located(report) == [(name, "privileged-container", 8, 28)]
    d = report["diagnostics"][0]
    assert (d["end_line"], d["end_column"]) == (8, 46)


def test_json_with_tabs(tmp_path):
    text = ('{\n\t"apiVersion": "v1",\n\t"kind": "Pod",\n\t"metadata": {"name": "p"},\n'
            '\t"spec": {"containers": [{"name": "a",\n'
            '\t\t"securityContext": {"privileged": true}}]}\n}\n')
    name = write(tmp_path, "tabs.json", text)
    report = lint(tmp_path, name, select="privileged-container", code=1)
    assert located(report) == [(name, "privileged-container", 6, 23)]
