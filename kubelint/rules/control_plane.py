"""Control-plane and node hardening: static pod flags and KubeletConfiguration.

The rules read two kinds of input.

* **Command lines** of containers that run a Kubernetes component (kubeadm's static pods in
  /etc/kubernetes/manifests, or the same binaries in any workload). The component is the first
  command item (or, without a command, the first args item) whose basename is `kube-apiserver`,
  `kube-controller-manager`, `kube-scheduler`, `etcd` or `kubelet` (a `.exe` suffix and the old
  `hyperkube <component>` form included), looking past wrapper programs such as `tini --` but
  not past the first `--long-flag`. Containers that run a shell (`sh -c "..."`) are not read.
  Flags are read from the command items after the component and then from every args item, as
  the kubelet joins them: `--flag=value`, `--flag value` (the next item, when it does not look
  like a flag) and `--flag` alone (a boolean set to true). For a repeated flag the
  last one wins, except list flags (`--enable-admission-plugins`, `--authorization-mode`,
  `--tls-cipher-suites`, ...), which accumulate as pflag's string slices do, and
  `--feature-gates`, whose entries merge key by key. etcd also accepts `-flag` and reads
  `ETCD_<FLAG>` environment variables; a command-line flag overrides the variable.
* **KubeletConfiguration** objects (kubelet.config.k8s.io), whose defaults differ from the
  kubelet's flag defaults (anonymous auth off, Webhook authorization, read-only port 0), and
  **AdmissionConfiguration** objects for EventRateLimit.

Checks are data: each `Spec` below names a rule, its metadata, and per component (or kind) a
small predicate built from the helpers `required`, `present`, `boolean`, `list_has`, ... The
factory `_rule` turns a spec into a `Rule` whose check function is named after the rule id.

A finding points at the list item holding the offending flag (`- --profiling=true`, or the
`- --bind-address` item when the value is the next item); a flag that is missing is reported
at the container's `command:` key (or `args:` when only args hold flags); a KubeletConfiguration
field at its key, or at its deepest existing ancestor when missing.

A kubelet started with `--config` takes every setting not given as a flag from that file, so
checks that would fire on a kubelet flag's *default* stay quiet then (lint the
KubeletConfiguration itself instead); explicit flags are still checked, as they override the
file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from kubelint.k8s import (WORKLOADS, Container, Resource, as_dict, as_list, containers, is_int,
                          object_label)
from kubelint.model import Finding, Severity, YamlPath
from kubelint.rule import Context, Rule

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

APISERVER = "kube-apiserver"
CONTROLLER_MANAGER = "kube-controller-manager"
SCHEDULER = "kube-scheduler"
ETCD = "etcd"
KUBELET = "kubelet"
COMPONENTS = (APISERVER, CONTROLLER_MANAGER, SCHEDULER, ETCD, KUBELET)

KUBELET_CONFIGURATION = "KubeletConfiguration"
ADMISSION_CONFIGURATION = "AdmissionConfiguration"
CONFIG_KINDS = {
    KUBELET_CONFIGURATION: "kubelet.config.k8s.io/",
    ADMISSION_CONFIGURATION: "apiserver.",  # apiserver.config.k8s.io/v1, apiserver.k8s.io/v1alpha1
}
"""Configuration kinds the rules read, with the API group prefix their apiVersion must have."""

_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"})

_HYPERKUBE = {"apiserver": APISERVER, "controller-manager": CONTROLLER_MANAGER,
              "scheduler": SCHEDULER, "kubelet": KUBELET,
              **{c: c for c in (APISERVER, CONTROLLER_MANAGER, SCHEDULER, KUBELET)}}

LIST_FLAGS = frozenset({
    "--enable-admission-plugins", "--disable-admission-plugins", "--admission-control",
    "--authorization-mode", "--tls-cipher-suites", "--cipher-suites",
})
"""String-slice flags: comma-separated, and repeating the flag appends (pflag StringSlice)."""

CIS_URL = "https://www.cisecurity.org/benchmark/kubernetes"
APISERVER_URL = "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/"
CONTROLLER_MANAGER_URL = ("https://kubernetes.io/docs/reference/command-line-tools-reference/"
                          "kube-controller-manager/")
SCHEDULER_URL = "https://kubernetes.io/docs/reference/command-line-tools-reference/kube-scheduler/"
KUBELET_URL = "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/"
KUBELET_CONFIG_URL = "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"
KUBELET_AUTH_URL = "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/"
KUBELET_TLS_URL = ("https://kubernetes.io/docs/reference/access-authn-authz/"
                   "kubelet-tls-bootstrapping/")
ETCD_SECURITY_URL = "https://etcd.io/docs/v3.5/op-guide/security/"
ADMISSION_URL = "https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/"
AUTHORIZATION_URL = "https://kubernetes.io/docs/reference/access-authn-authz/authorization/"
AUTHENTICATION_URL = "https://kubernetes.io/docs/reference/access-authn-authz/authentication/"
AUDIT_URL = "https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/"
ENCRYPTION_URL = "https://kubernetes.io/docs/tasks/administer-cluster/encrypt-data/"
ETCD_K8S_URL = ("https://kubernetes.io/docs/tasks/administer-cluster/configure-upgrade-etcd/"
                "#securing-etcd-clusters")

DEFAULT_ADMISSION_PLUGINS = frozenset({
    "CertificateApproval", "CertificateSigning", "CertificateSubjectRestriction",
    "ClusterTrustBundleAttest", "DefaultIngressClass", "DefaultStorageClass",
    "DefaultTolerationSeconds", "LimitRanger", "MutatingAdmissionWebhook", "NamespaceLifecycle",
    "PersistentVolumeClaimResize", "PodSecurity", "Priority", "ResourceQuota", "RuntimeClass",
    "ServiceAccount", "StorageObjectInUseProtection", "TaintNodesByCondition",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionWebhook",
})
"""Admission plugins kube-apiserver enables without being asked (Kubernetes 1.30).
`--enable-admission-plugins` adds to this set and `--disable-admission-plugins` removes from it;
the legacy `--admission-control` (removed in 1.18) replaced it."""

STRONG_CIPHER_SUITES = frozenset({
    # TLS 1.3 (Go ignores them in the list, but the components accept the names)
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    # TLS 1.2: ECDHE key exchange (forward secrecy) with an AEAD cipher
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
})
"""Cipher suites with forward secrecy and authenticated encryption. Everything else the Go TLS
stack offers is weak: RC4, 3DES, CBC mode (Lucky13-style padding oracles) or static RSA key
exchange (no forward secrecy)."""


# --- reading command lines -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Flag:
    """One flag as written: its canonical name (`--profiling`), value and where it is.

    `form` is "inline" (`--flag=value`), "next" (`--flag` then `value` as the next item),
    "alone" (`--flag` with no value: true for a boolean), "env" (an etcd `ETCD_*` variable with
    a literal value) or "env-ref" (a variable whose value comes from a ConfigMap, Secret or
    field reference: set, value unknown). `path` is the list item (or env item) holding it.
    """

    name: str
    value: str | None
    path: YamlPath
    form: str = "inline"
    written: str = ""
    """The name as written, when it differs (`-client-cert-auth`, `ETCD_CLIENT_CERT_AUTH`)."""

    @property
    def text(self) -> str:
        """The flag as messages show it, spelled as in the manifest."""
        name = self.written or self.name
        if self.form == "next":
            return f"{name} {self.value}"
        if self.form == "alone":
            return name
        if self.form == "env-ref":
            return f"{name} (from a reference)"
        return f"{name}={self.value}"

    @property
    def known(self) -> bool:
        return self.form != "env-ref"

    @property
    def string(self) -> str:
        """The value as a string ("" when given alone or unknown)."""
        return self.value or ""

    def boolean(self) -> bool | None:
        """The value as Go's strconv.ParseBool reads it; True when given alone; None if unknown
        or malformed (a component refuses to start with a malformed boolean)."""
        if self.form == "alone":
            return True
        return parse_bool(self.value) if self.known else None


@dataclass(frozen=True, slots=True)
class CommandLine:
    """The flags a container passes to a Kubernetes component."""

    component: str
    container: Container
    flags: tuple[Flag, ...]
    anchor: YamlPath
    """Where a missing flag is reported: the container's `command` key (or `args`)."""

    def last(self, name: str) -> Flag | None:
        """The flag as the component sees it: the last occurrence wins."""
        found = None
        for f in self.flags:
            if f.name == name:
                found = f
        return found

    def every(self, name: str) -> tuple[Flag, ...]:
        return tuple(f for f in self.flags if f.name == name)

    def items(self, name: str) -> list[tuple[str, Flag]]:
        """The elements of a comma-separated list flag, with the flag holding each. Repeating a
        string-slice flag appends to it; any other flag's last occurrence wins."""
        occurrences = self.every(name)
        if name not in LIST_FLAGS:
            occurrences = occurrences[-1:]
        return [(part.strip(), f) for f in occurrences if f.known
                for part in f.string.split(",") if part.strip()]

    def has(self, name: str) -> bool:
        return self.last(name) is not None

    @property
    def defaults_apply(self) -> bool:
        """Whether a flag left out takes the component's built-in default (false for a kubelet
        with --config, which reads the rest from its configuration file)."""
        return not (self.component == KUBELET and self.has("--config"))


def parse_bool(value: Any) -> bool | None:
    """A boolean as Go's strconv.ParseBool reads it (1/t/T/TRUE/true/True, 0/f/F/...); real
    YAML booleans pass through; anything else is None."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    if value in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if value in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None


def _basename(item: str) -> str:
    name = item.replace("\\", "/").rsplit("/", 1)[-1]
    return name[:-4] if name.lower().endswith(".exe") else name


_LONG_FLAG = re.compile(r"--?[A-Za-z]")
_NEGATIVE_NUMBER = re.compile(r"-\d")


def _scalar_text(item: Any) -> str | None:
    """A list item as command-line text: strings as they are, YAML numbers and booleans as
    written (Kubernetes rejects them in command/args, but the intent is plain); else None."""
    if isinstance(item, str):
        return item
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, (int, float)):
        return str(item)
    return None


def find_component(spec: Any) -> tuple[str, str, int] | None:
    """The component a container runs: (component, "command" or "args", index of its item).

    The command is searched first; the args only when there is no command (the image's
    entrypoint then runs args[0]). Leading wrapper programs and their short options are skipped
    (`tini -g -- etcd`), but the search stops at the first long flag.
    """
    spec = as_dict(spec)
    command = as_list(spec.get("command"))
    args = as_list(spec.get("args")) if not command else []
    for key, items in (("command", command), ("args", args)):
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item:
                continue
            if item.startswith("--") and len(item) > 2:
                break
            if item.startswith("-"):
                continue
            name = _basename(item)
            if name in _SHELLS:
                return None  # a script (`sh -c "..."`) is not read
            if name in COMPONENTS:
                return name, key, i
            if name == "hyperkube" and i + 1 < len(items):
                sub = items[i + 1]
                if isinstance(sub, str) and sub in _HYPERKUBE:
                    return _HYPERKUBE[sub], key, i + 1
    return None


def _tokens(spec: dict, key: str, start: int, base: YamlPath) -> list[tuple[Any, YamlPath, str]]:
    items = as_list(spec.get(key))
    return [(item, (*base, key, i), key) for i, item in enumerate(items) if i >= start]


def read_flags(container: Container) -> CommandLine | None:
    """The component a container runs and the flags it passes, or None for other containers."""
    found = find_component(container.spec)
    if found is None:
        return None
    component, key, index = found
    spec = container.spec
    tokens = _tokens(spec, key, index + 1, container.path)
    if key == "command":
        tokens += _tokens(spec, "args", 0, container.path)
    flags: list[Flag] = []
    if component == ETCD:
        flags.extend(_etcd_env(container))
    single_dash = component == ETCD  # Go's flag package accepts -flag as well as --flag
    sources: dict[str, int] = {}
    i = 0
    while i < len(tokens):
        item, path, source = tokens[i]
        i += 1
        if not isinstance(item, str):
            continue
        if item == "--":
            break
        if item.startswith("--") and len(item) > 2:
            body = item[2:]
        elif single_dash and _LONG_FLAG.match(item) and not item.startswith("--"):
            body = item[1:]
        else:
            continue  # a positional argument
        name, eq, value = body.partition("=")
        written = item[:len(item) - len(body)] + name
        name = "--" + name
        written = "" if written == name else written
        sources[source] = sources.get(source, 0) + 1
        if eq:
            flags.append(Flag(name, value, path, "inline", written))
            continue
        if i < len(tokens):
            nxt = _scalar_text(tokens[i][0])
            if nxt is not None and (not nxt.startswith("-") or _NEGATIVE_NUMBER.match(nxt)):
                flags.append(Flag(name, nxt, path, "next", written))
                i += 1
                continue
        flags.append(Flag(name, None, path, "alone", written))
    anchor_key = key
    if key == "command" and sources.get("args") and not sources.get("command"):
        anchor_key = "args"
    return CommandLine(component, container, tuple(flags), (*container.path, anchor_key))


def _etcd_env(container: Container) -> Iterator[Flag]:
    """etcd's ETCD_<FLAG_NAME> environment variables, as flags (the command line overrides)."""
    for i, env in enumerate(as_list(container.spec.get("env"))):
        if not isinstance(env, dict):
            continue
        name = env.get("name")
        if not isinstance(name, str) or not name.startswith("ETCD_") or len(name) <= 5:
            continue
        flag = "--" + name[5:].lower().replace("_", "-")
        path = (*container.path, "env", i)
        if env.get("valueFrom") is not None:
            yield Flag(flag, None, path, "env-ref", name)
        else:
            value = _scalar_text(env.get("value"))
            yield Flag(flag, value if value is not None else "", path, "env", name)


def command_lines(res: Resource) -> tuple[CommandLine, ...]:
    """The control-plane command lines of an object's containers (read once per object)."""
    return res.derive("command_lines", _command_lines)


def _command_lines(res: Resource) -> tuple[CommandLine, ...]:
    return tuple(cl for cl in map(read_flags, containers(res)) if cl is not None)


# --- value helpers -------------------------------------------------------------------------------

_DURATION = re.compile(r"(?:(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+")
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def is_zero_duration(value: Any) -> bool:
    """Whether a Go duration (`0`, `0s`, `0h0m0s`; a YAML 0 too) is zero."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return value == 0
    if not isinstance(value, str):
        return False
    text = value.strip().lstrip("+-")
    if text == "0":
        return True
    if not _DURATION.fullmatch(text):
        return False
    return all(float(n) == 0 for n, _ in _DURATION_PART.findall(text))


def _int(value: Any) -> int | None:
    if is_int(value):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip(), 10)
        except ValueError:
            return None
    return None


def _is_loopback(address: str) -> bool:
    return address.startswith("127.") or address in ("::1", "0:0:0:0:0:0:0:1")


# --- command-line predicates ---------------------------------------------------------------------
# Each returns a function (CommandLine, options) -> iterable of (path, detail).

Hit = tuple[YamlPath, str]
FlagCheck = Callable[[CommandLine, Mapping[str, Any]], Iterator[Hit]]
ObjectCheck = Callable[[dict, Mapping[str, Any]], Iterator[Hit]]


def required(*names: str) -> FlagCheck:
    """Each flag must be given with a non-empty value."""

    def check(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
        missing = []
        for name in names:
            flag = cl.last(name)
            if flag is None:
                missing.append(name)
            elif flag.known and not flag.string:
                yield flag.path, f"{name} has no value"
        if missing and cl.defaults_apply:
            yield cl.anchor, f"{_join(missing)} {'is' if len(missing) == 1 else 'are'} not set"

    return check


def present(*names: str) -> FlagCheck:
    """Each flag must not be given at all."""

    def check(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
        for name in names:
            flag = cl.last(name)
            if flag is not None:
                yield flag.path, f"{flag.text} is set"

    return check


def boolean(name: str, want: bool, default: bool) -> FlagCheck:
    """A boolean flag must end up `want` (an unset flag takes `default`; with the rule option
    `explicit`, an unset flag is reported even when its default is right)."""

    def check(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
        flag = cl.last(name)
        if flag is None:
            if cl.defaults_apply and (default != want or opts.get("explicit") is True):
                yield cl.anchor, f"{name} is not set (defaults to {str(default).lower()})"
            return
        value = flag.boolean()
        if value is not None and value != want:
            yield flag.path, flag.text

    return check


def value_is(name: str, bad: Callable[[str], bool], default: str | None = None) -> FlagCheck:
    """A flag's value must not satisfy `bad` (an unset flag takes `default`, if any)."""

    def check(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
        flag = cl.last(name)
        if flag is None:
            if default is not None and bad(default) and cl.defaults_apply:
                yield cl.anchor, f"{name} is not set (defaults to {default})"
            return
        if flag.known and bad(flag.string):
            yield flag.path, flag.text

    return check


def list_has(name: str, element: str, *, default: tuple[str, ...] = (),
             unless: tuple[str, ...] = ()) -> FlagCheck:
    """A list flag must not include `element` (an unset flag takes `default`); flags named in
    `unless` replace this flag (the check is skipped when one is given)."""

    def check(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
        if any(cl.has(u) for u in unless):
            return
        items = cl.items(name)
        if not cl.every(name):
            if element in default and cl.defaults_apply:
                yield cl.anchor, f"{name} is not set (defaults to {','.join(default)})"
            return
        for value, flag in items:
            if value == element:
                yield flag.path, f"{name} includes {element}"
                return

    return check


def list_lacks(name: str, element: str, *, default: tuple[str, ...] = (),
               unless: tuple[str, ...] = ()) -> FlagCheck:
    """A list flag must include `element` (an unset flag takes `default`)."""

    def check(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
        if any(cl.has(u) for u in unless):
            return
        flags = cl.every(name)
        if not flags:
            if element not in default and cl.defaults_apply:
                shown = f" (defaults to {','.join(default)})" if default else ""
                yield cl.anchor, f"{name} is not set{shown}"
            return
        if any(not f.known for f in flags):
            return
        if element not in {v for v, _ in cl.items(name)}:
            yield flags[-1].path, f"{name} does not include {element}"

    return check


def admission_plugin(plugin: str, *, want: bool) -> FlagCheck:
    """kube-apiserver must (want=True) or must not (want=False) end up running `plugin`,
    reading --enable-admission-plugins, --disable-admission-plugins, the legacy
    --admission-control and the default set."""

    def check(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
        disabled = [f for v, f in cl.items("--disable-admission-plugins") if v == plugin]
        legacy = cl.every("--admission-control")
        enabled = [f for v, f in cl.items("--enable-admission-plugins") if v == plugin]
        if legacy and not disabled:
            enabled = [f for v, f in cl.items("--admission-control") if v == plugin]
        if disabled:
            on = False
        elif legacy or enabled:
            on = bool(enabled)
        else:
            on = plugin in DEFAULT_ADMISSION_PLUGINS
        if on == want:
            return
        if not want:
            if enabled:
                yield enabled[-1].path, f"{enabled[-1].name} includes {plugin}"
            return
        if disabled:
            yield disabled[-1].path, f"--disable-admission-plugins includes {plugin}"
            return
        given = cl.every("--admission-control") or cl.every("--enable-admission-plugins")
        if any(not f.known for f in given):
            return
        if given:
            yield given[-1].path, f"{given[-1].name} does not include {plugin}"
        else:
            yield cl.anchor, "--enable-admission-plugins is not set"

    return check


def feature_gate(gate: str, *, want: bool) -> FlagCheck:
    """A feature gate given in --feature-gates must not be set against `want` (an unset gate
    keeps its default, which the rules only use for gates on by default)."""

    def check(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
        found: tuple[bool, Flag] | None = None
        for flag in cl.every("--feature-gates"):
            for part in flag.string.split(","):
                key, eq, value = part.strip().partition("=")
                if eq and key.strip() == gate:
                    parsed = parse_bool(value.strip())
                    if parsed is not None:
                        found = (parsed, flag)
        if found is not None and found[0] != want:
            yield found[1].path, f"--feature-gates sets {gate}={str(found[0]).lower()}"

    return check


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- predicates for single rules -----------------------------------------------------------------

def _authorization_always_allow(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
    yield from list_has("--authorization-mode", "AlwaysAllow", default=("AlwaysAllow",),
                        unless=("--authorization-config",))(cl, opts)


def _insecure_port(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
    port = cl.last("--insecure-port")
    if port is not None and port.known and _int(port.string) != 0:
        yield port.path, port.text
    yield from present("--insecure-bind-address")(cl, opts)


def _audit_retention(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
    path = cl.last("--audit-log-path")
    if path is not None and path.string == "-":
        return  # audit events go to stdout: no files to rotate
    missing = []
    for key in ("maxage", "maxbackup", "maxsize"):
        name = f"--audit-log-{key}"
        minimum = opts.get(key, AUDIT_RETENTION_DEFAULTS[key])
        flag = cl.last(name)
        if flag is None:
            missing.append(name)
            continue
        number = _int(flag.string) if flag.known else None
        if number is not None and number < minimum:
            yield flag.path, f"{flag.text} is below {minimum}"
    if missing:
        yield cl.anchor, f"{_join(missing)} {'is' if len(missing) == 1 else 'are'} not set"


AUDIT_RETENTION_DEFAULTS = MappingProxyType({"maxage": 30, "maxbackup": 10, "maxsize": 100})


def _weak_ciphers(name: str) -> FlagCheck:
    def check(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
        weak: dict[YamlPath, list[str]] = {}
        for value, flag in cl.items(name):
            if value not in STRONG_CIPHER_SUITES:
                weak.setdefault(flag.path, []).append(value)
        for path, names in weak.items():
            yield path, f"{name} includes {', '.join(names)}"

    return check


def _bind_address(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
    not_loopback = value_is("--bind-address", lambda v: not _is_loopback(v), default="0.0.0.0")
    yield from not_loopback(cl, opts)


def _gc_threshold(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
    flag = cl.last("--terminated-pod-gc-threshold")
    if flag is None:
        yield cl.anchor, "--terminated-pod-gc-threshold is not set"
        return
    number = _int(flag.string) if flag.known else None
    if number is not None and number <= 0:
        yield flag.path, f"{flag.text} turns the garbage collection off"


def _kubelet_serving_certificate(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
    rotate = cl.last("--rotate-server-certificates")
    if rotate is not None and rotate.boolean() is True:
        return
    yield from required("--tls-cert-file", "--tls-private-key-file")(cl, opts)


def _pod_security_admission(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
    predecessors = {"PodSecurityPolicy", "SecurityContextDeny"}  # removed in 1.25 and 1.30
    if any(v in predecessors for flag in ("--enable-admission-plugins", "--admission-control")
           for v, _ in cl.items(flag)):
        return
    yield from admission_plugin("PodSecurity", want=True)(cl, opts)


def _static_auth(cl: CommandLine, opts: Mapping[str, Any]) -> Iterator[Hit]:
    yield from present("--token-auth-file", "--basic-auth-file")(cl, opts)


# --- KubeletConfiguration and AdmissionConfiguration predicates ----------------------------------

def field_is(path: tuple[str, ...], bad: Callable[[Any], bool], *,
             default: Any = None) -> ObjectCheck:
    """A field must not satisfy `bad` (a missing field takes `default`)."""

    def check(obj: dict, opts: Mapping[str, Any]) -> Iterator[Hit]:
        node: Any = obj
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        dotted = ".".join(path)
        if node is None:
            if default is not None and bad(default):
                yield path, f"{dotted} is not set (defaults to {_shown(default)})"
            return
        if bad(node):
            yield path, f"{dotted} is {_shown(node)}"

    return check


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _config_serving_certificate(obj: dict, opts: Mapping[str, Any]) -> Iterator[Hit]:
    if obj.get("serverTLSBootstrap") is True:
        return
    missing = [k for k in ("tlsCertFile", "tlsPrivateKeyFile")
               if not (isinstance(obj.get(k), str) and obj.get(k))]
    if not missing:
        return
    if len(missing) == 1:
        yield (missing[0],), f"{missing[0]} is not set"
    else:
        yield (missing[0],), ("tlsCertFile and tlsPrivateKeyFile are not set and "
                              "serverTLSBootstrap is not true")


def _config_client_ca(obj: dict, opts: Mapping[str, Any]) -> Iterator[Hit]:
    value = as_dict(as_dict(obj.get("authentication")).get("x509")).get("clientCAFile")
    if value is None:
        yield (("authentication", "x509", "clientCAFile"),
               "authentication.x509.clientCAFile is not set")
    elif value == "":
        yield (("authentication", "x509", "clientCAFile"),
               "authentication.x509.clientCAFile is empty")


def _config_ciphers(obj: dict, opts: Mapping[str, Any]) -> Iterator[Hit]:
    for i, item in enumerate(as_list(obj.get("tlsCipherSuites"))):
        if isinstance(item, str) and item not in STRONG_CIPHER_SUITES:
            yield ("tlsCipherSuites", i), f"tlsCipherSuites includes {item}"


def _config_feature_gate(gate: str) -> ObjectCheck:
    def check(obj: dict, opts: Mapping[str, Any]) -> Iterator[Hit]:
        if as_dict(obj.get("featureGates")).get(gate) is False:
            yield ("featureGates", gate), f"featureGates sets {gate} to false"

    return check


def _admission_config_event_rate_limit(obj: dict, opts: Mapping[str, Any]) -> Iterator[Hit]:
    plugins = obj.get("plugins")
    if any(isinstance(p, dict) and p.get("name") == "EventRateLimit" for p in as_list(plugins)):
        return
    if isinstance(plugins, list):
        yield ("plugins",), "plugins has no EventRateLimit entry"
    else:
        yield ("plugins",), "plugins is not set"


# --- the table -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    """One rule as data. `problem` completes the message after the subject
    ("kube-apiserver in container 'x' <problem>: <detail>")."""

    id: str
    severity: Severity
    summary: str
    problem: str
    rationale: str
    remediation: str
    flags: Mapping[str, FlagCheck] = field(default_factory=dict)
    objects: Mapping[str, ObjectCheck] = field(default_factory=dict)
    equivalents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    references: tuple[str, ...] = ()
    options_schema: Mapping[str, Any] | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)


EXPLICIT_OPTION = MappingProxyType({
    "type": "object", "additionalProperties": False,
    "properties": {"explicit": {
        "type": "boolean",
        "description": "Also report the flag when it is not written, although its default is "
                       "safe (for policies that want every setting stated, as checkov does)."}},
})


def _eq(**tools: str | tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {tool.replace("_", "-"): (ids,) if isinstance(ids, str) else ids
            for tool, ids in tools.items()}


SPECS: tuple[Spec, ...] = (
    # --- kube-apiserver: authentication and authorization --------------------------------------
    Spec(
        id="apiserver-anonymous-auth", severity=WARNING,
        summary="kube-apiserver accepts anonymous requests.",
        problem="accepts anonymous requests",
        rationale="With --anonymous-auth left at its default (true), every request that no "
                  "authenticator claims runs as system:anonymous; any RBAC binding to it, or to "
                  "system:unauthenticated, is then open to the whole network. kubeadm "
                  "keeps anonymous auth on for its liveness probes, which read /livez; use an "
                  "authenticated probe or the structured authentication configuration's "
                  "anonymous.conditions to limit it to health endpoints.",
        remediation="Pass --anonymous-auth=false to kube-apiserver.",
        flags={APISERVER: boolean("--anonymous-auth", want=False, default=True)},
        equivalents=_eq(checkov="CKV_K8S_68", trivy="KCV-0001"),
        references=(AUTHENTICATION_URL + "#anonymous-requests", CIS_URL),
    ),
    Spec(
        id="apiserver-static-auth-file", severity=WARNING,
        summary="kube-apiserver authenticates users from a static token or password file.",
        problem="uses static credential files",
        rationale="Tokens in --token-auth-file (and passwords in --basic-auth-file, removed in "
                  "Kubernetes 1.19) are long-lived plaintext secrets on the control-plane disk; "
                  "they cannot be rotated or revoked without restarting the API server.",
        remediation="Remove --token-auth-file and --basic-auth-file; use client certificates, "
                    "service account tokens or an OIDC or webhook authenticator.",
        flags={APISERVER: _static_auth},
        equivalents=_eq(checkov=("CKV_K8S_69", "CKV_K8S_70"), trivy="KCV-0002"),
        references=(AUTHENTICATION_URL + "#static-token-file", CIS_URL),
    ),
    Spec(
        id="apiserver-authorization-always-allow", severity=ERROR,
        summary="kube-apiserver authorizes every request (AlwaysAllow).",
        problem="authorizes every request",
        rationale="The AlwaysAllow authorizer approves every authenticated request, so RBAC and "
                  "the Node authorizer never get a say; it is also what --authorization-mode "
                  "defaults to when neither it nor --authorization-config is given.",
        remediation="Set --authorization-mode=Node,RBAC (without AlwaysAllow), or configure "
                    "authorizers with --authorization-config.",
        flags={APISERVER: _authorization_always_allow},
        equivalents=_eq(checkov="CKV_K8S_74", trivy="KCV-0007"),
        references=(AUTHORIZATION_URL, CIS_URL),
    ),
    Spec(
        id="apiserver-authorization-node", severity=WARNING,
        summary="kube-apiserver does not use the Node authorizer.",
        problem="does not use the Node authorizer",
        rationale="The Node authorizer limits each kubelet to the Secrets, ConfigMaps and volumes "
                  "of the pods bound to its own node; without it a compromised node's credentials "
                  "read whatever RBAC grants the system:nodes group.",
        remediation="Include Node in --authorization-mode (for example --authorization-mode="
                    "Node,RBAC).",
        flags={APISERVER: list_lacks("--authorization-mode", "Node", default=("AlwaysAllow",),
                                     unless=("--authorization-config",))},
        equivalents=_eq(checkov="CKV_K8S_75", trivy="KCV-0008"),
        references=("https://kubernetes.io/docs/reference/access-authn-authz/node/", CIS_URL),
    ),
    Spec(
        id="apiserver-authorization-rbac", severity=WARNING,
        summary="kube-apiserver does not use RBAC authorization.",
        problem="does not use RBAC authorization",
        rationale="Without the RBAC authorizer, Roles and ClusterRoleBindings have no effect and "
                  "access is decided by whatever other mode is listed.",
        remediation="Include RBAC in --authorization-mode (for example --authorization-mode="
                    "Node,RBAC).",
        flags={APISERVER: list_lacks("--authorization-mode", "RBAC", default=("AlwaysAllow",),
                                     unless=("--authorization-config",))},
        equivalents=_eq(checkov="CKV_K8S_77", trivy="KCV-0009"),
        references=("https://kubernetes.io/docs/reference/access-authn-authz/rbac/", CIS_URL),
    ),
    # --- kube-apiserver: admission ---------------------------------------------------------------
    Spec(
        id="apiserver-always-admit-plugin", severity=ERROR,
        summary="kube-apiserver enables the AlwaysAdmit admission plugin.",
        problem="enables the AlwaysAdmit admission plugin",
        rationale="AlwaysAdmit (deprecated) admits every request whatever the other admission "
                  "plugins decide, switching admission control off.",
        remediation="Remove AlwaysAdmit from --enable-admission-plugins.",
        flags={APISERVER: admission_plugin("AlwaysAdmit", want=False)},
        equivalents=_eq(checkov="CKV_K8S_79", trivy="KCV-0011"),
        references=(ADMISSION_URL + "#alwaysadmit", CIS_URL),
    ),
    Spec(
        id="apiserver-always-pull-images-plugin", severity=INFO,
        summary="kube-apiserver does not enable the AlwaysPullImages admission plugin.",
        problem="does not enable the AlwaysPullImages admission plugin",
        rationale="On a shared node, an image another tenant pulled with its registry credentials "
                  "stays in the node's cache, and any pod scheduled there with imagePullPolicy "
                  "IfNotPresent or Never can run it without credentials. AlwaysPullImages forces a "
                  "credentialed pull for every pod. It makes every pod start depend "
                  "on the registry, so it is a choice for multi-tenant clusters.",
        remediation="Add AlwaysPullImages to --enable-admission-plugins, or suppress this rule on "
                    "single-tenant clusters.",
        flags={APISERVER: admission_plugin("AlwaysPullImages", want=True)},
        equivalents=_eq(checkov="CKV_K8S_80", trivy="KCV-0012"),
        references=(ADMISSION_URL + "#alwayspullimages", CIS_URL),
    ),
    Spec(
        id="apiserver-event-rate-limit", severity=INFO,
        summary="kube-apiserver does not limit the rate of Events (EventRateLimit admission).",
        problem="does not limit the rate of Events",
        rationale="Without the EventRateLimit admission plugin a misbehaving or hostile client "
                  "can flood the API server and etcd with Events. The plugin reads "
                  "its limits from an AdmissionConfiguration file given with "
                  "--admission-control-config-file; such a file without an EventRateLimit entry "
                  "is reported too.",
        remediation="Add EventRateLimit to --enable-admission-plugins and configure its limits in "
                    "the AdmissionConfiguration file.",
        flags={APISERVER: admission_plugin("EventRateLimit", want=True)},
        objects={ADMISSION_CONFIGURATION: _admission_config_event_rate_limit},
        equivalents=_eq(checkov="CKV_K8S_78", trivy="KCV-0010"),
        references=(ADMISSION_URL + "#eventratelimit", CIS_URL),
    ),
    Spec(
        id="apiserver-pod-security-admission-disabled", severity=WARNING,
        summary="kube-apiserver turns off the PodSecurity admission plugin.",
        problem="turns off Pod Security admission",
        rationale="The PodSecurity admission plugin (on by default since Kubernetes 1.23) enforces "
                  "the Pod Security Standards that namespaces opt into with "
                  "pod-security.kubernetes.io labels; it replaced PodSecurityPolicy and "
                  "SecurityContextDeny, both removed. Disabling it, with neither predecessor "
                  "enabled, leaves pod-level security settings unchecked at admission.",
        remediation="Remove PodSecurity from --disable-admission-plugins.",
        flags={APISERVER: _pod_security_admission},
        references=("https://kubernetes.io/docs/concepts/security/pod-security-admission/",
                    CIS_URL),
    ),
    Spec(
        id="apiserver-service-account-plugin-disabled", severity=WARNING,
        summary="kube-apiserver turns off the ServiceAccount admission plugin.",
        problem="turns off the ServiceAccount admission plugin",
        rationale="The ServiceAccount plugin (on by default) gives pods a service account and "
                  "refuses pods that name one that does not exist; without it pods can reference "
                  "arbitrary service accounts.",
        remediation="Remove ServiceAccount from --disable-admission-plugins.",
        flags={APISERVER: admission_plugin("ServiceAccount", want=True)},
        equivalents=_eq(trivy="KCV-0014"),
        references=(ADMISSION_URL + "#serviceaccount", CIS_URL),
    ),
    Spec(
        id="apiserver-namespace-lifecycle-plugin-disabled", severity=WARNING,
        summary="kube-apiserver turns off the NamespaceLifecycle admission plugin.",
        problem="turns off the NamespaceLifecycle admission plugin",
        rationale="NamespaceLifecycle (on by default) refuses objects in namespaces that are "
                  "being deleted or do not exist and protects the system namespaces; without it "
                  "objects can be created in a terminating namespace and outlive its policies.",
        remediation="Remove NamespaceLifecycle from --disable-admission-plugins.",
        flags={APISERVER: admission_plugin("NamespaceLifecycle", want=True)},
        equivalents=_eq(trivy="KCV-0015"),
        references=(ADMISSION_URL + "#namespacelifecycle", CIS_URL),
    ),
    Spec(
        id="apiserver-node-restriction-plugin", severity=WARNING,
        summary="kube-apiserver does not enable the NodeRestriction admission plugin.",
        problem="does not enable the NodeRestriction admission plugin",
        rationale="NodeRestriction stops a kubelet from modifying Node and Pod objects other than "
                  "its own and from setting node-restriction.kubernetes.io labels; without it a "
                  "compromised node can relabel itself to attract sensitive workloads. "
                  "It is not on by default.",
        remediation="Add NodeRestriction to --enable-admission-plugins.",
        flags={APISERVER: admission_plugin("NodeRestriction", want=True)},
        equivalents=_eq(checkov="CKV_K8S_85", trivy="KCV-0016"),
        references=(ADMISSION_URL + "#noderestriction", CIS_URL),
    ),
    # --- kube-apiserver: serving -----------------------------------------------------------------
    Spec(
        id="apiserver-insecure-port", severity=ERROR,
        summary="kube-apiserver serves its unauthenticated insecure port.",
        problem="serves the unauthenticated insecure port",
        rationale="The insecure port (--insecure-port, --insecure-bind-address) serves the API "
                  "over plain HTTP with no authentication or authorization. Since Kubernetes 1.20 "
                  "only 0 is accepted and 1.24 removed both flags, so a non-zero port or any "
                  "insecure bind address marks an old or broken control plane.",
        remediation="Remove --insecure-bind-address and --insecure-port (or set "
                    "--insecure-port=0 on releases before 1.24).",
        flags={APISERVER: _insecure_port},
        equivalents=_eq(checkov="CKV_K8S_86"),
        references=(APISERVER_URL, CIS_URL),
    ),
    Spec(
        id="apiserver-secure-port-disabled", severity=WARNING,
        summary="kube-apiserver turns off its secure (HTTPS) port.",
        problem="turns off HTTPS serving",
        rationale="--secure-port=0 stops the API server from serving HTTPS at all; clients then "
                  "have only an insecure path, if any.",
        remediation="Remove --secure-port=0 (the default is 6443).",
        flags={APISERVER: value_is("--secure-port", lambda v: _int(v) == 0)},
        equivalents=_eq(checkov="CKV_K8S_89", trivy="KCV-0017"),
        references=(APISERVER_URL, CIS_URL),
    ),
    Spec(
        id="profiling-enabled", severity=WARNING,
        summary="A control-plane component serves profiling data (/debug/pprof).",
        problem="serves profiling data",
        rationale="--profiling defaults to true on kube-apiserver, kube-controller-manager and "
                  "kube-scheduler; the /debug/pprof handlers reveal program internals and can be "
                  "used to load the process, and are rarely needed in production.",
        remediation="Pass --profiling=false.",
        flags={c: boolean("--profiling", want=False, default=True)
               for c in (APISERVER, CONTROLLER_MANAGER, SCHEDULER)},
        equivalents=_eq(checkov=("CKV_K8S_90", "CKV_K8S_107", "CKV_K8S_114"),
                        trivy=("KCV-0018", "KCV-0034", "KCV-0040")),
        references=(APISERVER_URL, CONTROLLER_MANAGER_URL, SCHEDULER_URL, CIS_URL),
    ),
    Spec(
        id="apiserver-tls-certificate", severity=WARNING,
        summary="kube-apiserver has no serving certificate (--tls-cert-file, "
                "--tls-private-key-file).",
        problem="has no serving certificate",
        rationale="Without --tls-cert-file and --tls-private-key-file the API server generates a "
                  "self-signed certificate that clients cannot verify, inviting them to skip "
                  "verification.",
        remediation="Pass --tls-cert-file and --tls-private-key-file with a certificate signed by "
                    "the cluster CA.",
        flags={APISERVER: required("--tls-cert-file", "--tls-private-key-file")},
        equivalents=_eq(checkov="CKV_K8S_100", trivy="KCV-0027"),
        references=(APISERVER_URL, CIS_URL),
    ),
    Spec(
        id="apiserver-client-ca-file", severity=WARNING,
        summary="kube-apiserver does not authenticate client certificates (--client-ca-file).",
        problem="does not authenticate client certificates",
        rationale="Without --client-ca-file the API server accepts no X.509 client certificates, "
                  "so kubelets and control-plane components fall back to weaker credentials, and "
                  "the kubelet's certificate-based identity (needed by the Node authorizer) is "
                  "lost.",
        remediation="Pass --client-ca-file with the cluster CA certificate.",
        flags={APISERVER: required("--client-ca-file")},
        equivalents=_eq(trivy="KCV-0028"),
        references=(AUTHENTICATION_URL + "#x509-client-certificates", CIS_URL),
    ),
    Spec(
        id="weak-tls-cipher-suites", severity=WARNING,
        summary="A control-plane component or kubelet allows weak TLS cipher suites.",
        problem="allows weak TLS cipher suites",
        rationale="Cipher suites with RC4, 3DES or CBC mode, or with static RSA key exchange (no "
                  "forward secrecy), let an attacker who records traffic, or sits on the path, "
                  "recover or forge it; only ECDHE suites with AES-GCM or ChaCha20-Poly1305 (and "
                  "the TLS 1.3 suites) are strong.",
        remediation="List only ECDHE suites with AES-GCM or ChaCha20-Poly1305 in "
                    "--tls-cipher-suites (tlsCipherSuites in a KubeletConfiguration), or leave it "
                    "unset to use Go's default set.",
        flags={**{c: _weak_ciphers("--tls-cipher-suites")
                  for c in (APISERVER, CONTROLLER_MANAGER, SCHEDULER, KUBELET)},
               ETCD: _weak_ciphers("--cipher-suites")},
        objects={KUBELET_CONFIGURATION: _config_ciphers},
        equivalents=_eq(checkov=("CKV_K8S_105", "CKV_K8S_151")),
        references=(APISERVER_URL, KUBELET_CONFIG_URL, CIS_URL),
    ),
    # --- kube-apiserver: audit -------------------------------------------------------------------
    Spec(
        id="apiserver-audit-log-path", severity=WARNING,
        summary="kube-apiserver writes no audit log (--audit-log-path).",
        problem="writes no audit log",
        rationale="Without --audit-log-path the log backend is off, and the API server keeps no "
                  "record of who did what, which incident response depends on. "
                  "Audit events also need a policy (--audit-policy-file) to be recorded. A "
                  "cluster that audits only to a webhook backend can suppress this rule.",
        remediation="Pass --audit-log-path (and --audit-policy-file) to kube-apiserver.",
        flags={APISERVER: required("--audit-log-path")},
        equivalents=_eq(checkov="CKV_K8S_91", trivy="KCV-0019"),
        references=(AUDIT_URL, CIS_URL),
    ),
    Spec(
        id="apiserver-audit-log-retention", severity=INFO,
        summary="kube-apiserver keeps too little audit log history.",
        problem="keeps too little audit log history",
        rationale="--audit-log-maxage, --audit-log-maxbackup and --audit-log-maxsize decide how "
                  "long audit files survive rotation; unset, old files are never removed by age "
                  "or count, and set low, evidence is gone before anyone looks. The CIS Benchmark "
                  "asks for at least 30 days, 10 files and 100 MB (the options maxage, maxbackup "
                  "and maxsize change the minimums). An audit log written to stdout (-) is not "
                  "checked.",
        remediation="Pass --audit-log-maxage=30, --audit-log-maxbackup=10 and "
                    "--audit-log-maxsize=100, or higher values.",
        flags={APISERVER: _audit_retention},
        equivalents=_eq(checkov=("CKV_K8S_92", "CKV_K8S_93", "CKV_K8S_94"),
                        trivy=("KCV-0020", "KCV-0021", "KCV-0022")),
        references=(AUDIT_URL + "#log-backend", CIS_URL),
        options_schema=MappingProxyType({
            "type": "object", "additionalProperties": False,
            "properties": {
                "maxage": {"type": "integer", "minimum": 0,
                           "description": "Minimum --audit-log-maxage (days)."},
                "maxbackup": {"type": "integer", "minimum": 0,
                              "description": "Minimum --audit-log-maxbackup (files)."},
                "maxsize": {"type": "integer", "minimum": 0,
                            "description": "Minimum --audit-log-maxsize (megabytes)."},
            },
        }),
        defaults=AUDIT_RETENTION_DEFAULTS,
    ),
    # --- kube-apiserver: service accounts and secrets --------------------------------------------
    Spec(
        id="apiserver-service-account-lookup-disabled", severity=WARNING,
        summary="kube-apiserver accepts service account tokens without checking that they "
                "still exist.",
        problem="does not check service account tokens against etcd",
        rationale="With --service-account-lookup=false a legacy token stays valid after its "
                  "Secret or ServiceAccount is deleted, so revoking it does nothing. "
                  "The default is true.",
        remediation="Remove --service-account-lookup=false.",
        flags={APISERVER: boolean("--service-account-lookup", want=True, default=True)},
        equivalents=_eq(trivy="KCV-0024", checkov="CKV_K8S_96"),
        options_schema=EXPLICIT_OPTION, defaults={"explicit": False},
        references=(APISERVER_URL, CIS_URL),
    ),
    Spec(
        id="apiserver-service-account-key-file", severity=INFO,
        summary="kube-apiserver has no --service-account-key-file to verify tokens with.",
        problem="has no key to verify service account tokens with",
        rationale="--service-account-key-file names the public keys that verify service account "
                  "tokens; without it the API server falls back to its serving key, tying token "
                  "validity to the TLS key and blocking key rotation.",
        remediation="Pass --service-account-key-file with the public half of the key "
                    "kube-controller-manager and the API server sign tokens with.",
        flags={APISERVER: required("--service-account-key-file")},
        equivalents=_eq(trivy="KCV-0025"),
        references=("https://kubernetes.io/docs/reference/access-authn-authz/"
                    "service-accounts-admin/", CIS_URL),
    ),
    Spec(
        id="apiserver-encryption-provider-config", severity=WARNING,
        summary="kube-apiserver stores Secrets in etcd unencrypted (--encryption-provider-config).",
        problem="does not encrypt Secrets at rest",
        rationale="Without --encryption-provider-config, Secrets are stored in etcd as plain "
                  "base64, readable by anyone with etcd access or a backup of it.",
        remediation="Pass --encryption-provider-config with an EncryptionConfiguration that "
                    "encrypts secrets (kms v2, aescbc or secretbox).",
        flags={APISERVER: required("--encryption-provider-config")},
        equivalents=_eq(checkov="CKV_K8S_104", trivy="KCV-0030"),
        references=(ENCRYPTION_URL, CIS_URL),
    ),
    # --- kube-apiserver: connections to kubelets and etcd ----------------------------------------
    Spec(
        id="apiserver-kubelet-https-disabled", severity=INFO,
        summary="kube-apiserver is told to reach kubelets over plain HTTP (--kubelet-https=false).",
        problem="asks for plain HTTP to kubelets",
        rationale="--kubelet-https=false asks the API server to send exec, attach, logs and "
                  "port-forward traffic to kubelets unencrypted. Kubelets have served only HTTPS "
                  "for a long time, Kubernetes 1.19 made the API server ignore the flag and 1.22 "
                  "removed it (the API server then refuses to start), so the flag marks an "
                  "outdated or broken control-plane manifest.",
        remediation="Remove --kubelet-https=false.",
        flags={APISERVER: boolean("--kubelet-https", want=True, default=True)},
        equivalents=_eq(checkov="CKV_K8S_71", trivy="KCV-0004"),
        references=(KUBELET_AUTH_URL, CIS_URL),
    ),
    Spec(
        id="apiserver-kubelet-client-certificate", severity=WARNING,
        summary="kube-apiserver has no client certificate for kubelets.",
        problem="has no client certificate for kubelets",
        rationale="Without --kubelet-client-certificate and --kubelet-client-key the API server "
                  "calls kubelets anonymously, so kubelets must allow anonymous access for exec "
                  "and logs to work.",
        remediation="Pass --kubelet-client-certificate and --kubelet-client-key.",
        flags={APISERVER: required("--kubelet-client-certificate", "--kubelet-client-key")},
        equivalents=_eq(checkov="CKV_K8S_72", trivy="KCV-0005"),
        references=(KUBELET_AUTH_URL, CIS_URL),
    ),
    Spec(
        id="apiserver-kubelet-certificate-authority", severity=WARNING,
        summary="kube-apiserver does not verify kubelets' serving certificates.",
        problem="does not verify kubelets' serving certificates",
        rationale="Without --kubelet-certificate-authority the API server does not verify the "
                  "certificate a kubelet presents, so anyone who can intercept the connection can "
                  "impersonate the node for exec, logs and port-forward. The kubelets "
                  "need CA-signed serving certificates (serverTLSBootstrap) for this to work.",
        remediation="Pass --kubelet-certificate-authority with the CA that signs kubelet serving "
                    "certificates.",
        flags={APISERVER: required("--kubelet-certificate-authority")},
        equivalents=_eq(checkov="CKV_K8S_73", trivy="KCV-0006"),
        references=(KUBELET_AUTH_URL, CIS_URL),
    ),
    Spec(
        id="apiserver-etcd-client-certificate", severity=WARNING,
        summary="kube-apiserver has no client certificate for etcd.",
        problem="has no client certificate for etcd",
        rationale="Without --etcd-certfile and --etcd-keyfile the API server cannot authenticate "
                  "to an etcd that requires client certificates, which pushes operators to leave "
                  "etcd open.",
        remediation="Pass --etcd-certfile and --etcd-keyfile.",
        flags={APISERVER: required("--etcd-certfile", "--etcd-keyfile")},
        equivalents=_eq(checkov="CKV_K8S_99", trivy="KCV-0026"),
        references=(ETCD_K8S_URL, CIS_URL),
    ),
    Spec(
        id="apiserver-etcd-ca-file", severity=WARNING,
        summary="kube-apiserver does not verify etcd's certificate (--etcd-cafile).",
        problem="does not verify etcd's certificate",
        rationale="Without --etcd-cafile the API server cannot check that it is talking to the "
                  "real etcd, which holds every Secret in the cluster.",
        remediation="Pass --etcd-cafile with the etcd CA certificate.",
        flags={APISERVER: required("--etcd-cafile")},
        equivalents=_eq(checkov="CKV_K8S_102", trivy="KCV-0029"),
        references=(ETCD_K8S_URL, CIS_URL),
    ),
    # --- kube-controller-manager and kube-scheduler ----------------------------------------------
    Spec(
        id="non-loopback-bind-address", severity=WARNING,
        summary="kube-controller-manager or kube-scheduler listens on every interface.",
        problem="serves its health and metrics endpoints beyond localhost",
        rationale="--bind-address defaults to 0.0.0.0, exposing the component's HTTPS endpoints "
                  "(health, metrics, and profiling unless turned off) to the network; the "
                  "control plane only needs them on localhost. kubeadm sets "
                  "127.0.0.1.",
        remediation="Pass --bind-address=127.0.0.1, and scrape metrics through a local proxy if "
                    "needed.",
        flags={c: _bind_address for c in (CONTROLLER_MANAGER, SCHEDULER)},
        equivalents=_eq(checkov=("CKV_K8S_113", "CKV_K8S_115"), trivy=("KCV-0039", "KCV-0041")),
        references=(CONTROLLER_MANAGER_URL, SCHEDULER_URL, CIS_URL),
    ),
    Spec(
        id="controller-manager-terminated-pod-gc-threshold", severity=INFO,
        summary="kube-controller-manager has no explicit terminated-pod garbage collection "
                "threshold.",
        problem="does not set a terminated-pod garbage collection threshold",
        rationale="Terminated pods are only collected once their count exceeds "
                  "--terminated-pod-gc-threshold (12500 by default); a value sized for the "
                  "cluster keeps them from piling up in etcd, and 0 or less turns the collection "
                  "off.",
        remediation="Pass --terminated-pod-gc-threshold with a positive value sized for the "
                    "cluster (for example 10).",
        flags={CONTROLLER_MANAGER: _gc_threshold},
        equivalents=_eq(checkov="CKV_K8S_106", trivy="KCV-0033"),
        references=("https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/"
                    "#pod-garbage-collection", CIS_URL),
    ),
    Spec(
        id="controller-manager-service-account-credentials", severity=WARNING,
        summary="kube-controller-manager runs every controller with its own broad credentials.",
        problem="runs controllers with one shared credential",
        rationale="Unless --use-service-account-credentials=true, every controller acts with the "
                  "controller manager's own identity, which must then hold the union of all their "
                  "permissions; per-controller service accounts keep each to its own role.",
        remediation="Pass --use-service-account-credentials=true.",
        flags={CONTROLLER_MANAGER: boolean("--use-service-account-credentials", want=True,
                                           default=False)},
        equivalents=_eq(checkov="CKV_K8S_108", trivy="KCV-0035"),
        references=("https://kubernetes.io/docs/reference/access-authn-authz/rbac/"
                    "#controller-roles", CIS_URL),
    ),
    Spec(
        id="controller-manager-service-account-private-key-file", severity=INFO,
        summary="kube-controller-manager has no key to sign service account tokens.",
        problem="has no key to sign service account tokens",
        rationale="--service-account-private-key-file is the key the token controller signs "
                  "legacy service account tokens with; setting it explicitly, paired with the API "
                  "server's --service-account-key-file, allows the key to be rotated.",
        remediation="Pass --service-account-private-key-file.",
        flags={CONTROLLER_MANAGER: required("--service-account-private-key-file")},
        equivalents=_eq(trivy="KCV-0036"),
        references=(CONTROLLER_MANAGER_URL, CIS_URL),
    ),
    Spec(
        id="controller-manager-root-ca-file", severity=INFO,
        summary="kube-controller-manager does not name the CA bundle it gives pods "
                "(--root-ca-file).",
        problem="does not name the CA bundle it gives pods",
        rationale="--root-ca-file is the CA bundle published in every namespace's "
                  "kube-root-ca.crt ConfigMap, which pods use to verify the API server. Without "
                  "it the controller manager publishes the CA of its own kubeconfig, which need "
                  "not be the CA that signs the API server's serving certificate; pods that "
                  "cannot verify the API server tend to skip verification, opening them to "
                  "man-in-the-middle attacks.",
        remediation="Pass --root-ca-file with the cluster CA certificate.",
        flags={CONTROLLER_MANAGER: required("--root-ca-file")},
        equivalents=_eq(trivy="KCV-0037"),
        references=(CONTROLLER_MANAGER_URL, CIS_URL),
    ),
    Spec(
        id="rotate-kubelet-server-certificate-disabled", severity=WARNING,
        summary="The RotateKubeletServerCertificate feature gate is turned off.",
        problem="turns off kubelet serving certificate rotation",
        rationale="RotateKubeletServerCertificate (on by default) lets kubelets request serving "
                  "certificates from the API server and renew them before they expire; turned off "
                  "on the controller manager or the kubelet, kubelets keep self-signed or "
                  "expiring certificates.",
        remediation="Remove RotateKubeletServerCertificate=false from --feature-gates (or "
                    "featureGates in the KubeletConfiguration).",
        flags={c: feature_gate("RotateKubeletServerCertificate", want=True)
               for c in (CONTROLLER_MANAGER, KUBELET)},
        objects={KUBELET_CONFIGURATION: _config_feature_gate("RotateKubeletServerCertificate")},
        equivalents=_eq(checkov="CKV_K8S_112"),
        references=(KUBELET_TLS_URL + "#certificate-rotation", CIS_URL),
    ),
    # --- etcd ------------------------------------------------------------------------------------
    Spec(
        id="etcd-tls-certificate", severity=WARNING,
        summary="etcd serves clients without a TLS certificate (--cert-file, --key-file).",
        problem="serves clients without a TLS certificate",
        rationale="Without --cert-file and --key-file etcd serves its clients, the API server "
                  "among them, over plain HTTP, and every Secret crosses the network in clear "
                  "text.",
        remediation="Pass --cert-file and --key-file, and serve https:// client URLs.",
        flags={ETCD: required("--cert-file", "--key-file")},
        equivalents=_eq(checkov="CKV_K8S_116", trivy="KCV-0042"),
        references=(ETCD_SECURITY_URL, CIS_URL),
    ),
    Spec(
        id="etcd-client-cert-auth", severity=ERROR,
        summary="etcd does not require client certificates (--client-cert-auth).",
        problem="accepts clients without a certificate",
        rationale="Unless --client-cert-auth=true, anyone who can reach etcd's client port reads "
                  "and writes the whole cluster state, Secrets included, bypassing the API "
                  "server's authentication and authorization.",
        remediation="Pass --client-cert-auth=true with --trusted-ca-file.",
        flags={ETCD: boolean("--client-cert-auth", want=True, default=False)},
        equivalents=_eq(checkov="CKV_K8S_117", trivy="KCV-0043"),
        references=(ETCD_SECURITY_URL, CIS_URL),
    ),
    Spec(
        id="etcd-auto-tls", severity=WARNING,
        summary="etcd serves clients with a self-signed certificate (--auto-tls).",
        problem="serves clients with a self-signed certificate",
        rationale="--auto-tls=true makes etcd generate a self-signed certificate for client "
                  "connections, which clients cannot verify, so connections can be intercepted.",
        remediation="Remove --auto-tls=true and pass --cert-file and --key-file.",
        flags={ETCD: boolean("--auto-tls", want=False, default=False)},
        equivalents=_eq(checkov="CKV_K8S_118", trivy="KCV-0044"),
        references=(ETCD_SECURITY_URL, CIS_URL),
    ),
    Spec(
        id="etcd-peer-tls-certificate", severity=WARNING,
        summary="etcd talks to its peers without a TLS certificate (--peer-cert-file, "
                "--peer-key-file).",
        problem="talks to its peers without a TLS certificate",
        rationale="Without --peer-cert-file and --peer-key-file etcd members replicate the whole "
                  "cluster state, Secrets included, over plain HTTP. A single-member "
                  "etcd has no peer traffic, but its peer URL is still served.",
        remediation="Pass --peer-cert-file and --peer-key-file, and use https:// peer URLs.",
        flags={ETCD: required("--peer-cert-file", "--peer-key-file")},
        equivalents=_eq(checkov="CKV_K8S_119", trivy="KCV-0045"),
        references=(ETCD_SECURITY_URL, CIS_URL),
    ),
    Spec(
        id="etcd-peer-client-cert-auth", severity=WARNING,
        summary="etcd does not require certificates from its peers (--peer-client-cert-auth).",
        problem="accepts peers without a certificate",
        rationale="Unless --peer-client-cert-auth=true, anything that reaches the peer port can "
                  "join the etcd cluster or read its replication traffic.",
        remediation="Pass --peer-client-cert-auth=true with --peer-trusted-ca-file.",
        flags={ETCD: boolean("--peer-client-cert-auth", want=True, default=False)},
        equivalents=_eq(trivy="KCV-0046"),
        references=(ETCD_SECURITY_URL, CIS_URL),
    ),
    Spec(
        id="etcd-peer-auto-tls", severity=WARNING,
        summary="etcd talks to its peers with a self-signed certificate (--peer-auto-tls).",
        problem="talks to its peers with a self-signed certificate",
        rationale="--peer-auto-tls=true makes etcd generate self-signed peer certificates, which "
                  "members cannot verify, so a rogue member can join.",
        remediation="Remove --peer-auto-tls=true and pass --peer-cert-file and --peer-key-file.",
        flags={ETCD: boolean("--peer-auto-tls", want=False, default=False)},
        equivalents=_eq(trivy="KCV-0047"),
        references=(ETCD_SECURITY_URL, CIS_URL),
    ),
    # --- kubelet ---------------------------------------------------------------------------------
    Spec(
        id="kubelet-anonymous-auth", severity=WARNING,
        summary="The kubelet accepts anonymous requests.",
        problem="accepts anonymous requests",
        rationale="With anonymous auth on, requests to the kubelet API (port 10250: exec, logs, "
                  "pod listings) that carry no credentials run as system:anonymous; combined "
                  "with AlwaysAllow authorization that is remote code execution on the node. "
                  "The flag defaults to true; a KubeletConfiguration defaults to false.",
        remediation="Pass --anonymous-auth=false, or set authentication.anonymous.enabled: false "
                    "in the KubeletConfiguration.",
        flags={KUBELET: boolean("--anonymous-auth", want=False, default=True)},
        objects={KUBELET_CONFIGURATION: field_is(("authentication", "anonymous", "enabled"),
                                                 lambda v: v is True)},
        equivalents=_eq(checkov="CKV_K8S_138"),
        references=(KUBELET_AUTH_URL, KUBELET_CONFIG_URL, CIS_URL),
    ),
    Spec(
        id="kubelet-authorization-always-allow", severity=ERROR,
        summary="The kubelet authorizes every request (AlwaysAllow).",
        problem="authorizes every request",
        rationale="With authorization mode AlwaysAllow any request that authenticates (or any "
                  "request at all, with anonymous auth on) may exec into pods and read their logs "
                  "and Secrets through the kubelet API. The flag defaults to "
                  "AlwaysAllow; a KubeletConfiguration defaults to Webhook.",
        remediation="Pass --authorization-mode=Webhook, or set authorization.mode: Webhook in the "
                    "KubeletConfiguration.",
        flags={KUBELET: value_is("--authorization-mode", lambda v: v == "AlwaysAllow",
                                 default="AlwaysAllow")},
        objects={KUBELET_CONFIGURATION: field_is(("authorization", "mode"),
                                                 lambda v: v == "AlwaysAllow")},
        equivalents=_eq(checkov="CKV_K8S_139"),
        references=(KUBELET_AUTH_URL, KUBELET_CONFIG_URL, CIS_URL),
    ),
    Spec(
        id="kubelet-client-ca-file", severity=WARNING,
        summary="The kubelet does not authenticate client certificates (client CA file).",
        problem="does not authenticate client certificates",
        rationale="Without a client CA file the kubelet cannot verify the API server's client "
                  "certificate, so requests to its API are either refused or, with anonymous auth, "
                  "unauthenticated.",
        remediation="Pass --client-ca-file, or set authentication.x509.clientCAFile in the "
                    "KubeletConfiguration.",
        flags={KUBELET: required("--client-ca-file")},
        objects={KUBELET_CONFIGURATION: _config_client_ca},
        equivalents=_eq(checkov="CKV_K8S_140"),
        references=(KUBELET_AUTH_URL, KUBELET_CONFIG_URL, CIS_URL),
    ),
    Spec(
        id="kubelet-read-only-port", severity=WARNING,
        summary="The kubelet serves its unauthenticated read-only port.",
        problem="serves the unauthenticated read-only port",
        rationale="The read-only port (10255 by default for the flag) serves pod specs, node "
                  "details and metrics over plain HTTP with no authentication. A "
                  "KubeletConfiguration defaults readOnlyPort to 0.",
        remediation="Pass --read-only-port=0, or set readOnlyPort: 0 (or leave it out) in the "
                    "KubeletConfiguration.",
        flags={KUBELET: value_is("--read-only-port", lambda v: _int(v) != 0, default="10255")},
        objects={KUBELET_CONFIGURATION: field_is(("readOnlyPort",),
                                                 lambda v: _int(v) not in (0, None))},
        equivalents=_eq(checkov="CKV_K8S_141"),
        references=(KUBELET_URL, KUBELET_CONFIG_URL, CIS_URL),
    ),
    Spec(
        id="kubelet-streaming-connection-idle-timeout", severity=INFO,
        summary="The kubelet never times out idle streaming connections.",
        problem="never times out idle streaming connections",
        rationale="--streaming-connection-idle-timeout=0 keeps idle exec, attach and "
                  "port-forward sessions open forever, exhausting the node and leaving forgotten "
                  "sessions usable. The default is 4 hours. In a KubeletConfiguration "
                  "a zero streamingConnectionIdleTimeout (kubeadm writes 0s) is replaced by that "
                  "default when the file is loaded, so only the flag is checked.",
        remediation="Remove --streaming-connection-idle-timeout=0, or set a duration such as 5m.",
        flags={KUBELET: value_is("--streaming-connection-idle-timeout", is_zero_duration)},
        equivalents=_eq(checkov="CKV_K8S_143"),
        references=(KUBELET_CONFIG_URL, CIS_URL),
    ),
    Spec(
        id="kubelet-protect-kernel-defaults", severity=INFO,
        summary="The kubelet does not protect the node's kernel tunables.",
        problem="may change kernel tunables",
        rationale="Unless protectKernelDefaults is true, the kubelet silently changes kernel "
                  "parameters it needs instead of failing on a node whose hardened sysctls differ. "
                  "It defaults to false; turning it on requires the node's sysctls "
                  "to match the kubelet's expectations first.",
        remediation="Pass --protect-kernel-defaults=true, or set protectKernelDefaults: true in "
                    "the KubeletConfiguration.",
        flags={KUBELET: boolean("--protect-kernel-defaults", want=True, default=False)},
        objects={KUBELET_CONFIGURATION: field_is(("protectKernelDefaults",),
                                                 lambda v: v is not True, default=False)},
        equivalents=_eq(checkov="CKV_K8S_144"),
        references=(KUBELET_CONFIG_URL, CIS_URL),
    ),
    Spec(
        id="kubelet-make-iptables-util-chains", severity=INFO,
        summary="The kubelet does not manage its iptables utility chains.",
        problem="does not manage its iptables chains",
        rationale="With makeIPTablesUtilChains false the kubelet stops maintaining its iptables "
                  "utility chains (such as the one that drops packets marked for dropping), so "
                  "the rules must be kept in step with pod networking by hand, and drift breaks "
                  "pod traffic or filtering. The default is true.",
        remediation="Remove --make-iptables-util-chains=false (makeIPTablesUtilChains: false in "
                    "the KubeletConfiguration).",
        flags={KUBELET: boolean("--make-iptables-util-chains", want=True, default=True)},
        objects={KUBELET_CONFIGURATION: field_is(("makeIPTablesUtilChains",),
                                                 lambda v: v is False)},
        equivalents=_eq(checkov="CKV_K8S_145"),
        options_schema=EXPLICIT_OPTION, defaults={"explicit": False},
        references=(KUBELET_CONFIG_URL, CIS_URL),
    ),
    Spec(
        id="kubelet-hostname-override", severity=INFO,
        summary="The kubelet overrides the node's host name (--hostname-override).",
        problem="overrides the node's host name",
        rationale="--hostname-override makes the node's name differ from its host name, which "
                  "can break TLS between the API server and the kubelet (the serving certificate "
                  "names the host) and confuses node identity. Some cloud providers "
                  "require it; suppress the rule there.",
        remediation="Remove --hostname-override.",
        flags={KUBELET: present("--hostname-override")},
        equivalents=_eq(checkov="CKV_K8S_146"),
        references=(KUBELET_URL, CIS_URL),
    ),
    Spec(
        id="kubelet-serving-certificate", severity=INFO,
        summary="The kubelet serves its API with a self-signed certificate.",
        problem="serves its API with a self-signed certificate",
        rationale="Without a serving certificate (tlsCertFile and tlsPrivateKeyFile) or "
                  "serverTLSBootstrap, the kubelet generates a self-signed certificate that the "
                  "API server cannot verify, so connections to the kubelet can be intercepted.",
        remediation="Set serverTLSBootstrap: true (--rotate-server-certificates) and approve the "
                    "kubelets' serving CSRs, or pass --tls-cert-file and --tls-private-key-file.",
        flags={KUBELET: _kubelet_serving_certificate},
        objects={KUBELET_CONFIGURATION: _config_serving_certificate},
        equivalents=_eq(checkov="CKV_K8S_148"),
        references=(KUBELET_TLS_URL, KUBELET_CONFIG_URL, CIS_URL),
    ),
    Spec(
        id="kubelet-certificate-rotation-disabled", severity=WARNING,
        summary="The kubelet does not rotate its client certificate.",
        problem="does not rotate its client certificate",
        rationale="Unless certificate rotation is on, the kubelet's client certificate is never "
                  "renewed: it expires and takes the node offline, or is issued for so long that a "
                  "stolen copy stays useful. Both --rotate-certificates and "
                  "rotateCertificates default to false; kubeadm sets rotateCertificates: true.",
        remediation="Pass --rotate-certificates=true, or set rotateCertificates: true in the "
                    "KubeletConfiguration.",
        flags={KUBELET: boolean("--rotate-certificates", want=True, default=False)},
        objects={KUBELET_CONFIGURATION: field_is(("rotateCertificates",),
                                                 lambda v: v is not True, default=False)},
        equivalents=_eq(checkov="CKV_K8S_149"),
        references=(KUBELET_TLS_URL + "#certificate-rotation", CIS_URL),
    ),
)


# --- the factory ---------------------------------------------------------------------------------

def _subject(cl: CommandLine) -> str:
    return f"{cl.component} in container {cl.container.name!r}"


def _applies(res: Resource, kinds: Mapping[str, ObjectCheck]) -> ObjectCheck | None:
    check = kinds.get(res.kind)
    prefix = CONFIG_KINDS.get(res.kind)
    if check is None or prefix is None or not res.api_version.startswith(prefix):
        return None
    return check


def _rule(spec: Spec) -> Rule:
    flag_checks = MappingProxyType(dict(spec.flags))
    object_checks = MappingProxyType(dict(spec.objects))

    def check(res: Resource, ctx: Context) -> Iterator[Finding]:
        opts = ctx.options
        if res.kind in WORKLOADS:
            if not flag_checks:
                return
            for cl in command_lines(res):
                predicate = flag_checks.get(cl.component)
                if predicate is None:
                    continue
                for path, detail in predicate(cl, opts):
                    yield Finding(path, f"{_subject(cl)} {spec.problem}: {detail}")
            return
        predicate = _applies(res, object_checks)
        if predicate is not None:
            for path, detail in predicate(res.obj, opts):
                yield Finding(path, f"{object_label(res)} {spec.problem}: {detail}")

    check.__name__ = check.__qualname__ = spec.id.replace("-", "_")
    kinds = frozenset(WORKLOADS if spec.flags else ()) | frozenset(spec.objects)
    return Rule(
        id=spec.id, category="control-plane", severity=spec.severity, summary=spec.summary,
        rationale=spec.rationale, remediation=spec.remediation, check=check, kinds=kinds,
        equivalents=MappingProxyType(dict(spec.equivalents)), references=spec.references,
        options_schema=spec.options_schema, defaults=MappingProxyType(dict(spec.defaults)),
    )


RULES: tuple[Rule, ...] = tuple(_rule(spec) for spec in SPECS)
