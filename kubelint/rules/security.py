"""Pod and container security context rules.

Every rule here reads one pod-bearing object (init and ephemeral containers included). Settings
that exist at both levels (runAsUser, runAsGroup, runAsNonRoot, seccompProfile, appArmorProfile,
seLinuxOptions, windowsOptions) are read as the kubelet applies them: the container's value, else
the pod's. Container-only settings (privileged, allowPrivilegeEscalation, readOnlyRootFilesystem,
capabilities, procMount) are never taken from the pod security context, where Kubernetes has no
such field. Only real booleans count: a quoted "true" is a string, which Kubernetes rejects, so it
never satisfies a rule that asks for `true`.

Rules that ask for a Linux-only field to be *added* (allowPrivilegeEscalation,
readOnlyRootFilesystem, capabilities.drop, seccompProfile, runAsUser/runAsGroup) skip pods with
`spec.os.name: windows`, where the API server rejects those fields.
"""

from __future__ import annotations

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
    effective,
    is_int,
    pod_security_context,
    pod_spec,
    pod_template_metadata,
)
from kubelint.model import Finding, Fix, Safety, SetValue, Severity, YamlPath
from kubelint.rule import ALWAYS, SOMETIMES, Context, rule
from kubelint.security_context import (
    APPARMOR_CONTAINER_ANNOTATION,
    SECCOMP_CONTAINER_ANNOTATION,
    SECCOMP_POD_ANNOTATION,
    SELINUX_TYPES_1_31,
    is_windows,
    safe_sysctls,
    security_contexts,
)

PSS_URL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
SECURITY_CONTEXT_URL = "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"
KERNEL_CONSTRAINTS_URL = ("https://kubernetes.io/docs/concepts/security/"
                          "linux-kernel-security-constraints/")
SECCOMP_URL = "https://kubernetes.io/docs/tutorials/security/seccomp/"
APPARMOR_URL = "https://kubernetes.io/docs/tutorials/security/apparmor/"
SYSCTL_URL = "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/"
HOSTPATH_URL = "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"
SCC_URL = ("https://docs.openshift.com/container-platform/latest/authentication/"
           "managing-security-context-constraints.html")
CONFIG_OVERVIEW_URL = "https://kubernetes.io/docs/concepts/configuration/overview/"
SERVICE_ACCOUNT_URL = ("https://kubernetes.io/docs/tasks/configure-pod-container/"
                       "configure-service-account/#opt-out-of-api-credential-automounting")
USER_NAMESPACES_URL = "https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/"
HOST_PROCESS_URL = ("https://kubernetes.io/docs/tasks/configure-pod-container/"
                    "create-hostprocess-pod/")

UNSAFE = Safety.UNSAFE

DANGEROUS_CAPABILITIES = (
    "ALL", "AUDIT_CONTROL", "BPF", "CHECKPOINT_RESTORE", "DAC_READ_SEARCH", "LINUX_IMMUTABLE",
    "MAC_ADMIN", "MAC_OVERRIDE", "NET_ADMIN", "NET_RAW", "PERFMON", "SYS_ADMIN", "SYS_BOOT",
    "SYS_MODULE", "SYS_PTRACE", "SYS_RAWIO", "SYS_TIME", "SYSLOG",
)
"""Capabilities that break container isolation; none is in the container runtimes' default set
except NET_RAW (which Pod Security "baseline" still forbids adding)."""

SAFE_SYSCTLS = safe_sysctls((1, 32))
"""The kubelet's safe set (Kubernetes 1.32); every other sysctl needs --allowed-unsafe-sysctls."""

SELINUX_TYPES = SELINUX_TYPES_1_31
"""seLinuxOptions.type values allowed by Pod Security "baseline"."""


# --- shared helpers -------------------------------------------------------------------------------

def _owner(res: Resource) -> str:
    """How messages name an object's pods: `pod 'x'` or `pod template of Deployment 'x'`."""
    name = res.name or "<unnamed>"
    return f"pod {name!r}" if res.kind == "Pod" else f"pod template of {res.kind} {name!r}"


def _shown(value: Any) -> str:
    """A value as YAML spells it, for messages (strings quoted: "true" reads as a string)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value) if isinstance(value, str) else str(value)


def _sc(c: Container, *keys: str) -> YamlPath:
    """Path of a key under the container's securityContext."""
    return (*c.path, "securityContext", *keys)


def _settable(node: Any, *keys: str) -> bool:
    """Whether SetValue can write `keys` under `node`: each existing step is a mapping (or null)."""
    for key in keys[:-1]:
        if not isinstance(node, dict):
            return False
        node = node.get(key)
        if node is None:
            return True
    return isinstance(node, dict)


def _set_fix(c: Container, title: str, value: Any, *keys: str) -> Fix | None:
    """An unsafe fix setting the container's `securityContext.<keys>`, if its shape allows it."""
    if not _settable(c.spec, "securityContext", *keys):
        return None
    return Fix(title, (SetValue(_sc(c, *keys), value),), UNSAFE)


_windows = is_windows


def _linux_containers(res: Resource) -> Iterator[Container]:
    """Containers of pods that are not Windows pods (where Linux-only fields are forbidden)."""
    if not _windows(res):
        yield from containers(res)


def _security_contexts(res: Resource) -> Iterator[tuple[YamlPath, dict, str]]:
    """The pod security context, then each container's: (path, mapping, who for messages)."""
    return security_contexts(res, _owner(res))


def _capability(item: Any) -> str | None:
    """A capability name normalised: upper case, without the CAP_ prefix; None if not a string."""
    if not isinstance(item, str):
        return None
    name = item.strip().upper()
    return name[4:] if name.startswith("CAP_") else name


def _capabilities(c: Container, which: str) -> list[tuple[int, str]]:
    """(index, normalised name) of each string in securityContext.capabilities.<which>."""
    items = as_list(dig(c.security_context, "capabilities", which))
    return [(i, name) for i, item in enumerate(items) if (name := _capability(item)) is not None]


def _annotations(res: Resource) -> tuple[YamlPath, dict]:
    """The annotations the object's pods get, and their path."""
    meta_path, meta = pod_template_metadata(res)
    return (*meta_path, "annotations"), as_dict(meta.get("annotations"))


def _flag_fix(where: YamlPath, key: str) -> Fix:
    return Fix(f"Set {key}: false", (SetValue(where, False),), UNSAFE)


# --- privileges -----------------------------------------------------------------------------------

@rule(
    id="privileged-container", category="security", severity=Severity.ERROR, kinds=WORKLOADS,
    summary="A container runs in privileged mode.",
    rationale="A privileged container gets every host device and capability; escaping it means "
              "root on the node.",
    remediation="Remove securityContext.privileged or set it to false.",
    references=(PSS_URL, SECURITY_CONTEXT_URL),
    equivalents={"kube-linter": "privileged-container", "checkov": "CKV_K8S_16",
                 "polaris": "runAsPrivileged",
                 "kube-score": "container-security-context-privileged", "trivy": "KSV-0017"},
    fixable=SOMETIMES,
)
def privileged_container(res: Resource, ctx: Context) -> Iterator[Finding]:
    for c in containers(res):
        if c.security_context.get("privileged") is True:
            where = _sc(c, "privileged")
            yield Finding(where, f"container {c.name!r} is privileged",
                          _flag_fix(where, "privileged"))


def _escalation_cause(c: Container) -> tuple[YamlPath, str] | None:
    """What lets the container escalate whatever allowPrivilegeEscalation says, and where it is."""
    if c.security_context.get("privileged") is True:
        return _sc(c, "privileged"), "it is privileged"
    for i, name in _capabilities(c, "add"):
        if name in ("SYS_ADMIN", "ALL"):
            what = "ALL capabilities" if name == "ALL" else "CAP_SYS_ADMIN"
            return _sc(c, "capabilities", "add", i), f"it adds {what}"
    return None


@rule(
    id="privilege-escalation-container", category="security", severity=Severity.WARNING,
    kinds=WORKLOADS,
    summary="A container does not set allowPrivilegeEscalation: false, or is privileged or has "
            "CAP_SYS_ADMIN, which allow escalation anyway.",
    rationale="Unless allowPrivilegeEscalation is false, the kernel lets a process gain more "
              "privileges than its parent (setuid binaries, file capabilities), so an attacker "
              "inside the container can become root in it. A privileged container or one with "
              "CAP_SYS_ADMIN can always escalate: Kubernetes rejects "
              "allowPrivilegeEscalation: false on those.",
    remediation="Set securityContext.allowPrivilegeEscalation: false on every container, and drop "
                "privileged mode and CAP_SYS_ADMIN.",
    references=(PSS_URL, SECURITY_CONTEXT_URL),
    equivalents={"kube-linter": "privilege-escalation-container", "checkov": "CKV_K8S_20",
                 "polaris": "privilegeEscalationAllowed", "trivy": "KSV-0001"},
    fixable=SOMETIMES,
)
def privilege_escalation_container(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Unset counts as allowed (the kernel default), as checkov, Polaris and Trivy read it;
    kube-linter only reports an explicit `true`, so on its fixture (which sets the field on every
    container) both agree. No fix is offered when the container is privileged or adds SYS_ADMIN/ALL:
    setting allowPrivilegeEscalation: false there makes the object invalid."""
    for c in _linux_containers(res):
        value = c.security_context.get("allowPrivilegeEscalation")
        key = _sc(c, "allowPrivilegeEscalation")
        cause = _escalation_cause(c)
        fix = None if cause else _set_fix(c, "Set allowPrivilegeEscalation: false", False,
                                          "allowPrivilegeEscalation")
        if value is True:
            yield Finding(key, f"container {c.name!r} sets allowPrivilegeEscalation: true", fix)
        elif cause is not None:
            yield Finding(cause[0], f"container {c.name!r} can escalate privileges: {cause[1]}")
        elif value is not False:
            message = (f"container {c.name!r} does not set allowPrivilegeEscalation: false"
                       if value is None else
                       f"container {c.name!r} sets allowPrivilegeEscalation: {_shown(value)}")
            yield Finding(key, message, fix)


# --- users and groups -----------------------------------------------------------------------------

@rule(
    id="run-as-non-root", category="security", severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A container may run as root: runAsNonRoot is not true and runAsUser is not a "
            "non-zero uid.",
    rationale="Without runAsNonRoot: true or a non-root runAsUser, the container runs as the "
              "image's user, which is root for most images. Root in a container owns its files, "
              "and is root on the node if it escapes.",
    remediation="Set runAsNonRoot: true (and a non-zero runAsUser if the image has no numeric "
                "non-root USER) in the pod or container securityContext.",
    references=(PSS_URL, SECURITY_CONTEXT_URL),
    equivalents={"kube-linter": "run-as-non-root", "checkov": "CKV_K8S_23",
                 "polaris": "runAsRootAllowed"},
    fixable=SOMETIMES,
)
def run_as_non_root(res: Resource, ctx: Context) -> Iterator[Finding]:
    """kube-linter's run-as-non-root also reports runAsGroup: 0 and runAsNonRoot: true with
    runAsUser: 0; kubelint reports those as run-as-root-group and run-as-root-user, so on its
    fixture this rule alone does not flag the two `group-zero` objects (deliberate; the three
    rules together flag exactly its objects). Trivy KSV-0012 is not claimed: it demands the
    runAsNonRoot flag itself and so also flags containers with a non-zero runAsUser."""
    found = pod_security_context(res)
    if found is None:
        return
    pod_path, pod_ctx = found
    for c in containers(res):
        if effective(c, pod_ctx, "runAsNonRoot") is True:
            continue
        uid = effective(c, pod_ctx, "runAsUser")
        if is_int(uid) and uid > 0:
            continue
        # With an explicit runAsUser: 0, runAsNonRoot: true would only stop the pod from starting.
        fix = (None if is_int(uid) and uid == 0 else
               _set_fix(c, "Set runAsNonRoot: true", True, "runAsNonRoot"))
        own = c.security_context.get("runAsNonRoot")
        if own is not None:
            yield Finding(_sc(c, "runAsNonRoot"),
                          f"container {c.name!r} sets runAsNonRoot: {_shown(own)}", fix)
        elif pod_ctx.get("runAsNonRoot") is not None:
            yield Finding((*pod_path, "runAsNonRoot"),
                          f"container {c.name!r} inherits runAsNonRoot: "
                          f"{_shown(pod_ctx['runAsNonRoot'])} from the pod security context", fix)
        else:
            yield Finding(_sc(c, "runAsNonRoot"),
                          f"container {c.name!r} does not set runAsNonRoot: true or a non-zero "
                          "runAsUser", fix)


@rule(
    id="run-as-root-user", category="security", severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A pod or container security context sets runAsUser: 0 (root).",
    rationale="runAsUser: 0 asks for root explicitly: the process owns the container's files, "
              "can use every capability it holds, and is root on the node if it escapes. With "
              "runAsNonRoot: true the kubelet refuses to start the container instead.",
    remediation="Set runAsUser to a non-zero uid, or remove it and set runAsNonRoot: true.",
    references=(PSS_URL, SECURITY_CONTEXT_URL),
    equivalents={"kube-linter": "run-as-non-root", "trivy": "KSV-0105"},
)
def run_as_root_user(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Pod Security "restricted" forbids runAsUser: 0 at either level, so a pod-level 0 is reported
    even when every container overrides it. kube-linter's run-as-non-root covers this case only
    through its runAsNonRoot logic (runAsUser 0 without runAsNonRoot, or with runAsNonRoot:
    true)."""
    for path, sc, who in _security_contexts(res):
        uid = sc.get("runAsUser")
        if is_int(uid) and uid == 0:
            yield Finding((*path, "runAsUser"), f"{who} sets runAsUser: 0 (root)")


@rule(
    id="run-as-root-group", category="security", severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A pod or container security context uses group 0 (root) in runAsGroup, fsGroup or "
            "supplementalGroups.",
    rationale="Group 0 owns much of a container image's and the node's files (often group-"
              "writable), so a process in the root group can read or change them even as a "
              "non-root user.",
    remediation="Use a non-zero gid in runAsGroup, fsGroup and supplementalGroups.",
    references=(SECURITY_CONTEXT_URL,),
    equivalents={"kube-linter": "run-as-non-root", "trivy": "KSV-0116"},
)
def run_as_root_group(res: Resource, ctx: Context) -> Iterator[Finding]:
    """kube-linter's run-as-non-root reports an effective runAsGroup: 0; this rule also reports a
    pod-level 0 that containers override, and fsGroup / supplementalGroups 0 (as Trivy does)."""
    for path, sc, who in _security_contexts(res):
        gid = sc.get("runAsGroup")
        if is_int(gid) and gid == 0:
            yield Finding((*path, "runAsGroup"), f"{who} sets runAsGroup: 0 (root group)")
    found = pod_security_context(res)
    if found is None:
        return
    path, pod_ctx = found
    fs_group = pod_ctx.get("fsGroup")
    if is_int(fs_group) and fs_group == 0:
        yield Finding((*path, "fsGroup"), f"{_owner(res)} sets fsGroup: 0 (root group)")
    for i, gid in enumerate(as_list(pod_ctx.get("supplementalGroups"))):
        if is_int(gid) and gid == 0:
            yield Finding((*path, "supplementalGroups", i),
                          f"{_owner(res)} adds supplemental group 0 (root group)")


@rule(
    id="low-user-group-id", category="security", severity=Severity.WARNING, kinds=WORKLOADS,
    default_enabled=False,
    summary="A container's effective runAsUser or runAsGroup is unset or below a threshold "
            "(default 10000).",
    rationale="Without user namespaces, a container's uid and gid are the node's. Low ids are "
              "those of real users and system accounts on the node, so a process that escapes "
              "(or a shared hostPath volume) gets their files. High ids make such collisions "
              "unlikely. Off by default: many images run as a fixed low uid on purpose.",
    remediation="Set runAsUser and runAsGroup to ids of at least 10000 in the pod or container "
                "securityContext, or run the pod with hostUsers: false.",
    references=(SECURITY_CONTEXT_URL, USER_NAMESPACES_URL),
    equivalents={"kube-score": "container-security-context-user-group-id",
                 "checkov": "CKV_K8S_40"},
    options_schema={
        "type": "object", "additionalProperties": False,
        "properties": {"min_id": {"type": "integer", "minimum": 1,
                                  "description": "Lowest uid and gid that pass."}},
    },
    defaults={"min_id": 10000},
)
def low_user_group_id(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Pods with hostUsers: false (user namespaces) pass, as in checkov. Trivy's KSV-0020/KSV-0021
    are not claimed: they read the container level only and flag 10000 itself."""
    found, spec = pod_security_context(res), pod_spec(res)
    if found is None or spec is None or spec[1].get("hostUsers") is False:
        return
    pod_path, pod_ctx = found
    minimum = ctx.options.get("min_id")
    minimum = minimum if is_int(minimum) else 10000
    for c in _linux_containers(res):
        for key in ("runAsUser", "runAsGroup"):
            value = effective(c, pod_ctx, key)
            if is_int(value) and value >= minimum:
                continue
            inherited = c.security_context.get(key) is None and pod_ctx.get(key) is not None
            where = (*pod_path, key) if inherited else _sc(c, key)
            if value is None:
                message = f"container {c.name!r} does not set {key}"
            elif is_int(value):
                message = f"container {c.name!r} runs with {key} {value}, below {minimum}"
            else:
                message = f"container {c.name!r} sets {key}: {_shown(value)}, not a number"
            yield Finding(where, message)


# --- filesystem, capabilities, kernel -------------------------------------------------------------

@rule(
    id="read-only-root-filesystem", category="security", severity=Severity.WARNING,
    kinds=WORKLOADS,
    summary="A container's root filesystem is writable (readOnlyRootFilesystem is not true).",
    rationale="A writable root filesystem lets an attacker drop tools or change binaries and "
              "configuration inside the container, and hides state that should live in volumes.",
    remediation="Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the "
                "application must write.",
    references=(SECURITY_CONTEXT_URL,),
    equivalents={"kube-linter": "no-read-only-root-fs", "checkov": "CKV_K8S_22",
                 "polaris": "notReadOnlyRootFilesystem",
                 "kube-score": "container-security-context-readonlyrootfilesystem",
                 "trivy": "KSV-0014"},
    fixable=SOMETIMES,
)
def read_only_root_filesystem(res: Resource, ctx: Context) -> Iterator[Finding]:
    for c in _linux_containers(res):
        value = c.security_context.get("readOnlyRootFilesystem")
        if value is True:
            continue
        message = (f"container {c.name!r} does not set readOnlyRootFilesystem: true"
                   if value is None else
                   f"container {c.name!r} sets readOnlyRootFilesystem: {_shown(value)}")
        yield Finding(_sc(c, "readOnlyRootFilesystem"), message,
                      _set_fix(c, "Set readOnlyRootFilesystem: true", True,
                               "readOnlyRootFilesystem"))


def _drop_fix(c: Container, name: str) -> Fix | None:
    """Add `name` to capabilities.drop, keeping what the list already holds."""
    current = dig(c.security_context, "capabilities", "drop")
    value = [*current, name] if isinstance(current, list) else [name]
    return _set_fix(c, f"Add {name} to capabilities.drop", value, "capabilities", "drop")


def _undropped(res: Resource, wanted: str) -> Iterator[Finding]:
    """A finding for each Linux container whose capabilities.drop holds neither `wanted` nor ALL."""
    for c in _linux_containers(res):
        if {wanted, "ALL"} & {name for _, name in _capabilities(c, "drop")}:
            continue
        current = dig(c.security_context, "capabilities", "drop")
        label = "ALL capabilities" if wanted == "ALL" else wanted
        message = (f"container {c.name!r} does not drop {label}"
                   if current is None or isinstance(current, list) else
                   f"container {c.name!r} sets capabilities.drop to {_shown(current)}, not a list")
        yield Finding(_sc(c, "capabilities", "drop"), message, _drop_fix(c, wanted))


@rule(
    id="capabilities-not-dropped", category="security", severity=Severity.WARNING,
    kinds=WORKLOADS,
    summary="A container does not drop ALL capabilities.",
    rationale="Container runtimes grant a default set of capabilities (CHOWN, DAC_OVERRIDE, "
              "FOWNER, SETUID, SETGID, NET_RAW, ...) that few applications need and that help an "
              "attacker escalate or attack the network. Dropping ALL and adding back only what "
              "is needed is what Pod Security \"restricted\" requires.",
    remediation="Add ALL to securityContext.capabilities.drop and list the capabilities the "
                "application needs (such as NET_BIND_SERVICE) under capabilities.add.",
    references=(PSS_URL, KERNEL_CONSTRAINTS_URL, SECURITY_CONTEXT_URL),
    equivalents={"checkov": "CKV_K8S_37", "polaris": "insecureCapabilities", "trivy": "KSV-0003"},
    fixable=SOMETIMES,
)
def capabilities_not_dropped(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Polaris also accepts dropping its 15 default capabilities one by one; kubelint asks for
    ALL, as Pod Security "restricted" does."""
    yield from _undropped(res, "ALL")


@rule(
    id="net-raw-not-dropped", category="security", severity=Severity.WARNING, kinds=WORKLOADS,
    default_enabled=False,
    summary="A container keeps the NET_RAW capability (capabilities.drop holds neither NET_RAW "
            "nor ALL).",
    rationale="NET_RAW is in the runtime's default set; it allows raw and packet sockets, which "
              "enable ARP and DNS spoofing against other pods on the node and have been the path "
              "of kernel exploits. Off by default because capabilities-not-dropped (on by default) "
              "already reports every container this rule reports; enable this one instead where "
              "dropping ALL is not possible.",
    remediation="Add NET_RAW (or ALL) to securityContext.capabilities.drop.",
    references=(KERNEL_CONSTRAINTS_URL, SECURITY_CONTEXT_URL),
    equivalents={"kube-linter": "drop-net-raw-capability", "checkov": "CKV_K8S_28"},
    fixable=SOMETIMES,
)
def net_raw_not_dropped(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Deliberate differences from kube-linter's drop-net-raw-capability: kube-linter skips
    containers with no (or a null) capabilities block, which still hold NET_RAW, so kubelint
    flags the two `dont-fire` objects of its fixture; and an added NET_RAW is reported by
    dangerous-capabilities, not here."""
    yield from _undropped(res, "NET_RAW")


@rule(
    id="dangerous-capabilities", category="security", severity=Severity.ERROR, kinds=WORKLOADS,
    summary="A container adds a capability that breaks isolation (SYS_ADMIN, NET_ADMIN, NET_RAW, "
            "SYS_PTRACE, SYS_MODULE, ALL, ...).",
    rationale="These capabilities let a process load kernel modules, trace other processes, "
              "reconfigure or spoof the network, read any file or mount filesystems: most are "
              "known container escapes. Pod Security \"baseline\" forbids adding any of them.",
    remediation="Remove the capability from securityContext.capabilities.add; grant a narrower "
                "one if the application needs it.",
    references=(PSS_URL, KERNEL_CONSTRAINTS_URL, SECURITY_CONTEXT_URL),
    equivalents={"checkov": "CKV_K8S_39", "polaris": "dangerousCapabilities",
                 "trivy": ("KSV-0005", "KSV-0119", "KSV-0120")},
    options_schema={
        "type": "object", "additionalProperties": False,
        "properties": {"capabilities": {
            "type": "array", "items": {"type": "string"}, "uniqueItems": True,
            "description": "Capabilities to report (with or without the CAP_ prefix, any case)."}},
    },
    defaults={"capabilities": list(DANGEROUS_CAPABILITIES)},
)
def dangerous_capabilities(res: Resource, ctx: Context) -> Iterator[Finding]:
    """The peers claimed report a subset (checkov and Trivy: SYS_ADMIN, NET_RAW, SYS_MODULE one
    check each; Polaris: ALL, SYS_ADMIN, NET_ADMIN). Checks that report *any* added capability
    (checkov CKV_K8S_25, Trivy KSV-0022) are not equivalents: adding NET_BIND_SERVICE is fine."""
    listed = ctx.options.get("capabilities")
    listed = listed if isinstance(listed, (list, tuple)) else DANGEROUS_CAPABILITIES
    forbidden = {name for item in listed if (name := _capability(item)) is not None}
    for c in containers(res):
        for i, name in _capabilities(c, "add"):
            if name in forbidden:
                what = "ALL capabilities" if name == "ALL" else f"capability {name}"
                yield Finding(_sc(c, "capabilities", "add", i), f"container {c.name!r} adds {what}")


@rule(
    id="added-capabilities", category="security", severity=Severity.WARNING, kinds=WORKLOADS,
    default_enabled=False,
    summary="A container adds Linux capabilities (any, unless listed in the `allowed` option).",
    rationale="Every added capability widens what a compromised process may do on the node's "
              "kernel. Policies that require each addition to be reviewed flag all of them; "
              "dangerous-capabilities (on by default) reports only those that break isolation. "
              "Off by default: adding NET_BIND_SERVICE to listen on a low port is common and "
              "harmless.",
    remediation="Remove the capability from securityContext.capabilities.add, or list it in this "
                "rule's `allowed` option once reviewed.",
    references=(SECURITY_CONTEXT_URL, PSS_URL),
    equivalents={"checkov": "CKV_K8S_25"},
    options_schema={
        "type": "object", "additionalProperties": False,
        "properties": {"allowed": {
            "type": "array", "items": {"type": "string"}, "uniqueItems": True,
            "description": "Capabilities that may be added (with or without the CAP_ prefix, "
                           "any case)."}},
    },
    defaults={"allowed": []},
)
def added_capabilities(res: Resource, ctx: Context) -> Iterator[Finding]:
    listed = ctx.options.get("allowed")
    allowed = {name for item in (listed if isinstance(listed, (list, tuple)) else ())
               if (name := _capability(item)) is not None}
    for c in containers(res):
        for i, name in _capabilities(c, "add"):
            if name not in allowed:
                yield Finding(_sc(c, "capabilities", "add", i),
                              f"container {c.name!r} adds capability {name}")


def _hardened(c: Container, pod_ctx: dict, annotations: dict) -> bool:
    """Whether any one Linux hardening mechanism applies to the container."""
    if isinstance(annotations.get(APPARMOR_CONTAINER_ANNOTATION + str(c.name)), str):
        return True
    profile = effective(c, pod_ctx, "seccompProfile")
    if isinstance(profile, dict) and profile.get("type") not in (None, "Unconfined"):
        return True
    if as_dict(effective(c, pod_ctx, "seLinuxOptions")):
        return True
    added = {name for _, name in _capabilities(c, "add")}
    return bool(_capabilities(c, "drop")) and "ALL" not in added


@rule(
    id="missing-linux-hardening", category="security", severity=Severity.WARNING,
    kinds=WORKLOADS, default_enabled=False,
    summary="A container has none of the Linux hardening mechanisms: no AppArmor annotation, no "
            "seccomp profile, no SELinux options and no dropped capabilities.",
    rationale="AppArmor, seccomp, SELinux and dropped capabilities each stop a different class "
              "of escape; a container with none of them relies on namespaces alone. This is a "
              "floor, not a goal: seccomp-profile-missing and capabilities-not-dropped (on by "
              "default) ask for each mechanism on its own. Off by default for that reason.",
    remediation="Set seccompProfile.type: RuntimeDefault and drop ALL capabilities in the "
                "container's securityContext (or configure AppArmor or SELinux for it).",
    references=(SECCOMP_URL, APPARMOR_URL, SECURITY_CONTEXT_URL),
    equivalents={"polaris": "linuxHardening"},
)
def missing_linux_hardening(res: Resource, ctx: Context) -> Iterator[Finding]:
    """As Polaris: any one mechanism passes. An AppArmor annotation counts whatever its value, and
    the appArmorProfile field (which Polaris does not read) is left to apparmor-unconfined."""
    found = pod_security_context(res)
    pod_ctx = found[1] if found is not None else {}
    annotations = _annotations(res)[1]
    for c in _linux_containers(res):
        if not _hardened(c, pod_ctx, annotations):
            where = _sc(c) if isinstance(c.spec.get("securityContext"), dict) else (*c.path, "name")
            yield Finding(where, f"container {c.name!r} has no AppArmor, seccomp, SELinux or "
                                 "dropped-capability hardening")


@rule(
    id="unsafe-sysctls", category="security", severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A pod sets a sysctl outside the Kubernetes safe set.",
    rationale="Unsafe sysctls are not isolated between pods: they can change the kernel's "
              "behaviour for every pod on the node or exhaust its resources. The kubelet refuses "
              "them unless the node allows them, so the pod also fails to start elsewhere.",
    remediation="Remove the sysctl, or allow it on dedicated nodes (kubelet "
                "--allowed-unsafe-sysctls) and list it in this rule's `allowed` option.",
    references=(SYSCTL_URL, PSS_URL),
    equivalents={"kube-linter": "unsafe-sysctls", "trivy": "KSV-0026"},
    options_schema={
        "type": "object", "additionalProperties": False,
        "properties": {"allowed": {
            "type": "array", "items": {"type": "string"}, "uniqueItems": True,
            "description": "More sysctls to accept, as the kubelet's --allowed-unsafe-sysctls "
                           "takes them (a trailing * matches a prefix)."}},
    },
    defaults={"allowed": []},
)
def unsafe_sysctls(res: Resource, ctx: Context) -> Iterator[Finding]:
    """kube-linter flags by prefix (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*):
    it also flags safe ones such as net.ipv4.ip_local_port_range and misses non-namespaced ones
    (vm.*). kubelint uses the kubelet's safe list; on kube-linter's fixture (kernel.sem) both
    agree. Names written with slashes (kernel/shm_rmid_forced) are normalised as the kubelet
    does."""
    found = pod_security_context(res)
    if found is None:
        return
    path, pod_ctx = found
    allowed = [p for p in as_list(ctx.options.get("allowed")) if isinstance(p, str) and p]
    for i, item in enumerate(as_list(pod_ctx.get("sysctls"))):
        name = as_dict(item).get("name")
        if not isinstance(name, str) or not name:
            continue
        canonical = _sysctl_name(name)
        if canonical in SAFE_SYSCTLS or any(_sysctl_matches(p, canonical) for p in allowed):
            continue
        yield Finding((*path, "sysctls", i), f"{_owner(res)} sets unsafe sysctl {name!r}")


def _sysctl_name(name: str) -> str:
    """kernel/shm_rmid_forced -> kernel.shm_rmid_forced (when the first separator is a slash)."""
    first = min((i for i in (name.find("."), name.find("/")) if i >= 0), default=-1)
    if first >= 0 and name[first] == "/":
        return name.translate(str.maketrans("./", "/."))
    return name


def _sysctl_matches(pattern: str, name: str) -> bool:
    pattern = _sysctl_name(pattern)
    return name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern


@rule(
    id="unsafe-proc-mount", category="security", severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A container mounts /proc unmasked (procMount: Unmasked).",
    rationale="The default /proc mount masks and makes read-only the paths that expose the host "
              "kernel (/proc/kcore, /proc/sys, ...); Unmasked removes that protection.",
    remediation="Remove securityContext.procMount or set it to Default.",
    references=(PSS_URL, SECURITY_CONTEXT_URL),
    equivalents={"kube-linter": "unsafe-proc-mount", "polaris": "procMount", "trivy": "KSV-0027"},
    fixable=ALWAYS,
)
def unsafe_proc_mount(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Polaris and Trivy flag any value but Default; the API accepts only Default and Unmasked,
    so they differ only on invalid objects. Polaris skips init containers."""
    for c in containers(res):
        if c.security_context.get("procMount") == "Unmasked":
            where = _sc(c, "procMount")
            yield Finding(where, f"container {c.name!r} sets procMount: Unmasked",
                          Fix("Set procMount: Default", (SetValue(where, "Default"),), UNSAFE))


# --- host namespaces and host resources -----------------------------------------------------------

def _host_namespace(res: Resource, key: str, what: str) -> Iterator[Finding]:
    found = pod_spec(res)
    if found is not None and found[1].get(key) is True:
        where = (*found[0], key)
        yield Finding(where, f"{_owner(res)} shares the host's {what} namespace ({key}: true)",
                      _flag_fix(where, key))


@rule(
    id="host-network", category="security", severity=Severity.ERROR, kinds=WORKLOADS,
    summary="A pod uses the node's network namespace (hostNetwork: true).",
    rationale="The pod sees every interface of the node, can sniff its traffic, reach services "
              "bound to the node's localhost and bypass network policies.",
    remediation="Remove hostNetwork or set it to false; expose the pod through a Service.",
    references=(PSS_URL,),
    equivalents={"kube-linter": "host-network", "checkov": "CKV_K8S_19",
                 "polaris": "hostNetworkSet", "trivy": "KSV-0009"},
    fixable=ALWAYS,
)
def host_network(res: Resource, ctx: Context) -> Iterator[Finding]:
    yield from _host_namespace(res, "hostNetwork", "network")


@rule(
    id="host-pid", category="security", severity=Severity.ERROR, kinds=WORKLOADS,
    summary="A pod uses the node's process namespace (hostPID: true).",
    rationale="The pod sees every process on the node, can read their environment and, with "
              "enough privileges, signal or trace them: a direct path to the host.",
    remediation="Remove hostPID or set it to false.",
    references=(PSS_URL,),
    equivalents={"kube-linter": "host-pid", "checkov": "CKV_K8S_17", "polaris": "hostPIDSet",
                 "trivy": "KSV-0010"},
    fixable=ALWAYS,
)
def host_pid(res: Resource, ctx: Context) -> Iterator[Finding]:
    yield from _host_namespace(res, "hostPID", "process")


@rule(
    id="host-ipc", category="security", severity=Severity.ERROR, kinds=WORKLOADS,
    summary="A pod uses the node's IPC namespace (hostIPC: true).",
    rationale="The pod can read and write the shared memory and message queues of every process "
              "on the node.",
    remediation="Remove hostIPC or set it to false.",
    references=(PSS_URL,),
    equivalents={"kube-linter": "host-ipc", "checkov": "CKV_K8S_18", "polaris": "hostIPCSet",
                 "trivy": "KSV-0008"},
    fixable=ALWAYS,
)
def host_ipc(res: Resource, ctx: Context) -> Iterator[Finding]:
    yield from _host_namespace(res, "hostIPC", "IPC")


@rule(
    id="host-path-volume", category="security", severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A pod declares a hostPath volume.",
    rationale="A hostPath volume exposes the node's filesystem to the pod: it can read secrets "
              "of other pods, plant files the node runs, or fill the node's disk, and it ties the "
              "pod to one node's contents.",
    remediation="Replace the hostPath volume with an emptyDir, a ConfigMap/Secret or a "
                "PersistentVolumeClaim.",
    references=(HOSTPATH_URL, PSS_URL),
    equivalents={"polaris": "hostPathSet", "trivy": "KSV-0023"},
)
def host_path_volume(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Checks about particular host paths (docker.sock, /etc, ...) and writable mounts belong to
    other rules; this one reports every hostPath volume, mounted or not."""
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    for i, volume in enumerate(as_list(spec.get("volumes"))):
        host = as_dict(volume).get("hostPath")
        if not isinstance(host, dict):
            continue
        name = volume.get("name")
        label = f"volume {name!r}" if isinstance(name, str) else f"volume #{i}"
        target = host.get("path")
        where = f" {target!r}" if isinstance(target, str) else ""
        yield Finding((*path, "volumes", i, "hostPath"), f"{label} mounts host path{where}")


@rule(
    id="host-port", category="security", severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A container port is bound to a port of the node (hostPort).",
    rationale="A hostPort exposes the pod on the node's address, outside Services and often "
              "outside network policies, and limits scheduling to nodes where the port is free.",
    remediation="Remove hostPort and expose the container through a Service.",
    references=(PSS_URL, CONFIG_OVERVIEW_URL),
    equivalents={"checkov": "CKV_K8S_26", "polaris": "hostPortSet", "trivy": "KSV-0024"},
)
def host_port(res: Resource, ctx: Context) -> Iterator[Finding]:
    """hostPort: 0 means unset and passes (checkov reports any hostPort key, even 0)."""
    for c in containers(res):
        for i, port in enumerate(as_list(c.spec.get("ports"))):
            host = as_dict(port).get("hostPort")
            if is_int(host) and host != 0:
                yield Finding((*c.path, "ports", i, "hostPort"),
                              f"container {c.name!r} binds host port {host}")


@rule(
    id="host-process", category="security", severity=Severity.ERROR, kinds=WORKLOADS,
    summary="A Windows pod or container runs as a host process (windowsOptions.hostProcess: true).",
    rationale="A HostProcess container runs directly on the Windows node, with the node's "
              "network and filesystem and the privileges of its user: it is the Windows "
              "equivalent of a privileged container.",
    remediation="Remove windowsOptions.hostProcess or set it to false.",
    references=(HOST_PROCESS_URL, PSS_URL),
    equivalents={"polaris": "hostProcess", "trivy": "KSV-0103"},
    fixable=ALWAYS,
)
def host_process(res: Resource, ctx: Context) -> Iterator[Finding]:
    for path, sc, who in _security_contexts(res):
        if dig(sc, "windowsOptions", "hostProcess") is True:
            where = (*path, "windowsOptions", "hostProcess")
            yield Finding(where, f"{who} runs as a Windows host process (hostProcess: true)",
                          _flag_fix(where, "hostProcess"))


# --- seccomp, AppArmor, SELinux -------------------------------------------------------------------

def _has_seccomp(sc: dict) -> bool:
    kind = dig(sc, "seccompProfile", "type")
    return isinstance(kind, str) and bool(kind)


@rule(
    id="seccomp-profile-missing", category="security", severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A pod or container sets no seccomp profile, so it runs without syscall filtering.",
    rationale="Unless the kubelet runs with --seccomp-default, a container without a seccomp "
              "profile may call every syscall, including the rarely used ones behind most kernel "
              "exploits. Pod Security \"restricted\" requires a profile.",
    remediation="Set securityContext.seccompProfile.type: RuntimeDefault in the pod spec (or "
                "Localhost with a profile of your own).",
    references=(SECCOMP_URL, PSS_URL),
    equivalents={"checkov": "CKV_K8S_31", "kube-score": "container-seccomp-profile",
                 "trivy": "KSV-0104"},
    fixable=SOMETIMES,
)
def seccomp_profile_missing(res: Resource, ctx: Context) -> Iterator[Finding]:
    """When no container has a profile, one finding at the pod level (where the fix belongs);
    otherwise one per container left without. The legacy annotations count as a profile.
    checkov CKV_K8S_31 and Trivy KSV-0104 also report Unconfined, which kubelint reports as
    seccomp-profile-unconfined; checkov also fails Localhost profiles. kube-score looks at regular
    containers only (not init containers) and honours the PodSecurityPolicy annotation
    `.../defaultProfileName` instead of the pod annotation."""
    found = pod_security_context(res)
    if found is None or _windows(res):
        return
    path, pod_ctx = found
    _, annotations = _annotations(res)
    if _has_seccomp(pod_ctx) or annotations.get(SECCOMP_POD_ANNOTATION):
        return
    all_containers = list(containers(res))
    missing = [c for c in all_containers if not _has_seccomp(c.security_context)
               and not annotations.get(SECCOMP_CONTAINER_ANNOTATION + c.name)]
    title = "Set seccompProfile.type: RuntimeDefault"
    if missing and len(missing) == len(all_containers):
        spec = pod_spec(res)
        fix = None
        if spec is not None and _settable(spec[1], "securityContext", "seccompProfile", "type"):
            fix = Fix(title, (SetValue((*path, "seccompProfile", "type"), "RuntimeDefault"),),
                      UNSAFE)
        yield Finding((*path, "seccompProfile"), f"{_owner(res)} sets no seccomp profile", fix)
        return
    for c in missing:
        yield Finding(_sc(c, "seccompProfile"), f"container {c.name!r} sets no seccomp profile",
                      _set_fix(c, title, "RuntimeDefault", "seccompProfile", "type"))


def _unconfined(res: Resource, field: str, what: str, container_prefix: str,
                pod_annotation: str | None = None) -> Iterator[Finding]:
    """`<field>.type: Unconfined` at either level, and legacy `unconfined` annotations."""
    for path, sc, who in _security_contexts(res):
        if dig(sc, field, "type") == "Unconfined":
            where = (*path, field, "type")
            yield Finding(where, f"{who} disables {what} ({field}.type: Unconfined)",
                          Fix(f"Set {field}.type: RuntimeDefault",
                              (SetValue(where, "RuntimeDefault"),), UNSAFE))
    ann_path, annotations = _annotations(res)
    for key, value in annotations.items():
        if value != "unconfined" or not isinstance(key, str):
            continue
        if key == pod_annotation:
            who = _owner(res)
        elif key.startswith(container_prefix):
            who = f"container {key[len(container_prefix):]!r}"
        else:
            continue
        yield Finding((*ann_path, key), f"{who} disables {what} (annotation {key}: unconfined)")


@rule(
    id="seccomp-profile-unconfined", category="security", severity=Severity.WARNING,
    kinds=WORKLOADS,
    summary="A pod or container turns seccomp off (seccompProfile.type: Unconfined, or the "
            "legacy annotation set to unconfined).",
    rationale="An Unconfined container may call every syscall, including the rarely used ones "
              "behind most kernel exploits. Pod Security \"baseline\" forbids it.",
    remediation="Set seccompProfile.type to RuntimeDefault (or Localhost with a profile that "
                "allows what the application needs).",
    references=(SECCOMP_URL, PSS_URL),
    equivalents={"checkov": "CKV_K8S_31", "trivy": "KSV-0104"},
    fixable=SOMETIMES,
)
def seccomp_profile_unconfined(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Reported where it is written, even at the pod level when every container overrides it, as
    Pod Security "baseline" does."""
    yield from _unconfined(res, "seccompProfile", "seccomp", SECCOMP_CONTAINER_ANNOTATION,
                           SECCOMP_POD_ANNOTATION)


@rule(
    id="apparmor-unconfined", category="security", severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A pod or container turns AppArmor off (appArmorProfile.type: Unconfined, or the "
            "legacy annotation set to unconfined).",
    rationale="The runtime's default AppArmor profile blocks mounts, writes to /proc and /sys "
              "and other escape routes; Unconfined removes it. Pod Security \"baseline\" forbids "
              "it.",
    remediation="Remove the Unconfined setting, or use RuntimeDefault or a Localhost profile.",
    references=(APPARMOR_URL, PSS_URL),
    fixable=SOMETIMES,
)
def apparmor_unconfined(res: Resource, ctx: Context) -> Iterator[Finding]:
    """No peer checks this exactly: Trivy KSV-0002 flags any annotation value but runtime/default
    (localhost profiles too) and Polaris linuxHardening is a composite, so neither is claimed."""
    yield from _unconfined(res, "appArmorProfile", "AppArmor", APPARMOR_CONTAINER_ANNOTATION)


@rule(
    id="unsafe-selinux-options", category="security", severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A pod or container sets an SELinux user or role, or a type other than the container "
            "types.",
    rationale="Custom SELinux labels can give a container the access of a host process; Pod "
              "Security \"baseline\" allows only the container_t family of types and no custom "
              "user or role.",
    remediation="Remove seLinuxOptions.user and role, and use a container type (container_t, "
                "container_init_t, container_kvm_t or container_engine_t) or none.",
    references=(PSS_URL, SECURITY_CONTEXT_URL),
    equivalents={"trivy": "KSV-0025"},
)
def unsafe_selinux_options(res: Resource, ctx: Context) -> Iterator[Finding]:
    for path, sc, who in _security_contexts(res):
        options = as_dict(sc.get("seLinuxOptions"))
        for key in ("type", "user", "role"):
            value = options.get(key)
            if value is None or value == "" or (key == "type" and isinstance(value, str)
                                                and value in SELINUX_TYPES):
                continue
            yield Finding((*path, "seLinuxOptions", key),
                          f"{who} sets SELinux {key} {_shown(value)}")


# --- service account token ------------------------------------------------------------------------

@rule(
    id="automount-service-account-token", category="security", severity=Severity.WARNING,
    kinds=WORKLOADS, scope="bundle", default_enabled=False,
    summary="A pod mounts a service account token it may not need (automountServiceAccountToken "
            "is not false).",
    rationale="Every container gets a token for the Kubernetes API; an attacker in the pod can "
              "use whatever the service account is allowed to do. Most applications never call "
              "the API. Off by default: the many workloads that do need the token (controllers, "
              "operators) would each need an exception.",
    remediation="Set automountServiceAccountToken: false in the pod spec (or on its "
                "ServiceAccount) and mount a projected token only where the API is used.",
    references=(SERVICE_ACCOUNT_URL,),
    equivalents={"checkov": "CKV_K8S_38", "polaris": "automountServiceAccountToken",
                 "trivy": "KSV-0036"},
    fixable=ALWAYS,
)
def automount_service_account_token(res: Resource, ctx: Context) -> Iterator[Finding]:
    """An unset field passes when the pod's ServiceAccount, linted in the same bundle, sets
    automountServiceAccountToken: false (as Polaris does; checkov ignores the ServiceAccount).
    kube-linter's default-service-account is not an equivalent: it is about which account runs."""
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    value = spec.get("automountServiceAccountToken")
    if value is False:
        return
    where = (*path, "automountServiceAccountToken")
    if value is None:
        account = spec.get("serviceAccountName") or spec.get("serviceAccount")
        account = account if isinstance(account, str) else "default"
        sa = ctx.index.find("ServiceAccount", account, res.namespace)
        if sa is not None and sa.obj.get("automountServiceAccountToken") is False:
            return
        message = f"{_owner(res)} does not set automountServiceAccountToken: false"
    else:
        message = f"{_owner(res)} sets automountServiceAccountToken: {_shown(value)}"
    yield Finding(where, message, _flag_fix(where, "automountServiceAccountToken"))



@rule(
    id="scc-privileged-container", category="security", severity=Severity.ERROR,
    kinds=("SecurityContextConstraints",), default_enabled=True,
    summary="An OpenShift SecurityContextConstraints object allows privileged containers.",
    rationale="Every pod admitted under this SCC may run privileged containers, with every host "
              "device and capability: whoever can use the SCC can take over the node.",
    remediation="Set allowPrivilegedContainer to false, or grant a separate, narrowly bound SCC "
                "to the few workloads that need privileges.",
    references=(SCC_URL,),
    equivalents={"kube-linter": "scc-deny-privileged-container"},
    fixable=ALWAYS,
)
def scc_privileged_container(res: Resource, ctx: Context) -> Iterator[Finding]:
    if res.obj.get("allowPrivilegedContainer") is True:
        where = ("allowPrivilegedContainer",)
        yield Finding(where, f"SecurityContextConstraints {res.name!r} allows privileged containers",
                      Fix("Set allowPrivilegedContainer: false", (SetValue(where, False),),
                          Safety.UNSAFE))


RULES = (
    privileged_container,
    scc_privileged_container,
    privilege_escalation_container,
    run_as_non_root,
    run_as_root_user,
    run_as_root_group,
    low_user_group_id,
    read_only_root_filesystem,
    capabilities_not_dropped,
    net_raw_not_dropped,
    dangerous_capabilities,
    added_capabilities,
    missing_linux_hardening,
    unsafe_sysctls,
    unsafe_proc_mount,
    host_network,
    host_pid,
    host_ipc,
    host_path_volume,
    host_port,
    host_process,
    seccomp_profile_missing,
    seccomp_profile_unconfined,
    apparmor_unconfined,
    unsafe_selinux_options,
    automount_service_account_token,
)
