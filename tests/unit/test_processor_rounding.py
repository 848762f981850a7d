"""Grid families are sized and counted as the transformers image processor does, thin strips
included: a side under half a cell rounds to none and takes the processor's min_pixels branch.

The expected values are worked by hand below, or come from `_processor_read`, a transcription
of the processor's formula (docs/geometry.md) that shares no code with vision/.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from tests.support.models import GLM4V, QWEN, QWEN3, QWEN25
from vision.errors import UnsupportedImageError
from vision.images.grids import RoundedGrid
from vision.images.profiles import estimate_image_tokens, profile_for, send_size


@dataclass(frozen=True)
class Processor:
    """One family's processor settings as its hub config gives them."""

    factor: int
    min_pixels: int
    max_pixels: int
    frames: int = 1  # GLM counts a still image as two frames against its bounds
    lifts_small_sides: bool = False  # GLM first stretches a side under one cell to one cell


QWEN2_PROCESSOR = Processor(factor=28, min_pixels=3_136, max_pixels=12_845_056)
PROCESSORS = {
    QWEN: QWEN2_PROCESSOR,
    QWEN25: QWEN2_PROCESSOR,
    QWEN3: Processor(factor=32, min_pixels=65_536, max_pixels=16_777_216),
    GLM4V: Processor(
        factor=28, min_pixels=12_544, max_pixels=9_633_792, frames=2, lifts_small_sides=True
    ),
}
WRAPPER_TOKENS = 2
BUDGETS = (256, 1280, 16_384)


def _processor_read(width: int, height: int, processor: Processor) -> tuple[int, int] | None:
    """(width, height) the processor resizes to, or None when it refuses the shape."""
    f = processor.factor
    if processor.lifts_small_sides and (height < f or width < f):
        stretch = max(f / height, f / width)
        height, width = int(height * stretch), int(width * stretch)
    if max(height, width) / min(height, width) > 200:
        return None
    h_bar, w_bar = round(height / f) * f, round(width / f) * f
    pixels = processor.frames * height * width
    if processor.frames * h_bar * w_bar > processor.max_pixels:
        beta = math.sqrt(pixels / processor.max_pixels)
        h_bar = max(f, math.floor(height / beta / f) * f)
        w_bar = max(f, math.floor(width / beta / f) * f)
    elif processor.frames * h_bar * w_bar < processor.min_pixels:
        beta = math.sqrt(processor.min_pixels / pixels)
        h_bar = math.ceil(height * beta / f) * f
        w_bar = math.ceil(width * beta / f) * f
    return w_bar, h_bar


def _processor_tokens(read: tuple[int, int], processor: Processor) -> int:
    return (read[0] // processor.factor) * (read[1] // processor.factor) + WRAPPER_TOKENS


def _grid(model: str) -> RoundedGrid:
    geometry = profile_for(model).geometry
    assert isinstance(geometry, RoundedGrid)
    return geometry


# (model, image W×H, what the processor reads W×H, tokens), worked by hand:
WORKED = [
    # Qwen2-VL: 13/28 rounds to 0, so min branch: β = √(3136 / 26,000) ≈ 0.347;
    # 2000·β / 28 ≈ 24.8 → 25 cells (700 px), 13·β / 28 → 1 cell: 25 + 2. qwen-vl-utils: 73.
    (QWEN, (13, 2000), (28, 700), 27),
    (QWEN25, (13, 2000), (28, 700), 27),
    # 10/28 → 0: β = √(3136 / 8000) ≈ 0.626; 800·β / 28 ≈ 17.9 → 18 cells (504 px): 18 + 2.
    (QWEN, (800, 10), (504, 28), 20),
    # Exactly half a cell rounds to even, 0: β = √(3136 / 14,000); 1000·β / 28 ≈ 16.9 → 17.
    (QWEN, (14, 1000), (28, 476), 19),
    # Just over half a cell rounds to one: 28 × 1008 is 36 cells, within the range: 36 + 2.
    (QWEN, (15, 1000), (28, 1008), 38),
    # Aspect ratio exactly 200 is allowed: β = √(3136 / 20,000); 2000·β / 28 ≈ 28.3 → 29 cells.
    (QWEN, (10, 2000), (28, 812), 31),
    # Qwen3-VL, 32-px cells: 15/32 → 0; β = √(65,536 / 45,000) ≈ 1.207, so the strip grows:
    # 3000·β / 32 ≈ 113.1 → 114 cells (3648 px): 114 + 2. qwen-vl-utils: 96.
    (QWEN3, (15, 3000), (32, 3648), 116),
    # 16/32 = 0.5 rounds to even, 0: β = √2; 2048·β / 32 ≈ 90.5 → 91 cells (2912 px).
    (QWEN3, (16, 2048), (32, 2912), 93),
    # GLM-4.xV stretches a side under 28 px to 28 first: ×28/13 gives 28 × 4307, rounded to
    # 28 × 4312 = 154 cells; two frames of it, 241,472 px, are within 12,544–9,633,792.
    (GLM4V, (13, 2000), (28, 4312), 156),
    # ×2.8 gives 2240 × 28, 80 cells, within the range: 80 + 2.
    (GLM4V, (800, 10), (2240, 28), 82),
]


@pytest.mark.parametrize(("model", "size", "read", "tokens"), WORKED)
def test_thin_strips_cost_what_the_transformers_processor_counts(model, size, read, tokens):
    assert _processor_read(*size, PROCESSORS[model]) == read
    assert _grid(model).model_size(*size) == read
    assert estimate_image_tokens(model, *size) == tokens
    # The model reads a thin strip at its minimum whatever the budget: it is sent as it is.
    for budget in BUDGETS:
        assert send_size(model, *size, qwen_token_budget=budget) == size


@pytest.mark.parametrize("model", list(PROCESSORS))
@pytest.mark.parametrize("thickness", range(1, 21))
def test_strips_1_to_20_px_thick_are_read_as_the_processor_reads_them(model, thickness):
    processor = PROCESSORS[model]
    for length in (thickness, 60, 300, 1000, 2500, 200 * thickness, 200 * thickness + 1):
        for size in ((thickness, length), (length, thickness)):
            read = _processor_read(*size, processor)
            if read is None:
                # The processor refuses it; so does the app, with a sentence saying what to do.
                with pytest.raises(UnsupportedImageError, match="crop it into shorter pieces"):
                    send_size(model, *size)
                assert estimate_image_tokens(model, *size) > 0
                continue
            assert _grid(model).model_size(*size) == read, size
            assert estimate_image_tokens(model, *size) == _processor_tokens(read, processor), size
            sent = send_size(model, *size)
            if sent != size:
                assert _processor_read(*sent, processor) == sent, (size, sent)


SIZES = [
    (1, 150), (5, 900),
    *((side, 2000) for side in (10, 13, 14, 15, 16, 20, 27, 28, 29, 31, 32, 33)),
    *((3000, side) for side in (15, 16, 17, 20, 40)),
    (40, 90), (40, 30), (57, 55), (300, 200), (810, 590), (1280, 720), (1920, 1080),
    (1000, 4000), (4000, 90), (4032, 3024), (4096, 4096), (6000, 4000), (8000, 60),
]  # fmt: skip


@pytest.mark.parametrize("model", list(PROCESSORS))
@pytest.mark.parametrize("budget", BUDGETS)
def test_every_resized_image_lands_on_what_the_processor_reads(model, budget):
    processor = PROCESSORS[model]
    for size in SIZES:
        sent = send_size(model, *size, qwen_token_budget=budget)
        read = _processor_read(*sent, processor)
        assert read is not None, (size, sent)
        if sent == size:
            # Sent as it is only when the budget does not bind: the server's own size.
            assert _processor_tokens(read, processor) <= budget + WRAPPER_TOKENS, size
            continue
        assert read == sent, (size, sent)
        assert _processor_tokens(read, processor) <= budget + WRAPPER_TOKENS, (size, sent)
        assert estimate_image_tokens(model, *sent) == _processor_tokens(read, processor)
