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


class StripImage(TypedDict):
    """One thumbnail of the strip: a data URL (or "" for none) and what to call the image."""

    src: str
    label: str


@cache
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _component(name: str, asset: str, *, markup: bool = True) -> Any:
    """A component of ours: its script, and its markup and style rules when it has them, are
    the assets named `asset` (.js, .html, .css)."""
    if not markup:
        return st.components.v2.component(f"vision.{name}", js=_asset(f"{asset}.js"))
    return st.components.v2.component(
        f"vision.{name}",
        html=_asset(f"{asset}.html").rstrip("\n"),  # the file's last newline is not markup
        css=_asset(f"{asset}.css"),
        js=_asset(f"{asset}.js"),
    )


@cache
def _components() -> dict[str, Any]:
    """The components, registered once per process."""
    return {
        "drop": _component("drop_and_paste", "drop_paste"),
        "copy": _component("copy_text", "copy_text"),
        "scroll": _component("scroll_here", "scroll_here", markup=False),
        "strip": _component("thumbnail_strip", "thumbnail_strip"),
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
