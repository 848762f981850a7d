"""Pages and frames drawn straight at the size of a box: a tile of a grid, a card's thumbnail,
and a grid that mixes photos with pages or frames."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from PIL import Image

from vision.errors import PartsNeededError
from vision.images.documents.choice import DEFAULT_FRAMES
from vision.images.documents.opening import open_pages
from vision.images.documents.pages import Pages
from vision.images.slots import decode_slot
from vision.images.stitch import StitchedGrid, as_png, file_picture, stitch_pictures
from vision.values.image import SourcePart


def _which_parts(pages: Pages) -> str:
    if pages.kind in ("pdf", "tiff"):
        return (
            f"This {pages.format} has {pages.count} pages; choose which to send (a page range "
            'such as 1-3,7, "all" or "content"), up to 10 at once.'
        )
    return (
        f"This is {'a video' if pages.kind == 'video' else 'an animation'}; choose frames to "
        f"send (a number, such as {DEFAULT_FRAMES}, spread evenly, or times such as 0:05,0:10)."
    )


def completed_parts(pages: Pages, parts: tuple[SourcePart, ...]) -> tuple[SourcePart, ...]:
    """The parts with their page counts known; a one-page document needs none named, a
    drawing has none; raises PartsNeededError when several pages or a video's frames are
    there to choose from and none is named."""
    if pages.kind is None:
        return ()
    if not parts:
        if pages.kind in ("pdf", "tiff") and pages.count == 1:
            return (SourcePart(kind=pages.kind, index=0, count=1),)
        raise PartsNeededError(_which_parts(pages))
    if pages.kind in ("pdf", "tiff"):
        return tuple(
            SourcePart(kind=part.kind, index=part.index, count=pages.count) for part in parts
        )
    return parts


def _fit(full: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    scale = min(box[0] / full[0], box[1] / full[1])
    return max(1, round(full[0] * scale)), max(1, round(full[1] * scale))


def part_picture(
    pages: Pages, part: SourcePart | None, box: tuple[int, int]
) -> tuple[Image.Image, tuple[int, int]]:
    """A page or frame drawn straight at the size that fits `box`, and its full size."""
    full = pages.size(part)
    return pages.render(part, _fit(full, box)), full


def draw_parts(
    data: bytes, parts: tuple[SourcePart, ...], box: tuple[int, int]
) -> tuple[Image.Image, tuple[int, int]]:
    """A page or frame (several: their labelled grid) drawn to fit `box`, and the full size
    it stands for: a card's thumbnail, or a tile of a grid."""
    with decode_slot():
        pages = open_pages(data, animation=bool(parts) and parts[0].kind == "animation")
        try:
            shown = completed_parts(pages, parts)
            if len(shown) <= 1:
                return part_picture(pages, shown[0] if shown else None, box)
            grid, _ = stitch_pictures(
                [partial(part_picture, pages, part) for part in shown],
                [part.tile for part in shown],
            )
        finally:
            pages.close()
    full = grid.size
    grid.thumbnail(box, Image.Resampling.BICUBIC, reducing_gap=2.0)
    return grid, full


def stitch_sources(
    images: Sequence[bytes],
    labels: Sequence[str] | None = None,
    parts: Sequence[tuple[SourcePart, ...]] | None = None,
) -> StitchedGrid:
    """The labelled grid of these files (see stitch_grid), an image with `parts` drawn as that
    page or frame of its document or video, with each picture's rectangle."""
    shown = list(parts) if parts is not None else [() for _ in images]
    pictures = [
        partial(draw_parts, data, named) if named else partial(file_picture, data)
        for data, named in zip(images, shown, strict=True)
    ]
    return as_png(*stitch_pictures(pictures, labels))
