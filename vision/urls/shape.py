"""Whether a piece of text is an image link at all (whether it may be fetched is check_url's)."""

from __future__ import annotations

HTTP_SCHEMES = ("http://", "https://")


def is_http_url(text: str) -> bool:
    """True for an http(s) URL, whatever the case of its scheme or the spaces around it."""
    return text.strip().lower().startswith(HTTP_SCHEMES)
