"""`--diff-base REF`: only findings on lines changed since a git revision, in a real repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kubelint.gitdiff import NEW, Changes, parse_diff
from kubelint.model import Position, Span
from tests.test_cli import kubelint

GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is needed")

CONTAINER = """\
        - name: {name}
          image: nginx:1.25
          securityContext:
            privileged: true
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
"""
WEB = DEPLOYMENT + CONTAINER.format(name="app")  # privileged at 12:13
SELECT = ("--select", "privileged-container")


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=str(tmp / "gitconfig"), GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@kubelint.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@kubelint.invalid")
    return env


@pytest.fixture
def repo(tmp_path: Path, monkeypatch):
    """A git repository with web.yaml committed (and an empty .kubelint.yaml)."""
    for k in [k for k in os.environ if k.startswith("GIT_")]:
        monkeypatch.delenv(k)
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "web.yaml").write_text(WEB)
    (folder / ".kubelint.yaml").write_text("")
    git(folder, "init", "-q", ".")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "first")
    return folder


def git(folder: Path, *args: str) -> None:
    subprocess.run([GIT, *args], cwd=folder, env=_env(folder.parent), check=True,
                   capture_output=True)


def lint(folder: Path, *args: str):
    return kubelint("lint", *args, cwd=folder, env=_env(folder.parent))


def _located(proc) -> list[str]:
    return [line.split(" ", 1)[0] for line in proc.stdout.splitlines() if ": " in line]


@needs_git
def test_only_findings_on_added_lines_are_reported(repo: Path):
    (repo / "web.yaml").write_text(WEB + CONTAINER.format(name="sidecar"))
    everything = lint(repo, *SELECT, "web.yaml")
    assert _located(everything) == ["web.yaml:12:13:", "web.yaml:16:13:"]
    changed = lint(repo, *SELECT, "--diff-base", "HEAD", "web.yaml")
    assert changed.returncode == 1
    assert changed.stdout.splitlines()[0] == \
        "web.yaml:16:13: error privileged-container container 'sidecar' is privileged"
    assert _located(changed) == ["web.yaml:16:13:"]


@needs_git
def test_nothing_changed_means_nothing_reported(repo: Path):
    proc = lint(repo, *SELECT, "--diff-base", "HEAD", ".")
    assert proc.returncode == 0, proc.stdout
    assert _located(proc) == []


@needs_git
def test_a_changed_line_inside_a_span_counts(repo: Path):
    # the image line changes; the finding on the container item spans it
    (repo / "web.yaml").write_text(WEB.replace("nginx:1.25", "nginx:1.27"))
    proc = lint(repo, "--select", "unset-memory-limits", "--diff-base", "HEAD", "web.yaml")
    assert _located(proc) == ["web.yaml:9:11:"]
    assert "container 'app' has no memory limit" in proc.stdout


@needs_git
def test_a_deleted_line_touches_the_node_around_it(repo: Path):
    with_probe = WEB + "          readinessProbe:\n            tcpSocket: {port: 80}\n"
    (repo / "web.yaml").write_text(with_probe)
    git(repo, "commit", "-q", "-am", "probe")
    assert lint(repo, "--select", "missing-readiness-probe", "--diff-base", "HEAD",
                "web.yaml").returncode == 0
    (repo / "web.yaml").write_text(WEB)  # the probe is removed again
    proc = lint(repo, "--select", "missing-readiness-probe", "--diff-base", "HEAD", "web.yaml")
    assert proc.returncode == 1
    assert _located(proc) == ["web.yaml:9:11:"]


@needs_git
def test_untracked_and_newly_added_files_count_as_changed(repo: Path):
    (repo / "new.yaml").write_text(WEB)
    (repo / "staged.yaml").write_text(WEB)
    git(repo, "add", "staged.yaml")
    proc = lint(repo, *SELECT, "--diff-base", "HEAD", ".")
    assert _located(proc) == ["./new.yaml:12:13:", "./staged.yaml:12:13:"]


@needs_git
def test_a_renamed_file_reports_only_its_changed_lines(repo: Path):
    git(repo, "mv", "web.yaml", "frontend.yaml")
    (repo / "frontend.yaml").write_text(WEB + CONTAINER.format(name="sidecar"))
    proc = lint(repo, *SELECT, "--diff-base", "HEAD", "frontend.yaml")
    assert _located(proc) == ["frontend.yaml:16:13:"]


@needs_git
def test_a_branch_name_works_as_the_base(repo: Path):
    git(repo, "branch", "base")
    (repo / "web.yaml").write_text(WEB + CONTAINER.format(name="sidecar"))
    git(repo, "commit", "-q", "-am", "sidecar")
    # committed on the branch, compared with where it started
    assert _located(lint(repo, *SELECT, "--diff-base", "base", "web.yaml")) == \
        ["web.yaml:16:13:"]
    assert _located(lint(repo, *SELECT, "--diff-base", "HEAD", "web.yaml")) == []


@needs_git
def test_a_subfolder_is_resolved_from_the_repository_root(repo: Path):
    (repo / "k8s").mkdir()
    (repo / "k8s" / "web.yaml").write_text(WEB)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "k8s")
    (repo / "k8s" / "web.yaml").write_text(WEB + CONTAINER.format(name="sidecar"))
    proc = kubelint("lint", *SELECT, "--diff-base", "HEAD", "web.yaml", cwd=repo / "k8s",
                    env=_env(repo.parent))
    assert _located(proc) == ["web.yaml:16:13:"]


@needs_git
def test_cross_resource_findings_on_unchanged_lines_are_dropped(repo: Path):
    service = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n"
               "  selector:\n    app: web\n  ports:\n  - port: 80\n")
    labelled = WEB.replace("  template:\n", "  template:\n    metadata:\n"
                                            "      labels: {app: web}\n")
    (repo / "svc.yaml").write_text(service)
    (repo / "web.yaml").write_text(labelled)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "service")
    (repo / "web.yaml").write_text(labelled.replace("{app: web}", "{app: frontend}"))
    select = ("--select", "unmatched-service-selector")
    assert _located(lint(repo, *select, ".")) == ["./svc.yaml:6:3:"]
    assert _located(lint(repo, *select, "--diff-base", "HEAD", ".")) == []


@needs_git
def test_an_unknown_revision_is_a_usage_error(repo: Path):
    proc = lint(repo, "--diff-base", "no-such-branch", "web.yaml")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip() == \
        f"kubelint: error: --diff-base: unknown git revision 'no-such-branch' in {repo.resolve()}"


def test_a_file_outside_a_repository_is_a_usage_error(tmp_path: Path):
    (tmp_path / "web.yaml").write_text(WEB)
    if any((p / ".git").exists() for p in (tmp_path, *tmp_path.parents)):
        pytest.skip("the temporary folder is inside a git work tree")
    proc = lint(tmp_path, "--diff-base", "HEAD", "web.yaml")
    assert proc.returncode == 2
    assert proc.stderr.strip() == \
        "kubelint: error: --diff-base: web.yaml is not in a git repository"


@pytest.mark.parametrize(("args", "message"), [
    (("--fix", "web.yaml"), "--diff-base narrows the report; it cannot be combined with --fix"),
    (("--diff", "web.yaml"), "--diff-base narrows the report; it cannot be combined with --fix"),
    (("-",), "--diff-base needs files in a git repository; it cannot read standard input"),
])
def test_combinations_that_cannot_work_are_usage_errors(tmp_path: Path, args, message):
    (tmp_path / "web.yaml").write_text(WEB)
    proc = kubelint("lint", "--diff-base", "HEAD", *args, cwd=tmp_path, stdin=WEB)
    assert proc.returncode == 2
    assert message in proc.stderr


def _span(first: int, last: int, end_col: int = 5) -> Span:
    return Span(Position(first, 1), Position(last, end_col))


def test_parse_diff_reads_hunks_renames_deletions_and_quoted_names():
    diff = (
        "diff --git a/old.yaml b/new.yaml\n"
        "similarity index 90%\nrename from old.yaml\nrename to new.yaml\n"
        "--- a/old.yaml\n+++ b/new.yaml\n"
        "@@ -5 +5 @@\n-5\n+five\n"
        "@@ -10 +9,0 @@\n-10\n"
        "@@ -20,0 +20,3 @@\n+a\n+b\n+c\n"
        'diff --git "a/we ird\\tn\\303\\251.yaml" "b/we ird\\tn\\303\\251.yaml"\n'
        "new file mode 100644\n--- /dev/null\n"
        '+++ "b/we ird\\tn\\303\\251.yaml"\t\n@@ -0,0 +1 @@\n+x\n'
        "diff --git a/gone.yaml b/gone.yaml\ndeleted file mode 100644\n"
        "--- a/gone.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
        "diff --git a/blob.yaml b/blob.yaml\nBinary files a/blob.yaml and b/blob.yaml differ\n")
    changes = parse_diff(diff)
    assert changes == {
        "new.yaml": Changes(frozenset({5, 20, 21, 22}), frozenset({9})),
        "we ird\tné.yaml": Changes(frozenset({1}), frozenset()),
        "blob.yaml": NEW,
    }


def test_changes_touch_spans_through_lines_and_gaps():
    changes = Changes(frozenset({5}), frozenset({9}))
    assert changes.touches(_span(5, 5))
    assert changes.touches(_span(3, 6))
    assert not changes.touches(_span(6, 8))
    assert changes.touches(_span(7, 9))  # lines were deleted right after line 9
    assert changes.touches(_span(9, 12))
    assert not changes.touches(_span(10, 12))
    # a span ending at column 1 ends with the line above
    assert not changes.touches(Span(Position(3, 1), Position(5, 1)))
    assert NEW.touches(_span(100, 100))
