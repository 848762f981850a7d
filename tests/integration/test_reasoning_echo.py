"""A reasoning model end to end on loopback: the effort in the request, its reasoning streamed
apart from its answer and counted, and the refusal a model that does not reason sends."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from tests.support.client_calls import KEY
from tests.support.images import make_photo
from tests.support.models import KIMI, QWEN, REASONING
from vision.api.catalog import load_catalog
from vision.api.client import VisionClient
from vision.api.reasoning import reasons
from vision.chat.compare import stream_models
from vision.chat.live import LiveAnswers
from vision.echo import EchoServer, Fault
from vision.errors import BadRequestError, ReasoningNotSupportedError, StreamError
from vision.images.intake import prepare_image
from vision.values.request import ChatRequest
from vision.values.result import ChatResult, ReasoningDelta

WAIT_S = 10.0


def _collected(stream: Iterator[object], received: list[object]) -> list[object]:
    """Items into `received` as they come, so they survive the stream's error."""
    for item in stream:
        received.append(item)
    return []


def _pieces(items: list[object]) -> tuple[list[str], list[str], ChatResult]:
    *pieces, result = items
    assert isinstance(result, ChatResult)
    thoughts = [piece.text for piece in pieces if isinstance(piece, ReasoningDelta)]
    answer = [piece for piece in pieces if isinstance(piece, str)]
    assert len(thoughts) + len(answer) == len(pieces)
    return thoughts, answer, result


def test_the_echo_lists_its_reasoning_model_as_reasoning_and_the_rest_as_not(client):
    catalog = load_catalog(client, "echo")
    assert catalog.info(REASONING).supports_reasoning is True
    assert catalog.info(QWEN).supports_reasoning is False
    # The server's word wins: the echo's Kimi K2.5 answers at once, whatever its family does.
    assert catalog.info(KIMI).supports_reasoning is False
    assert not reasons(KIMI, catalog.info(KIMI))
    with (
        EchoServer(api_key=KEY, models_shape="io") as io_shaped,
        VisionClient(io_shaped.base_url, KEY) as other,
    ):
        assert load_catalog(other, "io").info(REASONING).supports_reasoning is True


def test_a_stream_sends_its_reasoning_first_apart_from_the_answer_and_counts_it(client, echo):
    photo = prepare_image(make_photo((800, 600)), model=REASONING)
    request = ChatRequest(
        model=REASONING, prompt="What is in it?", images=(photo.as_ref(),), reasoning_effort="high"
    )
    items = list(client.stream(request))
    first_answer = next(i for i, item in enumerate(items) if isinstance(item, str))
    assert all(isinstance(item, ReasoningDelta) for item in items[:first_answer])
    thoughts, answer, result = _pieces(items)
    assert thoughts
    assert answer
    assert result.reasoning == "".join(thoughts)
    assert result.text == "".join(answer)
    assert "Deliberating at high effort" in result.reasoning
    assert "Deliberating" not in result.text
    assert result.usage.reasoning_tokens == len(thoughts)  # the echo: one token a piece
    assert result.usage.answer_tokens == len(answer)
    assert result.usage.completion_tokens == len(thoughts) + len(answer)
    assert result.ttft_s is not None
    assert result.answer_ttft_s is not None
    assert result.ttft_s <= result.answer_ttft_s <= result.latency_s
    assert echo.chat_requests[0].body["reasoning"] == {"effort": "high"}


def test_the_first_answer_token_comes_after_the_reasoning():
    with (
        EchoServer(api_key=KEY, ttft_s=0.05, token_delay_s=0.01) as slow,
        VisionClient(slow.base_url, KEY) as client,
    ):
        *_, result = client.stream(model=REASONING, prompt="hi", reasoning_effort="low")
    assert isinstance(result, ChatResult)
    thoughts = result.usage.reasoning_tokens or 0
    assert thoughts > 5
    # Every reasoning piece after the first took 10 ms: the answer began that much later.
    assert result.answer_ttft_s - result.ttft_s >= 0.009 * (thoughts - 1)


def test_a_whole_completion_carries_the_reasoning_and_its_count(client):
    result = client.chat(model=REASONING, prompt="hi", reasoning_effort="medium")
    assert result.reasoning is not None
    assert result.reasoning.startswith("[echo reasoning — no model thought]")
    assert result.usage.reasoning_tokens == len(result.reasoning.split())
    assert result.usage.answer_tokens == len(result.text.split())
    assert result.text.startswith("[echo backend — no model ran]")


def test_more_effort_thinks_longer_and_none_not_at_all(client):
    counts = {
        effort: client.chat(model=REASONING, prompt="hi", reasoning_effort=effort).usage
        for effort in ("none", "low", "medium", "high")
    }
    assert counts["none"].reasoning_tokens is None
    low, medium, high = (counts[e].reasoning_tokens or 0 for e in ("low", "medium", "high"))
    assert 0 < low < medium < high
    # No effort sent: the model thinks at its default.
    assert client.chat(model=REASONING, prompt="hi").usage.reasoning_tokens == medium


def test_the_reasoning_counts_against_max_tokens(client):
    result = client.chat(model=REASONING, prompt="hi", reasoning_effort="high", max_tokens=10)
    assert result.finish_reason == "length"
    assert result.usage.reasoning_tokens == 10
    assert result.text == ""


def test_a_model_that_does_not_reason_refuses_an_effort_as_a_strict_server(echo):
    body = {
        "model": QWEN,
        "messages": [{"role": "user", "content": "hi"}],
        "reasoning": {"effort": "low"},
    }
    headers = {"Authorization": f"Bearer {KEY}"}
    url = echo.base_url + "/chat/completions"
    refused = requests.post(url, json=body, headers=headers, timeout=5)
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "Unsupported parameter: 'reasoning' is not supported with this model."
    }
    legacy = {**{k: v for k, v in body.items() if k != "reasoning"}, "reasoning_effort": "low"}
    assert requests.post(url, json=legacy, headers=headers, timeout=5).status_code == 400
    wrong = {**body, "model": REASONING, "reasoning": {"effort": "max"}}
    schema = requests.post(url, json=wrong, headers=headers, timeout=5)
    assert schema.status_code == 422
    assert schema.json()["detail"][0]["loc"] == ["body", "reasoning", "effort"]


def test_the_client_says_what_to_do_when_a_server_refuses_an_effort(client, echo):
    # An id no family knows goes out as asked; the echo refuses it, the client says why.
    with pytest.raises(BadRequestError, match="refused the reasoning effort"):
        client.chat(model="echo/mystery-vision", prompt="hi", reasoning_effort="high")


def test_the_client_holds_back_an_effort_for_a_model_known_not_to_reason(client, echo):
    with pytest.raises(ReasoningNotSupportedError, match="does not reason"):
        client.chat(model=QWEN, prompt="hi", reasoning_effort="high")
    client.list_models()
    with pytest.raises(ReasoningNotSupportedError, match="leave the effort unset"):
        list(client.stream(model=KIMI, prompt="hi", reasoning_effort="low"))
    assert echo.chat_requests == []  # nothing was sent


def test_a_stream_cut_by_an_error_keeps_the_answer_so_far_not_the_reasoning(client, echo):
    echo.add_fault(Fault(kind="stream_error", after_chunks=40, times=1))
    received: list[object] = []
    stream = client.stream(model=REASONING, prompt="hi", reasoning_effort="low")
    with pytest.raises(StreamError) as caught:
        received.extend(_collected(stream, received))
    answer = "".join(item for item in received if isinstance(item, str))
    assert answer
    assert caught.value.partial_text == answer


def test_the_live_columns_hold_reasoning_and_both_first_token_times():
    with EchoServer(api_key=KEY, ttft_s=0.02, token_delay_s=0.005, record_bodies=True) as slow:
        with VisionClient(slow.base_url, KEY) as client:
            asks = [
                ChatRequest(model=REASONING, prompt="hi", reasoning_effort="low"),
                ChatRequest(model=QWEN, prompt="hi"),
            ]
            answers = LiveAnswers(
                prompt="hi",
                models=[REASONING, QWEN],
                image_names=[],
                events=lambda: stream_models(client, asks),
            ).start()
            seen_thinking_only = False
            while not answers.wait(0.002):
                column = answers.snapshot().columns[0]
                if column.reasoning and not column.answering:
                    seen_thinking_only = True
                    assert column.ttft_s is not None
                    assert column.answer_ttft_s is None
            assert answers.wait(WAIT_S)
        recorded = [json.dumps(r.body.get("reasoning")) for r in slow.chat_requests]
    thinking, plain = answers.snapshot().columns
    assert seen_thinking_only
    assert thinking.result is not None
    assert plain.result is not None
    assert thinking.reasoning == thinking.result.reasoning
    assert "Deliberating" not in thinking.text
    assert thinking.reasoning_tokens == thinking.result.usage.reasoning_tokens
    assert thinking.answer_ttft_s > thinking.ttft_s
    assert plain.reasoning == ""
    assert plain.reasoning_tokens is None
    assert plain.answer_ttft_s == pytest.approx(plain.ttft_s)
    assert sorted(recorded) == ["null", '{"effort": "low"}']
