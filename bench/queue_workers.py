"""The worker processes of bench/queue_bench.py, one per queue: each claims jobs from its queue,
does the job's fixed work and appends "key start end gap" per job to a log, unbuffered, so a
SIGKILL loses nothing that was written. Started by the benchmark as
`python -m bench.queue_workers --worker ours|procrastinate ...`."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from pathlib import Path

URL_ENV = "QUEUE_BENCH_URL"  # the database, passed in the environment (it holds a password)
# How soon a dead worker's jobs may be taken again: our lease, Procrastinate's heartbeat age.
RECOVER_AFTER_S = 2.0
OUR_POLL_S = 1.0  # BatchWorker.run's default between empty claims
SERVE_POLL_S = 0.1  # how often a serving worker looks for the stop file
QUEUES = ("ours", "procrastinate")


# The worker processes: each appends "key start end gap" per job it completed, unbuffered, so
# a SIGKILL loses nothing that was written.


class _Log:
    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._last_end: float | None = None

    def ready(self) -> None:
        os.write(self._fd, b"ready\n")

    def started(self, key: str) -> None:
        os.write(self._fd, f"start {key} {time.time():.6f}\n".encode())

    def job(self, key: str, start: float, end: float) -> None:
        gap = start - self._last_end if self._last_end is not None else -1.0
        self._last_end = end
        os.write(self._fd, f"{key} {start:.6f} {end:.6f} {gap:.6f}\n".encode())

    def idle(self) -> None:
        self._last_end = None  # a wait for new jobs is not a gap between jobs


def _wait_for(path: Path) -> None:
    while not path.exists():
        time.sleep(0.002)


def _our_worker(url: str, log: _Log, control: Path, mode: str, work_s: float) -> None:
    from vision.history.store import HistoryStore

    store = HistoryStore(url=url)
    name = f"ours-{os.getpid()}"
    log.ready()
    _wait_for(control / "go")
    while True:
        claim = store.claim_chunk(name, lease_s=RECOVER_AFTER_S)
        if claim is None:
            if mode == "drain":
                break
            if (control / "stop").exists() and store.unfinished_chunks() == 0:
                break
            log.idle()
            time.sleep(OUR_POLL_S if mode == "idle" else SERVE_POLL_S)
            continue
        key = f"{claim.batch_id}:{claim.chunk}"
        log.started(key)
        start = time.time()
        time.sleep(work_s)
        log.job(key, start, time.time())
        store.finish_chunk(claim)
    store.close()


def quiet_procrastinate() -> None:
    """Only Procrastinate's errors in the log."""
    # Its warning that the app lives in __main__ (so that tasks might be found under two
    # names) does not apply: each process here defines the one task it runs or queues.
    logging.getLogger("procrastinate").setLevel(logging.ERROR)


def _procrastinate_worker(url: str, log: _Log, control: Path, mode: str, work_s: float) -> None:
    import asyncio

    import procrastinate

    quiet_procrastinate()
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))

    @app.task(name="tiny", queue="bench")
    def tiny(key: str) -> None:
        log.started(key)
        start = time.time()
        time.sleep(work_s)
        log.job(key, start, time.time())

    options = {
        "queues": ["bench"],
        "concurrency": 1,
        "install_signal_handlers": False,
        "update_heartbeat_interval": 0.5,
    }

    async def pending() -> int:
        row = await app.connector.execute_query_one_async(
            "SELECT count(*) AS n FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
        )
        return int(row["n"])

    async def main() -> None:
        async with app.open_async():
            log.ready()
            while not (control / "go").exists():
                await asyncio.sleep(0.002)
            if mode == "drain":
                await app.run_worker_async(wait=False, **options)
                return
            worker = asyncio.create_task(app.run_worker_async(wait=True, **options))
            while not ((control / "stop").exists() and await pending() == 0):
                await asyncio.sleep(SERVE_POLL_S)
                # Procrastinate's recipe for a crashed worker: retry the jobs of workers whose
                # heartbeat is older than the given age (docs/queue.md).
                stalled = await app.job_manager.get_stalled_jobs(
                    seconds_since_heartbeat=RECOVER_AFTER_S
                )
                for job in stalled:
                    await app.job_manager.retry_job(job)
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    asyncio.run(main())


def _worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.queue_workers")
    parser.add_argument("--worker", choices=QUEUES, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--control", type=Path, required=True)
    parser.add_argument("--mode", choices=("drain", "idle", "crash"), required=True)
    parser.add_argument("--work", type=float, required=True)
    args = parser.parse_args(argv)
    run = _our_worker if args.worker == "ours" else _procrastinate_worker
    run(os.environ[URL_ENV], _Log(args.log), args.control, args.mode, args.work)
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
