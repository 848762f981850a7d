"""What every image geometry answers: the pixels worth sending, and the tokens they cost."""

from __future__ import annotations

from typing import Protocol


class ImageGeometry(Protocol):
    """How one model's image encoder turns pixels into prompt tokens (docs/geometry.md)."""

    @property
    def budgeted(self) -> bool:
        """True when a token budget shapes what is sent (grid encoders)."""
        ...

    def tokens(self, width: int, height: int) -> int:
        """Prompt tokens one image sent at width×height costs, wrapper tokens included."""
        ...

    def send_size(self, width: int, height: int, token_budget: int) -> tuple[int, int]:
        """The size worth sending: never larger than the image, never more than the model reads."""
        ...

    def summary(self) -> str:
        """One line a person can check: the grid or tiles, the pixel bounds, the extra tokens."""
        ...
