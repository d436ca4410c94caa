"""Rules that complete the peer catalog: PodSecurityPolicy objects, HorizontalPodAutoscalers,
disruption budgets, ConfigMap credentials, opt-in policy rules, and the options that make a rule
flag what a peer's check flags."""

from __future__ import annotations

import pytest

from kubelint.config import Config, RuleSettings
from kubelint.engine import lint_sources
from kubelint.rules import ALL_RULES, by_id
from kubelint.sources import SourceFile
from tests.helpers import brief


def _lint(text: str, select: tuple[str, ...], options: dict | None = None) -> list[str]:
    rules = {select[0]: RuleSettings(options=options)} if options else {}
    result = lint_sources([SourceFile("t.yaml", text)], Config(select=select, rules=rules))
    return brief(result.active)


def _default_run(text: str) -> set[str]:
    return {d.rule_id for d in lint_sources([SourceFile("t.yaml", text)], Config()).active}


# --- defaults -------------------------------------------------------------------------------

OPT_IN = (
    "psp-privileged", "psp-host-pid", "psp-host-ipc", "psp-host-network",
    "psp-privilege-escalation", "psp-root-user", "psp-net-raw-capability",
    "psp-added-capabilities", "psp-no-dropped-capabilities", "psp-seccomp-default",
    "low-autoscaler-min-replicas", "unset-pdb-unhealthy-pod-eviction-policy",
    "unset-topology-spread-constraints", "disallowed-priority-class", "missing-node-affinity",
    "privileged-port", "no-restart-on-failure", "missing-pod-security-context",
    "missing-container-security-context", "tiller-deployment", "exposed-tiller",
    "tiller-service", "kubernetes-dashboard-deployment", "git-sync-git-override",
    "unsorted-keys", "mismatched-instance-label",
)
ON = ("unscalable-autoscaler", "replicas-with-autoscaler", "pod-disruption-budget-without-policy",
      "invalid-topology-spread-constraint", "configmap-credential",
      "default-service-account-automount")


@pytest.mark.parametrize("rule_id", OPT_IN)
def test_opt_in_rules_are_off_by_default(rule_id):
    assert by_id(rule_id).default_enabled is False


@pytest.mark.parametrize("rule_id", ON)
def test_defect_rules_are_on_by_default(rule_id):
    assert by_id(rule_id).default_enabled is True


PSP = """\
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: wide-open}
spec:
  privileged: true
  hostPID: true
  hostIPC: true
  hostNetwork: true
  allowedCapabilities: ['*']
  runAsUser: {rule: RunAsAny}
"""


def test_psp_rules_are_silent_by_default_and_selected_by_category():
    assert not any(r.startswith("psp-") for r in _default_run(PSP))
    flagged = {line.split()[1] for line in _lint(PSP, ("pod-security-policy",))}
    assert flagged == {r.id for r in ALL_RULES if r.category == "pod-security-policy"}
    assert len(flagged) == 10


def test_psp_positions():
    assert _lint(PSP, ("psp-privileged",)) == [
        "5:3 psp-privileged PodSecurityPolicy 'wide-open' admits privileged containers "
        "(privileged: true)"]
    assert _lint(PSP, ("psp-root-user",)) == [
        "10:15 psp-root-user PodSecurityPolicy 'wide-open' admits containers running as root: "
        "its runAsUser rule is 'RunAsAny'"]


@pytest.mark.parametrize("spec", ["null", "[]", "'text'", "{runAsUser: [1], "
                                  "requiredDropCapabilities: {a: 1}, allowedCapabilities: 3}"])
def test_psp_rules_read_bad_specs_without_crashing(spec):
    text = f"apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {{name: p}}\n" \
           f"spec: {spec}\n"
    lines = _lint(text, ("pod-security-policy",))
    assert not any("internal-error" in line for line in lines)


# --- autoscalers ----------------------------------------------------------------------------

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
"""


def test_autoscaler_minimum_is_configurable():
    assert _lint(HPA, ("low-autoscaler-min-replicas",)) == []
    assert _lint(HPA, ("low-autoscaler-min-replicas",), {"min_replicas": 3}) == [
        "6:3 low-autoscaler-min-replicas HorizontalPodAutoscaler 'web' sets minReplicas 2, "
        "below the minimum of 3"]


def test_replicas_with_autoscaler_names_the_autoscaler():
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
                  "spec:\n  replicas: 2\n---\n")
    result = lint_sources([SourceFile("t.yaml", deployment + HPA)],
                          Config(select=("replicas-with-autoscaler",)))
    [diag] = result.active
    assert (diag.span.start.line, diag.span.start.col) == (5, 3)
    assert [(r.span.start.line, r.message) for r in diag.related] == [(11, "the autoscaler")]


def test_replicas_with_autoscaler_ignores_another_kind_of_target():
    statefulset = ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\n"
                   "spec:\n  replicas: 2\n  serviceName: web\n---\n")
    assert _lint(statefulset + HPA, ("replicas-with-autoscaler",)) == []


# --- options that reproduce a peer's check --------------------------------------------------

RESOURCES = """\
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app:1.0
    resources:
      requests: {cpu: 100m, memory: 128Mi}
      limits: {cpu: 200m, memory: 128Mi}
"""


def test_limit_request_ratio_per_resource():
    rule = ("excessive-limit-request-ratio",)
    cpu = ("10:16 excessive-limit-request-ratio container 'app' has a CPU limit of 200m, 2 times "
           "its request 100m (max-ratio 1)")
    assert _lint(RESOURCES, rule, {"max-ratio": 1}) == [cpu]
    assert _lint(RESOURCES, rule, {"max-ratio": 1, "resources": ["cpu"]}) == [cpu]
    assert _lint(RESOURCES, rule, {"max-ratio": 1, "resources": ["memory"]}) == []
    assert _lint(RESOURCES, rule, {"max-ratio": 1, "resources": ["ephemeral-storage"]}) == []


PROBES = """\
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: app
    image: app:1.0
    readinessProbe: {httpGet: {path: /healthz, port: 8080}}
    livenessProbe: {httpGet: {path: /healthz, port: 8080}, failureThreshold: 6}
"""


def test_identical_probes_ignore_timing():
    assert _lint(PROBES, ("identical-probes",)) == []
    assert _lint(PROBES, ("identical-probes",), {"ignore_timing": True}) == [
        "9:5 identical-probes container 'app' has a liveness probe that runs its readiness "
        "check (failing after 60s instead of 30s)"]


PULL = """\
apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
  - name: latest
    image: app:latest
  - name: pinned
    image: app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
  - name: always
    image: app:1.0
    imagePullPolicy: Always
"""


def test_pull_policy_options():
    rule = ("image-pull-policy-not-always",)
    assert _lint(PULL, rule) == []
    assert [line.split(" ", 1)[0] for line in _lint(PULL, rule, {"pass_digests": False})] == \
        ["8:5"]
    assert [line.split(" ", 1)[0] for line in _lint(PULL, rule, {"pass_digests": False,
                                                                  "explicit": True})] == \
        ["6:5", "8:5"]


OWNED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {owner: payments}
  annotations: {email: not-an-address}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
"""


def test_required_metadata_kinds_and_patterns():
    labels = ("missing-required-labels",)
    assert _lint(OWNED, labels, {"labels": ["owner"]}) == [
        "10:1 missing-required-labels required label 'owner' missing on ConfigMap 'settings'"]
    assert _lint(OWNED, labels, {"labels": ["owner"], "kinds": ["Deployment"]}) == []
    annotations = ("missing-required-annotations",)
    email = {"annotations": ["email"], "kinds": ["Deployment"],
             "patterns": {"email": r"[^@\s]+@[^@\s]+\.[a-z]+"}}
    assert _lint(OWNED, annotations, email) == [
        "6:17 missing-required-annotations annotation 'email' of Deployment 'web' is "
        "'not-an-address', which does not match '[^@\\\\s]+@[^@\\\\s]+\\\\.[a-z]+'"]
    assert _lint(OWNED, annotations, {**email, "patterns": {"email": "("}}) == []


def test_priority_class_allow_list_defaults_to_system_classes():
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
           "  priorityClassName: CLASS\n  containers: [{name: a, image: a:1}]\n")
    rule = ("disallowed-priority-class",)
    assert _lint(pod.replace("CLASS", "system-node-critical"), rule) == []
    assert _lint(pod.replace("CLASS", "high"), rule) == [
        "5:3 disallowed-priority-class pod 'p' uses priority class 'high', not one of the "
        "allowed (system-cluster-critical, system-node-critical)"]
    assert [line.split(" ", 1)[0] for line in
            _lint(pod.replace("CLASS", "high"), rule, {"allowed": []})] == ["5:3"]


# --- detection details ----------------------------------------------------------------------


@pytest.mark.parametrize(("key", "value", "flagged"), [
    ("REDIS_PASSWORD", "changeme-please", True),
    ("stripeKey", "sk_live_0123456789abcdefABCDEF", True),
    ("SECRET_NAME", "app-credentials", False),
    ("TOKEN_TTL", "3600", False),
    ("secret-config.yaml", "log: debug", False),
    ("API_TOKEN", "${API_TOKEN}", False),
])
def test_configmap_credential_reuses_env_secret_detection(key, value, flagged):
    text = (f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\n"
            f"data:\n  {key!r}: {value!r}\n")
    assert bool(_lint(text, ("configmap-credential",))) is flagged


def test_unsorted_keys_walks_flow_maps_and_list_items():
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {labels: {b: '1', a: '2'}, name: p}\n"
            "spec:\n  containers:\n  - {name: a, image: a:1}\n")
    assert _lint(text, ("unsorted-keys",)) == [
        "3:29 unsorted-keys key 'a' of metadata.labels in Pod 'p' comes after 'b'",
        "6:15 unsorted-keys key 'image' of spec.containers[0] in Pod 'p' comes after 'name'"]


def test_a_pattern_that_is_not_a_regular_expression_is_a_config_error(tmp_path):
    from kubelint.config import load
    from kubelint.errors import ConfigError

    path = tmp_path / ".kubelint.yaml"
    path.write_text("rules:\n  missing-required-annotations:\n    options:\n"
                    "      patterns: {email: '(['}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"4:18: .*patterns\.email: '\(\[' is not a 'regex'"):
        load(str(path))


@pytest.mark.parametrize(("deployment_file", "hpa_file", "paired"), [
    ("app/deploy.yaml", "app/hpa.yaml", True),
    ("app/deploy.yaml", "app/autoscaling/hpa.yaml", True),
    ("app/base/deploy.yaml", "app/hpa.yaml", True),
    ("shop/deploy.yaml", "blog/hpa.yaml", False),  # two projects linted together
])
def test_objects_without_namespace_pair_only_within_one_folder_tree(deployment_file, hpa_file,
                                                                    paired):
    deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n" \
                 "spec:\n  replicas: 2\n"
    result = lint_sources([SourceFile(deployment_file, deployment), SourceFile(hpa_file, HPA)],
                          Config(select=("replicas-with-autoscaler",)))
    assert [d.rule_id for d in result.active] == (["replicas-with-autoscaler"] if paired else [])


def test_explicit_namespaces_pair_across_folders():
    deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\n" \
                 "spec:\n  replicas: 2\n"
    hpa = HPA.replace("metadata: {name: web}", "metadata: {name: web, namespace: a}")
    result = lint_sources([SourceFile("base/deploy.yaml", deployment),
                           SourceFile("overlays/hpa.yaml", hpa)],
                          Config(select=("replicas-with-autoscaler",)))
    assert [d.rule_id for d in result.active] == ["replicas-with-autoscaler"]
