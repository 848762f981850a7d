"""The history as the signed-in person sees it on every page: their workspace only, audited."""

from __future__ import annotations

import streamlit as st

from ui.shared.auth import current_person
from ui.shared.records import replica_reservations, shared_store
from ui.shared.session import CATALOG_KEY, KEY_KIND_KEY
from vision.api.catalog import Catalog
from vision.history.store import HistoryStore
from vision.team.ledger import AuditedStore
from vision.values.result import ModelInfo


def history_store() -> HistoryStore:
    """The history as the person using this session sees it: their workspace only. Every run
    saved through it is also written to the audit trail, with whose key paid and its cost."""
    person = current_person()
    catalog: Catalog | None = st.session_state.get(CATALOG_KEY)
    key = st.session_state.get(KEY_KIND_KEY, "team")
    return AuditedStore.over(
        shared_store().for_workspace(person.workspace),
        email=person.email or None,
        key=key,
        prices=catalog.info if catalog is not None else _no_prices,
        # The team key's answers give up their holds on the budgets as they are audited.
        reservations=replica_reservations() if person.signed_in and key == "team" else None,
    )


def _no_prices(model: str) -> ModelInfo | None:
    return None
