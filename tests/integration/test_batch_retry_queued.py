"""Retry on a queued batch (team mode's Batch page, or `vision eval --resume BATCH
--retry-errors --queue`): `vision worker` processes ask each failed job again, once, even when
a worker dies mid-retry; Resume alone asks only what has no saved run. On SQLite and
PostgreSQL, with real worker processes and the echo backend failing chosen requests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from tests.support.signals import needs_sigkill
from tests.support.stores import HistoryDatabase
from vision.batch.items.uploads import Upload, page_items
from vision.batch.queue.submit import QueuedBatch
from vision.cli.main import main
from vision.echo import EchoServer, Fault
from vision.history.store import HistoryStore
from vision.values.request import RequestOptions

REPO = Path(__file__).resolve().parents[2]
ITEMS = 3


def environment(echo: EchoServer, url: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("VISION_DAILY_")},
        "IOINTELLIGENCE_API_KEY": ECHO_API_KEY,
        "IOINTELLIGENCE_BASE_URL": echo.base_url,
        "VISION_DATABASE_URL": url,
        "PYTHONUNBUFFERED": "1",
    }


def worker(env: dict[str, str], *more: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "vision", "worker", "--lease", "1", "--poll", "0.2", *more]
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def work(env: dict[str, str]) -> str:
    """One `vision worker --until-idle` until every chunk is done; its stderr."""
    process = worker(env, "--until-idle")
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return err


def queue(url: str) -> str:
    """A batch queued as the Batch page queues it in team mode: ITEMS images on two models,
    one request at a time (so the echo's faults meet known jobs)."""
    with HistoryStore(url=url) as store:
        items = page_items(
            prompt="What?",
            uploads=[
                Upload(name=f"{i}.png", data=make_image("PNG", (64 + i, 48))) for i in range(ITEMS)
            ],
        )
        batch = QueuedBatch.queue(
            store, items, [QWEN, LLAMA], concurrency=1, options=RequestOptions(max_tokens=40)
        )
        return batch.batch_id


def outcomes(url: str, batch_id: str) -> dict[tuple[int, str], list[bool]]:
    """Each job's saved runs, oldest first, as failed (True) or answered (False)."""
    found: dict[tuple[int, str], list[bool]] = {}
    with HistoryStore(url=url) as store:
        for run in sorted(store.batch_runs(batch_id, images=False), key=lambda run: run.id or 0):
            found.setdefault((run.item_index or 0, run.model), []).append(run.failed)
    return found


def asked(echo: EchoServer, since: int) -> Counter[str]:
    """The models the echo was asked for after its first `since` chat requests."""
    return Counter(str((r.body or {}).get("model")) for r in echo.chat_requests[since:])


def broken(echo: EchoServer, times: int) -> None:
    echo.add_fault(
        Fault(kind="status", status=400, body={"detail": "Broken on purpose."}, model=LLAMA,
              times=times)
    )  # fmt: skip


def test_retry_on_a_queued_batch_has_a_worker_ask_the_failed_job_once(history_db, echo):
    url = history_db.url
    env = environment(echo, url)
    broken(echo, 1)  # Llama's first answer (item 0) fails
    batch_id = queue(url)
    work(env)
    assert outcomes(url, batch_id)[(0, LLAMA)] == [True]
    first = len(echo.chat_requests)
    assert first == ITEMS * 2

    with HistoryStore(url=url) as store:
        batch = QueuedBatch.reopen(store, batch_id)
        assert batch.view().progress.failed == 1
        # Nothing is missing: Resume queues nothing, and a worker asks nothing.
        assert batch.missing() == 0
        batch.resume()
        assert not batch.running
    work(env)
    assert len(echo.chat_requests) == first

    with HistoryStore(url=url) as store:
        batch = QueuedBatch.reopen(store, batch_id)
        batch.retry()
        assert batch.running
    work(env)
    # Exactly one new request: the failed job, now answered; every other job ran once.
    assert asked(echo, first) == Counter({LLAMA: 1})
    jobs = outcomes(url, batch_id)
    assert jobs.pop((0, LLAMA)) == [True, False]
    assert set(map(tuple, jobs.values())) == {(False,)}
    with HistoryStore(url=url) as store:
        batch = QueuedBatch.reopen(store, batch_id)
        assert batch.view().progress.failed == 0
        assert store.chunk_counts(batch_id) == {"queued": 0, "running": 0, "done": 1}
        assert store.batch_spec(batch_id)[1] == "done"
        batch.retry()  # nothing failed or missing now: nothing is queued
        assert not batch.running


@needs_sigkill
def test_a_worker_killed_mid_retry_leaves_the_rest_of_the_retry_to_another(history_db, echo):
    url = history_db.url
    env = environment(echo, url)
    broken(echo, 2)  # Llama's answers for items 0 and 1 fail
    batch_id = queue(url)
    work(env)
    first = len(echo.chat_requests)
    with HistoryStore(url=url) as store:
        QueuedBatch.reopen(store, batch_id).retry()
    # The retry: item 0 fails again; item 1 hangs until its worker is killed.
    broken(echo, 1)
    echo.add_fault(Fault(kind="hang", seconds=60, model=LLAMA, times=1))
    doomed = worker(env)
    deadline = time.monotonic() + 60
    while len(echo.chat_requests) < first + 2:
        assert doomed.poll() is None, doomed.communicate()
        assert time.monotonic() < deadline, "the worker never asked the retry's second job"
        time.sleep(0.05)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)
    work(env)  # claims the chunk when the dead worker's lease runs out, still a retry
    # Item 0 was asked once by the retry (its new failure is left alone); item 1 twice, since
    # the killed worker had it in flight.
    assert asked(echo, first) == Counter({LLAMA: 3})
    jobs = outcomes(url, batch_id)
    assert jobs.pop((0, LLAMA)) == [True, True]
    assert jobs.pop((1, LLAMA)) == [True, False]
    assert set(map(tuple, jobs.values())) == {(False,)}


def test_eval_resume_queue_asks_the_missing_and_with_retry_errors_the_failed_once(
    history_db: HistoryDatabase, echo, monkeypatch, capsys
):
    url = history_db.url
    env = environment(echo, url)
    for name in ("IOINTELLIGENCE_API_KEY", "IOINTELLIGENCE_BASE_URL", "VISION_DATABASE_URL"):
        monkeypatch.setenv(name, env[name])
    broken(echo, 1)
    batch_id = queue(url)
    work(env)
    first = len(echo.chat_requests)

    assert main(["eval", "--resume", batch_id, "--queue"]) == 0
    assert f"Queued batch {batch_id}" in capsys.readouterr().out
    work(env)
    assert len(echo.chat_requests) == first  # nothing was missing

    assert main(["eval", "--resume", batch_id, "--retry-errors", "--queue"]) == 0
    assert f"Queued batch {batch_id}" in capsys.readouterr().out
    work(env)
    assert asked(echo, first) == Counter({LLAMA: 1})
    assert outcomes(url, batch_id)[(0, LLAMA)] == [True, False]


def test_a_batch_run_here_is_queued_for_the_workers_with_its_failures_to_retry(
    history_db: HistoryDatabase, echo, monkeypatch, capsys, tmp_path
):
    images = tmp_path / "imgs"
    images.mkdir()
    for index in range(ITEMS):
        (images / f"img-{index}.png").write_bytes(make_image("PNG", (64 + index, 48)))
    url = history_db.url
    env = environment(echo, url)
    for name in ("IOINTELLIGENCE_API_KEY", "IOINTELLIGENCE_BASE_URL", "VISION_DATABASE_URL"):
        monkeypatch.setenv(name, env[name])
    broken(echo, 1)
    # Run here, not queued: the batch has no chunks yet, so queueing it again makes them.
    assert main(["eval", "--images", str(images), "-m", LLAMA, "--concurrency", "1"]) == 1
    batch_id = capsys.readouterr().out.split("as batch ", 1)[1].split(".", 1)[0]
    first = len(echo.chat_requests)
    assert main(["eval", "--resume", batch_id, "--retry-errors", "--queue"]) == 0
    work(env)
    assert asked(echo, first) == Counter({LLAMA: 1})
    assert outcomes(url, batch_id)[(0, LLAMA)] == [True, False]
    with HistoryStore(url=url) as store:
        assert store.chunk_counts(batch_id) == {"queued": 0, "running": 0, "done": 1}
