"""Baselines: the findings a project accepts for now, so that only new ones are reported.

A finding is recorded by rule, file, resource (apiVersion, kind, namespace, name) and YAML path,
never by line, so that edits elsewhere in a file do not invalidate it; a count per key records
identical findings. The file is JSON, sorted, with a `version` field. Files are stored relative to
a root (the baseline file's folder), so the baseline holds whether kubelint is run as
`kubelint lint k8s/` or `kubelint lint ./k8s`.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from kubelint.errors import UsageError
from kubelint.model import Diagnostic, LintResult, format_path

VERSION = 1
PREFIX = "baseline: "
"""How a baselined diagnostic's `suppressed_by` starts (then the baseline file's name)."""

RESOURCE_FIELDS = ("apiVersion", "kind", "namespace", "name")

Key = tuple[str, str, tuple[str | None, ...] | None, str]
"""(rule, file, (apiVersion, kind, namespace, name) or None, path)."""


class BaselineError(UsageError):
    """A baseline file that cannot be read or is not a kubelint baseline."""


def relative_file(name: str, root: str) -> str:
    """`name` (as the diagnostics give it) relative to `root`, with `/` separators; standard input
    stays `-`."""
    if name == "-":
        return name
    full = os.path.abspath(name)
    try:
        rel = os.path.relpath(full, os.path.abspath(root))
    except ValueError:  # another drive on Windows
        rel = full
    return rel.replace(os.sep, "/")


def key_of(d: Diagnostic, root: str, files: dict[str, str] | None = None) -> Key:
    """The diagnostic's baseline key; `files` caches file names made relative to `root`."""
    files = {} if files is None else files
    file = files.get(d.file)
    if file is None:
        file = files[d.file] = relative_file(d.file, root)
    res = d.resource
    resource = None if res is None else (res.api_version, res.kind, res.namespace, res.name)
    return (d.rule_id, file, resource, format_path(d.path))


def _sort_key(item: tuple[Key, int]) -> tuple:
    (rule, file, resource, path), _ = item
    return (file, tuple(v or "" for v in resource or ()), path, rule)


def dumps(diagnostics: Iterable[Diagnostic], root: str) -> str:
    """The baseline recording the unsuppressed `diagnostics`, as JSON text."""
    files: dict[str, str] = {}
    counts = Counter(key_of(d, root, files) for d in diagnostics if d.suppressed_by is None)
    findings = []
    for (rule, file, resource, path), n in sorted(counts.items(), key=_sort_key):
        findings.append({
            "rule": rule, "file": file,
            "resource": None if resource is None else dict(zip(RESOURCE_FIELDS, resource)),
            "path": path, "count": n})
    # one finding per line, so that a diff of the baseline shows one line per finding
    lines = ",\n".join("    " + json.dumps(f, ensure_ascii=False) for f in findings)
    body = f"[\n{lines}\n  ]" if findings else "[]"
    return f'{{\n  "version": {VERSION},\n  "tool": "kubelint",\n  "findings": {body}\n}}\n'


def loads(text: str, source: str) -> Counter[Key]:
    """Read a baseline's text (from the file `source`, named in errors) into counts per key."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise BaselineError(f"{source}: not a kubelint baseline: invalid JSON ({exc})") from None
    if not isinstance(doc, dict) or "findings" not in doc or "version" not in doc:
        raise BaselineError(f"{source}: not a kubelint baseline (expected an object with "
                            "`version` and `findings`; write one with --write-baseline)")
    if doc["version"] != VERSION:
        raise BaselineError(f"{source}: unsupported baseline version {doc['version']!r} "
                            f"(this kubelint reads version {VERSION})")
    findings = doc["findings"]
    if not isinstance(findings, list):
        raise BaselineError(f"{source}: `findings` must be a list")
    counts: Counter[Key] = Counter()
    for i, entry in enumerate(findings):
        key, n = _entry(entry, f"{source}: findings[{i}]")
        counts[key] += n
    return counts


def _entry(entry: Any, where: str) -> tuple[Key, int]:
    if not isinstance(entry, dict):
        raise BaselineError(f"{where}: expected an object")
    for name in ("rule", "file", "path"):
        if not isinstance(entry.get(name), str):
            raise BaselineError(f"{where}.{name}: expected a string")
    count = entry.get("count", 1)
    if type(count) is not int or count < 1:
        raise BaselineError(f"{where}.count: expected a positive integer")
    res = entry.get("resource")
    resource = None
    if res is not None:
        if not isinstance(res, dict) or not all(
                isinstance(res.get(f), (str, type(None))) for f in RESOURCE_FIELDS):
            raise BaselineError(f"{where}.resource: expected null or an object with "
                                f"{', '.join(RESOURCE_FIELDS)} (strings or null)")
        resource = tuple(res.get(f) for f in RESOURCE_FIELDS)
    return (entry["rule"], entry["file"], resource, entry["path"]), count


def apply(result: LintResult, baseline: Counter[Key], root: str, label: str) -> LintResult:
    """Mark the unsuppressed diagnostics recorded in `baseline` as suppressed by it (`label`
    names the file). Where a key has more diagnostics than its count, the first ones in report
    order are the baselined ones."""
    left = Counter(baseline)
    out = []
    files: dict[str, str] = {}
    for d in result.diagnostics:
        if d.suppressed_by is None:
            key = key_of(d, root, files)
            if left[key] > 0:
                left[key] -= 1
                d = replace(d, suppressed_by=PREFIX + label)
        out.append(d)
    return replace(result, diagnostics=tuple(out))


def stale(baseline: Counter[Key], result: LintResult, root: str, linted: Iterable[str]) -> int:
    """How many findings the baseline records in the `linted` files that no longer occur (they
    were fixed: writing the baseline again drops them)."""
    files: dict[str, str] = {}
    linted_files = {relative_file(name, root) for name in linted}
    used = Counter(key_of(d, root, files) for d in result.diagnostics
                   if d.suppressed_by is not None and d.suppressed_by.startswith(PREFIX))
    return sum(max(n - used[key], 0) for key, n in baseline.items() if key[1] in linted_files)


def baselined(result: LintResult) -> int:
    """How many of the result's diagnostics a baseline suppressed."""
    return sum(1 for d in result.diagnostics
               if d.suppressed_by is not None and d.suppressed_by.startswith(PREFIX))
