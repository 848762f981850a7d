"""The app's history, opened once per process and database, seen as the signed-in person's
workspace on every page."""

from __future__ import annotations

import streamlit as st

from ui.shared.auth import current_person
from vision.history.config import resolve_url
from vision.history.store import HistoryStore


@st.cache_resource(show_spinner=False)
def _open(target: str) -> HistoryStore:
    # `target` only keys the cache: a test or an operator may point the app elsewhere.
    return HistoryStore()


def shared_store() -> HistoryStore:
    """The process's store ($VISION_DATABASE_URL, else $VISION_HISTORY_PATH or the default
    file) in the workspace "local"; raises HistoryError."""
    return _open(resolve_url(None).render_as_string(hide_password=False))


def history_store() -> HistoryStore:
    """The history as the person using this session sees it: their workspace only."""
    return shared_store().for_workspace(current_person().workspace)
