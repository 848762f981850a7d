"""Model-aware preparation: each model gets the pixels it can use, in formats the API accepts."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.support.images import make_heic, make_image, make_photo, make_screenshot
from tests.support.models import LLAMA, QWEN
from vision import RequestError, prepare_image
from vision.images.profiles import best_canvas, image_count_warning
from vision.images.stitch import stitch_grid

OTHER = "mistralai/Pixtral-12B-2409"


@pytest.fixture(scope="module")
def big_photo() -> bytes:
    return make_photo((6000, 4000))


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_qwen_gets_the_28_px_grid_at_the_default_budget(big_photo):
    prepared = prepare_image(big_photo, model=QWEN)
    assert prepared.width % 28 == 0
    assert prepared.height % 28 == 0
    assert decode(prepared.data).size == (prepared.width, prepared.height)
    image_tokens = prepared.estimated_tokens - 2
    assert 1150 <= image_tokens <= 1280
    # A tenth or less of what the full photo costs at the server's own maximum.
    assert prepared.estimated_tokens * 10 <= 16_384
    assert abs(prepared.width / prepared.height - 1.5) < 0.03


@pytest.mark.parametrize("budget", [256, 4096, 16384])
def test_qwen_budget_is_adjustable(big_photo, budget):
    prepared = prepare_image(big_photo, model=QWEN, qwen_token_budget=budget)
    assert prepared.width % 28 == 0
    assert prepared.height % 28 == 0
    assert max(prepared.width, prepared.height) <= 4096
    assert prepared.estimated_tokens - 2 <= budget
    assert prepared.estimated_tokens - 2 >= budget * 0.6


def test_qwen_image_within_budget_passes_through():
    photo = make_photo((800, 600))
    prepared = prepare_image(photo, model=QWEN)
    assert prepared.passed_through
    assert prepared.estimated_tokens == 609 + 2  # the server's own 812x588 grid


def test_llama_gets_its_tile_canvas_and_nothing_more(big_photo):
    prepared = prepare_image(big_photo, model=LLAMA)
    assert (prepared.width, prepared.height) == (1120, 746)
    assert best_canvas(prepared.width, prepared.height) == (1120, 1120, 4)
    assert prepared.estimated_tokens == 4 * 1601 + 1


def test_llama_strip_gets_the_560_by_2240_canvas():
    prepared = prepare_image(make_photo((1000, 4000)), model=LLAMA)
    assert (prepared.width, prepared.height) == (560, 2240)


def test_llama_mid_size_image_is_not_upscaled():
    photo = make_photo((800, 600))
    prepared = prepare_image(photo, model=LLAMA)
    assert prepared.passed_through


def test_other_models_get_a_2048_long_side(big_photo):
    prepared = prepare_image(big_photo, model=OTHER)
    assert (prepared.width, prepared.height) == (2048, 1365)


def test_each_model_gets_its_own_version(big_photo):
    sizes = {m: prepare_image(big_photo, model=m) for m in (QWEN, LLAMA)}
    assert sizes[QWEN].sha256 != sizes[LLAMA].sha256
    assert sizes[QWEN].source_sha256 == sizes[LLAMA].source_sha256


def test_heic_is_converted_never_sent_raw():
    prepared = prepare_image(make_heic((800, 600)), filename="IMG_0001.HEIC")
    assert prepared.original_format == "HEIF"
    assert prepared.mime == "image/jpeg"
    sent = decode(prepared.data)
    assert sent.format == "JPEG"
    assert sent.size == (800, 600)
    r, g, _b = sent.convert("RGB").getpixel((400, 300))
    assert g > 120 > r  # the green survives
    assert any("HEIF" in step for step in prepared.steps)
    assert not prepared.warnings


def test_avif_is_converted_never_sent_raw():
    avif = make_image("AVIF", (800, 600), color=(200, 30, 30))
    prepared = prepare_image(avif)
    assert prepared.original_format == "AVIF"
    assert prepared.mime in ("image/jpeg", "image/png")
    assert decode(prepared.data).size == (800, 600)


def test_screenshot_keeps_its_sharpness():
    prepared = prepare_image(make_screenshot((3000, 1800)), model=QWEN)
    assert prepared.reencoded
    assert prepared.mime == "image/png"
    assert any("sharp" in step for step in prepared.steps)


def test_photo_is_sent_as_baseline_jpeg():
    prepared = prepare_image(make_photo((3000, 2000), "PNG"), model=QWEN)
    assert prepared.mime == "image/jpeg"
    sent = decode(prepared.data)
    assert not sent.info.get("progressive")


def test_llama_with_several_images_gets_advice():
    assert image_count_warning(LLAMA, 1) is None
    advice = image_count_warning(LLAMA, 3)
    assert advice is not None
    assert "one labelled grid" in advice
    assert image_count_warning(QWEN, 3) is None


def test_stitch_grid_makes_one_labelled_image_llama_reads_whole():
    images = [
        make_image("PNG", (800, 600), color=(255, 0, 0)),
        make_photo((4000, 3000)),
        make_image("JPEG", (600, 900), color=(0, 0, 255)),
    ]
    grid = stitch_grid(images, ["kitchen.png", "garden.jpg"])
    sheet = decode(grid)
    assert sheet.size == (1120, 1120)
    # First cell (top-left) shows red below its label; the third (bottom-left) shows blue.
    assert sheet.convert("RGB").getpixel((280, 300)) == (255, 0, 0)
    r, _g, b = sheet.convert("RGB").getpixel((280, 860))
    assert b > 200 > r
    prepared = prepare_image(grid, model=LLAMA)
    assert prepared.passed_through


def test_stitch_grid_refuses_nothing_and_too_many():
    with pytest.raises(RequestError):
        stitch_grid([])
    with pytest.raises(RequestError):
        stitch_grid([make_image("PNG", (10, 10))] * 11)
