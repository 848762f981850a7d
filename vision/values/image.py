"""The value an image becomes once it is checked and ready to send."""

from __future__ import annotations

from dataclasses import dataclass, field

from vision.values.request import ImageRef


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
