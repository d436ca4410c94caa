"""The language server's linter: an open document is judged with the other manifests of its
folder as context, and only its own diagnostics are reported."""

from __future__ import annotations

import os
from pathlib import Path

from kubelint.lsp.document import MAX_SIBLINGS, Linter
from tests.helpers import web_deployment, web_service

CONFIG = "select: [unmatched-service-selector, privileged-container]\n"
DEPLOYMENT = web_deployment(privileged=True)  # the privileged container is its own problem


def folder(tmp_path: Path, *, deployment: str | None = DEPLOYMENT) -> Path:
    (tmp_path / ".kubelint.yaml").write_text(CONFIG)
    if deployment is not None:
        (tmp_path / "deploy.yaml").write_text(deployment)
    return tmp_path


def lint(linter: Linter, path: Path, text: str):
    linted = linter.lint(path.as_uri(), str(path), text, language_id="yaml")
    assert linted is not None
    return linted


def test_a_service_matching_a_workload_in_a_sibling_file_is_clean(tmp_path):
    svc = folder(tmp_path) / "svc.yaml"
    linted = lint(Linter(), svc, web_service())
    assert linted.diagnostics == ()  # and the sibling's privileged container is not reported


def test_a_selector_typo_is_found_with_the_workload_next_to_it(tmp_path):
    svc = folder(tmp_path) / "svc.yaml"
    linted = lint(Linter(), svc, web_service("frontnd"))
    assert [(d.rule_id, d.span.start.line, d.span.start.col) for d in linted.diagnostics] == [
        ("unmatched-service-selector", 6, 3)]
    related = linted.lsp[0]["relatedInformation"]
    assert related[0]["location"]["uri"] == (tmp_path / "deploy.yaml").as_uri()
    assert all(d.file == str(svc) for d in linted.every)


def test_alone_in_its_folder_the_service_says_nothing(tmp_path):
    """No pod-bearing object in the set: the pods are evidently defined elsewhere."""
    svc = folder(tmp_path, deployment=None) / "svc.yaml"
    assert lint(Linter(), svc, web_service("frontnd")).diagnostics == ()


def test_a_sibling_changed_on_disk_is_read_again(tmp_path):
    svc = folder(tmp_path) / "svc.yaml"
    linter = Linter()
    text = web_service()
    assert lint(linter, svc, text).diagnostics == ()
    deploy = tmp_path / "deploy.yaml"
    deploy.write_text(web_deployment("backend"))
    stat = deploy.stat()
    os.utime(deploy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # a later mtime, surely
    assert [d.rule_id for d in lint(linter, svc, text).diagnostics] == \
        ["unmatched-service-selector"]


def test_excluded_siblings_and_subfolders_are_not_read(tmp_path):
    folder(tmp_path, deployment=None)
    (tmp_path / ".kubelint.yaml").write_text(CONFIG + "exclude: [generated/, skip.yaml]\n")
    (tmp_path / "skip.yaml").write_text(DEPLOYMENT)
    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "deploy.yaml").write_text(DEPLOYMENT)
    (tmp_path / "below").mkdir()
    (tmp_path / "below" / "deploy.yaml").write_text(DEPLOYMENT)
    svc = tmp_path / "svc.yaml"
    linter = Linter()
    assert linter.siblings(str(svc), linter.settings(str(svc)).config).resources == ()


def test_a_large_folder_is_read_up_to_a_bound(tmp_path):
    folder(tmp_path, deployment=None)
    for i in range(MAX_SIBLINGS + 20):
        (tmp_path / f"cm{i:04}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n")
    svc = tmp_path / "svc.yaml"
    linter = Linter()
    found = linter.siblings(str(svc), linter.settings(str(svc)).config)
    assert len(found.resources) == MAX_SIBLINGS - 1  # .kubelint.yaml is one of the files


def test_an_open_sibling_is_read_from_the_editor_even_before_it_is_saved(tmp_path):
    svc = folder(tmp_path, deployment=None) / "svc.yaml"
    new = str(tmp_path / "deploy.yaml")  # open in the editor, not on disk yet
    linted = Linter().lint(svc.as_uri(), str(svc), web_service("frontnd"),
                           language_id="yaml", unsaved={new: DEPLOYMENT})
    assert linted is not None
    assert [d.rule_id for d in linted.diagnostics] == ["unmatched-service-selector"]
    elsewhere = {str(tmp_path / "below" / "deploy.yaml"): DEPLOYMENT}  # another folder
    linted = Linter().lint(svc.as_uri(), str(svc), web_service("frontnd"),
                           language_id="yaml", unsaved=elsewhere)
    assert linted is not None and linted.diagnostics == ()
