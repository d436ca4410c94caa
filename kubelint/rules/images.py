"""Container image rules: missing images, mutable tags, digests, pull policy, registries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kubelint.k8s import WORKLOADS, Container, Resource, containers
from kubelint.model import Finding, Severity
from kubelint.rule import Context, rule

IMAGES_URL = "https://kubernetes.io/docs/concepts/containers/images/"
IMAGE_NAMES_URL = "https://kubernetes.io/docs/concepts/containers/images/#image-names"
PULL_POLICY_URL = "https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy"
CONFIG_BEST_PRACTICES_URL = "https://kubernetes.io/docs/concepts/configuration/overview/"

DOCKER_HUB = "docker.io"
_DOCKER_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A container image reference, split as the container runtime reads it."""

    registry: str  # docker.io when the reference names none
    repository: str  # the path after the registry, e.g. library/nginx
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"


def _host(text: str) -> str:
    host = text.lower()
    return DOCKER_HUB if host in _DOCKER_HUB_ALIASES else host


def parse_image(value: Any) -> ImageRef | None:
    """Split `[registry/]repository[:tag][@digest]`; None for a missing or non-string image.

    The first path component is a registry when it holds a `.` or a `:` or is `localhost`
    (Docker's rule), so `registry:5000/app` has a port and no tag.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    name, _, digest = value.partition("@")
    tag = None
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        name, tag = name[:colon], name[colon + 1:]
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, repository = _host(first), rest
    else:
        registry, repository = DOCKER_HUB, name
    if registry == DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"
    return ImageRef(registry, repository, tag or None, digest or None)


def _images(res: Resource) -> Iterator[tuple[Container, str, ImageRef]]:
    """Each container with a usable image: the container, the image text and its parts."""
    for c in containers(res):
        image = c.spec.get("image")
        ref = parse_image(image)
        if ref is not None:
            yield c, image, ref


def _default_pull_policy(ref: ImageRef) -> str:
    """What the API server fills in when imagePullPolicy is unset."""
    if ref.digest is None and ref.tag in (None, "latest"):
        return "Always"
    return "IfNotPresent"


@rule(
    id="missing-image", category="images", severity=Severity.ERROR, kinds=WORKLOADS,
    summary="A container has no image, or an empty or non-string one.",
    rationale="The API server rejects a pod, or a workload's pod template, with a container "
              "that has no image; a blank image passes validation but can never be pulled, so "
              "the pod never starts.",
    remediation="Set the container's image to a registry reference such as "
                "registry.example.com/app:1.4.2.",
    references=(IMAGES_URL,),
)
def missing_image(res: Resource, ctx: Context) -> Iterator[Finding]:
    """A DeploymentConfig may hold a blank (`" "`) image that an image change trigger fills in."""
    for c in containers(res):
        image = c.spec.get("image")
        where = (*c.path, "image")
        if image is None:
            yield Finding(where, f"container {c.name!r} has no image")
        elif not isinstance(image, str):
            yield Finding(where, f"container {c.name!r} has an image that is not a string")
        elif not image:
            yield Finding(where, f"container {c.name!r} has an empty image")
        elif not image.strip() and res.kind != "DeploymentConfig":
            yield Finding(where, f"container {c.name!r} has a blank image")


@rule(
    id="latest-tag", category="images", severity=Severity.WARNING, kinds=WORKLOADS,
    summary="A container image is tagged latest or has no tag, and no digest pins it.",
    rationale="latest (which an untagged image means) is a moving target: nodes pulling at "
              "different times run different code, a rollback does not restore the old image, "
              "and nothing records which version is deployed.",
    remediation="Use a specific version tag, or pin the image by digest (image@sha256:...).",
    references=(IMAGE_NAMES_URL, CONFIG_BEST_PRACTICES_URL),
    equivalents={"kube-linter": "latest-tag", "checkov": "CKV_K8S_14",
                 "polaris": "tagNotSpecified", "kube-score": "container-image-tag",
                 "trivy": "KSV-0013"},
)
def latest_tag(res: Resource, ctx: Context) -> Iterator[Finding]:
    """A digest pins the image whatever the tag, so `app:latest@sha256:...` passes."""
    for c, image, ref in _images(res):
        if ref.digest is not None:
            continue
        if ref.tag is None:
            yield Finding((*c.path, "image"),
                          f"container {c.name!r} uses image {image!r} with no tag "
                          f"(pulled as latest)")
        elif ref.tag == "latest":
            yield Finding((*c.path, "image"),
                          f"container {c.name!r} uses image {image!r} with the mutable tag latest")


@rule(
    id="missing-image-digest", category="images", severity=Severity.WARNING, kinds=WORKLOADS,
    default_enabled=False,
    summary="A container image is not pinned by digest.",
    rationale="A tag is a pointer the registry owner can move: the same manifest can deploy "
              "different, possibly compromised, code tomorrow. Only a digest names exact content.",
    remediation="Pin the image by digest (registry/app:1.4.2@sha256:...), and let a tool such as "
                "Renovate or Dependabot update the digest.",
    references=(IMAGE_NAMES_URL,),
    equivalents={"checkov": "CKV_K8S_43", "kubescape": "C-0306"},
)
def missing_image_digest(res: Resource, ctx: Context) -> Iterator[Finding]:
    for c, image, ref in _images(res):
        if ref.digest is None:
            yield Finding((*c.path, "image"),
                          f"container {c.name!r} uses image {image!r} without a digest")


@rule(
    id="image-pull-policy-not-always", category="images", severity=Severity.WARNING,
    kinds=WORKLOADS, default_enabled=False,
    summary="A container pulls a tag-addressed image with an imagePullPolicy other than Always.",
    rationale="With IfNotPresent (the default for any tag but latest) or Never, a node runs "
              "whatever image it cached under the tag, so a re-pushed tag leaves nodes running "
              "different code, and a pod can use a private image another pod on the node pulled "
              "without checking its own pull credentials.",
    remediation="Set imagePullPolicy: Always, or pin the image by digest.",
    references=(PULL_POLICY_URL,),
    equivalents={"checkov": "CKV_K8S_15", "kube-score": "container-image-pull-policy",
                 "polaris": "pullPolicyNotAlways"},
    options_schema={"type": "object", "additionalProperties": False, "properties": {
        "pass_digests": {"type": "boolean",
                         "description": "Let images pinned by digest pass whatever the policy."},
        "explicit": {"type": "boolean",
                     "description": "Require imagePullPolicy: Always to be written, even where "
                                    "Kubernetes defaults to it."}}},
    defaults={"pass_digests": True, "explicit": False},
)
def image_pull_policy_not_always(res: Resource, ctx: Context) -> Iterator[Finding]:
    """By default images pinned by digest pass whatever the policy (their content cannot
    change), and an unset policy passes when Kubernetes defaults it to Always (untagged or
    latest images; those are latest-tag's business).

    kube-score's container-image-pull-policy is this rule with pass_digests: false; Polaris'
    pullPolicyNotAlways also with explicit: true.
    """
    pass_digests = ctx.options.get("pass_digests") is not False
    explicit = ctx.options.get("explicit") is True
    for c, image, ref in _images(res):
        if ref.digest is not None and pass_digests:
            continue
        policy = c.spec.get("imagePullPolicy")
        where = (*c.path, "imagePullPolicy")
        if policy is None and explicit:
            yield Finding(where, f"container {c.name!r} pulls image {image!r} without "
                                 "imagePullPolicy: Always")
        elif policy is None:
            default = _default_pull_policy(ref)
            if default != "Always":
                yield Finding(where, f"container {c.name!r} pulls image {image!r} with the "
                                     f"default imagePullPolicy {default}")
        elif policy != "Always":
            yield Finding(where, f"container {c.name!r} pulls image {image!r} with "
                                 f"imagePullPolicy {policy}")


def _registry_allowed(ref: ImageRef, allowed: list[str]) -> bool:
    """`host` (exact), `*.example.com` (any subdomain), each optionally with a `/path` prefix."""
    for entry in allowed:
        host, slash, path = entry.strip().rstrip("/").partition("/")
        host = _host(host)
        if host.startswith("*."):
            host_ok = ref.registry.endswith(host[1:])
        else:
            host_ok = ref.registry == host
        if host_ok and (not slash or ref.repository == path
                        or ref.repository.startswith(path + "/")):
            return True
    return False


@rule(
    id="disallowed-image-registry", category="images", severity=Severity.ERROR, kinds=WORKLOADS,
    default_enabled=False,
    summary="A container image comes from a registry that is not in the allow-list.",
    rationale="Images from arbitrary registries bypass the scanning, signing and retention "
              "policies of the registries you trust; typosquatted public images are a known "
              "supply-chain attack.",
    remediation="Mirror the image into an allowed registry and reference it from there, or add "
                "the registry to the rule's allowed-registries option.",
    references=(IMAGE_NAMES_URL,),
    options_schema={
        "type": "object",
        "properties": {
            "allowed-registries": {
                "type": "array", "items": {"type": "string", "minLength": 1},
                "description": "Registries images may come from: a host (`ghcr.io`, "
                               "`registry.example.com:5000`; unqualified images are `docker.io`), "
                               "`*.example.com` for any subdomain, either followed by a path to "
                               "allow only repositories under it (`ghcr.io/acme`). Empty: every "
                               "image is reported.",
            },
        },
        "additionalProperties": False,
    },
    defaults={"allowed-registries": []},
)
def disallowed_image_registry(res: Resource, ctx: Context) -> Iterator[Finding]:
    option = ctx.options.get("allowed-registries")
    allowed = [e for e in option if isinstance(e, str)] if isinstance(option, list) else []
    note = "" if allowed else " (the list is empty)"
    for c, image, ref in _images(res):
        if not _registry_allowed(ref, allowed):
            yield Finding((*c.path, "image"),
                          f"container {c.name!r} uses image {image!r} from registry "
                          f"{ref.registry!r}, which is not in allowed-registries{note}")


RULES = (missing_image, latest_tag, missing_image_digest, image_pull_policy_not_always,
         disallowed_image_registry)
