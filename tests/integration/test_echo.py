"""The echo backend over real loopback sockets: models, auth, the request contract, image rules."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.conftest import ECHO_API_KEY
from tests.support.echo_requests import (
    AUTH,
    PNG,
    PROMPT,
    SYSTEM,
    data_url,
    png_url,
    post,
    seed_body,
)
from tests.support.images import make_animated, make_image, make_photo
from tests.support.models import ALL_ECHO_VISION_MODELS, LLAMA, QWEN
from vision.echo import (
    ECHO_MODELS,
    TEXT_ONLY_MODEL,
    EchoServer,
)
from vision.images.profiles import estimate_image_tokens, estimate_text_tokens

# /models


def test_models_lists_the_vision_models_and_one_text_model(echo: EchoServer) -> None:
    response = requests.get(f"{echo.base_url}/models", headers=AUTH, timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    flags = {entry["id"]: entry["supports_images_input"] for entry in body["data"]}
    assert flags == {**dict.fromkeys(ALL_ECHO_VISION_MODELS, True), TEXT_ONLY_MODEL: False}
    assert set(ECHO_MODELS) == set(ALL_ECHO_VISION_MODELS)
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
        assert names == {**dict.fromkeys(ALL_ECHO_VISION_MODELS, True), TEXT_ONLY_MODEL: False}
        assert all(entry["model_id"] == entry["name"] for entry in body["data"])
        assert body["pagination"]["total"] == len(ALL_ECHO_VISION_MODELS) + 1
        assert body["pagination"]["has_next"] is False
        first = requests.get(f"{echo.base_url}/models?page=1&page_size=2", timeout=10).json()
        assert len(first["data"]) == 2
        assert first["pagination"]["has_next"] is True
        assert first["pagination"]["total_pages"] == -(-body["pagination"]["total"] // 2)
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
    log_url = echo.base_url.replace("/v1", "/_echo/requests")
    listing = requests.get(log_url, headers=AUTH, timeout=10)
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
    assert "the limit is 20 MB" in detail


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
