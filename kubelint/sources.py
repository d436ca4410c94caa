"""Finding input files and turning bytes into text."""

from __future__ import annotations

import os
import posixpath
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
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
    """One input: its display name (as given, `-` for stdin) and its text, or a problem.

    `origins` is for rendered text without `# Source:` lines (kustomize): the 0-based line where
    each document starts and the file it came from ("" when unknown), in order."""

    name: str
    text: str | None
    problem: Problem | None = None
    path: Path | None = None
    origins: tuple[tuple[int, str], ...] = ()


def is_excluded(path: str, patterns: Sequence[str], root: str | None = None) -> bool:
    """True when `path` (or one of its parent folders) matches one of the glob patterns.

    Gitignore-like: a pattern without a `/` matches a file or folder name at any depth below
    `root`; one with a `/` (other than a trailing one) is anchored at `root`; an absolute pattern
    is used as it is. `*` and `?` stay inside one path segment, `**` spans any number of them,
    and a trailing `/` matches folders only. `root` defaults to the working directory; `path` may
    be relative (to the working directory) or absolute. Standard input (`-`) is never excluded.
    """
    if not patterns or path == STDIN:
        return False
    target = _slashed(os.path.abspath(path))
    base = _slashed(os.path.abspath(root or os.getcwd()))
    return any(_glob_regex(p, base).match(target) for p in patterns)


def _slashed(path: str) -> str:
    """An absolute path with `/` separators and a leading `/` (also for `C:` on Windows)."""
    path = path.replace(os.sep, "/")
    return path if path.startswith("/") else "/" + path


@lru_cache(maxsize=1024)
def _glob_regex(pattern: str, base: str) -> re.Pattern[str]:
    pat = pattern.replace(os.sep, "/")
    folder_only = pat.endswith("/")
    pat = pat.rstrip("/") or "/"
    if os.path.isabs(pat):
        full = _slashed(pat)
    elif "/" in pat:
        full = base.rstrip("/") + "/" + (pat[2:] if pat.startswith("./") else pat)
    else:
        full = base.rstrip("/") + "/**/" + pat
    segments = [s for s in posixpath.normpath(full).split("/") if s]
    out = ["(?:/[^/]+)*" if seg == "**" else "/" + _segment_regex(seg) for seg in segments]
    tail = "/.+" if folder_only else "(?:/.*)?"
    return re.compile("".join(out) + tail + r"\Z", re.S)


def _segment_regex(seg: str) -> str:
    """fnmatch's translation for one path segment: `*` and `?` never cross a `/`."""
    out, i, n = [], 0, len(seg)
    while i < n:
        c = seg[i]
        i += 1
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i
            if j < n and seg[j] in "!^":
                j += 1
            if j < n and seg[j] == "]":
                j += 1
            while j < n and seg[j] != "]":
                j += 1
            if j >= n:
                out.append("\\[")
            else:
                body = seg[i:j].replace("\\", "\\\\")
                if body[:1] in "!^":
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = j + 1
        else:
            out.append(re.escape(c))
    return "".join(out)


def _is_chart_template_dir(folder: Path) -> bool:
    """A Helm chart's `templates/` folder holds Go templates, not YAML."""
    return folder.name == "templates" and (folder.parent / "Chart.yaml").is_file()


def _is_helm_file(path: Path) -> bool:
    """A chart's own files: its `Chart.yaml` and anything under its `templates/` folder.

    Neither is a Kubernetes manifest; pre-commit names them one by one, so this is checked for
    files named explicitly too. A chart's `crds/` and rendered output are linted."""
    if path.name == "Chart.yaml":
        return True
    if "templates" not in path.parts[:-1]:
        return False
    return any(_is_chart_template_dir(folder) for folder in path.parents
               if folder.name == "templates")


def discover(paths: list[str], exclude: Sequence[str] = (), root: str | None = None, *,
             kustomize: bool = True) -> list[str]:
    """Expand directories into their manifest files, in a stable order; keep files as given
    (except a Helm chart's `Chart.yaml` and `templates/`, see `_is_helm_file`).

    `exclude` globs (relative to `root`, see `is_excluded`) skip files and whole folders, also
    files named explicitly (pre-commit passes every changed file by name). With `kustomize`, a
    folder named in `paths` that holds a kustomization is kept as it is, for `read` to render,
    when kustomize or kubectl is on PATH (see `kubelint.kustomize`)."""
    out: list[str] = []
    seen: set[str] = set()
    for given in paths:
        if given == STDIN:
            out.append(STDIN)
            continue
        p = Path(given)
        if kustomize and p.is_dir() and is_rendered_kustomization(given):
            out.append(given)
            continue
        if p.is_dir():
            for folder, dirs, files in os.walk(given):
                rootp = Path(folder)
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS
                                 and not _is_chart_template_dir(rootp / d)
                                 and not is_excluded(os.path.join(folder, d), exclude, root))
                for f in sorted(files):
                    full = os.path.join(folder, f)
                    if f == "Chart.yaml":
                        continue
                    if (f.endswith(EXTENSIONS) and full not in seen
                            and not is_excluded(full, exclude, root)):
                        seen.add(full)
                        out.append(full)
        elif not is_excluded(given, exclude, root) and given not in seen and not _is_helm_file(p):
            seen.add(given)
            out.append(given)
    return out


_BOMS = ((b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"), (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
         (b"\xef\xbb\xbf", "utf-8", "UTF-8"), (b"\xfe\xff", "utf-16-be", "UTF-16"),
         (b"\xff\xfe", "utf-16-le", "UTF-16"))
"""Byte-order marks, longest first where one starts another."""


def decode(name: str, data: bytes) -> SourceFile:
    """Bytes to text: UTF-8 (BOM allowed) or UTF-16/32 with a BOM; anything else is a problem.

    An undecodable byte is reported at its line and column (in code points, like every position).
    """
    codec, label, bom = "utf-8", "UTF-8", 0
    for mark, enc, name_ in _BOMS:
        if data.startswith(mark):
            codec, label, bom = enc, name_, len(mark)
            break
    if codec == "utf-8" and b"\x00" in data[:8192]:
        return SourceFile(name, None, Problem(
            "unreadable-file", "file looks binary (NUL bytes; UTF-16 and UTF-32 need a byte-order "
            "mark); not linted", 0, 0, 0, 1))
    body = data[bom:] if bom else data
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        good = body[:exc.start].decode(codec)  # the valid text before the bad byte
        line = good.count("\n")
        col = len(good) - (good.rfind("\n") + 1)
        return SourceFile(name, None, Problem(
            "unreadable-file", f"file is not valid {label} (byte 0x{body[exc.start]:02x}); "
            "not linted", line, col, line, col + 1))
    if text.startswith("\ufeff"):
        text = text[1:]
    return SourceFile(name, text)


def is_rendered_kustomization(folder: str) -> bool:
    """A folder holding a kustomization, with a tool on PATH to render it."""
    from kubelint import kustomize

    return kustomize.kustomization_file(folder) is not None and kustomize.command() is not None


def unrendered_kustomizations(paths: Sequence[str]) -> list[str]:
    """Folders in `paths` holding a kustomization that no tool on PATH can render."""
    from kubelint import kustomize

    if not any(os.path.isdir(p) and kustomize.kustomization_file(p) for p in paths):
        return []
    if kustomize.command() is not None:
        return []
    return [p for p in paths if os.path.isdir(p) and kustomize.kustomization_file(p)]


def read(name: str) -> SourceFile:
    """Read one input by name (`-` is standard input, a folder a kustomization to render);
    problems become a SourceFile.problem."""
    if name != STDIN and os.path.isdir(name):
        from kubelint import kustomize

        cmd = kustomize.command()
        if cmd is not None:
            shown, text, problem, origins = kustomize.read(name, cmd)
            return SourceFile(shown, text, problem, origins=origins)
    try:
        if name == STDIN:
            data = sys.stdin.buffer.read()
            return decode(name, data)
        path = Path(name)
        size = path.stat().st_size
        if size > MAX_BYTES:
            return SourceFile(name, None, Problem(
                "unreadable-file",
                f"file is larger than {MAX_BYTES // (1024 * 1024)} MiB; not linted", 0, 0, 0, 1),
                path)
        source = decode(name, path.read_bytes())
        return SourceFile(source.name, source.text, source.problem, path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return SourceFile(name, None, Problem("unreadable-file", f"cannot read file: {reason}",
                                              0, 0, 0, 1))
