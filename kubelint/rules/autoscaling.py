"""HorizontalPodAutoscalers: the replica range they allow, and workloads that fight them."""

from __future__ import annotations

from collections.abc import Iterator

from kubelint.k8s import Resource, is_int, object_label
from kubelint.model import Finding, Related, Severity
from kubelint.rule import Context, rule
from kubelint.rules.reliability import autoscalers_of

RELIABILITY = "reliability"
HPA = ("HorizontalPodAutoscaler",)

HPA_URL = "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/"
HPA_MIGRATION_URL = HPA_URL + "#migrating-deployments-and-statefulsets-to-horizontal-autoscaling"
HPA_API_URL = ("https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/"
               "horizontal-pod-autoscaler-v2/")


def _min_replicas(ctx: Context) -> int:
    value = ctx.options.get("min_replicas")
    return value if is_int(value) and value >= 1 else 2


@rule(
    id="low-autoscaler-min-replicas", category=RELIABILITY, severity=Severity.WARNING,
    kinds=HPA, default_enabled=False,
    summary="A HorizontalPodAutoscaler may scale its workload below the configured minimum "
            "(2) replicas.",
    rationale="When load is low the autoscaler shrinks the workload to minReplicas; at one "
              "replica every node drain, eviction or crash is an outage until a new pod is "
              "ready.",
    remediation="Set spec.minReplicas to at least the minimum.",
    references=(HPA_URL, HPA_API_URL),
    equivalents={"kube-linter": "hpa-minimum-three-replicas", "polaris": "hpaMinAvailability",
                 "kube-score": "horizontalpodautoscaler-replicas"},
    options_schema={"type": "object", "additionalProperties": False,
                    "properties": {"min_replicas": {
                        "type": "integer", "minimum": 1,
                        "description": "The smallest minReplicas that passes."}}},
    defaults={"min_replicas": 2},
)
def low_autoscaler_min_replicas(res: Resource, ctx: Context) -> Iterator[Finding]:
    """An unset minReplicas counts as 1, the API default (kube-linter and kube-score agree;
    Polaris passes it). kube-linter's hpa-minimum-three-replicas is this rule with
    min_replicas: 3."""
    spec = res.obj.get("spec")
    if not isinstance(spec, dict):
        return
    value = spec.get("minReplicas", 1)
    if value is None:
        value = 1
    minimum = _min_replicas(ctx)
    if is_int(value) and value < minimum:
        shown = f"minReplicas {value}" if "minReplicas" in spec else "no minReplicas (1)"
        yield Finding(("spec", "minReplicas"),
                      f"{object_label(res)} sets {shown}, below the minimum of {minimum}")


@rule(
    id="unscalable-autoscaler", category=RELIABILITY, severity=Severity.WARNING, kinds=HPA,
    summary="A HorizontalPodAutoscaler's replica range leaves it nothing to scale: maxReplicas "
            "is missing, below 1, or not above minReplicas.",
    rationale="An autoscaler whose maxReplicas equals its minReplicas pins the workload to one "
              "size and never reacts to load, which is rarely what its author meant; a missing "
              "or zero maxReplicas, or a minReplicas below 1, is rejected by the API server.",
    remediation="Set maxReplicas above minReplicas (both at least 1), or remove the autoscaler "
                "and set the workload's replicas.",
    references=(HPA_URL, HPA_API_URL),
    equivalents={"polaris": "hpaMaxAvailability"},
)
def unscalable_autoscaler(res: Resource, ctx: Context) -> Iterator[Finding]:
    """An unset minReplicas counts as 1, the API default; Polaris' hpaMaxAvailability compares
    maxReplicas only with a minReplicas that is set."""
    spec = res.obj.get("spec")
    if not isinstance(spec, dict):
        return
    label = object_label(res)
    low, high = spec.get("minReplicas"), spec.get("maxReplicas")
    if high is None:
        yield Finding(("spec", "maxReplicas"), f"{label} sets no maxReplicas")
        return
    if is_int(low) and low < 1:
        yield Finding(("spec", "minReplicas"), f"{label} sets minReplicas {low}, below 1")
    elif is_int(high) and high < 1:
        yield Finding(("spec", "maxReplicas"), f"{label} sets maxReplicas {high}, below 1")
    elif is_int(high) and (low is None or is_int(low)) and high <= (low or 1):
        shown = f"minReplicas {low}" if low is not None else "the default minReplicas 1"
        yield Finding(("spec", "maxReplicas"), f"{label} cannot scale: maxReplicas {high} is "
                                               f"not above {shown}")


def _autoscaler_of(res: Resource, ctx: Context) -> Resource | None:
    return next((auto for auto in autoscalers_of(res, ctx.index) if auto.kind in HPA), None)


@rule(
    id="replicas-with-autoscaler", category=RELIABILITY, severity=Severity.WARNING,
    kinds=("Deployment", "StatefulSet"), scope="bundle",
    summary="A Deployment or StatefulSet sets spec.replicas while a HorizontalPodAutoscaler "
            "manages its replica count.",
    rationale="Every apply of the manifest resets the replica count to spec.replicas, undoing "
              "what the autoscaler chose: a workload scaled out under load drops back to the "
              "manifest's count until the autoscaler reacts again.",
    remediation="Remove spec.replicas from the workload and let the HorizontalPodAutoscaler's "
                "minReplicas set the lower bound.",
    references=(HPA_MIGRATION_URL,),
    equivalents={"kube-score": "deployment-targeted-by-hpa-does-not-have-replicas-configured"},
)
def replicas_with_autoscaler(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Autoscalers are looked for in the lint set (same namespace, scaleTargetRef kind and
    name; objects without a namespace are paired only when one's folder holds the other's).
    kube-score checks Deployments only."""
    spec = res.obj.get("spec")
    if not isinstance(spec, dict) or spec.get("replicas") is None:
        return
    hpa = _autoscaler_of(res, ctx)
    if hpa is not None:
        yield Finding(("spec", "replicas"),
                      f"{object_label(res)} sets replicas: {spec['replicas']} although "
                      f"{object_label(hpa)} manages its replica count",
                      related=(Related(hpa, ("spec", "scaleTargetRef"), "the autoscaler"),))


RULES = (low_autoscaler_min_replicas, unscalable_autoscaler, replicas_with_autoscaler)
