"""Costs without a known encoder: the generic guess, and costs fitted to measured answers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from vision.images.geometry import fit_long_side

CostMethod = Literal["per pixel", "per tile", "constant"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PixelRate:
    """A guess: fit the long side, then one token per pixels_per_token pixels (rounded up)."""

    long_side: int
    pixels_per_token: int
    wrapper_tokens: int

    @property
    def budgeted(self) -> bool:
        """No grid, so no token budget applies."""
        return False

    def tokens(self, width: int, height: int) -> int:
        """Prompt tokens of one image sent at width×height, deliberately on the high side."""
        if width <= 0 or height <= 0:
            return 0
        sent_w, sent_h = fit_long_side(width, height, self.long_side)
        return math.ceil(sent_w * sent_h / self.pixels_per_token) + self.wrapper_tokens

    def send_size(self, width: int, height: int, token_budget: int) -> tuple[int, int]:
        """The image with its long side fitted; never an upscale."""
        return fit_long_side(width, height, self.long_side)

    def summary(self) -> str:
        """The long side and the rate."""
        return (
            f"long side at most {self.long_side} px, one token per {self.pixels_per_token:,} px "
            f"+{self.wrapper_tokens}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasuredCost:
    """A cost fitted to answers: tokens = per_image + per_pixel·pixels (or per_tile·tiles)."""

    method: CostMethod
    per_image: float
    per_pixel: float = 0.0
    per_tile: float = 0.0
    tile: int = 0
    long_side: int

    @property
    def budgeted(self) -> bool:
        """The encoder is unknown, so no token budget applies."""
        return False

    def units(self, width: int, height: int) -> float:
        """What the cost grows with for one image: its pixels, its tiles, or nothing."""
        if self.method == "per pixel":
            return float(width * height)
        if self.method == "per tile":
            return float(math.ceil(width / self.tile) * math.ceil(height / self.tile))
        return 0.0

    def tokens(self, width: int, height: int) -> int:
        """Prompt tokens of one image sent at width×height, as the fit predicts."""
        if width <= 0 or height <= 0:
            return 0
        sent = fit_long_side(width, height, self.long_side)
        rate = self.per_pixel if self.method == "per pixel" else self.per_tile
        return max(1, round(self.per_image + rate * self.units(*sent)))

    def send_size(self, width: int, height: int, token_budget: int) -> tuple[int, int]:
        """The image with its long side fitted; never an upscale."""
        return fit_long_side(width, height, self.long_side)

    def summary(self) -> str:
        """The fitted rate in words."""
        if self.method == "per pixel":
            return (
                f"≈{self.per_pixel * 1_000_000:,.0f} tokens per megapixel "
                f"+{self.per_image:,.0f} per image"
            )
        if self.method == "per tile":
            return f"≈{self.per_tile:,.0f} tokens per {self.tile}-px tile +{self.per_image:,.0f}"
        return f"≈{self.per_image:,.0f} tokens per image, whatever its size"
