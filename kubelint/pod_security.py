"""The Pod Security Standards as the Pod Security Admission controller applies them.

Each check of the admission controller is a `Check` here: its id (the controller's), its level,
the policy versions where its meaning changed, the baseline checks it replaces at "restricted",
and a function listing the fields of a pod that break it. `evaluate(res, level, version)` gives
the verdict for the pods of one object: one `Violation` per offending field, none when the
controller would admit the pod.

How the controller reads a pod, and so how the checks do:

- Policy versions run from 1.0 to `NEWEST`; a newer version, or `latest`, means `NEWEST`. Each
  check uses the newest of its variants at or below the version asked for.
- "restricted" is every baseline check except those a restricted check overrides, plus the
  restricted checks.
- Containers are init, regular and ephemeral containers alike; a setting both the pod and a
  container hold is judged where it is written (the container's wins where a check says so).
- The API server applies defaults before admission: a volume with no source is an `emptyDir`, and
  with `hostNetwork: true` every container port without a hostPort gets its containerPort as one.
- From policy 1.25, pods with `spec.os.name: windows` are exempt from the Linux-only restricted
  checks (privilege escalation, seccomp, capabilities); from 1.35 `hostUsers: false` (a user
  namespace) relaxes runAsNonRoot, runAsUser and baseline's procMount.
- Only real YAML booleans and integers count: a quoted "true" fails decoding at the API server
  before admission, so it is neither a violation nor a pass here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kubelint.k8s import Container, Resource, as_dict, as_list, containers, is_int, pod_spec
from kubelint.k8s import pod_template_metadata
from kubelint.model import YamlPath
from kubelint.security_context import (
    APPARMOR_CONTAINER_ANNOTATION,
    BASELINE_CAPABILITIES,
    PROFILE_TYPES,
    SECCOMP_CONTAINER_ANNOTATION,
    SECCOMP_POD_ANNOTATION,
    Version,
    safe_sysctls,
    selinux_types,
)

PRIVILEGED, BASELINE, RESTRICTED = "privileged", "baseline", "restricted"
LEVELS = (PRIVILEGED, BASELINE, RESTRICTED)
"""The three levels, least strict first."""

NEWEST: Version = (1, 37)
"""The newest policy version: the newest version at which any check changed."""

LABEL_PREFIX = "pod-security.kubernetes.io/"
MODES = ("enforce", "warn", "audit")
"""Admission modes, strongest first: enforce rejects the pod, warn and audit only report it."""

PSS_URL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
PSA_URL = "https://kubernetes.io/docs/concepts/security/pod-security-admission/"


# --- versions and levels --------------------------------------------------------------------------

def parse_version(text: object) -> Version | None:
    """`"1.25"`, `"v1.25"`, `"1.25.3"` as (1, 25), clamped to NEWEST; `"latest"` is NEWEST; None
    for anything else."""
    if not isinstance(text, str):
        return None
    if text.strip() == "latest":
        return NEWEST
    match = re.fullmatch(r"v?1\.([0-9]+)(?:\.[0-9]+)?", text.strip())
    return min((1, int(match.group(1))), NEWEST) if match else None


def label_version(text: object) -> Version:
    """An `enforce-version` (`warn-version`, ...) label as the controller reads it: `latest` or
    `v1.N`; anything else, or no label, means latest."""
    if isinstance(text, str) and re.fullmatch(r"v1\.[0-9]+", text):
        return min((1, int(text[3:])), NEWEST)
    return NEWEST


def label_level(text: object) -> str:
    """A level label as the controller reads it: an unknown value means restricted."""
    return text if isinstance(text, str) and text in LEVELS else RESTRICTED


def show_version(version: Version) -> str:
    return f"v{version[0]}.{version[1]}"


# --- the pod as the checks see it -----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Pod:
    """The parts of a pod-bearing object the checks read, with their paths."""

    spec_path: YamlPath
    spec: dict
    containers: tuple[Container, ...]
    annotations_path: YamlPath
    annotations: dict

    @property
    def context_path(self) -> YamlPath:
        return (*self.spec_path, "securityContext")

    @property
    def context(self) -> dict:
        return as_dict(self.spec.get("securityContext"))

    @property
    def windows(self) -> bool:
        return as_dict(self.spec.get("os")).get("name") == "windows"

    @property
    def user_namespace(self) -> bool:
        return self.spec.get("hostUsers") is False

    def contexts(self) -> Iterator[tuple[YamlPath, dict, str]]:
        """The pod's security context, then each container's: (path, mapping, who)."""
        yield self.context_path, self.context, "the pod"
        for c in self.containers:
            yield (*c.path, "securityContext"), c.security_context, f"container {c.name!r}"


def pod_of(res: Resource) -> Pod | None:
    """The pod an object runs (its own spec for a Pod, its template otherwise), or None."""
    return res.derive("pod_security.pod", _pod_of)


def _pod_of(res: Resource) -> Pod | None:
    found = pod_spec(res)
    if found is None:
        return None
    meta_path, meta = pod_template_metadata(res)
    return Pod(found[0], found[1], tuple(containers(res)), (*meta_path, "annotations"),
               as_dict(meta.get("annotations")))


# --- the checks -----------------------------------------------------------------------------------

Found = Iterator[tuple[YamlPath, str]]
"""What a check yields: the path of each offending field and what is wrong with it."""


@dataclass(frozen=True, slots=True)
class Check:
    """One check of the admission controller."""

    id: str  # the controller's check id
    rule: str  # the kubelint rule that reports it
    level: str  # baseline or restricted
    title: str  # the control's name in the Pod Security Standards
    since: Version  # the first policy version with the check
    changes: tuple[tuple[Version, str], ...]  # later versions and what changed in each
    overrides: str | None  # the baseline check it replaces at restricted, from `since`
    find: Callable[[Pod, Version], Found]
    fields: str  # what it reads, for docs


def _sc(c: Container, *keys: str) -> YamlPath:
    return (*c.path, "securityContext", *keys)


def _host_namespaces(pod: Pod, version: Version) -> Found:
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.spec.get(key) is True:
            yield (*pod.spec_path, key), f"the pod sets {key}: true"


def _privileged(pod: Pod, version: Version) -> Found:
    for c in pod.containers:
        if c.security_context.get("privileged") is True:
            yield _sc(c, "privileged"), f"container {c.name!r} sets privileged: true"


def _added(c: Container) -> Iterator[tuple[int, str]]:
    for i, item in enumerate(as_list(as_dict(c.security_context.get("capabilities")).get("add"))):
        if isinstance(item, str):
            yield i, item


def _capabilities_baseline(pod: Pod, version: Version) -> Found:
    for c in pod.containers:
        for i, name in _added(c):
            if name not in BASELINE_CAPABILITIES:
                yield (_sc(c, "capabilities", "add", i),
                       f"container {c.name!r} adds capability {name!r}, beyond the default set")


def _volumes(pod: Pod) -> Iterator[tuple[int, dict]]:
    for i, volume in enumerate(as_list(pod.spec.get("volumes"))):
        if isinstance(volume, dict):
            yield i, volume


def _volume_label(i: int, volume: dict) -> str:
    name = volume.get("name")
    return f"volume {name!r}" if isinstance(name, str) else f"volume #{i}"


def _host_path_volumes(pod: Pod, version: Version) -> Found:
    for i, volume in _volumes(pod):
        if isinstance(volume.get("hostPath"), dict):
            yield ((*pod.spec_path, "volumes", i, "hostPath"),
                   f"{_volume_label(i, volume)} is a hostPath volume")


def _ports(c: Container) -> Iterator[tuple[int, dict]]:
    for i, port in enumerate(as_list(c.spec.get("ports"))):
        if isinstance(port, dict):
            yield i, port


def _host_ports(pod: Pod, version: Version) -> Found:
    host_network = pod.spec.get("hostNetwork") is True
    for c in pod.containers:
        for i, port in _ports(c):
            host = port.get("hostPort")
            if is_int(host) and host != 0:
                yield ((*c.path, "ports", i, "hostPort"),
                       f"container {c.name!r} sets hostPort {host}")
            elif (host_network and c.list_name != "ephemeralContainers"
                  and is_int(port.get("containerPort")) and port["containerPort"] != 0):
                # The API server defaults hostPort to containerPort on the host network.
                yield ((*c.path, "ports", i),
                       f"container {c.name!r} gets hostPort {port['containerPort']} "
                       "from hostNetwork: true")


def _profile_type(sc: dict, key: str) -> tuple[tuple[str, ...], object] | None:
    """(keys, type) of a set `seccompProfile`/`appArmorProfile` whose type keeps no profile."""
    profile = sc.get(key)
    if not isinstance(profile, dict):
        return None
    kind = profile.get("type")
    if isinstance(kind, str) and kind in PROFILE_TYPES:
        return None
    return ((key, "type") if "type" in profile else (key,)), kind


def _profile(key: str, value: object) -> str:
    """How a message names a profile: `appArmorProfile 'Unconfined'`, `a seccompProfile without
    a type`."""
    if value is None:
        return f"a {key} without a type"
    return f"{key} {value!r}" if isinstance(value, str) else f"{key} type {value}"


def _apparmor(pod: Pod, version: Version) -> Found:
    for path, sc, who in pod.contexts():
        bad = _profile_type(sc, "appArmorProfile")
        if bad is not None:
            yield (*path, *bad[0]), f"{who} sets {_profile('appArmorProfile', bad[1])}"
    for key, value in pod.annotations.items():
        if (isinstance(key, str) and key.startswith(APPARMOR_CONTAINER_ANNOTATION)
                and isinstance(value, str) and value not in ("", "runtime/default")
                and not value.startswith("localhost/")):
            yield (*pod.annotations_path, key), f"annotation {key} is {value!r}"


def _selinux(pod: Pod, version: Version) -> Found:
    allowed = selinux_types(version)
    for path, sc, who in pod.contexts():
        options = sc.get("seLinuxOptions")
        if not isinstance(options, dict):
            continue
        kind = options.get("type")
        if isinstance(kind, str) and kind not in allowed:
            yield (*path, "seLinuxOptions", "type"), f"{who} sets SELinux type {kind!r}"
        for key in ("user", "role"):
            value = options.get(key)
            if isinstance(value, str) and value:
                yield (*path, "seLinuxOptions", key), f"{who} sets SELinux {key} {value!r}"


def _unmasked(pod: Pod) -> Found:
    for c in pod.containers:
        mount = c.security_context.get("procMount")
        if isinstance(mount, str) and mount != "Default":
            yield _sc(c, "procMount"), f"container {c.name!r} sets procMount {mount!r}"


def _proc_mount(pod: Pod, version: Version) -> Found:
    if version >= (1, 35) and pod.user_namespace:
        return iter(())
    return _unmasked(pod)


def _proc_mount_restricted(pod: Pod, version: Version) -> Found:
    return _unmasked(pod)


def _seccomp_annotation_ok(value: object) -> bool:
    return not isinstance(value, str) or value in ("runtime/default", "docker/default") or (
        value.startswith("localhost/"))


def _seccomp_baseline(pod: Pod, version: Version) -> Found:
    if version < (1, 19):
        value = pod.annotations.get(SECCOMP_POD_ANNOTATION)
        if SECCOMP_POD_ANNOTATION in pod.annotations and not _seccomp_annotation_ok(value):
            yield ((*pod.annotations_path, SECCOMP_POD_ANNOTATION),
                   f"annotation {SECCOMP_POD_ANNOTATION} is {value!r}")
        for c in pod.containers:
            key = SECCOMP_CONTAINER_ANNOTATION + c.name
            value = pod.annotations.get(key)
            if key in pod.annotations and not _seccomp_annotation_ok(value):
                yield (*pod.annotations_path, key), f"annotation {key} is {value!r}"
        return
    for path, sc, who in pod.contexts():
        bad = _profile_type(sc, "seccompProfile")
        if bad is not None:
            yield (*path, *bad[0]), f"{who} sets {_profile('seccompProfile', bad[1])}"


def _sysctls(pod: Pod, version: Version) -> Found:
    allowed = safe_sysctls(version)
    for i, item in enumerate(as_list(pod.context.get("sysctls"))):
        name = as_dict(item).get("name")
        name = "" if name is None else name
        if isinstance(name, str) and name not in allowed:
            yield (*pod.context_path, "sysctls", i), f"the pod sets unsafe sysctl {name!r}"


def _host_process(pod: Pod, version: Version) -> Found:
    for path, sc, who in pod.contexts():
        if as_dict(sc.get("windowsOptions")).get("hostProcess") is True:
            yield ((*path, "windowsOptions", "hostProcess"),
                   f"{who} sets windowsOptions.hostProcess: true")


_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_HOOKS = ("postStart", "preStop")


def _probe_hosts(pod: Pod, version: Version) -> Found:
    for c in pod.containers:
        handlers = [((probe,), c.spec.get(probe)) for probe in _PROBES]
        lifecycle = as_dict(c.spec.get("lifecycle"))
        handlers += [(("lifecycle", hook), lifecycle.get(hook)) for hook in _HOOKS]
        for keys, handler in handlers:
            for action in ("httpGet", "tcpSocket"):
                host = as_dict(as_dict(handler).get(action)).get("host")
                if isinstance(host, str) and host:
                    yield ((*c.path, *keys, action, "host"),
                           f"container {c.name!r} sets {keys[-1]}.{action}.host {host!r}")


RESTRICTED_VOLUME_TYPES = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
                           "persistentVolumeClaim", "projected", "secret")
"""The volume sources "restricted" allows (image since Kubernetes 1.33, at every policy
version)."""


def _restricted_volumes(pod: Pod, version: Version) -> Found:
    for i, volume in _volumes(pod):
        if any(volume.get(t) is not None for t in RESTRICTED_VOLUME_TYPES):
            continue
        source = next((k for k, v in volume.items() if k != "name" and v is not None), None)
        if source is not None:  # no source at all is defaulted to an emptyDir
            yield ((*pod.spec_path, "volumes", i, source),
                   f"{_volume_label(i, volume)} uses the {source} volume type")


def _linux_only(pod: Pod, version: Version) -> bool:
    """Whether a Linux-only restricted check applies (Windows pods are exempt from 1.25)."""
    return not (version >= (1, 25) and pod.windows)


def _privilege_escalation(pod: Pod, version: Version) -> Found:
    if not _linux_only(pod, version):
        return
    for c in pod.containers:
        value = c.security_context.get("allowPrivilegeEscalation")
        if value is False:
            continue
        yield (_sc(c, "allowPrivilegeEscalation"),
               f"container {c.name!r} sets allowPrivilegeEscalation: true" if value is True else
               f"container {c.name!r} does not set allowPrivilegeEscalation: false")


def _run_as_non_root(pod: Pod, version: Version) -> Found:
    if version >= (1, 35) and pod.user_namespace:
        return
    pod_value = pod.context.get("runAsNonRoot")
    if pod_value is False:
        yield (*pod.context_path, "runAsNonRoot"), "the pod sets runAsNonRoot: false"
    for c in pod.containers:
        value = c.security_context.get("runAsNonRoot")
        if value is False:
            yield _sc(c, "runAsNonRoot"), f"container {c.name!r} sets runAsNonRoot: false"
        elif value is not True and not isinstance(pod_value, bool):
            yield (_sc(c, "runAsNonRoot"),
                   f"container {c.name!r} does not set runAsNonRoot: true, nor does the pod")


def _run_as_user(pod: Pod, version: Version) -> Found:
    if version >= (1, 35) and pod.user_namespace:
        return
    for path, sc, who in pod.contexts():
        uid = sc.get("runAsUser")
        if is_int(uid) and uid == 0:
            yield (*path, "runAsUser"), f"{who} sets runAsUser: 0"


def _seccomp_restricted(pod: Pod, version: Version) -> Found:
    if not _linux_only(pod, version):
        return
    pod_bad = _profile_type(pod.context, "seccompProfile")
    pod_set = isinstance(pod.context.get("seccompProfile"), dict)
    if pod_bad is not None:
        yield (*pod.context_path, *pod_bad[0]), f"the pod sets {_profile('seccompProfile', pod_bad[1])}"
    unset = []
    for c in pod.containers:
        bad = _profile_type(c.security_context, "seccompProfile")
        if bad is not None:
            yield _sc(c, *bad[0]), f"container {c.name!r} sets {_profile('seccompProfile', bad[1])}"
        elif not isinstance(c.security_context.get("seccompProfile"), dict) and not pod_set:
            unset.append(c)
    if unset and len(unset) == len(pod.containers):
        yield ((*pod.context_path, "seccompProfile"),
               "neither the pod nor its containers set seccompProfile RuntimeDefault or Localhost")
        return
    for c in unset:
        yield (_sc(c, "seccompProfile"),
               f"container {c.name!r} sets no seccompProfile, nor does the pod")


def _capabilities_restricted(pod: Pod, version: Version) -> Found:
    if not _linux_only(pod, version):
        return
    for c in pod.containers:
        drop = as_dict(c.security_context.get("capabilities")).get("drop")
        if "ALL" not in as_list(drop):
            yield _sc(c, "capabilities", "drop"), f"container {c.name!r} does not drop 'ALL'"
        for i, name in _added(c):
            if name != "NET_BIND_SERVICE":
                yield (_sc(c, "capabilities", "add", i),
                       f"container {c.name!r} adds capability {name!r}")


CHECKS: tuple[Check, ...] = (
    Check("hostNamespaces", "pss-host-namespaces", BASELINE, "Host namespaces", (1, 0), (), None,
          _host_namespaces, "spec.hostNetwork, spec.hostPID, spec.hostIPC"),
    Check("privileged", "pss-privileged", BASELINE, "Privileged containers", (1, 0), (), None,
          _privileged, "containers' securityContext.privileged"),
    Check("capabilities_baseline", "pss-capabilities-baseline", BASELINE, "Capabilities", (1, 0),
          (), None, _capabilities_baseline,
          "containers' securityContext.capabilities.add: only " +
          ", ".join(sorted(BASELINE_CAPABILITIES))),
    Check("hostPathVolumes", "pss-host-path-volumes", BASELINE, "HostPath volumes", (1, 0), (),
          None, _host_path_volumes, "spec.volumes[*].hostPath"),
    Check("hostPorts", "pss-host-ports", BASELINE, "Host ports", (1, 0), (), None, _host_ports,
          "containers' ports[*].hostPort, including those hostNetwork: true defaults"),
    Check("appArmorProfile", "pss-apparmor-profile", BASELINE, "AppArmor", (1, 0), (), None,
          _apparmor, "securityContext.appArmorProfile.type of the pod and containers "
          "(RuntimeDefault or Localhost); annotations container.apparmor.security.beta."
          "kubernetes.io/* (runtime/default, localhost/*)"),
    Check("seLinuxOptions", "pss-selinux-options", BASELINE, "SELinux", (1, 0),
          (((1, 31), "container_engine_t allowed"),), None, _selinux,
          "securityContext.seLinuxOptions type, user and role of the pod and containers"),
    Check("procMount", "pss-proc-mount", BASELINE, "/proc mount type", (1, 0),
          (((1, 35), "any procMount allowed with hostUsers: false"),), None, _proc_mount,
          "containers' securityContext.procMount (Default or unset)"),
    Check("seccompProfile_baseline", "pss-seccomp-profile-baseline", BASELINE, "Seccomp", (1, 0),
          (((1, 19), "the seccompProfile field instead of the alpha annotations"),), None,
          _seccomp_baseline, "securityContext.seccompProfile.type of the pod and containers, if "
          "set (RuntimeDefault or Localhost); before 1.19 the seccomp.security.alpha annotations"),
    Check("sysctls", "pss-sysctls", BASELINE, "Sysctls", (1, 0),
          (((1, 27), "net.ipv4.ip_local_reserved_ports allowed"),
           ((1, 29), "net.ipv4.tcp_keepalive_time, tcp_fin_timeout, tcp_keepalive_intvl and "
                     "tcp_keepalive_probes allowed"),
           ((1, 32), "net.ipv4.tcp_rmem and tcp_wmem allowed"),
           ((1, 37), "net.ipv4.tcp_slow_start_after_idle and tcp_notsent_lowat allowed")),
          None, _sysctls, "spec.securityContext.sysctls[*].name (the safe set)"),
    Check("windowsHostProcess", "pss-windows-host-process", BASELINE, "HostProcess", (1, 0), (),
          None, _host_process, "securityContext.windowsOptions.hostProcess of the pod and "
          "containers"),
    Check("hostProbesAndHostLifecycle", "pss-probe-host", BASELINE,
          "Host probes and lifecycle hooks", (1, 34), (), None, _probe_hosts,
          "containers' probes and lifecycle hooks: httpGet.host and tcpSocket.host"),
    Check("restrictedVolumes", "pss-restricted-volumes", RESTRICTED, "Volume types", (1, 0), (),
          "hostPathVolumes", _restricted_volumes,
          "spec.volumes[*]: only " + ", ".join(RESTRICTED_VOLUME_TYPES)),
    Check("allowPrivilegeEscalation", "pss-allow-privilege-escalation", RESTRICTED,
          "Privilege escalation", (1, 8), (((1, 25), "Windows pods exempt"),), None,
          _privilege_escalation, "containers' securityContext.allowPrivilegeEscalation: false"),
    Check("runAsNonRoot", "pss-run-as-non-root", RESTRICTED, "Running as non-root", (1, 0),
          (((1, 35), "skipped for hostUsers: false"),), None, _run_as_non_root,
          "securityContext.runAsNonRoot: true on the pod or every container"),
    Check("runAsUser", "pss-run-as-user", RESTRICTED, "Running as non-root user", (1, 23),
          (((1, 35), "skipped for hostUsers: false"),), None, _run_as_user,
          "securityContext.runAsUser of the pod and containers (not 0)"),
    Check("seccompProfile_restricted", "pss-seccomp-profile-restricted", RESTRICTED, "Seccomp",
          (1, 19), (((1, 25), "Windows pods exempt"),), "seccompProfile_baseline",
          _seccomp_restricted, "securityContext.seccompProfile.type RuntimeDefault or Localhost, "
          "on the pod or every container"),
    Check("capabilities_restricted", "pss-capabilities-restricted", RESTRICTED, "Capabilities",
          (1, 22), (((1, 25), "Windows pods exempt"),), "capabilities_baseline",
          _capabilities_restricted, "containers' securityContext.capabilities: drop ALL, add "
          "only NET_BIND_SERVICE"),
    Check("procMount_restricted", "pss-proc-mount-restricted", RESTRICTED, "/proc mount type",
          (1, 35), (), "procMount", _proc_mount_restricted,
          "containers' securityContext.procMount (Default or unset), even with hostUsers: false"),
)
"""Every check, baseline first, as the controller registers them."""

BY_ID = {c.id: c for c in CHECKS}


def active_checks(level: str, version: Version) -> tuple[Check, ...]:
    """The checks the controller runs at `level` and `version`."""
    if level == PRIVILEGED:
        return ()
    wanted = [c for c in CHECKS if c.since <= version
              and (c.level == BASELINE or level == RESTRICTED)]
    overridden = {c.overrides for c in wanted if c.overrides is not None}
    return tuple(c for c in wanted if c.id not in overridden)


def is_active(check: Check, level: str, version: Version) -> bool:
    return check in active_checks(level, version)


@dataclass(frozen=True, slots=True)
class Violation:
    check: str  # the controller's check id
    path: YamlPath  # relative to the object
    message: str


def violations_of(check: Check, pod: Pod, version: Version) -> list[Violation]:
    """What breaks one check (whatever the level)."""
    return [Violation(check.id, path, message) for path, message in check.find(pod, version)]


def evaluate(res: Resource, level: str, version: Version) -> list[Violation]:
    """Every violation of the object's pods at `level` and `version`; empty when the admission
    controller would admit them (or the object has no pods)."""
    pod = pod_of(res)
    if pod is None:
        return []
    return [v for check in active_checks(level, version) for v in violations_of(check, pod, version)]


def strictest_level(res: Resource, version: Version) -> str:
    """The strictest level the object's pods meet at `version`."""
    for level in (RESTRICTED, BASELINE):
        if not evaluate(res, level, version):
            return level
    return PRIVILEGED


# --- policies in force ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Policy:
    """A level in force for some pods: in which mode, and where it comes from."""

    mode: str  # enforce, warn or audit
    level: str
    version: Version
    namespace: Resource | None = None  # the Namespace whose labels set it, if any

    def label(self) -> str:
        return f"{self.level} ({show_version(self.version)})"


def namespace_policies(ns: Resource, default: Policy | None = None) -> tuple[Policy, ...]:
    """The policies a Namespace's labels set (levels other than privileged), with `default` for
    enforce when it has no enforce label, as the controller's cluster-wide defaults work."""
    labels = ns.labels
    out: list[Policy] = []
    for mode in MODES:
        key = LABEL_PREFIX + mode
        if key in labels:
            level = label_level(labels[key])
            version = label_version(labels.get(f"{key}-version"))
            if level != PRIVILEGED:
                out.append(Policy(mode, level, version, ns))
        elif mode == "enforce" and default is not None:
            out.append(default)
    return tuple(out)


def labelled(ns: Resource) -> bool:
    return any(isinstance(k, str) and k.startswith(LABEL_PREFIX) for k in ns.labels)


# --- docs -----------------------------------------------------------------------------------------

def checks_markdown() -> str:
    """The checks per level and version as a Markdown table (kept in docs/pod-security.md)."""
    rows = ["| Level | Check (controller id) | kubelint rule | Since | Changes | What it reads |",
            "| --- | --- | --- | --- | --- | --- |"]
    for c in CHECKS:
        changes = "; ".join(f"{show_version(v)}: {note}" for v, note in c.changes)
        if c.overrides:
            changes = "; ".join(filter(None, [f"replaces `{c.overrides}` at restricted",
                                              changes]))
        rows.append(f"| {c.level} | {c.title} (`{c.id}`) | [`{c.rule}`](rules/{c.rule}.md) | "
                    f"{show_version(c.since)} | {changes or '-'} | {c.fields} |")
    return "\n".join(rows) + "\n"


def _write_docs(path: str = "docs/pod-security.md") -> None:
    """Replace the table between the markers of `path` with `checks_markdown()`."""
    start, end = "<!-- checks:start -->\n", "<!-- checks:end -->"
    with open(path, encoding="utf-8") as f:
        text = f.read()
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + start + checks_markdown() + end + tail)


if __name__ == "__main__":
    _write_docs()
