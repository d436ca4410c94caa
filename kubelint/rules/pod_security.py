"""Pod Security admission: one rule per check of the admission controller.

These rules report only pods where a Pod Security level is in force:

- `--pod-security LEVEL` (config key `pod-security`) enforces LEVEL for every pod, at the policy
  version of `--kubernetes-version` (default: the newest);
- a Namespace in the linted set labelled `pod-security.kubernetes.io/enforce` (`warn`, `audit`,
  each with its `-version` label) sets the levels of its pods; a mode without a label falls back
  to `--pod-security` for enforce, as the controller's cluster-wide defaults do.

A violation of an enforced level is an error (the pod would be rejected), of a warn or audit level
a warning. Workloads are judged by their pod templates. The verdict is the controller's: a pod it
would admit gets nothing from these rules, one it would reject gets a finding for each offending
field of each failed check (see kubelint/pod_security.py and docs/pod-security.md).

Where a best-practice rule of the `security` category flags the same field as one of these rules,
the reader sees it once: `fold_overlaps` marks the security rule's diagnostic suppressed ("reported
by pss-..."; `--show-suppressed` shows it) and lends its fix to the admission diagnostic.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache

from kubelint.k8s import WORKLOADS, Resource, ResourceIndex, object_label
from kubelint.model import Diagnostic, Finding, Related, Severity
from kubelint.pod_security import (BY_ID, LABEL_PREFIX, LEVELS, NEWEST, PRIVILEGED, PSA_URL,
                                   PSS_URL, Check, Policy, is_active, labelled,
                                   namespace_policies, parse_version, pod_of, show_version)
from kubelint.rule import Context, rule

CATEGORY = "pod-security"
LEVEL_OPTION = "pod-security"
VERSION_OPTION = "kubernetes-version"
OPTIONS_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {
        LEVEL_OPTION: {"enum": list(LEVELS),
                       "description": "The level enforced for every pod (default: none; "
                                      "Namespace labels in the linted set still apply)."},
        VERSION_OPTION: {"type": "string", "pattern": r"^v?1\.[0-9]+(\.[0-9]+)?$",
                         "description": "The policy version, 1.0 or later (default: the newest, "
                                        f"{show_version(NEWEST)})."},
    },
}
USER_NAMESPACES_URL = ("https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/"
                       "#integration-with-pod-security-admission-checks")

_VERBS = {"enforce": "would be rejected at admission by",
          "warn": "would draw an admission warning from",
          "audit": "would be recorded in the audit log by"}
_SEVERITY = {"enforce": Severity.ERROR, "warn": Severity.WARNING, "audit": Severity.WARNING}


@lru_cache(maxsize=32)
def _default_policy(level: object, version: object) -> Policy | None:
    if not isinstance(level, str) or level not in LEVELS or level == PRIVILEGED:
        return None
    return Policy("enforce", level, parse_version(version) or NEWEST)


def _labelled_namespaces(index: ResourceIndex) -> dict[str, Resource]:
    return {ns.name: ns for ns in index.of_kind("Namespace") if ns.name and labelled(ns)}


def policies_for(res: Resource, ctx: Context) -> tuple[Policy, ...]:
    """The policies in force for the object's pods, strongest mode first."""
    default = _default_policy(ctx.options.get(LEVEL_OPTION), ctx.options.get(VERSION_OPTION))
    namespaces = ctx.index.cached((CATEGORY, "namespaces"), _labelled_namespaces)
    ns = namespaces.get(res.namespace) if namespaces and res.namespace else None
    if ns is not None:
        return namespace_policies(ns, default)
    return (default,) if default is not None else ()


def _subject(res: Resource) -> str:
    if res.kind == "Pod":
        return f"pod {res.name!r}" if res.name else "pod <unnamed>"
    return f"pods of {object_label(res)}"


def admission(check: Check, res: Resource, ctx: Context) -> Iterator[Finding]:
    """The findings of one check for the object's pods under the policies in force."""
    policies = policies_for(res, ctx)
    if not policies:
        return
    pod = pod_of(res)
    if pod is None:
        return
    seen: set = set()
    for policy in policies:
        if not is_active(check, policy.level, policy.version):
            continue
        related: tuple[Related, ...] = ()
        if policy.namespace is not None:
            key = LABEL_PREFIX + policy.mode
            related = (Related(policy.namespace, ("metadata", "labels", key),
                               f"namespace {policy.namespace.name!r} sets {key}: {policy.level}"),)
        for path, detail in check.find(pod, policy.version):
            if path in seen:
                continue
            seen.add(path)
            yield Finding(path, f"{_subject(res)} {_VERBS[policy.mode]} {policy.label()}: "
                                f"{detail}", related=related, severity=_SEVERITY[policy.mode])


def _meta(check_id: str, summary: str, rationale: str, remediation: str,
          references: Iterable[str] = ()) -> dict:
    check = BY_ID[check_id]
    return dict(id=check.rule, category=CATEGORY, severity=Severity.ERROR, kinds=WORKLOADS,
                scope="bundle", summary=summary, rationale=rationale, remediation=remediation,
                references=(PSS_URL, PSA_URL, *references),
                equivalents={"pod-security": [check.id]},
                options_schema=OPTIONS_SCHEMA, defaults={})


# --- baseline -------------------------------------------------------------------------------------

@rule(**_meta(
    "hostNamespaces",
    summary="Pod Security baseline: a pod shares the node's network, process or IPC namespace.",
    rationale="Sharing host namespaces lets the pod see the node's traffic, processes or shared "
              "memory; baseline rejects hostNetwork, hostPID and hostIPC.",
    remediation="Remove hostNetwork, hostPID and hostIPC, or set them to false."))
def pss_host_namespaces(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["hostNamespaces"], res, ctx)


@rule(**_meta(
    "privileged",
    summary="Pod Security baseline: a container is privileged.",
    rationale="A privileged container has every device and capability of the node; baseline "
              "rejects it.",
    remediation="Remove securityContext.privileged or set it to false."))
def pss_privileged(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["privileged"], res, ctx)


@rule(**_meta(
    "capabilities_baseline",
    summary="Pod Security baseline: a container adds a capability beyond the runtime's default "
            "set.",
    rationale="Baseline allows adding only the capabilities container runtimes grant anyway "
              "(without NET_RAW); anything else, such as SYS_ADMIN or NET_ADMIN, is rejected. The "
              "names are compared exactly as written: CAP_SYS_CHROOT or lower case is rejected.",
    remediation="Remove the capability from securityContext.capabilities.add."))
def pss_capabilities_baseline(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["capabilities_baseline"], res, ctx)


@rule(**_meta(
    "hostPathVolumes",
    summary="Pod Security baseline: a pod has a hostPath volume.",
    rationale="A hostPath volume exposes the node's filesystem; baseline rejects every one.",
    remediation="Replace the hostPath volume with an emptyDir, a ConfigMap or Secret, or a "
                "PersistentVolumeClaim."))
def pss_host_path_volumes(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["hostPathVolumes"], res, ctx)


@rule(**_meta(
    "hostPorts",
    summary="Pod Security baseline: a container binds a port of the node (hostPort).",
    rationale="Baseline rejects every non-zero hostPort. With hostNetwork: true the API server "
              "sets each container port's hostPort to its containerPort, so those count too.",
    remediation="Remove hostPort (and hostNetwork) and expose the pod through a Service."))
def pss_host_ports(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["hostPorts"], res, ctx)


@rule(**_meta(
    "appArmorProfile",
    summary="Pod Security baseline: a pod or container turns AppArmor off or overrides it with "
            "an unknown profile.",
    rationale="Baseline allows only the RuntimeDefault and Localhost profiles (and the legacy "
              "annotation values runtime/default and localhost/*); Unconfined is rejected.",
    remediation="Remove appArmorProfile (or the annotation), or use RuntimeDefault or a "
                "Localhost profile."))
def pss_apparmor_profile(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["appArmorProfile"], res, ctx)


@rule(**_meta(
    "seLinuxOptions",
    summary="Pod Security baseline: a pod or container sets an SELinux user, role or a type "
            "outside the container types.",
    rationale="Custom SELinux labels can give a container a host process's access; baseline "
              "allows only container_t, container_init_t, container_kvm_t and, from policy 1.31, "
              "container_engine_t, and no user or role.",
    remediation="Remove seLinuxOptions.user and role and use a container type, or none."))
def pss_selinux_options(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["seLinuxOptions"], res, ctx)


@rule(**_meta(
    "procMount",
    summary="Pod Security baseline: a container unmasks /proc (procMount other than Default).",
    rationale="The default /proc mount masks the paths that expose the host kernel. From policy "
              "1.35 baseline allows any procMount in a pod with hostUsers: false, where the "
              "container's root is not the node's.",
    remediation="Remove securityContext.procMount or set it to Default (or run the pod with "
                "hostUsers: false).",
    references=(USER_NAMESPACES_URL,)))
def pss_proc_mount(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["procMount"], res, ctx)


@rule(**_meta(
    "seccompProfile_baseline",
    summary="Pod Security baseline: a pod or container turns seccomp off (a profile other than "
            "RuntimeDefault or Localhost).",
    rationale="Without a seccomp profile every syscall is open to the container. Baseline rejects "
              "a set profile of another type (Unconfined); before policy 1.19 it read the "
              "seccomp.security.alpha.kubernetes.io annotations instead.",
    remediation="Set seccompProfile.type to RuntimeDefault or Localhost, or remove it."))
def pss_seccomp_profile_baseline(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["seccompProfile_baseline"], res, ctx)


@rule(**_meta(
    "sysctls",
    summary="Pod Security baseline: a pod sets a sysctl outside the safe set of its policy "
            "version.",
    rationale="Unsafe sysctls are not isolated between pods and can change the node's kernel for "
              "everyone. The safe set grew in 1.27, 1.29, 1.32 and 1.37: a pod admitted at one "
              "policy version can be rejected at an older one.",
    remediation="Remove the sysctl, or pin the namespace to a policy version that allows it."))
def pss_sysctls(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["sysctls"], res, ctx)


@rule(**_meta(
    "windowsHostProcess",
    summary="Pod Security baseline: a Windows pod or container runs as a host process.",
    rationale="A HostProcess container runs on the Windows node itself, with its network and "
              "files: baseline rejects it.",
    remediation="Remove windowsOptions.hostProcess or set it to false."))
def pss_windows_host_process(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["windowsHostProcess"], res, ctx)


@rule(**_meta(
    "hostProbesAndHostLifecycle",
    summary="Pod Security baseline (policy 1.34+): a probe or lifecycle hook sets a host.",
    rationale="A probe or hook with a host makes the kubelet connect wherever it points, from "
              "the node's network: a way to reach node-local services. Baseline rejects a "
              "non-empty httpGet.host or tcpSocket.host from policy 1.34.",
    remediation="Remove the host so that the probe or hook targets the pod's own IP."))
def pss_probe_host(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["hostProbesAndHostLifecycle"], res, ctx)


# --- restricted -----------------------------------------------------------------------------------

@rule(**_meta(
    "restrictedVolumes",
    summary="Pod Security restricted: a pod has a volume of a type other than configMap, csi, "
            "downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or "
            "secret.",
    rationale="Restricted allows only volume types that do not reach the node or a storage "
              "backend directly; a volume with no source is an emptyDir and passes.",
    remediation="Use a PersistentVolumeClaim instead of a direct volume source (nfs, hostPath, "
                "...), or one of the allowed types."))
def pss_restricted_volumes(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["restrictedVolumes"], res, ctx)


@rule(**_meta(
    "allowPrivilegeEscalation",
    summary="Pod Security restricted: a container does not set allowPrivilegeEscalation: false.",
    rationale="Unless it is false, setuid binaries and file capabilities let a process gain "
              "privileges. Restricted requires it on every container, except, from policy 1.25, "
              "in Windows pods.",
    remediation="Set securityContext.allowPrivilegeEscalation: false on every container."))
def pss_allow_privilege_escalation(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["allowPrivilegeEscalation"], res, ctx)


@rule(**_meta(
    "runAsNonRoot",
    summary="Pod Security restricted: a container may run as root (runAsNonRoot is not true).",
    rationale="Restricted requires runAsNonRoot: true on the pod or on every container, and no "
              "false anywhere. From policy 1.35 a pod with hostUsers: false is exempt.",
    remediation="Set securityContext.runAsNonRoot: true in the pod spec and remove any false.",
    references=(USER_NAMESPACES_URL,)))
def pss_run_as_non_root(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["runAsNonRoot"], res, ctx)


@rule(**_meta(
    "runAsUser",
    summary="Pod Security restricted (policy 1.23+): a pod or container sets runAsUser: 0.",
    rationale="Restricted rejects an explicit root uid at either level from policy 1.23; from "
              "1.35 a pod with hostUsers: false is exempt.",
    remediation="Set runAsUser to a non-zero uid, or remove it.",
    references=(USER_NAMESPACES_URL,)))
def pss_run_as_user(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["runAsUser"], res, ctx)


@rule(**_meta(
    "seccompProfile_restricted",
    summary="Pod Security restricted (policy 1.19+): a pod sets no seccomp profile, or one other "
            "than RuntimeDefault or Localhost.",
    rationale="Restricted requires a RuntimeDefault or Localhost profile on the pod or on every "
              "container. From policy 1.25 Windows pods are exempt.",
    remediation="Set securityContext.seccompProfile.type: RuntimeDefault in the pod spec."))
def pss_seccomp_profile_restricted(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["seccompProfile_restricted"], res, ctx)


@rule(**_meta(
    "capabilities_restricted",
    summary="Pod Security restricted (policy 1.22+): a container does not drop ALL capabilities "
            "or adds one other than NET_BIND_SERVICE.",
    rationale="Restricted requires capabilities.drop to hold ALL and allows adding back only "
              "NET_BIND_SERVICE, written exactly so. From policy 1.25 Windows pods are exempt.",
    remediation="Set securityContext.capabilities.drop: [ALL] and add at most NET_BIND_SERVICE."))
def pss_capabilities_restricted(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["capabilities_restricted"], res, ctx)


@rule(**_meta(
    "procMount_restricted",
    summary="Pod Security restricted (policy 1.35+): a container unmasks /proc, even in a user "
            "namespace.",
    rationale="From policy 1.35 baseline allows any procMount with hostUsers: false; restricted "
              "keeps forbidding anything but Default.",
    remediation="Remove securityContext.procMount or set it to Default."))
def pss_proc_mount_restricted(res: Resource, ctx: Context) -> Iterator[Finding]:
    return admission(BY_ID["procMount_restricted"], res, ctx)


RULES = (
    pss_host_namespaces,
    pss_privileged,
    pss_capabilities_baseline,
    pss_host_path_volumes,
    pss_host_ports,
    pss_apparmor_profile,
    pss_selinux_options,
    pss_proc_mount,
    pss_seccomp_profile_baseline,
    pss_sysctls,
    pss_windows_host_process,
    pss_probe_host,
    pss_restricted_volumes,
    pss_allow_privilege_escalation,
    pss_run_as_non_root,
    pss_run_as_user,
    pss_seccomp_profile_restricted,
    pss_capabilities_restricted,
    pss_proc_mount_restricted,
)

SUPERSEDES: dict[str, frozenset[str]] = {
    "pss-host-namespaces": frozenset({"host-network", "host-pid", "host-ipc"}),
    "pss-privileged": frozenset({"privileged-container", "privilege-escalation-container"}),
    "pss-capabilities-baseline": frozenset({"dangerous-capabilities",
                                            "privilege-escalation-container"}),
    "pss-host-path-volumes": frozenset({"host-path-volume"}),
    "pss-host-ports": frozenset({"host-port"}),
    "pss-apparmor-profile": frozenset({"apparmor-unconfined"}),
    "pss-selinux-options": frozenset({"unsafe-selinux-options"}),
    "pss-proc-mount": frozenset({"unsafe-proc-mount"}),
    "pss-seccomp-profile-baseline": frozenset({"seccomp-profile-unconfined"}),
    "pss-sysctls": frozenset({"unsafe-sysctls"}),
    "pss-windows-host-process": frozenset({"host-process"}),
    "pss-restricted-volumes": frozenset({"host-path-volume"}),
    "pss-allow-privilege-escalation": frozenset({"privilege-escalation-container"}),
    "pss-run-as-non-root": frozenset({"run-as-non-root"}),
    "pss-run-as-user": frozenset({"run-as-root-user"}),
    "pss-seccomp-profile-restricted": frozenset({"seccomp-profile-missing",
                                                 "seccomp-profile-unconfined"}),
    "pss-capabilities-restricted": frozenset({"capabilities-not-dropped", "net-raw-not-dropped",
                                              "dangerous-capabilities",
                                              "privilege-escalation-container"}),
    "pss-proc-mount-restricted": frozenset({"unsafe-proc-mount"}),
}
"""The security rules each admission rule supersedes where both flag the same field."""


def fold_overlaps(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Show a field once: a security rule's diagnostic at the start of an active admission
    diagnostic that supersedes it is marked suppressed, and lends its fix to the admission one."""
    admitted: dict[tuple, list[Diagnostic]] = {}
    for d in diagnostics:
        if d.rule_id in SUPERSEDES and d.suppressed_by is None:
            admitted.setdefault((d.file, d.document, d.span.start), []).append(d)
    if not admitted:
        return diagnostics
    lent: dict[int, Diagnostic] = {}
    out: list[Diagnostic] = []
    for d in diagnostics:
        here = admitted.get((d.file, d.document, d.span.start)) if d.suppressed_by is None else None
        owner = next((a for a in here or () if d.rule_id in SUPERSEDES[a.rule_id]), None)
        if owner is not None:
            d = replace(d, suppressed_by=f"pod-security: reported by {owner.rule_id}")
            if owner.fix is None and d.fix is not None:
                lent.setdefault(id(owner), d)
        out.append(d)
    if lent:
        out = [replace(d, fix=lent[id(d)].fix) if id(d) in lent else d for d in out]
    return out
