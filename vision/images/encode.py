"""Turn decoded pixels into bytes the API accepts: 8-bit, JPEG or PNG, under the byte limit."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from vision.errors import ImageTooLargeError
from vision.limits import MAX_IMAGE_BYTES

_b64: Any
try:
    import pybase64 as _b64
except ImportError:  # pragma: no cover - pybase64 is optional, the stdlib is the fallback
    _b64 = None

# Baseline JPEG in the 85-90 band: visually clean for photos at a fraction of PNG's size
# (docs/encoding.md); no progressive/optimize passes, they cost 2-6x for 3-8% bytes.
PHOTO_QUALITY = 88
# Text and screenshots keep full chroma (4:4:4) so coloured text edges stay sharp.
GRAPHIC_QUALITY = 90
_SHRINK_QUALITIES = (80, 70, 60)
_SHRINK_SCALE = 0.75
_WHITE = (255, 255, 255)


@dataclass(frozen=True, slots=True, kw_only=True)
class Encoded:
    """Encoded image bytes, their MIME type and a sentence on how they were made."""

    data: bytes = field(repr=False)
    mime: str
    width: int
    height: int
    steps: tuple[str, ...] = ()


def data_url(mime: str, data: bytes) -> str:
    """A data: URL carrying the bytes as base64."""
    if _b64 is not None:
        text: str = _b64.b64encode_as_string(data)
    else:  # pragma: no cover
        text = base64.b64encode(data).decode("ascii")
    return f"data:{mime};base64,{text}"


def _flatten(image: Image.Image) -> Image.Image:
    """Composite an image with alpha onto white, as Mllama's convert_to_rgb does."""
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (*_WHITE, 255))
    background.alpha_composite(rgba)
    return background.convert("RGB")


def _extrema(band: Image.Image) -> tuple[float, float]:
    """Lowest and highest value of a single-band image."""
    low, high = band.getextrema()
    assert not isinstance(low, tuple)
    assert not isinstance(high, tuple)
    return float(low), float(high)


def _has_transparency(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        low, _ = _extrema(image.getchannel("A"))
        return low < 255
    return image.mode == "P" and "transparency" in image.info


def _scale_wide_grey(image: Image.Image) -> Image.Image:
    """16- or 32-bit grey to 8-bit by scaling the range, not clipping it."""
    wide = image.convert("I") if image.mode.startswith("I;16") else image
    if image.mode.startswith("I;16"):
        divisor = 257.0
    else:
        _, high = _extrema(wide)
        divisor = 257.0 if high > 255 else 1.0
    return wide.point(lambda value: value / divisor).convert("L")


def needs_conversion(image: Image.Image) -> bool:
    """True when the mode is not one every server reads the same way (8-bit RGB/grey, opaque)."""
    if image.mode in ("RGB", "L"):
        return False
    if image.mode in ("RGBA", "LA"):
        return _has_transparency(image)
    return not (image.mode == "P" and "transparency" not in image.info)


def to_eight_bit(image: Image.Image) -> tuple[Image.Image, tuple[str, ...]]:
    """The image as opaque 8-bit RGB or L, with a step for each conversion made."""
    mode = image.mode
    if mode in ("RGB", "L"):
        return image, ()
    if _has_transparency(image):
        return _flatten(image), ("flattened transparency onto white",)
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        return _scale_wide_grey(image), ("scaled 16-bit samples to 8-bit",)
    if mode == "CMYK":
        return image.convert("RGB"), ("converted CMYK colour to RGB",)
    if mode in ("1", "LA", "La"):
        return image.convert("L"), ()
    return image.convert("RGB"), (f"converted {mode} colour to RGB",)


def looks_like_graphic(image: Image.Image) -> bool:
    """True for screenshots, diagrams and text: few distinct colours or a large flat area."""
    small = image
    factor = max(1, max(image.size) // 256)
    if factor > 1:
        small = image.reduce(factor)
    pixels = small.size[0] * small.size[1]
    colours = small.getcolors(maxcolors=4096)
    if colours is None:
        return False
    if len(colours) <= 1024:
        return True
    most = max(count for count, _ in colours)
    return most >= pixels // 4


def _save(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def encode(
    image: Image.Image,
    *,
    graphic: bool,
    lossless_source: bool,
    metadata: dict[str, bytes] | None = None,
) -> Encoded:
    """Encode 8-bit pixels as PNG (sharp graphics from lossless sources) or JPEG, under 20 MB."""
    extra = dict(metadata or {})
    image.info = {}  # Pillow's PNG writer copies some info keys (ICC); only what we pass goes out
    if graphic and lossless_source:
        data = _save(image, "PNG", compress_level=6, **extra)
        if len(data) <= MAX_IMAGE_BYTES:
            return Encoded(
                data=data,
                mime="image/png",
                width=image.width,
                height=image.height,
                steps=("encoded as PNG to keep text and edges sharp",),
            )
    quality = GRAPHIC_QUALITY if graphic else PHOTO_QUALITY
    subsampling = 0 if graphic else 2
    kind = "JPEG without chroma subsampling" if graphic else "baseline JPEG"
    data = _save(image, "JPEG", quality=quality, subsampling=subsampling, **extra)
    steps = [f"encoded as {kind}, quality {quality}"]
    if len(data) <= MAX_IMAGE_BYTES:
        return Encoded(
            data=data, mime="image/jpeg", width=image.width, height=image.height, steps=tuple(steps)
        )
    return _shrink(image, subsampling, extra, steps)


def _shrink(
    image: Image.Image, subsampling: int, extra: dict[str, bytes], steps: list[str]
) -> Encoded:
    """Lower quality, then size, until the JPEG fits the provider's byte limit."""
    for quality in _SHRINK_QUALITIES:
        data = _save(image, "JPEG", quality=quality, subsampling=subsampling, **extra)
        if len(data) <= MAX_IMAGE_BYTES:
            steps.append(f"lowered JPEG quality to {quality} to fit under 20 MB")
            return Encoded(
                data=data,
                mime="image/jpeg",
                width=image.width,
                height=image.height,
                steps=tuple(steps),
            )
    current = image
    while min(current.size) > 64:
        size = (round(current.width * _SHRINK_SCALE), round(current.height * _SHRINK_SCALE))
        current = current.resize(size, Image.Resampling.BICUBIC)
        data = _save(current, "JPEG", quality=_SHRINK_QUALITIES[-1], subsampling=2, **extra)
        if len(data) <= MAX_IMAGE_BYTES:
            steps.append(f"reduced to {current.width}×{current.height} to fit under 20 MB")
            return Encoded(
                data=data,
                mime="image/jpeg",
                width=current.width,
                height=current.height,
                steps=tuple(steps),
            )
    raise ImageTooLargeError(  # pragma: no cover - 64-px JPEGs are a few KB
        "This image cannot be brought under 20 MB; export a smaller version and try again."
    )
