"""Lines changed since a git revision, for `--diff-base`: which diagnostics a change touches.

`git diff --unified=0 REF` (run over the whole repository, so that renames are found) gives, for
each file, the lines added or changed in the working tree since REF; a file that git does not
track counts as changed everywhere. A hunk that only deletes lines leaves a gap: a diagnostic
whose span encloses it (a container from which a key was removed) is touched too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, replace

from kubelint.errors import UsageError
from kubelint.model import LintResult, Span

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


class GitError(UsageError):
    """No git, a file outside a repository, or an unknown revision."""


@dataclass(frozen=True, slots=True)
class Changes:
    """A file's changed lines (1-based), and the lines after which lines were deleted (0: before
    the first line). `everything`: the file is new to git."""

    lines: frozenset[int] = frozenset()
    gaps: frozenset[int] = frozenset()
    everything: bool = False

    def touches(self, span: Span) -> bool:
        """True when a changed line lies within the span, or a deletion inside or just after it."""
        if self.everything:
            return True
        first, last = span.start.line, span.end.line
        if last > first and span.end.col == 1:  # the span ends at the end of the line above
            last -= 1
        return (any(first <= n <= last for n in self.lines)
                or any(first <= n <= last for n in self.gaps))


UNCHANGED = Changes()
NEW = Changes(everything=True)


def parse_diff(text: str) -> dict[str, Changes]:
    """Per file (path relative to the repository, new name for a rename), what `git diff
    --unified=0` says changed. Deleted files are left out."""
    out: dict[str, tuple[set[int], set[int]]] = {}
    binary: set[str] = set()
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("diff --git "):
            current = None
        elif line.startswith("+++ "):
            current = _strip_prefix(_unquote(line[4:].rstrip("\t")))
            if current is not None:
                out.setdefault(current, (set(), set()))
        elif line.startswith("Binary files ") and line.endswith(" differ"):
            name = _binary_new_name(line)
            if name is not None:
                binary.add(name)
        elif current is not None and line.startswith("@@"):
            m = _HUNK.match(line)
            if m is None:
                continue
            start, count = int(m.group(1)), int(m.group(2) or 1)
            lines, gaps = out[current]
            if count:
                lines.update(range(start, start + count))
            else:
                gaps.add(start)  # `+N,0`: lines were removed after line N
    changes = {name: Changes(frozenset(lines), frozenset(gaps)) for name, (lines, gaps) in
               out.items()}
    changes.update((name, NEW) for name in binary)
    return changes


def _strip_prefix(name: str) -> str | None:
    if name == "/dev/null":
        return None
    return name.removeprefix("b/")


def _binary_new_name(line: str) -> str | None:
    # `Binary files a/x and b/y differ` (names may be quoted)
    body = line[len("Binary files "):-len(" differ")]
    m = re.search(r' and ("(?:[^"\\]|\\.)*"|\S.*)$', body)
    return _strip_prefix(_unquote(m.group(1))) if m else None


def _unquote(name: str) -> str:
    """Undo git's C-style quoting of unusual file names (`"a\\tb"`, octal UTF-8 bytes)."""
    if len(name) < 2 or not (name.startswith('"') and name.endswith('"')):
        return name
    raw, body, i = bytearray(), name[1:-1], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            digits = body[i + 1:i + 4]
            if len(digits) == 3 and all(d in "01234567" for d in digits):
                raw.append(int(digits, 8) & 0xFF)
                i += 4
                continue
            raw.append(_ESCAPES.get(nxt, ord(nxt)))
            i += 2
            continue
        raw.extend(c.encode())
        i += 1
    return raw.decode("utf-8", "surrogateescape")


def repository_root(path: str) -> str | None:
    """The top folder of the git work tree holding `path` (the nearest folder with a `.git`),
    or None."""
    folder = os.path.realpath(os.path.dirname(os.path.abspath(path)) if not os.path.isdir(path)
                              else path)
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def changed_lines(files: Iterable[str], ref: str) -> dict[str, Changes]:
    """For each file name (as the diagnostics give it), what changed since the revision `ref`."""
    git = shutil.which("git")
    if git is None:
        raise GitError("--diff-base needs git, which was not found on PATH")
    by_root: dict[str, list[tuple[str, str]]] = {}
    roots: dict[str, str | None] = {}  # folder -> its work tree's top folder
    for name in files:
        if name == "-":
            raise GitError("--diff-base: standard input is not a file in a git repository")
        folder = os.path.dirname(os.path.abspath(name))
        if folder not in roots:
            roots[folder] = repository_root(name)
        root = roots[folder]
        if root is None:
            raise GitError(f"--diff-base: {name} is not in a git repository")
        by_root.setdefault(root, []).append((name, _inside(name, root)))
    if not ref or ref.startswith("-"):
        raise GitError(f"--diff-base: {ref!r} is not a git revision")
    out: dict[str, Changes] = {}
    for root, names in by_root.items():
        commit = _git(git, root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}",
                      what=ref).strip()
        changed = parse_diff(_git(git, root, "diff", "--unified=0", "--no-color", "--no-ext-diff",
                                  "--no-textconv", "--find-renames", "--src-prefix=a/",
                                  "--dst-prefix=b/", commit, what=ref))
        tracked = set(_git(git, root, "ls-files", "-z", what=ref).split("\0"))
        for name, inside in names:
            if inside in changed:
                out[name] = changed[inside]
            else:
                out[name] = UNCHANGED if inside in tracked else NEW
    return out


def _inside(name: str, root: str) -> str:
    """The file's path relative to the work tree's top folder, as git writes it."""
    full = os.path.join(os.path.realpath(os.path.dirname(os.path.abspath(name))),
                        os.path.basename(name))
    return os.path.relpath(full, root).replace(os.sep, "/")


def _git(git: str, root: str, *args: str, what: str) -> str:
    proc = subprocess.run([git, "-c", "core.quotePath=false", *args], cwd=root, check=False,
                          capture_output=True, text=True, encoding="utf-8",
                          errors="surrogateescape")
    if proc.returncode != 0:
        if args[0] == "rev-parse":
            raise GitError(f"--diff-base: unknown git revision {what!r} in {root}")
        detail = proc.stderr.strip().splitlines()
        raise GitError(f"--diff-base: git {args[0]} failed in {root}"
                       + (f": {detail[-1]}" if detail else ""))
    return proc.stdout


def only_changed(result: LintResult, changes: dict[str, Changes]) -> LintResult:
    """The result without the diagnostics that no change touches (a file missing from `changes`
    keeps its diagnostics)."""
    kept = tuple(d for d in result.diagnostics
                 if d.file not in changes or changes[d.file].touches(d.span))
    return replace(result, diagnostics=kept)
