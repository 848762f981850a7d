"""What a model's own image processor makes of an image the app sent: the size it resizes it to,
and the canvas around it when it pads (docs/grounding.md, "What the model saw").

Grid families resize the whole image onto their grid (no padding); tile families (Llama 3.2,
Llama 4) fit it into a tile canvas and pad right and bottom; GLM-5-Next and Kimi K2.5 pad to
whole cells. A model without a known processor is taken to see what was sent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from vision.errors import UnsupportedImageError
from vision.images.geometry import best_canvas, fit_to_canvas
from vision.images.grids import NavitGrid, PaddedGrid, RoundedGrid
from vision.images.profiles import profile_for
from vision.images.tiles import TileCanvas


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelInput:
    """The image a model reads: a canvas, with the picture resized to picture_width ×
    picture_height in its top-left corner (the rest, if any, is padding)."""

    width: int
    height: int
    picture_width: int
    picture_height: int

    @property
    def padded(self) -> bool:
        """True when the canvas is larger than the picture on it."""
        return (self.picture_width, self.picture_height) != (self.width, self.height)


def _whole(width: int, height: int) -> ModelInput:
    return ModelInput(width=width, height=height, picture_width=width, picture_height=height)


def _ceil_to(value: int, cell: int) -> int:
    return math.ceil(value / cell) * cell


def model_input(model: str | None, width: int, height: int) -> ModelInput:
    """What `model` reads when sent an image of width × height pixels."""
    geometry = profile_for(model).geometry
    if isinstance(geometry, RoundedGrid):
        try:
            return _whole(*geometry.model_size(width, height))
        except UnsupportedImageError:
            return _whole(width, height)  # refused by the server: nothing was read
    if isinstance(geometry, TileCanvas):
        canvas_w, canvas_h, _ = best_canvas(
            width, height, tile=geometry.tile, max_tiles=geometry.max_tiles
        )
        picture = fit_to_canvas(width, height, canvas_w, canvas_h, tile=geometry.tile)
        return ModelInput(
            width=canvas_w, height=canvas_h, picture_width=picture[0], picture_height=picture[1]
        )
    if isinstance(geometry, PaddedGrid):
        canvas = geometry.canvas(width, height)
        picture = geometry.content_size(width, height, canvas)
        return ModelInput(
            width=canvas[0], height=canvas[1], picture_width=picture[0], picture_height=picture[1]
        )
    if isinstance(geometry, NavitGrid):
        picture = geometry.model_size(width, height)
        return ModelInput(
            width=_ceil_to(picture[0], geometry.cell),
            height=_ceil_to(picture[1], geometry.cell),
            picture_width=picture[0],
            picture_height=picture[1],
        )
    return _whole(width, height)
