"""Batch runs against the echo backend: every answer delivered and saved, 429 back-off, cancel."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import ECHO_API_KEY
from tests.support.images import make_image, make_photo
from tests.support.models import LLAMA, QWEN
from vision.api.client import VisionClient
from vision.batch.running.ask import ask_batch, retry_failed
from vision.echo import Fault
from vision.errors import ImageError, RateLimitError, RequestError
from vision.history.store import HistoryStore
from vision.images.intake import prepare_image
from vision.values.batch import BatchItem, BatchProgress, BatchResult, BatchSettings
from vision.values.request import ChatRequest, RequestOptions
from vision.values.result import ChatResult

MODELS = [QWEN, LLAMA]


class CountingClient:
    """A real VisionClient that also counts how many calls are in flight at once."""

    def __init__(self, inner: VisionClient) -> None:
        self.inner = inner
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0

    def chat(self, request: ChatRequest, /) -> ChatResult:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return self.inner.chat(request)
        finally:
            with self.lock:
                self.in_flight -= 1


class CountingPrepare:
    def __init__(self) -> None:
        self.calls: list[tuple[int, str | None]] = []

    def __call__(self, data: bytes, **kwargs):
        self.calls.append((len(data), kwargs.get("model")))
        return prepare_image(data, **kwargs)


@pytest.fixture
def client(echo):
    with VisionClient(echo.base_url, ECHO_API_KEY, max_retries=0) as opened:
        yield opened


def photo_items(count: int, prompt: str = "What is in this image?") -> list[BatchItem]:
    colours = [(i * 20 % 256, 100, 200 - i * 10 % 200) for i in range(count)]
    return [
        BatchItem(
            image=make_image("PNG", (200 + i, 150), color=colour),
            prompt=prompt,
            name=f"img-{i}.png",
            tag="photo" if i % 2 else "chart",
            expected="image",
        )
        for i, colour in enumerate(colours)
    ]


def test_every_item_and_model_is_answered_and_saved_as_it_arrives(client, echo, tmp_path):
    items = photo_items(5)
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        saved_ids: list[int] = []
        seen: list[BatchProgress] = []

        def save(result: BatchResult) -> None:
            saved_ids.append(store.save_run(result.to_run()).id)

        report = ask_batch(
            client,
            items,
            MODELS,
            settings=BatchSettings(concurrency=3),
            on_result=save,
            on_progress=seen.append,
        )
        runs = store.batch_runs(report.batch_id)
    assert len(report.results) == 10
    assert all(result.ok for result in report.results)
    assert len(echo.chat_requests) == 10
    assert [run.id for run in runs] == saved_ids
    assert {(run.item_index, run.model) for run in runs} == {
        (i, m) for i in range(5) for m in MODELS
    }
    first = runs[0]
    assert first.kind == "batch_item"
    assert first.answer
    assert first.images[0].thumbnail
    assert first.images[0].steps
    assert first.expected == "image"
    assert first.tag in {"photo", "chart"}
    assert seen[-1].finished == seen[-1].total == 10
    assert seen[-1].eta_s == 0
    assert [p.finished for p in seen] == list(range(1, 11))


def test_concurrency_is_bounded(echo, client):
    echo.add_fault(Fault(kind="slow", ttft_s=0.05, times=None))
    counting = CountingClient(client)
    ask_batch(counting, photo_items(6), MODELS, settings=BatchSettings(concurrency=2))
    assert counting.max_in_flight <= 2


def test_an_image_is_prepared_once_per_model_however_often_it_appears(client):
    photo = make_photo((900, 700))
    items = [BatchItem(image=photo, prompt=f"question {i}") for i in range(4)]
    prepare = CountingPrepare()
    report = ask_batch(client, items, MODELS, settings=BatchSettings(prepare=prepare))
    assert len(report.results) == 8
    assert sorted(model for _, model in prepare.calls) == sorted(MODELS)


def test_options_reach_every_request(client, echo):
    options = RequestOptions(system="Answer in one word.", temperature=0.1, max_tokens=20)
    ask_batch(client, photo_items(2), [QWEN], settings=BatchSettings(options=options))
    for recorded in echo.chat_requests:
        assert recorded.body["temperature"] == 0.1
        assert recorded.body["max_tokens"] == 20
        assert recorded.body["messages"][0] == {"role": "system", "content": "Answer in one word."}


def test_a_429_halves_the_concurrency_and_the_job_is_retried_once(client, echo):
    echo.add_fault(Fault(kind="status", status=429, headers={"Retry-After": "0"}, times=1))
    seen: list[BatchProgress] = []
    report = ask_batch(
        client,
        photo_items(4),
        MODELS,
        settings=BatchSettings(concurrency=4, requeue_delay_s=0),
        on_progress=seen.append,
    )
    assert all(result.ok for result in report.results)
    assert len(report.results) == 8
    assert len(echo.chat_requests) == 9
    assert [r.attempts for r in report.results].count(2) == 1
    assert min(p.concurrency for p in seen) <= 2


def test_a_job_rate_limited_twice_fails_with_the_rate_limit_sentence(client, echo):
    echo.add_fault(Fault(kind="status", status=429, model=LLAMA, times=2))
    report = ask_batch(client, photo_items(1), MODELS, settings=BatchSettings(requeue_delay_s=0))
    (failed,) = report.failed
    assert failed.job.model == LLAMA
    assert isinstance(failed.error, RateLimitError)
    assert failed.attempts == 2
    assert failed.to_run().error == str(failed.error)


def test_an_unreadable_image_fails_alone_without_a_request(client, echo):
    items = [*photo_items(1), BatchItem(image=b"not an image at all", prompt="p", name="bad.png")]
    report = ask_batch(client, items, MODELS)
    assert len(report.failed) == 2
    assert all(isinstance(r.error, ImageError) for r in report.failed)
    assert len(echo.chat_requests) == 2
    run = report.failed[0].to_run()
    assert run.item_name == "bad.png"
    assert run.images[0].sha256


def test_an_image_url_is_sent_as_a_url(client, echo):
    items = [BatchItem(image="https://example.com/cat.png", prompt="What is this?")]
    report = ask_batch(client, items, [QWEN])
    assert report.results[0].ok
    (recorded,) = echo.chat_requests
    part = recorded.body["messages"][-1]["content"][1]
    assert part["image_url"]["url"] == "https://example.com/cat.png"
    assert report.results[0].to_run().images[0].url == "https://example.com/cat.png"


def test_cancel_stops_new_jobs_and_keeps_the_completed_ones(client, echo, tmp_path):
    echo.add_fault(Fault(kind="slow", ttft_s=0.1, times=None))
    cancel = threading.Event()
    delivered: list[BatchResult] = []

    def keep_and_cancel(result: BatchResult) -> None:
        delivered.append(result)
        cancel.set()

    report = ask_batch(
        client,
        photo_items(10),
        MODELS,
        settings=BatchSettings(concurrency=2),
        on_result=keep_and_cancel,
        cancel=cancel,
    )
    assert report.cancelled
    assert report.skipped
    assert list(report.results) == delivered
    assert all(result.ok for result in report.results)
    assert len(report.results) + len(report.skipped) == 20
    assert len(echo.chat_requests) == len(report.results)


def test_retry_failed_runs_only_the_failed_and_skipped_jobs(client, echo):
    echo.add_fault(Fault(kind="status", status=500, model=QWEN, times=1))
    first = ask_batch(client, photo_items(3), MODELS, settings=BatchSettings(concurrency=1))
    assert len(first.failed) == 1
    before = len(echo.chat_requests)
    again = retry_failed(client, first)
    assert again.batch_id == first.batch_id
    assert [r.job for r in again.results] == [first.failed[0].job]
    assert again.results[0].ok
    assert len(echo.chat_requests) == before + 1


def test_nothing_to_retry_and_bad_arguments_are_sentences(client):
    report = ask_batch(client, photo_items(1), [QWEN])
    with pytest.raises(RequestError, match="Nothing to retry"):
        retry_failed(client, report)
    with pytest.raises(RequestError, match="at least one model"):
        ask_batch(client, photo_items(1), [])
    with pytest.raises(RequestError, match="at least one image"):
        ask_batch(client, [], [QWEN])
    with pytest.raises(RequestError, match="concurrency"):
        ask_batch(client, photo_items(1), [QWEN], settings=BatchSettings(concurrency=0))
