"""Services, ingresses, routes and references between objects.

Two families:

- `networking`: what Services select and expose, the ports they forward to, and the Services that
  Ingresses and Gateway API routes send traffic to; plus the validity of port names and numbers
  and of workload selectors (single-object checks the others build on).
- `references`: an object naming another (an autoscaler's target, a budget's or policy's pods, a
  binding's role, a pod's ConfigMaps, Secrets, claims and service account) that the linted set
  does not hold.

Cross-resource rules read look-up tables built once per bundle with `ResourceIndex.cached`
(objects by name, pods and Services by label pair), so each object costs a few dictionary
look-ups rather than a scan of the bundle. A finding points at the key of this object that makes
the reference and relates the objects it was compared with.

Not a rule: `externalTrafficPolicy`. `Cluster` (the default) and `Local` trade client source IPs
and an extra hop against uneven load and a dependence on node health checks; neither is a defect,
and the field only matters on Services reachable from outside (NodePort, LoadBalancer,
externalIPs), which exposed-service and service-external-ips already point out.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kubelint.k8s import (
    WORKLOADS,
    Resource,
    ResourceIndex,
    as_dict,
    as_list,
    containers,
    dig,
    is_int,
    object_label,
    pod_spec,
    pod_template_metadata,
    same_namespace,
    selector_matches,
)
from kubelint.model import Finding, Related, Severity, YamlPath
from kubelint.rule import Context, rule

NETWORKING = "networking"
REFERENCES = "references"
HYGIENE = "hygiene"

SERVICE_URL = "https://kubernetes.io/docs/concepts/services-networking/service/"
SERVICE_NO_SELECTOR_URL = SERVICE_URL + "#services-without-selectors"
SERVICE_PORTS_URL = SERVICE_URL + "#field-spec-ports"
SERVICE_TYPES_URL = SERVICE_URL + "#publishing-services-service-types"
EXTERNAL_IPS_URL = SERVICE_URL + "#external-ips"
EXTERNAL_IPS_CVE_URL = "https://github.com/kubernetes/kubernetes/issues/97076"
CONNECT_URL = ("https://kubernetes.io/docs/tutorials/services/connect-applications-service/")
INGRESS_URL = "https://kubernetes.io/docs/concepts/services-networking/ingress/"
GATEWAY_URL = "https://kubernetes.io/docs/concepts/services-networking/gateway/"
HPA_URL = "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/"
PDB_URL = "https://kubernetes.io/docs/tasks/run-application/configure-pdb/"
NETWORK_POLICY_URL = "https://kubernetes.io/docs/concepts/services-networking/network-policies/"
MONITOR_URL = "https://prometheus-operator.dev/docs/api-reference/api/"
RBAC_URL = "https://kubernetes.io/docs/reference/access-authn-authz/rbac/"
RBAC_DEFAULT_ROLES_URL = RBAC_URL + "#default-roles-and-role-bindings"
SERVICE_ACCOUNT_URL = ("https://kubernetes.io/docs/tasks/configure-pod-container/"
                       "configure-service-account/")
CONFIG_MAP_URL = "https://kubernetes.io/docs/concepts/configuration/configmap/"
SECRET_URL = "https://kubernetes.io/docs/concepts/configuration/secret/"
PVC_URL = "https://kubernetes.io/docs/concepts/storage/persistent-volumes/#persistentvolumeclaims"
LABEL_SELECTORS_URL = ("https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"
                       "#label-selectors")
DEPLOYMENT_SELECTOR_URL = ("https://kubernetes.io/docs/concepts/workloads/controllers/deployment/"
                           "#selector")
CONTAINER_PORTS_URL = ("https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/"
                       "pod-v1/#ports")

_RELATED_MAX = 5
"""At most this many related objects per finding."""

# --- look-up tables, built once per bundle -------------------------------------------------------

POD_KINDS = frozenset(WORKLOADS - {"PodTemplate"} | {"Rollout"})
"""Objects whose pods a selector can match: workloads (a PodTemplate runs nothing) and Argo
Rollouts, which keep a pod template at spec.template."""
_PLAIN_SELECTOR_KINDS = frozenset({"ReplicationController", "DeploymentConfig"})

_CONTROLLER_LABELS: Mapping[str, frozenset[str]] = {
    "statefulset.kubernetes.io/pod-name": frozenset({"StatefulSet"}),
    "apps.kubernetes.io/pod-index": frozenset({"StatefulSet"}),
    "controller-revision-hash": frozenset({"StatefulSet", "DaemonSet"}),
    "pod-template-hash": frozenset({"Deployment", "ReplicaSet"}),
    "rollouts-pod-template-hash": frozenset({"Rollout"}),
    "batch.kubernetes.io/job-completion-index": frozenset({"Job"}),
    "controller-uid": frozenset({"Job"}),
    "batch.kubernetes.io/controller-uid": frozenset({"Job"}),
}
"""Pod labels a controller adds with values the manifest cannot know (per pod, hash or uid):
a selector requiring one is satisfied by any object of those kinds (a StatefulSet's pod-name
by `<name>-<ordinal>` only). Jobs also label pods job-name=<name>, added to their labels."""

_BUILTIN_GROUPS = frozenset({
    "", "apps", "batch", "autoscaling", "policy", "extensions", "networking.k8s.io",
    "rbac.authorization.k8s.io", "storage.k8s.io", "apiextensions.k8s.io",
    "admissionregistration.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io",
    "discovery.k8s.io", "certificates.k8s.io", "apiregistration.k8s.io",
    "flowcontrol.apiserver.k8s.io", "events.k8s.io", "resource.k8s.io", "apps.openshift.io",
    "argoproj.io", "kustomize.config.k8s.io", "gateway.networking.k8s.io",
    "cert-manager.io", "external-secrets.io", "bitnami.com", "keda.sh", "autoscaling.k8s.io",
    "networking.istio.io", "security.istio.io", "cloud.google.com", "networking.gke.io",
    "monitoring.googleapis.com",
})
"""API groups whose kinds run no pods of their own (or are known to kubelint): a custom resource
of any other group may be an operator's, whose pods the linted set cannot show."""
_CONFIG_KINDS = frozenset({"ServiceMonitor", "PodMonitor", "PrometheusRule", "Probe",
                           "ScrapeConfig", "AlertmanagerConfig"})
"""Prometheus Operator kinds that configure rather than run (Prometheus, Alertmanager and
ThanosRuler, of the same group, run pods)."""


def _group(res: Resource) -> str:
    return res.api_version.rsplit("/", 1)[0] if "/" in res.api_version else ""


def _build_operated(index: ResourceIndex) -> dict[str, list[Resource]]:
    """Custom resources by name, for the pods an operator may create from them."""
    out: dict[str, list[Resource]] = {}
    for r in index.resources:
        if r.name is not None and _group(r) not in _BUILTIN_GROUPS \
                and r.kind not in _CONFIG_KINDS:
            out.setdefault(r.name, []).append(r)
    return out


def _operator_pods(index: ResourceIndex, res: Resource, values: Iterable[Any]) -> bool:
    """Whether a selector value names a custom resource near `res`: operators label the pods
    they create for a resource with its name (prometheus=k8s, cnpg.io/cluster=db), so the
    selector is taken to match pods the linted set cannot show."""
    operated = index.cached(("networking", "operated"), _build_operated)
    return bool(operated) and any(same_namespace(r, res) for v in values if isinstance(v, str)
                                  for r in operated.get(v, ()))


def _selector_values(selector: dict) -> list[Any]:
    """The values a LabelSelector requires: matchLabels values and In expressions' values."""
    out = list(as_dict(selector.get("matchLabels")).values())
    for req in as_list(selector.get("matchExpressions")):
        if as_dict(req).get("operator") == "In":
            out.extend(as_list(as_dict(req).get("values")))
    return out


def _build_kustomized(index: ResourceIndex) -> dict[str, tuple[dict, dict]]:
    """file -> (selector labels, pod template labels) that Kustomizations in the bundle add to the
    objects of the files they list (commonLabels; `labels` with includeSelectors or
    includeTemplates), following bases listed as folders holding a Kustomization."""
    kustomizations = {os.path.dirname(os.path.normpath(k.file)): k
                      for k in index.of_kind("Kustomization")}
    out: dict[str, tuple[dict, dict]] = {}

    def visit(folder: str, outer: tuple[dict, dict], depth: int) -> None:
        k = kustomizations.get(folder)
        if k is None or depth > 8:
            return
        selectors = dict(as_dict(k.obj.get("commonLabels")))
        templates = dict(selectors)
        for entry in as_list(k.obj.get("labels")):
            entry = as_dict(entry)
            pairs = as_dict(entry.get("pairs"))
            if entry.get("includeSelectors") is True:
                selectors.update(pairs)
                templates.update(pairs)
            elif entry.get("includeTemplates") is True:
                templates.update(pairs)
        mine = ({**selectors, **outer[0]}, {**templates, **outer[1]})
        for key in ("resources", "bases", "components"):
            for item in as_list(k.obj.get(key)):
                if not isinstance(item, str) or "://" in item:
                    continue
                path = os.path.normpath(os.path.join(folder, item))
                if path in kustomizations:
                    visit(path, mine, depth + 1)
                elif mine[0] or mine[1]:
                    old = out.get(path, ({}, {}))
                    out[path] = ({**old[0], **mine[0]}, {**old[1], **mine[1]})

    for folder in kustomizations:
        visit(folder, ({}, {}), 0)
    return out


def kustomize_labels(index: ResourceIndex, res: Resource) -> tuple[dict, dict]:
    """(selector labels, pod template labels) a Kustomization in the bundle adds to `res`."""
    found = index.cached(("networking", "kustomized"), _build_kustomized)
    return found.get(os.path.normpath(res.file), ({}, {})) if found else ({}, {})


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _template_meta(res: Resource) -> tuple[YamlPath, dict]:
    if res.kind == "Rollout":
        return ("spec", "template", "metadata"), as_dict(dig(res.obj, "spec", "template",
                                                             "metadata"))
    return pod_template_metadata(res)


def pod_labels(res: Resource, index: ResourceIndex | None = None) -> dict:
    """The labels the pods of `res` carry: its pod template's (a Pod's own), plus job-name for a
    Job and what a Kustomization in `index` adds; for a template without labels (which the API
    server rejects), the selector's, which its pods must carry."""
    labels = as_dict(_template_meta(res)[1].get("labels"))
    if not labels and res.kind != "Pod":
        selector = dig(res.obj, "spec", "selector")
        labels = as_dict(selector) if res.kind in _PLAIN_SELECTOR_KINDS else \
            as_dict(dig(selector, "matchLabels"))
    extra = kustomize_labels(index, res)[1] if index is not None else {}
    if res.kind == "Job" and res.name:
        extra = {**extra, "job-name": res.name, "batch.kubernetes.io/job-name": res.name}
    return {**labels, **extra} if extra else labels


def _controller_ok(res: Resource, selector: Mapping[Any, Any]) -> bool:
    """Whether `res` satisfies a selector's controller-assigned labels (see _CONTROLLER_LABELS)."""
    for key, kinds in _CONTROLLER_LABELS.items():
        if key in selector:
            if res.kind not in kinds:
                return False
            if key == "statefulset.kubernetes.io/pod-name":
                value = selector[key]
                if not (isinstance(value, str) and res.name and value.startswith(res.name + "-")
                        and value[len(res.name) + 1:].isdigit()):
                    return False
    return True


def _split(selector: Mapping[Any, Any]) -> tuple[dict, dict]:
    """A label map split into (ordinary pairs, controller-assigned pairs)."""
    plain = {k: v for k, v in selector.items() if k not in _CONTROLLER_LABELS}
    return plain, {k: v for k, v in selector.items() if k in _CONTROLLER_LABELS}


@dataclass(frozen=True, slots=True)
class Labelled:
    """Objects with the labels selectors are matched against, and an index by label pair."""

    items: tuple[tuple[Resource, dict], ...]
    by_pair: Mapping[tuple[str, Any], tuple[int, ...]]

    @classmethod
    def of(cls, pairs: Iterable[tuple[Resource, dict]]) -> Labelled:
        items = tuple(pairs)
        postings: dict[tuple[str, Any], list[int]] = {}
        for i, (_, labels) in enumerate(items):
            for key, value in labels.items():
                if _scalar(value):
                    postings.setdefault((key, value), []).append(i)
        return cls(items, {pair: tuple(ix) for pair, ix in postings.items()})

    def _candidates(self, required: dict) -> Iterable[int]:
        """Items that may carry every pair of `required`: the shortest posting list."""
        if not required:
            return range(len(self.items))
        best: tuple[int, ...] | None = None
        for pair in required.items():
            if not _scalar(pair[1]):
                return ()
            hits = self.by_pair.get(pair, ())
            if best is None or len(hits) < len(best):
                best = hits
            if not best:
                return ()
        return best or ()

    def matching_map(self, selector: dict, near: Callable[[Resource], bool]) -> list[Resource]:
        """Objects whose labels hold every pair of a plain label map (a Service's selector)."""
        plain, assigned = _split(selector)
        out = []
        for i in self._candidates(plain):
            res, labels = self.items[i]
            if near(res) and all(key in labels and labels[key] == value
                                 for key, value in plain.items()) \
                    and (not assigned or _controller_ok(res, assigned)):
                out.append(res)
        return out

    def matching(self, selector: Any, near: Callable[[Resource], bool]) -> list[Resource]:
        """Objects a LabelSelector (matchLabels and matchExpressions) selects."""
        if not isinstance(selector, dict):
            return []
        match_labels = selector.get("matchLabels")
        required = match_labels if isinstance(match_labels, dict) else {}
        plain, assigned = _split(required)
        if assigned:
            selector = {**selector, "matchLabels": plain}
        out = []
        for i in self._candidates(plain):
            res, labels = self.items[i]
            if near(res) and selector_matches(selector, labels) \
                    and (not assigned or _controller_ok(res, assigned)):
                out.append(res)
        return out

    def near_misses(self, selector: dict, near: Callable[[Resource], bool]
                    ) -> list[tuple[Resource, dict]]:
        """Objects carrying every pair of a plain selector but one (a label that drifted).

        Such an object carries one of any two of the pairs, so the two shortest posting lists
        hold every candidate; when they are long the near misses say little and are skipped,
        which keeps the cost per selector bounded.
        """
        if len(selector) < 2 or not all(_scalar(v) for v in selector.values()):
            return []
        postings = sorted((self.by_pair.get(pair, ()) for pair in selector.items()), key=len)
        candidates = sorted(set(postings[0]) | set(postings[1]))
        if len(candidates) > 8 * _RELATED_MAX:
            return []
        out = []
        for i in candidates:
            res, labels = self.items[i]
            carried = sum(1 for k, v in selector.items() if k in labels and labels[k] == v)
            if carried == len(selector) - 1 and near(res):
                out.append((res, labels))
        return out


def _build_pods(index: ResourceIndex) -> Labelled:
    return Labelled.of((r, pod_labels(r, index)) for r in index.of_kind(*sorted(POD_KINDS)))


def _build_services(index: ResourceIndex) -> Labelled:
    return Labelled.of((r, r.labels) for r in index.of_kind("Service"))


def _build_names(index: ResourceIndex) -> dict[tuple[str, str], list[Resource]]:
    out: dict[tuple[str, str], list[Resource]] = {}
    for r in index.resources:
        if r.name is not None:
            out.setdefault((r.kind, r.name), []).append(r)
    return out


def _pods(index: ResourceIndex) -> Labelled:
    return index.cached(("networking", "pods"), _build_pods)


def _services(index: ResourceIndex) -> Labelled:
    return index.cached(("networking", "services"), _build_services)


def _named(index: ResourceIndex, kind: str, name: str) -> list[Resource]:
    """Every object of `kind` called `name`, in any namespace."""
    return index.cached(("networking", "names"), _build_names).get((kind, name), [])


def _namespace_ok(obj_ns: str | None, want: str | None) -> bool:
    """Whether an object in `obj_ns` can be in namespace `want` (unset: left to `kubectl -n`)."""
    return obj_ns is None or want is None or obj_ns == want


def _lookup(index: ResourceIndex, kind: str, name: str, namespace: str | None) -> list[Resource]:
    return [r for r in _named(index, kind, name) if _namespace_ok(r.namespace, namespace)]


def _near(res: Resource) -> Callable[[Resource], bool]:
    return lambda other: same_namespace(other, res)


def _anywhere(_: Resource) -> bool:
    return True


def _in_namespace(res: Resource) -> str:
    return f"namespace {res.namespace!r}" if res.namespace else "the linted set"


def _elsewhere(index: ResourceIndex, kind: str, name: str, namespace: str | None,
               also: Iterable[str] = ()) -> tuple[Related, ...]:
    """Near misses of a failed look-up: the name in another namespace, or under another kind."""
    out = []
    for r in _named(index, kind, name):
        if not _namespace_ok(r.namespace, namespace):
            out.append(Related(r, ("metadata", "name"),
                               f"{object_label(r)} is in namespace {r.namespace!r}"))
    for other in also:
        if other != kind:
            for r in _lookup(index, other, name, namespace):
                out.append(Related(r, ("metadata", "name"),
                                   f"{object_label(r)} has that name"))
    return tuple(out[:_RELATED_MAX])


def _labels_text(labels: Mapping[Any, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in labels.items()) or "{}"


def _selector_text(selector: dict) -> str:
    parts = [f"{k}={v}" for k, v in as_dict(selector.get("matchLabels")).items()]
    for req in as_list(selector.get("matchExpressions")):
        req = as_dict(req)
        values = ",".join(str(v) for v in as_list(req.get("values")))
        parts.append(f"{req.get('key')} {req.get('operator')}" + (f" ({values})" if values else ""))
    return ", ".join(parts) or "{}"


def _selects_everything(selector: dict) -> bool:
    return not as_dict(selector.get("matchLabels")) and not as_list(
        selector.get("matchExpressions"))


def _with_labels(selector: dict, extra: dict) -> dict:
    """A LabelSelector with `extra` added to its matchLabels (what kustomize does)."""
    if not extra:
        return selector
    return {**selector, "matchLabels": {**as_dict(selector.get("matchLabels")), **extra}}


def _labels_path(res: Resource) -> YamlPath:
    return (*_template_meta(res)[0], "labels") if res.kind in POD_KINDS else ("metadata", "labels")


def _unmatched(res: Resource, path: YamlPath, what: str, here: str, elsewhere: list[Resource],
               near_misses: list[tuple[Resource, dict]] | None = None,
               selector: dict | None = None) -> Finding:
    """`what` matches nothing near `res`: say whether it matches objects in other namespaces
    (relating them), or relate objects that lack one pair of a plain label selector."""
    if elsewhere:
        namespaces = ", ".join(sorted({repr(w.namespace) for w in elsewhere}))
        related = tuple(Related(w, _labels_path(w),
                                f"{object_label(w)} in namespace {w.namespace!r} matches")
                        for w in elsewhere[:_RELATED_MAX])
        return Finding(path, f"{what} matches no {here} in {_in_namespace(res)}, only in "
                             f"namespace {namespaces}", related=related)
    related: tuple[Related, ...] = ()
    if selector and near_misses:
        related = tuple(_partial(w, labels, selector) for w, labels in near_misses[:_RELATED_MAX])
    return Finding(path, f"{what} matches no {here} in {_in_namespace(res)}", related=related)


def _partial(res: Resource, labels: dict, selector: dict) -> Related:
    missing = {k: v for k, v in selector.items() if k not in labels or labels[k] != v}
    return Related(res, _labels_path(res), f"{object_label(res)} lacks {_labels_text(missing)}")


# --- Services -------------------------------------------------------------------------------


def _service_spec(res: Resource) -> dict | None:
    """The spec of a Service that routes to pods (not ExternalName), or None."""
    spec = res.obj.get("spec")
    if not isinstance(spec, dict) or spec.get("type") == "ExternalName":
        return None
    return spec


def _service_selector(res: Resource, index: ResourceIndex) -> dict | None:
    """A routing Service's selector with what a Kustomization in the bundle adds; None when it
    has none (absent, null or `{}`) or a mistyped one."""
    spec = _service_spec(res)
    if spec is None:
        return None
    selector = spec.get("selector")
    if selector is None:
        selector = {}
    if not isinstance(selector, dict) or not all(_scalar(v) for v in selector.values()):
        return None
    extra = kustomize_labels(index, res)[0]
    return {**selector, **extra} if selector or extra else None


@rule(
    id="unmatched-service-selector", category=NETWORKING, severity=Severity.WARNING,
    kinds=("Service",), scope="bundle",
    summary="A Service's selector matches no pod template in its namespace.",
    rationale="A Service whose selector matches no pods has no endpoints: connections to it are "
              "refused or time out. It usually means a typo in a label, labels changed on the "
              "workload but not on the Service, or the Service and workload in different "
              "namespaces.",
    remediation="Make spec.selector match the pod template labels of the workload the Service "
                "fronts, in the same namespace.",
    references=(SERVICE_URL, LABEL_SELECTORS_URL),
    equivalents={"kube-linter": "dangling-service", "kube-score": "service-targets-pod",
                 "kubescape": "C-0293"},
)
def unmatched_service_selector(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Pods are those of workloads (Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets,
    ReplicationControllers, Jobs, CronJobs, DeploymentConfigs) and Argo Rollouts in the linted set;
    objects without a namespace may share any. When the linted set holds no pod-bearing object
    at all, the Service's pods are evidently defined elsewhere and the rule says nothing; pods that
    operators create from custom resources are not in it either, so a selector value naming a
    custom resource in the namespace (prometheus=k8s for a Prometheus named k8s) passes. Labels
    that controllers add to pods (job-name, statefulset.kubernetes.io/pod-name, pod-template-hash,
    ...) and that a Kustomization in the linted set adds (commonLabels) are taken into account.
    Workloads carrying all but one of the selector's labels are related.

    kube-linter's dangling-service also flags a Service without a selector (kubelint's
    missing-service-selector).
    """
    selector = _service_selector(res, ctx.index)
    if selector is None:
        return
    pods = _pods(ctx.index)
    if not pods.items:
        return
    matched = pods.matching_map(selector, _anywhere)
    if any(same_namespace(w, res) for w in matched) or _operator_pods(ctx.index, res,
                                                                       selector.values()):
        return
    yield _unmatched(res, ("spec", "selector"),
                     f"selector {_labels_text(selector)} of {object_label(res)}", "pods",
                     matched, pods.near_misses(selector, _near(res)), selector)


def _has_endpoints(index: ResourceIndex, res: Resource) -> bool:
    """Endpoints named after the Service, or an EndpointSlice labelled with its name."""
    if res.name is None:
        return False
    if _lookup(index, "Endpoints", res.name, res.namespace):
        return True
    slices = index.cached(("networking", "slices"), _build_slices)
    return any(same_namespace(r, res) for r in slices.get(res.name, ()))


def _build_slices(index: ResourceIndex) -> dict[Any, list[Resource]]:
    """EndpointSlices by the Service they fill (their kubernetes.io/service-name label)."""
    out: dict[Any, list[Resource]] = {}
    for r in index.of_kind("EndpointSlice"):
        name = r.labels.get("kubernetes.io/service-name")
        if isinstance(name, str):
            out.setdefault(name, []).append(r)
    return out


@rule(
    id="missing-service-selector", category=NETWORKING, severity=Severity.INFO,
    kinds=("Service",), scope="bundle", default_enabled=False,
    summary="A Service that is not ExternalName has no selector and no Endpoints or "
            "EndpointSlice in the linted set.",
    rationale="Without a selector Kubernetes creates no endpoints for a Service: it stays empty "
              "until something else writes them. That is deliberate for Services fronting "
              "servers outside the cluster (with hand-written EndpointSlices) or managed by an "
              "operator, and a mistake when the selector was forgotten.",
    remediation="Add a spec.selector matching the pods to serve, or ship the EndpointSlice (or "
                "Endpoints) that fills the Service, or make it type ExternalName.",
    references=(SERVICE_NO_SELECTOR_URL,),
    equivalents={"kube-linter": "dangling-service"},
)
def missing_service_selector(res: Resource, ctx: Context) -> Iterator[Finding]:
    """An absent, null or empty selector counts as none (the API treats `{}` so). Endpoints with
    the Service's name, or an EndpointSlice labelled kubernetes.io/service-name with it, in the
    linted set make the Service pass, as does a selector a Kustomization in the linted set adds
    (commonLabels). Off by default and informational: selector-less Services are legitimate when
    something else manages their endpoints (kube-linter flags them by default as part of
    dangling-service)."""
    spec = _service_spec(res)
    if spec is None or spec.get("selector") not in (None, {}) or kustomize_labels(ctx.index,
                                                                                 res)[0]:
        return
    if not _has_endpoints(ctx.index, res):
        yield Finding(("spec", "selector"),
                      f"{object_label(res)} has no selector, so Kubernetes gives it no endpoints")


def _serving_containers(res: Resource) -> Iterator[tuple[YamlPath, dict]]:
    """Regular containers and sidecars (init containers with restartPolicy: Always)."""
    if res.kind == "Rollout":
        spec = as_dict(dig(res.obj, "spec", "template", "spec"))
        base: YamlPath = ("spec", "template", "spec")
        for list_name in ("initContainers", "containers"):
            for i, c in enumerate(as_list(spec.get(list_name))):
                if isinstance(c, dict) and (list_name == "containers"
                                            or c.get("restartPolicy") == "Always"):
                    yield (*base, list_name, i), c
        return
    for c in containers(res):
        if c.list_name == "containers" or (c.list_name == "initContainers"
                                           and c.spec.get("restartPolicy") == "Always"):
            yield c.path, c.spec


def _container_name(path: YamlPath, spec: dict) -> str:
    name = spec.get("name")
    return name if isinstance(name, str) else f"#{path[-1]}"


def _declared(spec: dict) -> list[tuple[int | None, str | None]]:
    """(containerPort, name) of each port a container declares."""
    out = []
    for p in as_list(spec.get("ports")):
        p = as_dict(p)
        number, name = p.get("containerPort"), p.get("name")
        out.append((number if is_int(number) else None,
                    name if isinstance(name, str) and name else None))
    return out


def _ports_text(ports: list[tuple[int | None, str | None]]) -> str:
    if not ports:
        return "declares no ports"
    shown = [f"{number} ({name!r})" if name and number is not None else
             (repr(name) if name else str(number)) for number, name in ports]
    return ("declares port " if len(shown) == 1 else "declares ports ") + ", ".join(shown)


def _port_relations(workloads: list[Resource]) -> tuple[Related, ...]:
    out = []
    for w in workloads:
        for path, spec in _serving_containers(w):
            ports = _declared(spec)
            where = (*path, "ports") if ports else path
            out.append(Related(w, where, f"container {_container_name(path, spec)!r} of "
                                         f"{object_label(w)} {_ports_text(ports)}"))
    return tuple(out[:_RELATED_MAX])


@rule(
    id="undeclared-target-port", category=NETWORKING, severity=Severity.WARNING,
    kinds=("Service",), scope="bundle",
    summary="A Service's targetPort names a port that no container of the pods it selects "
            "declares (or, with an option, gives such a number).",
    rationale="A named targetPort is looked up in the pods' container ports: when no container "
              "declares the name, the pod is left out of that port's endpoints and the Service "
              "sends nothing there. A numeric targetPort that none of the containers declares, "
              "while they do declare other ports, often means the Service forwards to the wrong "
              "port.",
    remediation="Set targetPort to the name or number of a port a container of the selected pods "
                "declares (or declare that port in the container).",
    references=(SERVICE_PORTS_URL, CONNECT_URL),
    options_schema={
        "type": "object", "additionalProperties": False,
        "properties": {"numbers": {
            "type": "boolean",
            "description": "Also report a numeric targetPort (or port, when targetPort is unset) "
                           "that none of the selected containers declares, when they declare "
                           "other ports."}},
    },
    defaults={"numbers": False},
)
def undeclared_target_port(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Only Services whose selector matches pod templates in the linted set are checked (the
    others are unmatched-service-selector's). A named targetPort must be declared by a regular or
    sidecar container of some selected pod. Numbers are compared only with `numbers: true`, and
    then only when those containers declare ports at all: containers may listen on ports they do
    not declare (operators scaffolded by kubebuilder serve metrics on an undeclared port next to a
    declared webhook port). Protocols are not compared; malformed targetPorts are invalid-port's.
    kube-linter's invalid-target-ports checks the name's syntax only, on one object."""
    selector = _service_selector(res, ctx.index)
    if selector is None:
        return
    matched = _pods(ctx.index).matching_map(selector, _near(res))
    if not matched:
        return
    names: set[str] = set()
    numbers: set[int] = set()
    for w in matched:
        for _, spec in _serving_containers(w):
            for number, name in _declared(spec):
                if number is not None:
                    numbers.add(number)
                if name is not None:
                    names.add(name)
    label = object_label(res)
    for i, port in enumerate(as_list(as_dict(res.obj.get("spec")).get("ports"))):
        port = as_dict(port)
        target, key = port.get("targetPort"), "targetPort"
        if target in (None, 0, ""):
            target, key = port.get("port"), "port"
        where = ("spec", "ports", i, key)
        if isinstance(target, str) and _port_name_problem(target) is None:
            if target not in names:
                yield Finding(where, f"targetPort {target!r} of {label} names no container port "
                                     "of the pods it selects",
                              related=_port_relations(matched))
        elif (ctx.options.get("numbers") is True and is_int(target) and 0 < target <= 65535
              and numbers and target not in numbers):
            what = f"targetPort {target}" if key == "targetPort" else \
                f"port {target} (the targetPort when none is set)"
            yield Finding(where, f"{what} of {label} is not a container port of the pods it "
                                 "selects", related=_port_relations(matched))


_INTERNAL_LB_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": ("true", "0.0.0.0/0"),
    "service.beta.kubernetes.io/aws-load-balancer-scheme": ("internal",),
    "networking.gke.io/load-balancer-type": ("internal",),
    "cloud.google.com/load-balancer-type": ("internal",),
    "service.beta.kubernetes.io/azure-load-balancer-internal": ("true",),
    "service.beta.kubernetes.io/oci-load-balancer-internal": ("true",),
    "service.beta.kubernetes.io/openstack-internal-load-balancer": ("true",),
    "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type": ("private",),
    "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": ("intranet",),
}
"""Cloud annotations that make a LoadBalancer Service internal (lower-cased values)."""


def _internal_load_balancer(res: Resource) -> bool:
    return any(str(res.annotations.get(key, "")).lower() in values
               for key, values in _INTERNAL_LB_ANNOTATIONS.items())


@rule(
    id="exposed-service", category=NETWORKING, severity=Severity.WARNING, kinds=("Service",),
    default_enabled=False,
    summary="A Service is of a type that exposes it outside the cluster (by default NodePort or "
            "LoadBalancer).",
    rationale="A NodePort Service opens its port on every node, bypassing ingress controllers, "
              "TLS termination and whatever firewalls sit in front of them; a LoadBalancer "
              "Service gets an address reachable from outside the cluster, often the internet. "
              "Exposure should be a reviewed decision rather than a default.",
    remediation="Use type ClusterIP and expose the Service through an Ingress or Gateway, or "
                "make the load balancer internal, or allow the type in this rule's options.",
    references=(SERVICE_TYPES_URL,),
    equivalents={"kube-linter": "exposed-services", "kube-score": "service-type"},
    options_schema={
        "type": "object", "additionalProperties": False,
        "properties": {"types": {
            "type": "array", "uniqueItems": True,
            "items": {"enum": ["NodePort", "LoadBalancer", "ClusterIP", "ExternalName"]},
            "description": "Service types to report."}},
    },
    defaults={"types": ["NodePort", "LoadBalancer"]},
)
def exposed_service(res: Resource, ctx: Context) -> Iterator[Finding]:
    """A LoadBalancer Service made internal by a cloud annotation (AWS, GKE, Azure, OCI,
    OpenStack, IBM, Alibaba) passes; kube-linter's exposed-services flags it. kube-score's
    service-type flags NodePort only (set `types: [NodePort]`)."""
    spec = res.obj.get("spec")
    if not isinstance(spec, dict):
        return
    kind = spec.get("type") or "ClusterIP"
    types = ctx.options.get("types")
    if not isinstance(kind, str) or not isinstance(types, (list, tuple)) or kind not in types:
        return
    if kind == "LoadBalancer" and _internal_load_balancer(res):
        return
    how = ("opens its port on every node" if kind == "NodePort" else
           "gets an address outside the cluster" if kind == "LoadBalancer" else
           "this rule's options report")
    yield Finding(("spec", "type"), f"{object_label(res)} is of type {kind}, which {how}")


@rule(
    id="service-external-ips", category=NETWORKING, severity=Severity.WARNING,
    kinds=("Service",),
    summary="A Service sets spec.externalIPs.",
    rationale="externalIPs make every node route traffic for those addresses to the Service, "
              "whoever owns them: anyone allowed to create Services can intercept traffic to any "
              "IP address (CVE-2020-8554), which is why the DenyServiceExternalIPs admission "
              "plugin exists. Few setups need the field now that LoadBalancer Services exist.",
    remediation="Remove spec.externalIPs and expose the Service through a LoadBalancer, an "
                "Ingress or a Gateway.",
    references=(EXTERNAL_IPS_URL, EXTERNAL_IPS_CVE_URL),
)
def service_external_ips(res: Resource, ctx: Context) -> Iterator[Finding]:
    """trivy's KSV-0108 flags this too, and also every ExternalName Service (outside an empty
    allow-list), so it is not listed as an equivalent."""
    ips = dig(res.obj, "spec", "externalIPs")
    if isinstance(ips, list) and ips:
        shown = ", ".join(str(ip) for ip in ips[:3]) + (", ..." if len(ips) > 3 else "")
        yield Finding(("spec", "externalIPs"),
                      f"{object_label(res)} claims traffic to externalIPs {shown} on every node")


_LONG_RUNNING = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                 "ReplicationController", "DeploymentConfig")


def _build_served(index: ResourceIndex) -> set[Resource]:
    """Every pod-bearing object some Service (with a selector) in the bundle selects."""
    pods = _pods(index)
    served: set[Resource] = set()
    for service in index.of_kind("Service"):
        selector = _service_selector(service, index)
        if selector is not None:
            served.update(pods.matching_map(selector, _near(service)))
    return served


@rule(
    id="workload-without-service", category=NETWORKING, severity=Severity.INFO,
    kinds=_LONG_RUNNING, scope="bundle", default_enabled=False,
    summary="A workload declares container ports but no Service in the linted set selects its "
            "pods.",
    rationale="Declared ports are usually meant to be reached. Pod IPs change on every restart, "
              "so without a Service selecting the pods nothing can reach them reliably; a "
              "workload without one often means a Service whose selector drifted from the pod "
              "labels.",
    remediation="Add a Service whose selector matches the pod template labels, or remove the "
                "container ports nothing connects to.",
    references=(CONNECT_URL, SERVICE_URL),
)
def workload_without_service(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Ports bound to the node (hostPort, or a hostNetwork pod) are reached without a Service
    and do not count. Off by default: workers that only expose metrics (scraped through
    PodMonitors) or peer-to-peer ports are common."""
    found = pod_spec(res)
    if found is None or found[1].get("hostNetwork") is True:
        return
    ports = [(p.get("containerPort"), p.get("name"))
             for c in containers(res) if c.list_name != "ephemeralContainers"
             for p in map(as_dict, as_list(c.spec.get("ports")))
             if is_int(p.get("containerPort")) and not (is_int(p.get("hostPort"))
                                                        and p.get("hostPort"))]
    if not ports or res in ctx.index.cached(("networking", "served"), _build_served):
        return
    shown = ", ".join(str(number) for number, _ in ports[:4]) + (", ..." if len(ports) > 4 else "")
    yield Finding(("metadata", "name"),
                  f"no Service selects the pods of {object_label(res)}, which declare container "
                  f"port{'s' if len(ports) > 1 else ''} {shown}")


# --- Ingresses and routes -------------------------------------------------------------------

ROUTES = ("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute")


@dataclass(frozen=True, slots=True)
class Backend:
    """A Service an Ingress or route sends traffic to."""

    name: str
    name_path: YamlPath
    namespace: str | None
    port: int | str | None
    port_path: YamlPath


def _ingress_backend(node: Any, path: YamlPath, namespace: str | None) -> Iterator[Backend]:
    node = as_dict(node)
    service = node.get("service")
    if isinstance(service, dict):  # networking.k8s.io/v1
        name = service.get("name")
        port = as_dict(service.get("port"))
        number, port_name = port.get("number"), port.get("name")
        if is_int(number):
            value, port_path = number, (*path, "service", "port", "number")
        elif isinstance(port_name, str) and port_name:
            value, port_path = port_name, (*path, "service", "port", "name")
        else:
            value, port_path = None, (*path, "service", "port")
        if isinstance(name, str) and name:
            yield Backend(name, (*path, "service", "name"), namespace, value, port_path)
    elif isinstance(node.get("serviceName"), str) and node["serviceName"]:  # extensions/v1beta1
        port = node.get("servicePort")
        if isinstance(port, str) and port.isdigit():
            port = int(port)
        yield Backend(node["serviceName"], (*path, "serviceName"), namespace,
                      port if is_int(port) or (isinstance(port, str) and port) else None,
                      (*path, "servicePort"))


def _route_backend(ref: Any, path: YamlPath, namespace: str | None) -> Iterator[Backend]:
    ref = as_dict(ref)
    if ref.get("group") not in (None, "") or ref.get("kind") not in (None, "Service"):
        return
    name, port = ref.get("name"), ref.get("port")
    target = ref.get("namespace")
    if isinstance(name, str) and name:
        yield Backend(name, (*path, "name"), target if isinstance(target, str) else namespace,
                      port if is_int(port) else None, (*path, "port"))


def backends(res: Resource) -> Iterator[Backend]:
    """The Service backends of an Ingress (networking.k8s.io/v1 or extensions/v1beta1 shape) or
    a Gateway API route (backendRefs and request mirrors); resource backends are skipped."""
    spec = as_dict(res.obj.get("spec"))
    if res.kind == "Ingress":
        for key in ("defaultBackend", "backend"):
            yield from _ingress_backend(spec.get(key), ("spec", key), res.namespace)
        for i, ingress_rule in enumerate(as_list(spec.get("rules"))):
            for j, p in enumerate(as_list(dig(ingress_rule, "http", "paths"))):
                yield from _ingress_backend(as_dict(p).get("backend"),
                                            ("spec", "rules", i, "http", "paths", j, "backend"),
                                            res.namespace)
        return
    for i, route_rule in enumerate(as_list(spec.get("rules"))):
        route_rule = as_dict(route_rule)
        base = ("spec", "rules", i)
        for j, ref in enumerate(as_list(route_rule.get("backendRefs"))):
            yield from _route_backend(ref, (*base, "backendRefs", j), res.namespace)
            for k, f in enumerate(as_list(as_dict(ref).get("filters"))):
                yield from _route_backend(dig(f, "requestMirror", "backendRef"),
                                          (*base, "backendRefs", j, "filters", k, "requestMirror",
                                           "backendRef"), res.namespace)
        for k, f in enumerate(as_list(route_rule.get("filters"))):
            yield from _route_backend(dig(f, "requestMirror", "backendRef"),
                                      (*base, "filters", k, "requestMirror", "backendRef"),
                                      res.namespace)


@rule(
    id="missing-backend-service", category=NETWORKING, severity=Severity.WARNING,
    kinds=("Ingress", *ROUTES), scope="bundle", default_enabled=False,
    summary="An Ingress or Gateway API route sends traffic to a Service that is not in the "
            "linted set.",
    rationale="A backend naming a Service that does not exist (a typo, a renamed Service, or one "
              "in another namespace) answers every request for that path with an error.",
    remediation="Point the backend at an existing Service in the same namespace (or, for a "
                "route, the namespace its backendRef names), or add the Service.",
    references=(INGRESS_URL, GATEWAY_URL),
    equivalents={"kube-linter": "dangling-ingress", "kube-score": "ingress-targets-service",
                 "kubescape": ("C-0298", "C-0302")},
)
def missing_backend_service(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Looks the Service up by name in the Ingress's namespace (a route's backendRef may name
    another namespace). Off by default: an Ingress may front Services another chart installs.
    kube-linter's dangling-ingress and kube-score's ingress-targets-service also flag a port the
    Service lacks (kubelint's undeclared-backend-port); kubescape's C-0302 skips GRPCRoute and
    TLSRoute."""
    for b in backends(res):
        if not _lookup(ctx.index, "Service", b.name, b.namespace):
            where = (f"namespace {b.namespace!r}" if b.namespace else "the linted set")
            yield Finding(b.name_path, f"{object_label(res)} routes to Service {b.name!r}, which "
                                       f"is not in {where}",
                          related=_elsewhere(ctx.index, "Service", b.name, b.namespace))


def _service_ports(service: Resource) -> list[tuple[int | None, str | None]]:
    out = []
    for p in as_list(dig(service.obj, "spec", "ports")):
        p = as_dict(p)
        number, name = p.get("port"), p.get("name")
        out.append((number if is_int(number) else None,
                    name if isinstance(name, str) and name else None))
    return out


@rule(
    id="undeclared-backend-port", category=NETWORKING, severity=Severity.WARNING,
    kinds=("Ingress", *ROUTES), scope="bundle",
    summary="An Ingress or Gateway API route names a port its Service does not define.",
    rationale="Backends name a Service port (its `port` number or its name, not the container's "
              "targetPort). A port the Service does not have leaves the backend without "
              "endpoints, so requests for that path fail.",
    remediation="Use the number or name of one of the Service's spec.ports, or add that port to "
                "the Service.",
    references=(INGRESS_URL, SERVICE_PORTS_URL),
    equivalents={"kube-linter": "dangling-ingress", "kube-score": "ingress-targets-service"},
)
def undeclared_backend_port(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Checked only when the Service is in the linted set (same namespace); ExternalName
    Services, whose ports are not enforced, are skipped. A v1beta1 servicePort written as a
    digit string counts as a number."""
    for b in backends(res):
        if b.port is None:
            continue
        services = [s for s in _lookup(ctx.index, "Service", b.name, b.namespace)
                    if dig(s.obj, "spec", "type") != "ExternalName"]
        if not services:
            continue
        index = 0 if is_int(b.port) else 1
        if any(p[index] == b.port for s in services for p in _service_ports(s)):
            continue
        shown = b.port if is_int(b.port) else repr(b.port)
        related = tuple(Related(s, ("spec", "ports"), f"{object_label(s)} "
                                + _service_ports_text(_service_ports(s)))
                        for s in services[:_RELATED_MAX])
        yield Finding(b.port_path, f"{object_label(res)} routes to port {shown} of Service "
                                   f"{b.name!r}, which has no such port", related=related)


def _service_ports_text(ports: list[tuple[int | None, str | None]]) -> str:
    if not ports:
        return "defines no ports"
    shown = [f"{n} ({name!r})" if name else str(n) for n, name in ports]
    return ("defines port " if len(shown) == 1 else "defines ports ") + ", ".join(shown)


_CLOUD_TLS_ANNOTATIONS = (
    "networking.gke.io/managed-certificates", "ingress.gcp.kubernetes.io/pre-shared-cert",
    "alb.ingress.kubernetes.io/certificate-arn",
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
)
"""Annotations that give an Ingress a certificate held by the cloud load balancer."""
INGRESS_TLS_URL = INGRESS_URL + "#tls"
INGRESS_NGINX_SNIPPETS_URL = ("https://kubernetes.github.io/ingress-nginx/user-guide/"
                              "nginx-configuration/annotations/#configuration-snippet")
SNIPPET_CVE_URL = "https://github.com/kubernetes/ingress-nginx/issues/7837"


@rule(
    id="ingress-without-tls", category=NETWORKING, severity=Severity.WARNING,
    kinds=("Ingress",), default_enabled=False,
    summary="An Ingress terminates no TLS: it sets no spec.tls and no cloud certificate "
            "annotation.",
    rationale="Without TLS the Ingress serves plain HTTP: credentials, cookies and data cross "
              "the network readable and modifiable by anyone on the path.",
    remediation="Add spec.tls with the hosts and a certificate Secret (cert-manager can issue "
                "it), or attach a certificate the cloud load balancer holds.",
    references=(INGRESS_TLS_URL,),
    equivalents={"polaris": "tlsSettingsMissing", "kubescape": "C-0263"},
)
def ingress_without_tls(res: Resource, ctx: Context) -> Iterator[Finding]:
    """An empty tls list counts as none. Certificates attached by annotation pass: GKE managed
    and pre-shared certificates, AWS Load Balancer Controller certificate-arn and Azure
    Application Gateway. Off by default: TLS is often terminated in front of the cluster (a CDN
    or an outer load balancer) in ways a manifest cannot show."""
    spec = res.obj.get("spec")
    if not isinstance(spec, dict) or any(res.annotations.get(k) for k in _CLOUD_TLS_ANNOTATIONS):
        return
    tls = spec.get("tls")
    if isinstance(tls, list) and tls:
        return
    yield Finding(("spec", "tls"), f"{object_label(res)} sets no tls, so it serves plain HTTP")


@rule(
    id="ingress-snippet-annotation", category=NETWORKING, severity=Severity.WARNING,
    kinds=("Ingress",),
    summary="An Ingress sets a configuration snippet annotation (ingress-nginx "
            "configuration-snippet, server-snippet and the like).",
    rationale="Snippet annotations paste raw proxy configuration into the controller, which "
              "holds every TLS key and the service-account token that reads the cluster's "
              "Secrets: anyone allowed to edit an Ingress can make it serve those "
              "(CVE-2021-25742). ingress-nginx therefore ignores snippets by default since "
              "1.9, so an Ingress relying on one is also broken there.",
    remediation="Replace the snippet with the controller's dedicated annotations or its global "
                "ConfigMap, and leave allow-snippet-annotations off.",
    references=(INGRESS_NGINX_SNIPPETS_URL, SNIPPET_CVE_URL),
    equivalents={"checkov": "CKV_K8S_153"},
)
def ingress_snippet_annotation(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Any annotation whose key contains `snippet` counts (ingress-nginx, NGINX Inc's nginx.org,
    HAProxy), as in checkov's CKV_K8S_153; CKV_K8S_152 and CKV_K8S_154 flag the snippets that
    hold Lua code or alias directives, a part of these."""
    for key in res.annotations:
        if isinstance(key, str) and "snippet" in key.lower():
            yield Finding(("metadata", "annotations", key),
                          f"{object_label(res)} injects proxy configuration through {key}")


@rule(
    id="ssh-port", category=NETWORKING, severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A container declares port 22 (SSH).",
    rationale="An SSH server in a container is a second way in that bypasses the API server: "
              "no RBAC, no audit log, long-lived keys or passwords, and a daemon to keep "
              "patched. kubectl exec and debug containers give the same access under the "
              "cluster's control.",
    remediation="Remove the SSH server and its port; use kubectl exec or kubectl debug for "
                "interactive access.",
    references=(CONTAINER_PORTS_URL,),
    equivalents={"kube-linter": "ssh-port"},
)
def ssh_port(res: Resource, ctx: Context) -> Iterator[Finding]:
    """containerPort 22 over TCP (protocol unset counts as TCP), in any container. Git servers
    that serve SSH on purpose should suppress it."""
    for c in containers(res):
        for j, port in enumerate(as_list(c.spec.get("ports"))):
            port = as_dict(port)
            number, protocol = port.get("containerPort"), port.get("protocol")
            if is_int(number) and number == 22 and protocol in ("TCP", None):
                yield Finding((*c.path, "ports", j),
                              f"container {c.name!r} of {object_label(res)} exposes SSH port 22")


# --- autoscalers ----------------------------------------------------------------------------

_SCALE_REFS = {"HorizontalPodAutoscaler": "scaleTargetRef", "ScaledObject": "scaleTargetRef",
               "VerticalPodAutoscaler": "targetRef"}
_SCALABLE = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController",
             "DeploymentConfig", "DaemonSet", "Rollout")


@rule(
    id="missing-scale-target", category=REFERENCES, severity=Severity.WARNING,
    kinds=tuple(_SCALE_REFS), scope="bundle",
    summary="An autoscaler's target (HorizontalPodAutoscaler or KEDA ScaledObject "
            "scaleTargetRef, VerticalPodAutoscaler targetRef) is not in the linted set.",
    rationale="An autoscaler whose target does not exist scales nothing: the workload it was "
              "meant for (usually renamed, or of another kind) keeps a fixed replica count and "
              "the autoscaler only reports errors.",
    remediation="Set the target reference's kind and name to those of the workload to scale, in "
                "the autoscaler's namespace.",
    references=(HPA_URL,),
    equivalents={"kube-linter": "dangling-horizontalpodautoscaler",
                 "kube-score": "horizontalpodautoscaler-has-target", "kubescape": "C-0300"},
)
def missing_scale_target(res: Resource, ctx: Context) -> Iterator[Finding]:
    """The target is looked up by kind and name in the autoscaler's namespace (a ScaledObject's
    kind defaults to Deployment; apiVersions are not compared). When the linted set holds no
    object of the target's kind at all, the target is evidently defined elsewhere and the rule
    says nothing (kube-linter and kube-score flag those too); a same-named workload of another
    kind, or in another namespace, is related."""
    key = _SCALE_REFS[res.kind]
    ref = dig(res.obj, "spec", key)
    if not isinstance(ref, dict):
        return
    kind = ref.get("kind", "Deployment" if res.kind == "ScaledObject" else None)
    name = ref.get("name")
    if not isinstance(kind, str) or not kind or not isinstance(name, str) or not name:
        return
    kinds = ctx.index.cached(("networking", "kinds"), lambda ix: {r.kind for r in ix.resources})
    if kind not in kinds or _lookup(ctx.index, kind, name, res.namespace):
        return
    yield Finding(("spec", key), f"{object_label(res)} targets {kind} {name!r}, which is not in "
                                 f"{_in_namespace(res)}",
                  related=_elsewhere(ctx.index, kind, name, res.namespace, _SCALABLE))


# --- selectors of budgets, policies and monitors --------------------------------------------


@rule(
    id="unmatched-budget-selector", category=REFERENCES, severity=Severity.WARNING,
    kinds=("PodDisruptionBudget",), scope="bundle",
    summary="A PodDisruptionBudget's selector matches no pod template in its namespace.",
    rationale="A budget protects only the pods its selector matches; one that matches none (a "
              "label typo, a renamed workload, no selector at all) leaves the workload it was "
              "written for unprotected during node drains, without any error.",
    remediation="Make spec.selector match the pod template labels of the workload to protect, "
                "in the budget's namespace.",
    references=(PDB_URL, LABEL_SELECTORS_URL),
)
def unmatched_budget_selector(res: Resource, ctx: Context) -> Iterator[Finding]:
    """A missing or null selector selects no pods; an empty one selects every pod in the
    namespace in policy/v1 and none in policy/v1beta1. When the linted set holds no pod-bearing
    object at all the pods are evidently defined elsewhere and a selector is not checked. Pods
    are matched as in unmatched-service-selector (controller-added and Kustomization labels; a
    selector value naming a custom resource in the namespace passes)."""
    spec = res.obj.get("spec")
    if not isinstance(spec, dict):
        return
    selector = spec.get("selector")
    label = object_label(res)
    if selector is None:
        yield Finding(("spec", "selector"), f"{label} has no selector, so it protects no pods")
        return
    if not isinstance(selector, dict):
        return
    if _selects_everything(selector):
        if res.api_version == "policy/v1beta1":
            yield Finding(("spec", "selector"), f"the empty selector of {label} selects no pods "
                                                "in policy/v1beta1")
        return
    selector = _with_labels(selector, kustomize_labels(ctx.index, res)[0])
    pods = _pods(ctx.index)
    if (not pods.items or pods.matching(selector, _near(res))
            or _operator_pods(ctx.index, res, _selector_values(selector))):
        return
    yield _unmatched(res, ("spec", "selector"), f"selector {_selector_text(selector)} of {label}",
                     "pods", pods.matching(selector, _anywhere))


@rule(
    id="unmatched-network-policy-selector", category=REFERENCES, severity=Severity.WARNING,
    kinds=("NetworkPolicy",), scope="bundle", default_enabled=False,
    summary="A NetworkPolicy's podSelector matches no pod template in its namespace.",
    rationale="A policy applies only to the pods its podSelector matches; one that matches none "
              "isolates nothing, so the pods it was written for stay open to all traffic.",
    remediation="Make spec.podSelector match the pod template labels of the pods to isolate, or "
                "use an empty podSelector for every pod in the namespace.",
    references=(NETWORK_POLICY_URL,),
    equivalents={"kube-linter": "dangling-networkpolicy", "kube-score": "networkpolicy-targets-pod",
                 "kubescape": "C-0299"},
)
def unmatched_network_policy_selector(res: Resource, ctx: Context) -> Iterator[Finding]:
    """An empty podSelector (every pod in the namespace) is not checked. Pods are matched as in
    unmatched-service-selector. Off by default: policies often target pods that other charts
    deploy."""
    selector = dig(res.obj, "spec", "podSelector")
    if not isinstance(selector, dict) or _selects_everything(selector):
        return
    selector = _with_labels(selector, kustomize_labels(ctx.index, res)[0])
    pods = _pods(ctx.index)
    if pods.matching(selector, _near(res)) or _operator_pods(ctx.index, res,
                                                             _selector_values(selector)):
        return
    yield _unmatched(res, ("spec", "podSelector"),
                     f"podSelector {_selector_text(selector)} of {object_label(res)}", "pods",
                     pods.matching(selector, _anywhere))


@rule(
    id="unmatched-network-policy-peer", category=REFERENCES, severity=Severity.WARNING,
    kinds=("NetworkPolicy",), scope="bundle", default_enabled=False,
    summary="A NetworkPolicy rule allows traffic from or to a podSelector peer that matches no "
            "pod template in the policy's namespace.",
    rationale="A peer that matches no pods allows nothing: the clients (or servers) the rule was "
              "written for are blocked once the policy isolates the pods, which shows up as "
              "timeouts rather than an error.",
    remediation="Make the peer's podSelector match the pod template labels of the pods to allow, "
                "or add a namespaceSelector when they live in another namespace.",
    references=(NETWORK_POLICY_URL,),
    equivalents={"kube-linter": "dangling-networkpolicypeer-podselector"},
)
def unmatched_network_policy_peer(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Only peers given by podSelector alone are checked (with a namespaceSelector they select
    pods in other namespaces, which the linted set may not hold); empty podSelectors allow every
    pod in the namespace and are not checked. Off by default."""
    spec = as_dict(res.obj.get("spec"))
    pods = _pods(ctx.index)
    extra = kustomize_labels(ctx.index, res)[0]
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for i, policy_rule in enumerate(as_list(spec.get(direction))):
            for j, peer in enumerate(as_list(as_dict(policy_rule).get(peers_key))):
                peer = as_dict(peer)
                selector = peer.get("podSelector")
                if (peer.get("namespaceSelector") is not None or not isinstance(selector, dict)
                        or _selects_everything(selector)):
                    continue
                selector = _with_labels(selector, extra)
                if pods.matching(selector, _near(res)) or _operator_pods(
                        ctx.index, res, _selector_values(selector)):
                    continue
                yield _unmatched(res, ("spec", direction, i, peers_key, j, "podSelector"),
                                 f"{direction} peer podSelector {_selector_text(selector)} of "
                                 f"{object_label(res)}", "pods", pods.matching(selector, _anywhere))


def _monitor_namespaces(res: Resource) -> Callable[[Resource], bool]:
    """Which namespaces a ServiceMonitor or PodMonitor watches, as a predicate on objects."""
    selector = dig(res.obj, "spec", "namespaceSelector")
    if not isinstance(selector, dict):
        return _near(res)
    if selector.get("any") is True:
        return lambda _: True
    names = [n for n in as_list(selector.get("matchNames")) if isinstance(n, str)]
    if not names:
        return _near(res)
    return lambda other: (other.namespace or res.namespace) in names


@rule(
    id="unmatched-monitor-selector", category=REFERENCES, severity=Severity.WARNING,
    kinds=("ServiceMonitor", "PodMonitor"), scope="bundle", default_enabled=False,
    summary="A Prometheus Operator ServiceMonitor or PodMonitor selects no Service or pod "
            "template in the linted set.",
    rationale="A monitor that selects nothing scrapes nothing: the metrics and the alerts built "
              "on them silently go missing, usually because of a label typo or a namespace "
              "selector naming the wrong namespace.",
    remediation="Make spec.selector match the labels of the Services (ServiceMonitor) or pod "
                "templates (PodMonitor) to scrape, and spec.namespaceSelector their namespace.",
    references=(MONITOR_URL,),
    equivalents={"kube-linter": "dangling-servicemonitor"},
)
def unmatched_monitor_selector(res: Resource, ctx: Context) -> Iterator[Finding]:
    """ServiceMonitors are matched against Services' own labels, PodMonitors against pod
    template labels. A missing selector matches everything; without a namespaceSelector the
    monitor's own namespace is watched, `any: true` watches all, and matchNames only the
    namespaces named (an object without a namespace counts as in the monitor's). A selector value
    naming a custom resource (whose operator may create the Service or pods) passes. A monitor
    with neither selector nor namespaceSelector is flagged, as kube-linter does. Off by
    default."""
    spec = res.obj.get("spec")
    if not isinstance(spec, dict):
        return
    selector, namespaces = spec.get("selector"), spec.get("namespaceSelector")
    label = object_label(res)
    if selector is None and namespaces is None:
        yield Finding(("spec", "selector"), f"{label} sets neither selector nor namespaceSelector")
        return
    if selector is not None and not isinstance(selector, dict):
        return
    near = _monitor_namespaces(res)
    targets, what = ((_services(ctx.index), "Service") if res.kind == "ServiceMonitor" else
                     (_pods(ctx.index), "pods"))
    if targets.matching(selector if selector is not None else {}, near) or (
            selector is not None and _operator_pods(ctx.index, res, _selector_values(selector))):
        return
    names = [n for n in as_list(as_dict(namespaces).get("matchNames")) if isinstance(n, str)]
    scope = (f"namespace {', '.join(map(repr, names))}" if names else _in_namespace(res))
    elsewhere = [w for w in targets.matching(selector if selector is not None else {}, _anywhere)
                 if w.namespace is not None]
    related = tuple(Related(w, _labels_path(w), f"{object_label(w)} in namespace "
                                                f"{w.namespace!r} matches")
                    for w in elsewhere[:_RELATED_MAX])
    where = ""
    if elsewhere:
        where = ", only in namespace " + ", ".join(sorted({repr(w.namespace) for w in elsewhere}))
    if selector is not None:
        yield Finding(("spec", "selector"), f"selector {_selector_text(selector)} of {label} "
                                            f"matches no {what} in {scope}{where}",
                      related=related)
    else:
        yield Finding(("spec", "namespaceSelector"), f"{label} finds no {what} in {scope}",
                      related=related)


# --- service accounts and RBAC --------------------------------------------------------------


@rule(
    id="missing-service-account", category=REFERENCES, severity=Severity.WARNING,
    kinds=WORKLOADS, scope="bundle", default_enabled=False,
    summary="A pod runs as a service account that is not in the linted set.",
    rationale="Pods naming a ServiceAccount that does not exist are rejected at creation, so the "
              "workload never starts (its controller only reports events). It is usually a "
              "typo or a ServiceAccount the chart forgot to create.",
    remediation="Create the ServiceAccount in the workload's namespace, or correct "
                "serviceAccountName.",
    references=(SERVICE_ACCOUNT_URL,),
    equivalents={"kube-linter": "non-existent-service-account", "kubescape": "C-0307"},
)
def missing_service_account(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Reads serviceAccountName, else the deprecated serviceAccount; `default` exists in every
    namespace and passes. Off by default (kube-linter has it on): ServiceAccounts are often
    created by another chart or by the namespace's provisioning."""
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    key = "serviceAccountName"
    name = spec.get(key)
    if not isinstance(name, str) or not name:
        key = "serviceAccount"
        name = spec.get(key)
    if not isinstance(name, str) or not name or name == "default":
        return
    if _lookup(ctx.index, "ServiceAccount", name, res.namespace):
        return
    yield Finding((*path, key), f"{object_label(res)} runs as ServiceAccount {name!r}, which is "
                                f"not in {_in_namespace(res)}",
                  related=_elsewhere(ctx.index, "ServiceAccount", name, res.namespace))


_BUILTIN_CLUSTER_ROLES = frozenset({"cluster-admin", "admin", "edit", "view"})
_BUILTIN_ROLES = frozenset({"extension-apiserver-authentication-reader"})
"""Roles the API server creates in kube-system (besides system:* ones)."""
_SYSTEM_ACCOUNTS = frozenset({
    "attachdetach-controller", "bootstrap-signer", "certificate-controller",
    "clusterrole-aggregation-controller", "coredns", "cronjob-controller",
    "daemon-set-controller", "deployment-controller", "disruption-controller",
    "endpoint-controller", "endpointslice-controller", "endpointslicemirroring-controller",
    "ephemeral-volume-controller", "expand-controller", "generic-garbage-collector",
    "horizontal-pod-autoscaler", "job-controller", "kube-proxy",
    "legacy-service-account-token-cleaner", "namespace-controller", "node-controller",
    "persistent-volume-binder", "pod-garbage-collector", "pv-protection-controller",
    "pvc-protection-controller", "replicaset-controller", "replication-controller",
    "resourcequota-controller", "root-ca-cert-publisher", "service-account-controller",
    "service-controller", "statefulset-controller", "token-cleaner",
    "ttl-after-finished-controller", "ttl-controller",
    "validatingadmissionpolicy-status-controller",
})
"""ServiceAccounts that kube-controller-manager and cluster set-up (kubeadm) create in
kube-system."""


@rule(
    id="missing-binding-role", category=REFERENCES, severity=Severity.WARNING,
    kinds=("RoleBinding", "ClusterRoleBinding"), scope="bundle", default_enabled=False,
    summary="A RoleBinding or ClusterRoleBinding refers to a Role or ClusterRole that is not in "
            "the linted set.",
    rationale="A binding to a role that does not exist grants nothing, so the subjects lack the "
              "permissions they were meant to get and fail with 403 errors at run time; if a "
              "role of that name is created later, they silently gain whatever it grants.",
    remediation="Create the Role or ClusterRole, or correct roleRef (its kind and name).",
    references=(RBAC_URL, RBAC_DEFAULT_ROLES_URL),
)
def missing_binding_role(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Built-in roles exist in every cluster and pass: the ClusterRoles cluster-admin, admin,
    edit, view and system:*, and the kube-system Roles extension-apiserver-authentication-reader
    and system:*. A Role is looked up in the binding's namespace, a ClusterRole anywhere.
    Off by default: bindings often refer to roles another chart installs. Polaris's
    rolebinding*/clusterrolebinding* checks fail a binding whose role is absent as part of their
    privilege checks."""
    ref = res.obj.get("roleRef")
    if not isinstance(ref, dict):
        return
    kind, name = ref.get("kind"), ref.get("name")
    if not isinstance(name, str) or not name:
        return
    if kind == "ClusterRole":
        if name in _BUILTIN_CLUSTER_ROLES or name.startswith("system:"):
            return
        if _named(ctx.index, "ClusterRole", name):
            return
        where = "the linted set"
    elif kind == "Role" and res.kind == "RoleBinding":
        if name in _BUILTIN_ROLES or name.startswith("system:") or _lookup(
                ctx.index, "Role", name, res.namespace):
            return
        where = _in_namespace(res)
    else:
        return
    yield Finding(("roleRef",), f"{object_label(res)} binds {kind} {name!r}, which is not in "
                                f"{where}",
                  related=_elsewhere(ctx.index, kind, name,
                                     res.namespace if kind == "Role" else None,
                                     ("Role", "ClusterRole")))


@rule(
    id="missing-binding-subject", category=REFERENCES, severity=Severity.INFO,
    kinds=("RoleBinding", "ClusterRoleBinding"), scope="bundle", default_enabled=False,
    summary="A RoleBinding or ClusterRoleBinding grants a role to a ServiceAccount that is not "
            "in the linted set.",
    rationale="A binding for a ServiceAccount that does not exist grants nothing now, and hands "
              "its permissions to whoever later creates a ServiceAccount of that name; a typo "
              "here also leaves the intended account without access.",
    remediation="Create the ServiceAccount, or correct the subject's name and namespace.",
    references=(RBAC_URL, SERVICE_ACCOUNT_URL),
)
def missing_binding_subject(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Only ServiceAccount subjects are checked (users and groups live outside the cluster); a
    subject without a namespace is in the binding's. `default` exists in every namespace, and the
    controllers' accounts in kube-system (horizontal-pod-autoscaler, ...) in every cluster. Off
    by default."""
    for i, subject in enumerate(as_list(res.obj.get("subjects"))):
        subject = as_dict(subject)
        name = subject.get("name")
        if subject.get("kind") != "ServiceAccount" or not isinstance(name, str) or not name \
                or name == "default":
            continue
        namespace = subject.get("namespace")
        namespace = namespace if isinstance(namespace, str) and namespace else res.namespace
        if (namespace == "kube-system" and name in _SYSTEM_ACCOUNTS) or _lookup(
                ctx.index, "ServiceAccount", name, namespace):
            continue
        where = f"namespace {namespace!r}" if namespace else "the linted set"
        yield Finding(("subjects", i), f"{object_label(res)} binds ServiceAccount {name!r}, "
                                       f"which is not in {where}",
                      related=_elsewhere(ctx.index, "ServiceAccount", name, namespace))


# --- ConfigMaps, Secrets and claims a pod uses ----------------------------------------------


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """A pod's reference to a ConfigMap, Secret or PersistentVolumeClaim, and the keys it reads."""

    kind: str
    name: str
    name_path: YamlPath
    optional: bool
    keys: tuple[tuple[str, YamlPath], ...]
    holder: str  # "volume 'config'", "container 'app'"


def _ref(kind: str, node: Any, name_key: str, base: YamlPath, holder: str,
         keys: Iterable[tuple[Any, YamlPath]] = ()) -> Iterator[ObjectRef]:
    if not isinstance(node, dict):
        return
    name = node.get(name_key)
    if isinstance(name, str) and name:
        yield ObjectRef(kind, name, (*base, name_key), node.get("optional") is True,
                        tuple((k, p) for k, p in keys if isinstance(k, str) and k), holder)


def _item_keys(node: Any, base: YamlPath) -> Iterator[tuple[Any, YamlPath]]:
    for j, item in enumerate(as_list(as_dict(node).get("items"))):
        yield as_dict(item).get("key"), (*base, "items", j, "key")


def object_refs(res: Resource) -> tuple[ObjectRef, ...]:
    """ConfigMaps, Secrets and claims a pod template uses: volumes (projected sources too), and
    every container's envFrom and env valueFrom. imagePullSecrets are not included. Read once
    per object: the rule for each kind of reference reads them all."""
    return res.derive("networking.object_refs", lambda r: tuple(_object_refs(r)))


def _object_refs(res: Resource) -> Iterator[ObjectRef]:
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    for i, volume in enumerate(as_list(spec.get("volumes"))):
        volume = as_dict(volume)
        base = (*path, "volumes", i)
        name = volume.get("name")
        holder = f"volume {name!r}" if isinstance(name, str) else f"volume #{i}"
        cm, secret = volume.get("configMap"), volume.get("secret")
        yield from _ref("ConfigMap", cm, "name", (*base, "configMap"), holder,
                        _item_keys(cm, (*base, "configMap")))
        yield from _ref("Secret", secret, "secretName", (*base, "secret"), holder,
                        _item_keys(secret, (*base, "secret")))
        yield from _ref("PersistentVolumeClaim", volume.get("persistentVolumeClaim"), "claimName",
                        (*base, "persistentVolumeClaim"), holder)
        for k, source in enumerate(as_list(dig(volume, "projected", "sources"))):
            source = as_dict(source)
            src = (*base, "projected", "sources", k)
            for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                yield from _ref(kind, source.get(key), "name", (*src, key), holder,
                                _item_keys(source.get(key), (*src, key)))
    for c in containers(res):
        holder = f"container {c.name!r}"
        for j, env_from in enumerate(as_list(c.spec.get("envFrom"))):
            env_from = as_dict(env_from)
            for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                yield from _ref(kind, env_from.get(key), "name", (*c.path, "envFrom", j, key),
                                holder)
        for j, env in enumerate(as_list(c.spec.get("env"))):
            value_from = as_dict(as_dict(env).get("valueFrom"))
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                node = value_from.get(key)
                base = (*c.path, "env", j, "valueFrom", key)
                yield from _ref(kind, node, "name", base, holder,
                                ((as_dict(node).get("key"), (*base, "key")),))


def _data_keys(obj: Resource) -> tuple[set[str], YamlPath] | None:
    """The keys a ConfigMap or Secret holds and where they are, or None when they cannot be known
    (a service-account token Secret, filled in by the cluster)."""
    if obj.kind == "Secret":
        if obj.obj.get("type") == "kubernetes.io/service-account-token":
            return None
        fields = ("data", "stringData")
    else:
        fields = ("data", "binaryData")
    keys: set[str] = set()
    where: YamlPath = ("metadata", "name")
    for f in fields:
        node = obj.obj.get(f)
        if isinstance(node, dict):
            keys.update(k for k in node if isinstance(k, str))
            where = (f,)
    return keys, where


def _build_generated_secrets(index: ResourceIndex) -> dict[str, list[Resource]]:
    """Secrets other objects in the bundle make: cert-manager Certificates (spec.secretName),
    Bitnami SealedSecrets and External Secrets Operator ExternalSecrets."""
    out: dict[str, list[Resource]] = {}
    for r in index.of_kind("Certificate", "SealedSecret", "ExternalSecret"):
        if r.kind == "Certificate":
            name = dig(r.obj, "spec", "secretName")
        elif r.kind == "ExternalSecret":
            name = dig(r.obj, "spec", "target", "name") or r.name
        else:
            name = dig(r.obj, "spec", "template", "metadata", "name") or r.name
        if isinstance(name, str) and name:
            out.setdefault(name, []).append(r)
    return out


def _missing_objects(res: Resource, ctx: Context, kind: str) -> Iterator[Finding]:
    label = object_label(res)
    for ref in object_refs(res):
        if ref.kind != kind or ref.optional:
            continue
        found = _lookup(ctx.index, kind, ref.name, res.namespace)
        if kind == "Secret" and not found:
            made = ctx.index.cached(("networking", "generated-secrets"), _build_generated_secrets)
            if any(_namespace_ok(r.namespace, res.namespace) for r in made.get(ref.name, ())):
                continue
        if not found:
            where = _in_namespace(res)
            yield Finding(ref.name_path, f"{ref.holder} of {label} uses {kind} {ref.name!r}, "
                                         f"which is not in {where}",
                          related=_elsewhere(ctx.index, kind, ref.name, res.namespace))
            continue
        held = [(obj, _data_keys(obj)) for obj in found]
        if any(keys is None for _, keys in held):
            continue
        known = set().union(*(keys[0] for _, keys in held if keys is not None))
        for key, key_path in ref.keys:
            if key in known:
                continue
            related = tuple(Related(obj, keys[1], f"{object_label(obj)} holds "
                                    + (", ".join(sorted(keys[0])[:8]) or "no keys"))
                            for obj, keys in held[:_RELATED_MAX] if keys is not None)
            yield Finding(key_path, f"{ref.holder} of {label} reads key {key!r}, which "
                                    f"{kind} {ref.name!r} does not hold", related=related)


@rule(
    id="missing-config-map", category=REFERENCES, severity=Severity.WARNING, kinds=WORKLOADS,
    scope="bundle", default_enabled=False,
    summary="A pod uses a ConfigMap, or a key of one, that is not in the linted set.",
    rationale="A pod that mounts or reads a ConfigMap that does not exist, or a key it does not "
              "hold, does not start: its containers stay in ContainerCreating or "
              "CreateContainerConfigError until the ConfigMap appears.",
    remediation="Add the ConfigMap (with the key) to the manifests, correct the name or key, or "
                "mark the reference optional: true if the pod can run without it.",
    references=(CONFIG_MAP_URL,),
    equivalents={"kube-linter": "env-value-from"},
)
def missing_config_map(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Checks configMap volumes (and their items' keys), projected configMap sources, envFrom
    configMapRef and env configMapKeyRef, in the workload's namespace. Optional references pass.
    Off by default: ConfigMaps are often generated (kustomize configMapGenerator) or created
    outside the manifests. kube-linter's env-value-from looks at env valueFrom only, Secrets
    included (kubelint's missing-secret)."""
    yield from _missing_objects(res, ctx, "ConfigMap")


@rule(
    id="missing-secret", category=REFERENCES, severity=Severity.WARNING, kinds=WORKLOADS,
    scope="bundle", default_enabled=False,
    summary="A pod uses a Secret, or a key of one, that is not in the linted set.",
    rationale="A pod that mounts or reads a Secret that does not exist, or a key it does not "
              "hold, does not start: its containers stay in ContainerCreating or "
              "CreateContainerConfigError until the Secret appears.",
    remediation="Add the Secret (or the object that generates it), correct the name or key, or "
                "mark the reference optional: true if the pod can run without it.",
    references=(SECRET_URL,),
    equivalents={"kube-linter": "env-value-from"},
)
def missing_secret(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Checks secret volumes (and their items' keys), projected secret sources, envFrom
    secretRef and env secretKeyRef, in the workload's namespace. Secrets that a cert-manager
    Certificate, SealedSecret or ExternalSecret in the linted set generates count as present
    (their keys are not checked), as do the keys of service-account token Secrets. Optional
    references pass; imagePullSecrets are not checked. Off by default: Secrets are usually created
    outside the manifests."""
    yield from _missing_objects(res, ctx, "Secret")


@rule(
    id="missing-persistent-volume-claim", category=REFERENCES, severity=Severity.WARNING,
    kinds=WORKLOADS, scope="bundle", default_enabled=False,
    summary="A pod mounts a PersistentVolumeClaim that is not in the linted set.",
    rationale="A pod whose volume names a claim that does not exist stays Pending: the scheduler "
              "cannot place it until the claim is created.",
    remediation="Add the PersistentVolumeClaim, correct claimName, or use a StatefulSet "
                "volumeClaimTemplate so each pod gets its own claim.",
    references=(PVC_URL,),
)
def missing_persistent_volume_claim(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Checks persistentVolumeClaim volumes in the workload's namespace (claims a StatefulSet's
    volumeClaimTemplates create are mounted by name, not through volumes). Off by default: claims
    are often created once, outside the manifests, to outlive them."""
    yield from _missing_objects(res, ctx, "PersistentVolumeClaim")


# --- single-object checks: workload selectors and port syntax --------------------------------

_SELECTOR_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                   "ReplicationController", "DeploymentConfig", "Job")


@rule(
    id="mismatched-selector", category=HYGIENE, severity=Severity.ERROR, kinds=_SELECTOR_KINDS,
    scope="bundle",
    summary="A workload's selector is missing, empty or does not match its own pod template's "
            "labels.",
    rationale="A controller manages the pods its selector matches. The API server rejects an "
              "apps/v1 workload whose selector is missing, empty or does not match its template, "
              "so the manifest fails at apply time; older API versions accept it and the "
              "controller then never sees the pods it creates.",
    remediation="Make spec.selector match labels the pod template sets (the usual form: "
                "matchLabels repeating the template's app.kubernetes.io/name and instance labels).",
    references=(DEPLOYMENT_SELECTOR_URL, LABEL_SELECTORS_URL),
    equivalents={"kube-linter": "mismatching-selector",
                 "kube-score": ("deployment-pod-selector-labels-match-template-metadata-labels",
                                "statefulset-pod-selector-labels-match-template-metadata-labels"),
                 "kubescape": "C-0296"},
)
def mismatched_selector(res: Resource, ctx: Context) -> Iterator[Finding]:
    """A missing selector is flagged in apps/v1 only (older versions and ReplicationControllers,
    DeploymentConfigs and Jobs default it from the template labels); ReplicationControllers and
    DeploymentConfigs use a plain label map. A Job's selector is checked only when it sets one.
    Labels a Kustomization in the linted set adds to selectors and templates (commonLabels,
    `labels` with includeSelectors) count; without it, a kustomize base that leaves selectors to
    commonLabels is reported."""
    spec = res.obj.get("spec")
    if not isinstance(spec, dict):
        return
    meta_path, meta = pod_template_metadata(res)
    labels = as_dict(meta.get("labels"))
    selector = spec.get("selector")
    label = object_label(res)
    plain = res.kind in _PLAIN_SELECTOR_KINDS
    added, templated = kustomize_labels(ctx.index, res)
    if added or templated:  # a Kustomization in the bundle completes both
        labels = {**labels, **templated}
        if res.kind != "Job" and added:
            if plain:
                selector = {**as_dict(selector), **added}
            elif selector is None or isinstance(selector, dict):
                selector = _with_labels(as_dict(selector), added)
    if selector is None:
        if not plain and res.kind != "Job" and res.api_version == "apps/v1":
            yield Finding(("spec", "selector"), f"{label} has no selector, which apps/v1 "
                                                "requires")
        return
    if not isinstance(selector, dict):
        return
    if plain:
        if not selector:
            return
        matches = all(k in labels and labels[k] == v for k, v in selector.items())
        shown = _labels_text(selector)
    else:
        if _selects_everything(selector):
            yield Finding(("spec", "selector"), f"the selector of {label} is empty")
            return
        matches = selector_matches(selector, labels)
        shown = _selector_text(selector)
    if matches:
        return
    if labels:
        why = f"its pod template's labels ({_labels_text(labels)})"
        related = (Related(res, (*meta_path, "labels"), "the pod template's labels"),)
    else:
        why = "its pod template, which has no labels"
        related = ()
    yield Finding(("spec", "selector"), f"selector {shown} of {label} does not match {why}",
                  related=related)


_PORT_NAME_CHARS = re.compile(r"[-a-z0-9]+")
_LETTER = re.compile(r"[a-z]")


def _port_name_problem(name: str) -> str | None:
    """Why `name` is not a valid port name (IANA_SVC_NAME, as the API server checks it)."""
    if len(name) > 15:
        return "must be no more than 15 characters"
    if not _PORT_NAME_CHARS.fullmatch(name):
        return "must contain only lower-case letters, digits and '-'"
    if "--" in name:
        return "must not contain consecutive hyphens"
    if name.startswith("-") or name.endswith("-"):
        return "must not begin or end with a hyphen"
    if not _LETTER.search(name):
        return "must contain at least one letter (a-z)"
    return None


def _port_number_problem(value: Any, low: int = 1) -> str | None:
    if is_int(value) and not low <= value <= 65535:
        return f"must be between {low} and 65535"
    return None


@rule(
    id="invalid-port", category=NETWORKING, severity=Severity.ERROR, kinds=("Service", *WORKLOADS),
    summary="A Service's port or targetPort, or a container port's number or name, is one the "
            "API server rejects.",
    rationale="Port numbers must be 1-65535, and port names (which Services target and probes "
              "refer to) must be IANA service names: at most 15 lower-case letters, digits and "
              "single inner hyphens, with at least one letter. Anything else fails validation "
              "when applied; a digit string such as targetPort: \"8080\" is read as a name, not "
              "a number.",
    remediation="Use a port number between 1 and 65535, or a name of at most 15 characters made "
                "of lower-case letters, digits and inner hyphens, including a letter.",
    references=(SERVICE_PORTS_URL, CONTAINER_PORTS_URL),
    equivalents={"kube-linter": "invalid-target-ports"},
)
def invalid_port(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Checks a Service's ports[].port and targetPort (0 and "" mean unset), and each
    container's ports[].containerPort, hostPort (0 means unset) and name. kube-linter's
    invalid-target-ports checks targetPort and container port names only."""
    label = object_label(res)
    if res.kind == "Service":
        for i, port in enumerate(as_list(dig(res.obj, "spec", "ports"))):
            port = as_dict(port)
            problem = _port_number_problem(port.get("port"))
            if problem:
                yield Finding(("spec", "ports", i, "port"),
                              f"port {port['port']} of {label} {problem}")
            target = port.get("targetPort")
            problem = _port_number_problem(target, 0)
            if isinstance(target, str) and target:
                problem = _port_name_problem(target)
                if problem and target.isdigit():
                    problem = "is a string, so it is read as a port name, which " + problem + \
                              "; write the number without quotes"
            if problem:
                yield Finding(("spec", "ports", i, "targetPort"),
                              f"targetPort {target!r} of {label} {problem}")
        return
    for c in containers(res):
        for j, port in enumerate(as_list(c.spec.get("ports"))):
            port = as_dict(port)
            where = (*c.path, "ports", j)
            for key, low in (("containerPort", 1), ("hostPort", 0)):
                problem = _port_number_problem(port.get(key), low)
                if problem:
                    yield Finding((*where, key), f"{key} {port[key]} of container {c.name!r} "
                                                 f"{problem}")
            name = port.get("name")
            if isinstance(name, str) and name:
                problem = _port_name_problem(name)
                if problem:
                    yield Finding((*where, "name"), f"port name {name!r} of container "
                                                    f"{c.name!r} {problem}")


RULES = (
    unmatched_service_selector, missing_service_selector, undeclared_target_port, exposed_service,
    service_external_ips, workload_without_service, missing_backend_service,
    undeclared_backend_port, ingress_without_tls, ingress_snippet_annotation, ssh_port,
    missing_scale_target, unmatched_budget_selector,
    unmatched_network_policy_selector, unmatched_network_policy_peer, unmatched_monitor_selector,
    missing_service_account, missing_binding_role, missing_binding_subject, missing_config_map,
    missing_secret, missing_persistent_volume_claim, mismatched_selector, invalid_port,
)
