"""PodSecurityPolicy objects (policy/v1beta1): what a policy admits.

PodSecurityPolicy was removed in Kubernetes 1.25, but clusters before it still enforce the policies
their manifests carry. These rules read the policy object itself; the same settings on the pods are
the security rules' business. All are off by default: enable them together by category
(`select: [pod-security-policy]`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubelint.k8s import Resource, as_dict, as_list, is_int, object_label
from kubelint.model import Finding, Severity
from kubelint.rule import Context, rule

PSP = "pod-security-policy"
KINDS = ("PodSecurityPolicy",)

PSP_URL = "https://v1-24.docs.kubernetes.io/docs/concepts/security/pod-security-policy/"
PSS_URL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
SECCOMP_ANNOTATION = "seccomp.security.alpha.kubernetes.io/defaultProfileName"
DEFAULT_SECCOMP_PROFILES = ("runtime/default", "docker/default")


def _spec(res: Resource) -> dict:
    return as_dict(res.obj.get("spec"))


def _admits(res: Resource, field: str, what: str) -> Iterator[Finding]:
    """A boolean `spec.<field>` set to anything but false (null reads as unset)."""
    value = _spec(res).get(field)
    if value is not None and value is not False:
        yield Finding(("spec", field), f"{object_label(res)} admits {what} ({field}: "
                                       f"{str(value).lower()})")


@rule(
    id="psp-privileged", category=PSP, severity=Severity.ERROR, kinds=KINDS,
    default_enabled=False,
    summary="A PodSecurityPolicy admits privileged containers.",
    rationale="A privileged container gets every device and capability of the node; any pod "
              "allowed to use this policy can take over the node.",
    remediation="Remove spec.privileged or set it to false, and give the few workloads that need "
                "it a separate policy bound only to their service accounts.",
    references=(PSP_URL, PSS_URL),
    equivalents={"checkov": "CKV_K8S_2"},
)
def psp_privileged(res: Resource, ctx: Context) -> Iterator[Finding]:
    yield from _admits(res, "privileged", "privileged containers")


@rule(
    id="psp-host-pid", category=PSP, severity=Severity.ERROR, kinds=KINDS,
    default_enabled=False,
    summary="A PodSecurityPolicy admits pods sharing the node's process namespace (hostPID).",
    rationale="A pod in the host PID namespace sees every process on the node, can signal them "
              "and read their environment and files through /proc.",
    remediation="Remove spec.hostPID or set it to false.",
    references=(PSP_URL, PSS_URL),
    equivalents={"checkov": "CKV_K8S_1"},
)
def psp_host_pid(res: Resource, ctx: Context) -> Iterator[Finding]:
    yield from _admits(res, "hostPID", "pods in the node's process namespace")


@rule(
    id="psp-host-ipc", category=PSP, severity=Severity.ERROR, kinds=KINDS,
    default_enabled=False,
    summary="A PodSecurityPolicy admits pods sharing the node's IPC namespace (hostIPC).",
    rationale="A pod in the host IPC namespace can read and write the shared memory of every "
              "process on the node.",
    remediation="Remove spec.hostIPC or set it to false.",
    references=(PSP_URL, PSS_URL),
    equivalents={"checkov": "CKV_K8S_3"},
)
def psp_host_ipc(res: Resource, ctx: Context) -> Iterator[Finding]:
    yield from _admits(res, "hostIPC", "pods in the node's IPC namespace")


@rule(
    id="psp-host-network", category=PSP, severity=Severity.ERROR, kinds=KINDS,
    default_enabled=False,
    summary="A PodSecurityPolicy admits pods on the node's network (hostNetwork).",
    rationale="A pod on the host network can listen on and sniff the node's interfaces, reach "
              "services bound to localhost and bypass network policies.",
    remediation="Remove spec.hostNetwork or set it to false.",
    references=(PSP_URL, PSS_URL),
    equivalents={"checkov": "CKV_K8S_4"},
)
def psp_host_network(res: Resource, ctx: Context) -> Iterator[Finding]:
    yield from _admits(res, "hostNetwork", "pods on the node's network")


@rule(
    id="psp-privilege-escalation", category=PSP, severity=Severity.WARNING, kinds=KINDS,
    default_enabled=False,
    summary="A PodSecurityPolicy admits containers that may gain privileges "
            "(allowPrivilegeEscalation unset or true).",
    rationale="With privilege escalation allowed, a process can gain more privileges than its "
              "parent through setuid binaries or file capabilities. PodSecurityPolicy allows it "
              "unless the policy says false.",
    remediation="Set spec.allowPrivilegeEscalation: false.",
    references=(PSP_URL, PSS_URL),
    equivalents={"checkov": "CKV_K8S_5"},
)
def psp_privilege_escalation(res: Resource, ctx: Context) -> Iterator[Finding]:
    value = _spec(res).get("allowPrivilegeEscalation")
    if value is False:
        return
    why = "does not set allowPrivilegeEscalation: false" if value is None else \
        f"sets allowPrivilegeEscalation: {str(value).lower()}"
    yield Finding(("spec", "allowPrivilegeEscalation"),
                  f"{object_label(res)} admits privilege escalation: it {why}")


def _root_allowed(run_as_user: dict) -> tuple[tuple, str] | None:
    """(path under runAsUser, why) when the runAsUser strategy admits UID 0, else None."""
    strategy = run_as_user.get("rule")
    if strategy == "MustRunAsNonRoot":
        return None
    if strategy != "MustRunAs":
        return ("rule",), (f"its runAsUser rule is {strategy!r}" if isinstance(strategy, str)
                           else "it sets no runAsUser rule")
    ranges = as_list(run_as_user.get("ranges"))
    if not ranges:
        return ("rule",), "its MustRunAs runAsUser rule lists no ranges"
    for i, item in enumerate(ranges):
        low = as_dict(item).get("min")
        if is_int(low) and low <= 0:
            return ("ranges", i), f"runAsUser range {i} starts at {low}"
    return None


@rule(
    id="psp-root-user", category=PSP, severity=Severity.WARNING, kinds=KINDS,
    default_enabled=False,
    summary="A PodSecurityPolicy admits containers running as root (runAsUser is not "
            "MustRunAsNonRoot or a MustRunAs range above 0).",
    rationale="A process running as UID 0 is root on the node if it escapes the container, and "
              "owns every root-owned file a volume exposes.",
    remediation="Set spec.runAsUser.rule to MustRunAsNonRoot, or to MustRunAs with ranges whose "
                "min is at least 1.",
    references=(PSP_URL, PSS_URL),
    equivalents={"checkov": "CKV_K8S_6"},
)
def psp_root_user(res: Resource, ctx: Context) -> Iterator[Finding]:
    run_as_user = as_dict(_spec(res).get("runAsUser"))
    found = _root_allowed(run_as_user)
    if found is not None:
        where, why = found
        yield Finding(("spec", "runAsUser", *where),
                      f"{object_label(res)} admits containers running as root: {why}")


def _capabilities(value: Any) -> list[str]:
    return [c.upper().removeprefix("CAP_") for c in as_list(value) if isinstance(c, str)]


@rule(
    id="psp-net-raw-capability", category=PSP, severity=Severity.WARNING, kinds=KINDS,
    default_enabled=False,
    summary="A PodSecurityPolicy does not require containers to drop NET_RAW (or ALL).",
    rationale="NET_RAW is in the default capability set of most runtimes; it lets a container "
              "craft raw packets, spoof addresses and run man-in-the-middle attacks on its "
              "neighbours. A policy that requires dropping it removes it from every pod.",
    remediation="Add NET_RAW (or ALL) to spec.requiredDropCapabilities.",
    references=(PSP_URL,),
    equivalents={"checkov": "CKV_K8S_7"},
)
def psp_net_raw_capability(res: Resource, ctx: Context) -> Iterator[Finding]:
    dropped = _capabilities(_spec(res).get("requiredDropCapabilities"))
    if "ALL" not in dropped and "NET_RAW" not in dropped:
        yield Finding(("spec", "requiredDropCapabilities"),
                      f"{object_label(res)} does not require dropping NET_RAW")


@rule(
    id="psp-added-capabilities", category=PSP, severity=Severity.WARNING, kinds=KINDS,
    default_enabled=False,
    summary="A PodSecurityPolicy lets containers add capabilities (allowedCapabilities).",
    rationale="Every capability a policy allows can be added by any pod using it; most "
              "workloads need none beyond the runtime's defaults, and '*' allows them all.",
    remediation="Remove spec.allowedCapabilities, or keep it for a separate policy bound only "
                "to the workloads that need those capabilities.",
    references=(PSP_URL,),
    equivalents={"checkov": "CKV_K8S_24"},
)
def psp_added_capabilities(res: Resource, ctx: Context) -> Iterator[Finding]:
    allowed = as_list(_spec(res).get("allowedCapabilities"))
    if allowed:
        names = ", ".join(str(c) for c in allowed)
        yield Finding(("spec", "allowedCapabilities"),
                      f"{object_label(res)} lets containers add capabilities: {names}")


@rule(
    id="psp-no-dropped-capabilities", category=PSP, severity=Severity.INFO, kinds=KINDS,
    default_enabled=False,
    summary="A PodSecurityPolicy requires no capability to be dropped "
            "(requiredDropCapabilities missing or empty).",
    rationale="Containers then keep the runtime's default capabilities (CHOWN, DAC_OVERRIDE, "
              "SETUID, NET_RAW, ...), which few applications need and which widen what an "
              "attacker can do inside the container.",
    remediation="List the capabilities to drop in spec.requiredDropCapabilities, ideally ALL.",
    references=(PSP_URL,),
    equivalents={"checkov": "CKV_K8S_36"},
)
def psp_no_dropped_capabilities(res: Resource, ctx: Context) -> Iterator[Finding]:
    if not as_list(_spec(res).get("requiredDropCapabilities")):
        yield Finding(("spec", "requiredDropCapabilities"),
                      f"{object_label(res)} requires no capability to be dropped")


@rule(
    id="psp-seccomp-default", category=PSP, severity=Severity.WARNING, kinds=KINDS,
    default_enabled=False,
    summary="A PodSecurityPolicy gives pods no default seccomp profile (runtime/default or "
            "docker/default).",
    rationale="Without a default profile, pods that set none run unconfined, with every system "
              "call available to an attacker; the runtime's default profile blocks the rarely "
              "needed and often exploited ones.",
    remediation=f"Add the annotation {SECCOMP_ANNOTATION}: runtime/default to the policy's "
                "metadata.",
    references=(PSP_URL, "https://kubernetes.io/docs/tutorials/security/seccomp/"),
    equivalents={"checkov": "CKV_K8S_32"},
)
def psp_seccomp_default(res: Resource, ctx: Context) -> Iterator[Finding]:
    value = res.annotations.get(SECCOMP_ANNOTATION)
    if value in DEFAULT_SECCOMP_PROFILES:
        return
    if value is None:
        where = ("metadata", "annotations") if res.annotations else ("metadata",)
        yield Finding(where, f"{object_label(res)} sets no default seccomp profile")
    else:
        yield Finding(("metadata", "annotations", SECCOMP_ANNOTATION),
                      f"{object_label(res)} sets the default seccomp profile {value!r}, not "
                      "runtime/default")


RULES = (
    psp_privileged, psp_host_pid, psp_host_ipc, psp_host_network, psp_privilege_escalation,
    psp_root_user, psp_net_raw_capability, psp_added_capabilities, psp_no_dropped_capabilities,
    psp_seccomp_default,
)
