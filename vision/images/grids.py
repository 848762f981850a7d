"""Grid encoders: the image is resized onto a grid of cells, one prompt token per cell.

Three published resize rules (docs/geometry.md): smart_resize rounds each side to the nearest
multiple of the cell (Qwen2-VL, Qwen2.5-VL, Qwen3-VL, GLM-4.xV); GLM-5-Next rounds up and pads
within a token range; Kimi's MoonViT (NaViT) scales to a patch limit and pads to the cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vision.errors import UnsupportedImageError
from vision.images.geometry import fit_cells, fit_long_side, smart_resize
from vision.limits import MAX_SIDE_PX, RECOMMENDED_MIN_SIDE_PX


def _ceil_to(value: int, cell: int) -> int:
    return math.ceil(value / cell) * cell


def _cells(width: int, height: int, cell: int) -> int:
    return math.ceil(width / cell) * math.ceil(height / cell)


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundedGrid:
    """smart_resize: sides rounded to multiples of `factor` within [min_pixels, max_pixels],
    one token per factor×factor cell, plus the wrapper tokens around the image."""

    family: str
    factor: int
    min_pixels: int
    max_pixels: int
    wrapper_tokens: int
    lift_small_sides: bool = False

    @property
    def budgeted(self) -> bool:
        """A token budget caps what is sent."""
        return True

    def model_size(
        self, width: int, height: int, *, max_pixels: int | None = None
    ) -> tuple[int, int]:
        """The grid size the model resizes an image to (raises UnsupportedImageError when the
        processor refuses its shape)."""
        limit = self.max_pixels if max_pixels is None else max_pixels
        return smart_resize(
            *self._lifted(width, height),
            self.min_pixels,
            limit,
            factor=self.factor,
            family=self.family,
        )

    def _lifted(self, width: int, height: int) -> tuple[int, int]:
        if self.lift_small_sides and min(width, height) < self.factor:
            # GLM's processor first stretches a side shorter than one cell to a whole cell.
            scale = max(self.factor / height, self.factor / width)
            return int(width * scale), int(height * scale)
        return width, height

    def tokens(self, width: int, height: int, *, max_pixels: int | None = None) -> int:
        """Prompt tokens of one image sent at width×height (at the server's own max_pixels)."""
        if width <= 0 or height <= 0:
            return 0
        limit = self.max_pixels if max_pixels is None else max_pixels
        try:
            grid_w, grid_h = self.model_size(width, height, max_pixels=limit)
        except UnsupportedImageError:
            # Too elongated for the processor: the server refuses it, so only bound the cost.
            pixels = min(max(width * height, self.min_pixels), limit)
            return math.ceil(pixels / self.factor**2) + self.wrapper_tokens
        return (grid_w // self.factor) * (grid_h // self.factor) + self.wrapper_tokens

    def send_size(self, width: int, height: int, token_budget: int) -> tuple[int, int]:
        """The grid within the token budget and the model's maximum (the server then does not
        resample), or the image itself when the budget does not bind."""
        fitted = fit_long_side(width, height, MAX_SIDE_PX)
        budget_pixels = min(token_budget * self.factor**2, self.max_pixels)
        budget = self.model_size(*fitted, max_pixels=budget_pixels)
        if fitted == (width, height) and self._rounded_pixels(width, height) <= budget_pixels:
            # Only rounding, or the model's own minimum (which a thin strip always takes), is
            # left to the server: neither depends on the budget, and the server's size is exact.
            return width, height
        if budget[0] > fitted[0] or budget[1] > fitted[1]:
            # Rounding went past a side by a few pixels: step down a cell instead of upscaling.
            return self._floor_grid(*fitted)
        return self._keeping_minimum(fitted, budget, budget_pixels) or budget

    def _minimum_grid(self, width: int, height: int) -> tuple[int, int]:
        """The same shape with its shorter side at the smallest whole cell at or over the
        recommended minimum, the longer side in proportion, rounded to the nearest cell."""
        floor = _ceil_to(RECOMMENDED_MIN_SIDE_PX, self.factor)
        scale = floor / min(width, height)
        cell = self.factor
        return (
            max(cell, round(width * scale / cell) * cell),
            max(cell, round(height * scale / cell) * cell),
        )

    def _keeping_minimum(
        self, fitted: tuple[int, int], chosen: tuple[int, int], budget_pixels: int
    ) -> tuple[int, int] | None:
        """Where the budget's grid put the shorter side under the recommended minimum though the
        image has a whole cell more than it, the grid that keeps the minimum, if that fits the
        budget, is no upscale and the processor reads it as it is (docs/geometry.md); else None."""
        floor = _ceil_to(RECOMMENDED_MIN_SIDE_PX, self.factor)
        if min(chosen) >= RECOMMENDED_MIN_SIDE_PX or min(fitted) < floor:
            return None
        candidate = self._minimum_grid(*fitted)
        if any(side > have for side, have in zip(candidate, fitted, strict=True)):
            return None
        if candidate[0] * candidate[1] > budget_pixels:
            return None
        try:
            read = self.model_size(*candidate, max_pixels=budget_pixels)
        except UnsupportedImageError:
            return None
        return candidate if read == candidate else None

    def minimum_tokens(self, width: int, height: int) -> int | None:
        """Prompt tokens of this image with its shorter side at the recommended minimum (as the
        processor rounds it), or None for an image whose shorter side is under it anyway."""
        if min(width, height) < RECOMMENDED_MIN_SIDE_PX:
            return None
        grid_w, grid_h = self._minimum_grid(width, height)
        return (grid_w // self.factor) * (grid_h // self.factor) + self.wrapper_tokens

    def _rounded_pixels(self, width: int, height: int) -> int:
        """Pixels of the sides rounded to the nearest cell (0 for a side under half a cell)."""
        lifted_w, lifted_h = self._lifted(width, height)
        cell = self.factor
        return round(lifted_w / cell) * cell * round(lifted_h / cell) * cell

    def _floor_grid(self, width: int, height: int) -> tuple[int, int]:
        cell = self.factor
        return max(cell, width // cell * cell), max(cell, height // cell * cell)

    def summary(self) -> str:
        """The cell, the pixel range and the wrapper tokens."""
        return (
            f"{self.factor}-px grid, {self.min_pixels:,}–{self.max_pixels:,} px per image, "
            f"+{self.wrapper_tokens} tokens per image"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PaddedGrid:
    """GLM-5-Next: sides rounded up to the cell and padded, within [min_tokens, max_tokens]
    cells; the picture is scaled (up only below the minimum) to fit its canvas."""

    family: str
    factor: int
    min_tokens: int
    max_tokens: int
    wrapper_tokens: int

    @property
    def budgeted(self) -> bool:
        """A token budget caps what is sent."""
        return True

    def canvas(self, width: int, height: int, *, max_tokens: int | None = None) -> tuple[int, int]:
        """The padded canvas (width, height) the model reads the image on."""
        if width <= 0 or height <= 0:
            raise UnsupportedImageError("This image has no pixels; re-export it and try again.")
        cell = self.factor
        limit = self.max_tokens if max_tokens is None else max_tokens
        canvas_w, canvas_h = _ceil_to(width, cell), _ceil_to(height, cell)
        if canvas_w * canvas_h < self.min_tokens * cell * cell:
            scale = math.sqrt(self.min_tokens * cell * cell / (width * height))
            canvas_w = _ceil_to(max(1, math.ceil(width * scale)), cell)
            canvas_h = _ceil_to(max(1, math.ceil(height * scale)), cell)
        if canvas_w * canvas_h > limit * cell * cell:
            content_w, content_h = fit_cells(width, height, cell, limit)
            canvas_w, canvas_h = _ceil_to(content_w, cell), _ceil_to(content_h, cell)
        return canvas_w, canvas_h

    def content_size(self, width: int, height: int, canvas: tuple[int, int]) -> tuple[int, int]:
        """The size the picture is resized to inside its canvas before the zero padding."""
        canvas_w, canvas_h = canvas
        scale = min(canvas_h / height, canvas_w / width)
        if width * height >= self.min_tokens * self.factor**2:
            scale = min(1.0, scale)
        return (
            max(1, min(canvas_w, math.floor(width * scale))),
            max(1, min(canvas_h, math.floor(height * scale))),
        )

    def tokens(self, width: int, height: int) -> int:
        """Prompt tokens of one image sent at width×height."""
        if width <= 0 or height <= 0:
            return 0
        canvas_w, canvas_h = self.canvas(width, height)
        return (canvas_w // self.factor) * (canvas_h // self.factor) + self.wrapper_tokens

    def send_size(self, width: int, height: int, token_budget: int) -> tuple[int, int]:
        """The picture's size inside the canvas the budget allows; never an upscale."""
        fitted = fit_long_side(width, height, MAX_SIDE_PX)
        canvas = self.canvas(*fitted, max_tokens=min(token_budget, self.max_tokens))
        content = self.content_size(*fitted, canvas)
        if content[0] >= fitted[0] and content[1] >= fitted[1]:
            return fitted
        return content

    def summary(self) -> str:
        """The cell, the token range and the wrapper tokens."""
        return (
            f"{self.factor}-px cells padded, {self.min_tokens:,}–{self.max_tokens:,} cells per "
            f"image, +{self.wrapper_tokens} tokens per image"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class NavitGrid:
    """Kimi's MoonViT (NaViT resize): scaled down to at most max_patches patches and
    max_patches_per_side patches a side, then padded to patch·merge cells, one token a cell."""

    family: str
    patch: int
    merge: int
    max_patches: int
    max_patches_per_side: int
    wrapper_tokens: int

    @property
    def budgeted(self) -> bool:
        """A token budget caps what is sent."""
        return True

    @property
    def cell(self) -> int:
        """The side of one token's cell in pixels."""
        return self.patch * self.merge

    def model_size(self, width: int, height: int) -> tuple[int, int]:
        """The size the model scales an image to before padding it to whole cells."""
        patches = max(1.0, width // self.patch) * max(1.0, height // self.patch)
        side = self.max_patches_per_side * self.patch
        scale = min(1.0, math.sqrt(self.max_patches / patches), side / width, side / height)
        return (
            min(max(1, int(width * scale)), side),
            min(max(1, int(height * scale)), side),
        )

    def tokens(self, width: int, height: int) -> int:
        """Prompt tokens of one image sent at width×height."""
        if width <= 0 or height <= 0:
            return 0
        return _cells(*self.model_size(width, height), self.cell) + self.wrapper_tokens

    def send_size(self, width: int, height: int, token_budget: int) -> tuple[int, int]:
        """What the model reads, or the largest same-shaped size within the token budget."""
        fitted = fit_long_side(width, height, MAX_SIDE_PX)
        scaled = self.model_size(*fitted)
        budget = min(token_budget, self.max_patches // self.merge**2)
        if _cells(*scaled, self.cell) <= budget:
            return scaled
        return fit_cells(*fitted, self.cell, budget)

    def summary(self) -> str:
        """The cell, the patch limits and the wrapper tokens."""
        return (
            f"{self.cell}-px cells ({self.patch}-px patches merged {self.merge}×{self.merge}), "
            f"at most {self.max_patches:,} patches and {self.max_patches_per_side} a side, "
            f"+{self.wrapper_tokens} tokens per image"
        )
