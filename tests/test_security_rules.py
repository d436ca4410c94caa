"""Security-context rules beyond their fixtures: options, fixes, inheritance and hostile shapes."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from kubelint.config import Config, RuleSettings
from kubelint.model import Safety, SetValue
from kubelint.rules import security
from tests.helpers import brief, found, lint_text

SECURITY_IDS = tuple(r.id for r in security.RULES)


def _with_options(rule_id: str, **options) -> Config:
    return Config(select=(rule_id,), rules={rule_id: RuleSettings(options=options)})


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  securityContext:
    sysctls:
    - name: kernel.msgmax
      value: "1"
    - name: net.core.somaxconn
      value: "1"
  containers:
  - name: app
    image: nginx:1.25
    securityContext:
      capabilities:
        add: [SYS_TIME, NET_BIND_SERVICE]
"""


def test_unsafe_sysctls_allowed_option_takes_names_and_prefix_patterns():
    assert len(found(POD, "unsafe-sysctls")) == 2
    cfg = _with_options("unsafe-sysctls", allowed=["kernel.msg*"])
    got = [d for d in lint_text(POD, config=cfg).active if d.rule_id == "unsafe-sysctls"]
    assert brief(got) == ["10:7 unsafe-sysctls pod 'p' sets unsafe sysctl 'net.core.somaxconn'"]
    cfg = _with_options("unsafe-sysctls", allowed=["net/core/somaxconn", "kernel.msgmax"])
    assert [d for d in lint_text(POD, config=cfg).active if d.rule_id == "unsafe-sysctls"] == []


def test_dangerous_capabilities_option_replaces_the_list():
    assert brief(found(POD, "dangerous-capabilities")) == [
        "17:15 dangerous-capabilities container 'app' adds capability SYS_TIME"]
    cfg = _with_options("dangerous-capabilities", capabilities=["cap_net_bind_service"])
    got = [d for d in lint_text(POD, config=cfg).active if d.rule_id == "dangerous-capabilities"]
    assert brief(got) == [
        "17:25 dangerous-capabilities container 'app' adds capability NET_BIND_SERVICE"]


def test_low_user_group_id_threshold_option():
    text = POD.replace("    securityContext:\n      capabilities:",
                       "    securityContext:\n      runAsUser: 2000\n      runAsGroup: 2000\n"
                       "      capabilities:")
    assert len(found(text, "low-user-group-id")) == 2
    cfg = _with_options("low-user-group-id", min_id=1000)
    assert [d for d in lint_text(text, config=cfg).active if d.rule_id == "low-user-group-id"] == []


def test_rules_off_by_default():
    off = {r.id for r in security.RULES if not r.default_enabled}
    assert off == {"automount-service-account-token", "low-user-group-id", "net-raw-not-dropped",
                   "added-capabilities", "missing-linux-hardening"}
    result = lint_text(POD, config=Config())
    assert not {d.rule_id for d in result.active} & off


def _fixes(text: str, rule_id: str):
    return [d.fix for d in found(text, rule_id)]


def test_no_escalation_fix_when_privileged_or_sys_admin():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: a
    securityContext: {privileged: true, allowPrivilegeEscalation: true}
  - name: b
    securityContext: {capabilities: {add: [SYS_ADMIN]}}
  - name: c
"""
    fixes = _fixes(text, "privilege-escalation-container")
    assert fixes[:2] == [None, None]
    assert fixes[2].edits == (SetValue(("spec", "containers", 2, "securityContext",
                                        "allowPrivilegeEscalation"), False),)
    assert fixes[2].safety is Safety.UNSAFE


def test_no_run_as_non_root_fix_for_explicit_uid_zero_or_wrong_shapes():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: root
    securityContext: {runAsUser: 0}
  - name: list
    securityContext: [runAsNonRoot]
  - name: plain
"""
    fixes = _fixes(text, "run-as-non-root")
    assert fixes[:2] == [None, None]
    assert fixes[2].edits == (SetValue(("spec", "containers", 2, "securityContext",
                                        "runAsNonRoot"), True),)


def test_container_overrides_pod_level_run_as_non_root():
    base = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
  - name: app
"""
    assert found(base, "run-as-non-root") == []
    override = base + "    securityContext: {runAsNonRoot: false}\n"
    assert brief(found(override, "run-as-non-root")) == [
        "8:23 run-as-non-root container 'app' sets runAsNonRoot: false"]


def test_service_account_in_another_namespace_does_not_count():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a}
spec:
  serviceAccountName: builder
  containers: [{name: app}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: b}
automountServiceAccountToken: false
"""
    assert len(found(text, "automount-service-account-token")) == 1
    assert found(text.replace("namespace: b", "namespace: a"),
                 "automount-service-account-token") == []


# --- hostile shapes: no rule may crash, whatever a node is replaced with --------------------------

FULL = yaml.safe_load("""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      annotations:
        seccomp.security.alpha.kubernetes.io/pod: unconfined
        container.apparmor.security.beta.kubernetes.io/app: unconfined
    spec:
      os: {name: linux}
      hostNetwork: true
      hostPID: true
      hostIPC: true
      hostUsers: true
      automountServiceAccountToken: true
      serviceAccountName: app
      securityContext:
        runAsUser: 0
        runAsGroup: 0
        fsGroup: 0
        supplementalGroups: [0]
        runAsNonRoot: false
        seccompProfile: {type: Unconfined}
        appArmorProfile: {type: Unconfined}
        seLinuxOptions: {type: spc_t, user: u}
        windowsOptions: {hostProcess: true}
        sysctls: [{name: kernel.sem, value: "1"}]
      volumes:
      - name: host
        hostPath: {path: /}
      initContainers:
      - name: init
        securityContext:
          privileged: true
      containers:
      - name: app
        ports:
        - containerPort: 80
          hostPort: 80
        securityContext:
          privileged: true
          allowPrivilegeEscalation: true
          readOnlyRootFilesystem: false
          procMount: Unmasked
          runAsUser: 0
          capabilities:
            add: [SYS_ADMIN]
            drop: [CHOWN]
          seccompProfile: {type: Unconfined}
          windowsOptions: {hostProcess: true}
""")

HOSTILE = (None, [], {}, "x", "true", 0, True, 1.5, [None], [{}], {"type": None})


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*prefix, i)
            yield from _paths(value, (*prefix, i))


def _replaced(path, value):
    obj = copy.deepcopy(FULL)
    node = obj
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return obj


PATHS = [p for p in _paths(FULL) if p[:1] == ("spec",)]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: ".".join(map(str, p)))
def test_hostile_values_never_crash(path):
    text = yaml.safe_dump_all([_replaced(path, v) for v in HOSTILE], sort_keys=False)
    result = lint_text(text, select=SECURITY_IDS)
    crashes = [d.message for d in result.diagnostics if d.rule_id == "internal-error"]
    assert crashes == []


def test_full_example_triggers_every_rule():
    """The hostile sweep starts from an object every workload security rule reports (but two: its
    seccomp profile is set, to Unconfined, and its SELinux options count as hardening). The SCC
    rule reads OpenShift SCC objects, not pods."""
    text = yaml.safe_dump(FULL, sort_keys=False)
    got = {d.rule_id for d in lint_text(text, select=SECURITY_IDS).active}
    assert got == set(SECURITY_IDS) - {"seccomp-profile-missing", "scc-privileged-container",
                                       "missing-linux-hardening"}
    bare = _replaced(("spec", "template", "spec", "securityContext"), None)
    bare["spec"]["template"]["metadata"] = None
    text = yaml.safe_dump(bare)
    got = {d.rule_id for d in lint_text(text, select=SECURITY_IDS).active}
    assert "seccomp-profile-missing" in got


def test_added_capabilities_allowed_option():
    text = (Path(__file__).parent / "rules" / "added-capabilities" / "fail.yaml").read_text()
    rule = "added-capabilities"
    config = Config(select=(rule,), rules={rule: RuleSettings(
        options={"allowed": ["net_bind_service", "CAP_CHOWN"]})})
    assert brief(found(text, rule, config=config)) == [
        "26:15 added-capabilities container 'web' adds capability SYS_TIME"]
