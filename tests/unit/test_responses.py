"""Tolerant reading of error bodies, completions and both /models shapes."""

from __future__ import annotations

import json

import pytest

from vision.api.responses import (
    error_detail,
    is_quota_error,
    parse_completion,
    parse_models,
    server_retry_delay,
    status_error,
)
from vision.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ModelNotAvailableError,
    PaymentRequiredError,
    RateLimitError,
    ResponseFormatError,
    ServerError,
)
from vision.values.result import Usage

SENTINEL = "io-SENTINEL-key-0123456789"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"error": {"message": "bad model", "type": "x"}}, "bad model"),
        ({"detail": "Not authenticated"}, "Not authenticated"),
        (
            {"detail": [{"loc": ["body"], "msg": "field required"}, {"msg": "too long"}]},
            "field required; too long",
        ),
        ({"message": "flat vLLM error", "object": "error", "code": 400}, "flat vLLM error"),
        ({"error": "plain string error"}, "plain string error"),
        ({"unexpected": 1}, '{"unexpected": 1}'),
    ],
)
def test_error_detail_tries_each_known_shape_in_order(body, expected):
    assert error_detail(json.dumps(body)) == expected


def test_error_detail_takes_raw_text_cut_short():
    html = "<html>" + "x" * 1000 + "</html>"
    detail = error_detail(html)
    assert detail.startswith("<html>")
    assert len(detail) <= 300


def test_error_detail_redacts_an_echoed_key():
    body = json.dumps({"detail": f"Invalid token: Bearer {SENTINEL} for key {SENTINEL}"})
    assert SENTINEL not in error_detail(body, keys=(SENTINEL,))


@pytest.mark.parametrize(
    ("status", "body", "quota"),
    [
        (402, "{}", True),
        (429, json.dumps({"error": {"type": "insufficient_quota", "message": "x"}}), True),
        (429, json.dumps({"error": {"code": "credit_balance_exhausted"}}), True),
        (429, json.dumps({"detail": "Daily quota exceeded for this model"}), True),
        (
            429,
            json.dumps({"error": {"type": "rate_limit_exceeded", "message": "slow down"}}),
            False,
        ),
        (429, "", False),
        (500, "quota", False),
    ],
)
def test_quota_429_is_told_apart_from_a_rate_limit(status, body, quota):
    assert is_quota_error(status, body) is quota


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"Retry-After": "3"}, 3.0),
        ({"Retry-After": "0.5"}, 0.5),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_server_retry_delay(headers, expected):
    assert server_retry_delay(headers) == expected


def test_server_retry_delay_reads_an_http_date():
    delay = server_retry_delay({"Retry-After": "Wed, 01 Jan 2020 00:00:00 GMT"})
    assert delay is not None
    assert delay < 0


@pytest.mark.parametrize(
    ("status", "body", "cls", "phrase"),
    [
        (401, '{"detail": "Unauthorized"}', AuthenticationError, "IOINTELLIGENCE_API_KEY"),
        (403, "", AuthenticationError, "rejected the key (403)"),
        (402, '{"detail": "requires a higher tier"}', PaymentRequiredError, "top up"),
        (429, '{"error": {"type": "insufficient_quota"}}', PaymentRequiredError, "quota"),
        (429, "{}", RateLimitError, "wait a little and try again"),
        (
            400,
            '{"detail": "The requested model is not available for Chat Completions API. '
            'Available models: [a, b]"}',
            ModelNotAvailableError,
            "python -m vision models",
        ),
        (
            404,
            '{"error": {"message": "The model `m/x` does not exist.", "code": 404}}',
            ModelNotAvailableError,
            "'m/x'",
        ),
        (400, '{"detail": "Invalid image format"}', BadRequestError, "re-export it as JPEG or PNG"),
        (413, "too big", BadRequestError, "fewer or smaller images"),
        (422, '{"detail": [{"msg": "field required"}]}', BadRequestError, "field required"),
        (404, '{"detail": "Not Found"}', BadRequestError, "base URL"),
        (500, "oops", ServerError, "try again in a minute"),
        (503, "", ServerError, "503"),
        (409, "", APIStatusError, "409"),
    ],
)
def test_status_error_picks_the_class_and_says_what_to_do(status, body, cls, phrase):
    err = status_error(status, body, {}, model="m/x")
    assert type(err) is cls
    assert err.status == status
    assert phrase in str(err)
    assert str(err).endswith(".")


def test_rate_limit_error_says_when_to_try_again():
    err = status_error(429, "{}", {"Retry-After": "42"})
    assert "try again in 42 s" in str(err)


def test_status_error_never_repeats_an_echoed_key():
    body = json.dumps({"error": {"message": f"bad key {SENTINEL} (Bearer {SENTINEL})"}})
    for status in (400, 401, 402, 429, 500):
        assert SENTINEL not in str(status_error(status, body, {}, keys=(SENTINEL,)))


def _completion(**message):
    return {
        "id": "c1",
        "model": "Qwen/Qwen2-VL-7B-Instruct",
        "choices": [
            {"index": 0, "message": {"role": "assistant", **message}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


def test_parse_completion_reads_text_usage_and_finish_reason():
    parsed = parse_completion(_completion(content="A cat."))
    assert parsed.text == "A cat."
    assert parsed.model == "Qwen/Qwen2-VL-7B-Instruct"
    assert parsed.finish_reason == "stop"
    assert parsed.usage == Usage(prompt_tokens=10, completion_tokens=5, total_tokens=15)


def test_parse_completion_accepts_reasoning_null_content_and_no_usage():
    body = _completion(content=None, reasoning_content="thinking…")
    del body["usage"]
    parsed = parse_completion(body, requested_model="m")
    assert parsed.text == ""
    assert parsed.reasoning == "thinking…"
    assert parsed.usage == Usage()


def test_parse_completion_joins_text_parts():
    parsed = parse_completion(
        _completion(content=[{"type": "text", "text": "a"}, {"type": "text", "text": "b"}])
    )
    assert parsed.text == "ab"


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {},
        {"choices": []},
        {"choices": [{}]},
        {"choices": [{"message": "x"}]},
        {"error": {"message": "upstream died"}},
    ],
)
def test_parse_completion_rejects_other_shapes(body):
    with pytest.raises(ResponseFormatError):
        parse_completion(body)


OPENAI_MODELS = {
    "object": "list",
    "data": [
        {
            "id": "Qwen/Qwen2-VL-7B-Instruct",
            "object": "model",
            "supports_images_input": True,
            "context_window": 32000,
            "max_tokens": 4096,
            "input_token_price": 1e-7,
            "output_token_price": "2e-7",
        },
        {"id": "meta-llama/Llama-3.3-70B-Instruct", "supports_images_input": False},
        {"id": "vllm/served", "max_model_len": 8192},
        {"id": "Qwen/Qwen2-VL-7B-Instruct"},
        "junk",
    ],
}
CATALOG_MODELS = {
    "data": [
        {
            "model_id": "uuid-1",
            "name": "meta-llama/Llama-3.2-90B-Vision-Instruct",
            "metadata": {
                "supports_images_input": True,
                "context_window": 16000,
                "enable_api_chat_completions": True,
            },
        },
        {
            "model_id": "uuid-2",
            "name": "retired/model",
            "metadata": {"enable_api_chat_completions": False},
        },
        {"model_id": "uuid-3", "name": "text/model", "metadata": {"supports_images_input": None}},
    ],
    "pagination": {"total": 3, "page": 1, "page_size": 50, "has_next": False},
}


def test_parse_models_reads_the_openai_list():
    models = parse_models(OPENAI_MODELS)
    assert [m.id for m in models] == [
        "Qwen/Qwen2-VL-7B-Instruct",
        "meta-llama/Llama-3.3-70B-Instruct",
        "vllm/served",
    ]
    qwen, llama, served = models
    assert qwen.supports_images is True
    assert (qwen.context_window, qwen.max_tokens) == (32000, 4096)
    assert qwen.output_token_price == pytest.approx(2e-7)
    assert llama.supports_images is False
    assert served.supports_images is None
    assert served.context_window == 8192


def test_parse_models_reads_the_io_catalog_under_metadata():
    models = parse_models(CATALOG_MODELS)
    assert [m.id for m in models] == ["meta-llama/Llama-3.2-90B-Vision-Instruct", "text/model"]
    assert models[0].supports_images is True
    assert models[0].context_window == 16000
    assert models[1].supports_images is None


@pytest.mark.parametrize("body", [{"data": "x"}, "nope", {"models": []}])
def test_parse_models_rejects_other_shapes(body):
    with pytest.raises(ResponseFormatError):
        parse_models(body)
