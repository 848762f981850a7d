"""Preflight: sizes, token totals against the context window, cost, and the usage check."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.support.images import make_image, make_oriented_photo, make_photo
from tests.support.models import LLAMA, QWEN
from vision import ImageError, ModelInfo, prepare_image
from vision.chat.preflight import format_cost, preflight, usage_warning
from vision.images.thumbnail import thumbnail

QWEN_INFO = ModelInfo(
    id=QWEN,
    context_window=32_768,
    input_token_price=5.0e-08,
    output_token_price=1.0e-07,
)


def test_each_image_reports_what_the_model_receives():
    image = prepare_image(make_photo((4000, 3000)), filename="big.jpg", model=LLAMA)
    check = preflight(
        LLAMA, [image], "What is in this image?", "You are an AI assistant.", 512, None
    )
    [sent] = check.images
    assert (sent.width, sent.height) == (image.width, image.height)
    assert sent.size_bytes == image.size_bytes
    assert sent.base64_size == pytest.approx(image.size_bytes * 4 / 3, abs=4)
    assert sent.estimated_tokens == 4 * 1601 + 1
    assert sent.label == "big.jpg"


def test_totals_add_text_and_images_and_price_input_and_output():
    image = prepare_image(make_photo((1200, 900)), model=QWEN)
    prompt = "x" * 400  # 100 tokens at four characters a token
    check = preflight(QWEN, [image, image], prompt, "", 1000, QWEN_INFO)
    assert check.text_tokens == 100
    assert check.prompt_tokens == 100 + 2 * image.estimated_tokens
    assert check.context_window == 32_768
    assert not check.overflows
    assert check.reason is None
    assert check.input_cost == pytest.approx(check.prompt_tokens * 5.0e-08)
    assert check.output_cost == pytest.approx(1000 * 1.0e-07)
    assert check.estimated_cost == pytest.approx(check.input_cost + check.output_cost)


def test_no_prices_or_window_means_no_cost_and_no_overflow():
    check = preflight(QWEN, [], "hello", None, 10_000_000, ModelInfo(id=QWEN))
    assert check.estimated_cost is None
    assert check.context_window is None
    assert not check.overflows


def test_an_overflowing_request_says_the_numbers_and_what_to_do():
    image = prepare_image(make_photo((4000, 3000)), model=QWEN, qwen_token_budget=16_384)
    check = preflight(QWEN, [image, image, image], "Describe.", None, 1024, QWEN_INFO)
    assert check.overflows
    assert check.reason is not None
    assert f"≈{check.prompt_tokens:,} prompt tokens + 1,024 max tokens exceed" in check.reason
    assert f"{QWEN}'s 32,768-token context" in check.reason
    assert check.reason.endswith("lower the Qwen token budget or remove images.")


def test_overflow_advice_fits_the_cause():
    info = ModelInfo(id=LLAMA, context_window=8_000)
    image = prepare_image(make_photo((1200, 900)), model=LLAMA)
    images = preflight(LLAMA, [image, image], "Describe.", None, 1024, info)
    assert images.reason is not None
    assert images.reason.endswith("remove images or lower Max tokens.")
    long_prompt = preflight(LLAMA, [], "word " * 10_000, None, 100, info)
    assert long_prompt.reason is not None
    assert long_prompt.reason.endswith("shorten the prompt or lower Max tokens.")
    huge_answer = preflight(LLAMA, [], "hi", None, 8_000, info)
    assert huge_answer.reason is not None
    assert huge_answer.reason.endswith("lower Max tokens.")


def test_unchecked_url_images_are_counted_apart():
    check = preflight(QWEN, [], "Describe.", None, 100, QWEN_INFO, unchecked_images=2)
    assert check.unchecked_images == 2
    assert check.image_tokens == 0


def test_usage_far_below_the_image_estimate_warns():
    warning = usage_warning(6_405, 40)
    assert warning is not None
    assert "40 prompt tokens" in warning
    assert "≈6,405" in warning
    assert "may not have received the image(s)" in warning


@pytest.mark.parametrize(("estimate", "prompt_tokens"), [(6_405, 6_500), (6_405, 4_000), (0, 12)])
def test_usage_close_to_the_estimate_or_without_images_is_quiet(estimate, prompt_tokens):
    assert usage_warning(estimate, prompt_tokens) is None


def test_llama_usage_proves_nothing_about_its_images_and_is_quiet():
    model = LLAMA
    assert usage_warning(6_405, 40, model=model) is None
    assert usage_warning(6_405, 40, model=QWEN) is not None


def test_missing_usage_is_quiet():
    assert usage_warning(6_405, None) is None


@pytest.mark.parametrize(
    ("dollars", "text"), [(0.0, "$0"), (0.000051, "$0.000051"), (0.0042, "$0.0042"), (1.5, "$1.50")]
)
def test_costs_read_well_at_any_size(dollars, text):
    assert format_cost(dollars) == text


def _size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        return image.size


def test_a_thumbnail_is_a_small_upright_jpeg():
    assert _size(thumbnail(make_photo((4000, 3000)))) == (256, 192)
    assert _size(thumbnail(make_image("PNG", (300, 900), mode="RGBA"), max_side=96)) == (32, 96)
    upright = _size(thumbnail(make_oriented_photo(), max_side=100))
    assert upright[0] < upright[1]


def test_a_thumbnail_of_a_broken_file_is_an_image_error():
    with pytest.raises(ImageError):
        thumbnail(b"not an image at all" * 10)


def _url_choice(data: bytes, model: str, url: str, mode: str = "check"):
    from vision.urls.sending import choose_url_ref

    prepared = prepare_image(data, filename="cat.jpg", model=model)
    return choose_url_ref(url, prepared, target="Llama", mode=mode)  # type: ignore[arg-type]


def test_a_url_image_within_every_limit_is_sent_as_the_link():
    choice = _url_choice(make_image("PNG", (560, 560)), LLAMA, "https://example.com/cat.png")
    assert choice.as_url
    assert choice.ref.url == "https://example.com/cat.png"
    assert choice.note == "Sent as the URL; the provider fetches it."


def test_a_url_image_that_needs_work_is_sent_inline_and_says_why():
    choice = _url_choice(make_photo((4000, 3000)), LLAMA, "https://example.com/cat.jpg")
    assert not choice.as_url
    assert choice.ref.is_data_url
    assert choice.note == "Sent inline: downscaled to 1120×840 for Llama."
    tagged = _url_choice(make_oriented_photo(orientation=1), LLAMA, "https://example.com/gps.jpg")
    assert not tagged.as_url
    assert "metadata" in tagged.note


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/cat.png", "http://localhost/cat.png", "http://[::1]/cat.png"]
)
def test_a_url_to_this_machine_goes_inline_because_the_provider_cannot_reach_it(url):
    choice = _url_choice(make_image("PNG", (560, 560)), LLAMA, url)
    assert not choice.as_url
    assert "points to this machine" in choice.note


def test_always_inline_and_as_is_modes():
    url = "https://example.com/cat.png"
    inline = _url_choice(make_image("PNG", (560, 560)), LLAMA, url, mode="inline")
    assert inline.ref.is_data_url
    as_is = _url_choice(make_image("PNG", (560, 560)), LLAMA, url, mode="as_is")
    assert as_is.ref.url == url
    assert "could not be checked" in as_is.note


def test_only_web_links_are_sent_unchecked():
    from vision import URLBlockedError
    from vision.urls.sending import unchecked_ref

    assert unchecked_ref(" https://example.com/a.png ", "a").url == "https://example.com/a.png"
    with pytest.raises(URLBlockedError):
        unchecked_ref("file:///etc/passwd", "a")
