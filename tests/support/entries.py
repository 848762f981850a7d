"""Images as the Playground holds them (ImageEntry values), made from small real images."""

from __future__ import annotations

import hashlib

from tests.support.images import make_image
from vision.chat.attachments import ImageEntry


def entry(data: bytes, name: str = "image.png") -> ImageEntry:
    """An uploaded file with these bytes, hashed as the uploader's entries are."""
    return ImageEntry(
        id=f"file:{name}",
        kind="file",
        name=name,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def pngs(count: int, size: tuple[int, int] = (96, 64)) -> list[ImageEntry]:
    """`count` small PNG uploads named img-1.png, img-2.png…, each of its own colour."""
    return [
        entry(
            make_image("PNG", size, color=(index * 23 % 256, 80, 200 - index * 7)),
            f"img-{index}.png",
        )
        for index in range(1, count + 1)
    ]
