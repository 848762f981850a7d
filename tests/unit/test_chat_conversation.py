"""A Send and its follow-ups against the echo backend: each model continues its own conversation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

import vision.images.thumbnail as thumbnails
from tests.support.client_calls import KEY
from tests.support.images import make_image, make_photo
from tests.support.models import LLAMA, QWEN
from vision.api.client import VisionClient
from vision.chat.conversation import Conversation, Exchange, Keeping, Question, SentImage
from vision.echo import EchoServer, Fault
from vision.errors import RequestError
from vision.history.store import HistoryStore
from vision.images.intake import prepare_image
from vision.values.request import ChatRequest, ImageRef, Turn
from vision.values.run import RunContext, RunKind

FIRST = "What is in this image?"
WAIT_S = 20.0


@pytest.fixture
def client(echo: EchoServer) -> Iterator[VisionClient]:
    with VisionClient(echo.base_url, KEY, timeout=(2.0, 5.0), deadline_s=20.0) as made:
        yield made


def sent(model: str, data: bytes, name: str = "cat.png") -> SentImage:
    prepared = prepare_image(data, filename=name, model=model)
    return SentImage(
        name=name, prepared=prepared, original=data, original_sha256=prepared.source_sha256
    )


def ask(
    conversation: Conversation,
    client: VisionClient,
    requests: Sequence[ChatRequest],
    images: Sequence[Sequence[SentImage]] | None = None,
    *,
    kind: RunKind = "turn",
    store: HistoryStore | None = None,
) -> Exchange:
    """Start one exchange of the conversation and wait until every model has finished."""
    exchange = Exchange(
        Question(
            requests=tuple(requests),
            images=tuple(tuple(per) for per in images) if images else tuple(() for _ in requests),
        ),
        context=RunContext(kind=kind, conversation_id=conversation.id),
        keeping=Keeping(store=store),
    )
    conversation.exchanges.append(exchange.start(client))
    assert exchange.live is not None
    assert exchange.live.wait(WAIT_S)
    return exchange


def first_send(
    client: VisionClient, *, store: HistoryStore | None = None
) -> tuple[Conversation, Exchange]:
    """Ask Llama and Qwen about one picture, as Send does."""
    picture = make_image("PNG", (320, 240))
    images = [[sent(LLAMA, picture)], [sent(QWEN, picture)]]
    requests = [
        ChatRequest.asking(model, FIRST, tuple(image.ref for image in per_model))
        for model, per_model in zip((LLAMA, QWEN), images, strict=True)
    ]
    conversation = Conversation()
    exchange = ask(conversation, client, requests, images, kind="single", store=store)
    return conversation, exchange


def follow_ups(conversation: Conversation, prompt: str) -> list[ChatRequest]:
    requests = [conversation.next_request(i, prompt, []) for i in range(len(conversation.models))]
    assert all(isinstance(request, ChatRequest) for request in requests), requests
    return requests  # type: ignore[return-value]


def test_a_follow_up_carries_the_models_own_earlier_question_and_answer(client):
    conversation, first = first_send(client)
    llama_answer, qwen_answer = (column.text for column in first.columns())
    assert LLAMA in llama_answer
    assert QWEN in qwen_answer

    to_llama, to_qwen = follow_ups(conversation, "And what colour is it?")
    assert to_llama.model == LLAMA
    assert to_llama.prompt == "And what colour is it?"
    assert to_llama.images == ()
    assert to_llama.history == (
        Turn(prompt=FIRST, images=first.requests[0].images, answer=llama_answer),
    )
    # Qwen's context is Qwen's own answer, never Llama's.
    assert to_qwen.history == (
        Turn(prompt=FIRST, images=first.requests[1].images, answer=qwen_answer),
    )


def test_the_model_receives_its_earlier_answer_and_images_on_the_wire(client, echo):
    conversation, first = first_send(client)
    qwen_answer = first.columns()[1].text
    ask(conversation, client, follow_ups(conversation, "And what colour is it?"))
    bodies = {r.body["model"]: r.body for r in echo.chat_requests[-2:] if r.body is not None}
    roles = [message["role"] for message in bodies[QWEN]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    earlier_question, earlier_answer = bodies[QWEN]["messages"][1:3]
    assert earlier_answer["content"] == qwen_answer
    assert [part["type"] for part in earlier_question["content"]] == ["text", "image_url"]
    # The echo says it saw the first turn's image again in the follow-up.
    assert "with 1 image" in conversation.latest.columns()[1].text


def test_a_turn_the_model_failed_on_is_left_out_of_its_context(client, echo):
    conversation, first = first_send(client)
    echo.add_fault(Fault(kind="status", status=400, model=QWEN))
    second = ask(conversation, client, follow_ups(conversation, "Second question?"))
    llama_second, qwen_second = second.columns()
    assert llama_second.result is not None
    assert qwen_second.error is not None

    to_llama, to_qwen = follow_ups(conversation, "Third question?")
    assert [turn.prompt for turn in to_llama.history] == [FIRST, "Second question?"]
    assert to_llama.history[-1].answer == llama_second.text
    # Qwen never answered the second question: it does not appear in Qwen's context.
    assert [turn.prompt for turn in to_qwen.history] == [FIRST]
    assert to_qwen.history[0].answer == first.columns()[1].text
    assert to_qwen.prompt == "Third question?"


def test_a_model_that_failed_the_first_question_starts_afresh(client, echo):
    echo.add_fault(Fault(kind="status", status=400, model=QWEN))
    conversation, first = first_send(client)
    assert first.columns()[1].error is not None
    new_image = ImageRef(url="https://example.com/dog.png", label="dog.png")
    request = conversation.next_request(1, "Try this one?", [new_image])
    assert isinstance(request, ChatRequest)
    assert request.model == QWEN
    assert request.history == ()
    assert (request.prompt, request.images) == ("Try this one?", (new_image,))
    assert request.system == first.requests[1].system


def test_a_follow_up_past_the_image_limit_says_how_many_can_be_attached(client):
    picture = make_image("PNG", (64, 64))
    six = [sent(QWEN, picture, f"{n}.png") for n in range(6)]
    conversation = Conversation()
    request = ChatRequest.asking(QWEN, FIRST, tuple(image.ref for image in six))
    ask(conversation, client, [request], [six], kind="single")
    refs = [image.ref for image in six[:5]]
    refused = conversation.next_request(0, "And these?", refs)
    assert isinstance(refused, RequestError)
    assert "already carries 6 images" in str(refused)
    assert "attach at most 4" in str(refused)


def test_every_answer_is_saved_to_the_history_without_a_page_rerun(client, tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        conversation, first = first_send(client, store=store)
        saved = store.conversation_runs(conversation.id)
        assert sorted(run.model for run in saved) == sorted([LLAMA, QWEN])
        assert all(run.kind == "single" and not run.failed for run in saved)
        assert {run.id for run in first.runs()} == {run.id for run in saved}
        # The original picture is kept, so the run can be reopened later.
        image = saved[0].images[0]
        assert image.source_sha256 is not None
        assert store.image_bytes(image.source_sha256) is not None


def test_pasted_images_are_ready_for_each_column_or_say_why_not():
    from tests.support.images import make_image
    from vision.api.catalog import Catalog
    from vision.chat.conversation import pasted_images
    from vision.values.result import ModelInfo

    png = make_image("PNG", (600, 600))
    models = ["Qwen/Qwen2-VL-7B-Instruct", "meta-llama/Llama-3.2-90B-Vision-Instruct"]
    ready = pasted_images([("cat.png", png)], models, None)
    assert not isinstance(ready, str)
    assert [[image.name for image in column] for column in ready] == [["cat.png"], ["cat.png"]]
    assert all(column[0].original == png for column in ready)
    assert pasted_images([("notes.png", b"not a picture")], models, None).startswith("notes.png: ")
    blind = Catalog(backend="x", models=(ModelInfo(id="text-only", supports_images=False),))
    assert pasted_images([("cat.png", png)], ["text-only"], blind) == (
        "text-only cannot read images: ask it in words only."
    )


def test_a_prepared_exchange_sends_nothing_until_its_answers_are_started(client, echo):
    exchange = Exchange(
        Question(requests=(ChatRequest.asking(LLAMA, FIRST, ()),), images=((),)),
        context=RunContext(kind="single", conversation_id=Conversation().id),
        keeping=Keeping(store=None),
    )
    live = exchange.prepare(client).live
    assert live is not None
    assert not live.started
    assert echo.chat_requests == []
    live.start()
    assert live.wait(WAIT_S)
    assert len(echo.chat_requests) == 1


def test_a_send_makes_one_history_thumbnail_per_picture_sent(client, tmp_path, monkeypatch):
    made: list[int] = []
    make = thumbnails.make_thumbnail

    def counting(data: bytes) -> bytes:
        made.append(len(data))
        return make(data)

    monkeypatch.setattr(thumbnails, "make_thumbnail", counting)
    picture = make_photo((2400, 1800))  # each model gets a version of its own size
    images = [[sent(LLAMA, picture, "harbour.jpg")], [sent(QWEN, picture, "harbour.jpg")]]
    assert images[0][0].prepared.sha256 != images[1][0].prepared.sha256
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        exchange = Exchange(
            Question(
                requests=tuple(
                    ChatRequest.asking(model, FIRST, tuple(image.ref for image in per_model))
                    for model, per_model in zip((LLAMA, QWEN), images, strict=True)
                ),
                images=tuple(tuple(per) for per in images),
                image_names=("cat.png",),
                # As Send gives them: the run's sources are its images.
                attached=tuple(tuple(per) for per in images),
            ),
            context=RunContext(kind="single", conversation_id="c1"),
            keeping=Keeping(store=store),
        )
        exchange.start(client)
        assert exchange.live is not None
        assert exchange.live.wait(WAIT_S)
        saved = store.conversation_runs("c1")
    assert len(saved) == 2
    # One for the picture, not one again for every model's version of it, every model's run
    # and every run's sources.
    assert len(made) == 1
    for run in saved:
        assert run.images[0].thumbnail
        assert run.sources[0].thumbnail == run.images[0].thumbnail == saved[0].images[0].thumbnail
