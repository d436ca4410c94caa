"""Networking and reference rules: sets spread over several files, related locations, options,
the Kustomization and operator heuristics, defensive reading, and indexed (not quadratic) look-ups.
"""

from __future__ import annotations

import copy
import time

import pytest
import yaml

from kubelint.config import Config, RuleSettings
from kubelint.engine import lint_sources
from kubelint.k8s import ResourceIndex
from kubelint.rules import networking
from kubelint.sources import SourceFile
from tests.helpers import brief, found

RULE_IDS = tuple(r.id for r in networking.RULES)


def _lint(files: dict[str, str], *rule_ids: str, options: dict | None = None):
    settings = {rule_ids[0]: RuleSettings(options=options)} if options else {}
    result = lint_sources([SourceFile(name, text) for name, text in files.items()],
                          Config(select=rule_ids, rules=settings))
    return [d for d in result.active if d.rule_id in rule_ids]


def _where(diag) -> tuple[str, int, int]:
    return diag.file, diag.span.start.line, diag.span.start.col


def _related(diag) -> list[tuple[str, int, int, str]]:
    return [(r.file, r.span.start.line, r.span.start.col, r.message) for r in diag.related]


SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - name: http
    port: 80
    targetPort: http
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: web:1.0
        ports:
        - name: www
          containerPort: 8080
"""

INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port: {name: https}
"""


# --- sets over several files -------------------------------------------------------------------

def test_target_port_relates_the_containers_in_another_file():
    diags = _lint({"svc.yaml": SERVICE, "deploy.yaml": DEPLOYMENT}, "undeclared-target-port")
    assert len(diags) == 1
    d = diags[0]
    assert _where(d) == ("svc.yaml", 11, 5)  # targetPort: http
    assert d.message == ("targetPort 'http' of Service 'web' names no container port of the pods "
                         "it selects")
    assert _related(d) == [("deploy.yaml", 16, 9, "container 'web' of Deployment 'web' declares "
                                                  "port 8080 ('www')")]


def test_backend_port_relates_the_service_in_another_file():
    diags = _lint({"ingress.yaml": INGRESS, "svc.yaml": SERVICE}, "undeclared-backend-port")
    assert [(_where(d), d.message) for d in diags] == [
        (("ingress.yaml", 15, 20),
         "Ingress 'web' routes to port 'https' of Service 'web', which has no such port")]
    assert _related(diags[0]) == [("svc.yaml", 8, 3, "Service 'web' defines port 80 ('http')")]


def test_selector_matching_only_another_namespace_says_so_and_relates_it():
    elsewhere = DEPLOYMENT.replace("namespace: shop", "namespace: store")
    diags = _lint({"svc.yaml": SERVICE, "deploy.yaml": elsewhere}, "unmatched-service-selector")
    assert [(_where(d), d.message) for d in diags] == [
        (("svc.yaml", 7, 3), "selector app=web of Service 'web' matches no pods in namespace "
                             "'shop', only in namespace 'store'")]
    assert _related(diags[0]) == [("deploy.yaml", 11, 7, "Deployment 'web' in namespace 'store' "
                                                         "matches")]


def test_drifted_label_relates_the_near_miss():
    service = SERVICE.replace("selector: {app: web}", "selector: {app: web, tier: front}")
    diags = _lint({"svc.yaml": service, "deploy.yaml": DEPLOYMENT}, "unmatched-service-selector")
    assert _related(diags[0]) == [("deploy.yaml", 11, 7, "Deployment 'web' lacks tier=front")]


def test_missing_backend_service_relates_the_same_name_in_another_namespace():
    service = SERVICE.replace("namespace: shop", "namespace: store")
    diags = _lint({"ingress.yaml": INGRESS, "svc.yaml": service}, "missing-backend-service")
    assert [(_where(d), d.message) for d in diags] == [
        (("ingress.yaml", 14, 13), "Ingress 'web' routes to Service 'web', which is not in "
                                   "namespace 'shop'")]
    assert _related(diags[0]) == [("svc.yaml", 4, 3, "Service 'web' is in namespace 'store'")]


def test_a_service_linted_without_any_workload_is_not_reported():
    assert _lint({"svc.yaml": SERVICE}, "unmatched-service-selector") == []
    unrelated = DEPLOYMENT.replace("app: web", "app: other")
    assert len(_lint({"svc.yaml": SERVICE, "d.yaml": unrelated}, "unmatched-service-selector")) == 1


def test_an_autoscaler_whose_target_kind_is_absent_is_not_reported():
    hpa = ("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n"
           "spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
           "  maxReplicas: 3\n")
    assert _lint({"hpa.yaml": hpa}, "missing-scale-target") == []
    other = DEPLOYMENT.replace("name: web\n  namespace", "name: api\n  namespace")
    diags = _lint({"hpa.yaml": hpa, "d.yaml": other}, "missing-scale-target")
    assert [_where(d) for d in diags] == [("hpa.yaml", 5, 3)]


# --- options ----------------------------------------------------------------------------------

def test_numeric_target_ports_are_compared_only_when_asked():
    service = SERVICE.replace("targetPort: http", "targetPort: 9090").replace(
        "  - name: http\n", "  - name: www\n")
    files = {"svc.yaml": service, "deploy.yaml": DEPLOYMENT}
    assert _lint(files, "undeclared-target-port") == []
    diags = _lint(files, "undeclared-target-port", options={"numbers": True})
    assert [(_where(d), d.message) for d in diags] == [
        (("svc.yaml", 11, 5), "targetPort 9090 of Service 'web' is not a container port of the "
                              "pods it selects")]
    unset = SERVICE.replace("    targetPort: http\n", "")
    diags = _lint({"svc.yaml": unset, "deploy.yaml": DEPLOYMENT}, "undeclared-target-port",
                  options={"numbers": True})
    assert [(_where(d), d.message) for d in diags] == [
        (("svc.yaml", 10, 5), "port 80 (the targetPort when none is set) of Service 'web' is not "
                              "a container port of the pods it selects")]


def test_exposed_service_types_option():
    text = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: LoadBalancer\n"
    assert len(found(text, "exposed-service")) == 1
    cfg = Config(select=("exposed-service",),
                 rules={"exposed-service": RuleSettings(options={"types": ["NodePort"]})})
    assert found(text, "exposed-service", config=cfg) == []


# --- Kustomize ---------------------------------------------------------------------------------

KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
commonLabels:
  app: metrics
resources:
- deployment.yaml
- service.yaml
- pdb.yaml
"""
BARE_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: metrics
spec:
  template:
    spec:
      containers:
      - name: metrics
        image: metrics:1.0
"""
BARE_SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: metrics
spec:
  ports:
  - port: 443
"""
PDB = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: metrics
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: metrics}
"""


def test_kustomization_common_labels_complete_selectors_and_templates():
    files = {"base/kustomization.yaml": KUSTOMIZATION, "base/deployment.yaml": BARE_DEPLOYMENT,
             "base/service.yaml": BARE_SERVICE, "base/pdb.yaml": PDB}
    ids = ("mismatched-selector", "missing-service-selector", "unmatched-service-selector",
           "unmatched-budget-selector")
    assert brief(_lint(files, *ids)) == []
    alone = {k.replace("base/", "other/"): v for k, v in files.items()
             if not k.endswith("kustomization.yaml")}
    assert sorted(d.rule_id for d in _lint(alone, *ids)) == [
        "mismatched-selector", "missing-service-selector", "unmatched-budget-selector"]


def test_kustomization_bases_are_followed_from_overlays():
    overlay = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
               "commonLabels: {app: metrics}\nresources: [../../base]\n")
    base = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            "resources: [deployment.yaml]\n")
    files = {"overlays/prod/kustomization.yaml": overlay, "base/kustomization.yaml": base,
             "base/deployment.yaml": BARE_DEPLOYMENT}
    assert _lint(files, "mismatched-selector") == []


# --- defensive reading -------------------------------------------------------------------------

def _mutations(node, path=()):
    """Every (path, replacement) swapping one value for null or a mistyped value."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, value in items:
        for bad in (None, "x", [1], {"k": 1}, 7):
            if type(bad) is not type(value):
                yield (*path, key), bad
        yield from _mutations(value, (*path, key))


def _set(node, path, value):
    node = copy.deepcopy(node)
    target = node
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return node


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_mistyped_values_never_crash(rule_id):
    from tests.test_rule_fixtures import FIXTURES

    docs = [d for d in yaml.safe_load_all((FIXTURES / rule_id / "fail.yaml").read_text())
            if d is not None]
    cfg = Config(select=(rule_id,))
    checked = 0
    for i, doc in enumerate(docs):
        for path, bad in _mutations(doc):
            mutated = [*docs[:i], _set(doc, path, bad), *docs[i + 1:]]
            text = yaml.safe_dump_all(mutated)
            result = lint_sources([SourceFile("m.yaml", text)], cfg)
            crashes = [d.message for d in result.diagnostics if d.rule_id == "internal-error"]
            assert crashes == [], (path, bad)
            checked += 1
    assert checked


# --- look-ups are indexed ----------------------------------------------------------------------

def test_index_builds_each_table_once():
    index = ResourceIndex([])
    calls = []
    build = lambda ix: calls.append(ix) or {"built": True}  # noqa: E731
    assert index.cached(("test", "t"), build) == {"built": True}
    assert index.cached(("test", "t"), build) is index.cached(("test", "t"), build)
    assert calls == [index]


def _bundle(n: int) -> str:
    docs = []
    for i in range(n):
        docs.append(
            f"apiVersion: apps/v1\nkind: Deployment\n"
            f"metadata: {{name: app{i}, namespace: ns{i % 5}}}\n"
            f"spec:\n  selector: {{matchLabels: {{app: app{i}}}}}\n  template:\n"
            f"    metadata: {{labels: {{app: app{i}, tier: web}}}}\n    spec:\n"
            f"      serviceAccountName: sa{i}\n      containers:\n"
            f"      - {{name: c, image: x, ports: [{{name: http, containerPort: 8080}}]}}\n"
            f"---\napiVersion: v1\nkind: Service\nmetadata: {{name: s{i}, namespace: ns{i % 5}}}\n"
            f"spec:\n  selector: {{app: app{i}{'x' if i % 2 else ''}, tier: web}}\n"
            f"  ports: [{{port: 80, targetPort: http}}]\n"
            f"---\napiVersion: networking.k8s.io/v1\nkind: Ingress\n"
            f"metadata: {{name: i{i}, namespace: ns{i % 5}}}\n"
            f"spec: {{defaultBackend: {{service: {{name: s{i}, port: {{number: 81}}}}}}}}\n")
    return "---\n".join(docs)


def test_rule_time_grows_linearly_with_the_bundle(monkeypatch):
    """Four times the objects may cost about four times as much, not sixteen."""
    from kubelint import engine

    real = engine._run
    spent = [0.0]

    def timed(*args, **kwargs):
        start = time.perf_counter()
        real(*args, **kwargs)
        spent[0] += time.perf_counter() - start

    monkeypatch.setattr(engine, "_run", timed)

    def rule_seconds(n: int) -> float:
        spent[0] = 0.0
        lint_sources([SourceFile("b.yaml", _bundle(n))],
                     Config(select=("networking", "references")))
        return spent[0]

    small = min(rule_seconds(150) for _ in range(2))
    large = min(rule_seconds(600) for _ in range(2))
    assert large < small * 9, (small, large)
