"""The batch queue: ours (vision/history/chunks.py, chunks with leases in the history's database)
against Procrastinate on the same throwaway PostgreSQL cluster, the same workload both ways.

Three runs per queue, each on a database of its own, with two worker processes:
- drain: 2,000 one-item jobs queued first, each 5 ms of work; throughput, the gap between one
  job's end and the next one's start in a worker (finishing one and claiming the next), and how
  many times each job ran;
- idle: workers waiting, 20 jobs queued one at a time; how long each waits to start (our workers
  poll, every second by default; Procrastinate's are woken by LISTEN/NOTIFY);
- crash: 300 jobs of 20 ms, one worker SIGKILLed after a second; the other must finish the lot
  (ours: the dead worker's lease runs out; Procrastinate: its stalled-job recipe, jobs of a
  worker whose heartbeat is old retried).

Run: .venv/bin/python -m bench.queue_bench (needs procrastinate and PostgreSQL); the worker
processes are bench/queue_workers.py.
"""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.queue_report import (
    CRASH_JOBS,
    CRASH_WORK_S,
    DRAIN_JOBS,
    IDLE_EVERY_S,
    IDLE_JOBS,
    KILL_AFTER_S,
    WORK_S,
    WORKERS,
    queue_report,
)
from bench.queue_workers import URL_ENV, quiet_procrastinate
from bench.sections import Verdict

ROOT = Path(__file__).resolve().parents[1]


# The runs.


@dataclass(frozen=True, slots=True)
class Job:
    """One completed execution of a job by a worker."""

    key: str
    start: float
    end: float
    gap: float


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one run of one queue did: every completed execution, and when each job was queued."""

    jobs: list[Job]
    queued_at: dict[str, float]
    expected: set[str]
    # Crash runs: when the worker was killed, and the jobs it held then (see _held).
    killed_at: float | None = None
    held: tuple[str, ...] = ()

    def counts(self) -> tuple[int, int, int]:
        """Jobs that ran exactly once, more than once, and never."""
        runs = collections.Counter(job.key for job in self.jobs)
        once = sum(1 for key in self.expected if runs[key] == 1)
        more = sum(1 for key in self.expected if runs[key] > 1)
        return once, more, len(self.expected) - once - more

    def wall(self) -> float:
        return max(job.end for job in self.jobs) - min(job.start for job in self.jobs)

    def gaps(self) -> list[float]:
        return [job.gap for job in self.jobs if job.gap >= 0]

    def taken_up_again(self) -> float | None:
        """Seconds from the kill until the last job the dead worker held ran again."""
        if self.killed_at is None or not self.held:
            return None
        again = [job.start for job in self.jobs if job.key in self.held]
        return max(again) - self.killed_at if again else None

    def waits(self) -> list[float]:
        first: dict[str, float] = {}
        for job in self.jobs:
            first[job.key] = min(first.get(job.key, job.start), job.start)
        return [first[key] - queued for key, queued in self.queued_at.items() if key in first]


Enqueue = Callable[[list[str]], list[str]]


class Queue:
    """How the bench puts jobs on one queue's database."""

    name: str

    def prepare(self, url: str) -> None:
        """Create the queue's tables in an empty database."""
        raise NotImplementedError

    def enqueuer(self, url: str) -> contextlib.AbstractContextManager[Enqueue]:
        """A connection kept open that queues jobs, each call one statement, and returns the
        keys their workers will log."""
        raise NotImplementedError


class Ours(Queue):
    name = "ours"

    def prepare(self, url: str) -> None:
        from vision.history.store import HistoryStore

        HistoryStore(url=url).close()  # creates the schema, batch_chunks included

    @contextlib.contextmanager
    def enqueuer(self, url: str) -> Iterator[Enqueue]:
        from vision.history.store import HistoryStore

        with HistoryStore(url=url) as store:

            def enqueue(keys: list[str]) -> list[str]:
                # One batch of one-item chunks per call: a key is "batch:chunk", as logged.
                batch = keys[0].split(":")[0]
                store.enqueue_chunks(batch, len(keys), chunk_items=1)
                return [f"{batch}:{chunk}" for chunk in range(len(keys))]

            yield enqueue


class Procrastinate(Queue):
    name = "procrastinate"

    def prepare(self, url: str) -> None:
        import psycopg
        from procrastinate.schema import SchemaManager

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(SchemaManager.get_schema())

    @contextlib.contextmanager
    def enqueuer(self, url: str) -> Iterator[Enqueue]:
        import procrastinate

        quiet_procrastinate()
        app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))
        task = app.task(name="tiny", queue="bench")(lambda key: None)
        with app.open():

            def enqueue(keys: list[str]) -> list[str]:
                task.batch_defer(*({"key": key} for key in keys))
                return keys

            yield enqueue


def _read(path: Path) -> Iterator[Job]:
    if not path.exists():
        return
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4:
            yield Job(parts[0], float(parts[1]), float(parts[2]), float(parts[3]))


def _held(dead: Path, survivor: Path) -> tuple[str, ...]:
    """The jobs the killed worker held: started and never finished, or finished but never
    acknowledged to its queue (so the survivor ran them too)."""
    started, finished = set(), set()
    for line in dead.read_text().splitlines() if dead.exists() else ():
        parts = line.split()
        if parts[0] == "start":
            started.add(parts[1])
        elif len(parts) == 4:
            finished.add(parts[0])
    again = {job.key for job in _read(survivor)}
    return tuple(sorted((started - finished) | (finished & again)))


def _run(
    queue: Queue,
    url: str,
    folder: Path,
    mode: str,
    feed: Callable[[Enqueue], dict[str, float]],
    *,
    work_s: float,
    kill_after_s: float | None = None,
    timeout_s: float = 120.0,
) -> Outcome:
    """Start the workers, feed jobs (before "go" for drain, after for the others), wait."""
    control = folder / f"{queue.name}-{mode}"
    control.mkdir()
    env = {**os.environ, URL_ENV: url}
    logs = [control / f"worker-{index}.log" for index in range(WORKERS)]
    expected: set[str] = set()
    killed_at: float | None = None
    enqueuer = contextlib.ExitStack()
    queue_jobs = enqueuer.enter_context(queue.enqueuer(url))

    def enqueue(keys: list[str]) -> list[str]:
        logged = queue_jobs(keys)
        expected.update(logged)
        return logged

    queued_at = feed(enqueue) if mode != "idle" else {}
    command = [sys.executable, "-m", "bench.queue_workers", "--worker", queue.name]
    options = ["--control", str(control), "--mode", mode, "--work", str(work_s)]
    workers = [
        subprocess.Popen([*command, "--log", str(log), *options], cwd=ROOT, env=env) for log in logs
    ]
    try:
        deadline = time.monotonic() + 60
        while not all(log.exists() and log.read_text().startswith("ready") for log in logs):
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                raise RuntimeError(f"{queue.name}'s workers did not start")
            time.sleep(0.01)
        (control / "go").touch()
        if kill_after_s is not None:
            time.sleep(kill_after_s)
            workers[1].send_signal(signal.SIGKILL)
            killed_at = time.time()
        if mode == "idle":
            queued_at = feed(enqueue)
        (control / "stop").touch()
        for worker in workers:
            worker.wait(timeout=timeout_s)
    finally:
        enqueuer.close()
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    jobs = [job for log in logs for job in _read(log)]
    held = _held(logs[1], logs[0]) if killed_at is not None else ()
    return Outcome(jobs, queued_at, expected, killed_at=killed_at, held=held)


def _drain_feed(enqueue: Enqueue) -> dict[str, float]:
    enqueue([f"drain:{index}" for index in range(DRAIN_JOBS)])
    return {}


def _crash_feed(enqueue: Enqueue) -> dict[str, float]:
    enqueue([f"crash:{index}" for index in range(CRASH_JOBS)])
    return {}


def _idle_feed(enqueue: Enqueue) -> dict[str, float]:
    queued: dict[str, float] = {}
    for index in range(IDLE_JOBS):
        at = time.time()
        (key,) = enqueue([f"idle{index}:0"])
        queued[key] = at
        time.sleep(IDLE_EVERY_S)
    return queued


def _measure(server: object, folder: Path) -> dict[str, dict[str, Outcome]]:
    from tests.support.postgres import PostgresServer

    assert isinstance(server, PostgresServer)
    results: dict[str, dict[str, Outcome]] = {}
    for queue in (Ours(), Procrastinate()):
        runs: dict[str, Outcome] = {}

        def fresh(queue: Queue = queue) -> str:
            url = server.url(server.create_database())
            queue.prepare(url)
            return url

        runs["drain"] = _run(queue, fresh(), folder, "drain", _drain_feed, work_s=WORK_S)
        runs["idle"] = _run(queue, fresh(), folder, "idle", _idle_feed, work_s=WORK_S)
        runs["crash"] = _run(
            queue, fresh(), folder, "crash", _crash_feed, work_s=CRASH_WORK_S,
            kill_after_s=KILL_AFTER_S,
        )  # fmt: skip
        results[queue.name] = runs
    return results


def queue_section() -> list[Verdict]:
    """Ours against Procrastinate on one throwaway PostgreSQL: throughput, claim gaps, idle
    pickup, and exactly-once counts with and without a crashed worker."""
    print("\n### 10. The batch queue: ours against Procrastinate (bench/queue_bench.py)\n")
    try:
        import procrastinate  # noqa: F401
    except ImportError:
        print(
            "Procrastinate is not installed (.venv/bin/pip install procrastinate), so the "
            "queue comparison is skipped."
        )
        return [Verdict(target="queue comparison", measured="Procrastinate absent", passed=None)]
    from tests.support.postgres import PostgresUnavailable, start_postgres

    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        print(f"{exc} The queue comparison is skipped.")
        return [Verdict(target="queue comparison", measured="no PostgreSQL", passed=None)]
    try:
        with tempfile.TemporaryDirectory(prefix="vision-queue-bench-") as folder:
            results = _measure(server, Path(folder))
    finally:
        server.stop()
    return queue_report(results)


def main() -> int:
    """This section alone; exit 1 when a target is missed."""
    verdicts = queue_section()
    for verdict in verdicts:
        label = "N/A" if verdict.passed is None else "PASS" if verdict.passed else "FAIL"
        print(f"{label}: {verdict.target}: {verdict.measured}")
    return 1 if any(verdict.passed is False for verdict in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
