"""An image's bytes from where a person names it on the command line: a file path, or an http(s)
URL fetched safely."""

from __future__ import annotations

from pathlib import Path

from vision.errors import ImageUnreadableError
from vision.urls.shape import is_http_url


def read_source(source: str) -> bytes:
    """The bytes of a file path, or of an http(s) URL through the safe fetcher."""
    if is_http_url(source):
        # Imported here: reading a file needs no HTTP library.
        from vision.urls.fetch import fetch_image

        return fetch_image(source).data
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ImageUnreadableError(
            f"Cannot read {source}: {reason.lower()}; check the path and try again."
        ) from None
