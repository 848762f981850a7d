"""The app's history file, opened once per process and path, shared by every page."""

from __future__ import annotations

import streamlit as st

from vision.history.store import HistoryStore, default_history_path


@st.cache_resource(show_spinner=False)
def _open(path: str) -> HistoryStore:
    return HistoryStore(path)


def history_store() -> HistoryStore:
    """The history at $VISION_HISTORY_PATH (or the default path); raises HistoryError."""
    return _open(str(default_history_path()))
