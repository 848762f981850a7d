"""Model profiles and image-token geometry, checked against the examples in docs/geometry.md."""

from __future__ import annotations

import pytest

from tests.support.models import LLAMA, QWEN
from vision.errors import UnsupportedImageError
from vision.images.profiles import (
    best_canvas,
    estimate_image_tokens,
    estimate_text_tokens,
    fit_long_side,
    fit_to_canvas,
    llama_send_size,
    profile_for,
    smart_resize,
)

BUDGET_1280 = 1280 * 28 * 28

# input (W, H) -> hub default (W, H, tokens), 1280-token budget (W, H, tokens),
# Llama 3.2 (canvas W, H, tiles, encoder tokens)
TABLE = [
    ((4032, 3024), (4032, 3024, 15_552), (1148, 840, 1_230), (1120, 1120, 4, 6_404)),
    ((4096, 4096), (3584, 3584, 16_384), (980, 980, 1_225), (1120, 1120, 4, 6_404)),
    ((1920, 1080), (1932, 1092, 2_691), (1316, 728, 1_222), (1120, 1120, 4, 6_404)),
    ((1280, 720), (1288, 728, 1_196), (1288, 728, 1_196), (1120, 1120, 4, 6_404)),
    ((1024, 1024), (1036, 1036, 1_369), (980, 980, 1_225), (1120, 1120, 4, 6_404)),
    ((800, 600), (812, 588, 609), (812, 588, 609), (1120, 1120, 4, 6_404)),
    ((560, 560), (560, 560, 400), (560, 560, 400), (560, 560, 1, 1_601)),
    ((512, 512), (504, 504, 324), (504, 504, 324), (560, 560, 1, 1_601)),
    ((1000, 4000), (1008, 4004, 5_148), (476, 1988, 1_207), (560, 2240, 4, 6_404)),
]


@pytest.mark.parametrize(("size", "hub", "budget", "llama"), TABLE)
def test_qwen_geometry_matches_the_reference_table(size, hub, budget, llama):
    width, height = size
    assert smart_resize(width, height) == hub[:2]
    assert estimate_image_tokens(QWEN, width, height) == hub[2] + 2
    assert smart_resize(width, height, 3136, BUDGET_1280) == budget[:2]
    assert estimate_image_tokens(QWEN, width, height, qwen_max_pixels=BUDGET_1280) == budget[2] + 2


@pytest.mark.parametrize(("size", "hub", "budget", "llama"), TABLE)
def test_llama_canvas_matches_the_reference_table(size, hub, budget, llama):
    width, height = size
    assert best_canvas(width, height) == llama[:3]
    assert estimate_image_tokens(LLAMA, width, height) == llama[3] + 1


def test_qwen_grid_sides_are_multiples_of_28_and_never_below_one_cell():
    for width, height in [(1, 1), (27, 5000), (3000, 29), (100, 100), (6000, 4000)]:
        grid_w, grid_h = smart_resize(width, height)
        assert grid_w % 28 == 0
        assert grid_h % 28 == 0
        assert grid_w >= 28
        assert grid_h >= 28


def test_qwen_small_image_is_raised_to_min_pixels():
    assert smart_resize(10, 10) == (56, 56)


def test_qwen_refuses_extreme_aspect_with_a_sentence():
    with pytest.raises(UnsupportedImageError, match="crop"):
        smart_resize(10_000, 20)


def test_estimate_never_raises_for_extreme_aspect():
    assert estimate_image_tokens(QWEN, 10_000, 20) > 0


def test_llama_fit_keeps_aspect_and_does_not_upscale_mid_sizes():
    assert fit_to_canvas(800, 600, 1120, 1120) == (800, 600)
    assert fit_to_canvas(4032, 3024, 1120, 1120) == (1120, 840)
    assert fit_to_canvas(1000, 4000, 560, 2240) == (560, 2240)
    # Smaller than a tile: the processor upscales it to one tile.
    assert fit_to_canvas(300, 300, 560, 560) == (560, 560)


def test_llama_send_size_never_upscales_and_keeps_the_canvas():
    assert llama_send_size(300, 300) == (300, 300)
    assert llama_send_size(800, 600) == (800, 600)
    assert llama_send_size(6000, 4000) == (1120, 746)
    for width, height in [(6000, 4000), (4032, 3024), (1000, 4000), (3000, 300), (1500, 1499)]:
        sent = llama_send_size(width, height)
        assert best_canvas(*sent)[2] == best_canvas(width, height)[2]


def test_fit_long_side():
    assert fit_long_side(5000, 3000, 4096) == (4096, 2458)
    assert fit_long_side(100, 50, 4096) == (100, 50)


def test_profiles_by_model_id():
    assert profile_for(QWEN).kind == "qwen2vl"
    assert profile_for("Qwen/Qwen2.5-VL-32B-Instruct").kind == "qwen2vl"
    llama = profile_for(LLAMA)
    assert llama.kind == "mllama"
    assert llama.recommended_max_images == 1
    assert profile_for("meta-llama/Llama-3.3-70B-Instruct").kind == "generic"
    assert not profile_for("meta-llama/Llama-3.3-70B-Instruct").accepts_images
    assert profile_for(QWEN).accepts_images
    assert profile_for(None).kind == "generic"
    assert profile_for(None).recommended_max_images == 10


def test_generic_estimate_is_high_and_bounded():
    tokens = estimate_image_tokens("some/other-vision-model", 6000, 4000)
    # Sent at a 2048 long side: 2048x1365 pixels, one token per 28x28.
    assert tokens == -(-2048 * 1365 // 784) + 2
    assert estimate_image_tokens(None, 512, 512) >= 324


def test_text_tokens_are_a_quarter_of_the_characters_rounded_up():
    assert estimate_text_tokens("") == 0
    assert estimate_text_tokens("abcd") == 1
    assert estimate_text_tokens("abcde") == 2
