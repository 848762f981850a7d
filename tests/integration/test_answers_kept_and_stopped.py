"""Stopping answers while they stream, and answers brought back from the history: a stopped
model keeps what it said (saved as stopped) while the others go on; a reopened question shows
its kept answers without asking again; a rerun streams beside the kept answer; one answer asked
again leaves the others as they were."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.client_calls import KEY
from tests.support.images import make_image
from tests.support.models import LLAMA, QWEN
from vision.api.client import VisionClient
from vision.chat.compare import StopSignal, stream_models
from vision.chat.conversation import Conversation, Exchange, Keeping, Question, SentImage
from vision.chat.reopened import regenerated, reopened, rerun_beside
from vision.echo import EchoServer, Fault
from vision.errors import KeptRunError
from vision.history.replay import reopen
from vision.history.store import HistoryStore
from vision.images.intake import prepare_image
from vision.values.request import ChatRequest
from vision.values.result import STOPPED
from vision.values.run import RunContext, RunFilter

WAIT_S = 20.0
PROMPT = "What is in this image?"


@pytest.fixture
def client(echo: EchoServer) -> Iterator[VisionClient]:
    with VisionClient(echo.base_url, KEY, timeout=(2.0, 5.0), deadline_s=20.0) as made:
        yield made


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


def _sent(model: str) -> SentImage:
    data = make_image("PNG", (320, 240))
    prepared = prepare_image(data, filename="red.png", model=model)
    return SentImage(
        name="red.png", prepared=prepared, original=data, original_sha256=prepared.source_sha256
    )


def _send(client: VisionClient, store: HistoryStore | None) -> Exchange:
    images = [(_sent(LLAMA),), (_sent(QWEN),)]
    conversation = Conversation()
    exchange = Exchange(
        Question(
            requests=tuple(
                ChatRequest.asking(model, PROMPT, tuple(image.ref for image in per))
                for model, per in zip((LLAMA, QWEN), images, strict=True)
            ),
            images=tuple(images),
            image_names=("red.png",),
        ),
        context=RunContext(conversation_id=conversation.id),
        keeping=Keeping(store=store),
    )
    conversation.exchanges.append(exchange)
    return exchange.start(client)


def _until(condition, within_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.02)


def test_a_stopped_model_keeps_what_it_said_and_the_other_goes_on(client, echo, store):
    echo.add_fault(Fault(kind="slow", token_delay_s=0.05, times=None))
    exchange = _send(client, store)
    live = exchange.live
    assert live is not None
    _until(lambda: len(live.snapshot().columns[0].text.split()) >= 3)
    live.stop(0)
    _until(lambda: live.snapshot().columns[0].finished, within_s=2.0)
    stopped = live.snapshot().columns[0]
    assert stopped.result is not None
    assert stopped.result.finish_reason == STOPPED
    assert not stopped.result.complete
    assert stopped.text.startswith("[echo backend")
    assert not live.snapshot().columns[1].finished  # Qwen is still answering
    assert live.wait(WAIT_S)
    qwen = live.snapshot().columns[1]
    assert qwen.result is not None
    assert qwen.result.finish_reason == "stop"
    assert len(stopped.text.split()) < len(qwen.text.split())  # Llama was cut, Qwen was not
    saved = {run.model: run for run in store.search_runs(RunFilter())}
    assert saved[LLAMA].finish_reason == STOPPED
    assert saved[LLAMA].answer == stopped.text
    assert not saved[LLAMA].complete
    assert saved[QWEN].complete


def test_stop_all_ends_a_model_still_waiting_for_its_first_token(client, echo):
    echo.add_fault(Fault(kind="slow", ttft_s=10.0, times=None))
    exchange = _send(client, None)
    assert exchange.live is not None
    _until(lambda: len(echo.chat_requests) == 2)  # both models wait on their first token
    exchange.live.stop()
    assert exchange.live.wait(9.0), "the stop waited for the server's first token (10 s)"
    for column in exchange.live.snapshot().columns:
        assert column.result is not None
        assert column.result.finish_reason == STOPPED
        assert column.text == ""


def test_a_kept_answer_comes_first_and_is_not_asked_again(client, echo):
    answered = {0: KeptRunError("The model was busy.")}
    requests = [ChatRequest(model=LLAMA, prompt=PROMPT), ChatRequest(model=QWEN, prompt=PROMPT)]
    events = list(stream_models(client, requests, StopSignal(), answered))
    assert events[0].index == 0
    assert str(events[0].error) == "The model was busy."
    assert [request.body["model"] for request in echo.chat_requests] == [QWEN]


def test_a_reopened_question_shows_its_kept_answers_without_asking_again(client, echo, store):
    first = _send(client, store)
    assert first.live is not None
    assert first.live.wait(WAIT_S)
    answers = [column.text for column in first.live.snapshot().columns]
    asked = len(echo.chat_requests)
    (qwen_run,) = store.search_runs(RunFilter(model=QWEN))
    conversation = reopened(store, reopen(store, qwen_run).runs, Keeping(store=store))
    exchange = conversation.latest
    assert exchange.models == (QWEN, LLAMA)  # the reopened answer first
    assert exchange.start(client).live is not None
    assert exchange.live is not None
    assert exchange.live.wait(WAIT_S)
    assert [column.text for column in exchange.columns()] == [answers[1], answers[0]]
    assert len(echo.chat_requests) == asked  # nothing was asked again
    assert len(store.search_runs(RunFilter())) == 2  # nor saved again
    # A follow-up continues the reopened conversation, with the kept answer as context.
    follow = conversation.next_request(0, "And its colour?", [])
    assert isinstance(follow, ChatRequest)
    assert follow.history[0].answer == answers[1]
    assert follow.history[0].images, "the kept image goes with the follow-up"


def test_a_rerun_streams_beside_the_kept_answer_and_is_saved_as_a_new_run(client, echo, store):
    first = _send(client, store)
    assert first.live is not None
    assert first.live.wait(WAIT_S)
    (kept,) = store.search_runs(RunFilter(model=QWEN))
    conversation = rerun_beside(store, kept, Keeping(store=store))
    exchange = conversation.latest.start(client)
    assert exchange.live is not None
    assert exchange.live.wait(WAIT_S)
    old, new = exchange.columns()
    assert old.text == kept.answer
    assert new.model == QWEN
    assert new.result is not None
    assert "red.png" in new.text or "1 image" in new.text
    assert echo.chat_requests[-1].body["model"] == QWEN
    assert len(store.search_runs(RunFilter(model=QWEN))) == 2
    assert exchange.labels is not None
    assert exchange.labels[0].startswith(f"kept · run {kept.id}")


def test_asking_one_answer_again_keeps_the_others(client, echo, store):
    first = _send(client, store)
    assert first.live is not None
    assert first.live.wait(WAIT_S)
    llama_before = first.columns()[0].text
    asked = len(echo.chat_requests)
    again = regenerated(first, 1).start(client)
    assert again.live is not None
    assert again.live.wait(WAIT_S)
    assert again.columns()[0].text == llama_before
    assert [request.body["model"] for request in echo.chat_requests[asked:]] == [QWEN]
    assert again.columns()[1].result is not None
