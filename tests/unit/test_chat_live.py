"""LiveAnswers: the models' streams drained on a worker thread, read by the page as snapshots."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.support.models import LLAMA, QWEN
from vision.chat.compare import ModelEvent
from vision.chat.live import LiveAnswers
from vision.errors import ServerError, StreamError
from vision.values.result import ChatResult, Usage

WAIT_S = 5.0


def result(model: str, text: str) -> ChatResult:
    return ChatResult(
        text=text,
        model=model,
        finish_reason="stop",
        usage=Usage(prompt_tokens=10, completion_tokens=2, total_tokens=12),
        latency_s=0.1,
    )


def live(events, *, models=(LLAMA, QWEN), **extra) -> LiveAnswers:
    return LiveAnswers(
        prompt="What is in this image?",
        models=models,
        image_names=["cat.png"],
        events=events,
        **extra,
    )


def test_each_column_shows_its_own_models_streamed_text_and_result():
    llama_done, qwen_failed = result(LLAMA, "A cat."), ServerError("The server failed (500).")

    def events() -> Iterator[ModelEvent]:
        yield ModelEvent(index=0, model=LLAMA, delta="A ")
        yield ModelEvent(index=1, model=QWEN, delta="Half an ")
        yield ModelEvent(index=0, model=LLAMA, delta="cat.")
        yield ModelEvent(index=0, model=LLAMA, result=llama_done)
        yield ModelEvent(index=1, model=QWEN, error=qwen_failed)

    answers = live(events, labels=["", ""], image_tokens=[1602, 8]).start()
    assert answers.wait(WAIT_S)
    snapshot = answers.snapshot()
    assert snapshot.done
    assert snapshot.error is None
    llama, qwen = snapshot.columns
    assert (llama.model, llama.text, llama.result, llama.error) == (
        LLAMA,
        "A cat.",
        llama_done,
        None,
    )
    assert llama.image_tokens == 1602
    assert llama.finished
    # A model that failed keeps the text it streamed before the error.
    assert (qwen.model, qwen.text, qwen.result) == (QWEN, "Half an ", None)
    assert qwen.error is qwen_failed
    assert qwen.finished
    assert not answers.running


def test_a_snapshot_mid_stream_shows_the_text_so_far():
    applied, release = threading.Event(), threading.Event()

    def events() -> Iterator[ModelEvent]:
        yield ModelEvent(index=0, model=LLAMA, delta="The first ")
        yield ModelEvent(index=0, model=LLAMA, delta="words")
        applied.set()  # both deltas are in: the drain asks for the next event only then
        release.wait(WAIT_S)
        yield ModelEvent(index=0, model=LLAMA, result=result(LLAMA, "The first words."))

    answers = live(events, models=[LLAMA]).start()
    try:
        assert applied.wait(WAIT_S)
        during = answers.snapshot()
        assert not during.done
        assert answers.running
        assert during.columns[0].text == "The first words"
        assert during.columns[0].result is None
        assert not during.columns[0].finished
    finally:
        release.set()
    assert answers.wait(WAIT_S)
    after = answers.snapshot()
    assert after.done
    # The final result's text replaces what was streamed.
    assert after.columns[0].text == "The first words."


def test_a_vision_error_from_the_stream_ends_it_with_that_error():
    broken = StreamError("The server stopped the answer; try again.")

    def events() -> Iterator[ModelEvent]:
        yield ModelEvent(index=1, model=QWEN, delta="Partly")
        raise broken

    answers = live(events).start()
    assert answers.wait(WAIT_S)
    snapshot = answers.snapshot()
    assert snapshot.done
    assert snapshot.error is broken
    assert snapshot.columns[1].text == "Partly"
    assert not snapshot.columns[0].finished  # Llama never got to answer


def test_a_crash_that_is_not_a_vision_error_is_raised_on_the_page_thread():
    def events() -> Iterator[ModelEvent]:
        yield ModelEvent(index=0, model=LLAMA, delta="x")
        raise KeyError("a bug in the drain")

    answers = live(events).start()
    assert answers.wait(WAIT_S)
    with pytest.raises(KeyError, match="a bug in the drain"):
        answers.snapshot()
    # Every later look raises it again: the bug cannot be lost by a rerun.
    with pytest.raises(KeyError):
        answers.snapshot()


def test_the_columns_follow_the_models_order_with_their_labels():
    def events() -> Iterator[ModelEvent]:
        yield from ()

    answers = live(events, models=[LLAMA, LLAMA], labels=["Image 1: a.png", "Image 2: b.png"])
    columns = answers.start().snapshot().columns
    assert [(column.model, column.label) for column in columns] == [
        (LLAMA, "Image 1: a.png"),
        (LLAMA, "Image 2: b.png"),
    ]


def test_made_but_not_started_it_counts_as_running_and_starts_only_once():
    calls = []

    def events() -> Iterator[ModelEvent]:
        calls.append("drained")
        yield ModelEvent(index=0, model=LLAMA, result=result(LLAMA, "A cat."))

    answers = live(events, models=(LLAMA,))
    assert not answers.started
    assert answers.running  # a Send handed to the page but not yet started still waits
    answers.start()
    answers.start()  # a page resuming an interrupted Send may start it again: nothing happens
    assert answers.started
    assert answers.wait(WAIT_S)
    assert calls == ["drained"]
