"""Deprecated and removed API versions at the Kubernetes release the manifests target.

`DEPRECATIONS` is the data: each built-in apiVersion/kind that Kubernetes deprecated or stopped
serving, the release of each step and what to use instead, from the Kubernetes deprecation guide
(as Pluto tabulates it). Both rules read the target release from their `kubernetes-version`
option (default: the newest supported release).

Beyond the table, `deprecated-api-version` flags a pre-release version (alpha or beta) of a kind
the target release also serves as a stable version: the API deprecation policy retires such
versions, and kube-score's stable-version check reports them the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kubelint.k8s import Resource
from kubelint.k8s_schema import (NEWEST_VERSION, VERSION_OPTION, VERSION_OPTIONS_SCHEMA, builtin,
                                 schema_version, split_api_version, target_version)
from kubelint.model import Finding, Severity
from kubelint.rule import Context, rule

DEPRECATIONS_CATEGORY = "deprecations"
GUIDE_URL = "https://kubernetes.io/docs/reference/using-api/deprecation-guide/"
POLICY_URL = "https://kubernetes.io/docs/reference/using-api/deprecation-policy/"
PSA_URL = "https://kubernetes.io/docs/concepts/security/pod-security-admission/"

Release = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Deprecation:
    """One apiVersion/kind on its way out: when it was deprecated and removed, and its successor."""

    api_version: str
    kind: str
    deprecated_in: Release | None  # None: removed without a deprecation release (alpha APIs)
    removed_in: Release
    replacement: str  # an apiVersion, or what to do instead
    replacement_since: Release | None = None


def _table(rows: list[tuple[str, tuple[str, ...], str | None, str, str, str | None]]
           ) -> dict[tuple[str, str], Deprecation]:
    def release(text: str | None) -> Release | None:
        if text is None:
            return None
        major, minor = text.split(".")
        return int(major), int(minor)

    out: dict[tuple[str, str], Deprecation] = {}
    for api_version, kinds, deprecated, removed, replacement, since in rows:
        for kind in kinds:
            removed_in = release(removed)
            assert removed_in is not None
            out[(api_version, kind)] = Deprecation(api_version, kind, release(deprecated),
                                                   removed_in, replacement, release(since))
    return out


_WORKLOADS = ("Deployment", "DaemonSet", "ReplicaSet")
_REVIEWS = ("LocalSubjectAccessReview", "SelfSubjectAccessReview", "SubjectAccessReview")
_RBAC = ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
_FLOW = ("FlowSchema", "PriorityLevelConfiguration")
_PSA = "Pod Security Admission (namespace labels)"

DEPRECATIONS: dict[tuple[str, str], Deprecation] = _table([
    # apiVersion, kinds, deprecated in, removed in, replacement, replacement available since
    ("extensions/v1beta1", _WORKLOADS, "1.9", "1.16", "apps/v1", "1.9"),
    ("apps/v1beta1", ("Deployment", "StatefulSet", "ReplicaSet", "ControllerRevision"),
     "1.9", "1.16", "apps/v1", "1.9"),
    ("apps/v1beta2", ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                      "ControllerRevision"), "1.9", "1.16", "apps/v1", "1.9"),
    ("extensions/v1beta1", ("NetworkPolicy",), "1.9", "1.16", "networking.k8s.io/v1", "1.8"),
    ("extensions/v1beta1", ("PodSecurityPolicy",), "1.10", "1.16", "policy/v1beta1", "1.10"),
    ("extensions/v1beta1", ("Ingress",), "1.14", "1.22", "networking.k8s.io/v1", "1.19"),
    ("networking.k8s.io/v1beta1", ("Ingress", "IngressClass"), "1.19", "1.22",
     "networking.k8s.io/v1", "1.19"),
    ("admissionregistration.k8s.io/v1alpha1", ("InitializerConfiguration",), None, "1.14",
     "admission webhooks (admissionregistration.k8s.io/v1)", None),
    ("scheduling.k8s.io/v1alpha1", ("PriorityClass",), "1.14", "1.17", "scheduling.k8s.io/v1",
     "1.14"),
    ("scheduling.k8s.io/v1beta1", ("PriorityClass",), "1.14", "1.22", "scheduling.k8s.io/v1",
     "1.14"),
    ("apiextensions.k8s.io/v1beta1", ("CustomResourceDefinition",), "1.16", "1.22",
     "apiextensions.k8s.io/v1", "1.16"),
    ("admissionregistration.k8s.io/v1beta1",
     ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"), "1.16", "1.22",
     "admissionregistration.k8s.io/v1", "1.16"),
    ("rbac.authorization.k8s.io/v1alpha1", _RBAC, "1.17", "1.22", "rbac.authorization.k8s.io/v1",
     "1.8"),
    ("rbac.authorization.k8s.io/v1beta1", _RBAC, "1.17", "1.22", "rbac.authorization.k8s.io/v1",
     "1.8"),
    ("apiregistration.k8s.io/v1beta1", ("APIService",), "1.19", "1.22",
     "apiregistration.k8s.io/v1", "1.10"),
    ("authentication.k8s.io/v1beta1", ("TokenReview",), "1.19", "1.22", "authentication.k8s.io/v1",
     "1.6"),
    ("authorization.k8s.io/v1beta1", _REVIEWS, "1.19", "1.22", "authorization.k8s.io/v1", "1.6"),
    ("certificates.k8s.io/v1beta1", ("CertificateSigningRequest",), "1.19", "1.22",
     "certificates.k8s.io/v1", "1.19"),
    ("coordination.k8s.io/v1beta1", ("Lease",), "1.19", "1.22", "coordination.k8s.io/v1", "1.14"),
    ("storage.k8s.io/v1beta1", ("StorageClass",), "1.19", "1.22", "storage.k8s.io/v1", "1.6"),
    ("storage.k8s.io/v1beta1", ("VolumeAttachment",), "1.19", "1.22", "storage.k8s.io/v1",
     "1.13"),
    ("storage.k8s.io/v1beta1", ("CSINode",), "1.17", "1.22", "storage.k8s.io/v1", "1.17"),
    ("storage.k8s.io/v1beta1", ("CSIDriver",), "1.19", "1.22", "storage.k8s.io/v1", "1.19"),
    ("batch/v1beta1", ("CronJob",), "1.21", "1.25", "batch/v1", "1.21"),
    ("discovery.k8s.io/v1beta1", ("EndpointSlice",), "1.21", "1.25", "discovery.k8s.io/v1",
     "1.21"),
    ("events.k8s.io/v1beta1", ("Event",), "1.19", "1.25", "events.k8s.io/v1", "1.19"),
    ("policy/v1beta1", ("PodDisruptionBudget",), "1.21", "1.25", "policy/v1", "1.21"),
    ("policy/v1beta1", ("PodSecurityPolicy",), "1.21", "1.25", _PSA, "1.23"),
    ("node.k8s.io/v1beta1", ("RuntimeClass",), "1.22", "1.25", "node.k8s.io/v1", "1.20"),
    ("autoscaling/v2beta1", ("HorizontalPodAutoscaler",), "1.22", "1.25", "autoscaling/v2",
     "1.23"),
    ("autoscaling/v2beta2", ("HorizontalPodAutoscaler",), "1.23", "1.26", "autoscaling/v2",
     "1.23"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", _FLOW, "1.23", "1.26",
     "flowcontrol.apiserver.k8s.io/v1beta2", "1.23"),
    ("storage.k8s.io/v1beta1", ("CSIStorageCapacity",), "1.24", "1.27", "storage.k8s.io/v1",
     "1.24"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", _FLOW, "1.26", "1.29",
     "flowcontrol.apiserver.k8s.io/v1beta3", "1.26"),
    ("flowcontrol.apiserver.k8s.io/v1beta3", _FLOW, "1.29", "1.32",
     "flowcontrol.apiserver.k8s.io/v1", "1.29"),
    ("authentication.k8s.io/v1beta1", ("SelfSubjectReview",), "1.28", "1.33",
     "authentication.k8s.io/v1", "1.28"),
    ("admissionregistration.k8s.io/v1beta1",
     ("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"), "1.30", "1.34",
     "admissionregistration.k8s.io/v1", "1.30"),
    ("networking.k8s.io/v1beta1", ("IPAddress", "ServiceCIDR"), "1.33", "1.37",
     "networking.k8s.io/v1", "1.33"),
    ("storage.k8s.io/v1beta1", ("VolumeAttributesClass",), "1.34", "1.37", "storage.k8s.io/v1",
     "1.34"),
])
"""(apiVersion, kind) -> its deprecation. The Kubernetes deprecation guide, with the releases in
which the schemas of 1.25 onwards stop serving a version where the guide has no entry."""


def removal(api_version: str, kind: str, target: Release) -> Deprecation | None:
    """The table's entry for an apiVersion/kind the target release no longer serves."""
    entry = DEPRECATIONS.get((api_version, kind))
    return entry if entry is not None and entry.removed_in <= target else None


def _release(r: Release) -> str:
    return f"{r[0]}.{r[1]}"


def _use(entry: Deprecation, target: Release) -> str:
    """What to use instead: the replacement, or its own replacement if that is gone too."""
    seen = {entry.api_version}
    while (entry.replacement, entry.kind) in DEPRECATIONS and entry.replacement not in seen:
        successor = DEPRECATIONS[(entry.replacement, entry.kind)]
        if successor.removed_in > target:
            break
        seen.add(successor.api_version)
        entry = successor
    if "/" not in entry.replacement or " " in entry.replacement:
        return f"use {entry.replacement} instead"
    since = f" (served since Kubernetes {_release(entry.replacement_since)})" \
        if entry.replacement_since else ""
    return f"use {entry.replacement}{since}"


_OPTIONS = {"options_schema": VERSION_OPTIONS_SCHEMA, "defaults": {VERSION_OPTION: NEWEST_VERSION}}


@rule(
    id="removed-api-version", category=DEPRECATIONS_CATEGORY, severity=Severity.ERROR,
    summary="The object uses an API version the target Kubernetes release no longer serves.",
    rationale="The API server rejects the object outright (`no matches for kind \"Ingress\" in "
              "version \"extensions/v1beta1\"`), so the manifest fails to apply after a cluster "
              "upgrade even though it worked before; Helm releases holding such objects cannot "
              "be upgraded either.",
    remediation="Change apiVersion to the replacement the message names and adapt the fields "
                "that changed between the versions.",
    references=(GUIDE_URL, POLICY_URL),
    equivalents={"kube-linter": "no-extensions-v1beta", "kube-score": "stable-version",
                 "trivy": "KSV-0107"},
    **_OPTIONS,  # type: ignore[arg-type]
)
def removed_api_version(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Reads the table only: an apiVersion the table does not know is left to
    schema-unknown-kind, which checks it against the release's schemas."""
    target = target_version(ctx.options)
    entry = removal(res.api_version, res.kind, target)
    if entry is None:
        return
    yield Finding(("apiVersion",),
                  f"{res.kind} uses {res.api_version}, which Kubernetes "
                  f"{_release(entry.removed_in)} removed; {_use(entry, target)}")


@rule(
    id="deprecated-api-version", category=DEPRECATIONS_CATEGORY, severity=Severity.WARNING,
    summary="The object uses an API version that is deprecated in the target Kubernetes release.",
    rationale="A deprecated version still works but is removed in a later release; migrating "
              "before the upgrade that removes it is cheaper than finding out from a failed "
              "deploy. A beta version is also retired once a stable version exists.",
    remediation="Change apiVersion to the replacement the message names and adapt the fields "
                "that changed between the versions.",
    references=(GUIDE_URL, POLICY_URL),
    equivalents={"kube-linter": "no-extensions-v1beta", "kube-score": "stable-version",
                 "trivy": "KSV-0107"},
    **_OPTIONS,  # type: ignore[arg-type]
)
def deprecated_api_version(res: Resource, ctx: Context) -> Iterator[Finding]:
    target = target_version(ctx.options)
    entry = DEPRECATIONS.get((res.api_version, res.kind))
    if entry is not None:
        if entry.removed_in <= target or entry.deprecated_in is None or \
                entry.deprecated_in > target:
            return
        yield Finding(("apiVersion",),
                      f"{res.kind} uses {res.api_version}, deprecated since Kubernetes "
                      f"{_release(entry.deprecated_in)} and removed in "
                      f"{_release(entry.removed_in)}; {_use(entry, target)}")
        return
    stable = _stable_successor(res, target)
    if stable is not None:
        yield Finding(("apiVersion",),
                      f"{res.kind} uses the pre-release {res.api_version}; Kubernetes "
                      f"{_release(target)} serves it as {stable}; use that")


def _stable_successor(res: Resource, target: Release) -> str | None:
    """A stable group-version serving the same kind, when `res` uses an alpha or beta one."""
    group, version = split_api_version(res.api_version)
    if "alpha" not in version and "beta" not in version:
        return None
    schemas = builtin(schema_version(target))
    if res.kind not in schemas.kinds.get(res.api_version, {}):
        return None  # not a built-in kind (a custom resource in a look-alike group)
    stable = [gv for gv in schemas.api_versions_of(group, res.kind)
              if "alpha" not in split_api_version(gv)[1]
              and "beta" not in split_api_version(gv)[1]]
    return stable[-1] if stable else None


RULES = (removed_api_version, deprecated_api_version)
