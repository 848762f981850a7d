"""The echo backend over real loopback sockets: its contract, SSE framing, usage and faults."""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

import pytest
import requests

from tests.conftest import ECHO_API_KEY
from tests.images import make_animated, make_image, make_photo
from vision.echo import (
    ECHO_MODELS,
    QUOTA_BODY,
    TEXT_ONLY_MODEL,
    EchoServer,
    Fault,
)
from vision.profiles import estimate_image_tokens, estimate_text_tokens

QWEN = "Qwen/Qwen2-VL-7B-Instruct"
LLAMA = "meta-llama/Llama-3.2-90B-Vision-Instruct"
SYSTEM = "You are an AI assistant."
PROMPT = "What is in this image?"
AUTH = {"Authorization": f"Bearer {ECHO_API_KEY}"}


def data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def seed_body(model: str = QWEN, *urls: str, prompt: str = PROMPT, **extra: Any) -> dict[str, Any]:
    """The request body exactly as the provider's docs show it."""
    parts: list[dict[str, Any]] = [{"type": "text", "text": prompt}]
    parts.extend({"type": "image_url", "image_url": {"url": url}} for url in urls)
    return {
        "model": model,
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": parts},
        ],
        **extra,
    }


def post(echo: EchoServer, body: Any, *, headers: dict[str, str] | None = None, **kw: Any):
    return requests.post(
        f"{echo.base_url}/chat/completions",
        json=body,
        headers=AUTH if headers is None else headers,
        timeout=kw.pop("timeout", 30),
        **kw,
    )


def sse_events(response: requests.Response) -> list[str]:
    """The data payloads of an SSE response, in order, checking the framing on the way."""
    raw = response.content.decode()
    blocks = raw.split("\n\n")
    assert blocks[-1] == "", "every event ends with a blank line"
    payloads = []
    for block in blocks[:-1]:
        assert block.startswith("data: "), block
        assert "\n" not in block
        payloads.append(block[len("data: ") :])
    return payloads


def stream_body(*urls: str, model: str = QWEN, **extra: Any) -> dict[str, Any]:
    return seed_body(model, *urls, stream=True, stream_options={"include_usage": True}, **extra)


PNG = make_image("PNG", (640, 480))


def png_url() -> str:
    return data_url(PNG, "image/png")


# /models


def test_models_lists_two_vision_models_and_one_text_model(echo: EchoServer) -> None:
    response = requests.get(f"{echo.base_url}/models", headers=AUTH, timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    flags = {entry["id"]: entry["supports_images_input"] for entry in body["data"]}
    assert flags == {LLAMA: True, QWEN: True, TEXT_ONLY_MODEL: False}
    assert set(ECHO_MODELS) == {LLAMA, QWEN}
    for entry in body["data"]:
        assert entry["object"] == "model"
        assert entry["context_window"] > 0
        assert entry["max_tokens"] > 0
        assert entry["input_token_price"] > 0
        assert entry["output_token_price"] > 0


def test_models_in_the_documented_io_shape_with_pagination() -> None:
    with EchoServer(api_key="k", models_shape="io") as echo:
        body = requests.get(f"{echo.base_url}/models", timeout=10).json()
        assert "object" not in body
        names = {
            entry["name"]: entry["metadata"]["supports_images_input"] for entry in body["data"]
        }
        assert names == {LLAMA: True, QWEN: True, TEXT_ONLY_MODEL: False}
        assert all(entry["model_id"] == entry["name"] for entry in body["data"])
        assert body["pagination"]["total"] == 3
        assert body["pagination"]["has_next"] is False
        first = requests.get(f"{echo.base_url}/models?page=1&page_size=2", timeout=10).json()
        assert len(first["data"]) == 2
        assert first["pagination"]["has_next"] is True
        assert first["pagination"]["total_pages"] == 2
        bad = requests.get(f"{echo.base_url}/models?page_size=500", timeout=10)
        assert bad.status_code == 422


def test_models_needs_no_key_but_records_whether_one_was_valid(echo: EchoServer) -> None:
    assert requests.get(f"{echo.base_url}/models", timeout=10).status_code == 200
    requests.get(f"{echo.base_url}/models/", headers=AUTH, timeout=10)
    assert [r.authorized for r in echo.requests] == [False, True]


def test_unknown_models_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="models_shape"):
        EchoServer(models_shape="xml")  # type: ignore[arg-type]


# Authentication


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-key"}, {"Authorization": ECHO_API_KEY}],
    ids=["missing", "wrong", "no-bearer-scheme"],
)
def test_chat_without_the_right_key_is_unauthorized(echo: EchoServer, headers) -> None:
    response = post(echo, seed_body(QWEN, png_url()), headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert echo.requests[-1].authorized is False


def test_the_key_is_never_recorded_or_shown(echo: EchoServer) -> None:
    post(echo, seed_body(QWEN, png_url()), headers={**AUTH, "X-Api-Key": ECHO_API_KEY})
    record = echo.requests[-1]
    assert record.authorized is True
    assert "authorization" not in record.headers
    assert ECHO_API_KEY not in repr(record)
    assert ECHO_API_KEY not in repr(echo)
    listing = requests.get(echo.base_url.replace("/v1", "/_echo/requests"), timeout=10)
    assert ECHO_API_KEY not in listing.text
    assert listing.json()[-1]["body"]["model"] == QWEN


# A good request


@pytest.mark.parametrize("model", [LLAMA, QWEN])
def test_seed_request_gets_a_labelled_description_and_geometry_based_usage(
    echo: EchoServer, model: str
) -> None:
    response = post(echo, seed_body(model, png_url()))
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["model"] == model
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    text = choice["message"]["content"]
    assert text.startswith("[echo backend — no model ran]")
    assert f"“{PROMPT}”" in text
    assert "1 image: image 1: PNG 640×480" in text
    expected = (
        estimate_text_tokens(SYSTEM)
        + estimate_text_tokens(PROMPT)
        + estimate_image_tokens(model, 640, 480)
    )
    usage = body["usage"]
    assert usage["prompt_tokens"] == expected
    assert usage["completion_tokens"] == len(text.split())
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_the_two_models_cost_different_prompt_tokens_for_the_same_image(echo: EchoServer) -> None:
    photo = data_url(make_photo((1200, 900)), "image/jpeg")
    llama = post(echo, seed_body(LLAMA, photo)).json()["usage"]["prompt_tokens"]
    qwen = post(echo, seed_body(QWEN, photo)).json()["usage"]["prompt_tokens"]
    assert llama != qwen


def test_answers_are_deterministic(echo: EchoServer) -> None:
    first = post(echo, seed_body(QWEN, png_url())).json()
    second = post(echo, seed_body(QWEN, png_url())).json()
    assert first["choices"] == second["choices"]
    assert first["usage"] == second["usage"]


@pytest.mark.parametrize(
    ("fmt", "mime"), [("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("GIF", "image/gif")]
)
def test_every_accepted_format_is_described(echo: EchoServer, fmt: str, mime: str) -> None:
    url = data_url(make_image(fmt, (600, 520)), mime)
    response = post(echo, seed_body(QWEN, url))
    assert response.status_code == 200
    assert f"{fmt} 600×520" in response.json()["choices"][0]["message"]["content"]


def test_url_images_are_counted_but_never_fetched(echo: EchoServer) -> None:
    body = seed_body(QWEN, png_url(), "https://images.example.org/cat.jpg")
    text = post(echo, body).json()["choices"][0]["message"]["content"]
    assert "with 2 images" in text
    assert "image 2: a URL image on images.example.org (not fetched by the echo)" in text
    assert "counted as 1024×1024" in text


def test_no_images_is_a_plain_text_request(echo: EchoServer) -> None:
    response = post(echo, seed_body(QWEN, prompt="Hello"))
    assert response.status_code == 200
    assert "with no images" in response.json()["choices"][0]["message"]["content"]


def test_text_only_model_answers_that_it_cannot_see_the_image(echo: EchoServer) -> None:
    response = post(echo, seed_body(TEXT_ONLY_MODEL, png_url()))
    assert response.status_code == 200
    body = response.json()
    text = body["choices"][0]["message"]["content"]
    assert text.startswith("An image? I'm in text format, so I can't see it")
    assert "[echo backend — no model ran]" in text
    # The image is ignored, so it costs no prompt tokens.
    text_tokens = estimate_text_tokens(SYSTEM) + estimate_text_tokens(PROMPT)
    assert body["usage"]["prompt_tokens"] == text_tokens


# Schema errors: 422 in FastAPI's shape


def _locs(response: requests.Response) -> list[list[Any]]:
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, list)
    assert all({"type", "loc", "msg"} <= set(item) for item in detail)
    return [item["loc"] for item in detail]


def test_invalid_json_is_a_422(echo: EchoServer) -> None:
    response = requests.post(
        f"{echo.base_url}/chat/completions", data=b"{not json", headers=AUTH, timeout=10
    )
    assert _locs(response) == [["body", 1]]
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_a_body_that_is_not_an_object_is_a_422(echo: EchoServer) -> None:
    assert _locs(post(echo, ["model", QWEN])) == [["body"]]


def test_missing_messages_and_model_are_reported_together(echo: EchoServer) -> None:
    locs = _locs(post(echo, {}))
    assert ["body", "model"] in locs
    assert ["body", "messages"] in locs


def test_content_part_without_type_is_a_422(echo: EchoServer) -> None:
    body = seed_body(QWEN)
    body["messages"][1]["content"].append({"image_url": {"url": png_url()}})
    response = post(echo, body)
    assert _locs(response) == [["body", "messages", 1, "content", 1]]
    assert response.json()["detail"][0]["type"] == "union_tag_not_found"


def test_image_url_without_url_is_a_422(echo: EchoServer) -> None:
    body = seed_body(QWEN)
    body["messages"][1]["content"].append({"type": "image_url", "image_url": {}})
    locs = _locs(post(echo, body))
    assert locs == [["body", "messages", 1, "content", 1, "image_url", "url"]]


@pytest.mark.parametrize(
    ("field", "value", "loc"),
    [
        ("max_tokens", 0, ["body", "max_tokens"]),
        ("max_tokens", "ten", ["body", "max_tokens"]),
        ("temperature", 5, ["body", "temperature"]),
        ("stream", "yes", ["body", "stream"]),
    ],
)
def test_bad_parameters_are_422(echo: EchoServer, field: str, value: Any, loc: list[Any]) -> None:
    body = seed_body(QWEN, png_url())
    body[field] = value
    assert _locs(post(echo, body)) == [loc]


def test_unknown_role_and_unknown_part_type_are_422(echo: EchoServer) -> None:
    body = seed_body(QWEN)
    body["messages"][0]["role"] = "wizard"
    body["messages"][1]["content"].append({"type": "audio", "audio": "..."})
    locs = _locs(post(echo, body))
    assert ["body", "messages", 0, "role"] in locs
    assert ["body", "messages", 1, "content", 1] in locs


def test_images_in_a_system_message_are_422(echo: EchoServer) -> None:
    body = seed_body(QWEN)
    body["messages"][0]["content"] = [{"type": "image_url", "image_url": {"url": png_url()}}]
    assert _locs(post(echo, body)) == [["body", "messages", 0, "content", 0]]


# Model and request errors: 400


def test_unknown_model_gets_the_not_available_error(echo: EchoServer) -> None:
    response = post(echo, seed_body("gpt-4o", png_url()))
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith(
        "The requested model is not available for Chat Completions API. Available models: ["
    )
    assert all(f"'{model}'" in detail for model in (LLAMA, QWEN, TEXT_ONLY_MODEL))


def test_stream_options_without_stream_is_a_400(echo: EchoServer) -> None:
    body = seed_body(QWEN, png_url(), stream_options={"include_usage": True})
    assert post(echo, body).status_code == 400


def test_a_request_over_the_context_window_is_a_400(echo: EchoServer) -> None:
    response = post(echo, seed_body(QWEN, png_url(), max_tokens=40_000))
    assert response.status_code == 400
    assert "maximum context length is 32768 tokens" in response.json()["detail"]


# Image errors: 400 naming the image


def _image_error(echo: EchoServer, *urls: str) -> str:
    response = post(echo, seed_body(QWEN, *urls))
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    return detail


def test_bad_base64_is_an_invalid_image_format(echo: EchoServer) -> None:
    detail = _image_error(echo, png_url(), "data:image/png;base64,iVBORw0K!!!notbase64")
    assert detail.startswith("Invalid image format: image 2 ")
    assert "base64" in detail


def test_a_data_url_that_is_not_base64_is_refused(echo: EchoServer) -> None:
    detail = _image_error(echo, "data:image/png,rawbytes")
    assert detail.startswith("Invalid image format: image 1 ")


def test_a_mime_type_that_does_not_match_the_bytes_is_refused(echo: EchoServer) -> None:
    detail = _image_error(echo, data_url(PNG, "image/jpeg"))
    assert detail == (
        "Invalid image format: image 1 is declared as image/jpeg but its bytes are PNG."
    )


def test_bytes_that_are_not_an_image_are_refused(echo: EchoServer) -> None:
    detail = _image_error(echo, data_url(b"%PDF-1.7 not an image", "image/png"))
    assert detail.startswith("Invalid image format: image 1 could not be decoded")


def test_formats_outside_the_documented_four_are_refused(echo: EchoServer) -> None:
    bmp = make_image("BMP", (600, 600))
    assert "is a BMP image" in _image_error(echo, data_url(bmp, "image/png"))
    assert "declared as image/bmp" in _image_error(echo, data_url(bmp, "image/bmp"))


@pytest.mark.parametrize(
    ("fmt", "mime"), [("GIF", "image/gif"), ("WEBP", "image/webp"), ("PNG", "image/png")]
)
def test_an_animated_image_is_refused(echo: EchoServer, fmt: str, mime: str) -> None:
    detail = _image_error(echo, data_url(make_animated(fmt, size=(64, 64)), mime))
    assert detail == (
        f"Invalid image format: image 1 is an animated {fmt}; only static images are accepted."
    )


def test_a_side_over_4096_pixels_is_refused(echo: EchoServer) -> None:
    wide = make_image("PNG", (4097, 16), mode="L", color=0)
    detail = _image_error(echo, data_url(wide, "image/png"))
    assert detail == ("Image too large: image 1 is 4097×16 pixels; the maximum is 4096×4096.")


def test_exactly_4096_pixels_is_accepted(echo: EchoServer) -> None:
    edge = make_image("PNG", (4096, 16), mode="L", color=0)
    assert post(echo, seed_body(QWEN, data_url(edge, "image/png"))).status_code == 200


def test_an_image_over_20_mb_is_refused(echo: EchoServer) -> None:
    oversized = "data:image/png;base64," + "A" * (28 * 1024 * 1024)
    detail = _image_error(echo, oversized)
    assert detail.startswith("Image too large: image 1 ")
    assert "20.0 MB" in detail


def test_eleven_images_are_refused_and_ten_are_accepted(echo: EchoServer) -> None:
    url = data_url(make_image("PNG", (32, 32)), "image/png")
    assert _image_error(echo, *[url] * 11) == "At most 10 images may be provided in one request."
    response = post(echo, seed_body(QWEN, *[url] * 10))
    assert response.status_code == 200
    assert "with 10 images" in response.json()["choices"][0]["message"]["content"]


def test_images_across_earlier_turns_count_toward_the_limit(echo: EchoServer) -> None:
    url = data_url(make_image("PNG", (32, 32)), "image/png")
    body = seed_body(QWEN, *[url] * 6)
    earlier = {"role": "user", "content": body["messages"][1]["content"]}
    body["messages"][1:1] = [earlier, {"role": "assistant", "content": "Noted."}]
    assert post(echo, body).status_code == 400


def test_other_url_schemes_are_refused(echo: EchoServer) -> None:
    detail = _image_error(echo, "file:///etc/passwd")
    assert detail.startswith("Invalid image URL: image 1 ")


# Streaming


def test_stream_framing_role_content_finish_usage_done(echo: EchoServer) -> None:
    response = post(echo, stream_body(png_url()), stream=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    payloads = sse_events(response)
    assert payloads[-1] == "[DONE]"
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    content = [c for c in chunks if c["choices"] and "content" in c["choices"][0]["delta"]]
    finish = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert len(finish) == 1
    assert finish[0]["choices"][0]["finish_reason"] == "stop"
    usage_chunk = chunks[-1]
    assert usage_chunk["choices"] == []
    assert all(c["usage"] is None for c in chunks[:-1])
    text = "".join(c["choices"][0]["delta"]["content"] for c in content)
    whole = post(echo, seed_body(QWEN, png_url())).json()
    assert text == whole["choices"][0]["message"]["content"]
    assert usage_chunk["usage"] == whole["usage"]
    # One word per content chunk after the empty role delta.
    assert len(content) - 1 == usage_chunk["usage"]["completion_tokens"]


def test_stream_without_include_usage_has_no_usage_chunk(echo: EchoServer) -> None:
    payloads = sse_events(post(echo, seed_body(QWEN, png_url(), stream=True), stream=True))
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert all("usage" not in c for c in chunks)
    assert all(c["choices"] for c in chunks)
    assert payloads[-1] == "[DONE]"


def test_max_tokens_cuts_the_answer_with_finish_reason_length(echo: EchoServer) -> None:
    body = post(echo, seed_body(QWEN, png_url(), max_tokens=3)).json()
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["choices"][0]["message"]["content"] == "[echo backend — "
    assert body["usage"]["completion_tokens"] == 3
    payloads = sse_events(post(echo, stream_body(png_url(), max_tokens=3), stream=True))
    chunks = [json.loads(p) for p in payloads[:-1]]
    assert chunks[-2]["choices"][0]["finish_reason"] == "length"
    assert chunks[-1]["usage"]["completion_tokens"] == 3


def test_max_tokens_larger_than_the_answer_changes_nothing(echo: EchoServer) -> None:
    body = post(echo, seed_body(QWEN, png_url(), max_tokens=500)).json()
    assert body["choices"][0]["finish_reason"] == "stop"


# Faults


def test_status_fault_429_with_retry_after_then_recovers(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="status", status=429, headers={"Retry-After": "1"}))
    first = post(echo, seed_body(QWEN, png_url()))
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "1"
    assert first.json()["error"]["type"] == "rate_limit_error"
    assert post(echo, seed_body(QWEN, png_url())).status_code == 200


def test_status_fault_times_counts_uses(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="status", status=503, headers={"retry-after-ms": "10"}, times=2))
    statuses = [post(echo, seed_body(QWEN)).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert len(echo.chat_requests) == 3


def test_status_fault_with_a_quota_body_and_a_raw_text_body(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="status", status=429, body=QUOTA_BODY))
    echo.add_fault(Fault(kind="status", status=502, body="<html>Bad Gateway</html>"))
    quota = post(echo, seed_body(QWEN))
    assert quota.json()["error"]["code"] == "insufficient_quota"
    gateway = post(echo, seed_body(QWEN))
    assert gateway.status_code == 502
    assert gateway.text == "<html>Bad Gateway</html>"


def test_a_fault_can_target_one_model(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="status", status=500, model=LLAMA))
    assert post(echo, seed_body(QWEN)).status_code == 200
    assert post(echo, seed_body(LLAMA)).status_code == 500
    assert post(echo, seed_body(LLAMA)).status_code == 200


def test_faults_do_not_hit_models_unless_asked(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="status", status=500, endpoint="models"))
    assert post(echo, seed_body(QWEN)).status_code == 200
    assert requests.get(f"{echo.base_url}/models", timeout=10).status_code == 500


def test_unauthorized_requests_do_not_use_up_faults(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="status", status=500))
    assert post(echo, seed_body(QWEN), headers={}).status_code == 401
    assert post(echo, seed_body(QWEN)).status_code == 500


def test_clear_faults(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="status", status=500, times=None))
    assert post(echo, seed_body(QWEN)).status_code == 500
    assert post(echo, seed_body(QWEN)).status_code == 500
    echo.clear_faults()
    assert post(echo, seed_body(QWEN)).status_code == 200


def test_hang_outlasts_a_client_read_timeout(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="hang", seconds=30))
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(echo, seed_body(QWEN), timeout=(5, 0.3))
    # The hang was one use: the next request is answered.
    assert post(echo, seed_body(QWEN)).status_code == 200


def test_truncated_stream_ends_without_finish_or_done(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="truncate", after_chunks=2))
    payloads = sse_events(post(echo, stream_body(png_url()), stream=True))
    chunks = [json.loads(p) for p in payloads]
    assert "[DONE]" not in payloads
    assert len(chunks) == 3  # the role delta and two words
    assert all(c["choices"][0]["finish_reason"] is None for c in chunks)


def test_abrupt_truncation_breaks_the_connection(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="truncate", after_chunks=2, abrupt=True))
    response = post(echo, stream_body(png_url()), stream=True)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        list(response.iter_content(chunk_size=None))


def test_truncated_plain_answer_is_an_incomplete_body(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="truncate"))
    with pytest.raises(requests.exceptions.RequestException):
        post(echo, seed_body(QWEN, png_url())).json()


def test_malformed_answer_is_not_json(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="malformed"))
    response = post(echo, seed_body(QWEN, png_url()))
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_malformed_stream_has_one_bad_data_line(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="malformed", after_chunks=1))
    payloads = sse_events(post(echo, stream_body(png_url()), stream=True))
    assert payloads[2] == "{this is not json"
    assert payloads[-1] == "[DONE]"
    for payload in payloads[:2] + payloads[3:-1]:
        json.loads(payload)


def test_stream_error_event_after_some_chunks(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="stream_error", after_chunks=2))
    payloads = sse_events(post(echo, stream_body(png_url()), stream=True))
    assert payloads[-1] == "[DONE]"
    error = json.loads(payloads[-2])
    assert error["error"]["message"]
    assert len(payloads) == 5  # role, two words, the error, [DONE]


def test_stream_error_on_a_plain_request_is_an_error_body_with_status_200(
    echo: EchoServer,
) -> None:
    echo.add_fault(Fault(kind="stream_error", body={"error": {"message": "boom", "code": 500}}))
    response = post(echo, seed_body(QWEN, png_url()))
    assert response.status_code == 200
    assert response.json() == {"error": {"message": "boom", "code": 500}}


def test_slow_fault_delays_the_first_token(echo: EchoServer) -> None:
    echo.add_fault(Fault(kind="slow", ttft_s=0.3, token_delay_s=0.0))
    started = time.monotonic()
    response = post(echo, stream_body(png_url()), stream=True)
    payloads = sse_events(response)
    assert time.monotonic() - started >= 0.3
    assert payloads[-1] == "[DONE]"


def test_faults_over_http_for_an_echo_in_another_process(echo: EchoServer) -> None:
    control = echo.base_url.replace("/v1", "/_echo")
    added = requests.post(
        f"{control}/faults",
        json={"kind": "status", "status": 429, "headers": {"Retry-After": "2"}, "times": 1},
        timeout=10,
    )
    assert added.status_code == 201
    assert post(echo, seed_body(QWEN)).headers["Retry-After"] == "2"
    requests.post(f"{control}/faults", json={"kind": "status", "times": None}, timeout=10)
    assert requests.delete(f"{control}/faults", timeout=10).status_code == 200
    assert post(echo, seed_body(QWEN)).status_code == 200
    records = requests.get(f"{control}/requests", timeout=10).json()
    assert [r["path"] for r in records] == ["/v1/chat/completions"] * 2
    assert all(r["authorized"] for r in records)


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "explode"},
        {"kind": "status", "colour": "red"},
        [1, 2],
        {"kind": "hang", "times": 0},
    ],
)
def test_invalid_faults_over_http_are_422(echo: EchoServer, payload: Any) -> None:
    control = echo.base_url.replace("/v1", "/_echo")
    assert requests.post(f"{control}/faults", json=payload, timeout=10).status_code == 422


# Server behaviour


def test_unknown_paths_and_methods(echo: EchoServer) -> None:
    assert requests.get(f"{echo.base_url}/embeddings", timeout=10).status_code == 404
    response = requests.get(f"{echo.base_url}/chat/completions", headers=AUTH, timeout=10)
    assert response.status_code == 405


def test_binds_loopback_by_default(echo: EchoServer) -> None:
    assert echo.base_url.startswith("http://127.0.0.1:")
    assert echo.base_url.endswith("/v1")


def test_concurrent_requests_are_all_answered(echo: EchoServer) -> None:
    statuses: list[int] = []
    lock = threading.Lock()

    def ask(model: str) -> None:
        status = post(echo, stream_body(png_url(), model=model), stream=True).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=ask, args=(ECHO_MODELS[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert len(echo.chat_requests) == 8


def test_stop_wakes_a_hanging_request() -> None:
    echo = EchoServer(api_key="k").start()
    echo.add_fault(Fault(kind="hang", seconds=60))
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            post(echo, seed_body(QWEN), headers={"Authorization": "Bearer k"}, timeout=120)
        except requests.exceptions.RequestException as exc:
            errors.append(exc)

    thread = threading.Thread(target=ask)
    thread.start()
    while not echo.chat_requests:
        time.sleep(0.01)
    echo.stop()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert errors, "the hanging request ends with a connection error once the echo stops"
