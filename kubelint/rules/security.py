"""Pod and container security context rules."""

from __future__ import annotations

from collections.abc import Iterator

from kubelint.k8s import WORKLOADS, Resource, containers
from kubelint.model import Finding, Fix, Safety, SetValue, Severity
from kubelint.rule import SOMETIMES, Context, rule

PSS_URL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
SECURITY_CONTEXT_URL = "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"


@rule(
    id="privileged-container", category="security", severity=Severity.ERROR, kinds=WORKLOADS,
    summary="A container runs in privileged mode.",
    rationale="A privileged container gets every host device and capability; escaping it means "
              "root on the node.",
    remediation="Remove securityContext.privileged or set it to false.",
    references=(PSS_URL, SECURITY_CONTEXT_URL),
    equivalents={"kube-linter": "privileged-container", "checkov": "CKV_K8S_16",
                 "polaris": "runAsPrivileged",
                 "kube-score": "container-security-context-privileged"},
    fixable=SOMETIMES,
)
def privileged_container(res: Resource, ctx: Context) -> Iterator[Finding]:
    for c in containers(res):
        if c.security_context.get("privileged") is True:
            where = (*c.path, "securityContext", "privileged")
            yield Finding(where, f"container {c.name!r} is privileged",
                          Fix("Set privileged: false", (SetValue(where, False),), Safety.UNSAFE))


RULES = (privileged_container,)
