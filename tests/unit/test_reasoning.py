"""Reasoning models: which models take an effort, what goes in the request, what comes back."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from tests.support.models import KIMI, LLAMA, QWEN, REASONING
from vision.api.payload import build_payload
from vision.api.reasoning import choose_reasoning, known_to_reason, reasons
from vision.api.responses import parse_completion, parse_models, parse_usage, status_error
from vision.api.stream_state import StreamState
from vision.batch.recorded.spec import BatchSpec
from vision.batch.running.answer_cache import cache_key
from vision.errors import BadRequestError, RequestError
from vision.values.request import ChatRequest, Reasoning, RequestOptions
from vision.values.result import ModelInfo, ReasoningDelta, Usage


def test_the_family_says_a_kimi_reasons_and_a_qwen2_vl_does_not():
    assert reasons(KIMI)
    assert reasons(REASONING)
    assert known_to_reason(QWEN) is False
    assert known_to_reason(LLAMA) is False
    assert known_to_reason("acme/unheard-of-vl") is None  # nobody knows: not sent
    assert not reasons("acme/unheard-of-vl")
    assert reasons("Qwen/Qwen3-VL-8B-Thinking")  # a reasoning variant says so in its id


def test_the_servers_word_wins_over_the_family_both_ways():
    assert not reasons(KIMI, ModelInfo(id=KIMI, supports_reasoning=False))
    assert reasons("acme/unheard-of-vl", ModelInfo(id="acme/x", supports_reasoning=True))
    assert reasons(KIMI, ModelInfo(id=KIMI))  # no flag listed: the family decides


def test_an_effort_goes_to_the_reasoning_models_and_a_sentence_names_the_others():
    chosen = choose_reasoning("high", [REASONING, QWEN, LLAMA])
    assert chosen is not None
    assert chosen.models == (REASONING,)
    assert chosen.notice == (
        "Qwen2-VL-7B-Instruct, Llama-3.2-90B-Vision-Instruct are not reasoning models, so the "
        "high reasoning effort is not sent to them."
    )
    alone = choose_reasoning("low", [QWEN])
    assert alone is not None
    assert alone.notice == (
        "Qwen2-VL-7B-Instruct is not a reasoning model, so the low reasoning effort is not sent "
        "to it."
    )
    assert choose_reasoning(None, [REASONING]) is None
    assert choose_reasoning("low", [REASONING]).notice is None  # type: ignore[union-attr]


def test_each_model_is_asked_with_the_effort_only_if_it_takes_one():
    options = RequestOptions(reasoning=choose_reasoning("medium", [REASONING, QWEN]))
    thinking = ChatRequest.asking(REASONING, "What is in this image?", options=options)
    plain = ChatRequest.asking(QWEN, "What is in this image?", options=options)
    assert build_payload(thinking)["reasoning"] == {"effort": "medium"}
    assert "reasoning" not in build_payload(plain)
    assert "reasoning_effort" not in build_payload(thinking)  # the legacy field is not sent


def test_an_effort_the_service_does_not_know_is_refused_before_sending():
    request = ChatRequest(model=REASONING, prompt="hi", reasoning_effort="max")  # type: ignore[arg-type]
    with pytest.raises(RequestError, match="'max' is not one of none, low, medium, high"):
        build_payload(request)


def test_usage_splits_the_completion_into_reasoning_and_answer():
    usage = parse_usage(
        {
            "prompt_tokens": 40,
            "completion_tokens": 412,
            "total_tokens": 452,
            "completion_tokens_details": {"reasoning_tokens": 380},
        }
    )
    assert usage.reasoning_tokens == 380
    assert usage.answer_tokens == 32
    assert usage.line == "40 prompt + 412 completion (380 reasoning + 32 answer) = 452 tokens"
    plain = parse_usage({"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6})
    assert plain.reasoning_tokens is None
    assert plain.answer_tokens == 2
    assert plain.line == "4 prompt + 2 completion = 6 tokens"
    no_details = parse_usage({"completion_tokens_details": None, "completion_tokens": 3})
    assert no_details.answer_tokens == 3


def test_a_completion_keeps_its_reasoning_apart_from_its_answer():
    parsed = parse_completion(
        {
            "model": REASONING,
            "choices": [
                {
                    "message": {"content": "A cat.", "reasoning_content": "It has whiskers."},
                    "finish_reason": "stop",
                }
            ],
        }
    )
    assert parsed.text == "A cat."
    assert parsed.reasoning == "It has whiskers."


def test_a_stream_hands_reasoning_and_answer_apart_and_times_each():
    state = StreamState(model=REASONING)

    def chunk(**delta: str) -> dict[str, object]:
        return {"choices": [{"delta": delta, "finish_reason": None}]}

    assert state.take(chunk(role="assistant", content=""), 0.0) == []
    assert state.take(chunk(reasoning_content="Whiskers, "), 0.0) == [ReasoningDelta("Whiskers, ")]
    assert state.ttft_s is not None
    assert state.answer_ttft_s is None
    assert state.take(chunk(reasoning_content="so a cat."), 0.0) == [ReasoningDelta("so a cat.")]
    assert state.take(chunk(content="A cat."), 0.0) == ["A cat."]
    assert state.answer_ttft_s is not None
    assert state.answer_ttft_s >= state.ttft_s
    assert "".join(state.text) == "A cat."
    assert "".join(state.reasoning) == "Whiskers, so a cat."


@pytest.mark.parametrize("shape", ["top", "metadata", "parameters"])
def test_models_lists_mark_reasoning_models_in_each_shape(shape):
    def entry(model: str, flag: bool) -> dict[str, object]:
        if shape == "top":
            return {"id": model, "supports_reasoning": flag}
        if shape == "metadata":
            return {"model_id": model, "metadata": {"supports_reasoning": flag}}
        listed = ["temperature", "reasoning"] if flag else ["temperature"]
        return {"id": model, "supported_parameters": listed}

    infos = {
        info.id: info
        for info in parse_models({"data": [entry(REASONING, True), entry(QWEN, False)]})
    }
    assert infos[REASONING].supports_reasoning is True
    assert infos[QWEN].supports_reasoning is False
    assert parse_models({"data": [{"id": QWEN}]})[0].supports_reasoning is None


def test_a_refused_effort_reads_as_what_to_do():
    body = json.dumps({"detail": "Unsupported parameter: 'reasoning' is not supported"})
    error = status_error(400, body, model=QWEN)
    assert isinstance(error, BadRequestError)
    assert str(error).startswith(f"The server refused the reasoning effort for {QWEN!r} (400)")
    assert "leave the effort unset" in str(error)
    schema = json.dumps(
        {"detail": [{"type": "literal_error", "loc": ["body", "reasoning", "effort"], "msg": "x"}]}
    )
    assert "refused the reasoning effort" in str(status_error(422, schema, model=REASONING))


def test_a_batch_spec_keeps_the_effort_and_the_models_it_goes_to():
    base = BatchSpec(source="photos", prompt="p", models=(REASONING, QWEN))
    spec = base.with_reasoning(choose_reasoning("high", base.models))
    again = BatchSpec.from_json(json.loads(json.dumps(spec.to_json())))
    assert again == spec
    assert again.options.reasoning == Reasoning(
        effort="high", models=(REASONING,), declined=(QWEN,)
    )
    assert ChatRequest.asking(QWEN, "p", options=again.options).reasoning_effort is None
    assert ChatRequest.asking(REASONING, "p", options=again.options).reasoning_effort == "high"
    # A spec saved before efforts existed reads back with none.
    old = {key: value for key, value in base.to_json().items() if "reasoning" not in key}
    assert BatchSpec.from_json(old).options.reasoning is None


def test_the_answer_cache_tells_efforts_apart_and_keeps_older_keys():
    plain = ChatRequest(model=REASONING, prompt="p", temperature=0)
    low = replace(plain, reasoning_effort="low")
    high = replace(plain, reasoning_effort="high")
    keys = {cache_key(request, ["abc"]) for request in (plain, low, high)}
    assert len(keys) == 3
    # Requests without an effort keep the key the code before efforts gave them, so answers
    # already in a history are still served.
    assert cache_key(plain, ["abc"]) == (
        "bf8abff3990e8b9c833dc5958781de2676a4cfd84f8d0528fb5d6c7cbe013885"
    )


def test_usage_without_a_completion_has_no_answer_tokens():
    assert Usage().answer_tokens is None
