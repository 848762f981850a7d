"""The model list from /models, cached per session and backend, with a documented fallback."""

from __future__ import annotations

import streamlit as st

from ui.shared.session import CATALOG_KEY, MODELS_KEY
from vision.api.catalog import Catalog, ModelLister, load_catalog


def catalog_for(client: ModelLister, backend: str) -> Catalog:
    """The session's model list for this backend, read once until refreshed."""
    catalog: Catalog | None = st.session_state.get(CATALOG_KEY)
    if catalog is None or catalog.backend != backend:
        with st.spinner("Reading the model list…"):
            catalog = load_catalog(client, backend)
        st.session_state[CATALOG_KEY] = catalog
    return catalog


def forget_catalog() -> None:
    """Make the next run read /models again (the refresh button's callback)."""
    st.session_state.pop(CATALOG_KEY, None)


def pick_models(
    catalog: Catalog,
    *,
    key: str = MODELS_KEY,
    label: str = "Models",
    disabled: bool = False,
    help_text: str | None = None,
) -> list[str]:
    """The models multiselect (the Playground's key is "models"); text-only models are marked."""
    ids = catalog.ids
    default: list[str] | None = None
    if key in st.session_state:
        # Keep the user's choice across refreshes, minus models the server no longer lists.
        chosen = [model for model in st.session_state[key] if model in ids]
        if chosen != st.session_state[key]:
            st.session_state[key] = chosen
    else:
        default = catalog.default_selection()
    chosen_models: list[str] = st.multiselect(
        label,
        ids,
        key=key,
        format_func=catalog.label,
        placeholder="Choose one or more models",
        help=help_text,
        default=default,
        disabled=disabled,
        persist_state="session",  # the choice outlives a visit to another page
    )
    return chosen_models
