"""Container probe rules: missing probes, liveness repeating readiness, undeclared probe ports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubelint.k8s import (WORKLOADS, Container, Resource, as_dict, as_list, containers, dig, is_int,
                          pod_spec)
from kubelint.model import Finding, Severity
from kubelint.rule import Context, rule

PROBES_URL = ("https://kubernetes.io/docs/tasks/configure-pod-container/"
              "configure-liveness-readiness-startup-probes/")
PROBE_CONCEPTS_URL = ("https://kubernetes.io/docs/concepts/configuration/"
                      "liveness-readiness-startup-probes/")
CONTAINER_PROBES_URL = ("https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/"
                        "#container-probes")

PROBES = {"livenessProbe": "liveness", "readinessProbe": "readiness", "startupProbe": "startup"}
HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
PORT_HANDLERS = ("httpGet", "tcpSocket", "grpc")  # all connect over TCP


def _runs_to_completion(res: Resource) -> bool:
    """Jobs, CronJobs and pods whose restartPolicy is Never or OnFailure finish by design."""
    if res.kind in ("Job", "CronJob"):
        return True
    found = pod_spec(res)
    return found is not None and found[1].get("restartPolicy") in ("Never", "OnFailure")


def _serving(res: Resource) -> Iterator[Container]:
    """The regular containers of a long-running pod: those the missing-probe rules check.

    Init containers (sidecars included, as kube-linter, checkov and polaris do) and ephemeral
    containers are left out.
    """
    if not _runs_to_completion(res):
        yield from (c for c in containers(res) if c.list_name == "containers")


def _probed(res: Resource) -> Iterator[Container]:
    """Containers that may carry probes: regular ones and sidecars (restartPolicy: Always)."""
    for c in containers(res):
        if c.list_name == "containers" or (c.list_name == "initContainers"
                                           and c.spec.get("restartPolicy") == "Always"):
            yield c


def _missing(res: Resource, key: str) -> Iterator[Finding]:
    for c in _serving(res):
        if not isinstance(c.spec.get(key), dict):
            yield Finding((*c.path, key), f"container {c.name!r} has no {PROBES[key]} probe")


@rule(
    id="missing-readiness-probe", category="probes", severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A long-running container has no readiness probe.",
    rationale="Without a readiness probe a pod counts as ready as soon as its containers start: "
              "Services send it traffic before the application listens, and a rolling update "
              "replaces working pods with broken ones without noticing.",
    remediation="Add a readinessProbe that checks the container can serve requests.",
    references=(PROBES_URL, PROBE_CONCEPTS_URL),
    equivalents={"kube-linter": "no-readiness-probe", "checkov": "CKV_K8S_9",
                 "polaris": "readinessProbeMissing", "kubescape": "C-0018"},
)
def missing_readiness_probe(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Jobs, CronJobs and pods with restartPolicy Never or OnFailure are skipped (kube-linter
    checks them). Unlike kube-score's pod-probes, a pod no Service selects is checked too:
    readiness also gates rollouts."""
    return _missing(res, "readinessProbe")


@rule(
    id="missing-liveness-probe", category="probes", severity=Severity.WARNING, kinds=WORKLOADS,
    default_enabled=False,
    summary="A long-running container has no liveness probe.",
    rationale="A process that deadlocks or hangs without exiting keeps running, and serving "
              "nothing, until someone restarts it; a liveness probe lets the kubelet do so. It is "
              "opt-in because a careless liveness probe does harm: one that fails under load "
              "restarts healthy containers and turns a slowdown into an outage.",
    remediation="Add a livenessProbe that fails only when the process cannot recover by itself.",
    references=(PROBES_URL, PROBE_CONCEPTS_URL),
    equivalents={"kube-linter": "no-liveness-probe", "checkov": "CKV_K8S_8",
                 "polaris": "livenessProbeMissing", "kubescape": "C-0056"},
)
def missing_liveness_probe(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Skips run-to-completion pods, as missing-readiness-probe does (kube-linter checks them)."""
    return _missing(res, "livenessProbe")


@rule(
    id="missing-startup-probe", category="probes", severity=Severity.INFO, kinds=WORKLOADS,
    default_enabled=False,
    summary="A container with a liveness probe has no startup probe.",
    rationale="The liveness probe runs from the start, so a slow start (cold caches, migrations, "
              "a busy node) gets the container killed and restarted in a loop, or forces an "
              "initialDelaySeconds that also delays catching real hangs. A startup probe holds "
              "the liveness probe off until the application is up.",
    remediation="Add a startupProbe, usually the liveness check with a failureThreshold times "
                "periodSeconds that covers the slowest start.",
    references=(PROBES_URL, PROBE_CONCEPTS_URL),
)
def missing_startup_probe(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Only containers with a liveness probe: without one a startup probe protects nothing."""
    for c in _serving(res):
        if isinstance(c.spec.get("livenessProbe"), dict) and \
                not isinstance(c.spec.get("startupProbe"), dict):
            yield Finding((*c.path, "startupProbe"),
                          f"container {c.name!r} has a liveness probe but no startup probe")


def _ports(c: Container, *, tcp_only: bool) -> tuple[set[int], dict[str, int | None]]:
    """The container's port numbers, and port name -> number (TCP ports only if asked)."""
    numbers: set[int] = set()
    names: dict[str, int | None] = {}
    for port in map(as_dict, as_list(c.spec.get("ports"))):
        if tcp_only and port.get("protocol", "TCP") != "TCP":
            continue
        number = port.get("containerPort")
        number = number if is_int(number) else None
        if number is not None:
            numbers.add(number)
        if isinstance(port.get("name"), str):
            names[port["name"]] = number
    return numbers, names


def _check(probe: Any, c: Container) -> tuple[str, dict] | None:
    """What a probe runs, canonically: named ports resolved, HTTP defaults filled in."""
    for handler in HANDLERS:
        spec = dig(probe, handler)
        if not isinstance(spec, dict):
            continue
        spec = dict(spec)
        port = spec.get("port")
        if isinstance(port, str):
            spec["port"] = _ports(c, tcp_only=False)[1].get(port) or port
        if handler == "httpGet":
            spec["path"] = spec.get("path") or "/"
            spec["scheme"] = str(spec.get("scheme") or "HTTP").upper()
        return handler, spec
    return None


def _failure_window(probe: dict) -> int:
    """Seconds of consecutive failures before the probe fails (periodSeconds x failureThreshold)."""
    period, threshold = probe.get("periodSeconds"), probe.get("failureThreshold")
    period = period if is_int(period) and period > 0 else 10
    threshold = threshold if is_int(threshold) and threshold > 0 else 3
    return period * threshold


@rule(
    id="identical-probes", category="probes", severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A container's liveness probe runs the same check as its readiness probe and gives "
            "up no later.",
    rationale="Readiness failing means \"send no traffic for now\"; liveness failing means "
              "\"restart me\". When both run the same check on the same schedule, a container "
              "that is only overloaded is restarted instead of rested, which spreads the load to "
              "the other replicas and can restart them all.",
    remediation="Give the liveness probe a cheaper check that fails only when the process is "
                "stuck, or at least a higher failureThreshold than the readiness probe.",
    references=(PROBE_CONCEPTS_URL, PROBES_URL),
    equivalents={"kube-score": "pod-probes-identical"},
    options_schema={"type": "object", "additionalProperties": False,
                    "properties": {"ignore_timing": {
                        "type": "boolean",
                        "description": "Flag a liveness probe that runs the readiness check "
                                       "even when it gives up later."}}},
    defaults={"ignore_timing": False},
)
def identical_probes(res: Resource, ctx: Context) -> Iterator[Finding]:
    """The Kubernetes docs recommend the same endpoint with a higher failureThreshold for
    liveness; that passes here unless ignore_timing is true, which is kube-score's
    pod-probes-identical (kube-score compares an HTTP check's path and port only, kubelint the
    whole handler)."""
    ignore_timing = ctx.options.get("ignore_timing") is True
    for c in _probed(res):
        liveness, readiness = c.spec.get("livenessProbe"), c.spec.get("readinessProbe")
        if not (isinstance(liveness, dict) and isinstance(readiness, dict)):
            continue
        check = _check(liveness, c)
        if check is None or check != _check(readiness, c):
            continue
        live, ready = _failure_window(liveness), _failure_window(readiness)
        if live == ready:
            yield Finding((*c.path, "livenessProbe"), f"container {c.name!r} has a liveness "
                                                      f"probe identical to its readiness probe")
        elif live < ready:
            yield Finding((*c.path, "livenessProbe"),
                          f"container {c.name!r} has a liveness probe that runs its readiness "
                          f"check but fails sooner (after {live}s instead of {ready}s)")
        elif ignore_timing:
            yield Finding((*c.path, "livenessProbe"),
                          f"container {c.name!r} has a liveness probe that runs its readiness "
                          f"check (failing after {live}s instead of {ready}s)")


@rule(
    id="undeclared-probe-port", category="probes", severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A probe targets a port that its container does not declare as a TCP port.",
    rationale="A probe on a port name the container does not declare can never succeed: the "
              "kubelet finds no port, so the container is restarted in a loop (liveness) or "
              "never becomes ready (readiness). A port number the container does not declare "
              "is usually a typo or a port changed in one place only.",
    remediation="Point the probe at one of the container's ports, or declare the port under "
                "the container's ports with protocol TCP.",
    references=(PROBES_URL, CONTAINER_PROBES_URL),
    equivalents={"kube-linter": ("liveness-port", "readiness-port", "startup-port")},
)
def undeclared_probe_port(res: Resource, ctx: Context) -> Iterator[Finding]:
    """httpGet, tcpSocket and grpc probes; kube-linter splits the rule by probe type, and does not
    check sidecar (restartPolicy: Always) init containers."""
    for c in _probed(res):
        numbers, names = _ports(c, tcp_only=True)
        for key, what in PROBES.items():
            for handler in PORT_HANDLERS:
                port = dig(c.spec, key, handler, "port")
                where = (*c.path, key, handler, "port")
                if is_int(port) and port not in numbers:
                    yield Finding(where, f"container {c.name!r} has a {what} probe on port "
                                         f"{port}, which it does not declare")
                elif isinstance(port, str) and port not in names:
                    yield Finding(where, f"container {c.name!r} has a {what} probe on port "
                                         f"{port!r}, which names none of its TCP ports")


RULES = (missing_readiness_probe, missing_liveness_probe, missing_startup_probe, identical_probes,
         undeclared_probe_port)
