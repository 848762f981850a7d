"""An image file's first frame as pixels: the formats we open, what decoding may raise, EXIF
orientation, decoding at a reduced scale, upright, and once for several users of the same file."""

from __future__ import annotations

import struct
from typing import Any

from PIL import Image

from vision.errors import ImageUnreadableError
from vision.images.sniff import open_image
from vision.limits import ACCEPTED_FORMATS

pillow_heif: Any
try:
    import pillow_heif
except ImportError:  # pragma: no cover - HEIC support is optional
    pillow_heif = None
else:
    pillow_heif.register_heif_opener()

# Parsers we let Pillow try. HEIF and AVIF are read and always converted; EPS (Ghostscript),
# PDF, SVG, TIFF and BMP are never opened: TIFF's decoder has the longest CVE history of the
# lot, and BMP/TIFF reach us from scanners rather than phones or screenshots, so a sentence
# asking for a PNG or JPEG costs users little.
INTAKE_FORMATS: tuple[str, ...] = (*ACCEPTED_FORMATS, "HEIF", "AVIF")

# Everything Pillow's decoders raise on hostile input (Pillow's own fuzz harness accepts the
# first six; pillow-heif raises RuntimeError; #9814 shows a ValueError escaping open()).
DECODE_FAILURES: tuple[type[BaseException], ...] = (
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    struct.error,
    MemoryError,
    NotImplementedError,
    OverflowError,
    IndexError,
    TypeError,
    RuntimeError,
    Image.DecompressionBombError,
)

ORIENTATION_TAG = 0x0112
# ImageOps.exif_transpose's table: EXIF orientation -> the transpose that makes it upright.
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
UNREADABLE = "This image file is damaged and cannot be read; re-export it and try again."


def read_orientation(image: Image.Image, data: bytes) -> int:
    if image.format == "PNG" and b"eXIf" not in data:
        return 1  # PNG keeps EXIF in a chunk that may follow the pixels: skip the full read
    if image.format == "GIF":
        return 1
    try:
        value = image.getexif().get(ORIENTATION_TAG, 1)
    except DECODE_FAILURES:
        return 1  # unreadable EXIF: treat as upright rather than refuse the picture
    return value if isinstance(value, int) and value in UPRIGHT else 1


def load_pixels(image: Image.Image) -> None:
    try:
        image.load()
    except DECODE_FAILURES as exc:
        raise ImageUnreadableError(UNREADABLE) from exc


def upright_size(data: bytes, formats: tuple[str, ...] = INTAKE_FORMATS) -> tuple[int, int]:
    """The (width, height) of the first frame once turned upright, from the header alone."""
    image = open_image(data, formats)
    with image:
        orientation = read_orientation(image, data)
        width, height = image.size
    return (height, width) if orientation >= 5 else (width, height)


def read_upright(
    data: bytes, fit: tuple[int, int], formats: tuple[str, ...] = INTAKE_FORMATS
) -> Image.Image:
    """The first frame, upright; JPEG decodes at a reduced scale that stays at least `fit`."""
    image = open_image(data, formats)
    with image:
        orientation = read_orientation(image, data)
        if image.format in ("JPEG", "MPO"):
            image.draft(image.mode, fit if orientation < 5 else (fit[1], fit[0]))
        load_pixels(image)
        try:
            if orientation in UPRIGHT:
                return image.transpose(UPRIGHT[orientation])
            return image.copy()
        except DECODE_FAILURES as exc:
            raise ImageUnreadableError(UNREADABLE) from exc


class DecodedPixels:
    """One file's pixels while it is prepared for several models: each decoding scale is
    decoded once and read by every model's re-encode (two models asked for about the same size
    would otherwise decode the same JPEG twice)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._decoded: dict[tuple[int, int], Image.Image] = {}

    def at_least(self, raw_target: tuple[int, int]) -> Image.Image:
        """The first frame as stored (not turned upright), at the smallest JPEG decoding scale
        that stays at or above raw_target, shared: read it, never change or close it. Raises
        ImageError when it cannot be decoded."""
        image = open_image(self._data, INTAKE_FORMATS)
        if image.format in ("JPEG", "MPO") and raw_target != image.size:
            image.draft(image.mode, raw_target)  # sets the size it will decode at, no pixels yet
        kept = self._decoded.get(image.size)
        if kept is None:
            load_pixels(image)
            kept = self._decoded[image.size] = image
        else:
            image.close()
        return kept

    def upright(self, fit: tuple[int, int]) -> Image.Image:
        """The first frame turned upright, at least fit in both sides: made from pixels already
        decoded when some are that large (the smallest such), else decoded at the smallest scale
        that is. Shared when nothing had to turn: read it, never change or close it."""
        image = open_image(self._data, INTAKE_FORMATS)
        with image:
            orientation = read_orientation(image, self._data)
        raw_fit = fit if orientation < 5 else (fit[1], fit[0])
        ready = [
            pixels
            for (width, height), pixels in self._decoded.items()
            if width >= raw_fit[0] and height >= raw_fit[1]
        ]
        pixels = min(ready, key=lambda found: found.width) if ready else self.at_least(raw_fit)
        try:
            return pixels.transpose(UPRIGHT[orientation]) if orientation in UPRIGHT else pixels
        except DECODE_FAILURES as exc:
            raise ImageUnreadableError(UNREADABLE) from exc
