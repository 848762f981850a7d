"""Byte counts as people read them."""

from __future__ import annotations


def human_size(size: int) -> str:
    """Bytes as B, KB or MB (1024-based, as file managers show them), e.g. 12.3 KB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
