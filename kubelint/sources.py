"""Finding input files and turning bytes into text."""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from kubelint.parse import Problem

EXTENSIONS = (".yaml", ".yml", ".json")
SKIP_DIRS = frozenset((".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__",
                       ".tox", ".terraform"))
MAX_BYTES = 32 * 1024 * 1024
"""Files larger than this are reported, not read."""
STDIN = "-"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input: its display name (as given, `-` for stdin) and its text, or a problem."""

    name: str
    text: str | None
    problem: Problem | None = None
    path: Path | None = None


def is_excluded(path: str, patterns: tuple[str, ...]) -> bool:
    """True when `path` (or any of its parent folders) matches one of the glob patterns."""
    if not patterns:
        return False
    norm = path.replace(os.sep, "/")
    if norm.startswith("./"):
        norm = norm[2:]
    parts = norm.split("/")
    candidates = {norm, parts[-1]}
    candidates.update("/".join(parts[:i]) for i in range(1, len(parts)))
    candidates.update(parts[:-1])
    return any(fnmatch.fnmatchcase(c, p) or fnmatch.fnmatchcase(norm, p) for p in patterns
               for c in candidates)


def _is_chart_template_dir(folder: Path) -> bool:
    """A Helm chart's `templates/` folder holds Go templates, not YAML."""
    return folder.name == "templates" and (folder.parent / "Chart.yaml").is_file()


def discover(paths: list[str], exclude: tuple[str, ...] = ()) -> list[str]:
    """Expand directories into their manifest files, in a stable order; keep files as given."""
    out: list[str] = []
    seen: set[str] = set()
    for given in paths:
        if given == STDIN:
            out.append(STDIN)
            continue
        p = Path(given)
        if p.is_dir():
            for root, dirs, files in os.walk(given):
                rootp = Path(root)
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS
                                 and not _is_chart_template_dir(rootp / d)
                                 and not is_excluded(os.path.join(root, d), exclude))
                for f in sorted(files):
                    full = os.path.join(root, f)
                    if f.endswith(EXTENSIONS) and not is_excluded(full, exclude) and full not in seen:
                        seen.add(full)
                        out.append(full)
        elif not is_excluded(given, exclude) and given not in seen:
            seen.add(given)
            out.append(given)
    return out


def decode(name: str, data: bytes) -> SourceFile:
    """Bytes to text: UTF-8 (BOM allowed) or UTF-16/32 with a BOM; anything else is a problem."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return SourceFile(name, None, Problem(
            "unreadable-file", "file looks binary (NUL bytes); not linted", 0, 0, 0, 1))
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            text = data[3:].decode("utf-8")
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start)
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1)
        return SourceFile(name, None, Problem(
            "unreadable-file", f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); not linted",
            line, col, line, col + 1))
    if text.startswith("\ufeff"):
        text = text[1:]
    return SourceFile(name, text)


def read(name: str) -> SourceFile:
    """Read one input by name (`-` is standard input); problems become a SourceFile.problem."""
    try:
        if name == STDIN:
            data = sys.stdin.buffer.read()
            return decode(name, data)
        path = Path(name)
        size = path.stat().st_size
        if size > MAX_BYTES:
            return SourceFile(name, None, Problem(
                "unreadable-file", f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB; not linted",
                0, 0, 0, 1), path)
        source = decode(name, path.read_bytes())
        return SourceFile(source.name, source.text, source.problem, path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return SourceFile(name, None, Problem("unreadable-file", f"cannot read file: {reason}",
                                              0, 0, 0, 1))
