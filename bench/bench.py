"""kubelint benchmark: corpus throughput against the libyaml floor, one-file start-up, memory.

Run from the repository (a script, not a test):

    .venv/bin/python bench/bench.py [CORPUS] [--repeat N] [--small-runs N] [--importtime]
                                    [--profile] [--json]

CORPUS defaults to ../shared/corpus/realworld relative to the repository. Every measurement runs in
a fresh subprocess, so one does not warm caches or grow the heap for the next:

- floor: read and decode the same files kubelint would lint, then time only
  `yaml.compose_all(text, Loader=yaml.CSafeLoader)` over all of them (the least any located YAML
  linter built on libyaml can do);
- lint: the real console script, `kubelint lint --select all --format json CORPUS`, timed as a whole
  process (start-up, reading, parsing, rules, rendering) with its CPU time and peak RSS from
  `os.wait4` and the peak PSS of its process tree (workers included), sampled;
- one process: the same with `--jobs 1` (no workers);
- engine: `lint_paths` with `Config(select=("all",))` inside one process (no start-up, no output,
  no workers, the cyclic collector off as in the console script);
- small: `kubelint lint bench/small.yaml` through the console script, median of N runs.

The machine is shared and times drift between runs: read the ratios, taken in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "realworld"
SMALL = HERE / "small.yaml"

TARGET_RATIO = 3.0
TARGET_SMALL_S = 0.3
TARGET_MEM_MIB = 200.0


# --- child modes (each runs in its own fresh interpreter) -------------------------------------

def _child_floor(corpus: str) -> dict:
    import yaml

    from kubelint import sources

    names = sources.discover([corpus])
    texts = [s.text for s in map(sources.read, names) if s.text is not None]
    start = time.perf_counter()
    for text in texts:
        try:
            for _ in yaml.compose_all(text, Loader=yaml.CSafeLoader):
                pass
        except yaml.YAMLError:
            pass
    return {"seconds": time.perf_counter() - start, "files": len(names),
            "bytes": sum(len(t.encode("utf-8")) for t in texts)}


def _child_engine(corpus: str, profile: bool, per_rule: bool = False) -> dict:
    import gc

    gc.disable()  # as the console script runs
    from kubelint import engine
    from kubelint.config import Config
    from kubelint.engine import lint_paths

    config = Config(select=("all",))
    rule_times: dict[str, float] = {}
    if per_rule:  # time every rule run (the engine calls its module-level _run per rule and object)
        run = engine._run
        clock = time.perf_counter

        def timed(rule, *args, **kwargs):
            start = clock()
            try:
                return run(rule, *args, **kwargs)
            finally:
                rule_times[rule.id] = rule_times.get(rule.id, 0.0) + clock() - start

        engine._run = timed
    if profile:
        import cProfile
        import io
        import pstats

        prof = cProfile.Profile()
        start = time.perf_counter()
        prof.enable()
        result = lint_paths([corpus], config)
        prof.disable()
        seconds = time.perf_counter() - start
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(25)
        report = out.getvalue()
    else:
        start = time.perf_counter()
        result = lint_paths([corpus], config)
        seconds = time.perf_counter() - start
        report = None
    return {"seconds": seconds, "files": result.files, "documents": result.documents,
            "resources": result.resources, "rules": result.rules_run,
            "diagnostics": len(result.diagnostics), "profile": report, "rule_times": rule_times}


# --- parent ----------------------------------------------------------------------------------

def _python() -> str:
    return sys.executable


def _console_script() -> str:
    script = Path(sys.executable).parent / "kubelint"
    if not script.exists():
        sys.exit(f"bench: console script not found at {script} (pip install -e . first)")
    return str(script)


def _child(mode: str, *args: str) -> dict:
    out = subprocess.run([_python(), str(Path(__file__).resolve()), f"--child-{mode}", *args],
                         capture_output=True, text=True, cwd=REPO, check=False)
    if out.returncode != 0:
        sys.exit(f"bench: child {mode} failed:\n{out.stderr}")
    return json.loads(out.stdout)


def _child_measure(argv: list[str], sample: bool = False) -> dict:
    """Run `argv` from this small process and report its wall time, CPU time, peak RSS, peak
    memory of its process tree and exit code.

    Linux charges a child the memory high-water mark of the process it was forked (vforked) from
    until it execs, so a large parent would inflate every child's ru_maxrss: measuring from a
    fresh, small interpreter keeps that floor at a few MiB (reported as `floor_rss_mib`).
    ru_maxrss is one process's peak; kubelint may fork workers, so a thread also samples
    the proportional set size (PSS: shared pages split among the processes sharing them) of
    the whole tree every 20 ms when `sample` is set, and reports the largest sum seen
    (`tree_pss`; sampling takes CPU, so timed runs do not sample)."""
    import resource
    import threading

    peak_pss = 0
    done = threading.Event()

    def sample_tree(pid: int) -> None:
        nonlocal peak_pss
        while not done.wait(0.02):
            peak_pss = max(peak_pss, sum(_pss_kib(p) for p in _tree(pid)))

    with tempfile.TemporaryFile() as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=sink, stderr=subprocess.DEVNULL, cwd=REPO)
        sampler = threading.Thread(target=sample_tree, args=(proc.pid,), daemon=True)
        if sample:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        if sample:
            sampler.join()
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        proc.returncode = os.waitstatus_to_exitcode(status)
        sink.seek(0)
        data = sink.read()
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB
    summary = None
    if data.startswith(b"{"):
        summary = json.loads(data).get("summary")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss": usage.ru_maxrss / scale, "tree_pss": peak_pss / 1024,
            "code": proc.returncode, "summary": summary, "floor_rss": own / scale}


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants (Linux; just `pid` elsewhere)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _run_measured(argv: list[str], sample: bool = False) -> dict:
    """`_child_measure` in a fresh process: keys wall, cpu, rss and tree_pss (MiB), code,
    summary, floor_rss."""
    return _child("measure", json.dumps({"argv": argv, "sample": sample}))


def _importtime(top: int) -> list[tuple[int, int, str]]:
    """The `top` imports of a one-file lint with the largest cumulative time (us)."""
    out = subprocess.run([_python(), "-X", "importtime", "-m", "kubelint", "lint", str(SMALL)],
                         capture_output=True, text=True, cwd=REPO, check=False)
    rows = []
    for line in out.stderr.splitlines():
        # "import time:       123 |        456 |   package.module"
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        head, cumulative, name = line.split("|", 2)
        rows.append((int(head.split(":", 1)[1]), int(cumulative), name.rstrip()))
    rows.sort(key=lambda r: -r[1])
    return rows[:top]


def _jobs() -> int:
    """The processes `--jobs 0` uses on this machine."""
    from kubelint.workers import auto_jobs

    return auto_jobs()


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--repeat", type=int, default=3,
                        help="corpus runs of each kind; the median is shown (default 3)")
    parser.add_argument("--small-runs", type=int, default=15,
                        help="one-small-file runs; the median is shown (default 15)")
    parser.add_argument("--importtime", action="store_true",
                        help="also list the slowest imports of a one-file lint")
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of the in-process engine run")
    parser.add_argument("--per-rule", action="store_true",
                        help="also print the rules that take the most time (in-process run)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child-floor", metavar="CORPUS", help=argparse.SUPPRESS)
    parser.add_argument("--child-engine", metavar="CORPUS", help=argparse.SUPPRESS)
    parser.add_argument("--child-profile", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-per-rule", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-measure", metavar="ARGV_JSON", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child_floor:
        print(json.dumps(_child_floor(args.child_floor)))
        return 0
    if args.child_measure:
        print(json.dumps(_child_measure(**json.loads(args.child_measure))))
        return 0
    if args.child_engine:
        print(json.dumps(_child_engine(args.child_engine, args.child_profile,
                                       args.child_per_rule)))
        return 0

    corpus = os.path.abspath(args.corpus)
    if not os.path.isdir(corpus):
        sys.exit(f"bench: corpus not found: {corpus}")
    script = _console_script()

    floors, engines, lints, ones, cpus, rsss, psss = [], [], [], [], [], [], []
    summary: dict = {}
    engine: dict = {}
    for _ in range(max(1, args.repeat)):  # interleaved, so drift hits every kind alike
        floor = _child("floor", corpus)
        floors.append(floor["seconds"])
        engine = _child("engine", corpus)
        engines.append(engine["seconds"])
        for jobs, walls in (("0", lints), ("1", ones)):
            run = _run_measured([script, "lint", "--select", "all", "--format", "json",
                                 "--no-color", "--jobs", jobs, corpus])
            if run["code"] not in (0, 1):
                sys.exit(f"bench: kubelint exited {run['code']}")
            summary = run["summary"]
            walls.append(run["wall"])
            rsss.append(run["rss"])
            if jobs == "0":
                cpus.append(run["cpu"])
            floor_rss = run["floor_rss"]

    for jobs in ("0", "1"):  # memory, in runs of their own: sampling it takes CPU
        run = _run_measured([script, "lint", "--select", "all", "--format", "json",
                             "--no-color", "--jobs", jobs, corpus], sample=True)
        rsss.append(run["rss"])
        psss.append(run["tree_pss"])

    small_walls, small_rss = [], []
    for _ in range(max(1, args.small_runs)):
        run = _run_measured([script, "lint", "--no-color", str(SMALL)])
        if run["code"] not in (0, 1):
            sys.exit(f"bench: kubelint exited {run['code']} on {SMALL}")
        small_walls.append(run["wall"])
        small_rss.append(run["rss"])

    floor_s = statistics.median(floors)
    lint_s = statistics.median(lints)
    one_s = statistics.median(ones)
    cpu_s = statistics.median(cpus)
    engine_s = statistics.median(engines)
    small_s = statistics.median(small_walls)
    peak = max(rsss)
    tree_peak = max(psss)
    memory = max(peak, tree_peak)
    ratio = lint_s / floor_s
    jobs = _jobs()
    figures = {
        "corpus": corpus, "python": sys.version.split()[0], "repeat": args.repeat,
        "files": summary["files"], "documents": summary["documents"],
        "resources": summary["resources"], "rules": summary["rules"],
        "diagnostics": summary["diagnostics"], "bytes": floor["bytes"],
        "lint_wall_s": lint_s, "lint_cpu_s": cpu_s, "lint_one_process_s": one_s,
        "engine_s": engine_s, "floor_s": floor_s, "jobs": jobs,
        "files_per_s": summary["files"] / lint_s, "resources_per_s": summary["resources"] / lint_s,
        "ratio_lint_floor": ratio, "ratio_one_process_floor": one_s / floor_s,
        "ratio_engine_floor": engine_s / floor_s,
        "peak_rss_mib": peak, "peak_tree_pss_mib": tree_peak, "small_wall_s": small_s,
        "small_rss_mib": max(small_rss),
        "floor_rss_mib": floor_rss,
        "targets": {
            "ratio": [TARGET_RATIO, ratio < TARGET_RATIO],
            "small_wall_s": [TARGET_SMALL_S, small_s < TARGET_SMALL_S],
            "peak_memory_mib": [TARGET_MEM_MIB, memory < TARGET_MEM_MIB],
        },
    }
    imports = _importtime(15) if args.importtime else []
    if args.json:
        figures["importtime"] = [{"self_us": s, "cumulative_us": c, "module": m}
                                 for s, c, m in imports]
        print(json.dumps(figures, indent=2))
    else:
        mib = floor["bytes"] / (1024 * 1024)
        print(f"corpus     {corpus}  ({mib:.1f} MiB, Python {figures['python']}, "
              f"median of {args.repeat})")
        print(f"input      {summary['files']} files, {summary['documents']} documents, "
              f"{summary['resources']} resources; {summary['rules']} rules, "
              f"{summary['diagnostics']} diagnostics")
        print(f"lint       {lint_s:6.3f} s wall (console script, whole process, "
              f"{jobs} processes)  {summary['files'] / lint_s:5.0f} files/s  "
              f"{summary['resources'] / lint_s:5.0f} resources/s  {cpu_s:.3f} s CPU")
        print(f"one proc   {one_s:6.3f} s wall (the same with --jobs 1)")
        print(f"engine     {engine_s:6.3f} s (lint_paths in-process, one process, "
              "no start-up/output)")
        print(f"floor      {floor_s:6.3f} s (yaml.compose_all, CSafeLoader, same files)")
        print(f"ratio      lint/floor {ratio:4.2f}x   one process/floor {one_s / floor_s:4.2f}x   "
              f"engine/floor {engine_s / floor_s:4.2f}x   target < {TARGET_RATIO:.0f}x  "
              f"{_verdict(ratio < TARGET_RATIO)}")
        print(f"memory     peak RSS {peak:6.1f} MiB (main process), peak PSS of the process "
              f"tree {tree_peak:6.1f} MiB (sampled; measuring process {floor_rss:.0f} MiB)   "
              f"target < {TARGET_MEM_MIB:.0f} MiB  {_verdict(memory < TARGET_MEM_MIB)}")
        print(f"small      {small_s:6.3f} s wall, median of {len(small_walls)} "
              f"(min {min(small_walls):.3f}, max {max(small_walls):.3f}), "
              f"peak RSS {max(small_rss):.1f} MiB   target < {TARGET_SMALL_S} s  "
              f"{_verdict(small_s < TARGET_SMALL_S)}")
        if imports:
            print("\nslowest imports of a one-file lint (python -X importtime, cumulative):")
            print(f"{'cumulative ms':>14} {'self ms':>8}  module")
            for self_us, cum_us, name in imports:
                print(f"{cum_us / 1000:14.1f} {self_us / 1000:8.1f}  {name}")
    if args.per_rule:
        timed = _child("engine", corpus, "--child-per-rule")
        total = sum(timed["rule_times"].values())
        print(f"\nrules: {total:.3f} s of a {timed['seconds']:.3f} s engine run "
              "(timing adds overhead); the slowest:")
        for rule_id, sec in sorted(timed["rule_times"].items(), key=lambda kv: -kv[1])[:15]:
            print(f"{sec * 1000:10.1f} ms  {rule_id}")
    if args.profile:
        prof = _child("engine", corpus, "--child-profile")
        print("\ncProfile of the in-process engine run:")
        print(prof["profile"])
    return 0 if all(ok for _, ok in figures["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
