"""What pod and container security settings mean, shared by the security rules and the Pod
Security Standards checks: the safe sysctls and SELinux types by Kubernetes version, the legacy
seccomp and AppArmor annotations, and the walk over the pod's and containers' security contexts."""

from __future__ import annotations

from collections.abc import Iterator

from kubelint.k8s import Resource, containers, dig, pod_owner, pod_security_context, pod_spec
from kubelint.model import YamlPath

Version = tuple[int, int]

SAFE_SYSCTLS_SINCE: tuple[tuple[Version, frozenset[str]], ...] = (
    ((1, 0), frozenset({"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
                        "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
                        "net.ipv4.ip_unprivileged_port_start"})),
    ((1, 27), frozenset({"net.ipv4.ip_local_reserved_ports"})),
    ((1, 29), frozenset({"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
                         "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"})),
    ((1, 32), frozenset({"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"})),
    ((1, 37), frozenset({"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"})),
)
"""Sysctls the kubelet treats as safe (namespaced and isolated per pod), by the release that added
them; Pod Security "baseline" allows exactly these at the same policy versions."""


def safe_sysctls(version: Version) -> frozenset[str]:
    """The safe sysctls of `version`."""
    out: frozenset[str] = frozenset()
    for since, names in SAFE_SYSCTLS_SINCE:
        if version >= since:
            out |= names
    return out


SELINUX_TYPES_1_0 = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
SELINUX_TYPES_1_31 = SELINUX_TYPES_1_0 | {"container_engine_t"}
"""seLinuxOptions.type values Pod Security "baseline" allows (container_engine_t since 1.31)."""


def selinux_types(version: Version) -> frozenset[str]:
    return SELINUX_TYPES_1_31 if version >= (1, 31) else SELINUX_TYPES_1_0


BASELINE_CAPABILITIES = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
})
"""The container runtimes' default capabilities, without NET_RAW: all that "baseline" lets a
container add."""

SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/"
APPARMOR_CONTAINER_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
PROFILE_TYPES = frozenset({"RuntimeDefault", "Localhost"})
"""seccompProfile.type and appArmorProfile.type values that keep a profile in place."""


def is_windows(res: Resource) -> bool:
    """Whether the object's pods declare `spec.os.name: windows`."""
    found = pod_spec(res)
    return found is not None and dig(found[1], "os", "name") == "windows"


def security_contexts(res: Resource, owner: str | None = None
                      ) -> Iterator[tuple[YamlPath, dict, str]]:
    """The pod security context, then each container's: (path, mapping, who for messages; the
    pod is `owner`, by default `pod 'x'` or `pod template of Deployment 'x'`)."""
    found = pod_security_context(res)
    if found is None:
        return
    path, pod_ctx = found
    yield path, pod_ctx, owner if owner is not None else pod_owner(res)
    for c in containers(res):
        yield (*c.path, "securityContext"), c.security_context, f"container {c.name!r}"
