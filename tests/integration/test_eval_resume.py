"""Nothing paid twice, nothing lost: `vision eval --resume`, --retry-errors, and the cache."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from tests.support.signals import needs_sigkill
from vision.cli.main import main
from vision.echo import EchoServer, Fault
from vision.history.store import HistoryStore

REPO = Path(__file__).resolve().parents[2]


def write_images(folder: Path, count: int) -> Path:
    folder.mkdir()
    for index in range(count):
        (folder / f"img-{index:02}.png").write_bytes(make_image("PNG", (64 + index, 48)))
    return folder


def answered(history: Path) -> tuple[str, Counter[tuple[str, str | None]], list]:
    with HistoryStore(history) as store:
        (batch_id,) = store.batch_ids()
        runs = store.batch_runs(batch_id, images=False)
    return batch_id, Counter((run.model, run.item_name) for run in runs if not run.failed), runs


def test_resume_asks_only_the_jobs_without_an_answer(env, echo, capsys):
    images = write_images(env / "imgs", 3)
    echo.add_fault(Fault(kind="status", status=400, model=LLAMA, times=None))
    assert main(["eval", "--images", str(images), "-m", QWEN, "-m", LLAMA]) == 1
    echo.clear_faults()
    asked = len(echo.chat_requests)
    # Failures are left alone by a plain resume: nothing is missing, so nothing is asked.
    assert main(["eval", "--resume"]) == 0
    assert "3 failed left alone; asking 0" in capsys.readouterr().err
    assert len(echo.chat_requests) == asked
    assert main(["eval", "--resume", "--retry-errors"]) == 0
    err = capsys.readouterr().err
    assert "[3/3]" in err
    assert len(echo.chat_requests) == asked + 3
    assert {request.body["model"] for request in echo.chat_requests[asked:]} == {LLAMA}
    _, counts, _ = answered(env / "history.sqlite3")
    assert len(counts) == 6
    assert set(counts.values()) == {1}


def test_resume_without_a_batch_or_with_an_unknown_one_is_a_sentence(env, capsys):
    assert main(["eval", "--resume"]) == 1
    assert "no batch to resume" in capsys.readouterr().err
    assert main(["eval", "--resume", "nope"]) == 1
    assert "Batch nope is not in this history" in capsys.readouterr().err
    assert main(["eval", "--retry-errors", "--images", "x", "-m", QWEN]) == 1
    assert "goes with --resume" in capsys.readouterr().err


def test_resume_refuses_an_input_whose_items_changed(env, capsys):
    images = write_images(env / "imgs", 2)
    assert main(["eval", "--images", str(images), "-m", QWEN]) == 0
    (images / "img-00.png").rename(images / "img-zz.png")
    assert main(["eval", "--resume"]) == 1
    assert "the input changed" in capsys.readouterr().err


def test_a_deterministic_request_is_served_from_the_cache_unless_told_not_to(env, echo, capsys):
    images = write_images(env / "imgs", 2)
    command = ["eval", "--images", str(images), "-m", QWEN, "--temperature", "0"]
    assert main(command) == 0
    asked = len(echo.chat_requests)
    assert asked == 2
    assert main(command) == 0
    captured = capsys.readouterr()
    assert "2 answer(s) served from the cache" in captured.out
    assert "ok (cached)" in captured.err
    assert len(echo.chat_requests) == asked
    with HistoryStore(env / "history.sqlite3") as store:
        newest = store.batch_ids()[0]
        runs = store.batch_runs(newest)
    assert all(run.cached and run.answer and run.cache_key for run in runs)
    assert main([*command, "--no-cache"]) == 0
    assert len(echo.chat_requests) == asked + 2


def test_sampling_requests_and_errors_are_never_served_from_the_cache(env, echo):
    images = write_images(env / "imgs", 1)
    assert main(["eval", "--images", str(images), "-m", QWEN]) == 0
    assert main(["eval", "--images", str(images), "-m", QWEN]) == 0
    assert len(echo.chat_requests) == 2  # no temperature: the server samples, nothing reused
    echo.add_fault(Fault(kind="status", status=400, times=1))
    command = ["eval", "--images", str(images), "-m", QWEN, "--temperature", "0"]
    assert main(command) == 1
    assert main(command) == 0
    assert len(echo.chat_requests) == 4  # the error was not kept: asked again


@needs_sigkill
@pytest.mark.parametrize("kill_after", [1, 7])
def test_a_batch_killed_at_any_moment_and_resumed_answers_every_job_exactly_once(
    tmp_path, kill_after
):
    images = write_images(tmp_path / "imgs", 12)
    history = tmp_path / "history.sqlite3"
    with EchoServer(api_key=ECHO_API_KEY, ttft_s=0.15) as echo:
        env = {
            **os.environ,
            "IOINTELLIGENCE_API_KEY": ECHO_API_KEY,
            "IOINTELLIGENCE_BASE_URL": echo.base_url,
            "VISION_HISTORY_PATH": str(history),
            "PYTHONUNBUFFERED": "1",
        }
        command = [sys.executable, "-m", "vision", "eval", "--images", str(images),
                   "-m", QWEN, "-m", LLAMA, "--concurrency", "3"]  # fmt: skip
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        try:
            assert process.stderr is not None
            seen = 0
            while seen < kill_after:
                line = process.stderr.readline()
                assert line, "the eval ended before it was killed"
                seen += line.startswith("[")
            process.send_signal(signal.SIGKILL)
        finally:
            process.kill()
            process.wait(timeout=30)
        asked_before = len(echo.chat_requests)
        _, before, _ = answered(history)
        resumed = subprocess.run(
            [sys.executable, "-m", "vision", "eval", "--resume"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        asked_after = len(echo.chat_requests)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming:" in resumed.stderr
    _, counts, runs = answered(history)
    assert len(counts) == 24
    assert set(counts.values()) == {1}
    assert not any(run.failed for run in runs)
    # The resume asked exactly what was not saved; only the jobs in flight at the kill (at most
    # the concurrency) were paid for twice.
    assert asked_after - asked_before == 24 - sum(before.values())
    assert asked_after - 24 <= 3
