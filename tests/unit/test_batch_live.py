"""LiveBatch against the echo backend and a real history file: saved as it goes, cancel, retry."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from tests.support.client_calls import KEY
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from vision.api.client import VisionClient
from vision.batch.items.uploads import PageItems, Upload, page_items
from vision.batch.recorded.spec import page_spec
from vision.batch.running.in_process import LiveBatch
from vision.echo import EchoServer, Fault
from vision.history.store import HistoryStore
from vision.values.batch import BatchJob
from vision.values.request import RequestOptions

WAIT_S = 30.0


@pytest.fixture
def store(tmp_path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


def items(count: int) -> PageItems:
    """The page's items for `count` uploaded images, tagged chart."""
    return page_items(
        prompt="What is in this image?",
        uploads=[
            Upload(
                name=f"img-{index}.png",
                data=make_image("PNG", (160 + index, 120), color=(index * 40 % 256, 90, 150)),
            )
            for index in range(count)
        ],
        tag="chart",
    )


def batch(
    echo: EchoServer, store: HistoryStore, count: int, models: list[str], *, concurrency: int = 4
) -> LiveBatch:
    def client() -> VisionClient:
        return VisionClient(echo.base_url, KEY, max_retries=0, timeout=(2.0, 10.0))

    asked = items(count)
    return LiveBatch(
        client=client,
        store=store,
        items=asked,
        spec=page_spec(
            asked, models, concurrency=concurrency, options=RequestOptions(max_tokens=64)
        ),
    )


def eventually(check: Callable[[], bool], timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_every_result_is_in_the_history_as_soon_as_it_completes(echo, store):
    # One Qwen answer is held back for a while; the others must be saved meanwhile.
    echo.add_fault(Fault(kind="hang", seconds=2.0, model=QWEN))
    live = batch(echo, store, 3, [LLAMA, QWEN]).start()
    eventually(lambda: len(store.batch_runs(live.batch_id)) == 5)
    during = live.view()
    assert during.running
    assert len(during.runs) == 5
    assert live.wait(WAIT_S)
    after = live.view()
    assert not after.running
    assert after.problem is None
    saved = store.batch_runs(live.batch_id)
    assert len(saved) == 6
    assert all(not run.failed and run.kind == "batch_item" for run in saved)
    assert {run.id for run in after.runs.values()} == {run.id for run in saved}
    assert [(run.item_index, run.model) for run in after.ordered_runs()] == [
        (index, model) for index in range(3) for model in (LLAMA, QWEN)
    ]


def test_the_original_image_bytes_are_kept_with_every_run(echo, store):
    live = batch(echo, store, 2, [QWEN]).start()
    assert live.wait(WAIT_S)
    for job, run in live.view().runs.items():
        (image,) = run.images
        assert image.source_sha256 is not None
        uploaded = list(items(2))[job.item_index].image
        assert store.image_bytes(image.source_sha256) == uploaded
        assert run.item_name == f"img-{job.item_index}.png"
        assert run.tag == "chart"


def test_cancel_keeps_the_answers_already_in_and_skips_the_rest(echo, store):
    echo.add_fault(Fault(kind="hang", seconds=0.3, times=None))  # every answer takes a while
    live = batch(echo, store, 6, [QWEN], concurrency=1).start()
    eventually(lambda: len(store.batch_runs(live.batch_id)) >= 1)
    live.cancel()
    assert live.wait(WAIT_S)
    view = live.view()
    assert view.cancelled
    assert view.skipped >= 1
    assert len(view.runs) + view.skipped == 6
    saved = store.batch_runs(live.batch_id)
    assert len(saved) == len(view.runs)
    assert all(not run.failed for run in saved)
    assert view.retryable
    # Retry runs the skipped jobs only; the answers already in are not asked again.
    echo.clear_faults()
    answered = {job.item_index for job in view.runs}
    before = len(echo.chat_requests)
    assert live.retry().wait(WAIT_S)
    assert len(echo.chat_requests) - before == 6 - len(answered)
    done = live.view()
    assert len(done.runs) == 6
    assert not done.cancelled
    assert not done.retryable


def test_retry_runs_only_the_jobs_that_failed(echo, store):
    echo.add_fault(Fault(kind="status", status=500, model=QWEN, times=2))
    live = batch(echo, store, 3, [LLAMA, QWEN]).start()
    assert live.wait(WAIT_S)
    first = live.view()
    failed_jobs = {job for job, run in first.runs.items() if run.failed}
    assert len(failed_jobs) == 2
    assert all(job.model == QWEN for job in failed_jobs)
    assert first.retryable
    asked = len(echo.chat_requests)

    assert live.retry().wait(WAIT_S)
    again = echo.chat_requests[asked:]
    assert len(again) == 2
    assert all(request.body is not None and request.body["model"] == QWEN for request in again)
    after = live.view()
    assert not after.failed
    assert not after.retryable
    assert all(not after.runs[job].failed for job in failed_jobs)
    # The same batch: the history keeps the failed attempts and their answers after the retry.
    saved = store.batch_runs(live.batch_id)
    assert len(saved) == 8
    assert sum(run.failed for run in saved) == 2
    assert after.runs[BatchJob(item_index=0, model=LLAMA)].id == (
        first.runs[BatchJob(item_index=0, model=LLAMA)].id
    )
