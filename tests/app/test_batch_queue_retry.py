"""Batch page in team mode (a real PostgreSQL, VISION_BATCH_QUEUE=1): a queued batch with a
failed answer offers Retry, no Resume (nothing is missing), and Retry has a worker ask that job
once more."""

from __future__ import annotations

import threading

from tests.conftest import ECHO_API_KEY
from tests.support.batch_page import finish
from tests.support.images import make_image
from tests.support.pages import shows as _shows, texts as _texts
from vision.api.client import VisionClient
from vision.batch.queue.worker import BatchWorker
from vision.echo import EchoServer, Fault
from vision.history.store import HistoryStore

THREE = [(f"{n}.png", make_image("PNG", (40 + n, 40)), "image/png") for n in range(3)]


def chats(echo: EchoServer) -> int:
    return len(echo.chat_requests)


def work(url: str, echo: EchoServer) -> None:
    """A worker runs every queued chunk (in this process: the page only watches the store)."""
    with HistoryStore(url=url) as store:
        worker = BatchWorker(store, lambda: VisionClient(echo.base_url, ECHO_API_KEY))
        assert worker.run(threading.Event(), poll_s=0.05, until_idle=True) >= 1


def test_retry_on_a_queued_batch_has_a_worker_ask_the_failed_answer_again(
    echo, team_database, team_batch_page
):
    at = team_batch_page
    at.file_uploader(key="batch_images").set_value(THREE).run()
    at.number_input(key="batch_concurrency").set_value(1).run()
    assert not at.button(key="batch_run").disabled, _texts(at)
    at.button(key="batch_run").click().run()
    assert not at.exception
    echo.add_fault(Fault(kind="status", status=400, body={"detail": "Broken on purpose."}))
    work(team_database, echo)
    finish(at, "the workers did not finish the batch")
    assert chats(echo) == 6
    assert _shows(at, "5 answered · 1 failed")
    keys = {button.key for button in at.button}
    assert "batch_resume" not in keys  # nothing is missing
    assert at.button(key="batch_retry").label == "Retry 1 failed or skipped"

    at.button(key="batch_retry").click().run()
    assert at.session_state["batch"].running
    work(team_database, echo)
    finish(at, "the workers did not finish the batch")
    assert chats(echo) == 7  # the failed job alone, once
    assert _shows(at, "6 answered")
    assert not _shows(at, "failed")
    assert "batch_retry" not in {button.key for button in at.button}
