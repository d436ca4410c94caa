"""Linting one open document: whether it is a manifest, which config applies, and its
diagnostics both as kubelint `Diagnostic`s and as LSP dicts (`report.lsp.document_diagnostics`)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubelint.config import Config
from kubelint.k8s import Resource
from kubelint.model import Diagnostic

_KEY = r"""(?:^|[\s{{,])["']?{}["']?[ \t]*:"""
_API_VERSION = re.compile(_KEY.format("apiVersion"), re.MULTILINE)
_KIND = re.compile(_KEY.format("kind"), re.MULTILINE)


def looks_like_manifest(text: str) -> bool:
    """Whether the text has an `apiVersion` and a `kind` key somewhere (YAML or JSON)."""
    return _API_VERSION.search(text) is not None and _KIND.search(text) is not None


def wanted_language(language_id: str | None, path: str | None) -> bool:
    """YAML and JSON documents (`yaml`, `json`, `jsonc`, `yaml.kubernetes`...), not Helm
    templates; without a language id, judged by the file name."""
    from kubelint.sources import EXTENSIONS

    if language_id:
        return "yaml" in language_id or "json" in language_id
    return path is None or path.endswith(EXTENSIONS)


@dataclass(frozen=True, slots=True)
class Settings:
    """The config for a document, the CustomResourceDefinitions it names, and the error that
    made it fall back to the defaults, if any."""

    config: Config
    context: tuple[Resource, ...] = ()
    source: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Linted:
    """One lint of one document version: `diagnostics` (active ones, in file order) pair with
    `lsp`, their LSP form; `every` also holds the suppressed ones (for fixes)."""

    uri: str
    name: str  # the name linted: the file's absolute path, or the URI of an unsaved document
    version: int | None
    text: str
    encoding: str
    diagnostics: tuple[Diagnostic, ...]
    lsp: tuple[dict[str, Any], ...]
    every: tuple[Diagnostic, ...]
    settings: Settings


MAX_SIBLINGS = 200
"""Files of a document's folder read as its siblings, at most."""
MAX_SIBLING_CHARS = 4 << 20
"""Text read as siblings, at most (a larger folder is read up to this much, by file name)."""


@dataclass(frozen=True, slots=True)
class Siblings:
    """The objects of the other manifests in a document's folder, and their texts."""

    resources: tuple[Resource, ...] = ()
    texts: dict[str, str] = field(default_factory=dict)


class Linter:
    """Lints documents; keeps each config file's settings until the file changes on disk, and
    each sibling file's objects until it changes."""

    def __init__(self, root: str | None = None) -> None:
        self.root = root  # where a document without a path looks for its config
        self._cache: dict[str, tuple[tuple[int, int], Settings]] = {}
        self._files: dict[str, tuple[object, tuple[tuple[Resource, ...], str | None]]] = {}

    def siblings(self, path: str, config: Config,
                 unsaved: Mapping[str, str] | None = None) -> Siblings:
        """The other manifests in the folder of `path` (not below it): with them as context,
        cross-resource rules judge the document as `kubelint lint FOLDER` would, and still
        report on the document alone. A file open in the editor is read from `unsaved` (path
        -> its text there), the others from disk. Files the config excludes are left out."""
        from kubelint import sources

        folder = os.path.dirname(os.path.abspath(path))
        me = os.path.normpath(os.path.abspath(path))
        open_here = {os.path.normpath(p): t for p, t in (unsaved or {}).items()
                     if os.path.dirname(os.path.normpath(p)) == folder}
        try:
            on_disk = {os.path.normpath(e.path): e for e in os.scandir(folder)
                       if e.name.endswith(sources.EXTENSIONS) and e.is_file()}
        except OSError:
            on_disk = {}
        names = sorted(n for n in {*on_disk, *(p for p in open_here
                                              if p.endswith(sources.EXTENSIONS))}
                       if n != me and not sources.is_excluded(n, config.exclude, config.root))
        resources: list[Resource] = []
        texts: dict[str, str] = {}
        total = 0
        for name in names[:MAX_SIBLINGS]:
            try:
                stamp: object = ("open", open_here[name]) if name in open_here else \
                    (on_disk[name].stat().st_mtime_ns, on_disk[name].stat().st_size)
            except OSError:
                continue
            found, text = self._sibling(name, stamp, open_here.get(name))
            if text is None:
                continue
            total += len(text)
            if total > MAX_SIBLING_CHARS:
                break
            resources.extend(found)
            texts[name] = text
        return Siblings(tuple(resources), texts)

    def _sibling(self, name: str, stamp: object, text: str | None
                 ) -> tuple[tuple[Resource, ...], str | None]:
        """One sibling file's objects and text (None if it is not a manifest), cached until its
        stamp (modification time and size, or its unsaved text) changes."""
        from kubelint import sources
        from kubelint.k8s import resources_of
        from kubelint.parse import parse_text

        cached = self._files.get(name)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        if text is None:
            text = sources.read(name).text
        found: tuple[tuple[Resource, ...], str | None] = ((), None)
        if text is not None and looks_like_manifest(text):
            found = (tuple(r for doc in parse_text(text).documents
                           for r in resources_of(doc, name)[0]), text)
        self._files[name] = (stamp, found)
        return found

    def settings(self, path: str | None) -> Settings:
        """The settings of the nearest `.kubelint.yaml` above `path`, as `kubelint lint` finds it."""
        from kubelint import config as configmod
        from kubelint.engine import read_context
        from kubelint.errors import KubelintError

        found = configmod.find_config([path or self.root or "."])
        if found is None:
            return Settings(Config())
        try:
            st = os.stat(found)
        except OSError:
            return Settings(Config())
        stamp = (st.st_mtime_ns, st.st_size)
        cached = self._cache.get(found)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            config = configmod.load(found)
            settings = Settings(config, tuple(read_context(config.crd_dirs)), found)
        except (KubelintError, ValueError, OSError) as exc:
            settings = Settings(Config(), (), found, str(exc))
        self._cache[found] = (stamp, settings)
        return settings

    def lint(self, uri: str, path: str | None, text: str, *, version: int | None = None,
             language_id: str | None = None, encoding: str = "utf-16",
             unsaved: Mapping[str, str] | None = None) -> Linted | None:
        """Lint a document's text; None when it is not one kubelint lints (not YAML or JSON, no
        `apiVersion` and `kind`, excluded by the config, a Helm chart's template)."""
        from kubelint import sources
        from kubelint.engine import lint_sources
        from kubelint.report.lsp import document_diagnostics

        if not wanted_language(language_id, path) or not looks_like_manifest(text):
            return None
        settings = self.settings(path)
        config = settings.config
        if path is not None and not sources.discover([path], config.exclude, root=config.root):
            return None
        name = path if path is not None else uri
        source = sources.SourceFile(name, text, path=Path(path) if path is not None else None)
        siblings = self.siblings(path, config, unsaved) if path is not None else Siblings()
        result = lint_sources([source], config,
                              context=(*settings.context, *siblings.resources))
        mine = [d for d in result.diagnostics if d.file == name]
        active = tuple(sorted((d for d in mine if d.suppressed_by is None),
                              key=Diagnostic.sort_key))
        lsp = document_diagnostics(active, name, text, uri=uri, encoding=encoding,
                                   others=siblings.texts)
        return Linted(uri, name, version, text, encoding, active, tuple(lsp), tuple(mine),
                      settings)
