"""A chunk of a queued batch that fails or kills its worker every time is given up after the
attempts allowed: its items are saved as errors saying how to retry, the batch finishes, and
`vision eval --resume BATCH --retry-errors` asks them again. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image
from tests.support.models import QWEN
from tests.support.signals import needs_sigkill
from vision.api.client import VisionClient
from vision.batch.queue.worker import BatchWorker, WorkerSettings
from vision.batch.recorded.spec import BatchSpec
from vision.batch.running.ask import new_batch_id
from vision.cli.main import main
from vision.echo import EchoServer
from vision.history.store import HistoryStore

REPO = Path(__file__).resolve().parents[2]
ITEMS = 3
RETRY = "--retry-errors"


def write_images(folder: Path) -> Path:
    folder.mkdir()
    for index in range(ITEMS):
        (folder / f"img-{index}.png").write_bytes(make_image("PNG", (64 + index, 48)))
    return folder


def worker(env: dict[str, str], *more: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "vision", "worker", "--lease", "1", "--poll", "0.2", *more]
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for_requests(echo: EchoServer, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while len(echo.chat_requests) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the worker never asked its chunk"
        time.sleep(0.05)


@needs_sigkill
def test_a_chunk_that_kills_its_worker_every_time_ends_as_errors_after_three_attempts(
    tmp_path, history_db, capsys, monkeypatch
):
    images = write_images(tmp_path / "imgs")
    # Answers take far longer than the test waits: every worker dies with its chunk in flight.
    with EchoServer(api_key=ECHO_API_KEY, ttft_s=60) as echo:
        env = {
            **os.environ,
            "IOINTELLIGENCE_API_KEY": ECHO_API_KEY,
            "IOINTELLIGENCE_BASE_URL": echo.base_url,
            "VISION_DATABASE_URL": history_db.url,
            "PYTHONUNBUFFERED": "1",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        assert main(["eval", "--images", str(images), "-m", QWEN, "--queue"]) == 0
        batch_id = capsys.readouterr().out.split("Queued batch ", 1)[1].split(":", 1)[0]
        for attempt in range(1, 4):
            doomed = worker(env)
            wait_for_requests(echo, ITEMS * attempt, doomed)
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=30)
        last = worker(env, "--until-idle")
        _, err = last.communicate(timeout=120)
        asked = len(echo.chat_requests)
        echo.ttft_s = 0
        assert last.returncode == 0, err
        # The fourth claim asked nothing: it gave the chunk up, and said so for every item.
        assert asked == ITEMS * 3
        assert err.count("failed: Not asked: gave up after 3 attempts") == ITEMS
        assert f"[{batch_id}#0] given up after 3 attempt(s)" in err
        with HistoryStore(url=history_db.url) as store:
            runs = store.batch_runs(batch_id, images=False)
            assert store.chunk_counts(batch_id) == {"queued": 0, "running": 0, "done": 1}
            assert store.batch_spec(batch_id)[1] == "done"
        assert len(runs) == ITEMS
        assert {run.item_name for run in runs} == {f"img-{index}.png" for index in range(ITEMS)}
        for run in runs:
            assert run.failed
            assert "crashed or was killed" in (run.error or "")
            assert f"vision eval --resume {batch_id} {RETRY}" in (run.error or "")

        assert main(["eval", "--resume", batch_id, RETRY]) == 0
        assert len(echo.chat_requests) == asked + ITEMS
    with HistoryStore(url=history_db.url) as store:
        runs = store.batch_runs(batch_id, images=False)
    answered = {run.item_name for run in runs if not run.failed}
    assert answered == {f"img-{index}.png" for index in range(ITEMS)}


def test_a_chunk_that_fails_every_time_is_given_up_with_its_last_error(
    tmp_path, history_db, echo, monkeypatch
):
    images = write_images(tmp_path / "imgs")
    monkeypatch.setenv("IOINTELLIGENCE_API_KEY", ECHO_API_KEY)
    monkeypatch.setenv("IOINTELLIGENCE_BASE_URL", echo.base_url)
    monkeypatch.setenv("VISION_DATABASE_URL", history_db.url)
    monkeypatch.setenv("VISION_BATCH_CHUNK_ATTEMPTS", "2")
    seen_paths = sorted(images.iterdir())
    batch_id = new_batch_id()
    spec = BatchSpec(source=str(images), prompt="Describe the image.", models=(QWEN,))
    with HistoryStore(url=history_db.url) as store:
        store.save_batch(batch_id, spec.to_json(), state="queued")
        store.enqueue_chunks(batch_id, ITEMS)
        # The input moves away after queueing: every attempt at the chunk raises.
        moved = images.rename(tmp_path / "elsewhere")
        seen = []
        chunks = []
        queue = BatchWorker(
            store,
            lambda: VisionClient(echo.base_url, ECHO_API_KEY),
            WorkerSettings(lease_s=30),
            on_result=lambda claim, result: seen.append(result),
            on_chunk=chunks.append,
        )
        started = time.monotonic()
        ran = queue.run(threading.Event(), poll_s=0.05, until_idle=True)
        # A failing chunk goes back to the queue at once, not after its 30 s lease.
        assert time.monotonic() - started < 20
        assert ran == 2
        assert [(done.claim.attempt, done.given_up) for done in chunks] == [(1, False), (2, True)]
        assert "is neither a folder nor a CSV" in (chunks[0].problem or "")
        assert store.batch_spec(batch_id)[1] == "done"
        runs = store.batch_runs(batch_id, images=False)
    assert not echo.chat_requests
    assert len(runs) == len(seen) == ITEMS
    for run in runs:
        assert "gave up after 2 attempts" in (run.error or "")
        assert "is neither a folder nor a CSV" in (run.error or "")
        assert f"vision eval --resume {batch_id} {RETRY}" in (run.error or "")
    moved.rename(images)
    assert main(["eval", "--resume", batch_id, RETRY]) == 0
    assert len(echo.chat_requests) == ITEMS
    with HistoryStore(url=history_db.url) as store:
        runs = store.batch_runs(batch_id, images=False)
    assert {run.item_name for run in runs if not run.failed} == {path.name for path in seen_paths}
