"""Queued batches run by `vision worker` processes: two share one batch and every item is
answered exactly once, and a worker killed mid-batch leaves its items to the other."""

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
from vision.echo import EchoServer
from vision.history.store import HistoryStore

REPO = Path(__file__).resolve().parents[2]
ITEMS = 24


def write_images(folder: Path) -> Path:
    folder.mkdir()
    for index in range(ITEMS):
        (folder / f"img-{index:02}.png").write_bytes(make_image("PNG", (64 + index, 48)))
    return folder


def environment(echo: EchoServer, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "IOINTELLIGENCE_API_KEY": ECHO_API_KEY,
        "IOINTELLIGENCE_BASE_URL": echo.base_url,
        "VISION_DATABASE_URL": url,
        "PYTHONUNBUFFERED": "1",
    }


def vision(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vision", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def worker(name: str, env: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "vision", "worker", "--until-idle", "--name", name,
               "--lease", "2", "--poll", "0.2"]  # fmt: skip
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def queue_batch(images: Path, env: dict[str, str]) -> str:
    queued = vision("eval", "--images", str(images), "-m", QWEN, "-m", LLAMA, "--queue", env=env)
    assert queued.returncode == 0, queued.stderr
    return queued.stdout.split("Queued batch ", 1)[1].split(":", 1)[0]


def answers(url: str, batch_id: str) -> tuple[Counter[tuple[str, str | None]], int]:
    with HistoryStore(url=url) as store:
        runs = store.batch_runs(batch_id, images=False)
        assert store.chunk_counts(batch_id)["done"] == 3
        assert store.batch_spec(batch_id)[1] == "done"
    return Counter((run.model, run.item_name) for run in runs if not run.failed), len(runs)


def test_two_workers_share_one_batch_and_answer_every_item_once(tmp_path, team_db):
    images = write_images(tmp_path / "imgs")
    with EchoServer(api_key=ECHO_API_KEY, ttft_s=0.05) as echo:
        env = environment(echo, team_db)
        batch_id = queue_batch(images, env)
        first, second = worker("first", env), worker("second", env)
        outputs = [process.communicate(timeout=120) for process in (first, second)]
        asked = len(echo.chat_requests)
    assert first.returncode == second.returncode == 0, outputs
    counts, saved = answers(team_db, batch_id)
    assert len(counts) == ITEMS * 2
    assert set(counts.values()) == {1}
    assert saved == asked == ITEMS * 2
    # Both took part: each printed results of its own chunks.
    assert all("] " in err and "· ok" in err for _, err in outputs)


@needs_sigkill
def test_a_worker_killed_mid_batch_leaves_its_items_to_the_other(tmp_path, team_db):
    images = write_images(tmp_path / "imgs")
    with EchoServer(api_key=ECHO_API_KEY, ttft_s=0.2) as echo:
        env = environment(echo, team_db)
        batch_id = queue_batch(images, env)
        doomed = worker("doomed", env)
        assert doomed.stderr is not None
        reported = 0
        while reported < 3:
            line = doomed.stderr.readline()
            assert line, "the worker ended before it was killed"
            reported += "· ok" in line
        survivor = worker("survivor", env)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
        started = time.monotonic()
        _, err = survivor.communicate(timeout=120)
        asked = len(echo.chat_requests)
    assert survivor.returncode == 0, err
    assert time.monotonic() - started < 60
    counts, saved = answers(team_db, batch_id)
    assert len(counts) == ITEMS * 2
    assert set(counts.values()) == {1}
    assert saved == ITEMS * 2
    # Only what was in flight in the killed worker (at most its concurrency) was asked twice.
    assert asked - ITEMS * 2 <= 4
