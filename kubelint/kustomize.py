"""Kustomize: render a kustomization folder named on the command line, and map what is found in
the output back to the files it came from.

`kubelint lint DIR`, where DIR holds a `kustomization.yaml` (`.yml`, `Kustomization`), lints what
`kustomize build DIR` (or `kubectl kustomize DIR`) prints, as one virtual file named
`DIR (kustomize build)`. Folders found while walking a tree are linted file by file as before
(rendering every base and overlay would lint each base many times).

To know where each rendered object came from, DIR is built through a wrapping kustomization in a
temporary folder that lists DIR as its only resource and asks for `buildMetadata:
[originAnnotations]`; each object's `config.kubernetes.io/origin` annotation is then removed (so
the text, and its line numbers, are those `kustomize build DIR` prints) and kept as the
document's origin (`SourceFile.origins`). When the wrapper cannot be built (DIR on another drive,
a kustomize too old for build metadata), DIR is built directly, without origins.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from kubelint.k8s import dig
from kubelint.model import Diagnostic, LintResult, Origin, YamlPath
from kubelint.parse import Document, Problem, parse_text

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
RENDERED = " (kustomize build)"
"""Suffix of the virtual file name of a rendered kustomization."""
TIMEOUT = 120
_ORIGIN_KEY = "config.kubernetes.io/origin:"


def kustomization_file(folder: str) -> str | None:
    """The kustomization file in `folder`, if it holds one."""
    for name in KUSTOMIZATION_FILES:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    return None


def command() -> list[str] | None:
    """`kustomize build` when kustomize is on PATH, else `kubectl kustomize`, else None."""
    kustomize = shutil.which("kustomize")
    if kustomize is not None:
        return [kustomize, "build"]
    kubectl = shutil.which("kubectl")
    if kubectl is not None:
        return [kubectl, "kustomize"]
    return None


def unrendered_note(folder: str) -> str:
    return (f"{folder}: kustomization not rendered (neither kustomize nor kubectl is on PATH); "
            "its files are linted as plain manifests")


def _run(cmd: list[str], folder: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*cmd, folder], capture_output=True, text=True, timeout=TIMEOUT,
                          check=False, encoding="utf-8", errors="replace")


Origins = tuple[tuple[int, str], ...]


def build(folder: str, cmd: Sequence[str]) -> tuple[str | None, Origins, str]:
    """(rendered text or None, the documents' origins, the error when it failed)."""
    wrapped = _build_wrapped(folder, list(cmd))
    if wrapped is not None:
        return wrapped[0], wrapped[1], ""
    try:
        proc = _run(list(cmd), folder)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, (), str(exc)
    if proc.returncode != 0:
        return None, (), _error_of(proc.stderr) or f"exit code {proc.returncode}"
    return proc.stdout, (), ""


_KLOG = re.compile(r'^[EWIF]\d{4} [\d:.]+\s+\d+ \S+\] (?:"command failed" err=)?')


def _error_of(stderr: str) -> str:
    """The last line of the tool's error output, without kubectl's log prefix."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    if not lines:
        return ""
    last = lines[-1]
    bare = _KLOG.sub("", last)
    if bare != last and len(bare) > 1 and bare[0] == bare[-1] == '"':
        bare = bare[1:-1].replace('\\"', '"')
    return bare.removeprefix("Error: ")


def _build_wrapped(folder: str, cmd: list[str]) -> tuple[str, Origins] | None:
    """The build of a wrapper asking for origin annotations, the annotations taken out."""
    target = os.path.abspath(folder)
    with tempfile.TemporaryDirectory(prefix="kubelint-kustomize-") as tmp:
        try:
            rel = os.path.relpath(target, tmp)
        except ValueError:  # another drive
            return None
        Path(tmp, "kustomization.yaml").write_text(
            f"resources:\n- {rel}\nbuildMetadata: [originAnnotations]\n", encoding="utf-8")
        try:
            proc = _run(cmd, tmp)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if proc.returncode != 0:
            return None
        return with_sources(proc.stdout, tmp, folder)


def with_sources(text: str, built_in: str, folder: str) -> tuple[str, Origins]:
    """The text without origin annotations, and each document's (first line, file): the
    annotation's path (relative to `built_in`) as a path starting at `folder`, as the user
    named it ("" for remote resources and generated objects)."""
    out: list[str] = []
    origins: list[tuple[int, str]] = []
    for n, doc in enumerate(_documents(text.splitlines())):
        lines, source = _strip_origin(doc)
        if n:
            out.append("---")
        shown = ""
        if source is not None:
            full = os.path.normpath(os.path.join(built_in, source))
            shown = Path(os.path.normpath(os.path.join(folder, os.path.relpath(
                full, os.path.abspath(folder))))).as_posix()
        origins.append((len(out), shown))
        out.extend(lines)
    return ("\n".join(out) + "\n" if out else ""), tuple(origins)


def _documents(lines: list[str]) -> list[list[str]]:
    docs: list[list[str]] = [[]]
    for line in lines:
        if line == "---":
            docs.append([])
        else:
            docs[-1].append(line)
    return [d for d in docs if any(ln.strip() for ln in d)]


_INDENT = re.compile(r"^( *)")


def _strip_origin(lines: list[str]) -> tuple[list[str], str | None]:
    """A rendered object's lines without its origin annotation, and the annotation's `path`
    (None for remote resources and generated objects, which have no local file)."""
    for i, line in enumerate(lines):
        if line.strip() != _ORIGIN_KEY + " |":
            continue
        indent = len(_INDENT.match(line).group(1))  # type: ignore[union-attr]
        end = i + 1
        while end < len(lines) and (len(lines[end]) - len(lines[end].lstrip(" ")) > indent
                                    or not lines[end].strip()):
            end += 1
        body = {k.strip(): v.strip() for k, _, v in
                (ln.partition(":") for ln in lines[i + 1:end])}
        start = i
        header = lines[i - 1] if i > 0 else ""
        header_indent = len(header) - len(header.lstrip(" "))
        next_indent = (len(lines[end]) - len(lines[end].lstrip(" "))) if end < len(lines) else 0
        if header.strip() == "annotations:" and next_indent <= header_indent:
            start = i - 1  # the only annotation: drop the empty mapping too
        path = body.get("path") if "repo" not in body else None
        return lines[:start] + lines[end:], path or None
    return lines, None


def read(folder: str, cmd: Sequence[str]) -> tuple[str, str | None, Problem | None, Origins]:
    """(file name, rendered text, problem, origins). The output is named `DIR (kustomize
    build)`; a failed build is reported on the kustomization file."""
    text, origins, error = build(folder, cmd)
    if text is None:
        tool = " ".join((Path(cmd[0]).name, *cmd[1:]))
        return kustomization_file(folder) or folder, None, Problem(
            "unreadable-file", f"`{tool} {folder}` failed: {error}; not linted", 0, 0, 0,
            1), ()
    return rendered_name(folder), text, None, origins


def rendered_name(folder: str) -> str:
    return (folder.rstrip("/\\") or folder) + RENDERED


# --- mapping to the source files -------------------------------------------------------------

def map_result(result: LintResult, texts: Mapping[str, str]) -> LintResult:
    """Findings in rendered kustomizations, with the line in the source file where it is proven:
    the source document of the same kind whose name the rendered name contains (a `namePrefix`
    or `nameSuffix` may have been added) holds the finding's path with the same value."""
    if not any(d.origin is not None and d.file.endswith(RENDERED) for d in result.diagnostics):
        return result
    rendered: dict[str, dict[int, Document]] = {}
    sources: dict[str, list[Document] | None] = {}
    out = []
    for d in result.diagnostics:
        if d.origin is None or not d.file.endswith(RENDERED) or d.file not in texts:
            out.append(d)
            continue
        if d.file not in rendered:
            rendered[d.file] = {doc.index: doc for doc in parse_text(texts[d.file]).documents}
        file = d.origin.template
        if file not in sources:
            sources[file] = _parse_file(file)
        out.append(replace(d, origin=_mapped(d, rendered[d.file].get(d.document),
                                             sources[file])))
    return replace(result, diagnostics=tuple(out))


def _parse_file(file: str) -> list[Document] | None:
    try:
        return parse_text(Path(file).read_text(encoding="utf-8")).documents
    except (OSError, UnicodeDecodeError):
        return None


def _mapped(d: Diagnostic, doc: Document | None, sources: list[Document] | None) -> Origin:
    file = d.origin.template  # type: ignore[union-attr]
    approximate = Origin(file, file, 1, approximate=True)
    if doc is None or sources is None:
        return approximate
    kind, name = dig(doc.root, "kind"), dig(doc.root, "metadata", "name")
    matches = [s for s in sources if dig(s.root, "kind") == kind
               and isinstance(n := dig(s.root, "metadata", "name"), str)
               and isinstance(name, str) and n in name]
    if len(matches) != 1:
        return approximate
    source = matches[0]
    path = d.path
    while path and path not in doc.positions:
        path = path[:-1]  # the rendered span points at the deepest existing ancestor
    probe = path
    while probe and probe not in source.positions:
        probe = probe[:-1]
    marks = source.positions.get(probe)
    if marks is None:
        return approximate
    exact = probe == path and bool(path) and _same(dig(source.root, *path),
                                                   dig(doc.root, *path), path)
    return Origin(file, file, marks[0] + 1, approximate=not exact)


def _same(source: object, rendered: object, path: YamlPath) -> bool:
    """Whether the source node is the rendered one: an equal value; a mapping with the same
    `name` (a container, a port); the object's name, which `namePrefix` may have changed."""
    if source == rendered or path == ("metadata", "name"):
        return True
    return (isinstance(source, dict) and isinstance(rendered, dict) and "name" in source
            and source.get("name") == rendered.get("name"))
