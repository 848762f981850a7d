"""Stitch several images into one labelled grid, for models that read one image per request."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from PIL import Image, ImageDraw, ImageFont

from vision.errors import ImageUnreadableError, RequestError
from vision.images.encode import to_eight_bit
from vision.images.geometry import LLAMA_TILE
from vision.images.pixels import DECODE_FAILURES, INTAKE_FORMATS, read_upright, upright_size
from vision.limits import MAX_IMAGES_PER_REQUEST
from vision.values.image import GridCell

# Llama 3.2 Vision sees at most 1120x1120 (a 2x2 tile canvas): the grid is built at that size
# so no cell is shrunk twice.
GRID_SIDE = 2 * LLAMA_TILE
_LABEL_HEIGHT = 36
_GAP = 8
_BACKGROUND = (255, 255, 255)
# Our own threshold (docs/geometry.md): a picture drawn with its shorter side under this, in
# what the model receives, keeps too few of a vision encoder's 14-px patches (about 11) for its
# text and small details to be read.
READABLE_SIDE_PX = 160


def _layout(count: int) -> tuple[int, int]:
    columns = math.ceil(math.sqrt(count))
    return columns, math.ceil(count / columns)


@dataclass(frozen=True, slots=True, kw_only=True)
class StitchedGrid:
    """The grid as a PNG and where each picture lies in it."""

    data: bytes = field(repr=False)
    cells: tuple[GridCell, ...]


# Draws one picture of a grid no larger than the box it is given; returns the picture and the
# upright size of what it shows (a file's first frame, a page, a video's frame).
Picture = Callable[[tuple[int, int]], tuple[Image.Image, tuple[int, int]]]


def stitch_grid(images: Sequence[bytes], labels: Sequence[str] | None = None) -> bytes:
    """One 1120x1120 PNG showing each image in a cell under its label ("Image 1"... by default)."""
    return stitch_layout(images, labels).data


def file_picture(data: bytes, box: tuple[int, int]) -> tuple[Image.Image, tuple[int, int]]:
    """An image file's upright first frame decoded to fit `box`, and its upright size."""
    return read_upright(data, box, INTAKE_FORMATS), upright_size(data, INTAKE_FORMATS)


def unreadable_pictures(cells: Sequence[GridCell], sent_side: int) -> list[str]:
    """A sentence for each picture whose shorter side, in the grid as sent (`sent_side` px
    wide), falls under READABLE_SIDE_PX while the picture itself is larger."""
    scale = sent_side / GRID_SIDE
    found = []
    for cell in cells:
        drawn = (round(cell.width * scale), round(cell.height * scale))
        own = min(cell.source_width, cell.source_height)
        if min(drawn) < READABLE_SIDE_PX <= own:
            found.append(
                f"{cell.label} is drawn at {drawn[0]}×{drawn[1]} px in this grid, too small "
                f"to read its text or small details (under {READABLE_SIDE_PX} px a side): send "
                "one request per image, or fewer images, to keep it readable."
            )
    return found


def stitch_layout(images: Sequence[bytes], labels: Sequence[str] | None = None) -> StitchedGrid:
    """The labelled grid of these images (see stitch_grid) with each picture's rectangle."""
    grid, cells = stitch_pictures([partial(file_picture, data) for data in images], labels)
    return as_png(grid, cells)


def as_png(grid: Image.Image, cells: tuple[GridCell, ...]) -> StitchedGrid:
    """A stitched grid as PNG bytes, with its cells."""
    buffer = io.BytesIO()
    grid.save(buffer, "PNG")
    return StitchedGrid(data=buffer.getvalue(), cells=cells)


def stitch_pictures(
    pictures: Sequence[Picture], labels: Sequence[str] | None = None
) -> tuple[Image.Image, tuple[GridCell, ...]]:
    """The labelled 1120x1120 grid of pictures drawn to fit their cells, and where each lies."""
    if not pictures:
        raise RequestError("There are no images to stitch; add at least one and try again.")
    if len(pictures) > MAX_IMAGES_PER_REQUEST:
        raise RequestError(
            f"At most {MAX_IMAGES_PER_REQUEST} images can be stitched into one; remove some."
        )
    names = list(labels) if labels is not None else []
    names += [f"Image {index + 1}" for index in range(len(names), len(pictures))]
    columns, rows = _layout(len(pictures))
    cell_w = (GRID_SIDE - _GAP * (columns - 1)) // columns
    cell_h = (GRID_SIDE - _GAP * (rows - 1)) // rows
    picture_h = cell_h - _LABEL_HEIGHT
    grid = Image.new("RGB", (GRID_SIDE, GRID_SIDE), _BACKGROUND)
    draw = ImageDraw.Draw(grid)
    font = ImageFont.load_default(size=22)
    cells: list[GridCell] = []
    for index, draw_picture in enumerate(pictures):
        picture, (source_w, source_h) = draw_picture((cell_w, picture_h))
        try:
            picture, _ = to_eight_bit(picture)
            picture = picture.convert("RGB")
            picture.thumbnail((cell_w, picture_h), Image.Resampling.BICUBIC, reducing_gap=2.0)
        except DECODE_FAILURES as exc:
            raise ImageUnreadableError(
                f"Image {index + 1} cannot be read; re-export it and try again."
            ) from exc
        left = (index % columns) * (cell_w + _GAP)
        top = (index // columns) * (cell_h + _GAP)
        draw.text((left + 4, top + 6), names[index][:60], fill=(0, 0, 0), font=font)
        offset = ((cell_w - picture.width) // 2, _LABEL_HEIGHT + (picture_h - picture.height) // 2)
        grid.paste(picture, (left + offset[0], top + offset[1]))
        cells.append(
            GridCell(
                label=names[index][:60],
                left=left + offset[0],
                top=top + offset[1],
                width=picture.width,
                height=picture.height,
                source_width=source_w,
                source_height=source_h,
            )
        )
    return grid, tuple(cells)
