"""Helpers and option handling of the image, resource and probe rules; agreement with kube-linter."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
import yaml

from kubelint.config import Config, RuleSettings
from kubelint.k8s import QUANTITY_PATTERN, parse_quantity
from kubelint.rules.images import ImageRef, parse_image
from tests.helpers import brief, found, lint_text

DIGEST = "sha256:" + "ab" * 32


# --- quantities ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("500m", Decimal("0.5")), ("1Gi", Decimal(2**30)), ("1e3", Decimal(1000)),
    ("0.5", Decimal("0.5")), (2, Decimal(2)), (0.5, Decimal("0.5")), (".5", Decimal("0.5")),
    ("5.", Decimal(5)), ("+1k", Decimal(1000)), ("-1", Decimal(-1)), ("100n", Decimal("1E-7")),
    ("1E", Decimal(10**18)), ("1Ei", Decimal(2**60)), ("1E-2", Decimal("0.01")),
    ("1.5Gi", Decimal(3 * 2**29)), ("250u", Decimal("0.00025")), ("0", Decimal(0)),
    (3e9, Decimal(3 * 10**9)),
])
def test_parse_quantity(value, expected):
    assert parse_quantity(value) == expected


@pytest.mark.parametrize("value", [
    "", "1GB", "1 Gi", "1e", "1ki", "1x", "abc", ".", "0x10", " 1", "1Gi ", "--1", "1e3Mi",
    True, False, None, [1], {"cpu": 1}, float("inf"), float("nan"), "1e" + "9" * 5000,
    "1e999999999999",
])
def test_malformed_quantity_is_none(value):
    assert parse_quantity(value) is None


def test_quantity_pattern_agrees_with_the_parser():
    import re

    samples = ["500m", "1Gi", "1e3", "0.5", ".5", "5.", "+1k", "-1", "100n", "1E", "1Ei", "1E-2",
               "", "1GB", "1 Gi", "1e", "1ki", "1x", ".", "0x10", "1e3Mi"]
    for text in samples:
        assert (re.fullmatch(QUANTITY_PATTERN.strip("^$"), text) is not None) == \
            (parse_quantity(text) is not None), text


# --- image references ----------------------------------------------------------------------------

@pytest.mark.parametrize(("image", "expected"), [
    ("nginx", ImageRef("docker.io", "library/nginx", None, None)),
    ("nginx:1.25", ImageRef("docker.io", "library/nginx", "1.25", None)),
    ("acme/app:2", ImageRef("docker.io", "acme/app", "2", None)),
    ("index.docker.io/acme/app", ImageRef("docker.io", "acme/app", None, None)),
    ("registry.example.com:5000/team/app", ImageRef("registry.example.com:5000", "team/app",
                                                    None, None)),
    ("localhost/app:dev", ImageRef("localhost", "app", "dev", None)),
    (f"nginx@{DIGEST}", ImageRef("docker.io", "library/nginx", None, DIGEST)),
    (f"ghcr.io/acme/app:1.0@{DIGEST}", ImageRef("ghcr.io", "acme/app", "1.0", DIGEST)),
    ("Registry.Example.com/app", ImageRef("registry.example.com", "app", None, None)),
])
def test_parse_image(image, expected):
    assert parse_image(image) == expected


@pytest.mark.parametrize("value", [None, "", "   ", 5, ["nginx"], {"name": "nginx"}])
def test_unusable_image_is_none(value):
    assert parse_image(value) is None


# --- options -------------------------------------------------------------------------------------

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: {image}
    resources:
      requests: {{cpu: 100m, memory: 128Mi}}
      limits: {{cpu: 1, memory: 256Mi}}
"""


def _with_options(rule_id: str, options: dict) -> Config:
    return Config(select=(rule_id,), rules={rule_id: RuleSettings(options=options)})


def test_registry_allow_list_empty_reports_every_image():
    diags = found(POD.format(image="registry.example.com/app:1"), "disallowed-image-registry")
    assert brief(diags) == [
        "8:5 disallowed-image-registry container 'app' uses image 'registry.example.com/app:1' "
        "from registry 'registry.example.com', which is not in allowed-registries (the list is "
        "empty)"]


@pytest.mark.parametrize(("image", "allowed", "ok"), [
    ("nginx:1.25", ["docker.io"], True),
    ("nginx:1.25", ["index.docker.io"], True),
    ("nginx:1.25", ["docker.io/library"], True),
    ("acme/app:1", ["docker.io/library"], False),
    ("a.b.azurecr.io/app:1", ["*.azurecr.io"], True),
    ("azurecr.io/app:1", ["*.azurecr.io"], False),
    ("ghcr.io/acme/app:1", ["ghcr.io/acme/"], True),
    ("ghcr.io/acmecorp/app:1", ["ghcr.io/acme"], False),
    ("registry.example.com:5000/app:1", ["registry.example.com"], False),
    ("registry.example.com:5000/app:1", ["registry.example.com:5000"], True),
    ("nginx:1.25", "docker.io", False),  # a malformed option reads as an empty list
])
def test_registry_allow_list_matching(image, allowed, ok):
    cfg = _with_options("disallowed-image-registry", {"allowed-registries": allowed})
    diags = [d for d in lint_text(POD.format(image=image), config=cfg).active
             if d.rule_id == "disallowed-image-registry"]
    assert (diags == []) is ok


@pytest.mark.parametrize(("ratio", "count"), [(1, 2), (4, 1), (10, 0), ("bad", 1), (0, 1)])
def test_max_ratio_option(ratio, count):
    """cpu 100m -> 1 is 10x, memory 128Mi -> 256Mi 2x; a malformed max-ratio falls back to 2."""
    cfg = _with_options("excessive-limit-request-ratio", {"max-ratio": ratio})
    result = lint_text(POD.format(image="nginx:1.25"), config=cfg)
    assert len([d for d in result.active if d.rule_id == "excessive-limit-request-ratio"]) == count


def test_out_of_range_ignores_malformed_bounds():
    cfg = _with_options("resource-quantity-out-of-range",
                        {"requests": {"cpu": {"min": "lots", "max": "50m"}, "memory": []}})
    result = lint_text(POD.format(image="nginx:1.25"), config=cfg)
    assert brief([d for d in result.active if d.rule_id == "resource-quantity-out-of-range"]) == [
        "10:18 resource-quantity-out-of-range container 'app' has a CPU request of 100m, above "
        "the maximum 50m"]


def test_options_schemas_reject_malformed_quantities():
    import jsonschema

    from kubelint.rules import by_id

    schema = dict(by_id("resource-quantity-out-of-range").options_schema)
    jsonschema.validate({"requests": {"cpu": {"min": "50m", "max": 4}}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"requests": {"cpu": {"min": "50 m"}}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"requests": {"cpu": {"lowest": "50m"}}}, schema)


def test_pod_level_resources_do_not_cover_ephemeral_storage():
    text = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  resources:
    requests: {cpu: 1, memory: 1Gi, ephemeral-storage: 1Gi}
  containers:
  - name: app
    image: nginx:1.25
"""
    assert found(text, "unset-cpu-requests") == []
    assert found(text, "unset-memory-requests") == []
    assert len(found(text, "unset-ephemeral-storage-requests")) == 1


# --- kube-linter's own fixtures ------------------------------------------------------------------

KUBE_LINTER = {
    "latest-tag": "latest-tag",
    "liveness-port": "undeclared-probe-port",
    "readiness-port": "undeclared-probe-port",
    "startup-port": "undeclared-probe-port",
    "no-liveness-probe": "missing-liveness-probe",
    "no-readiness-probe": "missing-readiness-probe",
    "unset-cpu-requirements": "unset-cpu-requests",
    "unset-memory-requirements": "unset-memory-limits",
}


@pytest.mark.parametrize("check", sorted(KUBE_LINTER))
def test_agrees_with_kube_linter_fixture(shared, check):
    """kubelint reports the same objects, as often, as kube-linter's e2e test expects."""
    corpus = shared / "corpus" / "kube-linter"
    expected = yaml.safe_load((corpus / "expectations.yaml").read_text())["checks"][check]
    fixture = corpus / expected["fixture"]
    diags = found(fixture.read_text(), KUBE_LINTER[check], name=fixture.name)
    got = Counter((d.resource.kind, d.resource.name) for d in diags)
    assert got == Counter((r["kind"], r["name"]) for r in expected["reports"])
