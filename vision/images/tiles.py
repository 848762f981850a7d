"""Tile encoders: the image is fitted onto a canvas of square tiles, a fixed cost per tile."""

from __future__ import annotations

from dataclasses import dataclass

from vision.images.geometry import best_canvas, canvas_send_size, fit_long_side
from vision.limits import MAX_SIDE_PX


@dataclass(frozen=True, slots=True, kw_only=True)
class TileCanvas:
    """Tiles of `tile` px, at most `max_tiles` per canvas (Llama 3.2: 560 × 4, Llama 4: 336 × 16).

    One tile costs single_tile_tokens; a canvas of n > 1 tiles costs n·tokens_per_tile +
    fixed_tokens (Llama 4 adds a global tile and separators then; docs/geometry.md).
    """

    family: str
    tile: int
    max_tiles: int
    tokens_per_tile: int
    fixed_tokens: int
    single_tile_tokens: int

    @property
    def budgeted(self) -> bool:
        """The cost is set by the tile count, not by a token budget."""
        return False

    def tiles(self, width: int, height: int) -> int:
        """How many tiles the canvas of this image has."""
        return best_canvas(width, height, tile=self.tile, max_tiles=self.max_tiles)[2]

    def tokens(self, width: int, height: int) -> int:
        """Prompt tokens of one image sent at width×height."""
        if width <= 0 or height <= 0:
            return 0
        tiles = self.tiles(width, height)
        if tiles == 1:
            return self.single_tile_tokens
        return tiles * self.tokens_per_tile + self.fixed_tokens

    def send_size(self, width: int, height: int, token_budget: int) -> tuple[int, int]:
        """The in-canvas size (never an upscale), within the provider's side limit."""
        sent = canvas_send_size(width, height, tile=self.tile, max_tiles=self.max_tiles)
        if max(sent) <= MAX_SIDE_PX:
            return sent
        # A long strip on a 1×16 canvas is wider than the provider takes: fit the side first.
        fitted = fit_long_side(width, height, MAX_SIDE_PX)
        return canvas_send_size(*fitted, tile=self.tile, max_tiles=self.max_tiles)

    def summary(self) -> str:
        """The tile, the tile limit and the cost per tile."""
        return (
            f"{self.tile}-px tiles, at most {self.max_tiles}: {self.single_tile_tokens:,} tokens "
            f"for one tile, else {self.tokens_per_tile:,} a tile + {self.fixed_tokens:,}"
        )
