"""Validity against the Kubernetes API schema of the target release.

Built-in kinds are checked against the OpenAPI-derived schemas of the release set by the
`kubernetes-version` option (default: the newest supported one; see docs/schemas.md), custom
resources against the `openAPIV3Schema` of the CustomResourceDefinitions in the linted set. One pass
over each object finds every error; each rule reports one kind of error, at the exact key:

- schema-unknown-field: a field the schema does not have (a typo, a wrong indentation level);
- schema-wrong-type: a value of the wrong type (`replicas: "3"`, `value: 8080`, `enabled: yes`);
- schema-missing-field: a required field that is absent or null;
- schema-invalid-value: a value of the right type that the API rejects: an unknown enum value
  (`imagePullPolicy: always`), a malformed quantity (`memory: 1GB`), bad base64 in a Secret, an
  out-of-range int32, a bad date-time or duration, and a CRD's own constraints (pattern, minimum,
  length, ...);
- schema-unknown-kind: an apiVersion/kind that the release (or the CRD) does not serve;
- unvalidated-custom-resource: a custom resource without a CRD in the set (info, once per kind).

Values are read as Kubernetes reads them (YAML 1.1: unquoted `yes` is a boolean, `0400` is 256;
null is unset). The `status` of an object is checked for types and unknown fields but not for
required fields, which the API server resets on create.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from kubelint.k8s import CONTAINER_LISTS, POD_SPEC_PATHS, Resource, ResourceIndex, as_list
from kubelint.k8s_schema import (INVALID_VALUE, MISSING_FIELD, NEWEST_VERSION, OLDEST_VERSION,
                                 UNKNOWN_FIELD, VERSION_OPTION, VERSION_OPTIONS_SCHEMA,
                                 WRONG_TYPE, BuiltinSchemas, SchemaError,
                                 parse_version, schema_version, split_api_version,
                                 target_version, validate)
from kubelint.model import Finding, Related, Severity, YamlPath
from kubelint.rule import Context, rule
from kubelint.rules.deprecations import removal

SCHEMA = "schema"
API_CONVENTIONS_URL = ("https://github.com/kubernetes/community/blob/master/contributors/devel/"
                       "sig-architecture/api-conventions.md")
API_REFERENCE_URL = "https://kubernetes.io/docs/reference/kubernetes-api/"
FIELD_VALIDATION_URL = ("https://kubernetes.io/docs/reference/using-api/api-concepts/"
                        "#field-validation")
CRD_VALIDATION_URL = ("https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/"
                      "custom-resource-definitions/#validation")
QUANTITY_URL = "https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/"
YAML_URL = "https://kubernetes.io/docs/concepts/configuration/overview/#general-configuration-tips"

NOT_API_OBJECTS = frozenset({
    ("v1", "Config"), ("v1", "Policy"),
    *(("v1", kind) for kind in ("DeploymentConfig", "BuildConfig", "ImageStream", "Route",
                                "Template", "Project")),
})
"""Core-apiVersion objects Kubernetes does not serve that are not mistakes: a kubeconfig, a legacy
scheduler policy, OpenShift 3 objects written before OpenShift had API groups."""
NOT_API_GROUPS = frozenset({
    "kustomize.config.k8s.io", "skaffold", "kind.x-k8s.io", "kubeadm.k8s.io", "audit.k8s.io",
    "apiserver.config.k8s.io", "kubelet.config.k8s.io", "kubeproxy.config.k8s.io",
    "kubescheduler.config.k8s.io", "kubecontrollermanager.config.k8s.io",
})
"""Groups of configuration files (kustomize, skaffold, kind, component configs) that are not API
objects: no CRD will ever describe them."""

_OPTIONS = {"options_schema": VERSION_OPTIONS_SCHEMA, "defaults": {VERSION_OPTION: NEWEST_VERSION}}
_KUBECONFORM = {"kube-linter": "schema-validation"}


def _errors(res: Resource, ctx: Context, kind: str) -> Iterator[SchemaError]:
    version = schema_version(target_version(ctx.options))
    _, errors = validate(res, ctx.index, version)
    return (e for e in errors if e.kind == kind)


@rule(
    id="schema-unknown-field", category=SCHEMA, severity=Severity.ERROR,
    summary="The object has a field its API schema does not define.",
    rationale="`kubectl apply` (strict field validation, the default since Kubernetes 1.27) "
              "rejects the object; an older or lenient client drops the field silently, so a "
              "misspelt `imagePullPolice` or a key indented one level too deep simply has no "
              "effect.",
    remediation="Fix the field's spelling or indentation, or remove it.",
    references=(FIELD_VALIDATION_URL, API_REFERENCE_URL),
    equivalents=_KUBECONFORM,
    scope="bundle", **_OPTIONS,  # type: ignore[arg-type]
)
def schema_unknown_field(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Objects with `additionalProperties` (labels, data) take any key; `x-kubernetes-preserve-
    unknown-fields` and apiextensions/v1beta1 CRDs that keep unknown fields take any field."""
    for e in _errors(res, ctx, UNKNOWN_FIELD):
        yield Finding(e.path, e.message)


@rule(
    id="schema-wrong-type", category=SCHEMA, severity=Severity.ERROR,
    summary="A field's value has the wrong type for the API schema.",
    rationale="The API server cannot decode the object and rejects it. YAML makes this easy: "
              "`8080` is a number where an env var value must be a string, unquoted `yes`, "
              "`on` or `true` are booleans, `0400` is the number 256, and `\"3\"` is a string "
              "where replicas must be a number.",
    remediation="Write the value with the type the message names: quote it to make a string, "
                "or remove the quotes to make a number or boolean.",
    references=(API_REFERENCE_URL, YAML_URL),
    equivalents=_KUBECONFORM,
    scope="bundle", **_OPTIONS,  # type: ignore[arg-type]
)
def schema_wrong_type(res: Resource, ctx: Context) -> Iterator[Finding]:
    """int-or-string fields (ports, maxSurge) take an integer or a string; quantities take a
    number or a string."""
    for e in _errors(res, ctx, WRONG_TYPE):
        yield Finding(e.path, e.message)


@rule(
    id="schema-missing-field", category=SCHEMA, severity=Severity.ERROR,
    summary="A field the API schema requires is missing or null.",
    rationale="The API server rejects the object (`Required value`): a container without a "
              "name, a Deployment without a selector, a port without a port number.",
    remediation="Add the field the message names.",
    references=(API_REFERENCE_URL,),
    equivalents=_KUBECONFORM,
    scope="bundle", **_OPTIONS,  # type: ignore[arg-type]
)
def schema_missing_field(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Reported at the object that lacks the field. Not checked under `status`. A workload's
    `spec.selector` may be missing in a kustomize base whose kustomization.yaml (in the linted
    set) adds it through `commonLabels` or `labels` with `includeSelectors: true`."""
    for e in _errors(res, ctx, MISSING_FIELD):
        if e.path == ("spec", "selector") and _kustomize_adds_selector(res, ctx.index):
            continue
        yield Finding(e.path, e.message)


def _kustomize_adds_selector(res: Resource, index: ResourceIndex) -> bool:
    for kustomization in kustomizations_listing(res, index):
        if isinstance(kustomization.obj.get("commonLabels"), dict) and \
                kustomization.obj["commonLabels"]:
            return True
        for entry in as_list(kustomization.obj.get("labels")):
            if isinstance(entry, dict) and entry.get("includeSelectors") is True:
                return True
    return False


def kustomizations_listing(res: Resource, index: ResourceIndex) -> list[Resource]:
    """The kustomization.yaml files of the linted set that list `res`'s file in `resources`."""
    kustomized = index.cached(("schema", "kustomized"), _kustomized)
    return kustomized.get(os.path.normpath(res.file), [])  # type: ignore[no-any-return]


def _kustomized(index: ResourceIndex) -> dict[str, list[Resource]]:
    """File -> the Kustomizations (in the linted set) whose `resources` name it."""
    out: dict[str, list[Resource]] = {}
    for k in index.of_kind("Kustomization", "Component"):
        if split_api_version(k.api_version)[0] != "kustomize.config.k8s.io":
            continue
        folder = os.path.dirname(k.file)
        for entry in as_list(k.obj.get("resources")):
            if isinstance(entry, str) and "://" not in entry:
                out.setdefault(os.path.normpath(os.path.join(folder, entry)), []).append(k)
    return out


@rule(
    id="schema-invalid-value", category=SCHEMA, severity=Severity.ERROR,
    summary="A field's value is not one the API accepts.",
    rationale="The API server rejects the object: an enum value with the wrong case or a typo "
              "(`imagePullPolicy: always`, `protocol: tcp`), a quantity that is not one (`1GB`, "
              "`1 core`), Secret data that is not base64, an int32 out of range, a malformed "
              "date-time or duration, or a value outside a custom resource's pattern, bounds or "
              "lengths.",
    remediation="Change the value to one the message allows.",
    references=(API_REFERENCE_URL, QUANTITY_URL, CRD_VALIDATION_URL),
    scope="bundle", **_OPTIONS,  # type: ignore[arg-type]
)
def schema_invalid_value(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Container and pod-level resource requests and limits are left to
    invalid-resource-quantity, which also rejects negative values; built-in enums take "" (the
    API server defaults it)."""
    for e in _errors(res, ctx, INVALID_VALUE):
        if e.check == "quantity" and _resource_quantity(res, e.path):
            continue
        message = e.message
        if e.check == "byte" and res.kind == "Secret" and len(e.path) == 2 and \
                e.path[0] == "data":
            message += " (write the plain text under stringData instead)"
        yield Finding(e.path, message)


def _resource_quantity(res: Resource, path: YamlPath) -> bool:
    """Whether `path` is a container's or the pod's resources.requests/limits entry."""
    spec = POD_SPEC_PATHS.get(res.kind)
    if spec is None or path[:len(spec)] != spec:
        return False
    rest = path[len(spec):]
    if len(rest) == 5 and rest[0] in CONTAINER_LISTS:
        rest = rest[2:]
    return len(rest) == 3 and rest[0] == "resources" and rest[1] in ("requests", "limits")


@rule(
    id="schema-unknown-kind", category=SCHEMA, severity=Severity.ERROR,
    summary="The object's apiVersion and kind are not served by the target Kubernetes release or "
            "by the CustomResourceDefinition that defines them.",
    rationale="The API server rejects the object (`no matches for kind`): the kind is misspelt, "
              "the group-version was never served, an alpha version went away, or the CRD does "
              "not serve that version.",
    remediation="Use an apiVersion and kind the message lists as served.",
    references=(API_REFERENCE_URL, CRD_VALIDATION_URL),
    scope="bundle", **_OPTIONS,  # type: ignore[arg-type]
)
def schema_unknown_kind(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Versions the deprecation table lists as removed are left to removed-api-version. Not
    checked for a target older than the oldest vendored release."""
    target = target_version(ctx.options)
    version = schema_version(target)
    resolution, _ = validate(res, ctx.index, version)
    if resolution.how == "unserved-crd" and resolution.crd is not None:
        crd = resolution.crd
        served = ", ".join(crd.served) or "none"
        yield Finding(("apiVersion",),
                      f"the CustomResourceDefinition for {res.kind} does not serve "
                      f"{res.api_version} (served versions: {served})",
                      related=(Related(crd.resource, ("spec", "versions"),
                                       "the CustomResourceDefinition"),))
        return
    if resolution.how != "unserved-builtin" or resolution.schemas is None:
        return
    if (res.api_version, res.kind) in NOT_API_OBJECTS or removal(res.api_version, res.kind,
                                                                  target):
        return
    oldest = parse_version(OLDEST_VERSION)
    if oldest is not None and target < oldest:
        return
    yield _unserved(res, resolution.schemas, target)


def _unserved(res: Resource, schemas: BuiltinSchemas, target: tuple[int, int]) -> Finding:
    release = f"Kubernetes {target[0]}.{target[1]}"
    group, _ = split_api_version(res.api_version)
    same_group = schemas.api_versions_of(group, res.kind)
    if same_group:
        return Finding(("apiVersion",), f"{release} does not serve {res.kind} in "
                                        f"{res.api_version}; use {' or '.join(same_group)}")
    kinds = schemas.kinds_of(res.api_version)
    elsewhere = [gv for gv, by_kind in schemas.kinds.items() if res.kind in by_kind]
    if kinds:
        text = f"{res.api_version} has no kind {res.kind!r} in {release}"
        if elsewhere:
            return Finding(("kind",), f"{text}; {res.kind} is served as {' or '.join(elsewhere)}")
        import difflib

        close = difflib.get_close_matches(res.kind, kinds, n=1, cutoff=0.6)
        if not close:
            close = [k for k in kinds if k.lower() == res.kind.lower()]
        return Finding(("kind",), f"{text}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    served = [gv for gv in schemas.kinds if split_api_version(gv)[0] == group]
    hint = f"; {res.kind} is served as {' or '.join(elsewhere)}" if elsewhere else \
        (f"; it serves {', '.join(served)}" if served else "")
    return Finding(("apiVersion",), f"{release} does not serve {res.api_version}{hint}")


def _by_group_kind(index: ResourceIndex) -> dict[tuple[str, str], list[Resource]]:
    """The bundle's objects by (API group, kind), in lint order."""
    out: dict[tuple[str, str], list[Resource]] = {}
    for r in index.resources:
        out.setdefault((split_api_version(r.api_version)[0], r.kind), []).append(r)
    return out


@rule(
    id="unvalidated-custom-resource", category=SCHEMA, severity=Severity.INFO,
    summary="A custom resource could not be validated: no CustomResourceDefinition for its kind "
            "is among the linted files.",
    rationale="Without a schema kubelint cannot check the object's fields, so typos and wrong "
              "types in it go unnoticed until the API server rejects it. Reported once per kind, "
              "on its first object.",
    remediation="Lint the custom resources together with the CustomResourceDefinition that "
                "defines them (for example, add the operator's CRD manifests to the linted "
                "paths).",
    references=(CRD_VALIDATION_URL,),
    scope="bundle", **_OPTIONS,  # type: ignore[arg-type]
)
def unvalidated_custom_resource(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Never reported for built-in API groups, objects a CRD describes, or configuration files
    that are not API objects (kustomize, skaffold, kind, component configs)."""
    group = split_api_version(res.api_version)[0]
    if group in NOT_API_GROUPS:
        return
    version = schema_version(target_version(ctx.options))
    resolution, _ = validate(res, ctx.index, version)
    if resolution.how != "unknown":
        return
    same = ctx.index.cached(("schema", "by-group-kind"), _by_group_kind).get((group, res.kind),
                                                                               [res])
    if same[0] is not res:
        return
    others = len(same) - 1
    tail = f" ({others} more {res.kind} object{'s' if others != 1 else ''} likewise)" \
        if others else ""
    yield Finding(("kind",), f"{res.kind} ({res.api_version}) is not validated: no "
                             f"CustomResourceDefinition for it is among the linted files{tail}")


RULES = (schema_unknown_field, schema_wrong_type, schema_missing_field, schema_invalid_value,
         schema_unknown_kind, unvalidated_custom_resource)
