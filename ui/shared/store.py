"""The app's history, opened once per process and database, seen as the signed-in person's
workspace on every page."""

from __future__ import annotations

import streamlit as st

from ui.shared.auth import current_person
from ui.shared.session import CATALOG_KEY, KEY_KIND_KEY
from vision.api.catalog import Catalog
from vision.history.config import resolve_url
from vision.history.store import HistoryStore
from vision.team.ledger import AuditedStore
from vision.values.result import ModelInfo


@st.cache_resource(show_spinner=False)
def _open(target: str) -> HistoryStore:
    # `target` only keys the cache: a test or an operator may point the app elsewhere.
    return HistoryStore()


def shared_store() -> HistoryStore:
    """The process's store ($VISION_DATABASE_URL, else $VISION_HISTORY_PATH or the default
    file) in the workspace "local"; raises HistoryError."""
    return _open(resolve_url(None).render_as_string(hide_password=False))


def history_store() -> HistoryStore:
    """The history as the person using this session sees it: their workspace only. Every run
    saved through it is also written to the audit trail, with whose key paid and its cost."""
    person = current_person()
    catalog: Catalog | None = st.session_state.get(CATALOG_KEY)
    return AuditedStore.over(
        shared_store().for_workspace(person.workspace),
        email=person.email or None,
        key=st.session_state.get(KEY_KIND_KEY, "team"),
        prices=catalog.info if catalog is not None else _no_prices,
    )


def _no_prices(model: str) -> ModelInfo | None:
    return None
