"""The progress line: on a terminal's standard error for long text runs, never when piped."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kubelint.progress import CLEAR, ProgressLine

CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{n}\ndata:\n  a: b\n"


def test_many_files_show_the_line_at_once_and_finish_clears_it():
    line = ProgressLine(start=0.0)
    assert line.update("reading", 1, 60, now=0.0) == f"{CLEAR}kubelint: reading 1/60 files"
    assert line.update("reading", 2, 60, now=0.05) is None  # redrawn at most every 0.1 s
    assert line.update("reading", 3, 60, now=0.2) == f"{CLEAR}kubelint: reading 3/60 files"
    assert line.update("reading", 60, 60, now=0.21) == f"{CLEAR}kubelint: reading 60/60 files"
    assert line.update("checking", 7, 90, now=0.4) == \
        f"{CLEAR}kubelint: checking 7/90 resources"
    assert line.finish() == CLEAR


def test_few_files_show_nothing_until_the_run_takes_a_second():
    line = ProgressLine(start=10.0)
    assert line.update("reading", 1, 3, now=10.0) is None
    assert line.update("checking", 1, 500, now=10.9) is None
    assert line.finish() == ""
    assert line.update("checking", 400, 500, now=11.0) == \
        f"{CLEAR}kubelint: checking 400/500 resources"
    assert line.finish() == CLEAR


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("many")
    (folder / ".kubelint.yaml").write_text("")
    (folder / "m").mkdir()
    for n in range(60):
        (folder / "m" / f"c{n:02}.yaml").write_text(CONFIGMAP.format(n=n))
    return folder


def _run_on_a_terminal(folder: Path, *args: str) -> tuple[int, str, str]:
    """Run `kubelint lint` with standard error on a pseudo-terminal and standard output in a
    file (not a pipe: a full pipe would block the child while the test reads the terminal)."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([sys.executable, "-m", "kubelint", "lint", *args, "m"],
                                cwd=folder, stdout=out, stderr=slave, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO once the child has closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        proc.wait(timeout=60)
        out.seek(0)
        stdout = out.read().decode()
    return proc.returncode, stdout, b"".join(chunks).decode()


def test_a_terminal_gets_the_line_and_it_is_cleared(many: Path):
    code, stdout, stderr = _run_on_a_terminal(many)
    assert code == 0
    assert stdout == "no problems in 60 resources from 60 files\n"
    assert f"{CLEAR}kubelint: reading 60/60 files" in stderr
    assert f"{CLEAR}kubelint: checking 60/60 resources" in stderr
    assert stderr.endswith(CLEAR)


@pytest.mark.parametrize("args", [("--format", "json"), ("--format", "sarif"), ("--quiet",)])
def test_a_terminal_gets_no_line_with_machine_formats_or_quiet(many: Path, args):
    code, _, stderr = _run_on_a_terminal(many, *args)
    assert code == 0
    assert stderr == ""


def test_a_pipe_gets_no_line(many: Path):
    proc = subprocess.run([sys.executable, "-m", "kubelint", "lint", "m"], cwd=many,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert proc.stdout == "no problems in 60 resources from 60 files\n"
