"""Compute resource rules: requests and limits set, valid, in proportion and within bounds."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from kubelint.k8s import (QUANTITY_PATTERN, WORKLOADS, Container, Resource, as_dict, containers,
                          dig, parse_quantity, pod_spec)
from kubelint.model import Finding, Severity, YamlPath
from kubelint.rule import Context, Rule, rule

RESOURCES_URL = "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"
LIMITS_URL = RESOURCES_URL + "#requests-and-limits"
EPHEMERAL_STORAGE_URL = RESOURCES_URL + "#local-ephemeral-storage"
QOS_URL = "https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/"
QUANTITY_URL = "https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/"
POD_LEVEL_URL = ("https://kubernetes.io/docs/tasks/configure-pod-container/"
                 "assign-pod-level-resources/")
LIMIT_RANGE_URL = "https://kubernetes.io/docs/concepts/policy/limit-range/"
CPU_LIMITS_NOTE = ("CPU limits are debated: a limit throttles a container even when the node has "
                   "idle CPU, so many operators set only requests.")

SECTIONS = ("requests", "limits")
POD_LEVEL_RESOURCES = ("cpu", "memory")


def _label(name: str, section: str) -> str:
    """`CPU request`, `memory limit`, `nvidia.com/gpu limit`."""
    return f"{'CPU' if name == 'cpu' else name} {'request' if section == 'requests' else 'limit'}"


def _a(label: str) -> str:
    """The label with its indefinite article: `a CPU limit`, `an ephemeral-storage limit`."""
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def _show(value: Any) -> str:
    """A value as the manifest spells it, near enough: '250m', 2, 3000000000, true, [...]."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return "{...}" if isinstance(value, dict) else "[...]" if isinstance(value, list) else "?"


def _amount(value: Any) -> str:
    """A valid quantity, unquoted: 250m, 1Gi, 2."""
    return value if isinstance(value, str) else _show(value)


def _sized(res: Resource) -> Iterator[Container]:
    """Containers that may set resources: init and regular ones (ephemeral containers cannot)."""
    return (c for c in containers(res) if c.list_name != "ephemeralContainers")


def _resource_blocks(res: Resource) -> Iterator[tuple[YamlPath, str, dict]]:
    """(path, owner, value) of the pod-level `resources` and of each container's."""
    found = pod_spec(res)
    if found is not None:
        path, spec = found
        yield (*path, "resources"), "the pod", as_dict(spec.get("resources"))
    for c in containers(res):
        yield (*c.path, "resources"), f"container {c.name!r}", as_dict(c.spec.get("resources"))


def _unset(res: Resource, section: str, name: str) -> Iterator[Finding]:
    """Containers without a non-zero `resources.<section>.<name>`, unless the pod sets it.

    A request that is missing while the limit is set passes: Kubernetes defaults it to the limit
    (checkov, Polaris and kube-linter report it).
    """
    pod = pod_spec(res)
    if pod is not None and name in POD_LEVEL_RESOURCES and \
            parse_quantity(dig(pod[1], "resources", section, name)):
        return  # pod-level resources (Kubernetes 1.32+) cover every container
    label = _label(name, section)
    for c in _sized(res):
        value = dig(c.spec, "resources", section, name)
        where = (*c.path, "resources", section, name)
        if value is None and section == "requests" and \
                parse_quantity(dig(c.spec, "resources", "limits", name)):
            continue  # the API server copies the limit into the missing request
        if value is None:
            yield Finding(where, f"container {c.name!r} has no {label}")
        elif parse_quantity(value) == 0:
            yield Finding(where, f"container {c.name!r} has {_a(label)} of 0")


def _unset_rule(*, section: str, name: str, default: bool, rationale: str,
                references: tuple[str, ...], equivalents: dict[str, Any]):
    """The rule metadata shared by the unset-<resource>-<requests|limits> rules."""
    label = _label(name, section)
    return rule(
        id=f"unset-{name}-{section}", category="limits", severity=Severity.WARNING,
        kinds=WORKLOADS, default_enabled=default,
        summary=f"A container does not set {_a(label)}.",
        rationale=rationale,
        remediation=f"Set resources.{section}.{name} on every container"
                    f"{' (or in the pod-level resources)' if name in POD_LEVEL_RESOURCES else ''}"
                    f" from its measured usage.",
        references=references, equivalents=equivalents)


@_unset_rule(
    section="requests", name="cpu", default=True,
    rationale="The scheduler places pods by their requests: without a CPU request a container "
              "counts as needing none, lands on busy nodes and gets the smallest share of CPU "
              "under contention (a pod with no requests at all is BestEffort, evicted first).",
    references=(LIMITS_URL, QOS_URL, POD_LEVEL_URL),
    equivalents={"kube-linter": "unset-cpu-requirements", "checkov": "CKV_K8S_10",
                 "polaris": "cpuRequestsMissing", "kube-score": "container-resources",
                 "trivy": "KSV-0015", "kubescape": "C-0268", "kubesec": "RequestsCPU"},
)
def unset_cpu_requests(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Init containers count (they are scheduled too); a zero request counts as unset."""
    return _unset(res, "requests", "cpu")


@_unset_rule(
    section="requests", name="memory", default=True,
    rationale="The scheduler places pods by their requests: without a memory request a "
              "container counts as needing none, so nodes are overcommitted and, under memory "
              "pressure, the pods using more than they requested are evicted first.",
    references=(LIMITS_URL, QOS_URL, POD_LEVEL_URL),
    equivalents={"checkov": "CKV_K8S_12", "polaris": "memoryRequestsMissing",
                 "kube-score": "container-resources", "trivy": "KSV-0016",
                 "kubescape": "C-0269", "kubesec": "RequestsMemory"},
)
def unset_memory_requests(res: Resource, ctx: Context) -> Iterator[Finding]:
    return _unset(res, "requests", "memory")


@_unset_rule(
    section="limits", name="cpu", default=False,
    rationale="Without a CPU limit one container can take every idle core of its node. "
              + CPU_LIMITS_NOTE + " Enable this rule where a policy requires limits.",
    references=(LIMITS_URL, QOS_URL),
    equivalents={"checkov": "CKV_K8S_11", "polaris": "cpuLimitsMissing",
                 "kube-score": "container-resources", "trivy": "KSV-0011",
                 "kubescape": "C-0270", "kubesec": "LimitsCPU"},
)
def unset_cpu_limits(res: Resource, ctx: Context) -> Iterator[Finding]:
    return _unset(res, "limits", "cpu")


@_unset_rule(
    section="limits", name="memory", default=True,
    rationale="Without a memory limit a leaking container grows until the node runs out of "
              "memory, and the kernel's OOM killer or the kubelet's evictions then hit "
              "unrelated pods; with a limit only the leaking container is killed.",
    references=(LIMITS_URL, QOS_URL, POD_LEVEL_URL),
    equivalents={"kube-linter": "unset-memory-requirements", "checkov": "CKV_K8S_13",
                 "polaris": "memoryLimitsMissing", "kube-score": "container-resources",
                 "trivy": "KSV-0018", "kubescape": "C-0271", "kubesec": "LimitsMemory"},
)
def unset_memory_limits(res: Resource, ctx: Context) -> Iterator[Finding]:
    return _unset(res, "limits", "memory")


@_unset_rule(
    section="requests", name="ephemeral-storage", default=False,
    rationale="Logs, emptyDir volumes and the writable layer use the node's disk; without an "
              "ephemeral-storage request the scheduler does not account for it, and a node whose "
              "disk fills up evicts pods.",
    references=(EPHEMERAL_STORAGE_URL,),
    equivalents={"kube-score": "container-ephemeral-storage-request-and-limit"},
)
def unset_ephemeral_storage_requests(res: Resource, ctx: Context) -> Iterator[Finding]:
    return _unset(res, "requests", "ephemeral-storage")


@_unset_rule(
    section="limits", name="ephemeral-storage", default=False,
    rationale="Without an ephemeral-storage limit a container writing logs or temporary files "
              "without bound can fill the node's disk, and the kubelet then evicts other pods; "
              "with a limit only the offending pod is evicted.",
    references=(EPHEMERAL_STORAGE_URL,),
    equivalents={"kube-score": "container-ephemeral-storage-request-and-limit"},
)
def unset_ephemeral_storage_limits(res: Resource, ctx: Context) -> Iterator[Finding]:
    return _unset(res, "limits", "ephemeral-storage")


@rule(
    id="invalid-resource-quantity", category="limits", severity=Severity.ERROR, kinds=WORKLOADS,
    summary="A resource request or limit is not a valid Kubernetes quantity, or is negative.",
    rationale="The API server rejects the object: a quantity is a number with an optional "
              "suffix (`500m`, `0.5`, `1Gi`, `1e3`); `1GB`, `1 Gi` or `1.5 cores` are not "
              "quantities, and requests and limits cannot be negative.",
    remediation="Write the value as a Kubernetes quantity, such as 500m for half a CPU or 256Mi "
                "for 256 mebibytes.",
    references=(QUANTITY_URL, RESOURCES_URL),
)
def invalid_resource_quantity(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Checks the pod-level resources and every container's, for any resource name."""
    for path, owner, values in _resource_blocks(res):
        for section in SECTIONS:
            for name, value in as_dict(values.get(section)).items():
                if value is None:
                    continue  # the API server reads null as zero
                quantity = parse_quantity(value)
                label = _label(str(name), section)
                if quantity is None:
                    yield Finding((*path, section, name), f"{owner} has {_a(label)} "
                                                          f"{_show(value)} that is not a valid "
                                                          f"quantity")
                elif quantity < 0:
                    yield Finding((*path, section, name),
                                  f"{owner} has a negative {label} {_show(value)}")


def _number(value: Any, default: float) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    return value if ok else default


@rule(
    id="excessive-limit-request-ratio", category="limits", severity=Severity.WARNING,
    kinds=WORKLOADS, default_enabled=False,
    summary="A container's limit is more than max-ratio times its request.",
    rationale="The scheduler only reserves the request: a container allowed to burst far beyond "
              "it overcommits its node, and when several burst together the node runs out of "
              "memory (pods are killed) or CPU (everything slows down). A LimitRange's "
              "maxLimitRequestRatio enforces the same bound in the cluster.",
    remediation="Raise the request towards the container's real usage, or lower the limit, so "
                "that the limit is at most max-ratio times the request.",
    references=(LIMIT_RANGE_URL, LIMITS_URL),
    options_schema={
        "type": "object",
        "properties": {
            "max-ratio": {
                "type": "number", "minimum": 1,
                "description": "The largest allowed limit / request; 1 requires limits equal to "
                               "requests (the Guaranteed QoS class).",
            },
            "resources": {
                "type": "array", "items": {"type": "string"}, "uniqueItems": True,
                "description": "The resource names to check (such as cpu, memory, "
                               "ephemeral-storage); every resource when unset.",
            },
        },
        "additionalProperties": False,
    },
    defaults={"max-ratio": 2},
    equivalents={"kube-score": ("container-resource-requests-equal-limits",
                                "container-cpu-requests-equal-limits",
                                "container-memory-requests-equal-limits",
                                "container-ephemeral-storage-request-equals-limit")},
)
def excessive_limit_request_ratio(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Every resource with both a valid positive request and limit; a missing request defaults to
    the limit (ratio 1), and invalid or zero values are other rules' findings.

    With max-ratio 1 this is kube-score's requests-equal-limits family: `resources: [cpu]` for
    container-cpu-requests-equal-limits, `[memory]`, `[ephemeral-storage]`, or `[cpu, memory]`
    for container-resource-requests-equal-limits. kube-score also reports a limit without a
    request, which Kubernetes fills in with the limit.
    """
    max_ratio = Decimal(str(_number(ctx.options.get("max-ratio"), 2)))
    only = ctx.options.get("resources")
    names = {n for n in only if isinstance(n, str)} if isinstance(only, list) else None
    for c in _sized(res):
        resources = as_dict(c.spec.get("resources"))
        requests = as_dict(resources.get("requests"))
        for name, limit_value in as_dict(resources.get("limits")).items():
            if names is not None and name not in names:
                continue
            limit, request = parse_quantity(limit_value), parse_quantity(requests.get(name))
            if not (limit and request and limit > 0 and request > 0):
                continue
            ratio = limit / request
            if ratio > max_ratio:
                yield Finding(
                    (*c.path, "resources", "limits", name),
                    f"container {c.name!r} has {_a(_label(str(name), 'limits'))} of "
                    f"{_amount(limit_value)}, {float(ratio):.3g} times its request "
                    f"{_amount(requests.get(name))} (max-ratio {float(max_ratio):g})")


_QUANTITY = {"type": ["string", "number"], "pattern": QUANTITY_PATTERN}
_BOUNDS = {
    "type": "object",
    "additionalProperties": {
        "type": "object", "properties": {"min": _QUANTITY, "max": _QUANTITY},
        "additionalProperties": False,
    },
}


@rule(
    id="resource-quantity-out-of-range", category="limits", severity=Severity.WARNING,
    kinds=WORKLOADS, default_enabled=False,
    summary="A container's request or limit is below the configured minimum or above the "
            "configured maximum.",
    rationale="Tiny requests starve a workload and pack nodes too densely; huge ones leave pods "
              "pending or reserve capacity nobody uses. Bounds catch typos such as 500 (cores) "
              "for 500m before the cluster's LimitRange rejects the pod, or where there is none.",
    remediation="Bring the value within the configured bounds, or change the bounds for "
                "workloads that really need more.",
    references=(LIMIT_RANGE_URL, RESOURCES_URL),
    options_schema={
        "type": "object",
        "properties": {
            "requests": {**_BOUNDS, "description": "Bounds per resource name for requests, as "
                                                   "quantities: `{cpu: {min: 50m, max: \"4\"}, "
                                                   "memory: {max: 8Gi}}`."},
            "limits": {**_BOUNDS, "description": "Bounds per resource name for limits, in the "
                                                 "same form."},
        },
        "additionalProperties": False,
    },
    defaults={"requests": {}, "limits": {}},
)
def resource_quantity_out_of_range(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Unset values are the unset-* rules' business and malformed ones invalid-resource-quantity's;
    a malformed bound in the options is ignored."""
    for section in SECTIONS:
        for name, bounds in as_dict(ctx.options.get(section)).items():
            low, high = parse_quantity(dig(bounds, "min")), parse_quantity(dig(bounds, "max"))
            label = _label(str(name), section)
            for c in _sized(res):
                value = dig(c.spec, "resources", section, name)
                quantity = parse_quantity(value)
                if quantity is None:
                    continue
                if low is not None and quantity < low:
                    bound = f"below the minimum {_amount(bounds['min'])}"
                elif high is not None and quantity > high:
                    bound = f"above the maximum {_amount(bounds['max'])}"
                else:
                    continue
                yield Finding((*c.path, "resources", section, name),
                              f"container {c.name!r} has {_a(label)} of {_amount(value)}, {bound}")


RULES: tuple[Rule, ...] = (
    unset_cpu_requests, unset_memory_requests, unset_cpu_limits, unset_memory_limits,
    unset_ephemeral_storage_requests, unset_ephemeral_storage_limits, invalid_resource_quantity,
    excessive_limit_request_ratio, resource_quantity_out_of_range,
)
