"""Sharing a large lint with worker processes gives exactly what one process gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kubelint import engine, workers
from kubelint.config import Config
from kubelint.engine import lint_sources
from kubelint.k8s import resources_of
from kubelint.parse import parse_text
from kubelint.rule import Context
from kubelint.rules import ALL_RULES
from kubelint.sources import SourceFile, read

FIXTURES = Path(__file__).parent / "rules"
HELM = Path(__file__).parent / "data" / "helm-rendered"

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers need fork")

DIRECTIVES = """\
apiVersion: v1
kind: Pod
metadata:
  name: directives  # kubelint: disable=unset-namespace
spec:
  hostNetwork: true  # kubelint: disable=host-network
  containers:
    - name: app  # kubelint: disable=privileged-container
      image: nginx:1.25
"""


def _corpus(folder: Path) -> list[SourceFile]:
    """Every rule fixture, Helm output, a file with used and unused directives, and bad input
    (malformed, empty, binary, an alias bomb, deep nesting, duplicate keys, null sections, a List,
    an unknown kind, a scalar document)."""
    files = [SourceFile(f"{path.parent.name}/{path.name}", path.read_text(encoding="utf-8"))
             for path in sorted(FIXTURES.glob("*/*.yaml"))]
    files += [SourceFile(f"helm/{p.name}", p.read_text(encoding="utf-8"))
              for p in sorted(HELM.glob("*.yaml"))]
    files.append(SourceFile("directives.yaml", DIRECTIVES))
    files.append(SourceFile("broken.yaml", "kind: Pod\nmetadata: [\n---\nkind: Service\n"))
    files.append(SourceFile("empty.yaml", ""))
    files += [SourceFile(f"bad/{name}", text) for name, text in BAD.items()]
    binary = folder / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00kind: Pod\x00")
    files.append(read(str(binary)))
    return files


BAD = {
    "bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8)),
    "deep.yaml": "a: " + "[" * 300 + "]" * 300 + "\n",
    "duplicate.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n",
    "null-context.yaml": ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                          "  securityContext: null\n  containers:\n  - name: c\n"
                          "    image: nginx:1.25\n    securityContext: null\n"),
    "list.yaml": ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n"
                  "  metadata: {name: in-list}\n  spec:\n    hostPID: true\n"
                  "    containers: [{name: c, image: 'nginx:latest'}]\n"),
    "unknown.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
    "scalar.yaml": "just a string\n",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[SourceFile]:
    return _corpus(tmp_path_factory.mktemp("binary"))


@pytest.fixture
def small_thresholds(monkeypatch, corpus):
    """The fixtures are dense with findings and slow to lint: let workers start at a smaller
    size than they do for users."""
    monkeypatch.setattr(workers, "MIN_PARALLEL_CHARS", 64 << 10)
    monkeypatch.setattr(workers, "MIN_CHARS_PER_JOB", 16 << 10)
    assert sum(len(f.text or "") for f in corpus) >= 4 * workers.MIN_PARALLEL_CHARS


@pytest.fixture(scope="module")
def alone(corpus):
    return lint_sources(corpus, Config(select=("all",)), jobs=1)


def _forks(monkeypatch) -> list[int]:
    started: list[int] = []
    start = workers._Child.start.__func__

    def counting(cls, work):
        started.append(1)
        return start(cls, work)

    monkeypatch.setattr(workers._Child, "start", classmethod(counting))
    return started


def _received(monkeypatch) -> list[int]:
    """Counts the files whose parse came back from a worker (decoded in this process)."""
    received: list[int] = []
    decode = engine.codec.decode_parse

    def counting(data):
        received.append(1)
        return decode(data)

    monkeypatch.setattr(engine.codec, "decode_parse", counting)
    return received


@needs_fork
@pytest.mark.parametrize("jobs", [2, 3])
@pytest.mark.usefixtures("small_thresholds")
def test_workers_give_what_one_process_gives(corpus, alone, monkeypatch, jobs):
    started = _forks(monkeypatch)
    received = _received(monkeypatch)
    shared = lint_sources(corpus, Config(select=("all",)), jobs=jobs)
    assert len(started) == jobs - 1
    assert 0 < len(received) < len(corpus)  # the work was shared
    assert shared.diagnostics == alone.diagnostics
    assert (shared.files, shared.documents, shared.resources) == \
        (alone.files, alone.documents, alone.resources)
    rules = {d.rule_id for d in alone.diagnostics}
    assert {"unused-suppression", "yaml-syntax", "host-network", "yaml-too-complex",
            "duplicate-key", "unreadable-file", "host-pid", "not-a-kubernetes-object"} <= rules
    assert any(d.suppressed_by for d in alone.diagnostics)
    assert any(d.fix for d in alone.diagnostics) and any(d.related for d in alone.diagnostics)


@needs_fork
@pytest.mark.usefixtures("small_thresholds")
def test_a_failing_worker_is_replaced_by_this_process(corpus, alone, monkeypatch):
    started = _forks(monkeypatch)

    def broken(self, source, text):
        raise RuntimeError("worker bug")

    monkeypatch.setattr(engine._EarlyChecker, "encoded", broken)
    shared = lint_sources(corpus, Config(select=("all",)), jobs=2)
    assert started and shared.diagnostics == alone.diagnostics


@needs_fork
@pytest.mark.usefixtures("small_thresholds")
def test_a_tree_marshal_cannot_hold_is_parsed_here(corpus, alone, monkeypatch):
    encode = engine.codec.encode_parse
    refused = []

    def picky(result):
        if len(refused) < 5:  # runs in the worker: the parent never sees this list grow
            refused.append(1)
            raise ValueError("unmarshallable object")
        return encode(result)

    monkeypatch.setattr(engine.codec, "encode_parse", picky)
    received = _received(monkeypatch)
    shared = lint_sources(corpus, Config(select=("all",)), jobs=2)
    assert received and shared.diagnostics == alone.diagnostics


@needs_fork
@pytest.mark.usefixtures("small_thresholds")
def test_when_no_process_can_be_started_this_one_does_everything(corpus, alone, monkeypatch):
    def no_more_processes():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_more_processes)
    assert lint_sources(corpus, Config(select=("all",)), jobs=2).diagnostics == \
        alone.diagnostics


def test_small_inputs_and_one_job_stay_in_this_process():
    large = 100 * workers.MIN_PARALLEL_CHARS
    assert workers.jobs_for(2, workers.MIN_PARALLEL_CHARS - 1, 100) == 1
    assert workers.jobs_for(1, large, 100) == 1
    assert workers.jobs_for(0, large, 100) == workers.auto_jobs()
    assert workers.jobs_for(2, large, 1) == 1  # one large file (standard input) is not shared
    # each job gets at least MIN_CHARS_PER_JOB
    assert workers.jobs_for(4, workers.MIN_PARALLEL_CHARS, 100) == \
        min(4, workers.MIN_PARALLEL_CHARS // workers.MIN_CHARS_PER_JOB)
    assert 1 <= workers.auto_jobs() <= workers.MAX_JOBS


@needs_fork
@pytest.mark.parametrize("count", [0, 1, 7, 100, 1024, 1025, 40_000])
def test_share_does_every_step_once(count):
    here: list[int] = []
    merged: list[int] = []

    def remote(steps):
        return bytes(str(list(steps)), "ascii")

    def merge(steps, data):
        assert list(steps) == eval(data.decode("ascii"))
        merged.extend(steps)

    workers.share(count, 2, here.extend, remote, merge)
    assert sorted(here + merged) == list(range(count))


@needs_fork
def test_share_does_a_failed_workers_steps_here():
    here: list[int] = []

    def remote(steps):
        list(steps)
        os._exit(3)  # the worker dies

    workers.share(50, 2, here.extend, remote, lambda steps, data: None)
    assert sorted(here) == list(range(50))


class _NoIndex:
    def __getattr__(self, name):
        raise AssertionError(f"an object rule read the set (index.{name})")


def test_object_rules_read_only_their_resource():
    """Workers run object rules before the set is read (with an empty index): a rule that reads
    the index must say scope="bundle"."""
    resources = []
    for path in sorted(FIXTURES.glob("*/*.yaml")):
        for doc in parse_text(path.read_text(encoding="utf-8")).documents:
            resources += resources_of(doc, path.name)[0]
    config = Config(select=("all",))
    for rule in ALL_RULES:
        if rule.scope != "object" or rule.check is None:
            continue
        ctx = Context(_NoIndex(), config.options_for(rule))  # type: ignore[arg-type]
        for res in resources:
            if rule.applies_to(res.kind):
                list(rule.check(res, ctx))


def _cgroup(tmp_path: Path, own: str, files: dict[str, str]) -> int | None:
    (tmp_path / "own").write_text(own)
    for name, text in files.items():
        path = tmp_path / "fs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return workers.cpu_quota(str(tmp_path / "fs"), str(tmp_path / "own"))


@pytest.mark.parametrize("own, files, cpus", [
    ("0::/ci/job\n", {"ci/job/cpu.max": "150000 100000\n"}, 2),  # v2: 1.5 CPUs -> 2
    ("0::/ci/job\n", {"ci/job/cpu.max": "max 100000\n"}, None),
    ("0::/\n", {"cpu.max": "50000 100000\n"}, 1),
    # v1, seen from inside a container: the host's path is not mounted there
    ("4:cpu,cpuacct:/docker/abc\n1:memory:/docker/abc\n",
     {"cpu,cpuacct/cpu.cfs_quota_us": "100000\n", "cpu,cpuacct/cpu.cfs_period_us": "100000\n"}, 1),
    ("4:cpu,cpuacct:/\n",
     {"cpu,cpuacct/cpu.cfs_quota_us": "-1\n", "cpu,cpuacct/cpu.cfs_period_us": "100000\n"}, None),
    ("0::/x\n", {}, None),
    ("garbage\n", {"cpu.max": "nonsense\n"}, None),
])
def test_a_cgroup_cpu_quota_limits_the_automatic_jobs(tmp_path, own, files, cpus):
    assert _cgroup(tmp_path, own, files) == cpus


def test_without_a_cgroup_file_there_is_no_quota(tmp_path):
    assert workers.cpu_quota(str(tmp_path), str(tmp_path / "missing")) is None
