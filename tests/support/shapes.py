"""Synthetic photos for grounding tests: solid shapes on a plain background, where they are known
to the pixel, optionally stored sideways with an EXIF orientation."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import ExifTags, Image, ImageDraw

from vision.echo.shapes import COLOUR_NAMES
from vision.values.grounding import Box, Point

WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Drawn:
    """A shape as drawn: its kind, colour name and box (x2, y2 exclusive), in stored pixels."""

    kind: str
    colour: str
    box: Box

    @property
    def centre(self) -> Point:
        return self.box.center


def rectangle(colour: str, x1: int, y1: int, x2: int, y2: int) -> Drawn:
    return Drawn("rectangle", colour, Box(x1, y1, x2, y2))


def circle(colour: str, x1: int, y1: int, x2: int, y2: int) -> Drawn:
    return Drawn("circle", colour, Box(x1, y1, x2, y2))


def shapes_picture(size: tuple[int, int], shapes: list[Drawn]) -> Image.Image:
    image = Image.new("RGB", size, WHITE)
    draw = ImageDraw.Draw(image)
    for shape in shapes:
        box = shape.box
        corners = (box.x1, box.y1, box.x2 - 1, box.y2 - 1)  # Pillow includes the last pixel
        fill = COLOUR_NAMES[shape.colour]
        if shape.kind == "circle":
            draw.ellipse(corners, fill=fill)
        else:
            draw.rectangle(corners, fill=fill)
    return image


def shapes_image(
    size: tuple[int, int],
    shapes: list[Drawn],
    fmt: str = "PNG",
    *,
    orientation: int | None = None,
) -> bytes:
    """The shapes drawn on white, encoded; with `orientation`, stored as drawn and tagged with
    that EXIF orientation (so viewers, and the app, turn it)."""
    image = shapes_picture(size, shapes)
    buffer = io.BytesIO()
    if orientation is None:
        image.save(buffer, fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    else:
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = orientation
        image.save(buffer, fmt, exif=exif.tobytes(), quality=95)
    return buffer.getvalue()


def assert_box_near(found: Box, expected: Box, tolerance: float = 2.0) -> None:
    corners = zip(found.as_list(), expected.as_list(), strict=True)
    assert all(abs(a - b) <= tolerance for a, b in corners), (found, expected)


def assert_point_near(found: Point, expected: Point, tolerance: float = 2.0) -> None:
    assert abs(found.x - expected.x) <= tolerance, (found, expected)
    assert abs(found.y - expected.y) <= tolerance, (found, expected)
