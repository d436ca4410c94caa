"""RBAC rules beyond their fixtures: related locations, roles in other files and `kind: List`
items, aggregation cycles, how a rule item is matched, defensive reading, suppression by
kube-linter annotations and the per-bundle role look-up."""

from __future__ import annotations

import pytest

from kubelint.config import Config
from kubelint.engine import lint_sources
from kubelint.k8s import ResourceIndex, resources_of
from kubelint.parse import parse_text
from kubelint.rules import rbac
from kubelint.sources import SourceFile
from tests.helpers import brief, found, lint_text

RBAC_IDS = tuple(r.id for r in rbac.RULES)

ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
  namespace: shop
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get]
- apiGroups: [""]
  resources: [secrets]
  verbs: [list]
"""

BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: app
  namespace: shop
subjects:
- kind: ServiceAccount
  name: app
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: reader
"""


def _lint(files: dict[str, str], *rule_ids: str):
    sources = [SourceFile(name, text) for name, text in files.items()]
    return [d for d in lint_sources(sources, Config(select=rule_ids)).active
            if d.rule_id in rule_ids]


def _resources(text: str):
    out = []
    for doc in parse_text(text).documents:
        out.extend(resources_of(doc, "test.yaml")[0])
    return out


# --- related locations and look-ups across files ----------------------------------------------

def test_binding_finding_points_at_role_ref_with_the_granting_rule_related():
    diags = _lint({"binding.yaml": BINDING, "role.yaml": ROLE}, "secret-read-binding")
    assert brief(diags) == ["9:1 secret-read-binding RoleBinding 'app' lets ServiceAccount "
                           "'app' read Secrets in namespace 'shop' through Role 'reader'"]
    (related,) = diags[0].related
    assert (related.file, related.span.start.line, related.span.start.col) == ("role.yaml", 10, 3)
    assert related.message == "Role 'reader' grants list on secrets"


def test_role_in_a_list_is_located_inside_the_list():
    listed = ("apiVersion: v1\nkind: List\nitems:\n"
              + "".join(("- " if i == 0 else "  ") + line + "\n"
                        for i, line in enumerate(ROLE.splitlines())))
    diags = _lint({"binding.yaml": BINDING, "list.yaml": listed}, "secret-read-binding")
    (related,) = diags[0].related
    assert related.file == "list.yaml"
    assert (related.span.start.line, related.span.start.col) == (13, 5)


def test_unset_namespaces_match_and_other_namespaces_do_not():
    unset = BINDING.replace("  namespace: shop\n", "")
    assert len(_lint({"b.yaml": unset, "r.yaml": ROLE}, "secret-read-binding")) == 1
    other = BINDING.replace("namespace: shop", "namespace: billing")
    assert _lint({"b.yaml": other, "r.yaml": ROLE}, "secret-read-binding") == []


def test_every_granting_rule_of_every_bound_role_is_related():
    roles = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: top
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {agg: top}
rules:
- apiGroups: [""]
  resources: [secrets]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: part
  labels: {agg: top}
rules:
- apiGroups: ["*"]
  resources: ["*"]
  verbs: [watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: top
subjects:
- {kind: Group, name: ops}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: top}
"""
    (diag,) = found(roles, "secret-read-binding")
    assert [(r.span.start.line, r.message) for r in diag.related] == [
        (9, "ClusterRole 'top' grants get on secrets"),
        (19, "ClusterRole 'part' (aggregated into ClusterRole 'top') grants watch on '*'"),
    ]


def test_aggregation_cycles_end():
    cycle = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: a
  labels: {agg: a}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {agg: b}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: b
  labels: {agg: b}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {agg: a}}, {}]
rules:
- apiGroups: [""]
  resources: [pods/exec]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: a
subjects: [{kind: User, name: jane}]
roleRef: {kind: ClusterRole, name: a}
"""
    assert brief(found(cycle, "pod-exec-binding")) == [
        "26:1 pod-exec-binding ClusterRoleBinding 'a' lets User 'jane' run commands in pods in "
        "every namespace through ClusterRole 'a'"]
    index = ResourceIndex(_resources(cycle))
    binding = index.find("ClusterRoleBinding", "a")
    assert [(b.role.name, b.via.name if b.via else None)
            for b in rbac.bound_roles(binding, index)] == [("a", None), ("b", "a")]


def test_csr_finding_relates_the_signer_rule():
    text = (ROLE.replace("kind: Role", "kind: ClusterRole").replace("  namespace: shop\n", "")
            .replace('[""]', "[certificates.k8s.io]", 2)
            .replace("[pods]", "[signers]").replace("[get]", "[approve]")
            .replace("[secrets]", "[certificatesigningrequests/approval]")
            .replace("[list]", "[patch]"))
    (diag,) = found(text, "csr-approval-permission")
    assert diag.span.start.line == 9
    assert [(r.span.start.line, r.message) for r in diag.related] == [
        (6, "grants approve on signers")]


def test_role_sets_are_built_once_per_bundle():
    index = ResourceIndex(_resources(ROLE + "---\n" + BINDING))
    first = rbac.role_sets(index)
    assert rbac.role_sets(index) is first
    assert list(first.by_name) == [("Role", "reader")]
    assert rbac.role_sets(ResourceIndex(_resources(ROLE))) is not first


# --- matching a rule item -----------------------------------------------------------------------

def _rule(groups=("",), resources=(), verbs=(), names=()):
    return rbac.PolicyRule(0, tuple(groups), tuple(resources), tuple(verbs), tuple(names))


@pytest.mark.parametrize(("rule", "permission", "wildcards", "expected"), [
    (_rule(resources=["secrets"], verbs=["get", "update"]), rbac.SECRET_READ, False,
     "get on secrets"),
    (_rule(groups=["*"], resources=["*"], verbs=["list"]), rbac.SECRET_READ, False, None),
    (_rule(groups=["*"], resources=["*"], verbs=["list"]), rbac.SECRET_READ, True,
     "list on '*'"),
    (_rule(groups=["apps"], resources=["*"], verbs=["list"]), rbac.SECRET_READ, True, None),
    (_rule(resources=["secrets"], verbs=["get"], names=["tls"]), rbac.SECRET_READ, True, None),
    (_rule(groups=["", "apps"], resources=["pods", "deployments"], verbs=["create"]),
     rbac.POD_CREATE, False, "create on pods, deployments"),
    (_rule(groups=["apps"], resources=["pods", "deployments"], verbs=["create"]),
     rbac.POD_CREATE, False, "create on deployments"),
    (_rule(resources=["pods/exec"], verbs=["create"], names=["db-0"]), rbac.POD_EXEC, False,
     "create on pods/exec"),
    (_rule(resources=["*/attach"], verbs=["*"]), rbac.POD_EXEC, False, "'*' on */attach"),
    (_rule(resources=["pods/exec"], verbs=["list", "watch"]), rbac.POD_EXEC, False, None),
    (_rule(groups=["authentication.k8s.io"], resources=["userextras/scopes", "userextras"],
           verbs=["impersonate"]), rbac.IMPERSONATE, False, "impersonate on userextras/scopes"),
    (_rule(groups=["admissionregistration.k8s.io"], resources=["validatingwebhookconfigurations"],
           verbs=["create"], names=["mine"]), rbac.WEBHOOK_CONTROL, False, None),
    (_rule(resources=["nodes/proxy"], verbs=["get"], names=["node-1"]), rbac.NODE_PROXY, False,
     "get on nodes/proxy"),
])
def test_grant(rule, permission, wildcards, expected):
    got = rbac.grant(rule, permission, wildcards=wildcards)
    assert (got.describe() if got else None) == expected


# --- defensive reading, suppression, defaults ----------------------------------------------------

MALFORMED = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a, labels: null}
rules: {apiGroups: ["*"]}
aggregationRule: {clusterRoleSelectors: "everything"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: b}
aggregationRule: [{matchLabels: null}]
rules:
- {apiGroups: "", resources: [secrets], verbs: [get]}
- {apiGroups: [1, null, ""], resources: [{name: secrets}, secrets], verbs: [get, 7]}
- [pods]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: null
rules: 7
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: a}
subjects: {kind: Group, name: system:authenticated}
roleRef: {kind: ClusterRole, name: [a]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b}
subjects: [{kind: [ServiceAccount], name: default}, {kind: ServiceAccount, name: {x: 1}}, 3]
roleRef: {kind: ClusterRole, name: b}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: c}
subjects: [{kind: ServiceAccount, name: default}]
"""


def test_malformed_rbac_objects_never_crash():
    result = lint_text(MALFORMED, select=RBAC_IDS)
    assert [d for d in result.diagnostics if d.rule_id == "internal-error"] == []
    assert brief(list(result.active)) == [
        "13:3 secret-read-permission ClusterRole 'b' lets its subjects read Secrets "
        "(get on secrets)",
        "31:1 secret-read-binding RoleBinding 'b' lets subject 'default' and ServiceAccount "
        "<unnamed> read Secrets in its namespace through ClusterRole 'b'",
        "36:12 default-service-account-binding ClusterRoleBinding 'c' grants its role to the "
        "default ServiceAccount",
    ]


def test_kube_linter_annotation_suppresses_the_equivalent_rule():
    annotated = BINDING.replace(
        "  namespace: shop\n",
        "  namespace: shop\n  annotations:\n"
        "    ignore-check.kube-linter.io/access-to-secrets: reviewed\n", 1)
    result = lint_text(annotated + "---\n" + ROLE, select=("secret-read-binding",))
    (diag,) = result.diagnostics
    assert diag.suppressed_by is not None and result.active == ()


def test_defaults_are_deliberate():
    """Rules that flag what controllers routinely need are opt-in; see their docstrings."""
    off = {r.id for r in rbac.RULES if not r.default_enabled}
    assert off == {"wildcard-rbac-rule", "secret-read-permission", "pod-create-permission",
                   "webhook-config-permission", "secret-read-binding", "pod-create-binding",
                   "pod-exec-binding"}
