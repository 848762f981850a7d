"""The echo sees the solid shapes of a synthetic image where they were drawn, by colour and kind."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from tests.support.shapes import circle, rectangle, shapes_image, shapes_picture
from vision.echo.shapes import find_shapes


def test_rectangles_and_circles_are_found_to_the_pixel_with_colour_and_kind():
    drawn = [rectangle("red", 100, 120, 400, 300), circle("blue", 600, 500, 801, 701)]
    seen = find_shapes(shapes_image((1148, 840), drawn))
    assert [(s.x1, s.y1, s.x2, s.y2, s.label) for s in seen] == [
        (100, 120, 400, 300, "red rectangle"),
        (600, 500, 801, 701, "blue circle"),
    ]


def test_a_resized_jpeg_still_gives_edges_within_half_a_pixel():
    picture = shapes_picture((1600, 1200), [rectangle("green", 200, 300, 600, 700)])
    buffer = io.BytesIO()
    picture.resize((700, 525), Image.Resampling.BILINEAR).save(buffer, "JPEG", quality=80)
    (seen,) = find_shapes(buffer.getvalue())
    scale = 700 / 1600
    expected = (200 * scale, 300 * scale, 600 * scale, 700 * scale)
    assert all(
        abs(a - b) <= 0.5
        for a, b in zip((seen.x1, seen.y1, seen.x2, seen.y2), expected, strict=True)
    )
    assert seen.label == "green rectangle"


def test_text_and_specks_are_not_shapes():
    image = Image.new("RGB", (400, 300), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.text((10, 10), "1. kitchen.png", fill=(0, 0, 0))
    draw.point((200, 200), fill=(220, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    assert find_shapes(buffer.getvalue()) == []


def test_shapes_on_a_dark_background():
    image = Image.new("RGB", (300, 200), (10, 10, 10))
    ImageDraw.Draw(image).rectangle((50, 60, 149, 119), fill=(245, 210, 20))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    (seen,) = find_shapes(buffer.getvalue())
    assert (seen.x1, seen.y1, seen.x2, seen.y2, seen.label) == (
        50,
        60,
        150,
        120,
        "yellow rectangle",
    )
