"""Namespace isolation and network policy rules.

Where objects land (the `default` namespace, no namespace at all), what each namespace of the lint
set carries (a NetworkPolicy, default-deny policies, a ResourceQuota, a LimitRange, Pod Security
Admission labels), which workloads no NetworkPolicy isolates, and what NetworkPolicies allow.

**Namespaces of the lint set.** A namespace is declared by a Namespace object or used by a
pod-bearing object (its `metadata.namespace`). Objects without a namespace form one more group,
"the target namespace": whatever `kubectl -n` or `helm --namespace` installs them into. A finding
about a namespace is reported once: on the Namespace object (at `metadata.name`) when the lint set
declares it, else on the first workload in file order that uses it (at its `metadata.namespace`,
or its `metadata.name` for the target namespace).

**Matching.** Objects of one namespace see the policies, quotas and limit ranges of that namespace
and those without a namespace (which may be installed anywhere, as `k8s.same_namespace` reads
it); the target namespace sees every one in the lint set. Nothing is reported when in doubt.

**Policy types.** As the API server defaults them: `policyTypes` when it is a non-empty list,
else Ingress always plus Egress when the policy has egress rules. A policy affects only the
directions it lists; rules of a direction it does not list are ignored, so rules here never read
them.

The per-namespace look-ups are built once per bundle by `_bundle` (memoized on the
ResourceIndex, which every rule of one run shares).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from kubelint.k8s import (
    WORKLOADS,
    Resource,
    ResourceIndex,
    as_dict,
    as_list,
    dig,
    is_int,
    object_label,
    pod_spec,
    pod_template_metadata,
    selector_matches,
)
from kubelint.model import Finding, Related, Severity, YamlPath
from kubelint.rule import Context, rule

ISOLATION = "isolation"

NETWORK_POLICY_URL = "https://kubernetes.io/docs/concepts/services-networking/network-policies/"
DEFAULT_POLICIES_URL = NETWORK_POLICY_URL + "#default-policies"
NAMESPACES_URL = "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/"
PSA_URL = "https://kubernetes.io/docs/concepts/security/pod-security-admission/"
PSA_LABELS_URL = ("https://kubernetes.io/docs/tasks/configure-pod-container/"
                  "enforce-standards-namespace-labels/")
PSS_URL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
QUOTA_URL = "https://kubernetes.io/docs/concepts/policy/resource-quotas/"
LIMIT_RANGE_URL = "https://kubernetes.io/docs/concepts/policy/limit-range/"
METADATA_URL = ("https://kubernetes.io/docs/tasks/administer-cluster/securing-a-cluster/"
                "#restricting-cloud-metadata-api-access")

POD_KINDS = WORKLOADS - {"PodTemplate"}
"""Kinds that run pods (a PodTemplate only describes them)."""

NAMESPACED = frozenset(POD_KINDS | {
    "PodTemplate", "Service", "Endpoints", "EndpointSlice", "ConfigMap", "Secret",
    "ServiceAccount", "Role", "RoleBinding", "Ingress", "NetworkPolicy", "PodDisruptionBudget",
    "HorizontalPodAutoscaler", "PersistentVolumeClaim", "ResourceQuota", "LimitRange", "Lease",
    "ControllerRevision", "CSIStorageCapacity", "Route",
})
"""Built-in kinds that live in a namespace (custom resources may be cluster-scoped: not known)."""

ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
PSA_LEVELS = ("privileged", "baseline", "restricted")

NAMESPACE_KINDS = frozenset(POD_KINDS | {"Namespace"})
"""Kinds that namespace-level findings are reported on."""


# --- reading NetworkPolicies ----------------------------------------------------------------


def _selects_all(selector: Any) -> bool:
    """An empty LabelSelector (`{}`, or empty matchLabels and matchExpressions)."""
    return (isinstance(selector, dict) and selector.get("matchLabels") in (None, {})
            and selector.get("matchExpressions") in (None, []))


def policy_types(spec: dict) -> frozenset[str]:
    """The directions a NetworkPolicy affects, defaulted as the API server does."""
    given = spec.get("policyTypes")
    if isinstance(given, list) and given:
        return frozenset(t for t in given if t in ("Ingress", "Egress"))
    egress = spec.get("egress")
    return frozenset({"Ingress", "Egress"} if isinstance(egress, list) and egress else {"Ingress"})


@dataclass(frozen=True, slots=True)
class _Policy:
    res: Resource
    selector: Any
    types: frozenset[str]
    deny_all_ingress: bool  # selects every pod, affects ingress, allows none
    deny_all_egress: bool


def _read_policy(res: Resource) -> _Policy:
    spec = as_dict(res.obj.get("spec"))
    types = policy_types(spec)
    selector = spec.get("podSelector")
    everyone = _selects_all(selector)
    return _Policy(res, selector, types,
                   everyone and "Ingress" in types and spec.get("ingress") in (None, []),
                   everyone and "Egress" in types and spec.get("egress") in (None, []))


def _rules(res: Resource, direction: str) -> Iterator[tuple[YamlPath, dict]]:
    """The ingress or egress rules of a policy that affects that direction; a null item is an
    empty rule (as the API server decodes it); other non-mappings, and rules whose `ports` is
    not a list (rejected by the API server), are skipped."""
    spec = as_dict(res.obj.get("spec"))
    key = direction.lower()
    if direction not in policy_types(spec):
        return
    for i, item in enumerate(as_list(spec.get(key))):
        if item is None:
            item = {}
        if isinstance(item, dict) and isinstance(item.get("ports"), (list, type(None))):
            yield ("spec", key, i), item


def _peers(item: dict, key: str) -> list | None:
    """A rule's `from`/`to` peers; None when the rule matches every source or destination."""
    peers = item.get(key)
    if peers is None or peers == []:
        return None
    return peers if isinstance(peers, list) else []


def _network(cidr: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if not isinstance(cidr, str):
        return None
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return None


def _open_ip_block(peer: dict) -> str | None:
    """The cidr of an ipBlock peer covering every address (`0.0.0.0/0`, `::/0`) with no
    `except`, else None."""
    block = as_dict(peer.get("ipBlock"))
    net = _network(block.get("cidr"))
    if net is None or net.prefixlen != 0 or as_list(block.get("except")):
        return None
    return str(block.get("cidr"))


# --- the bundle's namespaces ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Namespace:
    """One namespace of the lint set (name None: the target namespace) and what it holds."""

    name: str | None
    declared: Resource | None  # its Namespace object
    users: tuple[Resource, ...]  # pod-bearing objects in it, in file order
    policies: tuple[_Policy, ...]
    quotas: tuple[Resource, ...]
    limit_ranges: tuple[Resource, ...]

    @property
    def reporter(self) -> Resource:
        return self.declared if self.declared is not None else self.users[0]


@dataclass(frozen=True, slots=True)
class _Bundle:
    policies: tuple[_Policy, ...]
    namespaces: Mapping[str | None, _Namespace]  # in file order of first appearance
    reported_on: Mapping[Resource, tuple[_Namespace, ...]]


def _relevant(objs: list[Resource], name: str | None) -> tuple[Resource, ...]:
    return tuple(r for r in objs if name is None or r.namespace in (None, name))


def _bundle(index: ResourceIndex) -> _Bundle:
    """Per-namespace look-ups for one bundle, built once and kept on the index."""
    return index.cached(("isolation", "bundle"), _build_bundle)


def _build_bundle(index: ResourceIndex) -> _Bundle:
    policies = tuple(_read_policy(r) for r in index.of_kind("NetworkPolicy"))
    declared: dict[str, Resource] = {}
    users: dict[str | None, list[Resource]] = {}
    for r in index.resources:  # file order: the first Namespace, the first user come first
        if r.kind == "Namespace" and r.name is not None:
            declared.setdefault(r.name, r)
            users.setdefault(r.name, [])
        elif r.kind in POD_KINDS:
            users.setdefault(r.namespace, []).append(r)
    quotas = index.of_kind("ResourceQuota")
    limit_ranges = index.of_kind("LimitRange")
    namespaces: dict[str | None, _Namespace] = {}
    reported_on: dict[Resource, list[_Namespace]] = {}
    for name, used_by in users.items():
        ns = _Namespace(name, declared.get(name) if name is not None else None, tuple(used_by),
                        tuple(p for p in policies
                              if name is None or p.res.namespace in (None, name)),
                        _relevant(quotas, name), _relevant(limit_ranges, name))
        namespaces[name] = ns
        reported_on.setdefault(ns.reporter, []).append(ns)
    return _Bundle(policies, MappingProxyType(namespaces),
                   MappingProxyType({r: tuple(nss) for r, nss in reported_on.items()}))


def _namespaces_of(res: Resource, ctx: Context) -> tuple[_Namespace, ...]:
    """The namespaces whose findings are reported on `res` (usually none)."""
    return _bundle(ctx.index).reported_on.get(res, ())


def _label(ns: _Namespace) -> str:
    """How messages name a namespace of the lint set."""
    if ns.declared is not None:
        return f"Namespace {ns.name!r}"
    first, more = ns.users[0], len(ns.users) - 1
    others = f" and {more} more workload{'s' if more > 1 else ''}" if more else ""
    if ns.name is None:
        return f"the target namespace of {object_label(first)}{others} (no metadata.namespace)"
    return f"namespace {ns.name!r} of {object_label(first)}{others}"


def _where(ns: _Namespace) -> YamlPath:
    if ns.declared is not None or ns.name is None:
        return ("metadata", "name")
    return ("metadata", "namespace")


# --- where objects live ---------------------------------------------------------------------

_DEFAULT_EXEMPT = frozenset({("ServiceAccount", "default"), ("Service", "kubernetes"),
                             ("Endpoints", "kubernetes"), ("EndpointSlice", "kubernetes")})


@rule(
    id="default-namespace", category=ISOLATION, severity=Severity.WARNING,
    kinds=NAMESPACED - {"Role", "RoleBinding"}, default_enabled=False,
    summary="An object is placed in the default namespace.",
    rationale="The default namespace is shared by everything deployed without a namespace: "
              "policies, quotas, RBAC grants and Pod Security labels set for one application "
              "there apply to all of them, and a mistaken `kubectl delete --all` reaches them "
              "all. Namespaces are the unit of isolation Kubernetes offers.",
    remediation="Create a namespace for the application and set metadata.namespace to it (or "
                "remove the field and install with `--namespace`).",
    references=(NAMESPACES_URL,),
    equivalents={"kube-linter": "use-namespace", "checkov": "CKV_K8S_21",
                 "trivy": "KSV-0110", "kubescape": "C-0061"},
)
def default_namespace(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Only an explicit `metadata.namespace: default`; an object with no namespace is
    unset-namespace's (the two together are kube-linter's use-namespace and checkov's
    CKV_K8S_21). Exempt, as in checkov: the ServiceAccount `default` and the Service, Endpoints
    and EndpointSlice `kubernetes`, which exist in every namespace or only in `default`. Roles
    and RoleBindings are not checked: one in `default` grants access to that namespace (a
    monitoring stack scraping it) rather than running an application there.

    kube-linter looks at workloads and Services only, trivy KSV-0110 and kubescape C-0061 at
    workloads only; kubelint at every built-in namespaced kind.

    Off by default, as kube-linter's use-namespace: samples, tutorials and single-tenant
    clusters use `default` on purpose (kubernetes-engine-samples and prometheus-operator's
    examples give 71 of its 87 findings on the realworld corpus).
    """
    if res.namespace == "default" and (res.kind, res.name) not in _DEFAULT_EXEMPT:
        yield Finding(("metadata", "namespace"),
                      f"{object_label(res)} is placed in the default namespace")


@rule(
    id="unset-namespace", category=ISOLATION, severity=Severity.INFO, kinds=NAMESPACED,
    default_enabled=False,
    summary="A namespaced object does not say which namespace it belongs in.",
    rationale="Without metadata.namespace the object lands in whatever namespace the "
              "kubectl context or the deploy tool targets, often `default`; applying the same "
              "file from another context silently creates a second copy elsewhere.",
    remediation="Set metadata.namespace, or leave it to the deploy tool on purpose and turn "
                "this rule off (Helm charts and Kustomize bases usually do).",
    references=(NAMESPACES_URL,),
    equivalents={"kube-linter": "use-namespace", "checkov": "CKV_K8S_21",
                 "trivy": "KSV-0110", "kubescape": "C-0061"},
)
def unset_namespace(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Off by default: Helm charts and Kustomize bases leave the namespace to `helm install
    --namespace` or the overlay on purpose, so nearly every object of a chart would be flagged.
    Turn it on for plain manifests applied with `kubectl apply -f`. The other half of
    kube-linter's use-namespace and checkov's CKV_K8S_21 (see default-namespace)."""
    if res.metadata.get("namespace") in (None, ""):
        yield Finding(("metadata", "namespace"),
                      f"{object_label(res)} sets no namespace, so it lands in whichever "
                      "namespace it is applied to")


# --- namespaces: network policies -----------------------------------------------------------


@rule(
    id="namespace-without-network-policy", category=ISOLATION, severity=Severity.WARNING,
    kinds=NAMESPACE_KINDS, scope="bundle", default_enabled=False,
    summary="A namespace of the lint set has no NetworkPolicy.",
    rationale="Pods that no NetworkPolicy selects accept connections from, and open them to, "
              "every pod in the cluster and beyond; one compromised pod anywhere can reach all "
              "of them.",
    remediation="Add NetworkPolicies to the namespace: a default-deny policy plus policies "
                "allowing the traffic each application needs.",
    references=(NETWORK_POLICY_URL, DEFAULT_POLICIES_URL),
    equivalents={"kubescape": ("C-0049", "C-0054")},
)
def namespace_without_network_policy(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Reported once per namespace (see the module docstring for which object carries it).
    Policies are looked for in the lint set, so lint an application with its policies; off by
    default for that reason. kubescape's C-0049/C-0054 flag Namespace objects only; kubelint
    also reports namespaces that workloads use without declaring them."""
    for ns in _namespaces_of(res, ctx):
        if not ns.policies:
            yield Finding(_where(ns), f"{_label(ns)} has no NetworkPolicy, so its pods accept "
                                      "and open connections to anything")


@rule(
    id="missing-default-deny-ingress", category=ISOLATION, severity=Severity.WARNING,
    kinds=NAMESPACE_KINDS, scope="bundle", default_enabled=False,
    summary="A namespace has no default-deny ingress NetworkPolicy.",
    rationale="Pods become isolated for ingress only when some policy selects them; a pod "
              "added later, or one whose labels no policy matches, accepts connections from "
              "anywhere. A policy selecting every pod with no ingress rules makes denial the "
              "namespace's default, and other policies open what is needed.",
    remediation="Add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress] and no "
                "ingress rules to the namespace.",
    references=(DEFAULT_POLICIES_URL,),
)
def missing_default_deny_ingress(res: Resource, ctx: Context) -> Iterator[Finding]:
    """A default-deny ingress policy: podSelector `{}`, Ingress among its policy types, and no
    ingress rules (absent or `[]`). A namespace-wide policy that does allow some sources (such
    as `from: [podSelector: {}]`) isolates every pod too, but is not counted: the default-deny
    policy states the default on its own. Reported once per namespace, as
    namespace-without-network-policy, which it also flags when there is no policy at all."""
    for ns in _namespaces_of(res, ctx):
        if not any(p.deny_all_ingress for p in ns.policies):
            yield Finding(_where(ns), f"{_label(ns)} has no default-deny ingress "
                                      "NetworkPolicy, so pods no policy selects accept any "
                                      "connection")


@rule(
    id="missing-default-deny-egress", category=ISOLATION, severity=Severity.WARNING,
    kinds=NAMESPACE_KINDS, scope="bundle", default_enabled=False,
    summary="A namespace has no default-deny egress NetworkPolicy.",
    rationale="Pods that no egress policy selects may connect anywhere: other namespaces, the "
              "cloud metadata API, the internet. That is what an attacker in a compromised pod "
              "needs to move on or carry data out.",
    remediation="Add a NetworkPolicy with podSelector: {} and policyTypes: [Egress] and no "
                "egress rules to the namespace, then allow DNS and the destinations each "
                "application needs.",
    references=(DEFAULT_POLICIES_URL,),
)
def missing_default_deny_egress(res: Resource, ctx: Context) -> Iterator[Finding]:
    """A default-deny egress policy: podSelector `{}`, Egress listed in policyTypes, and no
    egress rules. Reported once per namespace, as namespace-without-network-policy."""
    for ns in _namespaces_of(res, ctx):
        if not any(p.deny_all_egress for p in ns.policies):
            yield Finding(_where(ns), f"{_label(ns)} has no default-deny egress NetworkPolicy, "
                                      "so pods no egress policy selects may connect anywhere")


# --- namespaces: quotas and limits ----------------------------------------------------------


@rule(
    id="missing-resource-quota", category=ISOLATION, severity=Severity.INFO,
    kinds=NAMESPACE_KINDS, scope="bundle", default_enabled=False,
    summary="A namespace has no ResourceQuota.",
    rationale="Without a quota one namespace may claim the whole cluster's CPU, memory, "
              "storage or object counts, starving every other tenant; a runaway rollout or "
              "a compromised workload scales without bound.",
    remediation="Add a ResourceQuota to the namespace limiting requests.cpu, requests.memory, "
                "limits.cpu, limits.memory and the object counts that matter.",
    references=(QUOTA_URL,),
)
def missing_resource_quota(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Opt-in: quotas are usually set by whoever creates the namespace (a platform team), not
    by the applications deployed into it. Reported once per namespace, as
    namespace-without-network-policy."""
    for ns in _namespaces_of(res, ctx):
        if not ns.quotas:
            yield Finding(_where(ns), f"{_label(ns)} has no ResourceQuota")


@rule(
    id="missing-limit-range", category=ISOLATION, severity=Severity.INFO,
    kinds=NAMESPACE_KINDS, scope="bundle", default_enabled=False,
    summary="A namespace has no LimitRange.",
    rationale="A LimitRange gives containers that set no requests or limits a default, and "
              "caps what one container may ask for; without one, unbounded containers share "
              "nodes with everything else and a ResourceQuota on requests rejects them "
              "outright.",
    remediation="Add a LimitRange to the namespace with default and defaultRequest values for "
                "containers (and max values where needed).",
    references=(LIMIT_RANGE_URL,),
)
def missing_limit_range(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Opt-in, as missing-resource-quota. Reported once per namespace, as
    namespace-without-network-policy."""
    for ns in _namespaces_of(res, ctx):
        if not ns.limit_ranges:
            yield Finding(_where(ns), f"{_label(ns)} has no LimitRange")


# --- namespaces: Pod Security Admission -----------------------------------------------------


@rule(
    id="missing-pod-security-level", category=ISOLATION, severity=Severity.WARNING,
    kinds=("Namespace",),
    summary="A Namespace sets no valid pod-security.kubernetes.io/enforce label.",
    rationale="Pod Security Admission enforces the Pod Security Standards per namespace, by "
              "this label. Without it the cluster-wide default applies, which is `privileged` "
              "(anything is admitted) unless an administrator configured otherwise; a misspelt "
              "level is rejected by the API server.",
    remediation="Label the Namespace pod-security.kubernetes.io/enforce: restricted (or "
                "baseline where the workloads need it).",
    references=(PSA_URL, PSA_LABELS_URL, PSS_URL),
)
def missing_pod_security_level(res: Resource, ctx: Context) -> Iterator[Finding]:
    """The `warn` and `audit` labels only report, so they do not count. kubescape's C-0192
    flags the same Namespaces but passes all of them when the input holds an admission webhook
    (an alternative policy engine); kubelint does not guess what a webhook enforces.

    On by default: it reads the Namespace object alone (no lint-set completeness needed), few
    manifests declare Namespaces, and the fix is one label (none of the 47 Namespaces in the
    realworld corpus sets it; kube-prometheus sets only `warn`)."""
    labels = res.labels
    value = labels.get(ENFORCE_LABEL)
    where = ("metadata", "labels", ENFORCE_LABEL)
    if value is None:
        yield Finding(where, f"{object_label(res)} sets no {ENFORCE_LABEL} label, so only the "
                             "cluster's default Pod Security level applies")
    elif value not in PSA_LEVELS:
        shown = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
        yield Finding(where, f"{ENFORCE_LABEL} {shown} on {object_label(res)} is not a Pod "
                             "Security level (privileged, baseline or restricted)")


@rule(
    id="privileged-pod-security-level", category=ISOLATION, severity=Severity.WARNING,
    kinds=("Namespace",),
    summary="A Namespace enforces the privileged Pod Security level.",
    rationale="The privileged level admits every pod: privileged containers, host namespaces, "
              "hostPath mounts. Any workload in the namespace, or anyone allowed to create pods "
              "there, can take over the node.",
    remediation="Set pod-security.kubernetes.io/enforce to baseline or restricted, and move "
                "the workloads that truly need host access into a dedicated namespace.",
    references=(PSA_URL, PSS_URL),
)
def privileged_pod_security_level(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Only the enforce label: `warn: privileged` or `audit: privileged` changes nothing that
    is admitted. On by default: the level is set on purpose, so a finding is a reminder to keep
    such namespaces few and to record why (suppress with an annotation giving the reason)."""
    if res.labels.get(ENFORCE_LABEL) == "privileged":
        yield Finding(("metadata", "labels", ENFORCE_LABEL),
                      f"{object_label(res)} enforces the privileged Pod Security level, which "
                      "admits any pod")


# --- workloads no policy isolates -----------------------------------------------------------


def _host_network(res: Resource) -> bool:
    found = pod_spec(res)
    return found is not None and found[1].get("hostNetwork") is True


def _selections(index: ResourceIndex) -> Mapping[Resource, tuple[_Policy, ...]]:
    """For every pod-bearing object of a bundle, the policies that select its pods: those of
    its namespace (see the module docstring) whose podSelector matches the template's labels."""
    return index.cached(("isolation", "selections"), _build_selections)


def _build_selections(index: ResourceIndex) -> Mapping[Resource, tuple[_Policy, ...]]:
    bundle = _bundle(index)
    out: dict[Resource, tuple[_Policy, ...]] = {}
    for ns in bundle.namespaces.values():
        for res in ns.users:
            labels = as_dict(pod_template_metadata(res)[1].get("labels"))
            out[res] = tuple(p for p in ns.policies if selector_matches(p.selector, labels))
    return MappingProxyType(out)


def _selecting(res: Resource, ctx: Context) -> tuple[_Policy, ...]:
    return _selections(ctx.index).get(res, ())


@rule(
    id="missing-network-policy", category=ISOLATION, severity=Severity.WARNING, kinds=POD_KINDS,
    scope="bundle", default_enabled=False,
    summary="No NetworkPolicy selects a workload's pods.",
    rationale="A pod that no NetworkPolicy selects is not isolated: it accepts connections from "
              "every pod in the cluster (and beyond, if exposed) and may connect anywhere.",
    remediation="Add a NetworkPolicy whose podSelector matches the pod template's labels, or a "
                "default-deny policy for the namespace.",
    references=(NETWORK_POLICY_URL,),
    equivalents={"kube-linter": "non-isolated-pod"},
)
def missing_network_policy(res: Resource, ctx: Context) -> Iterator[Finding]:
    """A policy of any type counts (as in kube-linter's non-isolated-pod); missing-egress-policy
    asks for egress isolation on its own. Policies are looked for in the lint set (same
    namespace, podSelector matched against the pod template's labels with matchLabels and
    matchExpressions), so lint a workload together with its policies; off by default for that
    reason. Pods with hostNetwork: true are skipped: NetworkPolicies do not apply to them.

    checkov's CKV2_K8S_6 looks at Pod objects only, compares matchLabels only and ignores
    namespaces; Polaris's missingNetworkPolicy wants one policy with both ingress and egress
    rules; kube-score's pod-networkpolicy also wants both directions covered (see
    docs/peer-decisions/isolation.yaml).
    """
    if _host_network(res) or _selecting(res, ctx):
        return
    yield Finding(("metadata", "name"), f"no NetworkPolicy selects the pods of "
                                        f"{object_label(res)}")


@rule(
    id="missing-egress-policy", category=ISOLATION, severity=Severity.WARNING, kinds=POD_KINDS,
    scope="bundle", default_enabled=False,
    summary="No NetworkPolicy restricts a workload's egress.",
    rationale="Pods that no egress policy selects may open connections anywhere: other "
              "namespaces, the cloud metadata API, the internet. Ingress-only policies, the "
              "usual kind, leave that open, and it is what an attacker needs to move on or "
              "carry data out.",
    remediation="Add Egress to the policyTypes of a NetworkPolicy selecting the pods and list "
                "the destinations they need (DNS included), or add a default-deny egress "
                "policy to the namespace.",
    references=(NETWORK_POLICY_URL, DEFAULT_POLICIES_URL),
)
def missing_egress_policy(res: Resource, ctx: Context) -> Iterator[Finding]:
    """A policy restricts egress when it selects the pods (same namespace) and Egress is among
    its policy types: listed in policyTypes, or, when policyTypes is unset, it has egress rules.
    The policies that select the pods without restricting egress are named as related
    locations (at their policyTypes, else their podSelector). Off by
    default and hostNetwork pods skipped, as missing-network-policy; a workload no policy
    selects at all gets both findings."""
    if _host_network(res):
        return
    selecting = _selecting(res, ctx)
    if any("Egress" in p.types for p in selecting):
        return
    related = tuple(Related(p.res, ("spec", "policyTypes") if "policyTypes" in
                            as_dict(p.res.obj.get("spec")) else ("spec", "podSelector"),
                            f"{object_label(p.res)} selects these pods but does not "
                            "restrict their egress")
                    for p in selecting)
    yield Finding(("metadata", "name"), f"no NetworkPolicy restricts egress from the pods of "
                                        f"{object_label(res)}", related=related)


# --- what NetworkPolicies allow -------------------------------------------------------------


def _port_limited(item: dict) -> bool:
    """Whether a rule names ports (a rule without ports, or with `ports: []`, allows all)."""
    ports = item.get("ports")
    return isinstance(ports, list) and bool(ports)


@rule(
    id="unrestricted-egress", category=ISOLATION, severity=Severity.WARNING,
    kinds=("NetworkPolicy",), default_enabled=False,
    summary="A NetworkPolicy allows egress to any destination on any port.",
    rationale="An egress rule without destinations or ports (`egress: [{}]`), or one allowing "
              "0.0.0.0/0 or ::/0 on every port, undoes the egress isolation the policy "
              "declares: the selected pods may reach the internet, the cloud metadata API and "
              "every pod in the cluster.",
    remediation="List the destinations the pods need (pod and namespace selectors, the "
                "external CIDRs) and their ports, or exclude private ranges and the metadata "
                "address with ipBlock.except.",
    references=(NETWORK_POLICY_URL,),
)
def unrestricted_egress(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Only rules that also allow every port: `- ports: [{port: 53, protocol: UDP}]` with no
    `to` (the usual DNS rule) reaches any destination but only on port 53, and is not flagged.
    A 0.0.0.0/0 ipBlock with an `except` list is taken as restricted. Rules of a direction the
    policy does not affect are ignored (they allow nothing). Off by default: monitoring stacks
    allow all egress on purpose (kube-prometheus's policies all do) and a maintainer who
    writes `egress: [{}]` has decided."""
    name = object_label(res)
    for path, item in _rules(res, "Egress"):
        if _port_limited(item):
            continue
        peers = _peers(item, "to")
        if peers is None:
            yield Finding(path, f"an egress rule of {name} allows any destination on any port")
            continue
        for j, peer in enumerate(peers):
            if peer is None or peer == {}:
                yield Finding((*path, "to", j), f"an empty egress peer of {name} allows any "
                                                "destination on any port")
            elif isinstance(peer, dict) and (cidr := _open_ip_block(peer)) is not None:
                yield Finding((*path, "to", j, "ipBlock", "cidr"),
                              f"egress to {cidr} on any port in {name} allows every address")


@rule(
    id="unrestricted-ingress", category=ISOLATION, severity=Severity.WARNING,
    kinds=("NetworkPolicy",), default_enabled=False,
    summary="A NetworkPolicy allows ingress from any source, or from every namespace.",
    rationale="A rule without sources, an empty peer, a 0.0.0.0/0 or ::/0 ipBlock, or "
              "namespaceSelector: {} (every pod of every namespace) admits every client that "
              "can route to the pod; the policy then isolates nothing on those ports.",
    remediation="Name the clients in `from`: pod selectors, a namespaceSelector matching the "
                "namespaces that call the service (kubernetes.io/metadata.name), or the "
                "external CIDRs.",
    references=(NETWORK_POLICY_URL,),
)
def unrestricted_ingress(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Unlike unrestricted-egress, ports do not narrow it: a pod accepts connections only on
    the ports it listens on, so `from` anywhere to its serving port is all the access there is.
    namespaceSelector: {} counts when the peer has no podSelector or an empty one (a podSelector
    with labels narrows it to those pods in every namespace, which passes). Off by default:
    ingress controllers and public front ends are meant to be reached from anywhere.
    """
    name = object_label(res)
    for path, item in _rules(res, "Ingress"):
        peers = _peers(item, "from")
        if peers is None:
            yield Finding(path, f"an ingress rule of {name} admits any source")
            continue
        for j, peer in enumerate(peers):
            if peer is None or peer == {}:
                yield Finding((*path, "from", j), f"an empty ingress peer of {name} admits any "
                                                  "source")
            elif not isinstance(peer, dict):
                continue
            elif (cidr := _open_ip_block(peer)) is not None:
                yield Finding((*path, "from", j, "ipBlock", "cidr"),
                              f"ingress from {cidr} in {name} admits every address")
            elif (_selects_all(peer.get("namespaceSelector"))
                  and (peer.get("podSelector") is None or _selects_all(peer.get("podSelector")))):
                yield Finding((*path, "from", j, "namespaceSelector"),
                              f"namespaceSelector: {{}} in {name} admits every pod of every "
                              "namespace")


METADATA_ADDRESSES = ("169.254.169.254", "fd00:ec2::254")
METADATA_PORT = 80


def _reaches_port(item: dict, port: int) -> bool:
    """Whether a rule's ports include TCP `port` (no ports: every port)."""
    ports = item.get("ports")
    if not isinstance(ports, list) or not ports:
        return True
    for p in ports:
        if p is None:
            p = {}
        if not isinstance(p, dict) or p.get("protocol", "TCP") not in ("TCP", None):
            continue
        number, end = p.get("port"), p.get("endPort")
        if number is None:
            return True
        if is_int(number) and (number == port or (is_int(end) and number <= port <= end)):
            return True
    return False


def _addresses(ctx: Context) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    option = ctx.options.get("addresses", METADATA_ADDRESSES)
    out = []
    for text in option if isinstance(option, (list, tuple)) else ():
        if not isinstance(text, str):
            continue
        try:
            out.append(ipaddress.ip_address(text))
        except ValueError:
            continue
    return out


def _allowed_by_block(peer: dict, address: Any) -> bool:
    block = as_dict(peer.get("ipBlock"))
    net = _network(block.get("cidr"))
    if net is None or net.version != address.version or address not in net:
        return False
    return not any((ex := _network(e)) is not None and ex.version == address.version
                   and address in ex for e in as_list(block.get("except")))


@rule(
    id="cloud-metadata-egress", category=ISOLATION, severity=Severity.WARNING,
    kinds=("NetworkPolicy",), default_enabled=False,
    summary="A NetworkPolicy allows egress to the cloud metadata address (169.254.169.254).",
    rationale="The cloud provider's instance metadata API hands out the node's credentials "
              "and bootstrap secrets to anything that asks on port 80. A pod allowed to reach "
              "it can act as the node, or as the workload identity it carries.",
    remediation="Exclude the metadata address from the allowed ranges (ipBlock cidr "
                "0.0.0.0/0 with except: [169.254.169.254/32]), or allow only the destinations "
                "the pods need.",
    references=(NETWORK_POLICY_URL, METADATA_URL),
    options_schema={
        "type": "object", "additionalProperties": False,
        "properties": {"addresses": {
            "type": "array", "items": {"type": "string", "minLength": 1},
            "description": "Metadata service addresses that egress must not reach "
                           "(AWS, GCP, Azure: 169.254.169.254; AWS over IPv6: fd00:ec2::254)."}},
    },
    defaults={"addresses": list(METADATA_ADDRESSES)},
)
def cloud_metadata_egress(res: Resource, ctx: Context) -> Iterator[Finding]:
    """An egress rule reaches the address when it has no destinations (or an empty peer), or an
    ipBlock whose cidr contains the address and whose `except` does not, and its ports include
    TCP 80 (no ports: all; a range with endPort; a named port never matches an address outside
    the cluster). Pod and namespace selectors never match it. Each policy is read alone:
    policies add up, so one rule reaching the address is enough. Pods no egress policy selects
    reach it too; that is missing-egress-policy's finding. Off by default: it matters on cloud
    nodes whose metadata API is not otherwise blocked (GKE Workload Identity and IMDSv2 with a
    hop limit of 1 block it)."""
    addresses = _addresses(ctx)
    if not addresses:
        return
    name = object_label(res)
    shown = ", ".join(str(a) for a in addresses)
    for path, item in _rules(res, "Egress"):
        if not _reaches_port(item, METADATA_PORT):
            continue
        peers = _peers(item, "to")
        if peers is None:
            yield Finding(path, f"an egress rule of {name} allows any destination, the cloud "
                                f"metadata address ({shown}) included")
            continue
        for j, peer in enumerate(peers):
            if peer is None or peer == {}:
                yield Finding((*path, "to", j), f"an empty egress peer of {name} allows the "
                                                f"cloud metadata address ({shown})")
            elif isinstance(peer, dict):
                hit = [str(a) for a in addresses if _allowed_by_block(peer, a)]
                if hit:
                    cidr = dig(peer, "ipBlock", "cidr")
                    yield Finding((*path, "to", j, "ipBlock", "cidr"),
                                  f"egress to {cidr} in {name} allows the cloud metadata "
                                  f"address {', '.join(hit)}")


RULES = (
    default_namespace, unset_namespace, namespace_without_network_policy,
    missing_default_deny_ingress, missing_default_deny_egress, missing_resource_quota,
    missing_limit_range, missing_pod_security_level, privileged_pod_security_level,
    missing_network_policy, missing_egress_policy, unrestricted_egress, unrestricted_ingress,
    cloud_metadata_egress,
)
