"""The model list from /models, cached per session and backend, with a documented fallback; with
no backend at all, the documented models shown disabled with what to do."""

from __future__ import annotations

import streamlit as st

from ui.shared.session import CATALOG_KEY, MODELS_KEY
from vision.api.catalog import DOCUMENTED_MODELS, Catalog, ModelLister, load_catalog, short_name
from vision.settings_variables import API_KEY_VARIABLE

NO_BACKEND = (
    "No API key, and the echo backend is off: paste a key in the sidebar (or set "
    f"`{API_KEY_VARIABLE}`) to ask these models, or turn on the echo backend to try the page "
    "offline."
)


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


def unavailable_models(*, key: str = MODELS_KEY, label: str = "Models") -> list[str]:
    """With no key and the echo off: the documented models in a disabled picker (under a key of
    its own, beside `key`'s), and what to do to ask them; nothing is chosen, so the list is
    empty."""
    st.multiselect(
        label,
        DOCUMENTED_MODELS,
        default=list(DOCUMENTED_MODELS),
        format_func=short_name,
        key=f"{key}_unavailable",
        disabled=True,
        help=NO_BACKEND,
    )
    st.caption(f":material/key_off: {NO_BACKEND}")
    return []
