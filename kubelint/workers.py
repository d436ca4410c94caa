"""Sharing a large lint between this process and forked workers.

Reading a file (parsing it, and running the rules that read one object at a time on it) does not
depend on the other files. With more than one job, that loop is shared: this process and forked
workers take steps one at a time from a common queue, so they finish at about the same time
whatever a step costs. Each worker sends back what it did as `marshal` data (plain tuples, dicts,
strings and numbers, which marshal reads far faster than they are computed) and exits. A worker
that fails is not an error: this process does its steps. Small inputs, platforms without `fork`
and `jobs=1` stay in one process.
"""

from __future__ import annotations

import marshal
import os
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence

MIN_PARALLEL_CHARS = 1 << 20
"""Below this much text in all, forking costs more than it saves."""
MIN_CHARS_PER_JOB = 256 << 10
"""Each job gets at least this much text (fewer jobs for smaller inputs)."""
MAX_JOBS = 4
"""`jobs=0` (auto) uses this many CPUs at most."""


def auto_jobs() -> int:
    """The CPUs this process may use, at most MAX_JOBS: those it may run on, fewer when its
    control group has a CPU quota (a container started with `--cpus 1` sees every CPU of the
    host but gets the time of one)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    quota = cpu_quota()
    if quota is not None:
        cpus = min(cpus, quota)
    return max(1, min(cpus, MAX_JOBS))


def cpu_quota(root: str = "/sys/fs/cgroup", own: str = "/proc/self/cgroup") -> int | None:
    """The CPUs a cgroup (v2 `cpu.max`, or v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`) quota
    allows, rounded up; None without a quota or where this cannot be read."""
    try:
        with open(own, encoding="utf-8") as f:
            lines = [line.rstrip("\n").split(":", 2) for line in f]
    except OSError:
        return None
    for parts in lines:
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":  # v2: one unified hierarchy
            found = _read_first([f"{root}{path}/cpu.max", f"{root}/cpu.max"])
            values = found.split() if found else []
            if len(values) == 2 and values[0] != "max":
                return _cpus(values[0], values[1])
        elif "cpu" in controllers.split(","):  # v1
            folder = f"{root}/{controllers}"
            for base in (f"{folder}{path}", folder):
                quota = _read_first([f"{base}/cpu.cfs_quota_us"])
                period = _read_first([f"{base}/cpu.cfs_period_us"])
                if quota and period:
                    return _cpus(quota, period) if not quota.startswith("-") else None
    return None


def _read_first(paths: list[str]) -> str | None:
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                return f.read().strip()
        except OSError:
            continue
    return None


def _cpus(quota: str, period: str) -> int | None:
    try:
        q, p = int(quota), int(period)
    except ValueError:
        return None
    return max(1, -(-q // p)) if q > 0 and p > 0 else None


def jobs_for(jobs: int, total_chars: int, steps: int) -> int:
    """How many processes share `steps` (files) of `total_chars` in all (`jobs` 0: auto); 1 when
    forking would not pay or is not available."""
    if jobs == 1 or total_chars < MIN_PARALLEL_CHARS or not hasattr(os, "fork"):
        return 1  # decided before counting CPUs: a small lint reads no cgroup files
    if jobs == 0:
        jobs = auto_jobs()
    return max(1, min(jobs, total_chars // MIN_CHARS_PER_JOB, steps))


def share(count: int, jobs: int, local: Callable[[Iterable[int]], None],
          remote: Callable[[Iterable[int]], bytes],
          merge: Callable[[Sequence[int], bytes], None]) -> None:
    """Do steps `0..count-1` in `jobs` processes. Each process takes the next step not yet
    taken (from a pipe that holds them all), so all finish at about the same time whatever a
    step costs: this one calls `local(steps)`; each worker calls `remote(steps)` and the bytes
    it returns are given to `merge(steps it took, data)` here. The steps of a worker that fails,
    or whose data `merge` rejects with ValueError, are done with `local`; so are all steps when
    no worker can be started (no pipe or process left)."""
    queue = None
    if jobs >= 2:
        try:
            queue = _Queue(count)
        except OSError:
            pass
    if queue is None:
        local(range(count))
        return

    def work() -> bytes:  # in a worker
        data = remote(queue)
        return marshal.dumps((queue.taken, data))

    children: list[_Child] = []
    for _ in range(jobs - 1):
        try:
            children.append(_Child.start(work))
        except OSError:  # too many processes or open files: fewer workers
            break
    done = bytearray(count)  # 1 once a step's result is here
    try:
        local(queue.taking(done))
        for child in children:
            sent = child.collect()
            try:
                if sent is None:
                    raise ValueError("worker failed")
                steps, data = marshal.loads(sent)
                merge(steps, data)
                for i in steps:
                    done[i] = 1
            except (ValueError, EOFError, TypeError):
                pass
    finally:
        queue.close()
        for child in children:
            child.stop()
    missing = [i for i in range(count) if not done[i]]
    if missing:
        local(missing)


class _Queue:
    """Steps to take, as 4-byte numbers in a pipe filled before the workers fork. A pipe read
    of 4 bytes is atomic, so processes reading it in turn never take the same step. A step
    stands for a run of up to `run` indices when there are more than the pipe holds."""

    _CAPACITY = 1024  # 4 KiB: one page, which every pipe holds (the write must not block)

    def __init__(self, count: int) -> None:
        self.count = count
        self.run = -(-count // self._CAPACITY) or 1
        self.fd, write_fd = os.pipe()
        self.taken: list[int] = []
        steps = -(-count // self.run)
        try:
            with os.fdopen(write_fd, "wb") as out:
                out.write(b"".join(i.to_bytes(4, "little") for i in range(steps)))
        except OSError:
            self.close()
            raise

    def __iter__(self) -> Iterator[int]:
        return self.taking(None)

    def taking(self, done: bytearray | None) -> Iterator[int]:
        """The indices this process takes, in order; recorded (in `taken`, and in `done`)."""
        while self.fd >= 0:
            token = os.read(self.fd, 4)
            if len(token) < 4:
                return
            step = int.from_bytes(token, "little")
            for i in range(step * self.run, min(self.count, (step + 1) * self.run)):
                self.taken.append(i)
                if done is not None:
                    done[i] = 1
                yield i

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def largest_first(sizes: Sequence[int]) -> list[int]:
    """Indices ordered by size, largest first: taken in this order (see `share`), the last
    steps are small and the processes end close together."""
    return sorted(range(len(sizes)), key=lambda i: -sizes[i])


# --- worker processes ---------------------------------------------------------------------------

class _Child:
    """A forked worker; the bytes its work returns come back through a pipe."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd

    @classmethod
    def start(cls, work: Callable[[], bytes]) -> _Child:
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            raise
        if pid == 0:  # the worker: work, send, exit without running the parent's cleanup
            status = 1
            try:
                os.close(read_fd)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                payload = work()
                with os.fdopen(write_fd, "wb") as out:
                    out.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_fd)
        return cls(pid, read_fd)

    def collect(self) -> bytes | None:
        """What the worker sent; None if it failed."""
        with os.fdopen(self.fd, "rb") as pipe:
            self.fd = -1
            payload = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return payload if status == 0 else None

    def stop(self) -> None:
        """Ends a worker that is still running (this process was interrupted)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:  # pragma: no cover - already gone
                pass
            self.pid = 0
