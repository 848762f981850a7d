"""Pure size arithmetic of the encoders: smart_resize grids (Qwen2-VL's 28 px) and tile canvases.

Every formula and constant here is explained, with its source, in docs/geometry.md.
"""

from __future__ import annotations

import math
from functools import lru_cache

from vision.errors import RequestError, UnsupportedImageError

# Qwen2-VL: 14-px patches merged 2x2, so every side is resized to a multiple of 28 and each
# 28x28 cell is one LLM token (transformers image_processing_qwen2_vl.py).
QWEN_FACTOR = 28
QWEN_MIN_PIXELS = 4 * 28 * 28  # 3,136: qwen-vl-utils MIN_PIXELS, the hub preprocessor config
QWEN_SERVER_MAX_TOKENS = 16_384  # the hub preprocessor config: max_pixels = 16384·28·28
QWEN_SERVER_MAX_PIXELS = QWEN_SERVER_MAX_TOKENS * QWEN_FACTOR * QWEN_FACTOR
QWEN_MAX_ASPECT = 200  # the processor refuses anything more elongated
QWEN_WRAPPER_TOKENS = 2  # <|vision_start|> and <|vision_end|> around the image pads

# Llama 3.2 Vision (Mllama): 560-px tiles, at most 4 per image, (560/14)² patches + 1 CLS per tile.
LLAMA_TILE = 560
LLAMA_MAX_TILES = 4
LLAMA_TOKENS_PER_TILE = (LLAMA_TILE // 14) ** 2 + 1  # 1,601 (vLLM mllama.py token_per_chunk)
LLAMA_IMAGE_TOKENS = 1  # the one <|image|> token in the decoder prompt

_NO_PIXELS = "This image has no pixels; re-export it and try again."


def _round_by(value: float, factor: int) -> int:
    return round(value / factor) * factor


def _floor_by(value: float, factor: int) -> int:
    return math.floor(value / factor) * factor


def _ceil_by(value: float, factor: int) -> int:
    return math.ceil(value / factor) * factor


def smart_resize(
    width: int,
    height: int,
    min_pixels: int = QWEN_MIN_PIXELS,
    max_pixels: int = QWEN_SERVER_MAX_PIXELS,
    *,
    factor: int = QWEN_FACTOR,
    family: str = "Qwen2-VL",
) -> tuple[int, int]:
    """The (width, height) a smart_resize encoder resizes an image to: multiples of `factor`
    within the pixel range (Qwen2-VL's 28 px by default), as the transformers processor does."""
    if width <= 0 or height <= 0:
        raise UnsupportedImageError(_NO_PIXELS)
    if max(width, height) / min(width, height) > QWEN_MAX_ASPECT:
        raise UnsupportedImageError(
            f"This image is {width}×{height}, more than {QWEN_MAX_ASPECT} times longer than wide, "
            f"which {family} refuses; crop it into shorter pieces and try again."
        )
    # A side under half a cell rounds to 0 (qwen-vl-utils keeps one cell; the processor that
    # servers run does not), so a thin strip always takes the min_pixels branch below.
    new_h = _round_by(height, factor)
    new_w = _round_by(width, factor)
    if new_h * new_w > max_pixels:
        beta = math.sqrt(height * width / max_pixels)
        new_h = max(factor, _floor_by(height / beta, factor))
        new_w = max(factor, _floor_by(width / beta, factor))
    elif new_h * new_w < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        new_h = _ceil_by(height * beta, factor)
        new_w = _ceil_by(width * beta, factor)
    return new_w, new_h


def qwen_tokens(width: int, height: int) -> int:
    """Image tokens of an image Qwen2-VL sees at (width, height), wrapper tokens included."""
    return (width // QWEN_FACTOR) * (height // QWEN_FACTOR) + QWEN_WRAPPER_TOKENS


@lru_cache(maxsize=64)
def _tile_grids(max_tiles: int) -> tuple[tuple[int, int], ...]:
    return tuple(
        (cols, rows)
        for cols in range(1, max_tiles + 1)
        for rows in range(1, max_tiles + 1)
        if cols * rows <= max_tiles
    )


def best_canvas(
    width: int, height: int, *, tile: int = LLAMA_TILE, max_tiles: int = LLAMA_MAX_TILES
) -> tuple[int, int, int]:
    """The tile canvas a tiling encoder picks for an image: (canvas_width, canvas_height, tiles).

    The smallest upscale that fits, else the gentlest downscale; ties go to the smaller canvas
    (transformers get_optimal_tiled_canvas for Mllama, get_best_fit for Llama 4).
    """
    if width <= 0 or height <= 0:
        raise UnsupportedImageError(_NO_PIXELS)
    options = []
    for cols, rows in _tile_grids(max_tiles):
        canvas_w, canvas_h = cols * tile, rows * tile
        scale = min(canvas_h / height, canvas_w / width)
        options.append((scale, canvas_w * canvas_h, canvas_w, canvas_h, cols * rows))
    upscales = [option for option in options if option[0] >= 1]
    if upscales:
        chosen_scale = min(option[0] for option in upscales)
    else:
        chosen_scale = max(option[0] for option in options)
    candidates = [option for option in options if option[0] == chosen_scale]
    _, _, canvas_w, canvas_h, tiles = min(candidates, key=lambda option: option[1])
    return canvas_w, canvas_h, tiles


def fit_to_canvas(
    width: int, height: int, canvas_w: int, canvas_h: int, *, tile: int = LLAMA_TILE
) -> tuple[int, int]:
    """The (width, height) a tiling encoder resizes an image to inside its canvas (before padding).

    Each side is first clipped to [tile, canvas side]; the more limiting side sets the scale
    (transformers get_image_size_fit_to_canvas). Images smaller than a tile grow to one tile.
    """
    target_w = min(max(width, tile), canvas_w)
    target_h = min(max(height, tile), canvas_h)
    scale_w = target_w / width
    scale_h = target_h / height
    if scale_w < scale_h:
        return target_w, min(math.floor(height * scale_w) or 1, target_h)
    return min(math.floor(width * scale_h) or 1, target_w), target_h


def canvas_send_size(width: int, height: int, *, tile: int, max_tiles: int) -> tuple[int, int]:
    """The largest size worth sending to a tiling encoder: its in-canvas size, never an upscale."""
    canvas_w, canvas_h, _ = best_canvas(width, height, tile=tile, max_tiles=max_tiles)
    fit_w, fit_h = fit_to_canvas(width, height, canvas_w, canvas_h, tile=tile)
    if fit_w >= width and fit_h >= height:
        return width, height
    return min(fit_w, width), min(fit_h, height)


def llama_tokens(width: int, height: int) -> int:
    """Encoder tokens Llama 3.2 Vision spends on one image, plus its <|image|> token."""
    _, _, tiles = best_canvas(width, height)
    return tiles * LLAMA_TOKENS_PER_TILE + LLAMA_IMAGE_TOKENS


def llama_send_size(width: int, height: int) -> tuple[int, int]:
    """The largest size worth sending to Llama 3.2: its in-canvas size, never an upscale."""
    return canvas_send_size(width, height, tile=LLAMA_TILE, max_tiles=LLAMA_MAX_TILES)


def fit_long_side(width: int, height: int, long_side: int) -> tuple[int, int]:
    """Scale (width, height) down so the longer side is at most long_side; never up."""
    longest = max(width, height)
    if longest <= long_side:
        return width, height
    scale = long_side / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def fit_cells(width: int, height: int, cell: int, max_cells: int) -> tuple[int, int]:
    """The largest (width, height) of the same shape, never larger, whose padded cell count
    ⌈w/cell⌉·⌈h/cell⌉ is at most max_cells (searched on the height, as GLM-5's processor does)."""
    if width <= 0 or height <= 0:
        raise UnsupportedImageError(_NO_PIXELS)
    best = (min(width, cell * max_cells), 1)
    low, high = 1, height
    while low <= high:
        middle = (low + high) // 2
        candidate_w = max(1, math.floor(width * middle / height))
        if math.ceil(candidate_w / cell) * math.ceil(middle / cell) <= max_cells:
            best = (candidate_w, middle)
            low = middle + 1
        else:
            high = middle - 1
    return best


def capped_size(size: tuple[int, int], longest_side: int | None) -> tuple[int, int]:
    """The size scaled down so its longest side is at most `longest_side` (unchanged if None)."""
    width, height = size
    if longest_side is None or max(width, height) <= longest_side:
        return size
    if longest_side < 1:
        raise RequestError("The longest side must be at least 1 pixel; choose a larger size.")
    scale = longest_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))
