"""The pre-commit hook, run for real: `pre-commit try-repo <this checkout> kubelint` in a temporary
git repository.

try-repo clones this checkout; when it has uncommitted changes it first makes a temporary commit
in a shadow clone holding the tracked files as they are on disk (`git add -u` plus staged files:
untracked files are NOT included, so a new module must be `git add`ed before this test can see
it). It installs kubelint into a fresh virtualenv in its own temporary store each time (so
PRE_COMMIT_HOME cannot cache it), which takes ~20 s with a warm pip cache; the failing and the
passing run therefore run in parallel. Skipped only when git or pre-commit is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or \
    shutil.which("pre-commit")
GIT = shutil.which("git")

pytestmark = pytest.mark.skipif(PRE_COMMIT is None or GIT is None,
                                reason="pre-commit and git are needed")

BAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.25
          securityContext:
            privileged: true
"""
GOOD = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
  labels:
    app.kubernetes.io/name: shop
data:
  greeting: hello
"""


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(home / "pre-commit-home"), PRE_COMMIT_COLOR="never",
               NO_COLOR="1", GIT_AUTHOR_NAME="kubelint tests", GIT_COMMITTER_NAME="kubelint tests",
               GIT_AUTHOR_EMAIL="tests@kubelint.invalid",
               GIT_COMMITTER_EMAIL="tests@kubelint.invalid")
    return env


def _git_repo(folder: Path, files: dict[str, str], env: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    # an empty config keeps any .kubelint.yaml in a parent folder out of the run
    (folder / ".kubelint.yaml").write_text("")
    for args in (["init", "-q", "."], ["config", "user.email", "tests@kubelint.invalid"],
                 ["config", "user.name", "kubelint tests"], ["add", "."]):
        subprocess.run([GIT, *args], cwd=folder, env=env, check=True, capture_output=True)
    return folder


@pytest.fixture(scope="module")
def hook_runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Both try-repo runs, started together: all files (bad and good), and the good file only."""
    base = tmp_path_factory.mktemp("precommit")
    env = _env(base)
    both = _git_repo(base / "both", {"bad.yaml": BAD, "good.yaml": GOOD}, env)
    good = _git_repo(base / "good", {"good.yaml": GOOD}, env)
    commands = {
        "all": ([PRE_COMMIT, "try-repo", str(ROOT), "kubelint", "--all-files"], both),
        "good": ([PRE_COMMIT, "try-repo", str(ROOT), "kubelint", "--files", "good.yaml"], good),
    }
    procs = {name: subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True)
             for name, (cmd, cwd) in commands.items()}
    out = {}
    for name, proc in procs.items():
        try:
            stdout, _ = proc.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, _ = proc.communicate()
        out[name] = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, "")
    return out


def test_hook_fails_on_a_privileged_container(hook_runs):
    run = hook_runs["all"]
    assert run.returncode == 1, run.stdout
    assert "kubelint" in run.stdout and "Failed" in run.stdout
    assert "- hook id: kubelint" in run.stdout
    assert "bad.yaml:12:13: error privileged-container container 'app' is privileged" \
        in run.stdout.splitlines()
    assert "good.yaml:" not in run.stdout
    assert "Traceback" not in run.stdout


def test_hook_passes_on_a_good_manifest(hook_runs):
    run = hook_runs["good"]
    assert run.returncode == 0, run.stdout
    assert "Passed" in run.stdout
    assert "Traceback" not in run.stdout


def test_hook_definition():
    """The hook runs `kubelint lint` once over every YAML and JSON file (one bundle)."""
    import yaml

    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "kubelint"
    assert hook["entry"] == "kubelint lint"
    assert hook["language"] == "python"
    assert set(hook["types_or"]) == {"yaml", "json"}
    assert hook["require_serial"] is True
