"""How each vision model sees images: its family, its image-token cost, how many it reads.

A model's geometry is its family's published one (vision/images/families.py), else what was
learned from its answers (vision/images/learned.py), else the generic guess; docs/geometry.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from vision.images.families import Family, ModelKind, family_of
from vision.images.geometry import (
    LLAMA_TOKENS_PER_TILE,
    QWEN_FACTOR,
    QWEN_SERVER_MAX_TOKENS,
    best_canvas,
    fit_long_side,
    fit_to_canvas,
    llama_send_size,
    smart_resize,
)
from vision.images.grids import RoundedGrid
from vision.images.learned import Learned, learned_for
from vision.images.rates import PixelRate
from vision.limits import MAX_IMAGES_PER_REQUEST, MAX_SIDE_PX

if TYPE_CHECKING:
    from vision.images.encoders import ImageGeometry
    from vision.values.result import ModelInfo

Basis = Literal["published", "calibrated", "guess"]

# Other models: no documented geometry, so we send at most this long side (what OpenAI's "high"
# detail and LibreChat fit into) and count one token per 28x28 pixels, the densest of the
# documented encoders (Qwen2-VL; Anthropic's w·h/750 is close), so the estimate errs high.
GENERIC_LONG_SIDE = 2048
GENERIC_PIXELS_PER_TOKEN = 28 * 28
GENERIC_WRAPPER_TOKENS = 2
GENERIC = PixelRate(
    long_side=GENERIC_LONG_SIDE,
    pixels_per_token=GENERIC_PIXELS_PER_TOKEN,
    wrapper_tokens=GENERIC_WRAPPER_TOKENS,
)
# No model named: only the provider's own limit applies.
UNNAMED = PixelRate(
    long_side=MAX_SIDE_PX,
    pixels_per_token=GENERIC_PIXELS_PER_TOKEN,
    wrapper_tokens=GENERIC_WRAPPER_TOKENS,
)

# Qwen2-VL's model card suggests 256-1280 visual tokens per image for most uses; 1,280 keeps
# OCR-level detail (about 1 MP) at under a tenth of what a 12 MP photo costs at the server max.
# The same budget caps every grid family (docs/geometry.md).
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
    "EstimateBasis",
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
    "published_profile",
    "qwen_budget_pixels",
    "send_size",
    "smart_resize",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class EstimateBasis:
    """Where a model's image-token estimate comes from, and how far it can be trusted."""

    kind: Basis
    how: str = ""
    source: str = ""
    answers: int = 0
    error: float | None = None
    contradiction: str | None = None

    @property
    def label(self) -> str:
        """ "published geometry", "calibrated from 12 answers (±3%)" or "a guess"."""
        if self.kind == "published":
            return "published geometry"
        if self.kind == "calibrated":
            noun = "answer" if self.answers == 1 else "answers"
            spread = "" if self.error is None else f" (±{self.error * 100:.0f}%)"
            return f"calibrated from {self.answers} {noun}{spread}"
        return "a guess"


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelProfile:
    """How one model sees images: its encoder, its cost, and what it reliably handles."""

    name: str
    kind: ModelKind
    family: str
    accepts_images: bool
    recommended_max_images: int
    note: str
    geometry: ImageGeometry
    basis: EstimateBasis
    resize_reason: str
    counts_images_in_prompt: bool = True


def _accepts_images(name: str, family: Family | None, info: ModelInfo | None) -> bool:
    if info is not None and info.supports_images is not None:
        return info.supports_images
    if family is not None:
        return True
    lowered = name.lower()
    return not name or any(hint in lowered for hint in _VISION_HINTS)


def published_profile(model: str | None, info: ModelInfo | None = None) -> ModelProfile:
    """The profile from the model's family alone (the generic guess for an unknown id),
    ignoring anything learned from answers."""
    name = model or ""
    family = family_of(name) if name else None
    accepts = _accepts_images(name, family, info)
    if family is not None:
        return ModelProfile(
            name=name,
            kind=family.kind,
            family=family.name,
            accepts_images=accepts,
            recommended_max_images=family.recommended_max_images,
            note=family.note,
            geometry=family.geometry,
            basis=EstimateBasis(
                kind="published" if family.published else "guess",
                how=family.geometry.summary(),
                source=family.source,
            ),
            resize_reason=family.resize_reason,
            counts_images_in_prompt=family.counts_images_in_prompt,
        )
    geometry = GENERIC if name else UNNAMED
    return ModelProfile(
        name=name,
        kind="generic",
        family="unknown",
        accepts_images=accepts,
        recommended_max_images=MAX_IMAGES_PER_REQUEST,
        note="No published image geometry for this model; the token estimate is deliberately high.",
        geometry=geometry,
        basis=EstimateBasis(kind="guess", how=geometry.summary()),
        resize_reason="to fit the size limit",
    )


def _calibrated(profile: ModelProfile, learned: Learned) -> ModelProfile:
    budgeted = learned.geometry.budgeted
    return replace(
        profile,
        geometry=learned.geometry,
        basis=EstimateBasis(
            kind="calibrated", how=learned.how, answers=learned.answers, error=learned.error
        ),
        note=f"This model's image cost was measured: {learned.how}.",
        resize_reason=(
            "to the grid measured for this model, within the token budget"
            if budgeted
            else "to fit the size limit"
        ),
    )


def profile_for(model: str | None, info: ModelInfo | None = None) -> ModelProfile:
    """The profile of a model id ("Qwen/Qwen2-VL-7B-Instruct"): its published geometry, else
    what its answers taught us, else the generic guess."""
    profile = published_profile(model, info)
    learned = learned_for(model)
    if learned is None:
        return profile
    if profile.basis.kind != "published":
        return _calibrated(profile, learned)
    if learned.contradiction is None:
        return profile
    basis = replace(
        profile.basis,
        answers=learned.answers,
        error=learned.error,
        contradiction=learned.contradiction,
    )
    return replace(profile, basis=basis)


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

    Grid families: their grid within the token budget (the server then does not resample);
    tile families: the size inside their canvas; others: a long side of 2048 (4096 with no model).
    """
    return profile_for(model).geometry.send_size(width, height, qwen_token_budget)


def estimate_image_tokens(
    model: str | None, width: int, height: int, *, qwen_max_pixels: int | None = None
) -> int:
    """Prompt tokens one image of this size costs on this model (Qwen2-VL: smart_resize grid
    + 2; Llama 3.2: tiles x 1601 + 1; others: their family's formula, a fit, or a guess)."""
    if width <= 0 or height <= 0:
        return 0
    geometry = profile_for(model).geometry
    if qwen_max_pixels is not None and isinstance(geometry, RoundedGrid):
        return geometry.tokens(width, height, max_pixels=qwen_max_pixels)
    return geometry.tokens(width, height)


def estimate_text_tokens(text: str) -> int:
    """Tokens of a text, approximated as one per four characters (rounded up)."""
    return math.ceil(len(text) / 4)
