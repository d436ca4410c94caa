"""Manifest hygiene: duplicates and invalid names the API server half-accepts, pod settings that
are rarely meant (hostAliases, shared process namespace, interactive containers, DNS ndots), and
organisation policy (required labels and annotations, priority classes)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kubelint.k8s import (
    WORKLOADS,
    Container,
    Resource,
    as_dict,
    as_list,
    containers,
    dig,
    is_int,
    object_label,
    pod_owner,
    pod_spec,
)
from kubelint.model import Finding, Severity, YamlPath
from kubelint.rule import Context, rule

HYGIENE = "hygiene"

ENV_URL = ("https://kubernetes.io/docs/tasks/inject-data-application/"
           "define-environment-variable-container/")
ENV_NAMES_KEP_URL = "https://github.com/kubernetes/enhancements/issues/4369"
PORTS_URL = "https://kubernetes.io/docs/concepts/services-networking/connect-applications-service/"
LABELS_URL = "https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/"
ANNOTATIONS_URL = "https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/"
DNS_URL = "https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-dns-config"
HOST_ALIASES_URL = ("https://kubernetes.io/docs/tasks/network/"
                    "customize-hosts-file-for-pods/")
PRIORITY_URL = "https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/"
RESTART_POLICY_URL = ("https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/"
                      "#restart-policy")
JOB_URL = "https://kubernetes.io/docs/concepts/workloads/controllers/job/"
SHARE_PROCESS_URL = ("https://kubernetes.io/docs/tasks/configure-pod-container/"
                     "share-process-namespace/")
CONTAINER_API_URL = ("https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/"
                     "pod-v1/#Container")


# --- duplicates -----------------------------------------------------------------------------


@rule(
    id="duplicate-env-var", category=HYGIENE, severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A container's env list sets the same variable twice.",
    rationale="The API server accepts it and the last entry silently wins, so the first one is "
              "dead configuration that a reader will take for the real value.",
    remediation="Remove all but one entry for the variable.",
    references=(ENV_URL,),
    equivalents={"kube-linter": "duplicate-env-var",
                 "kube-score": "environment-variable-key-duplication"},
)
def duplicate_env_var(res: Resource, ctx: Context) -> Iterator[Finding]:
    for c in containers(res):
        first: dict[str, int] = {}
        for i, item in enumerate(as_list(c.spec.get("env"))):
            name = as_dict(item).get("name")
            if not isinstance(name, str):
                continue
            if name in first:
                yield Finding((*c.path, "env", i),
                              f"env var {name!r} in container {c.name!r} is already set by "
                              f"env[{first[name]}]; the last one wins")
            else:
                first[name] = i


@rule(
    id="duplicate-container-name", category=HYGIENE, severity=Severity.ERROR, kinds=WORKLOADS,
    summary="Two containers of one pod share a name.",
    rationale="Container names must be unique across init, regular and ephemeral containers; "
              "the API server rejects the pod (for a Deployment, only when its ReplicaSet "
              "tries to create pods, so the rollout silently stalls).",
    remediation="Give every container in the pod a distinct name.",
    references=(CONTAINER_API_URL,),
)
def duplicate_container_name(res: Resource, ctx: Context) -> Iterator[Finding]:
    seen: dict[str, Container] = {}
    for c in containers(res):
        name = c.spec.get("name")
        if not isinstance(name, str):
            continue
        if name in seen:
            yield Finding((*c.path, "name"), f"container name {name!r} is already used by "
                                             f"{_where(seen[name])}")
        else:
            seen[name] = c


def _where(c: Container) -> str:
    return f"{c.list_name}[{c.path[-1]}]"


def _running_together(c: Container) -> bool:
    """Regular containers and sidecars (init containers with restartPolicy: Always)."""
    return c.list_name == "containers" or (c.list_name == "initContainers"
                                           and c.spec.get("restartPolicy") == "Always")


@rule(
    id="duplicate-container-port", category=HYGIENE, severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A pod declares the same container port and protocol twice.",
    rationale="Containers of a pod share one network namespace, so two of them cannot listen "
              "on the same port: one fails to bind. Within one container a repeated port is "
              "dead configuration that Services and probes may resolve ambiguously.",
    remediation="Remove the repeated port, or move one of the listeners to another port.",
    references=(PORTS_URL,),
)
def duplicate_container_port(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Compares regular containers and sidecar init containers (restartPolicy: Always), which
    run at the same time; other init containers run alone. Protocol defaults to TCP. Within one
    container, differently named entries for one port are aliases a Service can target by name
    (a TLS-terminating load balancer sending `https` to port 80) and pass."""
    seen: dict[tuple[int, Any], tuple[Container, Any]] = {}
    for c in containers(res):
        if not _running_together(c):
            continue
        for i, port in enumerate(as_list(c.spec.get("ports"))):
            number, name = as_dict(port).get("containerPort"), as_dict(port).get("name")
            if not is_int(number):
                continue
            protocol = as_dict(port).get("protocol") or "TCP"
            key = (number, protocol)
            if key not in seen:
                seen[key] = (c, name)
                continue
            other, other_name = seen[key]
            if other is c and name and other_name and name != other_name:
                continue
            again = " twice" if other is c else f", already declared by container {other.name!r}"
            yield Finding((*c.path, "ports", i),
                          f"container {c.name!r} declares port {number}/{protocol}{again}")


# --- names ----------------------------------------------------------------------------------

_PORTABLE_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")


def _env_name_problem(name: str) -> str | None:
    if not name:
        return "is empty"
    if "=" in name or any(not " " <= ch <= "~" for ch in name):
        return "is rejected by Kubernetes (only printable ASCII without '=' is allowed)"
    if not _PORTABLE_ENV_NAME.match(name):
        return ("is rejected by Kubernetes before 1.32 (letters, digits, '_', '-' and '.', not "
                "starting with a digit)")
    return None


def _env_names(c: Container) -> Iterator[tuple[YamlPath, str, str]]:
    """(path, kind of name, name) for every env name and envFrom prefix of a container."""
    for i, item in enumerate(as_list(c.spec.get("env"))):
        name = as_dict(item).get("name")
        if isinstance(name, str):
            yield (*c.path, "env", i, "name"), "env var name", name
    for i, item in enumerate(as_list(c.spec.get("envFrom"))):
        prefix = as_dict(item).get("prefix")
        if isinstance(prefix, str) and prefix:
            yield (*c.path, "envFrom", i, "prefix"), "envFrom prefix", prefix


@rule(
    id="invalid-env-var-name", category=HYGIENE, severity=Severity.WARNING, kinds=WORKLOADS,
    summary="An env var name or envFrom prefix is not a valid environment variable name.",
    rationale="Kubernetes rejects names with '=' or non-printable characters, and clusters "
              "before 1.32 (without the RelaxedEnvironmentVariableValidation feature) also "
              "reject names that start with a digit or hold characters other than letters, "
              "digits, '_', '-' and '.'. Even where accepted, such names cannot be read from "
              "a shell.",
    remediation="Rename the variable to letters, digits and underscores, starting with a letter "
                "or underscore.",
    references=(ENV_URL, ENV_NAMES_KEP_URL),
)
def invalid_env_var_name(res: Resource, ctx: Context) -> Iterator[Finding]:
    for c in containers(res):
        for path, what, name in _env_names(c):
            problem = _env_name_problem(name)
            if problem is not None:
                yield Finding(path, f"{what} {name!r} in container {c.name!r} {problem}")


# --- organisation policy --------------------------------------------------------------------


def _missing_metadata(res: Resource, field: str, required: Any) -> Iterator[Finding]:
    """One finding listing the required `metadata.<field>` keys that are absent or empty."""
    present = as_dict(res.metadata.get(field))
    missing = [k for k in as_list(required) if isinstance(k, str)
               and (present.get(k) is None or present.get(k) == "")]
    if missing:
        noun = field[:-1] if len(missing) == 1 else field
        keys = ", ".join(repr(k) for k in missing)
        yield Finding(("metadata", field), f"required {noun} {keys} missing on {object_label(res)}")


def _keys_schema(name: str, description: str) -> dict:
    return {"type": "object", "additionalProperties": False,
            "properties": {name: {"type": "array", "items": {"type": "string"},
                                  "uniqueItems": True, "description": description}}}


@rule(
    id="missing-required-labels", category=HYGIENE, severity=Severity.WARNING,
    default_enabled=False,
    summary="An object lacks labels the configuration requires (by default "
            "app.kubernetes.io/name and app.kubernetes.io/instance).",
    rationale="Tools and people find, group and select objects by labels: dashboards, cost "
              "reports, `kubectl get -l` and policies all miss an object without them.",
    remediation="Add the missing labels to the object's metadata.labels.",
    references=(LABELS_URL,),
    options_schema=_keys_schema("labels", "Label keys every object must carry, with a "
                                          "non-empty value."),
    defaults={"labels": ["app.kubernetes.io/name", "app.kubernetes.io/instance"]},
)
def missing_required_labels(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Checks every kind. kube-linter's required-label-owner is this rule with
    labels: [owner]."""
    yield from _missing_metadata(res, "labels", ctx.options.get("labels"))


@rule(
    id="missing-required-annotations", category=HYGIENE, severity=Severity.WARNING,
    default_enabled=False,
    summary="An object lacks annotations the configuration requires (none by default).",
    rationale="Annotations such as an owner, a team contact or a runbook link tell on-call "
              "engineers whom to ask; a policy only helps if every object follows it.",
    remediation="Add the missing annotations to the object's metadata.annotations.",
    references=(ANNOTATIONS_URL,),
    options_schema=_keys_schema("annotations", "Annotation keys every object must carry, with "
                                                "a non-empty value."),
    defaults={"annotations": []},
)
def missing_required_annotations(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Checks every kind for keys only; kube-linter's required-annotation-email also checks
    the value's shape."""
    yield from _missing_metadata(res, "annotations", ctx.options.get("annotations"))


@rule(
    id="unset-priority-class", category=HYGIENE, severity=Severity.WARNING, kinds=WORKLOADS,
    default_enabled=False,
    summary="A pod spec sets no priorityClassName.",
    rationale="Pods without a priority class get the cluster's default priority (often 0), so "
              "under resource pressure the scheduler may preempt them for, or fail to preempt "
              "in favour of, less important workloads.",
    remediation="Set priorityClassName to a PriorityClass that reflects the workload's "
                "importance.",
    references=(PRIORITY_URL,),
    equivalents={"polaris": "priorityClassNotSet"},
)
def unset_priority_class(res: Resource, ctx: Context) -> Iterator[Finding]:
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    if spec.get("priorityClassName") in (None, ""):
        yield Finding((*path, "priorityClassName"), f"{pod_owner(res)} sets no priorityClassName")


# --- pod settings ---------------------------------------------------------------------------


def _max_ndots(ctx: Context) -> int:
    value = ctx.options.get("max_ndots")
    return value if is_int(value) and value >= 0 else 2


def _ndots(value: Any) -> int | None:
    text = str(value).strip() if is_int(value) or isinstance(value, str) else ""
    return int(text) if text.isdigit() else None


@rule(
    id="excessive-dns-ndots", category=HYGIENE, severity=Severity.INFO, kinds=WORKLOADS,
    default_enabled=False,
    summary="A pod resolves names with an ndots above the configured maximum (2), including "
            "the cluster default of 5.",
    rationale="With ndots:5, any name with fewer than five dots (api.example.com) is first "
              "tried against every cluster search domain, so each external lookup costs four "
              "or more extra DNS queries, loading CoreDNS and adding latency.",
    remediation="Add dnsConfig.options with name: ndots and a small value such as \"2\" (or use "
                "fully qualified names ending in a dot).",
    references=(DNS_URL,),
    equivalents={"kube-linter": "dnsconfig-options"},
    options_schema={"type": "object", "additionalProperties": False,
                    "properties": {"max_ndots": {"type": "integer", "minimum": 0,
                                                 "description": "The largest ndots that "
                                                                "passes."}}},
    defaults={"max_ndots": 2},
)
def excessive_dns_ndots(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Pods whose resolv.conf does not come from the cluster pass: dnsPolicy Default, and
    hostNetwork pods without ClusterFirstWithHostNet. With dnsPolicy None and no ndots option the
    resolver default (1) applies. The last ndots option wins, as in resolv.conf.

    kube-linter's dnsconfig-options requires the option ndots with the exact value "2";
    kubelint accepts any value up to max_ndots.
    """
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    policy = spec.get("dnsPolicy")
    if policy == "Default" or (spec.get("hostNetwork") is True
                               and policy != "ClusterFirstWithHostNet" and policy != "None"):
        return
    limit = _max_ndots(ctx)
    options_path = (*path, "dnsConfig", "options")
    last: tuple[int, dict] | None = None
    for i, option in enumerate(as_list(dig(spec, "dnsConfig", "options"))):
        if isinstance(option, dict) and option.get("name") == "ndots":
            last = (i, option)
    if last is None:
        if policy != "None" and 5 > limit:
            yield Finding(options_path, f"{pod_owner(res)} sets no ndots option, so it resolves "
                                        "names with the cluster default ndots:5")
        return
    i, option = last
    ndots = _ndots(option.get("value"))
    if ndots is not None and ndots > limit:
        yield Finding((*options_path, i, "value"),
                      f"{pod_owner(res)} resolves names with ndots:{ndots}, above {limit}")


@rule(
    id="host-aliases", category=HYGIENE, severity=Severity.INFO, kinds=WORKLOADS,
    summary="A pod spec pins host names to IP addresses with hostAliases.",
    rationale="hostAliases writes fixed entries into the pod's /etc/hosts, bypassing DNS: when "
              "the address changes the pod keeps using the old one until the manifest is "
              "edited and redeployed.",
    remediation="Resolve the name through DNS instead: a Service (ExternalName, or one without "
                "a selector plus an EndpointSlice) or a DNS record.",
    references=(HOST_ALIASES_URL,),
    equivalents={"trivy": "KSV-0007"},
)
def host_aliases(res: Resource, ctx: Context) -> Iterator[Finding]:
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    aliases = as_list(spec.get("hostAliases"))
    if aliases:
        count = len(aliases)
        yield Finding((*path, "hostAliases"),
                      f"{pod_owner(res)} pins {count} host {'entry' if count == 1 else 'entries'} "
                      "to fixed addresses with hostAliases")


_RESTART_POLICIES = {
    "Job": ("OnFailure", "Never"),
    "CronJob": ("OnFailure", "Never"),
    "Pod": ("Always", "OnFailure", "Never"),
    "PodTemplate": ("Always", "OnFailure", "Never"),
}
"""Allowed pod restartPolicy values per kind; every other workload kind allows only Always."""


@rule(
    id="invalid-restart-policy", category=HYGIENE, severity=Severity.ERROR, kinds=WORKLOADS,
    summary="A pod template's restartPolicy is not one its kind accepts (Jobs: OnFailure or "
            "Never; Deployments and other controllers: Always).",
    rationale="The API server rejects the object: a Job or CronJob must say OnFailure or Never "
              "(unset means Always, which is refused), and long-running controllers only "
              "accept Always.",
    remediation="Set restartPolicy to a value the kind accepts: OnFailure or Never for Jobs and "
                "CronJobs, Always (or nothing) for other controllers.",
    references=(RESTART_POLICY_URL, JOB_URL),
    equivalents={"kube-score": "cronjob-restartpolicy"},
)
def invalid_restart_policy(res: Resource, ctx: Context) -> Iterator[Finding]:
    """kube-linter's restart-policy is a different check: it asks for Always or OnFailure
    everywhere, flagging Jobs that validly say Never."""
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    allowed = _RESTART_POLICIES.get(res.kind, ("Always",))
    value = spec.get("restartPolicy")
    choices = " or ".join((", ".join(allowed[:-1]), allowed[-1])) if len(allowed) > 1 \
        else allowed[0]
    if value is None:
        if "Always" not in allowed:
            yield Finding((*path, "restartPolicy"),
                          f"{pod_owner(res)} sets no restartPolicy; a {res.kind} needs {choices}")
    elif value not in allowed:
        yield Finding((*path, "restartPolicy"),
                      f"{pod_owner(res)} sets restartPolicy {value!r}; a {res.kind} accepts only "
                      f"{choices}")


@rule(
    id="shared-process-namespace", category=HYGIENE, severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A pod shares one process namespace between its containers.",
    rationale="Every container then sees and can signal the others' processes and read their "
              "filesystems and environment through /proc/<pid>/root and /proc/<pid>/environ, "
              "so a compromised sidecar reaches the main container's secrets.",
    remediation="Remove shareProcessNamespace, or set it to false, unless a container really "
                "must see the others' processes.",
    references=(SHARE_PROCESS_URL,),
)
def shared_process_namespace(res: Resource, ctx: Context) -> Iterator[Finding]:
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    if spec.get("shareProcessNamespace") is True:
        yield Finding((*path, "shareProcessNamespace"),
                      f"{pod_owner(res)} shares one process namespace between its containers")


@rule(
    id="interactive-container", category=HYGIENE, severity=Severity.INFO, kinds=WORKLOADS,
    summary="A container keeps stdin open or allocates a TTY.",
    rationale="stdin and tty are for interactive sessions; in a deployed workload they keep "
              "buffers and an attachable terminal open for no reader, and usually mean a "
              "debugging setting was left in.",
    remediation="Remove stdin and tty from the container, or set them to false.",
    references=(CONTAINER_API_URL,),
)
def interactive_container(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Ephemeral (debug) containers are interactive by design and are not checked."""
    for c in containers(res):
        if c.list_name == "ephemeralContainers":
            continue
        stdin, tty = c.spec.get("stdin") is True, c.spec.get("tty") is True
        if not (stdin or tty):
            continue
        what = " and ".join(w for w, on in (("keeps stdin open", stdin),
                                           ("allocates a TTY", tty)) if on)
        yield Finding((*c.path, "stdin" if stdin else "tty"), f"container {c.name!r} {what}")


RULES = (
    duplicate_env_var, duplicate_container_name, duplicate_container_port, invalid_env_var_name,
    missing_required_labels, missing_required_annotations, unset_priority_class,
    excessive_dns_ndots, host_aliases, invalid_restart_policy, shared_process_namespace,
    interactive_container,
)
