"""The frames of an animated GIF, WebP or PNG at their times, for when a person asks for more
than the first frame."""

from __future__ import annotations

import bisect

from PIL import Image

from vision.errors import ImageUnreadableError, UnsupportedImageError
from vision.images.documents.pages import count_frames, out_of_range
from vision.images.encode import to_eight_bit
from vision.images.pixels import DECODE_FAILURES, UNREADABLE, load_pixels
from vision.images.sniff import open_image
from vision.values.image import PartKind, SourcePart

ANIMATED_FORMATS = ("GIF", "WEBP", "PNG")
# Browsers show a frame that declares no delay (or under 20 ms) for 100 ms.
_SHORTEST_MS = 20
_DEFAULT_MS = 100


class AnimationFrames:
    """An animated image opened to take frames by number or time."""

    kind: PartKind | None = "animation"

    def __init__(self, data: bytes) -> None:
        self._data = data
        image = open_image(data, ANIMATED_FORMATS)
        with image:
            self.format = str(image.format)
            if not getattr(image, "is_animated", False):
                raise UnsupportedImageError(
                    "This image is not animated; send it as it is, without choosing frames."
                )
            self.count = count_frames(image, "animation", "frames")
            self._starts = self._frame_starts(image)
            self._size = image.size
        self.lossless = self.format in ("GIF", "PNG")

    def _frame_starts(self, image: Image.Image) -> list[float]:
        starts, elapsed = [], 0.0
        try:
            for index in range(self.count):
                image.seek(index)
                delay = image.info.get("duration") or 0
                starts.append(elapsed)
                elapsed += (delay if delay >= _SHORTEST_MS else _DEFAULT_MS) / 1000
        except DECODE_FAILURES as exc:
            raise ImageUnreadableError(UNREADABLE) from exc
        self.duration_s: float | None = elapsed
        return starts

    def close(self) -> None:
        """Nothing stays open between frames."""

    def start_of(self, index: int) -> float:
        """When frame `index` (from 0) appears, in seconds from the start."""
        return self._starts[index]

    def index_at(self, seconds: float) -> int:
        """The frame shown at `seconds` from the start."""
        return max(0, bisect.bisect_right(self._starts, seconds) - 1)

    def size(self, part: SourcePart | None) -> tuple[int, int]:
        """The animation's canvas size (every frame's)."""
        return self._size

    def render(self, part: SourcePart | None, size: tuple[int, int]) -> Image.Image:
        """The frame composed as a browser shows it, flattened on white, at exactly `size`."""
        index = 0 if part is None else part.index
        if not 0 <= index < self.count:
            shown = part or SourcePart(kind="animation", index=index)
            raise ImageUnreadableError(out_of_range(shown, self.count, "animation"))
        image = open_image(self._data, ANIMATED_FORMATS)
        with image:
            try:
                image.seek(index)
                load_pixels(image)
                pixels, _ = to_eight_bit(image.convert("RGBA"))
                if pixels.size != size:
                    pixels = pixels.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
            except DECODE_FAILURES as exc:
                raise ImageUnreadableError(UNREADABLE) from exc
        return pixels
