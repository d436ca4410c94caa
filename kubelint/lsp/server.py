"""The pygls server: lints open documents and publishes diagnostics, answers hovers and code
actions. Imported only by `kubelint lsp` (pygls is the `lsp` extra).

Documents are linted when opened or saved, and `DEBOUNCE` seconds after the last change (an
earlier pending run is cancelled; a run whose document changed meanwhile publishes nothing). Lints
run one at a time in a worker thread, so requests are answered while one runs. Saving a
`.kubelint.yaml` lints every open document again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from kubelint import __version__
from kubelint.config import CONFIG_NAMES
from kubelint.lsp import actions
from kubelint.lsp.document import Linted, Linter

DEBOUNCE = 0.3
"""Seconds to wait after a change before linting."""

log = logging.getLogger(__name__)


class KubelintServer(LanguageServer):
    """A language server holding, per open document, its last lint and its pending run."""

    def __init__(self, debounce: float = DEBOUNCE) -> None:
        super().__init__("kubelint", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.debounce = debounce
        self.linter = Linter()
        self.linted: dict[str, Linted] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.lint_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kubelint")
        self.reported: set[str] = set()
        self.converter = get_converter()

    # --- linting ------------------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        """Lint `uri` after `delay` seconds, replacing a run still waiting or running."""
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        task = asyncio.get_running_loop().create_task(self.lint(uri, delay))
        self.pending[uri] = task
        task.add_done_callback(partial(self._done, uri))

    def _done(self, uri: str, task: asyncio.Task[None]) -> None:
        if self.pending.get(uri) is task:
            del self.pending[uri]

    def document(self, uri: str) -> TextDocument | None:
        """The open document `uri` (None when the client has not opened it)."""
        return self.workspace.text_documents.get(unquote(uri))

    async def lint(self, uri: str, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        doc = self.document(uri)
        if doc is None:
            return
        version, text = doc.version, doc.source
        path = to_fs_path(uri) if uri.startswith("file:") else None
        encoding = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
        if isinstance(encoding, types.PositionEncodingKind):
            encoding = encoding.value
        run = partial(self.linter.lint, uri, path, text, version=version,
                      language_id=doc.language_id, encoding=str(encoding),
                      unsaved=self.neighbours(uri))
        try:
            linted = await asyncio.get_running_loop().run_in_executor(self.lint_thread, run)
        except Exception as exc:  # a bug in kubelint: say so, keep serving
            log.exception("linting %s failed", uri)
            self._tell(types.MessageType.Error, f"kubelint could not lint {uri}: {exc!r}")
            return
        current = self.document(uri)
        if current is None or current.version != version or current.source != text:
            return  # the document changed or closed meanwhile; its own run follows
        self.publish(uri, linted, version)

    def neighbours(self, uri: str) -> dict[str, str]:
        """The paths and editor texts of the other open documents in the folder of `uri`."""
        folder = uri.rsplit("/", 1)[0]
        out: dict[str, str] = {}
        for other, doc in list(self.workspace.text_documents.items()):
            path = to_fs_path(other) if other.startswith("file:") else None
            if other != uri and path is not None and other.rsplit("/", 1)[0] == folder:
                out[path] = doc.source
        return out

    def relint_neighbours(self, uri: str, delay: float) -> None:
        """Lint again the documents linted so far in the folder of `uri`: it is their context."""
        folder = uri.rsplit("/", 1)[0]
        for other in list(self.linted):
            if other != uri and other.rsplit("/", 1)[0] == folder:
                self.schedule(other, delay)

    def publish(self, uri: str, linted: Linted | None, version: int | None) -> None:
        """Publish a lint; for a document that is no longer linted, clear what was published."""
        if linted is None:
            if self.linted.pop(uri, None) is not None:
                self._send(uri, [], version)
            return
        self.linted[uri] = linted
        error = linted.settings.error
        if error is not None and error not in self.reported:
            self.reported.add(error)
            self._tell(types.MessageType.Error,
                       f"kubelint: {error}\n(using the default settings)")
        self._send(uri, list(linted.lsp), version)

    def _send(self, uri: str, diagnostics: list[dict[str, Any]], version: int | None) -> None:
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=version,
            diagnostics=[self.converter.structure(d, types.Diagnostic) for d in diagnostics]))

    def _tell(self, kind: types.MessageType, message: str) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    async def current(self, uri: str) -> Linted | None:
        """The lint of the document as it is now (linting it first if it changed since)."""
        linted = self.linted.get(uri)
        doc = self.document(uri)
        if doc is None:
            return None
        if linted is not None and linted.version == doc.version and linted.text == doc.source:
            return linted
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        await self.lint(uri)
        return self.linted.get(uri)

    def forget(self, uri: str) -> None:
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        if self.linted.pop(uri, None) is not None:
            self._send(uri, [], None)

    # --- code actions -------------------------------------------------------------------------

    def workspace_edit(self, linted: Linted, edits: tuple[dict[str, Any], ...]
                       ) -> types.WorkspaceEdit:
        text_edits = [self.converter.structure(e, types.TextEdit) for e in edits]
        caps = self.client_capabilities.workspace
        versioned = bool(caps and caps.workspace_edit and caps.workspace_edit.document_changes)
        if versioned:
            doc = types.OptionalVersionedTextDocumentIdentifier(uri=linted.uri,
                                                                version=linted.version)
            return types.WorkspaceEdit(document_changes=[
                types.TextDocumentEdit(text_document=doc, edits=text_edits)])  # type: ignore[list-item]
        return types.WorkspaceEdit(changes={linted.uri: text_edits})


def _range_dict(rng: types.Range) -> dict[str, dict[str, int]]:
    return {"start": {"line": rng.start.line, "character": rng.start.character},
            "end": {"line": rng.end.line, "character": rng.end.character}}


def _wants(only: Sequence[str] | None, kind: str) -> bool:
    """Whether a code action of `kind` is among the kinds the client asked for."""
    return not only or any(kind == k or kind.startswith(k + ".") for k in only)


def create_server(debounce: float = DEBOUNCE) -> KubelintServer:
    server = KubelintServer(debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: KubelintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: KubelintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.debounce)
        ls.relint_neighbours(params.text_document.uri, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    async def did_save(ls: KubelintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri.rsplit("/", 1)[-1] in CONFIG_NAMES:  # it applies to the documents below it
            for other in list(ls.linted):
                ls.schedule(other, 0.0)
        ls.relint_neighbours(uri, 0.0)  # a file saved outside the editor's buffers, too
        ls.schedule(uri, 0.0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: KubelintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)
        ls.relint_neighbours(params.text_document.uri, 0.0)  # unsaved edits are gone

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: KubelintServer, params: types.HoverParams) -> types.Hover | None:
        linted = await ls.current(params.text_document.uri)
        if linted is None:
            return None
        found = actions.at_position(linted, params.position.line, params.position.character)
        if not found:
            return None
        text = "\n\n---\n\n".join(actions.hover_markdown(linted.diagnostics[i]) for i in found)
        rng = ls.converter.structure(linted.lsp[found[0]]["range"], types.Range)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                        value=text), range=rng)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    async def code_action(ls: KubelintServer, params: types.CodeActionParams
                          ) -> list[types.CodeAction] | None:
        if not _wants(params.context.only, types.CodeActionKind.QuickFix):
            return None
        linted = await ls.current(params.text_document.uri)
        if linted is None:
            return None
        out: list[types.CodeAction] = []
        seen: set[str] = set()
        for i in actions.in_range(linted, _range_dict(params.range)):
            diagnostic = ls.converter.structure(linted.lsp[i], types.Diagnostic)
            for action in actions.actions_for(linted, i):
                key = repr((action.title, action.edits))  # one file suppression per rule
                if key in seen:
                    continue
                seen.add(key)
                out.append(types.CodeAction(
                    title=action.title, kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic], is_preferred=action.preferred or None,
                    edit=ls.workspace_edit(linted, action.edits)))
        return out

    return server


def serve() -> None:
    """Serve on standard input and output until the client exits."""
    create_server().start_io()
