"""The located YAML parser: YAML 1.1 as Kubernetes reads it, positions, recovery, the corpus."""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import pytest
import yaml

from kubelint.parse import MAX_DEPTH, Document, ParseResult, key_text, parse_text
from kubelint.sources import decode


def one(text: str) -> Document:
    result = parse_text(text)
    assert result.problems == [], result.problems
    assert len(result.documents) == 1
    return result.documents[0]


def problems(result: ParseResult) -> list[tuple[str, int, int]]:
    """(rule, 1-based line, 1-based column) of every problem, file-level and per document."""
    found = list(result.problems) + [p for d in result.documents for p in d.problems]
    return sorted((p.rule_id, p.line + 1, p.col + 1) for p in found)


def key_at(doc: Document, *path: str | int) -> tuple[int, int]:
    """1-based line and column where the key (or item) at `path` starts."""
    marks = doc.positions[path]
    return marks[0] + 1, marks[1] + 1


def value_at(doc: Document, *path: str | int) -> tuple[int, int, int, int]:
    """1-based start and end (line, column) of the value at `path`."""
    m = doc.positions[path]
    return m[4] + 1, m[5] + 1, m[6] + 1, m[7] + 1


# --- scalars -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("plain", "expected"), [
    # YAML 1.1 booleans, as go-yaml v2 (Kubernetes) resolves them
    ("y", True), ("Y", True), ("yes", True), ("Yes", True), ("YES", True), ("on", True),
    ("On", True), ("ON", True), ("true", True), ("True", True), ("TRUE", True),
    ("n", False), ("N", False), ("no", False), ("No", False), ("NO", False), ("off", False),
    ("Off", False), ("OFF", False), ("false", False), ("False", False), ("FALSE", False),
    ("yEs", "yEs"), ("tRUE", "tRUE"),
    # integers: leading zero is octal, 0x hex, 0b binary, underscores ignored
    ("0400", 256), ("0644", 420), ("0", 0), ("-0", 0), ("+12", 12), ("0x1F", 31), ("-0x1f", -31),
    ("0b101", 5), ("0o17", 15), ("1_000", 1000), ("1__0", 10),
    # floats (go-yaml's float syntax: `08` is not octal, so it is the float 8)
    ("1.5", 1.5), (".5", 0.5), ("-.5", -0.5), ("1.", 1.0), ("1e3", 1000.0),
    ("6.8523015e+5", 685230.15),
    ("685.230_15e+03", 685230.15), ("08", 8.0), (".inf", math.inf), ("-.Inf", -math.inf),
    ("+.INF", math.inf),
    # nulls
    ("~", None), ("null", None), ("Null", None), ("NULL", None),
    # strings: no sexagesimal, no timestamps (go-yaml keeps them as text), no YAML 1.2 forms
    ("1:20", "1:20"), ("190:20:30", "190:20:30"), ("2001-12-14", "2001-12-14"), ("_1", "_1"),
    ("0x", "0x"), ("1.2.3", "1.2.3"), ("nul", "nul"), ("=", "="), ("<<x", "<<x"),
])
def test_plain_scalars_resolve_as_kubernetes_does(plain, expected):
    value = one(f"v: {plain}\n").root["v"]
    assert value == expected
    assert type(value) is type(expected)


def test_nan():
    assert math.isnan(one("v: .nan\n").root["v"])


def test_empty_value_is_null():
    assert one("a:\nb: ''\n").root == {"a": None, "b": ""}


@pytest.mark.parametrize("quoted", ["'yes'", '"yes"', "'0400'", '"1e3"', "'~'", '"null"', "'y'"])
def test_quoted_scalars_stay_strings(quoted):
    assert one(f"v: {quoted}\n").root["v"] == quoted[1:-1]


@pytest.mark.parametrize(("tagged", "expected"), [
    ("!!str 0400", "0400"), ("!!str yes", "yes"), ("!!int '12'", 12), ("!!float 3", 3.0),
    ("!!bool yes", True), ("!!null ''", None), ("!custom 5", "5"), ("! 5", "5"),
    ("!!int nope", "nope"),
])
def test_tagged_scalars(tagged, expected):
    value = one(f"v: {tagged}\n").root["v"]
    assert value == expected
    assert type(value) is type(expected)


def test_keys_are_strings_as_after_kubernetes_yaml_to_json():
    # sigs.k8s.io/yaml turns the YAML 1.1 boolean key `y` into "true", 1 into "1", ~ into "null"
    doc = one("y: a\nn: b\n1: c\n0x10: d\n~: e\n")
    assert doc.root == {"true": "a", "false": "b", "1": "c", "16": "d", "null": "e"}
    assert key_at(doc, "true") == (1, 1)
    assert [key_text(k) for k in (True, False, None, 3, "x")] == ["true", "false", "null", "3", "x"]


# --- structure -----------------------------------------------------------------------------------

def test_duplicate_key_reported_at_second_key_and_last_wins():
    result = parse_text("metadata:\n  name: a\n  labels: {}\n  name: b\n")
    doc = result.documents[0]
    assert doc.root == {"metadata": {"name": "b", "labels": {}}}
    assert problems(result) == [("duplicate-key", 4, 3)]
    assert "'name'" in doc.problems[0].message
    assert key_at(doc, "metadata", "name") == (4, 3)


def test_duplicate_key_after_resolution():
    # `on` and `true` are the same key once resolved
    result = parse_text("on: 1\ntrue: 2\n")
    assert result.documents[0].root == {"true": 2}
    assert problems(result) == [("duplicate-key", 2, 1)]


def test_merge_keys():
    text = ("base: &base\n  a: 1\n  b: 2\nextra: &extra\n  c: 3\n"
            "m:\n  <<: [*base, *extra]\n  b: 20\n")
    doc = one(text)
    assert doc.root["m"] == {"a": 1, "b": 20, "c": 3}
    # explicit keys keep their own positions; merged keys point at the `<<` key
    assert key_at(doc, "m", "b") == (8, 3)
    assert key_at(doc, "m", "a") == (7, 3)
    assert key_at(doc, "m", "c") == (7, 3)
    assert ("m", "<<") not in doc.positions


def test_merge_key_first_source_wins_like_pyyaml():
    text = "a: &a {p: 1}\nb: &b {p: 2, q: 2}\nc:\n  <<: [*a, *b]\n"
    assert one(text).root["c"] == {"p": 1, "q": 2}
    assert one(text).root["c"] == yaml.load(text, Loader=yaml.CSafeLoader)["c"]


def test_anchors_and_aliases():
    doc = one("env: &env\n  - name: A\n    value: '1'\nother:\n  env: *env\n")
    assert doc.root["other"]["env"] == [{"name": "A", "value": "1"}]
    # nodes reached through an alias have no position of their own: locate falls back to the key
    assert key_at(doc, "other", "env") == (5, 3)
    assert ("other", "env", 0) not in doc.positions
    assert key_at(doc, "env", 0, "name") == (2, 5)


def test_undefined_alias_loses_only_its_document():
    result = parse_text("a: 1\n---\nb: *nowhere\nc: 2\n---\nd: 3\n")
    assert [d.root for d in result.documents] == [{"a": 1}, {"d": 3}]
    assert problems(result) == [("yaml-syntax", 3, 4)]
    assert "*nowhere" in result.problems[0].message


def test_anchor_does_not_cross_documents():
    result = parse_text("a: &x 1\n---\nb: *x\n")
    assert [d.root for d in result.documents] == [{"a": 1}]
    assert problems(result) == [("yaml-syntax", 3, 4)]


def test_recursive_alias():
    result = parse_text("a: &a [1, *a]\n")
    assert result.documents == []
    assert problems(result) == [("yaml-syntax", 1, 11)]


@pytest.mark.parametrize("text", ["config: {{config_data}}\n", "? [a, b]\n: 1\n"])
def test_collection_as_key_is_a_syntax_problem(text):
    # go-yaml fails such a document ("invalid map key"); an unrendered {{ }} placeholder
    result = parse_text(text + "---\nok: 1\n")
    assert [d.root for d in result.documents] == [{"ok": 1}]
    assert [p[0] for p in problems(result)] == ["yaml-syntax"]


def test_flow_collections_positions():
    doc = one("a: 1\nspec: {ports: [80, {port: 443, name: https}], type: LoadBalancer}\n")
    assert doc.root["spec"] == {"ports": [80, {"port": 443, "name": "https"}],
                                "type": "LoadBalancer"}
    assert key_at(doc, "spec") == (2, 1)
    assert value_at(doc, "spec") == (2, 7, 2, 66)  # the end is after the closing brace
    assert key_at(doc, "spec", "ports") == (2, 8)
    assert value_at(doc, "spec", "ports") == (2, 15, 2, 45)
    assert key_at(doc, "spec", "ports", 0) == (2, 16)
    assert value_at(doc, "spec", "ports", 0) == (2, 16, 2, 18)
    assert key_at(doc, "spec", "ports", 1) == (2, 20)
    assert value_at(doc, "spec", "ports", 1) == (2, 20, 2, 44)
    assert key_at(doc, "spec", "ports", 1, "name") == (2, 32)
    assert value_at(doc, "spec", "ports", 1, "name") == (2, 38, 2, 43)
    assert key_at(doc, "spec", "type") == (2, 47)


def test_block_positions_key_value_and_item():
    text = ("spec:\n  containers:\n    - name: app\n      securityContext:\n"
            "        capabilities:\n          add: [NET_RAW]\n")
    doc = one(text)
    assert value_at(doc, "spec", "containers") == (3, 5, 6, 25)  # from the `-`
    assert key_at(doc, "spec", "containers", 0) == (3, 7)  # an item starts at its content
    assert key_at(doc, "spec", "containers", 0, "securityContext") == (4, 7)
    assert value_at(doc, "spec", "containers", 0, "securityContext") == (5, 9, 6, 25)
    path = ("spec", "containers", 0, "securityContext", "capabilities", "add", 0)
    assert key_at(doc, *path) == (6, 17)
    assert value_at(doc, *path) == (6, 17, 6, 24)


def test_multi_document_positions_are_absolute():
    text = "# header\na: 1\n---\nb:\n  c: 2\n---\n\n---\n- x\n- z\n"
    result = parse_text(text)
    assert result.problems == []
    docs = result.documents
    assert [d.index for d in docs] == [0, 1, 2]  # empty documents are not counted
    assert [d.root for d in docs] == [{"a": 1}, {"b": {"c": 2}}, ["x", "z"]]
    assert key_at(docs[0], "a") == (2, 1)
    assert key_at(docs[1], "b", "c") == (5, 3)
    assert key_at(docs[2], 1) == (10, 3)
    assert docs[1].positions[()][0] + 1 == 4


HELM_RENDERED = """\
---
# Source: web/templates/empty.yaml
---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: release-web
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: written-by-hand
---
# Source: web/charts/redis/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-redis
  labels:
    heritage: Helm
"""


def test_helm_source_origins_per_document():
    """Modelled on helm-rendered/: `---` then `# Source: <chart>/templates/<file>`, some empty."""
    result = parse_text(HELM_RENDERED)
    assert result.problems == []
    got = [(d.root["metadata"]["name"], d.origin, key_at(d, "metadata", "name")[0])
           for d in result.documents]
    assert got == [("release-web", "web/templates/service.yaml", 8),
                   ("written-by-hand", None, 13),
                   ("release-redis", "web/charts/redis/templates/deployment.yaml", 19)]


def test_helm_origins_on_the_corpus(shared: Path):
    """Each rendered document's origin is the `# Source:` line between its `---` and first key."""
    checked = 0
    for path in sorted((shared / "corpus" / "helm-rendered").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "# Source:" not in text:
            continue
        lines = text.split("\n")
        for doc in parse_text(text).documents:
            expected = None
            i = doc.positions[()][0] - 1
            while i >= 0 and not lines[i].startswith("---"):
                m = re.match(r"# Source: (\S.*?)\s*$", lines[i])
                expected = expected or (m.group(1) if m else None)
                i -= 1
            assert doc.origin == expected, (path, doc.index)
            checked += 1
    assert checked > 500


def test_recovery_after_a_syntax_error():
    text = "a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n  e: 5\n---\nf: {g: 6}\n"
    result = parse_text(text)
    assert [d.root for d in result.documents] == [{"a": 1}, {"f": {"g": 6}}]
    assert [d.index for d in result.documents] == [0, 1]
    assert problems(result) == [("yaml-syntax", 4, 2), ("yaml-syntax", 7, 4)]
    assert key_at(result.documents[1], "f", "g") == (9, 5)


def test_syntax_error_in_first_document_keeps_the_rest():
    result = parse_text("a: b: c\n---\nok: 1\n")
    assert [d.root for d in result.documents] == [{"ok": 1}]
    assert problems(result) == [("yaml-syntax", 1, 5)]
    assert result.problems[0].message.startswith("invalid YAML: ")


@pytest.mark.parametrize("char", ["\x01", "\x7f", "\ud800", "\x00"])
def test_forbidden_character_loses_only_its_document(char):
    result = parse_text(f"é: 1\n---\nb: x{char}\n---\nc: 2\n")
    assert [d.root for d in result.documents] == [{"é": 1}, {"c": 2}]
    assert problems(result) == [("yaml-syntax", 3, 5)]
    assert f"U+{ord(char):04X}" in result.problems[0].message


def test_crlf_line_endings():
    lf = "a: 1\nb:\n  c: [x, y]\n---\nd: 'q'\n"
    crlf_result = parse_text(lf.replace("\n", "\r\n"))
    lf_result = parse_text(lf)
    assert [d.root for d in crlf_result.documents] == [d.root for d in lf_result.documents]
    assert [d.positions for d in crlf_result.documents] == \
        [d.positions for d in lf_result.documents]


@pytest.mark.parametrize("brk", ["\u2028", "\u2029", "\x85"])
def test_unusual_line_breaks_do_not_shift_positions(brk):
    # libyaml counts NEL/LS/PS as line breaks; files, editors and grep count "\n" only
    text = f"# note{brk}\na: 1\n---\nc: 'x{brk}y'\nb: 2\nb: 3\n"
    result = parse_text(text)
    assert [d.root["b" if d.index else "a"] for d in result.documents] == [1, 3]
    # inside a quoted value the break folds as YAML 1.1 says (NEL to a space, LS/PS kept)
    assert result.documents[1].root["c"] in (f"x{brk}y", "x y")
    assert key_at(result.documents[0], "a") == (2, 1)
    assert key_at(result.documents[1], "b") == (6, 1)
    assert problems(result) == [("duplicate-key", 6, 1)]


def test_line_separator_inside_a_quoted_value():
    doc = one('a: "x\u2028y"\nb: 1\n')
    assert doc.root == {"a": "x\u2028y", "b": 1}
    assert key_at(doc, "b") == (2, 1)


def test_lone_carriage_return():
    doc = one("a: 1\rb: 2\n")
    assert doc.root == {"a": 1, "b": 2}
    assert key_at(doc, "b") == (1, 6)  # one "\n"-counted line


def test_bom():
    source = decode("x.yaml", b"\xef\xbb\xbfa: 1\nb: 2\n")
    doc = one(source.text)
    assert key_at(doc, "b") == (2, 1)
    assert one("\ufeffa: 1\n").positions[("a",)][:2] == (0, 0)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n---\n", "--- null\n",
                                  "--- ~\n...\n"])
def test_empty_input(text):
    result = parse_text(text)
    assert result.documents == [] and result.problems == []


def test_tabs():
    assert one("a:\t1\nb: \"\tx\"\n").root == {"a": 1, "b": "\tx"}
    result = parse_text("a:\n\t- b\n")
    assert problems(result) == [("yaml-syntax", 2, 1)]


def test_alias_bomb_is_bounded():
    text = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        text += f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    start = time.perf_counter()
    result = parse_text(text + "---\nok: 1\n")
    assert time.perf_counter() - start < 1.0
    assert [d.root for d in result.documents] == [{"ok": 1}]
    assert [p[0] for p in problems(result)] == ["yaml-too-complex"]


@pytest.mark.parametrize("text", [
    "a: " + "[" * 3000 + "]" * 3000 + "\n",
    "a: " + "{b: " * 3000 + "1" + "}" * 3000 + "\n",
    "".join("  " * i + f"k{i}:\n" for i in range(3000)),
    "- " * 3000 + "x\n",
])
def test_deep_nesting_is_bounded(text):
    start = time.perf_counter()
    result = parse_text(text)
    assert time.perf_counter() - start < 2.0
    assert result.documents == []
    assert [p[0] for p in problems(result)] == ["yaml-too-complex"]
    assert f"{MAX_DEPTH}" in result.problems[0].message


def test_nesting_below_the_limit_is_fine():
    depth = MAX_DEPTH - 1
    doc = one("a: " + "[" * depth + "]" * depth + "\n")
    node = doc.root["a"]
    for _ in range(depth - 1):
        node = node[0]
    assert node == []


# --- the shared corpus ---------------------------------------------------------------------------

CORPUS_FOLDERS = ("realworld", "helm-rendered", "kube-linter", "helm-charts")


def _corpus_files(shared: Path) -> list[Path]:
    corpus = shared / "corpus"
    return [p for folder in CORPUS_FOLDERS for p in sorted((corpus / folder).rglob("*"))
            if p.is_file() and p.suffix in (".yaml", ".yml", ".json", ".tpl")]


class _KubernetesLoader(yaml.CSafeLoader):
    """PyYAML's C loader with go-yaml v2's implicit scalars: y/n booleans, octal `0400`, floats
    such as `1e3` and `08`, and no sexagesimal numbers, timestamps or `=` value tag."""


_KubernetesLoader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    ("bool", r"y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",
     "yYnNtTfFoO"),
    ("int", r"[-+]?0b[0-1_]+|[-+]?0[0-7_]*|[-+]?[1-9][0-9_]*|[-+]?0x[0-9a-fA-F_]+",
     "-+0123456789"),
    ("float", r"[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
              r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)", "-+0123456789."),
    ("merge", r"<<", "<"),
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
):
    _KubernetesLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}",
                                            re.compile(f"^(?:{_regexp})$"), list(_first))


def _float(loader: yaml.CSafeLoader, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node).replace("_", "").lower()
    return float(text.replace(".inf", "inf").replace(".nan", "nan"))


_KubernetesLoader.add_constructor("tag:yaml.org,2002:float", _float)


def _normal(value):
    """Keys as Kubernetes' YAML-to-JSON step writes them; NaN made comparable."""
    if isinstance(value, dict):
        return {key_text(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def test_corpus_never_raises_and_matches_pyyaml(shared: Path):
    """parse_text over every corpus file: never raises; where PyYAML (with Kubernetes' scalar
    rules) reads a file, our values are the same, document for document."""
    compared = unreadable = 0
    for path in _corpus_files(shared):
        source = decode(str(path), path.read_bytes())
        assert source.text is not None, path
        result = parse_text(source.text)
        assert isinstance(result, ParseResult)
        try:
            expected = [_normal(d) for d in yaml.load_all(source.text, Loader=_KubernetesLoader)
                        if d is not None]
        except yaml.YAMLError:
            unreadable += 1
            # PyYAML rejects it: we report a problem, or read it as go-yaml would (below)
            continue
        assert [_normal(d.root) for d in result.documents] == expected, path
        compared += 1
    assert compared > 1900 and unreadable < 120, (compared, unreadable)


def _parse_status(shared: Path) -> list[dict]:
    return yaml.safe_load((shared / "corpus" / "parse-status.yaml").read_text())["files"]


ACCEPTED_BY_LIBYAML = {
    # libyaml (and so go-yaml, a port of it) allows a tab after a value; PyYAML's pure-Python
    # scanner, which wrote parse-status.yaml, does not.
    "realworld/kubernetes-engine-samples/ai-ml/vllm-tpu/vllm-llama3-70b.yaml",
}


def test_parse_status_files(shared: Path):
    """Files some loaders reject are reported, or read the way Kubernetes reads them."""
    corpus = shared / "corpus"
    for entry in _parse_status(shared):
        path, category = corpus / entry["file"], entry["category"]
        source = decode(str(path), path.read_bytes())
        assert source.text is not None
        result = parse_text(source.text)
        rules = {p[0] for p in problems(result)}
        if category == "duplicate-keys":
            assert "duplicate-key" in rules, path
            assert "yaml-syntax" not in rules, path
        elif category in ("broken-upstream", "intentionally-invalid"):
            if entry["file"] in ACCEPTED_BY_LIBYAML:
                assert rules == set() and result.documents, path
            else:
                assert "yaml-syntax" in rules, path
        elif category == "template-placeholders":
            # `key: {{placeholder}}` is a flow mapping used as a key: go-yaml fails the document
            assert "yaml-syntax" in rules, path
        elif category == "json-with-tabs":
            # libyaml accepts tabs as separators inside flow collections, as JSON does
            assert rules == set(), path
            assert result.documents and isinstance(result.documents[0].root, dict)
        elif category == "yaml11-value-tag":
            # a plain `=` is the string "=" in go-yaml (PyYAML wants a constructor for it)
            assert rules == set(), path
            assert "=" in repr(result.documents[0].root)
        elif category == "helm-template-source":
            pass  # Go templates: anything but an exception goes (discover() skips them)
        else:  # a category this test does not know yet
            pytest.fail(f"unknown parse-status category {category!r} for {path}")


def test_parse_status_duplicate_key_positions(shared: Path):
    """The duplicate is reported at the second key, on the line ruamel.yaml names."""
    for entry in _parse_status(shared):
        if entry["category"] != "duplicate-keys":
            continue
        path = shared / "corpus" / entry["file"]
        text = path.read_text(encoding="utf-8")
        result = parse_text(text)
        dup = [p for d in result.documents for p in d.problems if p.rule_id == "duplicate-key"]
        first = re.search(r'found duplicate key "([^"]+)"', entry["ruamel_safe"]).group(1)
        lines = text.split("\n")
        for p in dup:
            key = re.search(r"duplicate key '([^']+)'", p.message).group(1)
            assert lines[p.line][p.col:].startswith(key + ":"), (path, p)
        assert any(f"'{first}'" in p.message for p in dup), path
