"""RBAC: what Roles and ClusterRoles grant, and whom their bindings grant it to.

Two families of rules:

- *Permission* rules run on Roles and ClusterRoles and point at the rule item (`- apiGroups:`)
  that grants a dangerous permission, where it is written and fixed. They read the resources a
  rule names; a rule whose `resources` is `*` is reported once, at its `*`, by wildcard-rbac-rule
  (rather than once per permission the wildcard implies). Verb and API-group wildcards count.
- *Binding* rules run on RoleBindings and ClusterRoleBindings and point at `roleRef:` (who gets
  what) or at the subject item (who gets it). Those that depend on the granted permissions look
  the role up among the linted objects, follow ClusterRole aggregation (aggregationRule
  clusterRoleSelectors, transitively) and count every wildcard; their findings carry the rule
  items that grant the permission as related locations.

Rules read the API server's matching: a rule grants the product of its apiGroups, resources and
verbs; `*` matches every value; `*/sub` matches subresource `sub` of every resource; a rule that
lists resourceNames never grants `create` of a new object. Objects labelled
`kubernetes.io/bootstrapping: rbac-defaults` (the roles and bindings the API server creates for
itself, found in cluster dumps) are left alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from kubelint.k8s import (
    Resource,
    ResourceIndex,
    as_dict,
    as_list,
    dig,
    object_label,
    same_namespace,
    selector_matches,
)
from kubelint.model import Finding, Related, Severity, YamlPath
from kubelint.rule import Context, rule

RBAC = "rbac"

ROLE_KINDS = ("Role", "ClusterRole")
BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")

RBAC_URL = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/"
GOOD_PRACTICES_URL = "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"
_RISKS = GOOD_PRACTICES_URL + "#"
USER_FACING_ROLES_URL = RBAC_URL + "#user-facing-roles"
DEFAULT_ROLES_URL = RBAC_URL + "#default-roles-and-role-bindings"
AGGREGATION_URL = RBAC_URL + "#aggregated-clusterroles"
ESCALATION_PREVENTION_URL = RBAC_URL + "#privilege-escalation-prevention-and-bootstrapping"
SERVICE_ACCOUNT_PERMISSIONS_URL = RBAC_URL + "#service-account-permissions"
IMPERSONATION_URL = ("https://kubernetes.io/docs/reference/access-authn-authz/authentication/"
                     "#user-impersonation")
KUBELET_AUTHZ_URL = ("https://kubernetes.io/docs/reference/access-authn-authz/"
                     "kubelet-authn-authz/#kubelet-authorization")
CSR_AUTHZ_URL = ("https://kubernetes.io/docs/reference/access-authn-authz/"
                 "certificate-signing-requests/#authorization")
WEBHOOKS_URL = ("https://kubernetes.io/docs/reference/access-authn-authz/"
                "extensible-admission-controllers/")

_CORE = frozenset({""})
_APPS = frozenset({"apps", "extensions"})
_BATCH = frozenset({"batch"})
_RBAC_GROUP = frozenset({"rbac.authorization.k8s.io"})
_ADMISSION = frozenset({"admissionregistration.k8s.io"})
_CERTIFICATES = frozenset({"certificates.k8s.io"})
_AUTHENTICATION = frozenset({"authentication.k8s.io"})

BOOTSTRAP_LABEL = "kubernetes.io/bootstrapping"


# --- reading roles --------------------------------------------------------------------------


def _strings(node: Any) -> tuple[str, ...]:
    """The string items of a list (null, a scalar or another type reads as no items)."""
    return tuple(x for x in as_list(node) if isinstance(x, str))


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """One item of a role's `rules`, its lists read defensively."""

    index: int
    groups: tuple[str, ...]
    resources: tuple[str, ...]
    verbs: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def path(self) -> YamlPath:
        return ("rules", self.index)


def policy_rules(role: Resource) -> tuple[PolicyRule, ...]:
    """The role's rule items, read once per role (every binding to it reads them again)."""
    return role.derive("rbac.policy_rules", _read_policy_rules)


def _read_policy_rules(role: Resource) -> tuple[PolicyRule, ...]:
    return tuple(
        PolicyRule(i, _strings(item.get("apiGroups")), _strings(item.get("resources")),
                   _strings(item.get("verbs")), _strings(item.get("resourceNames")))
        for i, item in enumerate(as_list(role.obj.get("rules"))) if isinstance(item, dict))


def _bootstrap(res: Resource) -> bool:
    """One of the roles or bindings the API server creates and reconciles for itself."""
    return res.labels.get(BOOTSTRAP_LABEL) == "rbac-defaults"


@dataclass(frozen=True, slots=True)
class Access:
    """Verbs on a resource (`pods/exec`; `userextras/*` for every subresource of userextras)
    served by some API groups; `verbs=None` means any verb."""

    resource: str
    groups: frozenset[str]
    verbs: frozenset[str] | None

    def named_by(self, item: str, wildcards: bool) -> bool:
        """Whether a rule's resources item covers this resource."""
        if item == "*":
            return wildcards
        if item == self.resource:
            return True
        base, _, sub = self.resource.partition("/")
        if sub == "*":
            return item.startswith(base + "/") and len(item) > len(base) + 1
        return bool(sub) and item == "*/" + sub


@dataclass(frozen=True, slots=True)
class Permission:
    """A dangerous capability and the accesses that give it.

    `named`: a rule listing resourceNames gives it only on those objects, which is the narrowing
    the good practices recommend, so such a rule is not flagged.
    """

    ability: str  # completes "lets <subjects> ..."
    accesses: tuple[Access, ...]
    named: bool = False


@dataclass(frozen=True, slots=True)
class Grant:
    """The verbs and resource items of one rule item that give a permission."""

    rule: PolicyRule
    verbs: tuple[str, ...]
    resources: tuple[str, ...]

    def describe(self) -> str:
        verbs = ", ".join("'*'" if v == "*" else v for v in self.verbs)
        resources = ", ".join("'*'" if r == "*" else r for r in self.resources)
        return f"{verbs} on {resources}"


def grant(rule: PolicyRule, permission: Permission, *, wildcards: bool) -> Grant | None:
    """What `rule` grants of `permission`; `wildcards=False` ignores a `*` resources item."""
    if permission.named and rule.names:
        return None
    verbs: list[str] = []
    resources: list[str] = []
    for item in rule.resources:
        for access in permission.accesses:
            if not access.named_by(item, wildcards):
                continue
            if "*" not in rule.groups and not access.groups.intersection(rule.groups):
                continue
            granted = [v for v in rule.verbs
                       if v == "*" or access.verbs is None or v in access.verbs]
            if rule.names and "/" not in access.resource:
                granted = [v for v in granted if v != "create"]  # never matches a name
            if granted:
                if item not in resources:
                    resources.append(item)
                verbs.extend(v for v in granted if v not in verbs)
    if not resources:
        return None
    return Grant(rule, tuple(verbs), tuple(resources))


def role_grants(role: Resource, permission: Permission) -> list[Grant]:
    """The rule items of a role that name a resource giving `permission`."""
    return [g for r in policy_rules(role) if (g := grant(r, permission, wildcards=False))]


# --- permissions ----------------------------------------------------------------------------

_READ = frozenset({"get", "list", "watch"})
_CREATE = frozenset({"create"})
_WRITE = frozenset({"create", "update", "patch", "delete", "deletecollection"})

SECRET_READ = Permission("read Secrets", (Access("secrets", _CORE, _READ),), named=True)
POD_CREATE = Permission("create pods", (
    Access("pods", _CORE, _CREATE),
    Access("replicationcontrollers", _CORE, _CREATE),
    Access("deployments", _APPS, _CREATE),
    Access("daemonsets", _APPS, _CREATE),
    Access("replicasets", _APPS, _CREATE),
    Access("statefulsets", _APPS - {"extensions"}, _CREATE),
    Access("jobs", _BATCH, _CREATE),
    Access("cronjobs", _BATCH, _CREATE),
), named=True)
POD_EXEC = Permission("run commands in pods", (
    Access("pods/exec", _CORE, frozenset({"get", "create"})),
    Access("pods/attach", _CORE, frozenset({"get", "create"})),
    Access("pods/portforward", _CORE, frozenset({"get", "create"})),
    Access("pods/ephemeralcontainers", _CORE, frozenset({"update", "patch"})),
))
_RBAC_ROLES = ("roles", "clusterroles")
ESCALATE = Permission("escalate privileges through RBAC", tuple(
    Access(r, _RBAC_GROUP, frozenset({"escalate"})) for r in _RBAC_ROLES))
BIND = Permission("escalate privileges through RBAC", tuple(
    Access(r, _RBAC_GROUP, frozenset({"bind"})) for r in _RBAC_ROLES), named=True)
IMPERSONATE = Permission("impersonate other identities", (
    Access("users", _CORE, frozenset({"impersonate"})),
    Access("groups", _CORE, frozenset({"impersonate"})),
    Access("serviceaccounts", _CORE, frozenset({"impersonate"})),
    Access("uids", _AUTHENTICATION, frozenset({"impersonate"})),
    Access("userextras/*", _AUTHENTICATION, frozenset({"impersonate"})),
), named=True)
NODE_PROXY = Permission("reach the kubelet API", (Access("nodes/proxy", _CORE, None),))
WEBHOOK_CONTROL = Permission("control admission webhooks", (
    Access("mutatingwebhookconfigurations", _ADMISSION, _WRITE),
    Access("validatingwebhookconfigurations", _ADMISSION, _WRITE),
))
CSR_APPROVAL = Permission("approve certificate signing requests", (
    Access("certificatesigningrequests/approval", _CERTIFICATES, frozenset({"update", "patch"})),
))
SIGNER_APPROVAL = Permission("approve certificate signing requests", (
    Access("signers", _CERTIFICATES, frozenset({"approve"})),
))


def _permission_findings(res: Resource, *permissions: Permission) -> Iterator[Finding]:
    """A finding per rule item that grants any of `permissions` (merged when several do)."""
    if _bootstrap(res):
        return
    for r in policy_rules(res):
        grants = [g for p in permissions if (g := grant(r, p, wildcards=False))]
        if not grants:
            continue
        verbs = tuple(dict.fromkeys(v for g in grants for v in g.verbs))
        resources = tuple(dict.fromkeys(x for g in grants for x in g.resources))
        merged = Grant(r, verbs, resources)
        yield Finding(r.path, f"{object_label(res)} lets its subjects {permissions[0].ability} "
                              f"({merged.describe()})")


# --- role rules -----------------------------------------------------------------------------

def _listed(values: tuple[str, ...], empty: str) -> str:
    """`a, b, c` or `a, b and 3 more`; `empty` when there are none."""
    shown = ["'*'" if v == "*" else (v or "core") for v in values]
    if not shown:
        return empty
    if len(shown) > 3:
        return f"{', '.join(shown[:2])} and {len(shown) - 2} more"
    return ", ".join(shown)


def _wildcard_scope(item: dict, field: str) -> str:
    """What a `*` in `field` of a rule item grants, for the message."""
    groups = _strings(item.get("apiGroups"))
    resources = _strings(item.get("resources"))
    if "*" in resources:
        targets = "every resource"
    else:
        fallback = "its non-resource URLs" if item.get("nonResourceURLs") else "its resources"
        targets = _listed(resources, fallback)
    if field == "verbs":
        return f"every verb on {targets}"
    if field == "apiGroups":
        return f"{targets} in every API group"
    if "*" in groups or "" in groups:
        return "every resource and subresource, secrets and pods/exec included"
    return f"every resource and subresource in {_listed(groups, 'its API groups')}"


@rule(
    id="wildcard-rbac-rule", category=RBAC, severity=Severity.WARNING, kinds=ROLE_KINDS,
    default_enabled=False,
    summary="A Role or ClusterRole rule uses the wildcard '*' in its verbs, resources or "
            "apiGroups.",
    rationale="A wildcard grants every value, including ones that did not exist when the role "
              "was written: new verbs, subresources, custom resources and API groups. '*' in "
              "resources covers secrets and pods/exec; '*' in verbs covers escalate, bind and "
              "impersonate. What the role really allows is then impossible to review.",
    remediation="List the verbs, resources and API groups the workload needs instead of '*'.",
    references=(_RISKS + "least-privilege", RBAC_URL + "#referring-to-resources"),
    equivalents={"kube-linter": "wildcard-in-rules", "checkov": "CKV_K8S_49"},
)
def wildcard_rbac_rule(res: Resource, ctx: Context) -> Iterator[Finding]:
    """One finding per `*` item in a rule's verbs, resources or apiGroups (nonResourceURLs are
    not read). kube-linter's wildcard-in-rules reads verbs and resources only; checkov's
    CKV_K8S_49 reads all three but only in a role's first rule. Off by default, as in
    kube-linter: operators routinely grant '*' verbs on their own custom resources, and metrics
    adapters '*' resources of their metrics API groups."""
    if _bootstrap(res):
        return
    for i, item in enumerate(as_list(res.obj.get("rules"))):
        if not isinstance(item, dict):
            continue
        for field in ("apiGroups", "resources", "verbs"):
            for j, value in enumerate(as_list(item.get(field))):
                if value == "*":
                    yield Finding(("rules", i, field, j),
                                  f"wildcard '*' in the {field} of {object_label(res)} grants "
                                  f"{_wildcard_scope(item, field)}")


@rule(
    id="secret-read-permission", category=RBAC, severity=Severity.WARNING, kinds=ROLE_KINDS,
    default_enabled=False,
    summary="A Role or ClusterRole grants get, list or watch on all Secrets.",
    rationale="Reading Secrets reveals every credential they hold, including service account "
              "tokens of more privileged accounts. list and watch return the contents of every "
              "Secret, not only their names, so a ClusterRole with list on secrets reads the "
              "whole cluster's credentials.",
    remediation="Remove get, list and watch on secrets, or limit get to the Secrets the "
                "workload needs with resourceNames.",
    references=(_RISKS + "listing-secrets", GOOD_PRACTICES_URL),
)
def secret_read_permission(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags a rule item granting get, list, watch or '*' on secrets in the core API group (or
    '*'). A rule limited by resourceNames passes: that is the recommended narrowing. A rule whose
    resources is '*' is reported by wildcard-rbac-rule. Off by default: controllers such as
    ingress controllers, cert-manager and operators legitimately watch Secrets cluster-wide.
    secret-read-binding reports the bindings that hand this permission out."""
    yield from _permission_findings(res, SECRET_READ)


@rule(
    id="pod-create-permission", category=RBAC, severity=Severity.WARNING, kinds=ROLE_KINDS,
    default_enabled=False,
    summary="A Role or ClusterRole grants create on pods or on a workload controller that "
            "creates pods.",
    rationale="Whoever can create a pod, directly or through a Deployment, DaemonSet, "
              "StatefulSet, ReplicaSet, ReplicationController, Job or CronJob, can run it as "
              "any service account of the namespace and mount any Secret, ConfigMap or volume "
              "there; unless admission policy stops it, the pod can also be privileged and "
              "take over its node.",
    remediation="Remove create on pods and workload resources, or grant it only to deployment "
                "tooling in namespaces enforcing a restrictive Pod Security Standard.",
    references=(_RISKS + "workload-creation", GOOD_PRACTICES_URL),
)
def pod_create_permission(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags create (or '*') on pods or replicationcontrollers (core), deployments, daemonsets,
    replicasets (apps or extensions), statefulsets (apps), jobs or cronjobs (batch). update
    and patch on a workload's template are as powerful but are left out, as CIS 5.1.4 and
    peers do. A rule listing resourceNames grants no create and passes. Off by default:
    deployment tooling and operators must create workloads. pod-create-binding reports the
    bindings."""
    yield from _permission_findings(res, POD_CREATE)


@rule(
    id="pod-exec-permission", category=RBAC, severity=Severity.WARNING, kinds=ROLE_KINDS,
    summary="A Role or ClusterRole lets its subjects exec into, attach to, port-forward to or "
            "add debug containers to running pods.",
    rationale="A shell in a running pod gives its service account token, its mounted Secrets "
              "and its network position; port-forward reaches ports no Service exposes. With "
              "pods/exec on a ClusterRole, every pod of the cluster is one command away.",
    remediation="Remove pods/exec, pods/attach, pods/portforward and pods/ephemeralcontainers "
                "from the role, or grant them only to break-glass administrators.",
    references=(RBAC_URL + "#referring-to-resources", GOOD_PRACTICES_URL),
    equivalents={"polaris": ("clusterrolePodExecAttach", "rolePodExecAttach")},
)
def pod_exec_permission(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags get, create or '*' on pods/exec, pods/attach or pods/portforward, and update,
    patch or '*' on pods/ephemeralcontainers (kubectl debug), in the core API group (or '*').
    get counts: a WebSocket upgrade is a GET, and the API server authorizes it as get unless
    the AuthorizePodWebsocketUpgradeCreatePermission gate is on. Polaris also flags '*' in
    resources (kubelint: wildcard-rbac-rule) and exempts the admin, edit and cluster-admin
    roles by name (kubelint: the bootstrap label); it does not read portforward."""
    yield from _permission_findings(res, POD_EXEC)


@rule(
    id="rbac-escalation-permission", category=RBAC, severity=Severity.ERROR, kinds=ROLE_KINDS,
    summary="A Role or ClusterRole grants escalate or bind on roles or cluster roles.",
    rationale="RBAC stops users from granting permissions they do not hold; escalate and bind "
              "switch that guard off. With escalate a subject can add any permission to a role "
              "bound to it; with bind it can bind any role, cluster-admin included, to itself.",
    remediation="Remove the escalate and bind verbs; to let tooling bind specific roles, grant "
                "bind with resourceNames naming them.",
    references=(_RISKS + "escalate-verb", _RISKS + "bind-verb", ESCALATION_PREVENTION_URL),
    equivalents={"checkov": "CKV_K8S_158"},
)
def rbac_escalation_permission(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags escalate, bind or '*' on roles or clusterroles in rbac.authorization.k8s.io (or
    '*'). bind limited by resourceNames passes (the documented way to let tooling bind chosen
    roles); escalate does not (it allows editing the named role into anything). checkov's
    CKV_K8S_157 looks for bind on rolebindings, which the API server never checks."""
    yield from _permission_findings(res, ESCALATE, BIND)


@rule(
    id="impersonation-permission", category=RBAC, severity=Severity.ERROR, kinds=ROLE_KINDS,
    summary="A Role or ClusterRole grants impersonate on users, groups, service accounts or "
            "their attributes.",
    rationale="Impersonation makes every request act as another identity, with that "
              "identity's permissions: impersonating a cluster administrator or the "
              "system:masters group is cluster-admin.",
    remediation="Remove the impersonate verb, or limit it with resourceNames to the identities "
                "an authenticating proxy must act as.",
    references=(_RISKS + "impersonate-verb", IMPERSONATION_URL),
)
def impersonation_permission(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags impersonate or '*' on users, groups, serviceaccounts (core group) or uids and
    userextras/* (authentication.k8s.io). A rule limited by resourceNames passes."""
    yield from _permission_findings(res, IMPERSONATE)


@rule(
    id="node-proxy-permission", category=RBAC, severity=Severity.ERROR, kinds=("ClusterRole",),
    summary="A ClusterRole grants access to nodes/proxy, the kubelet API.",
    rationale="nodes/proxy reaches the kubelet API of every node, which runs commands in any "
              "container there and reads its logs, bypassing the API server's audit and "
              "admission; even get is enough to exec through a WebSocket.",
    remediation="Remove nodes/proxy; read metrics through nodes/metrics or the metrics API "
                "instead.",
    references=(_RISKS + "access-to-proxy-subresource-of-nodes", KUBELET_AUTHZ_URL),
    equivalents={"trivy": "KSV-0047"},
)
def node_proxy_permission(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags any verb on nodes/proxy (or */proxy) in the core API group (or '*'), with or
    without resourceNames. Nodes are cluster-scoped, so only ClusterRoles are read (a Role
    cannot grant them). Prometheus-style scrapers that list nodes/proxy are flagged: they only
    need nodes/metrics."""
    yield from _permission_findings(res, NODE_PROXY)


@rule(
    id="webhook-config-permission", category=RBAC, severity=Severity.WARNING,
    kinds=("ClusterRole",), default_enabled=False,
    summary="A ClusterRole can create, change or delete mutating or validating webhook "
            "configurations.",
    rationale="An admission webhook sees, and a mutating one rewrites, every object it "
              "matches, Secrets included. Whoever can edit a webhook configuration can point it "
              "at their own server or widen its rules, and deleting a validating webhook turns a "
              "policy engine off.",
    remediation="Remove write access to webhook configurations, or limit it to the operator "
                "that owns them.",
    references=(_RISKS + "control-admission-webhooks", WEBHOOKS_URL),
    equivalents={"checkov": "CKV_K8S_155", "trivy": "KSV-0114"},
)
def webhook_config_permission(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags create, update, patch, delete, deletecollection or '*' on
    mutatingwebhookconfigurations or validatingwebhookconfigurations in
    admissionregistration.k8s.io (or '*'), with or without resourceNames (editing one's own
    webhook can widen it to the whole cluster). checkov's CKV_K8S_155 leaves delete out. Off by
    default: operators that serve webhooks (cert-manager's CA injector, policy engines) patch
    their own configurations."""
    yield from _permission_findings(res, WEBHOOK_CONTROL)


@rule(
    id="csr-approval-permission", category=RBAC, severity=Severity.ERROR, kinds=("ClusterRole",),
    summary="A ClusterRole can approve certificate signing requests.",
    rationale="Approving a CertificateSigningRequest for the kube-apiserver-client signer mints "
              "a client certificate for any user or group, system:masters included; the "
              "certificate cannot be revoked before it expires.",
    remediation="Remove update on certificatesigningrequests/approval or approve on signers, "
                "or limit signers with resourceNames to a signer that cannot issue client "
                "certificates.",
    references=(_RISKS + "csrs-and-certificate-issuing", CSR_AUTHZ_URL),
    equivalents={"checkov": "CKV_K8S_156"},
)
def csr_approval_permission(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Approval needs both update (or patch, or '*') on certificatesigningrequests/approval and
    approve on signers, in certificates.k8s.io (or '*'). The finding points at the approval
    rule item, with the signers rule item as a related location. Signer names are not judged:
    resourceNames on signers does not pass."""
    if _bootstrap(res):
        return
    approvals = role_grants(res, CSR_APPROVAL)
    signers = role_grants(res, SIGNER_APPROVAL)
    if not approvals or not signers:
        return
    first, signer = approvals[0], signers[0]
    yield Finding(first.rule.path,
                  f"{object_label(res)} lets its subjects approve certificate signing requests "
                  f"({first.describe()}; {signer.describe()})",
                  related=(Related(res, signer.rule.path, f"grants {signer.describe()}"),))


# --- the roles a binding grants -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoleSets:
    """Roles and ClusterRoles of one bundle by (kind, name), and every ClusterRole."""

    by_name: Mapping[tuple[str, str], tuple[Resource, ...]]
    cluster_roles: tuple[Resource, ...]


def role_sets(index: ResourceIndex) -> RoleSets:
    """Roles of the bundle by name and aggregation label, built once and kept on the index."""
    return index.cached(("rbac", "roles"), _build_role_sets)


def _build_role_sets(index: ResourceIndex) -> RoleSets:
    by_name: dict[tuple[str, str], list[Resource]] = {}
    for role in index.of_kind(*ROLE_KINDS):
        if role.name is not None:
            by_name.setdefault((role.kind, role.name), []).append(role)
    return RoleSets(MappingProxyType({k: tuple(v) for k, v in by_name.items()}),
                    tuple(index.of_kind("ClusterRole")))


@dataclass(frozen=True, slots=True)
class BoundRole:
    """A role a binding grants: the referenced one, or one aggregated into it (`via`)."""

    role: Resource
    via: Resource | None = None


def _role_ref(binding: Resource) -> tuple[str, str] | None:
    ref = as_dict(binding.obj.get("roleRef"))
    kind, name = ref.get("kind"), ref.get("name")
    if kind not in ROLE_KINDS or not isinstance(name, str) or not name:
        return None
    if binding.kind == "ClusterRoleBinding" and kind != "ClusterRole":
        return None  # the API server rejects it
    return kind, name


def bound_roles(binding: Resource, index: ResourceIndex) -> list[BoundRole]:
    """The roles among the linted objects that `binding` grants: its roleRef (a Role in the
    binding's namespace, or a ClusterRole) and every ClusterRole aggregated into a referenced
    ClusterRole by its clusterRoleSelectors, transitively."""
    ref = _role_ref(binding)
    if ref is None:
        return []
    sets = role_sets(index)
    direct = [r for r in sets.by_name.get(ref, ())
              if r.kind == "ClusterRole" or same_namespace(r, binding)]
    out = [BoundRole(r) for r in direct]
    seen = {id(r) for r in direct}
    for top in direct:
        queue = [top]
        while queue:
            current = queue.pop(0)
            selectors = as_list(dig(current.obj, "aggregationRule", "clusterRoleSelectors"))
            if not selectors:
                continue
            for candidate in sets.cluster_roles:
                if id(candidate) in seen:
                    continue
                if any(selector_matches(s, candidate.labels) for s in selectors):
                    seen.add(id(candidate))
                    out.append(BoundRole(candidate, top))
                    queue.append(candidate)
    return out


def _subjects(binding: Resource) -> list[tuple[int, dict]]:
    return [(i, s) for i, s in enumerate(as_list(binding.obj.get("subjects")))
            if isinstance(s, dict)]


def _subject_label(subject: dict) -> str:
    kind = subject.get("kind") if isinstance(subject.get("kind"), str) else "subject"
    name = subject.get("name")
    return f"{kind} {name!r}" if isinstance(name, str) else f"{kind} <unnamed>"


def _subjects_label(binding: Resource) -> str | None:
    """`ServiceAccount 'a'`, `Group 'x', User 'y' and 2 more`; None without subjects."""
    labels = [_subject_label(s) for _, s in _subjects(binding)]
    if not labels:
        return None
    if len(labels) > 3:
        return f"{', '.join(labels[:2])} and {len(labels) - 2} more"
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _granted_role(binding: Resource) -> str:
    """`ClusterRole 'view'`, or `its role` when roleRef is missing or malformed."""
    ref = _role_ref(binding)
    return f"{ref[0]} {ref[1]!r}" if ref is not None else "its role"


def _binding_scope(binding: Resource) -> str:
    if binding.kind == "ClusterRoleBinding":
        return " in every namespace"
    return f" in namespace {binding.namespace!r}" if binding.namespace else " in its namespace"


def _related(bound: BoundRole, g: Grant) -> Related:
    via = f" (aggregated into {object_label(bound.via)})" if bound.via is not None else ""
    return Related(bound.role, g.rule.path, f"{object_label(bound.role)}{via} grants "
                                            f"{g.describe()}")


def _wildcard_grants(role: Resource, permission: Permission) -> tuple[Grant, ...]:
    """What each rule item of `role` grants of `permission`, counting '*' in resources; worked
    out once per role and permission (permissions are module constants), not per binding."""
    return role.derive(f"rbac.grants.{id(permission)}", lambda r: tuple(
        g for p in policy_rules(r) if (g := grant(p, permission, wildcards=True)) is not None))


def _binding_findings(res: Resource, ctx: Context, permission: Permission) -> Iterator[Finding]:
    """One finding at roleRef when a bound role (or an aggregated one) grants `permission`,
    counting every wildcard; the granting rule items are related locations."""
    if _bootstrap(res):
        return
    who = _subjects_label(res)
    if who is None:
        return
    related = [_related(bound, g) for bound in bound_roles(res, ctx.index)
               for g in _wildcard_grants(bound.role, permission)]
    if related:
        yield Finding(("roleRef",), f"{object_label(res)} lets {who} {permission.ability}"
                                    f"{_binding_scope(res)} through {_granted_role(res)}",
                      related=tuple(related))


# --- binding rules: permissions -------------------------------------------------------------

@rule(
    id="secret-read-binding", category=RBAC, severity=Severity.WARNING, kinds=BINDING_KINDS,
    scope="bundle", default_enabled=False,
    summary="A RoleBinding or ClusterRoleBinding grants a role that can read all Secrets.",
    rationale="The subjects of the binding can read every credential in the namespace (or, "
              "through a ClusterRoleBinding, the cluster), including tokens of more privileged "
              "service accounts.",
    remediation="Bind a role without get, list and watch on secrets, or narrow the role's "
                "rule to the needed Secrets with resourceNames.",
    references=(_RISKS + "listing-secrets", AGGREGATION_URL),
    equivalents={"kube-linter": "access-to-secrets", "checkov": "CKV2_K8S_5"},
)
def secret_read_binding(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags a binding whose role grants get, list, watch or '*' on secrets (or '*'), as
    secret-read-permission reads a rule but counting '*' in resources. Reads roles among the
    linted objects (a RoleBinding's Role in its namespace, or a ClusterRole), following
    ClusterRole aggregation; a binding whose role is not in the lint set, or that has no
    subjects, is not flagged. kube-linter's access-to-secrets also counts create and delete
    (they do not disclose a Secret), ignores apiGroups and resourceNames, and does not read a
    RoleBinding that references a ClusterRole; checkov's CKV2_K8S_5 reads only bindings of
    ServiceAccounts and Nodes."""
    yield from _binding_findings(res, ctx, SECRET_READ)


@rule(
    id="pod-create-binding", category=RBAC, severity=Severity.WARNING, kinds=BINDING_KINDS,
    scope="bundle", default_enabled=False,
    summary="A RoleBinding or ClusterRoleBinding grants a role that can create pods or "
            "workloads.",
    rationale="The subjects of the binding can start pods running as any service account of "
              "the namespace, mounting its Secrets, and, where admission allows, privileged "
              "pods that take over a node.",
    remediation="Bind a role without create on pods and workload resources, or bind it only "
                "to deployment tooling.",
    references=(_RISKS + "workload-creation", AGGREGATION_URL),
    equivalents={"kube-linter": "access-to-create-pods"},
)
def pod_create_binding(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags a binding whose role grants create or '*' on pods, replicationcontrollers,
    deployments, daemonsets, replicasets, statefulsets, jobs or cronjobs (or '*'), as
    pod-create-permission reads a rule but counting '*' in resources. Roles are looked up as
    for secret-read-binding. kube-linter's access-to-create-pods ignores apiGroups, spells
    cronjobs in the singular (so misses it), leaves replicationcontrollers out and does not read
    a RoleBinding that references a ClusterRole."""
    yield from _binding_findings(res, ctx, POD_CREATE)


@rule(
    id="pod-exec-binding", category=RBAC, severity=Severity.WARNING, kinds=BINDING_KINDS,
    scope="bundle", default_enabled=False,
    summary="A RoleBinding or ClusterRoleBinding grants a role that can exec into, attach to "
            "or port-forward to pods.",
    rationale="The subjects of the binding can run commands inside running pods and take "
              "their service account tokens and mounted Secrets.",
    remediation="Bind a role without pods/exec, pods/attach, pods/portforward and "
                "pods/ephemeralcontainers, or bind it only to break-glass administrators.",
    references=(RBAC_URL + "#referring-to-resources", AGGREGATION_URL),
    equivalents={"polaris": ("clusterrolebindingPodExecAttach",
                             "rolebindingClusterRolePodExecAttach",
                             "rolebindingRolePodExecAttach")},
)
def pod_exec_binding(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags a binding whose role grants what pod-exec-permission flags, counting '*' in
    resources. Roles are looked up as for secret-read-binding. Polaris also flags a binding
    whose role is missing from its input, and skips the view role and system:* bindings."""
    yield from _binding_findings(res, ctx, POD_EXEC)


# --- binding rules: subjects and roles ------------------------------------------------------

_BASIC_VERBS = frozenset({"get", "list", "watch", "create", "update", "patch", "delete"})


def _full_access(r: PolicyRule) -> bool:
    """'*' API groups, '*' resources and '*' verbs (or all seven basic verbs): cluster-admin."""
    return ("*" in r.groups and "*" in r.resources
            and ("*" in r.verbs or _BASIC_VERBS <= set(r.verbs)))


@rule(
    id="cluster-admin-binding", category=RBAC, severity=Severity.ERROR, kinds=BINDING_KINDS,
    scope="bundle",
    summary="A binding grants cluster-admin, or a role allowing every verb on every resource.",
    rationale="cluster-admin can do anything: read every Secret, run privileged pods on any "
              "node, and rewrite RBAC itself. A stolen token of a subject bound to it (often a "
              "controller's service account) is the whole cluster; through a RoleBinding it is "
              "the whole namespace, its RBAC included.",
    remediation="Bind a role listing only the permissions the subjects need; keep "
                "cluster-admin for break-glass administrators.",
    references=(USER_FACING_ROLES_URL, _RISKS + "least-privilege"),
    equivalents={"kube-linter": "cluster-admin-role-binding",
                 "polaris": ("clusterrolebindingClusterAdmin",
                             "rolebindingClusterAdminClusterRole", "rolebindingClusterAdminRole")},
)
def cluster_admin_binding(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags a ClusterRoleBinding or RoleBinding whose roleRef is the ClusterRole
    cluster-admin, and one whose role among the linted objects (or a ClusterRole aggregated into
    it) has a rule with '*' apiGroups and '*' resources and '*' verbs (or get, list, watch,
    create, update, patch and delete). kube-linter reads ClusterRoleBindings to cluster-admin
    only. Polaris also flags a binding whose ClusterRole is missing from its input."""
    if _bootstrap(res):
        return
    ref = _role_ref(res)
    who = _subjects_label(res)
    if ref is None or who is None:
        return
    where = _binding_scope(res) if res.kind == "RoleBinding" else ""
    if ref == ("ClusterRole", "cluster-admin"):
        yield Finding(("roleRef",), f"{object_label(res)} grants cluster-admin{where} to {who}")
        return
    related = tuple(_related(bound, Grant(r, r.verbs, r.resources))
                    for bound in bound_roles(res, ctx.index)
                    for r in policy_rules(bound.role) if _full_access(r))
    if related:
        yield Finding(("roleRef",), f"{object_label(res)} grants {ref[0]} {ref[1]!r}, as "
                                    f"powerful as cluster-admin{where}, to {who}",
                      related=related)


PUBLIC_SUBJECTS = MappingProxyType({
    "system:anonymous": "every unauthenticated request",
    "system:unauthenticated": "every unauthenticated request",
    "system:authenticated": "every authenticated user",
})


@rule(
    id="public-subject-binding", category=RBAC, severity=Severity.ERROR, kinds=BINDING_KINDS,
    summary="A binding grants a role to system:anonymous, system:unauthenticated or "
            "system:authenticated.",
    rationale="system:anonymous and system:unauthenticated are anyone who can reach the API "
              "server; system:authenticated is every identity it accepts, every service "
              "account of every namespace included (and, on some managed clusters, any account "
              "of the cloud provider). Permissions granted to them are public.",
    remediation="Bind the role to the users, groups or service accounts that need it.",
    references=(_RISKS + "hardening", DEFAULT_ROLES_URL),
    equivalents={"trivy": "KSV-0122"},
)
def public_subject_binding(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags each subject named system:anonymous, system:unauthenticated or
    system:authenticated, whatever its kind. Kubernetes' own bindings of its discovery roles to
    these groups carry the rbac-defaults bootstrap label and pass. Trivy's KSV-0122 reads the
    first two names (KSV-01011 the third, on GKE only)."""
    if _bootstrap(res):
        return
    for i, subject in _subjects(res):
        name = subject.get("name")
        if isinstance(name, str) and name in PUBLIC_SUBJECTS:
            yield Finding(("subjects", i), f"{object_label(res)} grants {_granted_role(res)} to "
                                           f"{name} ({PUBLIC_SUBJECTS[name]})")


@rule(
    id="default-service-account-binding", category=RBAC, severity=Severity.WARNING,
    kinds=BINDING_KINDS,
    summary="A binding grants a role to a namespace's default ServiceAccount.",
    rationale="Every pod that names no service account runs as `default`, so a role bound to "
              "it is held by all of them, including pods that never needed it. A dedicated "
              "ServiceAccount per workload keeps permissions scoped and auditable.",
    remediation="Create a ServiceAccount for the workload, bind the role to it and set the "
                "pod's serviceAccountName.",
    references=(SERVICE_ACCOUNT_PERMISSIONS_URL, _RISKS + "least-privilege"),
    equivalents={"checkov": "CKV_K8S_42"},
)
def default_service_account_binding(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags each subject of kind ServiceAccount named `default`, in any namespace (a
    RoleBinding's subject without a namespace is in the binding's)."""
    if _bootstrap(res):
        return
    for i, subject in _subjects(res):
        if subject.get("kind") == "ServiceAccount" and subject.get("name") == "default":
            ns = subject.get("namespace") or (res.namespace if res.kind == "RoleBinding" else None)
            where = f" of namespace {ns!r}" if isinstance(ns, str) and ns else ""
            yield Finding(("subjects", i), f"{object_label(res)} grants {_granted_role(res)} to "
                                           f"the default ServiceAccount{where}")


RULES = (
    wildcard_rbac_rule, secret_read_permission, pod_create_permission, pod_exec_permission,
    rbac_escalation_permission, impersonation_permission, node_proxy_permission,
    webhook_config_permission, csr_approval_permission,
    secret_read_binding, pod_create_binding, pod_exec_binding,
    cluster_admin_binding, public_subject_binding, default_service_account_binding,
)
