"""Showing user and model text safely in Streamlit markdown."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|$~:])")


def literal(text: str) -> str:
    """Text shown exactly as typed (file names, URLs, prompts): markdown characters escaped."""
    return _SPECIAL.sub(r"\\\1", text)


def answer_markdown(text: str) -> str:
    """A model's answer as markdown, with dollar signs kept as money rather than maths."""
    return text.replace("$", "\\$")


def clip(text: str, limit: int) -> str:
    """The text cut to at most `limit` characters, with an ellipsis in the middle if cut."""
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return text[:half] + "…" + text[-half:]
