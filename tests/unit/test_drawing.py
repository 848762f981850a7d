"""Boxes and points drawn over the original photo, upright, readable on light and dark."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.support.images import make_image, make_oriented_photo
from vision.errors import ImageError
from vision.images.drawing import OUTLINE, PALETTE, Mark, draw_marks
from vision.values.grounding import Box, Point


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def luminance(colour: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("background", [(255, 255, 255), (0, 0, 0), (128, 128, 128)])
def test_a_box_shows_its_colour_between_dark_outlines_on_any_photo(background):
    photo = make_image("PNG", (800, 600), color=background)
    drawn = opened(draw_marks(photo, [Mark(shape=Box(100, 100, 300, 200), label="cup")]))
    # Along the left edge, from outside in: the dark outline, then the colour.
    assert drawn.getpixel((100, 150)) == OUTLINE
    assert drawn.getpixel((102, 150)) == PALETTE[0]
    assert drawn.getpixel((200, 150)) == background  # the inside is left as it was


def test_every_colour_stands_out_from_its_outline_and_under_its_black_label_text():
    for colour in PALETTE:
        assert contrast(colour, OUTLINE) >= 7, colour  # WCAG AAA for text


def test_a_point_is_a_dot_of_its_colour_and_shapes_take_turns_in_the_palette():
    photo = make_image("PNG", (400, 300), color=(255, 255, 255))
    marks = [Mark(shape=Box(10, 10, 50, 50)), Mark(shape=Point(200, 150), label="here")]
    drawn = opened(draw_marks(photo, marks))
    assert drawn.getpixel((200, 150)) == PALETTE[1]


def test_the_photo_is_drawn_upright_as_the_coordinates_are():
    photo = make_oriented_photo(6, (800, 600))  # stored sideways: upright it is 600×800
    drawn = opened(draw_marks(photo, [Mark(shape=Box(10, 700, 100, 790))]))
    assert drawn.size == (600, 800)
    assert drawn.getpixel((10, 750)) == OUTLINE


def test_a_smaller_copy_scales_the_marks_with_it():
    photo = make_image("PNG", (2000, 1000), color=(255, 255, 255))
    drawn = opened(draw_marks(photo, [Mark(shape=Box(1000, 500, 1600, 900))], max_side=1000))
    assert drawn.size == (1000, 500)
    assert drawn.getpixel((500, 350)) == OUTLINE


def test_jpeg_on_request_and_a_clear_error_for_bytes_that_are_no_image():
    photo = make_image("PNG", (300, 200), color=(255, 255, 255))
    assert draw_marks(photo, [], fmt="JPEG")[:3] == b"\xff\xd8\xff"
    with pytest.raises(ImageError):
        draw_marks(b"not an image", [])
