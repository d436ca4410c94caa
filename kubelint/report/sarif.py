"""`--format sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps, IDE viewers).

One run. `tool.driver.rules` holds every rule's metadata; each result points at its rule by id and
index. Columns stay in code points (`run.columnKind: "unicodeCodePoints"`). Files under the root
(the working directory unless `root=` is given) are relative URIs against `%SRCROOT%`; files
outside it are absolute `file://` URIs; standard input is the relative URI `stdin` with no base.
Suppressed diagnostics are always included, with `suppressions`, because code scanning uses them to
close alerts. Helm-rendered documents name their template as a related location: without
`--chart` only the template's path inside its chart is known (no region, base `HELM_CHARTS`); with
it, the template file and mapped line (`properties.sourceApproximate` says whether that line is
proven).

This module also holds the helpers the other machine formats share: the rule documentation URL and
file -> URI conversion.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from kubelint import __version__
from kubelint.model import Diagnostic, LintResult, Severity, Span, format_path
from kubelint.rule import Rule

SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                "sarif-schema-2.1.0.json")
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/kubelint/kubelint"
RULE_DOCS_URL = INFORMATION_URI + "/blob/main/docs/rules/"
"""Where `docs/rules/<id>.md` is published; every machine format links rules through here."""

SRCROOT = "%SRCROOT%"
HELM_CHARTS = "HELM_CHARTS"
"""Base of Helm template paths (`<chart>/templates/<file>`): the folder holding the chart, which
kubelint does not know, so it is left for the consumer to resolve (SARIF 2.1.0 §3.14.14)."""
STDIN = "-"
STDIN_URI = "stdin"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT_KEY = "kubelint/v1"


CUSTOM_RULES_URL = INFORMATION_URI + "/blob/main/docs/custom-rules.md"
"""What rules that are not built in (custom, kube-linter checks, plugins, policies) link to."""


def rule_doc_url(rule_id: str) -> str:
    """The documentation page of a rule."""
    from kubelint.rules import by_id

    try:
        by_id(rule_id)
    except KeyError:
        return CUSTOM_RULES_URL
    return f"{RULE_DOCS_URL}{quote(rule_id)}.md"


def resolve_root(root: str | None) -> str:
    return os.path.abspath(root if root is not None else os.getcwd())


def absolute_path(file: str, root: str) -> str:
    """`file` (as given on the command line) made absolute against `root`, lexically."""
    return os.path.normpath(os.path.join(root, file))


def relative_path(file: str, root: str) -> str | None:
    """`file` relative to `root` with forward slashes, or None when it lies outside `root`."""
    full = absolute_path(file, root)
    try:
        rel = os.path.relpath(full, root)
    except ValueError:  # another drive on Windows
        return None
    if rel == os.pardir or rel.startswith(os.pardir + os.sep) or os.path.isabs(rel):
        return None
    return PurePath(rel).as_posix()


def file_uri(file: str, root: str) -> str:
    """An absolute `file://` URI for `file` (percent-encoded)."""
    return Path(absolute_path(file, root)).as_uri()


def artifact_location(file: str, root: str) -> dict[str, Any]:
    if file == STDIN:
        return {"uri": STDIN_URI, "description": {"text": "standard input"}}
    rel = relative_path(file, root)
    if rel is None:
        return {"uri": file_uri(file, root)}
    return {"uri": quote(rel, safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}


def region(span: Span) -> dict[str, int]:
    start, end = span.start, span.end
    start_line, start_col = max(start.line, 1), max(start.col, 1)
    end_line, end_col = max(end.line, 1), max(end.col, 1)
    if (end_line, end_col) < (start_line, start_col):
        end_line, end_col = start_line, start_col
    return {"startLine": start_line, "startColumn": start_col,
            "endLine": end_line, "endColumn": end_col}


def suppression(suppressed_by: str) -> dict[str, Any]:
    """`inline: ...` and `annotation: ...` live in the source; the others (`config: ...`,
    `baseline: ...`, a finding another rule reports) outside it."""
    kind = "inSource" if suppressed_by.startswith(("inline:", "annotation:")) else "external"
    return {"kind": kind, "status": "accepted", "justification": suppressed_by}


def _text(s: str) -> dict[str, str]:
    return {"text": s}


def reporting_descriptor(rule: Rule) -> dict[str, Any]:
    url = rule_doc_url(rule.id)
    refs = "".join(f"\n- <{r}>" for r in rule.references)
    markdown = (f"{rule.remediation}\n\n[Rule documentation]({url})"
                + (f"\n\nReferences:\n{refs}" if refs else ""))
    text = f"{rule.remediation}\nSee {url}" + "".join(f"\n{r}" for r in rule.references)
    out: dict[str, Any] = {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": _text(rule.summary),
        "fullDescription": _text(rule.rationale),
        "helpUri": url,
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity],
                                 "enabled": rule.default_enabled},
        "properties": {"category": rule.category, "tags": ["kubernetes", rule.category]},
    }
    if rule.aliases:
        out["deprecatedIds"] = list(rule.aliases)
    return out


def _identity(d: Diagnostic, uri: str) -> str:
    """What makes a finding the same finding across edits: no line or column numbers."""
    r = d.resource
    resource = "" if r is None else "/".join(x or "" for x in (r.api_version, r.kind,
                                                                   r.namespace, r.name))
    where = format_path(d.path) if d.path else d.message
    return "\0".join((d.rule_id, uri, resource, where))


def fingerprints(diagnostics: Sequence[Diagnostic], uris: Sequence[str]) -> list[str]:
    """A stable hash per diagnostic; repeats of one identity are numbered in order."""
    seen: dict[str, int] = {}
    out = []
    for d, uri in zip(diagnostics, uris):
        ident = _identity(d, uri)
        n = seen.get(ident, 0)
        seen[ident] = n + 1
        digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        out.append(f"{digest}:{n + 1}")
    return out


def result_dict(d: Diagnostic, root: str, rule_index: Mapping[str, int],
                fingerprint: str) -> dict[str, Any]:
    out: dict[str, Any] = {"ruleId": d.rule_id}
    if d.rule_id in rule_index:
        out["ruleIndex"] = rule_index[d.rule_id]
    out["level"] = LEVELS[d.severity]
    out["message"] = _text(d.message)
    out["locations"] = [{"physicalLocation": {"artifactLocation": artifact_location(d.file, root),
                                              "region": region(d.span)}}]
    out["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint}
    related: list[dict[str, Any]] = []
    if d.origin is not None and d.origin.file is not None:
        line = d.origin.line or 1
        note = " (the line is approximate)" if d.origin.approximate else ""
        related.append({
            "physicalLocation": {"artifactLocation": artifact_location(d.origin.file, root),
                                 "region": {"startLine": line}},
            "message": _text(f"rendered from {d.origin.template}{note}")})
    elif d.origin is not None:
        related.append({
            "physicalLocation": {"artifactLocation": {"uri": quote(d.origin.template, safe="/",
                                                                   errors="surrogateescape"),
                                                      "uriBaseId": HELM_CHARTS}},
            "message": _text(f"rendered from Helm template {d.origin.template}")})
    for r in d.related:
        related.append({
            "physicalLocation": {"artifactLocation": artifact_location(r.file, root),
                                 "region": region(r.span)},
            "message": _text(r.message)})
    if related:
        out["relatedLocations"] = [{"id": i, **loc} for i, loc in enumerate(related)]
    if d.suppressed_by is not None:
        out["suppressions"] = [suppression(d.suppressed_by)]
    props: dict[str, Any] = {}
    if d.path:
        props["path"] = format_path(d.path)
    if d.resource is not None:
        r = d.resource
        fields = {"apiVersion": r.api_version, "kind": r.kind, "namespace": r.namespace,
                  "name": r.name}
        props["resource"] = {k: v for k, v in fields.items() if v is not None}
    if d.origin is not None:
        props["helmTemplate"] = d.origin.template
        if d.origin.file is not None:
            props["sourceApproximate"] = d.origin.approximate
    if d.fix is not None:
        props["fix"] = d.fix.title
    if props:
        out["properties"] = props
    return out


def sarif_log(result: LintResult, rules: Sequence[Rule] = (), *,
              root: str | None = None) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict."""
    base = resolve_root(root)
    rule_index = {r.id: i for i, r in enumerate(rules)}
    diagnostics = sorted(result.diagnostics, key=Diagnostic.sort_key)
    uris = [artifact_location(d.file, base)["uri"] for d in diagnostics]
    prints = fingerprints(diagnostics, uris)
    root_uri = Path(base).as_uri()
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "kubelint",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": [reporting_descriptor(r) for r in rules],
        }},
        "invocations": [{"executionSuccessful": True}],
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri if root_uri.endswith("/")
                                         else root_uri + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [result_dict(d, base, rule_index, fp) for d, fp in zip(diagnostics, prints)],
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(result: LintResult, rules: Sequence[Rule] = (), *, root: str | None = None,
           **_: Any) -> str:
    """SARIF always carries suppressed results (`show_suppressed` does not apply)."""
    return json.dumps(sarif_log(result, rules, root=root), indent=2, ensure_ascii=False) + "\n"
