"""A batch killed with SIGKILL keeps every answer it reported, in a healthy history file."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image
from tests.support.signals import needs_sigkill
from vision.echo import ECHO_MODELS, EchoServer
from vision.history.store import HistoryStore
from vision.values.run import Run, RunFilter

REPO = Path(__file__).resolve().parents[2]
REPORTED_BEFORE_KILL = 5


@needs_sigkill
def test_killing_the_eval_mid_batch_loses_nothing_it_reported(tmp_path):
    images = tmp_path / "imgs"
    images.mkdir()
    for index in range(30):
        (images / f"img-{index:02}.png").write_bytes(make_image("PNG", (64, 48 + index)))
    history = tmp_path / "history.sqlite3"
    with EchoServer(api_key=ECHO_API_KEY, ttft_s=0.2) as echo:
        env = {
            **os.environ,
            "IOINTELLIGENCE_API_KEY": ECHO_API_KEY,
            "IOINTELLIGENCE_BASE_URL": echo.base_url,
            "VISION_HISTORY_PATH": str(history),
            "PYTHONUNBUFFERED": "1",
        }
        command = [sys.executable, "-m", "vision", "eval", "--images", str(images),
                   "-m", ECHO_MODELS[0], "-m", ECHO_MODELS[1], "--concurrency", "3"]  # fmt: skip
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        reported: set[tuple[str, str]] = set()
        try:
            assert process.stderr is not None
            # The CLI prints a result's line only after the result is committed to the history.
            while len(reported) < REPORTED_BEFORE_KILL:
                line = process.stderr.readline()
                assert line, "the eval ended before reporting enough results"
                if line.startswith("[") and line.rstrip().endswith("· ok"):
                    head, name, _ = (part.strip() for part in line.split("·"))
                    reported.add((head.split("] ", 1)[1], name))
            process.send_signal(signal.SIGKILL)
        finally:
            process.kill()
            process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    check = sqlite3.connect(history)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
    with HistoryStore(history) as store:
        (batch_id,) = store.batch_ids()
        runs = store.batch_runs(batch_id)
        saved = {(run.model, run.item_name) for run in runs if not run.failed}
        assert reported <= saved
        assert all(run.answer for run in runs if (run.model, run.item_name) in reported)
        assert len(runs) < 60
        # The file takes new runs after the crash.
        store.save_run(Run(prompt="after the crash", model=ECHO_MODELS[0]))
        assert store.search_runs(RunFilter(text="after the crash"))
