"""Control-plane rules: component detection, the command-line flag reader, value helpers, and
behaviour the per-rule fixtures do not show (defaults under kubelet --config, options, odd input)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubelint.config import Config, RuleSettings
from kubelint.engine import lint_sources
from kubelint.k8s import Container
from kubelint.rules import control_plane as cp
from kubelint.sources import SourceFile
from tests.helpers import brief, found, lint_text

CP_IDS = tuple(r.id for r in cp.RULES)


def _container(spec: dict) -> Container:
    return Container(("spec", "containers", 0), spec, "containers")


def _flags(spec: dict) -> cp.CommandLine:
    cl = cp.read_flags(_container(spec))
    assert cl is not None
    return cl


def _pairs(cl: cp.CommandLine) -> list[tuple[str, str | None, str]]:
    return [(f.name, f.value, f.form) for f in cl.flags]


C = ("spec", "containers", 0)


# --- component detection -------------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "expected"), [
    ({"command": ["kube-apiserver", "--secure-port=6443"]}, ("kube-apiserver", "command", 0)),
    ({"command": ["/usr/local/bin/kube-controller-manager"]},
     ("kube-controller-manager", "command", 0)),
    ({"command": ["C:\\k\\kubelet.exe", "--config=c:\\k\\config"]}, ("kubelet", "command", 0)),
    ({"command": ["/hyperkube", "apiserver", "--profiling=false"]},
     ("kube-apiserver", "command", 1)),
    ({"command": ["/hyperkube", "kube-scheduler"]}, ("kube-scheduler", "command", 1)),
    ({"command": ["/sbin/tini", "-g", "--", "etcd", "--name=a"]}, ("etcd", "command", 3)),
    ({"command": None, "args": ["kube-scheduler", "--profiling=false"]},
     ("kube-scheduler", "args", 0)),
    ({"args": ["etcd"]}, ("etcd", "args", 0)),
])
def test_find_component(spec, expected):
    assert cp.find_component(spec) == expected


@pytest.mark.parametrize("spec", [
    {},
    {"command": None, "args": None},
    {"command": "kube-apiserver --profiling=true"},  # a string, not a list
    {"command": ["/bin/sh", "-c", "exec kube-apiserver --profiling=true"]},
    {"command": ["sh", "-c", "/usr/local/bin/etcd"]},  # scripts are not read
    {"command": ["/bin/bash", "/scripts/start.sh", "kubelet"]},
    {"command": ["some-tool", "--target", "etcd"]},  # the search stops at the first long flag
    {"command": ["etcdctl", "get", "/registry"]},
    {"command": ["kube-proxy", "--v=2"]},
    {"command": ["/app/server"], "args": ["kube-apiserver"]},  # args only count without command
    {"command": [42, None, {"kube-apiserver": 1}, ["etcd"]]},
    {"command": ["hyperkube"]},
    {"command": ["/hyperkube", "proxy"]},
    {"args": ["--profiling=true"]},
    "not a mapping",
])
def test_other_containers_are_not_components(spec):
    assert cp.find_component(spec) is None
    if isinstance(spec, dict):
        assert cp.read_flags(_container(spec)) is None


# --- the flag reader ------------------------------------------------------------------------------

def test_flag_forms():
    cl = _flags({"command": ["kube-apiserver", "--a=1", "--b", "2", "--c", "--d=", "--e=x=y",
                             "positional", "--f"]})
    assert _pairs(cl) == [("--a", "1", "inline"), ("--b", "2", "next"), ("--c", None, "alone"),
                          ("--d", "", "inline"), ("--e", "x=y", "inline"), ("--f", None, "alone")]
    assert [f.path for f in cl.flags] == [(*C, "command", i) for i in (1, 2, 4, 5, 6, 8)]
    assert [f.text for f in cl.flags] == ["--a=1", "--b 2", "--c", "--d=", "--e=x=y", "--f"]


def test_command_and_args_are_read_as_one_argv():
    cl = _flags({"command": ["kube-scheduler", "--bind-address"], "args": ["0.0.0.0", "--v=2"]})
    assert _pairs(cl) == [("--bind-address", "0.0.0.0", "next"), ("--v", "2", "inline")]
    assert cl.last("--bind-address").path == (*C, "command", 1)
    assert cl.last("--v").path == (*C, "args", 1)


def test_items_before_the_component_are_not_flags():
    cl = _flags({"command": ["tini", "-g", "--", "kube-apiserver", "--profiling=false"]})
    assert _pairs(cl) == [("--profiling", "false", "inline")]


def test_double_dash_ends_the_flags():
    cl = _flags({"command": ["kube-apiserver", "--a=1", "--", "--b=2"]})
    assert _pairs(cl) == [("--a", "1", "inline")]


def test_next_item_value_rules():
    cl = _flags({"command": ["kubelet", "--event-qps", "-1", "--x", "-y", "--z", "--w"]})
    assert _pairs(cl) == [("--event-qps", "-1", "next"), ("--x", None, "alone"),
                          ("--z", None, "alone"), ("--w", None, "alone")]


def test_non_string_items():
    """YAML numbers and booleans after a flag are read as its value (Kubernetes rejects them, but
    the intent is clear); other items are skipped; nothing raises."""
    cl = _flags({"command": ["kube-apiserver", "--secure-port", 0, "--anonymous-auth", False,
                             None, {"a": 1}, ["--profiling=true"], 3.5, "--ok=1"]})
    assert _pairs(cl) == [("--secure-port", "0", "next"), ("--anonymous-auth", "false", "next"),
                          ("--ok", "1", "inline")]


def test_last_occurrence_wins():
    cl = _flags({"command": ["kube-apiserver", "--profiling=true", "--profiling=false"]})
    assert cl.last("--profiling").value == "false"
    assert cl.last("--profiling").path == (*C, "command", 2)
    assert cl.last("--missing") is None


def test_boolean_values():
    cl = _flags({"command": ["kube-apiserver", "--a", "--b=false", "--c=T", "--d=0", "--e=yes"]})
    assert [f.boolean() for f in cl.flags] == [True, False, True, False, None]


def test_list_flags_split_on_commas_and_accumulate():
    cl = _flags({"command": ["kube-apiserver", "--enable-admission-plugins=A, B,,C",
                             "--enable-admission-plugins", "D",
                             "--authorization-mode=Node", "--authorization-mode=RBAC"]})
    assert [v for v, _ in cl.items("--enable-admission-plugins")] == ["A", "B", "C", "D"]
    assert [v for v, _ in cl.items("--authorization-mode")] == ["Node", "RBAC"]
    assert [f.path[-1] for _, f in cl.items("--enable-admission-plugins")] == [1, 1, 1, 2]


def test_scalar_flags_with_commas_keep_the_last_occurrence():
    cl = _flags({"command": ["kubelet", "--node-labels=a=1,b=2", "--node-labels=c=3"]})
    assert [v for v, _ in cl.items("--node-labels")] == ["c=3"]


def test_anchor_for_missing_flags():
    assert _flags({"command": ["kube-apiserver", "--a=1"]}).anchor == (*C, "command")
    assert _flags({"command": ["kube-apiserver"]}).anchor == (*C, "command")
    assert _flags({"command": ["kube-apiserver"], "args": ["--a=1"]}).anchor == (*C, "args")
    assert _flags({"command": ["kube-apiserver", "--a=1"],
                   "args": ["--b=1"]}).anchor == (*C, "command")
    assert _flags({"command": None, "args": ["etcd", "--a=1"]}).anchor == (*C, "args")


def test_etcd_single_dash_flags_and_environment():
    cl = _flags({
        "command": ["etcd", "-client-cert-auth=true", "-name", "a"],
        "env": [{"name": "ETCD_AUTO_TLS", "value": "true"},
                {"name": "ETCD_CLIENT_CERT_AUTH", "value": "false"},
                {"name": "ETCD_PEER_CLIENT_CERT_AUTH",
                 "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}},
                {"name": "ETCDCTL_API", "value": "3"}, {"name": "ETCD_"}, "junk",
                {"name": "ETCD_DATA_DIR"}],
    })
    assert _pairs(cl) == [("--auto-tls", "true", "env"), ("--client-cert-auth", "false", "env"),
                          ("--peer-client-cert-auth", None, "env-ref"),
                          ("--data-dir", "", "env"),
                          ("--client-cert-auth", "true", "inline"), ("--name", "a", "next")]
    assert cl.last("--client-cert-auth").text == "-client-cert-auth=true"  # the flag wins
    assert cl.last("--auto-tls").path == (*C, "env", 0)
    assert cl.last("--auto-tls").text == "ETCD_AUTO_TLS=true"
    assert cl.last("--peer-client-cert-auth").boolean() is None


def test_single_dash_flags_are_etcd_only():
    cl = _flags({"command": ["kube-apiserver", "-profiling=true", "-v", "2"]})
    assert _pairs(cl) == []


def test_kubelet_config_file_takes_over_defaults():
    assert _flags({"command": ["kubelet", "--config", "/var/lib/kubelet/config.yaml"]}
                  ).defaults_apply is False
    assert _flags({"command": ["kubelet"]}).defaults_apply is True
    assert _flags({"command": ["kube-apiserver", "--config=x"]}).defaults_apply is True


# --- value helpers --------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "zero"), [
    ("0", True), ("0s", True), ("0h0m0s", True), ("0.0m", True), (0, True), ("-0s", True),
    ("5m", False), ("4h0m0s", False), ("0h1m", False), ("1ms", False), ("", False),
    ("abc", False), ("0x", False), (True, False), (False, False), (None, False), (1, False),
])
def test_is_zero_duration(value, zero):
    assert cp.is_zero_duration(value) is zero


@pytest.mark.parametrize(("value", "parsed"), [
    ("true", True), ("True", True), ("TRUE", True), ("t", True), ("1", True),
    ("false", False), ("F", False), ("0", False), (True, True), (False, False),
    ("yes", None), ("", None), (None, None), (1, None),
])
def test_parse_bool(value, parsed):
    assert cp.parse_bool(value) is parsed


# --- behaviour through the engine -----------------------------------------------------------------

STATIC_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: kube-scheduler
  namespace: kube-system
spec:
  containers:
  - name: kube-scheduler
    image: registry.k8s.io/kube-scheduler:v1.30.0
    command:
    - kube-scheduler
    - --bind-address=127.0.0.1
    - --profiling=false
"""


def test_hardened_static_pod_is_clean():
    assert brief(lint_text(STATIC_POD, select=("control-plane",)).active) == []


def test_flow_list_item_position():
    text = STATIC_POD.replace(
        "    command:\n    - kube-scheduler\n    - --bind-address=127.0.0.1\n"
        "    - --profiling=false\n",
        "    command: [kube-scheduler, --bind-address=127.0.0.1, --profiling=true]\n")
    assert brief(found(text, "profiling-enabled")) == [
        "10:57 profiling-enabled kube-scheduler in container 'kube-scheduler' serves profiling "
        "data: --profiling=true"]


def test_null_command_reports_nothing():
    text = STATIC_POD.replace(
        "    command:\n    - kube-scheduler\n    - --bind-address=127.0.0.1\n"
        "    - --profiling=false\n", "    command: null\n    args: null\n")
    assert brief(lint_text(text, select=("control-plane",)).active) == []


def test_kubelet_with_config_reports_explicit_flags_only():
    text = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kubelet
spec:
  template:
    spec:
      containers:
      - name: kubelet
        image: example.com/kubelet:v1.30.0
        command:
        - kubelet
        - --config=/var/lib/kubelet/config.yaml
        - --read-only-port=10255
"""
    got = brief(lint_text(text, select=("control-plane",)).active)
    assert got == ["14:11 kubelet-read-only-port kubelet in container 'kubelet' serves the "
                   "unauthenticated read-only port: --read-only-port=10255"]


def test_ordinary_workloads_with_flag_like_args_are_ignored():
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: kube-apiserver
        image: example.com/proxy:1.0
        command: [/app/proxy]
        args: [--profiling=true, --anonymous-auth=true, --authorization-mode=AlwaysAllow]
      - name: shell
        image: example.com/tools:1.0
        command: [/bin/sh, -c, "kube-apiserver --profiling=true"]
"""
    assert brief(lint_text(text, select=("control-plane",)).active) == []


def test_init_and_ephemeral_containers_are_read():
    text = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  initContainers:
  - name: migrate
    image: registry.k8s.io/etcd:3.5.12-0
    command: [etcd, --auto-tls=true]
  containers:
  - name: app
    image: example.com/app:1.0
"""
    assert brief(found(text, "etcd-auto-tls")) == [
        "9:21 etcd-auto-tls etcd in container 'migrate' serves clients with a self-signed "
        "certificate: --auto-tls=true"]


def test_audit_retention_minimums_are_options():
    text = STATIC_POD.replace("kube-scheduler", "kube-apiserver").replace(
        "    - --bind-address=127.0.0.1\n    - --profiling=false\n",
        "    - --audit-log-path=/var/log/audit.log\n    - --audit-log-maxage=7\n"
        "    - --audit-log-maxbackup=2\n    - --audit-log-maxsize=20\n")
    rule = "apiserver-audit-log-retention"
    assert len(found(text, rule)) == 3
    relaxed = Config(select=(rule,), rules={rule: RuleSettings(
        options={"maxage": 7, "maxbackup": 2, "maxsize": 10})})
    assert brief(lint_text(text, config=relaxed).active) == []


def test_config_kinds_need_their_api_group():
    text = """\
apiVersion: example.com/v1
kind: KubeletConfiguration
authorization:
  mode: AlwaysAllow
---
apiVersion: example.com/v1
kind: AdmissionConfiguration
plugins: []
"""
    assert brief(lint_text(text, select=("control-plane",)).active) == []


HOSTILE = """\
apiVersion: v1
kind: Pod
metadata:
  name: odd
spec:
  containers:
  - name: a
    image: x
    command: [kube-apiserver, --enable-admission-plugins, --authorization-mode=, --feature-gates=a,
              --tls-cipher-suites, 7, --audit-log-maxage=x, --secure-port=none]
    args: {not: a list}
  - name: b
    image: x
    command: [etcd]
    env: [null, {name: ETCD_CLIENT_CERT_AUTH, value: null}, {name: 5}]
  - name: c
    image: x
    command: [kubelet, --feature-gates, "RotateKubeletServerCertificate", --read-only-port=x]
  - null
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication: null
authorization: [AlwaysAllow]
featureGates: [RotateKubeletServerCertificate]
tlsCipherSuites: {a: b}
readOnlyPort: "10255"
streamingConnectionIdleTimeout: null
---
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins: [null, 3, {name: null}]
"""


def test_odd_shapes_never_crash():
    result = lint_text(HOSTILE, select=("control-plane",))
    assert [d for d in result.diagnostics if d.rule_id == "internal-error"] == []
    assert {d.rule_id for d in result.active} <= set(CP_IDS)


# --- the table ------------------------------------------------------------------------------------

def test_every_spec_names_known_components_and_kinds():
    for spec in cp.SPECS:
        assert spec.flags or spec.objects, spec.id
        assert set(spec.flags) <= set(cp.COMPONENTS), spec.id
        assert set(spec.objects) <= set(cp.CONFIG_KINDS), spec.id
        rule = next(r for r in cp.RULES if r.id == spec.id)
        assert rule.check.__name__ == spec.id.replace("-", "_")
        assert rule.category == "control-plane"


def test_realworld_corpus_is_quiet(shared):
    """Ordinary application manifests run no control-plane component: nothing fires."""
    corpus = shared / "corpus" / "realworld"
    if not corpus.is_dir():
        pytest.skip("no realworld corpus")
    sources = [SourceFile(str(p), p.read_text(encoding="utf-8", errors="replace"))
               for p in sorted(Path(corpus).rglob("*")) if p.suffix in (".yaml", ".yml", ".json")]
    result = lint_sources(sources, Config(select=("control-plane",)))
    assert brief([d for d in result.active if d.rule_id in CP_IDS]) == []


KUBELET_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: kubelet
spec:
  containers:
  - name: kubelet
    image: registry.example.com/kubelet:v1.30.0
    command: [kubelet, --kubeconfig=/etc/kubernetes/kubelet.conf]
"""

APISERVER_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.30.0
    command:
    - kube-apiserver
    - --service-account-lookup=true
"""


@pytest.mark.parametrize("rule, text, line_col", [
    ("kubelet-make-iptables-util-chains", KUBELET_POD, "9:5"),  # at the command
    ("apiserver-service-account-lookup-disabled",
     APISERVER_POD.replace("    - --service-account-lookup=true\n", ""), "10:5"),
])
def test_explicit_option_reports_an_unwritten_flag(rule, text, line_col):
    assert found(text, rule) == []  # the default is safe: nothing by default
    strict = Config(select=(rule,), rules={rule: RuleSettings(options={"explicit": True})})
    got = brief(found(text, rule, config=strict))
    assert len(got) == 1 and got[0].startswith(f"{line_col} {rule} ")
    assert "is not set (defaults to true)" in got[0]


def test_explicit_option_passes_a_written_flag():
    rule = "apiserver-service-account-lookup-disabled"
    strict = Config(select=(rule,), rules={rule: RuleSettings(options={"explicit": True})})
    assert found(APISERVER_POD, rule, config=strict) == []
