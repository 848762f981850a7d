"""Counts in words: one takes the singular, any other count the plural."""

from __future__ import annotations

from vision.words import counted


def test_one_is_singular_and_every_other_count_plural():
    assert counted(1, "image") == "1 image"
    assert counted(0, "image") == "0 images"
    assert counted(3, "model") == "3 models"
    assert counted(2, "reply", "replies") == "2 replies"
