"""Retired or risky components: Tiller (the server side of Helm 2), the Kubernetes dashboard, and
git-sync's GITSYNC_GIT override (meant for testing). Hygiene rules; `hygiene.RULES` lists them in
their place among the others."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kubelint.k8s import (WORKLOADS, Container, Resource, as_dict, as_list, containers,
                          object_label, pod_owner, pod_template_metadata)
from kubelint.model import Finding, Severity
from kubelint.rule import Context, rule

HYGIENE = "hygiene"

DASHBOARD_URL = ("https://kubernetes.io/docs/tasks/access-application-cluster/"
                 "web-ui-dashboard/")
GIT_SYNC_URL = "https://github.com/kubernetes/git-sync"
HELM2_URL = "https://helm.sh/blog/helm-v2-deprecation-timeline/"
HELM_TILLER_SECURITY_URL = "https://v2.helm.sh/docs/securing_installation/"


_TILLER_LABELS = (("app", "helm"), ("name", "tiller"))


def _is_tiller(c: Container) -> bool:
    image = c.spec.get("image")
    return isinstance(image, str) and "tiller" in image


def _tiller_pod(res: Resource) -> bool:
    labels = as_dict(pod_template_metadata(res)[1].get("labels"))
    return any(labels.get(k) == v for k, v in _TILLER_LABELS)


@rule(
    id="tiller-deployment", category=HYGIENE, severity=Severity.WARNING, kinds=WORKLOADS,
    default_enabled=False,
    summary="A workload runs Tiller, the server side of Helm 2.",
    rationale="Helm 2 reached end of life in November 2020 and Tiller gets no security fixes. "
              "Tiller usually holds cluster-admin rights and, by default, answers anyone in the "
              "cluster without authentication, so any pod can install charts as cluster admin.",
    remediation="Migrate the releases to Helm 3 (which needs no in-cluster component) and "
                "delete the Tiller deployment.",
    references=(HELM2_URL,),
    equivalents={"checkov": "CKV_K8S_34"},
)
def tiller_deployment(res: Resource, ctx: Context) -> Iterator[Finding]:
    """A container image whose name contains 'tiller', or pod labels app=helm or name=tiller
    (the labels `helm init` sets)."""
    tiller = [c for c in containers(res) if _is_tiller(c)]
    if tiller:
        c = tiller[0]
        yield Finding((*c.path, "image"), f"container {c.name!r} of {object_label(res)} runs "
                                          f"Tiller ({c.spec['image']})")
    elif _tiller_pod(res):
        meta_path, _ = pod_template_metadata(res)
        yield Finding((*meta_path, "labels"), f"{pod_owner(res)} is labelled as Tiller")


_LOCAL_LISTEN = re.compile(r"^--listen(?:=|$)")
_LOCAL_ADDRESS = re.compile(r"^(?:localhost|127\.0\.0\.1):")


def _listens_locally(c: Container) -> bool:
    args = [a for a in (*as_list(c.spec.get("command")), *as_list(c.spec.get("args")))
            if isinstance(a, str)]
    for i, arg in enumerate(args):
        if not _LOCAL_LISTEN.match(arg):
            continue
        value = arg.partition("=")[2] if "=" in arg else (args[i + 1] if i + 1 < len(args)
                                                          else "")
        if _LOCAL_ADDRESS.match(value.strip()):
            return True
    return False


@rule(
    id="exposed-tiller", category=HYGIENE, severity=Severity.ERROR, kinds=WORKLOADS,
    default_enabled=False,
    summary="A Tiller (Helm 2) container listens on all interfaces instead of localhost.",
    rationale="Tiller's gRPC port has no authentication by default: listening beyond "
              "localhost lets any pod in the cluster talk to it and install or delete releases "
              "with Tiller's (usually cluster-admin) rights.",
    remediation="Pass --listen=localhost:44134 to Tiller (clients then reach it through "
                "port-forwarding), or better, migrate to Helm 3 and remove Tiller.",
    references=(HELM2_URL, HELM_TILLER_SECURITY_URL),
    equivalents={"checkov": "CKV_K8S_45"},
)
def exposed_tiller(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Tiller is recognised as by tiller-deployment; every container of a pod labelled as
    Tiller counts."""
    labelled = _tiller_pod(res)
    for c in containers(res):
        if (labelled or _is_tiller(c)) and not _listens_locally(c):
            yield Finding(c.path, f"Tiller container {c.name!r} of {object_label(res)} does not "
                                  "listen on localhost only")


def _mentions_tiller(value: object) -> bool:
    return isinstance(value, str) and "tiller" in value.lower()


@rule(
    id="tiller-service", category=HYGIENE, severity=Severity.WARNING, kinds=("Service",),
    default_enabled=False,
    summary="A Service exposes Tiller, the server side of Helm 2.",
    rationale="A Service in front of Tiller makes its unauthenticated gRPC port reachable by "
              "name from every pod in the cluster; Helm 2 clients do not need one (they "
              "port-forward to the pod).",
    remediation="Delete the Service (and migrate to Helm 3, which needs no Tiller).",
    references=(HELM2_URL, HELM_TILLER_SECURITY_URL),
    equivalents={"checkov": "CKV_K8S_44"},
)
def tiller_service(res: Resource, ctx: Context) -> Iterator[Finding]:
    """A Service whose name, label values or selector values mention tiller (any case). Helm 2's
    `heritage: Tiller` label, which says who installed the object, does not count (checkov
    counts it, so it flags every Service a Helm 2 chart rendered)."""
    selector = as_dict(as_dict(res.obj.get("spec")).get("selector"))
    if _mentions_tiller(res.name):
        where = ("metadata", "name")
    elif any(_mentions_tiller(v) for k, v in res.labels.items() if k != "heritage"):
        where = ("metadata", "labels")
    elif any(_mentions_tiller(v) for v in selector.values()):
        where = ("spec", "selector")
    else:
        return
    yield Finding(where, f"{object_label(res)} exposes Tiller")


_DASHBOARD_LABELS = (("app", "kubernetes-dashboard"), ("k8s-app", "kubernetes-dashboard"))


def _is_dashboard(c: Container) -> bool:
    image = c.spec.get("image")
    return isinstance(image, str) and ("kubernetes-dashboard" in image or "kubernetesui/" in image)


@rule(
    id="kubernetes-dashboard-deployment", category=HYGIENE, severity=Severity.WARNING,
    kinds=WORKLOADS, default_enabled=False,
    summary="A workload runs the Kubernetes dashboard (a kubernetesui or kubernetes-dashboard "
            "image, or pods labelled as the dashboard).",
    rationale="The dashboard is a web UI that acts with the rights of its service account or "
              "of the token a user pastes into it; installs exposed outside the cluster or "
              "bound to broad roles have been a common way into clusters. Policies that forbid "
              "in-cluster admin UIs enable this rule.",
    remediation="Remove the dashboard, or keep it reachable only through `kubectl port-forward` "
                "or an authenticating proxy, with a service account that has read-only rights.",
    references=(DASHBOARD_URL,),
    equivalents={"checkov": "CKV_K8S_33"},
)
def kubernetes_dashboard_deployment(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Images containing kubernetes-dashboard or kubernetesui/ (its metrics scraper too), or
    pod labels app or k8s-app = kubernetes-dashboard."""
    found = next((c for c in containers(res) if _is_dashboard(c)), None)
    labels = as_dict(pod_template_metadata(res)[1].get("labels"))
    if found is not None:
        yield Finding((*found.path, "image"), f"container {found.name!r} of {object_label(res)} "
                                              f"runs the Kubernetes dashboard "
                                              f"({found.spec['image']})")
    elif any(labels.get(k) == v for k, v in _DASHBOARD_LABELS):
        yield Finding((*pod_template_metadata(res)[0], "labels"),
                      f"{pod_owner(res)} is labelled as the Kubernetes dashboard")


_GIT_SYNC_GIT = frozenset({"GITSYNC_GIT", "GIT_SYNC_GIT"})


@rule(
    id="git-sync-git-override", category=HYGIENE, severity=Severity.WARNING, kinds=WORKLOADS,
    default_enabled=False,
    summary="A container sets GITSYNC_GIT, replacing the git binary that git-sync runs.",
    rationale="git-sync runs whatever program GITSYNC_GIT names, with the sidecar's repository "
              "credentials and volumes; the setting exists for testing, and in a deployed pod "
              "it lets whoever can edit the environment run code in place of git.",
    remediation="Remove GITSYNC_GIT (and GIT_SYNC_GIT) so that git-sync runs the git in its "
                "image.",
    references=(GIT_SYNC_URL,),
    equivalents={"checkov": "CKV_K8S_159"},
)
def git_sync_git_override(res: Resource, ctx: Context) -> Iterator[Finding]:
    """checkov looks for GITSYNC_GIT only; kubelint also for git-sync v3's GIT_SYNC_GIT."""
    for c in containers(res):
        for i, item in enumerate(as_list(c.spec.get("env"))):
            name = as_dict(item).get("name")
            if name in _GIT_SYNC_GIT:
                yield Finding((*c.path, "env", i), f"container {c.name!r} sets {name}, so "
                                                   "git-sync runs another program as git")


RULES = (
    tiller_deployment, exposed_tiller, tiller_service, kubernetes_dashboard_deployment,
    git_sync_git_override,
)
