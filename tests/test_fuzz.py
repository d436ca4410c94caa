"""Fuzzing the whole pipeline: bytes -> decode -> parse -> every rule -> located diagnostics.

Inputs are the rule fixtures and a few corpus files, mutated (characters and lines deleted,
duplicated or inserted, types swapped, `null`s, anchors and aliases, tabs, deep nesting,
non-UTF-8 bytes, BOMs), plus generated manifests. Whatever comes in, kubelint must not raise,
no rule may crash (`internal-error`), and every diagnostic must lie inside the file with its end
not before its start. Hypothesis runs derandomized and without an example database, so every run
(and CI) tries the same ~200 inputs; `KUBELINT_FUZZ_SCALE=50` multiplies them for a longer hunt.
"""

from __future__ import annotations

import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubelint.config import Config
from kubelint.engine import lint_sources
from kubelint.sources import decode
from tests.conftest import ROOT, SHARED

FUZZ = settings(derandomize=True, database=None, deadline=None, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CONFIG = Config(select=("all",))
SCALE = int(os.environ.get("KUBELINT_FUZZ_SCALE", "1"))


def _seeds() -> list[bytes]:
    seeds = [p.read_bytes() for p in sorted((ROOT / "tests" / "rules").glob("*/*.yaml"))
             if p.name in ("fail.yaml", "pass.yaml")]
    corpus = SHARED / "corpus"
    if corpus.is_dir():  # a few small real files of each flavour, when the corpus is present
        for folder, pattern, count in (("realworld", "*.yaml", 12), ("helm-rendered", "*.yaml", 3),
                                       ("kube-linter/tests/checks", "*.yml", 6),
                                       ("realworld", "*.json", 2)):
            small = [p for p in sorted((corpus / folder).rglob(pattern))
                     if 200 < p.stat().st_size < 6000]
            step = max(1, len(small) // count)
            seeds += [p.read_bytes() for p in small[::step][:count]]
    return seeds


SEEDS = _seeds()

SNIPPETS = [
    "null", "~", "", "[]", "{}", "7", "-1", "0400", "yes", "'x'", '"\\u00e9"', "&a", "*a",
    "&a {x: 1}", "<<: *a", "<<: [*a, *a]", "!!str", "!!binary AA==", "? complex", "[a, {b: c}]",
    "{{ .Values.x }}", "- ", ": ", "---", "...", "# kubelint: disable", "\t", "|", ">-",
    "%YAML 1.1",
    "@", "`", "\u2028", "\x85", "\ufeff", "é", "\U0001f600", "0x1F", ".inf", "1e3", "y", "n",
    "securityContext: null", "containers: {a: b}", "volumes: 7", "privileged: true",
    "hostNetwork: true", "image: nginx", "resources: {limits: {cpu: 5}}",
    "capabilities: {add: [ALL]}",
    "kind: List", "items: [1]", "apiVersion: v1", "kind: Pod", "metadata: {name: x}",
    "[" * 50, "{a: " * 30, "- " * 40,
]
RAW_BYTES = [b"\x00", b"\xff", b"\xfe\xff", b"\xef\xbb\xbf", b"\xc3", b"\xe9", b"\r", b"\r\n",
             b"\x1b", b"\x7f", b"\xed\xa0\x80"]

_position = st.integers(min_value=0, max_value=10**6)
_snippet = st.sampled_from(SNIPPETS)
_text_op = st.one_of(
    st.tuples(st.just("delete_chars"), _position, st.integers(1, 40)),
    st.tuples(st.just("duplicate_chars"), _position, st.integers(1, 80)),
    st.tuples(st.just("insert"), _position, _snippet),
    st.tuples(st.just("insert"), _position, st.text(st.characters(codec="utf-8"), max_size=6)),
    st.tuples(st.just("delete_line"), _position, st.just(None)),
    st.tuples(st.just("duplicate_line"), _position, st.just(None)),
    st.tuples(st.just("swap_lines"), _position, _position),
    st.tuples(st.just("insert_line"), _position, _snippet),
    st.tuples(st.just("replace_value"), _position, _snippet),
    st.tuples(st.just("reindent"), _position, st.sampled_from(["", " ", "\t", "      "])),
    st.tuples(st.just("nest"), _position, st.integers(1, 300)),
)
_byte_op = st.one_of(
    st.tuples(st.just("insert_bytes"), _position, st.sampled_from(RAW_BYTES)),
    st.tuples(st.just("insert_bytes"), _position, st.binary(min_size=1, max_size=4)),
    st.tuples(st.just("encode"), st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1",
                                                  "utf-8-sig"]), st.just(None)),
)


def _apply_text(text: str, op: tuple) -> str:
    kind, where, arg = op
    if kind in ("delete_chars", "duplicate_chars", "insert"):
        i = where % (len(text) + 1)
        if kind == "delete_chars":
            return text[:i] + text[i + arg:]
        if kind == "duplicate_chars":
            return text[:i] + text[i:i + arg] + text[i:]
        return text[:i] + arg + text[i:]
    lines = text.split("\n")
    n = where % len(lines)
    if kind == "delete_line":
        del lines[n]
    elif kind == "duplicate_line":
        lines.insert(n, lines[n])
    elif kind == "swap_lines":
        m = arg % len(lines)
        lines[n], lines[m] = lines[m], lines[n]
    elif kind == "insert_line":
        indent = len(lines[n]) - len(lines[n].lstrip(" "))
        lines.insert(n, " " * indent + arg)
    elif kind == "replace_value":  # swap a value's type: `key: value` -> `key: <snippet>`
        head, sep, _ = lines[n].partition(": ")
        lines[n] = head + ": " + arg if sep else head + arg
    elif kind == "reindent":
        lines[n] = arg + lines[n].lstrip(" ")
    elif kind == "nest":  # turn a value into a deeply nested one
        head, sep, tail = lines[n].partition(": ")
        if sep:
            lines[n] = head + ": " + "[" * arg + tail + "]" * arg
    return "\n".join(lines)


def _apply_bytes(data: bytes, op: tuple) -> bytes:
    kind, where, arg = op
    if kind == "insert_bytes":
        i = where % (len(data) + 1)
        return data[:i] + arg + data[i:]
    return data.decode("utf-8", "replace").encode(where, "replace")


def check(data: bytes) -> None:
    """The invariants: no exception, no crashed rule, every diagnostic located inside the file."""
    source = decode("fuzz.yaml", data)
    result = lint_sources([source], CONFIG)
    crashed = [d.message for d in result.diagnostics if d.rule_id == "internal-error"]
    assert not crashed, crashed
    lines = source.text.split("\n") if source.text is not None else None
    for d in result.diagnostics:
        start, end = d.span.start, d.span.end
        assert start.line >= 1 and start.col >= 1, d
        assert (end.line, end.col) >= (start.line, start.col), d
        if lines is not None:
            assert end.line <= len(lines), d
            assert start.col <= len(lines[start.line - 1]) + 1, d
            assert end.col <= len(lines[end.line - 1]) + 1, d


@settings(FUZZ, max_examples=110 * SCALE)
@given(seed=st.sampled_from(SEEDS), text_ops=st.lists(_text_op, min_size=1, max_size=6),
       byte_ops=st.lists(_byte_op, max_size=1))
def test_mutated_manifests(seed, text_ops, byte_ops):
    text = seed.decode("utf-8")
    for op in text_ops:
        text = _apply_text(text, op)
    data = text.encode("utf-8", "surrogatepass")
    for op in byte_ops:
        data = _apply_bytes(data, op)
    check(data)


_KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service", "Ingress",
          "Role", "ClusterRoleBinding", "PodDisruptionBudget", "NetworkPolicy", "Secret",
          "ConfigMap", "HorizontalPodAutoscaler", "List", "Widget"]
_KEYS = ["spec", "template", "jobTemplate", "containers", "initContainers", "securityContext",
         "privileged", "capabilities", "add", "drop", "image", "name", "ports", "containerPort",
         "hostPort", "resources", "limits", "requests", "cpu", "memory", "volumes", "hostPath",
         "path", "env", "value", "valueFrom", "livenessProbe", "readinessProbe", "httpGet", "port",
         "selector", "matchLabels", "labels", "annotations", "metadata", "items", "rules", "verbs",
         "replicas", "hostNetwork", "runAsUser", "serviceAccountName",
         "automountServiceAccountToken",
         "minAvailable", "maxUnavailable", "seccompProfile", "type", "sysctls", "<<"]
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-70000, 70000),
                     st.floats(allow_nan=False, width=32), st.sampled_from(SNIPPETS + _KEYS),
                     st.text(max_size=8))
_values = st.recursive(
    _scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(_KEYS), children, max_size=5)),
    max_leaves=30)


@settings(FUZZ, max_examples=60 * SCALE)
@given(kind=st.sampled_from(_KINDS), api=st.sampled_from(["v1", "apps/v1", "batch/v1", 5]),
       body=st.dictionaries(st.sampled_from(_KEYS), _values, max_size=6),
       flow=st.booleans(), text_ops=st.lists(_text_op, max_size=2))
def test_generated_manifests(kind, api, body, flow, text_ops):
    obj = {"apiVersion": api, "kind": kind, **body}
    text = yaml.safe_dump(obj, default_flow_style=flow, allow_unicode=True, sort_keys=False)
    for op in text_ops:
        text = _apply_text(text, op)
    check(text.encode("utf-8", "surrogatepass"))


@settings(FUZZ, max_examples=30 * SCALE)
@given(data=st.binary(max_size=300), prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe",
                                                             b"\xfe\xff", b"kind: Pod\n"]))
def test_random_bytes(data, prefix):
    check(prefix + data)
