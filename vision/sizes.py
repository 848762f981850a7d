"""Byte counts as people read them."""

from __future__ import annotations


def _figure(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def human_size(size: int) -> str:
    """Bytes in powers of 1000, as browsers and the file uploader show them: 20 MB, 386.6 KB."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{_figure(size / 1000)} KB"
    return f"{_figure(size / 1_000_000)} MB"
