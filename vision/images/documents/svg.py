"""SVG drawings rasterised by resvg, at the size they are sent at, after a check that they name
nothing outside themselves: resvg has no network code, the check keeps it from reading
files (an <image> naming a path), and defusedxml keeps entities unexpanded, so nothing is
fetched or read."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import defusedxml
import resvg_py
from defusedxml.ElementTree import fromstring
from PIL import Image

from vision.errors import ImageUnreadableError, UnsupportedImageError
from vision.images.pixels import DECODE_FAILURES, load_pixels
from vision.images.sniff import open_image
from vision.limits import MAX_SIDE_PX
from vision.values.image import PartKind, SourcePart

# CSS units in pixels (CSS Values 3: 96 px to the inch); a drawing is drawn at 200 dpi, like a
# PDF page, so its full size is its CSS size × 200/96.
_UNITS = {
    "": 1.0,
    "px": 1.0,
    "pt": 96 / 72,
    "pc": 16.0,
    "mm": 96 / 25.4,
    "cm": 96 / 2.54,
    "in": 96.0,
}
_DRAWING_SCALE = 200 / 96
# A drawing that states no size is drawn at CSS's default object size.
_DEFAULT_SIZE = (300.0, 150.0)
_LENGTH = re.compile(r"^\s*([0-9.]+(?:[eE][-+]?[0-9]+)?)\s*([a-z]*)\s*$")
_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)
_INSIDE = ("#", "data:")
_OUTSIDE = (
    "This SVG refers to a file or web address outside itself ({}); nothing outside a drawing "
    "is fetched or read here, so embed it (or export the drawing as PNG) and try again."
)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _refuse_outside(text: str) -> None:
    """Refuse a value that points outside the drawing (url(...) or @import)."""
    for target in _URL.findall(text):
        if not target.strip().startswith(_INSIDE):
            raise UnsupportedImageError(_OUTSIDE.format(f"url({target.strip()[:60]})"))
    if "@import" in text:
        raise UnsupportedImageError(_OUTSIDE.format("@import"))


def checked_svg(data: bytes) -> tuple[str, ElementTree.Element]:
    """The drawing's text and its root element, once nothing in it points outside it;
    raises ImageError saying what it names."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnsupportedImageError(
            "This SVG is not UTF-8 text; save it as UTF-8 (or export it as PNG) and try again."
        ) from None
    if "<?xml-stylesheet" in text.lower():
        raise UnsupportedImageError(_OUTSIDE.format("an xml-stylesheet"))
    try:
        # defusedxml refuses entity declarations (billion laughs, XXE) and external references.
        root = fromstring(text)
    except defusedxml.DefusedXmlException:
        raise UnsupportedImageError(
            "This SVG declares XML entities or external references, which are never expanded "
            "here; save it without them (or export it as PNG) and try again."
        ) from None
    except ElementTree.ParseError:
        raise ImageUnreadableError(
            "This SVG is not well-formed XML and cannot be drawn; export it again and try again."
        ) from None
    if _local(root.tag) != "svg":
        raise UnsupportedImageError("This XML file is not an SVG drawing; export it as PNG.")
    for element in root.iter():
        for name, value in element.attrib.items():
            if _local(name) == "href" and not value.strip().startswith(_INSIDE):
                raise UnsupportedImageError(_OUTSIDE.format(f'href="{value.strip()[:60]}"'))
            _refuse_outside(value)
        _refuse_outside(element.text or "")
    return text, root


def _length(value: str | None) -> float | None:
    found = _LENGTH.match(value or "")
    if found is None or found.group(2) not in _UNITS:
        return None
    return float(found.group(1)) * _UNITS[found.group(2)]


def _css_size(root: ElementTree.Element) -> tuple[float, float]:
    """The drawing's size in CSS pixels: its width and height, else its viewBox's."""
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = [float(number) for number in re.findall(r"[-+]?[0-9.]+", root.get("viewBox") or "")]
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        ratio = box[3] / box[2]
        if width is None and height is None:
            width, height = box[2], box[3]
        elif width is None and height is not None:
            width = height / ratio
        elif height is None and width is not None:
            height = width * ratio
    if not width or not height:
        return _DEFAULT_SIZE
    return width, height


class SvgDrawing:
    """An SVG checked and ready to draw at any size."""

    kind: PartKind | None = None
    format = "SVG"
    lossless = True
    count = 1
    duration_s: float | None = None

    def __init__(self, data: bytes) -> None:
        self._text, root = checked_svg(data)
        width, height = _css_size(root)
        width, height = width * _DRAWING_SCALE, height * _DRAWING_SCALE
        # A vector drawing can be drawn at any size: one declared huge is drawn as large as
        # anything is sent, never refused.
        shrink = min(1.0, MAX_SIDE_PX / max(width, height))
        self._size = (max(1, round(width * shrink)), max(1, round(height * shrink)))

    def close(self) -> None:
        """Nothing stays open."""

    def size(self, part: SourcePart | None) -> tuple[int, int]:
        """The drawing's size at 200 dpi, its long side at most 4096 px."""
        return self._size

    def render(self, part: SourcePart | None, size: tuple[int, int]) -> Image.Image:
        """The drawing rasterised by resvg at `size`, on white."""
        try:
            png = resvg_py.svg_to_bytes(
                svg_string=self._text, width=size[0], height=size[1], background="white"
            )
        except (ValueError, RuntimeError, OSError):
            raise ImageUnreadableError(
                "This SVG cannot be drawn; export it again (or as PNG) and try again."
            ) from None
        image = open_image(bytes(png), ("PNG",))
        with image:
            load_pixels(image)
            try:
                pixels = image.convert("RGB")
                if pixels.size != size:
                    pixels = pixels.resize(size, Image.Resampling.BICUBIC)
            except DECODE_FAILURES as exc:
                raise ImageUnreadableError(
                    "This SVG cannot be drawn; export it again (or as PNG) and try again."
                ) from exc
        return pixels
