"""What the Playground does in the browser itself: images dropped anywhere or pasted into the
prompt go to the uploader, an answer is copied to the clipboard, the images of the question on
screen show as a strip of thumbnails, and a new question's answers are scrolled into view.
Small components of our own (no network), and the page's own style rules."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypedDict

import streamlit as st

ASSETS = Path(__file__).resolve().parents[1] / "assets"

_COPY_HTML = """<button type="button" class="vision-copy" aria-label="Copy this answer">
<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M9 9h10v12H9zM5 3h10v2H7v10H5z"/></svg>
<span class="vision-copy-label">Copy</span></button>"""
_COPY_CSS = """
.vision-copy { display: inline-flex; align-items: center; gap: .35rem; padding: .25rem .1rem;
  border: 0; background: none; color: var(--st-text-color); font: inherit; cursor: pointer;
  white-space: nowrap; }
.vision-copy:hover, .vision-copy:focus-visible { color: var(--st-primary-color); }
.vision-copy svg { width: 1.1rem; height: 1.1rem; fill: currentColor; }
"""
_STRIP_HTML = '<div class="vision-strip" role="list"></div>'
_STRIP_CSS = """
.vision-strip { display: flex; flex-wrap: wrap; gap: .5rem; }
.vision-thumb { padding: 0; border: 1px solid var(--st-border-color, rgba(128,128,128,.4));
  border-radius: .5rem; background: var(--st-secondary-background-color); cursor: zoom-in;
  overflow: hidden; height: 4.5rem; min-width: 4.5rem; color: var(--st-text-color); }
.vision-thumb:hover, .vision-thumb:focus-visible { border-color: var(--st-primary-color); }
.vision-thumb img { display: block; height: 100%; width: auto; }
"""
_HINT_HTML = """<p class="vision-hint"><span aria-hidden="true">⤓</span> Drop images anywhere on
this page, or paste one into the prompt (Ctrl+V, ⌘V on a Mac).</p>"""
_HINT_CSS = """
.vision-hint { margin: 0; color: var(--st-text-color); opacity: .7; font-size: .875rem; }
"""


class StripImage(TypedDict):
    """One thumbnail of the strip: a data URL (or "" for none) and what to call the image."""

    src: str
    label: str


@cache
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


@cache
def _components() -> dict[str, Any]:
    """The components, registered once per process."""
    v2 = st.components.v2
    return {
        "drop": v2.component(
            "vision.drop_and_paste", html=_HINT_HTML, css=_HINT_CSS, js=_asset("drop_paste.js")
        ),
        "copy": v2.component(
            "vision.copy_text", html=_COPY_HTML, css=_COPY_CSS, js=_asset("copy_text.js")
        ),
        "scroll": v2.component("vision.scroll_here", js=_asset("scroll_here.js")),
        "strip": v2.component(
            "vision.thumbnail_strip",
            html=_STRIP_HTML,
            css=_STRIP_CSS,
            js=_asset("thumbnail_strip.js"),
        ),
    }


def page_style() -> None:
    """The Playground's style rules (they take no room on the page)."""
    st.html(f"<style>{_asset('playground.css')}</style>")


def drop_and_paste() -> None:
    """The hint that images can be dropped anywhere or pasted, and what makes it true."""
    _components()["drop"](key="drop_and_paste")


def copy_button(text: str, *, key: str) -> None:
    """Copy: puts `text` on the clipboard, in the browser."""
    _components()["copy"](key=key, data={"text": text}, width="content")


def scroll_here(question: str) -> None:
    """Bring this place into view once for each new question (a Send, a reopened run)."""
    _components()["scroll"](key="scroll_here", data={"question": question})


def thumbnail_strip(images: Sequence[StripImage], *, key: str) -> int | None:
    """The images as a strip of thumbnails; the one clicked in this run, if any."""
    result = _components()["strip"](
        key=key, data={"images": list(images)}, on_open_change=lambda: None
    )
    opened = result.get("open")
    return int(opened) if isinstance(opened, int | float) else None
