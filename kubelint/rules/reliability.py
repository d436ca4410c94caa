"""Availability of replicated workloads (replicas, spreading, disruption budgets, updates) and
the settings Jobs and CronJobs need to run and clean up predictably."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kubelint.k8s import (
    WORKLOADS,
    Resource,
    ResourceIndex,
    as_dict,
    as_list,
    dig,
    is_int,
    object_label,
    pod_owner,
    pod_spec,
    pod_template_metadata,
    same_namespace,
    selector_matches,
)
from kubelint.model import Finding, Severity
from kubelint.rule import Context, rule

RELIABILITY = "reliability"

REPLICATED = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController",
                        "DeploymentConfig"})
"""Kinds that run `spec.replicas` copies of one pod template."""
_PLAIN_SELECTOR_KINDS = frozenset({"ReplicationController", "DeploymentConfig"})

PDB_URL = "https://kubernetes.io/docs/concepts/workloads/pods/disruptions/"
PDB_TASK_URL = "https://kubernetes.io/docs/tasks/run-application/configure-pdb/"
SPREAD_URL = "https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/"
AFFINITY_URL = ("https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/"
                "#inter-pod-affinity-and-anti-affinity")
DEPLOYMENT_STRATEGY_URL = ("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/"
                           "#strategy")
STATEFULSET_URL = "https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/"
CRONJOB_URL = "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/"
JOB_URL = "https://kubernetes.io/docs/concepts/workloads/controllers/job/"
JOB_TTL_URL = "https://kubernetes.io/docs/concepts/workloads/controllers/ttlafterfinished/"

_PERCENT = re.compile(r"^(\d+)%$")

MIN_REPLICAS_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {"min_replicas": {"type": "integer", "minimum": 2,
                                    "description": "The smallest replica count that passes."}},
}


# --- replica counts -------------------------------------------------------------------------


def declared_replicas(res: Resource) -> int | None:
    """`spec.replicas` (1 when unset or null), or None when it or the spec is mistyped."""
    spec = res.obj.get("spec")
    if not isinstance(spec, dict):
        return None
    value = spec.get("replicas")
    if value is None:
        return 1
    return value if is_int(value) else None


def _nested_folders(a: str, b: str) -> bool:
    """Whether one file's folder is, or holds, the other's."""
    da, db = os.path.dirname(os.path.normpath(a)), os.path.dirname(os.path.normpath(b))
    return da == db or da.startswith(db + os.sep) or db.startswith(da + os.sep) \
        or not da or not db


def targets(autoscaler: Resource, res: Resource) -> bool:
    """Whether an HPA or KEDA ScaledObject scales `res`: kind and name of its scaleTargetRef,
    in the same namespace. When either object leaves the namespace unset, one's folder must
    hold the other's, so that projects linted together are not paired by a shared name."""
    ref = as_dict(as_dict(autoscaler.obj.get("spec")).get("scaleTargetRef"))
    kind = ref.get("kind", "Deployment" if autoscaler.kind == "ScaledObject" else None)
    if not (ref.get("name") == res.name and kind == res.kind and res.name is not None
            and same_namespace(autoscaler, res)):
        return False
    return (autoscaler.namespace is not None and res.namespace is not None) \
        or _nested_folders(autoscaler.file, res.file)


@dataclass(frozen=True, slots=True)
class Replicas:
    """How many pods a workload runs: `low` to `high`, fixed or set by an autoscaler."""

    low: int
    high: int
    autoscaler: Resource | None = None

    def describe(self) -> str:
        """`3 replicas`, or `2 to 10 replicas set by HorizontalPodAutoscaler 'web'`."""
        if self.autoscaler is None:
            return f"{self.low} {'replica' if self.low == 1 else 'replicas'}"
        return f"{self.low} to {self.high} replicas set by {object_label(self.autoscaler)}"


def _autoscalers_by_target(index: ResourceIndex) -> dict[Any, list[Resource]]:
    """HPAs and KEDA ScaledObjects by the name their scaleTargetRef gives."""
    found: dict[Any, list[Resource]] = {}
    for auto in index.of_kind("HorizontalPodAutoscaler", "ScaledObject"):
        name = as_dict(as_dict(auto.obj.get("spec")).get("scaleTargetRef")).get("name")
        if isinstance(name, str):
            found.setdefault(name, []).append(auto)
    return found


def autoscalers_of(res: Resource, index: ResourceIndex) -> list[Resource]:
    """The autoscalers in the bundle that scale `res` (a look-up, not a scan)."""
    named = index.cached(("reliability", "autoscalers"), _autoscalers_by_target).get(res.name, ())
    return [auto for auto in named if targets(auto, res)]


def replica_range(res: Resource, index: ResourceIndex) -> Replicas | None:
    """The pods a workload runs, reading a HorizontalPodAutoscaler or KEDA ScaledObject that
    targets it (min default 1 for an HPA, 0 for KEDA; KEDA's max default 100)."""
    for auto in autoscalers_of(res, index):
        spec = as_dict(auto.obj.get("spec"))
        if auto.kind == "HorizontalPodAutoscaler":
            low, high = spec.get("minReplicas", 1), spec.get("maxReplicas")
        else:
            low, high = spec.get("minReplicaCount", 0), spec.get("maxReplicaCount", 100)
        if is_int(low) and is_int(high):
            return Replicas(low, max(low, high), auto)
    count = declared_replicas(res)
    return None if count is None else Replicas(count, count)


def _min_replicas(ctx: Context) -> int:
    value = ctx.options.get("min_replicas")
    return value if is_int(value) and value >= 2 else 2


def _pod_labels(res: Resource) -> dict:
    """The pod template's labels; for a template without labels (an object the API server would
    reject), the workload's selector.matchLabels, which its pods must carry."""
    labels = as_dict(pod_template_metadata(res)[1].get("labels"))
    if labels:
        return labels
    selector = dig(res.obj, "spec", "selector")
    if res.kind in _PLAIN_SELECTOR_KINDS:  # a bare label map rather than a LabelSelector
        return as_dict(selector)
    return as_dict(dig(selector, "matchLabels"))


@rule(
    id="low-replica-count", category=RELIABILITY, severity=Severity.WARNING, kinds=REPLICATED,
    scope="bundle", default_enabled=False,
    summary="A replicated workload runs fewer replicas than the configured minimum (2).",
    rationale="With one replica every node drain, eviction, crash or rollout is an outage. Two "
              "or more replicas (spread over nodes) keep serving while one is replaced.",
    remediation="Set spec.replicas to at least the minimum, or let a HorizontalPodAutoscaler "
                "manage the count.",
    references=(PDB_URL,),
    equivalents={"kube-linter": "minimum-three-replicas", "polaris": "deploymentMissingReplicas",
                 "kube-score": "deployment-replicas"},
    options_schema=MIN_REPLICAS_SCHEMA,
    defaults={"min_replicas": 2},
)
def low_replica_count(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Unset replicas count as 1. Not flagged: a workload an HPA or KEDA ScaledObject in the
    lint set targets (its replicas field is ignored), and replicas: 0 (deliberately parked).

    kube-linter's minimum-three-replicas defaults to 3 (set min_replicas: 3 to agree);
    kube-score looks only at Deployments a Service selects.
    """
    replicas = replica_range(res, ctx.index)
    if replicas is None or replicas.autoscaler is not None or replicas.low == 0:
        return
    minimum = _min_replicas(ctx)
    if replicas.low < minimum:
        yield Finding(("spec", "replicas"),
                      f"replicas: {replicas.low} on {object_label(res)} is below the minimum "
                      f"of {minimum}")


# --- spreading ------------------------------------------------------------------------------


def _term_covers(term: Any, labels: dict, namespace: str | None) -> bool:
    """An affinity term that selects the workload's own pods, in its namespace, per topology."""
    if not isinstance(term, dict):
        return False
    key = term.get("topologyKey")
    if not isinstance(key, str) or not key or not selector_matches(term.get("labelSelector"),
                                                                   labels):
        return False
    namespaces = [n for n in as_list(term.get("namespaces")) if isinstance(n, str)]
    if not namespaces or namespace is None or term.get("namespaceSelector") is not None:
        return True  # the pod's own namespace, or one we cannot evaluate
    return namespace in namespaces


def _anti_affinity_terms(anti: dict) -> Iterator[Any]:
    yield from as_list(anti.get("requiredDuringSchedulingIgnoredDuringExecution"))
    for weighted in as_list(anti.get("preferredDuringSchedulingIgnoredDuringExecution")):
        yield as_dict(weighted).get("podAffinityTerm")


def _spread(spec: dict, labels: dict, namespace: str | None) -> bool:
    anti = as_dict(dig(spec, "affinity", "podAntiAffinity"))
    if any(_term_covers(t, labels, namespace) for t in _anti_affinity_terms(anti)):
        return True
    constraints = as_list(spec.get("topologySpreadConstraints"))
    return any(_term_covers(c, labels, None) for c in constraints)


@rule(
    id="unspread-replicas", category=RELIABILITY, severity=Severity.WARNING, kinds=REPLICATED,
    scope="bundle",
    summary="A multi-replica workload sets neither pod anti-affinity nor a topology spread "
            "constraint for its own pods.",
    rationale="Nothing stops the scheduler from packing every replica onto one node or zone, "
              "so losing that node takes all of them down at once and the extra replicas buy "
              "no availability.",
    remediation="Add a topologySpreadConstraint (or a preferred pod anti-affinity term) whose "
                "labelSelector matches the pod template's labels, with a topologyKey such as "
                "kubernetes.io/hostname or topology.kubernetes.io/zone.",
    references=(SPREAD_URL, AFFINITY_URL),
    equivalents={"kube-linter": "no-anti-affinity",
                 "kube-score": ("deployment-has-host-podantiaffinity",
                                "statefulset-has-host-podantiaffinity")},
    options_schema=MIN_REPLICAS_SCHEMA,
    defaults={"min_replicas": 2},
)
def unspread_replicas(res: Resource, ctx: Context) -> Iterator[Finding]:
    """A term counts when its labelSelector matches the pod template's labels, it has a
    topologyKey (any), and its `namespaces`, if listed, include the object's namespace.
    Replicas come from spec.replicas (unset: 1) or, when an HPA or ScaledObject targets the
    workload, its maximum.

    kube-score counts unset replicas as 2 or more and wants a hostname, zone or region key;
    kube-score and kube-linter accept only anti-affinity, kubelint also topology spread
    constraints.
    """
    replicas = replica_range(res, ctx.index)
    found = pod_spec(res)
    if replicas is None or replicas.high < _min_replicas(ctx) or found is None:
        return
    path, spec = found
    if _spread(spec, _pod_labels(res), res.namespace):
        return
    anti_path = (*path, "affinity", "podAntiAffinity")
    if isinstance(dig(spec, "affinity", "podAntiAffinity"), dict):
        where, why = anti_path, "its pod anti-affinity does not select its own pods"
    elif as_list(spec.get("topologySpreadConstraints")):
        where, why = ((*path, "topologySpreadConstraints"),
                      "its topology spread constraints do not select its own pods")
    else:
        where, why = anti_path, "it sets no pod anti-affinity or topology spread constraint"
    yield Finding(where, f"pods of {object_label(res)} ({replicas.describe()}) may all land on "
                         f"one node: {why}")


_WHEN_UNSATISFIABLE = ("DoNotSchedule", "ScheduleAnyway")


def _constraint_problems(constraint: dict) -> Iterator[tuple[str, str]]:
    """(field, what is wrong) for each broken field of one topology spread constraint."""
    if constraint.get("labelSelector") is None:
        yield "labelSelector", "has no labelSelector, so it counts no pods and spreads nothing"
    skew = constraint.get("maxSkew")
    if not (is_int(skew) and skew >= 1):
        yield "maxSkew", ("sets no maxSkew" if skew is None else f"sets maxSkew {skew!r}") + \
            ", which must be at least 1"
    domains = constraint.get("minDomains")
    if domains is not None and not (is_int(domains) and domains >= 1):
        yield "minDomains", f"sets minDomains {domains!r}, which must be at least 1"
    key = constraint.get("topologyKey")
    if not (isinstance(key, str) and key):
        yield "topologyKey", "has no topologyKey"
    when = constraint.get("whenUnsatisfiable")
    if when not in _WHEN_UNSATISFIABLE:
        yield "whenUnsatisfiable", ("sets no whenUnsatisfiable" if when is None else
                                    f"sets whenUnsatisfiable {when!r}") + \
            ", which must be DoNotSchedule or ScheduleAnyway"


@rule(
    id="invalid-topology-spread-constraint", category=RELIABILITY, severity=Severity.WARNING,
    kinds=WORKLOADS,
    summary="A topology spread constraint lacks a labelSelector or has a missing or invalid "
            "maxSkew, minDomains, topologyKey or whenUnsatisfiable.",
    rationale="The API server rejects a constraint without a topologyKey, with a maxSkew or "
              "minDomains below 1 or with an unknown whenUnsatisfiable; one without a "
              "labelSelector is accepted but counts no pods, so it never spreads anything.",
    remediation="Give every constraint a labelSelector matching the pod's own labels, a "
                "topologyKey, a maxSkew of at least 1 and whenUnsatisfiable DoNotSchedule or "
                "ScheduleAnyway.",
    references=(SPREAD_URL,),
    equivalents={"kube-score": "pod-topology-spread-constraints"},
)
def invalid_topology_spread_constraint(res: Resource, ctx: Context) -> Iterator[Finding]:
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    for i, constraint in enumerate(as_list(spec.get("topologySpreadConstraints"))):
        if not isinstance(constraint, dict):
            continue
        for field, problem in _constraint_problems(constraint):
            yield Finding((*path, "topologySpreadConstraints", i, field),
                          f"topologySpreadConstraints[{i}] of {pod_owner(res)} {problem}")


@rule(
    id="unset-topology-spread-constraints", category=RELIABILITY, severity=Severity.INFO,
    kinds=tuple(sorted(WORKLOADS - {"Job", "CronJob", "DaemonSet"})), default_enabled=False,
    summary="A pod spec sets no topologySpreadConstraints.",
    rationale="Without a constraint the scheduler spreads a workload's pods only as a soft "
              "preference, and may pack them into one zone or node; a policy that every "
              "long-running workload states its spread makes placement a decision.",
    remediation="Add a topologySpreadConstraint whose labelSelector matches the pod's labels, "
                "with a topologyKey such as topology.kubernetes.io/zone.",
    references=(SPREAD_URL,),
    equivalents={"polaris": "topologySpreadConstraint"},
)
def unset_topology_spread_constraints(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Jobs, CronJobs and DaemonSets (one pod per node) are not checked; Polaris checks
    DaemonSets too. unspread-replicas is the on-by-default rule for workloads that really run
    several replicas."""
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    if not as_list(spec.get("topologySpreadConstraints")):
        yield Finding((*path, "topologySpreadConstraints"),
                      f"{pod_owner(res)} sets no topologySpreadConstraints")


# --- disruption budgets ---------------------------------------------------------------------


def _budgets_selecting(res: Resource, index: ResourceIndex) -> Iterator[Resource]:
    labels = _pod_labels(res)
    for pdb in index.of_kind("PodDisruptionBudget"):
        if same_namespace(pdb, res) and selector_matches(dig(pdb.obj, "spec", "selector"), labels):
            yield pdb


@rule(
    id="missing-pod-disruption-budget", category=RELIABILITY, severity=Severity.WARNING,
    kinds=("Deployment", "StatefulSet", "DeploymentConfig"), scope="bundle",
    default_enabled=False,
    summary="No PodDisruptionBudget selects a multi-replica workload.",
    rationale="Without a budget, a node drain or cluster upgrade may evict every replica at "
              "once; a PodDisruptionBudget makes voluntary evictions wait until enough pods "
              "are ready elsewhere.",
    remediation="Add a PodDisruptionBudget whose selector matches the pod template's labels, "
                "with maxUnavailable: 1 or a minAvailable below the replica count.",
    references=(PDB_URL, PDB_TASK_URL),
    equivalents={"polaris": "missingPodDisruptionBudget",
                 "kube-score": ("deployment-has-poddisruptionbudget",
                                "statefulset-has-poddisruptionbudget")},
    options_schema=MIN_REPLICAS_SCHEMA,
    defaults={"min_replicas": 2},
)
def missing_pod_disruption_budget(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Budgets are looked for in the lint set (same namespace, selector matched with
    matchLabels and matchExpressions), so lint a workload together with its budget. Off by
    default for that reason. Replicas as in unspread-replicas (an autoscaler's maximum counts).
    """
    replicas = replica_range(res, ctx.index)
    if replicas is None or replicas.high < _min_replicas(ctx):
        return
    if next(_budgets_selecting(res, ctx.index), None) is None:
        yield Finding(("metadata", "name"), f"no PodDisruptionBudget selects the pods of "
                                            f"{object_label(res)} ({replicas.describe()})")


def _percent(value: Any) -> int | None:
    match = _PERCENT.match(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def _required_pods(min_available: Any, replicas: int) -> int | None:
    """minAvailable as a pod count for `replicas` pods (percentages round up, as the API does)."""
    if is_int(min_available):
        return min_available
    percent = _percent(min_available)
    return None if percent is None else math.ceil(replicas * percent / 100)


@rule(
    id="blocking-pod-disruption-budget", category=RELIABILITY, severity=Severity.WARNING,
    kinds=("PodDisruptionBudget",), scope="bundle",
    summary="A PodDisruptionBudget allows no pod to be evicted.",
    rationale="With maxUnavailable 0, minAvailable 100%, or minAvailable as large as the "
              "workload's replica count, no voluntary eviction ever succeeds: node drains hang "
              "and cluster upgrades stall until someone deletes the budget by hand.",
    remediation="Allow at least one disruption: set maxUnavailable to 1 or more, or "
                "minAvailable below the number of replicas.",
    references=(PDB_URL, PDB_TASK_URL),
    equivalents={"kube-linter": ("pdb-max-unavailable", "pdb-min-available"),
                 "polaris": "pdbDisruptionsIsZero"},
)
def blocking_pod_disruption_budget(res: Resource, ctx: Context) -> Iterator[Finding]:
    """minAvailable is compared with the pods of the workloads it selects in the lint set,
    summed as the disruption controller counts them (each workload's replicas, or the minimum of
    an HPA or KEDA ScaledObject that targets it; workloads with 0 replicas are skipped), and
    percentages round up as the API does (67% of 3 pods is 3). kube-linter's pdb-min-available
    compares each workload alone, and also flags a budget without a selector; kubelint does not
    (a null selector selects no pods, so it blocks nothing).
    """
    spec = as_dict(res.obj.get("spec"))
    max_unavailable = spec.get("maxUnavailable")
    if (is_int(max_unavailable) and max_unavailable == 0) or _percent(max_unavailable) == 0:
        yield Finding(("spec", "maxUnavailable"),
                      f"maxUnavailable {max_unavailable} of {object_label(res)} lets no pod be "
                      "evicted")
    min_available = spec.get("minAvailable")
    percent = _percent(min_available)
    if percent is not None and percent >= 100:
        yield Finding(("spec", "minAvailable"),
                      f"minAvailable {min_available} of {object_label(res)} lets no pod be "
                      "evicted")
        return
    if min_available is None:
        return
    selected = list(_selected_workloads(res, ctx.index))
    total = sum(replicas.low for _, replicas in selected)
    required = _required_pods(min_available, total)
    if not selected or required is None or required < total:
        return
    if len(selected) == 1:
        workload, replicas = selected[0]
        pods = f"no pod of {object_label(workload)} ({replicas.describe()})"
    else:
        pods = (f"none of the {total} pods of "
                + ", ".join(object_label(w) for w, _ in selected))
    yield Finding(("spec", "minAvailable"),
                  f"minAvailable {min_available} of {object_label(res)} lets {pods} be evicted")


def _selected_workloads(pdb: Resource, index: ResourceIndex) -> Iterator[tuple[Resource,
                                                                                Replicas]]:
    """Workloads in the lint set whose pods the budget selects, with at least one replica."""
    selector = dig(pdb.obj, "spec", "selector")
    for workload in index.of_kind(*sorted(REPLICATED)):
        if same_namespace(workload, pdb) and selector_matches(selector, _pod_labels(workload)):
            replicas = replica_range(workload, index)
            if replicas is not None and replicas.low > 0:
                yield workload, replicas


@rule(
    id="pod-disruption-budget-without-policy", category=RELIABILITY, severity=Severity.WARNING,
    kinds=("PodDisruptionBudget",),
    summary="A PodDisruptionBudget sets neither minAvailable nor maxUnavailable.",
    rationale="A budget without either field states no policy. In policy/v1 the disruption "
              "controller then allows no disruption at all, so node drains and cluster upgrades "
              "hang on the selected pods; policy/v1beta1 silently defaulted to minAvailable 1.",
    remediation="Set maxUnavailable (such as 1) or minAvailable in the budget's spec.",
    references=(PDB_URL, PDB_TASK_URL),
    equivalents={"kube-score": "poddisruptionbudget-has-policy"},
)
def pod_disruption_budget_without_policy(res: Resource, ctx: Context) -> Iterator[Finding]:
    spec = res.obj.get("spec")
    if spec is not None and not isinstance(spec, dict):
        return
    spec = as_dict(spec)
    if spec.get("minAvailable") is None and spec.get("maxUnavailable") is None:
        effect = "defaults to minAvailable 1" if res.api_version.endswith("v1beta1") else \
            "blocks every eviction"
        where = ("spec",) if "spec" in res.obj else ("metadata", "name")
        yield Finding(where, f"{object_label(res)} sets neither minAvailable nor "
                             f"maxUnavailable, so it {effect}")


@rule(
    id="unset-pdb-unhealthy-pod-eviction-policy", category=RELIABILITY, severity=Severity.INFO,
    kinds=("PodDisruptionBudget",), default_enabled=False,
    summary="A PodDisruptionBudget does not set unhealthyPodEvictionPolicy.",
    rationale="With the default (IfHealthyBudget), pods that are running but not ready, such as "
              "a crash-looping replica, may only be evicted while the budget is met, so one "
              "broken pod can block a node drain for the whole application. AlwaysAllow lets "
              "unhealthy pods be evicted, which the Kubernetes documentation recommends for "
              "most workloads.",
    remediation="Set spec.unhealthyPodEvictionPolicy, to AlwaysAllow unless the application "
                "needs its not-ready pods to be protected.",
    references=(PDB_TASK_URL + "#unhealthy-pod-eviction-policy",),
    equivalents={"kube-linter": "pdb-unhealthy-pod-eviction-policy"},
)
def unset_pdb_unhealthy_pod_eviction_policy(res: Resource, ctx: Context) -> Iterator[Finding]:
    spec = res.obj.get("spec")
    if spec is not None and not isinstance(spec, dict):
        return
    if as_dict(spec).get("unhealthyPodEvictionPolicy") is None:
        where = ("spec", "unhealthyPodEvictionPolicy") if isinstance(spec, dict) else \
            ("metadata", "name")
        yield Finding(where, f"{object_label(res)} does not set unhealthyPodEvictionPolicy")


# --- updates --------------------------------------------------------------------------------

_ROLLING = {"Deployment": ("RollingUpdate", "rollingUpdate"),
            "DeploymentConfig": ("Rolling", "rollingParams")}


@rule(
    id="disruptive-update-strategy", category=RELIABILITY, severity=Severity.WARNING,
    kinds=tuple(_ROLLING), default_enabled=False,
    summary="A Deployment's update strategy stops every pod before new ones are ready.",
    rationale="The Recreate strategy, or a rolling update whose maxUnavailable covers every "
              "replica, takes the whole workload down on each rollout, and keeps it down if "
              "the new version fails to start.",
    remediation="Use the RollingUpdate strategy with maxUnavailable below the replica count "
                "(or 0 with maxSurge 1 for a single replica).",
    references=(DEPLOYMENT_STRATEGY_URL,),
    equivalents={"kube-linter": "no-rolling-update-strategy", "kube-score": "deployment-strategy"},
)
def disruptive_update_strategy(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags a strategy type other than RollingUpdate (Rolling for an OpenShift
    DeploymentConfig), and a rolling maxUnavailable of 100% or more, or at least an explicit
    spec.replicas. Off by default: Recreate is often chosen on purpose (ReadWriteOnce volumes,
    schema migrations).

    kube-linter's no-rolling-update-strategy also flags StatefulSet and DaemonSet OnDelete;
    that keeps pods on the old version rather than taking them down, so kubelint leaves it out.
    kube-score's deployment-strategy looks only at Deployments a Service selects.
    """
    rolling, params = _ROLLING[res.kind]
    spec = as_dict(res.obj.get("spec"))
    kind = dig(spec, "strategy", "type")
    if isinstance(kind, str) and kind != rolling:
        yield Finding(("spec", "strategy", "type"),
                      f"the {kind} strategy of {object_label(res)} stops every pod before new "
                      "ones start")
        return
    max_unavailable = dig(spec, "strategy", params, "maxUnavailable")
    replicas = spec.get("replicas")
    percent = _percent(max_unavailable)
    if ((percent is not None and percent >= 100)
            or (is_int(max_unavailable) and is_int(replicas) and 0 < replicas <= max_unavailable)):
        yield Finding(("spec", "strategy", params, "maxUnavailable"),
                      f"maxUnavailable {max_unavailable} of {object_label(res)} lets a rollout "
                      "stop every pod at once")


# --- StatefulSets, Jobs and CronJobs --------------------------------------------------------


def _unset(res: Resource, key: str) -> bool:
    """`spec.<key>` is absent or null in a well-formed spec (a mistyped spec is schema's job)."""
    spec = res.obj.get("spec")
    return isinstance(spec, dict) and spec.get(key) is None


@rule(
    id="unset-statefulset-service-name", category=RELIABILITY, severity=Severity.WARNING,
    kinds=("StatefulSet",),
    summary="A StatefulSet sets no serviceName.",
    rationale="A StatefulSet's pods get their stable per-pod DNS names (pod-0.service...) only "
              "through the headless Service named by serviceName; without it peers cannot find "
              "each other by ordinal.",
    remediation="Create a headless Service (clusterIP: None) selecting the pods and set "
                "spec.serviceName to its name.",
    references=(STATEFULSET_URL,),
    equivalents={"kube-score": "statefulset-has-servicename"},
)
def unset_statefulset_service_name(res: Resource, ctx: Context) -> Iterator[Finding]:
    """kube-score's statefulset-has-servicename also flags a serviceName whose headless Service
    is absent from the input; kubelint checks only that the field is set."""
    if _unset(res, "serviceName") or dig(res.obj, "spec", "serviceName") == "":
        yield Finding(("spec", "serviceName"), f"no serviceName on {object_label(res)}, so its "
                                              "pods get no stable DNS names")


@rule(
    id="unset-cronjob-concurrency-policy", category=RELIABILITY, severity=Severity.WARNING,
    kinds=("CronJob",),
    summary="A CronJob leaves concurrencyPolicy unset, so runs may overlap.",
    rationale="The default, Allow, starts a new Job even while the previous one still runs; "
              "slow runs then pile up, compete for the same data and multiply load.",
    remediation="Set spec.concurrencyPolicy to Forbid or Replace (or Allow, to say overlapping "
                "runs are intended).",
    references=(CRONJOB_URL,),
)
def unset_cronjob_concurrency_policy(res: Resource, ctx: Context) -> Iterator[Finding]:
    if _unset(res, "concurrencyPolicy"):
        yield Finding(("spec", "concurrencyPolicy"),
                      f"no concurrencyPolicy on {object_label(res)}, so runs may overlap")


@rule(
    id="unset-cronjob-starting-deadline", category=RELIABILITY, severity=Severity.WARNING,
    kinds=("CronJob",),
    summary="A CronJob sets no startingDeadlineSeconds.",
    rationale="Without a deadline, a CronJob that missed more than 100 schedules (controller "
              "down, cluster paused, concurrencyPolicy Forbid) stops being scheduled at all, "
              "and a late run may start long after it is useful.",
    remediation="Set spec.startingDeadlineSeconds to how late a run may still start (at least "
                "10 seconds).",
    references=(CRONJOB_URL,),
    equivalents={"kube-score": "cronjob-has-deadline"},
)
def unset_cronjob_starting_deadline(res: Resource, ctx: Context) -> Iterator[Finding]:
    if _unset(res, "startingDeadlineSeconds"):
        yield Finding(("spec", "startingDeadlineSeconds"),
                      f"no startingDeadlineSeconds on {object_label(res)}")


_HOOK_DELETE_POLICIES = ("helm.sh/hook-delete-policy", "argocd.argoproj.io/hook-delete-policy")


@rule(
    id="unset-job-ttl", category=RELIABILITY, severity=Severity.WARNING, kinds=("Job",),
    default_enabled=False,
    summary="A standalone Job sets no ttlSecondsAfterFinished.",
    rationale="Finished Jobs and their pods stay in the cluster until someone deletes them, "
              "piling up objects for the API server and etcd, and blocking a re-apply of the "
              "same Job (its template is immutable).",
    remediation="Set spec.ttlSecondsAfterFinished so the Job is deleted after it finishes.",
    references=(JOB_TTL_URL,),
    equivalents={"kube-linter": "job-ttl-seconds-after-finished"},
)
def unset_job_ttl(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Helm and Argo CD hook Jobs with a hook-delete-policy are cleaned up by the tool and pass.
    kube-linter's job-ttl-seconds-after-finished also flags a CronJob whose jobTemplate sets a
    TTL (it may delete Jobs before the history limits would); kubelint treats that as a valid
    choice and does not."""
    if any(key in res.annotations for key in _HOOK_DELETE_POLICIES):
        return
    if _unset(res, "ttlSecondsAfterFinished"):
        yield Finding(("spec", "ttlSecondsAfterFinished"),
                      f"no ttlSecondsAfterFinished on {object_label(res)}, so it is never "
                      "cleaned up")


_JOB_SPECS = {"Job": ("spec",), "CronJob": ("spec", "jobTemplate", "spec")}


@rule(
    id="unset-job-backoff-limit", category=RELIABILITY, severity=Severity.INFO,
    kinds=tuple(_JOB_SPECS), default_enabled=False,
    summary="A Job or CronJob leaves backoffLimit at its default of 6 retries.",
    rationale="Whether a failing Job should be retried, and how often, depends on the task: a "
              "non-idempotent job should not run six more times, a flaky one may need more. "
              "Stating it makes the retry behaviour a decision.",
    remediation="Set backoffLimit in the Job spec (the CronJob's jobTemplate.spec).",
    references=(JOB_URL,),
)
def unset_job_backoff_limit(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Indexed Jobs that set backoffLimitPerIndex pass (their backoffLimit defaults to
    unlimited)."""
    path = _JOB_SPECS[res.kind]
    spec = dig(res.obj, *path)
    if not isinstance(res.obj.get("spec"), dict) or (spec is not None
                                                     and not isinstance(spec, dict)):
        return
    spec = as_dict(spec)
    if spec.get("backoffLimit") is None and spec.get("backoffLimitPerIndex") is None:
        yield Finding((*path, "backoffLimit"), f"no backoffLimit on {object_label(res)}, so a "
                                                "failing run is retried 6 times")


RULES = (
    low_replica_count, unspread_replicas, invalid_topology_spread_constraint,
    unset_topology_spread_constraints,
    missing_pod_disruption_budget, blocking_pod_disruption_budget,
    pod_disruption_budget_without_policy, unset_pdb_unhealthy_pod_eviction_policy,
    disruptive_update_strategy, unset_statefulset_service_name,
    unset_cronjob_concurrency_policy, unset_cronjob_starting_deadline, unset_job_ttl,
    unset_job_backoff_limit,
)
