"""Image checks of the echo backend: base64 data URLs against the documented limits."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from vision.echo.accounting import image_tokens
from vision.echo.catalog import EchoModel
from vision.echo.rejection import reject
from vision.errors import ImageError, ImageTooLargeError
from vision.images.sniff import sniff_image
from vision.limits import MAX_IMAGE_BYTES, MAX_SIDE_PX, MIME_BY_FORMAT
from vision.sizes import human_size

# The echo never fetches a URL image, so its cost is counted as if it were this size.
URL_IMAGE_ASSUMED_SIZE = (1024, 1024)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceivedImage:
    """One image of the request as the echo understood it (1-based index across the request)."""

    index: int
    source: Literal["data", "url"]
    format: str | None = None
    width: int = 0
    height: int = 0
    size_bytes: int = 0
    host: str | None = None
    tokens: int = 0
    data: bytes = field(default=b"", repr=False, compare=False)  # a data URL's image bytes


def _inspect_data_url(index: int, url: str) -> tuple[str, int, int, bytes]:
    """The (format, width, height, bytes) of a base64 data URL image; raises Rejected."""
    header, comma, payload = url[len("data:") :].partition(",")
    fields = header.split(";")
    mime = fields[0].strip().lower()
    if not comma or "base64" not in fields[1:]:
        raise reject(
            400,
            f"Invalid image format: image {index} is a data URL without base64 encoding; "
            "only base64 data URLs are supported.",
        )
    if mime not in MIME_BY_FORMAT.values():
        raise reject(
            400,
            f"Invalid image format: image {index} is declared as {mime or 'no type'}; "
            "send image/jpeg, image/png, image/webp or image/gif.",
        )
    limit = human_size(MAX_IMAGE_BYTES)
    # Refuse an oversized payload from its length, before spending memory on decoding it.
    if len(payload) * 3 // 4 > MAX_IMAGE_BYTES + 2:
        raise reject(
            400,
            f"Image too large: image {index} is about {human_size(len(payload) * 3 // 4)}; "
            f"the limit is {limit}.",
        )
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise reject(
            400, f"Invalid image format: image {index} is not valid base64 in its data URL."
        ) from None
    if len(data) > MAX_IMAGE_BYTES:
        raise reject(
            400,
            f"Image too large: image {index} is {human_size(len(data))}; the limit is {limit}.",
        )
    try:
        facts = sniff_image(data)
    except ImageTooLargeError:
        raise reject(
            400, f"Image too large: image {index} declares more pixels than can be decoded."
        ) from None
    except ImageError:
        raise reject(
            400, f"Invalid image format: image {index} could not be decoded as an image."
        ) from None
    if not facts.accepted:
        raise reject(
            400,
            f"Invalid image format: image {index} is a {facts.format} image; only JPEG, PNG, "
            "WEBP and static GIF are accepted.",
        )
    if facts.mime != mime:
        raise reject(
            400,
            f"Invalid image format: image {index} is declared as {mime} "
            f"but its bytes are {facts.format}.",
        )
    if facts.animated:
        raise reject(
            400,
            f"Invalid image format: image {index} is an animated {facts.format}; "
            "only static images are accepted.",
        )
    if facts.width > MAX_SIDE_PX or facts.height > MAX_SIDE_PX:
        raise reject(
            400,
            f"Image too large: image {index} is {facts.width}×{facts.height} pixels; "
            f"the maximum is {MAX_SIDE_PX}×{MAX_SIDE_PX}.",
        )
    return facts.format, facts.width, facts.height, data


def inspect_image(index: int, url: str, model: EchoModel) -> ReceivedImage:
    """Check one image_url against the documented limits; raises Rejected (400)."""
    if url.startswith(("http://", "https://")):
        width, height = URL_IMAGE_ASSUMED_SIZE
        tokens = image_tokens(model, width, height)
        return ReceivedImage(index=index, source="url", host=urlsplit(url).hostname, tokens=tokens)
    if not url.startswith("data:"):
        raise reject(
            400,
            f"Invalid image URL: image {index} must be an http(s) URL or a base64 data URL.",
        )
    fmt, width, height, data = _inspect_data_url(index, url)
    tokens = image_tokens(model, width, height)
    return ReceivedImage(
        index=index,
        source="data",
        format=fmt,
        width=width,
        height=height,
        size_bytes=len(data),
        tokens=tokens,
        data=data,
    )
