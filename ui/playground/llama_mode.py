"""The choice of how several images go to Llama 3.2 Vision, offered only when it applies."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ui.shared.session import LLAMA_MODE_KEY
from vision.api.catalog import compact_name
from vision.chat.plan import (
    DEFAULT_LLAMA_MODE,
    LLAMA_MODE_LABELS,
    LlamaMode,
    llama_models,
)
from vision.chat.preparation import ImageStatus
from vision.images.profiles import profile_for


def choose_llama_mode(models: Sequence[str], statuses: Sequence[ImageStatus]) -> LlamaMode:
    """Offer the three ways to send several images to Llama 3.2 (only when that applies)."""
    affected = llama_models(models, statuses)
    if not affected:
        return DEFAULT_LLAMA_MODE
    options: list[LlamaMode] = list(LLAMA_MODE_LABELS)
    names = ", ".join(compact_name(model) for model in affected)
    choice: LlamaMode | None = st.radio(
        f"{names}: several images",
        options,
        format_func=lambda mode: LLAMA_MODE_LABELS[mode],
        key=LLAMA_MODE_KEY,
        horizontal=True,
        # The person's choice holds for the session, also while the radio is not shown.
        persist_state="session",
        help=f"{profile_for(affected[0]).note} A grid shows every image in one picture, each "
        "under its number and name; one request per image gets one answer per image.",
    )
    return choice or DEFAULT_LLAMA_MODE
