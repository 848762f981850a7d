"""Pure size arithmetic of the encoders: Qwen2-VL's 28-px grid, Llama 3.2's 560-px tiles."""

from __future__ import annotations

import math

from vision.errors import UnsupportedImageError

# Qwen2-VL: 14-px patches merged 2x2, so every side is resized to a multiple of 28 and each
# 28x28 cell is one LLM token (transformers image_processing_qwen2_vl.py, qwen-vl-utils).
QWEN_FACTOR = 28
QWEN_MIN_PIXELS = 4 * 28 * 28  # 3,136: qwen-vl-utils MIN_PIXELS, the hub preprocessor config
QWEN_SERVER_MAX_TOKENS = 16_384  # the hub preprocessor config: max_pixels = 16384·28·28
QWEN_SERVER_MAX_PIXELS = QWEN_SERVER_MAX_TOKENS * QWEN_FACTOR * QWEN_FACTOR
QWEN_MAX_ASPECT = 200  # qwen-vl-utils MAX_RATIO: the processor refuses anything more elongated
QWEN_WRAPPER_TOKENS = 2  # <|vision_start|> and <|vision_end|> around the image pads

# Llama 3.2 Vision (Mllama): 560-px tiles, at most 4 per image, (560/14)² patches + 1 CLS per tile.
LLAMA_TILE = 560
LLAMA_MAX_TILES = 4
LLAMA_TOKENS_PER_TILE = (LLAMA_TILE // 14) ** 2 + 1  # 1,601 (vLLM mllama.py token_per_chunk)
LLAMA_IMAGE_TOKENS = 1  # the one <|image|> token in the decoder prompt


def _round_by(value: float) -> int:
    return round(value / QWEN_FACTOR) * QWEN_FACTOR


def _floor_by(value: float) -> int:
    return math.floor(value / QWEN_FACTOR) * QWEN_FACTOR


def _ceil_by(value: float) -> int:
    return math.ceil(value / QWEN_FACTOR) * QWEN_FACTOR


def smart_resize(
    width: int,
    height: int,
    min_pixels: int = QWEN_MIN_PIXELS,
    max_pixels: int = QWEN_SERVER_MAX_PIXELS,
) -> tuple[int, int]:
    """The (width, height) Qwen2-VL resizes an image to: multiples of 28 within the pixel range."""
    if width <= 0 or height <= 0:
        raise UnsupportedImageError("This image has no pixels; re-export it and try again.")
    if max(width, height) / min(width, height) > QWEN_MAX_ASPECT:
        raise UnsupportedImageError(
            f"This image is {width}×{height}, more than {QWEN_MAX_ASPECT} times longer than wide, "
            "which Qwen2-VL refuses; crop it into shorter pieces and try again."
        )
    new_h = max(QWEN_FACTOR, _round_by(height))
    new_w = max(QWEN_FACTOR, _round_by(width))
    if new_h * new_w > max_pixels:
        beta = math.sqrt(height * width / max_pixels)
        new_h = max(QWEN_FACTOR, _floor_by(height / beta))
        new_w = max(QWEN_FACTOR, _floor_by(width / beta))
    elif new_h * new_w < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        new_h = _ceil_by(height * beta)
        new_w = _ceil_by(width * beta)
    return new_w, new_h


def qwen_tokens(width: int, height: int) -> int:
    """Image tokens of an image Qwen2-VL sees at (width, height), wrapper tokens included."""
    return (width // QWEN_FACTOR) * (height // QWEN_FACTOR) + QWEN_WRAPPER_TOKENS


def _tile_grids() -> tuple[tuple[int, int], ...]:
    return tuple(
        (cols, rows)
        for cols in range(1, LLAMA_MAX_TILES + 1)
        for rows in range(1, LLAMA_MAX_TILES + 1)
        if cols * rows <= LLAMA_MAX_TILES
    )


def best_canvas(width: int, height: int) -> tuple[int, int, int]:
    """The tile canvas Mllama picks for an image: (canvas_width, canvas_height, tiles).

    The smallest upscale that fits, else the gentlest downscale; ties go to the smaller canvas
    (transformers image_processing_mllama.py, get_optimal_tiled_canvas).
    """
    if width <= 0 or height <= 0:
        raise UnsupportedImageError("This image has no pixels; re-export it and try again.")
    options = []
    for cols, rows in _tile_grids():
        canvas_w, canvas_h = cols * LLAMA_TILE, rows * LLAMA_TILE
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


def fit_to_canvas(width: int, height: int, canvas_w: int, canvas_h: int) -> tuple[int, int]:
    """The (width, height) Mllama resizes an image to inside its canvas (before zero padding).

    Each side is first clipped to [560, canvas side]; the more limiting side sets the scale
    (transformers get_image_size_fit_to_canvas). Small images are upscaled to one tile.
    """
    target_w = min(max(width, LLAMA_TILE), canvas_w)
    target_h = min(max(height, LLAMA_TILE), canvas_h)
    scale_w = target_w / width
    scale_h = target_h / height
    if scale_w < scale_h:
        return target_w, min(math.floor(height * scale_w) or 1, target_h)
    return min(math.floor(width * scale_h) or 1, target_w), target_h


def llama_tokens(width: int, height: int) -> int:
    """Encoder tokens Llama 3.2 Vision spends on one image, plus its <|image|> token."""
    _, _, tiles = best_canvas(width, height)
    return tiles * LLAMA_TOKENS_PER_TILE + LLAMA_IMAGE_TOKENS


def llama_send_size(width: int, height: int) -> tuple[int, int]:
    """The largest size worth sending to Llama 3.2: its in-canvas size, never an upscale."""
    canvas_w, canvas_h, _ = best_canvas(width, height)
    fit_w, fit_h = fit_to_canvas(width, height, canvas_w, canvas_h)
    if fit_w >= width and fit_h >= height:
        return width, height
    return min(fit_w, width), min(fit_h, height)


def fit_long_side(width: int, height: int, long_side: int) -> tuple[int, int]:
    """Scale (width, height) down so the longer side is at most long_side; never up."""
    longest = max(width, height)
    if longest <= long_side:
        return width, height
    scale = long_side / longest
    return max(1, round(width * scale)), max(1, round(height * scale))
