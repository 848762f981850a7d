"""The page's frame: its title, icon and layout, set on every run of any page."""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path

import streamlit as st

FAVICON = Path(__file__).resolve().parents[1] / "assets" / "favicon.png"


@cache
def _favicon() -> str:
    # A data URL made once per process: given a file, Streamlit would open and check the image
    # on every rerun; a Material icon would be fetched from a font server on the internet.
    return "data:image/png;base64," + base64.b64encode(FAVICON.read_bytes()).decode("ascii")


def set_frame(*, show_sidebar: bool) -> None:
    """Title, icon and a wide layout; the sidebar open only when it has something to ask."""
    st.set_page_config(
        page_title="Vision Playground",
        page_icon=_favicon(),
        layout="wide",
        initial_sidebar_state="auto" if show_sidebar else "collapsed",
    )
