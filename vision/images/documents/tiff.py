"""Multi-page TIFF files (scans, faxes) as pages: opened only here, frames counted up to a cap."""

from __future__ import annotations

from PIL import Image

from vision.errors import ImageTooLargeError, ImageUnreadableError
from vision.images.documents.pages import count_frames, out_of_range
from vision.images.encode import to_eight_bit
from vision.images.pixels import (
    DECODE_FAILURES,
    UNREADABLE,
    UPRIGHT,
    load_pixels,
    read_orientation,
)
from vision.images.sniff import open_image
from vision.limits import MAX_DECODE_PIXELS
from vision.values.image import PartKind, SourcePart

# TIFF's decoder has the longest CVE history of Pillow's parsers, so the image intake never
# opens it: this is the one path that does, with no other parser allowed.
TIFF_ONLY = ("TIFF",)


class TiffPages:
    """A TIFF opened to read its pages; the page count is checked on opening."""

    kind: PartKind | None = "tiff"
    format = "TIFF"
    lossless = True
    duration_s: float | None = None

    def __init__(self, data: bytes) -> None:
        self._data = data
        image = open_image(data, TIFF_ONLY)
        with image:
            self.count = count_frames(image, "TIFF", "pages")

    def close(self) -> None:
        """Nothing stays open between pages."""

    def _open_at(self, part: SourcePart | None) -> tuple[Image.Image, int]:
        """The file sought to this page, with the page's EXIF orientation."""
        index = 0 if part is None else part.index
        if not 0 <= index < self.count:
            shown = part or SourcePart(kind="tiff", index=index)
            raise ImageUnreadableError(out_of_range(shown, self.count, "TIFF"))
        image = open_image(self._data, TIFF_ONLY)
        try:
            image.seek(index)
            orientation = read_orientation(image, self._data)
        except DECODE_FAILURES as exc:
            image.close()
            raise ImageUnreadableError(UNREADABLE) from exc
        width, height = image.size
        if width < 1 or height < 1 or width * height > MAX_DECODE_PIXELS:
            image.close()
            raise ImageTooLargeError(
                f"Page {index + 1} of this TIFF is {width}×{height} pixels, too large to read "
                "safely; choose another page, or save this one smaller."
            )
        return image, orientation

    def size(self, part: SourcePart | None) -> tuple[int, int]:
        """The page's upright size in pixels."""
        image, orientation = self._open_at(part)
        with image:
            width, height = image.size
        return (height, width) if orientation >= 5 else (width, height)

    def render(self, part: SourcePart | None, size: tuple[int, int]) -> Image.Image:
        """The page decoded, turned upright and resized to exactly `size`."""
        image, orientation = self._open_at(part)
        with image:
            load_pixels(image)
            try:
                pixels = image.copy()
                if orientation in UPRIGHT:
                    pixels = pixels.transpose(UPRIGHT[orientation])
                pixels, _ = to_eight_bit(pixels)
                if pixels.size != size:
                    pixels = pixels.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
            except DECODE_FAILURES as exc:
                raise ImageUnreadableError(UNREADABLE) from exc
        return pixels
