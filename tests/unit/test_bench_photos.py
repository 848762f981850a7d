"""The benchmark's photo generator still makes camera-like JPEGs (so the figures stay honest)."""

from __future__ import annotations

import io

from PIL import Image

from bench.photos import photo_jpeg


def test_generator_makes_a_valid_jpeg_of_the_requested_size_that_weighs_like_a_photo():
    size = (400, 300)
    data = photo_jpeg(size, seed=7, orientation=6)

    with Image.open(io.BytesIO(data)) as image:
        image.load()  # decodes every byte: a truncated or corrupt file fails here
        assert image.format == "JPEG"
        assert image.size == size
        assert image.getexif().get(0x0112) == 6
    # A flat or smooth picture would be a few KB; photos at quality 92 take over 2 bits a pixel.
    assert len(data) * 8 > 2 * size[0] * size[1]
    assert photo_jpeg(size, seed=7, orientation=6) == data  # deterministic per seed
