"""`kubelint lint DIR` on a kustomization folder: rendered with kustomize (or kubectl), origins
mapped back to the files; plain files with a note when neither tool is on PATH."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kubelint.kustomize import with_sources

DATA = Path(__file__).parent / "data" / "kustomize-app"
SELECT = "privileged-container,latest-tag"
# What `kustomize build overlays/prod` prints for tests/data/kustomize-app (keys sorted, the
# namePrefix applied); the fake tool prints it, with origin annotations when it builds the
# wrapper that asks for them.
RENDERED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    env: prod
  name: prod-web
spec:
  selector:
    matchLabels:
      app: web
      env: prod
  template:
    metadata:
      labels:
        app: web
        env: prod
    spec:
      containers:
      - image: nginx:latest
        name: web
        securityContext:
          privileged: true
"""
ORIGIN = "    config.kubernetes.io/origin: |\n      path: @ROOT@/../../base/deployment.yaml\n"
FAKE = """\
#!/bin/sh
# A stand-in for `kustomize build DIR`.
[ "$1" = build ] || exit 3
if grep -q originAnnotations "$2/kustomization.yaml" 2>/dev/null; then
  [ -n "$FAKE_NO_ORIGINS" ] && exit 1
  root=$(sed -n 's/^- //p' "$2/kustomization.yaml")
  sed "s#@ROOT@#$root#" "$FAKE_DIR/with-origins.yaml"
  exit 0
fi
[ -n "$FAKE_FAIL" ] && { echo "Error: $FAKE_FAIL" >&2; exit 1; }
cat "$FAKE_DIR/plain.yaml"
"""

posix_only = pytest.mark.skipif(os.name == "nt", reason="the fake kustomize is a shell script")


def kubelint(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    (cwd / ".kubelint.yaml").write_text("")
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update(env)
    proc = subprocess.run([sys.executable, "-m", "kubelint", "lint", *args], cwd=cwd,
                          capture_output=True, text=True, env=full_env, timeout=60, check=False)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copytree(DATA, tmp_path / "app")
    return tmp_path


@pytest.fixture
def fake(tmp_path: Path) -> dict[str, str]:
    """PATH holding only a fake `kustomize` (and the shell tools it uses)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sh", "sed", "grep", "cat"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    script = bin_dir / "kustomize"
    script.write_text(FAKE)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "plain.yaml").write_text(RENDERED)
    annotated = RENDERED.replace("  labels:\n    env: prod\n  name: prod-web\n",
                                 "  annotations:\n" + ORIGIN + "  labels:\n    env: prod\n"
                                 "  name: prod-web\n", 1)
    (tmp_path / "with-origins.yaml").write_text(annotated)
    return {"PATH": str(bin_dir), "FAKE_DIR": str(tmp_path)}


def diagnostics(proc: subprocess.CompletedProcess[str]) -> list[tuple]:
    return [(d["file"], d["line"], d["column"], d["rule"], d["origin"], d.get("source"))
            for d in json.loads(proc.stdout)["diagnostics"]]


@posix_only
def test_rendered_stream_with_origins_mapped_to_the_files(work: Path, fake: dict[str, str]):
    proc = kubelint("--format", "json", "--select", SELECT, "app/overlays/prod", cwd=work,
                    env=fake)
    assert proc.returncode == 1, proc.stderr
    base = "app/base/deployment.yaml"
    # the annotation is gone: the lines are those of the stream kustomize prints without it
    assert diagnostics(proc) == [
        ("app/overlays/prod (kustomize build)", 19, 9, "latest-tag", base,
         {"file": base, "line": 15, "approximate": False}),
        ("app/overlays/prod (kustomize build)", 22, 11, "privileged-container", base,
         {"file": base, "line": 18, "approximate": False}),
    ]
    text = kubelint("--no-color", "--select", SELECT, "app/overlays/prod", cwd=work, env=fake)
    assert ("app/overlays/prod (kustomize build):22:11: error privileged-container container "
            f"'web' is privileged (from {base}:18)") in text.stdout.splitlines()


@posix_only
def test_without_origins_the_stream_is_linted_as_rendered(work: Path, fake: dict[str, str]):
    proc = kubelint("--format", "json", "--select", SELECT, "app/overlays/prod/", cwd=work,
                    env={**fake, "FAKE_NO_ORIGINS": "1"})
    assert diagnostics(proc) == [
        ("app/overlays/prod (kustomize build)", 19, 9, "latest-tag", None, None),
        ("app/overlays/prod (kustomize build)", 22, 11, "privileged-container", None, None),
    ]


@posix_only
def test_a_failed_build_is_reported_on_the_kustomization(work: Path, fake: dict[str, str]):
    proc = kubelint("--no-color", "app/overlays/prod", cwd=work,
                    env={**fake, "FAKE_NO_ORIGINS": "1", "FAKE_FAIL": "missing resource"})
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0] == (
        "app/overlays/prod/kustomization.yaml:1:1: error unreadable-file `kustomize build "
        "app/overlays/prod` failed: missing resource; not linted")


@posix_only
def test_only_folders_named_are_rendered(work: Path, fake: dict[str, str]):
    """A tree holding kustomizations is linted file by file, as without kustomize."""
    proc = kubelint("--format", "json", "--select", SELECT, "app", cwd=work, env=fake)
    assert diagnostics(proc) == [
        ("app/base/deployment.yaml", 15, 11, "latest-tag", None, None),
        ("app/base/deployment.yaml", 18, 13, "privileged-container", None, None),
    ]


@posix_only
def test_fix_refuses_rendered_output(work: Path, fake: dict[str, str]):
    proc = kubelint("--fix", "app/overlays/prod", cwd=work, env=fake)
    assert proc.returncode == 2 and "never edit kustomize output" in proc.stderr


def test_no_tool_lints_the_plain_files_with_a_note(work: Path, tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = kubelint("--format", "json", "--select", SELECT, "app/base", cwd=work,
                    env={"PATH": str(empty)})
    assert proc.returncode == 1
    assert [(d[0], d[1], d[3]) for d in diagnostics(proc)] == [
        ("app/base/deployment.yaml", 15, "latest-tag"),
        ("app/base/deployment.yaml", 18, "privileged-container")]
    assert ("kubelint: note: app/base: kustomization not rendered (neither kustomize nor "
            "kubectl is on PATH); its files are linted as plain manifests") in proc.stderr


@posix_only
def test_origin_annotations_are_taken_out_and_kept_as_origins():
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    a: b\n"
            "    config.kubernetes.io/origin: |\n      path: ../app/cm.yaml\n"
            "  name: x\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  annotations:\n"
            "    config.kubernetes.io/origin: |\n      path: cm.yaml\n      repo: https://x\n"
            "  name: y\n")
    plain, origins = with_sources(text, "/w/wrap", "/w/app")
    assert plain.splitlines() == [
        "apiVersion: v1", "kind: ConfigMap", "metadata:", "  annotations:", "    a: b",
        "  name: x", "---",
        "apiVersion: v1", "kind: Secret", "metadata:", "  name: y"]
    assert origins == ((0, "/w/app/cm.yaml"), (7, ""))  # a remote resource has no local file


REAL_TOOL = shutil.which("kustomize") or shutil.which("kubectl")


@pytest.mark.skipif(REAL_TOOL is None, reason="neither kustomize nor kubectl is installed")
def test_real_kustomize(work: Path):
    proc = kubelint("--format", "json", "--select", SELECT, "app/overlays/prod", cwd=work,
                    env={})
    assert proc.returncode == 1, proc.stderr
    base = "app/base/deployment.yaml"
    got = [(d[0], d[3], d[4], d[5]) for d in diagnostics(proc)]
    assert got == [
        ("app/overlays/prod (kustomize build)", "latest-tag", base,
         {"file": base, "line": 15, "approximate": False}),
        ("app/overlays/prod (kustomize build)", "privileged-container", base,
         {"file": base, "line": 18, "approximate": False}),
    ]
    # the lines are those `kustomize build` prints (the origin annotation was taken out)
    cmd = ["kustomize", "build"] if shutil.which("kustomize") else ["kubectl", "kustomize"]
    plain = subprocess.run([*cmd, "app/overlays/prod"], cwd=work, capture_output=True,
                           text=True, check=True, timeout=120).stdout.splitlines()
    lines = [d[1] for d in diagnostics(proc)]
    assert "image: nginx:latest" in plain[lines[0] - 1]
    assert "privileged: true" in plain[lines[1] - 1]
