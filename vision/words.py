"""Counts said in words, as a person writes them: "1 image", "2 images"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """The count and its noun, singular for one ("1 image", "3 images", "0 replies")."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def agreeing(count: int, singular: str, plural: str) -> str:
    """The verb that agrees with a count, singular for one ("1 image has", "2 images have")."""
    return singular if count == 1 else plural
