"""What every opened document or video offers: its pages or frames, each one's size, and each
one drawn at the exact size asked for."""

from __future__ import annotations

from typing import Protocol

from PIL import Image

from vision.errors import ImageTooLargeError, ImageUnreadableError
from vision.images.pixels import DECODE_FAILURES, UNREADABLE
from vision.limits import MAX_FRAMES
from vision.values.image import PartKind, SourcePart
from vision.words import counted


class Pages(Protocol):
    """A document, video or drawing opened to draw its pages or frames."""

    kind: PartKind | None  # None: a drawing of one picture (SVG)
    format: str  # what to call the file: "PDF", "TIFF", "MP4", "GIF", "SVG"
    lossless: bool  # drawn or lossless pixels: text and edges go out as PNG
    count: int  # pages or frames it holds (a video: its frames as the stream declares)
    duration_s: float | None  # a video's or animation's length

    def size(self, part: SourcePart | None) -> tuple[int, int]:
        """The upright (width, height) in pixels of this page or frame at its full size (a
        page: as drawn at 200 dpi); raises ImageError when it is over a limit."""
        ...

    def render(self, part: SourcePart | None, size: tuple[int, int]) -> Image.Image:
        """This page or frame drawn upright at exactly `size`, as RGB or L pixels."""
        ...

    def close(self) -> None:
        """Let go of the file."""
        ...


def out_of_range(part: SourcePart, count: int, what: str) -> str:
    """The sentence for a page or frame past the end of its file."""
    noun = "page" if part.kind in ("pdf", "tiff") else "frame"
    return (
        f"This {what} has {counted(count, noun)}; there is no {noun} "
        f"{part.number}. Choose one from 1 to {count}."
    )


def count_frames(image: Image.Image, what: str, noun: str) -> int:
    """How many frames (a TIFF's pages) a file has, seeking no further than one past the cap
    (one frame at a time: Pillow miscounts after a seek past the end)."""
    count = 1
    try:
        while count <= MAX_FRAMES:
            image.seek(count)
            count += 1
    except EOFError:
        pass
    except DECODE_FAILURES as exc:
        raise ImageUnreadableError(UNREADABLE) from exc
    if count > MAX_FRAMES:
        raise ImageTooLargeError(
            f"This {what} has more than {MAX_FRAMES:,} {noun}, more than are read here; save "
            f"the {noun} you need as a smaller file and try again."
        )
    try:
        image.seek(0)
    except DECODE_FAILURES as exc:
        raise ImageUnreadableError(UNREADABLE) from exc
    return count
