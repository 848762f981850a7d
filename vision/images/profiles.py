"""How each vision model sees images: its family, its image-token cost, how many it reads."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from vision.errors import UnsupportedImageError
from vision.images.geometry import (
    LLAMA_TOKENS_PER_TILE,
    QWEN_FACTOR,
    QWEN_MIN_PIXELS,
    QWEN_SERVER_MAX_PIXELS,
    QWEN_SERVER_MAX_TOKENS,
    QWEN_WRAPPER_TOKENS,
    best_canvas,
    fit_long_side,
    fit_to_canvas,
    llama_send_size,
    llama_tokens,
    qwen_tokens,
    smart_resize,
)
from vision.limits import MAX_IMAGES_PER_REQUEST, MAX_SIDE_PX

ModelKind = Literal["qwen2vl", "mllama", "generic"]

# Other models: no documented geometry, so we send at most this long side (what OpenAI's "high"
# detail and LibreChat fit into) and count one token per 28x28 pixels, the densest of the
# documented encoders (Qwen2-VL; Anthropic's w·h/750 is close), so the estimate errs high.
GENERIC_LONG_SIDE = 2048
GENERIC_PIXELS_PER_TOKEN = 28 * 28
GENERIC_WRAPPER_TOKENS = 2

# Qwen2-VL's model card suggests 256-1280 visual tokens per image for most uses; 1,280 keeps
# OCR-level detail (about 1 MP) at under a tenth of what a 12 MP photo costs at the server max.
DEFAULT_QWEN_TOKEN_BUDGET = 1280
MIN_QWEN_TOKEN_BUDGET = 256
MAX_QWEN_TOKEN_BUDGET = QWEN_SERVER_MAX_TOKENS

# A text model id carrying one of these is guessed to read images.
_VISION_HINTS = ("vision", "-vl", "vl-", "llava", "pixtral", "gemma-3", "multimodal", "omni")

__all__ = [
    "DEFAULT_QWEN_TOKEN_BUDGET",
    "GENERIC_LONG_SIDE",
    "LLAMA_TOKENS_PER_TILE",
    "MAX_QWEN_TOKEN_BUDGET",
    "MIN_QWEN_TOKEN_BUDGET",
    "ModelKind",
    "ModelProfile",
    "best_canvas",
    "estimate_image_tokens",
    "estimate_text_tokens",
    "fit_long_side",
    "fit_to_canvas",
    "image_count_warning",
    "llama_send_size",
    "profile_for",
    "qwen_budget_pixels",
    "send_size",
    "smart_resize",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelProfile:
    """How one model sees images: its encoder family and what it reliably handles."""

    name: str
    kind: ModelKind
    accepts_images: bool
    recommended_max_images: int
    note: str = ""


def _kind_of(model: str) -> ModelKind:
    lowered = model.lower()
    if "qwen2-vl" in lowered or "qwen2.5-vl" in lowered:
        return "qwen2vl"
    if "llama-3.2" in lowered and "vision" in lowered:
        return "mllama"
    return "generic"


def profile_for(model: str | None) -> ModelProfile:
    """The profile of a model id ("Qwen/Qwen2-VL-7B-Instruct"); unknown ids get the generic one."""
    name = model or ""
    kind = _kind_of(name)
    if kind == "qwen2vl":
        return ModelProfile(
            name=name,
            kind=kind,
            accepts_images=True,
            recommended_max_images=MAX_IMAGES_PER_REQUEST,
            note="Qwen2-VL reads each image on a 28-pixel grid; several images are fine.",
        )
    if kind == "mllama":
        # Meta recommends at most one image per prompt (meta-llama/llama-models#163).
        return ModelProfile(
            name=name,
            kind=kind,
            accepts_images=True,
            recommended_max_images=1,
            note="Llama 3.2 Vision attends reliably to one image per request.",
        )
    lowered = name.lower()
    guess = not name or any(hint in lowered for hint in _VISION_HINTS)
    return ModelProfile(
        name=name,
        kind="generic",
        accepts_images=guess,
        recommended_max_images=MAX_IMAGES_PER_REQUEST,
        note="No published image geometry for this model; the token estimate is deliberately high.",
    )


def image_count_warning(model: str | None, count: int) -> str | None:
    """A sentence when a request carries more images than this model reads reliably, else None."""
    profile = profile_for(model)
    if count <= profile.recommended_max_images:
        return None
    limit = profile.recommended_max_images
    plural = "" if limit == 1 else "s"
    return (
        f"{profile.name or 'This model'} attends reliably to only {limit} image{plural} per "
        f"request; stitch the {count} images into one labelled grid, send one request per image, "
        "or send them as they are."
    )


def _generic_long_side(model: str | None) -> int:
    # No model named: only the provider's own limit applies.
    return GENERIC_LONG_SIDE if model else MAX_SIDE_PX


def _generic_tokens(model: str | None, width: int, height: int) -> int:
    sent_w, sent_h = fit_long_side(width, height, _generic_long_side(model))
    return math.ceil(sent_w * sent_h / GENERIC_PIXELS_PER_TOKEN) + GENERIC_WRAPPER_TOKENS


def qwen_budget_pixels(token_budget: int) -> int:
    """The max_pixels that keeps a Qwen2-VL image within token_budget image tokens."""
    return token_budget * QWEN_FACTOR * QWEN_FACTOR


def send_size(
    model: str | None,
    width: int,
    height: int,
    *,
    qwen_token_budget: int = DEFAULT_QWEN_TOKEN_BUDGET,
) -> tuple[int, int]:
    """The (width, height) worth sending to this model: (width, height) itself when it already fits.

    Qwen2-VL: the 28-px grid within the token budget (the server then does not resample);
    Llama 3.2: the size inside its tile canvas; others: a long side of 2048 (4096 with no model).
    """
    kind = _kind_of(model or "")
    if kind == "qwen2vl":
        fitted = fit_long_side(width, height, MAX_SIDE_PX)
        budget = smart_resize(*fitted, QWEN_MIN_PIXELS, qwen_budget_pixels(qwen_token_budget))
        server = smart_resize(width, height, QWEN_MIN_PIXELS, QWEN_SERVER_MAX_PIXELS)
        if fitted == (width, height) and budget == server:
            return width, height  # the budget does not bind: the server's own rounding is the same
        return budget
    if kind == "mllama":
        return llama_send_size(width, height)
    return fit_long_side(width, height, _generic_long_side(model))


def estimate_image_tokens(
    model: str | None, width: int, height: int, *, qwen_max_pixels: int | None = None
) -> int:
    """Prompt tokens one image of this size costs on this model (Qwen: smart_resize grid + 2;
    Llama 3.2: tiles x 1601 + 1; others: a conservative one token per 28x28 pixels)."""
    if width <= 0 or height <= 0:
        return 0
    kind = _kind_of(model or "")
    if kind == "qwen2vl":
        max_pixels = QWEN_SERVER_MAX_PIXELS if qwen_max_pixels is None else qwen_max_pixels
        try:
            grid_w, grid_h = smart_resize(width, height, QWEN_MIN_PIXELS, max_pixels)
        except UnsupportedImageError:
            # Too elongated for the processor: the server refuses it, so only bound the cost.
            pixels = min(max(width * height, QWEN_MIN_PIXELS), max_pixels)
            return math.ceil(pixels / (QWEN_FACTOR * QWEN_FACTOR)) + QWEN_WRAPPER_TOKENS
        return qwen_tokens(grid_w, grid_h)
    if kind == "mllama":
        return llama_tokens(width, height)
    return _generic_tokens(model, width, height)


def estimate_text_tokens(text: str) -> int:
    """Tokens of a text, approximated as one per four characters (rounded up)."""
    return math.ceil(len(text) / 4)
