"""The value an image becomes once it is checked and ready to send."""

from __future__ import annotations

from dataclasses import dataclass, field

from vision.values.request import ImageRef


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
    steps: tuple[str, ...] = ()
    reencoded: bool = False  # True when pixels were decoded and encoded again (not just stripped)

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
