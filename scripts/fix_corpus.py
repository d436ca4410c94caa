#!/usr/bin/env python3
"""Run `kubelint lint --fix --unsafe-fixes` on a copy of the real-world corpus and check it.

    .venv/bin/python scripts/fix_corpus.py [--shared ../shared] [--corpus realworld] [--select R]

The corpus (../shared/corpus/<corpus>) is copied twice into a temporary folder. On the first copy
the real command line runs `--fix` twice; on the second, `--diff`. Checked:

- the second `--fix` pass changes nothing (the fixer converges in one run);
- `--diff` writes nothing, and its diff is exactly the change `--fix` made;
- every file `--fix` changed still parses, with no new problems;
- documents that hold no fixed finding keep their exact text (files compared document by document);
- linted again, the findings whose fix was applied are gone (what remains with a fix is counted,
  with the reasons kubelint gave for not applying it).

Prints counts and timings; exit status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import bisect
import difflib
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kubelint.config import Config  # noqa: E402
from kubelint.engine import lint_paths  # noqa: E402
from kubelint.fix import _split, selected  # noqa: E402
from kubelint.parse import parse_text  # noqa: E402
from kubelint.sources import decode  # noqa: E402

DEFAULT_SHARED = ROOT.parent / "shared"
KUBELINT = [sys.executable, "-m", "kubelint"]


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _run(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run kubelint; its output decoded as is (a diff of CRLF files keeps its CRs)."""
    start = time.perf_counter()
    proc = subprocess.run([*KUBELINT, *args], cwd=cwd, capture_output=True)
    took = time.perf_counter() - start
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(),
                                       proc.stderr.decode()), took


def _applied(stderr: str) -> int:
    m = re.search(r"^(\d+) fix(?:es)? (?:would be )?applied$", stderr, re.M)
    if m is None:
        raise SystemExit(f"no fix count in kubelint's output:\n{stderr}")
    return int(m.group(1))


def _lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _diff(name: str, before: bytes, after: bytes) -> str:
    """The unified diff `--diff` should print for a file (without its no-newline markers)."""
    lines = difflib.unified_diff(_lines(decode(name, before).text or ""),
                                 _lines(decode(name, after).text or ""),
                                 fromfile=f"./{name}", tofile=f"./{name}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _problems(text: str) -> list[str]:
    parsed = parse_text(text)
    return sorted({p.rule_id for p in parsed.problems}
                  | {p.rule_id for d in parsed.documents for p in d.problems})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--corpus", default="realworld")
    ap.add_argument("--select", default="all")
    args = ap.parse_args()
    source = args.shared / "corpus" / args.corpus
    if not source.is_dir():
        print(f"corpus not found: {source}", file=sys.stderr)
        return 2
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fixed, diffed = Path(tmp) / "fix", Path(tmp) / "diff"
        shutil.copytree(source, fixed, symlinks=True)
        shutil.copytree(source, diffed, symlinks=True)
        original = _files(fixed)
        cfg = Config(select=(args.select,))
        before = lint_paths([str(fixed)], cfg)
        fixable = selected(before.diagnostics, unsafe=True)

        first, t1 = _run(["lint", "--fix", "--unsafe-fixes", "--select", args.select,
                          "--no-color", "."], fixed)
        after_first = _files(fixed)
        second, t2 = _run(["lint", "--fix", "--unsafe-fixes", "--select", args.select,
                           "--no-color", "."], fixed)
        after_second = _files(fixed)
        diff, t3 = _run(["lint", "--diff", "--unsafe-fixes", "--select", args.select,
                         "--no-color", "."], diffed)
        if first.returncode == 2 or second.returncode == 2 or diff.returncode == 2:
            failures.append(f"usage error: {first.stderr or second.stderr or diff.stderr}")
        if _applied(second.stderr) != 0 or after_second != after_first:
            changed = [n for n in after_first if after_first[n] != after_second.get(n)]
            failures.append(f"the second --fix pass changed {len(changed)} files: {changed[:5]}")
        if set(after_first) != set(original):
            extra = sorted(set(after_first) ^ set(original))
            failures.append(f"--fix left or removed files: {extra[:5]}")
        if _files(diffed) != original:
            failures.append("--diff wrote files")
        would = _applied(diff.stderr)
        if would != _applied(first.stderr):
            failures.append(f"--diff counts {would} fixes, --fix applied {_applied(first.stderr)}")

        changed = sorted(n for n in original if after_first.get(n) != original[n])
        expected_diff = {n: _diff(n, original[n], after_first[n]) for n in changed}
        got_diff = {m.group(1): m.group(0) for m in re.finditer(
            r"^--- \./(.*)\n(?:(?!--- \./).*\n)*",
            diff.stdout.replace("\n\\ No newline at end of file\n", "\n"), re.M)}
        differ = [n for n in got_diff.keys() | expected_diff.keys()
                  if got_diff.get(n) != expected_diff.get(n)]
        if differ:
            failures.append(f"--diff differs from the change --fix made in {len(differ)} files: "
                            f"{sorted(differ)[:5]}")

        with_fix: dict[str, set[int]] = {}  # file -> documents holding a finding with a fix
        for d in fixable:
            with_fix.setdefault(str(Path(d.file).relative_to(fixed)), set()).add(d.document)
        docs_total = docs_changed = docs_changed_unfixed = 0
        new_problems = []
        added = removed = 0
        for name in changed:
            old_text = decode(name, original[name]).text or ""
            new_text = decode(name, after_first[name]).text or ""
            if _problems(new_text) != _problems(old_text):
                new_problems.append(name)
            old_chunks, new_chunks = _split(old_text), _split(new_text)
            if len(old_chunks) != len(new_chunks):
                failures.append(f"{name}: document count changed")
                continue
            starts = [c.line for c in old_chunks]
            chunk_of = {bisect.bisect_right(starts, doc.positions[()][0]) - 1: doc.index
                        for doc in parse_text(old_text).documents}
            for i, (a, b) in enumerate(zip(old_chunks, new_chunks)):
                docs_total += 1
                if a.text != b.text:
                    docs_changed += 1
                    if chunk_of.get(i) not in with_fix.get(name, set()):
                        docs_changed_unfixed += 1
            for op, i1, i2, j1, j2 in difflib.SequenceMatcher(
                    None, old_text.splitlines(), new_text.splitlines(),
                    autojunk=False).get_opcodes():
                if op != "equal":
                    removed += i2 - i1
                    added += j2 - j1
        if new_problems:
            failures.append(f"{len(new_problems)} fixed files have new YAML problems: "
                            f"{new_problems[:5]}")
        if docs_changed_unfixed:
            failures.append(f"{docs_changed_unfixed} documents without a fix changed")

        after = lint_paths([str(fixed)], cfg)
        remaining = selected(after.diagnostics, unsafe=True)
        remaining_by_rule = Counter(d.rule_id for d in remaining)
        notes: Counter[str] = Counter()
        for line in first.stderr.splitlines():
            m = re.match(r"kubelint: note: .*?: (\d+) fix(?:es)? not applied: (.*)$", line)
            if m:
                notes[m.group(2)] += int(m.group(1))

    print(f"corpus: {source} ({len(original)} files, {before.documents} documents, "
          f"{before.resources} resources; --select {args.select})")
    print(f"findings before: {len(before.active)} active, {len(fixable)} with a fix "
          f"({sum(1 for d in fixable if d.fix.safety.name == 'SAFE')} safe) "
          f"in {len(with_fix)} files")
    print(f"--fix pass 1: {_applied(first.stderr)} fixes applied, {len(changed)} files changed, "
          f"{added} lines added, {removed} removed or rewritten, {t1:.1f} s")
    print(f"documents in changed files: {docs_total}, changed {docs_changed}, "
          f"changed without a fix {docs_changed_unfixed}")
    print(f"--fix pass 2: {_applied(second.stderr)} fixes applied, "
          f"{sum(1 for n in after_first if after_first[n] != after_second.get(n))} files changed, "
          f"{t2:.1f} s")
    print(f"--diff: {would} fixes would be applied, {t3:.1f} s; wrote nothing: "
          f"{'yes' if 'wrote files' not in ' '.join(failures) else 'NO'}")
    print(f"findings after: {len(after.active)} active, {len(remaining)} still with a fix")
    for rule, n in remaining_by_rule.most_common():
        print(f"  {n:5d} {rule}")
    print(f"fixes not applied, as kubelint's notes explain ({sum(notes.values())}):")
    for note, n in notes.most_common():
        print(f"  {n:5d} {note}")
    for f in failures:
        print(f"FAIL: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
