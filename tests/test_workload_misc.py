"""Service-account, secret, reliability and hygiene rules: the label-selector matcher, credential
detection, cross-object lookups, fixes, and kube-linter checks covered in part."""

from __future__ import annotations

import pytest
import yaml

from kubelint.config import Config, RuleSettings
from kubelint.engine import lint_sources
from kubelint.k8s import selector_matches
from kubelint.model import DeleteKey, SetValue
from kubelint.sources import SourceFile
from tests.helpers import brief, found

# --- selector_matches ----------------------------------------------------------------------------

LABELS = {"app": "web", "tier": "frontend", "env": "prod"}


@pytest.mark.parametrize("selector, expected", [
    ({}, True),  # an empty selector selects everything
    ({"matchLabels": {}}, True),
    ({"matchLabels": {"app": "web"}}, True),
    ({"matchLabels": {"app": "web", "tier": "frontend"}}, True),
    ({"matchLabels": {"app": "api"}}, False),
    ({"matchLabels": {"missing": "x"}}, False),
    ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["api", "web"]}]}, True),
    ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["api"]}]}, False),
    ({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]}]}, True),
    ({"matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]}, False),
    ({"matchExpressions": [{"key": "gone", "operator": "NotIn", "values": ["x"]}]}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, True),
    ({"matchExpressions": [{"key": "gone", "operator": "Exists"}]}, False),
    ({"matchExpressions": [{"key": "gone", "operator": "DoesNotExist"}]}, True),
    ({"matchExpressions": [{"key": "app", "operator": "DoesNotExist", "values": []}]}, False),
    # matchLabels and matchExpressions are ANDed
    ({"matchLabels": {"app": "web"},
      "matchExpressions": [{"key": "env", "operator": "In", "values": ["dev"]}]}, False),
    ({"matchLabels": {"app": "web"},
      "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}]}, True),
    # null and malformed selectors select nothing
    (None, False),
    ([], False),
    ({"matchLabels": ["app"]}, False),
    ({"matchLabels": None}, True),
    ({"matchExpressions": {"key": "app"}}, False),
    ({"matchExpressions": [None]}, False),
    ({"matchExpressions": [{"key": "app", "operator": "Bogus", "values": ["web"]}]}, False),
    ({"matchExpressions": [{"key": "app", "operator": "In"}]}, False),
    ({"matchExpressions": [{"key": "app", "operator": "In", "values": []}]}, False),
    ({"matchExpressions": [{"key": "app", "operator": "In", "values": "web"}]}, False),
    ({"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["web"]}]}, False),
    ({"matchExpressions": [{"key": None, "operator": "Exists"}]}, False),
])
def test_selector_matches(selector, expected):
    assert selector_matches(selector, LABELS) is expected


@pytest.mark.parametrize("labels", [None, [], "app=web", {}])
def test_selector_on_missing_labels(labels):
    assert selector_matches({}, labels) is True
    assert selector_matches({"matchLabels": {"app": "web"}}, labels) is False
    assert selector_matches({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]},
                            labels) is True


# --- hardcoded-env-secret ------------------------------------------------------------------------

def _env_pod(name: str, value: str) -> str:
    return yaml.safe_dump({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "app", "image": "app:1",
                                 "env": [{"name": name, "value": value}]}]},
    })


@pytest.mark.parametrize("name", [
    "DB_PASSWORD", "dbPassword", "MYSQL_ROOT_PASSWORD", "ADMIN_PASSWD", "GPG_PASSPHRASE",
    "CLIENT_SECRET", "JWT_SECRET", "SLACK_TOKEN", "accessToken", "API_KEY", "apiKey",
    "STRIPE_SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "SSH_PRIVATE_KEY", "GOOGLE_CREDENTIALS",
    "SMTP_PASS", "DB_PWD",
])
def test_credential_names_are_flagged(name):
    assert len(found(_env_pod(name, "s3cr3t-value"), "hardcoded-env-secret")) == 1


@pytest.mark.parametrize("name", [
    "PWD", "PASS_THROUGH", "BYPASS", "SECRET_NAME", "TOKEN_TTL", "PASSWORD_FILE", "SECRETS_DIR",
    "TOKEN_URL", "AWS_ACCESS_KEY_ID", "PASSWORD_MIN_LENGTH", "SECRETARY_EMAIL", "KEYCLOAK_REALM",
    "TOKEN_ISSUER", "DB_USERNAME", "PASSWORD_POLICY", "LOG_LEVEL",
])
def test_descriptive_names_are_not_flagged(name):
    assert found(_env_pod(name, "s3cr3t-value"), "hardcoded-env-secret") == []


@pytest.mark.parametrize("value", [
    "", "   ", "$(DB_PASSWORD)", "${DB_PASSWORD}", "{{ .Values.password }}", "<your-password>",
    "/run/secrets/password", "true", "no", "8080", "30s", "1.5", "db_password",
])
def test_non_secret_values_are_not_flagged(value):
    assert found(_env_pod("DB_PASSWORD", value), "hardcoded-env-secret") == []


@pytest.mark.parametrize("value, shape", [
    ("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----", "a private key"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----", "a private key"),
    ("-----BEGIN PGP PRIVATE KEY BLOCK-----", "a private key"),
    ("AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
    ("xoxb-1234567890-abcdefghij", "a Slack token"),
    ("AIza" + "A" * 35, "a Google API key"),
    ("sk_live_" + "a1" * 12, "a Stripe live key"),
    ("github_pat_" + "A" * 30, "a GitHub token"),
    ("mysql://root:hunter2@db:3306/app", "a URL with an inline password"),
    ("redis://:hunter2@cache:6379", "a URL with an inline password"),
])
def test_credential_shaped_values_are_flagged_under_any_name(value, shape):
    diags = found(_env_pod("SETTING", value), "hardcoded-env-secret")
    assert [d.message for d in diags] == [f"env var 'SETTING' in container 'app' holds {shape}"]


@pytest.mark.parametrize("value", [
    "https://example.com/path", "postgres://app@db/app", "postgres://app:$(DB_PASSWORD)@db/app",
    "http://host:8080/path", "-----BEGIN CERTIFICATE-----", "AKIA-not-a-key",
])
def test_public_values_are_not_flagged(value):
    assert found(_env_pod("SETTING", value), "hardcoded-env-secret") == []


# --- cross-object rules --------------------------------------------------------------------------

def _lint(text: str, rule_id: str, options: dict | None = None) -> list[str]:
    rules = {rule_id: RuleSettings(options=options)} if options else {}
    result = lint_sources([SourceFile("t.yaml", text)], Config(select=(rule_id,), rules=rules))
    return brief([d for d in result.active if d.rule_id == rule_id])


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  replicas: 3
  template:
    metadata:
      labels: {app: web}
    spec:
      containers: [{name: app, image: web:1}]
"""


def test_pdb_in_another_file_of_the_bundle_counts():
    pdb = ("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\n"
           "spec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: web}}\n")
    config = Config(select=("missing-pod-disruption-budget",))
    alone = lint_sources([SourceFile("deploy.yaml", DEPLOYMENT)], config)
    both = lint_sources([SourceFile("deploy.yaml", DEPLOYMENT), SourceFile("pdb.yaml", pdb)],
                        config)
    assert [d.span.start.line for d in alone.active] == [3]
    assert both.active == ()


def test_blocking_budget_reads_keda_minimum():
    text = DEPLOYMENT + """\
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web-scaler, namespace: prod}
spec:
  scaleTargetRef: {name: web}
  minReplicaCount: 2
  maxReplicaCount: 10
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: prod}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
"""
    assert _lint(text, "blocking-pod-disruption-budget") == [
        "24:3 blocking-pod-disruption-budget minAvailable 2 of PodDisruptionBudget 'web' lets no "
        "pod of Deployment 'web' (2 to 10 replicas set by ScaledObject 'web-scaler') be evicted"]


def test_low_replica_count_minimum_is_an_option():
    assert _lint(DEPLOYMENT, "low-replica-count") == []
    assert _lint(DEPLOYMENT, "low-replica-count", {"min_replicas": 4}) == [
        "5:3 low-replica-count replicas: 3 on Deployment 'web' is below the minimum of 4"]


def test_unspread_replicas_threshold_is_an_option():
    assert _lint(DEPLOYMENT, "unspread-replicas", {"min_replicas": 4}) == []
    assert len(_lint(DEPLOYMENT, "unspread-replicas")) == 1


def test_sensitive_paths_are_options():
    pod = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    image: app:1
    volumeMounts: [{name: logs, mountPath: /logs}, {name: etc, mountPath: /etc-host}]
  volumes:
  - {name: logs, hostPath: {path: /var/log/app}}
  - {name: etc, hostPath: {path: /etc}}
"""
    rule = "sensitive-host-path-mount"
    assert _lint(pod, rule) == [
        "8:52 sensitive-host-path-mount container 'app' mounts the sensitive host path /etc "
        "(volume 'etc')"]
    assert _lint(pod, rule, {"paths": [], "subtrees": ["/var/log/"]}) == [
        "8:20 sensitive-host-path-mount container 'app' mounts the sensitive host path "
        "/var/log/app (volume 'logs')"]


def test_ndots_limit_is_an_option():
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
           "  dnsConfig: {options: [{name: ndots, value: '3'}]}\n")
    assert len(_lint(pod, "excessive-dns-ndots")) == 1
    assert _lint(pod, "excessive-dns-ndots", {"max_ndots": 3}) == []
    assert _lint("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n",
                 "excessive-dns-ndots", {"max_ndots": 5}) == []


# --- fixes ---------------------------------------------------------------------------------------

SPEC = ("spec", "template", "spec")


def _fixes(text: str) -> list:
    return [d.fix for d in found(text, "deprecated-service-account-field")]


def test_deprecated_service_account_field_fixes():
    head = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n"
    alone, same, different = _fixes(
        head + "    spec: {serviceAccount: web}\n---\n"
        + head + "    spec: {serviceAccount: web, serviceAccountName: web}\n---\n"
        + head + "    spec: {serviceAccount: admin, serviceAccountName: web}\n")
    assert alone.edits == (SetValue((*SPEC, "serviceAccountName"), "web"),
                           DeleteKey((*SPEC, "serviceAccount")))
    assert same.edits == (DeleteKey((*SPEC, "serviceAccount")),)
    assert different is None  # which identity was meant is the author's call


# --- kube-linter checks kubelint covers in part ------------------------------------------------
# (checks named in `equivalents` are compared by tests/test_kube_linter_corpus.py)

PARTLY = {
    # kube-linter check: (kubelint rule, the options that make it the same policy)
    "required-label-owner": ("missing-required-labels", {"labels": ["owner"]}),
    "required-annotation-email": ("missing-required-annotations", {"annotations": ["email"]}),
}


@pytest.mark.parametrize("check", sorted(PARTLY))
def test_configured_rule_agrees_with_kube_linter_fixture(shared, check):
    corpus = shared / "corpus" / "kube-linter"
    expected = yaml.safe_load((corpus / "expectations.yaml").read_text(encoding="utf-8"))
    entry = expected["checks"][check]
    rule_id, options = PARTLY[check]
    path = corpus / entry["fixture"]
    result = lint_sources([SourceFile(str(path), path.read_text(encoding="utf-8"))],
                          Config(select=(rule_id,), rules={rule_id: RuleSettings(options=options)}))
    got = {(d.resource.kind, d.resource.name) for d in result.active if d.rule_id == rule_id}
    assert got == {(r["kind"], r["name"]) for r in entry["reports"]}
    assert not got & {(r["kind"], r["name"]) for r in entry.get("objects_not_reported") or ()}
