"""Namespace isolation and network policy rules across several files: which object carries a
namespace's finding, related locations, policy-type defaulting, determinism and the per-bundle
look-ups."""

from __future__ import annotations

import pytest

from kubelint.config import Config, RuleSettings
from kubelint.engine import lint_sources
from kubelint.k8s import ResourceIndex
from kubelint.rules import isolation
from kubelint.sources import SourceFile
from tests.helpers import brief, found

NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: restricted
"""

POLICIES = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-ingress
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: web}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: gateway}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-legacy
  namespace: shop
spec:
  podSelector:
    matchExpressions:
    - {key: tier, operator: In, values: [frontend]}
  policyTypes: [Ingress]
  egress:
  - {}
"""

WORKLOADS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web, tier: frontend}
    spec:
      containers:
      - name: app
        image: web:1.0
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  namespace: billing
spec:
  selector:
    matchLabels: {app: worker}
  template:
    metadata:
      labels: {app: worker}
    spec:
      containers:
      - name: app
        image: worker:1.0
---
apiVersion: batch/v1
kind: Job
metadata:
  name: report
  namespace: billing
spec:
  template:
    metadata: null
    spec:
      restartPolicy: Never
      containers:
      - name: report
        image: report:1.0
"""

FILES = [SourceFile("k8s/namespace.yaml", NAMESPACE), SourceFile("k8s/policies.yaml", POLICIES),
         SourceFile("k8s/workloads.yaml", WORKLOADS)]


def _lint(files, *rule_ids, **options):
    settings = {rid: RuleSettings(options=opts) for rid, opts in options.items()}
    result = lint_sources(files, Config(select=rule_ids, rules=settings))
    return [d for d in result.active if d.rule_id in rule_ids]


def _where(diags):
    return [(d.rule_id, d.file, d.span.start.line, d.span.start.col) for d in diags]


def _related(diag):
    return [(r.file, r.span.start.line, r.span.start.col, r.message) for r in diag.related]


# --- several files, one bundle --------------------------------------------------------------


def test_egress_finding_names_the_ingress_only_policies_in_their_file():
    diags = _lint(FILES, "missing-egress-policy")
    assert _where(diags) == [
        ("missing-egress-policy", "k8s/workloads.yaml", 4, 3),   # web
        ("missing-egress-policy", "k8s/workloads.yaml", 20, 3),  # worker
        ("missing-egress-policy", "k8s/workloads.yaml", 36, 3),  # report
    ]
    web = diags[0]
    assert web.message == "no NetworkPolicy restricts egress from the pods of Deployment 'web'"
    # web-ingress has no policyTypes (pointed at its podSelector); web-legacy lists only Ingress,
    # so its egress rules are ignored (pointed at its policyTypes)
    assert _related(web) == [
        ("k8s/policies.yaml", 7, 3, "NetworkPolicy 'web-ingress' selects these pods but does "
                                    "not restrict their egress"),
        ("k8s/policies.yaml", 22, 3, "NetworkPolicy 'web-legacy' selects these pods but does "
                                     "not restrict their egress"),
    ]
    assert diags[1].related == () and diags[2].related == ()


def test_network_policy_in_another_file_selects_the_workload():
    diags = _lint(FILES, "missing-network-policy")
    assert brief(diags) == [
        "20:3 missing-network-policy no NetworkPolicy selects the pods of Deployment 'worker'",
        "36:3 missing-network-policy no NetworkPolicy selects the pods of Job 'report'",
    ]
    assert {d.file for d in diags} == {"k8s/workloads.yaml"}


def test_namespace_findings_land_on_the_namespace_object_else_first_workload():
    diags = _lint(FILES, "namespace-without-network-policy", "missing-default-deny-ingress",
                  "missing-resource-quota")
    assert [(d.rule_id, d.file, d.span.start.line, d.span.start.col, d.message) for d in diags] == [
        ("missing-default-deny-ingress", "k8s/namespace.yaml", 4, 3,
         "Namespace 'shop' has no default-deny ingress NetworkPolicy, so pods no policy selects "
         "accept any connection"),
        ("missing-resource-quota", "k8s/namespace.yaml", 4, 3, "Namespace 'shop' has no "
                                                               "ResourceQuota"),
        ("missing-default-deny-ingress", "k8s/workloads.yaml", 21, 3,
         "namespace 'billing' of Deployment 'worker' and 1 more workload has no default-deny "
         "ingress NetworkPolicy, so pods no policy selects accept any connection"),
        ("missing-resource-quota", "k8s/workloads.yaml", 21, 3,
         "namespace 'billing' of Deployment 'worker' and 1 more workload has no ResourceQuota"),
        ("namespace-without-network-policy", "k8s/workloads.yaml", 21, 3,
         "namespace 'billing' of Deployment 'worker' and 1 more workload has no NetworkPolicy, "
         "so its pods accept and open connections to anything"),
    ]


def test_file_order_decides_the_reporting_workload():
    reordered = [FILES[2], FILES[1], FILES[0]]
    first = _where(_lint(reordered, "namespace-without-network-policy"))
    again = _where(_lint(reordered, "namespace-without-network-policy"))
    assert first == again == [("namespace-without-network-policy", "k8s/workloads.yaml", 21, 3)]
    # the Namespace object still carries shop's findings when it comes last
    assert _where(_lint(reordered, "missing-default-deny-egress")) == [
        ("missing-default-deny-egress", "k8s/namespace.yaml", 4, 3),
        ("missing-default-deny-egress", "k8s/workloads.yaml", 21, 3),
    ]


def test_policy_without_namespace_covers_any_namespace():
    deny = SourceFile("deny.yaml", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                                   "metadata:\n  name: deny-all\nspec:\n  podSelector: {}\n"
                                   "  policyTypes: [Ingress, Egress]\n")
    rules = ("namespace-without-network-policy", "missing-default-deny-ingress",
             "missing-default-deny-egress", "missing-network-policy", "missing-egress-policy")
    assert _lint([*FILES, deny], *rules) == []


def test_target_namespace_sees_every_policy():
    pod = SourceFile("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\n"
                                 "  labels: {app: web}\nspec:\n  containers: []\n")
    assert _lint([pod], "missing-network-policy")[0].span.start.line == 4
    assert _lint([pod, FILES[1]], "missing-network-policy") == []
    assert brief(_lint([pod], "namespace-without-network-policy")) == [
        "4:3 namespace-without-network-policy the target namespace of Pod 'debug' (no "
        "metadata.namespace) has no NetworkPolicy, so its pods accept and open connections to "
        "anything",
    ]


# --- kube-linter's ignore annotation, options -----------------------------------------------


def test_kube_linter_annotation_suppresses_missing_network_policy():
    text = WORKLOADS.replace("  name: worker\n", "  name: worker\n  annotations:\n"
                             "    ignore-check.kube-linter.io/non-isolated-pod: batch only\n")
    diags = _lint([SourceFile("w.yaml", text)], "missing-network-policy")
    assert [d.resource.name for d in diags] == ["web", "report"]


def test_metadata_addresses_option():
    policy = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n"
              "spec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n"
              "    - ipBlock: {cidr: 100.100.0.0/16}\n")
    files = [SourceFile("p.yaml", policy)]
    assert _lint(files, "cloud-metadata-egress") == []
    diags = _lint(files, "cloud-metadata-egress",
                  **{"cloud-metadata-egress": {"addresses": ["100.100.100.200", "bad"]}})
    assert brief(diags) == [
        "10:17 cloud-metadata-egress egress to 100.100.0.0/16 in NetworkPolicy 'p' allows the "
        "cloud metadata address 100.100.100.200",
    ]


# --- reading policies -----------------------------------------------------------------------


@pytest.mark.parametrize("spec, expected", [
    ({}, {"Ingress"}),
    ({"egress": []}, {"Ingress"}),
    ({"egress": [{}]}, {"Ingress", "Egress"}),
    ({"egress": None}, {"Ingress"}),
    ({"policyTypes": ["Egress"]}, {"Egress"}),
    ({"policyTypes": ["Ingress"], "egress": [{}]}, {"Ingress"}),
    ({"policyTypes": [], "egress": [{}]}, {"Ingress", "Egress"}),  # empty list: defaulted
    ({"policyTypes": "Egress"}, {"Ingress"}),
    ({"policyTypes": ["Sideways", None]}, set()),
])
def test_policy_types_default_as_the_api_server_does(spec, expected):
    assert isolation.policy_types(spec) == expected


HOSTILE = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a, namespace: x}
spec:
  podSelector: [app]
  policyTypes: {Ingress: true}
  ingress: 7
  egress: {to: all}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b, namespace: x}
---
apiVersion: v1
kind: Namespace
metadata:
  name: x
  labels: {pod-security.kubernetes.io/enforce: 2024-01-01}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: w, namespace: x}
spec:
  template: [not, a, template]
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: x}
spec: null
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d, namespace: x}
spec: {template: {metadata: {labels: null}, spec: {hostNetwork: "true"}}}
"""


def test_hostile_values_never_crash():
    result = lint_sources([SourceFile("h.yaml", HOSTILE)], Config(select=("isolation",)))
    assert [d for d in result.diagnostics if d.rule_id == "internal-error"] == []
    got = {(d.rule_id, d.resource.name) for d in result.active}
    assert ("missing-pod-security-level", "x") in got
    assert {("missing-network-policy", n) for n in "wpd"} <= got


def test_bundle_lookups_are_built_once_per_index(monkeypatch):
    calls = {"bundle": 0, "selections": 0}
    build_bundle, build_selections = isolation._build_bundle, isolation._build_selections

    def counting_bundle(index):
        calls["bundle"] += 1
        return build_bundle(index)

    def counting_selections(index):
        calls["selections"] += 1
        return build_selections(index)

    monkeypatch.setattr(isolation, "_build_bundle", counting_bundle)
    monkeypatch.setattr(isolation, "_build_selections", counting_selections)
    result = lint_sources(FILES, Config(select=("isolation",)))
    assert result.resources == 6
    assert calls == {"bundle": 1, "selections": 1}


def test_bundle_is_a_function_of_the_index():
    index = ResourceIndex([])
    bundle = isolation._bundle(index)
    assert bundle.namespaces == {} and bundle.policies == () and bundle.reported_on == {}
    assert found(NAMESPACE, "namespace-without-network-policy")[0].span.start.line == 4
