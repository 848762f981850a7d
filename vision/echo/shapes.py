"""The echo's eyes: the solid coloured shapes on a plain background of a synthetic image.

The background is the commonest colour; every pixel clearly apart from it is foreground, cut
into connected runs row by row and joined across rows. Each piece's edges are then found where
the colour is at least halfway from the background to the piece's own colour, so a resized,
blurred or JPEG-compressed edge lands within half a pixel of where it was drawn.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import Image, ImageChops

RGB = tuple[int, int, int]

# Names for the colours a test draws with; a shape is called by the nearest one.
COLOUR_NAMES: dict[str, RGB] = {
    "red": (220, 30, 30),
    "green": (30, 160, 60),
    "blue": (30, 70, 220),
    "yellow": (245, 210, 20),
    "orange": (245, 130, 20),
    "purple": (130, 50, 170),
    "pink": (240, 120, 190),
    "cyan": (20, 190, 210),
    "black": (20, 20, 20),
    "white": (245, 245, 245),
    "grey": (128, 128, 128),
}
_FOREGROUND_LEVEL = 48  # channel difference from the background that marks a shape pixel
_MIN_SIDE = 6  # smaller pieces are noise (JPEG speckle, antialiased seams)
_RUN = re.compile(rb"[^\x00]+")


@dataclass(frozen=True, slots=True, kw_only=True)
class SeenShape:
    """A shape the echo found: its box in the image's pixels (x2, y2 exclusive), colour, kind."""

    x1: int
    y1: int
    x2: int
    y2: int
    colour: str
    kind: str  # "rectangle" or "circle"

    @property
    def label(self) -> str:
        """e.g. "red rectangle"."""
        return f"{self.colour} {self.kind}"


def _nearest_name(colour: RGB) -> str:
    return min(
        COLOUR_NAMES,
        key=lambda name: sum((a - b) ** 2 for a, b in zip(COLOUR_NAMES[name], colour, strict=True)),
    )


def _background(image: Image.Image) -> RGB:
    small = image.resize((64, 64), Image.Resampling.NEAREST)
    counts: list[tuple[int, RGB]] = small.getcolors(64 * 64) or [(1, (255, 255, 255))]  # type: ignore[assignment]
    return max(counts, key=lambda count: count[0])[1]


def _pieces(mask: Image.Image) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x1, y1, x2, y2 exclusive) of the 8-connected pieces of a 0/255 mask."""
    width, height = mask.size
    data = mask.tobytes()
    parent: list[int] = []
    boxes: list[list[int]] = []

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    previous: list[tuple[int, int, int]] = []  # (start, end, piece) of the row above
    for y in range(height):
        current: list[tuple[int, int, int]] = []
        for run in _RUN.finditer(data, y * width, (y + 1) * width):
            start, end = run.start() - y * width, run.end() - y * width
            piece = -1
            for above_start, above_end, above in previous:
                if above_start <= end and start <= above_end:  # touching, diagonals included
                    other = root(above)
                    if piece < 0:
                        piece = other
                    elif other != piece:
                        parent[other] = piece
                        box, gone = boxes[piece], boxes[other]
                        box[:] = [
                            min(box[0], gone[0]),
                            min(box[1], gone[1]),
                            max(box[2], gone[2]),
                            max(box[3], gone[3]),
                        ]
            if piece < 0:
                piece = len(parent)
                parent.append(piece)
                boxes.append([start, y, end, y + 1])
            box = boxes[piece]
            box[:] = [min(box[0], start), box[1], max(box[2], end), max(box[3], y + 1)]
            current.append((start, end, piece))
        previous = current
    return [tuple(boxes[node]) for node in range(len(parent)) if root(node) == node]  # type: ignore[misc]


def _refine(
    image: Image.Image, background: RGB, box: tuple[int, int, int, int]
) -> SeenShape | None:
    x1, y1, x2, y2 = box
    centre: RGB = image.getpixel(((x1 + x2) // 2, (y1 + y2) // 2))  # type: ignore[assignment]
    channel = max(range(3), key=lambda band: abs(centre[band] - background[band]))
    low, high = background[channel], centre[channel]
    if abs(high - low) < _FOREGROUND_LEVEL:
        return None
    middle = (low + high) / 2
    margin = (max(0, x1 - 1), max(0, y1 - 1), min(image.width, x2 + 1), min(image.height, y2 + 1))
    band = image.crop(margin).getchannel(channel)
    inside = band.point(
        [255 if (value >= middle if high > low else value <= middle) else 0 for value in range(256)]
    )
    found = inside.getbbox()
    if found is None:
        return None
    left, top, right, bottom = found
    width, height = right - left, bottom - top
    if min(width, height) < _MIN_SIDE:
        return None
    filled = inside.histogram()[255] / (width * height)
    if filled < 0.6:
        return None  # a ring or seam left around another shape, not a shape of its own
    return SeenShape(
        x1=margin[0] + left,
        y1=margin[1] + top,
        x2=margin[0] + right,
        y2=margin[1] + bottom,
        colour=_nearest_name(centre),
        kind="rectangle" if filled > 0.9 else "circle",
    )


def find_shapes(data: bytes) -> list[SeenShape]:
    """The shapes in an encoded image, top to bottom then left to right."""
    with Image.open(io.BytesIO(data)) as opened:
        image = opened.convert("RGB")
    background = _background(image)
    difference = ImageChops.difference(image, Image.new("RGB", image.size, background))
    red, green, blue = difference.split()
    strongest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    mask = strongest.point([255 if value > _FOREGROUND_LEVEL else 0 for value in range(256)])
    seen = [_refine(image, background, box) for box in _pieces(mask)]
    return sorted((shape for shape in seen if shape is not None), key=lambda s: (s.y1, s.x1))
