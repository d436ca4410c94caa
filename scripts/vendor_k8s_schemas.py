#!/usr/bin/env python3
"""Regenerate the vendored Kubernetes schemas in schemas/kubernetes-1.NN.json.

    .venv/bin/python scripts/vendor_k8s_schemas.py            # pip-downloads the pinned package
    .venv/bin/python scripts/vendor_k8s_schemas.py --source DIR  # an unpacked kubernetes_validate

The source is the PyPI package kubernetes-validate (Apache-2.0), which carries JSON schemas
generated from the OpenAPI document of every Kubernetes release since 1.25. For each release this
writes one JSON Schema (draft 2020-12) document that jsonschema-rs compiles as it stands, keeping
what validation needs and nothing else (see docs/schemas.md):

- `$defs`: the definitions reachable from the top-level kinds (`x-kubernetes-group-version-kind`;
  `...List` kinds and the `meta/v1` helper kinds such as DeleteOptions are left out), referenced as
  `#/$defs/<name>`; `kinds` maps each apiVersion and kind to its definition;
- in each schema only `type` (without "null": kubelint drops errors on null values, which
  Kubernetes reads as unset), `properties`, `required`, `additionalProperties`, `items`, `$ref`,
  `enum` and the formats kubelint checks (`byte`, `date-time`); descriptions and patch/list-type
  extensions are dropped;
- an object with `properties` gets `additionalProperties: false` (an unknown field is an error, as
  `kubectl apply` reports with its default `--validate=strict`) unless it preserves unknown
  fields; objects with `additionalProperties` are maps; `type: object` alone (RawExtension,
  FieldsV1) takes anything;
- a required property gets `not: {type: null}`: JSON Schema's `required` is met by a null value,
  the API server's is not, and kubelint reports that error as the missing field;
- IntOrString becomes `{"type": ["integer", "string"]}`, Quantity
  `{"type": ["string", "number"], "format": "quantity"}`, and the `int32`/`int64` formats
  `minimum`/`maximum` bounds;
- `NOT_REQUIRED` drops two `required` entries the API server never enforced;
- the generated schemas drop the API's `+enum` value sets, so `ENUMS` below puts back those of the
  fields people write by hand (values of the newest release, plus "": the API server defaults an
  empty value).

After adding a release, set NEWEST_VERSION in kubelint/k8s_schema.py and run the tests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "schemas"
PACKAGE = "kubernetes-validate"
PINNED = "1.37.0"
FIRST_MINOR = 25

KEEP = ("type", "properties", "required", "additionalProperties", "items", "$ref", "format",
        "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields")

SPECIAL = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": ["integer", "string"]},
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": ["string", "number"],
                                                       "format": "quantity"},
}
CHECKED_FORMATS = ("byte", "date-time")  # and `quantity` (SPECIAL); see k8s_schema.FORMATS
INT_RANGES = {"int32": (-(2 ** 31), 2 ** 31 - 1), "int64": (-(2 ** 63), 2 ** 63 - 1)}
NOT_NULL = {"type": "null"}
DRAFT = "https://json-schema.org/draft/2020-12/schema"

_PROTOCOLS = ["SCTP", "TCP", "UDP"]
_PULL = ["Always", "IfNotPresent", "Never"]
_TERMINATION = ["FallbackToLogsOnError", "File"]
_ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
_PROFILE_TYPES = ["Localhost", "RuntimeDefault", "Unconfined"]
_WEBHOOK = {"failurePolicy": ["Fail", "Ignore"], "matchPolicy": ["Equivalent", "Exact"],
            "sideEffects": ["None", "NoneOnDryRun", "Some", "Unknown"]}

ENUMS: dict[str, dict[str, list[str]]] = {
    # definition -> field -> allowed values (a list field: allowed item values)
    "io.k8s.api.core.v1.Container": {"imagePullPolicy": _PULL,
                                     "terminationMessagePolicy": _TERMINATION},
    "io.k8s.api.core.v1.EphemeralContainer": {"imagePullPolicy": _PULL,
                                              "terminationMessagePolicy": _TERMINATION},
    "io.k8s.api.core.v1.ContainerPort": {"protocol": _PROTOCOLS},
    "io.k8s.api.core.v1.ServicePort": {"protocol": _PROTOCOLS},
    "io.k8s.api.core.v1.EndpointPort": {"protocol": _PROTOCOLS},
    "io.k8s.api.discovery.v1.EndpointPort": {"protocol": _PROTOCOLS},
    "io.k8s.api.networking.v1.NetworkPolicyPort": {"protocol": _PROTOCOLS},
    "io.k8s.api.core.v1.PodSpec": {
        "restartPolicy": ["Always", "Never", "OnFailure"],
        "dnsPolicy": ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
        "preemptionPolicy": ["Never", "PreemptLowerPriority"],
    },
    "io.k8s.api.core.v1.PodOS": {"name": ["linux", "windows"]},
    "io.k8s.api.core.v1.HTTPGetAction": {"scheme": ["HTTP", "HTTPS"]},
    "io.k8s.api.core.v1.Toleration": {"operator": ["Equal", "Exists"],
                                      "effect": ["NoExecute", "NoSchedule", "PreferNoSchedule"]},
    "io.k8s.api.core.v1.NodeSelectorRequirement": {
        "operator": ["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"]},
    "io.k8s.api.core.v1.TopologySpreadConstraint": {
        "whenUnsatisfiable": ["DoNotSchedule", "ScheduleAnyway"],
        "nodeAffinityPolicy": ["Honor", "Ignore"], "nodeTaintsPolicy": ["Honor", "Ignore"]},
    "io.k8s.api.core.v1.SecurityContext": {"procMount": ["Default", "Unmasked"]},
    "io.k8s.api.core.v1.SeccompProfile": {"type": _PROFILE_TYPES},
    "io.k8s.api.core.v1.AppArmorProfile": {"type": _PROFILE_TYPES},
    "io.k8s.api.core.v1.PodSecurityContext": {"fsGroupChangePolicy": ["Always", "OnRootMismatch"],
                                              "seLinuxChangePolicy": ["MountOption", "Recursive"]},
    "io.k8s.api.core.v1.ServiceSpec": {
        "type": ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
        "sessionAffinity": ["ClientIP", "None"],
        "externalTrafficPolicy": ["Cluster", "Local"],
        "internalTrafficPolicy": ["Cluster", "Local"],
        "ipFamilyPolicy": ["PreferDualStack", "RequireDualStack", "SingleStack"],
        "ipFamilies": ["IPv4", "IPv6"],
    },
    "io.k8s.api.core.v1.PersistentVolumeClaimSpec": {"accessModes": _ACCESS_MODES,
                                                     "volumeMode": ["Block", "Filesystem"]},
    "io.k8s.api.core.v1.PersistentVolumeSpec": {
        "accessModes": _ACCESS_MODES, "volumeMode": ["Block", "Filesystem"],
        "persistentVolumeReclaimPolicy": ["Delete", "Recycle", "Retain"]},
    "io.k8s.api.core.v1.HostPathVolumeSource": {
        "type": ["BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File",
                 "FileOrCreate", "Socket"]},
    "io.k8s.api.core.v1.VolumeMount": {
        "mountPropagation": ["Bidirectional", "HostToContainer", "None"],
        "recursiveReadOnly": ["Disabled", "Enabled", "IfPossible"]},
    "io.k8s.api.core.v1.ContainerResizePolicy": {
        "restartPolicy": ["NotRequired", "RestartContainer"]},
    "io.k8s.api.core.v1.LimitRangeItem": {"type": ["Container", "PersistentVolumeClaim", "Pod"]},
    "io.k8s.api.apps.v1.DeploymentStrategy": {"type": ["Recreate", "RollingUpdate"]},
    "io.k8s.api.apps.v1.StatefulSetUpdateStrategy": {"type": ["OnDelete", "RollingUpdate"]},
    "io.k8s.api.apps.v1.DaemonSetUpdateStrategy": {"type": ["OnDelete", "RollingUpdate"]},
    "io.k8s.api.apps.v1.StatefulSetSpec": {"podManagementPolicy": ["OrderedReady", "Parallel"]},
    "io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy": {
        "whenDeleted": ["Delete", "Retain"], "whenScaled": ["Delete", "Retain"]},
    "io.k8s.api.batch.v1.CronJobSpec": {"concurrencyPolicy": ["Allow", "Forbid", "Replace"]},
    "io.k8s.api.batch.v1.JobSpec": {"completionMode": ["Indexed", "NonIndexed"],
                                    "podReplacementPolicy": ["Failed", "TerminatingOrFailed"]},
    "io.k8s.api.batch.v1.PodFailurePolicyRule": {
        "action": ["Count", "FailIndex", "FailJob", "Ignore"]},
    "io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement": {"operator": ["In", "NotIn"]},
    "io.k8s.api.autoscaling.v2.MetricSpec": {
        "type": ["ContainerResource", "External", "Object", "Pods", "Resource"]},
    "io.k8s.api.autoscaling.v2.MetricTarget": {"type": ["AverageValue", "Utilization", "Value"]},
    "io.k8s.api.autoscaling.v2.HPAScalingRules": {"selectPolicy": ["Disabled", "Max", "Min"]},
    "io.k8s.api.autoscaling.v2.HPAScalingPolicy": {"type": ["Percent", "Pods"]},
    "io.k8s.api.networking.v1.HTTPIngressPath": {
        "pathType": ["Exact", "ImplementationSpecific", "Prefix"]},
    "io.k8s.api.networking.v1.NetworkPolicySpec": {"policyTypes": ["Egress", "Ingress"]},
    "io.k8s.api.policy.v1.PodDisruptionBudgetSpec": {
        "unhealthyPodEvictionPolicy": ["AlwaysAllow", "IfHealthyBudget"]},
    "io.k8s.api.storage.v1.StorageClass": {
        "reclaimPolicy": ["Delete", "Retain"],
        "volumeBindingMode": ["Immediate", "WaitForFirstConsumer"]},
    "io.k8s.api.storage.v1.CSIDriverSpec": {
        "fsGroupPolicy": ["File", "None", "ReadWriteOnceWithFSType"],
        "volumeLifecycleModes": ["Ephemeral", "Persistent"]},
    "io.k8s.api.admissionregistration.v1.MutatingWebhook": {
        **_WEBHOOK, "reinvocationPolicy": ["IfNeeded", "Never"]},
    "io.k8s.api.admissionregistration.v1.ValidatingWebhook": _WEBHOOK,
    "io.k8s.api.admissionregistration.v1.RuleWithOperations": {
        "operations": ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"],
        "scope": ["*", "Cluster", "Namespaced"]},
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec": {
        "scope": ["Cluster", "Namespaced"]},
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceConversion": {
        "strategy": ["None", "Webhook"]},
}


NOT_REQUIRED: dict[str, tuple[str, ...]] = {
    # `required` in the OpenAPI document (a Go field without omitempty) that the API server never
    # enforced; later releases dropped it from the document too.
    "io.k8s.api.apps.v1.StatefulSetSpec": ("serviceName",),  # optional from 1.33
    "io.k8s.api.networking.v1.NetworkPolicySpec": ("podSelector",),  # optional from 1.34
}


def version_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name[1:].split("-")[0].split("."))


def fetch(dest: Path) -> Path:
    """pip-download the pinned wheel and unpack its schema folder; return that folder."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                    "-d", str(dest), f"{PACKAGE}=={PINNED}"], check=True)
    wheel = next(dest.glob("kubernetes_validate-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        members = [m for m in zf.namelist()
                   if "/kubernetes-json-schema/" in m and "-local/" in m
                   and m.endswith("/_definitions.json")]
        zf.extractall(dest, members)
    return dest / "kubernetes_validate" / "kubernetes-json-schema"


def prune(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key in KEEP:
        if key not in schema:
            continue
        value = schema[key]
        if key == "type":
            kept = [t for t in (value if isinstance(value, list) else [value]) if t != "null"]
            value = kept[0] if len(kept) == 1 else kept
        elif key == "properties":
            value = {name: prune(sub) for name, sub in value.items()}
        elif key == "$ref":
            value = value.rsplit("/", 1)[-1]
        elif key in ("additionalProperties", "items"):
            value = prune(value)
        out[key] = value
    return out


def references(schema: Any) -> list[str]:
    if not isinstance(schema, dict):
        return []
    out = [schema["$ref"].rsplit("/", 1)[-1]] if isinstance(schema.get("$ref"), str) else []
    for sub in (schema.get("properties") or {}).values():
        out.extend(references(sub))
    for key in ("items", "additionalProperties"):
        out.extend(references(schema.get(key)))
    for key in ("oneOf", "anyOf", "allOf"):
        for sub in schema.get(key) or ():
            out.extend(references(sub))
    return out


def add_enums(name: str, schema: dict) -> None:
    for field, values in ENUMS.get(name, {}).items():
        prop = schema.get("properties", {}).get(field)
        if prop is None:
            continue
        target = prop["items"] if prop.get("type") == "array" and "items" in prop else prop
        if "$ref" in target:
            raise SystemExit(f"{name}.{field}: an enum on a $ref")
        target["enum"] = [*sorted(set(values)), ""]


def to_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A pruned schema as JSON Schema 2020-12, read the way the API server reads it."""
    out: dict[str, Any] = {}
    if "$ref" in schema:
        out["$ref"] = f"#/$defs/{schema['$ref']}"
    if schema.get("x-kubernetes-int-or-string") is True:
        out["type"] = ["integer", "string"]
    elif "type" in schema:
        out["type"] = schema["type"]
    fmt = schema.get("format")
    if fmt in INT_RANGES:
        out["minimum"], out["maximum"] = INT_RANGES[fmt]
    elif fmt in CHECKED_FORMATS:
        out["format"] = fmt
    if "enum" in schema:
        out["enum"] = schema["enum"]
    props = schema.get("properties")
    if props:
        required = set(schema.get("required", ()))
        out["properties"] = {
            name: {**to_json_schema(sub), **({"not": NOT_NULL} if name in required else {})}
            for name, sub in props.items()}
        if "additionalProperties" not in schema and \
                schema.get("x-kubernetes-preserve-unknown-fields") is not True:
            out["additionalProperties"] = False
    if "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        out["additionalProperties"] = to_json_schema(extra) if isinstance(extra, dict) else extra
    if isinstance(schema.get("items"), dict):
        out["items"] = to_json_schema(schema["items"])
    if schema.get("required"):
        out["required"] = schema["required"]
    return out


def convert(defs: dict[str, Any], label: str, source: str) -> dict[str, Any]:
    kinds: dict[str, dict[str, str]] = {}
    for name, schema in defs.items():
        if name.startswith("io.k8s.apimachinery.pkg.apis.meta.v1."):
            continue
        for gvk in schema.get("x-kubernetes-group-version-kind") or ():
            if gvk["kind"].endswith("List"):
                continue
            api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            kinds.setdefault(api_version, {})[gvk["kind"]] = name
    seen: set[str] = set()
    stack = [n for by_kind in kinds.values() for n in by_kind.values()]
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(references(defs[name]))
    definitions: dict[str, Any] = {}
    for name in sorted(seen):
        if name in SPECIAL:
            definitions[name] = SPECIAL[name]
            continue
        schema = prune(defs[name])
        add_enums(name, schema)
        if name in NOT_REQUIRED and "required" in schema:
            schema["required"] = [f for f in schema["required"] if f not in NOT_REQUIRED[name]]
            if not schema["required"]:
                del schema["required"]
        definitions[name] = to_json_schema(schema)
    return {
        "$schema": DRAFT,
        "kubernetes": label,
        "source": source,
        "kinds": {gv: dict(sorted(k.items())) for gv, k in sorted(kinds.items())},
        "$defs": definitions,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path,
                        help="a kubernetes_validate/kubernetes-json-schema folder (default: "
                             f"pip-download {PACKAGE}=={PINNED})")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        source = args.source or fetch(Path(tmp))
        folders = sorted((p for p in source.iterdir()
                          if re.fullmatch(r"v1\.\d+\.\d+-local", p.name)
                          and version_key(p.name)[1] >= FIRST_MINOR),
                         key=lambda p: version_key(p.name))
        if not folders:
            raise SystemExit(f"no v1.N.0-local folders in {source}")
        written: list[str] = []
        newest: dict[str, Any] = {}
        for folder in folders:
            major, minor = version_key(folder.name)[:2]
            label = f"{major}.{minor}"
            defs = json.loads((folder / "_definitions.json").read_text(encoding="utf-8"))["$defs"]
            data = convert(defs, label, f"{PACKAGE} {PINNED} ({folder.name}), Apache-2.0")
            text = json.dumps(data, sort_keys=False, separators=(",", ":")) + "\n"
            out = OUT / f"kubernetes-{label}.json"
            out.write_text(text, encoding="utf-8")
            digest = hashlib.sha256(text.encode()).hexdigest()[:12]
            written.append(label)
            newest = defs
            print(f"{out.relative_to(ROOT)}: {len(data['$defs'])} definitions, "
                  f"{len(text) // 1024} KiB, sha256 {digest}")
    missing = [f"{name}.{field}" for name, fields in ENUMS.items() for field in fields
               if field not in newest.get(name, {}).get("properties", {})]
    if missing:
        print(f"ENUMS name fields the newest release lacks: {', '.join(missing)}", file=sys.stderr)
        return 1
    print(f"versions: {', '.join(written)}; newest {written[-1]} "
          f"(NEWEST_VERSION in kubelint/k8s_schema.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
