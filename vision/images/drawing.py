"""Boxes and points drawn, labelled, over the original photo (upright), as PNG or JPEG bytes.

Each shape is a bright colour over a dark outline, so it reads on light and dark photos alike;
each label is black on a tag of its shape's colour (every colour contrasts with black by 7:1 or
more, WCAG's AAA level for text).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from vision.errors import ImageUnreadableError
from vision.images.encode import to_eight_bit
from vision.images.pixels import (
    DECODE_FAILURES,
    INTAKE_FORMATS,
    UNREADABLE,
    read_upright,
    upright_size as header_size,
)
from vision.values.grounding import Box, Point, Shape

# Bright, distinct colours, each at least 7:1 against the black outline and label text.
PALETTE: tuple[tuple[int, int, int], ...] = (
    (255, 176, 0),
    (0, 200, 255),
    (255, 105, 180),
    (80, 230, 80),
    (255, 120, 50),
    (190, 140, 255),
    (255, 240, 60),
    (60, 255, 200),
)
OUTLINE = (0, 0, 0)
DrawFormat = Literal["PNG", "JPEG"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Mark:
    """One shape to draw, in the original's upright pixels, with its label."""

    shape: Shape
    label: str = ""
    clipped: bool = False


def _scaled(shape: Shape, factor_x: float, factor_y: float) -> Shape:
    if isinstance(shape, Point):
        return Point(shape.x * factor_x, shape.y * factor_y)
    return Box(shape.x1 * factor_x, shape.y1 * factor_y, shape.x2 * factor_x, shape.y2 * factor_y)


def _picture(original: bytes, max_side: int | None) -> tuple[Image.Image, float, float]:
    width, height = header_size(original, INTAKE_FORMATS)
    scale = 1.0 if max_side is None else min(1.0, max_side / max(width, height))
    fit = (max(1, round(width * scale)), max(1, round(height * scale)))
    picture = read_upright(original, fit, INTAKE_FORMATS)
    try:
        picture, _ = to_eight_bit(picture)
        picture = picture.convert("RGB")
        if picture.size != fit:
            picture = picture.resize(fit, Image.Resampling.BICUBIC, reducing_gap=2.0)
    except DECODE_FAILURES as exc:
        raise ImageUnreadableError(UNREADABLE) from exc
    return picture, fit[0] / width, fit[1] / height


def _tag(
    draw: ImageDraw.ImageDraw,
    anchor: tuple[float, float],
    text: str,
    fill: tuple[int, int, int],
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    bounds: tuple[int, int],
) -> None:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    pad = max(2, (bottom - top) // 5)
    width, height = right - left + 2 * pad, bottom - top + 2 * pad
    x = min(max(0.0, anchor[0]), bounds[0] - width)
    y = anchor[1] - height if anchor[1] - height >= 0 else anchor[1]
    y = min(max(0.0, y), bounds[1] - height)
    draw.rectangle((x, y, x + width, y + height), fill=fill, outline=OUTLINE)
    draw.text((x + pad - left, y + pad - top), text, fill=OUTLINE, font=font)


def draw_marks(
    original: bytes,
    marks: Sequence[Mark],
    *,
    fmt: DrawFormat = "PNG",
    max_side: int | None = None,
) -> bytes:
    """The original photo, upright, with every mark drawn and labelled; at most max_side pixels
    a side when given (the marks scale with it). Raises ImageError for unreadable bytes."""
    picture, factor_x, factor_y = _picture(original, max_side)
    draw = ImageDraw.Draw(picture)
    line = max(2, round(max(picture.size) / 400))
    font = ImageFont.load_default(size=max(12, line * 7))
    for index, mark in enumerate(marks):
        colour = PALETTE[index % len(PALETTE)]
        shape = _scaled(mark.shape, factor_x, factor_y)
        label = f"{mark.label} (clipped)" if mark.clipped else mark.label
        if isinstance(shape, Point):
            radius = line * 3
            ring = (shape.x - radius, shape.y - radius, shape.x + radius, shape.y + radius)
            draw.ellipse(ring, fill=colour, outline=OUTLINE, width=max(1, line // 2 + 1))
            anchor = (shape.x + radius, shape.y - radius)
        else:
            corners = (shape.x1, shape.y1, shape.x2, shape.y2)
            draw.rectangle(corners, outline=OUTLINE, width=line + 2)
            inner = (shape.x1 + 1, shape.y1 + 1, shape.x2 - 1, shape.y2 - 1)
            if inner[2] > inner[0] and inner[3] > inner[1]:
                draw.rectangle(inner, outline=colour, width=line)
            anchor = (shape.x1, shape.y1)
        if label:
            _tag(draw, anchor, label[:80], colour, font, picture.size)
    buffer = io.BytesIO()
    if fmt == "JPEG":
        picture.save(buffer, "JPEG", quality=90)
    else:
        picture.save(buffer, "PNG")
    return buffer.getvalue()
