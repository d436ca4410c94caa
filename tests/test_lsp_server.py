"""`kubelint lsp` end to end: the real server in a subprocess, driven by pytest-lsp's client."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from kubelint.model import Position
from kubelint.report.lsp import LineMap
from tests.helpers import web_deployment, web_service

PUBLISH = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
TIMEOUT = 5

CONFIG = "select: [host-network, latest-tag, privileged-container]\n"
POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  hostNetwork: true
  containers:
    - name: app
      image: nginx:latest
      securityContext:
        privileged: true
"""
DOC_URL = "https://github.com/kubelint/kubelint/blob/main/docs/rules/"

lsp_test = pytest.mark.asyncio(loop_scope="module")


def make_client() -> LanguageClient:
    """pytest-lsp's test client, also keeping every publishDiagnostics in order of arrival."""
    from pygls.protocol import default_converter
    from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

    default = DEFAULT_CLIENT_FEATURES[PUBLISH]

    def record(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        default(ls, params)
        ls.published.setdefault(params.uri, []).append(params)  # type: ignore[attr-defined]

    client = LanguageClient(converter_factory=default_converter)
    client.published = {}  # type: ignore[attr-defined]  # uri -> [PublishDiagnosticsParams]
    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, PUBLISH: record})
    return client


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(
    server_command=[sys.executable, "-m", "kubelint", "lsp"], client_factory=make_client))
async def client(lsp_client: LanguageClient):
    """One server for the module; each test opens its own documents."""
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code")))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(
    server_command=[sys.executable, "-m", "kubelint", "lsp"], client_factory=make_client))
async def neovim(lsp_client: LanguageClient):
    """A server for a client preferring UTF-8 positions, as Neovim does."""
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("neovim")))
    yield
    await lsp_client.shutdown_session()


# --- helpers ------------------------------------------------------------------------------------

def project(tmp_path: Path, name: str = "pod.yaml", config: str | None = CONFIG) -> str:
    """A document URI in a folder with a `.kubelint.yaml` (the server finds it from the path)."""
    if config is not None:
        (tmp_path / ".kubelint.yaml").write_text(config)
    return (tmp_path / name).as_uri()


class Doc:
    """An open document as an editor holds it: text, version, diagnostics received so far."""

    def __init__(self, client: LanguageClient, uri: str) -> None:
        self.client, self.uri, self.text, self.version, self.seen = client, uri, "", 0, 0

    def open(self, text: str, language: str = "yaml") -> Doc:
        self.text, self.version = text, 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=self.uri, language_id=language,
                                                 version=1, text=text)))
        return self

    def change(self, text: str) -> None:
        self.text, self.version = text, self.version + 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=self.uri,
                                                                version=self.version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))

    @property
    def published(self) -> list[types.PublishDiagnosticsParams]:
        return self.client.published.get(self.uri, [])  # type: ignore[attr-defined]

    async def diagnostics(self) -> types.PublishDiagnosticsParams:
        """The next publishDiagnostics for this document."""
        async def arrived() -> None:
            while len(self.published) <= self.seen:
                await asyncio.sleep(0.01)
        await asyncio.wait_for(arrived(), TIMEOUT)
        self.seen += 1
        return self.published[self.seen - 1]

    async def codes(self) -> list[str]:
        return [str(d.code) for d in (await self.diagnostics()).diagnostics]

    async def actions_at(self, line: int, character: int) -> dict[str, types.CodeAction]:
        here = types.Range(start=types.Position(line=line, character=character),
                           end=types.Position(line=line, character=character))
        result = await self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=self.uri), range=here,
            context=types.CodeActionContext(diagnostics=[])))
        assert result is not None
        return {a.title: a for a in result if isinstance(a, types.CodeAction)}

    async def apply(self, action: types.CodeAction) -> str:
        """Apply a code action's edit as an editor would (then send the change)."""
        assert action.edit is not None and action.edit.document_changes
        (change,) = action.edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.uri == self.uri
        assert change.text_document.version == self.version
        text = self.text
        for e in sorted(change.edits, reverse=True,
                        key=lambda e: (e.range.start.line, e.range.start.character)):
            text = text[:offset(text, e.range.start)] + e.new_text + text[offset(text, e.range.end):]
        self.change(text)
        return text


def brief(params: types.PublishDiagnosticsParams) -> list[tuple]:
    """(code, start line, start char, end line, end char, severity) per diagnostic."""
    return [(d.code, d.range.start.line, d.range.start.character, d.range.end.line,
             d.range.end.character, d.severity) for d in params.diagnostics]


def offset(text: str, pos: types.Position) -> int:
    """A UTF-16 LSP position as an offset into `text`."""
    start = 0
    for _ in range(pos.line):
        start = text.index("\n", start) + 1
    units, i = 0, start
    while units < pos.character:
        units += 2 if ord(text[i]) > 0xFFFF else 1
        i += 1
    return i


# --- diagnostics --------------------------------------------------------------------------------

@lsp_test
async def test_bad_manifest_gets_exact_diagnostics(client: LanguageClient, tmp_path: Path):
    doc = Doc(client, project(tmp_path)).open(POD)
    params = await doc.diagnostics()
    assert params.version == 1
    assert brief(params) == [
        ("host-network", 5, 2, 5, 19, types.DiagnosticSeverity.Error),
        ("latest-tag", 8, 6, 8, 25, types.DiagnosticSeverity.Warning),
        ("privileged-container", 10, 8, 10, 24, types.DiagnosticSeverity.Error),
    ]
    first = params.diagnostics[0]
    assert first.source == "kubelint"
    assert first.code_description is not None
    assert first.code_description.href == DOC_URL + "host-network.md"
    assert "shares the host's network namespace" in first.message


@lsp_test
async def test_non_kubernetes_yaml_gets_nothing_and_json_manifests_are_linted(
        client: LanguageClient, tmp_path: Path):
    plain = Doc(client, project(tmp_path, "values.yaml")).open(
        "replicaCount: 2\nimage:\n  tag: latest\n")
    second = ' "spec": {"containers": [{"name": "a", "image": "nginx"}]}}\n'
    manifest = Doc(client, project(tmp_path, "pod.json")).open(
        '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"},\n' + second, "json")
    start, end = second.index('"image"'), second.index('"nginx"') + len('"nginx"')
    assert brief(await manifest.diagnostics()) == [
        ("latest-tag", 1, start, 1, end, types.DiagnosticSeverity.Warning)]
    assert plain.published == []  # linted (and skipped) before the JSON file, opened later


@lsp_test
async def test_columns_are_utf16_code_units(client: LanguageClient, tmp_path: Path):
    text = ('apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n'
            'spec: {containers: [{name: "\U0001F600", image: "nginx:latest"}]}\n')
    doc = Doc(client, project(tmp_path)).open(text)
    # The emoji before `image` is one code point but two UTF-16 units.
    line = text.splitlines()[3]
    start, end = line.index("image"), line.index('"nginx:latest"') + len('"nginx:latest"')
    assert brief(await doc.diagnostics()) == [
        ("latest-tag", 3, start + 1, 3, end + 1, types.DiagnosticSeverity.Warning)]


@lsp_test
async def test_columns_follow_a_negotiated_utf8_encoding(neovim: LanguageClient, tmp_path: Path):
    text = ('apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n'
            'spec: {containers: [{name: "\U0001F600\u00e9", image: "nginx:latest"}]}\n')
    doc = Doc(neovim, project(tmp_path)).open(text)
    # Before `image`: an emoji (4 bytes) and an accented letter (2 bytes), 2 code points.
    line = text.splitlines()[3]
    start, end = line.index("image"), line.index('"nginx:latest"') + len('"nginx:latest"')
    assert brief(await doc.diagnostics()) == [
        ("latest-tag", 3, start + 4, 3, end + 4, types.DiagnosticSeverity.Warning)]

    async def hover(character: int) -> types.Hover | None:
        return await neovim.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri),
            position=types.Position(line=3, character=character)))

    found = await hover(start + 4)
    assert found is not None and "latest-tag" in str(found.contents)
    assert await hover(start + 3) is None  # the blank before `image` (inside it in UTF-16)


@lsp_test
async def test_changes_are_debounced_and_only_the_last_version_is_published(
        client: LanguageClient, tmp_path: Path):
    doc = Doc(client, project(tmp_path)).open(POD)
    await doc.diagnostics()
    doc.change(POD.replace("nginx:latest", "nginx:1.25"))
    doc.change(POD.replace("hostNetwork: true", "hostNetwork: false"))
    doc.change(POD.replace("hostNetwork: true", "hostNetwork: false").replace("latest", "1.25"))
    params = await doc.diagnostics()
    assert params.version == 4 and len(doc.published) == 2
    assert brief(params) == [("privileged-container", 10, 8, 10, 24,
                              types.DiagnosticSeverity.Error)]


@lsp_test
async def test_a_document_that_stops_being_a_manifest_is_cleared(
        client: LanguageClient, tmp_path: Path):
    doc = Doc(client, project(tmp_path)).open(POD)
    assert len(await doc.codes()) == 3
    doc.change("just: some yaml\n")
    assert await doc.codes() == []


@lsp_test
async def test_config_is_found_from_the_document_and_read_again_when_saved(
        client: LanguageClient, tmp_path: Path):
    (tmp_path / "skipped").mkdir()
    excluded = Doc(client, project(tmp_path, "skipped/pod.yaml",
                                   CONFIG + "exclude: [skipped/]\n")).open(POD)
    doc = Doc(client, project(tmp_path, config=None)).open(POD)
    assert await doc.codes() == ["host-network", "latest-tag", "privileged-container"]
    assert excluded.published == []

    config = tmp_path / ".kubelint.yaml"
    config.write_text("select: [latest-tag]\n")
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=config.as_uri())))
    assert brief(await doc.diagnostics()) == [
        ("latest-tag", 8, 6, 8, 25, types.DiagnosticSeverity.Warning)]


@lsp_test
async def test_a_service_is_judged_with_its_folder_and_again_when_a_sibling_is_saved(
        client: LanguageClient, tmp_path: Path):
    deploy = tmp_path / "deploy.yaml"
    deploy.write_text(web_deployment())
    svc = Doc(client, project(tmp_path, "svc.yaml", "select: [unmatched-service-selector]\n"))
    svc.open(web_service())
    assert await svc.codes() == []  # the Deployment next to it has the pods

    deploy.write_text(web_deployment("backend"))
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=deploy.as_uri())))
    params = await svc.diagnostics()
    assert [d.code for d in params.diagnostics] == ["unmatched-service-selector"]
    (related,) = params.diagnostics[0].related_information or []
    assert related.location.uri == deploy.as_uri()


@lsp_test
async def test_unsaved_edits_of_an_open_sibling_count(client: LanguageClient, tmp_path: Path):
    deploy_path = tmp_path / "deploy.yaml"
    deploy_path.write_text(web_deployment())
    svc = Doc(client, project(tmp_path, "svc.yaml", "select: [unmatched-service-selector]\n"))
    svc.open(web_service())
    assert await svc.codes() == []
    deploy = Doc(client, deploy_path.as_uri()).open(web_deployment())
    await deploy.diagnostics()
    deploy.change(web_deployment("backend"))  # not saved
    assert await svc.codes() == ["unmatched-service-selector"]
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=deploy.uri)))  # edits discarded
    assert await svc.codes() == []


@lsp_test
async def test_a_broken_config_is_reported_and_the_defaults_apply(
        client: LanguageClient, tmp_path: Path):
    doc = Doc(client, project(tmp_path, config="select: [no-such-rule]\n")).open(POD)
    codes = set(await doc.codes())
    assert {"host-network", "latest-tag", "privileged-container"} <= codes
    assert len(codes) > 3  # default rules beyond the three the config meant to select
    shown = [m.message for m in client.messages if m.type == types.MessageType.Error]
    assert any(".kubelint.yaml" in m and "no-such-rule" in m for m in shown), shown


# --- hover --------------------------------------------------------------------------------------

@lsp_test
async def test_hover_shows_the_rule_documentation(client: LanguageClient, tmp_path: Path):
    doc = Doc(client, project(tmp_path)).open(POD)
    await doc.diagnostics()

    async def hover(line: int, character: int) -> types.Hover | None:
        return await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=doc.uri),
            position=types.Position(line=line, character=character)))

    found = await hover(8, 15)  # inside `image: nginx:latest`
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    assert found.contents.kind == types.MarkupKind.Markdown
    text = found.contents.value
    assert text.startswith("**kubelint `latest-tag`** (warning)")
    assert "**Why:**" in text and "**How to fix:**" in text
    assert f"({DOC_URL}latest-tag.md)" in text
    assert found.range == types.Range(start=types.Position(line=8, character=6),
                                      end=types.Position(line=8, character=25))
    assert await hover(3, 4) is None  # `name: web`: nothing there


# --- code actions -------------------------------------------------------------------------------

@lsp_test
async def test_quickfix_applies_the_rules_fix(client: LanguageClient, tmp_path: Path):
    doc = Doc(client, project(tmp_path)).open(POD)
    await doc.diagnostics()
    found = await doc.actions_at(5, 4)
    assert sorted(found) == ["Set hostNetwork: false (unsafe)",
                             "Suppress host-network in this file",
                             "Suppress host-network on this line"]
    action = found["Set hostNetwork: false (unsafe)"]
    assert action.kind == types.CodeActionKind.QuickFix
    assert [d.code for d in action.diagnostics or ()] == ["host-network"]
    assert await doc.apply(action) == POD.replace("hostNetwork: true", "hostNetwork: false")
    assert await doc.codes() == ["latest-tag", "privileged-container"]


@lsp_test
async def test_suppression_actions_insert_directives_that_silence_the_rule(
        client: LanguageClient, tmp_path: Path):
    doc = Doc(client, project(tmp_path)).open(POD)
    await doc.diagnostics()

    found = await doc.actions_at(8, 10)
    assert sorted(found) == ["Suppress latest-tag in this file",
                             "Suppress latest-tag on this line"]
    text = await doc.apply(found["Suppress latest-tag on this line"])
    assert text == POD.replace("nginx:latest\n", "nginx:latest  # kubelint: disable=latest-tag\n")
    assert await doc.codes() == ["host-network", "privileged-container"]

    # A rule on a line that already has a directive joins it.
    doc.change(text.replace("privileged: true", "privileged: true  # kubelint: disable=latest-tag"))
    assert await doc.codes() == ["host-network", "privileged-container"]
    text = await doc.apply((await doc.actions_at(10, 10))[
        "Suppress privileged-container on this line"])
    assert "privileged: true  # kubelint: disable=latest-tag,privileged-container\n" in text
    assert await doc.codes() == ["host-network"]

    text = await doc.apply((await doc.actions_at(5, 4))["Suppress host-network in this file"])
    assert text.startswith("# kubelint: disable-file=host-network\napiVersion: v1\n")
    assert await doc.codes() == []


@lsp_test
async def test_line_with_a_comment_gets_the_directive_above(client: LanguageClient,
                                                             tmp_path: Path):
    text = POD.replace("nginx:latest", "nginx:latest # pinned by the release job")
    doc = Doc(client, project(tmp_path)).open(text)
    await doc.diagnostics()
    text = await doc.apply((await doc.actions_at(8, 10))["Suppress latest-tag on this line"])
    assert "    - name: app\n      # kubelint: disable=latest-tag\n      image: nginx:latest #" in text
    assert await doc.codes() == ["host-network", "privileged-container"]


# --- the command --------------------------------------------------------------------------------

def test_missing_pygls_gives_a_clear_message():
    code = ("import sys; sys.modules['pygls'] = None; sys.argv = ['kubelint', 'lsp']; "
            "from kubelint.cli import main; main()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          timeout=TIMEOUT)
    assert proc.returncode == 2
    assert "pip install 'kubelint[lsp]'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_lint_does_not_import_pygls():
    code = ("import sys; from kubelint.cli import app; "
            "print(sorted(m for m in ('pygls', 'lsprotocol') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          timeout=TIMEOUT)
    assert proc.stdout.strip() == "[]"


@pytest.mark.parametrize(("encoding", "character"), [("utf-16", 5), ("utf-32", 4), ("utf-8", 7)])
def test_positions_follow_the_negotiated_encoding(encoding: str, character: int):
    # `b` follows `a: ` and an emoji: 4 code points, 5 UTF-16 units, 7 UTF-8 bytes.
    m = LineMap("x: 1\na: \U0001F600b\n", encoding)
    assert m.position(Position(2, 5)) == {"line": 1, "character": character}
