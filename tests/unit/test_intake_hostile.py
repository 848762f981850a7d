"""Damaged input of every kind gives an ImageError or a valid image, never another exception."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from tests.support.images import make_animated, make_oriented_photo, make_photo
from tests.support.models import QWEN
from vision import ImageError, prepare_image

# Pillow warns (UserWarning) about the corrupt EXIF these inputs carry; that is expected here.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

SEEDS = {
    "jpeg-exif": make_oriented_photo(6, (96, 64)),
    "png": make_photo((96, 64), "PNG"),
    "webp": make_photo((96, 64), "WEBP"),
    "gif": make_animated("GIF", size=(48, 32)),
    "apng": make_animated("PNG", size=(48, 32)),
}


def damaged(data: bytes, rng: random.Random) -> bytes:
    buffer = bytearray(data)
    action = rng.choice(("truncate", "flip", "splice"))
    if action == "truncate":
        return bytes(buffer[: rng.randrange(1, len(buffer))])
    if action == "flip":
        for _ in range(rng.randint(1, 8)):
            buffer[rng.randrange(len(buffer))] = rng.randrange(256)
        return bytes(buffer)
    start = rng.randrange(len(buffer))
    return bytes(buffer[:start] + rng.randbytes(rng.randint(1, 64)) + buffer[start:])


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_damaged_images_fail_only_as_image_errors(name):
    rng = random.Random(name)  # noqa: S311 - reproducible damage, not secrets
    for _ in range(150):
        data = damaged(SEEDS[name], rng)
        for model in (None, QWEN):
            try:
                prepared = prepare_image(data, model=model)
            except ImageError as exc:
                message = str(exc)
            else:
                message = ""
            if message:
                assert message.endswith(".")
                continue
            sent = Image.open(io.BytesIO(prepared.data))
            sent.load()
            assert sent.size == (prepared.width, prepared.height)
