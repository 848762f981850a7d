"""Preflight: what one request to one model will cost, checked before it is sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from vision.images.profiles import EstimateBasis, estimate_text_tokens, profile_for
from vision.values.image import PreparedImage
from vision.values.result import ModelInfo

# Below this share of the images' estimated cost, usage.prompt_tokens suggests the server
# dropped the images: vLLM counts every image token in prompt_tokens (docs/geometry.md), and
# our estimates use the same formulas (or a fit to measured answers), so honest counts land
# near 100%.
MISSING_IMAGES_SHARE = 0.5
# A guessed estimate errs high on purpose, by up to about five times for a coarse encoder, so
# only a count far below it says anything.
GUESSED_MISSING_IMAGES_SHARE = 0.1
_QWEN_KINDS = ("qwen2vl", "qwen3vl")


@dataclass(frozen=True, slots=True, kw_only=True)
class ImagePreflight:
    """One image as this model will receive it."""

    label: str
    width: int
    height: int
    size_bytes: int
    base64_size: int
    estimated_tokens: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Preflight:
    """The estimated size and cost of one request, and whether it fits the model's context."""

    model: str
    images: tuple[ImagePreflight, ...]
    unchecked_images: int
    text_tokens: int
    max_tokens: int | None
    context_window: int | None
    input_cost: float | None
    output_cost: float | None
    overflows: bool
    reason: str | None
    estimate_basis: EstimateBasis

    @property
    def image_tokens(self) -> int:
        """Estimated prompt tokens of the checked images."""
        return sum(image.estimated_tokens for image in self.images)

    @property
    def prompt_tokens(self) -> int:
        """Estimated prompt tokens: text plus checked images."""
        return self.text_tokens + self.image_tokens

    @property
    def estimated_cost(self) -> float | None:
        """Input plus output cost at max_tokens, when the server gave both prices."""
        if self.input_cost is None or self.output_cost is None:
            return None
        return self.input_cost + self.output_cost

    @property
    def sent_bytes(self) -> int:
        """Base64 bytes of the inline images."""
        return sum(image.base64_size for image in self.images)


def _advice(model: str, images: int, text_tokens: int, max_tokens: int, window: int) -> str:
    if max_tokens >= window:
        return "lower Max tokens"
    profile = profile_for(model)
    if images and profile.geometry.budgeted:
        budget = "the Qwen token budget" if profile.kind in _QWEN_KINDS else "the token budget"
        return f"lower {budget} or remove images"
    if images and text_tokens < window - max_tokens:
        return "remove images or lower Max tokens"
    return "shorten the prompt or lower Max tokens"


def _overflow_reason(
    model: str, prompt_tokens: int, max_tokens: int, window: int, advice: str
) -> str:
    return (
        f"≈{prompt_tokens:,} prompt tokens + {max_tokens:,} max tokens exceed {model}'s "
        f"{window:,}-token context: {advice}."
    )


def preflight(
    model: str,
    prepared_images: Sequence[PreparedImage],
    prompt: str,
    system: str | None,
    max_tokens: int | None,
    model_info: ModelInfo | None,
    *,
    unchecked_images: int = 0,
) -> Preflight:
    """Estimate a request to `model` with these prepared images (unchecked URLs counted apart);
    estimate_basis says whether the image estimates are published, calibrated or a guess."""
    images = tuple(
        ImagePreflight(
            label=image.filename or image.sha256[:12],
            width=image.width,
            height=image.height,
            size_bytes=image.size_bytes,
            base64_size=image.base64_size,
            estimated_tokens=image.estimated_tokens or 0,
        )
        for image in prepared_images
    )
    text_tokens = estimate_text_tokens(prompt) + estimate_text_tokens(system or "")
    prompt_tokens = text_tokens + sum(image.estimated_tokens for image in images)
    completion = max_tokens or 0
    window = model_info.context_window if model_info else None
    overflows = window is not None and prompt_tokens + completion > window
    reason = None
    if overflows and window is not None:
        advice = _advice(model, len(images), text_tokens, completion, window)
        reason = _overflow_reason(model, prompt_tokens, completion, window, advice)
    input_price = model_info.input_token_price if model_info else None
    output_price = model_info.output_token_price if model_info else None
    return Preflight(
        model=model,
        images=images,
        unchecked_images=unchecked_images,
        text_tokens=text_tokens,
        max_tokens=max_tokens,
        context_window=window,
        input_cost=None if input_price is None else input_price * prompt_tokens,
        output_cost=None if output_price is None else output_price * completion,
        overflows=overflows,
        reason=reason,
        estimate_basis=profile_for(model, model_info).basis,
    )


def usage_warning(
    estimated_image_tokens: int, prompt_tokens: int | None, *, model: str | None = None
) -> str | None:
    """A sentence when the server counted far fewer prompt tokens than the images should cost
    (any model whose geometry is published or calibrated; a guess only when far below)."""
    if estimated_image_tokens <= 0 or prompt_tokens is None:
        return None
    profile = profile_for(model)
    if not profile.counts_images_in_prompt:
        # Llama 3.2 reads images through cross-attention: older vLLM counts every tile in
        # prompt_tokens, newer engines only one <|image|> token, so a low count proves nothing.
        return None
    guessed = profile.basis.kind == "guess"
    share = GUESSED_MISSING_IMAGES_SHARE if guessed else MISSING_IMAGES_SHARE
    if prompt_tokens >= estimated_image_tokens * share:
        return None
    return (
        f"The server counted {prompt_tokens:,} prompt tokens, far below the "
        f"≈{estimated_image_tokens:,} the images alone should cost: the model may not have "
        "received the image(s), so check that its answer describes them."
    )


def format_cost(dollars: float) -> str:
    """A dollar amount readable at any size ($0.0012, $1.25)."""
    if dollars == 0:
        return "$0"
    if dollars < 0.01:
        return "$" + f"{dollars:.6f}".rstrip("0").rstrip(".")
    return f"${dollars:,.2f}"
