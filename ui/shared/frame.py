"""The page's frame: its title, icon, layout and the app's stylesheet, set on every run of any
page."""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path

import streamlit as st

ASSETS = Path(__file__).resolve().parents[1] / "assets"
FAVICON = ASSETS / "favicon.png"
STYLESHEET = ASSETS / "look.css"
# With the toolbar kept minimal (.streamlit/config.toml), Streamlit shows its menu only when
# the page sets a menu item; the menu then offers the theme: System, Light or Dark.
ABOUT = (
    "**Vision Playground**: send images and a prompt to vision models and read their answers "
    "side by side. It follows your system's light or dark setting; this menu picks one instead."
)


@cache
def _favicon() -> str:
    # A data URL made once per process: given a file, Streamlit would open and check the image
    # on every rerun; a Material icon would be fetched from a font server on the internet.
    return "data:image/png;base64," + base64.b64encode(FAVICON.read_bytes()).decode("ascii")


@cache
def _stylesheet() -> str:
    # Read once per process; a style-only st.html goes to the page's event container, so it
    # takes no room on the page.
    return f"<style>{STYLESHEET.read_text(encoding='utf-8')}</style>"


def set_frame(*, show_sidebar: bool) -> None:
    """Title, icon and a wide layout; the sidebar open only when it has something to ask; a
    menu (About, and the theme); the app's few corrections to Streamlit's look
    (ui/assets/look.css)."""
    st.set_page_config(
        page_title="Vision Playground",
        page_icon=_favicon(),
        layout="wide",
        initial_sidebar_state="auto" if show_sidebar else "collapsed",
        menu_items={"About": ABOUT},
    )
    st.html(_stylesheet())
