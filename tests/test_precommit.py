"""The pre-commit hooks, run for real: `pre-commit try-repo <this checkout>` in a temporary git
repository, `kubelint` (lint) and `kubelint-fix` (apply the safe fixes, then lint).

try-repo clones this checkout; when it has uncommitted changes it first makes a temporary commit
in a shadow clone holding the tracked files as they are on disk (`git add -u` plus staged files:
untracked files are NOT included, so a new module must be `git add`ed before this test can see
it). It installs kubelint into a fresh virtualenv in its own temporary store each time (so
PRE_COMMIT_HOME cannot cache it), which takes ~20 s with a warm pip cache; the failing run (both
hooks, one install) and the passing run therefore run in parallel. Skipped only when git or
pre-commit is missing.
"""

from __future__ import annotations

import os
import re
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
FIXABLE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      serviceAccount: api  # the identity
      containers:
        - name: api
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
    """Both try-repo runs, started together: every hook on all files (bad, fixable and good), and
    the `kubelint` hook on the good file only."""
    base = tmp_path_factory.mktemp("precommit")
    env = _env(base)
    both = _git_repo(base / "both", {"bad.yaml": BAD, "fixable.yaml": FIXABLE, "good.yaml": GOOD},
                     env)
    good = _git_repo(base / "good", {"good.yaml": GOOD}, env)
    commands = {
        "all": ([PRE_COMMIT, "try-repo", str(ROOT), "--all-files"], both),
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
    out["fixed"] = (both / "fixable.yaml").read_text(encoding="utf-8")
    return out


HOOK_HEADER = re.compile(r"^(?P<name>\S.*?)\.{3,}(?P<status>Passed|Failed|Skipped)$", re.MULTILINE)


def _sections(output: str) -> dict[str, tuple[str, str]]:
    """Each hook's status and output, by hook id, from a pre-commit run's report."""
    heads = list(HOOK_HEADER.finditer(output))
    out = {}
    for head, after in zip(heads, [*heads[1:], None]):
        body = output[head.end():after.start() if after else len(output)]
        hook_id = re.search(r"^- hook id: (\S+)$", body, re.MULTILINE)
        out[hook_id.group(1) if hook_id else head["name"]] = (head["status"], body)
    return out


def test_hook_fails_on_a_privileged_container(hook_runs):
    run = hook_runs["all"]
    assert run.returncode == 1, run.stdout
    status, body = _sections(run.stdout)["kubelint"]
    assert status == "Failed", run.stdout
    assert "bad.yaml:12:13: error privileged-container container 'app' is privileged" \
        in body.splitlines()
    assert "good.yaml:" not in run.stdout
    assert "Traceback" not in run.stdout


def test_fix_hook_fixes_the_file_and_reports_the_change(hook_runs):
    run = hook_runs["all"]
    status, body = _sections(run.stdout)["kubelint-fix"]
    assert status == "Failed", run.stdout
    assert "- files were modified by this hook" in body.splitlines()
    # the safe fix (rename) is applied on disk, keeping the comment and the line...
    assert hook_runs["fixed"] == FIXABLE.replace("serviceAccount: api",
                                                 "serviceAccountName: api")
    # ...the unsafe one is not: it is reported, at the unchanged line
    assert "fixable.yaml:13:13: error privileged-container container 'api' is privileged" \
        in body.splitlines()
    assert "deprecated-service-account-field" not in body
    assert "1 fix applied" in body


def test_hook_passes_on_a_good_manifest(hook_runs):
    run = hook_runs["good"]
    assert run.returncode == 0, run.stdout
    assert "Passed" in run.stdout
    assert "Traceback" not in run.stdout


def test_hook_definitions():
    """The hooks run `kubelint lint` (and `kubelint lint --fix`) once over every YAML and JSON
    file (one bundle)."""
    import yaml

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["kubelint", "kubelint-fix"]
    assert [h["entry"] for h in hooks] == ["kubelint lint", "kubelint lint --fix"]
    for hook in hooks:
        assert hook["language"] == "python"
        assert set(hook["types_or"]) == {"yaml", "json"}
        assert hook["require_serial"] is True
