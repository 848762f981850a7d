"""The value an image becomes once it is checked and ready to send."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from vision.values.request import ImageRef

# What a page or frame comes from: a PDF's or a multi-page TIFF's page, a video's frame, or a
# frame of an animated GIF or WebP (docs/documents.md).
PartKind = Literal["pdf", "tiff", "video", "animation"]
PART_KINDS: tuple[PartKind, ...] = ("pdf", "tiff", "video", "animation")


def clock(seconds: float) -> str:
    """A time as a player shows it: "0:05", "1:02:03", with tenths when not whole ("0:05.5")."""
    tenths = round(max(0.0, seconds) * 10)
    whole, tenth = divmod(tenths, 10)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    shown = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return f"{shown}.{tenth}" if tenth else shown


@dataclass(frozen=True, slots=True, kw_only=True)
class SourcePart:
    """One page or frame of a source file: a PDF's or TIFF's page, or a video's or animation's
    frame at its time. `index` counts from 0 (a video's: among the frames taken); `count` is the
    pages the document has, or the frames taken from it (0: not known yet)."""

    kind: PartKind
    index: int
    count: int = 0
    time_s: float | None = None

    @property
    def number(self) -> int:
        """The page or frame number as people count, from 1."""
        return self.index + 1

    @property
    def label(self) -> str:
        """ "page 3 of 12", "frame at 0:05 (3 of 8)", "frame 4 of 20 at 0:01.2"."""
        of = f" of {self.count}" if self.count else ""
        if self.kind in ("pdf", "tiff"):
            return f"page {self.number}{of}"
        at = "" if self.time_s is None else clock(self.time_s)
        if self.kind == "video":
            return f"frame at {at} ({self.number}{of})"
        return f"frame {self.number}{of}" + (f" at {at}" if at else "")

    @property
    def tile(self) -> str:
        """What a stitched grid writes over this part: its time, else its page ("p. 3")."""
        if self.time_s is not None:
            return clock(self.time_s)
        return f"p. {self.number}"

    def to_json(self) -> dict[str, Any]:
        """The part as plain JSON-able data."""
        return {"kind": self.kind, "index": self.index, "count": self.count, "time_s": self.time_s}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SourcePart:
        """A part from to_json's data."""
        kind = next((known for known in PART_KINDS if known == data["kind"]), None)
        if kind is None:
            raise ValueError(f"unknown part kind {data['kind']!r}")
        time_s = data.get("time_s")
        return cls(
            kind=kind,
            index=int(data["index"]),
            count=int(data.get("count") or 0),
            time_s=None if time_s is None or not math.isfinite(time_s) else float(time_s),
        )


def parts_label(parts: tuple[SourcePart, ...]) -> str:
    """What an image shows of its source: "page 3 of 12", or a grid's "frames at 0:01, 0:05"
    and "pages 1, 2, 3"; "" for an image that is not a page or frame."""
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0].label
    if all(part.time_s is not None for part in parts):
        return "frames at " + ", ".join(part.tile for part in parts)
    noun = "pages" if parts[0].kind in ("pdf", "tiff") else "frames"
    return f"{noun} " + ", ".join(str(part.number) for part in parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class PartChoice:
    """Which pages or frames to take from a document or video: pages by number (from 1; none
    named and nothing else asked: all of them), the pages with content, a number of frames
    sampled evenly, or frames at chosen times (seconds)."""

    pages: tuple[int, ...] = ()
    content: bool = False
    frames: int = 0
    times: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class GridCell:
    """Where one picture lies in a stitched grid: its rectangle in the grid's pixels and the
    upright size of the image it was made from."""

    label: str
    left: int
    top: int
    width: int
    height: int
    source_width: int
    source_height: int

    def contains(self, x: float, y: float) -> bool:
        """True when the grid point (x, y) falls on this picture."""
        return self.left <= x <= self.left + self.width and self.top <= y <= self.top + self.height


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageOrigin:
    """How an image as sent relates to the photo it was made from: its size as sent, the
    original's upright size, the EXIF orientation that turned it upright, and, for a stitched
    grid, where each picture lies. All that mapping a model's coordinates back needs."""

    width: int
    height: int
    original_width: int
    original_height: int
    orientation: int = 1
    cells: tuple[GridCell, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedImage:
    """An image checked against the limits, re-encoded only where needed, ready to send."""

    mime: str
    width: int
    height: int
    size_bytes: int
    sha256: str
    data_url: str = field(repr=False)
    data: bytes = field(repr=False, compare=False)
    original_format: str
    original_width: int
    original_height: int
    original_size_bytes: int
    source_sha256: str
    model: str | None = None
    estimated_tokens: int | None = None
    filename: str | None = None
    warnings: tuple[str, ...] = ()
    # What the size chosen for the model traded, said plainly (never a warning: it was ours).
    notes: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    reencoded: bool = False  # True when pixels were decoded and encoded again (not just stripped)
    # The EXIF orientation that was applied to turn the pixels upright (1: none); the original's
    # width and height above are already upright.
    orientation: int = 1
    # For a stitched grid: where each picture lies in it (the grid is this image's original).
    cells: tuple[GridCell, ...] = ()
    # The page or frame of a document or video this image is (one), or a grid's frames in the
    # order of its cells; the original above is then the page as drawn, or the grid.
    parts: tuple[SourcePart, ...] = ()

    @property
    def origin(self) -> ImageOrigin:
        """The sizes, orientation and grid cells that map coordinates back to the original."""
        return ImageOrigin(
            width=self.width,
            height=self.height,
            original_width=self.original_width,
            original_height=self.original_height,
            orientation=self.orientation,
            cells=self.cells,
        )

    @property
    def passed_through(self) -> bool:
        """True when the original bytes are sent unchanged."""
        return self.sha256 == self.source_sha256

    @property
    def base64_size(self) -> int:
        """Bytes of the base64 text that travels in the request."""
        return len(self.data_url) - self.data_url.index(",") - 1

    def as_ref(self) -> ImageRef:
        """The image as a content-part reference for a request."""
        return ImageRef(url=self.data_url, label=self.filename or self.sha256[:12])
