"""Showing user and model text safely as markdown (on the page and in Markdown exports).

A model's answer is untrusted: a prompt hidden in an image can make it write anything, such as
an image whose address carries data out. Images in answers therefore become links that a
person may choose to open; nothing in an answer is fetched by the viewer's browser by itself.
The page never renders HTML in markdown; a Markdown file may be opened in a viewer that does,
so an export also writes every "<" as an entity: no tag, comment or autolink survives.
"""

from __future__ import annotations

import html
import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|$~:])")


def literal(text: str) -> str:
    """Text shown exactly as typed (file names, URLs, prompts): markdown characters escaped."""
    return _SPECIAL.sub(r"\\\1", text)


# ![alt](target) and ![alt][ref]: the alt text may hold one level of brackets.
_IMAGE = re.compile(r"!\[((?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\](?=\s*[(\[])")


def inert_images(text: str) -> str:
    """Markdown with every image turned into a plain link to it (an image is never loaded)."""
    linked = _IMAGE.sub(lambda match: f"🖼 [{match.group(1) or 'image'}]", text)
    return linked.replace("![", "!\\[")  # any image syntax the pattern did not catch


def inert_html(text: str) -> str:
    """Markdown whose every "<" is an entity: a viewer shows tags as text, never runs them."""
    return text.replace("<", "&lt;")


# What could make one line of plain text into markup in a document: escapes, code, emphasis,
# links and images, strikethrough.
_LINE_MARKUP = re.compile(r"([\\`*_\[\]~])")


def plain_line(text: str) -> str:
    """Text for one line of a Markdown document, shown as it is: whitespace collapsed, HTML as
    entities, and no emphasis, code, link or image."""
    escaped = html.escape(" ".join(text.split()), quote=False)
    return _LINE_MARKUP.sub(r"\\\1", escaped)


# What a page shows in place of an answer that has no text.
EMPTY_ANSWER = "_(empty answer)_"


def answer_markdown(text: str) -> str:
    """A model's answer as markdown: images as links, dollar signs as money rather than maths."""
    return inert_images(text).replace("$", "\\$")


def clip(text: str, limit: int) -> str:
    """The text cut to at most `limit` characters, with an ellipsis in the middle if cut."""
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return text[:half] + "…" + text[-half:]
