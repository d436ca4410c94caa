"""Schema validation, API deprecations and metadata rules beyond their fixtures: JSON input, List
items, target releases, CRD schema features, kustomize sets, the vendored data, start-up cost and
the real-world corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kubelint import k8s_schema
from kubelint.config import Config, RuleSettings
from kubelint.engine import lint_sources
from kubelint.rules import by_id
from kubelint.sources import SourceFile
from tests.helpers import brief

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_RULES = ("schema-unknown-field", "schema-wrong-type", "schema-missing-field",
                "schema-invalid-value", "schema-unknown-kind", "unvalidated-custom-resource")
VERSIONED = (*SCHEMA_RULES, "removed-api-version", "deprecated-api-version")


def lint(*files: tuple[str, str], select: tuple[str, ...] = SCHEMA_RULES,
         version: str | None = None) -> list[str]:
    rules = {}
    if version is not None:
        rules = {r: RuleSettings(options={"kubernetes-version": version})
                 for r in select if r in VERSIONED}
    result = lint_sources([SourceFile(name, text) for name, text in files],
                          Config(select=select, rules=rules))
    return [f"{d.file}:{line}" for d, line in
            zip(result.active, brief(list(result.active)))]


DEPLOYMENT_JSON = """{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "web", "labels": {"tier": true}},
  "spec": {
    "replicas": "2",
    "selector": {"matchLabels": {"app": "web"}},
    "template": {
      "metadata": {"labels": {"app": "web"}},
      "spec": {
        "containers": [
          {"name": "app", "image": "nginx:1.27", "imagePullPolicy": "always",
           "ports": [{"containerPort": 80, "protocl": "TCP"}]},
          {"image": "busybox:1.36"}
        ]
      }
    }
  }
}
"""


def test_json_file_errors_are_located():
    assert lint(("deploy.json", DEPLOYMENT_JSON)) == [
        "deploy.json:4:42 schema-wrong-type `labels.tier` must be a string, got boolean true; "
        "quote the value to make it a string (YAML reads unquoted yes, no, on, off, true and "
        "false as booleans)",
        "deploy.json:6:5 schema-wrong-type `replicas` must be an integer, got string \"2\"; "
        "remove the quotes to make it a number",
        "deploy.json:12:50 schema-invalid-value `imagePullPolicy` must be one of Always, "
        "IfNotPresent, Never, got \"always\" (did you mean \"Always\"?)",
        "deploy.json:13:44 schema-unknown-field unknown field `protocl` in `ports[0]` "
        "(did you mean `protocol`?)",
        "deploy.json:14:11 schema-missing-field required field `name` is missing in "
        "`containers[1]`",
    ]


def test_list_items_are_validated_with_document_paths():
    text = """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: a}
    data: {port: 8080}
  - apiVersion: v1
    kind: Service
    metadata: {name: b}
    spec:
      ports: [{name: http}]
"""
    assert lint(("list.yaml", text)) == [
        "list.yaml:7:12 schema-wrong-type `data.port` must be a string, got integer 8080; "
        "quote the value to make it a string",
        "list.yaml:12:15 schema-missing-field required field `port` is missing in `ports[0]`",
    ]


def test_yaml_1_1_values_are_read_as_kubernetes_reads_them():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p, labels: {enabled: on}}
spec:
  containers: [{name: app, image: nginx}]
  volumes:
    - name: config
      configMap: {name: c, defaultMode: 0400}
"""
    assert lint(("pod.yaml", text)) == [
        "pod.yaml:3:30 schema-wrong-type `labels.enabled` must be a string, got boolean true; "
        "quote the value to make it a string (YAML reads unquoted yes, no, on, off, true and "
        "false as booleans)",
    ]


RESIZE = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx
      resizePolicy: [{resourceName: cpu, restartPolicy: NotRequired}]
"""


def test_target_release_selects_the_schema():
    assert lint(("pod.yaml", RESIZE), version="1.33") == []
    assert lint(("pod.yaml", RESIZE), version="1.26") == [
        "pod.yaml:8:7 schema-unknown-field unknown field `resizePolicy` in `containers[0]`"]
    # Older than the oldest vendored release: validated against 1.25.
    assert lint(("pod.yaml", RESIZE), version="1.20") == [
        "pod.yaml:8:7 schema-unknown-field unknown field `resizePolicy` in `containers[0]`"]


def test_versions_parse_and_clamp():
    assert k8s_schema.parse_version("1.30") == (1, 30)
    assert k8s_schema.parse_version("v1.29.3") == (1, 29)
    assert k8s_schema.parse_version(1.3) is None
    assert k8s_schema.schema_version((1, 19)) == k8s_schema.OLDEST_VERSION
    assert k8s_schema.schema_version((1, 99)) == k8s_schema.NEWEST_VERSION
    assert k8s_schema.target_version({}) == (1, int(k8s_schema.NEWEST_VERSION.split(".")[1]))


def test_version_option_must_be_a_quoted_string():
    import jsonschema

    schema = dict(by_id("schema-unknown-field").options_schema or {})
    jsonschema.validate({"kubernetes-version": "1.30"}, schema)
    for bad in (1.3, "1.x", "2.0"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"kubernetes-version": bad}, schema)


def test_never_enforced_required_fields_are_dropped():
    text = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: postgres:16}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec: {policyTypes: [Ingress]}
"""
    for version in ("1.25", "1.37"):
        assert lint(("x.yaml", text), version=version) == []


def test_status_is_typed_but_not_required():
    text = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 3
status:
  currentReplicas: many
"""
    assert lint(("hpa.yaml", text)) == [
        "hpa.yaml:8:3 schema-wrong-type `currentReplicas` must be an integer, got string "
        "\"many\""]


def test_container_resource_quantities_are_left_to_invalid_resource_quantity():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: app
      image: nginx
      resources: {limits: {memory: 1GB}}
  volumes:
    - name: scratch
      emptyDir: {sizeLimit: 1GB}
"""
    got = lint(("pod.yaml", text), select=(*SCHEMA_RULES, "invalid-resource-quantity"))
    assert [g.split(" ")[1] for g in got] == ["invalid-resource-quantity",
                                             "schema-invalid-value"]


def test_int_or_string_and_formats():
    text = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, creationTimestamp: null}
spec:
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: 25%, maxUnavailable: [1]}}
  template:
    metadata: {labels: {app: web}, creationTimestamp: yesterday}
    spec:
      containers: [{name: app, image: nginx}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: hook}
webhooks:
  - name: hook.example.com
    sideEffects: None
    admissionReviewVersions: [v1]
    clientConfig: {caBundle: "${CA_BUNDLE}", url: "https://hook.example.com"}
"""
    assert lint(("x.yaml", text)) == [
        "x.yaml:6:45 schema-wrong-type `maxUnavailable` must be an integer or a string, got a "
        "list",
        "x.yaml:8:36 schema-invalid-value `creationTimestamp` must be an RFC 3339 date-time such "
        "as 2024-01-31T12:00:00Z, got string \"yesterday\"",
        "x.yaml:19:20 schema-invalid-value `caBundle` is not valid base64 (an unrendered "
        "template placeholder?)",
    ]


CRD_V1BETA1 = """\
apiVersion: apiextensions.k8s.io/v1beta1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  version: v1
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  validation:
    openAPIV3Schema:
      properties:
        spec:
          properties:
            size: {type: integer}
"""
WIDGET = """\
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec: {size: big, colour: blue}
"""


def test_v1beta1_crd_keeps_unknown_fields_but_checks_types():
    assert lint(("crd.yaml", CRD_V1BETA1), ("w.yaml", WIDGET)) == [
        "w.yaml:4:8 schema-wrong-type `size` must be an integer, got string \"big\""]


def test_crd_combinators_and_embedded_resources():
    crd = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: jobs.example.com}
spec:
  group: example.com
  names: {kind: Job, plural: jobs}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              oneOf:
                - required: [image]
                - required: [command]
              properties:
                image: {type: string}
                command: {type: string}
                port:
                  x-kubernetes-int-or-string: true
                  anyOf: [{type: integer, minimum: 1}, {type: string, pattern: '^[a-z]+$'}]
                exclusive: {type: number, minimum: 0, exclusiveMinimum: true}
                tags: {type: array, items: {type: string}, uniqueItems: true, maxItems: 3}
                template:
                  type: object
                  x-kubernetes-embedded-resource: true
                  properties:
                    spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""
    job = """\
apiVersion: example.com/v1
kind: Job
metadata: {name: j}
spec:
  image: busybox
  command: run
  port: HTTP
  exclusive: 0
  tags: [a, b, a]
  template:
    apiVersion: v1
    kind: Pod
    metadata: {name: inner}
    spec: {anything: goes}
"""
    assert lint(("crd.yaml", crd), ("job.yaml", job)) == [
        "job.yaml:4:1 schema-invalid-value `spec` matches 2 of its 2 alternative schemas; it "
        "must match exactly one",
        "job.yaml:7:3 schema-invalid-value `port` must match at least one of 2 alternative "
        "schemas (for example: `port` must be an integer, got string \"HTTP\")",
        "job.yaml:8:3 schema-invalid-value `exclusive` must be greater than 0, got 0",
        "job.yaml:9:16 schema-invalid-value `tags[2]` repeats an earlier item",
    ]


def test_crd_required_fields_nulls_not_and_patterns_the_regex_engine_rejects():
    """A required property with its own `not` keeps both checks; null counts as missing inside
    `not` too; a pattern jsonschema-rs cannot compile is skipped, the rest still validated."""
    crd = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          required: [spec]
          properties:
            spec:
              type: object
              not: {required: [legacy]}
              properties:
                legacy: {type: string}
                code: {type: string, pattern: 'a{,3}\\Z'}
                size: {type: integer, maximum: 10}
"""
    gadgets = """\
apiVersion: example.com/v1
kind: Gadget
metadata: {name: a}
spec: {legacy: x, code: anything, size: 11}
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: b}
spec: {legacy: null}
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: c}
spec: null
"""
    assert lint(("crd.yaml", crd), ("g.yaml", gadgets)) == [
        "g.yaml:4:1 schema-invalid-value `spec` matches a schema it must not match",
        "g.yaml:4:35 schema-invalid-value `size` must be at most 10, got 11",
        "g.yaml:14:1 schema-missing-field required field `spec` is null in Gadget",
    ]


def test_infinity_is_not_a_json_number():
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: app, image: nginx}]
  overhead: {cpu: .inf}
  activeDeadlineSeconds: .inf
"""
    assert lint(("pod.yaml", text)) == [
        "pod.yaml:6:14 schema-invalid-value `overhead.cpu` must be a quantity such as 500m, 0.5 "
        "or 1Gi, got number inf",
        "pod.yaml:7:3 schema-wrong-type `activeDeadlineSeconds` must be an integer, got number "
        "inf",
    ]


def test_crd_schemas_from_the_nearest_crd_and_unserved_versions():
    crd = CRD_V1BETA1.replace("version: v1\n", "version: v2\n")
    got = lint(("a/crd.yaml", crd), ("a/w.yaml", WIDGET))
    assert got == ["a/w.yaml:1:1 schema-unknown-kind the CustomResourceDefinition for Widget "
                   "does not serve example.com/v1 (served versions: v2)"]


def test_unvalidated_custom_resources_are_reported_once_per_kind():
    cert = "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: %s}\n"
    got = lint(("a.yaml", cert % "a"), ("b.yaml", cert % "b"), ("c.yaml", cert % "c"))
    assert got == ["a.yaml:2:1 unvalidated-custom-resource Certificate (cert-manager.io/v1) is "
                   "not validated: no CustomResourceDefinition for it is among the linted files "
                   "(2 more Certificate objects likewise)"]


def test_kind_typos_and_non_api_files():
    text = """\
apiVersion: v1
kind: configmap
metadata: {name: c}
---
apiVersion: v1
kind: Config
clusters: []
---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: []
"""
    assert lint(("x.yaml", text)) == [
        "x.yaml:2:1 schema-unknown-kind v1 has no kind 'configmap' in Kubernetes "
        f"{k8s_schema.NEWEST_VERSION} (did you mean 'ConfigMap'?)"]


# --- deprecations -------------------------------------------------------------------------------

def test_pre_release_version_superseded_by_a_stable_one():
    text = "apiVersion: resource.k8s.io/v1beta1\nkind: DeviceClass\nmetadata: {name: gpu}\n"
    assert lint(("x.yaml", text), select=("deprecated-api-version",), version="1.37") == [
        "x.yaml:1:1 deprecated-api-version DeviceClass uses the pre-release "
        "resource.k8s.io/v1beta1; Kubernetes 1.37 serves it as resource.k8s.io/v1; use that"]
    assert lint(("x.yaml", text), select=("deprecated-api-version",), version="1.33") == []


def test_removed_api_replacement_follows_the_chain():
    text = ("apiVersion: extensions/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\n"
            "---\napiVersion: flowcontrol.apiserver.k8s.io/v1beta1\nkind: FlowSchema\n"
            "metadata: {name: f}\n")
    select = ("removed-api-version",)
    assert lint(("x.yaml", text), select=select, version="1.24") == [
        "x.yaml:1:1 removed-api-version PodSecurityPolicy uses extensions/v1beta1, which "
        "Kubernetes 1.16 removed; use policy/v1beta1 (served since Kubernetes 1.10)"]
    assert lint(("x.yaml", text), select=select, version="1.30") == [
        "x.yaml:1:1 removed-api-version PodSecurityPolicy uses extensions/v1beta1, which "
        "Kubernetes 1.16 removed; use Pod Security Admission (namespace labels) instead",
        "x.yaml:5:1 removed-api-version FlowSchema uses flowcontrol.apiserver.k8s.io/v1beta1, "
        "which Kubernetes 1.26 removed; use flowcontrol.apiserver.k8s.io/v1beta3 (served since "
        "Kubernetes 1.26)"]


def test_old_targets_do_not_report_unserved_versions_as_unknown():
    text = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c}\n"
    select = (*SCHEMA_RULES, "removed-api-version", "deprecated-api-version")
    assert lint(("x.yaml", text), select=select, version="1.21") == [
        "x.yaml:1:1 deprecated-api-version CronJob uses batch/v1beta1, deprecated since "
        "Kubernetes 1.21 and removed in 1.25; use batch/v1 (served since Kubernetes 1.21)"]


# --- metadata -----------------------------------------------------------------------------------

def test_duplicates_within_a_kustomization_but_not_across_a_folder():
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"
    kustomization = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                     "resources: [a.yaml, b.yaml]\n")
    select = ("duplicate-object",)
    assert lint(("app/a.yaml", cm), ("app/b.yaml", cm), select=select) == []
    assert lint(("app/a.yaml", cm), ("app/b.yaml", cm),
                ("app/kustomization.yaml", kustomization), select=select) == [
        "app/b.yaml:3:12 duplicate-object ConfigMap 'settings' is defined twice (first in "
        "a.yaml); this later definition replaces the earlier one"]


def test_kustomize_common_labels_supply_the_selector():
    deploy = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec: {containers: [{name: app, image: nginx}]}
"""
    kustomization = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                     "commonLabels: {app: web}\nresources: [deployment.yaml]\n")
    assert lint(("base/deployment.yaml", deploy)) == [
        "base/deployment.yaml:4:1 schema-missing-field required field `selector` is missing in "
        "`spec`"]
    assert lint(("base/deployment.yaml", deploy),
                ("base/kustomization.yaml", kustomization)) == []


def test_annotation_size_limit_at_the_api_default():
    big = "x" * (256 * 1024)
    text = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations: {{a: {big}}}\n"
    assert lint(("c.yaml", text), select=("oversized-annotations",)) == [
        "c.yaml:5:3 oversized-annotations annotations take 262,145 bytes, more than 262,144 "
        "(the API server's limit, 256 KiB)"]


# --- vendored data and start-up -------------------------------------------------------------------

def test_every_supported_release_is_vendored():
    folder = ROOT / "schemas"
    files = sorted(p.name for p in folder.glob("kubernetes-1.*.json"))
    assert files == sorted(f"kubernetes-{v}.json" for v in k8s_schema.SUPPORTED_VERSIONS)
    assert k8s_schema.SUPPORTED_VERSIONS[0] == k8s_schema.OLDEST_VERSION
    assert k8s_schema.SUPPORTED_VERSIONS[-1] == k8s_schema.NEWEST_VERSION
    for version in k8s_schema.SUPPORTED_VERSIONS:
        data = json.loads((folder / f"kubernetes-{version}.json").read_text(encoding="utf-8"))
        assert data["kubernetes"] == version
        assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert data["kinds"]["apps/v1"]["Deployment"] in data["$defs"]
        container = data["$defs"]["io.k8s.api.core.v1.Container"]
        assert container["properties"]["imagePullPolicy"]["enum"] == [
            "Always", "IfNotPresent", "Never", ""]
        assert container["additionalProperties"] is False
        assert container["properties"]["name"]["not"] == {"type": "null"}  # required


def test_vendored_schemas_stay_small():
    total = sum(p.stat().st_size for p in (ROOT / "schemas").glob("kubernetes-1.*.json"))
    assert total < 4 * 1024 * 1024


LOADING = """
import sys
import jsonschema_rs
from kubelint.config import Config
from kubelint.engine import lint_sources
from kubelint.sources import SourceFile
from kubelint import k8s_schema
compiled = []
def counting(schema, **kwargs):
    compiled.append(schema.get("$ref", "a CRD"))
    return validator_for(schema, **kwargs)
validator_for, jsonschema_rs.validator_for = jsonschema_rs.validator_for, counting
text = open(sys.argv[1]).read()
lint_sources([SourceFile("x.yaml", text)], Config(select=tuple(sys.argv[2:])))
print(k8s_schema.builtin.cache_info().currsize, len(compiled))
"""


def test_lint_loads_one_release_and_compiles_what_it_meets():
    """One file read, one validator compiled per kind met (the example is one Deployment)."""
    example = str(ROOT / "examples" / "insecure-deployment.yaml")
    out = subprocess.run([sys.executable, "-c", LOADING, example, "all"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
    assert out == ["1", "1"]


def test_importing_the_rules_reads_no_schema():
    code = ("import kubelint.rules, kubelint.k8s_schema as s, sys; "
            "print(s.builtin.cache_info().currsize, 'jsonschema' in sys.modules, "
            "'jsonschema_rs' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.split()
    assert out == ["0", "False", "False"]


def test_schemas_without_a_rule_run_import_no_validator():
    """Linting with the schema rules off neither reads a schema nor imports jsonschema_rs."""
    code = ("import sys; from kubelint.config import Config; "
            "from kubelint.engine import lint_sources; from kubelint.sources import SourceFile; "
            "from kubelint import k8s_schema as s; "
            "lint_sources([SourceFile('x.yaml', open(sys.argv[1]).read())], "
            "Config(select=('security',))); "
            "print(s.builtin.cache_info().currsize, 'jsonschema_rs' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code,
                          str(ROOT / "examples" / "insecure-deployment.yaml")],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
    assert out == ["0", "False"]


# --- the real-world corpus ---------------------------------------------------------------------

CORPUS_FINDINGS = """\
bank-of-anthos/extras/tls-domain-managedcerts/managed-certificates.yaml:36:1 removed-api-version
bank-of-anthos/extras/tls-ip-selfsigned/frontend-ingress.yaml:19:1 removed-api-version
gke-networking-recipes/gateway/docs/store-autoscale.yaml:44:5 schema-unknown-field
gke-networking-recipes/gateway/docs/store-west-1-service.yaml:54:3 duplicate-object
gke-networking-recipes/gateway/docs/store-west-1-service.yaml:60:3 duplicate-object
gke-networking-recipes/ingress/single-cluster/ingress-custom-grpc-health-check/grpc-hc-no-proxy.yaml:1:1 removed-api-version
gke-networking-recipes/ingress/single-cluster/ingress-custom-grpc-health-check/grpc-hc-proxy.yaml:1:1 removed-api-version
kubernetes-engine-samples/ai-ml/gke-ray/tpu/dws/rayjob-tpu-v6e-dws.yaml:19:3 invalid-object-name
kubernetes-engine-samples/ai-ml/gke-slurm/autopilot/pv-pvc.yaml:20:3 invalid-object-name
kubernetes-engine-samples/ai-ml/gke-slurm/autopilot/pv-pvc.yaml:23:5 schema-invalid-value
kubernetes-engine-samples/ai-ml/gke-slurm/autopilot/pv-pvc.yaml:33:3 invalid-object-name
kubernetes-engine-samples/ai-ml/gke-slurm/autopilot/pv-pvc.yaml:40:7 schema-invalid-value
kubernetes-engine-samples/ai-ml/gke-slurm/metrics-autoscaling/pv-pvc.yaml:20:3 invalid-object-name
kubernetes-engine-samples/ai-ml/gke-slurm/metrics-autoscaling/pv-pvc.yaml:39:3 invalid-object-name
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model-variables.yaml:19:3 invalid-object-name
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model-variables.yaml:21:5 invalid-label
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model-variables.yaml:22:5 invalid-label
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model-variables.yaml:23:1 schema-missing-field
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model-variables.yaml:23:1 schema-missing-field
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model-variables.yaml:24:3 schema-unknown-field
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model-variables.yaml:28:3 schema-unknown-field
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model.yaml:23:1 schema-missing-field
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model.yaml:23:1 schema-missing-field
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model.yaml:24:3 schema-unknown-field
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/inference-model.yaml:28:3 schema-unknown-field
kubernetes-engine-samples/autoscaling/custom-compute-classes/dra/deployment.yaml:15:1 deprecated-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta1.yaml:124:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta1.yaml:15:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta1.yaml:179:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta1.yaml:234:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta1.yaml:289:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta1.yaml:344:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta1.yaml:399:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta1.yaml:454:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta1.yaml:509:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta1.yaml:564:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta1.yaml:69:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta2.yaml:131:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta2.yaml:16:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta2.yaml:189:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta2.yaml:247:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta2.yaml:305:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta2.yaml:363:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta2.yaml:421:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta2.yaml:479:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta2.yaml:537:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta2.yaml:595:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta2.yaml:73:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/manifests/nginx.yaml:15:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/manifests/nginx.yaml:33:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/manifests/test.yaml:15:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/samples/k8s-cost-estimator-github/wordpress/wordpress_hpa.yaml:15:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/samples/k8s-cost-estimator-gitlab/wordpress/wordpress_hpa.yaml:15:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/samples/k8s-cost-estimator-local/app-v1/deployment-with-hpa.yaml:15:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/samples/k8s-cost-estimator-local/app-v1/deployment-with-hpa.yaml:33:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/samples/k8s-cost-estimator-local/app-v1/deployment.yaml:15:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/samples/k8s-cost-estimator-local/app-v2/deployment-with-hpa.yaml:15:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/samples/k8s-cost-estimator-local/app-v2/deployment-with-hpa.yaml:33:1 removed-api-version
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/samples/k8s-cost-estimator-local/app-v2/deployment.yaml:15:1 removed-api-version
kubernetes-engine-samples/databases/redis-enterprise-operator/manifests/01-basic-cluster/webhook.yaml:40:5 schema-invalid-value
kubernetes-engine-samples/networking/sctp/sctp-deployment.yaml:33:15 schema-wrong-type
kubernetes-engine-samples/networking/sctp/sctp-deployment.yaml:45:7 schema-wrong-type
kubernetes-examples/_archived/cloud-controller-manager/persistent-volume-label-initializer-config.yaml:2:1 removed-api-version
kubernetes-examples/_archived/cockroachdb/cockroachdb-statefulset.yaml:57:1 removed-api-version
kubernetes-examples/_archived/newrelic-infrastructure/newrelic-infra-daemonset.yaml:1:1 removed-api-version
kubernetes-examples/_archived/podsecuritypolicy/rbac/policies.yaml:1:1 removed-api-version
kubernetes-examples/_archived/podsecuritypolicy/rbac/policies.yaml:26:1 removed-api-version
kubernetes-examples/_archived/storage/vitess/vttablet-pod-template.yaml:4:3 invalid-object-name
kubernetes-examples/_archived/storage/vitess/vttablet-pod-template.yaml:7:5 invalid-label
kubernetes-examples/_archived/storage/vitess/vttablet-pod-template.yaml:8:5 invalid-label
kubernetes-examples/_archived/storage/vitess/vttablet-pod-template.yaml:9:5 invalid-label
kubernetes-examples/_archived/volumes/aws_ebs/aws-ebs-web.yaml:12:11 schema-invalid-value
kubernetes-examples/_archived/volumes/azure_disk/claim/blob-based-disk/account-specified-hdd/storageclass-account-hdd.yaml:2:1 removed-api-version
kubernetes-examples/_archived/volumes/azure_disk/claim/blob-based-disk/dedicated-hdd/storageclass-dedicated-hdd.yaml:2:1 removed-api-version
kubernetes-examples/_archived/volumes/azure_disk/claim/blob-based-disk/shared-hdd/storageclass-shared-hdd.yaml:2:1 removed-api-version
kubernetes-examples/_archived/volumes/azure_disk/claim/blob-based-disk/shared-ssd/storageclass-shared-ssd.yaml:2:1 removed-api-version
kubernetes-examples/_archived/volumes/azure_disk/claim/managed-disk/managed-hdd/storageclass-managed-hdd.yaml:2:1 removed-api-version
kubernetes-examples/_archived/volumes/azure_disk/claim/managed-disk/managed-ssd/storageclass-managed-ssd.yaml:2:1 removed-api-version
kubernetes-examples/_archived/volumes/cinder/cinder-web.yaml:12:11 schema-invalid-value
kubernetes-examples/_archived/volumes/fibre_channel/fc.yaml:17:8 schema-wrong-type
kubernetes-examples/_archived/volumes/flexvolume/deploy/ds.yaml:1:1 removed-api-version
kubernetes-examples/_archived/volumes/rbd/rbd.yaml:25:9 schema-unknown-field
kubernetes-examples/_archived/volumes/rbd/rbd.yaml:26:9 schema-unknown-field
kubernetes-examples/_archived/volumes/scaleio/pod.yaml:17:7 schema-unknown-field
kubernetes-examples/_archived/volumes/storageos/storageos-pod.yaml:35:9 schema-unknown-field
kubernetes-examples/_archived/volumes/storageos/storageos-pv.yaml:22:5 schema-unknown-field
metrics-server/manifests/components/high-availability/pdb.yaml:2:1 removed-api-version
prometheus-operator/example/user-guides/scrapeclass/scrapeclass-example-podmonitor.yaml:3:1 schema-missing-field
prometheus-operator/example/user-guides/scrapeclass/scrapeclass-example-servicemonitor.yaml:5:1 schema-missing-field
"""
"""Every error and warning of the schema, deprecations and metadata rules on
../shared/corpus/realworld, each checked by hand (see docs/schemas.md)."""


def test_corpus_findings_are_the_reviewed_ones(shared):
    """Every schema, deprecation and metadata finding on the corpus was checked by hand (see
    docs/schemas.md); a new one is either a regression or needs reviewing."""
    from kubelint.engine import lint_paths

    corpus = shared / "corpus" / "realworld"
    if not corpus.is_dir():
        pytest.skip("no realworld corpus")
    select = ("schema", "deprecations", "metadata")
    result = lint_paths([str(corpus)], Config(select=select))
    reported = [d for d in result.active if by_id(d.rule_id).category in select
                and d.rule_id != "unvalidated-custom-resource"]
    got = sorted(f"{Path(d.file).relative_to(corpus)}:{d.span.start.line}:{d.span.start.col} "
                 f"{d.rule_id}" for d in reported)
    assert "internal-error" not in {d.rule_id for d in result.diagnostics}
    assert got == CORPUS_FINDINGS.splitlines()
