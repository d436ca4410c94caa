"""Object metadata the API server validates: names, namespaces, labels, annotations; and objects
defined twice in the linted set.

The syntax rules are apimachinery's (`k8s.io/apimachinery/pkg/util/validation`): a DNS-1123
subdomain (most names), a DNS-1123 label (namespaces), a DNS-1035 label (Services), a path
segment (RBAC objects), qualified names for label and annotation keys, label values of at most 63
characters, and 256 KiB for all annotations together. Values that are not strings are left to
schema-wrong-type.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from kubelint.k8s import POD_SPEC_PATHS, Resource, ResourceIndex, as_list, dig
from kubelint.model import Finding, Related, Severity, YamlPath
from kubelint.rule import Context, rule

METADATA = "metadata"
NAMES_URL = "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/"
LABELS_URL = "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"
ANNOTATIONS_URL = "https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/"

_LABEL = r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL = _LABEL
DNS1123_SUBDOMAIN = rf"{_LABEL}(?:\.{_LABEL})*"
DNS1035_LABEL = r"[a-z](?:[-a-z0-9]*[a-z0-9])?"
QUALIFIED_NAME = r"[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?"
LABEL_VALUE = QUALIFIED_NAME
ANNOTATIONS_LIMIT = 256 * 1024
"""Bytes all annotations of an object may take together (keys and values)."""



@lru_cache(maxsize=4096)
def _matches(pattern: str, text: str) -> bool:
    """Whether `text` fully matches `pattern` (patterns compiled on first use; names repeat)."""
    return re.fullmatch(pattern, text) is not None


PATH_SEGMENT_KINDS = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
                                "CertificateSigningRequest"})
"""Kinds whose names need only be a path segment (`system:controller:x` is fine)."""
DNS1123_LABEL_KINDS = frozenset({"Namespace"})
DNS1035_LABEL_KINDS = frozenset({"Service"})
NAME_LIMITS = {"CronJob": 52, "Job": 63}
"""Kinds whose names are shorter than a subdomain: a CronJob's Jobs add 11 characters, a Job's
name becomes a label value of its pods."""

CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "StorageClass",
    "CustomResourceDefinition", "PriorityClass", "IngressClass", "RuntimeClass",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
    "APIService", "CSIDriver", "CSINode", "VolumeAttachment", "CertificateSigningRequest",
    "PodSecurityPolicy", "FlowSchema", "PriorityLevelConfiguration", "ClusterTrustBundle",
    "VolumeAttributesClass", "DeviceClass", "IPAddress", "ServiceCIDR", "ComponentStatus",
})
"""Built-in kinds without a namespace: a namespace written on one is ignored."""

SAME_RESOURCE_GROUPS = {("extensions", k): "apps" for k in ("Deployment", "DaemonSet",
                                                            "ReplicaSet")}
SAME_RESOURCE_GROUPS.update({("extensions", "Ingress"): "networking.k8s.io",
                             ("extensions", "NetworkPolicy"): "networking.k8s.io",
                             ("extensions", "PodSecurityPolicy"): "policy"})
"""Old groups that served the same resources as today's."""


def placeholder_hint(value: str) -> str:
    """A note for values that look like an unrendered template (`${NAME}`, `{{ .Values.x }}`)."""
    return " (an unrendered template placeholder?)" if "${" in value or "{{" in value else ""


def _name_problem(kind: str, name: str) -> str | None:
    """Why `name` is not a valid name for a `kind`, or None."""
    if kind in PATH_SEGMENT_KINDS:
        if name in (".", ".."):
            return f"may not be {name!r}"
        bad = [c for c in "/%" if c in name]
        return f"may not contain {bad[0]!r}" if bad else None
    if kind in DNS1035_LABEL_KINDS:
        what, pattern, limit = ("a DNS-1035 label: lowercase letters, digits and '-', starting "
                                "with a letter and ending with a letter or digit"), \
            DNS1035_LABEL, 63
    elif kind in DNS1123_LABEL_KINDS:
        what, pattern, limit = ("a DNS-1123 label: lowercase letters, digits and '-', starting "
                                "and ending with a letter or digit"), DNS1123_LABEL, 63
    else:
        what, pattern, limit = ("a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', "
                                "starting and ending with a letter or digit"), \
            DNS1123_SUBDOMAIN, 253
    limit = min(limit, NAME_LIMITS.get(kind, limit))
    if not _matches(pattern, name):
        return f"must be {what}"
    if len(name) > limit:
        return f"is {len(name)} characters long; at most {limit} are allowed"
    return None


@rule(
    id="invalid-object-name", category=METADATA, severity=Severity.ERROR,
    summary="An object's name or namespace is not valid for its kind.",
    rationale="The API server rejects the object. Most names must be DNS subdomains (lowercase, "
              "at most 253 characters), Services and Namespaces DNS labels (at most 63, no dots), "
              "CronJobs at most 52 characters; uppercase letters, underscores and spaces are the "
              "usual mistakes, and so are unrendered template placeholders.",
    remediation="Rename the object with lowercase letters, digits and '-' (and '.' where the "
                "kind allows it).",
    references=(NAMES_URL,),
)
def invalid_object_name(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Checks metadata.name (custom resources as DNS subdomains, RBAC objects and
    CertificateSigningRequests as path segments)
    and metadata.namespace (a DNS label). Names made by generateName are not checked."""
    meta = res.metadata
    name = meta.get("name")
    if isinstance(name, str):
        problem = _name_problem(res.kind, name) if name else "is empty"
        if problem is not None:
            yield Finding(("metadata", "name"),
                          f"{res.kind} name {name!r} {problem}{placeholder_hint(name)}")
    namespace = meta.get("namespace")
    if isinstance(namespace, str) and namespace:
        problem = _name_problem("Namespace", namespace)
        if problem is not None:
            yield Finding(("metadata", "namespace"),
                          f"namespace {namespace!r} {problem}{placeholder_hint(namespace)}")


def _metadata_blocks(res: Resource) -> Iterator[tuple[YamlPath, dict]]:
    """The object's metadata and the metadata of the templates it stamps objects from."""
    yield ("metadata",), res.metadata
    spec_path = POD_SPEC_PATHS.get(res.kind)
    if spec_path is not None and len(spec_path) > 1:  # a Pod's is its own metadata
        meta_path = (*spec_path[:-1], "metadata")
        meta = dig(res.obj, *meta_path)
        if isinstance(meta, dict):
            yield meta_path, meta
    if res.kind == "CronJob":
        meta = dig(res.obj, "spec", "jobTemplate", "metadata")
        if isinstance(meta, dict):
            yield ("spec", "jobTemplate", "metadata"), meta
    if res.kind == "StatefulSet":
        for i, claim in enumerate(as_list(dig(res.obj, "spec", "volumeClaimTemplates"))):
            meta = dig(claim, "metadata")
            if isinstance(meta, dict):
                yield ("spec", "volumeClaimTemplates", i, "metadata"), meta


_NAME_CHARS = "letters, digits, '-', '_' and '.', starting and ending with a letter or digit"


def key_problem(key: str, *, lowercase: bool = False) -> str | None:
    """Why `key` is not a qualified name (`[prefix/]name`), or None. The API server checks
    annotation keys in lower case (`lowercase=True`), label keys as written."""
    prefix, slash, name = (key.lower() if lowercase else key).partition("/")
    if not slash:
        prefix, name = "", prefix
    else:
        if "/" in name:
            return "it has more than one '/'"
        if not prefix:
            return "the prefix before '/' is empty"
        if len(prefix) > 253:
            return f"the prefix is {len(prefix)} characters long; at most 253 are allowed"
        if not _matches(DNS1123_SUBDOMAIN, prefix):
            return (f"the prefix {prefix!r} is not a DNS subdomain (lowercase letters, digits, "
                    f"'-' and '.')")
    if not name:
        return "the name after the prefix is empty"
    if len(name) > 63:
        return f"the name is {len(name)} characters long; at most 63 are allowed"
    if not _matches(QUALIFIED_NAME, name):
        return f"the name may only hold {_NAME_CHARS}"
    return None


def value_problem(value: str) -> str | None:
    if len(value) > 63:
        return f"is {len(value)} characters long; at most 63 are allowed"
    if value and not _matches(LABEL_VALUE, value):
        return f"may only hold {_NAME_CHARS}"
    return None


@rule(
    id="invalid-label", category=METADATA, severity=Severity.ERROR,
    summary="A label key or value is not valid.",
    rationale="The API server rejects the object. Label values are at most 63 characters of "
              "letters, digits, '-', '_' and '.', starting and ending with a letter or digit: a "
              "version like `1.2.3+build`, a URL, a space or a trailing '-' is refused; keys are "
              "an optional DNS-subdomain prefix and a name of at most 63 characters.",
    remediation="Shorten or rewrite the label; keep free-form text in an annotation instead.",
    references=(LABELS_URL,),
    equivalents={"kube-score": "label-values"},
)
def invalid_label(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Checks the object's labels and those of its pod, job and volume claim templates."""
    for path, meta in _metadata_blocks(res):
        labels = meta.get("labels")
        if not isinstance(labels, dict):
            continue
        for key, value in labels.items():
            where = (*path, "labels", key)
            problem = key_problem(key)
            if problem is not None:
                yield Finding(where, f"label key {key!r} is invalid: {problem}")
            if isinstance(value, str):
                problem = value_problem(value)
                if problem is not None:
                    yield Finding(where, f"label {key!r} has an invalid value {_short(value)}: "
                                         f"a label value {problem}{placeholder_hint(value)}")


def _short(value: str) -> str:
    return repr(value if len(value) <= 70 else value[:67] + "...")


@rule(
    id="invalid-annotation-key", category=METADATA, severity=Severity.ERROR,
    summary="An annotation key is not a valid qualified name.",
    rationale="The API server rejects the object: a key is an optional DNS-subdomain prefix and "
              "'/', then a name of at most 63 letters, digits, '-', '_' and '.'; spaces, a "
              "second '/', or a name longer than 63 characters are refused.",
    remediation="Rename the annotation key.",
    references=(ANNOTATIONS_URL,),
)
def invalid_annotation_key(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Checks the object's annotations and those of its templates. As the API server does,
    the prefix is compared in lower case."""
    for path, meta in _metadata_blocks(res):
        annotations = meta.get("annotations")
        if not isinstance(annotations, dict):
            continue
        for key in annotations:
            problem = key_problem(key, lowercase=True)
            if problem is not None:
                yield Finding((*path, "annotations", key),
                              f"annotation key {key!r} is invalid: {problem}")


@rule(
    id="oversized-annotations", category=METADATA, severity=Severity.ERROR,
    summary="An object's annotations together exceed 256 KiB.",
    rationale="The API server rejects the object (`metadata.annotations: Too long`). Embedded "
              "dashboards, certificates or whole config files in annotations are the usual "
              "cause.",
    remediation="Move the large content into a ConfigMap or Secret and reference it.",
    references=(ANNOTATIONS_URL,),
    options_schema={"type": "object", "additionalProperties": False, "properties": {
        "max-bytes": {"type": "integer", "minimum": 1, "maximum": ANNOTATIONS_LIMIT,
                      "description": "The most bytes the annotations may take; lower it to "
                                     "leave room for annotations that tools add later."}}},
    defaults={"max-bytes": ANNOTATIONS_LIMIT},
)
def oversized_annotations(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Sizes are UTF-8 bytes of keys and string values, as the API server counts them.
    `kubectl apply` without --server-side adds the whole object as an annotation too, so objects
    near the limit fail with client-side apply first."""
    limit = ctx.options.get("max-bytes", ANNOTATIONS_LIMIT)
    for path, meta in _metadata_blocks(res):
        annotations = meta.get("annotations")
        if not isinstance(annotations, dict):
            continue
        size = sum(len(k.encode()) + (len(v.encode()) if isinstance(v, str) else 0)
                   for k, v in annotations.items())
        if size > limit:
            cap = "the API server's limit, 256 KiB" if limit == ANNOTATIONS_LIMIT else \
                "the configured max-bytes"
            yield Finding((*path, "annotations"),
                          f"annotations take {size:,} bytes, more than {limit:,} ({cap})")


def _identity(res: Resource) -> tuple[str, str, str | None, str] | None:
    """(group, kind, namespace, name): what makes two objects one in the API."""
    if not res.name:
        return None
    group = res.api_version.rpartition("/")[0]
    group = SAME_RESOURCE_GROUPS.get((group, res.kind), group)
    namespace = None if res.kind in CLUSTER_SCOPED else res.namespace
    return group, res.kind, namespace, res.name


@lru_cache(maxsize=8)
def _earlier_definitions(index: ResourceIndex) -> dict[int, Resource]:
    """id(object) -> the earlier definition it duplicates. Compared within a set: a file (a
    stream such as a Helm render) or a kustomization.yaml, whose `resources` kustomize builds
    together."""
    from kubelint.rules.schema import kustomizations_listing

    first: dict[Any, Resource] = {}
    out: dict[int, Resource] = {}
    listings: dict[str, list[Resource]] = {}
    for r in index.resources:
        key = _identity(r)
        if key is None:
            continue
        if r.file not in listings:
            listings[r.file] = kustomizations_listing(r, index)
        for where in (r.file, *(id(k) for k in listings[r.file])):
            earlier = first.setdefault((where, key), r)
            if earlier is not r and id(r) not in out:
                out[id(r)] = earlier
    return out


@rule(
    id="duplicate-object", category=METADATA, severity=Severity.WARNING, scope="bundle",
    summary="The same object is defined twice in one file or one kustomization.",
    rationale="Applied together, the later definition silently replaces the earlier one, so one "
              "of them is dead configuration that a reader takes for the real one; kustomize "
              "refuses to build such a set.",
    remediation="Remove one of the definitions, or give them different names or namespaces.",
    references=(NAMES_URL,),
)
def duplicate_object(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Objects are the same when their API group, kind, namespace and name match (extensions/
    v1beta1 and apps/v1 Deployments are one resource; the namespace of a cluster-scoped kind does
    not count). Compared: objects in one file (a stream, such as `helm template` output), and
    files that one kustomization.yaml in the linted set lists under `resources`. Files that are
    merely in the same folder are alternatives as often as parts of one set, so they are not
    compared."""
    first = _earlier_definitions(ctx.index).get(id(res))
    if first is None:
        return
    key = _identity(res)
    assert key is not None
    where = "" if key[2] is None else f" in namespace {key[2]!r}"
    elsewhere = "" if first.file == res.file else f" (first in {os.path.basename(first.file)})"
    yield Finding(("metadata", "name"),
                  f"{res.kind} {res.name!r}{where} is defined twice{elsewhere}; this later "
                  f"definition replaces the earlier one",
                  related=(Related(first, ("metadata", "name"), "first defined here"),))


RULES = (invalid_object_name, invalid_label, invalid_annotation_key, oversized_annotations,
         duplicate_object)
