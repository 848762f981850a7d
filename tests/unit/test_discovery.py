"""Discovering an encoder from exact probe measurements, and what a probe costs beforehand."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.support.models import LLAMA4, MYSTERY, QWEN3
from vision.calibration.discovery import discover
from vision.calibration.probe import PROBE_SIZES, plan_probe, probe_image
from vision.echo.catalog import MYSTERY_GEOMETRY, TEXT_ONLY_MODEL
from vision.errors import CalibrationError
from vision.images.families import GLM5_NEXT, KIMI_K25, LLAMA4 as LLAMA4_TILES, LLAMA32, QWEN2_VL
from vision.images.grids import PaddedGrid, RoundedGrid
from vision.images.tiles import TileCanvas
from vision.values.result import ModelInfo


def probed(geometry):
    return [(width, height, geometry.tokens(width, height)) for width, height in PROBE_SIZES]


def test_the_mystery_grid_is_found_exactly_bounds_included():
    found = discover(probed(MYSTERY_GEOMETRY))
    assert found is not None
    grid = found.geometry
    assert isinstance(grid, RoundedGrid)
    assert (grid.factor, grid.min_pixels, grid.max_pixels, grid.wrapper_tokens) == (
        24,
        16 * 24 * 24,
        1024 * 24 * 24,
        3,
    )
    assert "24-px grid" in found.how


def test_a_published_grid_is_found_with_an_open_upper_bound():
    found = discover(probed(QWEN2_VL))
    assert found is not None
    assert isinstance(found.geometry, RoundedGrid)
    assert (found.geometry.factor, found.geometry.min_pixels) == (28, 3136)
    assert "no cap seen" in found.how


@pytest.mark.parametrize("geometry", [GLM5_NEXT, KIMI_K25])
def test_padded_grids_are_found(geometry):
    found = discover(probed(geometry))
    assert found is not None
    assert isinstance(found.geometry, PaddedGrid)
    assert found.geometry.factor == 28
    assert found.geometry.wrapper_tokens == geometry.wrapper_tokens


@pytest.mark.parametrize(("geometry", "per_tile"), [(LLAMA4_TILES, 145), (LLAMA32, 1601)])
def test_tiles_are_found(geometry, per_tile):
    found = discover(probed(geometry))
    assert found is not None
    canvas = found.geometry
    assert isinstance(canvas, TileCanvas)
    assert canvas.tile == geometry.tile
    assert (canvas.tokens_per_tile, canvas.fixed_tokens) == (per_tile, geometry.fixed_tokens)
    assert canvas.single_tile_tokens == geometry.single_tile_tokens


def test_a_cost_no_grid_or_tile_explains_is_not_forced_into_one():
    assert discover([(w, h, 765) for w, h in PROBE_SIZES]) is None
    assert discover([(w, h, w * h // 700 + 7) for w, h in PROBE_SIZES]) is None
    assert discover([(10, 10, 4), (20, 20, 5)]) is None


def test_the_probe_image_is_a_small_png_of_each_size():
    for width, height in [(40, 30), (2400, 800)]:
        data = probe_image(width, height)
        assert data.startswith(b"\x89PNG")
        assert len(data) < 20_000
    with Image.open(io.BytesIO(probe_image(333, 222))) as image:
        assert image.size == (333, 222)


def test_a_plan_shows_its_cost_before_anything_is_sent():
    info = ModelInfo(id=LLAMA4, input_token_price=1e-07, output_token_price=5e-07)
    plan = plan_probe(LLAMA4, info)
    assert plan.requests == len(PROBE_SIZES) + 1
    images = sum(LLAMA4_TILES.tokens(w, h) for w, h in PROBE_SIZES)
    assert plan.estimated_prompt_tokens == images + 6 * plan.requests
    assert plan.estimated_cost == pytest.approx(
        plan.estimated_prompt_tokens * 1e-07 + plan.requests * 5e-07
    )
    lines = "\n".join(plan.lines())
    assert f"{plan.requests} requests" in lines
    assert "published geometry" in lines
    assert plan_probe(MYSTERY).basis.label == "a guess"
    assert plan_probe(QWEN3).estimated_cost is None


def test_a_text_model_cannot_be_probed():
    with pytest.raises(CalibrationError, match="does not take images"):
        plan_probe(TEXT_ONLY_MODEL, ModelInfo(id=TEXT_ONLY_MODEL, supports_images=False))
