"""Identify an image from its bytes alone: the real format, size and frame count, cheaply."""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from vision.errors import (
    ImageError,
    ImageTooLargeError,
    ImageUnreadableError,
    UnsupportedImageError,
)
from vision.limits import ACCEPTED_FORMATS, MAX_DECODE_PIXELS, MIME_BY_FORMAT

# Formats Pillow may try when identifying bytes. EPS is deliberately absent (it runs Ghostscript).
READABLE_FORMATS: tuple[str, ...] = (*ACCEPTED_FORMATS, "BMP", "TIFF", "ICO")

# First bytes of formats we can name in an error even though we never parse them.
_KNOWN_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"%!PS", "a PostScript/EPS file"),
    (b"\xc5\xd0\xd3\xc6", "a PostScript/EPS file"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"<?xml", "an XML or SVG file"),
    (b"<svg", "an SVG drawing"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageFacts:
    """What the header of an image says, read without decoding the pixels."""

    format: str
    width: int
    height: int
    animated: bool

    @property
    def mime(self) -> str:
        """The MIME type that matches the bytes."""
        return MIME_BY_FORMAT.get(self.format, f"image/{self.format.lower()}")

    @property
    def accepted(self) -> bool:
        """True when the API accepts this format as it is."""
        return self.format in ACCEPTED_FORMATS


def describe_unknown(data: bytes) -> str:
    """A short name for bytes that are not an image we read ("a PDF document")."""
    head = data[:64].lstrip()
    for signature, name in _KNOWN_SIGNATURES:
        if head.startswith(signature):
            return name
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif", b"ftypmsf1"):
        return "a HEIC/AVIF image"
    if not data:
        return "an empty file"
    return "not an image"


def open_image(data: bytes, formats: tuple[str, ...] = READABLE_FORMATS) -> Image.Image:
    """Open bytes lazily with only the allowed parsers; any failure becomes an ImageError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=formats)
        except Image.DecompressionBombError as exc:
            raise ImageTooLargeError(
                "This image declares more pixels than can be decoded safely; "
                "resize it below 4096×4096 and try again."
            ) from exc
        except UnidentifiedImageError as exc:
            raise UnsupportedImageError(
                f"This file is {describe_unknown(data)}, not a JPEG, PNG, WEBP or GIF image "
                "(nor a PDF, TIFF, SVG or video read as pages or frames); convert it to one of "
                "those and try again."
            ) from exc
        except (OSError, ValueError, SyntaxError, EOFError, struct.error) as exc:
            raise ImageUnreadableError(
                "This image file is damaged and cannot be read; re-export it and try again."
            ) from exc
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageUnreadableError("This image has no pixels; re-export it and try again.")
    if width * height > MAX_DECODE_PIXELS:
        raise ImageTooLargeError(
            f"This image is {width}×{height} pixels, too large to process safely; "
            "resize it below 4096×4096 and try again."
        )
    return image


def sniff_image(data: bytes) -> ImageFacts:
    """The real format and size of an image, read from its header; raises ImageError."""
    image = open_image(data)
    with image:
        animated = bool(getattr(image, "is_animated", False))
        return ImageFacts(
            format=str(image.format), width=image.size[0], height=image.size[1], animated=animated
        )


def image_size(data: bytes) -> tuple[int, int] | None:
    """An image's width and height from its header, or None when it cannot be read as one."""
    try:
        facts = sniff_image(data)
    except ImageError:
        return None
    return facts.width, facts.height
