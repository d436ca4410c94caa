"""Manifest hygiene: duplicates and invalid names the API server half-accepts, pod settings that
are rarely meant (hostAliases, shared process namespace, interactive containers, DNS ndots), and
organisation policy (required labels and annotations, priority classes)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from kubelint.k8s import (WORKLOADS, Container, Resource, as_dict, as_list, containers, dig,
                          is_int, object_label, pod_owner, pod_spec)
from kubelint.model import Finding, Severity, YamlPath
from kubelint.rule import Context, rule
from kubelint.rules import retired

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
NODE_AFFINITY_URL = ("https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/"
                     "#node-affinity")
SECURITY_CONTEXT_URL = ("https://kubernetes.io/docs/tasks/configure-pod-container/"
                        "security-context/")
YAMLLINT_KEY_ORDERING_URL = ("https://yamllint.readthedocs.io/en/stable/rules.html"
                             "#module-yamllint.rules.key_ordering")
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


def _checked_kind(res: Resource, ctx: Context) -> bool:
    kinds = ctx.options.get("kinds")
    return not isinstance(kinds, list) or not kinds or res.kind in kinds


def _missing_metadata(res: Resource, field: str, required: Any) -> Iterator[Finding]:
    """One finding listing the required `metadata.<field>` keys that are absent or empty."""
    present = as_dict(res.metadata.get(field))
    missing = [k for k in as_list(required) if isinstance(k, str)
               and (present.get(k) is None or present.get(k) == "")]
    if missing:
        noun = field[:-1] if len(missing) == 1 else field
        keys = ", ".join(repr(k) for k in missing)
        yield Finding(("metadata", field), f"required {noun} {keys} missing on {object_label(res)}")


def _mismatched_values(res: Resource, field: str, patterns: Any) -> Iterator[Finding]:
    """A finding for each present `metadata.<field>` value that does not match its pattern."""
    present = as_dict(res.metadata.get(field))
    for key, pattern in as_dict(patterns).items():
        value = present.get(key)
        if value is None or value == "" or not isinstance(pattern, str):
            continue
        try:
            ok = re.fullmatch(pattern, str(value)) is not None
        except re.error:
            continue  # the configuration schema cannot check a pattern; a bad one checks nothing
        if not ok:
            yield Finding(("metadata", field, key),
                          f"{field[:-1]} {key!r} of {object_label(res)} is {str(value)!r}, which "
                          f"does not match {pattern!r}")


_KINDS_OPTION = {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
                 "description": "The kinds to check; every kind when unset or empty."}
_PATTERNS_OPTION = {"type": "object", "additionalProperties": {"type": "string",
                                                               "format": "regex"},
                    "description": "Regular expressions that the values of these keys must "
                                   "match in full, when present."}


def _keys_schema(name: str, description: str) -> dict:
    return {"type": "object", "additionalProperties": False,
            "properties": {name: {"type": "array", "items": {"type": "string"},
                                  "uniqueItems": True, "description": description},
                           "kinds": _KINDS_OPTION, "patterns": _PATTERNS_OPTION}}


@rule(
    id="missing-required-labels", category=HYGIENE, severity=Severity.WARNING,
    default_enabled=False,
    summary="An object lacks labels the configuration requires (by default "
            "app.kubernetes.io/name and app.kubernetes.io/instance), or a label value does not "
            "match its configured pattern.",
    rationale="Tools and people find, group and select objects by labels: dashboards, cost "
              "reports, `kubectl get -l` and policies all miss an object without them.",
    remediation="Add the missing labels to the object's metadata.labels, with values of the "
                "required form.",
    references=(LABELS_URL,),
    equivalents={"kube-linter": "required-label-owner"},
    options_schema=_keys_schema("labels", "Label keys every object must carry, with a "
                                          "non-empty value."),
    defaults={"labels": ["app.kubernetes.io/name", "app.kubernetes.io/instance"]},
)
def missing_required_labels(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Checks every kind unless `kinds` narrows it. kube-linter's required-label-owner is this
    rule with labels: [owner] and kinds limited to its workload kinds."""
    if _checked_kind(res, ctx):
        yield from _missing_metadata(res, "labels", ctx.options.get("labels"))
        yield from _mismatched_values(res, "labels", ctx.options.get("patterns"))


@rule(
    id="missing-required-annotations", category=HYGIENE, severity=Severity.WARNING,
    default_enabled=False,
    summary="An object lacks annotations the configuration requires (none by default), or an "
            "annotation value does not match its configured pattern.",
    rationale="Annotations such as an owner, a team contact or a runbook link tell on-call "
              "engineers whom to ask; a policy only helps if every object follows it.",
    remediation="Add the missing annotations to the object's metadata.annotations, with values "
                "of the required form.",
    references=(ANNOTATIONS_URL,),
    equivalents={"kube-linter": "required-annotation-email"},
    options_schema=_keys_schema("annotations", "Annotation keys every object must carry, with "
                                                "a non-empty value."),
    defaults={"annotations": []},
)
def missing_required_annotations(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Checks every kind unless `kinds` narrows it. kube-linter's required-annotation-email is
    this rule with annotations: [email], a `patterns` entry for email and its workload kinds."""
    if _checked_kind(res, ctx):
        yield from _missing_metadata(res, "annotations", ctx.options.get("annotations"))
        yield from _mismatched_values(res, "annotations", ctx.options.get("patterns"))


INSTANCE_LABEL = "app.kubernetes.io/instance"


@rule(
    id="mismatched-instance-label", category=HYGIENE, severity=Severity.INFO,
    kinds=WORKLOADS, default_enabled=False,
    summary=f"A workload's {INSTANCE_LABEL} label is missing or differs from its name.",
    rationale="Where a convention says that each workload is one instance named after itself, "
              "tools that group objects by instance (dashboards, cost reports, `kubectl get -l`) "
              "attribute a workload with a missing or different instance label to the wrong "
              "application. Helm sets the label to the release name, which this convention "
              "does not fit.",
    remediation=f"Set metadata.labels[{INSTANCE_LABEL}] to the workload's metadata.name.",
    references=(LABELS_URL,),
    equivalents={"polaris": "metadataAndInstanceMismatched"},
)
def mismatched_instance_label(res: Resource, ctx: Context) -> Iterator[Finding]:
    if res.name is None:
        return
    value = res.labels.get(INSTANCE_LABEL)
    if value is None:
        where = ("metadata", "labels") if res.labels else ("metadata", "name")
        yield Finding(where, f"{res.kind} {res.name!r} has no {INSTANCE_LABEL} label")
    elif value != res.name:
        yield Finding(("metadata", "labels", INSTANCE_LABEL),
                      f"{INSTANCE_LABEL} {value!r} of {res.kind} {res.name!r} differs from its "
                      f"name")


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


_SYSTEM_PRIORITY_CLASSES = ["system-cluster-critical", "system-node-critical"]


@rule(
    id="disallowed-priority-class", category=HYGIENE, severity=Severity.WARNING,
    kinds=WORKLOADS, default_enabled=False,
    summary="A pod spec names a priorityClassName that is not in the configured allow-list "
            "(by default system-cluster-critical and system-node-critical).",
    rationale="Priority decides who is preempted when the cluster is full: a workload that "
              "picks a class above its importance evicts others, and a class that does not "
              "exist keeps its pods from being created. An allow-list keeps the choice to the "
              "classes the cluster defines for such workloads.",
    remediation="Use one of the allowed priority classes, or add the class to the rule's "
                "`allowed` option.",
    references=(PRIORITY_URL,),
    equivalents={"kube-linter": "priority-class-name"},
    options_schema={"type": "object", "additionalProperties": False,
                    "properties": {"allowed": {
                        "type": "array", "items": {"type": "string"}, "uniqueItems": True,
                        "description": "Priority class names pods may use."}}},
    defaults={"allowed": _SYSTEM_PRIORITY_CLASSES},
)
def disallowed_priority_class(res: Resource, ctx: Context) -> Iterator[Finding]:
    """An unset or empty priorityClassName passes (unset-priority-class asks for one)."""
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    name = spec.get("priorityClassName")
    allowed = [a for a in as_list(ctx.options.get("allowed")) if isinstance(a, str)]
    if isinstance(name, str) and name and name not in allowed:
        listed = ", ".join(allowed) if allowed else "none"
        yield Finding((*path, "priorityClassName"),
                      f"{pod_owner(res)} uses priority class {name!r}, not one of the allowed "
                      f"({listed})")


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



@rule(
    id="missing-node-affinity", category=HYGIENE, severity=Severity.INFO, kinds=WORKLOADS,
    default_enabled=False,
    summary="A pod spec sets neither node affinity nor a nodeSelector.",
    rationale="In clusters with node pools for different purposes (system, GPU, spot, "
              "tenant), a pod without node placement may land on any of them: on nodes it "
              "cannot use, that are about to disappear, or that belong to someone else.",
    remediation="Add affinity.nodeAffinity (or a nodeSelector) that selects the nodes the "
                "workload is meant to run on.",
    references=(NODE_AFFINITY_URL,),
    equivalents={"kube-linter": "no-node-affinity"},
)
def missing_node_affinity(res: Resource, ctx: Context) -> Iterator[Finding]:
    """kube-linter's no-node-affinity wants affinity.nodeAffinity; kubelint also accepts a
    non-empty nodeSelector, the simpler way to say the same."""
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    if dig(spec, "affinity", "nodeAffinity") is not None or as_dict(spec.get("nodeSelector")):
        return
    yield Finding((*path, "affinity"), f"{pod_owner(res)} sets no node affinity or nodeSelector")


@rule(
    id="privileged-port", category=HYGIENE, severity=Severity.INFO, kinds=WORKLOADS,
    default_enabled=False,
    summary="A container declares a containerPort below 1024.",
    rationale="Binding a port below 1024 needs root or the NET_BIND_SERVICE capability (unless "
              "the node lowers net.ipv4.ip_unprivileged_port_start), so such a port usually "
              "means a container that keeps privileges only to listen. Inside a pod any port "
              "will do: a Service can still expose it as 80 or 443.",
    remediation="Listen on a port of 1024 or above and map it with the Service's port and "
                "targetPort.",
    references=(PORTS_URL,),
    equivalents={"kube-linter": "privileged-ports"},
)
def privileged_port(res: Resource, ctx: Context) -> Iterator[Finding]:
    for c in containers(res):
        for i, port in enumerate(as_list(c.spec.get("ports"))):
            number = as_dict(port).get("containerPort")
            if is_int(number) and 0 < number < 1024:
                yield Finding((*c.path, "ports", i, "containerPort"),
                              f"container {c.name!r} declares privileged port {number}")


@rule(
    id="no-restart-on-failure", category=HYGIENE, severity=Severity.INFO, kinds=WORKLOADS,
    default_enabled=False,
    summary="A pod spec does not set restartPolicy to Always or OnFailure (it is unset or "
            "Never).",
    rationale="With Never, a failed container stays failed: a Job's retries then need new "
              "pods and a bare Pod is gone for good. Stating Always or OnFailure makes recovery "
              "from crashes part of the manifest rather than a default.",
    remediation="Set restartPolicy to Always, or OnFailure for Jobs and CronJobs.",
    references=(RESTART_POLICY_URL,),
    equivalents={"kube-linter": "restart-policy"},
)
def no_restart_on_failure(res: Resource, ctx: Context) -> Iterator[Finding]:
    """kube-linter's restart-policy semantics. Values the kind does not accept at all (Always
    in a Job) are invalid-restart-policy's findings."""
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    value = spec.get("restartPolicy")
    if value in ("Always", "OnFailure"):
        return
    what = "sets no restartPolicy" if value is None else f"sets restartPolicy {value!r}"
    if value is not None:
        what += ", so failed containers are not restarted"
    yield Finding((*path, "restartPolicy"), f"{pod_owner(res)} {what}")


# --- explicit security contexts -------------------------------------------------------------


@rule(
    id="missing-pod-security-context", category=HYGIENE, severity=Severity.INFO,
    kinds=WORKLOADS, default_enabled=False,
    summary="A pod spec sets no pod-level securityContext (or an empty one).",
    rationale="Some policies require every pod to state its security settings (user, group, "
              "fsGroup, seccomp profile) rather than inherit the image's and runtime's "
              "defaults. The settings that matter each have their own rule; this one asks for "
              "the block itself.",
    remediation="Add a securityContext to the pod spec with the settings the workload runs "
                "with, such as runAsNonRoot, runAsUser and seccompProfile.",
    references=(SECURITY_CONTEXT_URL,),
    equivalents={"checkov": "CKV_K8S_29"},
)
def missing_pod_security_context(res: Resource, ctx: Context) -> Iterator[Finding]:
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    if not as_dict(spec.get("securityContext")):
        yield Finding((*path, "securityContext"), f"{pod_owner(res)} sets no securityContext")


@rule(
    id="missing-container-security-context", category=HYGIENE, severity=Severity.INFO,
    kinds=WORKLOADS, default_enabled=False,
    summary="A container or init container sets no securityContext (or an empty one).",
    rationale="Some policies require every container to state its security settings "
              "(privilege escalation, capabilities, read-only root filesystem) rather than "
              "inherit defaults. The settings that matter each have their own rule; this one "
              "asks for the block itself.",
    remediation="Add a securityContext to the container, such as allowPrivilegeEscalation: "
                "false, readOnlyRootFilesystem: true and capabilities.drop: [ALL].",
    references=(SECURITY_CONTEXT_URL,),
    equivalents={"checkov": "CKV_K8S_30"},
)
def missing_container_security_context(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Ephemeral (debug) containers are not checked."""
    for c in containers(res):
        if c.list_name != "ephemeralContainers" and not c.security_context:
            yield Finding((*c.path, "securityContext"),
                          f"container {c.name!r} sets no securityContext")


# --- key order ------------------------------------------------------------------------------


def _show_path(path: tuple) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "the top level"


def _unsorted(root: object) -> list[tuple[tuple, str, str]]:
    """(path, key, key before it) for each mapping whose keys are out of order. An explicit stack
    of (node, link) where a link is (parent link, key): a manifest has thousands of mappings, and
    only the few reported need their path built."""
    found = []
    stack: list[tuple[object, tuple | None]] = [(root, None)]
    pop, push = stack.pop, stack.append
    while stack:
        node, link = pop()
        if type(node) is dict:
            before = None
            for key in node:
                text = key if type(key) is str else str(key)
                if before is not None and text < before:
                    found.append((_path_of(link), text, before))
                    break
                before = text
            for key, value in node.items():
                if type(value) is dict or type(value) is list:
                    push((value, (link, key)))
        elif type(node) is list:
            for i, value in enumerate(node):
                if type(value) is dict or type(value) is list:
                    push((value, (link, i)))
    return found


def _path_of(link: tuple | None) -> tuple:
    steps = []
    while link is not None:
        link, step = link
        steps.append(step)
    return tuple(reversed(steps))


@rule(
    id="unsorted-keys", category=HYGIENE, severity=Severity.INFO, default_enabled=False,
    summary="A mapping's keys are not in alphabetical order.",
    rationale="Kubernetes ignores key order, but teams that keep keys sorted get smaller diffs "
              "and find fields faster; this rule enforces that convention where it is one.",
    remediation="Sort the mapping's keys alphabetically (a formatter can do it).",
    references=(YAMLLINT_KEY_ORDERING_URL,),
    equivalents={"kube-linter": "sorted-keys"},
)
def unsorted_keys(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Every mapping of the object, including list items, compared by code point (uppercase
    before lowercase), one finding per mapping at its first out-of-order key."""
    for path, key, before in _unsorted(res.obj):
        yield Finding((*path, key), f"key {key!r} of {_show_path(path)} in {object_label(res)} "
                                    f"comes after {before!r}")


RULES = (
    duplicate_env_var, duplicate_container_name, duplicate_container_port, invalid_env_var_name,
    missing_required_labels, missing_required_annotations, mismatched_instance_label,
    unset_priority_class,
    disallowed_priority_class, excessive_dns_ndots, host_aliases, invalid_restart_policy,
    shared_process_namespace, interactive_container, missing_node_affinity, privileged_port,
    no_restart_on_failure, missing_pod_security_context, missing_container_security_context,
    *retired.RULES,  # in their place in the order of ALL_RULES
    unsorted_keys,
)
