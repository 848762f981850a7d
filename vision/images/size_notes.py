"""What an image's size means for the model, in words: a warning for a picture that is small
itself, and a note, never a warning, when the size we chose to send puts a side under the
recommended minimum (docs/limits.md): it says what was traded for what."""

from __future__ import annotations

from vision.images.grids import RoundedGrid
from vision.images.profiles import profile_for
from vision.limits import RECOMMENDED_MIN_SIDE_PX


def _short_sides(width: int, height: int) -> list[str]:
    return [
        side
        for side, size in (("width", width), ("height", height))
        if size < RECOMMENDED_MIN_SIDE_PX
    ]


def _which(sides: list[str]) -> str:
    return "both sides are" if len(sides) == 2 else f"its {sides[0]} is"


def small_image_warning(width: int, height: int) -> str | None:
    """A warning for an image (upright, as the person gave it) with a side under the minimum."""
    short = _short_sides(width, height)
    if not short:
        return None
    side = RECOMMENDED_MIN_SIDE_PX
    return (
        f"This image is {width}×{height}: {_which(short)} under {side} px, below the recommended "
        f"{side}×{side}, so the model may miss small details."
    )


def traded_size_note(
    model: str | None,
    original: tuple[int, int],
    sent: tuple[int, int],
    *,
    token_budget: int,
    longest_side: int | None = None,
) -> str | None:
    """Why a side of an image that reaches the minimum was sent under it, and what keeping it
    would cost; None when nothing was traded."""
    short = [
        side
        for side in _short_sides(*sent)
        if original[0 if side == "width" else 1] >= RECOMMENDED_MIN_SIDE_PX
    ]
    if not short:
        return None
    size = f"Sent at {sent[0]}×{sent[1]}"
    under = f"{_which(short)} under the recommended {RECOMMENDED_MIN_SIDE_PX} px"
    if longest_side is not None and max(original) > longest_side:
        return f"{size}, the chosen resolution (longest side {longest_side} px): {under}."
    profile = profile_for(model)
    geometry = profile.geometry
    if isinstance(geometry, RoundedGrid):
        needed = geometry.minimum_tokens(*original)
        if needed is not None and needed > token_budget:
            return (
                f"{size} to stay within the {token_budget:,}-token budget per image: {under}. "
                f"Keeping {RECOMMENDED_MIN_SIDE_PX} px would take ≈{needed:,} tokens; raise "
                "the token budget per image to keep it."
            )
    return f"{size} {profile.resize_reason}: {under}."
