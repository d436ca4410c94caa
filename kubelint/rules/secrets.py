"""Service accounts, credentials in manifests, and host paths that expose the node's secrets."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from kubelint.k8s import (
    WORKLOADS,
    Container,
    Resource,
    as_dict,
    as_list,
    containers,
    object_label,
    pod_owner,
    pod_spec,
)
from kubelint.model import DeleteKey, Finding, Fix, SetValue, Severity, YamlPath
from kubelint.rule import SOMETIMES, Context, rule

SERVICE_ACCOUNT_URL = ("https://kubernetes.io/docs/tasks/configure-pod-container/"
                       "configure-service-account/")
SECRETS_GOOD_PRACTICES_URL = "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"
SECRETS_URL = "https://kubernetes.io/docs/concepts/configuration/secret/"
HOST_PATH_URL = "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"
PSS_URL = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
CONFIGMAP_URL = "https://kubernetes.io/docs/concepts/configuration/configmap/"
CIS_SERVICE_ACCOUNTS_URL = ("https://kubernetes.io/docs/concepts/security/"
                            "service-accounts/#default-service-accounts")

SECRETS = "secrets"


# --- service accounts -----------------------------------------------------------------------


@rule(
    id="default-service-account", category=SECRETS, severity=Severity.WARNING, kinds=WORKLOADS,
    default_enabled=False,
    summary="A pod runs as the namespace's default service account with its token mounted.",
    rationale="Every pod that names no service account shares the `default` one, so any "
              "permission granted to it for one workload is granted to all of them, and each "
              "pod carries a token for it. A dedicated service account per workload keeps "
              "permissions scoped and auditable.",
    remediation="Create a ServiceAccount for the workload and set serviceAccountName to it, or "
                "set automountServiceAccountToken: false if the pod never calls the API.",
    references=(SERVICE_ACCOUNT_URL,),
    equivalents={"kube-linter": "default-service-account"},
)
def default_service_account(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags pods whose effective service account is `default` (unset, or named so).

    `serviceAccountName` wins over the deprecated `serviceAccount`, as the API server reads them.
    A pod that sets automountServiceAccountToken: false is not flagged: it holds no credential,
    so its identity grants nothing (as kube-linter's default-service-account).
    """
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    if spec.get("automountServiceAccountToken") is False:
        return
    for key in ("serviceAccountName", "serviceAccount"):
        name = spec.get(key)
        if isinstance(name, str) and name:
            if name == "default":
                yield Finding((*path, key), f"{pod_owner(res)} runs as the default service account")
            return
    yield Finding((*path, "serviceAccountName"),
                  f"{pod_owner(res)} names no service account, so it runs as 'default'")


@rule(
    id="default-service-account-automount", category=SECRETS, severity=Severity.WARNING,
    kinds=("ServiceAccount",),
    summary="The namespace's default ServiceAccount is declared without "
            "automountServiceAccountToken: false.",
    rationale="Every pod that names no service account runs as `default` and, unless token "
              "automount is turned off, carries a token for it. When a manifest declares the "
              "default ServiceAccount anyway, it is the place to turn that off for the whole "
              "namespace, so pods that need API access must ask for it with their own account.",
    remediation="Set automountServiceAccountToken: false on the default ServiceAccount, and give "
                "workloads that call the API a ServiceAccount of their own.",
    references=(SERVICE_ACCOUNT_URL, CIS_SERVICE_ACCOUNTS_URL),
    equivalents={"checkov": "CKV_K8S_41"},
)
def default_service_account_automount(res: Resource, ctx: Context) -> Iterator[Finding]:
    if res.name != "default":
        return
    value = res.obj.get("automountServiceAccountToken")
    if value is False:
        return
    where = ("metadata", "name") if value is None else ("automountServiceAccountToken",)
    yield Finding(where, f"ServiceAccount 'default' mounts its token into every pod that names "
                         f"no service account (automountServiceAccountToken is "
                         f"{'unset' if value is None else str(value).lower()})")


@rule(
    id="deprecated-service-account-field", category=SECRETS, severity=Severity.WARNING,
    kinds=WORKLOADS,
    summary="A pod spec sets the deprecated serviceAccount field.",
    rationale="`serviceAccount` is a deprecated alias of `serviceAccountName`. When both are set "
              "and differ, the API server silently uses serviceAccountName, so the manifest "
              "says one identity and the pod runs as another.",
    remediation="Replace serviceAccount with serviceAccountName.",
    references=(SERVICE_ACCOUNT_URL,),
    equivalents={"kube-linter": "deprecated-service-account-field"},
    fixable=SOMETIMES,
)
def deprecated_service_account_field(res: Resource, ctx: Context) -> Iterator[Finding]:
    found = pod_spec(res)
    if found is None:
        return
    path, spec = found
    old, new = spec.get("serviceAccount"), spec.get("serviceAccountName")
    if old is None:
        return
    where = (*path, "serviceAccount")
    if new is None:
        fix = None
        if isinstance(old, str) and old:
            fix = Fix("Rename serviceAccount to serviceAccountName",
                      (SetValue((*path, "serviceAccountName"), old), DeleteKey(where)))
        yield Finding(where, f"{pod_owner(res)} sets the deprecated serviceAccount field", fix)
    elif new == old:
        yield Finding(where, f"{pod_owner(res)} repeats serviceAccountName in the deprecated "
                             "serviceAccount field",
                      Fix("Remove serviceAccount", (DeleteKey(where),)))
    else:
        yield Finding(where, f"{pod_owner(res)} sets serviceAccount {old!r}, which the API server "
                             f"ignores in favour of serviceAccountName {new!r}")


# --- credentials in manifests ---------------------------------------------------------------

_CREDENTIAL_WORDS = frozenset({
    "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS",
    "PRIVATEKEY", "ACCESSKEY", "SECRETKEY",
})
"""Name words (adjacent pairs joined: API_KEY reads as APIKEY) that say "this is a credential"."""

_CREDENTIAL_LAST_WORDS = frozenset({"PASS", "PWD"})
"""Abbreviations trusted only as the last word of a longer name (DB_PASS; not PWD, PASS_THROUGH)."""

_DESCRIPTOR_WORDS = frozenset({
    "FILE", "PATH", "DIR", "NAME", "REF", "ID", "URL", "URI", "ENDPOINT", "HOST", "PORT", "TTL",
    "TIMEOUT", "LENGTH", "LEN", "SIZE", "EXPIRY", "EXPIRES", "EXPIRATION", "LIFETIME", "AGE",
    "ENABLED", "ENABLE", "DISABLED", "REQUIRED", "TYPE", "MODE", "HEADER", "FIELD", "PREFIX",
    "SUFFIX", "LOCATION", "MOUNT", "VERSION", "ROTATION", "INTERVAL", "PERIOD", "DAYS", "HOURS",
    "MINUTES", "SECONDS", "COUNT", "MAX", "MIN", "POLICY", "ALGORITHM", "ISSUER", "AUDIENCE",
    "SCOPE", "SCOPES", "USER", "USERNAME", "KIND", "FORMAT", "SOURCE", "PROVIDER", "STORE",
})
"""A last name word that makes the variable describe a credential rather than hold one."""

_VALUE_PATTERNS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    # what, substrings one of which any match holds (a cheap test first), the pattern
    ("a private key", ("PRIVATE KEY",),
     re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("an AWS access key id", ("AKIA", "ASIA"), re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a GitHub token", ("gh", "github_pat_"),
     re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{22,})")),
    ("a Slack token", ("xox",), re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Google API key", ("AIza",), re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a Stripe live key", ("k_live_",), re.compile(r"\b[rs]k_live_[0-9A-Za-z]{16,}")),
)
_URL_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:([^/\s@]+)@")
_REFERENCE = re.compile(r"^\s*(?:\$\(|\$\{|\{\{|<)")
_NOT_A_SECRET = re.compile(r"(?i)^(?:true|false|yes|no|on|off|null|none|\d+(?:\.\d+)?"
                           r"(?:ms|s|m|h|d)?)$")
_WORD_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+")


def _name_words(name: str) -> list[str]:
    return [w.upper() for w in _WORD_BREAK.split(name) if w]


def _credential_name(name: str) -> bool:
    """DB_PASSWORD, apiKey, CLIENT_SECRET, SMTP_PASS: yes; TOKEN_TTL, SECRET_NAME, PWD: no."""
    words = _name_words(name)
    if not words or words[-1] in _DESCRIPTOR_WORDS:
        return False
    joined = {a + b for a, b in pairwise(words)}
    if _CREDENTIAL_WORDS.intersection(words) or _CREDENTIAL_WORDS.intersection(joined):
        return True
    return len(words) > 1 and words[-1] in _CREDENTIAL_LAST_WORDS


def _credential_in_value(value: str) -> str | None:
    """What the value looks like when it holds a well-known credential format, else None."""
    for what, needles, pattern in _VALUE_PATTERNS:
        if any(n in value for n in needles) and pattern.search(value):
            return what
    url = _URL_PASSWORD.match(value)
    if url and not _REFERENCE.match(url.group(1)) and url.group(1) != "*":
        return "a URL with an inline password"
    return None


def _literal_value(name: str, value: str) -> bool:
    """A value that could be a secret: not blank, a reference, a path, a flag, a number or a
    placeholder repeating the variable's name (HF_TOKEN: HF_TOKEN)."""
    text = value.strip()
    return (bool(text) and not _REFERENCE.match(text) and not text.startswith("/")
            and not _NOT_A_SECRET.match(text) and text.upper() != name.upper())


def _env_items(c: Container) -> Iterator[tuple[YamlPath, dict]]:
    for i, item in enumerate(as_list(c.spec.get("env"))):
        if isinstance(item, dict):
            yield (*c.path, "env", i), item


@rule(
    id="hardcoded-env-secret", category=SECRETS, severity=Severity.ERROR, kinds=WORKLOADS,
    summary="A container env var holds a credential as a literal value.",
    rationale="Manifests live in version control, CI logs, Helm release records and the "
              "object's last-applied annotation, readable by anyone who can read the workload. "
              "A password or key written there has leaked; a Secret can be access-controlled, "
              "encrypted at rest and rotated without editing the workload.",
    remediation="Move the value into a Secret and reference it with valueFrom.secretKeyRef, "
                "or mount it as a file.",
    references=(SECRETS_GOOD_PRACTICES_URL, SECRETS_URL),
    equivalents={"kube-linter": "env-var-secret", "polaris": "sensitiveContainerEnvVar"},
)
def hardcoded_env_secret(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags a literal `value` that is a credential by its variable's name or by its own shape.

    Names are split into words (DB_PASSWORD, dbPassword): a credential word (PASSWORD, SECRET,
    TOKEN, API_KEY, ACCESS_KEY, PRIVATE_KEY, CREDENTIALS; PASS and PWD only as the last word)
    flags the value unless the last word says the variable describes a credential (TOKEN_TTL,
    SECRET_NAME, PASSWORD_FILE). Values that are references ($(VAR), ${VAR}, {{ }}, <...>),
    file paths, booleans, numbers, durations and the variable's own name are never secrets.
    Any value, whatever its name, is flagged when it holds a private key, a cloud or SaaS key
    in a well-known format, or a URL with an inline password.

    kube-linter's env-var-secret flags names that contain "secret" anywhere (SECRETARY_EMAIL
    too); kubelint matches whole words and more credential words.
    """
    for c in containers(res):
        for path, item in _env_items(c):
            name, value = item.get("name"), item.get("value")
            if not isinstance(name, str) or not isinstance(value, str):
                continue
            shape = _credential_in_value(value)
            if shape is not None:
                yield Finding((*path, "value"),
                              f"env var {name!r} in container {c.name!r} holds {shape}")
            elif _credential_name(name) and _literal_value(name, value):
                yield Finding((*path, "value"),
                              f"env var {name!r} in container {c.name!r} sets a credential as "
                              "a literal value")


@rule(
    id="secret-env-var", category=SECRETS, severity=Severity.WARNING, kinds=WORKLOADS,
    default_enabled=False,
    summary="A container reads a Secret into environment variables.",
    rationale="Environment variables are inherited by every child process, printed by crash "
              "handlers and debug endpoints, and readable in /proc by anything sharing the "
              "process namespace; they are also fixed at start, so a rotated Secret needs a "
              "restart. Secrets mounted as files avoid all of this.",
    remediation="Mount the Secret as a volume and read the value from the file.",
    references=(SECRETS_GOOD_PRACTICES_URL,),
    equivalents={"kube-linter": "read-secret-from-env-var", "checkov": "CKV_K8S_35"},
)
def secret_env_var(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags env valueFrom.secretKeyRef and envFrom.secretRef (kube-linter looks at the first)."""
    for c in containers(res):
        for path, item in _env_items(c):
            if isinstance(as_dict(item.get("valueFrom")).get("secretKeyRef"), dict):
                yield Finding((*path, "valueFrom", "secretKeyRef"),
                              f"env var {item.get('name')!r} in container {c.name!r} is read "
                              "from a Secret")
        for i, source in enumerate(as_list(c.spec.get("envFrom"))):
            ref = as_dict(source).get("secretRef")
            if isinstance(ref, dict):
                yield Finding((*c.path, "envFrom", i, "secretRef"),
                              f"container {c.name!r} loads Secret {ref.get('name')!r} into its "
                              "environment")


def _committed_value(value: Any) -> bool:
    """A Secret value that is really there: non-empty and not a SOPS-encrypted placeholder."""
    if value is None:
        return False
    text = str(value)
    return bool(text.strip()) and not text.startswith("ENC[")


@rule(
    id="committed-secret-data", category=SECRETS, severity=Severity.WARNING, kinds=("Secret",),
    default_enabled=False,
    summary="A Secret manifest carries its values in data or stringData.",
    rationale="base64 in `data` is an encoding, not encryption: a Secret committed with its "
              "values leaks them to everyone who can read the repository or its history.",
    remediation="Keep Secret values out of the manifest: create the Secret from a secret store "
                "(External Secrets, Sealed Secrets, SOPS, Vault) or at deploy time.",
    references=(SECRETS_GOOD_PRACTICES_URL, SECRETS_URL),
)
def committed_secret_data(res: Resource, ctx: Context) -> Iterator[Finding]:
    """A SOPS-encrypted file (a top-level `sops:` key, or `ENC[...]` values) is not flagged."""
    if "sops" in res.obj:
        return
    for key in ("data", "stringData"):
        values = res.obj.get(key)
        if not isinstance(values, dict):
            continue
        count = sum(1 for v in values.values() if _committed_value(v))
        if count:
            noun = "value" if count == 1 else "values"
            yield Finding((key,), f"{key} of {object_label(res)} holds {count} {noun}")


def _file_like(key: str) -> bool:
    """A ConfigMap key naming a file (`redis.conf`, `secret-policy.json`): its name says what
    the file configures, not that it holds a credential."""
    return "." in key.strip(".")


@rule(
    id="configmap-credential", category=SECRETS, severity=Severity.ERROR, kinds=("ConfigMap",),
    summary="A ConfigMap holds a credential: a key named like one with a literal value, or a "
            "value that is a private key or a well-known token.",
    rationale="ConfigMaps are not secret: they are readable by anyone who may read the "
              "namespace's configuration, are never encrypted at rest, and show up in logs, "
              "`kubectl describe` and dashboards. A credential placed in one has leaked.",
    remediation="Move the value into a Secret (or an external secret store) and mount or "
                "reference it from there.",
    references=(SECRETS_GOOD_PRACTICES_URL, CONFIGMAP_URL),
    equivalents={"polaris": "sensitiveConfigmapContent"},
)
def configmap_credential(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Names and values are judged as hardcoded-env-secret judges env vars; keys that look like
    file names (`app.properties`) are judged by their content only. Polaris also flags key
    names containing 'bearer' and any name containing a credential word (TOKEN_TTL too)."""
    for key, value in as_dict(res.obj.get("data")).items():
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        shape = _credential_in_value(value)
        if shape is not None:
            yield Finding(("data", key), f"key {key!r} of {object_label(res)} holds {shape}")
        elif not _file_like(key) and _credential_name(key) and _literal_value(key, value):
            yield Finding(("data", key), f"key {key!r} of {object_label(res)} holds a "
                                         "credential as a literal value")


# --- host paths -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HostMount:
    """A container's volumeMount of a hostPath volume, with the host path it really exposes."""

    container: Container
    path: YamlPath  # the volumeMounts item
    mount: dict
    volume: str
    host_path: str  # as written, joined with the mount's subPath


def _canonical(path: str) -> str:
    """Normalised for comparison: no trailing or doubled slashes, /var/run read as /run."""
    path = posixpath.normpath("/" + path.strip()).replace("//", "/")
    if path == "/var/run" or path.startswith("/var/run/"):
        path = path[len("/var"):]
    return path


def host_mounts(res: Resource) -> Iterator[HostMount]:
    """Every mount of a hostPath volume, in container order (init, regular, ephemeral)."""
    found = pod_spec(res)
    if found is None:
        return
    _, spec = found
    volumes: dict[str, str] = {}
    for volume in as_list(spec.get("volumes")):
        name = as_dict(volume).get("name")
        host_path = as_dict(as_dict(volume).get("hostPath")).get("path")
        if isinstance(name, str) and isinstance(host_path, str) and host_path:
            volumes.setdefault(name, host_path)
    for c in containers(res):
        for i, mount in enumerate(as_list(c.spec.get("volumeMounts"))):
            if not isinstance(mount, dict) or not isinstance(mount.get("name"), str):
                continue
            host_path = volumes.get(mount["name"])
            if host_path is None:
                continue
            sub = mount.get("subPath")
            if isinstance(sub, str) and sub:
                host_path = posixpath.join(host_path, sub)
            yield HostMount(c, (*c.path, "volumeMounts", i), mount, mount["name"], host_path)


_RUNTIME_SOCKETS = frozenset({"docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock",
                              "dockershim.sock", "podman.sock"})
_RUNTIME_SOCKET_DIRS = frozenset({"/run/containerd", "/run/crio", "/run/k3s/containerd",
                                  "/run/podman"})


@rule(
    id="container-runtime-socket-mount", category=SECRETS, severity=Severity.ERROR,
    kinds=WORKLOADS,
    summary="A container mounts the node's Docker, containerd or CRI-O socket.",
    rationale="The container runtime's API starts privileged containers with any host path "
              "mounted; whoever can reach the socket is root on the node, whatever the pod's "
              "own security context says. readOnly does not help: a socket is still writable.",
    remediation="Remove the hostPath volume for the runtime socket; build images with a "
                "daemonless builder (BuildKit rootless, Kaniko, Buildah) instead.",
    references=(HOST_PATH_URL, PSS_URL),
    equivalents={"kube-linter": "docker-sock", "checkov": "CKV_K8S_27", "trivy": "KSV-0006"},
)
def container_runtime_socket_mount(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Flags mounts whose host path is a runtime socket (*.sock of Docker, containerd, CRI-O,
    cri-dockerd, dockershim, Podman; /var/run and /run alike) or a runtime's socket folder.

    Reported on the mounting container, as kube-linter does; checkov's CKV_K8S_27 and trivy's
    KSV-0006 flag the volume itself (path exactly /var/run/docker.sock) even when no container
    mounts it.
    """
    for m in host_mounts(res):
        canonical = _canonical(m.host_path)
        if posixpath.basename(canonical) in _RUNTIME_SOCKETS or canonical in _RUNTIME_SOCKET_DIRS:
            yield Finding(m.path, f"container {m.container.name!r} mounts the container runtime "
                                  f"socket {m.host_path} (volume {m.volume!r})")


_SENSITIVE_PATHS = ("/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/run",
                    "/sbin", "/sys", "/usr", "/var/lib/containerd", "/var/lib/docker",
                    "/var/run")
_SENSITIVE_SUBTREES = ("/etc/kubernetes", "/root", "/var/lib/etcd", "/var/lib/kubelet")


def _path_list(options: Mapping[str, Any], key: str) -> frozenset[str]:
    return frozenset(_canonical(p) for p in as_list(options.get(key)) if isinstance(p, str) and p)


@rule(
    id="sensitive-host-path-mount", category=SECRETS, severity=Severity.ERROR, kinds=WORKLOADS,
    summary="A container mounts a sensitive host directory such as /, /etc, /proc or "
            "/var/lib/kubelet.",
    rationale="These directories hold the node's credentials (kubelet and etcd keys, every "
              "pod's mounted Secrets under /var/lib/kubelet), its configuration and its kernel "
              "interfaces. Reading them leaks secrets of other workloads; writing them is a "
              "node takeover.",
    remediation="Mount only the specific file or directory the workload needs, read-only, or "
                "use a ConfigMap, Secret or emptyDir volume instead.",
    references=(HOST_PATH_URL, PSS_URL),
    equivalents={"kube-linter": "sensitive-host-mounts", "trivy": "KSV-0121"},
    options_schema={
        "type": "object", "additionalProperties": False,
        "properties": {
            "paths": {"type": "array", "items": {"type": "string"},
                      "description": "Host paths flagged when mounted exactly "
                                     "(/var/run and /run count as one)."},
            "subtrees": {"type": "array", "items": {"type": "string"},
                         "description": "Host paths flagged when they or anything below "
                                        "them is mounted."},
        },
    },
    defaults={"paths": list(_SENSITIVE_PATHS), "subtrees": list(_SENSITIVE_SUBTREES)},
)
def sensitive_host_path_mount(res: Resource, ctx: Context) -> Iterator[Finding]:
    """Exact paths are matched exactly, so read-only mounts of /etc/ssl/certs or
    /var/lib/docker/containers (log shippers) pass; the subtrees hold credentials at any depth.
    A mount's subPath is joined to the volume's path before matching.

    kube-linter's sensitive-host-mounts matches /, /boot, /dev, /etc, /lib, /proc, /sys and /usr;
    kubelint adds the runtime and kubelet state directories, /run, /root and /etc/kubernetes.
    """
    paths = _path_list(ctx.options, "paths")
    subtrees = _path_list(ctx.options, "subtrees")
    for m in host_mounts(res):
        canonical = _canonical(m.host_path)
        if canonical in paths or any(canonical == t or canonical.startswith(t.rstrip("/") + "/")
                                     for t in subtrees):
            yield Finding(m.path, f"container {m.container.name!r} mounts the sensitive host "
                                  f"path {m.host_path} (volume {m.volume!r})")


@rule(
    id="writable-host-mount", category=SECRETS, severity=Severity.WARNING, kinds=WORKLOADS,
    default_enabled=False,
    summary="A container mounts a hostPath volume without readOnly: true.",
    rationale="A writable host directory lets a compromised container plant files the node "
              "or other pods later trust (binaries, configuration, logs), and fill the node's "
              "disk.",
    remediation="Set readOnly: true on the volumeMount, or use a volume type that is not the "
                "node's filesystem.",
    references=(HOST_PATH_URL,),
    equivalents={"kube-linter": "writable-host-mount"},
)
def writable_host_mount(res: Resource, ctx: Context) -> Iterator[Finding]:
    for m in host_mounts(res):
        if m.mount.get("readOnly") is not True:
            yield Finding((*m.path, "readOnly"), f"container {m.container.name!r} mounts host "
                                                 f"path {m.host_path} writable")


RULES = (
    default_service_account, default_service_account_automount,
    deprecated_service_account_field, hardcoded_env_secret, secret_env_var,
    committed_secret_data, configmap_credential, container_runtime_socket_mount,
    sensitive_host_path_mount, writable_host_mount,
)
